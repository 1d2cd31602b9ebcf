//! `completions SHELL` (clap_complete) and `man` (clap_mangen).

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs};
use super::exit::CliResult;
use super::output::broken_pipe_ok;

pub fn run_completions(args: &CompletionsArgs) -> CliResult {
    let mut command = Cli::command();
    let mut out = std::io::stdout();
    clap_complete::generate(args.shell, &mut command, "switchboard", &mut out);
    Ok(())
}

pub fn run_man() -> CliResult {
    let man = clap_mangen::Man::new(Cli::command());
    let mut out = std::io::stdout();
    man.render(&mut out).map_err(broken_pipe_ok)
}
