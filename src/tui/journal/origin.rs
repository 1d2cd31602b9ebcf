//! Where a source's journals are read from. The effect runner keeps one per
//! source number and opens the matching `JournalAccess` for a session: a
//! daemon's sessions live on another machine, a transcript has no journal
//! file at all.

use std::path::PathBuf;

use crate::adapters::AdapterSource;
use crate::feed::FeedSource;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum JournalOrigin {
    /// `events.jsonl` in the session's folder on this machine.
    #[default]
    Files,
    /// Through the daemon at this socket (`events.read`).
    Daemon(PathBuf),
    /// Converted from the source's transcripts.
    Transcripts(AdapterSource),
}

impl JournalOrigin {
    pub fn of(feed: &FeedSource) -> Self {
        match feed {
            FeedSource::Root(_) => Self::Files,
            FeedSource::Daemon(socket) => Self::Daemon(socket.clone()),
            FeedSource::Transcripts(transcripts) => Self::Transcripts(transcripts.clone()),
        }
    }

    /// One per feed, in source order.
    pub fn all(feeds: &[FeedSource]) -> Vec<Self> {
        feeds.iter().map(Self::of).collect()
    }
}
