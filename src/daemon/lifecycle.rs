//! Running the daemon: bind the socket (before any thread starts, because
//! of the umask), log to a file, load the root, serve until SIGTERM or
//! SIGINT, then remove the socket. And `--status`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tracing_subscriber::filter::LevelFilter;

use super::handlers::Daemon;
use super::server::{run_accept, run_hub, run_telemetry_notes};
use super::socket::{self, Probe, SocketError};
use super::state::State;
use crate::config::Config;
use crate::feed::spawn_root_feed;
use crate::rpc::protocol::{StatusResult, method};
use crate::rpc::{Client, ClientError};
use crate::store::fleet::Fleet;
use crate::store::{StoreError, paths};
use crate::telemetry::export::{ExportError, ExportState};
use crate::telemetry::metrics::Counters;
use crate::telemetry::observe::Observer;
use crate::telemetry::traces::Traces;
use crate::telemetry::{self, Telemetry};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Socket(#[from] SocketError),
    #[error(transparent)]
    Root(#[from] StoreError),
    #[error("cannot open the log file {path}: {source}")]
    Log {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the daemon: {0}")]
    Start(std::io::Error),
    #[error("cannot serve metrics on {addr}: {source}")]
    Metrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Traces(#[from] ExportError),
}

/// What `switchboard daemon` was asked to do.
pub struct DaemonOptions {
    pub root: PathBuf,
    pub socket: PathBuf,
    pub log: PathBuf,
    pub config: Config,
    /// Serve Prometheus metrics here (`--metrics`, else `[daemon] metrics_addr`).
    pub metrics: Option<SocketAddr>,
}

/// The log file when `--log` is not given.
pub fn default_log() -> PathBuf {
    paths::state_dir().join("daemon.log")
}

/// Serves `root` on `socket` until a signal says stop.
pub fn run(options: DaemonOptions) -> Result<(), DaemonError> {
    let bound = socket::bind(&options.socket)?;
    // Bound before anything else can fail or anyone can connect, so that a
    // daemon that answers on its socket also answers on its metrics port.
    let metrics = match options.metrics.map(|addr| {
        telemetry::server::bind(addr).map_err(|source| DaemonError::Metrics { addr, source })
    }) {
        Some(Err(e)) => {
            bound.remove();
            return Err(e);
        }
        Some(Ok(listener)) => Some(listener),
        None => None,
    };
    let _log_guard = init_logging(&options.log)?;
    let open_files = raise_open_file_limit();
    tracing::info!(open_files, "open file limit");
    tracing::info!(
        socket = %options.socket.display(),
        root = %options.root.display(),
        version = crate::VERSION,
        "daemon starting"
    );
    let result = serve(bound.listener.try_clone(), metrics, &options);
    bound.remove();
    match &result {
        Ok(()) => tracing::info!("daemon stopped"),
        Err(e) => tracing::error!("daemon failed: {e}"),
    }
    result
}

fn serve(
    listener: std::io::Result<std::os::unix::net::UnixListener>,
    metrics_listener: Option<std::net::TcpListener>,
    options: &DaemonOptions,
) -> Result<(), DaemonError> {
    let listener = listener.map_err(DaemonError::Start)?;
    listener.set_nonblocking(true).map_err(DaemonError::Start)?;
    let plan_tools = options.config.plan_tools();
    let fleet = Fleet::load(&options.root, &plan_tools)?;
    tracing::info!(sessions = fleet.sessions.len(), "root loaded");
    // Before the runtime: the exporter's blocking HTTP client has its own.
    let counters = Counters::default();
    let traces = Traces::start(&options.config, &counters)?;
    let telemetry = (metrics_listener.is_some() || traces.is_some()).then(|| {
        let (tracer, export, url) = match &traces {
            Some(t) => (Some(t.tracer()), t.export.clone(), Some(t.url.clone())),
            None => (None, Arc::new(ExportState::default()), None),
        };
        let mut observer = Observer::new(counters.clone(), tracer);
        observer.start(&fleet, chrono::Utc::now());
        Arc::new(Telemetry::new(
            counters,
            observer,
            options.metrics,
            url,
            export,
        ))
    });
    if let Some(addr) = options.metrics {
        tracing::info!(%addr, "serving metrics at /metrics");
        if !addr.ip().is_loopback() {
            tracing::warn!(%addr, "metrics are served beyond loopback, without authentication");
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("daemon")
        .build()
        .map_err(DaemonError::Start)?;
    let served = runtime.block_on(async {
        let listener = tokio::net::UnixListener::from_std(listener).map_err(DaemonError::Start)?;
        let daemon = Arc::new(Daemon {
            state: RwLock::new(State::new(fleet)),
            config: options.config.clone(),
            socket: options.socket.clone(),
            started_at: chrono::Utc::now(),
            clients: AtomicUsize::new(0),
            telemetry: telemetry.clone(),
        });
        let (tx, rx) = mpsc::channel(1024);
        let interval = Duration::from_millis(options.config.daemon.poll_interval_ms.max(10));
        let feed = spawn_root_feed(options.root.clone(), 0, plan_tools, interval, tx)
            .map_err(DaemonError::Start)?;
        let hub = tokio::spawn(run_hub(daemon.clone(), rx));
        let (stop_tx, stop_rx) = watch::channel(false);
        let accept = tokio::spawn(run_accept(daemon.clone(), listener, stop_rx.clone()));
        let metrics = metrics_listener.map(|listener| {
            let for_render = daemon.clone();
            let render = move || {
                let daemon = for_render.clone();
                async move {
                    tokio::task::spawn_blocking(move || daemon.metrics_text())
                        .await
                        .unwrap_or_default()
                }
            };
            tokio::spawn(telemetry::server::serve(listener, render, stop_rx.clone()))
        });
        let notes = traces.is_some().then(|| {
            tokio::spawn(run_telemetry_notes(
                daemon.clone(),
                Duration::from_secs(1),
                stop_rx.clone(),
            ))
        });
        let signal = wait_for_signal().await;
        tracing::info!("{signal}: shutting down");
        let _ = stop_tx.send(true);
        let _ = accept.await;
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        if let Some(notes) = notes {
            let _ = notes.await;
        }
        hub.abort();
        let _ = hub.await;
        // The hub's receiver is gone, so the feed thread stops at once.
        feed.stop();
        Ok(())
    });
    if let Some(telemetry) = &telemetry {
        telemetry.observer().finish(chrono::Utc::now());
    }
    if let Some(traces) = traces {
        traces.stop();
    }
    served
}

async fn wait_for_signal() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::warn!("cannot listen for SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
    }
}

/// Logs to `path` (level from `$SWITCHBOARD_LOG`, default info); the guard
/// flushes the log when dropped.
fn init_logging(path: &Path) -> Result<tracing_appender::non_blocking::WorkerGuard, DaemonError> {
    let log_error = |source| DaemonError::Log {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(log_error)?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(log_error)?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let level = std::env::var("SWITCHBOARD_LOG")
        .ok()
        .and_then(|l| l.parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(level)
        .try_init();
    Ok(guard)
}

/// What `--status` found.
pub enum Status {
    Running(Box<StatusResult>),
    /// A socket file nobody answers on (a daemon died without cleaning up).
    Stale,
    NotRunning,
    /// Something answers but not as a daemon should.
    Unreachable(ClientError),
}

pub fn status(socket: &Path) -> Status {
    match socket::probe(socket) {
        Probe::Absent | Probe::Other => Status::NotRunning,
        Probe::Stale => Status::Stale,
        Probe::Live => {
            let result = Client::connect(socket)
                .and_then(|mut client| client.call::<_, StatusResult>(method::STATUS, ()));
            match result {
                Ok(status) => Status::Running(Box::new(status)),
                Err(e) => Status::Unreachable(e),
            }
        }
    }
}

/// Raises the soft open-file limit to the hard one: every client is a
/// descriptor, and the default soft limit (often 1024) would turn a busy
/// fleet of terminals into refused connections. Returns the limit in force.
fn raise_open_file_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                return raised.rlim_cur;
            }
        }
    }
    limit.rlim_cur
}
