//! On-call actions on a session: interrupt it, send it a message, schedule
//! a revisit. Each is written under the journal's lock, like decisions.

use std::path::Path;

use serde_json::{Value, json};

use super::append::{LockedJournal, new_event};
use super::error::StoreError;
use super::paths;
use super::wake_queue::append_wake_line;
use crate::model::session::SessionDoc;
use crate::model::time::{Timestamp, format_rfc3339};

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("session {0} not found under the root")]
    NotFound(String),
    #[error("session {id} is terminated; {what} would never be read")]
    Terminated { id: String, what: &'static str },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What was written: the event (or wake entry) as it went to disk.
pub type Written = Value;

fn open_locked(root: &Path, id: &str) -> Result<(LockedJournal, SessionDoc), ActionError> {
    if !paths::is_valid_session_id(id) {
        return Err(ActionError::NotFound(id.to_string()));
    }
    let dir = root.join(id);
    let session_path = paths::session_file(&dir);
    if !session_path.is_file() {
        return Err(ActionError::NotFound(id.to_string()));
    }
    let journal = LockedJournal::open(&paths::journal(&dir), true)?;
    // Read under the lock, so the status we check is the one we act on.
    let bytes = std::fs::read(&session_path).map_err(|e| StoreError::read(&session_path, e))?;
    let doc = SessionDoc::from_json_bytes(&bytes).map_err(ActionError::Invalid)?;
    Ok((journal, doc))
}

fn refuse_terminated(id: &str, doc: &SessionDoc, what: &'static str) -> Result<(), ActionError> {
    if doc.status.as_deref() == Some("terminated") {
        return Err(ActionError::Terminated {
            id: id.to_string(),
            what,
        });
    }
    Ok(())
}

/// Appends `user.interrupt`.
pub fn interrupt(root: &Path, id: &str, who: &str, now: Timestamp) -> Result<Written, ActionError> {
    let (mut journal, doc) = open_locked(root, id)?;
    refuse_terminated(id, &doc, "an interrupt")?;
    let mut event = new_event("user.interrupt", now, true);
    event.insert("sent_by".into(), json!(who));
    let event = Value::Object(event);
    journal.append_event(&event)?;
    Ok(event)
}

/// Appends a `user.message` with the text.
pub fn send_message(
    root: &Path,
    id: &str,
    text: &str,
    who: &str,
    now: Timestamp,
) -> Result<Written, ActionError> {
    if text.trim().is_empty() {
        return Err(ActionError::Invalid("the message is empty".into()));
    }
    let (mut journal, doc) = open_locked(root, id)?;
    refuse_terminated(id, &doc, "a message")?;
    let mut event = new_event("user.message", now, true);
    event.insert("content".into(), json!([{"type": "text", "text": text}]));
    event.insert("sent_by".into(), json!(who));
    let event = Value::Object(event);
    journal.append_event(&event)?;
    Ok(event)
}

/// Appends a wake-queue entry due at `due_at` (a revisit "now" is `now`).
pub fn schedule_wake(
    root: &Path,
    id: &str,
    due_at: Timestamp,
    reason: &str,
    who: &str,
) -> Result<Written, ActionError> {
    let (journal, doc) = open_locked(root, id)?;
    refuse_terminated(id, &doc, "a revisit")?;
    let entry = json!({
        "id": format!("wake_{}", ulid::Ulid::generate().to_string().to_lowercase()),
        "due_at": format_rfc3339(due_at),
        "reason": reason,
        "requested_by": who,
    });
    // The queue's own lock and torn-line repair, as every writer of it
    // uses; the journal's lock is held too, so the status checked above
    // cannot change before the entry is written.
    append_wake_line(&root.join(id), &entry)?;
    drop(journal);
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_rfc3339;
    use std::fs;

    fn session(root: &Path, id: &str, status: &str) {
        let dir = root.join(id);
        fs::create_dir_all(&dir).unwrap();
        fs::write(
            dir.join("session.json"),
            format!(r#"{{"status":"{status}"}}"#),
        )
        .unwrap();
        fs::write(
            dir.join("events.jsonl"),
            "{\"id\":\"a\",\"type\":\"x\"}\n{\"id\":\"torn",
        )
        .unwrap();
    }

    fn now() -> Timestamp {
        parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    #[test]
    fn writes_interrupt_message_and_wake() {
        let root = tempfile::tempdir().unwrap();
        session(root.path(), "s", "running");
        interrupt(root.path(), "s", "human:a@b", now()).unwrap();
        send_message(root.path(), "s", "please stop", "human:a@b", now()).unwrap();
        schedule_wake(root.path(), "s", now(), "look again", "human:a@b").unwrap();
        let journal = fs::read_to_string(root.path().join("s/events.jsonl")).unwrap();
        let lines: Vec<&str> = journal.lines().collect();
        assert_eq!(
            lines[1], "{\"id\":\"torn",
            "the torn line was closed, not merged"
        );
        let interrupt: Value = serde_json::from_str(lines[2]).unwrap();
        assert_eq!(interrupt["type"], "user.interrupt");
        assert!(interrupt["processed_at"].is_null());
        let message: Value = serde_json::from_str(lines[3]).unwrap();
        assert_eq!(message["content"][0]["text"], "please stop");
        let wake = crate::model::wake::WakeQueue::parse(
            &fs::read(root.path().join("s/wake-queue.jsonl")).unwrap(),
        );
        assert_eq!(wake.entries.len(), 1);
        assert_eq!(wake.entries[0].reason.as_deref(), Some("look again"));
    }

    #[test]
    fn terminated_sessions_refuse_with_a_reason() {
        let root = tempfile::tempdir().unwrap();
        session(root.path(), "t", "terminated");
        let err = send_message(root.path(), "t", "hello", "h", now()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "session t is terminated; a message would never be read"
        );
        assert!(interrupt(root.path(), "t", "h", now()).is_err());
        assert!(matches!(
            send_message(root.path(), "nope", "x", "h", now()),
            Err(ActionError::NotFound(_))
        ));
        assert!(matches!(
            send_message(root.path(), "t", "  ", "h", now()),
            Err(ActionError::Invalid(_))
        ));
    }
}
