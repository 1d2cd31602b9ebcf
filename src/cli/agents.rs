//! `switchboard agents`: one row per agent, then token totals per project,
//! over every local source (roots and transcript sources).

use super::args::AgentsArgs;
use super::context::Context;
use super::exit::CliResult;
use super::output::{print_json, print_text};
use super::table::{Table, format_cost, format_tokens};
use crate::model::agents::{AgentInput, AgentRow, ProjectRow, agent_rows, project_rows, sparkline};
use crate::model::session::Usage;
use crate::store::fleet::Fleet;

fn inputs(fleets: &[Fleet]) -> impl Iterator<Item = AgentInput<'_>> {
    fleets.iter().flat_map(|f| {
        f.sessions.iter().map(|s| AgentInput {
            doc: &s.doc,
            summary: &s.summary,
        })
    })
}

pub fn run(ctx: &Context, args: &AgentsArgs) -> CliResult {
    let fleets = ctx.local_fleets()?;
    let agents = agent_rows(inputs(&fleets), ctx.now);
    let projects = project_rows(inputs(&fleets));
    if args.json {
        return if args.projects {
            print_json(&projects)
        } else {
            print_json(&agents)
        };
    }
    if agents.is_empty() {
        return print_text("No sessions, so no agents.\n");
    }
    let mut text = String::new();
    if !args.projects {
        text += &agent_table(&agents).render();
        text.push('\n');
    }
    text += &project_table(&projects).render();
    print_text(&text)
}

/// `$1.23`, with `+?` when some sessions' models have no price.
/// INPUT, OUTPUT, CACHE READ, CACHE WRITE and TOKENS, as both tables show them.
fn usage_cells(usage: &Usage, tokens: u64) -> [String; 5] {
    [
        format_tokens(usage.input_tokens),
        format_tokens(usage.output_tokens),
        format_tokens(usage.cache_read_input_tokens),
        format_tokens(usage.cache_creation_input_tokens),
        tokens.to_string(),
    ]
}

fn cost_cell(cost: f64, unpriced: usize, priced_any: bool) -> String {
    let known = priced_any.then_some(cost);
    match unpriced {
        0 => format_cost(known),
        _ => format!("{}+?", format_cost(known)),
    }
}

fn agent_table(rows: &[AgentRow]) -> Table {
    let mut table = Table::new(&[
        "AGENT",
        "SESSIONS",
        "BY STATUS",
        "RUNNING",
        "LIMITED (1H)",
        "INPUT",
        "OUTPUT",
        "CACHE READ",
        "CACHE WRITE",
        "TOKENS",
        "COST",
    ]);
    for row in rows {
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
        let priced_any = row.sessions > row.unpriced_sessions && row.cost_usd > 0.0;
        let mut cells = vec![
            row.agent_id.clone(),
            row.sessions.to_string(),
            by_status,
            running,
            format!(
                "{} [{}]",
                row.rate_limited_total_last_hour,
                sparkline(&row.rate_limited_last_hour)
            ),
        ];
        cells.extend(usage_cells(&row.usage, row.tokens));
        cells.push(cost_cell(row.cost_usd, row.unpriced_sessions, priced_any));
        table.row(cells);
    }
    table
}

fn project_table(rows: &[ProjectRow]) -> Table {
    let mut table = Table::new(&[
        "PROJECT",
        "AGENT",
        "SESSIONS",
        "INPUT",
        "OUTPUT",
        "CACHE READ",
        "CACHE WRITE",
        "TOKENS",
        "COST",
    ]);
    for row in rows {
        let priced_any = row.sessions > row.unpriced_sessions && row.cost_usd > 0.0;
        let mut cells = vec![
            row.project.clone(),
            row.agent_id.clone(),
            row.sessions.to_string(),
        ];
        cells.extend(usage_cells(&row.usage, row.tokens));
        cells.push(cost_cell(row.cost_usd, row.unpriced_sessions, priced_any));
        table.row(cells);
    }
    table
}
