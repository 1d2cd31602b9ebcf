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
