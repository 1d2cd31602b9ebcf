//! One simulated session's disk side: it writes through the store exactly
//! as a runtime would (locked appends, atomic `session.json`), numbering its
//! own events `sevt_0001`, `sevt_0002`, … so that runs are reproducible.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::SimError;
use crate::model::fingerprint::fingerprint_parts;
use crate::model::time::{Timestamp, format_rfc3339};
use crate::store::append::{LockedJournal, new_event_with_id};
use crate::store::atomic::{write_session_doc, write_session_doc_fast};
use crate::store::paths;
use crate::store::wake_queue::{consume_wake, schedule_wake};

pub struct SessionWriter {
    dir: PathBuf,
    id: String,
    next_event: u64,
    next_wake: u64,
    doc: Map<String, Value>,
    /// fsync every append and `session.json` write; off only in load mode.
    durable: bool,
    /// Lines waiting for `flush` (load mode), and how many events they hold.
    batch: Vec<u8>,
    batched: u64,
    written: u64,
}

impl SessionWriter {
    /// Creates the session folder, an empty journal and `session.json`.
    pub fn create(root: &Path, doc: Map<String, Value>, durable: bool) -> Result<Self, SimError> {
        let id = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let dir = root.join(&id);
        if paths::session_file(&dir).exists() {
            // Appending to another run's journal would repeat its event ids.
            return Err(SimError::Options(format!(
                "{} already holds session {id}; simulate into an empty root or pass another --seed",
                root.display()
            )));
        }
        fs::create_dir_all(&dir).map_err(|e| SimError::io(&dir, e))?;
        LockedJournal::open(&paths::journal(&dir), true)?;
        let writer = Self {
            dir,
            id,
            next_event: 0,
            next_wake: 0,
            doc,
            durable,
            batch: Vec::new(),
            batched: 0,
            written: 0,
        };
        writer.write_doc()?;
        Ok(writer)
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Events written (or batched) so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// A new event with the next id in this session.
    pub fn event(&mut self, kind: &str, at: Timestamp, queued: bool) -> Map<String, Value> {
        self.next_event += 1;
        new_event_with_id(format!("sevt_{:04}", self.next_event), kind, at, queued)
    }

    /// A request event carrying its fingerprint, as a runtime may store it.
    pub fn request(
        &mut self,
        kind: &str,
        name: &str,
        input: Value,
        at: Timestamp,
    ) -> Map<String, Value> {
        let mut event = self.event(kind, at, false);
        let id = event["id"].as_str().unwrap_or_default().to_string();
        let fingerprint = fingerprint_parts(&self.id, &id, kind, &Value::from(name), &input);
        event.insert("name".into(), json!(name));
        event.insert("input".into(), input);
        event.insert("fingerprint".into(), json!(fingerprint));
        event
    }

    /// Appends events in one write under the journal's lock (batched in load
    /// mode). Returns the id of the first.
    pub fn append(&mut self, events: Vec<Map<String, Value>>) -> Result<String, SimError> {
        let first = events
            .first()
            .and_then(|e| e.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut buf = Vec::new();
        for event in &events {
            serde_json::to_writer(&mut buf, event)
                .map_err(|e| SimError::Store(crate::store::StoreError::Refused(e.to_string())))?;
            buf.push(b'\n');
        }
        self.written += events.len() as u64;
        if self.durable {
            LockedJournal::open(&paths::journal(&self.dir), true)?.append_lines(&buf, true)?;
        } else {
            self.batch.extend_from_slice(&buf);
            self.batched += events.len() as u64;
        }
        Ok(first)
    }

    /// Writes the batched lines in one locked write, without fsync;
    /// returns how many events went out.
    pub fn flush(&mut self) -> Result<u64, SimError> {
        if self.batch.is_empty() {
            return Ok(0);
        }
        LockedJournal::open(&paths::journal(&self.dir), true)?.append_lines(&self.batch, false)?;
        self.batch.clear();
        Ok(std::mem::take(&mut self.batched))
    }

    pub fn doc_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.doc
    }

    pub fn doc(&self) -> &Map<String, Value> {
        &self.doc
    }

    /// Sets status and stop reason, stamps `updated_at`, and rewrites `session.json`.
    pub fn set_status(
        &mut self,
        status: &str,
        stop_reason: Value,
        at: Timestamp,
    ) -> Result<(), SimError> {
        self.doc.insert("status".into(), json!(status));
        self.doc.insert("stop_reason".into(), stop_reason);
        self.save(at)
    }

    /// Stamps `updated_at` and rewrites `session.json` atomically.
    pub fn save(&mut self, at: Timestamp) -> Result<(), SimError> {
        self.doc
            .insert("updated_at".into(), json!(format_rfc3339(at)));
        self.write_doc()
    }

    fn write_doc(&self) -> Result<(), SimError> {
        let doc = Value::Object(self.doc.clone());
        if self.durable {
            write_session_doc(&self.dir, &doc)?;
        } else {
            write_session_doc_fast(&self.dir, &doc)?;
        }
        Ok(())
    }

    /// Adds a wake-queue entry due at `due`; returns its id.
    pub fn schedule_wake(&mut self, due: Timestamp, reason: &str) -> Result<String, SimError> {
        self.next_wake += 1;
        let id = format!("wake_{:04}", self.next_wake);
        schedule_wake(&self.dir, &id, due, reason)?;
        Ok(id)
    }

    pub fn consume_wake(&self, id: &str, at: Timestamp) -> Result<(), SimError> {
        consume_wake(&self.dir, id, at)?;
        Ok(())
    }

    /// Touches `runtime/heartbeat`: activity without an event.
    pub fn heartbeat(&self) -> Result<(), SimError> {
        let path = self.dir.join(paths::HEARTBEAT_FILE);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| SimError::io(parent, e))?;
        }
        fs::write(&path, b"").map_err(|e| SimError::io(&path, e))
    }

    /// Sets the modification times of the session's files to `at`, so a
    /// session created with back-dated events also looks quiet on disk.
    pub fn backdate_files(&self, at: Timestamp) -> Result<(), SimError> {
        let time = filetime::FileTime::from_unix_time(at.timestamp(), 0);
        for path in [
            paths::journal(&self.dir),
            paths::session_file(&self.dir),
            paths::wake_queue(&self.dir),
        ] {
            if path.exists() {
                filetime::set_file_mtime(&path, time).map_err(|e| SimError::io(&path, e))?;
            }
        }
        Ok(())
    }
}
