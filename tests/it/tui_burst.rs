//! The dashboard's loop under a burst: the real `event_loop::drive`, fed a
//! burst replayed from journals through the root poller, drawing into a
//! `TestBackend`.

use crate::common;

use std::io::Write;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use switchboard::feed::{FeedHealth, RootPoller, SessionKey, Update};
use switchboard::keys::Chord;
use switchboard::tui::effects::EffectRunner;
use switchboard::tui::event_loop::{Frames, Input, Queues, Screen, drive};
use switchboard::tui::frame_log::FrameLog;
use switchboard::tui::msg::Msg;
use switchboard::tui::state::State;
use switchboard::tui::theme::{Theme, Themes};
use tokio::sync::mpsc;

/// Rounds of one appended event in every session, each polled: with 15
/// sessions, two updates each a round (the lines, then the times), far
/// more than the loop queues at once.
const ROUNDS: usize = 400;

/// Sends one key once the burst is partly folded, then records the frames.
struct Recorder {
    terminal: Terminal<TestBackend>,
    input: Option<mpsc::UnboundedSender<Input>>,
    sessions: usize,
    total: u64,
    /// Bytes folded, and the selection, when the key was sent.
    key_sent: Option<(u64, Option<SessionKey>)>,
    /// The same in the frame after it.
    answered: Option<(u64, Option<SessionKey>)>,
}

fn folded(state: &State) -> u64 {
    state
        .sessions
        .values()
        .map(|e| e.snapshot.journal_end)
        .sum()
}

impl Screen for Recorder {
    fn draw(&mut self, state: &State, theme: &Theme) -> std::io::Result<()> {
        let Ok(_) = self
            .terminal
            .draw(|frame| switchboard::tui::ui::render(state, theme, frame));
        let folded = folded(state);
        let selected = state.fleet.selected_key.clone();
        match (&self.key_sent, &self.answered) {
            (None, _) if state.sessions.len() == self.sessions && folded < self.total => {
                if let Some(input) = &self.input {
                    let _ = input.send(Input {
                        msg: Msg::Key(Chord::ch('j')),
                        key_read_at: None,
                    });
                }
                self.key_sent = Some((folded, selected));
            }
            (Some(_), None) => self.answered = Some((folded, selected)),
            _ => {}
        }
        if folded == self.total && self.answered.is_some() {
            // Everything is folded: closing the input ends the loop.
            self.input = None;
        }
        Ok(())
    }

    fn clear(&mut self) -> std::io::Result<()> {
        let Ok(()) = self.terminal.clear();
        Ok(())
    }
}

#[test]
fn a_key_during_a_replayed_burst_is_answered_before_the_bursts_remainder() {
    let root = common::fixture_root("contract");
    let config = switchboard::config::Config::default();
    let mut poller = RootPoller::new(root.path(), 0, config.plan_tools());
    let (feed_tx, feed_rx) = mpsc::channel::<Update>(100_000);
    let mut send = |update: Update| feed_tx.try_send(update).unwrap();
    send(Update::Health {
        source: 0,
        health: FeedHealth::Polling {
            interval_ms: 1000,
            reason: "test".into(),
        },
    });
    poller.poll_all().into_iter().for_each(&mut send);
    let ids: Vec<String> = poller.tracked_ids().map(str::to_string).collect();
    let mut queued = 0;
    for round in 0..ROUNDS {
        for id in &ids {
            let mut journal = std::fs::OpenOptions::new()
                .append(true)
                .open(root.session(id).join("events.jsonl"))
                .unwrap();
            writeln!(
                journal,
                r#"{{"id": "sevt_burst_{round}", "type": "agent.message", "created_at": "2026-11-21T09:59:00Z", "content": [{{"type": "text", "text": "burst {round}"}}]}}"#
            )
            .unwrap();
        }
        for update in poller.poll_all() {
            queued += 1;
            send(update);
        }
    }
    assert!(queued > 2 * 4096, "the burst is several queues' worth");
    let total: u64 = ids
        .iter()
        .map(|id| {
            std::fs::metadata(root.session(id).join("events.jsonl"))
                .unwrap()
                .len()
        })
        .sum();
    drop(feed_tx);

    let themes = Themes::embedded(true);
    let mut state = switchboard::tui::initial_state(
        &config,
        vec![root.path().display().to_string()],
        &themes,
        switchboard::model::time::parse_rfc3339(common::FIXTURE_NOW).unwrap(),
        (120, 40),
    )
    .unwrap();
    let mut runner = EffectRunner::inline();
    runner.set_audit_log(root.audit.clone());
    let (input_tx, input_rx) = mpsc::unbounded_channel();
    let (_background_tx, background_rx) = mpsc::unbounded_channel();
    let mut queues = Queues {
        feed: feed_rx,
        input: input_rx,
        background: background_rx,
    };
    // Every turn may draw: the test counts turns by frames, not by time.
    let mut frames = Frames {
        gap: std::time::Duration::from_micros(1),
        log: FrameLog::default(),
    };
    let mut screen = Recorder {
        terminal: Terminal::new(TestBackend::new(120, 40)).unwrap(),
        input: Some(input_tx),
        sessions: ids.len(),
        total,
        key_sent: None,
        answered: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(drive(
            &mut state,
            &mut runner,
            &themes,
            &mut queues,
            &mut screen,
            &mut frames,
        ))
        .unwrap();

    let (folded_at_key, selected_at_key) = screen.key_sent.expect("the key was sent mid-burst");
    let (folded_at_answer, selected_at_answer) = screen.answered.expect("a frame followed the key");
    assert!(folded_at_key < total);
    assert_ne!(
        selected_at_answer, selected_at_key,
        "the frame after the key shows it answered"
    );
    assert_eq!(
        folded_at_answer, folded_at_key,
        "nothing queued was folded before the key's frame"
    );
    assert_eq!(folded(&state), total, "the rest of the burst followed");
}
