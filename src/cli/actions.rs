//! `interrupt`, `message`, `wake`: the on-call actions, for scripts.

use super::args::{ActionArgs, MessageArgs, WakeArgs};
use super::context::Context;
use super::exit::{CliError, CliResult, code};
use super::output::{print_json, print_text};
use crate::config::default_decider;
use crate::store::actions::{ActionError, Written, interrupt, schedule_wake, send_message};
use crate::store::archive::parse_duration;
use crate::store::audit::{AuditEntry, append_audit};
use crate::store::paths;

fn finish(
    ctx: &Context,
    args: &ActionArgs,
    action: &str,
    result: Result<Written, ActionError>,
    done: String,
) -> CliResult {
    let root = ctx.root_of(&args.session)?;
    let written = result.map_err(|e| {
        let exit = match e {
            ActionError::NotFound(_) => code::NOT_FOUND,
            ActionError::Invalid(_) => code::USAGE,
            _ => code::OTHER,
        };
        CliError::new(exit, e.to_string())
    })?;
    let who = args.who.clone().unwrap_or_else(default_decider);
    let mut entry = AuditEntry::action(root, action, &who, &args.session, ctx.now);
    entry.written_event_id = written
        .get("id")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    if let Err(e) = append_audit(&paths::audit_log(), &entry) {
        eprintln!("warning: {action} written, but the audit log failed: {e}");
    }
    if args.json {
        print_json(&written)
    } else {
        print_text(&format!("{done}\n"))
    }
}

pub fn run_interrupt(ctx: &Context, args: &ActionArgs) -> CliResult {
    let root = ctx.root_of(&args.session)?;
    let who = args.who.clone().unwrap_or_else(default_decider);
    let result = interrupt(root, &args.session, &who, ctx.now);
    finish(
        ctx,
        args,
        "interrupt",
        result,
        format!("Interrupted {}.", args.session),
    )
}

pub fn run_message(ctx: &Context, args: &MessageArgs) -> CliResult {
    let a = &args.action;
    let root = ctx.root_of(&a.session)?;
    let who = a.who.clone().unwrap_or_else(default_decider);
    let result = send_message(root, &a.session, &args.text, &who, ctx.now);
    finish(
        ctx,
        a,
        "message",
        result,
        format!("Sent a message to {}.", a.session),
    )
}

pub fn run_wake(ctx: &Context, args: &WakeArgs) -> CliResult {
    let a = &args.action;
    let root = ctx.root_of(&a.session)?;
    let delay = match &args.due_in {
        Some(text) => parse_duration(text).ok_or_else(|| {
            CliError::usage(format!(
                "--in {text:?} is not a duration; use e.g. 90s, 30m or 12h"
            ))
        })?,
        None => chrono::Duration::zero(),
    };
    let who = a.who.clone().unwrap_or_else(default_decider);
    let due = ctx.now + delay;
    let result = schedule_wake(root, &a.session, due, &args.reason, &who);
    finish(
        ctx,
        a,
        "wake",
        result,
        format!(
            "Scheduled a revisit of {} at {}.",
            a.session,
            crate::model::time::format_rfc3339(due)
        ),
    )
}
