use super::*;
use crate::model::fingerprint::fingerprint_parts;
use crate::model::time::parse_rfc3339;
use std::fs;

struct Fixture {
    dir: tempfile::TempDir,
    _audit: tempfile::TempDir,
}

const REQUEST: &str = r#"{"id":"t1","type":"agent.tool_use","created_at":"2026-11-21T09:00:00Z","name":"bash","input":{"command":"git push"}}"#;
const LISTING: &str = r#"{"id":"i1","type":"session.status_idle","created_at":"2026-11-21T09:00:01Z","stop_reason":{"type":"requires_action","event_ids":["t1"]}}"#;

fn fixture(lines: &[&str]) -> Fixture {
    let audit = tempfile::tempdir().unwrap();
    // SAFETY: tests in this module set the same value; no other thread reads it concurrently in a harmful way.
    unsafe { std::env::set_var("SWITCHBOARD_AUDIT_LOG", audit.path().join("audit.jsonl")) };
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("sesn_1");
    fs::create_dir(&session).unwrap();
    fs::write(
        session.join("session.json"),
        br#"{"id":"sesn_1","status":"idle"}"#,
    )
    .unwrap();
    let mut journal = lines.join("\n");
    journal.push('\n');
    fs::write(session.join("events.jsonl"), journal).unwrap();
    Fixture { dir, _audit: audit }
}

fn fp() -> String {
    fingerprint_parts(
        "sesn_1",
        "t1",
        "agent.tool_use",
        &serde_json::json!("bash"),
        &serde_json::json!({"command": "git push"}),
    )
}

fn decision(verdict: Verdict, message: Option<&str>) -> Decision {
    Decision {
        session_id: "sesn_1".into(),
        event_id: "t1".into(),
        fingerprint: fp(),
        verdict,
        message: message.map(str::to_string),
        decided_by: "human:test@host".into(),
    }
}

fn now() -> Timestamp {
    parse_rfc3339("2026-11-21T09:05:00Z").unwrap()
}

fn journal(f: &Fixture) -> String {
    fs::read_to_string(f.dir.path().join("sesn_1/events.jsonl")).unwrap()
}

fn run(f: &Fixture, d: &Decision) -> Result<Value, DecideError> {
    decide(f.dir.path(), d, &PlanTools::default(), now())
}

#[test]
fn approves_a_pending_request_once() {
    let f = fixture(&[REQUEST, LISTING]);
    let written = run(&f, &decision(Verdict::Allow, None)).unwrap();
    assert_eq!(written["type"], "user.tool_confirmation");
    assert_eq!(written["tool_use_id"], "t1");
    assert_eq!(written["result"], "allow");
    assert_eq!(written["fingerprint"], fp());
    assert_eq!(written["decided_by"], "human:test@host");
    assert!(written["processed_at"].is_null());
    let err = run(&f, &decision(Verdict::Allow, None)).unwrap_err();
    assert_eq!(err.exit_code(), 4, "{err}");
    assert_eq!(journal(&f).lines().count(), 3);
}

#[test]
fn checks_run_in_the_contracts_order() {
    let f = fixture(&[REQUEST, LISTING]);
    let mut missing = decision(Verdict::Allow, None);
    missing.event_id = "nope".into();
    missing.fingerprint = "sha256:00".into();
    assert_eq!(run(&f, &missing).unwrap_err().exit_code(), 5);

    let mut other_session = decision(Verdict::Allow, None);
    other_session.session_id = "sesn_2".into();
    assert_eq!(run(&f, &other_session).unwrap_err().exit_code(), 5);

    let mut stale = decision(Verdict::Allow, None);
    stale.fingerprint = "sha256:deadbeef".into();
    assert_eq!(run(&f, &stale).unwrap_err().exit_code(), 3);

    let allow_with_message = decision(Verdict::Allow, Some("why"));
    assert_eq!(run(&f, &allow_with_message).unwrap_err().exit_code(), 2);
    assert_eq!(journal(&f).lines().count(), 2, "nothing written on refusal");
}

#[test]
fn tampered_request_is_refused() {
    let tampered = r#"{"id":"t1","type":"agent.tool_use","name":"bash","input":{"command":"git push"},"fingerprint":"sha256:1111"}"#;
    let f = fixture(&[tampered, LISTING]);
    let err = run(&f, &decision(Verdict::Allow, None)).unwrap_err();
    assert!(matches!(err, DecideError::Tampered { .. }), "{err}");
    assert_eq!(err.exit_code(), 3);
}

#[test]
fn unlisted_request_is_not_pending() {
    let f = fixture(&[REQUEST]);
    assert_eq!(
        run(&f, &decision(Verdict::Allow, None))
            .unwrap_err()
            .exit_code(),
        4
    );
}

#[test]
fn redirect_and_deny_carry_the_message() {
    let f = fixture(&[REQUEST, LISTING]);
    let written = run(&f, &decision(Verdict::Redirect, Some("push to a branch"))).unwrap();
    assert_eq!(written["result"], "deny");
    assert_eq!(written["redirect"], true);
    assert_eq!(written["deny_message"], "push to a branch");
    assert_eq!(
        run(&f, &decision(Verdict::Deny, Some("")))
            .unwrap_err()
            .exit_code(),
        2
    );
}

#[test]
fn custom_tool_uses_are_answered_with_respond() {
    let custom = r#"{"id":"t1","type":"agent.custom_tool_use","name":"lookup_order","input":{"order_id":"42"}}"#;
    let f = fixture(&[custom, LISTING]);
    let mut d = decision(Verdict::Allow, None);
    d.fingerprint = fingerprint_parts(
        "sesn_1",
        "t1",
        "agent.custom_tool_use",
        &serde_json::json!("lookup_order"),
        &serde_json::json!({"order_id":"42"}),
    );
    assert_eq!(run(&f, &d).unwrap_err().exit_code(), 2);
    d.verdict = Verdict::Respond;
    d.message = Some("shipped".into());
    let written = run(&f, &d).unwrap();
    assert_eq!(written["type"], "user.custom_tool_result");
    assert_eq!(written["custom_tool_use_id"], "t1");
    assert_eq!(written["content"][0]["text"], "shipped");
    assert_eq!(written["is_error"], false);
}

#[test]
fn torn_last_line_is_closed_before_the_decision() {
    let f = fixture(&[REQUEST, LISTING]);
    let path = f.dir.path().join("sesn_1/events.jsonl");
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(br#"{"id":"half","ty"#);
    fs::write(&path, bytes).unwrap();
    run(&f, &decision(Verdict::Allow, None)).unwrap();
    let text = journal(&f);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2], r#"{"id":"half","ty"#);
    assert!(serde_json::from_str::<Value>(lines[3]).is_ok());
    assert!(text.ends_with('\n'));
}
