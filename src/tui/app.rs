//! The loop: wait for a feed update, a key, a finished background job or
//! the clock; drain everything pending; update once; draw once if anything
//! changed, at most `max_fps` times a second. Idle means no drawing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::effects::{Background, DEFAULT_TAIL_THRESHOLD, EffectRunner};
use super::frame_log::{FrameLog, unix_micros};
use super::headless::run_effects;
use super::journal::JournalOrigin;
use super::msg::{Mouse, MouseKind, Msg};
use super::state::State;
use super::terminal::TerminalGuard;
use super::theme::{Theme, Themes};
use super::ui;
use super::update::update_all;
use crate::feed::Update;
use crate::keys::{Chord, Key, Mods};
use crate::model::plan::PlanTools;

/// Most messages folded before a frame is drawn, so a flood still shows.
const MAX_BATCH: usize = 4096;
/// Most feed updates folded with a key before its frame is drawn.
const BATCH_WITH_INPUT: usize = 256;

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
    let (feed_tx, mut feed_rx) = mpsc::channel::<Update>(1024);
    let mut feeds = Vec::new();
    for (source, feed) in config.feeds.iter().enumerate() {
        feeds.push(feed.spawn(
            source,
            config.plan_tools.clone(),
            config.poll_interval,
            feed_tx.clone(),
        )?);
    }
    drop(feed_tx);
    let mut frame_log = FrameLog::from_env();
    let (input_tx, mut input_rx) = mpsc::unbounded_channel::<Input>();
    let stop_input = Arc::new(AtomicBool::new(false));
    let pause_input = Arc::new(AtomicBool::new(false));
    let input_thread = spawn_input_thread(
        input_tx,
        stop_input.clone(),
        pause_input.clone(),
        frame_log.enabled(),
    )?;
    let (bg_tx, mut bg_rx) = mpsc::unbounded_channel::<Background>();
    // Journals are read, and decisions written, where each source lives.
    state.review.origins = JournalOrigin::all(&config.feeds);
    let mut runner = EffectRunner::with_background(bg_tx, DEFAULT_TAIL_THRESHOLD)
        .with_origins(state.review.origins.clone());
    runner.enable_external_editor(pause_input.clone(), config.mouse);
    // Clipboard copies (OSC 52) go to the terminal between frames.
    runner.set_terminal(Box::new(std::io::stdout()));

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let frame_gap = Duration::from_secs_f64(1.0 / f64::from(config.max_fps.clamp(1, 240)));
    let mut last_draw: Option<Instant> = None;
    let mut theme: Theme = themes.get(&state.theme);
    let size = guard.terminal.size()?;
    let mut msgs = vec![Msg::Resize {
        width: size.width,
        height: size.height,
    }];
    // Whether `msgs` holds a key, click or paste. A frame that answers the
    // user is drawn at once; the frame-rate cap is for what the feeds change.
    let mut answers_input = false;
    loop {
        let effects = update_all(&mut state, msgs.drain(..));
        run_effects(&mut state, &mut runner, effects);
        if state.full_redraw {
            // Back from `$EDITOR`: the screen holds whatever it left.
            guard.terminal.clear()?;
            state.full_redraw = false;
            state.dirty = true;
        }
        if state.quit {
            break;
        }
        if state.dirty && (answers_input || last_draw.is_none_or(|t| t.elapsed() >= frame_gap)) {
            if theme.name != state.theme {
                theme = themes.get(&state.theme);
                let style = Box::new(ui::review::review_style(&theme));
                let effects = update_all(&mut state, [Msg::ReviewStyle(style)]);
                run_effects(&mut state, &mut runner, effects);
            }
            guard
                .terminal
                .draw(|frame| ui::render(&state, &theme, frame))?;
            state.dirty = false;
            last_draw = Some(Instant::now());
            frame_log.frame_drawn();
            panic_failpoint();
        }
        let next_frame = match (state.dirty, last_draw) {
            (true, Some(t)) => Some(t + frame_gap),
            (true, None) => Some(Instant::now()),
            _ => None,
        };
        tokio::select! {
            Some(update) = feed_rx.recv() => msgs.push(Msg::Feed(update)),
            Some(input) = input_rx.recv() => msgs.push(input.take(&mut frame_log)),
            Some(job) = bg_rx.recv() => msgs.extend(runner.finish(job)),
            _ = tick.tick() => msgs.push(Msg::Tick(super::clock())),
            _ = tokio::time::sleep_until(next_frame.unwrap_or_else(Instant::now)), if next_frame.is_some() => {}
        }
        while let Ok(input) = input_rx.try_recv() {
            msgs.push(input.take(&mut frame_log));
        }
        // Input arrives only above; the feed updates and finished jobs
        // added below cannot change this.
        answers_input = msgs.iter().any(is_input);
        // With a key waiting, fold only a little of a flood before answering it.
        let batch = if answers_input {
            BATCH_WITH_INPUT
        } else {
            MAX_BATCH
        };
        while msgs.len() < batch {
            match feed_rx.try_recv() {
                Ok(update) => msgs.push(Msg::Feed(update)),
                Err(_) => break,
            }
        }
        while let Ok(job) = bg_rx.try_recv() {
            msgs.extend(runner.finish(job));
        }
    }
    stop_input.store(true, Ordering::Relaxed);
    drop(feeds);
    let _ = input_thread.join();
    Ok(())
}

/// Crash-test hook: `SWITCHBOARD_FAILPOINT=tui:panic` panics after a frame
/// is drawn, so the fault suite can prove the terminal is restored.
fn panic_failpoint() {
    if std::env::var("SWITCHBOARD_FAILPOINT").is_ok_and(|p| p == "tui:panic") {
        panic!("failpoint tui:panic");
    }
}

/// A terminal event and, when the frame log is on, when a key was read.
struct Input {
    msg: Msg,
    key_read_at: Option<u64>,
}

impl Input {
    fn take(self, frame_log: &mut FrameLog) -> Msg {
        if matches!(self.msg, Msg::Key(_)) {
            frame_log.key_taken(self.key_read_at);
        }
        self.msg
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

fn is_input(msg: &Msg) -> bool {
    matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Paste(_))
}
