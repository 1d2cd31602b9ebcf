//! Contract v1.1: when a queued user event counts as handled. One root with
//! each case as a session; `ls`, `doctor`, the dashboard's `:stuck` view and
//! the daemon must all give the same answer (the same model code).

use crate::common;

use std::collections::BTreeMap;

use common::daemon::Daemon;
use common::{Root, code, empty_root, json, stderr};
use serde_json::{Value, json};

const QUEUED: &str = "sevt_q";

fn event(id: &str, kind: &str, at: &str, extra: Value) -> Value {
    let mut event = json!({"id": id, "type": kind, "created_at": at, "processed_at": at});
    if let (Some(map), Value::Object(extra)) = (event.as_object_mut(), extra) {
        map.extend(extra);
    }
    event
}

/// The case, at FIXTURE_NOW (10:00): running, a message queued at
/// 09:55, and the agent still busy on its previous turn.
fn busy_agent() -> Vec<Value> {
    let text = |t: &str| json!({"content": [{"type": "text", "text": t}]});
    vec![
        event(
            "sevt_1",
            "session.status_running",
            "2026-11-21T09:50:00Z",
            json!({}),
        ),
        event(
            QUEUED,
            "user.message",
            "2026-11-21T09:55:00Z",
            json!({"processed_at": null, "content": [{"type": "text", "text": "Stop and revert"}]}),
        ),
        event(
            "sevt_2",
            "agent.message",
            "2026-11-21T09:56:00Z",
            text("Still refactoring"),
        ),
        event(
            "sevt_3",
            "agent.thinking",
            "2026-11-21T09:58:00Z",
            json!({}),
        ),
        event(
            "sevt_4",
            "agent.message",
            "2026-11-21T09:59:30Z",
            text("Still refactoring"),
        ),
    ]
}

fn write_session(root: &Root, id: &str, events: &[Value]) {
    let dir = root.session(id);
    std::fs::create_dir_all(&dir).unwrap();
    let doc = json!({"id": id, "type": "session", "title": id, "status": "running",
        "stop_reason": null, "agent": {"id": "agent_x", "name": "x"},
        "created_at": "2026-11-21T09:49:00Z", "updated_at": "2026-11-21T09:59:30Z",
        "archived_at": null});
    std::fs::write(dir.join("session.json"), doc.to_string()).unwrap();
    let lines: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(dir.join("events.jsonl"), lines).unwrap();
}

/// Each case of the "Done means", by session id.
fn cases_root() -> Root {
    let root = empty_root();
    write_session(&root, "sesn_busy", &busy_agent());
    let mut cycled = busy_agent();
    cycled.push(event(
        "sevt_5",
        "session.status_running",
        "2026-11-21T09:59:40Z",
        json!({}),
    ));
    write_session(&root, "sesn_cycled", &cycled);
    let mut acked = busy_agent();
    acked.push(json!({"id": QUEUED, "type": "user.message",
        "created_at": "2026-11-21T09:55:00Z", "processed_at": "2026-11-21T09:59:50Z"}));
    write_session(&root, "sesn_acked", &acked);
    let decided = vec![
        event(
            "sevt_1",
            "agent.tool_use",
            "2026-11-21T09:50:00Z",
            json!({"name": "bash", "input": {"command": "git push"}}),
        ),
        event(
            "sevt_2",
            "session.status_idle",
            "2026-11-21T09:50:01Z",
            json!({"stop_reason": {"type": "requires_action", "event_ids": ["sevt_1"]}}),
        ),
        event(
            QUEUED,
            "user.tool_confirmation",
            "2026-11-21T09:55:00Z",
            json!({"processed_at": null, "tool_use_id": "sevt_1", "result": "allow",
                   "decided_by": "human:a@b"}),
        ),
        event(
            "sevt_3",
            "session.status_running",
            "2026-11-21T09:55:01Z",
            json!({}),
        ),
        event(
            "sevt_4",
            "agent.tool_result",
            "2026-11-21T09:59:30Z",
            json!({}),
        ),
    ];
    write_session(&root, "sesn_decided", &decided);
    let absent: Vec<Value> = busy_agent()
        .into_iter()
        .map(|mut e| {
            if e["id"] == QUEUED {
                e.as_object_mut().unwrap().remove("processed_at");
            }
            e
        })
        .collect();
    write_session(&root, "sesn_absent", &absent);
    root
}

/// The one finding every front end must show: the busy session's queue.
fn assert_only_the_busy_queue_stalls(findings: &Value) {
    let rows = findings.as_array().unwrap();
    let stalled: Vec<&Value> = rows
        .iter()
        .filter(|f| f["rule"] == "queue_stalled")
        .collect();
    assert_eq!(stalled.len(), 1, "{findings}");
    assert_eq!(stalled[0]["session_id"], "sesn_busy");
    assert_eq!(stalled[0]["evidence"], json!([QUEUED]));
    assert_eq!(stalled[0]["since"], "2026-11-21T09:55:00Z");
    assert_eq!(rows.len(), 1, "no other rule fires: {findings}");
}

fn stuck_by_session(ls: &Value) -> BTreeMap<String, Value> {
    ls.as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap().to_string(),
                row["stuck"].clone(),
            )
        })
        .collect()
}

fn expected_ls_stuck() -> BTreeMap<String, Value> {
    [
        ("sesn_absent", json!([])),
        ("sesn_acked", json!([])),
        ("sesn_busy", json!(["queue_stalled"])),
        ("sesn_cycled", json!([])),
        ("sesn_decided", json!([])),
    ]
    .into_iter()
    .map(|(id, stuck)| (id.to_string(), stuck))
    .collect()
}

#[test]
fn doctor_and_ls_stall_only_the_unread_message() {
    let root = cases_root();
    let doctor = root.run(&["doctor", "--json"]);
    assert_eq!(code(&doctor), 0, "{}", stderr(&doctor));
    assert_only_the_busy_queue_stalls(&json(&doctor));
    let ls = root.run(&["ls", "--json"]);
    assert_eq!(code(&ls), 0, "{}", stderr(&ls));
    assert_eq!(stuck_by_session(&json(&ls)), expected_ls_stuck());
}

#[test]
fn the_dashboards_stuck_view_agrees() {
    let root = cases_root();
    let dash = common::dashboard(&root);
    let stuck: BTreeMap<String, Vec<(String, Vec<String>)>> = dash
        .state
        .sessions
        .iter()
        .map(|(key, entry)| {
            let findings = entry
                .stuck
                .iter()
                .map(|f| (f.rule.as_str().to_string(), f.evidence.clone()))
                .collect();
            (key.id.clone(), findings)
        })
        .collect();
    let busy = vec![("queue_stalled".to_string(), vec![QUEUED.to_string()])];
    assert_eq!(stuck.len(), 5, "{stuck:?}");
    for (id, findings) in &stuck {
        let expected = if id == "sesn_busy" {
            busy.clone()
        } else {
            vec![]
        };
        assert_eq!(findings, &expected, "{id}");
    }
}

#[test]
fn the_daemon_agrees() {
    let root = cases_root();
    let daemon = Daemon::start(&root);
    let doctor = daemon.cli(&["doctor", "--json"]);
    assert_eq!(code(&doctor), 0, "{}", stderr(&doctor));
    assert_only_the_busy_queue_stalls(&json(&doctor));
    let ls = daemon.cli(&["ls", "--json"]);
    assert_eq!(stuck_by_session(&json(&ls)), expected_ls_stuck());
    // The session view over the socket names the queued event as evidence.
    let mut client = daemon.client();
    let detail = client.result(
        "sessions.get",
        json!({"session": "sesn_busy", "now": common::FIXTURE_NOW}),
    );
    assert_eq!(detail["stuck"][0]["rule"], "queue_stalled", "{detail}");
    assert_eq!(detail["stuck"][0]["evidence"], json!([QUEUED]));
}
