//! The event stream's journals that are not files here: a daemon's, read
//! through its socket (`SocketJournal`, against a real daemon), and a
//! transcript's, converted in memory (`MemoryJournal`). Tested directly and
//! through the headless dashboard.

use crate::common;

use std::path::{Path, PathBuf};

use common::daemon::{Daemon, PATIENCE, append, event_line};
use common::{FIXTURE_NOW, Root, fixture_root};
use switchboard::adapters::{AdapterKind, AdapterSource};
use switchboard::config::Config;
use switchboard::feed::{AdapterPoller, Update, spawn_socket_feed};
use switchboard::model::time::parse_rfc3339;
use switchboard::tui::headless::Headless;
use switchboard::tui::journal::{JournalAccess, JournalOrigin, Refresh, SocketJournal};
use switchboard::tui::msg::Msg;
use switchboard::tui::state::StreamPhase;
use tokio::sync::mpsc::Receiver;

/// A session whose journal has `events` events, with a malformed line
/// every 97 lines and a blank one every 50: the lines `events.read`
/// numbers (blank ones left out) are returned.
fn big_session(root: &Root, id: &str, events: usize) -> Vec<Vec<u8>> {
    let dir = root.session(id);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("session.json"),
        format!(r#"{{"id":"{id}","title":"A long one","status":"running","updated_at":"2026-11-21T09:00:00Z"}}"#),
    )
    .unwrap();
    let mut text = String::new();
    let mut numbered = Vec::new();
    for i in 0..events {
        let line = event_line(&format!("ev{i}"), i % 7);
        text.push_str(&line);
        text.push('\n');
        numbered.push(line.into_bytes());
        if i % 97 == 0 {
            let bad = format!("{{broken {i}");
            text.push_str(&bad);
            text.push('\n');
            numbered.push(bad.into_bytes());
        }
        if i % 50 == 0 {
            text.push_str("  \n");
        }
    }
    std::fs::write(dir.join("events.jsonl"), text).unwrap();
    numbered
}

fn journal_len(root: &Root, id: &str) -> u64 {
    std::fs::metadata(root.session(id).join("events.jsonl"))
        .unwrap()
        .len()
}

#[test]
fn a_socket_journal_reads_any_window_of_a_big_journal() {
    let root = fixture_root("contract");
    let expected = big_session(&root, "sesn_big", 6000);
    let daemon = Daemon::start(&root);
    let journal = SocketJournal::open(&daemon.socket, "sesn_big").unwrap();
    let count = journal.line_count();
    assert_eq!(count, expected.len());

    let check = |range: std::ops::Range<usize>| {
        assert_eq!(
            journal.read_lines(range.clone()).unwrap(),
            expected[range.start.min(count)..range.end.min(count)],
            "lines {range:?}"
        );
    };
    check(count - 40..count); // the tail, read when it opened
    check(0..40);
    check(3000..3090);
    // Scrolling up from the end a screen at a time, then down again.
    for step in 1..30 {
        let end = count - step * 150;
        check(end - 120..end);
    }
    for start in (1000..2000).step_by(333) {
        check(start..start + 100);
    }
    check(count - 5..count + 50);
    assert!(journal.read_lines(count..count + 10).unwrap().is_empty());
}

#[test]
fn a_socket_journal_grows_with_appends_and_reads_what_it_missed() {
    let root = fixture_root("contract");
    let daemon = Daemon::start(&root);
    let id = "sesn_awaiting";
    let mut journal = SocketJournal::open(&daemon.socket, id).unwrap();
    let before = journal.line_count();
    assert!(before > 0);

    let appended = |lines: &[String]| {
        let mut offset = journal_len(&root, id);
        append(root.path(), id, lines);
        lines
            .iter()
            .map(|l| {
                let at = offset;
                offset += l.len() as u64 + 1;
                (at, l.clone().into_bytes())
            })
            .collect::<Vec<_>>()
    };
    let new = appended(&[event_line("n1", 1), event_line("n2", 2)]);
    let end = journal_len(&root, id);
    assert_eq!(journal.appended(&new, end).unwrap(), Refresh::Grew);
    assert_eq!(journal.line_count(), before + 2);
    assert_eq!(
        journal.read_lines(before..before + 2).unwrap(),
        vec![new[0].1.clone(), new[1].1.clone()]
    );
    // Reported twice (after a reload): nothing changes.
    assert_eq!(journal.appended(&new, end).unwrap(), Refresh::Unchanged);

    // A blank line is not a line of the stream.
    let blank = appended(&["   ".to_string()]);
    let end = journal_len(&root, id);
    assert_eq!(journal.appended(&blank, end).unwrap(), Refresh::Unchanged);

    // Only the last of three reported: the other two are read from the daemon.
    let three = appended(&[
        event_line("n3", 3),
        event_line("n4", 4),
        event_line("n5", 5),
    ]);
    let end = journal_len(&root, id);
    assert_eq!(journal.appended(&three[2..], end).unwrap(), Refresh::Grew);
    assert_eq!(journal.line_count(), before + 5);
    let tail = journal.read_lines(before + 2..before + 5).unwrap();
    assert_eq!(
        tail,
        three.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>()
    );
}

#[test]
fn a_socket_journal_fails_while_the_daemon_is_gone_and_opens_again_after() {
    let root = fixture_root("contract");
    let expected = big_session(&root, "sesn_big", 9000);
    let mut daemon = Daemon::start(&root);
    let journal = SocketJournal::open(&daemon.socket, "sesn_big").unwrap();
    journal.read_lines(100..150).unwrap();

    daemon.terminate();
    // A window that is neither cached nor read before.
    let error = journal.read_lines(5000..5050).unwrap_err().to_string();
    assert!(error.contains("daemon"), "{error}");
    let error = SocketJournal::open(&daemon.socket, "sesn_big")
        .err()
        .unwrap()
        .to_string();
    assert!(error.contains("cannot connect to a daemon"), "{error}");

    daemon.child = Some(daemon.spawn().spawn().unwrap());
    daemon.wait_ready();
    let reopened = SocketJournal::open(&daemon.socket, "sesn_big").unwrap();
    assert_eq!(reopened.line_count(), expected.len());
    assert_eq!(reopened.read_lines(0..50).unwrap(), expected[..50]);
    // The old one connects again on its next read, too.
    assert_eq!(
        journal.read_lines(4000..4010).unwrap(),
        expected[4000..4010]
    );
}

fn headless(label: String, origin: JournalOrigin) -> Headless {
    let config = Config::default();
    let themes = switchboard::tui::theme::Themes::embedded(true);
    let now = parse_rfc3339(FIXTURE_NOW).unwrap();
    let state =
        switchboard::tui::initial_state(&config, vec![label], &themes, now, (160, 40)).unwrap();
    Headless::new(state).with_origins(vec![origin])
}

fn screen(dash: &mut Headless) -> String {
    dash.render(&common::snapshot_theme(), 160, 40)
}

struct Pump {
    runtime: tokio::runtime::Runtime,
    rx: Receiver<Update>,
}

impl Pump {
    /// Feeds the dashboard the feed's updates until `done` holds. Every
    /// session's folder is moved to a path that does not exist here, as for
    /// a daemon on another machine: the stream must not read it.
    fn until(&mut self, dash: &mut Headless, what: &str, done: impl Fn(&Headless) -> bool) {
        let deadline = std::time::Instant::now() + PATIENCE;
        while !done(dash) {
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; stream: {:?} {} lines, rows:\n{}",
                dash.state.stream.phase,
                dash.state.stream.line_count,
                stream_text(dash)
            );
            let next = self.runtime.block_on(async {
                tokio::time::timeout(std::time::Duration::from_millis(200), self.rx.recv()).await
            });
            let Ok(Some(mut update)) = next else {
                continue;
            };
            if let Update::Loaded { snapshot, .. } = &mut update {
                snapshot.dir = PathBuf::from("/nonexistent/daemon-machine").join(&snapshot.id);
            }
            dash.send(Msg::Feed(update));
        }
    }
}

fn stream_text(dash: &Headless) -> String {
    dash.state
        .stream
        .rows
        .iter()
        .map(|r| format!("{} {}\n", r.kind, r.summary))
        .collect()
}

#[test]
fn the_dashboard_reads_a_daemons_streams_through_the_socket() {
    let root = fixture_root("contract");
    let mut daemon = Daemon::start(&root);
    let (tx, rx) = tokio::sync::mpsc::channel(1024);
    let _feed =
        spawn_socket_feed(daemon.socket.clone(), 0, Config::default().plan_tools(), tx).unwrap();
    let mut pump = Pump {
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap(),
        rx,
    };
    let mut dash = headless(
        daemon.socket.display().to_string(),
        JournalOrigin::Daemon(daemon.socket.clone()),
    );
    let sessions = std::fs::read_dir(root.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("session.json").is_file())
        .count();
    pump.until(&mut dash, "the fleet and the top session's stream", |d| {
        d.state.sessions.len() == sessions
            && d.state.stream.phase == StreamPhase::Ready
            && !d.state.stream.rows.is_empty()
    });
    let id = dash.state.stream.key.clone().unwrap().id;
    let file_lines = root
        .journal(&id)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(dash.state.stream.line_count, file_lines);

    append(
        root.path(),
        &id,
        &[r#"{"id":"sock1","type":"agent.message","created_at":"2026-11-21T09:59:59Z","content":[{"type":"text","text":"fresh from the daemon"}]}"#.to_string()],
    );
    pump.until(&mut dash, "the appended event", |d| {
        stream_text(d).contains("fresh from the daemon")
    });
    assert_eq!(dash.state.stream.line_count, file_lines + 1);
    assert!(screen(&mut dash).contains("fresh from the daemon"));

    // The daemon goes away; opening another session says so in the pane.
    daemon.terminate();
    pump.until(&mut dash, "the source to be unavailable", |d| {
        d.state.sources[0]
            .health
            .as_ref()
            .is_some_and(|h| !h.is_healthy())
    });
    dash.keys(&["j"]);
    let other = dash.state.stream.key.clone().unwrap().id;
    assert_ne!(other, id);
    let StreamPhase::Failed(error) = &dash.state.stream.phase else {
        panic!("{:?}", dash.state.stream.phase);
    };
    assert!(
        error.contains(&format!("cannot read the journal of {other}")),
        "{error}"
    );
    assert!(error.contains("cannot connect to a daemon"), "{error}");
    let shown = screen(&mut dash);
    assert!(shown.contains("cannot read the journal of"), "{shown}");

    // Back: the feed reconnects, reloads, and the stream opens again.
    daemon.child = Some(daemon.spawn().spawn().unwrap());
    daemon.wait_ready();
    pump.until(&mut dash, "the stream to recover", |d| {
        d.state.stream.phase == StreamPhase::Ready && !d.state.stream.rows.is_empty()
    });
    assert_eq!(dash.state.stream.key.as_ref().unwrap().id, other);
    let lines = root
        .journal(&other)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(dash.state.stream.line_count, lines);
}

fn claude_code_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/claude-code");
    let status = std::process::Command::new("cp")
        .arg("-R")
        .arg(format!("{}/.", from.display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

/// Appends `record` as a line of its own: after a torn last line (the main
/// fixture ends in one) the record starts a new line, as the writer of a
/// torn record does once it resumes.
fn append_record(path: &Path, record: &str) {
    use std::io::Write;
    let torn = !std::fs::read(path).unwrap().ends_with(b"\n");
    let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    if torn {
        writeln!(f).unwrap();
    }
    writeln!(f, "{record}").unwrap();
}

#[test]
fn the_dashboard_reads_transcripts_in_memory_as_they_grow_and_are_replaced() {
    let dir = claude_code_copy();
    let source = AdapterSource::new(AdapterKind::ClaudeCode, Some(dir.path().to_path_buf()));
    let now = parse_rfc3339(FIXTURE_NOW).unwrap();
    let mut poller = AdapterPoller::new(source.clone(), 0, Config::default().plan_tools());
    let mut dash = headless(source.label(), JournalOrigin::Transcripts(source.clone()));
    let mut poll = |dash: &mut Headless| {
        dash.send_all(poller.poll_all(now).into_iter().map(Msg::Feed).collect());
    };
    poll(&mut dash);
    assert_eq!(dash.state.stream.phase, StreamPhase::Ready);
    assert!(dash.state.stream.line_count > 0);
    let id = dash.state.stream.key.clone().unwrap().id;
    let path = source
        .discover()
        .unwrap()
        .into_iter()
        .find(|f| f.session_id == id)
        .unwrap()
        .path;
    let before = dash.state.stream.line_count;

    append_record(
        &path,
        r#"{"type":"assistant","uuid":"e2e-1","timestamp":"2026-11-21T09:59:59Z","sessionId":"x","message":{"id":"msg_e2e","role":"assistant","content":[{"type":"text","text":"a transcript line unique to this test"}]}}"#,
    );
    poll(&mut dash);
    assert!(dash.state.stream.line_count > before);
    assert!(
        stream_text(&dash).contains("a transcript line unique to this test"),
        "{}",
        stream_text(&dash)
    );

    // Rewritten shorter: the stream is read again from the new transcript.
    std::fs::write(
        &path,
        r#"{"type":"user","uuid":"r-1","timestamp":"2026-11-21T09:59:59Z","sessionId":"x","message":{"role":"user","content":"started over"}}"#.to_string() + "\n",
    )
    .unwrap();
    poll(&mut dash);
    let s = &dash.state.stream;
    assert_eq!(s.key.as_ref().unwrap().id, id);
    assert_eq!(s.phase, StreamPhase::Ready);
    assert!(s.line_count < before, "{}", s.line_count);
    let text = stream_text(&dash);
    assert!(text.contains("started over"), "{text}");
    assert!(!text.contains("unique to this test"), "{text}");
}
