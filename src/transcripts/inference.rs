//! Inferring a transcript's status from what it shows. Transcripts do not
//! record a status, so every adapter session carries
//! `metadata.inferred_status = true` and the reason in
//! `metadata.inferred_reason`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::model::session::Usage;
use crate::model::time::{Timestamp, format_rfc3339, parse_rfc3339};

/// A transcript quiet for longer than this is shown idle, whatever it last
/// showed: its tool is most likely no longer running.
pub const QUIET_AFTER_SECS: i64 = 30 * 60;

/// Where the conversation stands after its last record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Nothing yet.
    #[default]
    Empty,
    /// The user (or a tool result) spoke last: the model is working.
    Working,
    /// The model asked for tools that have no result yet.
    ToolWait,
    /// The model answered and stopped.
    TurnEnded,
}

/// What adapters track to infer status and fill `session.json`.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub phase: Phase,
    /// Tool-use event ids with no result yet, oldest first.
    pub open_tools: Vec<String>,
    pub first_at: Option<Timestamp>,
    pub last_at: Option<Timestamp>,
}

impl Activity {
    /// Notes a record's time (ignoring missing or invalid ones).
    pub fn saw_time(&mut self, timestamp: Option<&str>) {
        let Some(time) = timestamp.and_then(parse_rfc3339) else {
            return;
        };
        self.first_at = Some(self.first_at.map_or(time, |t| t.min(time)));
        self.last_at = Some(self.last_at.map_or(time, |t| t.max(time)));
    }

    pub fn tool_opened(&mut self, event_id: &str) {
        self.open_tools.push(event_id.to_string());
        self.phase = Phase::ToolWait;
    }

    /// A result for `event_id` arrived: the model has work again.
    pub fn tool_closed(&mut self, event_id: &str) {
        self.open_tools.retain(|id| id != event_id);
        self.phase = if self.open_tools.is_empty() {
            Phase::Working
        } else {
            Phase::ToolWait
        };
    }

    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// `status`, `stop_reason` and the reason in words, at `now`.
    pub fn infer(&self, now: Timestamp) -> (&'static str, Value, String) {
        let quiet = self
            .last_at
            .map(|t| (now - t).num_seconds())
            .filter(|s| *s > QUIET_AFTER_SECS);
        if let Some(secs) = quiet {
            return (
                "idle",
                Value::Null,
                format!("no new records for {} min", secs / 60),
            );
        }
        match self.phase {
            Phase::Empty => ("idle", Value::Null, "no records yet".into()),
            Phase::Working => (
                "running",
                Value::Null,
                "the last record is input the model has not answered yet".into(),
            ),
            Phase::ToolWait if !self.open_tools.is_empty() => (
                "idle",
                json!({"type": "requires_action", "event_ids": self.open_tools}),
                "a tool use has no result yet and nothing is newer: waiting".into(),
            ),
            Phase::ToolWait => (
                "running",
                Value::Null,
                "tool results arrived; the model is working".into(),
            ),
            Phase::TurnEnded => (
                "idle",
                json!({"type": "end_turn"}),
                "the model answered and stopped".into(),
            ),
        }
    }
}

/// The common shape of an adapter's synthetic `session.json`.
pub struct DocParts<'a> {
    pub id: &'a str,
    pub source: &'a str,
    pub agent: &'a str,
    pub title: Option<String>,
    pub parent_id: Option<String>,
    pub cwd: Option<&'a str>,
    pub transcript: &'a str,
    pub usage: &'a Usage,
    /// Usage per model name (empty name: no model given), for costs.
    pub usage_by_model: &'a BTreeMap<String, Usage>,
    pub activity: &'a Activity,
    pub extra_metadata: Map<String, Value>,
}

pub fn build_doc(parts: DocParts<'_>, now: Timestamp) -> Map<String, Value> {
    let (status, stop_reason, reason) = parts.activity.infer(now);
    let mut metadata = Map::new();
    metadata.insert("source".into(), json!(parts.source));
    metadata.insert("inferred_status".into(), json!(true));
    metadata.insert("inferred_reason".into(), json!(reason));
    metadata.insert("transcript".into(), json!(parts.transcript));
    if let Some(cwd) = parts.cwd {
        metadata.insert("cwd".into(), json!(cwd));
    }
    metadata.extend(parts.extra_metadata);
    let priced: Map<String, Value> = parts
        .usage_by_model
        .iter()
        .filter(|(model, _)| !model.is_empty())
        .map(|(model, usage)| (model.clone(), json!(usage)))
        .collect();
    if !priced.is_empty() {
        metadata.insert("usage_by_model".into(), Value::Object(priced));
    }
    let title = parts
        .title
        .or_else(|| parts.cwd.map(str::to_string))
        .map(Value::String)
        .unwrap_or(Value::Null);
    let time = |t: Option<Timestamp>| t.map(format_rfc3339).map_or(Value::Null, Value::String);
    let doc = json!({
        "id": parts.id,
        "type": "session",
        "agent": {"id": parts.agent, "name": parts.agent},
        "parent_id": parts.parent_id,
        "title": title,
        "status": status,
        "stop_reason": stop_reason,
        "metadata": metadata,
        "usage": parts.usage,
        "created_at": time(parts.activity.first_at),
        "updated_at": time(parts.activity.last_at),
        "archived_at": null,
    });
    match doc {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn a_tool_use_with_no_result_and_nothing_newer_is_waiting() {
        let mut a = Activity::default();
        a.saw_time(Some("2026-01-01T10:00:00Z"));
        a.tool_opened("t1");
        let (status, stop, _) = a.infer(at("2026-01-01T10:01:00Z"));
        assert_eq!(status, "idle");
        assert_eq!(stop, json!({"type":"requires_action","event_ids":["t1"]}));
        a.tool_closed("t1");
        assert_eq!(a.infer(at("2026-01-01T10:01:00Z")).0, "running");
        a.set_phase(Phase::TurnEnded);
        assert_eq!(
            a.infer(at("2026-01-01T10:01:00Z")).1,
            json!({"type": "end_turn"})
        );
    }

    #[test]
    fn quiet_transcripts_are_idle() {
        let mut a = Activity::default();
        a.saw_time(Some("2026-01-01T10:00:00Z"));
        a.tool_opened("t1");
        let (status, stop, reason) = a.infer(at("2026-01-01T11:00:00Z"));
        assert_eq!((status, stop), ("idle", Value::Null));
        assert!(reason.contains("60 min"), "{reason}");
    }
}
