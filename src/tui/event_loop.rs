//! The loop: wait for a key, a finished background job, a feed update or
//! the clock; update; draw if anything changed, at most `max_fps` times a
//! second unless the frame answers the user. Idle means no drawing.
//!
//! Input comes first: a key is answered in the next frame, before anything
//! the feeds queued is folded, and folding a burst stops as soon as a key
//! arrives (the rest waits, coalesced, for after the key's frame).

use std::io;
use std::time::Duration;

use tokio::sync::mpsc::{Receiver, UnboundedReceiver};
use tokio::time::{Instant, MissedTickBehavior};

use super::effects::{Background, EffectRunner};
use super::feed_queue::FeedQueue;
use super::frame_log::FrameLog;
use super::headless::run_effects;
use super::msg::Msg;
use super::state::State;
use super::theme::{Theme, Themes};
use super::update::update_all;
use crate::feed::Update;

/// Most feed updates queued at once, so a flood still shows.
const MAX_QUEUED: usize = 4096;

/// Where frames go: the terminal, or a `TestBackend` in tests.
pub trait Screen {
    fn draw(&mut self, state: &State, theme: &Theme) -> io::Result<()>;
    /// Forgets what is on screen, so the next frame is drawn whole.
    fn clear(&mut self) -> io::Result<()>;
}

/// A terminal event and, when the frame log is on, when a key was read.
pub struct Input {
    pub msg: Msg,
    pub key_read_at: Option<u64>,
}

impl Input {
    fn take(self, frame_log: &mut FrameLog) -> Msg {
        if matches!(self.msg, Msg::Key(_)) {
            frame_log.key_taken(self.key_read_at);
        }
        self.msg
    }
}

pub struct Queues {
    pub feed: Receiver<Update>,
    pub input: UnboundedReceiver<Input>,
    pub background: UnboundedReceiver<Background>,
}

pub struct Frames {
    pub gap: Duration,
    pub log: FrameLog,
}

/// Runs until the user quits or the input closes (the terminal is gone).
pub async fn drive(
    state: &mut State,
    runner: &mut EffectRunner,
    themes: &Themes,
    queues: &mut Queues,
    screen: &mut impl Screen,
    frames: &mut Frames,
) -> io::Result<()> {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_draw: Option<Instant> = None;
    let mut theme: Theme = themes.get(&state.theme);
    let mut queue = FeedQueue::default();
    let mut msgs = vec![Msg::Resize {
        width: state.viewport.0,
        height: state.viewport.1,
    }];
    // Whether `msgs` holds a key, click or paste. A frame that answers the
    // user is drawn at once; the frame-rate cap is for what the feeds change.
    let mut answers_input = false;
    loop {
        let feed = if answers_input {
            None
        } else {
            let input = &queues.input;
            Some(queue.drain_until(move || !input.is_empty()))
        };
        let effects = update_all(
            state,
            msgs.drain(..)
                .chain(feed.into_iter().flatten().map(Msg::Feed)),
        );
        run_effects(state, runner, effects);
        if state.full_redraw {
            // Back from `$EDITOR`: the screen holds whatever it left.
            screen.clear()?;
            state.full_redraw = false;
            state.dirty = true;
        }
        if state.quit {
            return Ok(());
        }
        if state.dirty && (answers_input || last_draw.is_none_or(|t| t.elapsed() >= frames.gap)) {
            if theme.name != state.theme {
                theme = themes.get(&state.theme);
                let style = Box::new(super::ui::review::review_style(&theme));
                let effects = update_all(state, [Msg::ReviewStyle(style)]);
                run_effects(state, runner, effects);
            }
            screen.draw(state, &theme)?;
            state.dirty = false;
            last_draw = Some(Instant::now());
            frames.log.frame_drawn();
        }
        let next_frame = match (state.dirty, last_draw) {
            (true, Some(t)) => Some(t + frames.gap),
            (true, None) => Some(Instant::now()),
            _ => None,
        };
        let busy = !queue.is_empty();
        tokio::select! {
            biased;
            input = queues.input.recv() => match input {
                Some(input) => msgs.push(input.take(&mut frames.log)),
                None => return Ok(()),
            },
            Some(job) = queues.background.recv() => msgs.extend(runner.finish(job)),
            // Ready once a second at most: before the feed, so a burst
            // cannot starve the clock.
            _ = tick.tick() => msgs.push(Msg::Tick(super::clock())),
            Some(update) = queues.feed.recv() => queue.push(update),
            _ = tokio::time::sleep_until(next_frame.unwrap_or_else(Instant::now)), if next_frame.is_some() => {}
            // Queued updates are work: fold them without waiting.
            _ = std::future::ready(()), if busy => {}
        }
        while let Ok(input) = queues.input.try_recv() {
            msgs.push(input.take(&mut frames.log));
        }
        answers_input = msgs.iter().any(is_input);
        while let Ok(job) = queues.background.try_recv() {
            msgs.extend(runner.finish(job));
        }
        if !answers_input {
            queue.fill(&mut queues.feed, MAX_QUEUED);
        }
    }
}

fn is_input(msg: &Msg) -> bool {
    matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Paste(_))
}
