//! The command-line surface (`cli.md`), declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version = crate::VERSION,
    about = "Supervise fleets of AI coding-agent sessions: watch them live, review and decide on their requests, find the stuck ones.",
    propagate_version = true
)]
pub struct Cli {
    /// Session root to read (repeatable); default $SWITCHBOARD_ROOT, else the platform data dir.
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Vec<PathBuf>,
    /// Config file to use instead of <config dir>/config.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// One row per session.
    Ls(LsArgs),
    /// One session with its events.
    Show(ShowArgs),
    /// Every pending request across sessions, with its fingerprint.
    Pending(JsonArgs),
    /// Allow one request.
    Approve(DecideArgs),
    /// Deny one request, with a message.
    Deny(MessageDecideArgs),
    /// Deny one request with a new direction.
    Redirect(MessageDecideArgs),
    /// Answer a custom tool use.
    Respond(RespondArgs),
    /// Stuck sessions, each with its rule and evidence.
    Doctor(DoctorArgs),
    /// The audit log of decisions and destructive actions.
    Audit(JsonArgs),
    /// Follow every journal; print each event as it is appended.
    Watch(WatchArgs),
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print exactly one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Session id (its folder name).
    pub session: String,
    /// Only the last N events.
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
    /// Start at the event with this id.
    #[arg(long, value_name = "ID")]
    pub from: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// Session id.
    pub session: String,
    /// The request's event id.
    pub event: String,
    /// The fingerprint of the request as you reviewed it (from `pending`).
    #[arg(long, value_name = "FP")]
    pub fingerprint: String,
    /// Who decides, written as decided_by (default human:<user>@<host>).
    #[arg(long = "as", value_name = "WHO")]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MessageDecideArgs {
    #[command(flatten)]
    pub decide: DecideArgs,
    /// The message for the agent.
    #[arg(long, short = 'm', value_name = "M")]
    pub message: String,
}

#[derive(Debug, Args)]
pub struct RespondArgs {
    #[command(flatten)]
    pub decide: DecideArgs,
    /// The answer text.
    #[arg(long, value_name = "T")]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// One JSON object per line: {"session_id":…,"event":<the event as written>}.
    #[arg(long)]
    pub json: bool,
    /// Print the events already in the journals first, then follow.
    #[arg(long)]
    pub from_start: bool,
}
