//! Every session under a root, and the fleet-level views built on them
//! (stuck rules need the parent's status).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::parallel::map_on_cores;
use super::paths;
use super::session_snapshot::SessionSnapshot;
use crate::model::plan::PlanTools;
use crate::model::status::DisplayStatus;
use crate::model::stuck::{StuckFinding, StuckInput, StuckThresholds, evaluate};
use crate::model::time::Timestamp;

#[derive(Debug, Clone, Default)]
pub struct Fleet {
    pub root: PathBuf,
    /// Sorted by id.
    pub sessions: Vec<SessionSnapshot>,
    /// Sessions that could not be read, with why.
    pub errors: Vec<(String, String)>,
}

/// Folder names under the root that may be sessions, sorted.
pub fn session_dirs(root: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NoRoot(root.to_path_buf()));
        }
        Err(e) => return Err(StoreError::read(root, e)),
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| paths::is_valid_session_id(&e.file_name().to_string_lossy()))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// The same folders as `session_dirs`, as names sorted bytewise: cheaper
/// for a feed that lists a big root every few seconds.
pub fn session_ids(root: &Path) -> Result<Vec<String>, StoreError> {
    let entries = match fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::NoRoot(root.to_path_buf()));
        }
        Err(e) => return Err(StoreError::read(root, e)),
    };
    let mut ids: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|id| paths::is_valid_session_id(id))
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

impl Fleet {
    pub fn load(root: &Path, plan_tools: &PlanTools) -> Result<Self, StoreError> {
        let dirs = session_dirs(root)?;
        let mut fleet = Fleet {
            root: root.to_path_buf(),
            ..Fleet::default()
        };
        // Folders are read on every core: `ls` on 10,000 sessions is mostly
        // thousands of small reads and folds.
        let loaded = map_on_cores(&dirs, 32, |dir| SessionSnapshot::load(dir, plan_tools));
        for (dir, result) in dirs.iter().zip(loaded) {
            match result {
                Ok(Some(snapshot)) => fleet.sessions.push(snapshot),
                Ok(None) => {}
                Err(e) => fleet.errors.push((
                    dir.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    e.to_string(),
                )),
            }
        }
        fleet.sessions.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(fleet)
    }

    pub fn get(&self, id: &str) -> Option<&SessionSnapshot> {
        self.sessions
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.sessions[i])
    }

    /// Stuck findings per session (same order as `sessions`).
    pub fn stuck(&self, thresholds: &StuckThresholds, now: Timestamp) -> Vec<Vec<StuckFinding>> {
        let parents: HashMap<&str, (DisplayStatus, Option<Timestamp>)> = self
            .sessions
            .iter()
            .map(|s| (s.id.as_str(), (s.status(), s.last_activity())))
            .collect();
        self.sessions
            .iter()
            .map(|s| {
                let parent = s
                    .doc
                    .parent_id
                    .as_deref()
                    .and_then(|p| parents.get(p).copied());
                stuck_of(s, parent, thresholds, now)
            })
            .collect()
    }
}

/// The stuck rules for one session, given its parent's status if known.
pub fn stuck_of(
    session: &SessionSnapshot,
    parent: Option<(DisplayStatus, Option<Timestamp>)>,
    thresholds: &StuckThresholds,
    now: Timestamp,
) -> Vec<StuckFinding> {
    let input = StuckInput {
        doc: &session.doc,
        summary: &session.summary,
        wake: &session.wake,
        last_activity: session.last_activity(),
        parent,
    };
    evaluate(&input, thresholds, now)
}
