//! `update(&mut State, Msg) -> Vec<Effect>`: every change to the dashboard,
//! pure and synchronous. Time arrives as `Msg::Tick`; IO goes out as effects.

mod command_line;
mod commands;
mod feed;
mod keys;
mod mouse;
mod notice;
mod oncall;
mod review;
mod stream;
mod view;

use super::msg::{Effect, Msg};
use super::state::State;
use crate::model::time::format_age;

pub use command_line::COMMAND_NAMES;

/// Applies one message, then settles derived state.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut effects = apply(state, msg);
    effects.extend(settle(state));
    effects
}

/// Applies a batch (everything the channels had), settling once at the end.
pub fn update_all(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for msg in msgs {
        effects.extend(apply(state, msg));
    }
    effects.extend(settle(state));
    effects
}

fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick(now) => {
            tick(state, now);
            Vec::new()
        }
        msg => {
            state.dirty = true;
            match msg {
                Msg::Feed(update) => feed::apply(state, update),
                Msg::Key(chord) => keys::handle(state, chord),
                Msg::Mouse(mouse) => mouse::handle(state, mouse),
                Msg::Paste(text) => keys::paste(state, &text),
                Msg::Resize { width, height } => {
                    state.viewport = (width, height);
                    Vec::new()
                }
                msg @ (Msg::Evidence { .. } | Msg::Outcome { .. }) => oncall::apply(state, msg),
                msg @ (Msg::PlanLoaded { .. }
                | Msg::Decided { .. }
                | Msg::BulkDone(_)
                | Msg::EditorDone { .. }
                | Msg::ReviewStyle(_)) => review::apply(state, msg),
                other => stream::apply(state, other),
            }
        }
    }
}

/// The clock moved: redraw only if an age shown would read differently or
/// a stuck rule started or stopped firing.
fn tick(state: &mut State, now: crate::model::time::Timestamp) {
    let before = state.now;
    state.now = now;
    let inbox_open = state
        .overlays
        .iter()
        .any(|o| matches!(o, crate::tui::state::Overlay::Inbox));
    let inbox_aged = inbox_open
        && state.review.inbox.iter().any(|row| {
            row.pending_since.is_some_and(|t| {
                format_age((before - t).num_seconds()) != format_age((now - t).num_seconds())
            })
        });
    if inbox_aged {
        // The open inbox shows ages; rebuild it when one reads differently.
        state.review.stale = true;
        state.dirty = true;
    }
    // Only rows on screen show an age; a screenful is plenty to look at.
    let visible = state.fleet.offset..state.fleet.offset.saturating_add(state.viewport.1 as usize);
    let ages_changed = state
        .fleet
        .rows
        .get(visible.start.min(state.fleet.rows.len())..visible.end.min(state.fleet.rows.len()))
        .unwrap_or_default()
        .iter()
        .any(|row| {
            state
                .sessions
                .get(&row.key)
                .and_then(|e| e.last_activity)
                .is_some_and(|t| {
                    format_age((before - t).num_seconds()) != format_age((now - t).num_seconds())
                })
        });
    let recheck = (now - state.stuck_checked_at).num_seconds() >= state.stuck_recheck_secs;
    let stuck_changed = recheck && state.recompute_stuck();
    if ages_changed || stuck_changed {
        state.dirty = true;
    }
}

/// Derived state after messages: stuck findings, the fleet's rows and
/// scroll, the stream following the selection, and the decoded window.
pub fn settle(state: &mut State) -> Vec<Effect> {
    if state.stuck_stale {
        state.recompute_stuck();
    } else {
        state.recompute_dirty_stuck();
    }
    oncall::settle_agents(state);
    let mut effects = review::settle(state);
    if state.fleet.needs_rebuild {
        state.fleet.rebuild(&state.sessions);
    }
    let layout = state.layout();
    if let Some(area) = layout.fleet {
        state
            .fleet
            .keep_visible(area.inner().height.saturating_sub(1) as usize);
    }
    if state.stream.key != state.fleet.selected_key {
        state.stream.open(state.fleet.selected_key.clone());
        state.session_scroll = 0;
        effects.push(match &state.stream.key {
            Some(key) => Effect::OpenJournal {
                key: key.clone(),
                generation: state.stream.generation,
            },
            None => Effect::CloseJournal,
        });
    }
    effects.extend(oncall::settle(state));
    effects.extend(stream::ensure_window(state));
    effects
}
