//! Fleet hygiene through the real binary: agents, TTL, archive, purge.

use crate::common;

use common::*;

fn ids(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["id"]
                .as_str()
                .or(r["session_id"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn agents_flag_over_limit_and_count_push_back() {
    let root = fixture_root("hygiene");
    let out = root.run(&["agents", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    let fixer = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent_id"] == "agent_fixer")
        .unwrap();
    assert_eq!(fixer["running"], 2);
    assert_eq!(fixer["max_concurrent"], 1);
    assert_eq!(fixer["over_limit"], true);
    let writer = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent_id"] == "agent_writer")
        .unwrap();
    assert_eq!(writer["over_limit"], false);
    assert_eq!(
        writer["rate_limited_total_last_hour"], 3,
        "the 90-minute-old one and the api_error do not count"
    );
    let human = stdout(&root.run(&["agents"]));
    assert!(human.contains("2/1 OVER"), "{human}");
}

#[test]
fn ls_expired_lists_sessions_past_their_ttl() {
    let root = fixture_root("hygiene");
    let out = root.run(&["ls", "--expired", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(ids(&json(&out)), ["sesn_expired", "sesn_expired_waiting"]);
}

#[test]
fn archive_refuses_busy_sessions_and_force_overrides() {
    let root = fixture_root("hygiene");
    let running = root.run(&["archive", "sesn_run_a"]);
    assert_eq!(code(&running), 1);
    assert!(
        stdout(&running).contains("is running"),
        "{}",
        stdout(&running)
    );
    let pending = root.run(&["archive", "sesn_expired_waiting"]);
    assert_eq!(code(&pending), 1);
    assert!(stdout(&pending).contains("pending"), "{}", stdout(&pending));
    let missing = root.run(&["archive", "sesn_nope"]);
    assert_eq!(code(&missing), 5);
    let forced = root.run(&["archive", "sesn_run_a", "--force", "--json"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_eq!(json(&forced)[0]["result"], "archived");
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.session("sesn_run_a").join("session.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["archived_at"], FIXTURE_NOW);
    assert_eq!(
        doc["title"], "Busy sesn_run_a",
        "the rest of session.json is kept"
    );
    let undo = root.run(&["unarchive", "sesn_run_a"]);
    assert_eq!(code(&undo), 0);
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.session("sesn_run_a").join("session.json")).unwrap(),
    )
    .unwrap();
    assert!(doc["archived_at"].is_null());
}

#[test]
fn archive_expired_skips_busy_ones() {
    let root = fixture_root("hygiene");
    let out = root.run(&["archive", "--expired", "--json"]);
    assert_eq!(code(&out), 1, "one expired session has a pending request");
    let results = json(&out);
    let by_id = |id: &str| {
        results
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["session_id"] == id)
            .unwrap()["result"]
            .clone()
    };
    assert_eq!(by_id("sesn_expired"), "archived");
    assert_eq!(by_id("sesn_expired_waiting"), "refused");
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert_eq!(audit.lines().count(), 1);
    assert!(audit.contains("\"action\":\"archive\""));
}

#[test]
fn purge_dry_run_changes_nothing() {
    let root = fixture_root("hygiene");
    let before: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let out = root.run(&["purge", "--archived", "--older-than", "7d"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("would delete: sesn_archived_old"), "{text}");
    assert!(
        !text.contains("sesn_archived_new"),
        "archived an hour ago is not older than 7d"
    );
    assert!(text.contains("Dry run"), "{text}");
    let after: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(before.len(), after.len());
    assert!(!root.audit.exists());
}

#[test]
fn purge_removes_only_archived_folders() {
    let root = fixture_root("hygiene");
    let out = root.run(&[
        "purge",
        "--archived",
        "--older-than",
        "30m",
        "--yes",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let purged = json(&out);
    let mut deleted: Vec<&str> = purged
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["session_id"].as_str().unwrap())
        .collect();
    deleted.sort();
    assert_eq!(deleted, ["sesn_archived_new", "sesn_archived_old"]);
    assert!(!root.session("sesn_archived_old").exists());
    assert!(!root.session("sesn_archived_new").exists());
    for kept in [
        "sesn_run_a",
        "sesn_run_b",
        "sesn_expired",
        "sesn_young",
        "sesn_limited",
        "sesn_expired_waiting",
    ] {
        assert!(
            root.session(kept).exists(),
            "{kept} is not archived and must stay"
        );
    }
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert_eq!(audit.matches("\"action\":\"purge\"").count(), 2);
    let bad = root.run(&["purge", "--archived", "--older-than", "soon"]);
    assert_eq!(code(&bad), 2);
    let without_flag = root.run(&["purge", "--older-than", "1d"]);
    assert_eq!(code(&without_flag), 2, "--archived is required");
}
