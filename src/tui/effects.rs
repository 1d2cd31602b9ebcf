//! Performs the IO `update` asks for and answers with messages: opening
//! the selected journal the way its source is read (a file: its tail first
//! when it is big, the index in the background; a daemon: through its
//! socket; a transcript: converted in memory), reading the visible window,
//! reading one event in full.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use super::journal::detail::build_detail;
use super::journal::evidence::find_events;
use super::journal::file::OpenError;
use super::journal::rows::decode_row;
use super::journal::{
    BridgedJournal, FileJournal, JournalAccess, JournalOrigin, MemoryJournal, Refresh,
    SocketJournal,
};
use super::msg::{Effect, Msg};
use super::oncall_io::{act, copy, event_json};
use super::review_io;
use crate::feed::SessionKey;
use crate::sanitize::sanitize_line;
use crate::store::journal_lines::{complete_end, tail_lines};

/// Journals bigger than this show their tail while being indexed.
pub const DEFAULT_TAIL_THRESHOLD: u64 = 8 << 20;
/// Lines read from the end for the first screen.
const TAIL_LINES: usize = 300;

/// A finished background job, handed back to the loop.
pub enum Background {
    Indexed {
        key: SessionKey,
        generation: u64,
        result: Result<FileJournal, String>,
    },
}

struct OpenJournal {
    key: SessionKey,
    generation: u64,
    origin: JournalOrigin,
    /// The journal file (meaningful for `JournalOrigin::Files`).
    path: PathBuf,
    access: Option<Box<dyn JournalAccess>>,
    /// The last lines, while the index is built.
    tail: Vec<(u64, Vec<u8>)>,
    indexing: bool,
    cancel: Arc<AtomicBool>,
}

impl OpenJournal {
    /// What errors name: the file, or the session when there is none here.
    fn describe(&self) -> String {
        match self.origin {
            JournalOrigin::Files => self.path.display().to_string(),
            _ => format!("the journal of {}", self.key.id),
        }
    }
}

pub struct EffectRunner {
    open: Option<OpenJournal>,
    /// Where background jobs report; `None` runs everything inline.
    background: Option<UnboundedSender<Background>>,
    tail_threshold: u64,
    /// How each source's journals are read, by source number; sources
    /// past the end are session folders on this machine.
    origins: Vec<JournalOrigin>,
    /// The terminal, for OSC 52 clipboard sequences (never for journal text).
    terminal: Box<dyn Write + Send>,
    audit_log: PathBuf,
    /// Who actions are recorded as (`human:user@host`).
    who: String,
    /// Set while `$EDITOR` has the terminal (the input thread pauses), and
    /// whether the mouse is captured; `None`: no terminal of our own.
    suspend: Option<(Arc<AtomicBool>, bool)>,
}

impl EffectRunner {
    /// Runs everything inline (tests, small tools).
    pub fn inline() -> Self {
        Self {
            open: None,
            background: None,
            tail_threshold: u64::MAX,
            origins: Vec::new(),
            terminal: Box::new(std::io::sink()),
            audit_log: crate::store::paths::audit_log(),
            who: crate::config::default_decider(),
            suspend: None,
        }
    }

    /// Lets `$EDITOR` take the terminal: `pause` stops the input thread
    /// reading keys meanwhile; `mouse` is restored after.
    pub fn enable_external_editor(&mut self, pause: Arc<AtomicBool>, mouse: bool) {
        self.suspend = Some((pause, mouse));
    }

    /// Where clipboard sequences go (the terminal; a buffer in tests).
    pub fn set_terminal(&mut self, terminal: Box<dyn Write + Send>) {
        self.terminal = terminal;
    }

    pub fn set_audit_log(&mut self, path: PathBuf) {
        self.audit_log = path;
    }

    /// Indexes big journals on a thread, reporting to `tx`.
    pub fn with_background(tx: UnboundedSender<Background>, tail_threshold: u64) -> Self {
        Self {
            background: Some(tx),
            tail_threshold,
            ..Self::inline()
        }
    }

    /// Reads source N's journals the way `origins[N]` says.
    pub fn with_origins(mut self, origins: Vec<JournalOrigin>) -> Self {
        self.origins = origins;
        self
    }

    fn origin_of(&self, key: &SessionKey) -> JournalOrigin {
        self.origins.get(key.source).cloned().unwrap_or_default()
    }

    pub fn run(
        &mut self,
        effect: Effect,
        path_of: impl Fn(&SessionKey) -> Option<PathBuf>,
    ) -> Vec<Msg> {
        match effect {
            Effect::OpenJournal { key, generation } => match path_of(&key) {
                Some(path) => self.open(key, generation, path),
                None => Vec::new(),
            },
            Effect::CloseJournal => {
                self.close();
                Vec::new()
            }
            Effect::JournalAppended {
                key,
                generation,
                lines,
                end,
            } => self.appended(&key, generation, &lines, end),
            Effect::LoadWindow {
                key,
                generation,
                range,
            } => {
                let Some(open) = self.current(&key, generation) else {
                    return Vec::new();
                };
                let Some(access) = &open.access else {
                    return Vec::new();
                };
                match access.read_lines(range.clone()) {
                    Ok(lines) => vec![Msg::Window {
                        key,
                        generation,
                        start: range.start,
                        rows: lines
                            .iter()
                            .enumerate()
                            .map(|(i, bytes)| decode_row(range.start + i, bytes))
                            .collect(),
                    }],
                    Err(e) => vec![failed(key, generation, &open.describe(), &e.to_string())],
                }
            }
            Effect::OpenEvent {
                key,
                generation,
                line,
            } => {
                let Some(bytes) = self.line_bytes(&key, generation, line) else {
                    return Vec::new();
                };
                vec![Msg::Detail {
                    key,
                    line,
                    doc: build_detail(line, &bytes),
                }]
            }
            Effect::LoadEvidence { key, stamp, ids } => {
                let Some(path) = path_of(&key) else {
                    return Vec::new();
                };
                match find_events(&path, &ids) {
                    Ok(items) => vec![Msg::Evidence { key, stamp, items }],
                    Err(e) => vec![Msg::Outcome {
                        ok: false,
                        text: sanitize_line(&format!(
                            "Cannot read the evidence in {}: {e}",
                            path.display()
                        )),
                    }],
                }
            }
            Effect::Act {
                dir, action, now, ..
            } => {
                let (ok, text) = act(&dir, &action, &self.who, &self.audit_log, now);
                vec![Msg::Outcome {
                    ok,
                    text: sanitize_line(&text),
                }]
            }
            Effect::Copy { what, text } => {
                let (ok, text) = copy(self.terminal.as_mut(), &what, &text);
                vec![Msg::Outcome { ok, text }]
            }
            Effect::CopyEvent {
                key,
                generation,
                line,
            } => {
                let Some(bytes) = self.line_bytes(&key, generation, line) else {
                    return Vec::new();
                };
                let json = match event_json(line, &bytes) {
                    Ok(json) => json,
                    Err(why) => {
                        return vec![Msg::Outcome {
                            ok: false,
                            text: sanitize_line(&format!("Nothing copied: {why}.")),
                        }];
                    }
                };
                let (ok, text) = copy(self.terminal.as_mut(), "event", &json);
                vec![Msg::Outcome { ok, text }]
            }
            Effect::LoadPlan {
                request,
                session,
                journal,
                plan_tools,
            } => {
                // Read the way the stream reads this source's journals.
                let lines = match self.origin_of(&session) {
                    JournalOrigin::Files => review_io::read_file_lines(&journal),
                    JournalOrigin::Daemon(socket) => SocketJournal::open(&socket, &session.id)
                        .map_err(|e| e.to_string())
                        .and_then(|j| all_lines(&j)),
                    JournalOrigin::Transcripts(source) => MemoryJournal::open(&source, &session.id)
                        .map_err(|e| e.to_string())
                        .and_then(|j| all_lines(&j)),
                };
                vec![review_io::load_plan(request, lines, &plan_tools)]
            }
            Effect::Decide {
                request,
                root,
                remote: false,
                decision,
                plan_tools,
                now,
            } => vec![review_io::decide_one(
                request,
                &root,
                &decision,
                &plan_tools,
                now,
            )],
            Effect::Decide {
                request,
                root,
                remote: true,
                decision,
                now,
                ..
            } => vec![review_io::decide_remote(request, &root, &decision, now)],
            Effect::ExternalEditor { request, text } => {
                let result = match &self.suspend {
                    Some((pause, mouse)) => review_io::external_editor(&text, pause, *mouse),
                    None => Err("The external editor needs the dashboard's own terminal; write the message in place.".into()),
                };
                vec![Msg::EditorDone { request, result }]
            }
            Effect::Notify { mode, notification } => {
                crate::review::deliver(mode, &notification, self.terminal.as_mut());
                Vec::new()
            }
            Effect::BulkApprove {
                items,
                roots,
                decided_by,
                plan_tools,
                now,
            } => vec![review_io::bulk(
                &items,
                &roots,
                &decided_by,
                &plan_tools,
                now,
            )],
        }
    }

    /// A background job finished.
    pub fn finish(&mut self, job: Background) -> Vec<Msg> {
        match job {
            Background::Indexed {
                key,
                generation,
                result,
            } => {
                let Some(open) = self
                    .open
                    .as_mut()
                    .filter(|o| o.key == key && o.generation == generation)
                else {
                    return Vec::new();
                };
                open.indexing = false;
                match result {
                    Ok(mut journal) => {
                        // Catch up on lines appended while the index was built.
                        let _ = journal.appended(&[], 0);
                        let line_count = journal.line_count();
                        open.access = Some(Box::new(journal));
                        open.tail = Vec::new();
                        vec![Msg::JournalReady {
                            key,
                            generation,
                            line_count,
                            replaced: false,
                        }]
                    }
                    Err(error) => vec![failed(key, generation, &open.describe(), &error)],
                }
            }
        }
    }

    /// One line of the open journal, from its access or the tail read first.
    fn line_bytes(&self, key: &SessionKey, generation: u64, line: usize) -> Option<Vec<u8>> {
        let open = self.current(key, generation)?;
        match &open.access {
            Some(access) => access
                .read_lines(line..line + 1)
                .ok()
                .and_then(|mut l| l.pop()),
            None => open.tail.get(line).map(|(_, b)| b.clone()),
        }
    }

    fn current(&self, key: &SessionKey, generation: u64) -> Option<&OpenJournal> {
        self.open
            .as_ref()
            .filter(|o| &o.key == key && o.generation == generation)
    }

    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            open.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn open(&mut self, key: SessionKey, generation: u64, path: PathBuf) -> Vec<Msg> {
        self.close();
        let origin = self.origin_of(&key);
        let local = origin == JournalOrigin::Files;
        let mut open = OpenJournal {
            key: key.clone(),
            generation,
            origin,
            path: path.clone(),
            access: None,
            tail: Vec::new(),
            indexing: false,
            cancel: Arc::new(AtomicBool::new(false)),
        };
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut msgs = Vec::new();
        match (&self.background, local && len > self.tail_threshold) {
            (Some(tx), true) => {
                if let Ok(tail) = read_tail(&path, len) {
                    msgs.push(Msg::JournalTail {
                        key: key.clone(),
                        generation,
                        rows: tail
                            .iter()
                            .enumerate()
                            .map(|(i, (_, bytes))| decode_row(i, bytes))
                            .collect(),
                    });
                    open.tail = tail;
                }
                open.indexing = true;
                let tx = tx.clone();
                let cancel = open.cancel.clone();
                let job_key = key.clone();
                let spawned = std::thread::Builder::new()
                    .name("journal-index".into())
                    .spawn(move || {
                        let result = match FileJournal::open(&path, &cancel) {
                            Ok(journal) => Ok(journal),
                            Err(OpenError::Cancelled) => return,
                            Err(e) => Err(e.to_string()),
                        };
                        let _ = tx.send(Background::Indexed {
                            key: job_key,
                            generation,
                            result,
                        });
                    });
                if let Err(e) = spawned {
                    msgs.push(failed(key, generation, &open.describe(), &e.to_string()));
                }
            }
            _ => msgs.extend(open_inline(&mut open)),
        }
        self.open = Some(open);
        msgs
    }

    fn appended(
        &mut self,
        key: &SessionKey,
        generation: u64,
        lines: &[(u64, Vec<u8>)],
        end: u64,
    ) -> Vec<Msg> {
        let Some(open) = self
            .open
            .as_mut()
            .filter(|o| &o.key == key && o.generation == generation)
        else {
            return Vec::new();
        };
        if open.indexing {
            return Vec::new(); // the index catches up when it is installed
        }
        let Some(access) = open.access.as_mut() else {
            return open_inline(open);
        };
        match access.appended(lines, end) {
            Ok(Refresh::Unchanged) => Vec::new(),
            Ok(refresh) => vec![Msg::JournalReady {
                key: key.clone(),
                generation,
                line_count: access.line_count(),
                replaced: refresh == Refresh::Replaced,
            }],
            Err(e) => vec![failed(
                key.clone(),
                generation,
                &open.describe(),
                &e.to_string(),
            )],
        }
    }
}

/// Every line of a journal, for reading a plan's revisions.
fn all_lines(access: &dyn JournalAccess) -> Result<Vec<Vec<u8>>, String> {
    access
        .read_lines(0..access.line_count())
        .map_err(|e| e.to_string())
}

/// Opens in place, the way the journal's source is read. A journal file
/// that does not exist yet is empty.
fn open_inline(open: &mut OpenJournal) -> Vec<Msg> {
    let (key, generation) = (open.key.clone(), open.generation);
    let opened: Result<Option<Box<dyn JournalAccess>>, String> = match &open.origin {
        JournalOrigin::Files => match BridgedJournal::open(&open.path) {
            // A hook-mirrored session: its transcript and hook lines merged.
            Some(bridged) => Ok(Some(Box::new(bridged))),
            None => match FileJournal::open(&open.path, &open.cancel) {
                Ok(journal) => Ok(Some(Box::new(journal))),
                Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.to_string()),
            },
        },
        JournalOrigin::Daemon(socket) => match SocketJournal::open(socket, &key.id) {
            Ok(journal) => Ok(Some(Box::new(journal))),
            Err(e) => Err(e.to_string()),
        },
        JournalOrigin::Transcripts(source) => match MemoryJournal::open(source, &key.id) {
            Ok(journal) => Ok(Some(Box::new(journal))),
            Err(e) => Err(e.to_string()),
        },
    };
    match opened {
        Ok(access) => {
            let line_count = access.as_ref().map_or(0, |a| a.line_count());
            open.access = access;
            vec![Msg::JournalReady {
                key,
                generation,
                line_count,
                replaced: false,
            }]
        }
        Err(e) => vec![failed(key, generation, &open.describe(), &e)],
    }
}

fn read_tail(path: &std::path::Path, len: u64) -> std::io::Result<Vec<(u64, Vec<u8>)>> {
    let file = std::fs::File::open(path)?;
    let end = complete_end(&file, len)?;
    let mut lines = tail_lines(&file, end, |l| l.len() >= TAIL_LINES)?;
    let skip = lines.len().saturating_sub(TAIL_LINES);
    lines.drain(..skip);
    Ok(lines)
}

fn failed(key: SessionKey, generation: u64, what: &str, error: &str) -> Msg {
    Msg::JournalFailed {
        key,
        generation,
        error: crate::sanitize::sanitize_line(&format!("cannot read {what}: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey {
            source: 0,
            id: "s".into(),
        }
    }

    #[test]
    fn a_big_journal_shows_its_tail_then_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut text = String::new();
        for i in 0..1000 {
            text.push_str(&format!("{{\"id\":\"e{i}\",\"type\":\"agent.message\"}}\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut runner = EffectRunner::with_background(tx, 0);
        let open = Effect::OpenJournal {
            key: key(),
            generation: 1,
        };
        let msgs = runner.run(open, |_| Some(path.clone()));
        let [Msg::JournalTail { rows, .. }] = msgs.as_slice() else {
            panic!("{msgs:?}");
        };
        assert_eq!(rows.len(), TAIL_LINES);
        // The tail's last line is readable in full before the index exists.
        let detail = runner.run(
            Effect::OpenEvent {
                key: key(),
                generation: 1,
                line: TAIL_LINES - 1,
            },
            |_| None,
        );
        let [Msg::Detail { doc, .. }] = detail.as_slice() else {
            panic!("{detail:?}");
        };
        assert!(doc.title.starts_with("e999 "), "{}", doc.title);

        let job = rx.blocking_recv().unwrap();
        let msgs = runner.finish(job);
        assert!(
            matches!(
                msgs.as_slice(),
                [Msg::JournalReady {
                    line_count: 1000,
                    ..
                }]
            ),
            "{msgs:?}"
        );
        let window = runner.run(
            Effect::LoadWindow {
                key: key(),
                generation: 1,
                range: 10..12,
            },
            |_| None,
        );
        let [
            Msg::Window {
                start: 10, rows, ..
            },
        ] = window.as_slice()
        else {
            panic!("{window:?}");
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 10);
    }

    #[test]
    fn answers_for_an_older_open_are_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, "{\"id\":\"a\",\"type\":\"x\"}\n").unwrap();
        let mut runner = EffectRunner::inline();
        let open = |generation| Effect::OpenJournal {
            key: key(),
            generation,
        };
        runner.run(open(1), |_| Some(path.clone()));
        runner.run(open(2), |_| Some(path.clone()));
        let stale = runner.run(
            Effect::LoadWindow {
                key: key(),
                generation: 1,
                range: 0..1,
            },
            |_| None,
        );
        assert!(stale.is_empty());
    }

    #[test]
    fn a_missing_journal_is_empty_until_it_appears() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut runner = EffectRunner::inline();
        let msgs = runner.run(
            Effect::OpenJournal {
                key: key(),
                generation: 1,
            },
            |_| Some(path.clone()),
        );
        assert!(matches!(
            msgs.as_slice(),
            [Msg::JournalReady { line_count: 0, .. }]
        ));
        std::fs::write(&path, "{\"id\":\"a\",\"type\":\"x\"}\n").unwrap();
        let msgs = runner.run(
            Effect::JournalAppended {
                key: key(),
                generation: 1,
                lines: Vec::new(),
                end: 0,
            },
            |_| None,
        );
        assert!(matches!(
            msgs.as_slice(),
            [Msg::JournalReady { line_count: 1, .. }]
        ));
    }
}
