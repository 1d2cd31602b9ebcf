use super::*;
use crate::model::plan::PlanTools;

/// Folds `journal` line by line, the reference the block fold must match.
fn fold_lines(journal: &[u8]) -> JournalSummary {
    let mut summary = JournalSummary::new("sesn_t", PlanTools::default());
    fold_each_line(&mut summary, journal, fold_line);
    assert_eq!(
        summary,
        fold_decoded(journal),
        "borrowed and owned events fold alike"
    );
    summary
}

/// Folds `journal` by decoding every line whole and applying the events
/// borrowed: the plainest fold there is.
fn fold_decoded(journal: &[u8]) -> JournalSummary {
    let mut summary = JournalSummary::new("sesn_t", PlanTools::default());
    fold_each_line(&mut summary, journal, fold_decoded_line);
    summary
}

/// Folds `journal` as blocks cut after the given lines.
fn fold_blocks(journal: &[u8], cuts: &[usize]) -> JournalSummary {
    let mut summary = JournalSummary::new("sesn_t", PlanTools::default());
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', journal).collect();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&newlines.len())) {
        let end = if cut == 0 { 0 } else { newlines[cut - 1] + 1 };
        if end > start {
            parse_block(&journal[start..end], &PlanTools::default()).apply(&mut summary);
            start = end;
        }
    }
    summary
}

/// Every kind of line the fold treats differently, in an order where the
/// user queue, requests, listings and answers interact across lines.
fn mixed_journal() -> Vec<u8> {
    let t = |s: u32| format!("2026-11-21T09:{:02}:{:02}Z", s / 60, s % 60);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut push = |line: String| lines.push(line.into_bytes());
    push(format!(
        r#"{{"id":"e1","type":"user.message","created_at":"{}","processed_at":null}}"#,
        t(1)
    ));
    push(format!(
        r#"{{"id":"e2","type":"user.interrupt","created_at":"{}","processed_at":null}}"#,
        t(2)
    ));
    push(format!(
        r#"{{"id":"e1","type":"user.message","created_at":"{}","processed_at":"{}"}}"#,
        t(1),
        t(3)
    ));
    push(format!(
        r#"{{"id":"e3","type":"agent.message","created_at":"{}","content":[{{"type":"text","text":"hi é"}}]}}"#,
        t(4)
    ));
    push(format!(
        r#"{{"id":"e4","type":"agent.thinking","created_at":"{}"}}"#,
        t(5)
    ));
    push(format!(
        r#"{{"id":"e5","type":"agent.tool_use","created_at":"{}","name":"bash","input":{{"command":"ls"}}}}"#,
        t(6)
    ));
    push(format!(
        r#"{{"id":"e6","type":"session.status_idle","created_at":"{}","stop_reason":{{"type":"requires_action","event_ids":["e5"]}}}}"#,
        t(7)
    ));
    push(format!(
        r#"{{"id":"e7","type":"user.message","created_at":"{}","processed_at":null}}"#,
        t(8)
    ));
    push("not json".into());
    push("   ".into());
    push("[1,2]".into());
    push(format!(
        "{{\"id\":\"e8\",\"type\":\"agent.message\",\"created_at\":\"{}\"}}\r",
        t(9)
    ));
    lines.push(b"{\"id\":\"e9\",\"type\":\"agent.message\",\"text\":\"\xff\"}".to_vec());
    let mut push = |line: String| lines.push(line.into_bytes());
    push(format!(
        r#"{{"id":"e10","type":"user.tool_confirmation","created_at":"{}","tool_use_id":"e5","result":"allow","processed_at":null}}"#,
        t(10)
    ));
    push(format!(
        r#"{{"id":"e11","type":"agent.custom_tool_use","created_at":"{}","name":"ask","input":{{}}}}"#,
        t(11)
    ));
    push(format!(
        r#"{{"id":"e12","type":"session.error","created_at":"{}","error":{{"type":"overloaded"}}}}"#,
        t(12)
    ));
    push(format!(
        r#"{{"id":"e13","type":"vendor.custom","created_at":"{}"}}"#,
        t(13)
    ));
    push(format!(
        r#"{{"id":"e14","type":"user.future_kind","created_at":"{}","processed_at":null}}"#,
        t(14)
    ));
    push(format!(
        r#"{{"id":"e15","type":"session.status_idle","created_at":"{}","stop_reason":{{"type":"requires_action","event_ids":["e11"]}}}}"#,
        t(15)
    ));
    push(format!(
        r#"{{"id":"e16","type":"agent.message","created_at":"{}"}}"#,
        t(16)
    ));
    push(format!(
        r##"{{"id":"p1","type":"agent.custom_tool_use","created_at":"{}","name":"submit_plan","input":{{"plan":"# One"}}}}"##,
        t(20)
    ));
    push(format!(
        r#"{{"id":"p1r","type":"user.custom_tool_result","created_at":"{}","custom_tool_use_id":"p1","result":"deny","redirect":true,"decided_by":"human:a@b"}}"#,
        t(21)
    ));
    push(format!(
        r##"{{"id":"p2","type":"agent.custom_tool_use","created_at":"{}","name":"submit_plan","input":{{"plan":"# Two","plan_id":"x"}}}}"##,
        t(22)
    ));
    push(format!(
        r##"{{"id":"p3","type":"agent.custom_tool_use","created_at":"{}","name":"submit_plan","input":{{"plan":"# Three"}}}}"##,
        t(23)
    ));
    push(format!(
        r#"{{"id":"i3","type":"session.status_idle","created_at":"{}","stop_reason":{{"type":"requires_action","event_ids":["p3","p2"]}}}}"#,
        t(24)
    ));
    push(format!(
        r#"{{"id":"e17","type":"user.message","created_at":"{}","processed_at":null}}"#,
        t(17)
    ));
    push(format!(
        r#"{{"id":"e18","type":"agent.thinking","created_at":"{}"}}"#,
        t(18)
    ));
    push(format!(
        r#"{{"id":"e19","type":"user.message","created_at":"{}","processed_at":null}}"#,
        t(19)
    ));
    let mut journal = Vec::new();
    for line in lines {
        journal.extend_from_slice(&line);
        journal.push(b'\n');
    }
    journal
}

#[test]
fn any_two_cuts_fold_like_line_by_line() {
    let journal = mixed_journal();
    let expected = fold_lines(&journal);
    assert_eq!(expected.event_count, 24);
    assert_eq!(expected.pending().len(), 3);
    assert_eq!(expected.malformed_lines, 3);
    let lines = memchr::memchr_iter(b'\n', &journal).count();
    for first in 0..=lines {
        for second in first..=lines {
            assert_eq!(
                fold_blocks(&journal, &[first, second]),
                expected,
                "cut after lines {first} and {second}"
            );
        }
    }
}

/// `mixed_journal` with every id, and every reference to one, prefixed, so
/// rounds of it do not repeat ids. Done on bytes: one line is not UTF-8.
fn mixed_journal_with_prefix(prefix: &str) -> Vec<u8> {
    let ids = (1..=19)
        .map(|n| format!("e{n}"))
        .chain(["p1", "p1r", "p2", "p3", "i3", "x"].map(String::from));
    ids.fold(mixed_journal(), |journal, id| {
        let quoted = format!("\"{id}\"");
        let renamed = format!("\"{prefix}{id}\"");
        let mut out = Vec::with_capacity(journal.len());
        let mut start = 0;
        for at in memchr::memmem::find_iter(&journal, quoted.as_bytes()) {
            out.extend_from_slice(&journal[start..at]);
            out.extend_from_slice(renamed.as_bytes());
            start = at + quoted.len();
        }
        out.extend_from_slice(&journal[start..]);
        out
    })
}

#[test]
fn a_generated_journal_folds_alike_in_blocks_of_every_size() {
    let rounds = 40;
    let journal: Vec<u8> = (0..rounds)
        .flat_map(|round| mixed_journal_with_prefix(&format!("r{round}")))
        .collect();
    let expected = fold_lines(&journal);
    // Not vacuous: every round's requests, listings and bad lines count.
    assert_eq!(expected.pending().len(), 3 * rounds);
    assert_eq!(expected.malformed_lines, 3 * rounds as u64);
    let lines = memchr::memchr_iter(b'\n', &journal).count();
    for size in [1, 2, 3, 7, 50, 333] {
        let cuts: Vec<usize> = (size..lines).step_by(size).collect();
        assert_eq!(
            fold_blocks(&journal, &cuts),
            expected,
            "blocks of {size} lines"
        );
    }
}

#[test]
fn bytes_after_the_last_newline_are_not_a_line() {
    let block = parse_block(
        b"{\"id\":\"a\",\"type\":\"agent.message\"}\n{\"id\":\"b\"",
        &PlanTools::default(),
    );
    let mut summary = JournalSummary::new("s", PlanTools::default());
    block.apply(&mut summary);
    assert_eq!(summary.event_count, 1);
    assert_eq!(summary.malformed_lines, 0);
}

/// Requests the head decoder can fold without decoding them whole, and
/// requests at or past the full decoder's limits, which must still fold
/// exactly as the full decoder reads them (`fold_lines` checks both ways).
#[test]
fn requests_near_the_decoders_limits_fold_like_decoded_ones() {
    let deep = format!("{}1{}", "[".repeat(130), "]".repeat(130));
    let nested = format!("{}1{}", "[".repeat(90), "]".repeat(90));
    let long_digits = "9".repeat(400);
    let inputs = [
        r#"{"command":"ls","n":30.0,"t":[1e5,-0.5,1E-400]}"#.to_string(),
        r#"{"big":1e400}"#.to_string(),
        format!(r#"{{"big":{long_digits}}}"#),
        format!(r#"{{"deep":{deep}}}"#),
        format!(r#"{{"nested":{nested}}}"#),
        r#"{"lone":"\ud800"}"#.to_string(),
        r#"{"pair":"\ud83d\ude00","escaped":"a\"b\\c\u00e9"}"#.to_string(),
        r#"{"dup":1,"dup":2}"#.to_string(),
        "null".to_string(),
        r#""text""#.to_string(),
    ];
    let mut journal = Vec::new();
    let mut ids = Vec::new();
    for (n, input) in inputs.iter().enumerate() {
        let id = format!("r{n}");
        journal.extend_from_slice(
            format!(
                r#"{{"id":"{id}","type":"agent.tool_use","created_at":"2026-11-21T09:00:0{}Z","name":"bash","input":{input}}}"#,
                n % 10
            )
            .as_bytes(),
        );
        journal.push(b'\n');
        ids.push(format!("\"{id}\""));
    }
    // The same with odd heads: a name that is not a string, a stored
    // fingerprint, a `null` input, a numeric `processed_at`, an escaped id,
    // an unknown big number elsewhere in the line, and a repeated field.
    for (n, line) in [
        r#"{"id":"h0","type":"agent.tool_use","name":7,"input":{"a":1}}"#,
        r#"{"id":"h1","type":"agent.tool_use","name":"bash","input":{"a":1},"fingerprint":"sha256:00"}"#,
        r#"{"id":"h2","type":"agent.tool_use","name":"bash","input":null,"fingerprint":5}"#,
        r#"{"id":"h3","type":"agent.tool_use","name":"bash","processed_at":12}"#,
        r#"{"id":"h\u0034","type":"agent.custom_tool_use","name":"ask","input":{}}"#,
        r#"{"id":"h5","type":"agent.tool_use","name":"bash","input":{},"usage":1e999}"#,
        r#"{"id":"h6","type":"agent.tool_use","name":"bash","input":{"a":1},"input":{"a":2}}"#,
        r#"{"id":"h7","type":"agent.mcp_tool_use","name":"x","input":{"b":[true,false,null]},"processed_at":null}"#,
    ]
    .iter()
    .enumerate()
    {
        journal.extend_from_slice(line.as_bytes());
        journal.push(b'\n');
        ids.push(format!("\"h{n}\""));
    }
    journal.extend_from_slice(
        format!(
            r#"{{"id":"idle","type":"session.status_idle","stop_reason":{{"type":"requires_action","event_ids":[{}]}}}}"#,
            ids.join(",")
        )
        .as_bytes(),
    );
    journal.push(b'\n');
    let summary = fold_lines(&journal);
    let pending = summary.pending();
    assert_eq!(pending.len(), ids.len(), "every request is pending");
    let undecodable = |id: &str| {
        pending
            .iter()
            .find(|p| p.event_id() == id)
            .and_then(|p| p.request.stored_fingerprint.clone())
    };
    for past_the_limits in ["r1", "r2", "r3", "r5", "h5"] {
        assert_eq!(undecodable(past_the_limits).as_deref(), Some("undecodable"));
    }
    for within in ["r0", "r4", "r6", "r7", "h0", "h2", "h3", "h7"] {
        assert_eq!(undecodable(within), None, "{within}");
    }
    for (n, blocks) in [vec![3], vec![1, 9, 12]].iter().enumerate() {
        assert_eq!(fold_blocks(&journal, blocks), summary, "cuts {n}");
    }
}
