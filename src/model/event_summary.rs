//! One readable line per event: what a list row shows.

use serde_json::Value;

use super::event::Event;
use super::event_type::EventType;

const MAX_SUMMARY_CHARS: usize = 240;

impl Event {
    /// A one-line plain-text summary of the event's content, for lists.
    /// The text is untrusted: front ends must sanitise it before display.
    pub fn summary(&self) -> String {
        summarize(self)
    }
}

/// Summarises an event's content in one line (untrusted text, unsanitised).
pub fn summarize(event: &Event) -> String {
    if let Some(reason) = &event.undecodable {
        return truncate_chars(
            &format!("(body not decodable: {reason})"),
            MAX_SUMMARY_CHARS,
        );
    }
    let body = &event.body;
    let text = match &event.kind {
        EventType::UserMessage
        | EventType::AgentMessage
        | EventType::AgentThinking
        | EventType::SystemMessage
        | EventType::AgentThreadMessageSent
        | EventType::AgentThreadMessageReceived => content_text(body.get("content"))
            .or_else(|| {
                body.get("thinking")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| body.get("text").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default(),
        EventType::AgentToolUse | EventType::AgentMcpToolUse | EventType::AgentCustomToolUse => {
            let name = event.name().unwrap_or("?");
            format!("{name} {}", compact_input(event.input()))
        }
        EventType::AgentToolResult | EventType::AgentMcpToolResult | EventType::UserToolResult => {
            let target = event.str_field("tool_use_id").unwrap_or("");
            let error = if body.get("is_error") == Some(&Value::Bool(true)) {
                "error "
            } else {
                ""
            };
            let content = content_text(body.get("content")).unwrap_or_default();
            format!("{error}→{target} {content}")
        }
        EventType::UserToolConfirmation => {
            let result = event.str_field("result").unwrap_or("?");
            let redirect = body.get("redirect") == Some(&Value::Bool(true));
            let verb = if redirect { "redirect" } else { result };
            let target = event.str_field("tool_use_id").unwrap_or("?");
            let by = event.str_field("decided_by").unwrap_or("");
            let message = event.str_field("deny_message").unwrap_or("");
            format!("{verb} {target} by {by} {message}")
        }
        EventType::UserCustomToolResult => {
            let target = event.str_field("custom_tool_use_id").unwrap_or("?");
            let content = content_text(body.get("content")).unwrap_or_default();
            format!("answer {target}: {content}")
        }
        EventType::SessionStatusIdle | EventType::SessionStatusTerminated => {
            match event.stop_reason() {
                Some(reason) if reason.event_ids.is_empty() => reason.kind,
                Some(reason) => format!("{} {}", reason.kind, reason.event_ids.join(",")),
                None => String::new(),
            }
        }
        EventType::SessionError => {
            let error = body.get("error");
            let kind = error
                .and_then(|e| e.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("error");
            let message = error
                .and_then(|e| e.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let retry = error
                .and_then(|e| e.get("retry_status"))
                .and_then(|r| r.get("type"))
                .and_then(Value::as_str)
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            format!("{kind}{retry} {message}")
        }
        EventType::SessionUsage => {
            let usage = body.get("usage").unwrap_or(&Value::Null);
            let input = usage
                .get("input_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let output = usage
                .get("output_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            format!("in {input} out {output}")
        }
        _ => {
            let mut rest = body.clone();
            for key in ["id", "type", "created_at", "processed_at"] {
                rest.shift_remove(key);
            }
            if rest.is_empty() {
                String::new()
            } else {
                compact_input(&Value::Object(rest))
            }
        }
    };
    truncate_chars(&flatten_whitespace(&text), MAX_SUMMARY_CHARS)
}

/// Joins the text of content blocks (`[{"type":"text","text":…}]` or a string).
pub fn content_text(content: Option<&Value>) -> Option<String> {
    match content? {
        Value::String(s) => Some(s.clone()),
        Value::Array(blocks) => {
            let parts: Vec<&str> = blocks
                .iter()
                .filter_map(|b| {
                    b.get("text")
                        .or_else(|| b.get("thinking"))
                        .and_then(Value::as_str)
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        _ => None,
    }
}

fn compact_input(input: &Value) -> String {
    if let Some(command) = input.get("command").and_then(Value::as_str) {
        return command.to_string();
    }
    if let Some(plan) = input.get("plan").and_then(Value::as_str) {
        return plan
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
    }
    serde_json::to_string(input).unwrap_or_default()
}

/// Runs of spaces and tabs become one space; newlines, carriage returns
/// and every other control stay, for the sanitiser to show (`↵`, `\x0d`):
/// a summary may be short, but it never hides what the text holds.
fn flatten_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.trim_matches([' ', '\t', '\n']).chars() {
        if c == ' ' || c == '\t' {
            if !blank {
                out.push(' ');
            }
            blank = true;
        } else {
            out.push(c);
            blank = false;
        }
    }
    out
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: Value) -> Event {
        Event::from_object(v.as_object().cloned().unwrap()).unwrap()
    }

    #[test]
    fn message_text_is_joined_and_flattened() {
        let e = event(json!({"id":"1","type":"agent.message",
            "content":[{"type":"text","text":"  Looking  at\t\tit\napi/auth.py\r\n"}]}));
        // Newlines and carriage returns stay for the sanitiser to show.
        assert_eq!(summarize(&e), "Looking at it\napi/auth.py\r");
    }

    #[test]
    fn tool_use_shows_command() {
        let e = event(json!({"id":"1","type":"agent.tool_use","name":"bash",
            "input":{"command":"git push origin fix/login"}}));
        assert_eq!(summarize(&e), "bash git push origin fix/login");
    }

    #[test]
    fn confirmation_shows_verdict() {
        let e = event(
            json!({"id":"1","type":"user.tool_confirmation","tool_use_id":"sevt_7",
            "result":"deny","redirect":true,"deny_message":"split it","decided_by":"human:a@b"}),
        );
        assert_eq!(summarize(&e), "redirect sevt_7 by human:a@b split it");
    }

    #[test]
    fn long_text_is_truncated() {
        let e = event(json!({"id":"1","type":"agent.message","content":"x".repeat(1000)}));
        assert_eq!(summarize(&e).chars().count(), MAX_SUMMARY_CHARS + 1);
    }

    #[test]
    fn unknown_event_shows_its_fields() {
        let e = event(json!({"id":"1","type":"x.y","foo":1}));
        assert_eq!(summarize(&e), r#"{"foo":1}"#);
    }
}
