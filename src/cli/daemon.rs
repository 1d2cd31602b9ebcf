//! `switchboard daemon`: serve one root on a socket, or `--status`.

use super::args::{Cli, DaemonArgs};
use super::context::{Context, Source};
use super::exit::{CliError, CliResult, code};
use super::output::{print_json, print_text};
use crate::daemon::lifecycle::{self, DaemonOptions, Status};
use crate::store::paths;
use crate::telemetry::parse_metrics_addr;

pub fn run(cli: &Cli, args: &DaemonArgs) -> CliResult {
    let socket = args.socket.clone().unwrap_or_else(paths::default_socket);
    if args.status {
        return status(&socket, args.json);
    }
    let ctx = Context::from_cli(cli)?;
    let root = match ctx.sources.as_slice() {
        [Source::Root(root)] => root.clone(),
        [Source::Daemon(_)] | [] => {
            return Err(CliError::usage(
                "a daemon serves a root, not another daemon; pass --root DIR",
            ));
        }
        _ => {
            return Err(CliError::usage(
                "a daemon serves one root; start one daemon per root",
            ));
        }
    };
    let metrics = match args
        .metrics
        .as_deref()
        .unwrap_or(&ctx.config.daemon.metrics_addr)
        .trim()
    {
        "" => None,
        addr => Some(parse_metrics_addr(addr).map_err(CliError::usage)?),
    };
    let options = DaemonOptions {
        root,
        socket,
        log: args.log.clone().unwrap_or_else(lifecycle::default_log),
        config: ctx.config,
        metrics,
    };
    lifecycle::run(options).map_err(|e| CliError::other(e.to_string()))
}

fn status(socket: &std::path::Path, json: bool) -> CliResult {
    let not_running = |text: String| -> CliResult {
        if json {
            print_json(&serde_json::json!({"running": false, "socket": socket, "detail": text}))?;
        } else {
            print_text(&format!("{text}\n"))?;
        }
        Err(CliError::new(code::OTHER, String::new()))
    };
    match lifecycle::status(socket) {
        Status::Running(status) => {
            if json {
                return print_json(&status);
            }
            print_text(&format!(
                "A daemon is running on {} (pid {}, version {}, since {}): root {}, {} sessions, {} clients.\n",
                status.socket,
                status.pid,
                status.version,
                crate::model::time::format_rfc3339(status.started_at),
                status.root,
                status.sessions,
                status.clients,
            ))?;
            match &status.telemetry {
                Some(telemetry) => print_text(&telemetry_text(telemetry)),
                None => Ok(()),
            }
        }
        Status::Stale => not_running(format!(
            "No daemon is running on {}: the socket file is left from one that died (a new daemon replaces it).",
            socket.display()
        )),
        Status::NotRunning => not_running(format!("No daemon is running on {}.", socket.display())),
        Status::Unreachable(e) => not_running(format!(
            "Something listens on {} but does not answer as a daemon: {e}",
            socket.display()
        )),
    }
}

/// `--status`'s line about metrics and traces.
fn telemetry_text(t: &crate::rpc::protocol::TelemetryWire) -> String {
    let mut parts = Vec::new();
    if let Some(addr) = &t.metrics {
        parts.push(format!("metrics on http://{addr}/metrics"));
    }
    if let Some(url) = &t.traces {
        let last = match &t.last_export {
            None => "nothing exported yet".to_string(),
            Some(e) if e.ok => format!(
                "last export ok at {}",
                crate::model::time::format_rfc3339(e.at)
            ),
            Some(e) => format!(
                "last export FAILED at {}: {}",
                crate::model::time::format_rfc3339(e.at),
                crate::sanitize::sanitize_line(e.error.as_deref().unwrap_or("unknown error"))
            ),
        };
        parts.push(format!("traces to {url} ({last})"));
    }
    format!("Telemetry: {}.\n", parts.join("; "))
}
