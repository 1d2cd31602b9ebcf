//! On-call actions through the real binary: interrupt, message, wake, and
//! doctor --fail-on-stuck.

use crate::common;

use std::time::{Duration, Instant};

use common::*;

fn last_event(root: &Root, id: &str) -> serde_json::Value {
    serde_json::from_str(root.journal(id).lines().last().unwrap()).unwrap()
}

#[test]
fn interrupt_message_and_wake_write_the_right_entries() {
    let root = fixture_root("contract");
    let out = root.run(&["interrupt", "sesn_silent", "--as", "human:oncall@pager"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let event = last_event(&root, "sesn_silent");
    assert_eq!(event["type"], "user.interrupt");
    assert_eq!(event["sent_by"], "human:oncall@pager");
    assert!(event["processed_at"].is_null());

    let out = root.run(&[
        "message",
        "sesn_silent",
        "--text",
        "Are you stuck on the lock?",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let event = last_event(&root, "sesn_silent");
    assert_eq!(event, json(&out));
    assert_eq!(event["type"], "user.message");
    assert_eq!(event["content"][0]["text"], "Are you stuck on the lock?");

    let out = root.run(&["wake", "sesn_silent", "--reason", "check CI again"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let wake =
        std::fs::read_to_string(root.session("sesn_silent").join("wake-queue.jsonl")).unwrap();
    let entry: serde_json::Value = serde_json::from_str(wake.lines().last().unwrap()).unwrap();
    assert_eq!(entry["due_at"], FIXTURE_NOW);
    assert_eq!(entry["reason"], "check CI again");

    let audit = std::fs::read_to_string(&root.audit).unwrap();
    for action in ["interrupt", "message", "wake"] {
        assert!(
            audit.contains(&format!("\"action\":\"{action}\"")),
            "{action} audited"
        );
    }
}

#[test]
fn a_terminated_session_refuses_with_a_reason_and_nothing_is_written() {
    let root = fixture_root("contract");
    let before = root.journal("sesn_exhausted");
    let out = root.run(&["message", "sesn_exhausted", "--text", "hello?"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stderr(&out).trim(),
        "switchboard: session sesn_exhausted is terminated; a message would never be read"
    );
    assert_eq!(code(&root.run(&["interrupt", "sesn_exhausted"])), 1);
    assert_eq!(code(&root.run(&["wake", "sesn_exhausted"])), 1);
    assert_eq!(root.journal("sesn_exhausted"), before);
    assert_eq!(code(&root.run(&["message", "sesn_nope", "--text", "x"])), 5);
    assert_eq!(code(&root.run(&["wake", "sesn_silent", "--in", "soon"])), 2);
}

#[test]
fn actions_wait_for_the_journal_lock() {
    let root = fixture_root("contract");
    let journal = root.session("sesn_silent").join("events.jsonl");
    // Another writer holds the lock for a while, then appends its own line.
    let mut holder = hold_lock_then_append(&journal, r#"{"id":"holder","type":"agent.message"}"#);
    let started = Instant::now();
    let out = root.run(&["message", "sesn_silent", "--text", "after you"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(holder.wait().unwrap().success());
    let text = root.journal("sesn_silent");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[lines.len() - 2].contains("\"holder\""),
        "the holder wrote first"
    );
    assert!(
        lines[lines.len() - 1].contains("after you"),
        "our message waited for the lock"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn wake_waits_for_the_wake_queues_lock() {
    let root = fixture_root("contract");
    let queue = root.session("sesn_silent").join("wake-queue.jsonl");
    let mut holder = hold_lock_then_append(
        &queue,
        r#"{"id":"wake_holder","due_at":"2026-11-21T09:00:00Z"}"#,
    );
    let out = root.run(&["wake", "sesn_silent", "--as", "human:oncall@test"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(holder.wait().unwrap().success());
    let text = std::fs::read_to_string(&queue).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("wake_holder"), "the holder wrote first");
    assert!(
        lines[1].contains("human:oncall@test"),
        "wake waited for the lock"
    );
}

#[test]
fn doctor_fail_on_stuck_for_alerting() {
    let root = fixture_root("contract");
    let stuck = root.run(&["doctor", "--fail-on-stuck", "--json"]);
    assert_eq!(code(&stuck), 1);
    assert!(
        json(&stuck).as_array().unwrap().len() >= 7,
        "the report is still printed"
    );
    assert!(stderr(&stuck).contains("stuck"));
    let healthy = empty_root();
    std::fs::create_dir_all(healthy.session("sesn_ok")).unwrap();
    std::fs::write(
        healthy.session("sesn_ok").join("session.json"),
        r#"{"status":"idle"}"#,
    )
    .unwrap();
    assert_eq!(code(&healthy.run(&["doctor", "--fail-on-stuck"])), 0);
}
