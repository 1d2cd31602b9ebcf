//! The dashboard: `switchboard` (or `switchboard tui`) on one or more roots.
//!
//! `state` is the single State; `update` changes it, purely, from `msg`s;
//! `ui` draws it; `effects` does the IO update asks for; `app` is the loop.

pub mod app;
pub mod effects;
pub mod event_loop;
pub mod feed_queue;
pub mod frame_log;
pub mod headless;
pub mod journal;
pub mod msg;
pub mod oncall_io;
pub mod review_io;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod ui;
pub mod update;

use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::keys::Keymap;
use crate::model::time::Timestamp;
use state::{State, StateInit};
use theme::Themes;

/// The current time, or `$SWITCHBOARD_NOW` when pinned.
pub fn clock() -> Timestamp {
    crate::config::now().unwrap_or_else(|_| chrono::Utc::now())
}

/// The initial state for `sources` under `config`; errors are one sentence.
pub fn initial_state(
    config: &Config,
    sources: Vec<String>,
    themes: &Themes,
    now: Timestamp,
    viewport: (u16, u16),
) -> Result<State, String> {
    let keymap = Keymap::with_overrides(&config.keymap)?;
    if !themes.contains(&config.theme) {
        return Err(format!(
            "the configured theme {:?} does not exist; use one of {} or add {}",
            config.theme,
            themes.names().join(", "),
            themes_dir()
                .join(format!("{}.toml", config.theme))
                .display()
        ));
    }
    let mut state = State::new(StateInit {
        now,
        sources,
        thresholds: config.stuck.clone(),
        keymap,
        theme: config.theme.clone(),
        themes: themes.names(),
        sort: config.ui.sort,
        tree: config.ui.tree,
        follow: config.ui.follow,
        stuck_recheck_secs: config.ui.stuck_recheck_secs.max(1) as i64,
        viewport,
        default_ttl_minutes: config.hygiene.default_ttl_minutes,
    });
    state.review.style = ui::review::review_style(&themes.get(&config.theme));
    state.review.plan_tools = config.plan_tools();
    state.review.notify_mode = config.notifications.mode;
    Ok(state)
}

pub fn themes_dir() -> PathBuf {
    crate::store::paths::config_dir().join("themes")
}

/// Opens the dashboard and runs it until the user quits.
pub fn run(feeds: Vec<crate::feed::FeedSource>, config: Config) -> Result<(), String> {
    let themes =
        Themes::load(&themes_dir(), theme::no_color_from_env()).map_err(|e| e.to_string())?;
    let sources = feeds.iter().map(crate::feed::FeedSource::label).collect();
    let state = initial_state(&config, sources, &themes, clock(), (80, 24))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the dashboard's runtime: {e}"))?;
    let mut guard = terminal::enter(config.ui.mouse)
        .map_err(|e| format!("cannot open the terminal for the dashboard: {e}"))?;
    let app_config = app::AppConfig {
        feeds,
        plan_tools: config.plan_tools(),
        poll_interval: Duration::from_millis(config.ui.poll_interval_ms.max(50)),
        max_fps: config.ui.max_fps,
        mouse: config.ui.mouse,
    };
    let result = runtime.block_on(app::run(&mut guard, state, themes, app_config));
    drop(guard);
    result.map_err(|e| format!("the dashboard stopped: {e}"))
}
