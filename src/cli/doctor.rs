//! `switchboard doctor`: stuck sessions with rule and evidence.

use super::args::DoctorArgs;
use super::context::Context;
use super::exit::CliResult;
use super::output::{print_json, print_text};
use super::table::Table;
use crate::model::time::{format_minutes, parse_rfc3339};

pub fn run(ctx: &Context, args: &DoctorArgs) -> CliResult {
    let views = ctx.views()?;
    let result = if args.fail_on_stuck && !views.doctor.is_empty() {
        let sessions: std::collections::BTreeSet<&str> =
            views.doctor.iter().map(|d| d.session_id.as_str()).collect();
        Err(super::exit::CliError::other(format!(
            "{} session(s) stuck ({} finding(s))",
            sessions.len(),
            views.doctor.len()
        )))
    } else {
        Ok(())
    };
    print_report(ctx, args, &views)?;
    result
}

fn print_report(ctx: &Context, args: &DoctorArgs, views: &crate::views::FleetViews) -> CliResult {
    if args.json {
        return print_json(&views.doctor);
    }
    if views.doctor.is_empty() {
        return print_text(&format!(
            "No stuck sessions among {}.\n",
            views.sessions.len()
        ));
    }
    let several = ctx.several();
    let mut header = vec!["SESSION", "RULE", "FOR", "DETAIL", "EVIDENCE"];
    if several {
        header.push("SOURCE");
    }
    let mut table = Table::new(&header);
    for row in &views.doctor {
        let held = parse_rfc3339(&row.since)
            .map(|t| format_minutes((ctx.now - t).num_seconds()))
            .unwrap_or_default();
        let mut cells = vec![
            row.session_id.clone(),
            row.rule.clone(),
            held,
            row.detail.clone(),
            row.evidence.join(","),
        ];
        if several {
            cells.push(row.source.clone().unwrap_or_default());
        }
        table.row(cells);
    }
    print_text(&table.render())
}
