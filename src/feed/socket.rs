//! Following a daemon instead of a root: subscribe, rebuild every session
//! from its metadata and its journal lines (folded exactly as a root feed
//! folds them), then turn notifications into the same `Update` values. The
//! dashboard cannot tell the difference. When the daemon goes away the feed
//! reports `Unavailable` and reconnects with backoff; on `resync` it starts
//! over from a fresh subscription.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc::Sender;

use super::spawn::FeedHandle;
use super::update::{FeedHealth, SessionKey, Update};
use crate::model::plan::PlanTools;
use crate::model::summary::JournalSummary;
use crate::rpc::protocol::{
    AppendedParams, HealthWire, LoadedParams, Notification, ReadParams, ReadResult, SessionMeta,
    SessionParams, SubscribeParams, SubscribeResult, TelemetryWire, Topic, method, notification,
};
use crate::rpc::{Client, ClientError};
use crate::store::session_snapshot::{SessionSnapshot, fold_line};

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often a waiting feed looks at its stop flag.
const TICK: Duration = Duration::from_millis(100);

/// Follows the daemon at `socket`, sending updates for source number
/// `source` to `tx`, until the handle is stopped or dropped.
pub fn spawn_socket_feed(
    socket: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    tx: Sender<Update>,
) -> std::io::Result<FeedHandle> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name(format!("feed-{source}"))
        .spawn(move || {
            let mut feed = SocketFeed {
                socket,
                source,
                plan_tools,
                tx,
                stop: flag,
                known: BTreeSet::new(),
            };
            feed.run();
        })?;
    Ok(FeedHandle::from_parts(stop, thread))
}

/// Why following stopped.
enum Stop {
    /// Asked to, or nobody listens any more.
    Done,
    Lost(ClientError),
}

impl From<ClientError> for Stop {
    fn from(e: ClientError) -> Self {
        Self::Lost(e)
    }
}

struct SocketFeed {
    socket: PathBuf,
    source: usize,
    plan_tools: PlanTools,
    tx: Sender<Update>,
    stop: Arc<AtomicBool>,
    /// Sessions the receiver was told about, to announce the ones that
    /// vanished while the daemon was away.
    known: BTreeSet<String>,
}

impl SocketFeed {
    fn run(&mut self) {
        let mut backoff = FIRST_BACKOFF;
        let mut down_reported = false;
        while !self.stopped() {
            let reason = match Client::connect(&self.socket) {
                Ok(mut client) => {
                    backoff = FIRST_BACKOFF;
                    down_reported = false;
                    match self.follow(&mut client) {
                        Stop::Done => return,
                        Stop::Lost(e) => e.to_string(),
                    }
                }
                Err(e) => e.to_string(),
            };
            if !down_reported {
                down_reported = true;
                let health = FeedHealth::Unavailable { reason };
                if !self.send(Update::Health {
                    source: self.source,
                    health,
                }) {
                    return;
                }
            }
            self.sleep(backoff);
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn sleep(&self, total: Duration) {
        let mut left = total;
        while !left.is_zero() && !self.stopped() {
            let step = left.min(TICK);
            std::thread::sleep(step);
            left -= step;
        }
    }

    /// False when the receiver is gone.
    fn send(&self, update: Update) -> bool {
        self.tx.blocking_send(update).is_ok()
    }

    fn key(&self, id: &str) -> SessionKey {
        SessionKey {
            source: self.source,
            id: id.to_string(),
        }
    }

    /// Subscribes and follows until the connection fails or the feed stops;
    /// a `resync` starts a new subscription on the same connection.
    fn follow(&mut self, client: &mut Client) -> Stop {
        loop {
            match self.subscribe_and_stream(client) {
                Ok(true) => continue,
                Ok(false) => return Stop::Done,
                Err(stop) => return stop,
            }
        }
    }

    /// Ok(true) to resubscribe, Ok(false) to stop.
    fn subscribe_and_stream(&mut self, client: &mut Client) -> Result<bool, Stop> {
        let params = SubscribeParams {
            topics: Some(vec![Topic::Sessions, Topic::Events]),
        };
        let sub: SubscribeResult = client.call(method::SUBSCRIBE, params)?;
        // Anything kept from before the result belongs to an old subscription.
        client.drop_notifications();
        if let Some(telemetry) = sub.telemetry
            && !self.send(Update::Telemetry {
                source: self.source,
                telemetry: telemetry.into(),
            })
        {
            return Ok(false);
        }
        if let Some(health) = sub.health
            && !self.send(Update::Health {
                source: self.source,
                health: health.into(),
            })
        {
            return Err(Stop::Done);
        }
        let current: BTreeSet<String> = sub.sessions.iter().map(|m| m.id.clone()).collect();
        for gone in self.known.difference(&current).cloned().collect::<Vec<_>>() {
            self.known.remove(&gone);
            if !self.send(Update::Removed {
                key: self.key(&gone),
            }) {
                return Err(Stop::Done);
            }
        }
        let mut ends: HashMap<String, u64> = HashMap::new();
        for meta in sub.sessions {
            let replaced = self.known.contains(&meta.id);
            if !self.load(client, meta, replaced, &mut ends)? {
                return Err(Stop::Done);
            }
        }
        loop {
            if self.stopped() {
                return Ok(false);
            }
            let Some(note) = client.next_notification(Some(TICK))? else {
                continue;
            };
            if note.method == notification::RESYNC {
                client.drop_notifications();
                return Ok(true);
            }
            if !self.apply(client, note, &mut ends)? {
                return Ok(false);
            }
        }
    }

    /// Turns one notification into updates; false when the receiver is gone.
    fn apply(
        &mut self,
        client: &mut Client,
        note: Notification,
        ends: &mut HashMap<String, u64>,
    ) -> Result<bool, Stop> {
        let sent = match note.method.as_str() {
            notification::SESSION_LOADED => {
                let p: LoadedParams = params(note.params)?;
                return self.load(client, p.meta, p.replaced, ends);
            }
            notification::SESSION_META => {
                let meta: SessionMeta = params(note.params)?;
                if !self.known.contains(&meta.id) {
                    return Ok(true);
                }
                self.send(Update::Meta {
                    key: self.key(&meta.id),
                    doc: Box::new(meta.session_doc()),
                    doc_error: meta.doc_error,
                    wake: meta.wake.into(),
                    journal_mtime: meta.journal_mtime,
                    heartbeat_mtime: meta.heartbeat_mtime,
                })
            }
            notification::EVENTS_APPENDED => {
                let p: AppendedParams = params(note.params)?;
                let Some(end) = ends.get_mut(&p.session) else {
                    return Ok(true);
                };
                let lines: Vec<(u64, Vec<u8>)> = p
                    .lines
                    .iter()
                    .filter(|l| l.offset >= *end)
                    .map(|l| (l.offset, l.bytes()))
                    .collect();
                if p.end <= *end {
                    return Ok(true);
                }
                *end = p.end;
                self.send(Update::Appended {
                    key: self.key(&p.session),
                    lines,
                    end: p.end,
                })
            }
            notification::SESSION_REMOVED => {
                let p: SessionParams = params(note.params)?;
                ends.remove(&p.session);
                if !self.known.remove(&p.session) {
                    return Ok(true);
                }
                self.send(Update::Removed {
                    key: self.key(&p.session),
                })
            }
            notification::HEALTH => {
                let health: HealthWire = params(note.params)?;
                self.send(Update::Health {
                    source: self.source,
                    health: health.into(),
                })
            }
            notification::TELEMETRY => {
                let telemetry: TelemetryWire = params(note.params)?;
                self.send(Update::Telemetry {
                    source: self.source,
                    telemetry: telemetry.into(),
                })
            }
            _ => true,
        };
        Ok(sent)
    }

    /// Reads a session's journal up to `meta.journal_end`, folds it, and
    /// sends `Loaded`. A session that vanished meanwhile is skipped (its
    /// removal follows as a notification).
    fn load(
        &mut self,
        client: &mut Client,
        meta: SessionMeta,
        replaced: bool,
        ends: &mut HashMap<String, u64>,
    ) -> Result<bool, Stop> {
        let snapshot = match rebuild(client, meta, &self.plan_tools) {
            Ok(snapshot) => snapshot,
            Err(ClientError::Rpc(e)) => {
                tracing::debug!("skipping a session that changed while read: {e}");
                return Ok(true);
            }
            Err(e) => return Err(Stop::Lost(e)),
        };
        ends.insert(snapshot.id.clone(), snapshot.journal_end);
        self.known.insert(snapshot.id.clone());
        Ok(self.send(Update::Loaded {
            key: self.key(&snapshot.id),
            snapshot: Box::new(snapshot),
            replaced,
        }))
    }
}

/// A session as `SessionSnapshot::load` would have read it on the daemon's
/// machine: its metadata, and its journal folded line by line.
pub fn rebuild(
    client: &mut Client,
    meta: SessionMeta,
    plan_tools: &PlanTools,
) -> Result<SessionSnapshot, ClientError> {
    let mut summary = JournalSummary::new(meta.id.clone(), plan_tools.clone());
    let mut offset = 0;
    while offset < meta.journal_end {
        let page: ReadResult = client.call(
            method::EVENTS_READ,
            ReadParams {
                session: meta.id.clone(),
                from_offset: Some(offset),
                until: Some(meta.journal_end),
                ..ReadParams::default()
            },
        )?;
        for line in &page.lines {
            fold_line(&mut summary, &line.bytes());
        }
        if page.next_offset <= offset {
            break;
        }
        offset = page.next_offset;
    }
    Ok(SessionSnapshot {
        doc: meta.session_doc(),
        id: meta.id,
        dir: PathBuf::from(meta.dir),
        doc_error: meta.doc_error,
        summary,
        wake: meta.wake.into(),
        journal_end: meta.journal_end,
        journal_mtime: meta.journal_mtime,
        heartbeat_mtime: meta.heartbeat_mtime,
        warnings: meta.warnings,
    })
}

fn params<T: DeserializeOwned>(value: Value) -> Result<T, Stop> {
    serde_json::from_value(value).map_err(|e| {
        Stop::Lost(ClientError::Protocol {
            path: PathBuf::new(),
            detail: format!("a notification's params: {e}"),
        })
    })
}
