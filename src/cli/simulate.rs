//! `switchboard simulate`: a simulated fleet written into a root, headless,
//! with progress every few seconds and the rate reached at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::args::{ScenarioName, SimulateArgs};
use super::exit::{CliError, CliResult};
use crate::sim::{self, Scenario, SimHandle, SimOptions, SimReport};

/// How often progress is printed.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

pub fn run(roots: &[PathBuf], args: &SimulateArgs) -> CliResult {
    let root = match roots {
        [root] => root,
        [] => {
            return Err(CliError::usage(
                "simulate needs the root to write into: pass --root DIR (it is created if missing)",
            ));
        }
        _ => {
            return Err(CliError::usage(
                "simulate writes into one root; pass a single --root",
            ));
        }
    };
    let options = options(args)?;
    let fleet = match options.scenario {
        Scenario::Stuck => "one session per stuck rule".to_string(),
        _ => format!("{} sessions", options.sessions),
    };
    println!(
        "simulating {} ({fleet}, {} events/s, seed {}) into {}",
        options.scenario.name(),
        options.rate,
        options.seed,
        root.display()
    );
    let handle = sim::run_background(root, options.clone()).map_err(sim_error)?;
    let interrupted = wait(&handle)?;
    let report = handle.stop().map_err(sim_error)?;
    print_summary(root, &options, &report, interrupted);
    Ok(())
}

fn options(args: &SimulateArgs) -> CliResult<SimOptions> {
    let duration = match args.duration {
        Some(secs) if secs.is_finite() && secs >= 0.0 => Some(Duration::from_secs_f64(secs)),
        Some(secs) => {
            return Err(CliError::usage(format!(
                "--duration must be a number of seconds, not {secs}"
            )));
        }
        None => None,
    };
    Ok(SimOptions {
        sessions: args.sessions,
        rate: args.rate,
        duration,
        seed: args.seed.unwrap_or_else(rand::random),
        scenario: scenario(args.scenario),
        max_events: args.events,
    })
}

pub fn scenario(name: ScenarioName) -> Scenario {
    match name {
        ScenarioName::Mixed => Scenario::Mixed,
        ScenarioName::Stuck => Scenario::Stuck,
        ScenarioName::Review => Scenario::Review,
        ScenarioName::Load => Scenario::Load,
    }
}

pub fn sim_error(e: sim::SimError) -> CliError {
    CliError::other(format!("simulator: {e}"))
}

/// Waits for the run to end by itself or for Ctrl-C, printing progress.
/// Returns whether it was interrupted.
fn wait(handle: &SimHandle) -> CliResult<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let ctrl_c = tokio::signal::ctrl_c();
        tokio::pin!(ctrl_c);
        let mut last = Instant::now();
        let mut closing = false;
        loop {
            tokio::select! {
                _ = &mut ctrl_c => return Ok(true),
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            if handle.is_finished() {
                return Ok(false);
            }
            let report = handle.report();
            if !report.ended && last.elapsed() >= PROGRESS_EVERY {
                println!("{}", report.line());
                last = Instant::now();
            } else if report.ended && !closing {
                println!("closing {} sessions…", report.sessions);
                closing = true;
            }
        }
    })
}

fn print_summary(root: &Path, options: &SimOptions, report: &SimReport, interrupted: bool) {
    let how = if interrupted { "interrupted" } else { "done" };
    println!("{how}: {}", report.line());
    if options.scenario == Scenario::Load {
        let reached = report.rate();
        let verdict = if reached >= options.rate * 0.98 {
            "sustained"
        } else {
            "not sustained"
        };
        println!(
            "rate: {reached:.0} events/s reached of {} asked ({verdict})",
            options.rate
        );
    }
    println!("root: {}", root.display());
}
