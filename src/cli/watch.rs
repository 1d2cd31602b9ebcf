//! `switchboard watch`: follow every journal under the roots and print each
//! event as it is appended, until interrupted or stdout is closed.

use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, Receiver};

use super::args::WatchArgs;
use super::context::Context;
use super::exit::{CliError, CliResult};
use super::watch_print::Printer;
use crate::feed::{FeedHandle, FeedOptions, FeedSource, Update, spawn_feed};

/// Updates waiting between the feed threads and the printer.
const CHANNEL: usize = 4096;

pub fn run(ctx: &Context, args: &WatchArgs) -> CliResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::other(format!("cannot start: {e}")))?;
    runtime.block_on(watch(ctx, args))
}

async fn watch(ctx: &Context, args: &WatchArgs) -> CliResult {
    let (tx, mut rx) = mpsc::channel(CHANNEL);
    let mut feeds: Vec<FeedHandle> = Vec::new();
    let mut labels = Vec::new();
    let mut local = Vec::new();
    let interval = Duration::from_millis(ctx.config.ui.poll_interval_ms.max(50));
    for (source, feed) in ctx.feed_sources().into_iter().enumerate() {
        let started = match &feed {
            FeedSource::Root(root) => {
                let mut options = FeedOptions::new(root.clone(), source, ctx.config.plan_tools())
                    .with_config(&ctx.config.feed);
                options.retry_interval = Duration::from_secs(30);
                spawn_feed(options, tx.clone())
            }
            other => other.spawn(source, ctx.config.plan_tools(), interval, tx.clone()),
        };
        let handle =
            started.map_err(|e| CliError::other(format!("cannot follow {}: {e}", feed.label())))?;
        feeds.push(handle);
        labels.push(std::path::PathBuf::from(feed.label()));
        local.push(matches!(feed, FeedSource::Root(_)));
    }
    drop(tx);
    let mut printer = Printer::new(args, &labels, &local);
    let result = follow(&mut rx, &mut printer).await;
    // The feeds may be waiting to send: close the channel before joining them.
    drop(rx);
    drop(feeds);
    result
}

async fn follow(rx: &mut Receiver<Update>, printer: &mut Printer) -> CliResult {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    loop {
        tokio::select! {
            update = rx.recv() => {
                let Some(update) = update else { return Ok(()) };
                printer.handle(update)?;
                // Print whatever else is ready, then flush once: lines reach
                // a pipe at once, without a write per line.
                while let Ok(update) = rx.try_recv() {
                    printer.handle(update)?;
                }
                printer.flush()?;
            }
            _ = interrupt.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
        }
    }
}
