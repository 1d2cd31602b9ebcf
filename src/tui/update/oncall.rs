//! On call: actions on the selected session (asked with `y`/`n`, written
//! by the effect runner), clipboard copies, the stuck view's evidence and
//! jump, the timeline strip, archived sessions and the agents view.

use super::notice::{error, info};
use crate::keys::{Chord, Command, Key};
use crate::model::status::DisplayStatus;
use crate::sanitize::sanitize_line;
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::oncall::timeline;
use crate::tui::state::{
    AgentsView, Confirm, Evidence, EvidenceItem, Overlay, Prompt, PromptKind, SessionAction, State,
    StreamPhase, ViewKind,
};

/// The commands this module owns; others return `None`.
pub fn run(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let effects = match command {
        Command::ViewAgents => {
            toggle_agents(state);
            Vec::new()
        }
        Command::ToggleArchived => {
            toggle_archived(state);
            Vec::new()
        }
        Command::Interrupt => ask(state, SessionAction::Interrupt),
        Command::Revisit => ask(state, SessionAction::Revisit),
        Command::SendMessage => {
            if let Some((key, dir)) = target(state, "a message") {
                let mut prompt = Prompt::new(PromptKind::Message, "");
                prompt.target = Some((key, dir));
                state.overlays.push(Overlay::Prompt(prompt));
            }
            Vec::new()
        }
        Command::CopyId => match state.selected() {
            Some(entry) => vec![Effect::Copy {
                what: "session id".into(),
                text: entry.key.id.clone(),
            }],
            None => no_session(state),
        },
        Command::CopyPath => match state.selected() {
            Some(entry) => vec![Effect::Copy {
                what: "journal path".into(),
                text: entry.snapshot.journal_path().display().to_string(),
            }],
            None => no_session(state),
        },
        Command::CopyEvent => copy_event(state),
        _ => return None,
    };
    Some(effects)
}

fn no_session(state: &mut State) -> Vec<Effect> {
    error(state, "No session is selected.".into());
    Vec::new()
}

/// The selected session and its directory, unless it cannot take `what`
/// (terminated sessions never read their journal again).
fn target(state: &mut State, what: &str) -> Option<(crate::feed::SessionKey, std::path::PathBuf)> {
    let Some(entry) = state.selected() else {
        no_session(state);
        return None;
    };
    if entry.status == DisplayStatus::Terminated {
        let text = format!(
            "Session {} is terminated; {what} would never be read.",
            entry.id
        );
        error(state, text);
        return None;
    }
    Some((entry.key.clone(), entry.snapshot.dir.clone()))
}

fn ask(state: &mut State, action: SessionAction) -> Vec<Effect> {
    let what = match action {
        SessionAction::Interrupt => "an interrupt",
        SessionAction::Message(_) => "a message",
        SessionAction::Revisit => "a revisit",
    };
    if let Some((key, dir)) = target(state, what) {
        confirm(state, key, dir, action);
    }
    Vec::new()
}

fn confirm(
    state: &mut State,
    key: crate::feed::SessionKey,
    dir: std::path::PathBuf,
    action: SessionAction,
) {
    let target = describe_session(state, &key);
    let question = match &action {
        SessionAction::Interrupt => {
            format!("Interrupt {target}? Writes user.interrupt to its journal.")
        }
        SessionAction::Message(text) => {
            format!(
                "Send {target} “{}”? Writes user.message.",
                sanitize_line(text)
            )
        }
        SessionAction::Revisit => {
            format!("Schedule a revisit of {target} now? Adds a wake-queue entry.")
        }
    };
    state.overlays.push(Overlay::Confirm(Confirm {
        key,
        dir,
        action,
        question,
    }));
}

/// The session an action is about, as the confirm line names it: its id
/// and, when it has one, its title (titles alone can repeat).
fn describe_session(state: &State, key: &crate::feed::SessionKey) -> String {
    let id = sanitize_line(&key.id);
    match state.sessions.get(key).map(|e| e.title.as_str()) {
        Some(title) if !title.is_empty() => format!("{id} “{title}”"),
        _ => id,
    }
}

/// Keys while a confirm dialog is on top: `y` does it, `n` or Esc does not.
pub fn confirm_key(state: &mut State, chord: Chord) -> Vec<Effect> {
    let yes = matches!(chord.key, Key::Char('y' | 'Y') | Key::Enter) && !chord.mods.ctrl;
    let no = matches!(chord.key, Key::Char('n' | 'N') | Key::Esc)
        || (chord.key == Key::Char('c') && chord.mods.ctrl);
    if !(yes || no) {
        return Vec::new();
    }
    let Some(Overlay::Confirm(confirm)) = state.overlays.pop() else {
        return Vec::new();
    };
    if no {
        info(state, "Cancelled; nothing was written.".into());
        return Vec::new();
    }
    info(state, "Writing…".into());
    vec![Effect::Act {
        key: confirm.key,
        dir: confirm.dir,
        action: confirm.action,
        now: state.now,
    }]
}

/// Enter in the message prompt: ask before sending.
pub fn message_entered(state: &mut State, prompt: Prompt) -> Vec<Effect> {
    let text = prompt.text.trim().to_string();
    let Some((key, dir)) = prompt.target else {
        return Vec::new();
    };
    if text.is_empty() {
        error(state, "The message is empty; nothing was sent.".into());
        return Vec::new();
    }
    confirm(state, key, dir, SessionAction::Message(text));
    Vec::new()
}

fn copy_event(state: &mut State) -> Vec<Effect> {
    let stream = &state.stream;
    let line = match state.overlays.last() {
        Some(Overlay::Detail(view)) if stream.key.as_ref() == Some(&view.key) => Some(view.line),
        Some(Overlay::Detail(_)) => None,
        _ => (matches!(stream.phase, StreamPhase::Ready | StreamPhase::Tail)
            && stream.line_count > 0)
            .then_some(stream.selected),
    };
    match (line, &stream.key) {
        (Some(line), Some(key)) => vec![Effect::CopyEvent {
            key: key.clone(),
            generation: stream.generation,
            line,
        }],
        _ => {
            error(state, "No event to copy here.".into());
            Vec::new()
        }
    }
}

fn toggle_archived(state: &mut State) {
    state.fleet.show_archived = !state.fleet.show_archived;
    state.fleet.needs_rebuild = true;
    let archived = state
        .sessions
        .values()
        .filter(|e| e.snapshot.doc.is_archived())
        .count();
    let text = if state.fleet.show_archived {
        format!("Showing {archived} archived sessions (A hides them).")
    } else {
        format!("Hiding {archived} archived sessions (A shows them).")
    };
    info(state, text);
}

pub fn set_archived(state: &mut State, arg: &str) {
    let show = match arg {
        "on" | "show" => true,
        "off" | "hide" => false,
        _ => !state.fleet.show_archived,
    };
    if show != state.fleet.show_archived {
        toggle_archived(state);
    }
}

fn toggle_agents(state: &mut State) {
    if matches!(state.overlays.last(), Some(Overlay::Agents(_))) {
        state.overlays.pop();
        return;
    }
    let mut view = AgentsView::default();
    view.rebuild(&state.sessions, state.fleet.show_archived, state.now);
    state.overlays.push(Overlay::Agents(view));
}

pub fn open_agents(state: &mut State) {
    if !matches!(state.overlays.last(), Some(Overlay::Agents(_))) {
        toggle_agents(state);
    }
}

/// Enter on an agent: the fleet, filtered to it.
pub fn agents_open(state: &mut State) {
    let Some(Overlay::Agents(view)) = state.overlays.last() else {
        return;
    };
    let Some(agent) = view.selected_row().map(|r| r.agent_id.clone()) else {
        return;
    };
    state.overlays.pop();
    super::view::set_view(state, ViewKind::All);
    let term = if agent.contains(char::is_whitespace) {
        // A filter term cannot hold spaces; the name may not either, so
        // fall back to the fuzzy words.
        agent.clone()
    } else {
        format!("agent:{agent}")
    };
    super::view::set_filter(state, &term);
    info(
        state,
        format!(
            "Sessions of agent {} (Esc clears the filter).",
            sanitize_line(&agent)
        ),
    );
}

/// Moves the agents view's selection; true when it handled the move.
pub fn agents_move(state: &mut State, delta: isize) -> bool {
    let Some(Overlay::Agents(view)) = state.overlays.last_mut() else {
        return false;
    };
    let len = view.rows.len();
    view.selected = (view.selected as isize)
        .saturating_add(delta)
        .clamp(0, len.saturating_sub(1) as isize) as usize;
    true
}

/// Enter in the stuck view's fleet: open the stream at the evidence.
pub fn jump_from_stuck_view(state: &mut State) {
    if state.fleet.kind == ViewKind::Stuck {
        state.jump_to_evidence = state.fleet.selected_key.clone();
    }
}

pub fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Evidence { key, stamp, items } => {
            if let Some(evidence) = state
                .evidence
                .as_mut()
                .filter(|e| e.key == key && e.stamp == stamp)
            {
                evidence.items.extend(items);
                evidence.loading = false;
            }
        }
        Msg::Outcome { ok, text } => {
            if ok {
                info(state, text);
            } else {
                error(state, text);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Before the fleet is rebuilt: the agents view follows the sessions.
pub fn settle_agents(state: &mut State) {
    if !state.fleet.needs_rebuild {
        return;
    }
    let (show, now) = (state.fleet.show_archived, state.now);
    if let Some(Overlay::Agents(view)) = state.overlays.last_mut() {
        view.rebuild(&state.sessions, show, now);
    }
}

/// After the selection settled: the timeline strip, the evidence of a
/// stuck session (asked for when missing or stale), and a pending jump.
pub fn settle(state: &mut State) -> Vec<Effect> {
    state.timeline = state.selected().map(|entry| {
        timeline(
            entry.key.clone(),
            &entry.snapshot.summary,
            entry.snapshot.doc.created_at,
            entry.status,
            state.now,
        )
    });
    let height = state.viewport.1.saturating_sub(8) as usize;
    if let Some(Overlay::Agents(view)) = state.overlays.last_mut() {
        view.keep_visible(height);
    }
    let mut effects = Vec::new();
    let wanted = state
        .selected()
        .filter(|e| state.fleet.kind == ViewKind::Stuck && e.is_stuck())
        .map(|e| (e.key.clone(), e.snapshot.journal_end, evidence_ids(e)));
    match wanted {
        None => state.evidence = None,
        Some((key, stamp, ids)) => {
            let fresh = state
                .evidence
                .as_ref()
                .is_some_and(|e| e.key == key && e.stamp == stamp && e.ids == ids);
            if !fresh && let Some(entry) = state.sessions.get(&key) {
                let mut evidence = Evidence {
                    key: key.clone(),
                    stamp,
                    ids: ids.clone(),
                    items: Default::default(),
                    loading: false,
                };
                // Wake-queue entries are evidence too; they are not events.
                for wake in &entry.snapshot.wake.entries {
                    if ids.contains(&wake.id) {
                        evidence.items.insert(wake.id.clone(), wake_item(wake));
                    }
                }
                let journal_ids: Vec<String> = ids
                    .into_iter()
                    .filter(|id| !evidence.items.contains_key(id))
                    .collect();
                if !journal_ids.is_empty() {
                    evidence.loading = true;
                    effects.push(Effect::LoadEvidence {
                        key,
                        stamp,
                        ids: journal_ids,
                    });
                }
                state.evidence = Some(evidence);
            }
        }
    }
    jump(state);
    effects
}

fn evidence_ids(entry: &crate::tui::state::SessionEntry) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in entry.stuck.iter().flat_map(|f| f.evidence.iter()) {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

fn wake_item(wake: &crate::model::wake::WakeEntry) -> EvidenceItem {
    let due = wake
        .due_at
        .map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "--:--:--".into());
    let reason = wake.reason.as_deref().unwrap_or("no reason given");
    EvidenceItem {
        line: None,
        time: due,
        kind: "wake-queue entry".into(),
        class: crate::tui::state::RowClass::Status,
        summary: sanitize_line(&format!("due, not consumed — {reason}")),
    }
}

/// Puts the stream's cursor on the first evidence event once the evidence
/// and the journal are both read.
fn jump(state: &mut State) {
    let Some(key) = state.jump_to_evidence.clone() else {
        return;
    };
    if state.fleet.selected_key.as_ref() != Some(&key) {
        state.jump_to_evidence = None;
        return;
    }
    let Some(evidence) = state.evidence.as_ref().filter(|e| e.key == key) else {
        state.jump_to_evidence = None;
        return;
    };
    if evidence.loading {
        return;
    }
    let ids = state
        .sessions
        .get(&key)
        .map(evidence_ids)
        .unwrap_or_default();
    let line = evidence.first_line(ids);
    let stream = &mut state.stream;
    if stream.key.as_ref() != Some(&key) {
        return;
    }
    match (&stream.phase, line) {
        (StreamPhase::Ready, Some(line)) => {
            stream.select(line);
            state.jump_to_evidence = None;
            info(
                state,
                format!("At the first evidence event (line {}).", line + 1),
            );
        }
        (StreamPhase::Failed(_), _) => state.jump_to_evidence = None,
        (_, None) => {
            state.jump_to_evidence = None;
            info(
                state,
                "No journal event is evidence here; the stream is open.".into(),
            );
        }
        _ => {}
    }
}
