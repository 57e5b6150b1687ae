//! Splits a byte stream into console lines: `\n`, `\r\n` and lone `\r` all end a line (as
//! Wings does), invalid UTF-8 is replaced, and a line longer than [`MAX_LINE`] is cut.

/// Longest line kept, in bytes; the rest of the line is dropped.
pub const MAX_LINE: usize = 64 * 1024;

/// Incremental line splitter.
#[derive(Debug, Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
    overflow: bool,
    last_was_cr: bool,
}

impl LineSplitter {
    /// Feeds bytes, returning the lines they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        for &b in bytes {
            if b == b'\n' && self.last_was_cr {
                // The `\n` of a `\r\n` pair: the line already ended at `\r`.
                self.last_was_cr = false;
                continue;
            }
            self.last_was_cr = b == b'\r';
            if b == b'\n' || b == b'\r' {
                out.push(self.take());
            } else if self.buf.len() < MAX_LINE {
                self.buf.push(b);
            } else {
                self.overflow = true;
            }
        }
        out
    }

    /// Returns what is left after the stream ended, if anything.
    pub fn finish(&mut self) -> Option<String> {
        if self.buf.is_empty() {
            None
        } else {
            Some(self.take())
        }
    }

    fn take(&mut self) -> String {
        let line = String::from_utf8_lossy(&self.buf).into_owned();
        self.buf.clear();
        self.overflow = false;
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_every_line_ending_and_caps_length() {
        let mut s = LineSplitter::default();
        assert_eq!(s.push(b"a\r\nb\nc"), vec!["a", "b"]);
        assert_eq!(s.push(b"d\re\n"), vec!["cd", "e"]);
        assert_eq!(s.push(b"\n"), vec![""]);
        assert_eq!(s.finish(), None);
        s.push(&vec![b'x'; MAX_LINE + 10]);
        let l = s.push(b"\n");
        assert_eq!(l[0].len(), MAX_LINE);
        assert_eq!(s.push(&[0xff, b'\n']), vec!["\u{fffd}"]);
        s.push(b"tail");
        assert_eq!(s.finish().as_deref(), Some("tail"));
    }
}
