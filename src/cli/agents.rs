//! `switchboard agents`: one row per agent.

use super::args::JsonArgs;
use super::context::Context;
use super::exit::CliResult;
use super::output::{print_json, print_text};
use super::table::Table;
use crate::model::agents::{AgentInput, AgentRow, agent_rows, sparkline};

pub fn rows(ctx: &Context) -> CliResult<Vec<AgentRow>> {
    let fleets = ctx.fleets()?;
    let inputs = fleets.iter().flat_map(|f| {
        f.sessions.iter().map(|s| AgentInput {
            doc: &s.doc,
            summary: &s.summary,
        })
    });
    Ok(agent_rows(inputs, ctx.now))
}

pub fn run(ctx: &Context, args: &JsonArgs) -> CliResult {
    let rows = rows(ctx)?;
    if args.json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        return print_text("No sessions, so no agents.\n");
    }
    let mut table = Table::new(&[
        "AGENT",
        "SESSIONS",
        "BY STATUS",
        "RUNNING",
        "LIMITED (1H)",
        "TOKENS",
    ]);
    for row in &rows {
        let running = match row.max_concurrent {
            Some(limit) if row.over_limit => format!("{}/{limit} OVER", row.running),
            Some(limit) => format!("{}/{limit}", row.running),
            None => row.running.to_string(),
        };
        let by_status = row
            .by_status
            .iter()
            .map(|(status, n)| format!("{status}:{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        table.row(vec![
            row.agent_id.clone(),
            row.sessions.to_string(),
            by_status,
            running,
            format!(
                "{} [{}]",
                row.rate_limited_total_last_hour,
                sparkline(&row.rate_limited_last_hour)
            ),
            row.tokens.to_string(),
        ]);
    }
    print_text(&table.render())
}
