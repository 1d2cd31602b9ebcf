//! A simulated agent runtime for `switchboard demo` and `switchboard
//! simulate`. It writes real session folders through the same store API a
//! runtime uses (locked appends, atomic `session.json`, the wake queue) and
//! honours decisions exactly as the contract says: it follows its journal,
//! checks each answer (pending, fingerprint, first answer wins) and acts on
//! valid ones; invalid ones are refused in a `system.message`.
//!
//! Use it as a library: [`Simulator::new`] sets a root up, [`run_background`]
//! runs it on a thread until [`SimHandle::stop`].

mod agent;
pub mod check;
mod content;
mod create;
mod engine;
mod ids;
mod load;
mod perform;
mod personas;
mod plan_setup;
mod scenario;
mod script;
mod stats;
pub mod stuck_setup;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub use scenario::Scenario;
pub use stats::{SimReport, SimStats};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Options(String),
    #[error("the simulator thread stopped unexpectedly")]
    Panicked,
}

impl SimError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// What to simulate and how fast.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// How many sessions to start with.
    pub sessions: usize,
    /// Target events per second across the fleet.
    pub rate: f64,
    /// Stop after this long (None: until stopped).
    pub duration: Option<Duration>,
    pub seed: u64,
    pub scenario: Scenario,
    /// Stop once this many events have been written (setup included).
    pub max_events: Option<u64>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            sessions: 24,
            rate: 10.0,
            duration: None,
            seed: 1,
            scenario: Scenario::Mixed,
            max_events: None,
        }
    }
}

impl SimOptions {
    /// The demo's fleet: everything in `mixed`, at a pace a person can follow.
    pub fn demo(seed: u64) -> Self {
        Self {
            sessions: 18,
            rate: 3.0,
            seed,
            ..Self::default()
        }
    }

    /// `mixed` keeps about this many sessions in view: it replaces the
    /// ones that finish, and new ones start only below it.
    pub fn living_cap(&self) -> usize {
        self.sessions + self.sessions / 3
    }

    fn validate(&self) -> Result<(), SimError> {
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return Err(SimError::Options(format!(
                "--rate must be a positive number of events per second, not {}",
                self.rate
            )));
        }
        if self.sessions == 0 {
            return Err(SimError::Options("--sessions must be at least 1".into()));
        }
        Ok(())
    }
}

enum Engine {
    Scenario(Box<engine::ScenarioEngine>),
    Load(load::LoadEngine),
}

/// A simulated fleet on one root.
pub struct Simulator {
    engine: Engine,
    stats: Arc<SimStats>,
}

impl Simulator {
    /// Creates the root if needed and sets the scenario's sessions up.
    pub fn new(root: &Path, options: SimOptions) -> Result<Self, SimError> {
        options.validate()?;
        std::fs::create_dir_all(root).map_err(|e| SimError::io(root, e))?;
        let stats = Arc::new(SimStats::default());
        let engine = match options.scenario {
            Scenario::Load => Engine::Load(load::LoadEngine::new(
                root.to_path_buf(),
                options,
                stats.clone(),
            )?),
            _ => Engine::Scenario(Box::new(engine::ScenarioEngine::new(
                root.to_path_buf(),
                options,
                stats.clone(),
            )?)),
        };
        Ok(Self { engine, stats })
    }

    pub fn stats(&self) -> Arc<SimStats> {
        self.stats.clone()
    }

    /// Runs until `stop` is set, the duration has passed or the event limit is reached.
    pub fn run(&mut self, stop: &AtomicBool) -> Result<(), SimError> {
        self.stats.mark_start();
        let result = match &mut self.engine {
            Engine::Scenario(engine) => engine.run(stop),
            Engine::Load(engine) => engine.run(stop),
        };
        self.stats.mark_end();
        result
    }
}

/// A simulator running on its own thread.
pub struct SimHandle {
    stop: Arc<AtomicBool>,
    stats: Arc<SimStats>,
    thread: Option<JoinHandle<Result<(), SimError>>>,
}

/// Sets the root up (errors are returned here), then runs the simulator on
/// a background thread.
pub fn run_background(root: &Path, options: SimOptions) -> Result<SimHandle, SimError> {
    let mut simulator = Simulator::new(root, options)?;
    let stats = simulator.stats();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("simulator".into())
        .spawn(move || simulator.run(&flag))
        .map_err(|e| SimError::io(root, e))?;
    Ok(SimHandle {
        stop,
        stats,
        thread: Some(thread),
    })
}

impl SimHandle {
    pub fn report(&self) -> SimReport {
        self.stats.report()
    }

    /// True once the run ended by itself (duration or event limit).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the simulator and waits for it; returns the final counts.
    pub fn stop(mut self) -> Result<SimReport, SimError> {
        self.shutdown()?;
        Ok(self.stats.report())
    }

    fn shutdown(&mut self) -> Result<(), SimError> {
        self.stop.store(true, Ordering::Relaxed);
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| SimError::Panicked)?,
            None => Ok(()),
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}
