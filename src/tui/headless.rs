//! The dashboard without a terminal: state, update and the effect runner
//! wired together synchronously. Tests replay messages through it and
//! render it into ratatui's `TestBackend`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::effects::EffectRunner;
use super::journal::JournalOrigin;
use super::msg::{Effect, Msg};
use super::state::State;
use super::theme::Theme;
use super::ui;
use super::update::update_all;
use crate::keys::Chord;

pub struct Headless {
    pub state: State,
    runner: EffectRunner,
}

impl Headless {
    pub fn new(state: State) -> Self {
        Self {
            state,
            runner: EffectRunner::inline(),
        }
    }

    /// Reads source N's journals the way `origins[N]` says (the default:
    /// session folders on this machine).
    pub fn with_origins(mut self, origins: Vec<JournalOrigin>) -> Self {
        self.runner = self.runner.with_origins(origins);
        self
    }

    /// Records actions in this audit log instead of the user's.
    pub fn set_audit_log(&mut self, path: std::path::PathBuf) {
        self.runner.set_audit_log(path);
    }

    /// What the effect runner writes to the terminal (OSC 52 copies),
    /// captured from now on.
    pub fn capture_terminal(&mut self) -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        self.runner
            .set_terminal(Box::new(SharedBuffer(buffer.clone())));
        buffer
    }

    pub fn send(&mut self, msg: Msg) {
        self.send_all(vec![msg]);
    }

    /// Applies messages and runs the effects they ask for until none are left.
    pub fn send_all(&mut self, msgs: Vec<Msg>) {
        let effects = update_all(&mut self.state, msgs);
        run_effects(&mut self.state, &mut self.runner, effects);
    }

    /// Presses keys given as chord names ("j", "enter", "ctrl+c").
    pub fn keys(&mut self, chords: &[&str]) {
        for text in chords {
            match text.parse::<Chord>() {
                Ok(chord) => self.send(Msg::Key(chord)),
                Err(e) => panic!("bad chord in a test script: {e}"),
            }
        }
    }

    /// Types text into whatever has focus, one key per char.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(Msg::Key(Chord::ch(c)));
        }
    }

    /// The screen as text, drawn at `width`×`height`.
    pub fn render(&mut self, theme: &Theme, width: u16, height: u16) -> String {
        if self.state.viewport != (width, height) {
            self.send(Msg::Resize { width, height });
        }
        let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let state = &self.state;
        let _ = terminal.draw(|frame| ui::render(state, theme, frame));
        terminal.backend().to_string()
    }
}

/// Runs effects, feeding their answers back, until nothing is left to do.
pub fn run_effects(state: &mut State, runner: &mut EffectRunner, mut effects: Vec<Effect>) {
    // Each round answers the last; a handful is always enough.
    for _ in 0..16 {
        if effects.is_empty() {
            return;
        }
        let mut replies = Vec::new();
        for effect in effects.drain(..) {
            replies.extend(runner.run(effect, |key| {
                state.sessions.get(key).map(|e| e.snapshot.journal_path())
            }));
        }
        effects = update_all(state, replies);
    }
}

/// A `Write` into a buffer tests can read.
struct SharedBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut b) => b.extend_from_slice(buf),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
