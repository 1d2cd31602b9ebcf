//! What one event contributes to a journal summary, worked out without the
//! summary. Building it is the costly part of folding a decoded event, so it
//! can happen on any thread; `JournalSummary::apply_prepared` then folds it
//! in journal order. Every fold goes through it, so there is one path.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::{Event, ProcessedAt};
use super::event_type::EventType;
use super::line::RawHead;
use super::open_request::WrittenRequest;
use super::pending::RequestRecord;
use super::plan::PlanTools;
use super::time::Timestamp;

/// An answer to a request: who decided what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRecord {
    pub event_id: String,
    pub answer_type: EventType,
    pub result: Option<String>,
    pub redirect: bool,
    pub decided_by: Option<String>,
    pub created_at: Option<Timestamp>,
}

/// One mark on the timeline (status changes, errors, requests, decisions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub at: Timestamp,
    pub event_id: String,
    pub kind: EventType,
    /// `session.error`'s `error.type`, or `session.status_idle`'s stop reason.
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PreparedEvent {
    pub(super) id: String,
    pub(super) kind: EventType,
    pub(super) created_at: Option<Timestamp>,
    pub(super) processed_at: ProcessedAt,
    pub(super) role: Role,
    /// The timeline mark, for notable events and requests.
    pub(super) mark: Option<Mark>,
}

#[derive(Debug, Clone)]
pub(super) enum Role {
    /// A request; its plan revision is numbered when folded, in order.
    Request {
        record: Box<RequestRecord>,
        plan_group: Option<Option<String>>,
    },
    /// A request kept as written until something reads it.
    WrittenRequest {
        request: WrittenRequest,
        plan_group: Option<Option<String>>,
    },
    Answer {
        request_id: String,
        record: AnswerRecord,
    },
    /// A `session.status_idle` listing requests as `requires_action`.
    Listing {
        ids: Vec<String>,
    },
    Other,
}

impl PreparedEvent {
    /// Prepares a request from its head alone, kept as its line until
    /// something reads it (most tool uses never are). Only for a line
    /// `within_decoder_limits` whose head decoded: the full decoder would
    /// give the same event, so the same request.
    pub fn written_request(
        head: &RawHead<'_>,
        kind: EventType,
        line: &[u8],
        plan_tools: &PlanTools,
    ) -> Self {
        debug_assert!(kind.is_request());
        let event = head.to_head(kind);
        let id = event.id.to_string();
        Self {
            mark: mark(event.created_at, &id, &event.kind, None),
            role: Role::WrittenRequest {
                request: WrittenRequest::new(line, event.kind.clone()),
                plan_group: plan_tools.plan_group_of_head(head),
            },
            id,
            kind: event.kind,
            created_at: event.created_at,
            processed_at: event.processed_at,
        }
    }

    /// Prepares a decoded event.
    pub fn new(event: &Event, plan_tools: &PlanTools) -> Self {
        let role = if event.kind.is_request() {
            Role::Request {
                record: Box::new(RequestRecord::from_event(event)),
                plan_group: plan_tools.plan_group(event),
            }
        } else if event.kind.is_answer() {
            match event.answered_request_id() {
                Some(request_id) => Role::Answer {
                    request_id: request_id.to_string(),
                    record: AnswerRecord {
                        event_id: event.id.clone(),
                        answer_type: event.kind.clone(),
                        result: event.str_field("result").map(str::to_string),
                        redirect: event.body.get("redirect") == Some(&Value::Bool(true)),
                        decided_by: event.str_field("decided_by").map(str::to_string),
                        created_at: event.created_at,
                    },
                },
                None => Role::Other,
            }
        } else if event.kind == EventType::SessionStatusIdle {
            Role::Listing {
                ids: event.requires_action_ids(),
            }
        } else {
            Role::Other
        };
        Self {
            id: event.id.clone(),
            kind: event.kind.clone(),
            created_at: event.created_at,
            processed_at: event.processed_at.clone(),
            role,
            mark: mark_for(event),
        }
    }
}

/// Status changes, errors and interrupts: the marks a timeline shows.
pub(super) fn is_notable(kind: &EventType) -> bool {
    matches!(
        kind,
        EventType::SessionError
            | EventType::SessionStatusRescheduled
            | EventType::SessionStatusRunning
            | EventType::SessionStatusIdle
            | EventType::SessionStatusTerminated
            | EventType::UserToolConfirmation
            | EventType::UserCustomToolResult
            | EventType::UserInterrupt
    )
}

/// The timeline mark of a notable event or a request with a time.
fn mark_for(event: &Event) -> Option<Mark> {
    if !(is_notable(&event.kind) || event.kind.is_request()) {
        return None;
    }
    // Nothing to mark without a time: skip working out the detail.
    event.created_at?;
    let detail = match event.kind {
        EventType::SessionError => Some(
            event
                .body
                .get("error")
                .and_then(|e| e.get("type"))
                .and_then(|t| t.as_str())
                .unwrap_or("error")
                .to_string(),
        ),
        // The timeline tells an idle that waits on a human from one that does not.
        EventType::SessionStatusIdle => event.stop_reason().map(|r| r.kind),
        _ => None,
    };
    mark(event.created_at, &event.id, &event.kind, detail)
}

/// A timeline mark, for an event with a time.
fn mark(at: Option<Timestamp>, id: &str, kind: &EventType, detail: Option<String>) -> Option<Mark> {
    Some(Mark {
        at: at?,
        event_id: id.to_string(),
        kind: kind.clone(),
        detail,
    })
}
