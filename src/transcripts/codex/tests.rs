use super::*;
use crate::model::time::parse_rfc3339;

use crate::transcripts::test_support::{convert_all, types};

fn convert(lines: &[&str]) -> (CodexConverter, Vec<Value>) {
    convert_all(CodexConverter::new("codex-s", "/r.jsonl"), lines)
}

fn now() -> Timestamp {
    parse_rfc3339("2026-01-01T10:01:00Z").unwrap()
}

const META: &str = r#"{"timestamp":"2026-01-01T10:00:00Z","type":"session_meta","payload":{"id":"u-1","cwd":"/w","cli_version":"0.46.0","forked_from_id":"u-0"}}"#;
const USER: &str = r#"{"timestamp":"2026-01-01T10:00:01Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}}"#;
const USER_ECHO: &str = r#"{"timestamp":"2026-01-01T10:00:01Z","type":"event_msg","payload":{"type":"user_message","message":"hi"}}"#;
const CALL: &str = r#"{"timestamp":"2026-01-01T10:00:02Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"ls\"]}","call_id":"c1"}}"#;
const OUTPUT: &str = r#"{"timestamp":"2026-01-01T10:00:03Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c1","output":"a"}}"#;
const ANSWER_ECHO: &str = r#"{"timestamp":"2026-01-01T10:00:04Z","type":"event_msg","payload":{"type":"agent_message","message":"done"}}"#;
const ANSWER: &str = r#"{"timestamp":"2026-01-01T10:00:04Z","type":"response_item","payload":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]}}"#;
const TOKENS: &str = r#"{"timestamp":"2026-01-01T10:00:05Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":900,"cached_input_tokens":600,"output_tokens":40}}}}"#;

#[test]
fn maps_items_and_shows_each_message_once() {
    let (_, events) = convert(&[
        META,
        USER,
        USER_ECHO,
        CALL,
        OUTPUT,
        ANSWER_ECHO,
        ANSWER,
        TOKENS,
    ]);
    assert_eq!(
        types(&events),
        [
            "session.updated",
            "user.message",
            "agent.tool_use",
            "agent.tool_result",
            "agent.message",
            "session.usage"
        ]
    );
    assert_eq!(events[2]["id"], "c1");
    assert_eq!(events[2]["input"], json!({"command":["ls"]}));
    assert_eq!(events[3]["tool_use_id"], "c1");
    assert_eq!(events[1]["id"], "L2");
}

#[test]
fn forks_link_to_their_parent_and_usage_is_the_latest_total() {
    let (c, _) = convert(&[META, USER, TOKENS, TOKENS]);
    let doc = c.session_doc(now());
    assert_eq!(doc["parent_id"], "codex-u-0");
    assert_eq!(
        doc["usage"],
        json!({"input_tokens":900,"output_tokens":40,"cache_creation_input_tokens":0,
            "cache_read_input_tokens":600,"input_includes_cache_read":true}),
        "Codex's input_tokens, cached ones included, as Codex and ccusage show them"
    );
    assert_eq!(doc["metadata"]["source"], "codex");
    assert_eq!(doc["title"], "/w");
}

#[test]
fn a_call_without_output_is_waiting() {
    let (c, _) = convert(&[META, USER, CALL]);
    let doc = c.session_doc(now());
    assert_eq!(doc["status"], "idle");
    assert_eq!(
        doc["stop_reason"],
        json!({"type":"requires_action","event_ids":["c1"]})
    );
    let (c, _) = convert(&[META, USER, CALL, OUTPUT]);
    assert_eq!(c.session_doc(now())["status"], "running");
    let (c, _) = convert(&[META, USER, CALL, OUTPUT, ANSWER]);
    assert_eq!(
        c.session_doc(now())["stop_reason"],
        json!({"type":"end_turn"})
    );
}

#[test]
fn unknown_lines_are_kept_raw() {
    let unknown =
        r#"{"timestamp":"2026-01-01T10:00:00Z","type":"ghost_snapshot","payload":{"x":1}}"#;
    let unknown_msg = r#"{"timestamp":"2026-01-01T10:00:00Z","type":"event_msg","payload":{"type":"exec_command_end","exit_code":0}}"#;
    let (_, events) = convert(&[unknown, unknown_msg]);
    assert_eq!(
        types(&events),
        ["codex.ghost_snapshot", "codex.event_msg.exec_command_end"]
    );
    assert_eq!(events[1]["raw"]["payload"]["exit_code"], 0);
}

#[test]
fn session_ids_come_from_file_names() {
    assert_eq!(
        session_id_from_file_name(
            "rollout-2026-01-15T09-00-00-0199c0de-0000-7000-8000-000000000001"
        ),
        "0199c0de-0000-7000-8000-000000000001"
    );
    assert_eq!(session_id_from_file_name("rollout-abc"), "abc");
}
