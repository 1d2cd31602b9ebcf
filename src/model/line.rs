//! Classifies one complete journal line: blank, an event, or malformed.

use serde_json::{Map, Value};

use super::event::Event;

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
        Err(e) => LineParse::Malformed(MalformedReason::InvalidJson(e.to_string())),
    }
}

fn object_to_event(map: Map<String, Value>) -> LineParse {
    match Event::from_object(map) {
        Some(event) => LineParse::Event(Box::new(event)),
        None => LineParse::Malformed(MalformedReason::MissingIdOrType),
    }
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
    fn deep_nesting_is_malformed_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(matches!(
            parse_line(deep.as_bytes()),
            LineParse::Malformed(_)
        ));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        match parse_line(br#"{"id":"a","type":"x","id":"b"}"#) {
            LineParse::Event(e) => assert_eq!(e.id, "b"),
            other => panic!("{other:?}"),
        }
    }
}
