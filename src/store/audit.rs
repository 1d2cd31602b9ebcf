//! The audit log: one JSON line per decision or destructive action taken
//! through Switchboard, in the platform data dir.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::decision::Decision;
use super::error::StoreError;
use crate::model::event::Event;
use crate::model::time::{Timestamp, format_rfc3339};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    /// `decide`, `purge`, `archive`, `unarchive`, `interrupt`, `message`, `wake`.
    pub action: String,
    pub who: String,
    pub root: String,
    pub session_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_event_id: Option<String>,
}

impl AuditEntry {
    pub fn decision(
        root: &Path,
        decision: &Decision,
        request: &Event,
        written: &Value,
        now: Timestamp,
    ) -> Self {
        Self {
            at: format_rfc3339(now),
            action: "decide".into(),
            who: decision.decided_by.clone(),
            root: root.display().to_string(),
            session_id: decision.session_id.clone(),
            event_id: Some(decision.event_id.clone()),
            request_type: Some(request.kind.to_string()),
            name: request.name().map(str::to_string),
            fingerprint: Some(decision.fingerprint.clone()),
            result: Some(decision.verdict.as_str().into()),
            message: decision.message.clone(),
            written_event_id: written
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    /// An action on a whole session (purge, archive, interrupt, …).
    pub fn action(root: &Path, action: &str, who: &str, session_id: &str, now: Timestamp) -> Self {
        Self {
            at: format_rfc3339(now),
            action: action.into(),
            who: who.into(),
            root: root.display().to_string(),
            session_id: session_id.into(),
            event_id: None,
            request_type: None,
            name: None,
            fingerprint: None,
            result: None,
            message: None,
            written_event_id: None,
        }
    }
}

/// Appends one entry (locked, one write, fsync), creating the log if needed.
pub fn append_audit(path: &Path, entry: &AuditEntry) -> Result<(), StoreError> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| StoreError::write(parent, e))?;
    }
    let mut line = serde_json::to_vec(entry).map_err(|e| StoreError::Refused(e.to_string()))?;
    line.push(b'\n');
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| StoreError::write(path, e))?;
    file.lock().map_err(|e| StoreError::write(path, e))?;
    file.write_all(&line)
        .map_err(|e| StoreError::write(path, e))?;
    file.sync_data().map_err(|e| StoreError::write(path, e))
}

/// Reads every entry; unreadable lines are skipped and counted.
pub fn read_audit(path: &Path) -> Result<(Vec<AuditEntry>, usize), StoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(StoreError::read(path, e)),
    };
    let mut entries = Vec::new();
    let mut bad = 0;
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        match serde_json::from_slice(line) {
            Ok(entry) => entries.push(entry),
            Err(_) => bad += 1,
        }
    }
    Ok((entries, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/audit.jsonl");
        let now = crate::model::time::parse_rfc3339("2026-11-21T09:00:00Z").unwrap();
        let entry = AuditEntry::action(dir.path(), "purge", "human:a@b", "sesn_1", now);
        append_audit(&path, &entry).unwrap();
        append_audit(&path, &entry).unwrap();
        let (entries, bad) = read_audit(&path).unwrap();
        assert_eq!(entries, vec![entry.clone(), entry]);
        assert_eq!(bad, 0);
    }
}
