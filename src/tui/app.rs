//! The dashboard on a terminal: the feeds, the input thread and the
//! effect runner started, then the loop (`event_loop`) run until the user
//! quits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tokio::sync::mpsc;

use super::effects::{Background, DEFAULT_TAIL_THRESHOLD, EffectRunner};
use super::event_loop::{Frames, Input, Queues, Screen, drive};
use super::frame_log::{FrameLog, unix_micros};
use super::journal::JournalOrigin;
use super::msg::{Mouse, MouseKind, Msg};
use super::state::State;
use super::terminal::TerminalGuard;
use super::theme::{Theme, Themes};
use super::ui;
use crate::feed::Update;
use crate::keys::{Chord, Key, Mods};
use crate::model::plan::PlanTools;

pub struct AppConfig {
    pub feeds: Vec<crate::feed::FeedSource>,
    pub plan_tools: PlanTools,
    pub poll_interval: Duration,
    pub max_fps: u32,
    pub mouse: bool,
}

pub async fn run(
    guard: &mut TerminalGuard,
    mut state: State,
    themes: Themes,
    config: AppConfig,
) -> std::io::Result<()> {
    let (feed_tx, feed_rx) = mpsc::channel::<Update>(1024);
    let mut feeds = Vec::new();
    for (source, feed) in config.feeds.iter().enumerate() {
        feeds.push(feed.spawn_tail_first(
            source,
            config.plan_tools.clone(),
            config.poll_interval,
            feed_tx.clone(),
        )?);
    }
    drop(feed_tx);
    let frame_log = FrameLog::from_env();
    let (input_tx, input_rx) = mpsc::unbounded_channel::<Input>();
    let stop_input = Arc::new(AtomicBool::new(false));
    let pause_input = Arc::new(AtomicBool::new(false));
    let input_thread = spawn_input_thread(
        input_tx,
        stop_input.clone(),
        pause_input.clone(),
        frame_log.enabled(),
    )?;
    let (bg_tx, bg_rx) = mpsc::unbounded_channel::<Background>();
    // Journals are read, and decisions written, where each source lives.
    state.review.origins = JournalOrigin::all(&config.feeds);
    let mut runner = EffectRunner::with_background(bg_tx, DEFAULT_TAIL_THRESHOLD)
        .with_origins(state.review.origins.clone());
    runner.enable_external_editor(pause_input.clone(), config.mouse);
    // Clipboard copies (OSC 52) go to the terminal between frames.
    runner.set_terminal(Box::new(std::io::stdout()));

    let size = guard.terminal.size()?;
    state.viewport = (size.width, size.height);
    let mut queues = Queues {
        feed: feed_rx,
        input: input_rx,
        background: bg_rx,
    };
    let mut frames = Frames {
        gap: Duration::from_secs_f64(1.0 / f64::from(config.max_fps.clamp(1, 240))),
        log: frame_log,
    };
    let result = drive(
        &mut state,
        &mut runner,
        &themes,
        &mut queues,
        &mut TerminalScreen(guard),
        &mut frames,
    )
    .await;
    stop_input.store(true, Ordering::Relaxed);
    drop(feeds);
    let _ = input_thread.join();
    result
}

struct TerminalScreen<'a>(&'a mut TerminalGuard);

impl Screen for TerminalScreen<'_> {
    fn draw(&mut self, state: &State, theme: &Theme) -> std::io::Result<()> {
        self.0
            .terminal
            .draw(|frame| ui::render(state, theme, frame))?;
        panic_failpoint();
        Ok(())
    }

    fn clear(&mut self) -> std::io::Result<()> {
        self.0.terminal.clear()
    }
}

/// Crash-test hook: `SWITCHBOARD_FAILPOINT=tui:panic` panics after a frame
/// is drawn, so the fault suite can prove the terminal is restored.
fn panic_failpoint() {
    if std::env::var("SWITCHBOARD_FAILPOINT").is_ok_and(|p| p == "tui:panic") {
        panic!("failpoint tui:panic");
    }
}

/// Terminal events are read on their own thread (crossterm's reads block).
fn spawn_input_thread(
    tx: mpsc::UnboundedSender<Input>,
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
    stamp_keys: bool,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if pause.load(Ordering::SeqCst) {
                    // `$EDITOR` has the terminal; its keys are not ours.
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                match crossterm::event::poll(Duration::from_millis(100)) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(_) => return,
                }
                let event = match crossterm::event::read() {
                    Ok(event) => event,
                    Err(_) => return,
                };
                let key_read_at = (stamp_keys && matches!(event, Event::Key(_))).then(unix_micros);
                if let Some(msg) = to_msg(event)
                    && tx.send(Input { msg, key_read_at }).is_err()
                {
                    return;
                }
            }
        })
}

fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => to_chord(key).map(Msg::Key),
        Event::Mouse(mouse) => {
            let kind = match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => MouseKind::Click,
                MouseEventKind::ScrollUp => MouseKind::ScrollUp,
                MouseEventKind::ScrollDown => MouseKind::ScrollDown,
                _ => return None,
            };
            Some(Msg::Mouse(Mouse {
                kind,
                col: mouse.column,
                row: mouse.row,
            }))
        }
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Paste(text) => Some(Msg::Paste(text)),
        _ => None,
    }
}

fn to_chord(key: KeyEvent) -> Option<Chord> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let code = match key.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Delete => Key::Delete,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::F(n) => Key::F(n),
        _ => return None,
    };
    let mods = Mods {
        ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        alt: key.modifiers.contains(KeyModifiers::ALT),
    };
    let code = match code {
        Key::Char(c) if mods.ctrl => Key::Char(c.to_ascii_lowercase()),
        other => other,
    };
    Some(Chord { key: code, mods })
}
