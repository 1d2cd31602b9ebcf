//! Finding transcripts on disk and reading them through a converter (the
//! store's `transcript`): the IO half of the adapters.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::plan::PlanTools;
use crate::model::time::Timestamp;
use crate::store::bridge::claimed_transcripts;
use crate::store::error::StoreError;
use crate::store::fleet::Fleet;
use crate::store::session_snapshot::SessionSnapshot;
use crate::store::transcript::{FollowedTranscript, TranscriptFile};
use crate::transcripts::claude_code;
use crate::transcripts::codex::{self, session_id_from_file_name};

pub use crate::transcripts::AdapterKind;

// Where each tool keeps its transcripts: the environment, not the pure
// converters' business.
impl AdapterKind {
    /// `~/.claude/projects`, or `$CODEX_HOME` (default `~/.codex`).
    pub fn default_dir(self) -> PathBuf {
        let home = || {
            directories::BaseDirs::new()
                .map(|b| b.home_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from("."))
        };
        match self {
            Self::ClaudeCode => home().join(".claude").join("projects"),
            Self::Codex => std::env::var_os("CODEX_HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| home().join(".codex")),
        }
    }
}

/// A transcript root given on the command line (`--claude-code DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterSource {
    pub kind: AdapterKind,
    pub dir: PathBuf,
    /// Roots whose bridged sessions already show some of these transcripts
    /// (merged with the hook's requests): those files are left out here, so
    /// each session is one row.
    pub bridged_roots: Vec<PathBuf>,
    /// Transcripts a daemon's bridged sessions already show (from their
    /// rows' `sources`), left out the same way.
    pub claimed: Vec<PathBuf>,
}

impl AdapterSource {
    pub fn new(kind: AdapterKind, dir: Option<PathBuf>) -> Self {
        Self {
            kind,
            dir: dir.unwrap_or_else(|| kind.default_dir()),
            bridged_roots: Vec::new(),
            claimed: Vec::new(),
        }
    }

    /// `claude-code:<dir>`: the `source` of its rows.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.label(), self.dir.display())
    }

    /// Every transcript under the directory, sorted by session id.
    pub fn discover(&self) -> Result<Vec<TranscriptFile>, StoreError> {
        if !self.dir.is_dir() {
            return Err(StoreError::Refused(format!(
                "{} transcript directory {} does not exist; pass the right one with --{} DIR",
                self.kind.label(),
                self.dir.display(),
                self.kind.label()
            )));
        }
        let mut files = match self.kind {
            AdapterKind::ClaudeCode => discover_claude_code(&self.dir)?,
            AdapterKind::Codex => discover_codex(&self.dir)?,
        };
        files.sort_by(|a, b| a.session_id.cmp(&b.session_id).then(a.path.cmp(&b.path)));
        files.dedup_by(|b, a| a.session_id == b.session_id);
        if !self.bridged_roots.is_empty() || !self.claimed.is_empty() {
            let mut claimed = claimed_transcripts(&self.bridged_roots);
            claimed.extend(self.claimed.iter().cloned());
            files.retain(|f| {
                let path = f.path.canonicalize().unwrap_or_else(|_| f.path.clone());
                !claimed.contains(&path)
            });
        }
        Ok(files)
    }

    /// Every transcript converted and folded, as a fleet the views understand.
    pub fn load_fleet(&self, plan_tools: &PlanTools, now: Timestamp) -> Result<Fleet, StoreError> {
        let mut fleet = Fleet {
            root: self.dir.clone(),
            ..Fleet::default()
        };
        for file in self.discover()? {
            match ConvertedTranscript::read(&file, plan_tools, now, false) {
                Ok(converted) => fleet.sessions.push(converted.snapshot),
                Err(e) => fleet.errors.push((file.session_id.clone(), e.to_string())),
            }
        }
        fleet.sessions.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(fleet)
    }

    /// One session, converted, with its synthetic lines kept (for `show`).
    pub fn find(
        &self,
        session_id: &str,
        plan_tools: &PlanTools,
        now: Timestamp,
    ) -> Result<Option<ConvertedTranscript>, StoreError> {
        let Some(file) = self
            .discover()?
            .into_iter()
            .find(|f| f.session_id == session_id)
        else {
            return Ok(None);
        };
        ConvertedTranscript::read(&file, plan_tools, now, true).map(Some)
    }
}

/// `<dir>/<project>/<session>.jsonl`, `<dir>/<project>/agent-*.jsonl` and
/// `<dir>/<project>/<session>/subagents/*.jsonl`. `dir` may also be
/// `~/.claude` (its `projects/` is used) or one project folder.
fn discover_claude_code(dir: &Path) -> Result<Vec<TranscriptFile>, StoreError> {
    let projects = dir.join("projects");
    let dir = if projects.is_dir() { &projects } else { dir };
    let mut files = Vec::new();
    let direct = jsonl_files(dir)?;
    let project_dirs: Vec<PathBuf> = if direct.is_empty() {
        subdirs(dir)?
    } else {
        vec![dir.to_path_buf()]
    };
    for project in project_dirs {
        for path in jsonl_files(&project)? {
            let stem = file_stem(&path);
            let agent = stem.starts_with("agent-");
            files.push(TranscriptFile {
                kind: AdapterKind::ClaudeCode,
                session_id: format!("{}{stem}", claude_code::ID_PREFIX),
                parent_id: None,
                parent_from_records: agent,
                path,
            });
        }
        for session_dir in subdirs(&project)? {
            let session = file_stem(&session_dir);
            for path in jsonl_files(&session_dir.join("subagents"))? {
                let stem = file_stem(&path);
                files.push(TranscriptFile {
                    kind: AdapterKind::ClaudeCode,
                    session_id: format!("{}{session}-{stem}", claude_code::ID_PREFIX),
                    parent_id: Some(format!("{}{session}", claude_code::ID_PREFIX)),
                    parent_from_records: false,
                    path,
                });
            }
        }
    }
    Ok(files)
}

/// `<dir>/sessions/**/rollout-*.jsonl`; `dir` may also be the `sessions`
/// folder itself.
fn discover_codex(dir: &Path) -> Result<Vec<TranscriptFile>, StoreError> {
    let sessions = dir.join("sessions");
    let root = if sessions.is_dir() {
        sessions
    } else {
        dir.to_path_buf()
    };
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(folder) = stack.pop() {
        stack.extend(subdirs(&folder)?);
        for path in jsonl_files(&folder)? {
            let stem = file_stem(&path);
            if !stem.starts_with("rollout-") {
                continue;
            }
            files.push(TranscriptFile {
                kind: AdapterKind::Codex,
                session_id: format!("{}{}", codex::ID_PREFIX, session_id_from_file_name(&stem)),
                parent_id: None,
                parent_from_records: false,
                path,
            });
        }
    }
    Ok(files)
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<fs::DirEntry>, StoreError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::read(dir, e)),
    };
    let mut entries: Vec<fs::DirEntry> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    Ok(read_dir_sorted(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect())
}

fn jsonl_files(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    Ok(read_dir_sorted(dir)?
        .into_iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect())
}

/// A transcript read once, start to end.
pub struct ConvertedTranscript {
    pub snapshot: SessionSnapshot,
    /// The synthetic journal lines, when asked for.
    pub lines: Vec<Vec<u8>>,
}

impl ConvertedTranscript {
    pub fn read(
        file: &TranscriptFile,
        plan_tools: &PlanTools,
        now: Timestamp,
        keep_lines: bool,
    ) -> Result<Self, StoreError> {
        let mut followed = FollowedTranscript::new(file.clone());
        let step = followed
            .read_new()
            .map_err(|e| StoreError::read(&file.path, e))?;
        let snapshot = followed.snapshot(&step.lines, plan_tools, now);
        let lines = if keep_lines {
            step.lines.into_iter().map(|(_, l)| l).collect()
        } else {
            Vec::new()
        };
        Ok(Self { snapshot, lines })
    }
}
