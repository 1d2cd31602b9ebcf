//! `archive` and `unarchive`: set or clear `archived_at`, one session at a time.

use serde::Serialize;

use super::args::{ArchiveArgs, UnarchiveArgs};
use super::context::Context;
use super::exit::{CliError, CliResult, code};
use super::output::{print_json, print_text};
use crate::config::default_decider;
use crate::model::agents::is_expired;
use crate::store::archive::{ArchiveError, ArchiveOutcome, set_archived};
use crate::store::audit::{AuditEntry, append_audit};
use crate::store::paths;

#[derive(Serialize)]
struct Outcome {
    session_id: String,
    result: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

pub fn run_archive(ctx: &Context, args: &ArchiveArgs) -> CliResult {
    let mut targets = args.sessions.clone();
    if args.expired {
        for fleet in ctx.fleets()? {
            targets.extend(
                fleet
                    .sessions
                    .iter()
                    .filter(|s| !s.doc.is_archived())
                    .filter(|s| is_expired(&s.doc, ctx.config.hygiene.default_ttl_minutes, ctx.now))
                    .map(|s| s.id.clone()),
            );
        }
    }
    let who = args.who.clone().unwrap_or_else(default_decider);
    apply(ctx, &targets, true, args.force, &who, args.json)
}

pub fn run_unarchive(ctx: &Context, args: &UnarchiveArgs) -> CliResult {
    let who = args.who.clone().unwrap_or_else(default_decider);
    apply(ctx, &args.sessions, false, false, &who, args.json)
}

fn apply(
    ctx: &Context,
    targets: &[String],
    archive: bool,
    force: bool,
    who: &str,
    json: bool,
) -> CliResult {
    let action = if archive { "archive" } else { "unarchive" };
    let mut outcomes = Vec::new();
    let mut worst = code::OK;
    for id in targets {
        let outcome = match ctx.root_of(id) {
            Err(e) => {
                worst = worst.max(e.code);
                Outcome {
                    session_id: id.clone(),
                    result: "not_found",
                    reason: Some(e.message),
                }
            }
            Ok(root) => {
                match set_archived(root, id, archive, force, &ctx.config.plan_tools(), ctx.now) {
                    Ok(ArchiveOutcome::Changed) => {
                        let entry = AuditEntry::action(root, action, who, id, ctx.now);
                        if let Err(e) = append_audit(&paths::audit_log(), &entry) {
                            eprintln!(
                                "warning: {action} of {id} done, but the audit log failed: {e}"
                            );
                        }
                        Outcome {
                            session_id: id.clone(),
                            result: if archive { "archived" } else { "unarchived" },
                            reason: None,
                        }
                    }
                    Ok(ArchiveOutcome::AlreadyThatWay) => Outcome {
                        session_id: id.clone(),
                        result: if archive {
                            "already_archived"
                        } else {
                            "not_archived"
                        },
                        reason: None,
                    },
                    Err(e) => {
                        let (result, exit) = match &e {
                            ArchiveError::NotFound(_) => ("not_found", code::NOT_FOUND),
                            ArchiveError::Busy { .. } => ("refused", code::OTHER),
                            _ => ("error", code::OTHER),
                        };
                        worst = worst.max(exit);
                        Outcome {
                            session_id: id.clone(),
                            result,
                            reason: Some(e.to_string()),
                        }
                    }
                }
            }
        };
        outcomes.push(outcome);
    }
    if json {
        print_json(&outcomes)?;
    } else if outcomes.is_empty() {
        print_text("Nothing to do.\n")?;
    } else {
        let mut text = String::new();
        for o in &outcomes {
            match &o.reason {
                Some(reason) => text += &format!("{}: {} ({reason})\n", o.session_id, o.result),
                None => text += &format!("{}: {}\n", o.session_id, o.result),
            }
        }
        print_text(&text)?;
    }
    match worst {
        code::OK => Ok(()),
        code => Err(CliError::new(
            code,
            format!("some sessions could not be {action}d; see above"),
        )),
    }
}
