//! Every revision of each plan in a session, with the decision it got, read
//! from the session's journal events (`docs/format.md`, "Plans" and
//! "Deciding"): the first answer of the request's answer type wins.

use std::collections::HashMap;

use ratatui::text::{Line, Span};
use serde_json::Value;

use super::plan_diff::{PlanDiff, diff_texts};
use super::style::ReviewStyle;
use crate::model::event::Event;
use crate::model::fingerprint::{fingerprint, short};
use crate::model::plan::{PlanTools, plan_markdown};
use crate::model::time::Timestamp;
use crate::sanitize::sanitize_line;

/// What became of one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionDecision {
    Approved {
        by: Option<String>,
    },
    Denied {
        message: String,
        by: Option<String>,
    },
    Redirected {
        message: String,
        by: Option<String>,
    },
    /// Answered with text only (`respond` on a custom-tool plan).
    Answered {
        text: String,
        by: Option<String>,
    },
    /// Handed back to the runtime's own prompt (`result: "ask"`).
    Withdrawn {
        by: Option<String>,
    },
    /// Waiting for a decision.
    Pending,
    /// Never answered, and a newer revision of the plan followed it.
    Superseded,
    /// Newest, unanswered, and no `requires_action` stop lists it (yet).
    NotWaiting,
}

impl RevisionDecision {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Approved { .. } => "approved",
            Self::Denied { .. } => "denied",
            Self::Redirected { .. } => "redirected",
            Self::Answered { .. } => "answered",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Pending => "pending",
            Self::Superseded => "superseded",
            Self::NotWaiting => "not waiting",
        }
    }
}

/// One revision of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    pub revision: u32,
    pub event_id: String,
    pub created_at: Option<Timestamp>,
    /// The Markdown as the journal has it (untrusted; renderers sanitise).
    pub markdown: String,
    pub fingerprint: String,
    pub decision: RevisionDecision,
}

/// All revisions of one plan (`plan_id`; `None` groups those without one).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanHistory {
    pub plan_id: Option<String>,
    /// In journal order: revision 1 first.
    pub revisions: Vec<Revision>,
}

impl PlanHistory {
    pub fn newest(&self) -> Option<&Revision> {
        self.revisions.last()
    }

    /// The diff of the revision at `index` against the one before it
    /// (against nothing for the first).
    pub fn diff_at(&self, index: usize, style: &ReviewStyle) -> Option<PlanDiff> {
        let new = self.revisions.get(index)?;
        let old = index
            .checked_sub(1)
            .and_then(|i| self.revisions.get(i))
            .map_or("", |r| r.markdown.as_str());
        Some(diff_texts(old, &new.markdown, style))
    }

    /// One line per revision, newest first: `r2  pending  5f3a…  message`.
    pub fn render_list(&self, style: &ReviewStyle) -> Vec<Line<'static>> {
        self.revisions
            .iter()
            .rev()
            .map(|r| render_revision_line(r, style))
            .collect()
    }
}

/// The plans in a session's events, in the order each plan first appears.
pub fn plan_histories(
    session_id: &str,
    events: &[Event],
    plan_tools: &PlanTools,
) -> Vec<PlanHistory> {
    let mut answers: HashMap<(&str, &str), &Event> = HashMap::new();
    let mut listed: std::collections::HashSet<String> = std::collections::HashSet::new();
    for event in events {
        if let Some(request_id) = event.answered_request_id() {
            answers
                .entry((event.kind.as_str(), request_id))
                .or_insert(event);
        }
        listed.extend(event.requires_action_ids());
    }
    let mut histories: Vec<PlanHistory> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for event in events {
        let Some(plan_id) = plan_tools.plan_group(event) else {
            continue;
        };
        // A request id written twice is one request; the first counts.
        if !seen.insert(event.id.clone()) {
            continue;
        }
        let answer = event
            .kind
            .answer_type()
            .and_then(|t| answers.get(&(t.as_str(), event.id.as_str())).copied());
        let decision = match answer {
            Some(answer) => decision_of(answer),
            None if listed.contains(&event.id) => RevisionDecision::Pending,
            None => RevisionDecision::NotWaiting,
        };
        let index = match histories.iter().position(|h| h.plan_id == plan_id) {
            Some(i) => i,
            None => {
                histories.push(PlanHistory {
                    plan_id: plan_id.clone(),
                    revisions: Vec::new(),
                });
                histories.len() - 1
            }
        };
        let history = &mut histories[index];
        history.revisions.push(Revision {
            revision: history.revisions.len() as u32 + 1,
            event_id: event.id.clone(),
            created_at: event.created_at,
            markdown: plan_markdown(event).unwrap_or_default().to_string(),
            fingerprint: fingerprint(session_id, event),
            decision,
        });
    }
    for history in &mut histories {
        let newest = history.revisions.len().saturating_sub(1);
        for revision in &mut history.revisions[..newest] {
            if matches!(
                revision.decision,
                RevisionDecision::Pending | RevisionDecision::NotWaiting
            ) {
                revision.decision = RevisionDecision::Superseded;
            }
        }
    }
    histories
}

fn decision_of(answer: &Event) -> RevisionDecision {
    let by = answer.str_field("decided_by").map(str::to_string);
    let message = answer
        .str_field("deny_message")
        .map(str::to_string)
        .unwrap_or_else(|| content_text(answer));
    match answer.str_field("result") {
        Some("allow") => RevisionDecision::Approved { by },
        Some("deny") if answer.body.get("redirect") == Some(&Value::Bool(true)) => {
            RevisionDecision::Redirected { message, by }
        }
        Some("deny") => RevisionDecision::Denied { message, by },
        Some("ask") => RevisionDecision::Withdrawn { by },
        _ => RevisionDecision::Answered {
            text: content_text(answer),
            by,
        },
    }
}

/// The text blocks of an answer's `content`, joined.
fn content_text(answer: &Event) -> String {
    match answer.body.get("content") {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(blocks)) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

fn render_revision_line(revision: &Revision, style: &ReviewStyle) -> Line<'static> {
    let decision_style = match revision.decision {
        RevisionDecision::Approved { .. } => style.success,
        RevisionDecision::Denied { .. } | RevisionDecision::Redirected { .. } => style.removed,
        RevisionDecision::Pending => style.kind_plan,
        _ => style.muted,
    };
    let mut spans = vec![
        Span::styled(format!("r{:<3}", revision.revision), style.text),
        Span::styled(format!("{:<12}", revision.decision.label()), decision_style),
        Span::styled(
            format!("{}  ", short(&revision.fingerprint)),
            style.fingerprint,
        ),
    ];
    let (by, message) = match &revision.decision {
        RevisionDecision::Approved { by } | RevisionDecision::Withdrawn { by } => (by, None),
        RevisionDecision::Denied { message, by }
        | RevisionDecision::Redirected { message, by }
        | RevisionDecision::Answered { text: message, by } => (by, Some(message)),
        _ => (&None, None),
    };
    if let Some(by) = by {
        spans.push(Span::styled(
            format!("by {}", sanitize_line(by)),
            style.muted,
        ));
    }
    if let Some(message) = message {
        spans.push(Span::styled(": ", style.muted));
        spans.push(Span::styled(sanitize_line(message), style.text));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests;
