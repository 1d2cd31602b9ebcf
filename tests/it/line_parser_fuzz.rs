//! Fuzz-style robustness: random bytes and random JSON never panic the line
//! parser, the summary fold or the fingerprint, and classification is total.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};
use switchboard::model::fingerprint;
use switchboard::model::fold_steps::fold_decoded_line;
use switchboard::model::line::{LineParse, parse_line};
use switchboard::model::plan::PlanTools;
use switchboard::model::summary::JournalSummary;
use switchboard::store::session_snapshot::fold_line;

fn random_json(rng: &mut ChaCha8Rng, depth: u32) -> Value {
    let choice = if depth > 4 {
        rng.random_range(0..5)
    } else {
        rng.random_range(0..7)
    };
    match choice {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random::<i64>()),
        3 => Value::from(f64::from_bits(rng.random::<u64>())),
        4 => Value::String(random_string(rng)),
        5 => Value::Array(
            (0..rng.random_range(0..5))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.random_range(0..6) {
                map.insert(random_string(rng), random_json(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

fn random_string(rng: &mut ChaCha8Rng) -> String {
    let pool = [
        "id",
        "type",
        "agent.tool_use",
        "session.status_idle",
        "user.tool_confirmation",
        "tool_use_id",
        "stop_reason",
        "requires_action",
        "event_ids",
        "\u{1b}[2J",
        "😀",
        "\u{202e}",
        "\0",
        "created_at",
        "2026-11-21T09:00:00Z",
    ];
    if rng.random_bool(0.6) {
        pool[rng.random_range(0..pool.len())].to_string()
    } else {
        (0..rng.random_range(0..12))
            .map(|_| char::from_u32(rng.random_range(0..0x2000)).unwrap_or('?'))
            .collect()
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut summary = JournalSummary::new("s", PlanTools::default());
    let mut folded = JournalSummary::new("s", PlanTools::default());
    for _ in 0..20_000 {
        let len = rng.random_range(0..200);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        if rng.random_bool(0.3) {
            bytes.insert(0, b'{');
        }
        fold_line(&mut folded, &bytes);
        fold_decoded_line(&mut summary, &bytes);
    }
    let _ = summary.pending();
    assert_eq!(
        folded, summary,
        "the fold's fast paths read lines as decoding does"
    );
}

#[test]
fn random_json_events_never_panic_and_fingerprint_is_stable() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut summary = JournalSummary::new("s", PlanTools::default());
    // The same lines through the fold's own path: head decoding, requests
    // kept as written, the scanner.
    let mut folded = JournalSummary::new("s", PlanTools::default());
    let kinds = [
        "agent.tool_use",
        "agent.custom_tool_use",
        "session.status_idle",
        "user.tool_confirmation",
        "user.custom_tool_result",
        "session.error",
        "user.message",
        "x.unknown",
    ];
    for i in 0..5_000 {
        let mut object = match random_json(&mut rng, 0) {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("input".into(), other);
                map
            }
        };
        if rng.random_bool(0.8) {
            object.insert("id".into(), json!(format!("e{}", i % 50)));
            object.insert(
                "type".into(),
                json!(kinds[rng.random_range(0..kinds.len())]),
            );
        }
        if rng.random_bool(0.3) {
            object.insert(
                "stop_reason".into(),
                json!({"type":"requires_action","event_ids":[format!("e{}", i % 50)]}),
            );
        }
        let line = serde_json::to_vec(&Value::Object(object)).unwrap();
        fold_line(&mut folded, &line);
        match parse_line(&line) {
            LineParse::Event(e) => {
                summary.apply(&e);
                let a = fingerprint::fingerprint("s", &e);
                // Re-parsing what was written gives the same fingerprint.
                let again = match parse_line(&serde_json::to_vec(&e.body).unwrap()) {
                    LineParse::Event(e2) => fingerprint::fingerprint("s", &e2),
                    other => panic!("{other:?}"),
                };
                assert_eq!(a, again);
            }
            LineParse::Malformed(_) => summary.note_malformed(),
            LineParse::Blank => {}
        }
    }
    assert_eq!(folded.pending(), summary.pending());
    assert_eq!(
        folded, summary,
        "the fold's fast paths read lines as decoding does"
    );
    let _ = rng.next_u32();
}
