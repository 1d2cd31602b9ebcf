use std::collections::VecDeque;

use serde_json::{Value, json};

use super::*;
use crate::sim::create::{NewSession, create_session, session_rng};
use crate::sim::personas::push_ask;
use crate::store::append::LockedJournal;

fn journal(session: &SimSession) -> Vec<Value> {
    std::fs::read_to_string(paths::journal(session.writer.dir()))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn decide(session: &SimSession, event: Value) {
    LockedJournal::open(&paths::journal(session.writer.dir()), false)
        .unwrap()
        .append_event(&event)
        .unwrap();
}

/// One engine step of a session alone in its fleet.
fn step(session: &mut SimSession) -> Next {
    let mut ids = IdAllocator::new(1);
    let finished = HashSet::new();
    let mut ctx = StepCtx {
        finished: &finished,
        ids: &mut ids,
        spawned: Vec::new(),
    };
    session.step(&mut ctx).unwrap()
}

/// A worker waiting on a `git push`, as the engine would leave it.
fn waiting_session(dir: &std::path::Path) -> (SimSession, String, String) {
    let new = NewSession {
        id: "sesn_t".into(),
        role: Role::Worker,
        title: "t".into(),
        prompt: "push it".into(),
        lane: "t".into(),
        parent_id: None,
        created_at: chrono::Utc::now(),
        expect_stuck: Vec::new(),
    };
    let script = VecDeque::from([Action::Ask(push_ask(&crate::sim::content::TASKS[0]))]);
    let mut session = create_session(dir, &new, session_rng(1, 1), script, (1, 1)).unwrap();
    assert_eq!(step(&mut session), Next::Wait);
    let request = journal(&session)
        .into_iter()
        .find(|e| e["type"] == "agent.tool_use")
        .unwrap();
    let id = request["id"].as_str().unwrap().to_string();
    let fingerprint = request["fingerprint"].as_str().unwrap().to_string();
    (session, id, fingerprint)
}

fn allow(id: &str, target: &str, fingerprint: &str) -> Value {
    json!({"id": id, "type": "user.tool_confirmation", "processed_at": null,
           "tool_use_id": target, "result": "allow", "fingerprint": fingerprint,
           "decided_by": "human:t@h"})
}

#[test]
fn a_stale_decision_is_refused_and_the_agent_asks_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, request, _) = waiting_session(dir.path());
    decide(&session, allow("d1", &request, "sha256:00"));
    assert!(!session.poll().unwrap(), "still waiting");
    assert_eq!(session.life(), Life::Waiting);
    let events = journal(&session);
    let refusal = events
        .iter()
        .find(|e| e["type"] == "system.message")
        .unwrap();
    assert_eq!(refusal["reason"], "stale");
    assert_eq!(refusal["refused_event_id"], "d1");
    let asks: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "agent.tool_use")
        .collect();
    assert_eq!(asks.len(), 2);
    assert_eq!(asks[0]["input"], asks[1]["input"]);
    assert_ne!(asks[0]["id"], asks[1]["id"]);
    let last = events.last().unwrap();
    assert_eq!(last["stop_reason"]["event_ids"], json!([asks[1]["id"]]));
    assert_eq!(session.refused, 1);
}

#[test]
fn a_valid_decision_is_honoured_once() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, request, fingerprint) = waiting_session(dir.path());
    decide(&session, allow("d1", &request, &fingerprint));
    assert!(session.poll().unwrap(), "runnable again");
    assert_eq!(session.honoured, 1);
    // A replay is refused in writing, and does not wake anything.
    decide(&session, allow("d2", &request, &fingerprint));
    assert!(!session.poll().unwrap());
    let events = journal(&session);
    let refusal = events
        .iter()
        .find(|e| e["type"] == "system.message")
        .unwrap();
    assert_eq!(refusal["reason"], "already_decided");
    assert!(
        refusal["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("d1")
    );
    assert_eq!(session.script.front(), Some(&Action::Running));
}

/// `waiting_session` after a valid decision `d1` woke it.
fn honoured_session(dir: &std::path::Path) -> (SimSession, String, String) {
    let (mut session, request, fingerprint) = waiting_session(dir);
    decide(&session, allow("d1", &request, &fingerprint));
    assert!(session.poll().unwrap(), "runnable again");
    (session, request, fingerprint)
}

/// The journal as Switchboard folds it: what `queue_stalled` reads.
fn queued_ids(session: &SimSession) -> Vec<String> {
    let mut summary = JournalSummary::new(session.id(), PlanTools::default());
    let text = std::fs::read_to_string(paths::journal(session.writer.dir())).unwrap();
    for line in text.lines() {
        crate::model::fold_steps::fold_line(&mut summary, line.as_bytes());
    }
    summary
        .queued_user_events()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

#[test]
fn every_queued_event_the_agent_reads_is_acknowledged_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, request, fingerprint) = honoured_session(dir.path());
    // Refused decisions are followed by no status event of their own: only
    // the acknowledgement tells a reader they were taken.
    decide(&session, allow("d2", &request, &fingerprint));
    decide(&session, allow("d3", "sevt_nope", &fingerprint));
    decide(
        &session,
        json!({"id": "m1", "type": "user.message", "processed_at": null,
               "content": [{"type": "text", "text": "also update the docs"}]}),
    );
    assert!(!session.poll().unwrap());
    assert_eq!(session.refused, 2);
    assert_eq!(queued_ids(&session), Vec::<String>::new());
    let events = journal(&session);
    for id in ["d1", "d2", "d3", "m1"] {
        let copies: Vec<&Value> = events.iter().filter(|e| e["id"] == id).collect();
        assert_eq!(copies.len(), 2, "{id}: {copies:?}");
        assert_eq!(copies[1]["type"], copies[0]["type"], "{id}");
        assert!(copies[1]["processed_at"].is_string(), "{id}");
        // Only the head: an acknowledgement is not a second decision.
        assert!(copies[1].get("tool_use_id").is_none(), "{id}");
    }
    // The task is taken by the opening status_running, not acknowledged.
    let task = &events[0];
    assert_eq!(task["type"], "user.message");
    assert_eq!(events.iter().filter(|e| e["id"] == task["id"]).count(), 1);
    // Reading its own acknowledgements back changes nothing.
    let before = events.len();
    assert!(!session.poll().unwrap());
    assert_eq!(journal(&session).len(), before);
    assert_eq!(session.refused, 2);
}

#[test]
fn a_late_decision_on_an_ended_session_is_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut session, request, fingerprint) = honoured_session(dir.path());
    session.script.clear();
    session
        .script
        .push_back(Action::End(super::super::script::Ending::EndTurn));
    while step(&mut session) != Next::Ended {}
    decide(&session, allow("late", &request, &fingerprint));
    session.poll().unwrap();
    assert_eq!(session.refused, 1);
    assert_eq!(queued_ids(&session), Vec::<String>::new());
}
