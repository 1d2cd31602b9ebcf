//! The mouse selects rows and scrolls the pane under it.

use super::commands::{self, focus};
use super::stream;
use crate::keys::Command;
use crate::tui::msg::{Effect, Mouse, MouseKind};
use crate::tui::state::{Overlay, Pane, State};

const WHEEL_STEP: isize = 3;

pub fn handle(state: &mut State, mouse: Mouse) -> Vec<Effect> {
    if let Some(top) = state.overlays.last() {
        // Overlays are modal: the wheel scrolls them, a click outside a
        // prompt does nothing.
        if matches!(
            top,
            Overlay::Help { .. } | Overlay::Detail(_) | Overlay::Agents(_)
        ) {
            let command = match mouse.kind {
                MouseKind::ScrollUp => Command::Up,
                MouseKind::ScrollDown => Command::Down,
                MouseKind::Click => return Vec::new(),
            };
            for _ in 0..WHEEL_STEP {
                commands::run(state, command);
            }
        }
        return Vec::new();
    }
    let layout = state.layout();
    let hit = [
        (Pane::Fleet, layout.fleet),
        (Pane::Stream, layout.stream),
        (Pane::Session, layout.session),
    ]
    .into_iter()
    .find_map(|(pane, area)| {
        area.filter(|a| a.contains(mouse.col, mouse.row))
            .map(|a| (pane, a))
    });
    let Some((pane, area)) = hit else {
        return Vec::new();
    };
    match mouse.kind {
        MouseKind::Click => {
            focus(state, pane);
            let inner = area.inner();
            if !inner.contains(mouse.col, mouse.row) {
                return Vec::new();
            }
            let row = (mouse.row - inner.y) as usize;
            match pane {
                Pane::Fleet if row >= 1 => {
                    let index = state.fleet.offset + row - 1;
                    if index < state.fleet.rows.len() {
                        state.fleet.select(index);
                    }
                }
                Pane::Stream => {
                    let line = state.stream.offset + row;
                    if line < state.stream.line_count {
                        state.stream.select(line);
                    }
                }
                _ => {}
            }
        }
        MouseKind::ScrollUp | MouseKind::ScrollDown => {
            let delta = if mouse.kind == MouseKind::ScrollUp {
                -WHEEL_STEP
            } else {
                WHEEL_STEP
            };
            match pane {
                Pane::Fleet => {
                    let len = state.fleet.rows.len();
                    let at = (state.fleet.selected as isize + delta)
                        .clamp(0, len.saturating_sub(1) as isize);
                    state.fleet.select(at as usize);
                }
                Pane::Stream => stream::move_cursor(state, delta),
                Pane::Session => {
                    state.session_scroll = (state.session_scroll as isize + delta).max(0) as usize;
                }
            }
        }
    }
    Vec::new()
}
