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
    let mut table = Table::new(&["SESSION", "EVENT", "KIND", "NAME", "WAITING", "FINGERPRINT"]);
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
        table.row(vec![
            row.session_id.clone(),
            row.event_id.clone(),
            kind,
            clip(row.name.as_str().unwrap_or("-"), 24),
            waiting,
            fingerprint,
        ]);
    }
    if table.is_empty() {
        return print_text("Nothing is pending.\n");
    }
    print_text(&table.render())
}
