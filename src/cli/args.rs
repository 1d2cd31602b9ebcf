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
    /// Write a simulated fleet of sessions into a root (headless).
    #[command(long_about = SIMULATE_ABOUT)]
    Simulate(SimulateArgs),
    /// A simulated fleet in a scratch root, to try everything on.
    Demo(DemoArgs),
}

const SIMULATE_ABOUT: &str = "Write a simulated fleet of sessions into a root (headless).

The simulated agents write real session folders through the same store a
runtime uses, and honour decisions made with approve/deny/redirect/respond as
the contract requires: a stale, tampered or replayed decision is refused with
a system.message and the agent asks again. The same --seed gives the same
sessions and events, apart from timestamps.

Scenarios:
  mixed   a realistic fleet: orchestrators with child sessions, planners whose
          plans wait for approval (a redirect gets a revised plan), workers
          whose edits (unified diffs) and git pushes need confirmation,
          support agents waiting on custom tools, errors with retries,
          reschedules through wake-queue.jsonl, endings (end_turn,
          retries_exhausted), a plan met at revision 2 after a redirect;
          with --sessions 12 or more, also one session stuck in each of the
          seven ways. Sessions that end or start waiting are replaced, up to
          three times --sessions open at once.
  stuck   only the stuck cases, one per rule (--sessions is ignored)
  review  plans, tool confirmations and custom tool uses waiting for review
  load    uniform cheap events for benchmarks: batched, unsynced writes;
          prints the rate reached (e.g. --sessions 10000 --rate 50000)";

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioName {
    /// A realistic fleet with everything, including stuck sessions.
    Mixed,
    /// Only the stuck cases, one per rule.
    Stuck,
    /// Plans and tool confirmations waiting for review.
    Review,
    /// Uniform cheap events for benchmarks.
    Load,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// How many sessions to start with.
    #[arg(long, value_name = "N", default_value_t = 24)]
    pub sessions: usize,
    /// Target events per second across the fleet.
    #[arg(long, value_name = "EVENTS_PER_S", default_value_t = 10.0)]
    pub rate: f64,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Seed for every choice (default: a random one, printed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// What to simulate (the scenarios are described above).
    #[arg(long, value_name = "NAME", value_enum, default_value_t = ScenarioName::Mixed)]
    pub scenario: ScenarioName,
    /// Stop once this many events have been written.
    #[arg(long, value_name = "N")]
    pub events: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many sessions the demo fleet starts with.
    #[arg(long, value_name = "N", default_value_t = 18)]
    pub sessions: usize,
    /// Seed for the demo fleet.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,
}
