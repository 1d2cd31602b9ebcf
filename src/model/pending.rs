//! Pending requests: what waits on a human, with its fingerprint.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::Event;
use super::event_type::EventType;
use super::fingerprint::fingerprint_parts;
use super::line::RawHead;
use super::raw_json::RawJson;
use super::time::Timestamp;

/// What kind of answer a pending request needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestKind {
    ToolConfirmation,
    CustomToolResult,
    Plan,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToolConfirmation => "tool_confirmation",
            Self::CustomToolResult => "custom_tool_result",
            Self::Plan => "plan",
        }
    }

    /// Short label for list rows.
    pub fn label(self) -> &'static str {
        match self {
            Self::ToolConfirmation => "tool",
            Self::CustomToolResult => "custom",
            Self::Plan => "plan",
        }
    }
}

/// Where a plan request stands among its plan's revisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRevision {
    pub plan_id: Option<String>,
    pub revision: u32,
}

/// A request event, reduced to what deciding and listing need.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub event_id: String,
    pub event_type: EventType,
    pub name: Value,
    /// As written: most requests are never listed, so never read.
    pub input: RawJson,
    /// The fingerprint recomputed from the journal.
    pub fingerprint: String,
    /// The fingerprint the runtime stored on the event, if any.
    pub stored_fingerprint: Option<String>,
    pub created_at: Option<Timestamp>,
    pub created_at_text: Option<String>,
    pub plan: Option<PlanRevision>,
}

impl RequestRecord {
    /// A request event, decoded.
    pub fn from_event(event: &Event) -> Self {
        Self {
            event_id: event.id.clone(),
            event_type: event.kind.clone(),
            name: event.body.get("name").cloned().unwrap_or(Value::Null),
            input: RawJson::from_value(event.input()),
            // Computed when the request is listed: most tool uses never are.
            fingerprint: String::new(),
            // An undecodable request can never match: its content is unverifiable.
            stored_fingerprint: match &event.undecodable {
                Some(_) => Some("undecodable".into()),
                None => event.str_field("fingerprint").map(str::to_string),
            },
            created_at: event.created_at,
            created_at_text: event.created_at_text().map(str::to_string),
            plan: None,
        }
    }

    /// A request from its line's head alone, its `input` kept as written.
    /// Only for a line the full decoder would read the same (see
    /// `PreparedEvent::request_from_head`).
    pub fn from_head(head: &RawHead<'_>, kind: EventType) -> Self {
        let event = head.to_head(kind);
        Self {
            event_id: event.id.to_string(),
            event_type: event.kind,
            name: head.name(),
            input: head.input().map_or_else(RawJson::null, RawJson::from_text),
            fingerprint: String::new(),
            stored_fingerprint: head.stored_fingerprint(),
            created_at: event.created_at,
            created_at_text: head.created_at_text().map(str::to_string),
            plan: None,
        }
    }

    /// A request whose line no longer decodes: nothing can match it.
    pub fn unreadable(kind: EventType) -> Self {
        Self {
            event_id: String::new(),
            event_type: kind,
            name: Value::Null,
            input: RawJson::null(),
            fingerprint: String::new(),
            stored_fingerprint: Some("undecodable".into()),
            created_at: None,
            created_at_text: None,
            plan: None,
        }
    }

    /// Computes the fingerprint from the request as it stands, once.
    pub fn ensure_fingerprint(&mut self, session_id: &str) {
        if self.fingerprint.is_empty() {
            self.fingerprint = fingerprint_parts(
                session_id,
                &self.event_id,
                self.event_type.as_str(),
                &self.name,
                &self.input.to_value(),
            );
        }
    }

    /// A stored fingerprint that differs from the recomputed one.
    pub fn is_tampered(&self) -> bool {
        !self.fingerprint.is_empty()
            && self
                .stored_fingerprint
                .as_deref()
                .is_some_and(|stored| stored != self.fingerprint)
    }

    pub fn kind(&self) -> RequestKind {
        if self.plan.is_some() {
            RequestKind::Plan
        } else if self.event_type == EventType::AgentCustomToolUse {
            RequestKind::CustomToolResult
        } else {
            RequestKind::ToolConfirmation
        }
    }

    pub fn name_text(&self) -> &str {
        self.name.as_str().unwrap_or("")
    }
}

/// A request that is pending: listed by a `requires_action` idle event and
/// not answered anywhere in the journal.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRequest {
    pub session_id: String,
    pub request: RequestRecord,
    /// `created_at` of the first idle event that listed it (else the request's).
    pub pending_since: Option<Timestamp>,
    /// The idle event that first listed it.
    pub listed_by: Option<String>,
}

impl PendingRequest {
    pub fn kind(&self) -> RequestKind {
        self.request.kind()
    }

    pub fn event_id(&self) -> &str {
        &self.request.event_id
    }
}
