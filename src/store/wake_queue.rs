//! Appending to `wake-queue.jsonl`: the same locked, single-write append as
//! the journal, so a reader never sees half an entry.

use std::path::Path;

use serde_json::{Value, json};

use super::append::LockedJournal;
use super::error::StoreError;
use super::paths;
use crate::model::time::{Timestamp, format_rfc3339};

/// Schedules a revisit: `{"id", "due_at", "reason"}`.
pub fn schedule_wake(
    session_dir: &Path,
    id: &str,
    due_at: Timestamp,
    reason: &str,
) -> Result<(), StoreError> {
    append_wake_line(
        session_dir,
        &json!({"id": id, "due_at": format_rfc3339(due_at), "reason": reason}),
    )
}

/// Marks a revisit as run: `{"id", "consumed_at"}`.
pub fn consume_wake(session_dir: &Path, id: &str, at: Timestamp) -> Result<(), StoreError> {
    append_wake_line(
        session_dir,
        &json!({"id": id, "consumed_at": format_rfc3339(at)}),
    )
}

/// Appends one wake-queue object under the file's lock, creating the file.
pub fn append_wake_line(session_dir: &Path, entry: &Value) -> Result<(), StoreError> {
    let mut queue = LockedJournal::open(&paths::wake_queue(session_dir), true)?;
    queue.append_event(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_rfc3339;
    use crate::model::wake::WakeQueue;

    #[test]
    fn scheduled_then_consumed() {
        let dir = tempfile::tempdir().unwrap();
        let due = parse_rfc3339("2026-11-21T09:00:00Z").unwrap();
        schedule_wake(dir.path(), "wake_0001", due, "retry after rate limit").unwrap();
        schedule_wake(dir.path(), "wake_0002", due, "poll CI").unwrap();
        let now = parse_rfc3339("2026-11-21T09:10:00Z").unwrap();
        consume_wake(dir.path(), "wake_0001", now).unwrap();
        let queue = WakeQueue::parse(&std::fs::read(paths::wake_queue(dir.path())).unwrap());
        let outstanding: Vec<_> = queue.outstanding(now).map(|e| e.id.as_str()).collect();
        assert_eq!(outstanding, vec!["wake_0002"]);
        assert_eq!(
            queue.entries[0].reason.as_deref(),
            Some("retry after rate limit")
        );
    }
}
