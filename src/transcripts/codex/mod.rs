//! Codex rollouts (`$CODEX_HOME/sessions/**/rollout-*.jsonl`) converted into
//! contract events, one line at a time, without IO. Each line is
//! `{"timestamp", "type", "payload"}`:
//!
//! | line | events |
//! |---|---|
//! | `session_meta`, `turn_context` | `session.updated` (kept whole) |
//! | `response_item` `message` | `user.message` / `agent.message` (`system.message` for developer and injected context) |
//! | `response_item` `reasoning` | `agent.thinking` (its summary) |
//! | `response_item` `function_call`, `custom_tool_call`, `local_shell_call` | `agent.tool_use` (event id = `call_id`) |
//! | `response_item` `*_output` | `agent.tool_result` |
//! | `event_msg` `token_count` | `session.usage` |
//! | `event_msg` `task_started` / `task_complete` | `session.status_running` / `session.status_idle` |
//! | `event_msg` `turn_aborted`, `error` | `user.interrupt`, `session.error` |
//! | `event_msg` `user_message` / `agent_message` / `agent_reasoning` | the same events, unless the `response_item` of the turn already said it |
//! | `compacted` | `agent.thread_context_compacted` |
//! | anything else | `codex.<type>[.<payload type>]` with the line under `raw` |

mod items;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::TranscriptConverter;
use super::events::{self, IdAllocator, new_event};
use super::inference::{Activity, DocParts, Phase, build_doc};
use crate::model::session::Usage;
use crate::model::time::Timestamp;

pub const SOURCE: &str = "codex";
pub const AGENT: &str = "codex";
/// Prefix of the session ids this adapter makes (`codex-<uuid>`).
pub const ID_PREFIX: &str = "codex-";

pub struct CodexConverter {
    session_id: String,
    transcript: String,
    line: u64,
    ids: IdAllocator,
    activity: Activity,
    /// `call_id` to the tool use's event id.
    calls: HashMap<String, String>,
    /// Texts said this turn, by role, so the `event_msg` echo of a
    /// `response_item` (or the reverse) shows once.
    said_this_turn: Vec<(&'static str, String)>,
    usage: Usage,
    /// Usage per model: each `token_count`'s growth goes to the model of
    /// the turn it ends.
    usage_by_model: BTreeMap<String, Usage>,
    parent_id: Option<String>,
    codex_id: Option<String>,
    cwd: Option<String>,
    model: Option<String>,
    cli_version: Option<String>,
    thread_name: Option<String>,
}

impl CodexConverter {
    pub fn new(session_id: impl Into<String>, transcript: impl Into<String>) -> Self {
        Self {
            session_id: session_id.into(),
            transcript: transcript.into(),
            line: 0,
            ids: IdAllocator::default(),
            activity: Activity::default(),
            calls: HashMap::new(),
            said_this_turn: Vec::new(),
            usage: Usage::default(),
            usage_by_model: BTreeMap::new(),
            parent_id: None,
            codex_id: None,
            cwd: None,
            model: None,
            cli_version: None,
            thread_name: None,
        }
    }

    /// A fresh event with an id from this line (`L<n>`, `L<n>~…` if repeated).
    fn event(&mut self, kind: &str, ts: Option<&str>) -> Map<String, Value> {
        let base = format!("L{}", self.line);
        new_event(self.ids.claim(&base, self.line), kind, ts)
    }

    fn session_meta(&mut self, p: Map<String, Value>, ts: Option<&str>) -> Vec<Map<String, Value>> {
        let text = |key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
        self.codex_id = text("id").or(self.codex_id.take());
        self.cwd = text("cwd").or(self.cwd.take());
        self.cli_version = text("cli_version").or(self.cli_version.take());
        let spawned_by = p
            .get("source")
            .and_then(|s| s.get("subagent"))
            .and_then(|s| s.get("thread_spawn"))
            .and_then(|s| s.get("parent_thread_id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(parent) = text("forked_from_id").or(spawned_by) {
            self.parent_id = Some(format!("{ID_PREFIX}{parent}"));
        }
        let mut event = self.event("session.updated", ts);
        event.insert("session_meta".into(), Value::Object(p));
        vec![event]
    }

    fn turn_context(&mut self, p: Map<String, Value>, ts: Option<&str>) -> Vec<Map<String, Value>> {
        if let Some(model) = p.get("model").and_then(Value::as_str) {
            self.model = Some(model.to_string());
        }
        if let Some(cwd) = p.get("cwd").and_then(Value::as_str) {
            self.cwd = Some(cwd.to_string());
        }
        self.said_this_turn.clear();
        let mut event = self.event("session.updated", ts);
        event.insert("turn_context".into(), Value::Object(p));
        vec![event]
    }

    fn raw_event(&mut self, record: &Map<String, Value>, ts: Option<&str>) -> Map<String, Value> {
        let kind = record.get("type").and_then(Value::as_str).unwrap_or("");
        let sub = record
            .get("payload")
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str);
        let label = match (kind, sub) {
            ("", _) => "unknown".to_string(),
            (kind, Some(sub)) => format!("{kind}.{sub}"),
            (kind, None) => kind.to_string(),
        };
        let mut event = self.event(&format!("codex.{label}"), ts);
        event.insert("raw".into(), Value::Object(record.clone()));
        event
    }

    /// True the first time `text` is said by `role` this turn.
    fn first_saying(&mut self, role: &'static str, text: &str) -> bool {
        let key = (role, text.trim().to_string());
        if let Some(pos) = self.said_this_turn.iter().position(|k| *k == key) {
            self.said_this_turn.remove(pos);
            return false;
        }
        self.said_this_turn.push(key);
        true
    }

    fn set_turn_phase(&mut self, phase: Phase) {
        if self.activity.open_tools.is_empty() || phase == Phase::TurnEnded {
            if phase == Phase::TurnEnded {
                self.activity.open_tools.clear();
            }
            self.activity.set_phase(phase);
        }
    }
}

impl TranscriptConverter for CodexConverter {
    fn next_line(&mut self) {
        self.line += 1;
    }

    fn convert_record(&mut self, record: Map<String, Value>) -> Vec<Map<String, Value>> {
        let (kind, timestamp) = events::kind_and_time(&record);
        let ts = timestamp.as_deref();
        let payload = record.get("payload").and_then(Value::as_object).cloned();
        let converted = match (kind.as_str(), payload) {
            ("session_meta", Some(p)) => Some(self.session_meta(p, ts)),
            ("turn_context", Some(p)) => Some(self.turn_context(p, ts)),
            ("response_item", Some(p)) => self.response_item(&p, ts),
            ("event_msg", Some(p)) => self.event_msg(&p, ts),
            ("compacted", Some(p)) => {
                let mut event = self.event("agent.thread_context_compacted", ts);
                if let Some(message) = p.get("message") {
                    event.insert("message".into(), message.clone());
                }
                Some(vec![event])
            }
            _ => None,
        };
        let events = converted.unwrap_or_else(|| vec![self.raw_event(&record, ts)]);
        if !events.is_empty() {
            self.activity.saw_time(ts);
        }
        events
    }

    fn session_doc(&self, now: Timestamp) -> Map<String, Value> {
        let mut extra = Map::new();
        for (key, value) in [
            ("codex_id", &self.codex_id),
            ("model", &self.model),
            ("codex_cli_version", &self.cli_version),
        ] {
            if let Some(value) = value {
                extra.insert(key.into(), json!(value));
            }
        }
        build_doc(
            DocParts {
                id: &self.session_id,
                source: SOURCE,
                agent: AGENT,
                title: self.thread_name.clone(),
                parent_id: self.parent_id.clone(),
                cwd: self.cwd.as_deref(),
                transcript: &self.transcript,
                usage: &self.usage,
                usage_by_model: &self.usage_by_model,
                activity: &self.activity,
                extra_metadata: extra,
            },
            now,
        )
    }
}

/// The session id in a rollout's file name (`rollout-<time>-<uuid>.jsonl`),
/// else the whole stem.
pub fn session_id_from_file_name(stem: &str) -> String {
    let tail = stem
        .len()
        .checked_sub(36)
        .and_then(|start| stem.get(start..));
    match tail {
        Some(uuid) if looks_like_uuid(uuid) => uuid.to_string(),
        _ => stem.strip_prefix("rollout-").unwrap_or(stem).to_string(),
    }
}

fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests;
