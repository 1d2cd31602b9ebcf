//! `switchboard purge --archived --older-than D`: delete archived session
//! folders. A dry run unless `--yes`; never touches unarchived sessions.

use serde::Serialize;

use super::args::PurgeArgs;
use super::context::Context;
use super::exit::{CliError, CliResult, code};
use super::output::{print_json, print_text};
use crate::config::default_decider;
use crate::model::time::{format_age, format_rfc3339};
use crate::store::archive::{parse_duration, purge_session};
use crate::store::audit::{AuditEntry, append_audit};
use crate::store::paths;

#[derive(Serialize)]
struct Candidate {
    session_id: String,
    path: String,
    archived_at: String,
    deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub fn run(ctx: &Context, args: &PurgeArgs) -> CliResult {
    let older_than = parse_duration(&args.older_than).ok_or_else(|| {
        CliError::usage(format!(
            "--older-than {:?} is not a duration; use e.g. 90s, 30m, 12h, 7d or 2w",
            args.older_than
        ))
    })?;
    let act = args.yes && !args.dry_run;
    let who = args.who.clone().unwrap_or_else(default_decider);
    let mut candidates = Vec::new();
    let mut failed = false;
    for fleet in ctx.fleets()? {
        for session in &fleet.sessions {
            let Some(archived_at) = session.doc.archived_at else {
                continue;
            };
            if ctx.now - archived_at <= older_than {
                continue;
            }
            let mut candidate = Candidate {
                session_id: session.id.clone(),
                path: session.dir.display().to_string(),
                archived_at: format_rfc3339(archived_at),
                deleted: false,
                error: None,
            };
            if act {
                match purge_session(&fleet.root, &session.id, &ctx.config.plan_tools()) {
                    Ok(()) => {
                        candidate.deleted = true;
                        let mut entry =
                            AuditEntry::action(&fleet.root, "purge", &who, &session.id, ctx.now);
                        entry.message = Some(format!("deleted {}", candidate.path));
                        if let Err(e) = append_audit(&paths::audit_log(), &entry) {
                            eprintln!(
                                "warning: purged {}, but the audit log failed: {e}",
                                session.id
                            );
                        }
                    }
                    Err(e) => {
                        failed = true;
                        candidate.error = Some(e.to_string());
                    }
                }
            }
            candidates.push(candidate);
        }
    }
    if args.json {
        print_json(&candidates)?;
    } else {
        let mut text = String::new();
        if candidates.is_empty() {
            text += &format!("No archived sessions older than {}.\n", args.older_than);
        }
        for c in &candidates {
            let age = (ctx.now
                - chrono::DateTime::parse_from_rfc3339(&c.archived_at)
                    .map(|t| t.to_utc())
                    .unwrap_or(ctx.now))
            .num_seconds();
            let verb = match (&c.error, c.deleted, act) {
                (Some(e), _, _) => format!("NOT deleted ({e})"),
                (None, true, _) => "deleted".to_string(),
                (None, false, _) => "would delete".to_string(),
            };
            text += &format!(
                "{verb}: {} (archived {} ago) {}\n",
                c.session_id,
                format_age(age),
                c.path
            );
        }
        if !act && !candidates.is_empty() {
            text += "Dry run: nothing was deleted. Run again with --yes to delete these folders.\n";
        }
        print_text(&text)?;
    }
    if failed {
        return Err(CliError::new(
            code::OTHER,
            "some sessions could not be purged; see above",
        ));
    }
    Ok(())
}
