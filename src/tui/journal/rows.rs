//! One journal line made into a stream row: decoded, summarised, sanitised.
//! Runs for the visible window only, when it is loaded, never in render.

use crate::model::event_type::EventType;
use crate::model::line::{LineParse, parse_line};
use crate::sanitize::sanitize_line;
use crate::tui::state::{RowClass, StreamRow};
use crate::views::{shown_malformed, shown_summary};

const MAX_MALFORMED_PREVIEW: usize = 200;

pub fn decode_row(line: usize, bytes: &[u8]) -> StreamRow {
    match parse_line(bytes) {
        LineParse::Blank => StreamRow {
            line,
            id: None,
            time: String::new(),
            kind: "(blank line)".into(),
            class: RowClass::Blank,
            summary: String::new(),
        },
        LineParse::Malformed(reason) => StreamRow {
            line,
            id: None,
            time: String::new(),
            kind: "MALFORMED".into(),
            class: RowClass::Malformed,
            summary: shown_malformed(&reason, bytes, MAX_MALFORMED_PREVIEW),
        },
        LineParse::Event(event) => StreamRow {
            line,
            id: Some(event.id.clone()),
            time: event
                .created_at
                .map(|t| t.format("%H:%M:%S").to_string())
                .unwrap_or_else(|| "--:--:--".into()),
            kind: sanitize_line(event.kind.as_str()),
            class: class_of(&event.kind, &event),
            summary: shown_summary(&event),
        },
    }
}

fn class_of(kind: &EventType, event: &crate::model::Event) -> RowClass {
    if kind.is_request() {
        return RowClass::Request;
    }
    if kind.is_answer() {
        return RowClass::Answer;
    }
    match kind {
        EventType::SessionError => RowClass::Error,
        EventType::AgentToolResult | EventType::AgentMcpToolResult | EventType::UserToolResult
            if event.body.get("is_error") == Some(&serde_json::Value::Bool(true)) =>
        {
            RowClass::Error
        }
        EventType::AgentToolResult | EventType::AgentMcpToolResult | EventType::UserToolResult => {
            RowClass::Tool
        }
        k if k.family() == "session" => RowClass::Status,
        k if k.is_user() => RowClass::User,
        k if k.family() == "agent" => RowClass::Agent,
        _ => RowClass::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sanitised_and_malformed_lines_say_so() {
        let row = decode_row(
            3,
            br#"{"id":"e","type":"agent.message","created_at":"2026-11-21T09:00:05Z","content":[{"type":"text","text":"hi \u001b]0;pwned\u0007there\u202e"}]}"#,
        );
        assert_eq!(row.time, "09:00:05");
        assert_eq!(row.class, RowClass::Agent);
        assert_eq!(row.summary, "hi ␛]0;pwned\\x07there\\u{202e}");
        let bad = decode_row(4, b"{\"id\":1}");
        assert_eq!(bad.class, RowClass::Malformed);
        assert!(
            bad.summary.starts_with("no string id or type"),
            "{}",
            bad.summary
        );
        assert_eq!(decode_row(5, b"  ").class, RowClass::Blank);
    }
}
