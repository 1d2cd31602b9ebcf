//! Writing a decision: the contract's four checks, in order, under the
//! journal's lock, then one durable append.

use std::ops::ControlFlow;
use std::path::Path;

use serde_json::{Value, json};

use super::append::{LockedJournal, new_event};
use super::audit::{AuditEntry, append_audit};
pub use super::decision::{Decision, Verdict};
use super::error::StoreError;
use super::paths;
use crate::model::event::Event;
use crate::model::event_type::EventType;
use crate::model::fingerprint::fingerprint;
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;
use crate::model::time::Timestamp;

/// Why a decision was refused; each maps to a stable exit code.
#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error("session {0} not found under the root")]
    SessionNotFound(String),
    #[error("request {event_id} not found in session {session_id}")]
    RequestNotFound {
        session_id: String,
        event_id: String,
    },
    #[error("request {event_id} was already decided: {answer_id} ({result}) by {decided_by}")]
    AlreadyDecided {
        event_id: String,
        answer_id: String,
        result: String,
        decided_by: String,
    },
    #[error("request {0} is not waiting for a decision (no requires_action stop lists it)")]
    NotPending(String),
    #[error(
        "stale fingerprint for {event_id}: the request is now {current}, not {given}; look at it again and decide on what it is now"
    )]
    Stale {
        event_id: String,
        given: String,
        current: String,
    },
    #[error(
        "request {event_id} was tampered with: its stored fingerprint {stored} differs from its content's {current}; it cannot be approved"
    )]
    Tampered {
        event_id: String,
        stored: String,
        current: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DecideError {
    /// The CLI's exit code: 5 not found, 4 already decided, 3 stale, 2 usage, 1 other.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::SessionNotFound(_) | Self::RequestNotFound { .. } => 5,
            Self::AlreadyDecided { .. } | Self::NotPending(_) => 4,
            Self::Stale { .. } | Self::Tampered { .. } => 3,
            Self::Invalid(_) => 2,
            Self::Store(_) => 1,
        }
    }

    /// A stable machine-readable name for the refusal.
    pub fn code_name(&self) -> &'static str {
        match self {
            Self::SessionNotFound(_) | Self::RequestNotFound { .. } => "not_found",
            Self::AlreadyDecided { .. } | Self::NotPending(_) => "already_decided",
            Self::Stale { .. } => "stale",
            Self::Tampered { .. } => "tampered",
            Self::Invalid(_) => "invalid",
            Self::Store(_) => "io",
        }
    }
}

/// What a request looks like in the journal, as far as deciding goes.
struct RequestState {
    request: Option<Event>,
    listed: bool,
    answers: Vec<Event>,
}

/// Checks and appends a decision. The returned event is what was written.
pub fn decide(
    root: &Path,
    decision: &Decision,
    plan_tools: &PlanTools,
    now: Timestamp,
) -> Result<Value, DecideError> {
    check_shape(decision)?;
    if !paths::is_valid_session_id(&decision.session_id) {
        return Err(DecideError::SessionNotFound(decision.session_id.clone()));
    }
    let dir = root.join(&decision.session_id);
    if !paths::session_file(&dir).is_file() {
        return Err(DecideError::SessionNotFound(decision.session_id.clone()));
    }
    let journal_path = paths::journal(&dir);
    if !journal_path.is_file() {
        return Err(DecideError::RequestNotFound {
            session_id: decision.session_id.clone(),
            event_id: decision.event_id.clone(),
        });
    }
    let mut journal = LockedJournal::open(&journal_path, false)?;
    let state = scan_request(&journal, &decision.event_id)?;
    let request = check_request(decision, state)?;
    let event = decision_event(decision, &request, plan_tools, now)?;
    journal.append_event(&event)?;
    drop(journal);
    let entry = AuditEntry::decision(root, decision, &request, &event, now);
    if let Err(e) = append_audit(&paths::audit_log(), &entry) {
        tracing::warn!("decision written but the audit log failed: {e}");
        eprintln!("warning: decision written, but the audit log could not be written: {e}");
    }
    Ok(event)
}

fn check_shape(decision: &Decision) -> Result<(), DecideError> {
    let message = decision.message.as_deref().map(str::trim).unwrap_or("");
    match decision.verdict {
        Verdict::Allow if decision.message.is_some() => Err(DecideError::Invalid(
            "deny_message is only allowed with result deny; approve takes no message".into(),
        )),
        Verdict::Deny | Verdict::Redirect if message.is_empty() => Err(DecideError::Invalid(
            format!("{} needs a non-empty message", decision.verdict.as_str()),
        )),
        Verdict::Respond if decision.message.is_none() => {
            Err(DecideError::Invalid("respond needs the answer text".into()))
        }
        _ if !decision.fingerprint.starts_with("sha256:") => Err(DecideError::Invalid(format!(
            "fingerprint {:?} is not of the form sha256:<hex>",
            decision.fingerprint
        ))),
        _ => Ok(()),
    }
}

/// Reads only the lines that mention the request id (its event, the idle
/// events listing it, its answers); ids with characters JSON may escape fall
/// back to decoding every line.
fn scan_request(journal: &LockedJournal, event_id: &str) -> Result<RequestState, StoreError> {
    let plain = event_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b));
    let finder = memchr::memmem::Finder::new(event_id.as_bytes());
    let escape = memchr::memmem::Finder::new(b"\\u");
    let mut state = RequestState {
        request: None,
        listed: false,
        answers: Vec::new(),
    };
    journal.for_each_line(|_, line| {
        if plain && finder.find(line).is_none() && escape.find(line).is_none() {
            return ControlFlow::Continue(());
        }
        let LineParse::Event(event) = parse_line(line) else {
            return ControlFlow::Continue(());
        };
        if event.kind.is_request() && event.id == event_id && state.request.is_none() {
            state.request = Some(*event);
        } else if event.answered_request_id() == Some(event_id) {
            state.answers.push(*event);
        } else if event.requires_action_ids().iter().any(|id| id == event_id) {
            state.listed = true;
        }
        ControlFlow::Continue(())
    })?;
    Ok(state)
}

fn check_request(decision: &Decision, state: RequestState) -> Result<Event, DecideError> {
    let Some(request) = state.request else {
        return Err(DecideError::RequestNotFound {
            session_id: decision.session_id.clone(),
            event_id: decision.event_id.clone(),
        });
    };
    let answer_type = request.kind.answer_type();
    if let Some(answer) = state
        .answers
        .iter()
        .find(|a| Some(&a.kind) == answer_type.as_ref())
    {
        return Err(DecideError::AlreadyDecided {
            event_id: decision.event_id.clone(),
            answer_id: answer.id.clone(),
            result: answer_result(answer),
            decided_by: answer
                .str_field("decided_by")
                .unwrap_or("unknown")
                .to_string(),
        });
    }
    if !state.listed {
        return Err(DecideError::NotPending(decision.event_id.clone()));
    }
    if let Some(reason) = &request.undecodable {
        return Err(DecideError::Tampered {
            event_id: decision.event_id.clone(),
            stored: format!("undecodable ({reason})"),
            current: "unverifiable".into(),
        });
    }
    let current = fingerprint(&decision.session_id, &request);
    if decision.fingerprint != current {
        return Err(DecideError::Stale {
            event_id: decision.event_id.clone(),
            given: decision.fingerprint.clone(),
            current,
        });
    }
    if let Some(stored) = request.str_field("fingerprint")
        && stored != current
    {
        return Err(DecideError::Tampered {
            event_id: decision.event_id.clone(),
            stored: stored.to_string(),
            current,
        });
    }
    Ok(request)
}

fn answer_result(answer: &Event) -> String {
    if answer.body.get("redirect") == Some(&Value::Bool(true)) {
        return "redirect".into();
    }
    answer
        .str_field("result")
        .map(str::to_string)
        .unwrap_or_else(|| "answered".into())
}

/// Builds the answer event for the request's type.
fn decision_event(
    decision: &Decision,
    request: &Event,
    plan_tools: &PlanTools,
    now: Timestamp,
) -> Result<Value, DecideError> {
    let is_plan = plan_tools.plan_group(request).is_some();
    let message = decision.message.clone().unwrap_or_default();
    let mut event = match request.kind {
        EventType::AgentToolUse | EventType::AgentMcpToolUse => {
            if decision.verdict == Verdict::Respond {
                return Err(DecideError::Invalid(format!(
                    "{} is a {} and needs approve, deny or redirect, not respond",
                    decision.event_id, request.kind
                )));
            }
            let mut event = new_event("user.tool_confirmation", now, true);
            event.insert("tool_use_id".into(), json!(decision.event_id));
            event
        }
        EventType::AgentCustomToolUse => {
            if decision.verdict == Verdict::Allow && !is_plan {
                return Err(DecideError::Invalid(format!(
                    "{} is a custom tool use: answer it with respond --text",
                    decision.event_id
                )));
            }
            let mut event = new_event("user.custom_tool_result", now, true);
            event.insert("custom_tool_use_id".into(), json!(decision.event_id));
            let text = match decision.verdict {
                Verdict::Allow => "Plan approved.".to_string(),
                _ => message.clone(),
            };
            event.insert("content".into(), json!([{"type": "text", "text": text}]));
            event.insert(
                "is_error".into(),
                json!(decision.verdict == Verdict::Deny && !is_plan),
            );
            event
        }
        _ => {
            return Err(DecideError::RequestNotFound {
                session_id: decision.session_id.clone(),
                event_id: decision.event_id.clone(),
            });
        }
    };
    match decision.verdict {
        Verdict::Allow => {
            event.insert("result".into(), json!("allow"));
        }
        Verdict::Deny => {
            event.insert("result".into(), json!("deny"));
            event.insert("deny_message".into(), json!(message));
        }
        Verdict::Redirect => {
            event.insert("result".into(), json!("deny"));
            event.insert("redirect".into(), json!(true));
            event.insert("deny_message".into(), json!(message));
        }
        Verdict::Respond => {}
    }
    event.insert("fingerprint".into(), json!(decision.fingerprint));
    event.insert("decided_by".into(), json!(decision.decided_by));
    Ok(Value::Object(event))
}

#[cfg(test)]
mod tests;
