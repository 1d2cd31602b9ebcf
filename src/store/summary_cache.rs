//! A persistent cache of journal summaries, so a big journal is decoded once
//! and later reads fold only what was appended since. Kept in the platform
//! cache dir, keyed by the journal's path; trusted only while the file is the
//! same one (device, inode) and the bytes before the cached offset are still
//! those that were folded.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::write_atomically;
use super::journal_fold::fold_journal_until;
use super::journal_lines::{complete_end, read_range};
use super::paths;
use crate::model::summary::JournalSummary;

/// Journals smaller than this are folded directly: decoding is cheaper
/// than reading a cache file.
pub const MIN_CACHED_BYTES: u64 = 8 * 1024 * 1024;
/// Re-write the cache once this much more has been folded.
const REWRITE_AFTER_BYTES: u64 = 4 * 1024 * 1024;
const GUARD_BYTES: u64 = 256;
/// Bumped whenever a fold of the same bytes gives a different summary:
/// 4 since contract v1.1 (agent events no longer handle queued user events).
const VERSION: u32 = 4;

#[derive(Serialize, Deserialize)]
struct CachedSummary {
    version: u32,
    path: PathBuf,
    dev: u64,
    ino: u64,
    end: u64,
    guard: String,
    summary: JournalSummary,
}

/// Folds `file` (the journal at `path`) into `summary`, starting from a
/// valid cached state when there is one. Returns the offset just past the
/// last complete line.
pub fn fold_journal_cached(
    path: &Path,
    file: &File,
    summary: &mut JournalSummary,
) -> io::Result<u64> {
    fold_journal_cached_until(path, file, u64::MAX, summary)
}

/// `fold_journal_cached`, stopping at the line boundary `until`.
pub fn fold_journal_cached_until(
    path: &Path,
    file: &File,
    until: u64,
    summary: &mut JournalSummary,
) -> io::Result<u64> {
    let meta = file.metadata()?;
    if meta.len() < MIN_CACHED_BYTES {
        return fold_journal_until(file, 0, until, summary);
    }
    let cached = load(&cache_path(path), path, file, &meta, summary);
    fold_from_cache(path, file, &meta, cached, until, summary)
}

/// Folds from `cached` (when it ends by `until`) or from the start, and
/// caches the result when much was folded.
fn fold_from_cache(
    path: &Path,
    file: &File,
    meta: &std::fs::Metadata,
    cached: Option<(JournalSummary, u64)>,
    until: u64,
    summary: &mut JournalSummary,
) -> io::Result<u64> {
    let start = match cached {
        Some((cached, end)) if end <= until => {
            *summary = cached;
            end
        }
        _ => 0,
    };
    let end = fold_journal_until(file, start, until, summary)?;
    if end.saturating_sub(start) >= REWRITE_AFTER_BYTES
        && let Err(e) = store(&cache_path(path), path, file, meta, end, summary)
    {
        tracing::debug!("summary cache {}: {e}", cache_path(path).display());
    }
    Ok(end)
}

/// Folds `file` as `fold_journal_cached` does when that means reading
/// less than `threshold` bytes; otherwise folds only its last lines (from
/// about `tail_bytes` before the end) and says so: the summary's counts then
/// cover only those lines, until `fold_journal_cached_until` at the
/// returned offset replaces it.
pub fn fold_journal_or_tail(
    path: &Path,
    file: &File,
    (threshold, tail_bytes): (u64, u64),
    summary: &mut JournalSummary,
) -> io::Result<(u64, bool)> {
    let meta = file.metadata()?;
    let cached = if meta.len() < MIN_CACHED_BYTES {
        None
    } else {
        load(&cache_path(path), path, file, &meta, summary)
    };
    let from = cached.as_ref().map_or(0, |(_, end)| *end);
    if meta.len().saturating_sub(from) < threshold {
        if meta.len() < MIN_CACHED_BYTES {
            return fold_journal_until(file, 0, u64::MAX, summary).map(|end| (end, false));
        }
        return fold_from_cache(path, file, &meta, cached, u64::MAX, summary)
            .map(|end| (end, false));
    }
    let start = complete_end(file, meta.len().saturating_sub(tail_bytes))?;
    let end = fold_journal_until(file, start, u64::MAX, summary)?;
    Ok((end, true))
}

fn cache_path(journal: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(journal).unwrap_or_else(|_| journal.to_path_buf());
    let key = hex::encode(Sha256::digest(absolute.as_os_str().as_encoded_bytes()));
    paths::cache_dir()
        .join("summaries")
        .join(format!("{key}.json"))
}

fn load(
    cache_file: &Path,
    path: &Path,
    file: &File,
    meta: &std::fs::Metadata,
    fresh: &JournalSummary,
) -> Option<(JournalSummary, u64)> {
    let bytes = std::fs::read(cache_file).ok()?;
    let cached: CachedSummary = serde_json::from_slice(&bytes).ok()?;
    let valid = cached.version == VERSION
        && cached.path == path
        && cached.dev == meta.dev()
        && cached.ino == meta.ino()
        && cached.end <= meta.len()
        && cached.summary.session_id == fresh.session_id
        && cached.summary.plan_tools() == fresh.plan_tools()
        && guard(file, cached.end).ok()? == cached.guard;
    valid.then_some((cached.summary, cached.end))
}

fn store(
    cache_file: &Path,
    path: &Path,
    file: &File,
    meta: &std::fs::Metadata,
    end: u64,
    summary: &JournalSummary,
) -> io::Result<()> {
    let dir = cache_file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let cached = CachedSummary {
        version: VERSION,
        path: path.to_path_buf(),
        dev: meta.dev(),
        ino: meta.ino(),
        end,
        guard: guard(file, end)?,
        summary: summary.clone(),
    };
    let bytes = serde_json::to_vec(&cached).map_err(io::Error::other)?;
    let name = cache_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_atomically(dir, &name, &bytes).map_err(io::Error::other)
}

/// A digest of the bytes just before `end`: a rewrite there voids the cache.
fn guard(file: &File, end: u64) -> io::Result<String> {
    let bytes = read_range(file, end.saturating_sub(GUARD_BYTES), end)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plan::PlanTools;
    use crate::store::journal_fold::fold_journal;
    use std::io::Write;

    fn big_journal(path: &Path, lines: usize) {
        let mut f = std::fs::File::create(path).unwrap();
        for i in 0..lines {
            writeln!(
                f,
                r#"{{"id":"e{i}","type":"agent.message","content":[{{"type":"text","text":"{}"}}]}}"#,
                "x".repeat(200)
            )
            .unwrap();
        }
    }

    /// A cache written before contract v1.1 holds the old answer (the
    /// agent's reply handled the queued message); it must not be used.
    #[test]
    fn a_cache_of_an_older_format_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(
            &path,
            concat!(
                r#"{"id":"q1","type":"user.message","created_at":"2026-11-21T09:55:00Z","processed_at":null}"#,
                "\n",
                r#"{"id":"a1","type":"agent.message","created_at":"2026-11-21T09:56:00Z"}"#,
                "\n",
            ),
        )
        .unwrap();
        let file = File::open(&path).unwrap();
        let meta = file.metadata().unwrap();
        let fresh = JournalSummary::new("s", PlanTools::default());
        let mut folded = fresh.clone();
        let end = fold_journal(&file, 0, &mut folded).unwrap();
        assert_eq!(folded.queued_user_events().len(), 1);
        // What version 3 folded: the same counts, the queue emptied.
        let mut old_answer = folded.clone();
        old_answer.apply_head(&crate::model::event::EventHead {
            id: "x",
            kind: crate::model::event_type::EventType::SessionStatusRunning,
            created_at: None,
            processed_at: crate::model::event::ProcessedAt::At,
        });
        assert!(old_answer.queued_user_events().is_empty());
        let cache_file = dir.path().join("cache.json");
        for (version, trusted) in [(3, false), (VERSION, true)] {
            let cached = CachedSummary {
                version,
                path: path.clone(),
                dev: meta.dev(),
                ino: meta.ino(),
                end,
                guard: guard(&file, end).unwrap(),
                summary: old_answer.clone(),
            };
            std::fs::write(&cache_file, serde_json::to_vec(&cached).unwrap()).unwrap();
            let loaded = load(&cache_file, &path, &file, &meta, &fresh);
            assert_eq!(loaded.is_some(), trusted, "version {version}");
        }
    }

    #[test]
    fn caches_big_journals_and_folds_only_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        // SAFETY: only this test reads the variable in this process's cache path.
        unsafe { std::env::set_var("SWITCHBOARD_CACHE_DIR", dir.path().join("cache")) };
        let path = dir.path().join("events.jsonl");
        let lines = (MIN_CACHED_BYTES / 200) as usize;
        big_journal(&path, lines);
        let fold = || {
            let file = File::open(&path).unwrap();
            let mut s = JournalSummary::new("s", PlanTools::default());
            let end = fold_journal_cached(&path, &file, &mut s).unwrap();
            (s, end)
        };
        let (first, end) = fold();
        assert_eq!(first.event_count as usize, lines);
        assert!(cache_path(&path).exists());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        writeln!(f, r#"{{"id":"tail","type":"agent.message"}}"#).unwrap();
        let (second, end2) = fold();
        assert_eq!(second.event_count as usize, lines + 1);
        assert!(end2 > end);
        // Replacing the file (new inode) voids the cache.
        let other = dir.path().join("new.jsonl");
        big_journal(&other, lines / 2 + 10_000);
        std::fs::rename(&other, &path).unwrap();
        let (third, _) = fold();
        assert_eq!(third.event_count as usize, lines / 2 + 10_000);
    }
}
