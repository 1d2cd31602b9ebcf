//! One simulated agent: it follows its own journal as a runtime would,
//! honours valid decisions, refuses invalid ones in writing, and otherwise
//! works through its script one action per step.

use std::collections::{HashSet, VecDeque};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::SimError;
use super::check::{Accepted, Refusal, Verdict, check_answer};
use super::content::Task;
use super::ids::IdAllocator;
use super::personas::{Role, after_denial};
use super::script::{Action, Ask};
use super::writer::SessionWriter;
use crate::model::event::{Event, ProcessedAt};
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;
use crate::model::summary::JournalSummary;
use crate::model::time::format_rfc3339;
use crate::store::journal_tail::JournalFollower;
use crate::store::paths;

/// Where a session is in its life, as the engine schedules it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    Active,
    /// Idle with `requires_action`: polled for decisions.
    Waiting,
    /// Finished; still polled so that late or replayed decisions are refused.
    Ended,
    /// A wedged runtime (stuck setups): never touched again.
    Frozen,
}

/// What the engine does with a session after a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    After(u64),
    Wait,
    Ended,
    Frozen,
}

/// A child an orchestrator asked for.
#[derive(Debug, Clone)]
pub struct SpawnRequest {
    pub index: u32,
    pub id: String,
    pub parent_id: String,
    pub task: Task,
}

/// What a step may look at and ask of the engine.
pub struct StepCtx<'a> {
    pub finished: &'a HashSet<String>,
    pub ids: &'a mut IdAllocator,
    pub spawned: Vec<SpawnRequest>,
}

/// Endless work for sessions that loop (stuck setups that keep failing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    Errors,
    Reschedules,
    Chatter,
}

#[derive(Debug, Clone)]
pub(super) struct Waiting {
    pub request_id: String,
    pub ask: Ask,
}

pub struct SimSession {
    pub writer: SessionWriter,
    pub role: Role,
    pub(super) rng: ChaCha8Rng,
    pub(super) script: VecDeque<Action>,
    follower: JournalFollower,
    summary: JournalSummary,
    pub(super) waiting: Option<Waiting>,
    pub(super) life: Life,
    pub(super) children: Vec<String>,
    pub(super) denials: u32,
    /// Range of the pause between steps, in milliseconds.
    pub(super) pace: (u64, u64),
    pub(super) looping: Option<Loop>,
    pub(super) wake: Option<String>,
    /// The queued task the session was created with: its opening
    /// `session.status_running` takes it, so it is not acknowledged.
    pub(super) task_id: Option<String>,
    /// Answers already acted on: the same id again is their acknowledgement.
    answers_read: HashSet<String>,
    pub honoured: u64,
    pub refused: u64,
}

impl SimSession {
    pub fn new(
        writer: SessionWriter,
        role: Role,
        rng: ChaCha8Rng,
        script: VecDeque<Action>,
        pace: (u64, u64),
    ) -> Self {
        let follower = JournalFollower::new(paths::journal(writer.dir()));
        let summary = JournalSummary::new(writer.id(), PlanTools::default());
        Self {
            writer,
            role,
            rng,
            script,
            follower,
            summary,
            waiting: None,
            life: Life::Active,
            children: Vec::new(),
            denials: 0,
            pace,
            looping: None,
            wake: None,
            task_id: None,
            answers_read: HashSet::new(),
            honoured: 0,
            refused: 0,
        }
    }

    pub fn id(&self) -> &str {
        self.writer.id()
    }

    pub fn life(&self) -> Life {
        self.life
    }

    pub fn parent_id(&self) -> Option<&str> {
        self.writer.doc().get("parent_id").and_then(|p| p.as_str())
    }

    /// Makes this session wait on a request already in its journal.
    pub(super) fn wait_on(&mut self, request_id: String, ask: Ask) {
        self.waiting = Some(Waiting { request_id, ask });
        self.life = Life::Waiting;
    }

    pub(super) fn freeze(&mut self) {
        self.life = Life::Frozen;
    }

    pub(super) fn set_loop(&mut self, kind: Loop, pace: (u64, u64)) {
        self.looping = Some(kind);
        self.pace = pace;
    }

    /// The pause before the next step.
    pub(super) fn pause(&mut self) -> u64 {
        let (lo, hi) = self.pace;
        if hi <= lo {
            lo
        } else {
            self.rng.random_range(lo..=hi)
        }
    }

    /// Takes one step: reads the journal, then performs the next action.
    pub fn step(&mut self, ctx: &mut StepCtx) -> Result<Next, SimError> {
        self.read_journal(true)?;
        match self.life {
            Life::Waiting => return Ok(Next::Wait),
            Life::Ended => return Ok(Next::Ended),
            Life::Frozen => return Ok(Next::Frozen),
            Life::Active => {}
        }
        let next = match self.script.pop_front() {
            Some(action) => action,
            None => match self.refill() {
                Some(action) => action,
                None => {
                    self.life = Life::Ended;
                    return Ok(Next::Ended);
                }
            },
        };
        self.perform(next, ctx)
    }

    /// Reads new journal lines; true when a decision made the session runnable.
    pub fn poll(&mut self) -> Result<bool, SimError> {
        let before = self.life;
        self.read_journal(true)?;
        Ok(before == Life::Waiting && self.life == Life::Active)
    }

    fn refill(&mut self) -> Option<Action> {
        let actions = match self.looping? {
            Loop::Errors => vec![super::script::Action::Error {
                kind: self.rng.random_range(0..super::content::ERRORS.len()),
                exhausted: false,
            }],
            Loop::Reschedules => vec![
                Action::Reschedule {
                    secs: 15,
                    reason: "poll CI again",
                },
                Action::Wake,
                Action::Thinking("CI is still pending.".into()),
            ],
            Loop::Chatter => vec![Action::Message(
                "Still updating the changelog entries.".into(),
            )],
        };
        self.script.extend(actions);
        self.script.pop_front()
    }

    /// Folds the journal written so far without acting on it: a session set
    /// up with a history (decisions already taken) starts from there.
    pub(super) fn absorb_history(&mut self) -> Result<(), SimError> {
        self.read_journal(false)
    }

    fn read_journal(&mut self, react: bool) -> Result<(), SimError> {
        let read = self
            .follower
            .poll()
            .map_err(|e| SimError::io(self.follower.path(), e))?;
        let react = react && !read.replaced;
        if read.replaced {
            self.summary = JournalSummary::new(self.writer.id(), PlanTools::default());
        }
        let mut outcomes = Vec::new();
        let mut taken = Vec::new();
        for (_, line) in &read.lines {
            match parse_line(line) {
                LineParse::Event(event) => {
                    if react && event.kind.is_answer() && !self.is_acknowledgement(&event) {
                        self.answers_read.insert(event.id.clone());
                        outcomes.push((event.id.clone(), check_answer(&self.summary, &event)));
                    }
                    if react && self.takes(&event) {
                        taken.push(acknowledgement(&event));
                    }
                    self.summary.apply(&event);
                }
                LineParse::Malformed(_) => self.summary.note_malformed(),
                LineParse::Blank => {}
            }
        }
        if !taken.is_empty() {
            self.writer.append(taken)?;
        }
        for (answer_id, outcome) in outcomes {
            match outcome {
                Ok(accepted) => self.honour(accepted)?,
                Err((target, refusal)) => self.refuse(&answer_id, target, &refusal)?,
            }
        }
        Ok(())
    }

    /// Whether this queued user event is one the agent takes when it reads
    /// it, and so acknowledges (contract v1.1): all but its own task.
    fn takes(&self, event: &Event) -> bool {
        event.kind.is_user()
            && event.processed_at == ProcessedAt::Queued
            && self.task_id.as_deref() != Some(event.id.as_str())
    }

    /// An answer's id seen again, now processed: the acknowledgement of it
    /// (ours or the runtime's), not a new decision.
    fn is_acknowledgement(&self, event: &Event) -> bool {
        event.processed_at == ProcessedAt::At && self.answers_read.contains(&event.id)
    }

    fn honour(&mut self, accepted: Accepted) -> Result<(), SimError> {
        let matches = self
            .waiting
            .as_ref()
            .is_some_and(|w| w.request_id == accepted.request_id);
        if !matches {
            return self.system_message(
                &format!(
                    "Ignored decision {} on {}: this agent is not waiting on that request.",
                    accepted.answer_id, accepted.request_id
                ),
                &accepted.answer_id,
                "not_waiting",
            );
        }
        let Some(waiting) = self.waiting.take() else {
            return Ok(());
        };
        self.life = Life::Active;
        self.honoured += 1;
        let mut front = vec![Action::Running];
        front.extend(self.response(&waiting, &accepted));
        for action in front.into_iter().rev() {
            self.script.push_front(action);
        }
        Ok(())
    }

    /// What the agent does once a decision on `waiting` is accepted.
    fn response(&mut self, waiting: &Waiting, accepted: &Accepted) -> Vec<Action> {
        let by = &accepted.decided_by;
        match (&waiting.ask, &accepted.verdict) {
            (Ask::Tool { output, .. }, Verdict::Allow) => vec![Action::ToolResult {
                tool_use_id: waiting.request_id.clone(),
                output: output.clone(),
            }],
            (ask @ Ask::Tool { .. }, Verdict::Deny { message } | Verdict::Redirect { message }) => {
                self.denials += 1;
                let mut actions = vec![Action::Message(format!(
                    "{by} declined: \u{201c}{message}\u{201d}. Trying something else."
                ))];
                actions.extend(after_denial(ask, message, self.denials));
                actions
            }
            (Ask::Plan(draft), Verdict::Allow) => vec![Action::Message(format!(
                "Plan approved by {by}. Starting with step 1: {}.",
                draft
                    .steps
                    .first()
                    .map(String::as_str)
                    .unwrap_or("the first step")
            ))],
            (Ask::Plan(draft), Verdict::Redirect { message }) => vec![
                Action::Thinking(format!(
                    "{by} redirected the plan: \u{201c}{message}\u{201d}. Revising it to follow that."
                )),
                Action::Ask(Ask::Plan(draft.redirected(message))),
            ],
            (Ask::Plan(draft), Verdict::Deny { message }) => {
                self.denials += 1;
                if self.denials >= 2 {
                    self.script.clear();
                    return vec![
                        Action::Message(format!(
                            "Plan rejected again (\u{201c}{message}\u{201d}). Stopping without changes."
                        )),
                        Action::End(super::script::Ending::EndTurn),
                    ];
                }
                vec![
                    Action::Message(format!(
                        "Plan rejected by {by}: \u{201c}{message}\u{201d}. Proposing a narrower one."
                    )),
                    Action::Ask(Ask::Plan(draft.alternative(message))),
                ]
            }
            (Ask::Custom { name, .. }, Verdict::Respond { text, is_error }) => {
                vec![Action::Message(if *is_error {
                    format!(
                        "{name} failed (\u{201c}{text}\u{201d}); telling the customer we are checking."
                    )
                } else {
                    format!("{name} says: \u{201c}{text}\u{201d}. Answered the customer with that.")
                })]
            }
            // check_answer only gives Respond for custom tools and never for
            // tools or plans; anything else is acknowledged and dropped.
            _ => vec![Action::Message("Decision noted.".into())],
        }
    }

    fn refuse(
        &mut self,
        answer_id: &str,
        target: Option<String>,
        refusal: &Refusal,
    ) -> Result<(), SimError> {
        self.refused += 1;
        let on = target
            .as_deref()
            .map(|t| format!(" on {t}"))
            .unwrap_or_default();
        // The first answer, even an invalid one, ends the request: ask again.
        let reask = match (&self.waiting, &target) {
            (Some(w), Some(t)) if &w.request_id == t => self.summary.open_request(t).is_none(),
            _ => false,
        };
        let tail = if reask {
            " Asking again with a new request."
        } else {
            ""
        };
        self.system_message(
            &format!(
                "Ignored decision {answer_id}{on}: {}.{tail}",
                refusal.explain()
            ),
            answer_id,
            refusal.code(),
        )?;
        if reask && let Some(waiting) = self.waiting.take() {
            // Ask again at once: the agent never stops waiting.
            self.ask(waiting.ask)?;
        }
        Ok(())
    }

    pub(super) fn system_message(
        &mut self,
        text: &str,
        answer_id: &str,
        reason: &str,
    ) -> Result<(), SimError> {
        let mut event = self
            .writer
            .event("system.message", chrono::Utc::now(), false);
        event.insert("content".into(), json!([{"type": "text", "text": text}]));
        event.insert("refused_event_id".into(), json!(answer_id));
        event.insert("reason".into(), json!(reason));
        self.writer.append(vec![event])?;
        Ok(())
    }
}

/// The same event again, processed now: how a v1.1 runtime says it has
/// taken a queued event. Only the head: the event itself is already written.
fn acknowledgement(event: &Event) -> serde_json::Map<String, serde_json::Value> {
    let mut ack = serde_json::Map::new();
    ack.insert("id".into(), json!(event.id));
    ack.insert("type".into(), json!(event.kind.as_str()));
    ack.insert(
        "processed_at".into(),
        json!(format_rfc3339(chrono::Utc::now())),
    );
    ack
}

#[cfg(test)]
mod tests;
