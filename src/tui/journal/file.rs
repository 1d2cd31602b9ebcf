//! A journal file read through the store's line index: only the lines asked
//! for are ever read, whatever the file's size.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::access::{JournalAccess, Refresh};
use crate::model::line::trim_line_end;
use crate::store::JournalIndex;
use crate::store::journal_lines::read_range;

pub struct FileJournal {
    path: PathBuf,
    file: File,
    ino: u64,
    index: JournalIndex,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("cancelled")]
    Cancelled,
}

impl FileJournal {
    /// Opens and indexes a journal; `cancel` stops a long index build early.
    pub fn open(path: &Path, cancel: &AtomicBool) -> Result<Self, OpenError> {
        let file = File::open(path)?;
        let ino = file.metadata()?.ino();
        let mut index = JournalIndex::default();
        extend_index(&mut index, &file, cancel)?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            ino,
            index,
        })
    }

    /// Re-reads from scratch (the journal was replaced).
    fn reopen(&mut self) -> io::Result<()> {
        let fresh = Self::open(&self.path, &AtomicBool::new(false)).map_err(|e| match e {
            OpenError::Io(e) => e,
            OpenError::Cancelled => io::Error::other("cancelled"),
        })?;
        *self = fresh;
        Ok(())
    }
}

/// `JournalIndex::extend`, checking `cancel` between chunks of work.
fn extend_index(
    index: &mut JournalIndex,
    file: &File,
    cancel: &AtomicBool,
) -> Result<(), OpenError> {
    let len = file.metadata()?.len();
    // Index in slices so a cancelled build stops within one slice.
    const SLICE: u64 = 64 << 20;
    let mut end = index.end();
    while end < len {
        if cancel.load(Ordering::Relaxed) {
            return Err(OpenError::Cancelled);
        }
        let stop = (end + SLICE).min(len);
        let bytes = read_range(file, end, stop)?;
        let complete = match memchr::memrchr(b'\n', &bytes) {
            Some(pos) => pos + 1,
            // A line longer than a slice: let the store read it whole.
            None => {
                index.extend(file)?;
                return Ok(());
            }
        };
        index.extend_from_bytes(end, &bytes[..complete]);
        end = index.end();
    }
    Ok(())
}

impl JournalAccess for FileJournal {
    fn line_count(&self) -> usize {
        self.index.len()
    }

    fn read_lines(&self, range: Range<usize>) -> io::Result<Vec<Vec<u8>>> {
        let range = range.start.min(self.index.len())..range.end.min(self.index.len());
        let Some(span) = self.index.span(range.clone()) else {
            return Ok(Vec::new());
        };
        let bytes = read_range(&self.file, span.start, span.end)?;
        Ok(range
            .filter_map(|i| self.index.line_range(i))
            .map(|r| {
                let from = (r.start - span.start) as usize;
                let to = ((r.end - span.start) as usize).min(bytes.len());
                trim_line_end(&bytes[from.min(to)..to]).to_vec()
            })
            .collect())
    }

    fn appended(&mut self, _lines: &[(u64, Vec<u8>)], _end: u64) -> io::Result<Refresh> {
        // The file is the truth: re-stat it and index what it gained.
        let meta = match std::fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Refresh::Unchanged),
            Err(e) => return Err(e),
        };
        if meta.ino() != self.ino || meta.len() < self.index.end() {
            self.reopen()?;
            return Ok(Refresh::Replaced);
        }
        let before = self.index.len();
        self.index.extend(&self.file)?;
        Ok(if self.index.len() > before {
            Refresh::Grew
        } else {
            Refresh::Unchanged
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_windows_grows_and_sees_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, b"a\nbb\r\nccc\ntorn").unwrap();
        let mut journal = FileJournal::open(&path, &AtomicBool::new(false)).unwrap();
        assert_eq!(journal.line_count(), 3);
        assert_eq!(
            journal.read_lines(1..5).unwrap(),
            vec![b"bb".to_vec(), b"ccc".to_vec()]
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"\nd\n").unwrap();
        assert_eq!(journal.appended(&[], 0).unwrap(), Refresh::Grew);
        assert_eq!(journal.line_count(), 5);
        assert_eq!(
            journal.read_lines(3..5).unwrap(),
            vec![b"torn".to_vec(), b"d".to_vec()]
        );
        std::fs::write(&path, b"x\n").unwrap();
        assert_eq!(journal.appended(&[], 0).unwrap(), Refresh::Replaced);
        assert_eq!(journal.line_count(), 1);
    }

    #[test]
    fn a_cancelled_build_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, b"a\n").unwrap();
        assert!(matches!(
            FileJournal::open(&path, &AtomicBool::new(true)),
            Err(OpenError::Cancelled)
        ));
    }
}
