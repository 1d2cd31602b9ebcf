//! `switchboard hook claude-code` and `hook codex` (the bridge), and
//! `hook install` / `hook uninstall` for either.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::args::{Cli, HookCommand, HookInstallArgs, HookRunArgs, HookTool};
use super::exit::{CliError, CliResult};
use super::output::print_text;
use crate::config::Config;
use crate::hook::install::{apply, hook_command, with_hook, without_hook};
use crate::hook::{BridgeAgent, HookAnswer, HookEvent, HookInput, run_bridge};
use crate::store::paths;

/// The agent kills a hook after its `timeout`; the installed entry gives
/// ours this much beyond its own wait.
const AGENT_TIMEOUT_MARGIN_SECS: u64 = 10;
const POLL: Duration = Duration::from_millis(50);

pub fn run(cli: &Cli, command: &HookCommand) -> CliResult {
    match command {
        HookCommand::ClaudeCode(args) => answer_hook(cli, BridgeAgent::ClaudeCode, args),
        HookCommand::Codex(args) => answer_hook(cli, BridgeAgent::Codex, args),
        HookCommand::Install(args) => install(cli, args, true),
        HookCommand::Uninstall(args) => install(cli, args, false),
    }
}

fn answer_hook(cli: &Cli, agent: BridgeAgent, args: &HookRunArgs) -> CliResult {
    let mut stdin = Vec::new();
    let (event, answer) = match std::io::stdin().read_to_end(&mut stdin) {
        Ok(_) => bridge(cli, agent, args, &stdin),
        Err(e) => (
            HookEvent::PreToolUse,
            failed(agent, format!("could not read the hook input: {e}")),
        ),
    };
    let mut out = std::io::stdout().lock();
    // The agent reads one JSON document; exit 0 so it is honoured.
    let _ = writeln!(out, "{}", answer.to_json(event));
    Ok(())
}

/// The event the input names (answered in its own shape even when the rest
/// of the input is unusable), and the answer. Everything that can go wrong
/// ends in `ask`, with the reason on stderr too.
fn bridge(
    cli: &Cli,
    agent: BridgeAgent,
    args: &HookRunArgs,
    stdin: &[u8],
) -> (HookEvent, HookAnswer) {
    let named = serde_json::from_slice::<serde_json::Value>(stdin)
        .ok()
        .and_then(|v| {
            v.get("hook_event_name")?
                .as_str()
                .and_then(HookEvent::parse)
        })
        .unwrap_or(HookEvent::PreToolUse);
    let input = match HookInput::parse_for(agent, stdin) {
        Ok(input) => input,
        Err(e) => return (named, failed(agent, e.to_string())),
    };
    if !input.event.asks_permission() {
        // The tool already ran: the transcript shows its result.
        return (input.event, HookAnswer::ask(""));
    }
    let config = match load_config(cli) {
        Ok(config) => config,
        Err(e) => return (input.event, failed(agent, e.message)),
    };
    let timeout = args.timeout.unwrap_or(config.hook.timeout_secs);
    let root = cli
        .root
        .first()
        .cloned()
        .unwrap_or_else(paths::default_root);
    let answer = run_bridge(
        &root,
        &input,
        Duration::from_secs(timeout),
        POLL,
        &chrono::Utc::now,
    );
    if answer.permission == crate::hook::Permission::Ask {
        eprintln!("switchboard: {}", answer.reason);
    }
    (input.event, answer)
}

fn failed(agent: BridgeAgent, why: String) -> HookAnswer {
    eprintln!(
        "switchboard hook: {why}; {} will ask you instead.",
        agent.name()
    );
    HookAnswer::ask(format!(
        "Switchboard could not take this request ({why}); decide here instead."
    ))
}

fn load_config(cli: &Cli) -> CliResult<Config> {
    Ok(match &cli.config {
        Some(path) => Config::load_from(path)?,
        None => Config::load()?,
    })
}

fn install(cli: &Cli, args: &HookInstallArgs, add: bool) -> CliResult {
    let agent = match args.tool {
        HookTool::ClaudeCode => BridgeAgent::ClaudeCode,
        HookTool::Codex => BridgeAgent::Codex,
    };
    let config = load_config(cli)?;
    let path: PathBuf = args
        .settings
        .clone()
        .unwrap_or_else(|| agent.default_settings_path());
    let timeout = config.hook.timeout_secs;
    let command = hook_command(agent, cli.root.first().map(PathBuf::as_path), timeout);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let change = if add {
        apply(
            &path,
            |s| with_hook(s, agent, &command, timeout + AGENT_TIMEOUT_MARGIN_SECS),
            args.dry_run,
            &stamp,
        )
    } else {
        apply(&path, |s| without_hook(s, agent), args.dry_run, &stamp)
    }
    .map_err(|e| CliError::other(e.to_string()))?;
    let verb = if add { "installed in" } else { "removed from" };
    let name = agent.name();
    if !change.changed() {
        let state = if add {
            "already installed in"
        } else {
            "not installed in"
        };
        return print_text(&format!(
            "The {name} hook is {state} {}; nothing to do.\n",
            path.display()
        ));
    }
    if args.dry_run {
        return print_text(&change.diff());
    }
    let backup = change
        .backup
        .as_ref()
        .map(|b| format!(" (backup: {})", b.display()))
        .unwrap_or_default();
    print_text(&format!(
        "The {name} hook is {verb} {}{backup}.\n",
        path.display()
    ))
}
