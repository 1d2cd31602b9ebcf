//! Building synthetic contract events: stable ids, common fields, and the
//! raw fallback for records an adapter does not understand.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::model::time::{format_rfc3339, parse_rfc3339};

/// Hands out event ids that are unique within one transcript and the same on
/// every read of it (they depend only on the lines before).
#[derive(Debug, Default)]
pub struct IdAllocator {
    used: HashSet<String>,
}

impl IdAllocator {
    /// `base` if unused, else `base~L<line>`, else `base~L<line>.<n>`.
    pub fn claim(&mut self, base: &str, line: u64) -> String {
        let base = if base.is_empty() { "evt" } else { base };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        let with_line = format!("{base}~L{line}");
        if self.used.insert(with_line.clone()) {
            return with_line;
        }
        let mut n = 2u32;
        loop {
            let candidate = format!("{with_line}.{n}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// A contract event's common fields. `created_at`/`processed_at` are the
/// record's time when it has a valid one (normalised to RFC 3339 UTC), and
/// absent otherwise (absent `processed_at` counts as processed).
pub fn new_event(id: String, kind: &str, timestamp: Option<&str>) -> Map<String, Value> {
    let mut event = Map::new();
    event.insert("id".into(), Value::String(id));
    event.insert("type".into(), Value::String(kind.into()));
    if let Some(time) = timestamp.and_then(parse_rfc3339).map(format_rfc3339) {
        event.insert("created_at".into(), Value::String(time.clone()));
        event.insert("processed_at".into(), Value::String(time));
    }
    event
}

/// A transcript record's `type` (empty when missing) and `timestamp`, owned,
/// so the record can be taken apart afterwards.
pub fn kind_and_time(record: &Map<String, Value>) -> (String, Option<String>) {
    let text = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_string);
    (text("type").unwrap_or_default(), text("timestamp"))
}

/// `[{"type":"text","text":…}]`.
pub fn text_content(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

/// Serialises an event into one journal line.
pub fn to_line(event: Map<String, Value>) -> Vec<u8> {
    // Serialising a Map of Values cannot fail (string keys, finite numbers).
    serde_json::to_vec(&Value::Object(event)).unwrap_or_default()
}

/// The text of a tool result's `content`: a string, or text blocks joined.
pub fn result_content(content: Option<&Value>) -> Value {
    match content {
        Some(Value::String(text)) => text_content(text),
        Some(Value::Array(blocks)) => Value::Array(blocks.clone()),
        Some(Value::Null) | None => json!([]),
        Some(other) => text_content(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_depend_only_on_order() {
        let mut a = IdAllocator::default();
        assert_eq!(a.claim("u1", 1), "u1");
        assert_eq!(a.claim("u1", 7), "u1~L7");
        assert_eq!(a.claim("u1", 7), "u1~L7.2");
        assert_eq!(a.claim("", 3), "evt");
        let mut b = IdAllocator::default();
        assert_eq!(b.claim("u1", 1), "u1");
        assert_eq!(b.claim("u1", 7), "u1~L7");
    }

    #[test]
    fn times_are_normalised_or_left_out() {
        let e = new_event(
            "a".into(),
            "user.message",
            Some("2025-06-14T10:00:00.123+02:00"),
        );
        assert_eq!(e["created_at"], "2025-06-14T08:00:00.123Z");
        assert_eq!(e["processed_at"], e["created_at"]);
        let e = new_event("a".into(), "user.message", Some("yesterday"));
        assert!(!e.contains_key("created_at") && !e.contains_key("processed_at"));
    }
}
