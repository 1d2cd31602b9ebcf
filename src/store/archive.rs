//! Archiving and purging sessions: `archived_at` set or cleared through an
//! atomic `session.json` rewrite while holding the journal's lock, and
//! deletion of archived session folders only.

use std::fs::{self, File};
use std::path::Path;

use serde_json::Value;

use super::atomic::write_session_doc;
use super::error::StoreError;
use super::paths;
use super::session_snapshot::SessionSnapshot;
use crate::model::plan::PlanTools;
use crate::model::status::DisplayStatus;
use crate::model::time::{Timestamp, format_rfc3339};

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("session {0} not found")]
    NotFound(String),
    #[error("session {id} {reason}; pass --force to archive it anyway")]
    Busy { id: String, reason: String },
    #[error("session {0} is not archived; only archived sessions are purged")]
    NotArchived(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an archive or unarchive did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveOutcome {
    Changed,
    AlreadyThatWay,
}

/// Holds the session's lock: the journal's when it has one (the lock
/// runtimes take), else `session.json`'s.
fn lock_session(dir: &Path) -> Result<File, StoreError> {
    let journal = paths::journal(dir);
    let target = if journal.is_file() {
        journal
    } else {
        paths::session_file(dir)
    };
    let file = File::open(&target).map_err(|e| StoreError::read(&target, e))?;
    file.lock().map_err(|e| StoreError::write(&target, e))?;
    Ok(file)
}

fn load(root: &Path, id: &str, plan_tools: &PlanTools) -> Result<SessionSnapshot, ArchiveError> {
    if !paths::is_valid_session_id(id) {
        return Err(ArchiveError::NotFound(id.to_string()));
    }
    SessionSnapshot::load(&root.join(id), plan_tools)?
        .ok_or_else(|| ArchiveError::NotFound(id.to_string()))
}

/// Sets (`archive = true`) or clears `archived_at`. Archiving refuses a
/// running session or one with pending requests unless `force`.
pub fn set_archived(
    root: &Path,
    id: &str,
    archive: bool,
    force: bool,
    plan_tools: &PlanTools,
    now: Timestamp,
) -> Result<ArchiveOutcome, ArchiveError> {
    let dir = root.join(id);
    load(root, id, plan_tools)?;
    let _lock = lock_session(&dir)?;
    // Re-read under the lock: what we check is what we rewrite.
    let session = load(root, id, plan_tools)?;
    if session.doc_error.is_some() {
        return Err(StoreError::Refused(format!(
            "session {id} has an unreadable session.json; fix it before archiving"
        ))
        .into());
    }
    if session.doc.is_archived() == archive {
        return Ok(ArchiveOutcome::AlreadyThatWay);
    }
    if archive && !force {
        let pending = session.summary.pending_count();
        if session.status() == DisplayStatus::Running {
            return Err(ArchiveError::Busy {
                id: id.to_string(),
                reason: "is running".into(),
            });
        }
        if pending > 0 {
            return Err(ArchiveError::Busy {
                id: id.to_string(),
                reason: format!("has {pending} pending request(s)"),
            });
        }
    }
    let mut raw = session.doc.raw.clone();
    raw.insert(
        "archived_at".into(),
        if archive {
            Value::String(format_rfc3339(now))
        } else {
            Value::Null
        },
    );
    write_session_doc(&dir, &Value::Object(raw))?;
    Ok(ArchiveOutcome::Changed)
}

/// Deletes an archived session's folder, re-checking under its lock that it
/// is still archived.
pub fn purge_session(root: &Path, id: &str, plan_tools: &PlanTools) -> Result<(), ArchiveError> {
    let dir = root.join(id);
    load(root, id, plan_tools)?;
    let lock = lock_session(&dir)?;
    let session = load(root, id, plan_tools)?;
    if !session.doc.is_archived() {
        return Err(ArchiveError::NotArchived(id.to_string()));
    }
    fs::remove_dir_all(&dir).map_err(|e| StoreError::write(&dir, e))?;
    drop(lock);
    Ok(())
}

/// Parses `90s`, `30m`, `12h`, `7d`, `2w` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => return None,
    };
    chrono::Duration::try_seconds(n.checked_mul(seconds)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_rfc3339;

    fn session(root: &Path, id: &str, doc: &str, journal: &str) {
        let dir = root.join(id);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("session.json"), doc).unwrap();
        fs::write(dir.join("events.jsonl"), journal).unwrap();
    }

    fn now() -> Timestamp {
        parse_rfc3339("2026-11-21T10:00:00Z").unwrap()
    }

    #[test]
    fn archive_refuses_busy_sessions_unless_forced() {
        let root = tempfile::tempdir().unwrap();
        session(
            root.path(),
            "run",
            r#"{"status":"running","title":"t","extra":1}"#,
            "",
        );
        let tools = PlanTools::default();
        let err = set_archived(root.path(), "run", true, false, &tools, now()).unwrap_err();
        assert!(err.to_string().contains("is running"), "{err}");
        assert_eq!(
            set_archived(root.path(), "run", true, true, &tools, now()).unwrap(),
            ArchiveOutcome::Changed
        );
        let doc: Value =
            serde_json::from_slice(&fs::read(root.path().join("run/session.json")).unwrap())
                .unwrap();
        assert_eq!(doc["archived_at"], "2026-11-21T10:00:00Z");
        assert_eq!(doc["extra"], 1, "unknown fields survive the rewrite");
        assert_eq!(
            set_archived(root.path(), "run", false, false, &tools, now()).unwrap(),
            ArchiveOutcome::Changed
        );
        let doc: Value =
            serde_json::from_slice(&fs::read(root.path().join("run/session.json")).unwrap())
                .unwrap();
        assert!(doc["archived_at"].is_null());
    }

    #[test]
    fn archive_refuses_pending_requests() {
        let root = tempfile::tempdir().unwrap();
        session(
            root.path(),
            "wait",
            r#"{"status":"idle"}"#,
            "{\"id\":\"t\",\"type\":\"agent.tool_use\",\"name\":\"bash\",\"input\":{}}\n{\"id\":\"i\",\"type\":\"session.status_idle\",\"stop_reason\":{\"type\":\"requires_action\",\"event_ids\":[\"t\"]}}\n",
        );
        let err = set_archived(
            root.path(),
            "wait",
            true,
            false,
            &PlanTools::default(),
            now(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("1 pending"), "{err}");
    }

    #[test]
    fn purge_only_archived() {
        let root = tempfile::tempdir().unwrap();
        session(root.path(), "live", r#"{"status":"idle"}"#, "");
        session(
            root.path(),
            "old",
            r#"{"status":"idle","archived_at":"2026-11-01T00:00:00Z"}"#,
            "",
        );
        let tools = PlanTools::default();
        assert!(matches!(
            purge_session(root.path(), "live", &tools),
            Err(ArchiveError::NotArchived(_))
        ));
        purge_session(root.path(), "old", &tools).unwrap();
        assert!(!root.path().join("old").exists());
        assert!(root.path().join("live").exists());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Some(chrono::Duration::days(7)));
        assert_eq!(parse_duration("90"), Some(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration("12h"), Some(chrono::Duration::hours(12)));
        assert_eq!(parse_duration("2w"), Some(chrono::Duration::weeks(2)));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration("3y"), None);
    }
}
