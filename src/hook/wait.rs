//! Waiting for the decision on a mirrored request, judging it as the
//! contract says, recording what happened, and choosing the answer. Any
//! failure answers `ask`: the bridge never fails open.

use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::HookError;
use super::answer::{HookAnswer, Permission};
use super::mirror::{HookInput, Mirrored, mirror_request, write_state_with};
use crate::model::event::Event;
use crate::model::event_type::EventType;
use crate::model::line::{LineParse, parse_line};
use crate::model::time::Timestamp;
use crate::store::append::{LockedJournal, new_event};
use crate::store::journal_tail::JournalFollower;
use crate::store::paths;

/// Who writes the bridge's own answers (a withdrawn request).
pub const BRIDGE_DECIDER: &str = "runtime:switchboard-hook";

/// How a mirrored request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Allow {
        by: String,
    },
    Deny {
        message: String,
        by: String,
    },
    Redirect {
        message: String,
        by: String,
    },
    /// The first answer failed the contract's checks; it is void.
    Invalid {
        answer_id: String,
        why: String,
    },
    TimedOut {
        secs: u64,
    },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Allow { .. } => "allow",
            Self::Deny { .. } => "deny",
            Self::Redirect { .. } => "redirect",
            Self::Invalid { .. } => "invalid_decision",
            Self::TimedOut { .. } => "timeout",
        }
    }

    pub fn answer(&self) -> HookAnswer {
        match self {
            Self::Allow { by } => HookAnswer {
                permission: Permission::Allow,
                reason: format!("Approved in Switchboard by {by}."),
            },
            Self::Deny { message, .. } | Self::Redirect { message, .. } => HookAnswer {
                permission: Permission::Deny,
                reason: message.clone(),
            },
            Self::Invalid { why, .. } => HookAnswer::ask(format!(
                "Switchboard refused the decision it got ({why}); decide here instead."
            )),
            Self::TimedOut { secs } => HookAnswer::ask(format!(
                "No decision in Switchboard within {secs} s; decide here instead."
            )),
        }
    }

    fn journal_text(&self, agent: &str, event_id: &str) -> String {
        match self {
            Self::Allow { by } => format!("{agent} was told to allow {event_id} ({by})."),
            Self::Deny { by, .. } => format!("{agent} was told to deny {event_id} ({by})."),
            Self::Redirect { by, .. } => {
                format!("{agent} was told to deny {event_id} with a new direction ({by}).")
            }
            Self::Invalid { answer_id, why } => format!(
                "The decision {answer_id} on {event_id} was not honoured: {why}. {agent} asks its user instead."
            ),
            Self::TimedOut { secs } => format!(
                "No decision on {event_id} within {secs} s; withdrawn, {agent} asks its user instead."
            ),
        }
    }
}

/// The whole bridge: mirror, wait up to `timeout`, record, answer. Errors
/// become `ask` with the reason (and are recorded when the journal can be
/// written).
pub fn run_bridge(
    root: &Path,
    input: &HookInput,
    timeout: Duration,
    poll: Duration,
    clock: &dyn Fn() -> Timestamp,
) -> HookAnswer {
    let mirrored = match mirror_request(root, input, clock()) {
        Ok(mirrored) => mirrored,
        Err(e) => {
            return HookAnswer::ask(format!(
                "Switchboard could not record this request ({e}); decide here instead."
            ));
        }
    };
    match wait_and_record(&mirrored, input, timeout, poll, clock) {
        Ok(outcome) => outcome.answer(),
        Err(e) => {
            let reason = format!("Switchboard failed while waiting ({e}); decide here instead.");
            let _ = record_error(&mirrored, input, &reason, clock());
            HookAnswer::ask(reason)
        }
    }
}

fn wait_and_record(
    mirrored: &Mirrored,
    input: &HookInput,
    timeout: Duration,
    poll: Duration,
    clock: &dyn Fn() -> Timestamp,
) -> Result<Outcome, HookError> {
    let journal_path = paths::journal(&mirrored.dir());
    let mut follower = JournalFollower::new(&journal_path);
    follower.resume_at(mirrored.journal_end)?;
    let deadline = Instant::now() + timeout;
    loop {
        let read = follower.poll()?;
        if read.replaced {
            return Err(HookError::BadInput(
                "the mirrored journal was replaced while waiting".into(),
            ));
        }
        for (_, line) in &read.lines {
            if let Some(answer) = answer_in(line, &mirrored.event_id) {
                let outcome = judge(&answer, mirrored);
                let mut journal = LockedJournal::open(&journal_path, false)?;
                record(
                    &mut journal,
                    mirrored,
                    input,
                    &outcome,
                    Some(&answer),
                    clock(),
                )?;
                return Ok(outcome);
            }
        }
        if Instant::now() >= deadline {
            return time_out(mirrored, input, timeout, clock());
        }
        std::thread::sleep(poll);
    }
}

/// At the deadline, under the lock: an answer that just arrived still wins;
/// otherwise the request is withdrawn.
fn time_out(
    mirrored: &Mirrored,
    input: &HookInput,
    timeout: Duration,
    now: Timestamp,
) -> Result<Outcome, HookError> {
    let mut journal = LockedJournal::open(&paths::journal(&mirrored.dir()), false)?;
    let mut late = None;
    journal.for_each_line(|_, line| {
        late = answer_in(line, &mirrored.event_id);
        if late.is_some() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    if let Some(answer) = late {
        let outcome = judge(&answer, mirrored);
        record(&mut journal, mirrored, input, &outcome, Some(&answer), now)?;
        return Ok(outcome);
    }
    let outcome = Outcome::TimedOut {
        secs: timeout.as_secs(),
    };
    withdraw(&mut journal, mirrored, now)?;
    record(&mut journal, mirrored, input, &outcome, None, now)?;
    Ok(outcome)
}

/// The bridge answers its own request (`result: "ask"`) so it stops being
/// pending: a late decision is then refused as "already decided" instead of
/// being written and ignored.
fn withdraw(
    journal: &mut LockedJournal,
    mirrored: &Mirrored,
    now: Timestamp,
) -> Result<(), HookError> {
    let mut withdrawn = new_event("user.tool_confirmation", now, false);
    withdrawn.insert("tool_use_id".into(), json!(mirrored.event_id));
    withdrawn.insert("result".into(), json!("ask"));
    withdrawn.insert("fingerprint".into(), json!(mirrored.fingerprint));
    withdrawn.insert("decided_by".into(), json!(BRIDGE_DECIDER));
    journal.append_event(&Value::Object(withdrawn))?;
    Ok(())
}

/// The first `user.tool_confirmation` for `event_id` on this line, if any.
fn answer_in(line: &[u8], event_id: &str) -> Option<Event> {
    match parse_line(line) {
        LineParse::Event(event)
            if event.kind == EventType::UserToolConfirmation
                && event.answered_request_id() == Some(event_id) =>
        {
            Some(*event)
        }
        _ => None,
    }
}

/// The contract's checks 3 and 4 (the request exists and this is its first
/// answer by construction).
pub fn judge(answer: &Event, mirrored: &Mirrored) -> Outcome {
    let invalid = |why: String| Outcome::Invalid {
        answer_id: answer.id.clone(),
        why,
    };
    let given = answer.str_field("fingerprint").unwrap_or("");
    if given != mirrored.fingerprint {
        return invalid(format!(
            "stale fingerprint: it names {given:?}, the request is {}",
            mirrored.fingerprint
        ));
    }
    let by = answer
        .str_field("decided_by")
        .unwrap_or("unknown")
        .to_string();
    let message = answer.str_field("deny_message").map(str::to_string);
    let redirect = answer.body.get("redirect") == Some(&Value::Bool(true));
    match (answer.str_field("result"), message) {
        (Some("allow"), None) if !redirect => Outcome::Allow { by },
        (Some("allow"), _) => invalid("deny_message or redirect given with result allow".into()),
        (Some("deny"), message) => {
            let message = message
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| format!("Denied in Switchboard by {by}."));
            if redirect {
                Outcome::Redirect { message, by }
            } else {
                Outcome::Deny { message, by }
            }
        }
        (result, _) => invalid(format!("result {result:?} is neither allow nor deny")),
    }
}

/// Appends a `system.message` saying what happened and rewrites the status.
fn record(
    journal: &mut LockedJournal,
    mirrored: &Mirrored,
    input: &HookInput,
    outcome: &Outcome,
    answer: Option<&Event>,
    now: Timestamp,
) -> Result<(), HookError> {
    let answer_to_claude = outcome.answer();
    let mut note = new_event("system.message", now, false);
    note.insert(
        "content".into(),
        json!([{"type": "text", "text": outcome.journal_text(input.agent.name(), &mirrored.event_id)}]),
    );
    note.insert(
        "hook".into(),
        json!({
            "outcome": outcome.name(),
            "tool_use_id": mirrored.event_id,
            "answer_id": answer.map(|a| a.id.clone()),
            "permission_decision": answer_to_claude.permission.as_str(),
            "reason": answer_to_claude.reason,
        }),
    );
    journal.append_event(&Value::Object(note))?;
    let status = match answer_to_claude.permission {
        Permission::Ask => "idle",
        _ => "running",
    };
    if status == "running" {
        journal.append_event(&Value::Object(new_event(
            "session.status_running",
            now,
            false,
        )))?;
    }
    write_state_with(
        &mirrored.dir(),
        &mirrored.session_id,
        input,
        journal,
        now,
        status,
    )
}

fn record_error(
    mirrored: &Mirrored,
    input: &HookInput,
    reason: &str,
    now: Timestamp,
) -> Result<(), HookError> {
    let mut journal = LockedJournal::open(&paths::journal(&mirrored.dir()), false)?;
    let mut answered = false;
    journal.for_each_line(|_, line| {
        answered = answer_in(line, &mirrored.event_id).is_some();
        if answered {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    if !answered {
        withdraw(&mut journal, mirrored, now)?;
    }
    let mut note = new_event("system.message", now, false);
    note.insert("content".into(), json!([{"type": "text", "text": reason}]));
    note.insert(
        "hook".into(),
        json!({"outcome": "error", "tool_use_id": mirrored.event_id, "permission_decision": "ask"}),
    );
    journal.append_event(&Value::Object(note))?;
    write_state_with(
        &mirrored.dir(),
        &mirrored.session_id,
        input,
        &journal,
        now,
        "idle",
    )
}
