//! The review IO the effect runner performs: reading a plan's revisions
//! from its session's journal, writing decisions through `store::decide`,
//! bulk approvals, and notifications (the bell goes to the terminal here,
//! never from render).

use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::msg::Msg;
use crate::model::event::Event;
use crate::model::line::{LineParse, parse_line};
use crate::model::plan::PlanTools;
use crate::model::time::Timestamp;
use crate::review::bulk::{BulkItem, submit};
use crate::review::{Outcome, RequestKey, plan_histories};
use crate::review::{Refusal, RefusalKind};
use crate::sanitize::sanitize_line;
use crate::store::journal_lines::for_each_line;
use crate::store::{Decision, decide};

/// The history of the plan `request` belongs to, from its journal's lines.
pub fn load_plan(
    request: RequestKey,
    lines: Result<Vec<Vec<u8>>, String>,
    plan_tools: &PlanTools,
) -> Msg {
    let result = lines
        .map_err(|e| {
            format!("Cannot read the plan's journal: {e}. The request can still be decided.")
        })
        .map(|lines| {
            let events: Vec<Event> = lines
                .iter()
                .filter_map(|line| match parse_line(line) {
                    LineParse::Event(event) => Some(*event),
                    _ => None,
                })
                .collect();
            plan_histories(&request.session_id, &events, plan_tools)
                .into_iter()
                .find(|h| h.revisions.iter().any(|r| r.event_id == request.event_id))
        });
    Msg::PlanLoaded { request, result }
}

/// Every complete line of a journal file.
pub fn read_file_lines(path: &Path) -> Result<Vec<Vec<u8>>, String> {
    let read = || -> std::io::Result<Vec<Vec<u8>>> {
        let file = File::open(path)?;
        let mut lines = Vec::new();
        for_each_line(&file, 0, |_, line| {
            lines.push(line.to_vec());
            ControlFlow::Continue(())
        })?;
        Ok(lines)
    };
    read().map_err(|e| format!("{}: {e}", path.display()))
}

pub fn decide_one(
    request: RequestKey,
    root: &Path,
    decision: &Decision,
    plan_tools: &PlanTools,
    now: Timestamp,
) -> Msg {
    let outcome = Outcome::of(&decide(root, decision, plan_tools, now));
    Msg::Decided { request, outcome }
}

/// Decides through the daemon on `socket` (its own checks and lock).
pub fn decide_remote(
    request: RequestKey,
    socket: &Path,
    decision: &Decision,
    now: Timestamp,
) -> Msg {
    let outcome = match crate::rpc::remote::decide(socket, decision, now) {
        Ok(event) => Outcome::written(&event),
        Err(e) => {
            use crate::exit::code;
            // The daemon's refusal, by the CLI's exit codes.
            let kind = match e.code {
                code::STALE => RefusalKind::Stale,
                code::ALREADY_DECIDED => RefusalKind::AlreadyDecided,
                code::NOT_FOUND => RefusalKind::NotFound,
                code::USAGE => RefusalKind::Invalid,
                _ => RefusalKind::Io,
            };
            let message = format!(
                "The daemon refused: {}. Nothing was written.",
                sanitize_line(e.message.trim_end_matches('.'))
            );
            Outcome::Refused(Refusal::new(kind, message))
        }
    };
    Msg::Decided { request, outcome }
}

pub fn bulk(
    items: &[BulkItem],
    roots: &[(RequestKey, Option<PathBuf>)],
    decided_by: &str,
    plan_tools: &PlanTools,
    now: Timestamp,
) -> Msg {
    let root_of = |key: &RequestKey| {
        roots
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, root)| root.clone())
    };
    Msg::BulkDone(submit(items, root_of, decided_by, plan_tools, now))
}

/// Runs `$VISUAL`/`$EDITOR` on `text` with the dashboard suspended: the
/// input thread paused (so it does not steal the editor's keys), the
/// terminal restored, then taken back.
pub fn external_editor(
    text: &str,
    pause: &std::sync::atomic::AtomicBool,
    mouse: bool,
) -> Result<String, String> {
    use std::sync::atomic::Ordering;
    if crate::review::external_editor::editor_command().is_none() {
        return Err(crate::review::EditorError::NotSet.to_string());
    }
    pause.store(true, Ordering::SeqCst);
    // The input thread polls in 100 ms steps; let its current poll end.
    std::thread::sleep(std::time::Duration::from_millis(150));
    super::terminal::restore();
    let result = crate::review::edit_in_external_editor(text).map_err(|e| e.to_string());
    let back = super::terminal::reenter(mouse);
    pause.store(false, Ordering::SeqCst);
    back.map_err(|e| format!("could not take the terminal back: {e}"))?;
    result
}
