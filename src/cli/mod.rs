//! The non-interactive front end: one file per subcommand.

pub mod args;
pub mod audit;
pub mod context;
pub mod decide;
pub mod doctor;
pub mod exit;
pub mod ls;
pub mod output;
pub mod pending;
pub mod show;
pub mod table;
pub mod watch;
pub mod watch_print;

use args::{Cli, Command};
use context::Context;
use exit::{CliError, CliResult};

use crate::store::Verdict;

/// Runs one parsed command line.
pub fn run(cli: Cli) -> CliResult {
    let Some(command) = &cli.command else {
        return Err(CliError::usage(
            "the dashboard is not built yet; try `switchboard ls` or `switchboard --help`",
        ));
    };
    match command {
        Command::Audit(args) => audit::run(args),
        command => {
            let ctx = Context::from_cli(&cli)?;
            run_with_context(&ctx, command)
        }
    }
}

fn run_with_context(ctx: &Context, command: &Command) -> CliResult {
    match command {
        Command::Ls(args) => ls::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Pending(args) => pending::run(ctx, args),
        Command::Doctor(args) => doctor::run(ctx, args),
        Command::Approve(args) => decide::run(ctx, args, Verdict::Allow, None),
        Command::Deny(args) => decide::run(ctx, &args.decide, Verdict::Deny, Some(&args.message)),
        Command::Redirect(args) => {
            decide::run(ctx, &args.decide, Verdict::Redirect, Some(&args.message))
        }
        Command::Respond(args) => {
            decide::run(ctx, &args.decide, Verdict::Respond, Some(&args.text))
        }
        Command::Audit(args) => audit::run(args),
        Command::Watch(args) => watch::run(ctx, args),
    }
}
