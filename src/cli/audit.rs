//! `switchboard audit`: the decisions and destructive actions taken.

use super::args::JsonArgs;
use super::exit::{CliError, CliResult};
use super::output::{print_json, print_text};
use super::table::{Table, clip};
use crate::store::audit::read_audit;
use crate::store::paths;

pub fn run(args: &JsonArgs) -> CliResult {
    let path = paths::audit_log();
    let (entries, unreadable) = read_audit(&path).map_err(CliError::from)?;
    if unreadable > 0 {
        eprintln!(
            "warning: {unreadable} unreadable lines in {} were skipped",
            path.display()
        );
    }
    if args.json {
        return print_json(&entries);
    }
    if entries.is_empty() {
        return print_text(&format!("The audit log {} is empty.\n", path.display()));
    }
    let mut table = Table::new(&[
        "AT",
        "ACTION",
        "WHO",
        "SESSION",
        "EVENT",
        "RESULT",
        "FINGERPRINT",
    ]);
    for e in &entries {
        table.row(vec![
            e.at.clone(),
            e.action.clone(),
            e.who.clone(),
            e.session_id.clone(),
            e.event_id.clone().unwrap_or_else(|| "-".into()),
            e.result.clone().unwrap_or_else(|| "-".into()),
            e.fingerprint
                .as_deref()
                .map(|f| clip(f, 20))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    print_text(&table.render())
}
