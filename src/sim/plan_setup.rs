//! A planner met mid-review: revision 1 was redirected a few minutes ago,
//! and revision 2, which follows the reviewer's message, waits for approval.
//! It gives the demo a plan whose diff between revisions says something.

use std::collections::VecDeque;
use std::path::Path;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::SimError;
use super::agent::SimSession;
use super::content::TASKS;
use super::create::{NewSession, create_session, session_rng};
use super::ids::IdAllocator;
use super::personas::{Role, plan_draft};
use super::script::{Action, Ask, Ending};

const REDIRECT: &str = "add a failing test that reproduces the timeout first";

pub fn revised_plan(
    root: &Path,
    seed: u64,
    ids: &mut IdAllocator,
    pace: (u64, u64),
) -> Result<SimSession, SimError> {
    let now = Utc::now();
    let ago = |minutes: i64| now - Duration::minutes(minutes);
    let task = TASKS[0];
    let (index, id) = ids.next();
    let new = NewSession {
        id: id.clone(),
        role: Role::Planner,
        title: format!("Plan: {}", task.title),
        prompt: format!("Plan this before changing anything: {}", task.prompt),
        lane: task.lane.into(),
        parent_id: None,
        created_at: ago(7),
        expect_stuck: Vec::new(),
    };
    let script = VecDeque::from([
        Action::Tool {
            name: "edit_file".into(),
            input: json!({"path": task.file, "diff": super::content::unified_diff(task.file, task.before, task.after)}),
            output: format!("Applied 1 hunk to {}", task.file),
        },
        Action::Tool {
            name: "bash".into(),
            input: json!({"command": task.test}),
            output: "4 passed in 1.2s".into(),
        },
        Action::Message(format!("Followed the approved plan for {}.", task.title)),
        Action::End(Ending::EndTurn),
    ]);
    let mut session = create_session(root, &new, session_rng(seed, index), script, pace)?;
    session.past("session.status_running", ago(6), json!({}))?;

    let first = plan_draft(&task, format!("plan_{id}"));
    let rev1 = session.submit_past(&Ask::Plan(first.clone()), ago(5))?;
    let (_, name, input) = Ask::Plan(first.clone()).parts();
    let fingerprint = crate::model::fingerprint::fingerprint_parts(
        &id,
        &rev1,
        "agent.custom_tool_use",
        &Value::from(name),
        &input,
    );
    session.past(
        "user.custom_tool_result",
        ago(4),
        json!({"custom_tool_use_id": rev1, "result": "deny", "redirect": true,
               "deny_message": REDIRECT, "content": [{"type": "text", "text": REDIRECT}],
               "is_error": false, "fingerprint": fingerprint, "decided_by": "human:alice@laptop"}),
    )?;
    session.past("session.status_running", ago(4), json!({}))?;
    session.past(
        "agent.thinking",
        ago(4),
        json!({"content": [{"type": "thinking", "thinking": format!(
            "human:alice@laptop redirected the plan: \u{201c}{REDIRECT}\u{201d}. Revising it to follow that.")}]}),
    )?;
    let second = Ask::Plan(first.redirected(REDIRECT));
    let rev2 = session.submit_past(&second, ago(3))?;
    session.past_status(
        "idle",
        json!({"type": "requires_action", "event_ids": [rev2]}),
        ago(3),
    )?;
    session.absorb_history()?;
    session.wait_on(rev2, second);
    Ok(session)
}

impl SimSession {
    /// Writes a back-dated request and the idle event listing it.
    fn submit_past(&mut self, ask: &Ask, at: chrono::DateTime<Utc>) -> Result<String, SimError> {
        let (kind, name, input) = ask.parts();
        let request = self.writer.request(kind, &name, input, at);
        let id = self.writer.append(vec![request])?;
        self.past(
            "session.status_idle",
            at,
            json!({"stop_reason": {"type": "requires_action", "event_ids": [id]}}),
        )?;
        Ok(id)
    }
}
