//! The non-interactive front end: one file per subcommand.

pub mod actions;
pub mod agents;
pub mod archive;
pub mod args;
pub mod audit;
pub mod completions;
pub mod context;
pub mod daemon;
pub mod decide;
pub mod demo;
pub mod doctor;
pub mod exit;
pub mod holder;
pub mod hook;
pub mod ls;
pub mod output;
pub mod pending;
pub mod purge;
pub mod show;
pub mod simulate;
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
        return run_dashboard(&cli);
    };
    match command {
        Command::Tui => run_dashboard(&cli),
        Command::Audit(args) => audit::run(args),
        Command::Completions(args) => completions::run_completions(args),
        Command::Man => completions::run_man(),
        Command::Hook(command) => hook::run(&cli, command),
        Command::Daemon(args) => daemon::run(&cli, args),
        Command::Simulate(args) => simulate::run(&cli.root, args),
        Command::Demo(args) => demo::run(args),
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
        Command::Agents(args) => agents::run(ctx, args),
        Command::Archive(args) => archive::run_archive(ctx, args),
        Command::Unarchive(args) => archive::run_unarchive(ctx, args),
        Command::Purge(args) => purge::run(ctx, args),
        Command::Interrupt(args) => actions::run_interrupt(ctx, args),
        Command::Message(args) => actions::run_message(ctx, args),
        Command::Wake(args) => actions::run_wake(ctx, args),
        Command::Tui => run_dashboard_with(ctx),
        Command::Completions(_)
        | Command::Man
        | Command::Hook(_)
        | Command::Daemon(_)
        | Command::Simulate(_)
        | Command::Demo(_) => Err(CliError::usage(
            "this command does not read sessions; run it on its own",
        )),
    }
}

fn run_dashboard(cli: &Cli) -> CliResult {
    let ctx = Context::from_cli(cli)?;
    run_dashboard_with(&ctx)
}

fn run_dashboard_with(ctx: &Context) -> CliResult {
    crate::tui::run(ctx.feed_sources(), ctx.config.clone()).map_err(CliError::other)
}
