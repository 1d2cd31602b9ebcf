//! A transcript's event stream: its synthetic journal lines (what the
//! adapter's converter makes of the transcript) held in memory, extended by
//! the lines the feed reports. Transcripts are read-only and small next to
//! native journals, and there is no file of synthetic lines to index.

use std::io;
use std::ops::Range;

use super::access::{JournalAccess, Refresh};
use crate::adapters::source::AdapterSource;
use crate::store::transcript::{FollowedTranscript, TranscriptFile};

pub struct MemoryJournal {
    file: TranscriptFile,
    /// Synthetic lines with their synthetic offsets, in order.
    lines: Vec<(u64, Vec<u8>)>,
    /// Offset just past the last line.
    end: u64,
}

impl MemoryJournal {
    /// The transcript of session `session_id` under `source`, converted.
    pub fn open(source: &AdapterSource, session_id: &str) -> io::Result<Self> {
        let files = source.discover().map_err(io::Error::other)?;
        let file = files
            .into_iter()
            .find(|f| f.session_id == session_id)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "no transcript for {session_id} under {}",
                        source.dir.display()
                    ),
                )
            })?;
        Self::convert(file)
    }

    /// Converts `file` from its start.
    pub fn convert(file: TranscriptFile) -> io::Result<Self> {
        let mut followed = FollowedTranscript::new(file.clone());
        let step = followed.read_new()?;
        Ok(Self {
            file,
            lines: step.lines,
            end: followed.synthetic_end,
        })
    }

    /// Converts the transcript again: it changed in a way the feed's lines
    /// do not explain.
    fn reconvert(&mut self) -> io::Result<Refresh> {
        let fresh = Self::convert(self.file.clone())?;
        let kept = fresh.lines.len() >= self.lines.len()
            && fresh.lines[..self.lines.len()] == self.lines[..];
        let refresh = match (kept, fresh.lines.len() > self.lines.len()) {
            (false, _) => Refresh::Replaced,
            (true, true) => Refresh::Grew,
            (true, false) => Refresh::Unchanged,
        };
        *self = fresh;
        Ok(refresh)
    }

    /// Whether the line we hold at `offset` is `bytes`.
    fn holds(&self, offset: u64, bytes: &[u8]) -> bool {
        self.lines
            .binary_search_by_key(&offset, |(o, _)| *o)
            .is_ok_and(|i| self.lines[i].1 == bytes)
    }
}

impl JournalAccess for MemoryJournal {
    fn line_count(&self) -> usize {
        self.lines.len()
    }

    fn read_lines(&self, range: Range<usize>) -> io::Result<Vec<Vec<u8>>> {
        let end = range.end.min(self.lines.len());
        let start = range.start.min(end);
        Ok(self.lines[start..end]
            .iter()
            .map(|(_, l)| l.clone())
            .collect())
    }

    fn appended(&mut self, lines: &[(u64, Vec<u8>)], end: u64) -> io::Result<Refresh> {
        let before = self.lines.len();
        for (offset, bytes) in lines {
            if *offset < self.end {
                // Converted already when the journal was opened; a line that
                // differs means the transcript was rewritten.
                if !self.holds(*offset, bytes) {
                    return self.reconvert();
                }
                continue;
            }
            if *offset > self.end {
                return self.reconvert(); // lines were missed
            }
            self.end = offset + bytes.len() as u64 + 1;
            self.lines.push((*offset, bytes.clone()));
        }
        if end > self.end {
            return self.reconvert();
        }
        Ok(if self.lines.len() > before {
            Refresh::Grew
        } else {
            Refresh::Unchanged
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::AdapterKind;
    use std::io::Write;
    use std::path::Path;

    fn user(uuid: &str, text: &str) -> String {
        format!(
            r#"{{"type":"user","uuid":"{uuid}","sessionId":"s1","timestamp":"2026-11-21T09:00:00Z","message":{{"role":"user","content":"{text}"}}}}"#
        )
    }

    fn assistant(uuid: &str, text: &str) -> String {
        format!(
            r#"{{"type":"assistant","uuid":"{uuid}","sessionId":"s1","timestamp":"2026-11-21T09:00:05Z","message":{{"id":"m-{uuid}","role":"assistant","content":[{{"type":"text","text":"{text}"}}]}}}}"#
        )
    }

    fn write_lines(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    fn append_line(path: &Path, line: &str) {
        let mut f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        writeln!(f, "{line}").unwrap();
    }

    fn text_of(journal: &MemoryJournal) -> String {
        let lines = journal.read_lines(0..journal.line_count()).unwrap();
        lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A project folder with one transcript, and the source that finds it.
    fn source_with(lines: &[String]) -> (tempfile::TempDir, AdapterSource, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("-home-alice-shop");
        std::fs::create_dir_all(&project).unwrap();
        let path = project.join("s1.jsonl");
        write_lines(&path, lines);
        let source = AdapterSource::new(AdapterKind::ClaudeCode, Some(dir.path().to_path_buf()));
        (dir, source, path)
    }

    #[test]
    fn holds_the_converted_lines_and_takes_the_feeds_appends() {
        let (_dir, source, path) = source_with(&[user("u1", "hello"), assistant("a1", "hi there")]);
        let mut journal = MemoryJournal::open(&source, "cc-s1").unwrap();
        let first = journal.line_count();
        assert!(first >= 2, "{}", text_of(&journal));
        assert!(text_of(&journal).contains("hi there"));
        assert_eq!(journal.read_lines(first..first + 5).unwrap().len(), 0);

        // The feed converts the same transcript and reports what it gained.
        let file = source.discover().unwrap().remove(0);
        let mut feed = FollowedTranscript::new(file);
        let known = feed.read_new().unwrap().lines;
        append_line(&path, &assistant("a2", "a unique new answer"));
        let step = feed.read_new().unwrap();
        assert!(!step.lines.is_empty());

        // Lines it had already, then the new ones.
        assert_eq!(
            journal.appended(&known, feed.synthetic_end).unwrap(),
            Refresh::Grew
        );
        let grown = journal.line_count();
        assert_eq!(journal.appended(&known, 0).unwrap(), Refresh::Unchanged);
        assert_eq!(
            journal.appended(&step.lines, feed.synthetic_end).unwrap(),
            Refresh::Unchanged
        );
        assert_eq!(journal.line_count(), grown);
        assert!(text_of(&journal).contains("a unique new answer"));
    }

    #[test]
    fn appends_the_feed_reports_without_reading_the_file() {
        let (_dir, source, path) = source_with(&[user("u1", "hello")]);
        let mut journal = MemoryJournal::open(&source, "cc-s1").unwrap();
        let file = source.discover().unwrap().remove(0);
        let mut feed = FollowedTranscript::new(file);
        feed.read_new().unwrap();
        append_line(&path, &assistant("a2", "only in the feed's lines"));
        let step = feed.read_new().unwrap();
        // The file is removed: the new lines can only come from the feed.
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            journal.appended(&step.lines, feed.synthetic_end).unwrap(),
            Refresh::Grew
        );
        assert!(text_of(&journal).contains("only in the feed's lines"));
    }

    #[test]
    fn a_rewritten_or_truncated_transcript_is_converted_again() {
        let (_dir, source, path) = source_with(&[
            user("u1", "hello"),
            assistant("a1", "the first answer"),
            assistant("a2", "the second answer"),
        ]);
        let mut journal = MemoryJournal::open(&source, "cc-s1").unwrap();
        let before = journal.line_count();

        // Truncated to its first record, then rewritten differently.
        write_lines(&path, &[user("u9", "a different start")]);
        let file = source.discover().unwrap().remove(0);
        let mut feed = FollowedTranscript::new(file);
        let step = feed.read_new().unwrap();
        assert_eq!(
            journal.appended(&step.lines, feed.synthetic_end).unwrap(),
            Refresh::Replaced
        );
        assert!(journal.line_count() < before);
        let text = text_of(&journal);
        assert!(text.contains("a different start"), "{text}");
        assert!(!text.contains("the second answer"), "{text}");

        // Opened afresh it reads the same.
        let reopened = MemoryJournal::open(&source, "cc-s1").unwrap();
        assert_eq!(text_of(&reopened), text);
    }

    #[test]
    fn missed_lines_are_read_from_the_transcript() {
        let (_dir, source, path) = source_with(&[user("u1", "hello")]);
        let mut journal = MemoryJournal::open(&source, "cc-s1").unwrap();
        append_line(&path, &assistant("a1", "missed by the feed"));
        append_line(&path, &assistant("a2", "reported by the feed"));
        let file = source.discover().unwrap().remove(0);
        let mut feed = FollowedTranscript::new(file);
        let all = feed.read_new().unwrap().lines;
        let last = all.last().cloned().unwrap();
        assert_eq!(
            journal.appended(&[last], feed.synthetic_end).unwrap(),
            Refresh::Grew
        );
        let text = text_of(&journal);
        assert!(text.contains("missed by the feed"), "{text}");
        assert!(text.contains("reported by the feed"), "{text}");
        assert_eq!(journal.line_count(), all.len());
    }

    #[test]
    fn an_unknown_session_is_a_clear_error() {
        let (_dir, source, _path) = source_with(&[user("u1", "hello")]);
        let error = MemoryJournal::open(&source, "cc-nope").err().unwrap();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
        assert!(error.to_string().contains("cc-nope"), "{error}");
    }
}
