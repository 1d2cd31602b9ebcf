//! Integration tests, one binary: each module was once its own test
//! target; linking them once keeps builds fast and `target/` small.
//! Tests that change the process environment live in `process_env`.

mod common;

mod actions;
mod adapters;
mod cli_contract;
mod concurrency;
mod configuration_doc;
mod daemon;
mod daemon_feed;
mod demo;
mod fuzz_regressions;
mod hook;
mod hook_transcript;
mod hygiene;
mod layering;
mod line_parser_fuzz;
mod queued_user_events;
mod readme;
mod reliability;
mod screen_truth;
mod simulate;
mod telemetry;
mod terminal_safety;
mod tui_burst;
mod tui_first_open;
mod tui_journals;
mod tui_oncall;
mod tui_replay;
mod tui_snapshots;
mod tui_tmux;
mod watch;
