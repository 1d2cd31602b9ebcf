//! The accept loop and the hub: connections are admitted by peer uid and
//! served each on its own task; the root feed's updates are folded into the
//! shared state and fanned out to subscribers.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::connection;
use super::handlers::Daemon;
use super::peer::{is_allowed, own_uid, peer_of};
use super::shutdown::stopped;
use super::state::frame;
use crate::feed::{FeedHealth, Update};
use crate::rpc::protocol::{Notification, Response, RpcError, Topic, code, notification};

/// More connections than this at once are turned away.
const MAX_CLIENTS: usize = 1024;
/// How long shutting down waits for connections to flush.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// Folds feed updates into the state until the feed ends; with telemetry
/// on, the touched session is then observed.
pub async fn run_hub(daemon: Arc<Daemon>, mut updates: mpsc::Receiver<Update>) {
    while let Some(update) = updates.recv().await {
        let Some(telemetry) = &daemon.telemetry else {
            daemon.write().apply_and_notify(update);
            continue;
        };
        let session = touched(&update).map(str::to_string);
        let lost_root = matches!(
            &update,
            Update::Health {
                health: FeedHealth::Unavailable { .. },
                ..
            }
        );
        let mut state = daemon.write();
        let was_up = state.health.as_ref().is_none_or(FeedHealth::is_healthy);
        state.apply_and_notify(update);
        telemetry.after_update(
            &state.fleet,
            session.as_deref(),
            lost_root && was_up,
            chrono::Utc::now(),
        );
    }
}

fn touched(update: &Update) -> Option<&str> {
    match update {
        Update::Loaded { key, .. }
        | Update::Meta { key, .. }
        | Update::Appended { key, .. }
        | Update::Removed { key } => Some(&key.id),
        Update::Health { .. } | Update::Telemetry { .. } => None,
    }
}

/// Tells subscribers when the last export's outcome flips (and the first
/// time there is one), checking every `every`.
pub async fn run_telemetry_notes(
    daemon: Arc<Daemon>,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut told: Option<bool> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stopped(&mut shutdown) => return,
        }
        let Some(wire) = daemon.telemetry_wire() else {
            return;
        };
        let now = wire.last_export.as_ref().map(|e| e.ok);
        if now.is_none() || now == told {
            continue;
        }
        told = now;
        let note = frame(&Notification::new(notification::TELEMETRY, wire));
        daemon.write().broadcast(Topic::Sessions, note);
    }
}

/// Accepts connections until `shutdown` turns true, then lets the open ones
/// finish.
pub async fn run_accept(
    daemon: Arc<Daemon>,
    listener: UnixListener,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    let mut next_id = 0u64;
    let for_connections = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    next_id += 1;
                    admit(&daemon, stream, next_id, &for_connections, &mut connections);
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = stopped(&mut shutdown) => break,
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

fn admit(
    daemon: &Arc<Daemon>,
    stream: UnixStream,
    id: u64,
    shutdown: &watch::Receiver<bool>,
    connections: &mut JoinSet<()>,
) {
    let refusal = match peer_of(&stream) {
        Ok((uid, pid)) if is_allowed(uid, own_uid(), &daemon.config.daemon.allow_uids) => {
            if connections.len() >= MAX_CLIENTS {
                Some(RpcError::new(
                    code::PEER_REFUSED,
                    "too_many_clients",
                    format!("the daemon already serves {MAX_CLIENTS} clients; try again later"),
                ))
            } else {
                tracing::debug!(client = id, uid, ?pid, "client connected");
                None
            }
        }
        Ok((uid, pid)) => {
            tracing::warn!(uid, ?pid, "refused a connection from another user");
            Some(RpcError::new(
                code::PEER_REFUSED,
                "peer_refused",
                format!(
                    "uid {uid} may not use this daemon; add it to [daemon] allow_uids in the daemon's config to allow it"
                ),
            ))
        }
        Err(e) => {
            tracing::warn!("cannot read a client's credentials: {e}");
            Some(RpcError::new(
                code::PEER_REFUSED,
                "peer_refused",
                "the daemon could not tell who you are",
            ))
        }
    };
    if let Some(error) = refusal {
        // Best effort: say why, then hang up; never wait on this client.
        tokio::spawn(async move {
            let mut stream = stream;
            let reply = frame(&Response::err(Value::Null, error));
            let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(&reply)).await;
            let _ = stream.shutdown().await;
        });
        return;
    }
    let daemon = daemon.clone();
    let shutdown = shutdown.clone();
    connections.spawn(async move {
        daemon.clients.fetch_add(1, Ordering::Relaxed);
        connection::serve(daemon.clone(), stream, id, shutdown).await;
        daemon.clients.fetch_sub(1, Ordering::Relaxed);
    });
}
