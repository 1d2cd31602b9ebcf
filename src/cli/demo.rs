//! `switchboard demo`: a simulated fleet in a scratch root under the cache
//! dir, running in the background while the dashboard is open on it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::args::DemoArgs;
use super::context::now;
use super::exit::CliResult;
use super::simulate::sim_error;
use crate::config::Config;
use crate::sanitize::sanitize_line;
use crate::sim::{self, SimOptions};
use crate::store::fleet::Fleet;
use crate::store::paths;
use crate::views::FleetViews;

/// In a terminal the demo opens the dashboard on the fleet; piped or
/// scripted, it keeps the fleet running until Ctrl-C for other commands.
pub fn run(args: &DemoArgs) -> CliResult {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        run_demo(args, open_dashboard)
    } else {
        run_demo(args, wait_for_interrupt)
    }
}

fn open_dashboard(root: &Path) -> CliResult {
    let config = Config::load()?;
    crate::tui::run(
        vec![crate::feed::FeedSource::Root(root.to_path_buf())],
        config,
    )
    .map_err(super::exit::CliError::other)
}

/// Starts the simulated fleet, hands its root to `open_dashboard` (which
/// returns when the person is done), then stops the fleet and says where
/// the root is kept.
pub fn run_demo(args: &DemoArgs, open_dashboard: impl FnOnce(&Path) -> CliResult) -> CliResult {
    let root = scratch_root();
    let options = SimOptions {
        sessions: args.sessions,
        ..SimOptions::demo(args.seed)
    };
    let handle = sim::run_background(&root, options).map_err(sim_error)?;
    print_intro(&root);
    let result = open_dashboard(&root);
    let report = handle.stop().map_err(sim_error)?;
    println!(
        "\nStopped the simulated fleet after {} events ({} decisions honoured, {} refused).",
        report.events, report.honoured, report.refused
    );
    println!("The demo root is kept at {}", root.display());
    println!(
        "  look again: switchboard --root {} ls\n  remove it:  rm -rf {}",
        root.display(),
        root.display()
    );
    result
}

/// A fresh folder under `<cache dir>/demo/`, named by the time.
fn scratch_root() -> PathBuf {
    let base = paths::cache_dir().join("demo");
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S").to_string();
    let mut root = base.join(&stamp);
    let mut n = 2;
    while root.exists() {
        root = base.join(format!("{stamp}-{n}"));
        n += 1;
    }
    root
}

fn print_intro(root: &Path) {
    let r = root.display();
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() {
        // The dashboard takes the screen at once; the commands come after it.
        println!("A simulated fleet is running in {r}; opening the dashboard (q quits, ? helps).");
        return;
    }
    println!("A simulated fleet is running in {r}");
    println!("Agents work, ask for approval, get stuck, and honour your decisions.\n");
    println!("Try, in another terminal:");
    println!("  export SWITCHBOARD_ROOT={r}");
    println!("  switchboard ls                  # one row per session");
    println!("  switchboard pending             # what waits for a decision, with fingerprints");
    println!("  switchboard doctor              # stuck sessions, and why");
    println!("  switchboard show SESSION --tail 20");
    match example_request(root) {
        Some((session, event, fingerprint)) => {
            println!("  switchboard approve {session} {event} --fingerprint {fingerprint}")
        }
        None => println!("  switchboard approve SESSION EVENT --fingerprint sha256:…"),
    }
    println!(
        "  switchboard redirect SESSION EVENT --fingerprint sha256:… --message \"add a test first\""
    );
    println!("  switchboard --root {r}   # another dashboard on this fleet");
    println!("\nPress Ctrl-C to stop the fleet.");
}

/// A real pending request to show in the approve example (waits briefly
/// for the first one).
fn example_request(root: &Path) -> Option<(String, String, String)> {
    let config = Config::load().unwrap_or_default();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if let Ok(fleet) = Fleet::load(root, &config.plan_tools()) {
            let time = now().unwrap_or_else(|_| chrono::Utc::now());
            let views = FleetViews::build(&fleet, &config.stuck, time);
            if let Some(row) = views
                .pending
                .iter()
                .find(|r| r.kind != "custom_tool_result")
            {
                return Some((
                    sanitize_line(&row.session_id),
                    sanitize_line(&row.event_id),
                    sanitize_line(&row.fingerprint),
                ));
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    None
}

/// Without a terminal for the dashboard: keep the fleet running until Ctrl-C.
fn wait_for_interrupt(_root: &Path) -> CliResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(tokio::signal::ctrl_c())?;
    Ok(())
}
