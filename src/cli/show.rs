//! `switchboard show SESSION`: one session with its events. `--tail N` reads
//! only the end of the journal.

use std::fs::File;
use std::io::Write;
use std::ops::ControlFlow;

use super::args::ShowArgs;
use super::context::Context;
use super::exit::{CliError, CliResult, code};
use super::output::broken_pipe_ok;
use super::table::clip;
use crate::model::line::{LineParse, parse_line};
use crate::model::time::format_rfc3339;
use crate::sanitize::sanitize_line;
use crate::store::fleet::stuck_of;
use crate::store::journal_lines::{for_each_line, tail_lines};
use crate::store::session_snapshot::SessionSnapshot;
use crate::views::SessionRow;

/// A journal line that decoded to an event, kept as written.
struct Shown {
    raw: Vec<u8>,
    parse: LineParse,
}

pub fn run(ctx: &Context, args: &ShowArgs) -> CliResult {
    let root = match ctx.root_of(&args.session) {
        Ok(root) => root,
        Err(e) if e.code == code::NOT_FOUND && !ctx.adapters.is_empty() => {
            return run_adapter(ctx, args).map_err(|not_found| not_found.unwrap_or(e));
        }
        Err(e) => return Err(e),
    };
    let plan_tools = ctx.config.plan_tools();
    let dir = root.join(&args.session);
    let session = SessionSnapshot::load(&dir, &plan_tools)?.ok_or_else(|| {
        CliError::new(
            code::NOT_FOUND,
            format!("session {} not found", args.session),
        )
    })?;
    let parent = session
        .doc
        .parent_id
        .as_deref()
        .filter(|p| crate::store::paths::is_valid_session_id(p))
        .and_then(|p| {
            SessionSnapshot::load(&root.join(p), &plan_tools)
                .ok()
                .flatten()
        })
        .map(|p| (p.status(), p.last_activity()));
    let findings = stuck_of(&session, parent, &ctx.config.stuck, ctx.now);
    let row = SessionRow::new(&session, &findings);
    let events = select_events(&session, args)?;
    if args.json {
        write_json(&row, &events)
    } else {
        write_human(&session, &row, &findings, &events)
    }
}

/// `show` for a session converted from a transcript (`--claude-code`,
/// `--codex`): its synthetic journal is in memory. `Err(None)` when no
/// source has it.
fn run_adapter(ctx: &Context, args: &ShowArgs) -> Result<(), Option<CliError>> {
    let plan_tools = ctx.config.plan_tools();
    for source in &ctx.adapters {
        let Some(converted) = source
            .find(&args.session, &plan_tools, ctx.now)
            .map_err(|e| Some(CliError::from(e)))?
        else {
            continue;
        };
        let session = converted.snapshot;
        let findings = stuck_of(&session, None, &ctx.config.stuck, ctx.now);
        let mut row = SessionRow::new(&session, &findings);
        row.source = Some(source.label());
        let shown: Vec<Shown> = converted.lines.into_iter().map(to_shown).collect();
        let events = select_in_memory(shown, &session.id, args).map_err(Some)?;
        return if args.json {
            write_json(&row, &events)
        } else {
            write_human(&session, &row, &findings, &events)
        }
        .map_err(Some);
    }
    Err(None)
}

/// `--from` and `--tail` over lines already in memory.
fn select_in_memory(shown: Vec<Shown>, session: &str, args: &ShowArgs) -> CliResult<Vec<Shown>> {
    let mut shown: Vec<Shown> = shown
        .into_iter()
        .filter(|s| !matches!(s.parse, LineParse::Blank))
        .collect();
    if let Some(from) = &args.from {
        let start = shown
            .iter()
            .position(|s| matches!(&s.parse, LineParse::Event(e) if &e.id == from))
            .ok_or_else(|| {
                CliError::new(
                    code::NOT_FOUND,
                    format!("event {from} not found in session {session}"),
                )
            })?;
        shown.drain(..start);
    }
    if let Some(n) = args.tail {
        let events = shown.iter().filter(|s| is_event(s)).count();
        let mut skip = events.saturating_sub(n);
        shown.retain(|s| {
            if skip > 0 && is_event(s) {
                skip -= 1;
                return false;
            }
            skip == 0
        });
    }
    Ok(shown)
}

fn select_events(session: &SessionSnapshot, args: &ShowArgs) -> CliResult<Vec<Shown>> {
    let path = session.journal_path();
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(CliError::other(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    let end = session.journal_end;
    let read_err =
        |e: std::io::Error| CliError::other(format!("cannot read {}: {e}", path.display()));
    let mut shown = match (&args.from, args.tail) {
        (None, Some(n)) => {
            let lines =
                tail_lines(&file, end, |lines| count_events(lines) >= n).map_err(read_err)?;
            lines.into_iter().map(|(_, raw)| to_shown(raw)).collect()
        }
        (from, _) => {
            let mut started = from.is_none();
            let mut out = Vec::new();
            for_each_line(&file, 0, |offset, line| {
                if offset >= end {
                    return ControlFlow::Break(());
                }
                let item = to_shown(line.to_vec());
                if !started && let LineParse::Event(e) = &item.parse {
                    started = Some(e.id.as_str()) == from.as_deref();
                }
                if started {
                    out.push(item);
                }
                ControlFlow::Continue(())
            })
            .map_err(read_err)?;
            if !started {
                return Err(CliError::new(
                    code::NOT_FOUND,
                    format!(
                        "event {} not found in session {}",
                        from.as_deref().unwrap_or(""),
                        session.id
                    ),
                ));
            }
            out
        }
    };
    shown.retain(|s| !matches!(s.parse, LineParse::Blank));
    if let Some(n) = args.tail {
        let events: usize = shown.iter().filter(|s| is_event(s)).count();
        let mut skip = events.saturating_sub(n);
        shown.retain(|s| {
            if skip > 0 && is_event(s) {
                skip -= 1;
                return false;
            }
            skip == 0
        });
    }
    Ok(shown)
}

fn count_events(lines: &[(u64, Vec<u8>)]) -> usize {
    lines
        .iter()
        .filter(|(_, raw)| matches!(parse_line(raw), LineParse::Event(_)))
        .count()
}

fn to_shown(raw: Vec<u8>) -> Shown {
    let parse = parse_line(&raw);
    Shown { raw, parse }
}

fn is_event(shown: &Shown) -> bool {
    matches!(shown.parse, LineParse::Event(_))
}

fn write_json(row: &SessionRow, events: &[Shown]) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let session = serde_json::to_string(row).map_err(|e| CliError::other(e.to_string()))?;
    write!(out, "{{\"session\":{session},\"events\":[").map_err(broken_pipe_ok)?;
    let mut first = true;
    for shown in events.iter().filter(|s| is_event(s)) {
        if !first {
            out.write_all(b",").map_err(broken_pipe_ok)?;
        }
        first = false;
        match &shown.parse {
            // Beyond what JSON readers accept (too deep, numbers out of range):
            // the common fields and why, so the document stays readable.
            LineParse::Event(event) if event.undecodable.is_some() => {
                let mut body = event.body.clone();
                body.insert(
                    "undecodable".into(),
                    serde_json::Value::String(event.undecodable.clone().unwrap_or_default()),
                );
                serde_json::to_writer(&mut out, &body)
                    .map_err(|e| CliError::other(e.to_string()))?;
            }
            // Valid JSON (it parsed), written exactly as the journal holds it.
            _ => out
                .write_all(shown.raw.trim_ascii())
                .map_err(broken_pipe_ok)?,
        }
    }
    out.write_all(b"]}\n").map_err(broken_pipe_ok)?;
    out.flush().map_err(broken_pipe_ok)
}

fn write_human(
    session: &SessionSnapshot,
    row: &SessionRow,
    findings: &[crate::model::stuck::StuckFinding],
    events: &[Shown],
) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let line = |label: &str, value: &str| format!("{label:<10} {}\n", sanitize_line(value));
    let mut head = String::new();
    head += &line("session", &row.id);
    head += &line("title", row.title.as_deref().unwrap_or("-"));
    head += &line("status", &row.status);
    head += &line("agent", session.doc.agent_label());
    if let Some(parent) = &row.parent_id {
        head += &line("parent", parent);
    }
    head += &line(
        "events",
        &format!(
            "{} ({} malformed lines)",
            row.event_count, row.malformed_lines
        ),
    );
    head += &line("pending", &row.pending.to_string());
    for finding in findings {
        head += &line(
            "stuck",
            &format!("{}: {}", finding.rule.as_str(), finding.detail),
        );
    }
    for warning in &session.warnings {
        head += &line("warning", warning);
    }
    if let Some(error) = &session.doc_error {
        head += &line("error", error);
    }
    head.push('\n');
    out.write_all(head.as_bytes()).map_err(broken_pipe_ok)?;
    for shown in events {
        let text = match &shown.parse {
            LineParse::Event(e) => format!(
                "{:<24} {:<28} {:<12} {}\n",
                e.created_at
                    .map(format_rfc3339)
                    .unwrap_or_else(|| "-".into()),
                sanitize_line(e.kind.as_str()),
                sanitize_line(&clip(&e.id, 12)),
                sanitize_line(&e.summary()),
            ),
            LineParse::Malformed(reason) => format!(
                "{:<24} {:<28} {:<12} {}\n",
                "-",
                "MALFORMED",
                "",
                sanitize_line(&format!(
                    "{reason}: {}",
                    clip(&String::from_utf8_lossy(&shown.raw), 120)
                )),
            ),
            LineParse::Blank => continue,
        };
        out.write_all(text.as_bytes()).map_err(broken_pipe_ok)?;
    }
    out.flush().map_err(broken_pipe_ok)
}
