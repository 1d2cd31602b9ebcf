use serde_json::{Value, json};

use super::*;
use crate::model::fingerprint::fingerprint_parts;
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;

const SID: &str = "sesn_t";

fn event(value: Value) -> Event {
    match parse_line(value.to_string().as_bytes()) {
        LineParse::Event(e) => *e,
        other => panic!("{other:?}"),
    }
}

fn fp(id: &str, kind: &str, name: &str, input: &Value) -> String {
    fingerprint_parts(SID, id, kind, &Value::from(name), input)
}

fn push_input() -> Value {
    json!({"command": "git push origin fix/login"})
}

/// A journal with a pending `git push` (e1, listed by e2) and a pending plan (p1).
fn summary() -> JournalSummary {
    let mut s = JournalSummary::new(SID, PlanTools::default());
    let input = push_input();
    let plan = json!({"plan": "# Plan\n1. Test", "plan_id": "plan_a"});
    for e in [
        json!({"id":"e1","type":"agent.tool_use","name":"bash","input":input,
               "fingerprint": fp("e1","agent.tool_use","bash",&input)}),
        json!({"id":"p1","type":"agent.custom_tool_use","name":"submit_plan","input":plan}),
        json!({"id":"c1","type":"agent.custom_tool_use","name":"lookup_order","input":{"order_id":"42"}}),
        json!({"id":"e2","type":"session.status_idle",
               "stop_reason":{"type":"requires_action","event_ids":["e1","p1","c1"]}}),
        json!({"id":"e3","type":"agent.tool_use","name":"bash","input":{"command":"ls"}}),
    ] {
        s.apply(&event(e));
    }
    s
}

fn confirmation(id: &str, target: &str, result: &str, fingerprint: &str) -> Value {
    json!({"id": id, "type": "user.tool_confirmation", "processed_at": null,
           "tool_use_id": target, "result": result, "fingerprint": fingerprint,
           "decided_by": "human:t@h"})
}

fn push_fp() -> String {
    fp("e1", "agent.tool_use", "bash", &push_input())
}

#[test]
fn valid_allow_is_accepted() {
    let answer = event(confirmation("d1", "e1", "allow", &push_fp()));
    let accepted = check_answer(&summary(), &answer).unwrap();
    assert_eq!(accepted.verdict, Verdict::Allow);
    assert_eq!(accepted.request_id, "e1");
    assert_eq!(accepted.decided_by, "human:t@h");
}

#[test]
fn stale_fingerprint_is_refused() {
    let other = fp("e1", "agent.tool_use", "bash", &json!({"command": "ls"}));
    let answer = event(confirmation("d1", "e1", "allow", &other));
    let (target, refusal) = check_answer(&summary(), &answer).unwrap_err();
    assert_eq!(target.as_deref(), Some("e1"));
    assert_eq!(refusal.code(), "stale");
    assert!(refusal.explain().contains(&push_fp()));
}

#[test]
fn missing_fingerprint_is_stale() {
    let mut answer = confirmation("d1", "e1", "allow", "x");
    answer.as_object_mut().unwrap().remove("fingerprint");
    let (_, refusal) = check_answer(&summary(), &event(answer)).unwrap_err();
    assert!(matches!(refusal, Refusal::Stale { given: None, .. }));
}

#[test]
fn replay_after_the_first_answer_is_already_decided() {
    let mut s = summary();
    let first = event(confirmation("d1", "e1", "allow", &push_fp()));
    assert!(check_answer(&s, &first).is_ok());
    s.apply(&first);
    let replay = event(confirmation("d2", "e1", "allow", &push_fp()));
    let (_, refusal) = check_answer(&s, &replay).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::AlreadyDecided {
            first_answer: "d1".into()
        }
    );
}

#[test]
fn an_invalid_first_answer_still_wins() {
    let mut s = summary();
    let bad = event(confirmation("d1", "e1", "allow", "sha256:00"));
    assert!(check_answer(&s, &bad).is_err());
    s.apply(&bad);
    let good = event(confirmation("d2", "e1", "allow", &push_fp()));
    assert_eq!(
        check_answer(&s, &good).unwrap_err().1.code(),
        "already_decided"
    );
}

#[test]
fn unknown_and_unlisted_requests_are_refused() {
    let answer = event(confirmation("d1", "nope", "allow", &push_fp()));
    assert_eq!(
        check_answer(&summary(), &answer).unwrap_err().1,
        Refusal::NotFound
    );
    let ls = fp("e3", "agent.tool_use", "bash", &json!({"command": "ls"}));
    let answer = event(confirmation("d1", "e3", "allow", &ls));
    assert_eq!(
        check_answer(&summary(), &answer).unwrap_err().1,
        Refusal::NotPending
    );
    // A custom tool result cannot answer a tool use.
    let wrong = event(json!({"id":"d1","type":"user.custom_tool_result",
        "custom_tool_use_id":"e1","fingerprint": push_fp()}));
    assert_eq!(
        check_answer(&summary(), &wrong).unwrap_err().1,
        Refusal::NotFound
    );
    let no_target = event(json!({"id":"d1","type":"user.tool_confirmation","result":"allow"}));
    assert_eq!(
        check_answer(&summary(), &no_target).unwrap_err(),
        (None, Refusal::NotFound)
    );
}

#[test]
fn tampered_request_cannot_be_approved() {
    let mut s = JournalSummary::new(SID, PlanTools::default());
    let input = json!({"command": "rm -rf build"});
    let shown = fp(
        "t1",
        "agent.tool_use",
        "bash",
        &json!({"command": "ls build"}),
    );
    s.apply(&event(
        json!({"id":"t1","type":"agent.tool_use","name":"bash",
        "input": input, "fingerprint": shown}),
    ));
    s.apply(&event(json!({"id":"t2","type":"session.status_idle",
        "stop_reason":{"type":"requires_action","event_ids":["t1"]}})));
    let current = fp("t1", "agent.tool_use", "bash", &input);
    let answer = event(confirmation("d1", "t1", "allow", &current));
    assert_eq!(check_answer(&s, &answer).unwrap_err().1.code(), "tampered");
}

#[test]
fn deny_message_only_with_deny() {
    let mut answer = confirmation("d1", "e1", "allow", &push_fp());
    answer["deny_message"] = json!("no");
    let (_, refusal) = check_answer(&summary(), &event(answer)).unwrap_err();
    assert_eq!(refusal.code(), "invalid");
    let mut deny = confirmation("d1", "e1", "deny", &push_fp());
    deny["deny_message"] = json!("not on main");
    assert_eq!(
        check_answer(&summary(), &event(deny)).unwrap().verdict,
        Verdict::Deny {
            message: "not on main".into()
        }
    );
}

#[test]
fn plans_take_redirects_and_custom_tools_take_text() {
    let plan_input = json!({"plan": "# Plan\n1. Test", "plan_id": "plan_a"});
    let plan_fp = fp("p1", "agent.custom_tool_use", "submit_plan", &plan_input);
    let redirect = event(json!({"id":"d1","type":"user.custom_tool_result",
        "custom_tool_use_id":"p1","result":"deny","redirect":true,
        "deny_message":"add a failing test first","fingerprint": plan_fp,
        "content":[{"type":"text","text":"add a failing test first"}]}));
    assert_eq!(
        check_answer(&summary(), &redirect).unwrap().verdict,
        Verdict::Redirect {
            message: "add a failing test first".into()
        }
    );
    let custom_fp = fp(
        "c1",
        "agent.custom_tool_use",
        "lookup_order",
        &json!({"order_id":"42"}),
    );
    let respond = event(json!({"id":"d2","type":"user.custom_tool_result",
        "custom_tool_use_id":"c1","fingerprint": custom_fp,"is_error":false,
        "content":[{"type":"text","text":"shipped"}]}));
    assert_eq!(
        check_answer(&summary(), &respond).unwrap().verdict,
        Verdict::Respond {
            text: "shipped".into(),
            is_error: false
        }
    );
}
