//! Claude Code transcripts (`~/.claude/projects/<project>/<session>.jsonl`)
//! converted into contract events, one record at a time, without IO.
//!
//! | record | events |
//! |---|---|
//! | `user`, text | `user.message` |
//! | `user`, `tool_result` block | `agent.tool_result` (`tool_use_id` = the tool use's event id) |
//! | `assistant`, text / thinking / `tool_use` | `agent.message` / `agent.thinking` / `agent.tool_use` |
//! | `system` | `system.message` |
//! | `summary`, `custom-title` | `session.updated` with the title |
//! | anything else | `claude_code.<type>` with the record under `raw` |
//!
//! Usage comes from `message.usage`, counted once per `message.id`
//! (Claude Code writes one record per content block, each with the same
//! usage).

mod blocks;

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use super::TranscriptConverter;
use super::events::{self, IdAllocator, new_event, text_content};
use super::inference::{Activity, DocParts, Phase, build_doc};
use crate::model::session::Usage;
use crate::model::time::Timestamp;

pub const SOURCE: &str = "claude-code";
pub const AGENT: &str = "claude-code";
/// Prefix of the session ids this adapter makes (`cc-<session uuid>`).
pub const ID_PREFIX: &str = "cc-";

pub struct ClaudeCodeConverter {
    session_id: String,
    parent_id: Option<String>,
    /// A subagent file learns its parent from its records' `sessionId`.
    parent_from_records: bool,
    transcript: String,
    line: u64,
    ids: IdAllocator,
    activity: Activity,
    /// Tool-use ids (Claude Code's `toolu_…`) to their event ids.
    tool_events: HashMap<String, String>,
    /// Usage per `message.id`, with the message's model.
    usage_by_message: HashMap<String, (String, Usage)>,
    usage_unkeyed: BTreeMap<String, Usage>,
    summary_title: Option<String>,
    custom_title: Option<String>,
    /// The first thing the user said: a subagent's title (its task).
    first_prompt: Option<String>,
    cwd: Option<String>,
    version: Option<String>,
    git_branch: Option<String>,
    /// The model of the latest assistant message.
    model: Option<String>,
}

impl ClaudeCodeConverter {
    /// `session_id` is the synthetic id (`cc-…`); `parent_id` is known for
    /// files under `<session>/subagents/`; `parent_from_records` asks the
    /// converter to take it from the records (older `agent-*.jsonl` files).
    pub fn new(
        session_id: impl Into<String>,
        parent_id: Option<String>,
        parent_from_records: bool,
        transcript: impl Into<String>,
    ) -> Self {
        Self {
            session_id: session_id.into(),
            parent_id,
            parent_from_records,
            transcript: transcript.into(),
            line: 0,
            ids: IdAllocator::default(),
            activity: Activity::default(),
            tool_events: HashMap::new(),
            usage_by_message: HashMap::new(),
            usage_unkeyed: BTreeMap::new(),
            summary_title: None,
            custom_title: None,
            first_prompt: None,
            cwd: None,
            version: None,
            git_branch: None,
            model: None,
        }
    }

    fn note_context(&mut self, record: &Map<String, Value>) {
        let text = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_string);
        if let Some(cwd) = text("cwd") {
            self.cwd = Some(cwd);
        }
        if let Some(version) = text("version") {
            self.version = Some(version);
        }
        if let Some(branch) = text("gitBranch").filter(|b| !b.is_empty()) {
            self.git_branch = Some(branch);
        }
        if self.parent_from_records
            && self.parent_id.is_none()
            && let Some(parent) = text("sessionId")
        {
            self.parent_id = Some(format!("{ID_PREFIX}{parent}"));
        }
    }

    /// `user` and `assistant` records; `None` when the record has no usable
    /// `message.content` (it is then kept raw).
    fn convert_message(
        &mut self,
        kind: &str,
        record: &Map<String, Value>,
        ts: Option<&str>,
    ) -> Option<Vec<Map<String, Value>>> {
        let message = record.get("message")?.as_object()?;
        let content = message.get("content")?;
        let uuid = record
            .get("uuid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("L{}", self.line));
        if kind == "assistant" {
            self.note_usage(message);
        }
        let blocks: Vec<Value> = match content {
            Value::String(text) => vec![json!({"type": "text", "text": text})],
            Value::Array(blocks) => blocks.clone(),
            _ => return None,
        };
        let mut events = Vec::with_capacity(blocks.len());
        for (index, block) in blocks.iter().enumerate() {
            let base = format!("{uuid}:{index}");
            events.push(self.convert_block(kind, &base, block, ts));
        }
        if kind == "assistant" {
            let open_here = events
                .iter()
                .any(|e| e.get("type").and_then(Value::as_str) == Some("agent.tool_use"));
            let answered = events
                .iter()
                .any(|e| e.get("type").and_then(Value::as_str) == Some("agent.message"));
            if !open_here {
                let stop = message.get("stop_reason").and_then(Value::as_str);
                let phase = match stop {
                    Some("end_turn") | Some("stop_sequence") | Some("max_tokens") => {
                        Phase::TurnEnded
                    }
                    _ if answered => Phase::TurnEnded,
                    _ => Phase::Working,
                };
                if self.activity.open_tools.is_empty() {
                    self.activity.set_phase(phase);
                }
            }
        } else {
            let only_results = !events.is_empty()
                && events
                    .iter()
                    .all(|e| e.get("type").and_then(Value::as_str) == Some("agent.tool_result"));
            if !only_results {
                self.activity.set_phase(Phase::Working);
            }
        }
        Some(events)
    }

    fn note_usage(&mut self, message: &Map<String, Value>) {
        let Some(usage) = message
            .get("usage")
            .and_then(|u| serde_json::from_value::<Usage>(u.clone()).ok())
        else {
            return;
        };
        let model = message
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if !model.is_empty() && !model.starts_with('<') {
            self.model = Some(model.clone());
        }
        match message.get("id").and_then(Value::as_str) {
            Some(id) => {
                self.usage_by_message.insert(id.to_string(), (model, usage));
            }
            None => self.usage_unkeyed.entry(model).or_default().add(&usage),
        }
    }

    fn convert_system(
        &mut self,
        record: &Map<String, Value>,
        ts: Option<&str>,
    ) -> Option<Vec<Map<String, Value>>> {
        let text = record.get("content").and_then(Value::as_str)?;
        let base = record
            .get("uuid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("L{}", self.line));
        let mut event = new_event(self.ids.claim(&base, self.line), "system.message", ts);
        event.insert("content".into(), text_content(text));
        for key in ["subtype", "level"] {
            if let Some(value) = record.get(key) {
                event.insert(key.into(), value.clone());
            }
        }
        Some(vec![event])
    }

    fn convert_title(
        &mut self,
        record: &Map<String, Value>,
        key: &str,
        ts: Option<&str>,
    ) -> Option<Vec<Map<String, Value>>> {
        let title = record.get(key).and_then(Value::as_str)?.trim().to_string();
        if title.is_empty() {
            return None;
        }
        if key == "customTitle" {
            self.custom_title = Some(title.clone());
        } else {
            self.summary_title = Some(title.clone());
        }
        let base = format!("L{}", self.line);
        let mut event = new_event(self.ids.claim(&base, self.line), "session.updated", ts);
        event.insert("title".into(), Value::String(title));
        event.insert(
            "claude_code_record".into(),
            json!(record.get("type").cloned()),
        );
        Some(vec![event])
    }

    /// A record this adapter does not map: kept whole under `raw`.
    fn raw_event(
        &mut self,
        kind: &str,
        record: &Map<String, Value>,
        ts: Option<&str>,
    ) -> Map<String, Value> {
        let base = record
            .get("uuid")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("L{}", self.line));
        let label = if kind.is_empty() { "unknown" } else { kind };
        let mut event = new_event(
            self.ids.claim(&base, self.line),
            &format!("claude_code.{label}"),
            ts,
        );
        event.insert("raw".into(), Value::Object(record.clone()));
        event
    }

    fn title(&self) -> Option<String> {
        let subagent = self.parent_id.is_some() || self.parent_from_records;
        self.custom_title
            .clone()
            .or_else(|| self.summary_title.clone())
            .or_else(|| subagent.then(|| self.first_prompt.clone()).flatten())
    }

    fn usage_by_model(&self) -> BTreeMap<String, Usage> {
        let mut by_model = self.usage_unkeyed.clone();
        for (model, usage) in self.usage_by_message.values() {
            by_model.entry(model.clone()).or_default().add(usage);
        }
        by_model
    }
}

impl TranscriptConverter for ClaudeCodeConverter {
    fn next_line(&mut self) {
        self.line += 1;
    }

    fn convert_record(&mut self, record: Map<String, Value>) -> Vec<Map<String, Value>> {
        let (kind, timestamp) = events::kind_and_time(&record);
        self.note_context(&record);
        let ts = timestamp.as_deref();
        let converted = match kind.as_str() {
            "user" | "assistant" => self.convert_message(&kind, &record, ts),
            "system" => self.convert_system(&record, ts),
            "summary" => self.convert_title(&record, "summary", ts),
            "custom-title" => self.convert_title(&record, "customTitle", ts),
            _ => None,
        };
        let events = converted.unwrap_or_else(|| vec![self.raw_event(&kind, &record, ts)]);
        if !events.is_empty() && matches!(kind.as_str(), "user" | "assistant" | "system") {
            self.activity.saw_time(ts);
        }
        events
    }

    fn session_doc(&self, now: Timestamp) -> Map<String, Value> {
        let mut extra = Map::new();
        if let Some(version) = &self.version {
            extra.insert("claude_code_version".into(), json!(version));
        }
        if let Some(branch) = &self.git_branch {
            extra.insert("git_branch".into(), json!(branch));
        }
        if let Some(model) = &self.model {
            extra.insert("model".into(), json!(model));
        }
        let by_model = self.usage_by_model();
        let mut usage = Usage::default();
        by_model.values().for_each(|u| usage.add(u));
        build_doc(
            DocParts {
                id: &self.session_id,
                source: SOURCE,
                agent: AGENT,
                title: self.title(),
                parent_id: self.parent_id.clone(),
                cwd: self.cwd.as_deref(),
                transcript: &self.transcript,
                usage: &usage,
                usage_by_model: &by_model,
                activity: &self.activity,
                extra_metadata: extra,
            },
            now,
        )
    }
}

#[cfg(test)]
mod tests;
