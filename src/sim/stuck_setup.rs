//! Sessions set up to be stuck in each of the contract's seven ways. The
//! thresholds are minutes, so their history is written back-dated (event
//! times, `updated_at` and file mtimes), and then they are left alone, or
//! keep failing, as a wedged or looping runtime would.

use std::collections::VecDeque;
use std::path::Path;

use chrono::{Duration, Utc};
use serde_json::{Map, Value, json};

use super::SimError;
use super::agent::{Loop, SimSession};
use super::create::{NewSession, create_session, session_rng};
use super::ids::IdAllocator;
use super::personas::Role;
use super::script::{Action, Ask, Ending};
use crate::model::stuck::StuckRule;
use crate::model::time::Timestamp;

/// How many sessions the stuck set makes (the orphan comes with its parent).
pub const STUCK_SESSIONS: usize = 8;

/// Slow steps for the loops: often enough to keep the rule firing.
const LOOP_PACE: (u64, u64) = (20_000, 40_000);

struct Setup<'a> {
    root: &'a Path,
    seed: u64,
    now: Timestamp,
}

impl Setup<'_> {
    fn ago(&self, minutes: i64) -> Timestamp {
        self.now - Duration::minutes(minutes)
    }

    fn create(
        &self,
        ids: &mut IdAllocator,
        title: &str,
        prompt: &str,
        parent_id: Option<String>,
        expect: Option<StuckRule>,
        created_minutes_ago: i64,
    ) -> Result<SimSession, SimError> {
        self.create_as(
            ids,
            Role::Stuck,
            title,
            prompt,
            parent_id,
            expect,
            created_minutes_ago,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn create_as(
        &self,
        ids: &mut IdAllocator,
        role: Role,
        title: &str,
        prompt: &str,
        parent_id: Option<String>,
        expect: Option<StuckRule>,
        created_minutes_ago: i64,
    ) -> Result<SimSession, SimError> {
        let (index, id) = ids.next();
        let new = NewSession {
            id,
            role,
            title: title.into(),
            prompt: prompt.into(),
            lane: "stuck".into(),
            parent_id,
            created_at: self.ago(created_minutes_ago),
            expect_stuck: expect.map(|r| r.as_str()).into_iter().collect(),
        };
        create_session(
            self.root,
            &new,
            session_rng(self.seed, index),
            VecDeque::new(),
            LOOP_PACE,
        )
    }
}

fn text(text: &str) -> Value {
    json!([{"type": "text", "text": text}])
}

impl SimSession {
    /// Appends one back-dated event with extra fields.
    pub(super) fn past(
        &mut self,
        kind: &str,
        at: Timestamp,
        fields: Value,
    ) -> Result<String, SimError> {
        let mut event = self.writer.event(kind, at, false);
        if let Value::Object(extra) = fields {
            event.extend(extra);
        }
        self.writer.append(vec![event])
    }

    pub(super) fn past_status(
        &mut self,
        status: &str,
        stop: Value,
        at: Timestamp,
    ) -> Result<(), SimError> {
        self.writer.set_status(status, stop, at)?;
        self.writer.backdate_files(at)
    }
}

/// Creates one session per stuck rule (the orphan also gets its parent).
pub fn create_stuck_sessions(
    root: &Path,
    seed: u64,
    ids: &mut IdAllocator,
) -> Result<Vec<SimSession>, SimError> {
    let setup = Setup {
        root,
        seed,
        now: Utc::now(),
    };
    let s = &setup;
    let mut sessions: Vec<SimSession> = vec![
        awaiting_human(s, ids)?,
        silent_running(s, ids)?,
        wake_overdue(s, ids)?,
        queue_stalled(s, ids)?,
        error_loop(s, ids)?,
        reschedule_loop(s, ids)?,
    ]
    .into_iter()
    .chain(orphaned(s, ids)?)
    .collect();
    for session in &mut sessions {
        session.absorb_history()?;
    }
    Ok(sessions)
}

fn awaiting_human(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Push the release branch",
        "Release 2.4 is tagged. Push the release branch.",
        None,
        Some(StuckRule::AwaitingHuman),
        40,
    )?;
    session.past("session.status_running", s.ago(39), json!({}))?;
    session.past(
        "agent.message",
        s.ago(26),
        json!({"content": text("The branch is rebased on main; pushing needs approval.")}),
    )?;
    let ask = Ask::Tool {
        name: "bash".into(),
        input: json!({"command": "git push --force-with-lease origin release/2.4"}),
        output: "To origin\n + 1a2b3c4...5d6e7f8 release/2.4 -> release/2.4 (forced update)".into(),
    };
    let (kind, name, input) = ask.parts();
    let mut request = session.writer.request(kind, &name, input, s.ago(25));
    request.insert("evaluated_permission".into(), json!("ask"));
    let request_id = session.writer.append(vec![request])?;
    let stop = json!({"type": "requires_action", "event_ids": [request_id]});
    session.past(
        "session.status_idle",
        s.ago(24),
        json!({"stop_reason": stop}),
    )?;
    session.past_status("idle", stop, s.ago(24))?;
    session.script.extend([
        Action::Message("Pushed release/2.4.".into()),
        Action::End(Ending::EndTurn),
    ]);
    session.wait_on(request_id, ask);
    Ok(session)
}

fn silent_running(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Refactor the search indexer",
        "Split the search indexer into a reader and a writer.",
        None,
        Some(StuckRule::SilentRunning),
        30,
    )?;
    session.past("session.status_running", s.ago(29), json!({}))?;
    session.past(
        "agent.thinking",
        s.ago(21),
        json!({"content": [{"type": "thinking", "thinking": "The indexer holds a global lock; start there."}]}),
    )?;
    session.past_status("running", Value::Null, s.ago(20))?;
    session.freeze();
    Ok(session)
}

fn wake_overdue(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Retry the flaky deploy",
        "The staging deploy failed on a rate limit. Retry it.",
        None,
        Some(StuckRule::WakeOverdue),
        20,
    )?;
    session.past("session.status_running", s.ago(19), json!({}))?;
    let wake = session
        .writer
        .schedule_wake(s.ago(12), "retry after rate limit")?;
    session.past(
        "session.status_rescheduled",
        s.ago(15),
        json!({"wake_id": wake}),
    )?;
    session.past_status("rescheduling", Value::Null, s.ago(15))?;
    session.freeze();
    Ok(session)
}

fn queue_stalled(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Answer the customer about invoice 7731",
        "Explain the extra line on invoice 7731.",
        None,
        Some(StuckRule::QueueStalled),
        20,
    )?;
    session.past("session.status_running", s.ago(19), json!({}))?;
    session.past(
        "agent.message",
        s.ago(11),
        json!({"content": text("The extra line is the prorated seat added on the 12th.")}),
    )?;
    let end = json!({"type": "end_turn"});
    session.past(
        "session.status_idle",
        s.ago(10),
        json!({"stop_reason": end}),
    )?;
    let mut queued = session.writer.event("user.message", s.ago(6), true);
    queued.insert("content".into(), text("Can you also refund it?"));
    session.writer.append(vec![queued])?;
    session.past_status("idle", end, s.ago(6))?;
    session.freeze();
    Ok(session)
}

fn error_loop(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Write the orders migration",
        "Write the migration that adds the orders index.",
        None,
        Some(StuckRule::ErrorLoop),
        12,
    )?;
    session.past("session.status_running", s.ago(11), json!({}))?;
    for minutes in [8, 5, 2] {
        session.past(
            "session.error",
            s.ago(minutes),
            json!({"error": {"type": "model_overloaded_error", "message": "Overloaded",
                             "retry_status": {"type": "retrying"}}}),
        )?;
    }
    session.past_status("running", Value::Null, s.ago(2))?;
    session.set_loop(Loop::Errors, LOOP_PACE);
    Ok(session)
}

fn reschedule_loop(s: &Setup, ids: &mut IdAllocator) -> Result<SimSession, SimError> {
    let mut session = s.create(
        ids,
        "Wait for CI on #4821",
        "Merge #4821 once CI is green.",
        None,
        Some(StuckRule::RescheduleLoop),
        10,
    )?;
    for minutes in (1..=5).rev().map(|m| m * 2 - 1) {
        let wake = session
            .writer
            .schedule_wake(s.ago(minutes) + Duration::seconds(30), "poll CI again")?;
        session.past(
            "session.status_rescheduled",
            s.ago(minutes),
            json!({"wake_id": wake}),
        )?;
        session
            .writer
            .consume_wake(&wake, s.ago(minutes) + Duration::seconds(31))?;
        session.past(
            "session.status_running",
            s.ago(minutes) + Duration::seconds(31),
            json!({}),
        )?;
    }
    session.past_status("running", Value::Null, s.ago(1))?;
    session.set_loop(Loop::Reschedules, (1_000, 3_000));
    Ok(session)
}

fn orphaned(s: &Setup, ids: &mut IdAllocator) -> Result<Vec<SimSession>, SimError> {
    let mut parent = s.create_as(
        ids,
        Role::Orchestrator,
        "Orchestrate the 2.4 release notes",
        "Prepare the 2.4 release notes with one session per section.",
        None,
        None,
        45,
    )?;
    parent.past("session.status_running", s.ago(44), json!({}))?;
    let mut child = s.create(
        ids,
        "Update the changelog",
        "Update CHANGELOG.md for 2.4.",
        Some(parent.id().to_string()),
        Some(StuckRule::Orphaned),
        43,
    )?;
    parent.past(
        "agent.thread_message_sent",
        s.ago(43),
        json!({"to_session_id": child.id(), "content": text(&format!("Started {}: Update the changelog", child.id()))}),
    )?;
    let stop = json!({"type": "end_turn"});
    parent.past(
        "session.status_terminated",
        s.ago(20),
        json!({"stop_reason": stop}),
    )?;
    parent.past_status("terminated", stop, s.ago(20))?;
    parent.freeze();
    child.past("session.status_running", s.ago(42), json!({}))?;
    child.past(
        "agent.message",
        s.ago(1),
        json!({"content": text("Still updating the changelog entries.")}),
    )?;
    child.writer.set_status("running", Value::Null, s.ago(1))?;
    child.set_loop(Loop::Chatter, LOOP_PACE);
    Ok(vec![parent, child])
}

/// What `metadata.sim_expect_stuck` holds, read back from a document.
pub fn expected_rules(doc: &Map<String, Value>) -> Vec<String> {
    doc.get("metadata")
        .and_then(|m| m.get("sim_expect_stuck"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
