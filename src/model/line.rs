//! Classifies one complete journal line: blank, an event, or malformed.

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::event::{Event, EventHead, ProcessedAt};
use super::event_type::EventType;
use super::time::parse_rfc3339;

/// What one complete (newline-terminated) journal line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum LineParse {
    /// Only white space: neither an event nor malformed.
    Blank,
    Event(Box<Event>),
    /// Not a JSON object with string `id` and `type`; shown, never rewritten.
    Malformed(MalformedReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MalformedReason {
    InvalidUtf8,
    InvalidJson(String),
    NotAnObject,
    MissingIdOrType,
}

impl std::fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InvalidUtf8 => f.write_str("invalid UTF-8"),
            Self::InvalidJson(e) => write!(f, "invalid JSON: {e}"),
            Self::NotAnObject => f.write_str("not a JSON object"),
            Self::MissingIdOrType => f.write_str("no string id or type"),
        }
    }
}

/// Parses a line without its trailing `\n`. Never panics, whatever the bytes.
pub fn parse_line(bytes: &[u8]) -> LineParse {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return LineParse::Blank;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return LineParse::Malformed(MalformedReason::InvalidUtf8),
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => object_to_event(map),
        Ok(_) => LineParse::Malformed(MalformedReason::NotAnObject),
        Err(e) => match parse_head(bytes) {
            // Valid JSON past the decoder's limits: an event, flagged.
            Some(head) => LineParse::Event(Box::new(head.to_undecodable_event(e.to_string()))),
            None => LineParse::Malformed(MalformedReason::InvalidJson(e.to_string())),
        },
    }
}

fn object_to_event(map: Map<String, Value>) -> LineParse {
    match Event::from_object(map) {
        Some(event) => LineParse::Event(Box::new(event)),
        None => LineParse::Malformed(MalformedReason::MissingIdOrType),
    }
}

/// The head of a well-formed event line, decoded without building the body.
#[derive(Deserialize)]
pub struct RawHead<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    kind: Cow<'a, str>,
    #[serde(borrow, default)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "present_or_null")]
    processed_at: Option<Option<Cow<'a, str>>>,
}

/// `Some(None)` for an explicit `null`, `None` when the field is absent.
fn present_or_null<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<Cow<'de, str>>>, D::Error> {
    Option::<Cow<'de, str>>::deserialize(deserializer).map(Some)
}

impl RawHead<'_> {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> EventType {
        EventType::parse(&self.kind)
    }

    /// An event with only the common fields, for a body the decoder refused.
    fn to_undecodable_event(&self, reason: String) -> Event {
        let mut body = Map::new();
        body.insert("id".into(), Value::String(self.id.to_string()));
        body.insert("type".into(), Value::String(self.kind.to_string()));
        if let Some(at) = &self.created_at {
            body.insert("created_at".into(), Value::String(at.to_string()));
        }
        let head = self.to_head(self.kind());
        Event {
            id: self.id.to_string(),
            kind: head.kind,
            created_at: head.created_at,
            processed_at: head.processed_at,
            body,
            undecodable: Some(reason),
        }
    }

    pub fn to_head(&self, kind: EventType) -> EventHead<'_> {
        EventHead {
            id: &self.id,
            kind,
            created_at: self.created_at.as_deref().and_then(parse_rfc3339),
            processed_at: match &self.processed_at {
                None => ProcessedAt::Absent,
                Some(None) => ProcessedAt::Queued,
                Some(Some(_)) => ProcessedAt::At,
            },
        }
    }
}

/// Decodes only an event line's head. `Some` implies `parse_line` would give
/// an `Event` with the same head; `None` means "decode it fully to know".
pub fn parse_head(bytes: &[u8]) -> Option<RawHead<'_>> {
    // serde_json does not check UTF-8 inside the strings it skips, so the
    // whole line is checked first: invalid UTF-8 anywhere is malformed.
    let text = std::str::from_utf8(bytes).ok()?;
    // A derived struct also accepts a JSON array (fields by position); an
    // event is an object, so anything else is left to the full parse.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// Splits a line's bytes off any trailing `\r` so CRLF journals read cleanly.
pub fn trim_line_end(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_lines() {
        assert_eq!(parse_line(b"   \t"), LineParse::Blank);
        assert_eq!(parse_line(b""), LineParse::Blank);
        assert!(matches!(
            parse_line(br#"{"id":"a","type":"user.message"}"#),
            LineParse::Event(_)
        ));
        assert_eq!(
            parse_line(b"[1,2]"),
            LineParse::Malformed(MalformedReason::NotAnObject)
        );
        assert_eq!(
            parse_line(br#"{"id":"a"}"#),
            LineParse::Malformed(MalformedReason::MissingIdOrType)
        );
        assert_eq!(
            parse_line(b"\xff\xfe"),
            LineParse::Malformed(MalformedReason::InvalidUtf8)
        );
        assert!(matches!(
            parse_line(b"{\"id\":"),
            LineParse::Malformed(MalformedReason::InvalidJson(_))
        ));
    }

    #[test]
    fn head_agrees_with_the_full_parse() {
        let lines: &[&[u8]] = &[
            br#"{"id":"a","type":"agent.message","created_at":"2026-11-21T09:00:00Z","processed_at":null,"content":[1]}"#,
            br#"{"id":"a","type":"user.message","processed_at":"2026-11-21T09:00:00Z"}"#,
            br#"{"type":"x","id":"aA"}"#,
        ];
        for line in lines {
            let head = parse_head(line).unwrap();
            let LineParse::Event(event) = parse_line(line) else {
                panic!()
            };
            assert_eq!(head.to_head(head.kind()), event.head());
        }
        for bad in [
            &br#"{"id":1,"type":"x"}"#[..],
            b"[1]",
            b"{",
            br#"{"id":"a","type":"x"} x"#,
            b"  ",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_malformed_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_line(deep.as_bytes()),
            LineParse::Malformed(_)
        ));
    }

    #[test]
    fn valid_events_past_the_decoders_limits_are_flagged_events() {
        let deep = format!(
            r#"{{"id":"d","type":"agent.tool_use","input":{}1{}}}"#,
            "[".repeat(300),
            "]".repeat(300)
        );
        let huge = r#"{"id":"h","type":"agent.message","n":1e400}"#;
        for line in [deep.as_str(), huge] {
            match parse_line(line.as_bytes()) {
                LineParse::Event(e) => {
                    assert!(e.undecodable.is_some(), "{line}");
                    assert_eq!(e.input(), &Value::Null);
                }
                other => panic!("{other:?}"),
            }
            assert!(parse_head(line.as_bytes()).is_some());
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        match parse_line(br#"{"id":"a","type":"x","id":"b"}"#) {
            LineParse::Event(e) => assert_eq!(e.id, "b"),
            other => panic!("{other:?}"),
        }
    }
}
