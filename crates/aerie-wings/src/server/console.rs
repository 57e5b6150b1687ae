//! The console: a ring buffer of recent lines and the output throttle.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What the throttle decided for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver it.
    Pass,
    /// Drop it, and warn the user (first drop since the last start).
    DropAndWarn,
    /// Drop it silently.
    Drop,
}

/// Recent lines plus the throttle state.
#[derive(Debug)]
pub struct Console {
    lines: VecDeque<String>,
    capacity: usize,
    window_start: Instant,
    in_window: u64,
    warned: bool,
    limit: u64,
    interval: Duration,
    enabled: bool,
}

impl Console {
    /// A console keeping `capacity` lines, passing `limit` lines per `interval`.
    pub fn new(capacity: usize, enabled: bool, limit: u64, interval: Duration) -> Self {
        Self {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            window_start: Instant::now(),
            in_window: 0,
            warned: false,
            limit,
            interval,
            enabled,
        }
    }

    /// Throttle check for a line arriving at `now`.
    pub fn admit(&mut self, now: Instant) -> Verdict {
        if !self.enabled {
            return Verdict::Pass;
        }
        if now.duration_since(self.window_start) >= self.interval {
            self.window_start = now;
            self.in_window = 0;
        }
        self.in_window += 1;
        if self.in_window <= self.limit {
            Verdict::Pass
        } else if !self.warned {
            self.warned = true;
            Verdict::DropAndWarn
        } else {
            Verdict::Drop
        }
    }

    /// Remembers a delivered line.
    pub fn push(&mut self, line: String) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// The last `n` lines, oldest first.
    pub fn tail(&self, n: usize) -> Vec<String> {
        let skip = self.lines.len().saturating_sub(n);
        self.lines.iter().skip(skip).cloned().collect()
    }

    /// A new run: the throttle warning may be given again.
    pub fn reset_throttle(&mut self) {
        self.warned = false;
        self.in_window = 0;
        self.window_start = Instant::now();
    }

    /// Replaces the buffer (after re-attaching, from Docker's log).
    pub fn refill(&mut self, lines: Vec<String>) {
        self.lines.clear();
        for l in lines {
            self.push(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_last_lines() {
        let mut c = Console::new(3, true, 10, Duration::from_millis(100));
        for i in 0..5 {
            c.push(i.to_string());
        }
        assert_eq!(c.tail(10), vec!["2", "3", "4"]);
        assert_eq!(c.tail(2), vec!["3", "4"]);
    }

    #[test]
    fn throttle_drops_excess_and_warns_once_per_run() {
        let mut c = Console::new(10, true, 2, Duration::from_millis(100));
        let t0 = Instant::now();
        assert_eq!(c.admit(t0), Verdict::Pass);
        assert_eq!(c.admit(t0), Verdict::Pass);
        assert_eq!(c.admit(t0), Verdict::DropAndWarn);
        assert_eq!(c.admit(t0), Verdict::Drop);
        // A new window passes again, without a second warning.
        let t1 = t0 + Duration::from_millis(150);
        assert_eq!(c.admit(t1), Verdict::Pass);
        assert_eq!(c.admit(t1), Verdict::Pass);
        assert_eq!(c.admit(t1), Verdict::Drop);
        c.reset_throttle();
        let t2 = Instant::now();
        c.admit(t2);
        c.admit(t2);
        assert_eq!(c.admit(t2), Verdict::DropAndWarn);
        let mut off = Console::new(10, false, 0, Duration::from_millis(100));
        assert_eq!(off.admit(t0), Verdict::Pass);
    }
}
