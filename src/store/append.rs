//! Appending to a journal as the contract requires: an exclusive `flock` on
//! `events.jsonl`, a torn last line closed with `\n`, one `write` on an
//! `O_APPEND` descriptor, then fsync.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::StoreError;
use super::journal_lines::{for_each_line, read_range};
use crate::model::time::{Timestamp, format_rfc3339};

/// A journal held under its exclusive lock; the lock goes with the value.
pub struct LockedJournal {
    file: File,
    path: PathBuf,
}

impl LockedJournal {
    /// Opens (creating if asked) and locks the journal, waiting for other
    /// writers to finish.
    pub fn open(path: &Path, create: bool) -> Result<Self, StoreError> {
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(create)
            .open(path)
            .map_err(|e| StoreError::write(path, e))?;
        file.lock().map_err(|e| StoreError::write(path, e))?;
        Ok(Self {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// Visits every complete line, under the lock.
    pub fn for_each_line(
        &self,
        visit: impl FnMut(u64, &[u8]) -> ControlFlow<()>,
    ) -> Result<u64, StoreError> {
        for_each_line(&self.file, 0, visit).map_err(|e| StoreError::read(&self.path, e))
    }

    /// Appends one line (no `\n` inside) durably.
    pub fn append_line(&mut self, line: &[u8]) -> Result<(), StoreError> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line);
        buf.push(b'\n');
        self.append_lines(&buf, true)
    }

    /// Appends complete lines (each ended by `\n`) in one `write`. With
    /// `durable` false there is no fsync: only for bulk writers such as the
    /// simulator's load mode, which trade durability for throughput.
    pub fn append_lines(&mut self, lines: &[u8], durable: bool) -> Result<(), StoreError> {
        if lines.is_empty() {
            return Ok(());
        }
        if lines.last() != Some(&b'\n') {
            return Err(StoreError::Refused(
                "a batch of journal lines must end with a newline".into(),
            ));
        }
        let len = self
            .file
            .metadata()
            .map_err(|e| StoreError::read(&self.path, e))?
            .len();
        let torn = len > 0
            && read_range(&self.file, len - 1, len).map_err(|e| StoreError::read(&self.path, e))?
                != b"\n";
        let mut owned;
        let buf = if torn {
            owned = Vec::with_capacity(lines.len() + 1);
            owned.push(b'\n');
            owned.extend_from_slice(lines);
            &owned[..]
        } else {
            lines
        };
        write_once(&mut self.file, buf).map_err(|e| StoreError::write(&self.path, e))?;
        if durable {
            self.file
                .sync_data()
                .map_err(|e| StoreError::write(&self.path, e))?;
        }
        Ok(())
    }

    /// Serialises and appends an event object.
    pub fn append_event(&mut self, event: &Value) -> Result<(), StoreError> {
        let line = serde_json::to_vec(event).map_err(|e| StoreError::Refused(e.to_string()))?;
        self.append_line(&line)
    }
}

/// One `write` call for the whole buffer: with `O_APPEND` the kernel places it
/// atomically at the end. A short write (disk full) is an error, reported.
fn write_once(file: &mut File, buf: &[u8]) -> io::Result<()> {
    loop {
        match file.write(buf) {
            Ok(n) if n == buf.len() => return Ok(()),
            Ok(n) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!("short write: {n} of {} bytes", buf.len()),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A fresh event id, unique within any session (time-ordered ULID).
pub fn new_event_id() -> String {
    format!("sevt_{}", ulid::Ulid::generate().to_string().to_lowercase())
}

/// The common fields of a new event: id, type, created_at, processed_at.
pub fn new_event(kind: &str, now: Timestamp, queued: bool) -> Map<String, Value> {
    new_event_with_id(new_event_id(), kind, now, queued)
}

/// The common fields of a new event with an id chosen by the writer (a
/// runtime numbering its events `sevt_0001`, `sevt_0002`, …).
pub fn new_event_with_id(
    id: String,
    kind: &str,
    now: Timestamp,
    queued: bool,
) -> Map<String, Value> {
    let mut event = Map::new();
    event.insert("id".into(), Value::String(id));
    event.insert("type".into(), Value::String(kind.into()));
    event.insert("created_at".into(), Value::String(format_rfc3339(now)));
    event.insert(
        "processed_at".into(),
        if queued {
            Value::Null
        } else {
            Value::String(format_rfc3339(now))
        },
    );
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, b"{\"id\":\"a\",\"type\":\"x\"}\n{\"id\":\"b\",\"ty").unwrap();
        let mut journal = LockedJournal::open(&path, false).unwrap();
        journal.append_line(br#"{"id":"c","type":"x"}"#).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "{\"id\":\"a\",\"type\":\"x\"}\n{\"id\":\"b\",\"ty\n{\"id\":\"c\",\"type\":\"x\"}\n"
        );
    }

    #[test]
    fn batches_go_out_whole_and_repair_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, b"{\"id\":\"a\",\"ty").unwrap();
        let mut journal = LockedJournal::open(&path, false).unwrap();
        journal
            .append_lines(b"{\"id\":\"b\"}\n{\"id\":\"c\"}\n", false)
            .unwrap();
        journal.append_lines(b"", false).unwrap();
        assert!(journal.append_lines(b"{\"id\":\"d\"}", false).is_err());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"id\":\"a\",\"ty\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n");
    }

    #[test]
    fn creates_when_asked_and_ids_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        assert!(LockedJournal::open(&path, false).is_err());
        let mut journal = LockedJournal::open(&path, true).unwrap();
        journal.append_line(b"{}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
        assert_ne!(new_event_id(), new_event_id());
    }
}
