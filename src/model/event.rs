//! One decoded journal event: the common fields parsed, the rest kept as JSON.

use serde_json::{Map, Value};

use super::event_type::EventType;
use super::time::{Timestamp, parse_rfc3339};

/// `processed_at`: absent counts as processed; present and `null` is queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessedAt {
    Absent,
    Queued,
    /// Processed; when is never needed, so it is not kept (one allocation
    /// less per line when folding millions of them).
    At,
}

/// The fields every event has: all a summary needs from most events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHead<'a> {
    pub id: &'a str,
    pub kind: EventType,
    pub created_at: Option<Timestamp>,
    pub processed_at: ProcessedAt,
}

/// An event exactly as written, with typed access to the fields Switchboard uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub kind: EventType,
    pub created_at: Option<Timestamp>,
    pub processed_at: ProcessedAt,
    /// The whole object, unknown fields included.
    pub body: Map<String, Value>,
    /// Set when the line is a well-formed event whose body is beyond what the
    /// decoder holds (nesting deeper than its limit, a number out of range):
    /// `body` then has only the common fields, and the event cannot be
    /// approved because its content cannot be verified.
    pub undecodable: Option<String>,
}

impl Event {
    /// Builds an event from a decoded object; `None` unless `id` and `type`
    /// are strings (the contract's definition of a well-formed event).
    pub fn from_object(body: Map<String, Value>) -> Option<Self> {
        let id = body.get("id")?.as_str()?.to_string();
        let kind = EventType::parse(body.get("type")?.as_str()?);
        let created_at = body
            .get("created_at")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339);
        let processed_at = match body.get("processed_at") {
            None => ProcessedAt::Absent,
            Some(Value::Null) => ProcessedAt::Queued,
            Some(Value::String(_)) => ProcessedAt::At,
            Some(_) => ProcessedAt::Absent,
        };
        Some(Self {
            id,
            kind,
            created_at,
            processed_at,
            body,
            undecodable: None,
        })
    }

    pub fn head(&self) -> EventHead<'_> {
        EventHead {
            id: &self.id,
            kind: self.kind.clone(),
            created_at: self.created_at,
            processed_at: self.processed_at.clone(),
        }
    }

    pub fn str_field(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    pub fn created_at_text(&self) -> Option<&str> {
        self.str_field("created_at")
    }

    /// `name` of a tool use.
    pub fn name(&self) -> Option<&str> {
        self.str_field("name")
    }

    /// `input` of a tool use (JSON `null` when absent, as the fingerprint needs).
    pub fn input(&self) -> &Value {
        self.body.get("input").unwrap_or(&Value::Null)
    }

    /// The request id an answer refers to.
    pub fn answered_request_id(&self) -> Option<&str> {
        match self.kind {
            EventType::UserToolConfirmation => self.str_field("tool_use_id"),
            EventType::UserCustomToolResult => self.str_field("custom_tool_use_id"),
            _ => None,
        }
    }

    /// `stop_reason` of a `session.status_idle` or terminated event.
    pub fn stop_reason(&self) -> Option<super::session::StopReason> {
        let value = self.body.get("stop_reason")?;
        serde_json::from_value(value.clone()).ok()
    }

    /// Ids listed by an idle event whose stop reason is `requires_action`.
    pub fn requires_action_ids(&self) -> Vec<String> {
        if self.kind != EventType::SessionStatusIdle {
            return Vec::new();
        }
        match self.stop_reason() {
            Some(reason) if reason.kind == "requires_action" => reason.event_ids,
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn needs_string_id_and_type() {
        assert!(Event::from_object(obj(json!({"id": "a", "type": "x"}))).is_some());
        assert!(Event::from_object(obj(json!({"id": 1, "type": "x"}))).is_none());
        assert!(Event::from_object(obj(json!({"type": "x"}))).is_none());
        assert!(Event::from_object(obj(json!({"id": "a"}))).is_none());
    }

    #[test]
    fn processed_at_states() {
        let queued = Event::from_object(obj(
            json!({"id":"a","type":"user.message","processed_at":null}),
        ))
        .unwrap();
        assert_eq!(queued.processed_at, ProcessedAt::Queued);
        let absent = Event::from_object(obj(json!({"id":"a","type":"user.message"}))).unwrap();
        assert_eq!(absent.processed_at, ProcessedAt::Absent);
    }

    #[test]
    fn requires_action_ids_only_from_idle() {
        let idle = Event::from_object(obj(json!({"id":"e","type":"session.status_idle",
            "stop_reason":{"type":"requires_action","event_ids":["a","b"]}})))
        .unwrap();
        assert_eq!(idle.requires_action_ids(), vec!["a", "b"]);
        let end = Event::from_object(obj(json!({"id":"e","type":"session.status_idle",
            "stop_reason":{"type":"end_turn"}})))
        .unwrap();
        assert!(end.requires_action_ids().is_empty());
    }
}
