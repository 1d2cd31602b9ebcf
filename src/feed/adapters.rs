//! Following transcript sources (`--claude-code`, `--codex`) as feeds: the
//! same `Update` values as a root feed, built from synthetic journal lines,
//! so the dashboard and `watch` need nothing special for them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::mpsc::Sender;

use super::spawn::FeedHandle;
use super::update::{FeedHealth, SessionKey, Update};
use crate::adapters::source::AdapterSource;
use crate::model::plan::PlanTools;
use crate::model::session::SessionDoc;
use crate::model::time::Timestamp;
use crate::model::wake::WakeQueue;
use crate::store::transcript::FollowedTranscript;

struct Tracked {
    transcript: FollowedTranscript,
    /// The last `session.json` sent, to send `Meta` only on change (the
    /// inferred status also changes with time alone).
    last_doc: Map<String, Value>,
}

/// Polls one transcript source, emitting updates for what changed.
pub struct AdapterPoller {
    source_index: usize,
    source: AdapterSource,
    plan_tools: PlanTools,
    tracked: BTreeMap<String, Tracked>,
    unavailable: Option<bool>,
}

impl AdapterPoller {
    pub fn new(source: AdapterSource, source_index: usize, plan_tools: PlanTools) -> Self {
        Self {
            source_index,
            source,
            plan_tools,
            tracked: BTreeMap::new(),
            unavailable: None,
        }
    }

    fn key(&self, id: &str) -> SessionKey {
        SessionKey {
            source: self.source_index,
            id: id.to_string(),
        }
    }

    /// One pass: new transcripts are loaded, grown ones send their new
    /// events, vanished ones are removed.
    pub fn poll_all(&mut self, now: Timestamp) -> Vec<Update> {
        let mut updates = Vec::new();
        let files = match self.source.discover() {
            Ok(files) => {
                if self.unavailable == Some(true) {
                    updates.push(self.health(FeedHealth::Polling {
                        interval_ms: 0,
                        reason: "transcripts are back".into(),
                    }));
                }
                self.unavailable = Some(false);
                files
            }
            Err(e) => {
                if self.unavailable != Some(true) {
                    updates.push(self.health(FeedHealth::Unavailable {
                        reason: e.to_string(),
                    }));
                }
                self.unavailable = Some(true);
                Vec::new()
            }
        };
        let present: Vec<&str> = files.iter().map(|f| f.session_id.as_str()).collect();
        let gone: Vec<String> = self
            .tracked
            .keys()
            .filter(|id| !present.contains(&id.as_str()))
            .cloned()
            .collect();
        for id in gone {
            self.tracked.remove(&id);
            updates.push(Update::Removed { key: self.key(&id) });
        }
        for file in files {
            let id = file.session_id.clone();
            if !self.tracked.contains_key(&id) {
                let transcript = FollowedTranscript::new(file);
                updates.extend(self.load(transcript, false, now));
                continue;
            }
            updates.extend(self.poll_one(&id, now));
        }
        updates
    }

    fn health(&self, health: FeedHealth) -> Update {
        Update::Health {
            source: self.source_index,
            health,
        }
    }

    fn load(
        &mut self,
        mut transcript: FollowedTranscript,
        replaced: bool,
        now: Timestamp,
    ) -> Vec<Update> {
        let id = transcript.file.session_id.clone();
        let lines = match transcript.read_new() {
            Ok(step) => step.lines,
            Err(e) => {
                tracing::debug!("read {}: {e}", transcript.file.path.display());
                return Vec::new();
            }
        };
        let snapshot = transcript.snapshot(&lines, &self.plan_tools, now);
        let last_doc = transcript.session_doc(now);
        self.tracked.insert(
            id.clone(),
            Tracked {
                transcript,
                last_doc,
            },
        );
        vec![Update::Loaded {
            key: self.key(&id),
            snapshot: Box::new(snapshot),
            replaced,
        }]
    }

    fn poll_one(&mut self, id: &str, now: Timestamp) -> Vec<Update> {
        let key = self.key(id);
        let Some(tracked) = self.tracked.get_mut(id) else {
            return Vec::new();
        };
        let mut updates = Vec::new();
        match tracked.transcript.read_new() {
            Ok(step) if step.replaced && !step.missing => {
                // Conversion restarted; the lines are the whole new file.
                let snapshot = tracked
                    .transcript
                    .snapshot(&step.lines, &self.plan_tools, now);
                tracked.last_doc = tracked.transcript.session_doc(now);
                return vec![Update::Loaded {
                    key,
                    snapshot: Box::new(snapshot),
                    replaced: true,
                }];
            }
            Ok(step) if !step.lines.is_empty() => updates.push(Update::Appended {
                key: key.clone(),
                end: tracked.transcript.synthetic_end,
                lines: step.lines,
            }),
            Ok(_) => {}
            Err(e) => tracing::debug!("poll {}: {e}", tracked.transcript.file.path.display()),
        }
        let doc = tracked.transcript.session_doc(now);
        if doc != tracked.last_doc || !updates.is_empty() {
            tracked.last_doc = doc.clone();
            let doc = SessionDoc::from_object(doc);
            updates.push(Update::Meta {
                key,
                journal_mtime: tracked.transcript.file.activity_mtime(&doc),
                doc: Box::new(doc),
                doc_error: None,
                wake: WakeQueue::default(),
                heartbeat_mtime: None,
            });
        }
        updates
    }
}

/// Any transcript source in a background thread, polling every `interval`.
pub fn spawn_adapter_feed(
    adapter: AdapterSource,
    source: usize,
    plan_tools: PlanTools,
    interval: Duration,
    tx: Sender<Update>,
) -> std::io::Result<FeedHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let stop_flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name(format!("feed-{source}-{}", adapter.kind.label()))
        .spawn(move || {
            let label = adapter.label();
            let mut poller = AdapterPoller::new(adapter, source, plan_tools);
            let health = Update::Health {
                source,
                health: FeedHealth::Polling {
                    interval_ms: interval.as_millis() as u64,
                    reason: format!("{label}, read-only"),
                },
            };
            if tx.blocking_send(health).is_err() {
                return;
            }
            while !stop_flag.load(Ordering::Relaxed) {
                for update in poller.poll_all(chrono::Utc::now()) {
                    if tx.blocking_send(update).is_err() {
                        return;
                    }
                }
                std::thread::sleep(interval);
            }
        })?;
    Ok(FeedHandle::from_parts(stop, thread))
}
