//! The socket feed against a real daemon: the sessions it rebuilds equal
//! what a root feed loads from disk, appends arrive as `Appended`, and a
//! daemon that goes away is reported and reconnected to.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::daemon::{Daemon, PATIENCE, append, event_line};
use common::fixture_root;
use switchboard::feed::{FeedHealth, Update, spawn_root_feed, spawn_socket_feed};
use switchboard::model::plan::PlanTools;
use switchboard::model::stuck::StuckThresholds;
use switchboard::model::time::parse_rfc3339;
use switchboard::store::fleet::stuck_of;
use switchboard::store::session_snapshot::SessionSnapshot;
use switchboard::views::{DoctorRow, PendingRow, SessionRow};
use tokio::sync::mpsc::Receiver;

struct Next {
    runtime: tokio::runtime::Runtime,
}

impl Next {
    fn new() -> Self {
        Self {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap(),
        }
    }

    fn update(&self, rx: &mut Receiver<Update>) -> Update {
        self.runtime
            .block_on(async { tokio::time::timeout(PATIENCE, rx.recv()).await })
            .expect("no update in time")
            .expect("the feed stopped")
    }

    /// Loaded snapshots until `count` sessions are known.
    fn loaded(&self, rx: &mut Receiver<Update>, count: usize) -> BTreeMap<String, SessionSnapshot> {
        let mut sessions = BTreeMap::new();
        while sessions.len() < count {
            if let Update::Loaded { key, snapshot, .. } = self.update(rx) {
                sessions.insert(key.id, *snapshot);
            }
        }
        sessions
    }
}

/// Everything the front ends show of a session, at the fixtures' time.
fn shown(session: &SessionSnapshot) -> (SessionRow, Vec<PendingRow>, Vec<DoctorRow>, String) {
    let now = parse_rfc3339(common::FIXTURE_NOW).unwrap();
    let findings = stuck_of(session, None, &StuckThresholds::default(), now);
    (
        SessionRow::new(session, &findings),
        session
            .summary
            .pending()
            .iter()
            .map(PendingRow::new)
            .collect(),
        findings
            .iter()
            .map(|f| DoctorRow::new(&session.id, f))
            .collect(),
        format!(
            "{:?} {:?} {:?} {} {:?} {:?} {:?} {}",
            session.doc,
            session.doc_error,
            session.wake,
            session.journal_end,
            session.journal_mtime,
            session.heartbeat_mtime,
            session.warnings,
            session.dir.display(),
        ),
    )
}

#[test]
fn the_socket_feed_rebuilds_what_the_root_feed_reads() {
    let root = fixture_root("contract");
    let mut daemon = Daemon::start(&root);
    let next = Next::new();
    let count = std::fs::read_dir(root.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("session.json").is_file())
        .count();

    let (root_tx, mut root_rx) = tokio::sync::mpsc::channel(256);
    let root_feed = spawn_root_feed(
        root.path().to_path_buf(),
        0,
        PlanTools::default(),
        Duration::from_millis(50),
        root_tx,
    )
    .unwrap();
    let from_disk = next.loaded(&mut root_rx, count);
    root_feed.stop();

    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let _feed = spawn_socket_feed(daemon.socket.clone(), 1, PlanTools::default(), tx).unwrap();
    let through_daemon = next.loaded(&mut rx, count);
    assert_eq!(
        from_disk.keys().collect::<Vec<_>>(),
        through_daemon.keys().collect::<Vec<_>>()
    );
    for (id, session) in &from_disk {
        assert_eq!(shown(session), shown(&through_daemon[id]), "{id} differs");
    }

    // An append arrives as Appended, at the offset where the journal ended.
    let end = through_daemon["sesn_done"].journal_end;
    append(root.path(), "sesn_done", &[event_line("sevt_feed_1", 10)]);
    loop {
        if let Update::Appended { key, lines, .. } = next.update(&mut rx) {
            assert_eq!((key.source, key.id.as_str()), (1, "sesn_done"));
            assert_eq!(lines[0].0, end);
            assert!(String::from_utf8_lossy(&lines[0].1).contains("sevt_feed_1"));
            break;
        }
    }

    // The daemon goes away: the feed says so, then comes back with it.
    assert!(daemon.terminate().success());
    loop {
        if let Update::Health { health, .. } = next.update(&mut rx)
            && matches!(health, FeedHealth::Unavailable { .. })
        {
            break;
        }
    }
    daemon.child = Some(daemon.spawn().spawn().unwrap());
    daemon.wait_ready();
    loop {
        if let Update::Loaded {
            key,
            replaced: true,
            ..
        } = next.update(&mut rx)
        {
            assert_eq!(key.source, 1);
            break;
        }
    }
}
