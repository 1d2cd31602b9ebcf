//! One review, as a pure state machine: choose a verdict, write a message
//! when it needs one, confirm with `y`, hand the `store::Decision` to the
//! effect runner, and take back what `store::decide` said. The fingerprint
//! sent is the one of the request as it was rendered when opened.

use ratatui::text::{Line, Span, Text};
use serde_json::Value;

use super::editor::Editor;
use super::hidden::{hidden_in_request, hidden_sentence};
use super::inbox::RequestKey;
use super::refusal::{Refusal, RefusalKind, refusal_for};
use super::style::ReviewStyle;
use crate::model::EventType;
use crate::model::pending::RequestKind;
use crate::sanitize::sanitize_line;
use crate::store::{DecideError, Decision, Verdict};
use crate::views::PendingRow;

/// The request under review, frozen as the reviewer saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTarget {
    pub key: RequestKey,
    pub event_type: EventType,
    pub kind: RequestKind,
    pub tool: String,
    pub plan_id: Option<String>,
    pub plan_revision: Option<u32>,
    /// The fingerprint of the request as rendered: what the decision binds to.
    pub fingerprint: String,
    pub tampered: bool,
    /// Controls, sequences and invisible characters in its name and input,
    /// shown escaped; approving asks once more when there are any.
    pub hidden: usize,
}

impl ReviewTarget {
    pub fn from_row(row: &PendingRow) -> Self {
        let kind = match row.kind.as_str() {
            "plan" => RequestKind::Plan,
            "custom_tool_result" => RequestKind::CustomToolResult,
            _ => RequestKind::ToolConfirmation,
        };
        Self {
            key: RequestKey::of(row),
            event_type: EventType::parse(&row.event_type),
            kind,
            tool: sanitize_line(row.name.as_str().unwrap_or("")),
            plan_id: plan_id_of(row),
            plan_revision: row.plan_revision,
            fingerprint: row.fingerprint.clone(),
            tampered: row.tampered,
            hidden: hidden_in_request(row),
        }
    }

    /// Whether `verdict` can answer this request (`store::decide`'s rules).
    pub fn allows(&self, verdict: Verdict) -> Result<(), Refusal> {
        let invalid = |m: &str| Err(Refusal::new(RefusalKind::Invalid, m));
        if self.tampered {
            return Err(Refusal::new(
                RefusalKind::Tampered,
                "This request was tampered with: its stored fingerprint does not match its content, so it cannot be decided.",
            ));
        }
        match (&self.event_type, verdict) {
            (EventType::AgentToolUse | EventType::AgentMcpToolUse, Verdict::Respond) => invalid(
                "Respond is for custom tools; approve, deny or redirect this request instead.",
            ),
            (EventType::AgentToolUse | EventType::AgentMcpToolUse, _) => Ok(()),
            (EventType::AgentCustomToolUse, Verdict::Allow) if self.kind != RequestKind::Plan => {
                invalid("A custom tool use is answered with respond (R), not approved.")
            }
            (EventType::AgentCustomToolUse, Verdict::Respond) if self.kind == RequestKind::Plan => {
                invalid("A plan is approved, denied or redirected; respond is for custom tools.")
            }
            (EventType::AgentCustomToolUse, _) => Ok(()),
            _ => invalid("This event is not a request that can be decided."),
        }
    }
}

fn plan_id_of(row: &PendingRow) -> Option<String> {
    match row.input.get("plan_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(other) => Some(other.to_string()),
    }
}

/// Where a review stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Waiting for `a`, `d`, `r` or `R`.
    Choosing,
    /// Writing the message for deny, redirect or respond.
    Writing(Editor),
    /// Waiting for `y`.
    Confirming,
    /// Handed to the store; waiting for its answer.
    Submitted,
    Done(Outcome),
    /// The reviewer backed out.
    Closed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written to the journal as this answer event.
    Written { answer_id: String },
    /// Nothing was written.
    Refused(Refusal),
}

impl Outcome {
    /// The outcome of an answer event that was written.
    pub fn written(event: &Value) -> Self {
        Self::Written {
            answer_id: event
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string(),
        }
    }

    /// The outcome of `store::decide`.
    pub fn of(result: &Result<Value, DecideError>) -> Self {
        match result {
            Ok(event) => Self::written(event),
            Err(error) => Self::Refused(refusal_for(error)),
        }
    }
}

/// What the reviewer can do in a review; the dashboard binds keys to these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    Approve,
    Deny,
    Redirect,
    Respond,
    /// Confirm the decision (or finish the message).
    Confirm,
    Cancel,
}

/// Default keys with their help text; approving and confirming keys are
/// the dangerous ones.
pub const REVIEW_KEYS: &[(char, ReviewAction, &str)] = &[
    ('a', ReviewAction::Approve, "approve"),
    ('d', ReviewAction::Deny, "deny with a message"),
    ('r', ReviewAction::Redirect, "redirect with a new direction"),
    ('R', ReviewAction::Respond, "respond to a custom tool use"),
    ('y', ReviewAction::Confirm, "confirm"),
    ('n', ReviewAction::Cancel, "cancel"),
];

/// A review in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDraft {
    pub target: ReviewTarget,
    pub decided_by: String,
    pub verdict: Option<Verdict>,
    pub message: Option<String>,
    pub stage: Stage,
    /// The first `y` on a request with hidden sequences was pressed: the
    /// next one approves.
    pub hidden_acknowledged: bool,
}

impl ReviewDraft {
    /// Opens a review of `row` as it is rendered now.
    pub fn open(row: &PendingRow, decided_by: impl Into<String>) -> Self {
        Self {
            target: ReviewTarget::from_row(row),
            decided_by: decided_by.into(),
            verdict: None,
            message: None,
            stage: Stage::Choosing,
            hidden_acknowledged: false,
        }
    }

    /// Chooses a verdict: approve goes straight to confirming, the others
    /// open the message editor. Refused verdicts leave the draft as it was.
    pub fn choose(&mut self, verdict: Verdict) -> Result<(), Refusal> {
        if self.stage != Stage::Choosing {
            return Ok(());
        }
        self.target.allows(verdict)?;
        self.verdict = Some(verdict);
        self.message = None;
        self.stage = match verdict {
            Verdict::Allow => Stage::Confirming,
            _ => Stage::Writing(Editor::new()),
        };
        Ok(())
    }

    /// The message editor, while writing.
    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        match &mut self.stage {
            Stage::Writing(editor) => Some(editor),
            _ => None,
        }
    }

    /// Replaces the message with what `$EDITOR` returned.
    pub fn set_message_text(&mut self, text: &str) {
        if let Some(editor) = self.editor_mut() {
            *editor = Editor::with_text(text);
        }
    }

    /// Finishes the message: deny, redirect and respond need one.
    pub fn finish_message(&mut self) -> Result<(), Refusal> {
        let Stage::Writing(editor) = &self.stage else {
            return Ok(());
        };
        if editor.is_blank() {
            let what = match self.verdict {
                Some(Verdict::Redirect) => "A redirect needs the new direction for the agent.",
                Some(Verdict::Respond) => "A response needs the text to send back.",
                _ => "A denial needs a message saying why.",
            };
            return Err(Refusal::new(RefusalKind::Invalid, what));
        }
        self.message = Some(editor.text().trim().to_string());
        self.stage = Stage::Confirming;
        Ok(())
    }

    /// `y`: the decision to hand to `store::decide`. Approving a request
    /// that hides control sequences takes a second `y`.
    pub fn confirm(&mut self) -> Option<Decision> {
        if self.stage != Stage::Confirming {
            return None;
        }
        let verdict = self.verdict?;
        if self.asks_again() {
            self.hidden_acknowledged = true;
            return None;
        }
        self.stage = Stage::Submitted;
        Some(Decision {
            session_id: self.target.key.session_id.clone(),
            event_id: self.target.key.event_id.clone(),
            fingerprint: self.target.fingerprint.clone(),
            verdict,
            message: match verdict {
                Verdict::Allow => None,
                _ => self.message.clone(),
            },
            decided_by: self.decided_by.clone(),
        })
    }

    /// Steps back: from the confirmation to the message (or the choice),
    /// from the message to the choice, from the choice out of the review.
    pub fn cancel(&mut self) {
        self.hidden_acknowledged = false;
        self.stage = match std::mem::replace(&mut self.stage, Stage::Closed) {
            Stage::Confirming if self.verdict != Some(Verdict::Allow) => {
                Stage::Writing(Editor::with_text(self.message.as_deref().unwrap_or("")))
            }
            Stage::Confirming | Stage::Writing(_) => {
                self.verdict = None;
                self.message = None;
                Stage::Choosing
            }
            Stage::Submitted => Stage::Submitted,
            _ => Stage::Closed,
        };
    }

    /// Takes `store::decide`'s answer.
    pub fn finish(&mut self, result: &Result<Value, DecideError>) -> &Outcome {
        self.stage = Stage::Done(Outcome::of(result));
        match &self.stage {
            Stage::Done(outcome) => outcome,
            _ => unreachable!("the stage was just set to Done"),
        }
    }

    /// Checks the open review against the inbox as it is now (called on
    /// every update while a review is open): gone, changed, or replaced by
    /// a newer plan revision all end it before anything is sent.
    pub fn reconcile(&mut self, pending: &[PendingRow]) -> Option<&Refusal> {
        if matches!(
            self.stage,
            Stage::Done(_) | Stage::Closed | Stage::Submitted
        ) {
            return None;
        }
        let refusal = self.check_against(pending)?;
        self.stage = Stage::Done(Outcome::Refused(refusal));
        match &self.stage {
            Stage::Done(Outcome::Refused(refusal)) => Some(refusal),
            _ => None,
        }
    }

    fn check_against(&self, pending: &[PendingRow]) -> Option<Refusal> {
        let target = &self.target;
        let Some(current) = pending.iter().find(|r| RequestKey::of(r) == target.key) else {
            return Some(Refusal::new(
                RefusalKind::NotPending,
                "This request is no longer waiting: it was answered elsewhere or withdrawn. Nothing was written.",
            ));
        };
        if current.fingerprint != target.fingerprint {
            return Some(Refusal::stale());
        }
        let newer = pending.iter().find(|r| {
            target.kind == RequestKind::Plan
                && r.kind == "plan"
                && r.session_id == target.key.session_id
                && r.source == target.key.source
                && plan_id_of(r) == target.plan_id
                && r.plan_revision > target.plan_revision
        });
        newer.map(|r| {
            Refusal::new(
                RefusalKind::Superseded,
                format!(
                    "A newer revision of this plan (r{}) arrived after you opened it; review that one.",
                    r.plan_revision.unwrap_or(0)
                ),
            )
        })
    }

    /// The dialog line for the current stage.
    pub fn prompt(&self, style: &ReviewStyle) -> Text<'static> {
        let what = self.describe_target();
        match &self.stage {
            Stage::Choosing => Text::from(Line::from(vec![
                Span::styled(format!("Decide {what}: "), style.text),
                Span::styled(self.choices(), style.muted),
            ])),
            Stage::Writing(editor) => {
                let mut lines = vec![Line::from(Span::styled(
                    format!("{} {what}: {}", self.verb(), self.message_hint()),
                    style.text,
                ))];
                lines.extend(editor.render("", style).lines);
                Text::from(lines)
            }
            Stage::Confirming => {
                let mut lines = vec![self.confirm_line(&what, style)];
                lines.push(Line::from(vec![
                    Span::styled("fingerprint ", style.muted),
                    Span::styled(self.target.fingerprint.clone(), style.fingerprint),
                ]));
                lines.push(Line::from(vec![
                    Span::styled("as ", style.muted),
                    Span::styled(sanitize_line(&self.decided_by), style.text),
                ]));
                if let Some(message) = &self.message {
                    lines.extend(message.lines().map(|l| {
                        Line::from(vec![
                            Span::styled("│ ", style.quote),
                            Span::styled(sanitize_line(l), style.text),
                        ])
                    }));
                }
                Text::from(lines)
            }
            Stage::Submitted => Text::from(Span::styled(
                format!("Sending the decision on {what}…"),
                style.muted,
            )),
            Stage::Done(Outcome::Written { answer_id }) => Text::from(Span::styled(
                format!(
                    "{} {what} (written as {}).",
                    self.past_verb(),
                    sanitize_line(answer_id)
                ),
                style.success,
            )),
            Stage::Done(Outcome::Refused(refusal)) => {
                Text::from(Span::styled(refusal.message.clone(), style.warning))
            }
            Stage::Closed => Text::default(),
        }
    }

    /// Whether this `y` is the first of two: an approval of a request that
    /// hides control sequences, not yet acknowledged.
    fn asks_again(&self) -> bool {
        self.verdict == Some(Verdict::Allow) && self.target.hidden > 0 && !self.hidden_acknowledged
    }

    fn confirm_line(&self, what: &str, style: &ReviewStyle) -> Line<'static> {
        let hidden = self.target.hidden;
        if self.verdict == Some(Verdict::Allow) && hidden > 0 {
            let (question, keys) = if self.hidden_acknowledged {
                (
                    format!(
                        "Really approve {what}, with its {hidden} hidden control sequence{}?",
                        if hidden == 1 { "" } else { "s" }
                    ),
                    "  y approve anyway · n back",
                )
            } else {
                (
                    format!("Approve {what}? {}.", hidden_sentence(hidden)),
                    "  y confirm · n back",
                )
            };
            return Line::from(vec![
                Span::styled(question, style.warning),
                Span::styled(keys, style.muted),
            ]);
        }
        Line::from(vec![
            Span::styled(format!("{} {what}?", self.verb()), style.warning),
            Span::styled("  y confirm · n back", style.muted),
        ])
    }

    /// Where the request stands as far as this review knows, for headers:
    /// `pending` until the store wrote an answer, then what it was.
    pub fn state_label(&self) -> &'static str {
        match &self.stage {
            Stage::Done(Outcome::Written { .. }) => match self.verdict {
                Some(Verdict::Allow) => "approved",
                Some(Verdict::Deny) => "denied",
                Some(Verdict::Redirect) => "redirected",
                Some(Verdict::Respond) => "answered",
                None => "decided",
            },
            Stage::Done(Outcome::Refused(refusal)) => match refusal.kind {
                RefusalKind::Stale => "changed",
                RefusalKind::Superseded => "superseded",
                RefusalKind::AlreadyDecided => "already decided",
                RefusalKind::NotPending | RefusalKind::NotFound => "not waiting",
                RefusalKind::Tampered => "tampered",
                RefusalKind::Invalid | RefusalKind::Io => "pending",
            },
            Stage::Submitted => "sending",
            _ => "pending",
        }
    }

    /// The request in words, as every line about it names it.
    pub fn describe_target(&self) -> String {
        let t = &self.target;
        let kind = match (t.kind, t.plan_revision) {
            (RequestKind::Plan, Some(r)) => format!("plan r{r}"),
            (kind, _) => kind.label().to_string(),
        };
        format!(
            "{} {} ({kind}) in {}",
            t.tool,
            sanitize_line(&t.key.event_id),
            sanitize_line(&t.key.session_id)
        )
    }

    fn choices(&self) -> String {
        REVIEW_KEYS
            .iter()
            .filter(|(_, action, _)| {
                let verdict = match action {
                    ReviewAction::Approve => Verdict::Allow,
                    ReviewAction::Deny => Verdict::Deny,
                    ReviewAction::Redirect => Verdict::Redirect,
                    ReviewAction::Respond => Verdict::Respond,
                    _ => return false,
                };
                self.target.allows(verdict).is_ok()
            })
            .map(|(key, _, help)| format!("{key} {help}"))
            .chain(std::iter::once("Esc close".to_string()))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    fn message_hint(&self) -> &'static str {
        match self.verdict {
            Some(Verdict::Redirect) => "the new direction for the agent",
            Some(Verdict::Respond) => "the answer to send back",
            _ => "why it is denied",
        }
    }

    fn verb(&self) -> &'static str {
        match self.verdict {
            Some(Verdict::Allow) => "Approve",
            Some(Verdict::Deny) => "Deny",
            Some(Verdict::Redirect) => "Redirect",
            Some(Verdict::Respond) => "Respond to",
            None => "Decide",
        }
    }

    pub fn past_verb(&self) -> &'static str {
        match self.verdict {
            Some(Verdict::Allow) => "Approved",
            Some(Verdict::Deny) => "Denied",
            Some(Verdict::Redirect) => "Redirected",
            Some(Verdict::Respond) => "Responded to",
            None => "Decided",
        }
    }
}

#[cfg(test)]
mod tests;
