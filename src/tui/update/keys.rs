//! Keys: the top overlay gets them first. A prompt edits text; everything
//! else goes through the keymap to a command.

use super::view::set_filter;
use super::{command_line, commands};
use crate::keys::{Chord, Key};
use crate::tui::msg::Effect;
use crate::tui::state::{Overlay, Prompt, PromptKind, State};

pub fn handle(state: &mut State, chord: Chord) -> Vec<Effect> {
    state.notice = None;
    // From the first key on, the selection is the user's: it follows its
    // session by id, and live updates never move another under it.
    state.fleet.user_selected = true;
    if matches!(state.overlays.last(), Some(Overlay::Prompt(_))) {
        return prompt_key(state, chord);
    }
    if matches!(state.overlays.last(), Some(Overlay::Confirm(_))) {
        return super::oncall::confirm_key(state, chord);
    }
    if let Some(effects) = super::review::review_key(state, chord) {
        return effects;
    }
    if let Some(effects) = super::review::bulk_key(state, chord) {
        return effects;
    }
    match state.keymap.lookup(state.mode(), chord) {
        Some(command) => commands::run(state, command),
        None => Vec::new(),
    }
}

pub fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    if super::review::paste(state, text) {
        return Vec::new();
    }
    if let Some(Overlay::Prompt(prompt)) = state.overlays.last_mut() {
        for c in text.chars().filter(|c| !c.is_control()) {
            prompt.insert(c);
        }
        edited(state);
    }
    Vec::new()
}

fn top_prompt(state: &mut State) -> Option<&mut Prompt> {
    match state.overlays.last_mut() {
        Some(Overlay::Prompt(p)) => Some(p),
        _ => None,
    }
}

fn prompt_key(state: &mut State, chord: Chord) -> Vec<Effect> {
    let Some(prompt) = top_prompt(state) else {
        return Vec::new();
    };
    let ctrl = chord.mods.ctrl;
    match chord.key {
        Key::Esc => {
            let prompt = prompt.clone();
            state.overlays.pop();
            if prompt.kind == PromptKind::Filter {
                set_filter(state, &prompt.previous);
            }
            return Vec::new();
        }
        Key::Char('c') if ctrl => {
            let prompt = prompt.clone();
            state.overlays.pop();
            if prompt.kind == PromptKind::Filter {
                set_filter(state, &prompt.previous);
            }
            return Vec::new();
        }
        Key::Enter => {
            let prompt = prompt.clone();
            state.overlays.pop();
            return match prompt.kind {
                PromptKind::Filter => Vec::new(),
                PromptKind::Command => command_line::run(state, &prompt.text),
                PromptKind::Message => super::oncall::message_entered(state, prompt),
            };
        }
        Key::Tab if prompt.kind == PromptKind::Command => {
            if let Some(done) = command_line::complete(&prompt.text) {
                prompt.text = done;
                prompt.cursor = prompt.text.chars().count();
            }
        }
        Key::Backspace => {
            if !prompt.backspace() && prompt.text.is_empty() && prompt.kind == PromptKind::Command {
                state.overlays.pop();
                return Vec::new();
            }
        }
        Key::Delete => {
            prompt.delete();
        }
        Key::Left => prompt.move_cursor(-1),
        Key::Right => prompt.move_cursor(1),
        Key::Home => prompt.cursor = 0,
        Key::End => prompt.cursor = prompt.text.chars().count(),
        Key::Char('a') if ctrl => prompt.cursor = 0,
        Key::Char('e') if ctrl => prompt.cursor = prompt.text.chars().count(),
        Key::Char('u') if ctrl => prompt.clear(),
        _ => match chord.typed_char() {
            Some(c) => prompt.insert(c),
            None => return Vec::new(),
        },
    }
    edited(state);
    Vec::new()
}

/// A filter prompt filters as you type.
fn edited(state: &mut State) {
    let Some(prompt) = top_prompt(state) else {
        return;
    };
    prompt.error = None;
    if prompt.kind == PromptKind::Filter {
        let text = prompt.text.clone();
        set_filter(state, &text);
    }
}
