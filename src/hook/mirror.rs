//! Mirroring a Claude Code tool call into a native session
//! (`<root>/cc-<session_id>/`): an `agent.tool_use` with its fingerprint and
//! a `requires_action` idle status, appended under the journal's lock.

use std::fs;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::HookError;
use super::answer::HookEvent;
use crate::model::event::Event;
use crate::model::fingerprint::fingerprint;
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;
use crate::model::session::SessionDoc;
use crate::model::summary::JournalSummary;
use crate::model::time::{Timestamp, format_rfc3339};
use crate::store::append::{LockedJournal, new_event};
use crate::store::atomic::write_session_doc;
use crate::store::paths;
use crate::transcripts::BridgeAgent;

/// A hook's input, as Claude Code (or Codex) writes it on stdin.
#[derive(Debug, Clone, PartialEq)]
pub struct HookInput {
    pub agent: BridgeAgent,
    /// `hook_event_name` (`PreToolUse` when absent).
    pub event: HookEvent,
    pub session_id: String,
    pub tool_name: String,
    pub tool_input: Value,
    pub tool_use_id: Option<String>,
    pub transcript_path: Option<String>,
    pub cwd: Option<String>,
    pub permission_mode: Option<String>,
}

impl HookInput {
    /// Claude Code's input (see `parse_for` for another agent's).
    pub fn parse(bytes: &[u8]) -> Result<Self, HookError> {
        Self::parse_for(BridgeAgent::ClaudeCode, bytes)
    }

    pub fn parse_for(agent: BridgeAgent, bytes: &[u8]) -> Result<Self, HookError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| HookError::BadInput(format!("not JSON: {e}")))?;
        let object = value
            .as_object()
            .ok_or_else(|| HookError::BadInput("not a JSON object".into()))?;
        let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_string);
        let event = match text("hook_event_name") {
            None => HookEvent::PreToolUse,
            Some(name) => HookEvent::parse(&name).ok_or_else(|| {
                HookError::BadInput(format!(
                    "hook_event_name is {name:?}; this command answers PreToolUse, PermissionRequest and PostToolUse"
                ))
            })?,
        };
        let session_id = text("session_id")
            .filter(|s| paths::is_valid_session_id(&format!("{}{s}", agent.id_prefix())))
            .ok_or_else(|| HookError::BadInput("no usable session_id".into()))?;
        let tool_name = text("tool_name")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| HookError::BadInput("no tool_name".into()))?;
        Ok(Self {
            agent,
            event,
            session_id,
            tool_name,
            tool_input: object.get("tool_input").cloned().unwrap_or(Value::Null),
            tool_use_id: text("tool_use_id").filter(|t| !t.is_empty()),
            transcript_path: text("transcript_path"),
            cwd: text("cwd"),
            permission_mode: text("permission_mode"),
        })
    }

    /// The mirrored session's id: `cc-<session_id>` (`codex-<session_id>`),
    /// the id its transcript has too.
    pub fn mirrored_session_id(&self) -> String {
        format!("{}{}", self.agent.id_prefix(), self.session_id)
    }
}

/// Where the mirrored request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirrored {
    pub root: PathBuf,
    pub session_id: String,
    pub event_id: String,
    pub fingerprint: String,
    /// Journal offset just past the request and its idle status.
    pub journal_end: u64,
}

impl Mirrored {
    pub fn dir(&self) -> PathBuf {
        self.root.join(&self.session_id)
    }
}

/// Writes the request into the mirrored session and returns where it is.
pub fn mirror_request(
    root: &Path,
    input: &HookInput,
    now: Timestamp,
) -> Result<Mirrored, HookError> {
    let session_id = input.mirrored_session_id();
    let dir = root.join(&session_id);
    fs::create_dir_all(&dir).map_err(|e| crate::store::StoreError::write(&dir, e))?;
    let mut journal = LockedJournal::open(&paths::journal(&dir), true)?;
    let base_id = input
        .tool_use_id
        .clone()
        .unwrap_or_else(crate::store::append::new_event_id);
    let event_id = unused_id(&journal, &base_id)?;

    let mut request = new_event("agent.tool_use", now, false);
    request.insert("id".into(), json!(event_id));
    request.insert("name".into(), json!(input.tool_name));
    request.insert("input".into(), input.tool_input.clone());
    request.insert("evaluated_permission".into(), json!("ask"));
    if let Some(tool_use_id) = &input.tool_use_id {
        request.insert("tool_use_id".into(), json!(tool_use_id));
    }
    let event = Event::from_object(request.clone())
        .ok_or_else(|| HookError::BadInput("could not build the request event".into()))?;
    let print = fingerprint(&session_id, &event);
    request.insert("fingerprint".into(), json!(print));
    journal.append_event(&Value::Object(request))?;

    let mut idle = new_event("session.status_idle", now, false);
    idle.insert(
        "stop_reason".into(),
        json!({"type": "requires_action", "event_ids": [event_id]}),
    );
    journal.append_event(&Value::Object(idle))?;
    let journal_end = journal
        .file()
        .metadata()
        .map_err(|e| crate::store::StoreError::read(journal.path(), e))?
        .len();
    write_state(&dir, &session_id, input, &journal, now)?;
    Ok(Mirrored {
        root: root.to_path_buf(),
        session_id,
        event_id,
        fingerprint: print,
        journal_end,
    })
}

/// `base`, or `base~2`, `base~3`… if the journal already has that id (the
/// same tool call asked twice).
fn unused_id(journal: &LockedJournal, base: &str) -> Result<String, HookError> {
    let mut taken = Vec::new();
    journal.for_each_line(|_, line| {
        if let LineParse::Event(event) = parse_line(line)
            && (event.id == base || event.id.starts_with(&format!("{base}~")))
        {
            taken.push(event.id.clone());
        }
        ControlFlow::Continue(())
    })?;
    if !taken.iter().any(|t| t == base) {
        return Ok(base.to_string());
    }
    let mut n = 2;
    while taken.contains(&format!("{base}~{n}")) {
        n += 1;
    }
    Ok(format!("{base}~{n}"))
}

/// Rewrites `session.json` from the journal, under its lock: idle and
/// requiring action while any mirrored request is pending, else `status`
/// (`running` once Claude Code proceeds).
pub fn write_state(
    dir: &Path,
    session_id: &str,
    input: &HookInput,
    journal: &LockedJournal,
    now: Timestamp,
) -> Result<(), HookError> {
    write_state_with(dir, session_id, input, journal, now, "running")
}

pub fn write_state_with(
    dir: &Path,
    session_id: &str,
    input: &HookInput,
    journal: &LockedJournal,
    now: Timestamp,
    status_when_clear: &str,
) -> Result<(), HookError> {
    let mut summary = JournalSummary::new(session_id, PlanTools::default());
    journal.for_each_line(|_, line| {
        crate::store::session_snapshot::fold_line(&mut summary, line);
        ControlFlow::Continue(())
    })?;
    let pending: Vec<String> = summary
        .pending()
        .iter()
        .map(|p| p.request.event_id.clone())
        .collect();
    let previous = fs::read(paths::session_file(dir))
        .ok()
        .and_then(|b| SessionDoc::from_json_bytes(&b).ok());
    let created_at = previous
        .as_ref()
        .and_then(|d| d.raw.get("created_at").cloned())
        .unwrap_or_else(|| json!(format_rfc3339(now)));
    let (status, stop_reason) = if pending.is_empty() {
        (status_when_clear, Value::Null)
    } else {
        (
            "idle",
            json!({"type": "requires_action", "event_ids": pending}),
        )
    };
    let mut metadata = Map::new();
    let agent = input.agent;
    metadata.insert("source".into(), json!(agent.hook_source()));
    metadata.insert(agent.session_key().into(), json!(input.session_id));
    if let Some(path) = &input.transcript_path {
        metadata.insert("transcript".into(), json!(path));
    }
    if let Some(cwd) = &input.cwd {
        metadata.insert("cwd".into(), json!(cwd));
    }
    if let Some(mode) = &input.permission_mode {
        metadata.insert("permission_mode".into(), json!(mode));
    }
    let title = input
        .cwd
        .as_deref()
        .map(|cwd| format!("{} in {cwd}", agent.name()))
        .unwrap_or_else(|| format!("{} {}", agent.name(), input.session_id));
    let doc = json!({
        "id": session_id,
        "type": "session",
        "agent": {"id": agent.agent_id(), "name": agent.agent_id()},
        "parent_id": null,
        "title": title,
        "status": status,
        "stop_reason": stop_reason,
        "metadata": metadata,
        "created_at": created_at,
        "updated_at": format_rfc3339(now),
        "archived_at": null,
    });
    write_session_doc(dir, &doc)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &str = r#"{"session_id":"abc-123","transcript_path":"/t.jsonl","cwd":"/w",
        "permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash",
        "tool_input":{"command":"git push"},"tool_use_id":"toolu_01X"}"#;

    #[test]
    fn parses_the_documented_input() {
        let input = HookInput::parse(INPUT.as_bytes()).unwrap();
        assert_eq!(input.mirrored_session_id(), "cc-abc-123");
        assert_eq!(input.tool_input, json!({"command": "git push"}));
        assert_eq!(input.tool_use_id.as_deref(), Some("toolu_01X"));
        assert!(HookInput::parse(b"{}").is_err());
        assert!(HookInput::parse(b"[1]").is_err());
        assert!(HookInput::parse(br#"{"session_id":"../x","tool_name":"Bash"}"#).is_err());
        assert!(
            HookInput::parse(br#"{"session_id":"a","tool_name":"Bash","hook_event_name":"Stop"}"#)
                .is_err()
        );
        let post = br#"{"session_id":"a","tool_name":"Bash","hook_event_name":"PostToolUse"}"#;
        assert_eq!(
            HookInput::parse(post).unwrap().event,
            HookEvent::PostToolUse
        );
    }

    #[test]
    fn mirrors_a_pending_request_with_its_fingerprint() {
        let root = tempfile::tempdir().unwrap();
        let input = HookInput::parse(INPUT.as_bytes()).unwrap();
        let now = crate::model::time::parse_rfc3339("2026-01-01T10:00:00Z").unwrap();
        let first = mirror_request(root.path(), &input, now).unwrap();
        assert_eq!(first.event_id, "toolu_01X");
        let snapshot = crate::store::SessionSnapshot::load(&first.dir(), &PlanTools::default())
            .unwrap()
            .unwrap();
        let pending = snapshot.summary.pending();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].request.fingerprint, first.fingerprint);
        assert_eq!(snapshot.status().as_str(), "requires_action");
        let second = mirror_request(root.path(), &input, now).unwrap();
        assert_eq!(second.event_id, "toolu_01X~2", "the same call asked twice");
    }
}
