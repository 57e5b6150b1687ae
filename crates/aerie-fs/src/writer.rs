//! [`Writer`]: a file opened for writing inside the jail that charges every byte it adds to
//! the server's disk usage *before* writing it.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::usage::DiskUsage;

/// A file being written through the jail.
///
/// Each `write` reserves the bytes it would add beyond the current end of the file from the
/// server's [`DiskUsage`] first; a write that would cross the limit fails with an
/// `io::Error` wrapping [`Error::DiskLimit`] (recover it with [`Error::from_io`]) and writes
/// nothing, so the limit is never exceeded by bytes written through the jail. Overwriting
/// existing bytes costs nothing. `Seek` is supported (SFTP writes at offsets); a hole left by
/// seeking past the end is charged when the write after it extends the file.
#[derive(Debug)]
pub struct Writer {
    file: File,
    usage: Arc<DiskUsage>,
    pos: u64,
    size: u64,
}

impl Writer {
    pub(crate) fn new(file: File, usage: Arc<DiskUsage>, size: u64) -> Writer {
        Writer {
            file,
            usage,
            pos: 0,
            size,
        }
    }

    /// The file's size as far as this writer knows.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// Flushes and returns the file's size.
    pub fn finish(mut self) -> Result<u64> {
        self.file.flush().map_err(Error::from_io)?;
        Ok(self.size)
    }

    /// The underlying file, e.g. to `sync_all` it.
    pub fn file(&self) -> &File {
        &self.file
    }
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let end = self.pos.saturating_add(buf.len() as u64);
        let growth = end.saturating_sub(self.size);
        self.usage.try_reserve(growth).map_err(io::Error::other)?;
        match self.file.write(buf) {
            Ok(n) => {
                let real_end = self.pos + n as u64;
                let real_growth = real_end.saturating_sub(self.size);
                self.usage.sub(growth - real_growth);
                self.pos = real_end;
                self.size = self.size.max(real_end);
                Ok(n)
            }
            Err(e) => {
                self.usage.sub(growth);
                Err(e)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Writer {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}
