//! What every command needs: the sources (roots and daemons), the config,
//! and the time.

use std::path::{Path, PathBuf};

use super::args::{Cli, SourceArg};
use super::exit::{CliError, CliResult, code};
use crate::adapters::{AdapterKind, AdapterSource};
use crate::config::Config;
use crate::feed::FeedSource;
use crate::model::time::Timestamp;
use crate::rpc::remote;
use crate::store::fleet::Fleet;
use crate::store::paths;
use crate::views::FleetViews;

/// Where sessions come from: a root on disk or a daemon's socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Root(PathBuf),
    Daemon(PathBuf),
}

impl Source {
    /// How rows from this source are labelled when several are merged.
    pub fn label(&self) -> String {
        match self {
            Self::Root(path) | Self::Daemon(path) => path.display().to_string(),
        }
    }
}

pub struct Context {
    /// In command-line order.
    pub sources: Vec<Source>,
    pub config: Config,
    pub now: Timestamp,
    /// Transcript sources shown read-only beside the roots (`--claude-code`, `--codex`).
    pub adapters: Vec<AdapterSource>,
}

impl Context {
    pub fn from_cli(cli: &Cli) -> CliResult<Self> {
        let given = if cli.sources.is_empty() {
            // Parsed without `parse_ordered`: roots, then sockets.
            cli.root
                .iter()
                .cloned()
                .map(SourceArg::Root)
                .chain(cli.connect.iter().cloned().map(SourceArg::Connect))
                .collect()
        } else {
            cli.sources.clone()
        };
        let mut sources: Vec<Source> = given
            .into_iter()
            .map(|s| match s {
                SourceArg::Root(path) => Source::Root(path),
                SourceArg::Connect(path) => Source::Daemon(path),
            })
            .collect();
        let mut adapters = adapter_sources(cli);
        if sources.is_empty() {
            let root = paths::default_root();
            // With only transcripts asked for, a default root that does not
            // exist (yet) is not an error.
            if adapters.is_empty() || root.is_dir() {
                sources.push(Source::Root(root));
            }
        }
        let local_roots: Vec<PathBuf> = sources
            .iter()
            .filter_map(|s| match s {
                Source::Root(root) => Some(root.clone()),
                Source::Daemon(_) => None,
            })
            .collect();
        let claimed = if adapters.is_empty() {
            Vec::new()
        } else {
            daemon_claims(&sources)
        };
        for adapter in &mut adapters {
            adapter.bridged_roots = local_roots.clone();
            adapter.claimed = claimed.clone();
        }
        let config = match &cli.config {
            Some(path) => Config::load_from(path)?,
            None => Config::load()?,
        };
        crate::model::prices::install(&config.prices);
        Ok(Self {
            sources,
            config,
            now: now()?,
            adapters,
        })
    }

    /// Whether rows need a source column.
    pub fn several(&self) -> bool {
        self.sources.len() + self.adapters.len() > 1
    }

    /// The fleets of the local roots (commands that change sessions work on
    /// disk; a daemon's sessions are changed on its machine).
    pub fn fleets(&self) -> CliResult<Vec<Fleet>> {
        self.sources
            .iter()
            .filter_map(|source| match source {
                Source::Root(root) => Some(root),
                Source::Daemon(_) => None,
            })
            .map(|root| Fleet::load(root, &self.config.plan_tools()).map_err(CliError::from))
            .collect()
    }

    /// The local root holding `session`; a daemon's session is refused with
    /// a clear reason.
    pub fn root_of(&self, session: &str) -> CliResult<&Path> {
        match self.source_of(session)? {
            Source::Root(root) => Ok(root),
            Source::Daemon(socket) => Err(CliError::usage(format!(
                "session {session} is served by the daemon at {}; run this command on that machine",
                socket.display()
            ))),
        }
    }

    /// (source, id) of every local session past its TTL, for `ls --expired`.
    pub fn expired_ids(&self) -> CliResult<std::collections::HashSet<(Option<String>, String)>> {
        let label = self.several();
        Ok(self
            .fleets()?
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
                    .collect::<Vec<_>>()
            })
            .collect())
    }

    /// The local roots' fleets and every transcript source's (a transcript
    /// a root's bridged session already holds is not read twice).
    pub fn local_fleets(&self) -> CliResult<Vec<Fleet>> {
        let mut fleets = self.fleets()?;
        fleets.extend(self.adapter_fleets()?.into_iter().map(|(fleet, _)| fleet));
        Ok(fleets)
    }

    /// Every transcript source converted, each with its label.
    pub fn adapter_fleets(&self) -> CliResult<Vec<(Fleet, String)>> {
        let plan_tools = self.config.plan_tools();
        self.adapters
            .iter()
            .map(|source| Ok((source.load_fleet(&plan_tools, self.now)?, source.label())))
            .collect()
    }

    /// One source's views at `now`.
    pub fn views_of(&self, source: &Source) -> CliResult<FleetViews> {
        match source {
            Source::Root(root) => {
                let fleet = Fleet::load(root, &self.config.plan_tools())?;
                Ok(FleetViews::build(&fleet, &self.config.stuck, self.now))
            }
            Source::Daemon(socket) => remote::views(socket, self.now),
        }
    }

    /// The merged views of all sources; rows carry their source when there
    /// are several.
    pub fn views(&self) -> CliResult<FleetViews> {
        let label_sources = self.several();
        let mut merged = FleetViews::empty();
        for source in &self.sources {
            let label = label_sources.then(|| source.label());
            merged.absorb(self.views_of(source)?, label);
        }
        for (fleet, label) in self.adapter_fleets()? {
            let views = FleetViews::build(&fleet, &self.config.stuck, self.now);
            merged.absorb(views, Some(label));
        }
        merged.sort();
        Ok(merged)
    }

    /// The source that holds `session` (exactly one must).
    pub fn source_of(&self, session: &str) -> CliResult<&Source> {
        if !paths::is_valid_session_id(session) {
            return Err(CliError::new(
                code::NOT_FOUND,
                format!("{session:?} is not a session id"),
            ));
        }
        let mut holders = Vec::new();
        for source in &self.sources {
            let holds = match source {
                Source::Root(root) => paths::session_file(&root.join(session)).is_file(),
                Source::Daemon(socket) => remote::holds(socket, session, self.now)?,
            };
            if holds {
                holders.push(source);
            }
        }
        match holders.as_slice() {
            [source] => Ok(source),
            [] => {
                for source in &self.sources {
                    if let Source::Root(root) = source
                        && !root.is_dir()
                    {
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
                        self.describe_sources()
                    ),
                ))
            }
            _ => Err(CliError::usage(format!(
                "session {session} exists in several sources; pass the one you mean with a single --root or --connect"
            ))),
        }
    }

    /// Roots and daemons in command-line order, then transcript sources.
    pub fn feed_sources(&self) -> Vec<FeedSource> {
        let local = self.sources.iter().map(|source| match source {
            Source::Root(root) => FeedSource::Root(root.clone()),
            Source::Daemon(socket) => FeedSource::Daemon(socket.clone()),
        });
        let transcripts = self.adapters.iter().cloned().map(FeedSource::Transcripts);
        local.chain(transcripts).collect()
    }

    fn describe_sources(&self) -> String {
        self.sources
            .iter()
            .map(Source::label)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The transcripts the daemons' bridged sessions show (their rows'
/// `sources`), canonical: transcript sources leave them out, so a session
/// served by a daemon on this machine is one row here too. A daemon that
/// cannot be asked claims nothing (the command reports it on its own).
fn daemon_claims(sources: &[Source]) -> Vec<PathBuf> {
    let now = chrono::Utc::now();
    sources
        .iter()
        .filter_map(|s| match s {
            Source::Daemon(socket) => remote::views(socket, now).ok(),
            Source::Root(_) => None,
        })
        .flat_map(|views| views.sessions)
        .flat_map(|row| row.sources)
        .filter_map(|named| {
            let (kind, path) = named.split_once(':')?;
            let transcript = [AdapterKind::ClaudeCode, AdapterKind::Codex]
                .iter()
                .any(|k| k.label() == kind);
            transcript.then(|| {
                let path = PathBuf::from(path);
                path.canonicalize().unwrap_or(path)
            })
        })
        .collect()
}

fn adapter_sources(cli: &Cli) -> Vec<AdapterSource> {
    [
        (AdapterKind::ClaudeCode, &cli.claude_code),
        (AdapterKind::Codex, &cli.codex),
    ]
    .into_iter()
    .filter_map(|(kind, dir)| Some(AdapterSource::new(kind, dir.clone()?)))
    .collect()
}

/// The current time, or `$SWITCHBOARD_NOW`; a bad value is a usage error.
pub fn now() -> CliResult<Timestamp> {
    crate::config::now().map_err(CliError::usage)
}
