//! Concurrent writers: racing decisions and a second process appending under
//! the same lock. Every line must parse; nothing is lost or duplicated.

use crate::common;

use std::collections::HashSet;
use std::process::{Command, Stdio};

use common::*;

#[test]
fn eight_racing_approvals_have_exactly_one_winner() {
    let root = fixture_root("contract");
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let children: Vec<_> = (0..8)
        .map(|i| {
            root.command(&[
                "approve",
                "sesn_awaiting",
                "sevt_0003",
                "--fingerprint",
                &fp,
                "--as",
                &format!("orchestrator:racer{i}"),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, vec![0, 4, 4, 4, 4, 4, 4, 4]);
    let answers = root
        .journal("sesn_awaiting")
        .lines()
        .filter(|l| l.contains("user.tool_confirmation"))
        .count();
    assert_eq!(answers, 1);
}

/// A runtime in another language appending under flock, as the contract asks.
const PY_WRITER: &str = r#"
import fcntl, json, os, sys
path, count = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_WRONLY | os.O_APPEND)
for i in range(count):
    line = json.dumps({"id": f"w{i}", "type": "agent.message", "processed_at": None,
                       "content": [{"type": "text", "text": "x" * (i % 300)}]}) + "\n"
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, line.encode())
    fcntl.flock(fd, fcntl.LOCK_UN)
"#;

#[test]
fn twenty_thousand_appends_interleave_with_decisions() {
    let root = empty_root();
    let session = root.session("sesn_busy");
    std::fs::create_dir_all(&session).unwrap();
    std::fs::write(session.join("session.json"), r#"{"id":"sesn_busy","status":"idle","stop_reason":{"type":"requires_action","event_ids":[]}}"#).unwrap();
    let requests = 40;
    let mut journal = String::new();
    let mut ids = Vec::new();
    for i in 0..requests {
        journal.push_str(&format!(
            r#"{{"id":"t{i}","type":"agent.tool_use","name":"bash","input":{{"command":"echo {i}"}}}}"#
        ));
        journal.push('\n');
        ids.push(format!("t{i}"));
    }
    journal.push_str(&format!(
        r#"{{"id":"idle","type":"session.status_idle","stop_reason":{{"type":"requires_action","event_ids":{}}}}}"#,
        serde_json::to_string(&ids).unwrap()
    ));
    journal.push('\n');
    std::fs::write(session.join("events.jsonl"), journal).unwrap();
    let pending = json(&root.run(&["pending", "--json"]));
    let fingerprints: Vec<(String, String)> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["event_id"].as_str().unwrap().into(),
                p["fingerprint"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(fingerprints.len(), requests);

    let mut writer = Command::new("python3")
        .args(["-c", PY_WRITER])
        .arg(session.join("events.jsonl"))
        .arg("20000")
        .spawn()
        .expect("python3 is needed for the cross-language writer");
    for (event, fp) in &fingerprints {
        let out = root.run(&["approve", "sesn_busy", event, "--fingerprint", fp]);
        assert_eq!(code(&out), 0, "{event}: {}", stderr(&out));
    }
    assert!(writer.wait().unwrap().success());

    let text = root.journal("sesn_busy");
    assert!(text.ends_with('\n'));
    let mut seen = HashSet::new();
    let mut confirmations = HashSet::new();
    for line in text.lines() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let id = value["id"].as_str().unwrap().to_string();
        assert!(seen.insert(id.clone()), "duplicate {id}");
        if value["type"] == "user.tool_confirmation" {
            assert!(confirmations.insert(value["tool_use_id"].as_str().unwrap().to_string()));
        }
    }
    for i in 0..20000 {
        assert!(seen.contains(&format!("w{i}")), "lost w{i}");
    }
    assert_eq!(confirmations.len(), requests);
    assert_eq!(seen.len(), 20000 + requests + 1 + requests);
}
