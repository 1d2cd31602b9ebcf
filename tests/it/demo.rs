//! `switchboard demo` end to end: it starts a fleet in a scratch root under
//! the cache dir, prints commands that work as printed (the approve example
//! carries a real fingerprint), and on Ctrl-C stops and says where the root is.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn events(root: &Path, session: &str) -> String {
    std::fs::read_to_string(root.join(session).join("events.jsonl")).unwrap_or_default()
}

/// The sessions whose `metadata.sim_expect_stuck` names `queue_stalled`.
fn intended_queue_stalled(root: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let Ok(doc) = std::fs::read(entry.path().join("session.json")) else {
            continue;
        };
        let doc: serde_json::Value = serde_json::from_slice(&doc).unwrap();
        if doc["metadata"]["sim_expect_stuck"]
            .as_array()
            .is_some_and(|rules| rules.iter().any(|r| r == "queue_stalled"))
        {
            ids.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    ids.sort();
    assert_eq!(ids.len(), 1, "the demo's stuck set has one stalled queue");
    ids
}

#[test]
fn demo_runs_a_fleet_and_keeps_its_root() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["demo", "--sessions", "14"])
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("SWITCHBOARD_CONFIG_DIR", home.path().join("config"))
        .env("SWITCHBOARD_AUDIT_LOG", home.path().join("audit.jsonl"))
        .env_remove("SWITCHBOARD_ROOT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut intro = Vec::new();
    let start = Instant::now();
    while !intro.iter().any(|l: &String| l.contains("Ctrl-C")) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no intro: {intro:?}"
        );
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            intro.push(line);
        }
    }
    let root = intro[0]
        .strip_prefix("A simulated fleet is running in ")
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{intro:?}"));
    assert!(root.starts_with(home.path().join("cache")), "{root:?}");

    // The approve example works as printed.
    let approve = intro
        .iter()
        .find(|l| l.contains("switchboard approve sesn_"))
        .unwrap_or_else(|| panic!("{intro:?}"));
    let words: Vec<&str> = approve.split_whitespace().collect();
    let (session, event) = (words[2], words[3]);
    assert!(words[5].starts_with("sha256:"), "{approve}");
    let output = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .arg("--root")
        .arg(&root)
        .args(&words[1..])
        .env("SWITCHBOARD_CONFIG_DIR", home.path().join("config"))
        .env("SWITCHBOARD_AUDIT_LOG", home.path().join("audit.jsonl"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let start = Instant::now();
    while !events(&root, session).contains("Plan approved by") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the agent did not act on the approval of {event}:\n{}",
            events(&root, session)
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // A decision the agents cannot take (it names no request) is refused in
    // writing and acknowledged: no false `queue_stalled`, even much later.
    let cli = |args: &[&str], now: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        cmd.arg("--root")
            .arg(&root)
            .args(args)
            .env("SWITCHBOARD_CONFIG_DIR", home.path().join("config"))
            .env("SWITCHBOARD_AUDIT_LOG", home.path().join("audit.jsonl"));
        match now {
            Some(now) => cmd.env("SWITCHBOARD_NOW", now),
            None => cmd.env_remove("SWITCHBOARD_NOW"),
        };
        let output = cmd.output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()
    };
    let pending = cli(&["pending", "--json"], None);
    let waiting = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["session_id"].as_str().unwrap().to_string())
        .find(|s| s != session)
        .unwrap_or_else(|| panic!("no other session waits: {pending}"));
    let stray = serde_json::json!({"id": "sevt_stray", "type": "user.tool_confirmation",
        "created_at": chrono::Utc::now().to_rfc3339(), "processed_at": null, "tool_use_id": "sevt_nope", "result": "allow",
        "fingerprint": "sha256:00", "decided_by": "human:test@ci"});
    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(root.join(&waiting).join("events.jsonl"))
        .unwrap();
    std::io::Write::write_all(&mut journal, format!("{stray}\n").as_bytes()).unwrap();
    let start = Instant::now();
    while !events(&root, &waiting).contains(r#""refused_event_id":"sevt_stray""#) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the stray decision was not refused:\n{}",
            events(&root, &waiting)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let later = (chrono::Utc::now() + chrono::Duration::minutes(5)).to_rfc3339();
    for now in [None, Some(later.as_str())] {
        let stalled: Vec<String> = cli(&["doctor", "--json"], now)
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "queue_stalled")
            .map(|f| f["session_id"].as_str().unwrap().to_string())
            .collect();
        for decided in [session, waiting.as_str()] {
            assert!(
                !stalled.iter().any(|s| s == decided),
                "{decided} at {now:?}: {stalled:?}"
            );
        }
        if now.is_none() {
            // Now, only the session the stuck set means to be stalled.
            assert_eq!(stalled, intended_queue_stalled(&root), "{stalled:?}");
        }
    }

    // Ctrl-C stops the fleet and keeps the root.
    // SAFETY: kill on our own child's pid has no memory-safety preconditions.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = rx.iter().collect();
    let text = rest.join("\n");
    assert!(text.contains("Stopped the simulated fleet"), "{text}");
    assert!(
        text.contains(&format!("The demo root is kept at {}", root.display())),
        "{text}"
    );
    assert!(root.join(session).join("session.json").is_file());
}
