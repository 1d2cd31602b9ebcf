//! The daemon's methods: each reads the mirror of the root, or the disk
//! through the store, and answers with the protocol's types.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::outbox::Outbox;
use super::state::{State, Subscriber, frame, meta_of};
use crate::config::Config;
use crate::feed::FeedHealth;
use crate::model::time::Timestamp;
use crate::rpc::protocol::{
    ALL_TOPICS, DEFAULT_PAGE_BYTES, DEFAULT_PAGE_LINES, DecideParams, DecideResult, DoctorResult,
    GetParams, LineWire, MAX_PAGE_BYTES, MAX_PAGE_LINES, PendingEntry, ReadParams, ReadResult,
    Response, RpcError, SessionDetail, StatusResult, SubscribeParams, SubscribeResult, ViewParams,
    method,
};
use crate::rpc::protocol::{ExportWire, TelemetryWire};
use crate::store::fleet::stuck_of;
use crate::store::journal_lines::complete_end;
use crate::store::journal_select::{event_start, is_line_start, read_page, tail_start};
use crate::store::{Decision, Verdict, decide, paths};
use crate::telemetry::Telemetry;
use crate::views::{DoctorRow, FleetViews, SessionRow};

/// The daemon's shared state: the root's mirror and what `daemon.status` says.
pub struct Daemon {
    pub state: RwLock<State>,
    pub config: Config,
    pub socket: PathBuf,
    pub started_at: Timestamp,
    pub clients: AtomicUsize,
    /// Metrics and traces, when either is on.
    pub telemetry: Option<Arc<Telemetry>>,
}

/// One connected client, as the methods see it.
pub struct Caller {
    pub id: u64,
    pub outbox: Arc<Outbox>,
}

/// A method's outcome: a result to send, or "already sent" (`subscribe`
/// queues its own result so that it precedes every notification).
pub enum Reply {
    Value(Value),
    Sent,
}

type Handled = Result<Reply, RpcError>;

impl Daemon {
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn root(&self) -> PathBuf {
        self.read().root().clone()
    }

    /// What the telemetry is doing, for `subscribe`, `daemon.status` and the
    /// `telemetry` notification.
    pub fn telemetry_wire(&self) -> Option<TelemetryWire> {
        let telemetry = self.telemetry.as_ref()?;
        Some(TelemetryWire {
            metrics: telemetry.metrics_addr.map(|a| a.to_string()),
            traces: telemetry.traces_url.clone(),
            last_export: telemetry.last_export().map(|o| ExportWire {
                ok: o.ok,
                at: o.at,
                error: o.error,
            }),
        })
    }

    /// The Prometheus exposition of the root as it is now.
    pub fn metrics_text(&self) -> String {
        let Some(telemetry) = &self.telemetry else {
            return String::new();
        };
        let state = self.read();
        telemetry.render(
            &state.fleet,
            state.health.as_ref(),
            &self.config.stuck,
            self.clients.load(Ordering::Relaxed),
            chrono::Utc::now(),
        )
    }

    fn refused(&self, reason: &str) {
        if let Some(telemetry) = &self.telemetry {
            telemetry.counters.refused(reason);
        }
    }
}

/// Runs one request's method.
pub async fn dispatch(
    daemon: &Arc<Daemon>,
    caller: &Caller,
    id: &Value,
    method_name: &str,
    params: Value,
) -> Handled {
    match method_name {
        method::SESSIONS_LIST => {
            let p: ViewParams = parse(params)?;
            blocking(daemon, move |d| sessions_list(d, p)).await
        }
        method::SESSIONS_GET => {
            let p: GetParams = parse(params)?;
            blocking(daemon, move |d| sessions_get(d, p)).await
        }
        method::EVENTS_READ => {
            let p: ReadParams = parse(params)?;
            blocking(daemon, move |d| events_read(d, p)).await
        }
        method::PENDING_LIST => {
            let p: ViewParams = parse(params)?;
            blocking(daemon, move |d| pending_list(d, p)).await
        }
        method::DOCTOR => {
            let p: ViewParams = parse(params)?;
            blocking(daemon, move |d| doctor(d, p)).await
        }
        method::DECIDE => {
            let p: DecideParams = parse(params)?;
            blocking(daemon, move |d| decide_request(d, p)).await
        }
        method::SUBSCRIBE => {
            let p: SubscribeParams = parse(params)?;
            subscribe(daemon, caller, id, p)
        }
        method::UNSUBSCRIBE => {
            let _: ViewParams = parse(params)?;
            let removed = daemon.write().unsubscribe(caller.id);
            Ok(Reply::Value(Value::Bool(removed)))
        }
        method::STATUS => {
            let _: ViewParams = parse(params)?;
            status(daemon)
        }
        other => Err(RpcError::method_not_found(other)),
    }
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, RpcError> {
    let params = if params.is_null() {
        Value::Object(Default::default())
    } else {
        params
    };
    serde_json::from_value(params).map_err(|e| RpcError::invalid_params(format!("bad params: {e}")))
}

fn value(result: impl Serialize) -> Handled {
    serde_json::to_value(result)
        .map(Reply::Value)
        .map_err(|e| RpcError::internal(e.to_string()))
}

/// Runs work that reads files or builds views off the async threads.
async fn blocking(
    daemon: &Arc<Daemon>,
    work: impl FnOnce(&Daemon) -> Handled + Send + 'static,
) -> Handled {
    let daemon = daemon.clone();
    tokio::task::spawn_blocking(move || work(&daemon))
        .await
        .map_err(|e| RpcError::internal(format!("the request failed: {e}")))?
}

fn now_or_clock(now: Option<Timestamp>) -> Timestamp {
    now.unwrap_or_else(chrono::Utc::now)
}

fn views(daemon: &Daemon, now: Option<Timestamp>) -> Result<FleetViews, RpcError> {
    let state = daemon.read();
    if let Some(FeedHealth::Unavailable { reason }) = &state.health {
        return Err(RpcError::io(format!(
            "the daemon cannot read its root {}: {reason}",
            state.root().display()
        )));
    }
    Ok(FleetViews::build(
        &state.fleet,
        &daemon.config.stuck,
        now_or_clock(now),
    ))
}

fn sessions_list(daemon: &Daemon, p: ViewParams) -> Handled {
    value(views(daemon, p.now)?.sessions)
}

fn pending_list(daemon: &Daemon, p: ViewParams) -> Handled {
    let rows: Vec<PendingEntry> = views(daemon, p.now)?
        .pending
        .into_iter()
        .map(PendingEntry::new)
        .collect();
    value(rows)
}

fn doctor(daemon: &Daemon, p: ViewParams) -> Handled {
    let views = views(daemon, p.now)?;
    value(DoctorResult {
        sessions: views.sessions.len(),
        findings: views.doctor,
    })
}

fn session_not_found(id: &str) -> RpcError {
    RpcError::not_found(format!("session {id} not found"))
}

fn sessions_get(daemon: &Daemon, p: GetParams) -> Handled {
    let state = daemon.read();
    let session = state
        .get(&p.session)
        .ok_or_else(|| session_not_found(&p.session))?;
    let parent = session
        .doc
        .parent_id
        .as_deref()
        .and_then(|id| state.get(id))
        .map(|parent| (parent.status(), parent.last_activity()));
    let findings = stuck_of(session, parent, &daemon.config.stuck, now_or_clock(p.now));
    value(SessionDetail {
        meta: meta_of(session),
        row: SessionRow::new(session, &findings),
        stuck: findings
            .iter()
            .map(|f| DoctorRow::new(&session.id, f))
            .collect(),
    })
}

fn events_read(daemon: &Daemon, p: ReadParams) -> Handled {
    let dir = {
        let state = daemon.read();
        let session = state
            .get(&p.session)
            .ok_or_else(|| session_not_found(&p.session))?;
        session.dir.clone()
    };
    let starts = [
        p.from_offset.is_some(),
        p.from_id.is_some(),
        p.tail.is_some(),
    ];
    if starts.iter().filter(|s| **s).count() > 1 {
        return Err(RpcError::invalid_params(
            "give at most one of from_offset, from_id and tail",
        ));
    }
    let path = paths::journal(&dir);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(id) = &p.from_id {
                return Err(event_not_found(id, &p.session));
            }
            return value(ReadResult {
                start: 0,
                lines: Vec::new(),
                next_offset: 0,
                end: 0,
            });
        }
        Err(e) => return Err(read_error(&path, e)),
    };
    read_events(&file, &path, &p)
}

fn read_events(file: &File, path: &Path, p: &ReadParams) -> Handled {
    let io = |e| read_error(path, e);
    let len = file.metadata().map_err(io)?.len();
    let complete = complete_end(file, len).map_err(io)?;
    let end = p.until.map_or(complete, |until| until.min(complete));
    let start = match (p.from_offset, &p.from_id, p.tail) {
        (Some(offset), _, _) => {
            if offset > end || !is_line_start(file, offset).map_err(io)? {
                return Err(RpcError::invalid_params(format!(
                    "from_offset {offset} is not where a line of the journal starts"
                )));
            }
            offset
        }
        (_, Some(id), _) => event_start(file, end, id)
            .map_err(io)?
            .ok_or_else(|| event_not_found(id, &p.session))?,
        (_, _, Some(n)) => tail_start(file, end, n).map_err(io)?,
        _ => 0,
    };
    let max_lines = p
        .max_lines
        .unwrap_or(DEFAULT_PAGE_LINES)
        .clamp(1, MAX_PAGE_LINES);
    let max_bytes = p
        .max_bytes
        .unwrap_or(DEFAULT_PAGE_BYTES)
        .clamp(1, MAX_PAGE_BYTES);
    let page = read_page(file, start, end, max_lines, max_bytes).map_err(io)?;
    value(ReadResult {
        start,
        lines: page
            .lines
            .iter()
            .map(|(offset, line)| LineWire::new(*offset, line))
            .collect(),
        next_offset: page.next,
        end,
    })
}

fn event_not_found(id: &str, session: &str) -> RpcError {
    RpcError::not_found(format!("event {id} not found in session {session}"))
}

fn read_error(path: &Path, e: std::io::Error) -> RpcError {
    RpcError::io(format!("cannot read {}: {e}", path.display()))
}

fn decide_request(daemon: &Daemon, p: DecideParams) -> Handled {
    let verdict = match p.verdict.as_str() {
        "allow" => Verdict::Allow,
        "deny" => Verdict::Deny,
        "redirect" => Verdict::Redirect,
        "respond" => Verdict::Respond,
        other => {
            daemon.refused("invalid");
            return Err(RpcError::invalid_params(format!(
                "verdict {other:?} is not one of allow, deny, redirect, respond"
            )));
        }
    };
    let decision = Decision {
        session_id: p.session,
        event_id: p.event,
        fingerprint: p.fingerprint.trim().to_string(),
        verdict,
        message: p.message,
        decided_by: p.decided_by,
    };
    let root = daemon.root();
    let event = decide(
        &root,
        &decision,
        &daemon.config.plan_tools(),
        now_or_clock(p.now),
    )
    .inspect_err(|e| daemon.refused(e.code_name()))?;
    tracing::info!(
        session = %decision.session_id,
        event = %decision.event_id,
        verdict = decision.verdict.as_str(),
        by = %decision.decided_by,
        "decision written"
    );
    value(DecideResult { event })
}

fn subscribe(daemon: &Daemon, caller: &Caller, id: &Value, p: SubscribeParams) -> Handled {
    let topics = p.topics.unwrap_or_else(|| ALL_TOPICS.to_vec());
    let mut state = daemon.write();
    let result = SubscribeResult {
        sessions: state.metas(),
        health: state.health_wire(),
        telemetry: daemon.telemetry_wire(),
    };
    let result = serde_json::to_value(result).map_err(|e| RpcError::internal(e.to_string()))?;
    // Queued while the lock is held: no notification can come before it.
    caller
        .outbox
        .push_forced(frame(&Response::ok(id.clone(), result)));
    state.subscribe(Subscriber {
        id: caller.id,
        topics,
        outbox: caller.outbox.clone(),
    });
    Ok(Reply::Sent)
}

fn status(daemon: &Daemon) -> Handled {
    let state = daemon.read();
    value(StatusResult {
        pid: std::process::id(),
        version: crate::VERSION.to_string(),
        root: state.root().display().to_string(),
        socket: daemon.socket.display().to_string(),
        started_at: daemon.started_at,
        clients: daemon.clients.load(Ordering::Relaxed),
        subscribers: state.subscriber_count(),
        sessions: state.fleet.sessions.len(),
        health: state.health_wire(),
        telemetry: daemon.telemetry_wire(),
    })
}
