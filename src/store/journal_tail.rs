//! Following a journal as it grows: read appended bytes from the last offset,
//! only up to the last `\n`, and notice truncation, replacement and rewrites.

use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::journal_lines::read_range;
use crate::model::line::trim_line_end;

/// How many bytes before our offset we remember to notice in-place rewrites.
const GUARD_BYTES: u64 = 64;

/// What a poll found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TailRead {
    /// The file was truncated, replaced or rewritten: everything before is void
    /// and `lines` start from the beginning of the new file.
    pub replaced: bool,
    /// The file does not exist (any more).
    pub missing: bool,
    /// New complete lines with their offsets.
    pub lines: Vec<(u64, Vec<u8>)>,
}

#[derive(Debug)]
pub struct JournalFollower {
    path: PathBuf,
    offset: u64,
    identity: Option<(u64, u64)>,
    guard: Vec<u8>,
}

impl JournalFollower {
    /// A follower that will read the file from `offset` (0: from the start).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            offset: 0,
            identity: None,
            guard: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Starts following at `offset` (just past a line already read elsewhere).
    pub fn resume_at(&mut self, offset: u64) -> io::Result<()> {
        let file = File::open(&self.path)?;
        let meta = file.metadata()?;
        self.identity = Some((meta.dev(), meta.ino()));
        self.offset = offset.min(meta.len());
        self.guard = read_range(&file, self.offset.saturating_sub(GUARD_BYTES), self.offset)?;
        Ok(())
    }

    /// Reads whatever complete lines were appended since the last poll.
    pub fn poll(&mut self) -> io::Result<TailRead> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let was_there = self.identity.is_some();
                self.reset();
                return Ok(TailRead {
                    replaced: was_there,
                    missing: true,
                    lines: Vec::new(),
                });
            }
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let identity = (meta.dev(), meta.ino());
        let mut replaced = false;
        if let Some(old) = self.identity
            && (old != identity || meta.len() < self.offset || !self.guard_matches(&file)?)
        {
            replaced = true;
            self.reset();
        }
        self.identity = Some(identity);
        let bytes = read_range(&file, self.offset, meta.len())?;
        let Some(last_newline) = memchr::memrchr(b'\n', &bytes) else {
            return Ok(TailRead {
                replaced,
                missing: false,
                lines: Vec::new(),
            });
        };
        let complete = &bytes[..=last_newline];
        let mut lines = Vec::new();
        let mut start = 0usize;
        for newline in memchr::memchr_iter(b'\n', complete) {
            lines.push((
                self.offset + start as u64,
                trim_line_end(&complete[start..newline]).to_vec(),
            ));
            start = newline + 1;
        }
        self.offset += complete.len() as u64;
        let keep = complete.len().min(GUARD_BYTES as usize);
        self.guard = complete[complete.len() - keep..].to_vec();
        if keep < GUARD_BYTES as usize {
            self.guard = read_range(&file, self.offset.saturating_sub(GUARD_BYTES), self.offset)?;
        }
        Ok(TailRead {
            replaced,
            missing: false,
            lines,
        })
    }

    fn guard_matches(&self, file: &File) -> io::Result<bool> {
        if self.guard.is_empty() {
            return Ok(true);
        }
        let start = self.offset - self.guard.len() as u64;
        Ok(read_range(file, start, self.offset)? == self.guard)
    }

    fn reset(&mut self) {
        self.offset = 0;
        self.identity = None;
        self.guard.clear();
    }
}

/// Modification time of a path, if it exists.
pub fn modified(path: &Path) -> Option<crate::model::time::Timestamp> {
    let meta = fs::metadata(path).ok()?;
    let time = meta.modified().ok()?;
    Some(chrono::DateTime::<chrono::Utc>::from(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn append(path: &Path, bytes: &[u8]) {
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(bytes).unwrap();
    }

    fn texts(read: &TailRead) -> Vec<String> {
        read.lines
            .iter()
            .map(|(_, l)| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    #[test]
    fn follows_appends_and_waits_for_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut follower = JournalFollower::new(&path);
        let first = follower.poll().unwrap();
        assert!(first.missing && !first.replaced);
        append(&path, b"a\nb");
        assert_eq!(texts(&follower.poll().unwrap()), vec!["a"]);
        append(&path, b"c\nd\n");
        assert_eq!(texts(&follower.poll().unwrap()), vec!["bc", "d"]);
        assert!(follower.poll().unwrap().lines.is_empty());
    }

    #[test]
    fn truncation_and_replacement_restart_from_zero() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        append(&path, b"one\ntwo\n");
        let mut follower = JournalFollower::new(&path);
        follower.poll().unwrap();
        fs::write(&path, b"x\n").unwrap();
        let read = follower.poll().unwrap();
        assert!(read.replaced);
        assert_eq!(texts(&read), vec!["x"]);

        let other = dir.path().join("new.jsonl");
        fs::write(&other, b"fresh\nlines\nhere\n").unwrap();
        fs::rename(&other, &path).unwrap();
        let read = follower.poll().unwrap();
        assert!(read.replaced, "inode changed");
        assert_eq!(texts(&read), vec!["fresh", "lines", "here"]);
    }

    #[test]
    fn in_place_rewrite_past_the_offset_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        append(&path, b"aaaa\nbbbb\n");
        let mut follower = JournalFollower::new(&path);
        follower.poll().unwrap();
        // Same inode, longer content, different bytes before our offset.
        let mut f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(b"zzzz\nyyyy\nnew\n").unwrap();
        let read = follower.poll().unwrap();
        assert!(read.replaced);
        assert_eq!(texts(&read), vec!["zzzz", "yyyy", "new"]);
    }

    #[test]
    fn deletion_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        append(&path, b"a\n");
        let mut follower = JournalFollower::new(&path);
        follower.poll().unwrap();
        fs::remove_file(&path).unwrap();
        let read = follower.poll().unwrap();
        assert!(read.missing && read.replaced);
    }
}
