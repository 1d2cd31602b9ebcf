//! The simulator end to end: the real binary writes a root, and `ls`,
//! `pending` and `doctor` agree with what the scenario meant; decisions made
//! through the CLI are honoured, and stale or replayed ones are refused.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Root, code, empty_root, json, stderr, stdout};
use serde_json::{Value, json};

/// Runs `simulate` on the root until it ends by itself.
fn simulate(root: &Root, args: &[&str]) -> String {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    let output = root.live(&all);
    assert_eq!(code(&output), 0, "simulate failed: {}", stderr(&output));
    stdout(&output)
}

/// A simulator running in the background; killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn simulate_in_background(root: &Root, args: &[&str]) -> Running {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    let child = root
        .live_command(&all)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Running(child)
}

/// Polls `check` every 50 ms until it gives a value or `secs` pass.
fn eventually<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out after {secs} s waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn events(root: &Root, session: &str) -> Vec<Value> {
    std::fs::read_to_string(root.session(session).join("events.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn session_doc(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("session.json")).unwrap()).unwrap()
}

/// What each session's `metadata.sim_expect_stuck` says should fire.
fn intended_findings(root: &Root) -> BTreeSet<(String, String)> {
    let mut intended = BTreeSet::new();
    for entry in std::fs::read_dir(root.path()).unwrap().flatten() {
        if !entry.path().join("session.json").is_file() {
            continue;
        }
        let doc = session_doc(&entry.path());
        let id = entry.file_name().to_string_lossy().into_owned();
        for rule in doc["metadata"]["sim_expect_stuck"].as_array().unwrap() {
            intended.insert((id.clone(), rule.as_str().unwrap().to_string()));
        }
    }
    intended
}

fn doctor_findings(root: &Root) -> BTreeSet<(String, String)> {
    json(&root.live(&["doctor", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["session_id"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `ls`'s pending counts and statuses agree with `pending`.
fn assert_ls_agrees_with_pending(root: &Root) {
    let ls = json(&root.live(&["ls", "--json"]));
    let pending = json(&root.live(&["pending", "--json"]));
    let mut per_session: BTreeMap<String, u64> = BTreeMap::new();
    for row in pending.as_array().unwrap() {
        *per_session
            .entry(row["session_id"].as_str().unwrap().into())
            .or_default() += 1;
        assert_ne!(row["tampered"], true, "{row}");
    }
    for row in ls.as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let expected = per_session.get(id).copied().unwrap_or(0);
        assert_eq!(row["pending"], expected, "{id}");
        assert_eq!(row["malformed_lines"], 0, "{id}");
        if row["status"] == "requires_action" {
            assert!(expected > 0, "{id} requires action but nothing is pending");
            // The stop reason lists exactly what is pending.
            let listed: BTreeSet<&str> = row["stop_reason"]["event_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            let pending_ids: BTreeSet<&str> = pending
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["session_id"] == id)
                .map(|p| p["event_id"].as_str().unwrap())
                .collect();
            assert_eq!(listed, pending_ids, "{id}");
        }
    }
}

#[test]
fn stuck_scenario_fires_each_of_the_seven_rules() {
    let root = empty_root();
    let out = simulate(
        &root,
        &["--scenario", "stuck", "--duration", "1.5", "--seed", "11"],
    );
    assert!(out.contains("simulating stuck"), "{out}");
    let found = doctor_findings(&root);
    assert_eq!(found, intended_findings(&root));
    let rules: BTreeSet<&str> = found.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        rules,
        BTreeSet::from([
            "awaiting_human",
            "silent_running",
            "wake_overdue",
            "queue_stalled",
            "error_loop",
            "reschedule_loop",
            "orphaned"
        ])
    );
    // One session per rule, each firing only its own.
    assert_eq!(found.len(), 7);
    let pending = json(&root.live(&["pending", "--json"]));
    assert_eq!(pending.as_array().unwrap().len(), 1, "{pending}");
    assert_eq!(
        pending[0]["input"]["command"],
        "git push --force-with-lease origin release/2.4"
    );
    assert_ls_agrees_with_pending(&root);
}

/// The same sessions, in the dashboard's `:stuck` view: each with its rule
/// and its evidence, as the on-call engineer sees them.
#[test]
fn stuck_scenario_shows_in_the_dashboards_stuck_view() {
    let root = empty_root();
    simulate(
        &root,
        &["--scenario", "stuck", "--duration", "1.5", "--seed", "11"],
    );
    let expected = doctor_findings(&root);
    let (mut dash, _poller) = common::live_dashboard_at(&root, chrono::Utc::now());
    dash.keys(&["3"]);
    let theme = common::snapshot_theme();
    let screen = dash.render(&theme, 160, 48);
    assert!(screen.contains("Stuck 7"), "{screen}");
    let shown: BTreeSet<(String, String)> = dash
        .state
        .fleet
        .rows
        .iter()
        .flat_map(|row| {
            let entry = &dash.state.sessions[&row.key];
            entry
                .stuck
                .iter()
                .map(|f| (row.key.id.clone(), f.rule.as_str().to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(shown, expected);
    for (_, rule) in &expected {
        assert!(
            screen.contains(rule.as_str()),
            "{rule} on screen:\n{screen}"
        );
    }
    // The selected session's evidence is read from its journal.
    assert!(screen.contains("Why stuck"), "{screen}");
}

#[test]
fn review_scenario_waits_on_plans_tools_and_custom_tools() {
    let root = empty_root();
    simulate(
        &root,
        &[
            "--scenario",
            "review",
            "--sessions",
            "5",
            "--rate",
            "50",
            "--duration",
            "4",
            "--seed",
            "5",
        ],
    );
    let pending = json(&root.live(&["pending", "--json"]));
    let rows = pending.as_array().unwrap();
    assert_eq!(rows.len(), 5, "{pending}");
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["plan", "tool_confirmation", "custom_tool_result"])
    );
    let plan = rows.iter().find(|r| r["kind"] == "plan").unwrap();
    assert_eq!(plan["plan_revision"], 1);
    assert!(
        plan["input"]["plan"]
            .as_str()
            .unwrap()
            .starts_with("# Plan: ")
    );
    let edit = rows.iter().find(|r| r["name"] == "edit_file").unwrap();
    let diff = edit["input"]["diff"].as_str().unwrap();
    assert!(
        diff.starts_with("--- a/") && diff.contains("\n+++ b/") && diff.contains("\n@@ "),
        "{diff}"
    );
    let commands: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["input"]["command"].as_str())
        .collect();
    assert!(
        commands.iter().any(|c| c.starts_with("git push")),
        "{commands:?}"
    );
    // Every request carries its fingerprint as the runtime stored it.
    for row in rows {
        let journal = events(&root, row["session_id"].as_str().unwrap());
        let request = journal.iter().find(|e| e["id"] == row["event_id"]).unwrap();
        assert_eq!(request["fingerprint"], row["fingerprint"]);
    }
    assert_ls_agrees_with_pending(&root);
    assert!(doctor_findings(&root).is_empty());
}

#[test]
fn mixed_scenario_matches_its_intent() {
    let root = empty_root();
    simulate(
        &root,
        &[
            "--sessions",
            "24",
            "--rate",
            "200",
            "--events",
            "500",
            "--duration",
            "60",
            "--seed",
            "3",
        ],
    );
    assert_eq!(doctor_findings(&root), intended_findings(&root));
    assert_ls_agrees_with_pending(&root);
    let ls = json(&root.live(&["ls", "--json"]));
    let rows = ls.as_array().unwrap();
    assert!(rows.len() >= 24, "{}", rows.len());
    // Orchestrators spawned children that point at them.
    let children: Vec<&Value> = rows.iter().filter(|r| !r["parent_id"].is_null()).collect();
    let orchestrated = children.iter().filter(|c| {
        let parent = rows.iter().find(|r| r["id"] == c["parent_id"]).unwrap();
        parent["agent_id"] == "agent_orchestrator" && parent["status"] != "terminated"
    });
    assert!(orchestrated.count() >= 2, "{ls}");
    let statuses: BTreeSet<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    for status in [
        "requires_action",
        "running",
        "rescheduling",
        "idle",
        "terminated",
    ] {
        assert!(
            statuses.contains(status),
            "no {status} session in {statuses:?}"
        );
    }
    // Reschedules go through the wake queue and are consumed.
    let wakes: usize = rows
        .iter()
        .map(|r| {
            std::fs::read_to_string(
                root.session(r["id"].as_str().unwrap())
                    .join("wake-queue.jsonl"),
            )
            .map(|t| t.matches("consumed_at").count())
            .unwrap_or(0)
        })
        .sum();
    assert!(wakes > 0);
}

/// `pending --json` while the simulator writes: `None` for a read caught
/// mid-write, so `eventually` tries again instead of failing.
fn pending_now(root: &Root) -> Option<Vec<Value>> {
    let output = root.live(&["pending", "--json"]);
    match serde_json::from_slice::<Value>(&output.stdout).ok()? {
        Value::Array(rows) => Some(rows),
        _ => None,
    }
}

fn find_event(events: &[Value], pred: impl Fn(&Value) -> bool) -> Option<&Value> {
    events.iter().find(|e| pred(e))
}

fn append_raw(root: &Root, session: &str, event: &Value) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(root.session(session).join("events.jsonl"))
        .unwrap();
    file.write_all(format!("{event}\n").as_bytes()).unwrap();
}

fn refusal(root: &Root, session: &str, answer_id: &str) -> Option<Value> {
    find_event(&events(root, session), |e| {
        e["type"] == "system.message" && e["refused_event_id"] == answer_id
    })
    .cloned()
}

#[test]
fn decisions_are_honoured_and_stale_or_replayed_ones_refused() {
    let root = empty_root();
    let _sim = simulate_in_background(
        &root,
        &[
            "--scenario",
            "review",
            "--sessions",
            "5",
            "--rate",
            "50",
            "--duration",
            "120",
            "--seed",
            "5",
        ],
    );
    let rows = eventually(30, "five pending requests", || {
        let rows = pending_now(&root)?;
        (rows.len() == 5).then_some(rows)
    });
    let push = rows
        .iter()
        .find(|r| {
            r["input"]["command"]
                .as_str()
                .is_some_and(|c| c.starts_with("git push"))
        })
        .unwrap();
    let (session, event) = (
        push["session_id"].as_str().unwrap(),
        push["event_id"].as_str().unwrap(),
    );

    // Approve through the CLI: the agent runs the tool.
    let output = root.live(&[
        "approve",
        session,
        event,
        "--fingerprint",
        push["fingerprint"].as_str().unwrap(),
        "--as",
        "human:test@ci",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let approval = find_event(&events(&root, session), |e| {
        e["type"] == "user.tool_confirmation" && e["tool_use_id"] == event
    })
    .unwrap()
    .clone();
    eventually(10, "the agent's tool result", || {
        find_event(&events(&root, session), |e| {
            e["type"] == "agent.tool_result" && e["tool_use_id"] == event
        })
        .cloned()
    });

    // Replay the same approval with a new id: refused as already decided.
    let mut replay = approval.clone();
    replay["id"] = json!("sevt_replayed");
    append_raw(&root, session, &replay);
    let refused = eventually(10, "the replay's refusal", || {
        refusal(&root, session, "sevt_replayed")
    });
    assert_eq!(refused["reason"], "already_decided");
    let text = refused["content"][0]["text"].as_str().unwrap();
    assert!(text.contains(approval["id"].as_str().unwrap()), "{text}");
    assert_eq!(
        events(&root, session)
            .iter()
            .filter(|e| e["type"] == "agent.tool_result" && e["tool_use_id"] == event)
            .count(),
        1,
        "the replay must not run the tool again"
    );

    // A stale decision on the edit (fingerprint of other content): refused,
    // and the agent asks again with a new request.
    let edit = rows.iter().find(|r| r["name"] == "edit_file").unwrap();
    let (edit_session, edit_event) = (
        edit["session_id"].as_str().unwrap(),
        edit["event_id"].as_str().unwrap(),
    );
    let stale = json!({"id": "sevt_stale", "type": "user.tool_confirmation", "processed_at": null,
        "tool_use_id": edit_event, "result": "allow",
        "fingerprint": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        "decided_by": "human:mallory@elsewhere"});
    append_raw(&root, edit_session, &stale);
    let refused = eventually(10, "the stale decision's refusal", || {
        refusal(&root, edit_session, "sevt_stale")
    });
    assert_eq!(refused["reason"], "stale");
    let journal = events(&root, edit_session);
    assert!(
        find_event(&journal, |e| e["type"] == "agent.tool_result"
            && e["tool_use_id"] == edit_event)
        .is_none(),
        "a stale approval must not run the tool"
    );
    let again = eventually(10, "the request asked again", || {
        pending_now(&root)?
            .iter()
            .find(|r| r["session_id"] == edit_session && r["name"] == "edit_file")
            .cloned()
    });
    assert_ne!(again["event_id"], edit_event);
    assert_eq!(again["input"], edit["input"]);

    // The new request is honoured when decided properly.
    let new_event = again["event_id"].as_str().unwrap();
    let output = root.live(&[
        "deny",
        edit_session,
        new_event,
        "--fingerprint",
        again["fingerprint"].as_str().unwrap(),
        "-m",
        "keep the old default",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    eventually(10, "the agent trying something else", || {
        find_event(&events(&root, edit_session), |e| {
            e["type"] == "agent.message"
                && e["content"][0]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("keep the old default"))
        })
        .cloned()
    });
}

#[test]
fn a_redirected_plan_comes_back_revised() {
    let root = empty_root();
    let _sim = simulate_in_background(
        &root,
        &[
            "--scenario",
            "review",
            "--sessions",
            "1",
            "--rate",
            "20",
            "--duration",
            "120",
            "--seed",
            "8",
        ],
    );
    let plan = eventually(30, "a pending plan", || {
        pending_now(&root)?
            .iter()
            .find(|r| r["kind"] == "plan")
            .cloned()
    });
    let session = plan["session_id"].as_str().unwrap();
    let output = root.live(&[
        "redirect",
        session,
        plan["event_id"].as_str().unwrap(),
        "--fingerprint",
        plan["fingerprint"].as_str().unwrap(),
        "-m",
        "add a failing test first",
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let revised = eventually(10, "revision 2", || {
        pending_now(&root)?
            .iter()
            .find(|r| r["plan_revision"] == 2)
            .cloned()
    });
    assert_eq!(revised["input"]["plan_id"], plan["input"]["plan_id"]);
    let markdown = revised["input"]["plan"].as_str().unwrap();
    assert!(
        markdown.contains("1. Add a failing test first"),
        "{markdown}"
    );
    // Approving revision 2 lets the agent go on with it.
    let output = root.live(&[
        "approve",
        session,
        revised["event_id"].as_str().unwrap(),
        "--fingerprint",
        revised["fingerprint"].as_str().unwrap(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    eventually(10, "work on the approved plan", || {
        find_event(&events(&root, session), |e| {
            e["type"] == "agent.message"
                && e["content"][0]["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("Plan approved"))
        })
        .cloned()
    });
}

/// A root's content with every time stripped: events, documents, wake queues.
fn without_times(root: &Root) -> BTreeMap<String, Value> {
    fn strip(value: &mut Value) {
        if let Some(map) = value.as_object_mut() {
            for key in ["created_at", "updated_at", "due_at", "consumed_at"] {
                map.remove(key);
            }
            for key in ["processed_at", "archived_at"] {
                if map.get(key).is_some_and(|p| !p.is_null()) {
                    map.insert(key.into(), json!("<time>"));
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root.path()).unwrap().flatten() {
        let dir = entry.path();
        if !dir.join("session.json").is_file() {
            continue;
        }
        let mut doc = session_doc(&dir);
        strip(&mut doc);
        let mut files = vec![doc];
        for name in ["events.jsonl", "wake-queue.jsonl"] {
            let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            for line in text.lines() {
                let mut value: Value = serde_json::from_str(line).unwrap();
                strip(&mut value);
                files.push(value);
            }
        }
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            Value::Array(files),
        );
    }
    out
}

#[test]
fn the_same_seed_gives_the_same_fleet() {
    let run = |seed: &str| {
        let root = empty_root();
        simulate(
            &root,
            &[
                "--sessions",
                "20",
                "--rate",
                "400",
                "--events",
                "400",
                "--duration",
                "60",
                "--seed",
                seed,
            ],
        );
        without_times(&root)
    };
    let first = run("9");
    assert!(first.len() >= 20);
    assert_eq!(first, run("9"));
    assert_ne!(first, run("10"));
}

#[test]
fn load_mode_reports_the_rate_and_leaves_a_clean_root() {
    let root = empty_root();
    let out = simulate(
        &root,
        &[
            "--scenario",
            "load",
            "--sessions",
            "50",
            "--rate",
            "2000",
            "--duration",
            "1.5",
            "--seed",
            "2",
        ],
    );
    assert!(out.contains("events/s reached of 2000 asked"), "{out}");
    let ls = json(&root.live(&["ls", "--json"]));
    let rows = ls.as_array().unwrap();
    assert_eq!(rows.len(), 50);
    for row in rows {
        assert_eq!(row["status"], "idle");
        assert_eq!(row["malformed_lines"], 0);
        assert!(row["event_count"].as_u64().unwrap() > 3, "{row}");
    }
    assert!(doctor_findings(&root).is_empty());
}

#[test]
fn simulate_needs_a_root_and_sane_options() {
    let root = empty_root();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["simulate", "--duration", "1"])
        .env_remove("SWITCHBOARD_ROOT")
        .output()
        .unwrap();
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("--root"));
    let output = root.live(&["simulate", "--rate", "0", "--duration", "1"]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("--rate"), "{}", stderr(&output));
    // A second run with the same seed would repeat event ids: refused.
    simulate(
        &root,
        &["--scenario", "stuck", "--duration", "0", "--seed", "4"],
    );
    let output = root.live(&[
        "simulate",
        "--scenario",
        "stuck",
        "--duration",
        "0",
        "--seed",
        "4",
    ]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("already holds session"),
        "{}",
        stderr(&output)
    );
}

/// The demo's fleet (`demo` runs the mixed scenario with 18 sessions and
/// seed 42) has an agent over its concurrency limit, and `agents` flags it.
#[test]
fn the_demo_fleet_flags_an_agent_over_its_limit() {
    let root = empty_root();
    simulate(
        &root,
        &["--sessions", "18", "--seed", "42", "--duration", "1.5"],
    );
    let agents = json(&root.live(&["agents", "--json"]));
    let over: Vec<&Value> = agents
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["over_limit"] == true)
        .collect();
    assert_eq!(over.len(), 1, "{agents}");
    assert_eq!(over[0]["agent_id"], "agent_repo_fixer");
    assert!(over[0]["running"].as_u64().unwrap() > over[0]["max_concurrent"].as_u64().unwrap());
    let text = stdout(&root.live(&["agents"]));
    assert!(text.contains("OVER"), "{text}");
}
