//! Folding feed updates into the fleet.

use crate::feed::{SessionKey, Update};
use crate::tui::msg::Effect;
use crate::tui::state::{SessionEntry, Source, State, StreamPhase};

pub fn apply(state: &mut State, update: Update) -> Vec<Effect> {
    let mut effects = Vec::new();
    match update {
        Update::Loaded {
            key,
            snapshot,
            replaced,
        } => {
            // The counts of a session first sent from its journal's tail:
            // the journal is the same, so an open stream stays as it is.
            let counted = !replaced
                && state
                    .sessions
                    .get(&key)
                    .is_some_and(|e| e.snapshot.summary.counting);
            let reopen = state.stream.key.as_ref() == Some(&key) && !counted;
            state
                .sessions
                .insert(key.clone(), SessionEntry::new(key.clone(), *snapshot));
            changed(state, &key);
            if reopen {
                state.stream.open(Some(key.clone()));
                if replaced {
                    state.stream.notice = Some("journal replaced; read again".into());
                }
                effects.push(Effect::OpenJournal {
                    key,
                    generation: state.stream.generation,
                });
            }
        }
        Update::Meta {
            key,
            doc,
            doc_error,
            wake,
            journal_mtime,
            heartbeat_mtime,
        } => {
            if let Some(entry) = state.sessions.get_mut(&key) {
                entry.apply_meta(*doc, doc_error, wake, journal_mtime, heartbeat_mtime);
                changed(state, &key);
            }
        }
        Update::Appended { key, lines, end } => {
            if let Some(entry) = state.sessions.get_mut(&key) {
                entry.apply_lines(&lines, end);
                changed(state, &key);
            }
            if is_open(state, &key) {
                effects.push(Effect::JournalAppended {
                    key,
                    generation: state.stream.generation,
                    lines,
                    end,
                });
            }
        }
        Update::Removed { key } => {
            if state.sessions.remove(&key).is_some() {
                changed(state, &key);
            }
        }
        Update::Health { source, health } => {
            source_mut(state, source).health = Some(health);
        }
        Update::Telemetry { source, telemetry } => {
            source_mut(state, source).telemetry = Some(telemetry);
        }
    }
    effects
}

/// Source `index`, added (with the ones before it) when first heard of.
fn source_mut(state: &mut State, index: usize) -> &mut Source {
    while state.sources.len() <= index {
        state.sources.push(Source {
            label: format!("source {}", state.sources.len() + 1),
            health: None,
            telemetry: None,
        });
        // Inbox rows name their source once there are several.
        state.review.stale = true;
    }
    &mut state.sources[index]
}

fn changed(state: &mut State, key: &SessionKey) {
    state.stuck_dirty.insert(key.clone());
    state.fleet.needs_rebuild = true;
    // The inbox lists every session's pending requests, whatever the view:
    // only what the feed changes can change it.
    state.review.stale = true;
}

fn is_open(state: &State, key: &SessionKey) -> bool {
    state.stream.key.as_ref() == Some(key)
        && matches!(
            state.stream.phase,
            StreamPhase::Opening | StreamPhase::Tail | StreamPhase::Ready
        )
}
