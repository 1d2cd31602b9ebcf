use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::model::line::{
    LineParse, RawHead, parse_head_with_serde, parse_line, within_decoder_limits,
};

/// Lines like those of real journals, and some that are not.
const SEEDS: &[&str] = &[
    r#"{"id": "sevt_1", "type": "agent.message", "created_at": "2026-11-21T00:00:01Z", "processed_at": "2026-11-21T00:00:01Z", "content": [{"type": "text", "text": "hello"}]}"#,
    r#"{"id":"e5","type":"agent.tool_use","created_at":"2026-11-21T09:00:06Z","name":"bash","input":{"command":"ls -la","n":[1,2.5,-3e2,0]},"fingerprint":"sha256:ab"}"#,
    r#"{"id":"e6","type":"session.status_idle","processed_at":null,"stop_reason":{"type":"requires_action","event_ids":["e5"]}}"#,
    r#"{"id":"e7","type":"user.message","created_at":null,"processed_at":null,"content":[]}"#,
    r##"{"id":"e8","type":"agent.custom_tool_use","name":"submit_plan","input":{"plan":"# A\n\"quoted\" \\ \u00e9 \ud83d\ude00","plan_id":null},"usage":{"a":true,"b":false,"c":{}}}"##,
    r#"  {"type":"x","id":"y" , "name" : null , "input" : null}  "#,
    r#"{"id":"z","type":"t","deep":[[[[{"a":[{"b":[]}]}]]]]}"#,
];

/// The scanner's answer must be serde's whenever it gives one.
fn assert_agrees(text: &str) -> bool {
    let Some(scanned) = scan_head(text) else {
        return false;
    };
    if scanned.within_decoder_limits {
        // The flag must never promise what the full decoder refuses.
        match parse_line(text.as_bytes()) {
            LineParse::Event(event) => assert!(event.undecodable.is_none(), "line: {text}"),
            other => panic!("{other:?} for {text}"),
        }
    }
    // No laxer than the byte-wise check it replaces.
    assert!(
        !within_decoder_limits(text.as_bytes()) || scanned.within_decoder_limits,
        "{text}"
    );
    let scanned = RawHead::from(scanned);
    let by_serde = parse_head_with_serde(text);
    assert_eq!(Some(&scanned), by_serde.as_ref(), "line: {text}");
    true
}

#[test]
fn lines_near_the_decoders_limits_are_flagged() {
    let line = |rest: &str| format!(r#"{{"id":"a","type":"agent.tool_use","input":{rest}}}"#);
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    for (rest, within) in [
        (r#"{"n":[1,2.5,-3e2,0,1e99,-0.5E+10]}"#.to_string(), true),
        (
            r#""digits and brackets in a string: 1e400 \\ud800 [[[""#.to_string(),
            true,
        ),
        ("1e400".to_string(), false),
        ("1E-999".to_string(), false),
        (format!("1{}", "0".repeat(198)), true),
        (format!("1{}", "0".repeat(199)), false),
        (format!("0.{}", "0".repeat(200)), false),
        (r#""\ud83d\ude00""#.to_string(), false),
        (r#""\uD800""#.to_string(), false),
        (r#""\u00e9""#.to_string(), true),
        // The line's own object counts among the openings.
        (nested(99), true),
        (nested(100), false),
    ] {
        let text = line(&rest);
        let head = scan_head(&text).unwrap_or_else(|| panic!("scans {text}"));
        assert_eq!(head.within_decoder_limits, within, "{text}");
        assert!(assert_agrees(&text));
    }
}

#[test]
fn plain_lines_are_scanned_as_serde_reads_them() {
    for seed in SEEDS {
        assert!(assert_agrees(seed), "the scanner decides {seed}");
    }
    let head = scan_head(SEEDS[1]).unwrap();
    assert_eq!(head.id, "e5");
    assert_eq!(head.kind, "agent.tool_use");
    assert_eq!(head.created_at, Some("2026-11-21T09:00:06Z"));
    assert_eq!(head.name, Some(r#""bash""#));
    assert_eq!(
        head.input,
        Some(r#"{"command":"ls -la","n":[1,2.5,-3e2,0]}"#)
    );
    assert_eq!(head.fingerprint, Some(r#""sha256:ab""#));
    let idle = scan_head(SEEDS[2]).unwrap();
    assert_eq!(idle.processed_at, Some("null"));
    let nulls = scan_head(SEEDS[5]).unwrap();
    assert_eq!((nulls.name, nulls.input), (None, None));
}

#[test]
fn what_it_is_not_sure_of_is_left_to_serde() {
    for unsure in [
        // Escapes in a key or a field it returns: they read differently unescaped.
        r#"{"\u0069d":"a","type":"t"}"#,
        r#"{"id":"a\"b","type":"t"}"#,
        // A field of the head twice.
        r#"{"id":"a","type":"t","input":1,"input":2}"#,
        // White space other than spaces, and control characters.
        "{\"id\":\"a\",\t\"type\":\"t\"}",
        // Not an object, or missing what an event needs.
        r#"["id","type"]"#,
        r#"{}"#,
        r#"{"id":"a"}"#,
        r#"{"id":1,"type":"t"}"#,
        r#"{"id":"a","type":"t","created_at":5}"#,
        // Invalid JSON.
        r#"{"id":"a","type":"t",}"#,
        r#"{"id":"a","type":"t","n":01}"#,
        r#"{"id":"a","type":"t","n":1.}"#,
        r#"{"id":"a","type":"t","n":-}"#,
        r#"{"id":"a","type":"t","s":"\x"}"#,
        r#"{"id":"a","type":"t","s":"\u12g4"}"#,
        r#"{"id":"a","type":"t","a":[1,]}"#,
        r#"{"id":"a","type":"t","a":[1 2]}"#,
        r#"{"id":"a","type":"t","o":{"k" 1}}"#,
        r#"{"id":"a","type":"t","o":{1:2}}"#,
        r#"{"id":"a","type":"t","b":tru}"#,
        r#"{"id":"a","type":"t"} x"#,
        r#"{"id":"a","type":"t""#,
        r#"{"id":"a","type":"t","a":[}"#,
    ] {
        assert!(scan_head(unsure).is_none(), "{unsure}");
    }
    let nested = |depth: usize| {
        format!(
            r#"{{"id":"a","type":"t","d":{}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let too_deep = nested(101);
    assert!(scan_head(&too_deep).is_none());
    let deep_enough = nested(100);
    assert!(assert_agrees(&deep_enough));
}

/// Random edits of the seeds: wherever the scanner answers, serde gives the
/// same head. Most edits break the JSON; the scanner must never accept one
/// that serde refuses.
#[test]
fn random_edits_never_make_the_scanner_disagree_with_serde() {
    const ALPHABET: &[u8] = b"{}[]\",:\\ 0123456789-+.eEtrufalsn\"u/abcdfFx\t";
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let (mut decided, mut valid_but_left) = (0, 0);
    for _ in 0..40_000 {
        let mut line = SEEDS[rng.random_range(0..SEEDS.len())].as_bytes().to_vec();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..=line.len());
            let byte = ALPHABET[rng.random_range(0..ALPHABET.len())];
            match rng.random_range(0..3) {
                0 => line.insert(at, byte),
                1 if at < line.len() => {
                    line.remove(at);
                }
                _ if at < line.len() => line[at] = byte,
                _ => line.push(byte),
            }
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            continue;
        };
        if assert_agrees(text) {
            decided += 1;
        } else if parse_head_with_serde(text).is_some() {
            valid_but_left += 1;
        }
    }
    // Not vacuous: many edits keep the line valid, and the scanner decides
    // most of those itself.
    assert!(decided > 2_000, "decided {decided}");
    assert!(decided > valid_but_left, "{decided} vs {valid_but_left}");
}

#[test]
fn the_word_at_a_time_search_finds_what_memchr_finds() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // Neighbours of the searched bytes, where a borrow could mislead.
    const BYTES: &[u8] = b"\"\\!#[]\x01\x21\x23\x5b\x5d\x5c\x22\xff\x80\x7f a";
    for _ in 0..20_000 {
        let len = rng.random_range(0..80);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.random_range(0..4) {
                0 => BYTES[rng.random_range(0..BYTES.len())],
                _ => rng.random_range(0x23..0x5b),
            })
            .collect();
        assert_eq!(
            quote_or_backslash(&bytes),
            memchr::memchr2(b'"', b'\\', &bytes),
            "{bytes:?}"
        );
    }
}
