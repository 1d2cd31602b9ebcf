//! The `:` command line. Views are selected here by name, so later views
//! (the approvals inbox, the stuck view, agents) plug in as new names.

use super::commands;
use super::notice::{error, info};
use super::view::{set_filter, set_view};
use crate::keys::Command;
use crate::tui::msg::Effect;
use crate::tui::state::{SortKey, State, ViewKind};

/// Every command name, for completion and the help text.
pub const COMMAND_NAMES: [&str; 13] = [
    "all", "pending", "stuck", "agents", "archived", "tree", "sort", "theme", "filter", "follow",
    "help", "quit", "q",
];

pub fn run(state: &mut State, line: &str) -> Vec<Effect> {
    let line = line.trim().trim_start_matches(':');
    let (name, arg) = match line.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (line, ""),
    };
    match name {
        "" => {}
        "all" | "sessions" | "fleet" => set_view(state, ViewKind::All),
        "pending" | "inbox" => {
            set_view(state, ViewKind::Pending);
            super::review::open_inbox(state);
        }
        "stuck" => set_view(state, ViewKind::Stuck),
        "agents" => super::oncall::open_agents(state),
        "archived" => super::oncall::set_archived(state, arg),
        "tree" => {
            state.fleet.tree = match arg {
                "on" => true,
                "off" => false,
                _ => !state.fleet.tree,
            };
            state.fleet.needs_rebuild = true;
        }
        "sort" => match arg {
            "" => return commands::run(state, Command::CycleSort),
            key => match SortKey::parse(key) {
                Some(sort) => {
                    state.fleet.sort = sort;
                    state.fleet.needs_rebuild = true;
                    info(state, format!("sorted by {}", sort.as_str()));
                }
                None => error(
                    state,
                    format!("no sort key {key:?}; use status, activity, pending or title"),
                ),
            },
        },
        "theme" => theme(state, arg),
        "filter" => set_filter(state, arg),
        "follow" => return commands::run(state, Command::ToggleFollow),
        "help" | "h" => return commands::run(state, Command::Help),
        "quit" | "q" | "q!" => state.quit = true,
        other => error(
            state,
            format!(
                "unknown command :{other}; known: {}",
                COMMAND_NAMES.join(" ")
            ),
        ),
    }
    Vec::new()
}

fn theme(state: &mut State, name: &str) {
    let names = state.themes.join(", ");
    if name.is_empty() {
        info(state, format!("theme {} (available: {names})", state.theme));
    } else if state.themes.iter().any(|t| t == name) {
        state.theme = name.to_string();
        info(state, format!("theme {name}"));
    } else {
        error(state, format!("no theme {name:?}; available: {names}"));
    }
}

/// Completes a command name typed so far, when exactly one fits.
pub fn complete(text: &str) -> Option<String> {
    if text.contains(char::is_whitespace) {
        return None;
    }
    let mut fits = COMMAND_NAMES.iter().filter(|n| n.starts_with(text));
    match (fits.next(), fits.next()) {
        (Some(only), None) => Some(format!("{only} ")),
        _ => None,
    }
}
