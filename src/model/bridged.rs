//! One session known from two sources: an agent's transcript (read by an
//! adapter) and the journal its approval bridge writes (the Claude Code hook
//! mirrors each tool call it holds into `<root>/cc-<uuid>/`). Both name the
//! same session with one id; this is the one rule for how they become one
//! journal view and one status, used by every front end.
//!
//! - Lines are merged in time order (a line without a time keeps its place
//!   after the line before it in its own source; ties go to the transcript).
//! - A tool use the bridge holds appears once: the bridge's request (it
//!   carries the fingerprint decisions must name) replaces the transcript's
//!   copy of the same call.
//! - Status: a request pending in Switchboard makes the session
//!   `requires_action`; otherwise the transcript's inferred status stands,
//!   except that a tool use the bridge already answered is no longer waiting.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::event_type::EventType;
use super::line::{LineParse, parse_line};
use super::time::Timestamp;

/// Where a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Transcript,
    Bridge,
}

struct Keyed {
    line: Vec<u8>,
    /// The line's own time, else the time of the line before it.
    at: Option<Timestamp>,
}

fn keyed(lines: Vec<Vec<u8>>) -> Vec<(Keyed, LineParse)> {
    let mut last = None;
    lines
        .into_iter()
        .map(|line| {
            let parse = parse_line(&line);
            if let LineParse::Event(event) = &parse
                && event.created_at.is_some()
            {
                last = event.created_at;
            }
            (Keyed { line, at: last }, parse)
        })
        .collect()
}

/// The ids of the tool uses the bridge wrote requests for (their event ids
/// and the `tool_use_id`s they name).
fn bridged_calls(bridge: &[(Keyed, LineParse)]) -> HashSet<String> {
    let mut ids = HashSet::new();
    for (_, parse) in bridge {
        if let LineParse::Event(event) = parse
            && event.kind == EventType::AgentToolUse
        {
            ids.insert(event.id.clone());
            if let Some(tool_use_id) = event.str_field("tool_use_id") {
                ids.insert(tool_use_id.to_string());
            }
        }
    }
    ids
}

/// The transcript's and the bridge's journal lines as one journal, in time
/// order, each tool call the bridge holds once.
pub fn merge_lines(transcript: Vec<Vec<u8>>, bridge: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let bridge = keyed(bridge);
    let held = bridged_calls(&bridge);
    let transcript: Vec<(Keyed, LineParse)> = keyed(transcript)
        .into_iter()
        .filter(|(_, parse)| match parse {
            LineParse::Event(event) => {
                !(event.kind == EventType::AgentToolUse && held.contains(&event.id))
            }
            _ => true,
        })
        .collect();
    let mut merged = Vec::with_capacity(transcript.len() + bridge.len());
    let mut left = transcript.into_iter().peekable();
    let mut right = bridge.into_iter().peekable();
    loop {
        let side = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => Side::Transcript,
            (None, Some(_)) => Side::Bridge,
            (Some((a, _)), Some((b, _))) => match (a.at, b.at) {
                (Some(a), Some(b)) if b < a => Side::Bridge,
                (None, Some(_)) | (Some(_), Some(_)) | (None, None) => Side::Transcript,
                (Some(_), None) => Side::Bridge,
            },
        };
        let next = match side {
            Side::Transcript => left.next(),
            Side::Bridge => right.next(),
        };
        if let Some((keyed, _)) = next {
            merged.push(keyed.line);
        }
    }
    merged
}

/// Tool uses the bridge answered with `allow` or `deny` (no longer waiting
/// on anyone; an `ask` hands the call to the agent's own prompt).
pub fn answered_calls(bridge: &[Vec<u8>]) -> HashSet<String> {
    bridge
        .iter()
        .filter_map(|line| match parse_line(line) {
            LineParse::Event(event)
                if event.kind == EventType::UserToolConfirmation
                    && matches!(event.str_field("result"), Some("allow" | "deny")) =>
            {
                event.answered_request_id().map(str::to_string)
            }
            _ => None,
        })
        .collect()
}

/// Calls allowed in Switchboard whose result the transcript does not show
/// yet: the agent is running them, however long the transcript was quiet
/// before.
pub fn allowed_unfinished(merged: &[Vec<u8>]) -> HashSet<String> {
    let mut allowed = HashSet::new();
    let mut finished = HashSet::new();
    for line in merged {
        let LineParse::Event(event) = parse_line(line) else {
            continue;
        };
        match event.kind {
            EventType::UserToolConfirmation if event.str_field("result") == Some("allow") => {
                if let Some(id) = event.answered_request_id() {
                    allowed.insert(id.to_string());
                }
            }
            EventType::AgentToolResult => {
                if let Some(id) = event.str_field("tool_use_id") {
                    finished.insert(id.to_string());
                }
            }
            _ => {}
        }
    }
    allowed.retain(|id| !finished.contains(id));
    allowed
}

/// Where each source of a merged session is, for `metadata.sources`.
pub struct SourcesNamed<'a> {
    pub bridge_kind: &'a str,
    pub bridge_dir: &'a str,
    pub transcript_kind: &'a str,
    pub transcript: &'a str,
}

/// The merged `session.json`: the transcript's (title, usage, times,
/// context) with the bridge's metadata added, both sources named, and the
/// status by the rule above. `pending` are the event ids pending after the
/// merged fold.
pub fn merged_doc(
    bridge_doc: &Map<String, Value>,
    transcript_doc: &Map<String, Value>,
    pending: &[String],
    answered: &HashSet<String>,
    running: &HashSet<String>,
    sources: SourcesNamed<'_>,
) -> Map<String, Value> {
    let mut doc = transcript_doc.clone();
    let mut metadata = transcript_doc
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(bridge_meta) = bridge_doc.get("metadata").and_then(Value::as_object) {
        for (key, value) in bridge_meta {
            if key == "source" {
                // Still the bridge's session: decisions go to its journal.
                metadata.insert(key.clone(), value.clone());
            } else {
                metadata.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    metadata.insert(
        "sources".into(),
        json!([
            {"kind": sources.bridge_kind, "path": sources.bridge_dir},
            {"kind": sources.transcript_kind, "path": sources.transcript},
        ]),
    );
    if doc.get("title").is_none_or(Value::is_null)
        && let Some(title) = bridge_doc.get("title")
    {
        doc.insert("title".into(), title.clone());
    }
    for (key, pick_min) in [("created_at", true), ("updated_at", false)] {
        if let Some(time) = extreme(&doc, bridge_doc, key, pick_min) {
            doc.insert(key.into(), json!(time));
        }
    }
    if !pending.is_empty() {
        doc.insert("status".into(), json!("idle"));
        doc.insert(
            "stop_reason".into(),
            json!({"type": "requires_action", "event_ids": pending}),
        );
        metadata.insert(
            "inferred_reason".into(),
            json!("a tool call waits for a decision in Switchboard"),
        );
    } else if !running.is_empty() {
        doc.insert("status".into(), json!("running"));
        doc.insert("stop_reason".into(), Value::Null);
        metadata.insert(
            "inferred_reason".into(),
            json!("Switchboard allowed a tool call whose result is not in yet"),
        );
    } else if let Some(waiting) = waiting_ids(&doc) {
        let still: Vec<&String> = waiting
            .iter()
            .filter(|id| !answered.contains(*id))
            .collect();
        if still.is_empty() {
            doc.insert("status".into(), json!("running"));
            doc.insert("stop_reason".into(), Value::Null);
            metadata.insert(
                "inferred_reason".into(),
                json!("Switchboard answered the tool call; the agent is working"),
            );
        } else {
            doc.insert(
                "stop_reason".into(),
                json!({"type": "requires_action", "event_ids": still}),
            );
        }
    }
    doc.insert("metadata".into(), Value::Object(metadata));
    doc
}

/// The earlier (or later) of two RFC 3339 UTC texts, which sort as times.
fn extreme(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    key: &str,
    pick_min: bool,
) -> Option<String> {
    let a = a.get(key).and_then(Value::as_str).map(str::to_string);
    let b = b.get(key).and_then(Value::as_str).map(str::to_string);
    match (a, b) {
        (Some(a), Some(b)) => Some(if (a <= b) == pick_min { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn waiting_ids(doc: &Map<String, Value>) -> Option<Vec<String>> {
    let stop = doc.get("stop_reason")?.as_object()?;
    if stop.get("type").and_then(Value::as_str) != Some("requires_action") {
        return None;
    }
    Some(
        stop.get("event_ids")?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(lines: &[Vec<u8>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| match parse_line(l) {
                LineParse::Event(e) => e.id,
                _ => "?".into(),
            })
            .collect()
    }

    fn line(text: &str) -> Vec<u8> {
        text.as_bytes().to_vec()
    }

    #[test]
    fn merges_in_time_order_and_keeps_one_copy_of_a_held_call() {
        let transcript = vec![
            line(r#"{"id":"u1","type":"user.message","created_at":"2026-01-01T10:00:00Z"}"#),
            line(
                r#"{"id":"toolu_1","type":"agent.tool_use","name":"Bash","created_at":"2026-01-01T10:00:05Z"}"#,
            ),
            line(
                r#"{"id":"r1","type":"agent.tool_result","tool_use_id":"toolu_1","created_at":"2026-01-01T10:01:00Z"}"#,
            ),
        ];
        let bridge = vec![
            line(
                r#"{"id":"toolu_1","type":"agent.tool_use","name":"Bash","tool_use_id":"toolu_1","created_at":"2026-01-01T10:00:06Z"}"#,
            ),
            line(
                r#"{"id":"c1","type":"user.tool_confirmation","tool_use_id":"toolu_1","result":"allow","created_at":"2026-01-01T10:00:30Z"}"#,
            ),
        ];
        let merged = merge_lines(transcript, bridge.clone());
        assert_eq!(ids(&merged), ["u1", "toolu_1", "c1", "r1"]);
        assert!(
            String::from_utf8_lossy(&merged[1]).contains(r#""tool_use_id":"toolu_1""#),
            "the bridge's request stands for the call"
        );
        assert_eq!(
            answered_calls(&bridge),
            HashSet::from(["toolu_1".to_string()])
        );
        assert!(allowed_unfinished(&merged).is_empty(), "its result is in");
        assert_eq!(allowed_unfinished(&merged[..3]).len(), 1);
    }

    #[test]
    fn pending_in_switchboard_wins_and_an_answered_call_no_longer_waits() {
        let transcript_doc = json!({"id":"cc-a","title":"fix it","status":"idle",
            "stop_reason":{"type":"requires_action","event_ids":["toolu_1"]},
            "metadata":{"source":"claude-code","transcript":"/t.jsonl"},
            "created_at":"2026-01-01T10:00:00Z","updated_at":"2026-01-01T10:00:05Z"});
        let bridge_doc = json!({"id":"cc-a","title":"Claude Code in /w","status":"idle",
            "metadata":{"source":"claude-code-hook","permission_mode":"default"},
            "created_at":"2026-01-01T10:00:06Z","updated_at":"2026-01-01T10:00:06Z"});
        let (Value::Object(t), Value::Object(b)) = (transcript_doc, bridge_doc) else {
            unreachable!()
        };
        let named = || SourcesNamed {
            bridge_kind: "claude-code-hook",
            bridge_dir: "/root/cc-a",
            transcript_kind: "claude-code",
            transcript: "/t.jsonl",
        };
        let none = HashSet::new();
        let pending = merged_doc(&b, &t, &["toolu_1".into()], &none, &none, named());
        assert_eq!(pending["stop_reason"]["event_ids"], json!(["toolu_1"]));
        assert_eq!(pending["title"], "fix it");
        assert_eq!(pending["updated_at"], "2026-01-01T10:00:06Z");
        assert_eq!(pending["created_at"], "2026-01-01T10:00:00Z");
        assert_eq!(pending["metadata"]["permission_mode"], "default");
        assert_eq!(
            pending["metadata"]["sources"][0]["kind"],
            "claude-code-hook"
        );
        assert_eq!(pending["metadata"]["sources"][1]["path"], "/t.jsonl");
        let answered = HashSet::from(["toolu_1".to_string()]);
        let allowed = merged_doc(&b, &t, &[], &answered, &none, named());
        assert_eq!(
            (&allowed["status"], &allowed["stop_reason"]),
            (&json!("running"), &Value::Null)
        );
        let untouched = merged_doc(&b, &t, &[], &none, &none, named());
        assert_eq!(untouched["stop_reason"]["event_ids"], json!(["toolu_1"]));
        let mut quiet = t.clone();
        quiet.insert("stop_reason".into(), Value::Null);
        let running = merged_doc(&b, &quiet, &[], &answered, &answered, named());
        assert_eq!(running["status"], "running", "allowed and not finished");
    }
}
