//! How `switchboard watch` prints: one line per event (JSON with the event
//! exactly as written, or a sanitised human line), notes on stderr.

use std::fs::File;
use std::io::{BufWriter, Stdout, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use super::args::WatchArgs;
use super::exit::{CliError, CliResult};
use super::output::broken_pipe_ok;
use crate::feed::{FeedHealth, SessionKey, Update};
use crate::model::line::{LineParse, parse_line};
use crate::model::time::format_rfc3339;
use crate::sanitize::sanitize_line;
use crate::store::journal_lines::for_each_line;
use crate::store::session_snapshot::SessionSnapshot;

pub struct Printer {
    json: bool,
    from_start: bool,
    roots: Vec<PathBuf>,
    /// Per source: its initial snapshot is over (its first `Health` came).
    live: Vec<bool>,
    /// Sources whose journals are files here (roots); the others' lines
    /// arrive only through the feed.
    local: Vec<bool>,
    health: Vec<Option<FeedHealth>>,
    out: BufWriter<Stdout>,
}

impl Printer {
    pub fn new(args: &WatchArgs, roots: &[PathBuf], local: &[bool]) -> Self {
        Self {
            json: args.json,
            from_start: args.from_start,
            roots: roots.to_vec(),
            live: vec![false; roots.len()],
            local: local.to_vec(),
            health: vec![None; roots.len()],
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        }
    }

    pub fn flush(&mut self) -> CliResult {
        self.out.flush().map_err(broken_pipe_ok)
    }

    pub fn handle(&mut self, update: Update) -> CliResult {
        match update {
            Update::Health { source, health } => self.health(source, health),
            Update::Telemetry { .. } => Ok(()),
            Update::Loaded {
                key,
                snapshot,
                replaced,
            } => {
                let live = self.live.get(key.source).copied().unwrap_or(true);
                if replaced {
                    self.note(
                        &key,
                        "journal was truncated or replaced; reading it from the start",
                    );
                } else if live {
                    self.note(&key, "new session");
                }
                let local = self.local.get(key.source).copied().unwrap_or(true);
                if local && (replaced || live || self.from_start) {
                    self.print_journal(&key, &snapshot)?;
                }
                Ok(())
            }
            Update::Appended { key, lines, .. } => {
                for (offset, line) in &lines {
                    self.print_line(&key, *offset, line)?;
                }
                Ok(())
            }
            Update::Removed { key } => {
                self.note(&key, "session removed");
                Ok(())
            }
            Update::Meta { .. } => Ok(()),
        }
    }

    fn health(&mut self, source: usize, health: FeedHealth) -> CliResult {
        if let Some(live) = self.live.get_mut(source) {
            *live = true;
        }
        let Some(slot) = self.health.get_mut(source) else {
            return Ok(());
        };
        if slot.as_ref() != Some(&health) {
            let root = self
                .roots
                .get(source)
                .map(|r| r.display().to_string())
                .unwrap_or_default();
            eprintln!(
                "switchboard: {}: {}",
                sanitize_line(&root),
                sanitize_line(&health.describe())
            );
            *slot = Some(health);
        }
        Ok(())
    }

    fn note(&self, key: &SessionKey, what: &str) {
        eprintln!("switchboard: session {}: {what}", sanitize_line(&key.id));
    }

    /// Every complete line of a (new or replaced) journal, up to where the
    /// snapshot read it; the feed follows from there.
    fn print_journal(&mut self, key: &SessionKey, snapshot: &SessionSnapshot) -> CliResult {
        let path = snapshot.journal_path();
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(CliError::other(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        let end = snapshot.journal_end;
        let mut lines = Vec::new();
        for_each_line(&file, 0, |offset, line| {
            if offset >= end {
                return ControlFlow::Break(());
            }
            lines.push((offset, line.to_vec()));
            ControlFlow::Continue(())
        })
        .map_err(|e| CliError::other(format!("cannot read {}: {e}", path.display())))?;
        for (offset, line) in &lines {
            self.print_line(key, *offset, line)?;
        }
        Ok(())
    }

    fn print_line(&mut self, key: &SessionKey, offset: u64, raw: &[u8]) -> CliResult {
        let parsed = parse_line(raw);
        let text = match (&parsed, self.json) {
            (LineParse::Blank, _) => return Ok(()),
            (LineParse::Event(_), true) => self.json_line(key, raw),
            (LineParse::Event(event), false) => format!(
                "{:<20} {:<16} {:<26} {}\n",
                event
                    .created_at
                    .map(format_rfc3339)
                    .unwrap_or_else(|| "-".into()),
                sanitize_line(&key.id),
                sanitize_line(event.kind.as_str()),
                crate::views::shown_summary(event),
            ),
            (LineParse::Malformed(reason), true) => {
                eprintln!(
                    "switchboard: session {}: malformed line at byte {offset}: {}",
                    sanitize_line(&key.id),
                    sanitize_line(&reason.to_string())
                );
                return Ok(());
            }
            (LineParse::Malformed(reason), false) => format!(
                "{:<20} {:<16} {:<26} {}\n",
                "-",
                sanitize_line(&key.id),
                "MALFORMED",
                crate::views::shown_malformed(reason, raw, 120),
            ),
        };
        self.out.write_all(text.as_bytes()).map_err(broken_pipe_ok)
    }

    /// `{"session_id":…,"event":<the line as written>}`; with several roots
    /// also `"source":<root>`.
    fn json_line(&self, key: &SessionKey, raw: &[u8]) -> String {
        let id = serde_json::Value::String(key.id.clone());
        let source = match (self.roots.len() > 1, self.roots.get(key.source)) {
            (true, Some(root)) => format!(
                ",\"source\":{}",
                serde_json::Value::String(root.display().to_string())
            ),
            _ => String::new(),
        };
        // The line parsed as a JSON object, so it is valid JSON as written.
        let event = String::from_utf8_lossy(raw.trim_ascii());
        format!("{{\"session_id\":{id}{source},\"event\":{event}}}\n")
    }
}
