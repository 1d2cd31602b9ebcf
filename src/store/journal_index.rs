//! A line index of a journal: where each complete line starts, found with
//! `memchr`, so any window of lines can be read and decoded on demand.

use std::fs::File;
use std::io;
use std::ops::{ControlFlow, Range};

use super::journal_lines::for_each_line;

/// Offsets of complete lines. Lines are `[starts[i], starts[i+1])`, the last
/// one ending at `end` (just past its `\n`). Costs 8 bytes a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalIndex {
    starts: Vec<u64>,
    end: u64,
}

impl JournalIndex {
    /// Indexes a whole file.
    pub fn build(file: &File) -> io::Result<Self> {
        let mut index = Self::default();
        index.extend(file)?;
        Ok(index)
    }

    /// Indexes the lines appended since the last call. The caller checks for
    /// replacement first (see `journal_tail`).
    pub fn extend(&mut self, file: &File) -> io::Result<Range<usize>> {
        let first_new = self.starts.len();
        let starts = &mut self.starts;
        self.end = for_each_line(file, self.end, |offset, _| {
            starts.push(offset);
            ControlFlow::Continue(())
        })?;
        Ok(first_new..self.starts.len())
    }

    /// Indexes bytes that are already in memory, starting at `base`.
    pub fn extend_from_bytes(&mut self, base: u64, bytes: &[u8]) {
        let mut line_start = 0usize;
        for newline in memchr::memchr_iter(b'\n', bytes) {
            self.starts.push(base + line_start as u64);
            line_start = newline + 1;
        }
        if line_start > 0 {
            self.end = base + line_start as u64;
        }
    }

    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Offset just past the last indexed line.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The byte range of line `i`, its `\n` excluded.
    pub fn line_range(&self, i: usize) -> Option<Range<u64>> {
        let start = *self.starts.get(i)?;
        let next = self.starts.get(i + 1).copied().unwrap_or(self.end);
        Some(start..next.saturating_sub(1).max(start))
    }

    /// The range covering lines `lines`, for reading a window in one go.
    pub fn span(&self, lines: Range<usize>) -> Option<Range<u64>> {
        if lines.start >= lines.end {
            return None;
        }
        let start = *self.starts.get(lines.start)?;
        let end = self.starts.get(lines.end).copied().unwrap_or(self.end);
        Some(start..end)
    }

    pub fn heap_bytes(&self) -> usize {
        self.starts.capacity() * std::mem::size_of::<u64>()
    }

    pub fn clear(&mut self) {
        self.starts.clear();
        self.end = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn indexes_complete_lines_and_extends() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"one\ntwo\nthr").unwrap();
        let file = f.reopen().unwrap();
        let mut index = JournalIndex::build(&file).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index.line_range(1), Some(4..7));
        assert_eq!(index.end(), 8);
        f.write_all(b"ee\nfour\n").unwrap();
        let new = index.extend(&file).unwrap();
        assert_eq!(new, 2..4);
        assert_eq!(index.line_range(2), Some(8..13));
        assert_eq!(index.span(1..3), Some(4..14));
        assert_eq!(index.line_range(9), None);
    }

    #[test]
    fn same_result_from_bytes() {
        let mut index = JournalIndex::default();
        index.extend_from_bytes(0, b"a\nbb\n");
        index.extend_from_bytes(5, b"c\n");
        assert_eq!(index.len(), 3);
        assert_eq!(index.line_range(2), Some(5..6));
    }
}
