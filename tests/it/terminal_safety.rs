//! Journal text can never drive the terminal: hostile payloads in every
//! place a session shows text, rendered at several sizes; resize storms; a
//! 10×5 terminal; the terminal restored after a panic.

use crate::common;

use std::fs;

use common::*;
use switchboard::tui::msg::Msg;

const PAYLOADS: &[&str] = &[
    "clear\x1b[2Jscreen",
    "title\x1b]0;pwned\x07here",
    "link\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "clip\x1b]52;c;cHduZWQ=\x07board",
    "carriage\rreturn",
    "back\x08space",
    "c1\u{9b}31mcsi",
    "bidi\u{202e}txt.exe",
    "zero\u{200b}width\u{200d}joiner",
    "wide 漢字 and emoji 😀👩‍💻",
    "tab\there\tand\tthere",
    "nul\u{0}byte",
];

fn hostile_root() -> Root {
    let root = empty_root();
    let dir = root.session("sesn_hostile");
    fs::create_dir_all(&dir).unwrap();
    let title = PAYLOADS.join(" ");
    let doc = serde_json::json!({
        "id": "sesn_hostile", "status": "idle", "title": title,
        "agent": {"id": "agent\x1b[31mred", "name": "name\u{202e}"},
        "metadata": {"lane": "lane\x1b]0;x\x07"},
        "stop_reason": {"type": "requires_action", "event_ids": ["t1"]},
        "updated_at": FIXTURE_NOW,
    });
    fs::write(dir.join("session.json"), serde_json::to_vec(&doc).unwrap()).unwrap();
    let mut journal = String::new();
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let event = serde_json::json!({"id": format!("m{i}"), "type": "agent.message",
            "created_at": FIXTURE_NOW, "content": [{"type": "text", "text": payload}]});
        journal.push_str(&serde_json::to_string(&event).unwrap());
        journal.push('\n');
    }
    let tool = serde_json::json!({"id": "t1", "type": "agent.tool_use", "created_at": FIXTURE_NOW,
        "name": "bash\x1b[2J", "input": {"command": PAYLOADS.join(" && ")}});
    journal.push_str(&serde_json::to_string(&tool).unwrap());
    journal.push('\n');
    journal.push_str("{\"id\":\"i1\",\"type\":\"session.status_idle\",\"stop_reason\":{\"type\":\"requires_action\",\"event_ids\":[\"t1\"]}}\n");
    journal.push_str("raw \x1b]0;malformed line title\x07 \u{9b}2J not json\n");
    fs::write(dir.join("events.jsonl"), journal).unwrap();
    root
}

/// No control character (but the row breaks), no escape, no bidi control.
fn assert_clean(screen: &str, context: &str) {
    for c in screen.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        assert!(!bad, "{context}: {:?} reached a cell\n{screen}", c);
    }
}

#[test]
fn hostile_payloads_never_reach_a_cell() {
    let root = hostile_root();
    let theme = snapshot_theme();
    for (w, h) in [(160, 48), (80, 24), (40, 12)] {
        let mut dash = dashboard(&root);
        let fleet = dash.render(&theme, w, h);
        assert_clean(&fleet, "fleet");
        assert!(
            w < 80 || fleet.contains("clear"),
            "the title is shown, sanitised:\n{fleet}"
        );
        dash.keys(&["enter"]);
        assert_clean(&dash.render(&theme, w, h), "stream");
        for _ in 0..PAYLOADS.len() + 3 {
            dash.keys(&["enter"]);
            assert_clean(&dash.render(&theme, w, h), "event detail");
            dash.keys(&["esc", "k"]);
        }
        dash.keys(&["tab"]);
        assert_clean(&dash.render(&theme, w, h), "session pane");
        dash.keys(&["?"]);
        assert_clean(&dash.render(&theme, w, h), "help");
    }
}

#[test]
fn resize_storm_and_tiny_terminals() {
    let root = fixture_root("contract");
    let theme = snapshot_theme();
    let mut dash = dashboard(&root);
    let mut seed = 7u32;
    let mut next = |m: u32| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) % m
    };
    for _ in 0..400 {
        let (w, h) = (1 + next(300) as u16, 1 + next(100) as u16);
        dash.send(Msg::Resize {
            width: w,
            height: h,
        });
        if next(3) == 0 {
            dash.keys(&["j"]);
        }
        let _ = dash.render(&theme, w, h);
    }
    let tiny = dash.render(&theme, 10, 5);
    assert_clean(&tiny, "10x5");
    let small = dash.render(&theme, 39, 11);
    assert!(small.to_lowercase().contains("small"), "{small}");
    let fits = dash.render(&theme, 40, 12);
    assert!(!fits.to_lowercase().contains("too small"), "{fits}");
}

#[test]
fn terminal_restored_after_a_panic() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        panic!("tmux is needed for this test; install it (apt-get install tmux)");
    }
    let root = fixture_root("contract");
    let socket = format!("sb-panic-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .arg("-L")
            .arg(&socket)
            .args(args)
            .output()
            .unwrap()
    };
    let bin = env!("CARGO_BIN_EXE_switchboard");
    let script = format!(
        "RUST_BACKTRACE=0 RUST_LIB_BACKTRACE=0 SWITCHBOARD_FAILPOINT=tui:panic SWITCHBOARD_CONFIG_DIR={0}/.no-config {bin} --root {0}; echo EXITED=$?; sleep 30",
        root.path().display()
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "30",
        "sh",
        "-c",
        &script,
    ]);
    assert!(started.status.success(), "{started:?}");
    let mut screen = String::new();
    for _ in 0..200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        screen = String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-S", "-500"]).stdout)
            .into_owned();
        if screen.contains("EXITED=") {
            break;
        }
    }
    let modes = String::from_utf8_lossy(
        &tmux(&[
            "display",
            "-p",
            "alt=#{alternate_on} mouse=#{mouse_any_flag} cursor=#{cursor_flag}",
        ])
        .stdout,
    )
    .into_owned();
    let _ = tmux(&["kill-server"]);
    assert!(
        screen.contains("EXITED=101"),
        "the dashboard panicked and exited:\n{screen}"
    );
    assert!(
        screen.contains("failpoint tui:panic"),
        "the panic message is readable:\n{screen}"
    );
    assert_eq!(modes.trim(), "alt=0 mouse=0 cursor=1", "terminal restored");
}
