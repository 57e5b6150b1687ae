//! Five-field cron expressions as Pterodactyl schedules use them (minute, hour, day of
//! month, month, day of week), evaluated in UTC.
//!
//! Semantics follow classic Vixie cron, which Pterodactyl's `cron-expression` library also
//! follows: each field takes `*`, numbers, `a-b` ranges, `*/n` and `a-b/n` steps and comma
//! lists; months and weekdays also take names (`JAN`, `MON`); day of week is 0–7 with both 0
//! and 7 meaning Sunday. When both day of month and day of week are restricted, a day
//! matches if **either** matches (`0 0 1 * MON` runs on the 1st and on every Monday).

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    dom_restricted: bool,
    dow_restricted: bool,
}

/// Why an expression was refused: the field and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CronError {
    /// `minute`, `hour`, `day_of_month`, `month` or `day_of_week`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn value(field: &'static str, s: &str, names: &[&str], base: u32) -> Result<u32, CronError> {
    if let Ok(n) = s.parse::<u32>() {
        return Ok(n);
    }
    let upper = s.to_ascii_uppercase();
    names
        .iter()
        .position(|n| *n == upper)
        .map(|i| i as u32 + base)
        .ok_or_else(|| CronError {
            field,
            message: format!("The {field} field has an invalid value `{s}`."),
        })
}

/// Parses one field into a bit set over `min..=max`; returns the set and whether the field
/// restricts anything (`*` and `?` do not).
fn field(
    name: &'static str,
    text: &str,
    min: u32,
    max: u32,
    names: &[&str],
    name_base: u32,
) -> Result<(u64, bool), CronError> {
    let bad = |m: String| CronError {
        field: name,
        message: m,
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad(format!("The {name} field is required.")));
    }
    if text.len() > 100 {
        return Err(bad(format!("The {name} field is too long.")));
    }
    let restricted = !(text == "*" || text == "?");
    let mut bits = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 =
                    s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        bad(format!("The {name} field has an invalid step `{s}`."))
                    })?;
                (r, step)
            }
            None => (part, 1),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(name, a, names, name_base)?,
                value(name, b, names, name_base)?,
            )
        } else {
            let v = value(name, range, names, name_base)?;
            // `5/15` means from 5 to the end in steps of 15.
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(bad(format!(
                "The {name} field must be between {min} and {max} (got `{part}`)."
            )));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, restricted))
}

impl Cron {
    /// Parses the five fields as stored on a schedule.
    pub fn new(
        minute: &str,
        hour: &str,
        day_of_month: &str,
        month: &str,
        day_of_week: &str,
    ) -> Result<Self, CronError> {
        let (minutes, _) = field("minute", minute, 0, 59, &[], 0)?;
        let (hours, _) = field("hour", hour, 0, 23, &[], 0)?;
        let (days_of_month, dom_restricted) = field("day_of_month", day_of_month, 1, 31, &[], 0)?;
        let (months, _) = field("month", month, 1, 12, &MONTHS, 1)?;
        let (mut days_of_week, dow_restricted) = field("day_of_week", day_of_week, 0, 7, &DAYS, 0)?;
        if days_of_week & (1 << 7) != 0 {
            days_of_week |= 1;
        }
        Ok(Self {
            minutes,
            hours,
            days_of_month,
            months,
            days_of_week,
            dom_restricted,
            dow_restricted,
        })
    }

    /// Parses `"m h dom mon dow"`.
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let f: Vec<&str> = expr.split_whitespace().collect();
        match f.as_slice() {
            [m, h, dom, mon, dow] => Self::new(m, h, dom, mon, dow),
            _ => Err(CronError {
                field: "minute",
                message: "A cron expression has exactly five fields.".into(),
            }),
        }
    }

    fn day_matches(&self, t: &DateTime<Utc>) -> bool {
        let dom = self.days_of_month & (1 << t.day()) != 0;
        let dow = self.days_of_week & (1 << t.weekday().num_days_from_sunday()) != 0;
        match (self.dom_restricted, self.dow_restricted) {
            (true, true) => dom || dow,
            (true, false) => dom,
            (false, true) => dow,
            (false, false) => true,
        }
    }

    /// Whether the expression fires at `t` (seconds ignored).
    pub fn matches(&self, t: &DateTime<Utc>) -> bool {
        self.months & (1 << t.month()) != 0
            && self.day_matches(t)
            && self.hours & (1 << t.hour()) != 0
            && self.minutes & (1 << t.minute()) != 0
    }

    /// The first minute strictly after `after` at which the expression fires, or `None` if
    /// it never does within eight years (`0 0 31 2 *`).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let limit = start + Duration::days(366 * 8);
        let mut t = start;
        while t < limit {
            if self.months & (1 << t.month()) == 0 {
                // Jump to the first minute of the next month.
                let (y, m) = if t.month() == 12 {
                    (t.year() + 1, 1)
                } else {
                    (t.year(), t.month() + 1)
                };
                t = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
                continue;
            }
            if !self.day_matches(&t) {
                t = Utc
                    .with_ymd_and_hms(t.year(), t.month(), t.day(), 0, 0, 0)
                    .single()?
                    + Duration::days(1);
                continue;
            }
            if self.hours & (1 << t.hour()) == 0 {
                t = Utc
                    .with_ymd_and_hms(t.year(), t.month(), t.day(), t.hour(), 0, 0)
                    .single()?
                    + Duration::hours(1);
                continue;
            }
            if self.minutes & (1 << t.minute()) == 0 {
                t += Duration::minutes(1);
                continue;
            }
            return Some(t);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn next(expr: &str, from: &str) -> String {
        Cron::parse(expr)
            .unwrap()
            .next_after(at(from))
            .unwrap()
            .to_rfc3339()
    }

    #[test]
    fn next_runs_follow_cron_semantics() {
        let cases = [
            (
                "* * * * *",
                "2026-01-01T10:00:30Z",
                "2026-01-01T10:01:00+00:00",
            ),
            (
                "*/15 * * * *",
                "2026-01-01T10:14:00Z",
                "2026-01-01T10:15:00+00:00",
            ),
            (
                "*/15 * * * *",
                "2026-01-01T10:15:00Z",
                "2026-01-01T10:30:00+00:00",
            ),
            (
                "0 4 * * *",
                "2026-01-01T04:00:00Z",
                "2026-01-02T04:00:00+00:00",
            ),
            (
                "30 2 1 * *",
                "2026-01-15T00:00:00Z",
                "2026-02-01T02:30:00+00:00",
            ),
            (
                "0 0 * * 0",
                "2026-11-29T12:00:00Z",
                "2026-12-06T00:00:00+00:00",
            ),
            (
                "0 0 * * 7",
                "2026-11-29T12:00:00Z",
                "2026-12-06T00:00:00+00:00",
            ),
            (
                "0 0 * * MON-FRI",
                "2026-11-28T12:00:00Z",
                "2026-11-30T00:00:00+00:00",
            ),
            (
                "0 12 * FEB *",
                "2026-03-01T00:00:00Z",
                "2027-02-01T12:00:00+00:00",
            ),
            // Day of month OR day of week when both are restricted.
            (
                "0 0 13 * 5",
                "2026-11-01T00:00:00Z",
                "2026-11-06T00:00:00+00:00",
            ),
            (
                "0 0 13 * 5",
                "2026-11-12T00:00:00Z",
                "2026-11-13T00:00:00+00:00",
            ),
            (
                "0 0 29 2 *",
                "2026-03-01T00:00:00Z",
                "2028-02-29T00:00:00+00:00",
            ),
            (
                "5/20 1,3 * * *",
                "2026-01-01T01:45:00Z",
                "2026-01-01T03:05:00+00:00",
            ),
            (
                "0 0 1 1 *",
                "2026-12-31T23:59:59Z",
                "2027-01-01T00:00:00+00:00",
            ),
        ];
        for (expr, from, want) in cases {
            assert_eq!(next(expr, from), want, "{expr} after {from}");
        }
    }

    #[test]
    fn impossible_dates_have_no_next_run() {
        assert_eq!(
            Cron::parse("0 0 31 2 *")
                .unwrap()
                .next_after(at("2026-01-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn bad_fields_are_refused_with_the_field_named() {
        for (expr, field) in [
            ("60 * * * *", "minute"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day_of_month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day_of_week"),
            ("*/0 * * * *", "minute"),
            ("* * * FOO *", "month"),
            ("5-1 * * * *", "minute"),
            ("a * * * *", "minute"),
        ] {
            assert_eq!(Cron::parse(expr).unwrap_err().field, field, "{expr}");
        }
        assert!(Cron::parse("* * * *").is_err());
    }
}
