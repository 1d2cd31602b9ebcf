//! How the event stream reaches a journal's lines: a file on disk
//! (`FileJournal`), a daemon's socket (`SocketJournal`) or a transcript
//! converted in memory (`MemoryJournal`).

use std::io;
use std::ops::Range;

/// What changed after new lines were reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    Unchanged,
    Grew,
    /// The journal shrank or was replaced; every line number is void.
    Replaced,
}

pub trait JournalAccess: Send {
    /// Complete lines known (blank and malformed ones included).
    fn line_count(&self) -> usize;
    /// The bytes of lines `range` (without their `\n`), in order.
    fn read_lines(&self, range: Range<usize>) -> io::Result<Vec<Vec<u8>>>;
    /// The feed reported lines appended up to `end`: take them in.
    fn appended(&mut self, lines: &[(u64, Vec<u8>)], end: u64) -> io::Result<Refresh>;
}
