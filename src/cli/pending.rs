//! `switchboard pending`: every pending request, with its fingerprint.

use super::args::JsonArgs;
use super::context::Context;
use super::exit::CliResult;
use super::output::{print_json, print_text};
use super::table::{Table, clip};
use crate::model::time::format_age;

pub fn run(ctx: &Context, args: &JsonArgs) -> CliResult {
    let views = ctx.views()?;
    if args.json {
        return print_json(&views.pending);
    }
    let several = ctx.several();
    let mut header = vec!["SESSION", "EVENT", "KIND", "NAME", "WAITING", "FINGERPRINT"];
    if several {
        header.push("SOURCE");
    }
    let mut table = Table::new(&header);
    for row in &views.pending {
        let kind = match row.plan_revision {
            Some(revision) => format!("plan r{revision}"),
            None => row.kind.clone(),
        };
        let waiting = row
            .pending_since
            .map(|t| format_age((ctx.now - t).num_seconds()))
            .unwrap_or_else(|| "-".into());
        let fingerprint = if row.tampered {
            format!("{} TAMPERED", row.fingerprint)
        } else {
            row.fingerprint.clone()
        };
        let mut cells = vec![
            row.session_id.clone(),
            row.event_id.clone(),
            kind,
            clip(row.name.as_str().unwrap_or("-"), 24),
            waiting,
            fingerprint,
        ];
        if several {
            cells.push(row.source.clone().unwrap_or_default());
        }
        table.row(cells);
    }
    if table.is_empty() {
        return print_text("Nothing is pending.\n");
    }
    print_text(&table.render())
}
