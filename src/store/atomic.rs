//! Atomic `session.json` replacement: temp file in the same folder, fsync,
//! rename over, fsync the folder. Readers see the old file or the new one.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::error::StoreError;
use super::paths::SESSION_FILE;

/// Prefix of our temp files; readers ignore them and `clean_temp_files` removes old ones.
pub const TEMP_PREFIX: &str = ".session.json.tmp-";
/// A temp file this old belongs to a writer that died: no live write takes so long.
const STALE_TEMP_AGE: Duration = Duration::from_secs(600);

/// Crash-test hook: `SWITCHBOARD_FAILPOINT=atomic:<step>` aborts the process
/// at that step (`temp_written`, `temp_synced`, `renamed`), so the fault
/// suite can prove that a writer killed there leaves the old file or the new.
fn failpoint(step: &str) {
    if let Ok(point) = std::env::var("SWITCHBOARD_FAILPOINT")
        && point.strip_prefix("atomic:") == Some(step)
    {
        std::process::abort();
    }
}

/// Replaces `<dir>/session.json` with `doc`, atomically and durably.
pub fn write_session_doc(dir: &Path, doc: &Value) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(doc).map_err(|e| StoreError::Refused(e.to_string()))?;
    write_atomically(dir, SESSION_FILE, &bytes)
}

/// Replaces `<dir>/session.json` atomically (readers still see the old file
/// or the new one) but without fsync: for bulk writers only (the simulator's
/// load mode), where a crash may lose the newest state but never tears it.
pub fn write_session_doc_fast(dir: &Path, doc: &Value) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec_pretty(doc).map_err(|e| StoreError::Refused(e.to_string()))?;
    replace_file(dir, SESSION_FILE, &bytes, false)
}

/// Replaces `<dir>/<name>` with `bytes` through a temp file and a rename.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    replace_file(dir, name, bytes, true)
}

fn replace_file(dir: &Path, name: &str, bytes: &[u8], durable: bool) -> Result<(), StoreError> {
    clean_temp_files(dir, STALE_TEMP_AGE);
    let temp = temp_path(dir);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| StoreError::write(&temp, e))?;
        file.write_all(bytes)
            .map_err(|e| StoreError::write(&temp, e))?;
        failpoint("temp_written");
        if durable {
            file.sync_all().map_err(|e| StoreError::write(&temp, e))?;
        }
        failpoint("temp_synced");
        let target = dir.join(name);
        fs::rename(&temp, &target).map_err(|e| StoreError::write(&target, e))?;
        failpoint("renamed");
        if durable { sync_dir(dir) } else { Ok(()) }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn temp_path(dir: &Path) -> PathBuf {
    dir.join(format!(
        "{TEMP_PREFIX}{}-{}",
        std::process::id(),
        ulid::Ulid::generate()
    ))
}

/// fsyncs a folder so a rename in it is durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::write(dir, e))
}

/// Removes temp files left by writers that died, once older than `min_age`.
/// Returns how many were removed.
pub fn clean_temp_files(dir: &Path, min_age: Duration) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age >= min_age)
        })
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        write_session_doc(dir.path(), &serde_json::json!({"id":"a"})).unwrap();
        write_session_doc(dir.path(), &serde_json::json!({"id":"b"})).unwrap();
        let doc: Value =
            serde_json::from_slice(&fs::read(dir.path().join("session.json")).unwrap()).unwrap();
        assert_eq!(doc["id"], "b");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
    }

    #[test]
    fn fast_write_replaces_too() {
        let dir = tempfile::tempdir().unwrap();
        write_session_doc_fast(dir.path(), &serde_json::json!({"id":"a"})).unwrap();
        write_session_doc_fast(dir.path(), &serde_json::json!({"id":"c"})).unwrap();
        let doc: Value =
            serde_json::from_slice(&fs::read(dir.path().join("session.json")).unwrap()).unwrap();
        assert_eq!(doc["id"], "c");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn cleans_old_temp_files_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(format!("{TEMP_PREFIX}1-x")), b"{").unwrap();
        fs::write(dir.path().join("session.json"), b"{}").unwrap();
        assert_eq!(clean_temp_files(dir.path(), Duration::from_secs(3600)), 0);
        assert_eq!(clean_temp_files(dir.path(), Duration::ZERO), 1);
        assert!(dir.path().join("session.json").exists());
    }
}
