//! One content block of a `user` or `assistant` record into one event.

use serde_json::{Map, Value, json};

use super::ClaudeCodeConverter;
use crate::transcripts::events::{new_event, result_content, text_content};

impl ClaudeCodeConverter {
    pub(super) fn convert_block(
        &mut self,
        role: &str,
        base: &str,
        block: &Value,
        ts: Option<&str>,
    ) -> Map<String, Value> {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or("");
        let text = |key: &str| block.get(key).and_then(Value::as_str);
        match (role, kind) {
            ("user", "text") | ("assistant", "text") if text("text").is_some() => {
                let event_type = if role == "user" {
                    "user.message"
                } else {
                    "agent.message"
                };
                let said = text("text").unwrap_or("");
                if role == "user" && self.first_prompt.is_none() {
                    self.first_prompt = Some(said.chars().take(80).collect());
                }
                let mut event = new_event(self.ids.claim(base, self.line), event_type, ts);
                event.insert("content".into(), text_content(said));
                event
            }
            ("assistant", "thinking") => {
                let mut event = new_event(self.ids.claim(base, self.line), "agent.thinking", ts);
                let thinking = text("thinking").unwrap_or("");
                event.insert(
                    "content".into(),
                    json!([{"type": "thinking", "thinking": thinking}]),
                );
                event
            }
            ("assistant", "tool_use") if text("id").is_some() && text("name").is_some() => {
                let tool_id = text("id").unwrap_or("");
                // The tool use's own id is its event id, so the approval
                // bridge and this adapter name the same call the same way.
                let id = self.ids.claim(tool_id, self.line);
                let mut event = new_event(id.clone(), "agent.tool_use", ts);
                event.insert("name".into(), json!(text("name")));
                event.insert(
                    "input".into(),
                    block.get("input").cloned().unwrap_or(Value::Null),
                );
                event.insert("tool_use_id".into(), json!(tool_id));
                self.tool_events.insert(tool_id.to_string(), id.clone());
                self.activity.tool_opened(&id);
                event
            }
            ("user", "tool_result") if text("tool_use_id").is_some() => {
                let tool_id = text("tool_use_id").unwrap_or("");
                let target = self
                    .tool_events
                    .get(tool_id)
                    .cloned()
                    .unwrap_or_else(|| tool_id.to_string());
                let mut event = new_event(self.ids.claim(base, self.line), "agent.tool_result", ts);
                event.insert("tool_use_id".into(), json!(target));
                event.insert("content".into(), result_content(block.get("content")));
                event.insert(
                    "is_error".into(),
                    json!(block.get("is_error") == Some(&Value::Bool(true))),
                );
                self.activity.tool_closed(&target);
                event
            }
            _ => {
                let label = if kind.is_empty() { "block" } else { kind };
                let mut event = new_event(
                    self.ids.claim(base, self.line),
                    &format!("claude_code.{role}.{label}"),
                    ts,
                );
                event.insert("raw".into(), block.clone());
                event
            }
        }
    }
}
