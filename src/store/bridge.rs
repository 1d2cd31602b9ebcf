//! Sessions an approval bridge mirrors into a root, read together with the
//! transcript it names: the IO half of `model::bridged`. The hook writes
//! `<root>/cc-<uuid>/` (Codex: `codex-<uuid>/`) with `metadata.source` its
//! hook source and `metadata.transcript` (the agent's `transcript_path`);
//! when that file is the same session's transcript, the root's session is
//! the one row for it everywhere, and transcript sources leave the file out.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::journal_select::read_all;
use super::paths;
use super::transcript::{FollowedTranscript, TranscriptFile};
use crate::model::bridged::merge_lines;
use crate::model::session::SessionDoc;
use crate::model::time::Timestamp;
use crate::transcripts::{BridgeAgent, codex};

/// The agent and transcript of a bridged session, when the transcript
/// exists and is that session's own (`<session id>.jsonl` for Claude Code,
/// `rollout-<time>-<session id>.jsonl` for Codex); `None` for every other
/// session.
pub fn bridge_of(doc: &SessionDoc) -> Option<(BridgeAgent, PathBuf)> {
    let text = |key: &str| doc.metadata.get(key).and_then(Value::as_str);
    let agent = BridgeAgent::from_hook_source(text("source")?)?;
    let path = PathBuf::from(text("transcript")?);
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let named = match agent {
        BridgeAgent::ClaudeCode => stem,
        BridgeAgent::Codex => codex::session_id_from_file_name(&stem),
    };
    let own = path.extension().is_some_and(|x| x == "jsonl")
        && Some(named.as_str()) == text(agent.session_key());
    (own && path.is_file()).then_some((agent, path))
}

/// The transcript a bridged session names (see `bridge_of`).
pub fn transcript_of(doc: &SessionDoc) -> Option<PathBuf> {
    bridge_of(doc).map(|(_, path)| path)
}

/// A bridged session's two sources merged.
pub struct Bridged {
    pub agent: BridgeAgent,
    pub transcript: PathBuf,
    /// Transcript events and bridge lines in time order.
    pub lines: Vec<Vec<u8>>,
    pub(super) transcript_doc: Map<String, Value>,
    pub(super) bridge_lines: Vec<Vec<u8>>,
}

/// Reads both sources of the session in `dir`; `None` when it is not a
/// bridged session with a readable transcript.
pub fn read_bridged(dir: &Path, id: &str, doc: &SessionDoc, now: Timestamp) -> Option<Bridged> {
    let (agent, path) = bridge_of(doc)?;
    let mut followed = FollowedTranscript::new(TranscriptFile {
        kind: agent.adapter(),
        path: path.clone(),
        session_id: id.to_string(),
        parent_id: None,
        parent_from_records: false,
    });
    let step = followed.read_new().ok()?;
    let transcript_lines: Vec<Vec<u8>> = step.lines.into_iter().map(|(_, l)| l).collect();
    let bridge_lines = read_journal(&paths::journal(dir));
    Some(Bridged {
        agent,
        transcript: path,
        lines: merge_lines(transcript_lines, bridge_lines.clone()),
        transcript_doc: followed.session_doc(now),
        bridge_lines,
    })
}

fn read_journal(path: &Path) -> Vec<Vec<u8>> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    let end = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_all(&file, 0, end)
        .map(|lines| lines.into_iter().map(|(_, l)| l).collect())
        .unwrap_or_default()
}

/// Whether a session folder's name is one a bridge writes (`cc-…`,
/// `codex-…`): only those are looked into.
pub fn may_be_bridged(id: &str) -> bool {
    BridgeAgent::ALL
        .iter()
        .any(|agent| id.starts_with(agent.id_prefix()))
}

/// The transcripts sessions under `roots` already show merged with their
/// bridge, canonical paths: transcript sources leave these out.
pub fn claimed_transcripts(roots: &[PathBuf]) -> HashSet<PathBuf> {
    let mut claimed = HashSet::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for entry in entries.flatten() {
            if !may_be_bridged(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let Ok(bytes) = std::fs::read(paths::session_file(&entry.path())) else {
                continue;
            };
            let Ok(doc) = SessionDoc::from_json_bytes(&bytes) else {
                continue;
            };
            if let Some(path) = transcript_of(&doc) {
                claimed.insert(path.canonicalize().unwrap_or(path));
            }
        }
    }
    claimed
}
