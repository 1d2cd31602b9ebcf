//! The kinds of source a dashboard follows, each started as a feed that
//! emits the same `Update`s.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::Sender;

use super::adapters::spawn_adapter_feed;
use super::socket::spawn_socket_feed;
use super::spawn::{FeedHandle, root_feed_options, spawn_feed, spawn_root_feed};
use super::update::Update;
use crate::adapters::AdapterSource;
use crate::model::plan::PlanTools;
use crate::store::session_snapshot::TAIL_FIRST_BYTES;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSource {
    /// A root of session folders on this machine.
    Root(PathBuf),
    /// A `switchboard daemon` socket.
    Daemon(PathBuf),
    /// Claude Code transcripts or Codex rollouts, read-only.
    Transcripts(AdapterSource),
}

impl FeedSource {
    /// How rows from this source are labelled.
    pub fn label(&self) -> String {
        match self {
            Self::Root(path) | Self::Daemon(path) => path.display().to_string(),
            Self::Transcripts(transcripts) => transcripts.label(),
        }
    }

    /// Starts following this source as source number `source`.
    pub fn spawn(
        &self,
        source: usize,
        plan_tools: PlanTools,
        interval: Duration,
        tx: Sender<Update>,
    ) -> std::io::Result<FeedHandle> {
        match self {
            Self::Root(root) => spawn_root_feed(root.clone(), source, plan_tools, interval, tx),
            Self::Daemon(socket) => spawn_socket_feed(socket.clone(), source, plan_tools, tx),
            Self::Transcripts(transcripts) => {
                spawn_adapter_feed(transcripts.clone(), source, plan_tools, interval, tx)
            }
        }
    }

    /// `spawn` for the dashboard: a root's big journals with no cached
    /// summary are sent from their tail first, their counts after
    /// (`FeedOptions::tail_first`), so their rows and streams show at once.
    pub fn spawn_tail_first(
        &self,
        source: usize,
        plan_tools: PlanTools,
        interval: Duration,
        tx: Sender<Update>,
    ) -> std::io::Result<FeedHandle> {
        match self {
            Self::Root(root) => {
                let mut options = root_feed_options(root.clone(), source, plan_tools, interval);
                options.tail_first = Some(TAIL_FIRST_BYTES);
                spawn_feed(options, tx)
            }
            other => other.spawn(source, plan_tools, interval, tx),
        }
    }
}
