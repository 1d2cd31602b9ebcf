//! Reading one transcript file through its converter, as the store reads a
//! journal: following uses `JournalFollower`, so a torn last line waits for
//! its end, and a truncated or replaced transcript is read again from the
//! start.

use std::io;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::journal_tail::{JournalFollower, modified};
use crate::model::session::SessionDoc;
use crate::model::time::Timestamp;
use crate::transcripts::claude_code::ClaudeCodeConverter;
use crate::transcripts::codex::CodexConverter;
use crate::transcripts::{AdapterKind, TranscriptConverter};

/// One transcript file and the session it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptFile {
    pub kind: AdapterKind,
    pub path: PathBuf,
    /// The synthetic session id (`cc-…`, `codex-…`).
    pub session_id: String,
    pub parent_id: Option<String>,
    /// The parent is named inside the file (old `agent-*.jsonl` files).
    pub parent_from_records: bool,
}

impl TranscriptFile {
    /// The file's modification time, only when its records carry no time of
    /// their own: a transcript copied today from 2025 is as old as its
    /// newest record, not as new as the copy.
    pub fn activity_mtime(&self, doc: &SessionDoc) -> Option<Timestamp> {
        match doc.updated_at {
            Some(_) => None,
            None => modified(&self.path),
        }
    }

    pub fn converter(&self) -> Box<dyn TranscriptConverter> {
        let transcript = self.path.display().to_string();
        match self.kind {
            AdapterKind::ClaudeCode => Box::new(ClaudeCodeConverter::new(
                self.session_id.clone(),
                self.parent_id.clone(),
                self.parent_from_records,
                transcript,
            )),
            AdapterKind::Codex => {
                Box::new(CodexConverter::new(self.session_id.clone(), transcript))
            }
        }
    }
}

/// A transcript being followed: the converter's state, the synthetic
/// journal's length so far, and where the real file was read up to.
pub struct FollowedTranscript {
    pub file: TranscriptFile,
    follower: JournalFollower,
    converter: Box<dyn TranscriptConverter>,
    /// Bytes of synthetic journal produced (offsets of synthetic lines).
    pub synthetic_end: u64,
}

/// What one read of a followed transcript produced.
#[derive(Debug, Default)]
pub struct TranscriptStep {
    /// The transcript was replaced or truncated: the conversion restarted and
    /// `lines` start from the beginning.
    pub replaced: bool,
    pub missing: bool,
    /// Synthetic journal lines with their synthetic offsets.
    pub lines: Vec<(u64, Vec<u8>)>,
}

impl FollowedTranscript {
    pub fn new(file: TranscriptFile) -> Self {
        Self {
            follower: JournalFollower::new(&file.path),
            converter: file.converter(),
            synthetic_end: 0,
            file,
        }
    }

    /// Converts whatever complete lines the transcript gained.
    pub fn read_new(&mut self) -> io::Result<TranscriptStep> {
        let read = self.follower.poll()?;
        if read.replaced {
            self.converter = self.file.converter();
            self.synthetic_end = 0;
        }
        let mut step = TranscriptStep {
            replaced: read.replaced,
            missing: read.missing,
            lines: Vec::new(),
        };
        for (_, line) in read.lines {
            for synthetic in self.converter.convert_line(&line) {
                let offset = self.synthetic_end;
                self.synthetic_end += synthetic.len() as u64 + 1;
                step.lines.push((offset, synthetic));
            }
        }
        Ok(step)
    }

    pub fn session_doc(&self, now: Timestamp) -> Map<String, Value> {
        self.converter.session_doc(now)
    }
}
