use super::*;
use crate::model::time::parse_rfc3339;

use crate::transcripts::test_support::{convert_all, types};

fn convert(lines: &[&str]) -> (ClaudeCodeConverter, Vec<Value>) {
    convert_all(
        ClaudeCodeConverter::new("cc-s", None, false, "/t.jsonl"),
        lines,
    )
}

const USER: &str = r#"{"type":"user","uuid":"u1","timestamp":"2026-01-01T10:00:00Z","cwd":"/w","message":{"role":"user","content":"hi"}}"#;
const TOOL: &str = r#"{"type":"assistant","uuid":"a1","timestamp":"2026-01-01T10:00:01Z","message":{"id":"m1","role":"assistant","content":[{"type":"text","text":"running"},{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}],"usage":{"input_tokens":10,"output_tokens":2}}}"#;
const RESULT: &str = r#"{"type":"user","uuid":"u2","timestamp":"2026-01-01T10:00:02Z","message":{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"a\nb","is_error":true}]}}"#;
const DONE: &str = r#"{"type":"assistant","uuid":"a2","timestamp":"2026-01-01T10:00:03Z","message":{"id":"m2","role":"assistant","content":[{"type":"text","text":"done"}],"stop_reason":"end_turn","usage":{"input_tokens":5,"output_tokens":1,"cache_read_input_tokens":100}}}"#;

fn now() -> Timestamp {
    parse_rfc3339("2026-01-01T10:01:00Z").unwrap()
}

#[test]
fn maps_blocks_onto_contract_events_with_stable_ids() {
    let (_, events) = convert(&[USER, TOOL, RESULT, DONE]);
    assert_eq!(
        types(&events),
        [
            "user.message",
            "agent.message",
            "agent.tool_use",
            "agent.tool_result",
            "agent.message"
        ]
    );
    assert_eq!(events[0]["id"], "u1:0");
    assert_eq!(events[0]["content"][0]["text"], "hi");
    assert_eq!(events[2]["id"], "toolu_1");
    assert_eq!(events[2]["name"], "Bash");
    assert_eq!(events[2]["input"]["command"], "ls");
    assert_eq!(events[3]["tool_use_id"], "toolu_1");
    assert_eq!(events[3]["is_error"], true);
    assert_eq!(events[3]["content"][0]["text"], "a\nb");
    assert_eq!(events[0]["created_at"], "2026-01-01T10:00:00Z");
    let (_, again) = convert(&[USER, TOOL, RESULT, DONE]);
    assert_eq!(events, again, "ids and content are the same on every read");
}

#[test]
fn status_is_inferred_and_labelled() {
    let (c, _) = convert(&[USER, TOOL]);
    let doc = c.session_doc(now());
    assert_eq!(doc["status"], "idle");
    assert_eq!(
        doc["stop_reason"],
        json!({"type":"requires_action","event_ids":["toolu_1"]})
    );
    assert_eq!(doc["metadata"]["inferred_status"], true);
    assert_eq!(doc["metadata"]["source"], "claude-code");
    let (c, _) = convert(&[USER, TOOL, RESULT]);
    assert_eq!(c.session_doc(now())["status"], "running");
    let (c, _) = convert(&[USER, TOOL, RESULT, DONE]);
    let doc = c.session_doc(now());
    assert_eq!(doc["status"], "idle");
    assert_eq!(doc["stop_reason"], json!({"type":"end_turn"}));
}

#[test]
fn usage_counts_each_message_once() {
    // Claude Code repeats the message's usage on each of its records.
    let split = TOOL.replace("\"uuid\":\"a1\"", "\"uuid\":\"a1b\"");
    let (c, _) = convert(&[USER, TOOL, &split, DONE]);
    let doc = c.session_doc(now());
    assert_eq!(
        doc["usage"],
        json!({"input_tokens":15,"output_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":100})
    );
}

#[test]
fn title_prefers_custom_title_then_summary_then_cwd() {
    let (c, _) = convert(&[USER]);
    assert_eq!(c.session_doc(now())["title"], "/w");
    let summary = r#"{"type":"summary","summary":"Sum","leafUuid":"u1"}"#;
    let custom = r#"{"type":"custom-title","customTitle":"Mine","sessionId":"s"}"#;
    let (c, events) = convert(&[USER, summary]);
    assert_eq!(c.session_doc(now())["title"], "Sum");
    assert_eq!(events[1]["type"], "session.updated");
    let (c, _) = convert(&[custom, USER, summary]);
    assert_eq!(c.session_doc(now())["title"], "Mine");
}

#[test]
fn unknown_records_and_blocks_are_kept_raw_and_non_objects_pass_through() {
    let unknown = r#"{"type":"file-history-snapshot","messageId":"x","snapshot":{}}"#;
    let no_type = r#"{"silly":"this"}"#;
    let odd_user = r#"{"type":"user","uuid":"u9","message":"error"}"#;
    let odd_block = r#"{"type":"user","uuid":"u8","message":{"role":"user","content":["wow"]}}"#;
    let (_, events) = convert(&[unknown, no_type, odd_user, odd_block]);
    assert_eq!(
        types(&events),
        [
            "claude_code.file-history-snapshot",
            "claude_code.unknown",
            "claude_code.user",
            "claude_code.user.block"
        ]
    );
    assert_eq!(events[0]["raw"]["messageId"], "x");
    assert_eq!(events[2]["raw"]["message"], "error");
    assert_eq!(events[3]["raw"], "wow");
    let mut c = ClaudeCodeConverter::new("cc-s", None, false, "/t");
    assert_eq!(c.convert_line(b"42"), vec![b"42".to_vec()]);
    assert_eq!(c.convert_line(b"{oops"), vec![b"{oops".to_vec()]);
    assert!(c.convert_line(b"  ").is_empty());
}

#[test]
fn repeated_uuids_get_distinct_ids() {
    let (_, events) = convert(&[USER, USER]);
    assert_eq!(events[0]["id"], "u1:0");
    assert_eq!(events[1]["id"], "u1:0~L2");
}

#[test]
fn old_agent_files_take_their_parent_from_the_records() {
    let mut c = ClaudeCodeConverter::new("cc-agent-x", None, true, "/t");
    c.convert_line(
        br#"{"type":"user","uuid":"u","sessionId":"abc","isSidechain":true,"message":{"role":"user","content":"Find callers"}}"#,
    );
    let doc = c.session_doc(now());
    assert_eq!(doc["parent_id"], "cc-abc");
    assert_eq!(doc["title"], "Find callers");
}
