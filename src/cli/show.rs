//! `switchboard show SESSION`: one session with its events. `--tail N` reads
//! only the end of the journal. Through a daemon, the same lines are read
//! with `events.read`.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::args::ShowArgs;
use super::context::Context;
use super::exit::{CliError, CliResult, code};
use super::holder::{Holder, holder, split_source};
use super::output::broken_pipe_ok;
use super::table::clip;
use crate::adapters::AdapterSource;
use crate::model::line::{LineParse, parse_line};
use crate::model::time::format_rfc3339;
use crate::rpc::Client;
use crate::rpc::remote;
use crate::sanitize::sanitize_line;
use crate::store::bridge;
use crate::store::fleet::stuck_of;
use crate::store::journal_select::{event_start, read_all, tail_start};
use crate::store::session_snapshot::{SessionSnapshot, TAIL_BYTES, TAIL_FIRST_BYTES};
use crate::views::SessionRow;

/// A journal line that decoded to an event, kept as written.
struct Shown {
    raw: Vec<u8>,
    parse: LineParse,
}

/// Everything `show` prints, gathered from a root or a daemon.
struct ShowData {
    row: SessionRow,
    /// (rule, detail) for each stuck rule that fires.
    stuck: Vec<(String, String)>,
    agent: String,
    warnings: Vec<String>,
    doc_error: Option<String>,
    events: Vec<Shown>,
}

pub fn run(ctx: &Context, args: &ShowArgs) -> CliResult {
    let (session, named) = split_source(&args.session);
    let wanted = args.source.as_deref().or(named);
    let args = &ShowArgs {
        session: session.to_string(),
        ..args.clone()
    };
    let data = match holder(ctx, &args.session, wanted)? {
        // Read as it is printed: a big journal's tail first, its counts after.
        Holder::Root(root) if !args.json && args.from.is_none() => {
            return show_tail_first(ctx, root, args);
        }
        Holder::Root(root) => gather_local(ctx, root, args)?,
        Holder::Daemon(socket) => gather_remote(ctx, socket, args)?,
        Holder::Transcripts(source) => gather_adapter(ctx, source, args)?,
    };
    if args.json {
        write_json(&data.row, &data.events)
    } else {
        write_human(&data)
    }
}

fn gather_local(ctx: &Context, root: &Path, args: &ShowArgs) -> CliResult<ShowData> {
    let dir = root.join(&args.session);
    let session = found(SessionSnapshot::load(&dir, &ctx.config.plan_tools())?, args)?;
    let events = events_of(ctx, &dir, &session, args)?;
    Ok(local_data(ctx, root, &session, events))
}

/// The events to print: a hook-mirrored session shows its transcript's
/// events and the hook's requests and decisions as one journal.
fn events_of(
    ctx: &Context,
    dir: &Path,
    session: &SessionSnapshot,
    args: &ShowArgs,
) -> CliResult<Vec<Shown>> {
    match bridge::read_bridged(dir, &session.id, &session.doc, ctx.now) {
        Some(bridged) => {
            let shown = bridged.lines.into_iter().map(to_shown).collect();
            select_in_memory(shown, &session.id, args)
        }
        None => select_events(session, args),
    }
}

fn found(session: Option<SessionSnapshot>, args: &ShowArgs) -> CliResult<SessionSnapshot> {
    session.ok_or_else(|| {
        CliError::new(
            code::NOT_FOUND,
            format!("session {} not found", args.session),
        )
    })
}

/// `show` without `--json` on a root: a journal that would need much folded
/// (big, no valid cached summary) is read from its end only, its events
/// printed at once, and the counts that need the whole fold (events,
/// malformed lines, pending, stuck) printed after them once it is done.
fn show_tail_first(ctx: &Context, root: &Path, args: &ShowArgs) -> CliResult {
    let plan_tools = ctx.config.plan_tools();
    let dir = root.join(&args.session);
    let session = found(
        SessionSnapshot::load_tail_first(&dir, &plan_tools, TAIL_FIRST_BYTES, TAIL_BYTES)?,
        args,
    )?;
    let events = events_of(ctx, &dir, &session, args)?;
    if !session.summary.counting {
        return write_human(&local_data(ctx, root, &session, events));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let partial = local_data(ctx, root, &session, events);
    let mut head = identity(&partial);
    head += &field("events", "counting… (the totals follow the events)");
    head.push('\n');
    out.write_all(head.as_bytes()).map_err(broken_pipe_ok)?;
    write_events(&mut out, &partial.events)?;
    out.flush().map_err(broken_pipe_ok)?;
    let whole = found(
        SessionSnapshot::load_until(&dir, &plan_tools, session.journal_end)?,
        args,
    )?;
    let data = local_data(ctx, root, &whole, Vec::new());
    let mut counts = String::from("\n");
    counts += &counts_lines(&data);
    out.write_all(counts.as_bytes()).map_err(broken_pipe_ok)?;
    out.flush().map_err(broken_pipe_ok)
}

fn local_data(
    ctx: &Context,
    root: &Path,
    session: &SessionSnapshot,
    events: Vec<Shown>,
) -> ShowData {
    let plan_tools = ctx.config.plan_tools();
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
    let findings = stuck_of(session, parent, &ctx.config.stuck, ctx.now);
    ShowData::of(session, &findings, events)
}

impl ShowData {
    fn of(
        session: &SessionSnapshot,
        findings: &[crate::model::stuck::StuckFinding],
        events: Vec<Shown>,
    ) -> Self {
        Self {
            row: SessionRow::new(session, findings),
            stuck: findings
                .iter()
                .map(|f| (f.rule.as_str().to_string(), f.detail.clone()))
                .collect(),
            agent: session.doc.agent_label().to_string(),
            warnings: session.warnings.clone(),
            doc_error: session.doc_error.clone(),
            events,
        }
    }
}

/// A session converted from a transcript (`--claude-code`, `--codex`): its
/// synthetic journal is in memory.
fn gather_adapter(ctx: &Context, source: &AdapterSource, args: &ShowArgs) -> CliResult<ShowData> {
    let plan_tools = ctx.config.plan_tools();
    let converted = source
        .find(&args.session, &plan_tools, ctx.now)?
        .ok_or_else(|| {
            CliError::new(
                code::NOT_FOUND,
                format!("session {} not found", args.session),
            )
        })?;
    let session = converted.snapshot;
    let findings = stuck_of(&session, None, &ctx.config.stuck, ctx.now);
    let shown: Vec<Shown> = converted.lines.into_iter().map(to_shown).collect();
    let events = select_in_memory(shown, &session.id, args)?;
    let mut data = ShowData::of(&session, &findings, events);
    data.row.source = Some(source.label());
    Ok(data)
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
            .ok_or_else(|| event_not_found(from, session))?;
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

fn gather_remote(ctx: &Context, socket: &Path, args: &ShowArgs) -> CliResult<ShowData> {
    let mut client = Client::connect(socket)?;
    let detail = remote::detail(&mut client, &args.session, ctx.now)?;
    // A bridged session whose two sources are readable here (the socket is
    // local) is shown merged, as on the daemon's own root; otherwise the
    // daemon's journal lines.
    let doc = detail.meta.session_doc();
    let merged = detail
        .row
        .sources
        .first()
        .and_then(|s| s.split_once(':'))
        .map(|(_, dir)| Path::new(dir).to_path_buf())
        .and_then(|dir| bridge::read_bridged(&dir, &args.session, &doc, ctx.now));
    let events = match merged {
        Some(bridged) => {
            let shown = bridged.lines.into_iter().map(to_shown).collect();
            select_in_memory(shown, &args.session, args)?
        }
        None => remote::read_lines(
            &mut client,
            &args.session,
            args.from.as_deref(),
            args.tail,
            detail.meta.journal_end,
        )?
        .into_iter()
        .map(to_shown)
        .collect(),
    };
    Ok(ShowData {
        stuck: detail
            .stuck
            .iter()
            .map(|f| (f.rule.clone(), f.detail.clone()))
            .collect(),
        agent: detail.meta.session_doc().agent_label().to_string(),
        warnings: detail.meta.warnings.clone(),
        doc_error: detail.meta.doc_error.clone(),
        row: detail.row,
        events,
    })
}

/// The lines `--from`/`--tail` select (blank lines left out): from the later
/// of "the event --from names" and "where the last --tail events begin".
fn select_events(session: &SessionSnapshot, args: &ShowArgs) -> CliResult<Vec<Shown>> {
    let path = session.journal_path();
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(from) = &args.from {
                return Err(event_not_found(from, &session.id));
            }
            return Ok(Vec::new());
        }
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
    let mut start = 0;
    if let Some(from) = &args.from {
        start = event_start(&file, end, from)
            .map_err(read_err)?
            .ok_or_else(|| event_not_found(from, &session.id))?;
    }
    if let Some(n) = args.tail {
        start = start.max(tail_start(&file, end, n).map_err(read_err)?);
    }
    let lines = read_all(&file, start, end).map_err(read_err)?;
    Ok(lines.into_iter().map(|(_, raw)| to_shown(raw)).collect())
}

fn event_not_found(from: &str, session: &str) -> CliError {
    CliError::new(
        code::NOT_FOUND,
        format!("event {from} not found in session {session}"),
    )
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

fn field(label: &str, value: &str) -> String {
    format!("{label:<10} {}\n", sanitize_line(value))
}

/// What `show` says about the session that needs no fold of its journal.
fn identity(data: &ShowData) -> String {
    let row = &data.row;
    let mut head = String::new();
    head += &field("session", &row.id);
    head += &field("title", row.title.as_deref().unwrap_or("-"));
    head += &field("status", &row.status);
    head += &field("agent", &data.agent);
    if let Some(parent) = &row.parent_id {
        head += &field("parent", parent);
    }
    if !row.sources.is_empty() {
        head += &field("sources", &row.sources.join(", "));
    }
    head
}

/// The lines that need the whole journal folded, then the warnings.
fn counts_lines(data: &ShowData) -> String {
    let row = &data.row;
    let mut text = field(
        "events",
        &format!(
            "{} ({} malformed lines)",
            row.event_count, row.malformed_lines
        ),
    );
    text += &field("pending", &row.pending.to_string());
    for (rule, detail) in &data.stuck {
        text += &field("stuck", &format!("{rule}: {detail}"));
    }
    for warning in &data.warnings {
        text += &field("warning", warning);
    }
    if let Some(error) = &data.doc_error {
        text += &field("error", error);
    }
    text
}

fn write_human(data: &ShowData) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut head = identity(data);
    head += &counts_lines(data);
    head.push('\n');
    out.write_all(head.as_bytes()).map_err(broken_pipe_ok)?;
    write_events(&mut out, &data.events)?;
    out.flush().map_err(broken_pipe_ok)
}

fn write_events(out: &mut impl Write, events: &[Shown]) -> CliResult {
    for shown in events {
        let text = match &shown.parse {
            LineParse::Event(e) => format!(
                "{:<24} {:<28} {:<12} {}\n",
                e.created_at
                    .map(format_rfc3339)
                    .unwrap_or_else(|| "-".into()),
                sanitize_line(e.kind.as_str()),
                sanitize_line(&clip(&e.id, 12)),
                crate::views::shown_summary(e),
            ),
            LineParse::Malformed(reason) => format!(
                "{:<24} {:<28} {:<12} {}\n",
                "-",
                "MALFORMED",
                "",
                crate::views::shown_malformed(reason, &shown.raw, 120),
            ),
            LineParse::Blank => continue,
        };
        out.write_all(text.as_bytes()).map_err(broken_pipe_ok)?;
    }
    Ok(())
}
