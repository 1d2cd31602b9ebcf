//! `switchboard ls`: one row per session.

use super::args::LsArgs;
use super::context::Context;
use super::exit::CliResult;
use super::output::{print_json, print_text};
use super::table::{Table, clip, format_cost, format_tokens};
use crate::model::time::{format_age, parse_rfc3339};

pub fn run(ctx: &Context, args: &LsArgs) -> CliResult {
    let mut views = ctx.views()?;
    if args.expired {
        let expired = ctx.expired_ids()?;
        views
            .sessions
            .retain(|row| expired.contains(&(row.source.clone(), row.id.clone())));
    }
    if args.json {
        return print_json(&views.sessions);
    }
    let several = ctx.several();
    let mut header = vec![
        "ID", "STATUS", "TITLE", "AGENT", "ACTIVE", "PENDING", "STUCK", "TOKENS", "COST",
    ];
    if several {
        header.push("SOURCE");
    }
    let mut table = Table::new(&header);
    for row in &views.sessions {
        let age = row
            .last_activity_at
            .as_deref()
            .and_then(parse_rfc3339)
            .map(|t| format!("{} ago", format_age((ctx.now - t).num_seconds())))
            .unwrap_or_else(|| "-".into());
        let mut cells = vec![
            row.id.clone(),
            row.status.clone(),
            clip(row.title.as_deref().unwrap_or("-"), 40),
            row.agent_id.clone().unwrap_or_else(|| "-".into()),
            age,
            row.pending.to_string(),
            if row.stuck.is_empty() {
                "-".into()
            } else {
                row.stuck.join(",")
            },
            format_tokens(row.total_tokens),
            format_cost(row.cost_usd),
        ];
        if several {
            cells.push(row.source.clone().unwrap_or_default());
        }
        table.row(cells);
    }
    if table.is_empty() {
        return print_text("No sessions.\n");
    }
    print_text(&table.render())
}
