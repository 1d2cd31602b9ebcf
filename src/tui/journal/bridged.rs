//! The event stream of a session read from two sources (a hook's journal
//! and the agent's transcript, see `store::bridge`): their merged lines
//! in memory. The feed reloads such a session whole when either source
//! changes, so the stream is read again whenever it hears of new lines.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::access::{JournalAccess, Refresh};
use crate::model::session::SessionDoc;
use crate::store::bridge::read_bridged;
use crate::store::paths;

pub struct BridgedJournal {
    dir: PathBuf,
    id: String,
    lines: Vec<Vec<u8>>,
}

impl BridgedJournal {
    /// The merged journal of the session whose `events.jsonl` is `journal`,
    /// or `None` when that session is not bridged.
    pub fn open(journal: &Path) -> Option<Self> {
        let dir = journal.parent()?.to_path_buf();
        let id = dir.file_name()?.to_string_lossy().into_owned();
        let lines = merged(&dir, &id)?;
        Some(Self { dir, id, lines })
    }
}

fn merged(dir: &Path, id: &str) -> Option<Vec<Vec<u8>>> {
    let bytes = std::fs::read(paths::session_file(dir)).ok()?;
    let doc = SessionDoc::from_json_bytes(&bytes).ok()?;
    let now = crate::tui::clock();
    read_bridged(dir, id, &doc, now).map(|b| b.lines)
}

impl JournalAccess for BridgedJournal {
    fn line_count(&self) -> usize {
        self.lines.len()
    }

    fn read_lines(&self, range: Range<usize>) -> io::Result<Vec<Vec<u8>>> {
        let end = range.end.min(self.lines.len());
        let start = range.start.min(end);
        Ok(self.lines[start..end].to_vec())
    }

    fn appended(&mut self, _lines: &[(u64, Vec<u8>)], _end: u64) -> io::Result<Refresh> {
        // The hook's offsets say nothing about merged positions: read both
        // sources again.
        let fresh = merged(&self.dir, &self.id).unwrap_or_default();
        let grew = fresh.len() >= self.lines.len() && fresh[..self.lines.len()] == self.lines[..];
        let refresh = match (grew, fresh.len() > self.lines.len()) {
            (false, _) => Refresh::Replaced,
            (true, true) => Refresh::Grew,
            (true, false) => Refresh::Unchanged,
        };
        self.lines = fresh;
        Ok(refresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bridged_session_streams_its_transcript_and_hook_lines_merged() {
        let projects = tempfile::tempdir().unwrap();
        let transcript = projects.path().join("abc.jsonl");
        std::fs::write(
            &transcript,
            "{\"type\":\"user\",\"uuid\":\"u1\",\"timestamp\":\"2026-01-01T10:00:00Z\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n",
        )
        .unwrap();
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("cc-abc");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("events.jsonl"),
            "{\"id\":\"h1\",\"type\":\"system.message\",\"created_at\":\"2026-01-01T10:00:01Z\"}\n",
        )
        .unwrap();
        let doc = serde_json::json!({"metadata": {"source": "claude-code-hook",
            "claude_code_session_id": "abc", "transcript": transcript}});
        std::fs::write(dir.join("session.json"), doc.to_string()).unwrap();
        let journal = BridgedJournal::open(&dir.join("events.jsonl")).unwrap();
        assert_eq!(
            journal.line_count(),
            2,
            "the transcript's line, then the hook's"
        );
        let plain = root.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        std::fs::write(plain.join("session.json"), "{}").unwrap();
        assert!(BridgedJournal::open(&plain.join("events.jsonl")).is_none());
    }
}
