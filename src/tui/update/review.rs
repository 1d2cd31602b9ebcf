//! The review inbox and decisions: `:pending` lists every pending request,
//! Enter opens one, `a`/`d`/`r`/`R` choose a verdict (a message in the
//! editor for the last three), `y` sends it through an effect to
//! `store::decide`, and the store's answer (or a feed update that changed
//! the request first) ends the review. Bulk approval previews then submits.

use super::notice::{error, info};
use crate::keys::{Chord, Command, Key};
use crate::model::pending::RequestKind;
use crate::review::bulk::preview;
use crate::review::{
    InboxRow, Outcome, RequestKey, ReviewStyle, ReviewTarget, Stage, new_requests,
    notification_for, render_markdown, render_request_body,
};
use crate::store::Verdict;
use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{BulkView, Overlay, ReviewBody, ReviewView, State};

/// The commands this module owns; others return `None`.
pub fn run(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let effects = match command {
        Command::Approve => decide_here(state, Verdict::Allow),
        Command::Deny => decide_here(state, Verdict::Deny),
        Command::Redirect => decide_here(state, Verdict::Redirect),
        Command::Respond => decide_here(state, Verdict::Respond),
        Command::ToggleDiff => {
            if let Some(view) = review_mut(state) {
                view.diff = view.diff.next();
                view.scroll = 0;
            }
            Vec::new()
        }
        Command::PrevRevision | Command::NextRevision => {
            let delta = if command == Command::PrevRevision {
                -1
            } else {
                1
            };
            let style = state.review.style.clone();
            if let Some(view) = review_mut(state)
                && !view.browse(delta, &style)
            {
                info(state, "No other revision that way.".into());
            }
            Vec::new()
        }
        Command::ToggleSelect => {
            if let Some(key) = state.review.selected_row().map(|r| r.key.clone()) {
                state.review.bulk.toggle(&key);
                let next = state.review.selected + 1;
                state.review.select(next);
            }
            Vec::new()
        }
        Command::BulkApprove => {
            open_bulk(state);
            Vec::new()
        }
        _ => return None,
    };
    Some(effects)
}

/// `:pending` and `2`: the inbox over the fleet's pending view.
pub fn open_inbox(state: &mut State) {
    if !state.overlays.iter().any(|o| matches!(o, Overlay::Inbox)) {
        state.overlays.push(Overlay::Inbox);
        // Its ages were worked out when it was last built.
        state.review.stale = true;
    }
}

fn review_mut(state: &mut State) -> Option<&mut ReviewView> {
    match state.overlays.last_mut() {
        Some(Overlay::Review(view)) => Some(view),
        _ => None,
    }
}

/// Up/Down in the inbox or scrolling in a review; true if handled.
pub fn move_by(state: &mut State, delta: isize) -> bool {
    match state.overlays.last_mut() {
        Some(Overlay::Inbox) => {
            let at = (state.review.selected as isize)
                .saturating_add(delta)
                .max(0) as usize;
            state.review.select(at);
            true
        }
        Some(Overlay::Review(view)) => {
            // Bounded near the last screenful (borders, the decision line,
            // the row count and the hint bar take about seven rows), so `G`
            // then `k` moves at once; the render clamps exactly.
            let room = usize::from(state.viewport.1).saturating_sub(7).max(1);
            let last = view.body_lines().len().saturating_sub(room) as isize;
            view.scroll = (view.scroll as isize)
                .saturating_add(delta)
                .clamp(0, last.max(0)) as usize;
            true
        }
        Some(Overlay::Bulk(view)) => {
            view.scroll = (view.scroll as isize).saturating_add(delta).max(0) as usize;
            true
        }
        _ => false,
    }
}

/// Enter in the inbox: open the selected request for review.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(row) = state.review.selected_row().cloned() else {
        info(state, "No pending request to open.".into());
        return Vec::new();
    };
    match review_of(state, &row) {
        Some((view, effects)) => {
            state.overlays.push(Overlay::Review(Box::new(view)));
            effects
        }
        None => Vec::new(),
    }
}

/// A review of `row`, with the read of its plan when it is one; `None`
/// when its session is not loaded.
fn review_of(state: &State, row: &InboxRow) -> Option<(ReviewView, Vec<Effect>)> {
    let session = state.review.session_of.get(&row.key)?;
    let entry = state.sessions.get(session)?;
    let view = ReviewView::open(
        row,
        session.clone(),
        &state.review.decided_by,
        &state.review.style,
    );
    let mut effects = Vec::new();
    if view.draft.target.kind == RequestKind::Plan {
        effects.push(Effect::LoadPlan {
            request: row.key.clone(),
            session: session.clone(),
            journal: entry.snapshot.journal_path(),
            plan_tools: state.review.plan_tools.clone(),
        });
    }
    Some((view, effects))
}

/// Replaces the review at `at` in the overlays with one of `row`; false
/// if it cannot open.
fn replace_review(state: &mut State, at: usize, row: &InboxRow, effects: &mut Vec<Effect>) -> bool {
    let Some((view, more)) = review_of(state, row) else {
        return false;
    };
    let Some(Overlay::Review(old)) = state.overlays.get_mut(at) else {
        return false;
    };
    **old = view;
    state.review.select_key(&row.key);
    effects.extend(more);
    true
}

/// The open review of `request`, by its place in the overlays.
fn review_at(state: &State, request: &RequestKey) -> Option<usize> {
    state
        .overlays
        .iter()
        .rposition(|o| matches!(o, Overlay::Review(view) if &view.draft.target.key == request))
}

/// What `store::decide` said. Written: a redirected plan waits for its
/// next revision; anything else moves on to the next request waiting,
/// the notice saying what became of this one. Refused: the review stays.
fn decided(state: &mut State, request: RequestKey, outcome: Outcome) -> Vec<Effect> {
    state.review.stale = true;
    let Some(at) = review_at(state, &request) else {
        return Vec::new();
    };
    let Some(Overlay::Review(view)) = state.overlays.get_mut(at) else {
        return Vec::new();
    };
    if view.draft.stage != Stage::Submitted {
        return Vec::new();
    }
    view.draft.stage = Stage::Done(outcome.clone());
    let line = one_line(&view.draft.prompt(&state.review.style));
    if let Outcome::Refused(_) = outcome {
        error(state, line);
        return Vec::new();
    }
    let done = format!(
        "{} {}",
        view.draft.past_verb(),
        view.draft.describe_target()
    );
    let redirected_plan = view.draft.verdict == Some(Verdict::Redirect)
        && view.draft.target.kind == RequestKind::Plan;
    if redirected_plan {
        view.awaiting_revision = true;
        info(
            state,
            format!("{line} The agent's next revision opens here when it arrives."),
        );
        return Vec::new();
    }
    let mut effects = Vec::new();
    let left = state
        .review
        .inbox
        .iter()
        .filter(|r| r.key != request)
        .count();
    match next_request(state, &request) {
        Some(row) if replace_review(state, at, &row, &mut effects) => {
            if let Some(Overlay::Review(view)) = state.overlays.get_mut(at) {
                view.previous = Some(format!("{done}."));
            }
            let next = describe_request(&row);
            info(state, format!("{done}; next of {left}: {next}."));
        }
        _ => info(state, format!("{line} Nothing else is waiting.")),
    }
    effects
}

/// The request after `done` in the inbox (else the one before it),
/// `done` itself left out: the journal may not show its answer yet.
fn next_request(state: &State, done: &RequestKey) -> Option<InboxRow> {
    let inbox = &state.review.inbox;
    let at = inbox.iter().position(|r| &r.key == done).unwrap_or(0);
    inbox[at.min(inbox.len())..]
        .iter()
        .chain(inbox[..at.min(inbox.len())].iter().rev())
        .find(|r| &r.key != done)
        .cloned()
}

/// A request as notices name it: `tool event (kind) in session`.
fn describe_request(row: &InboxRow) -> String {
    format!(
        "{} {} ({}) in {}",
        row.tool,
        row.key.event_id,
        row.kind_label,
        row.session_label()
    )
}

fn one_line(text: &ratatui::text::Text) -> String {
    text.lines
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A verdict key: in a review, for its request; on an event in the
/// stream (or shown in full), for that event when it is a pending request,
/// opening its review on the way.
fn decide_here(state: &mut State, verdict: Verdict) -> Vec<Effect> {
    if review_mut(state).is_some() {
        return choose(state, verdict);
    }
    let shown = match state.overlays.last() {
        Some(Overlay::Detail(view)) if state.stream.key.as_ref() == Some(&view.key) => {
            Some((view.key.clone(), view.line))
        }
        None if state.focus == crate::tui::state::Pane::Stream => state
            .stream
            .key
            .clone()
            .map(|key| (key, state.stream.selected)),
        _ => None,
    };
    let Some((session, line)) = shown else {
        return Vec::new();
    };
    let id = state.stream.row(line).and_then(|r| r.id.clone());
    let request = id.and_then(|id| {
        state
            .review
            .inbox
            .iter()
            .find(|r| r.key.event_id == id && state.review.session_of.get(&r.key) == Some(&session))
            .cloned()
    });
    let Some(row) = request else {
        error(
            state,
            "This event is not a pending request; 2 lists the ones waiting.".into(),
        );
        return Vec::new();
    };
    let Some((view, effects)) = review_of(state, &row) else {
        return Vec::new();
    };
    state.review.select_key(&row.key);
    state.overlays.push(Overlay::Review(Box::new(view)));
    choose(state, verdict);
    effects
}

fn choose(state: &mut State, verdict: Verdict) -> Vec<Effect> {
    let Some(view) = review_mut(state) else {
        return Vec::new();
    };
    let result = match &view.draft.stage {
        Stage::Done(Outcome::Written { answer_id }) => Err(format!(
            "Already decided: this request was answered ({answer_id}); nothing more was written."
        )),
        Stage::Done(Outcome::Refused(refusal)) => {
            Err(format!("{} (Esc closes the review.)", refusal.message))
        }
        _ => view.draft.choose(verdict).map_err(|r| r.message),
    };
    if let Err(text) = result {
        error(state, text);
    }
    Vec::new()
}

/// Keys while a review is writing a message or asking `y`/`n`; `None`
/// when the keymap should handle the key.
pub fn review_key(state: &mut State, chord: Chord) -> Option<Vec<Effect>> {
    let Some(Overlay::Review(view)) = state.overlays.last_mut() else {
        return None;
    };
    let ctrl = chord.mods.ctrl;
    match &mut view.draft.stage {
        Stage::Writing(editor) => {
            match chord.key {
                Key::Esc => view.draft.cancel(),
                Key::Char('c') if ctrl => view.draft.cancel(),
                Key::Char('e') if ctrl => {
                    let effect = Effect::ExternalEditor {
                        request: view.draft.target.key.clone(),
                        text: editor.text(),
                    };
                    return Some(vec![effect]);
                }
                Key::Char('s' | 'd') if ctrl => {
                    if let Err(refusal) = view.draft.finish_message() {
                        error(state, refusal.message);
                    }
                }
                Key::Enter => editor.newline(),
                Key::Backspace => editor.backspace(),
                Key::Delete => editor.delete(),
                Key::Left => editor.left(),
                Key::Right => editor.right(),
                Key::Up => editor.up(),
                Key::Down => editor.down(),
                Key::Home => editor.home(),
                Key::End => editor.end(),
                Key::Char('w') if ctrl => editor.delete_word_back(),
                Key::Char('u') if ctrl => editor.delete_to_line_start(),
                _ => {
                    if let Some(c) = chord.typed_char() {
                        editor.insert_char(c);
                    }
                }
            }
            Some(Vec::new())
        }
        Stage::Confirming => {
            let yes = matches!(chord.key, Key::Char('y' | 'Y')) && !ctrl;
            let no = matches!(chord.key, Key::Char('n' | 'N') | Key::Esc)
                || (chord.key == Key::Char('c') && ctrl);
            if no {
                view.draft.cancel();
                info(state, "Not sent; nothing was written.".into());
                return Some(Vec::new());
            }
            if !yes {
                return Some(Vec::new());
            }
            Some(submit(state))
        }
        _ => None,
    }
}

fn submit(state: &mut State) -> Vec<Effect> {
    let now = state.now;
    let plan_tools = state.review.plan_tools.clone();
    let Some(Overlay::Review(view)) = state.overlays.last() else {
        return Vec::new();
    };
    let session = view.session.clone();
    let daemon = state.review.daemon_of(session.source).cloned();
    let root = if state.review.is_read_only(session.source) {
        Err(
            "This session's source is read-only here (an agent transcript); decide it where it runs.",
        )
    } else if let Some(socket) = daemon.clone() {
        Ok(socket)
    } else {
        state
            .sessions
            .get(&session)
            .and_then(|e| e.snapshot.dir.parent().map(std::path::Path::to_path_buf))
            .ok_or("This session is gone from the dashboard; nothing was written.")
    };
    let Some(Overlay::Review(view)) = state.overlays.last_mut() else {
        return Vec::new();
    };
    let root = match root {
        Ok(root) => root,
        Err(why) => {
            view.draft.cancel();
            error(state, why.to_string());
            return Vec::new();
        }
    };
    let Some(decision) = view.draft.confirm() else {
        return Vec::new();
    };
    let effect = Effect::Decide {
        request: view.draft.target.key.clone(),
        root,
        remote: daemon.is_some(),
        decision,
        plan_tools,
        now,
    };
    info(state, "Sending the decision…".into());
    vec![effect]
}

/// Paste into the message editor.
pub fn paste(state: &mut State, text: &str) -> bool {
    let Some(Overlay::Review(view)) = state.overlays.last_mut() else {
        return false;
    };
    match view.draft.editor_mut() {
        Some(editor) => {
            editor.insert_str(text);
            true
        }
        None => false,
    }
}

fn open_bulk(state: &mut State) {
    if state.review.bulk.is_empty() {
        error(
            state,
            "Select requests with space first; B then approves them together.".into(),
        );
        return;
    }
    let items = preview(&state.review.bulk, &state.review.inbox);
    state.overlays.push(Overlay::Bulk(BulkView {
        items,
        results: None,
        scroll: 0,
    }));
}

/// Keys while the bulk preview is on top: `y` approves, `n`/Esc closes.
pub fn bulk_key(state: &mut State, chord: Chord) -> Option<Vec<Effect>> {
    let Some(Overlay::Bulk(view)) = state.overlays.last() else {
        return None;
    };
    let yes = chord.key == Key::Char('y') && !chord.mods.ctrl;
    let no = matches!(chord.key, Key::Char('n') | Key::Esc | Key::Char('q'));
    if no {
        state.overlays.pop();
        return Some(Vec::new());
    }
    if !yes || view.results.is_some() {
        return None;
    }
    let items = view.items.clone();
    let roots = items
        .iter()
        .map(|item| {
            let key = item.target.key.clone();
            let root = state
                .review
                .session_of
                .get(&key)
                // Bulk approval writes under roots only; daemon sessions
                // are refused as read-only here.
                .filter(|s| {
                    !state.review.is_read_only(s.source)
                        && state.review.daemon_of(s.source).is_none()
                })
                .and_then(|s| state.sessions.get(s))
                .and_then(|e| e.snapshot.dir.parent().map(std::path::Path::to_path_buf));
            (key, root)
        })
        .collect();
    info(state, "Approving the selected requests…".into());
    Some(vec![Effect::BulkApprove {
        items,
        roots,
        decided_by: state.review.decided_by.clone(),
        plan_tools: state.review.plan_tools.clone(),
        now: state.now,
    }])
}

pub fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::PlanLoaded { request, result } => {
            let style = state.review.style.clone();
            for overlay in &mut state.overlays {
                if let Overlay::Review(view) = overlay
                    && view.draft.target.key == request
                {
                    match &result {
                        Ok(Some(history)) => view.set_history(history.clone(), &style),
                        Ok(None) => {
                            view.body = ReviewBody::Failed(
                                "This plan's revision is not in the journal any more.".into(),
                            )
                        }
                        Err(e) => view.body = ReviewBody::Failed(e.clone()),
                    }
                }
            }
        }
        Msg::Decided { request, outcome } => return decided(state, request, outcome),
        Msg::BulkDone(results) => {
            let written = results
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Written { .. }))
                .count();
            let total = results.len();
            if let Some(Overlay::Bulk(view)) = state.overlays.last_mut() {
                view.results = Some(results);
                view.scroll = 0;
            }
            state.review.bulk.clear();
            let text = format!("Approved {written} of {total} requests; Esc closes.");
            if written == total {
                info(state, text);
            } else {
                error(state, text);
            }
        }
        Msg::EditorDone { request, result } => {
            state.full_redraw = true;
            let view = state.overlays.iter_mut().rev().find_map(|o| match o {
                Overlay::Review(view) if view.draft.target.key == request => Some(view),
                _ => None,
            });
            match (view, result) {
                (Some(view), Ok(text)) => {
                    view.draft.set_message_text(&text);
                    info(
                        state,
                        "The message is back from the editor; ctrl+s when done.".into(),
                    );
                }
                (_, Err(why)) => error(state, format!("No external editor: {why}.")),
                (None, Ok(_)) => {}
            }
        }
        Msg::ReviewStyle(style) => restyle(state, *style),
        _ => {}
    }
    Vec::new()
}

/// A new theme: rebuild the review's text in its styles.
fn restyle(state: &mut State, style: ReviewStyle) {
    state.review.style = style.clone();
    for overlay in &mut state.overlays {
        let Overlay::Review(view) = overlay else {
            continue;
        };
        match &mut view.body {
            ReviewBody::Plan {
                history,
                index,
                markdown,
                diff,
            } => {
                if let Some(r) = history.revisions.get(*index) {
                    *markdown = render_markdown(&r.markdown, &style);
                }
                *diff = history.diff_at(*index, &style);
            }
            ReviewBody::Tool(text) => {
                let row = state
                    .review
                    .inbox
                    .iter()
                    .find(|r| r.key == view.draft.target.key);
                if let Some(row) = row {
                    *text = render_request_body(&row.request.name, &row.request.input, &style);
                }
            }
            _ => {}
        }
    }
}

/// After messages: rebuild the inbox when sessions changed, announce new
/// requests, and check open reviews against what is pending now.
pub fn settle(state: &mut State) -> Vec<Effect> {
    if !state.review.stale {
        return Vec::new();
    }
    let labels: Vec<String> = state.sources.iter().map(|s| s.label.clone()).collect();
    let old = std::mem::take(&mut state.review.inbox);
    state.review.rebuild(&state.sessions, &labels, state.now);
    let mut effects = Vec::new();
    if state.review.primed {
        let new = new_requests(&old, &state.review.inbox);
        if let Some(notification) = notification_for(&new) {
            effects.push(Effect::Notify {
                mode: state.review.notify_mode,
                notification,
            });
        }
    }
    // Requests already waiting when the dashboard opens are not news.
    state.review.primed = state.review.primed || !state.sessions.is_empty();
    let pending = state.review.pending_rows();
    for overlay in &mut state.overlays {
        if let Overlay::Review(view) = overlay {
            view.draft.reconcile(&pending);
        }
    }
    effects.extend(show_next_revision(state));
    effects
}

/// A redirected plan on top: once the agent's next revision is pending,
/// the review shows it (the redirected one in its history).
fn show_next_revision(state: &mut State) -> Vec<Effect> {
    let Some((at, target)) = state
        .overlays
        .iter()
        .enumerate()
        .find_map(|(i, o)| match o {
            Overlay::Review(view) if view.awaiting_revision => Some((i, view.draft.target.clone())),
            _ => None,
        })
    else {
        return Vec::new();
    };
    let Some(row) = state
        .review
        .inbox
        .iter()
        .find(|r| {
            r.kind == RequestKind::Plan
                && r.key.session_id == target.key.session_id
                && r.key.source == target.key.source
                && r.request.plan_revision > target.plan_revision
                && ReviewTarget::from_row(&r.request).plan_id == target.plan_id
        })
        .cloned()
    else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    if replace_review(state, at, &row, &mut effects) {
        info(
            state,
            format!("The agent came back with {}.", describe_request(&row)),
        );
    }
    effects
}
