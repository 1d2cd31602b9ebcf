//! Which source `show` reads a session from: the one that holds its id,
//! or the one `SOURCE:ID` / `--source` names when several hold different
//! sessions with that id. Never a silent pick.

use std::path::Path;

use super::context::{Context, Source};
use super::exit::{CliError, CliResult, code};
use crate::adapters::AdapterSource;
use crate::rpc::remote;
use crate::store::paths;

/// Kinds of source a session id may be prefixed with (`claude-code:cc-…`).
const SOURCE_KINDS: [&str; 4] = ["root", "daemon", "claude-code", "codex"];

/// `SOURCE:ID` split into the id and the source kind, when it starts with one.
pub fn split_source(text: &str) -> (&str, Option<&str>) {
    match text.split_once(':') {
        Some((kind, id)) if SOURCE_KINDS.contains(&kind) && !id.is_empty() => (id, Some(kind)),
        _ => (text, None),
    }
}

/// Where one session is read from.
pub enum Holder<'a> {
    Root(&'a Path),
    Daemon(&'a Path),
    Transcripts(&'a AdapterSource),
}

impl Holder<'_> {
    fn label(&self) -> String {
        match self {
            Self::Root(path) => format!("root {}", path.display()),
            Self::Daemon(path) => format!("daemon {}", path.display()),
            Self::Transcripts(source) => source.label(),
        }
    }

    /// `--source` names it: by kind, by path, or by its whole label.
    fn named(&self, wanted: &str) -> bool {
        match self {
            Self::Root(path) => wanted == "root" || Path::new(wanted) == *path,
            Self::Daemon(path) => wanted == "daemon" || Path::new(wanted) == *path,
            Self::Transcripts(source) => {
                wanted == source.kind.label()
                    || wanted == source.label()
                    || Path::new(wanted) == source.dir
            }
        }
    }
}

/// The one source holding `session` (among those `wanted` names). Never
/// picks silently: when several hold different sessions with this id, the
/// error lists them and says how to choose.
pub fn holder<'a>(ctx: &'a Context, session: &str, wanted: Option<&str>) -> CliResult<Holder<'a>> {
    let in_sources = ctx.source_of(session);
    let mut holders: Vec<Holder<'a>> = Vec::new();
    match in_sources {
        Ok(Source::Root(root)) => holders.push(Holder::Root(root)),
        Ok(Source::Daemon(socket)) => holders.push(Holder::Daemon(socket)),
        Err(e) if e.code == code::NOT_FOUND => {}
        Err(e) if ctx.adapters.is_empty() || e.code != code::USAGE => return Err(e),
        Err(_) => {
            for source in &ctx.sources {
                match source {
                    Source::Root(root) if paths::session_file(&root.join(session)).is_file() => {
                        holders.push(Holder::Root(root))
                    }
                    Source::Daemon(socket) if remote::holds(socket, session, ctx.now)? => {
                        holders.push(Holder::Daemon(socket))
                    }
                    _ => {}
                }
            }
        }
    }
    for source in &ctx.adapters {
        let files = source.discover()?;
        if files.iter().any(|f| f.session_id == session) {
            holders.push(Holder::Transcripts(source));
        }
    }
    if let Some(wanted) = wanted {
        holders.retain(|h| h.named(wanted));
    }
    match holders.len() {
        1 => Ok(holders.remove(0)),
        0 => match (wanted, ctx.source_of(session)) {
            (None, Err(e)) => Err(e),
            _ => Err(CliError::new(
                code::NOT_FOUND,
                format!(
                    "session {session} not found in the source {}",
                    wanted.unwrap_or("given")
                ),
            )),
        },
        _ => {
            let listed: Vec<String> = holders.iter().map(Holder::label).collect();
            Err(CliError::usage(format!(
                "session {session} is a different session in each of: {}; pick one with \
                 `show SOURCE:{session}` (SOURCE is root, daemon, claude-code or codex) or \
                 `show {session} --source PATH`",
                listed.join(", ")
            )))
        }
    }
}
