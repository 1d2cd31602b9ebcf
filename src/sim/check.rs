//! How the simulated agent checks a decision before honouring it: the
//! contract's "Deciding" checks, in order, against the journal as it stood
//! just before the answer (the first answer in the journal wins).

use serde_json::Value;

use crate::model::event::Event;
use crate::model::event_summary::content_text;
use crate::model::event_type::EventType;
use crate::model::summary::JournalSummary;

/// What a valid decision tells the agent to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny {
        message: String,
    },
    Redirect {
        message: String,
    },
    /// The answer to a custom tool use that is not a plan.
    Respond {
        text: String,
        is_error: bool,
    },
}

/// A decision that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub answer_id: String,
    pub request_id: String,
    pub verdict: Verdict,
    pub decided_by: String,
}

/// Why a decision is void; the agent writes this back as a `system.message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotFound,
    AlreadyDecided {
        first_answer: String,
    },
    NotPending,
    Stale {
        given: Option<String>,
        current: String,
    },
    Tampered {
        stored: String,
        current: String,
    },
    Invalid(String),
}

impl Refusal {
    /// A stable name, as the CLI's error codes use.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::AlreadyDecided { .. } | Self::NotPending => "already_decided",
            Self::Stale { .. } => "stale",
            Self::Tampered { .. } => "tampered",
            Self::Invalid(_) => "invalid",
        }
    }

    /// One sentence saying why the decision was ignored.
    pub fn explain(&self) -> String {
        match self {
            Self::NotFound => "no request with that id and type exists in this session".into(),
            Self::AlreadyDecided { first_answer } => {
                format!("the request was already decided by {first_answer}; the first answer wins")
            }
            Self::NotPending => "the request is not waiting for a decision".into(),
            Self::Stale {
                given: Some(given),
                current,
            } => format!(
                "stale fingerprint: the decision was made for {given}, the request is {current}"
            ),
            Self::Stale {
                given: None,
                current,
            } => format!("the decision carries no fingerprint; the request is {current}"),
            Self::Tampered { stored, current } => format!(
                "the request was tampered with: its stored fingerprint {stored} differs from its content's {current}"
            ),
            Self::Invalid(why) => why.clone(),
        }
    }
}

/// Checks one answer event against the journal folded up to (not including)
/// it. `Err` carries the request id the answer names, when it names one.
pub fn check_answer(
    summary: &JournalSummary,
    answer: &Event,
) -> Result<Accepted, (Option<String>, Refusal)> {
    let Some(request_id) = answer.answered_request_id() else {
        return Err((None, Refusal::NotFound));
    };
    let refuse = |refusal| Err((Some(request_id.to_string()), refusal));
    // Any request type whose answer is this event's type resolves the same key.
    let request_type = match answer.kind {
        EventType::UserToolConfirmation => EventType::AgentToolUse,
        _ => EventType::AgentCustomToolUse,
    };
    if let Some(first) = summary.answer_to(request_id, &request_type) {
        return refuse(Refusal::AlreadyDecided {
            first_answer: first.event_id.clone(),
        });
    }
    let Some(request) = summary
        .open_request(request_id)
        .filter(|r| r.event_type.answer_type().as_ref() == Some(&answer.kind))
    else {
        return refuse(Refusal::NotFound);
    };
    if !summary.is_listed(request_id) {
        return refuse(Refusal::NotPending);
    }
    let given = answer.str_field("fingerprint");
    if given != Some(request.fingerprint.as_str()) {
        return refuse(Refusal::Stale {
            given: given.map(str::to_string),
            current: request.fingerprint.clone(),
        });
    }
    if let Some(stored) = request.stored_fingerprint.as_deref()
        && stored != request.fingerprint
    {
        return refuse(Refusal::Tampered {
            stored: stored.to_string(),
            current: request.fingerprint.clone(),
        });
    }
    let result = answer.str_field("result");
    let deny_message = answer.str_field("deny_message");
    if deny_message.is_some() && result != Some("deny") {
        return refuse(Refusal::Invalid(
            "deny_message is only allowed with result deny".into(),
        ));
    }
    let is_plan = request.plan.is_some();
    let verdict = if answer.kind == EventType::UserCustomToolResult && !is_plan {
        Verdict::Respond {
            text: content_text(answer.body.get("content")).unwrap_or_default(),
            is_error: answer.body.get("is_error") == Some(&Value::Bool(true)),
        }
    } else {
        let message = deny_message.unwrap_or("").to_string();
        match (
            result,
            answer.body.get("redirect") == Some(&Value::Bool(true)),
        ) {
            (Some("allow"), false) => Verdict::Allow,
            (Some("deny"), true) => Verdict::Redirect { message },
            (Some("deny"), false) => Verdict::Deny { message },
            (Some("allow"), true) => {
                return refuse(Refusal::Invalid(
                    "redirect is only allowed with result deny".into(),
                ));
            }
            _ => {
                return refuse(Refusal::Invalid(
                    "result must be \"allow\" or \"deny\"".into(),
                ));
            }
        }
    };
    Ok(Accepted {
        answer_id: answer.id.clone(),
        request_id: request_id.to_string(),
        verdict,
        decided_by: answer
            .str_field("decided_by")
            .unwrap_or("unknown")
            .to_string(),
    })
}

#[cfg(test)]
mod tests;
