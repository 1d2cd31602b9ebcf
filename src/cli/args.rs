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
    /// Also show Claude Code sessions, read-only, from DIR (default ~/.claude/projects).
    #[arg(long = "claude-code", global = true, value_name = "DIR", num_args = 0..=1)]
    pub claude_code: Option<Option<PathBuf>>,
    /// Also show Codex sessions, read-only, from DIR (default $CODEX_HOME, else ~/.codex).
    #[arg(long, global = true, value_name = "DIR", num_args = 0..=1)]
    pub codex: Option<Option<PathBuf>>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The dashboard (also what `switchboard` alone opens).
    Tui,
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
    /// One row per agent: sessions by status, concurrency, rate limits, tokens.
    Agents(JsonArgs),
    /// Mark sessions archived (hidden by default; purge deletes them later).
    Archive(ArchiveArgs),
    /// Clear the archived mark.
    Unarchive(UnarchiveArgs),
    /// Delete archived session folders (a dry run unless --yes).
    Purge(PurgeArgs),
    /// Interrupt a session (appends user.interrupt).
    Interrupt(ActionArgs),
    /// Send a session a message (appends user.message).
    Message(MessageArgs),
    /// Schedule a revisit (appends a wake-queue entry, due now by default).
    Wake(WakeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// Claude Code's approval bridge: the PreToolUse hook, and installing it.
    #[command(subcommand)]
    Hook(HookCommand),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// Session id.
    pub session: String,
    /// Who acts (default human:<user>@<host>).
    #[arg(long = "as", value_name = "WHO")]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MessageArgs {
    #[command(flatten)]
    pub action: ActionArgs,
    /// The message text.
    #[arg(long, short = 't', value_name = "T")]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct WakeArgs {
    #[command(flatten)]
    pub action: ActionArgs,
    /// Due after this long (90s, 30m, 12h); default now.
    #[arg(long = "in", value_name = "DURATION")]
    pub due_in: Option<String>,
    /// Why the revisit is scheduled.
    #[arg(long, default_value = "revisit requested by an operator")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// Session ids to archive.
    #[arg(required_unless_present = "expired")]
    pub sessions: Vec<String>,
    /// Archive every session past its TTL.
    #[arg(long)]
    pub expired: bool,
    /// Archive even a running session or one with pending requests.
    #[arg(long)]
    pub force: bool,
    #[arg(long = "as", value_name = "WHO")]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UnarchiveArgs {
    #[arg(required = true)]
    pub sessions: Vec<String>,
    #[arg(long = "as", value_name = "WHO")]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Purge archived sessions (the only kind ever purged; required).
    #[arg(long, required = true)]
    pub archived: bool,
    /// Only sessions archived longer ago than this (90s, 30m, 12h, 7d, 2w).
    #[arg(long, value_name = "DURATION")]
    pub older_than: String,
    /// Show what would be deleted (the default).
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,
    /// Delete them.
    #[arg(long)]
    pub yes: bool,
    #[arg(long = "as", value_name = "WHO")]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// The PreToolUse hook command: reads the hook's JSON on stdin, waits for a decision made in Switchboard, answers allow, deny or ask.
    ClaudeCode(HookRunArgs),
    /// Add the hook to Claude Code's settings (a backup is made first).
    Install(HookInstallArgs),
    /// Remove the hook from Claude Code's settings.
    Uninstall(HookInstallArgs),
}

#[derive(Debug, Args)]
pub struct HookRunArgs {
    /// Seconds to wait for a decision before answering "ask" (default: [hook] timeout_secs, 50).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HookTool {
    ClaudeCode,
}

#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// The tool whose settings to change.
    pub tool: HookTool,
    /// Settings file to change (default ~/.claude/settings.json).
    #[arg(long, value_name = "PATH")]
    pub settings: Option<PathBuf>,
    /// Print the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    /// Only sessions past their TTL (metadata.ttl_minutes or the configured default).
    #[arg(long)]
    pub expired: bool,
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
    /// Exit 1 when any session is stuck (for cron and alerting).
    #[arg(long)]
    pub fail_on_stuck: bool,
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
