//! The command-line surface (`cli.md`), declared with clap's derive API.

use std::path::PathBuf;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

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
    /// Daemon socket to read through instead of a root (repeatable; mixes with --root).
    #[arg(long, global = true, value_name = "SOCKET")]
    pub connect: Vec<PathBuf>,
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
    /// `--root` and `--connect` in the order given (see `parse_ordered`).
    #[arg(skip)]
    pub sources: Vec<SourceArg>,
}

/// One `--root` or `--connect`, kept in command-line order so that source
/// numbers (and the dashboard's) follow what the user typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceArg {
    Root(PathBuf),
    Connect(PathBuf),
}

impl Cli {
    /// Parses the process's arguments, exiting on a usage error like `parse`.
    pub fn parse_ordered() -> Self {
        Self::try_parse_ordered_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    pub fn try_parse_ordered_from<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let matches = Self::command().try_get_matches_from(args.clone())?;
        let mut cli = Self::from_arg_matches(&matches)?;
        cli.sources = ordered_sources(&matches);
        // clap keeps only one side's values of a global option given both
        // before and after the subcommand; read them all from the arguments.
        let scanned = scan_sources(&args);
        if scanned.len() > cli.sources.len() {
            cli.sources = scanned;
        }
        cli.root = roots_of(&cli.sources, |s| match s {
            SourceArg::Root(p) => Some(p),
            SourceArg::Connect(_) => None,
        });
        cli.connect = roots_of(&cli.sources, |s| match s {
            SourceArg::Connect(p) => Some(p),
            SourceArg::Root(_) => None,
        });
        Ok(cli)
    }
}

/// `--root X`, `--root=X`, `--connect X`, `--connect=X` in argument order,
/// up to a `--`. Only used once clap has accepted the arguments, so every
/// such token is an option and the next one its value.
fn scan_sources(args: &[std::ffi::OsString]) -> Vec<SourceArg> {
    let mut sources = Vec::new();
    let mut tokens = args.iter().skip(1);
    while let Some(token) = tokens.next() {
        let Some(text) = token.to_str() else {
            continue;
        };
        if text == "--" {
            break;
        }
        for (flag, make) in [
            ("--root", SourceArg::Root as fn(PathBuf) -> SourceArg),
            ("--connect", SourceArg::Connect),
        ] {
            if text == flag {
                if let Some(value) = tokens.next() {
                    sources.push(make(PathBuf::from(value)));
                }
            } else if let Some(value) = text.strip_prefix(flag).and_then(|v| v.strip_prefix('=')) {
                sources.push(make(PathBuf::from(value)));
            }
        }
    }
    sources
}

fn roots_of(sources: &[SourceArg], pick: impl Fn(&SourceArg) -> Option<&PathBuf>) -> Vec<PathBuf> {
    sources.iter().filter_map(pick).cloned().collect()
}

/// Orders the `--root` and `--connect` values by where they appeared. A
/// global option may be given before and after the subcommand; clap keeps
/// each level's values apart, so every level is read.
fn ordered_sources(matches: &ArgMatches) -> Vec<SourceArg> {
    let mut tagged: Vec<(usize, SourceArg)> = Vec::new();
    let mut level = Some(matches);
    while let Some(m) = level {
        for (id, make) in [
            ("root", SourceArg::Root as fn(PathBuf) -> SourceArg),
            ("connect", SourceArg::Connect),
        ] {
            let (Some(indices), Some(values)) = (m.indices_of(id), m.get_many::<PathBuf>(id))
            else {
                continue;
            };
            for (at, value) in indices.zip(values) {
                let source = make(value.clone());
                if !tagged.iter().any(|(i, s)| *i == at && *s == source) {
                    tagged.push((at, source));
                }
            }
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    tagged.sort_by_key(|(at, _)| *at);
    tagged.into_iter().map(|(_, source)| source).collect()
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
    /// One row per agent: sessions by status, concurrency, rate limits,
    /// tokens and cost; then token totals per project.
    Agents(AgentsArgs),
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
    /// The approval bridge for Claude Code and Codex: their hook commands, and installing them.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Serve the root over a Unix socket (JSON-RPC 2.0; see docs/protocol.md).
    Daemon(DaemonArgs),
    /// Write a simulated fleet of sessions into a root (headless).
    #[command(long_about = SIMULATE_ABOUT)]
    Simulate(SimulateArgs),
    /// A simulated fleet in a scratch root, to try everything on.
    Demo(DemoArgs),
    /// Follow every journal; print each event as it is appended.
    Watch(WatchArgs),
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
    /// Claude Code's hook command (PreToolUse, PermissionRequest, PostToolUse): reads the hook's JSON on stdin, waits for a decision made in Switchboard, answers allow, deny or ask.
    ClaudeCode(HookRunArgs),
    /// Codex's hook command (PermissionRequest, PreToolUse, PostToolUse): the same bridge for Codex's approval prompts.
    Codex(HookRunArgs),
    /// Add the hook to the tool's settings (a backup is made first).
    Install(HookInstallArgs),
    /// Remove the hook from the tool's settings.
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
    Codex,
}

#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// The tool whose settings to change.
    pub tool: HookTool,
    /// Settings file to change (default ~/.claude/settings.json for
    /// claude-code, $CODEX_HOME/hooks.json, else ~/.codex/hooks.json, for codex).
    #[arg(long, value_name = "PATH")]
    pub settings: Option<PathBuf>,
    /// Print the change as a diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Socket path [default: <runtime dir>/switchboard/daemon.sock].
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// Tell whether a daemon is running on the socket, then exit (0 if it is).
    #[arg(long)]
    pub status: bool,
    /// Log file [default: <state dir>/switchboard/daemon.log].
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// With --status: print the daemon's status as one JSON document.
    #[arg(long, requires = "status")]
    pub json: bool,
    /// Serve Prometheus metrics at http://ADDR/metrics: PORT (on 127.0.0.1)
    /// or IP:PORT [default: [daemon] metrics_addr, else off].
    #[arg(long, value_name = "ADDR", conflicts_with = "status")]
    pub metrics: Option<String>,
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
pub struct AgentsArgs {
    /// Print exactly one JSON document on stdout (the agent rows, or the
    /// project rows with --projects).
    #[arg(long)]
    pub json: bool,
    /// Only the totals per project (Claude Code's project folder, else the
    /// working directory).
    #[arg(long)]
    pub projects: bool,
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

#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// Session id (its folder name), or SOURCE:ID (SOURCE is root, daemon,
    /// claude-code or codex) when several sources hold that id.
    pub session: String,
    /// Read the session from this source: root, daemon, claude-code, codex,
    /// or a root, socket or transcript directory path.
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
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

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// One JSON object per line: {"session_id":…,"event":<the event as written>}.
    #[arg(long)]
    pub json: bool,
    /// Print the events already in the journals first, then follow.
    #[arg(long)]
    pub from_start: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argv: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_ordered_from(argv.iter().copied())
    }

    #[test]
    fn sources_keep_command_line_order_wherever_they_are_given() {
        let expected = vec![
            SourceArg::Connect("/s1".into()),
            SourceArg::Root("/r1".into()),
            SourceArg::Connect("/s2".into()),
        ];
        let before = parse(&[
            "sb",
            "--connect",
            "/s1",
            "--root",
            "/r1",
            "--connect=/s2",
            "ls",
        ]);
        let before = before.unwrap();
        assert_eq!(before.sources, expected);
        assert_eq!(before.root, vec![PathBuf::from("/r1")]);
        let after = parse(&[
            "sb",
            "ls",
            "--connect",
            "/s1",
            "--root",
            "/r1",
            "--connect",
            "/s2",
        ]);
        assert_eq!(after.unwrap().sources, expected);
        let split = parse(&[
            "sb",
            "--root",
            "/r1",
            "ls",
            "--root",
            "/r2",
            "--connect",
            "/s",
        ]);
        let split = split.unwrap();
        assert_eq!(
            split.sources,
            vec![
                SourceArg::Root("/r1".into()),
                SourceArg::Root("/r2".into()),
                SourceArg::Connect("/s".into())
            ],
            "both sides of the subcommand count"
        );
        assert_eq!(split.root.len(), 2);
    }
}
