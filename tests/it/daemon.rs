//! The daemon end to end: a real `switchboard daemon` on a temp socket,
//! several concurrent clients, the CLI through `--connect`, and the things a
//! hostile or careless client may do.

use crate::common;

use std::sync::{Arc, Barrier};
use std::thread;

use common::daemon::{Daemon, Raw, append, event_line};
use common::{FIXTURE_NOW, code, fixture_root, json, pending_fingerprint, stderr, stdout};
use serde_json::{Value, json};

#[test]
fn json_through_the_socket_is_byte_identical_to_the_root() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    for args in [
        vec!["ls", "--json"],
        vec!["pending", "--json"],
        vec!["doctor", "--json"],
        vec!["ls"],
        vec!["pending"],
        vec!["doctor"],
        vec!["show", "sesn_plan", "--json"],
        vec!["show", "sesn_plan", "--tail", "2", "--json"],
        vec!["show", "sesn_plan", "--from", "sevt_0005", "--json"],
        vec!["show", "sesn_plan", "--from", "sevt_0003", "--tail", "2"],
        vec!["show", "sesn_torn"],
        vec!["show", "sesn_mcp"],
    ] {
        let local = root.run(&args);
        let remote = daemon.cli(&args);
        assert_eq!(code(&local), 0, "{args:?}: {}", stderr(&local));
        assert_eq!(stdout(&remote), stdout(&local), "{args:?} differs");
        assert_eq!(code(&remote), 0, "{args:?}");
    }
    for args in [
        vec!["show", "sesn_nope"],
        vec!["show", "sesn_plan", "--from", "nope"],
    ] {
        let local = root.run(&args);
        let remote = daemon.cli(&args);
        assert_eq!(code(&remote), code(&local), "{args:?}: {}", stderr(&remote));
    }
}

#[test]
fn several_sources_merge_and_equal_ids_stay_distinct() {
    let served = fixture_root("contract");
    let local = fixture_root("contract");
    let daemon = Daemon::start(&served);
    let out = daemon.cli(&["--root", local.path().to_str().unwrap(), "ls", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let rows = json(&out);
    let rows = rows.as_array().unwrap();
    let single = json(&local.run(&["ls", "--json"]));
    assert_eq!(rows.len(), 2 * single.as_array().unwrap().len());
    let sources: Vec<&str> = rows
        .iter()
        .filter(|r| r["id"] == "sesn_plan")
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 2);
    assert!(sources.contains(&daemon.socket.to_str().unwrap()));
    assert!(sources.contains(&local.path().to_str().unwrap()));

    let table = stdout(&daemon.cli(&["--root", local.path().to_str().unwrap(), "pending"]));
    assert!(table.contains("SOURCE"), "{table}");
    // A decision needs exactly one holder.
    let fp = pending_fingerprint(&local, "sesn_awaiting", "sevt_0003");
    let out = daemon.cli(&[
        "--root",
        local.path().to_str().unwrap(),
        "approve",
        "sesn_awaiting",
        "sevt_0003",
        "--fingerprint",
        &fp,
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("several sources"), "{}", stderr(&out));
}

#[test]
fn methods_list_get_and_read() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let mut client = daemon.client();
    let now = json!({"now": FIXTURE_NOW});
    let sessions = client.result("sessions.list", now.clone());
    assert_eq!(sessions, json(&root.run(&["ls", "--json"])));
    let pending = client.result("pending.list", now.clone());
    assert!(pending[0]["pending_since"].is_string(), "{pending}");

    let detail = client.result("sessions.get", json!({"session": "sesn_torn"}));
    let end = detail["meta"]["journal_end"].as_u64().unwrap();
    assert_eq!(detail["row"]["id"], "sesn_torn");
    // Paged reading covers the journal exactly once and marks bad lines.
    let mut offset = 0;
    let mut lines = Vec::new();
    while offset < end {
        let page = client.result(
            "events.read",
            json!({"session": "sesn_torn", "from_offset": offset, "until": end, "max_lines": 2}),
        );
        lines.extend(page["lines"].as_array().unwrap().clone());
        offset = page["next_offset"].as_u64().unwrap();
    }
    let journal = std::fs::read(root.session("sesn_torn").join("events.jsonl")).unwrap();
    let complete = &journal[..journal.iter().rposition(|b| *b == b'\n').unwrap()];
    let non_blank = complete
        .split(|b| *b == b'\n')
        .filter(|l| !l.trim_ascii().is_empty())
        .count();
    assert_eq!(lines.len(), non_blank);
    assert!(lines.iter().any(|l| l["malformed"].is_string()));
    let tail = client.result("events.read", json!({"session": "sesn_plan", "tail": 1}));
    assert_eq!(tail["lines"].as_array().unwrap().len(), 1);
    let from = client.result(
        "events.read",
        json!({"session": "sesn_plan", "from_id": "sevt_0006"}),
    );
    assert!(
        from["lines"][0]["text"]
            .as_str()
            .unwrap()
            .contains("sevt_0006")
    );

    let missing = client.call("sessions.get", json!({"session": "sesn_nope"}));
    assert_eq!(missing["error"]["code"], -32001);
    let bad = client.call(
        "events.read",
        json!({"session": "sesn_plan", "from_offset": 3}),
    );
    assert_eq!(bad["error"]["code"], -32602);
    let unknown = client.call("sessions.delete", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let typo = client.call("sessions.list", json!({"nowww": 1}));
    assert_eq!(typo["error"]["code"], -32602);
}

#[test]
fn subscribers_see_appends_and_decisions_from_other_clients() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let mut subscribers: Vec<Raw> = (0..3).map(|_| daemon.client()).collect();
    for sub in &mut subscribers {
        let state = sub.result("subscribe", json!({}));
        assert!(state["sessions"].as_array().unwrap().len() > 10);
    }
    append(root.path(), "sesn_done", &[event_line("sevt_new_1", 10)]);
    let fp = pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let mut decider = daemon.client();
    let decided = decider.result(
        "decide",
        json!({"session": "sesn_awaiting", "event": "sevt_0003", "fingerprint": fp,
               "verdict": "allow", "decided_by": "test:decider"}),
    );
    assert_eq!(decided["event"]["result"], "allow");
    let handles: Vec<_> = subscribers
        .into_iter()
        .map(|mut sub| {
            thread::spawn(move || {
                let (mut appended, mut resolved) = (false, false);
                while !(appended && resolved) {
                    let n = sub.note();
                    appended |= n["method"] == "events.appended"
                        && n["params"]["session"] == "sesn_done"
                        && n["params"]["lines"][0]["text"]
                            .as_str()
                            .is_some_and(|t| t.contains("sevt_new_1"));
                    resolved |=
                        n["method"] == "pending.resolved" && n["params"]["event_id"] == "sevt_0003";
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let audit = std::fs::read_to_string(&root.audit).unwrap();
    assert!(
        audit.contains("test:decider"),
        "the daemon writes the audit log"
    );
}

#[test]
fn a_decision_race_has_exactly_one_winner() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let fp = pending_fingerprint(&root, "sesn_plan", "sevt_0006");
    let answers_before = root
        .journal("sesn_plan")
        .lines()
        .filter(|l| l.contains("custom_tool_use_id"))
        .count();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let mut client = daemon.client();
            let barrier = barrier.clone();
            let fp = fp.clone();
            thread::spawn(move || {
                barrier.wait();
                client.call(
                    "decide",
                    json!({"session": "sesn_plan", "event": "sevt_0006", "fingerprint": fp,
                           "verdict": "respond", "message": format!("answer {i}"),
                           "decided_by": format!("test:{i}")}),
                )
            })
        })
        .collect();
    let answers: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners = answers.iter().filter(|a| a.get("result").is_some()).count();
    assert_eq!(winners, 1, "{answers:?}");
    let loser = answers.iter().find(|a| a.get("error").is_some()).unwrap();
    assert_eq!(loser["error"]["code"], -32002, "{loser}");
    assert_eq!(loser["error"]["data"]["reason"], "already_decided");
    let answers_written = root
        .journal("sesn_plan")
        .lines()
        .filter(|l| l.contains("custom_tool_use_id"))
        .count();
    assert_eq!(answers_written, answers_before + 1);

    // The CLI through the socket exits as it would on the root.
    let args = ["approve", "sesn_plan", "sevt_0006", "--fingerprint", &fp];
    assert_eq!(code(&daemon.cli(&args)), 4);
    let stale = [
        "approve",
        "sesn_plan",
        "sevt_0005",
        "--fingerprint",
        "sha256:00",
    ];
    let out = daemon.cli(&stale);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(stderr(&out), stderr(&root.run(&stale)));
    let tampered_fp = pending_fingerprint(&root, "sesn_tampered", "sevt_0001");
    let tampered = [
        "approve",
        "sesn_tampered",
        "sevt_0001",
        "--fingerprint",
        &tampered_fp,
    ];
    assert_eq!(code(&daemon.cli(&tampered)), 3);
    assert_eq!(
        code(&daemon.cli(&["approve", "sesn_plan", "nope", "--fingerprint", &fp])),
        5
    );
    let plan_fp = pending_fingerprint(&root, "sesn_plan", "sevt_0005");
    let out = daemon.cli(&[
        "approve",
        "sesn_plan",
        "sevt_0005",
        "--fingerprint",
        &plan_fp,
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["result"], "allow");
}

#[test]
fn oversized_frames_and_malformed_json_get_errors_without_disturbing_others() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let mut bad = daemon.client();
    let mut good = daemon.client();
    let before = good.result("sessions.list", json!({}));

    let mut huge = vec![b'['; 1_500_000];
    huge.push(b'\n');
    bad.send_bytes(&huge);
    let error = bad.recv();
    assert_eq!(error["error"]["code"], -32006, "{error}");
    assert_eq!(error["id"], Value::Null);
    assert_eq!(good.result("sessions.list", json!({})), before);

    bad.send_bytes(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\n");
    assert_eq!(bad.recv()["error"]["code"], -32700);
    bad.send_bytes(b"[1,2]\n\"x\"\n");
    assert_eq!(bad.recv()["error"]["code"], -32600);
    assert_eq!(bad.recv()["error"]["code"], -32600);
    // The same connection still works after all that.
    assert_eq!(bad.result("sessions.list", json!({})), before);
    assert_eq!(good.result("sessions.list", json!({})), before);
}

#[test]
fn a_client_that_never_reads_does_not_block_the_others() {
    let root = fixture_root("contract");
    // A queue that a reader keeping up never fills, even on a loaded
    // machine, but that the flood below overflows for one that never reads.
    let daemon = Daemon::start_with(&root, Some("[daemon]\nclient_queue_kib = 512\n"));
    let mut stalled = daemon.client();
    stalled.result("subscribe", json!({}));
    let mut active = daemon.client();
    active.result("subscribe", json!({"topics": ["events"]}));
    let reader = thread::spawn(move || {
        active.note_where(|n| {
            n["params"]["lines"].as_array().is_some_and(|lines| {
                lines
                    .iter()
                    .any(|l| l["text"].as_str().unwrap().contains("sevt_last"))
            })
        });
    });
    // Far more than the socket buffers and the 512 KiB queue hold.
    for round in 0..80 {
        let lines: Vec<String> = (0..20)
            .map(|i| event_line(&format!("sevt_flood_{round}_{i}"), 2000))
            .collect();
        append(root.path(), "sesn_done", &lines);
        thread::sleep(std::time::Duration::from_millis(20));
    }
    append(root.path(), "sesn_done", &[event_line("sevt_last", 10)]);
    reader.join().unwrap();
    // Another client is served meanwhile.
    let mut fresh = daemon.client();
    assert!(
        fresh.result("daemon.status", json!({}))["clients"]
            .as_u64()
            .unwrap()
            >= 3
    );
    // The stalled one finds a resync (or its connection closed) when it reads.
    let mut saw_resync = false;
    while let Some(message) = stalled.recv_opt() {
        if message["method"] == "resync" {
            saw_resync = true;
            break;
        }
        assert_ne!(
            message["params"]["lines"].as_array().map(|l| l
                .iter()
                .any(|l| l["text"].as_str().unwrap().contains("sevt_last"))),
            Some(true),
            "a client that fell behind must not receive everything"
        );
    }
    assert!(saw_resync || stalled.recv_opt().is_none());
    if saw_resync {
        // It can subscribe again and carry on.
        stalled.result("subscribe", json!({}));
    }
}

#[test]
fn another_uid_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let setpriv = std::process::Command::new("setpriv")
        .arg("--version")
        .output();
    assert!(
        setpriv.is_ok_and(|o| o.status.success()),
        "this test needs `setpriv` (util-linux) to run a client as nobody; install util-linux"
    );
    // SAFETY: getuid has no preconditions.
    assert_eq!(
        unsafe { libc::getuid() },
        0,
        "this test needs root to switch to nobody"
    );
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let as_nobody = |daemon: &Daemon| {
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--connect")
            .arg(&daemon.socket)
            .args(["ls", "--json"])
            .env("SWITCHBOARD_CONFIG_DIR", "/nonexistent-switchboard-config")
            .env("SWITCHBOARD_AUDIT_LOG", "/nonexistent-switchboard-audit");
        cmd.output().unwrap()
    };
    // The private directory keeps others away from the socket file.
    let out = as_nobody(&daemon);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("Permission denied"),
        "{}",
        stderr(&out)
    );
    // With the directory opened up, the daemon's own uid check refuses.
    let socket_dir = daemon.socket.parent().unwrap();
    for dir in [daemon.dir.path(), socket_dir] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&daemon.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = as_nobody(&daemon);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("uid 65534 may not use this daemon"),
        "{}",
        stderr(&out)
    );
    // The log is written by a background writer: give it a moment.
    let logged = (0..100).any(|_| {
        let found = daemon
            .log_text()
            .contains("refused a connection from another user");
        if !found {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        found
    });
    assert!(logged, "the refusal is logged:\n{}", daemon.log_text());
    // The owner is still served.
    assert_eq!(code(&daemon.cli(&["ls"])), 0);
    // An allow-listed uid is let in.
    let allowed = Daemon::start_with(&root, Some("[daemon]\nallow_uids = [65534]\n"));
    for dir in [allowed.dir.path(), allowed.socket.parent().unwrap()] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&allowed.socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = as_nobody(&allowed);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn socket_is_private_stale_ones_are_replaced_live_ones_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let root = fixture_root("contract");
    let mut first = Daemon::start(&root);
    let mode = std::fs::metadata(&first.socket)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(first.socket.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);

    // A second daemon on the same path refuses and leaves the first alone.
    let second = first.spawn().output().unwrap();
    assert_ne!(second.status.code(), Some(0));
    assert!(
        stderr(&second).contains("already serving"),
        "{}",
        stderr(&second)
    );
    assert_eq!(code(&first.cli(&["ls"])), 0);

    let status = first
        .cli_command(&[])
        .args(["daemon", "--status", "--socket"])
        .arg(&first.socket)
        .output()
        .unwrap();
    assert_eq!(code(&status), 0, "{}", stderr(&status));
    assert!(stdout(&status).contains("running"), "{}", stdout(&status));

    // SIGTERM: a clean exit, and the socket is gone.
    assert!(first.terminate().success(), "log: {}", first.log_text());
    assert!(!first.socket.exists());
    assert!(first.log_text().contains("SIGTERM: shutting down"));
    let status = first
        .cli_command(&[])
        .args(["daemon", "--status", "--socket"])
        .arg(&first.socket)
        .output()
        .unwrap();
    assert_eq!(code(&status), 1);
    assert!(stdout(&status).contains("No daemon"), "{}", stdout(&status));

    // A dead daemon's socket file is replaced by the next one.
    let stale = std::os::unix::net::UnixListener::bind(&first.socket).unwrap();
    drop(stale);
    assert!(first.socket.exists());
    let status = first
        .cli_command(&[])
        .args(["daemon", "--status", "--socket"])
        .arg(&first.socket)
        .output()
        .unwrap();
    assert!(
        stdout(&status).contains("left from one that died"),
        "{}",
        stdout(&status)
    );
    first.child = Some(first.spawn().spawn().unwrap());
    first.wait_ready();
    assert_eq!(code(&first.cli(&["ls"])), 0);
}

#[test]
fn a_client_sending_one_byte_a_second_does_not_stall_the_others() {
    use std::io::Write;
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let mut slow = std::os::unix::net::UnixStream::connect(&daemon.socket).unwrap();
    let request = br#"{"jsonrpc":"2.0","id":1,"method":"sessions.list","params":{}}"#;
    let mut fast = daemon.client();
    let expected = fast.result("sessions.list", json!({}));
    for byte in request.iter().take(4) {
        slow.write_all(&[*byte]).unwrap();
        // While the slow client dribbles, another is served at once.
        assert_eq!(fast.result("sessions.list", json!({})), expected);
        thread::sleep(std::time::Duration::from_secs(1));
    }
    // The slow client is still served once its frame is whole.
    slow.write_all(&request[4..]).unwrap();
    slow.write_all(b"\n").unwrap();
    let mut reader = std::io::BufReader::new(slow);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    let reply: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(reply["result"], expected);
}

#[test]
fn a_thousand_simultaneous_clients_are_all_served() {
    // The test process needs the descriptors too.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let expected = daemon.client().result("sessions.list", json!({}));
    let mut clients: Vec<_> = (0..1000).map(|_| daemon.client()).collect();
    let answered: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = clients
            .chunks_mut(100)
            .map(|chunk| {
                let expected = &expected;
                scope.spawn(move || {
                    let mut served = 0;
                    for client in chunk.iter_mut() {
                        if &client.result("sessions.list", json!({})) == expected {
                            served += 1;
                        }
                    }
                    served
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(answered, 1000);
    let status = daemon.client().result("daemon.status", json!({}));
    assert!(status["clients"].as_u64().unwrap() >= 1000, "{status}");
}
