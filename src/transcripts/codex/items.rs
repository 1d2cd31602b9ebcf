//! `response_item` and `event_msg` payloads into events.

use serde_json::{Map, Value, json};

use super::CodexConverter;
use crate::model::session::Usage;
use crate::transcripts::events::{result_content, text_content};
use crate::transcripts::inference::Phase;

/// User-role messages Codex injects itself (not typed by the user).
const INJECTED_PREFIXES: [&str; 3] = [
    "<environment_context>",
    "<user_instructions>",
    "# AGENTS.md instructions",
];

type Events = Option<Vec<Map<String, Value>>>;

impl CodexConverter {
    pub(super) fn response_item(&mut self, p: &Map<String, Value>, ts: Option<&str>) -> Events {
        let text = |key: &str| p.get(key).and_then(Value::as_str);
        match text("type")? {
            "message" => {
                let said = message_text(p.get("content"))?;
                let role = text("role").unwrap_or("");
                Some(self.message(role, &said, ts))
            }
            "reasoning" => {
                let summary = reasoning_text(p);
                if summary.is_empty() || !self.first_saying("reasoning", &summary) {
                    return Some(Vec::new());
                }
                let mut event = self.event("agent.thinking", ts);
                event.insert(
                    "content".into(),
                    json!([{"type": "thinking", "thinking": summary}]),
                );
                Some(vec![event])
            }
            "function_call" => {
                let arguments = text("arguments").unwrap_or("");
                let input = serde_json::from_str::<Value>(arguments)
                    .unwrap_or_else(|_| json!({ "arguments": arguments }));
                self.tool_use(text("call_id")?, text("name")?, input, ts)
            }
            "custom_tool_call" => {
                let input = json!({ "input": p.get("input").cloned().unwrap_or(Value::Null) });
                self.tool_use(text("call_id")?, text("name")?, input, ts)
            }
            "local_shell_call" => {
                let call_id = text("call_id").or_else(|| text("id"))?;
                let input = p.get("action").cloned().unwrap_or(Value::Null);
                self.tool_use(call_id, "local_shell", input, ts)
            }
            "function_call_output" | "custom_tool_call_output" => {
                let call_id = text("call_id")?;
                let target = self
                    .calls
                    .get(call_id)
                    .cloned()
                    .unwrap_or_else(|| call_id.to_string());
                let (content, is_error) = tool_output(p.get("output"));
                let mut event = self.event("agent.tool_result", ts);
                event.insert("tool_use_id".into(), json!(target));
                event.insert("content".into(), content);
                event.insert("is_error".into(), json!(is_error));
                self.activity.tool_closed(&target);
                Some(vec![event])
            }
            _ => None,
        }
    }

    fn message(&mut self, role: &str, said: &str, ts: Option<&str>) -> Vec<Map<String, Value>> {
        let (kind, key) = match role {
            "user"
                if INJECTED_PREFIXES
                    .iter()
                    .any(|p| said.trim_start().starts_with(p)) =>
            {
                ("system.message", "system")
            }
            "user" => ("user.message", "user"),
            "assistant" => ("agent.message", "assistant"),
            _ => ("system.message", "system"),
        };
        match kind {
            "user.message" => self.set_turn_phase(Phase::Working),
            "agent.message" => self.set_turn_phase(Phase::TurnEnded),
            _ => {}
        }
        if key != "system" && !self.first_saying(key, said) {
            return Vec::new();
        }
        let mut event = self.event(kind, ts);
        event.insert("content".into(), text_content(said));
        if kind == "system.message" && role != "user" {
            event.insert("role".into(), json!(role));
        }
        vec![event]
    }

    fn tool_use(&mut self, call_id: &str, name: &str, input: Value, ts: Option<&str>) -> Events {
        let id = self.ids.claim(call_id, self.line);
        let mut event = crate::transcripts::events::new_event(id.clone(), "agent.tool_use", ts);
        event.insert("name".into(), json!(name));
        event.insert("input".into(), input);
        event.insert("tool_use_id".into(), json!(call_id));
        self.calls.insert(call_id.to_string(), id.clone());
        self.activity.tool_opened(&id);
        Some(vec![event])
    }

    pub(super) fn event_msg(&mut self, p: &Map<String, Value>, ts: Option<&str>) -> Events {
        let text = |key: &str| p.get(key).and_then(Value::as_str);
        match text("type")? {
            "user_message" => Some(self.message("user", text("message")?, ts)),
            "agent_message" => Some(self.message("assistant", text("message")?, ts)),
            "agent_reasoning" => {
                let said = text("text")?;
                if !self.first_saying("reasoning", said) {
                    return Some(Vec::new());
                }
                let mut event = self.event("agent.thinking", ts);
                event.insert(
                    "content".into(),
                    json!([{"type": "thinking", "thinking": said}]),
                );
                Some(vec![event])
            }
            "token_count" => {
                let total = p.get("info")?.get("total_token_usage")?;
                let count = |key: &str| total.get(key).and_then(Value::as_u64).unwrap_or(0);
                // Codex's own totals: cached input is part of input_tokens.
                let total = Usage {
                    input_tokens: count("input_tokens"),
                    output_tokens: count("output_tokens"),
                    cache_creation_input_tokens: 0,
                    cache_read_input_tokens: count("cached_input_tokens"),
                    input_includes_cache_read: true,
                };
                let grown = |now: u64, before: u64| now.saturating_sub(before);
                let delta = Usage {
                    input_tokens: grown(total.input_tokens, self.usage.input_tokens),
                    output_tokens: grown(total.output_tokens, self.usage.output_tokens),
                    cache_creation_input_tokens: 0,
                    cache_read_input_tokens: grown(
                        total.cache_read_input_tokens,
                        self.usage.cache_read_input_tokens,
                    ),
                    input_includes_cache_read: true,
                };
                let model = self.model.clone().unwrap_or_default();
                self.usage_by_model.entry(model).or_default().add(&delta);
                self.usage = total;
                let mut event = self.event("session.usage", ts);
                event.insert("usage".into(), json!(self.usage));
                event.insert("token_count".into(), Value::Object(p.clone()));
                Some(vec![event])
            }
            "task_started" | "turn_started" => {
                self.said_this_turn.clear();
                self.set_turn_phase(Phase::Working);
                Some(vec![self.event("session.status_running", ts)])
            }
            "task_complete" | "turn_complete" => {
                self.set_turn_phase(Phase::TurnEnded);
                let mut event = self.event("session.status_idle", ts);
                event.insert("stop_reason".into(), json!({"type": "end_turn"}));
                Some(vec![event])
            }
            "turn_aborted" => {
                self.set_turn_phase(Phase::TurnEnded);
                let mut event = self.event("user.interrupt", ts);
                if let Some(reason) = p.get("reason") {
                    event.insert("reason".into(), reason.clone());
                }
                Some(vec![event])
            }
            "error" => {
                let mut event = self.event("session.error", ts);
                event.insert(
                    "error".into(),
                    json!({"type": "codex_error", "message": text("message").unwrap_or("")}),
                );
                Some(vec![event])
            }
            "thread_name_updated" | "session_name_updated" => {
                let name = text("thread_name").or_else(|| text("name"))?;
                self.thread_name = Some(name.to_string());
                let mut event = self.event("session.updated", ts);
                event.insert("title".into(), json!(name));
                Some(vec![event])
            }
            _ => None,
        }
    }
}

/// The text of a `message`'s content items (`input_text`, `output_text`, …).
fn message_text(content: Option<&Value>) -> Option<String> {
    match content? {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => {
            let parts: Vec<&str> = items
                .iter()
                .filter_map(|i| i.get("text").and_then(Value::as_str))
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n"))
        }
        _ => None,
    }
}

/// A reasoning item's readable text: its summary, else its plain content.
fn reasoning_text(p: &Map<String, Value>) -> String {
    let texts = |key: &str| -> Vec<String> {
        p.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| i.get("text").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let summary = texts("summary");
    if summary.is_empty() {
        texts("content").join("\n")
    } else {
        summary.join("\n")
    }
}

/// A tool output: a string, `{"content", "success"}`, or content items.
fn tool_output(output: Option<&Value>) -> (Value, bool) {
    match output {
        Some(Value::Object(o)) => {
            let failed = o.get("success") == Some(&Value::Bool(false));
            (result_content(o.get("content")), failed)
        }
        Some(other) => (result_content(Some(other)), false),
        None => (json!([]), false),
    }
}
