//! What every command needs: the roots, the config, and the time.

use std::path::{Path, PathBuf};

use super::args::Cli;
use super::exit::{CliError, CliResult, code};
use crate::adapters::{AdapterKind, AdapterSource};
use crate::config::Config;
use crate::model::time::{Timestamp, parse_rfc3339};
use crate::store::fleet::Fleet;
use crate::store::paths;
use crate::views::FleetViews;

pub struct Context {
    pub roots: Vec<PathBuf>,
    pub config: Config,
    pub now: Timestamp,
    /// Transcript sources shown read-only beside the roots (`--claude-code`, `--codex`).
    pub adapters: Vec<AdapterSource>,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> CliResult<Self> {
        let adapters = adapter_sources(cli);
        let roots = if cli.root.is_empty() {
            let root = paths::default_root();
            // With only transcripts asked for, a default root that does not
            // exist (yet) is not an error.
            if adapters.is_empty() || root.is_dir() {
                vec![root]
            } else {
                Vec::new()
            }
        } else {
            cli.root.clone()
        };
        let config = match &cli.config {
            Some(path) => Config::load_from(path)?,
            None => Config::load()?,
        };
        Ok(Self {
            roots,
            config,
            now: now()?,
            adapters,
        })
    }

    /// Every root's fleet, in the order given.
    pub fn fleets(&self) -> CliResult<Vec<Fleet>> {
        self.roots
            .iter()
            .map(|root| Fleet::load(root, &self.config.plan_tools()).map_err(CliError::from))
            .collect()
    }

    /// The merged views of all roots; rows carry their source when there
    /// are several.
    pub fn views(&self) -> CliResult<FleetViews> {
        let roots = self.fleets()?;
        let label_roots = roots.len() + self.adapters.len() > 1;
        let mut fleets: Vec<(Fleet, Option<String>)> = roots
            .into_iter()
            .map(|f| {
                let label = label_roots.then(|| f.root.display().to_string());
                (f, label)
            })
            .collect();
        fleets.extend(self.adapter_fleets()?);
        let mut merged = FleetViews {
            sessions: Vec::new(),
            pending: Vec::new(),
            doctor: Vec::new(),
        };
        for (fleet, label) in &fleets {
            let mut views = FleetViews::build(fleet, &self.config.stuck, self.now);
            if let Some(label) = label {
                let source = Some(label.clone());
                views
                    .sessions
                    .iter_mut()
                    .for_each(|r| r.source = source.clone());
                views
                    .pending
                    .iter_mut()
                    .for_each(|r| r.source = source.clone());
                views
                    .doctor
                    .iter_mut()
                    .for_each(|r| r.source = source.clone());
            }
            merged.sessions.extend(views.sessions);
            merged.pending.extend(views.pending);
            merged.doctor.extend(views.doctor);
        }
        merged.sort();
        Ok(merged)
    }

    /// (source, id) of every session past its TTL, for `ls --expired`.
    pub fn expired_ids(&self) -> CliResult<std::collections::HashSet<(Option<String>, String)>> {
        let fleets = self.fleets()?;
        let label = fleets.len() > 1;
        Ok(fleets
            .iter()
            .flat_map(|fleet| {
                let source = label.then(|| fleet.root.display().to_string());
                fleet
                    .sessions
                    .iter()
                    .filter(|s| {
                        crate::model::agents::is_expired(
                            &s.doc,
                            self.config.hygiene.default_ttl_minutes,
                            self.now,
                        )
                    })
                    .map(move |s| (source.clone(), s.id.clone()))
            })
            .collect())
    }

    /// Every transcript source converted, each labelled with its source.
    pub fn adapter_fleets(&self) -> CliResult<Vec<(Fleet, Option<String>)>> {
        let plan_tools = self.config.plan_tools();
        self.adapters
            .iter()
            .map(|source| {
                let fleet = source.load_fleet(&plan_tools, self.now)?;
                Ok((fleet, Some(source.label())))
            })
            .collect()
    }

    /// The root that holds `session` (exactly one must).
    pub fn root_of(&self, session: &str) -> CliResult<&Path> {
        if !paths::is_valid_session_id(session) {
            return Err(CliError::new(
                code::NOT_FOUND,
                format!("{session:?} is not a session id"),
            ));
        }
        let holders: Vec<&Path> = self
            .roots
            .iter()
            .map(PathBuf::as_path)
            .filter(|root| paths::session_file(&root.join(session)).is_file())
            .collect();
        match holders.as_slice() {
            [root] => Ok(root),
            [] => {
                for root in &self.roots {
                    if !root.is_dir() {
                        return Err(CliError::other(format!(
                            "root {} does not exist; pass --root DIR or set SWITCHBOARD_ROOT",
                            root.display()
                        )));
                    }
                }
                Err(CliError::new(
                    code::NOT_FOUND,
                    format!(
                        "session {session} not found under {}",
                        self.describe_roots()
                    ),
                ))
            }
            _ => Err(CliError::usage(format!(
                "session {session} exists under several roots; pass the one you mean with a single --root"
            ))),
        }
    }

    fn describe_roots(&self) -> String {
        self.roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `--claude-code [DIR]` and `--codex [DIR]`; no value means the default place.
fn adapter_sources(cli: &Cli) -> Vec<AdapterSource> {
    [
        (AdapterKind::ClaudeCode, &cli.claude_code),
        (AdapterKind::Codex, &cli.codex),
    ]
    .into_iter()
    .filter_map(|(kind, dir)| Some(AdapterSource::new(kind, dir.clone()?)))
    .collect()
}

/// The current time, or `$SWITCHBOARD_NOW` (RFC 3339) for reproducible output.
pub fn now() -> CliResult<Timestamp> {
    match std::env::var("SWITCHBOARD_NOW") {
        Ok(text) if !text.is_empty() => parse_rfc3339(&text).ok_or_else(|| {
            CliError::usage(format!("SWITCHBOARD_NOW={text:?} is not an RFC 3339 time"))
        }),
        _ => Ok(chrono::Utc::now()),
    }
}

/// `human:<user>@<host>` for decisions made by a person at this terminal.
pub fn default_decider() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| {
            // SAFETY: getuid has no preconditions.
            format!("uid{}", unsafe { libc::getuid() })
        });
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("human:{user}@{host}")
}
