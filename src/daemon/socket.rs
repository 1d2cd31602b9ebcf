//! The daemon's socket file: created in a private (0700) directory, bound
//! with a umask that makes it 0600 from the moment it exists, guarded by a
//! lock file so that two daemons never share a path. A socket left by a dead
//! daemon is replaced; a live daemon's is left alone.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use super::peer::own_uid;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error(
        "{0} is not a private directory (it must be yours with mode 0700); run `chmod 700 {0}` or choose another --socket"
    )]
    LooseDir(PathBuf),
    #[error("a daemon is already serving {0}; stop it first or choose another --socket")]
    InUse(PathBuf),
    #[error("{0} exists and is not a socket; remove it or choose another --socket")]
    NotASocket(PathBuf),
    #[error("cannot {what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
}

fn io_error<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> SocketError + 'a {
    move |source| SocketError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}

/// A bound listening socket, with the lock that says it is ours.
pub struct BoundSocket {
    pub listener: UnixListener,
    pub path: PathBuf,
    ino: u64,
    _lock: File,
}

impl BoundSocket {
    /// Removes the socket file, unless something else has replaced it.
    pub fn remove(&self) {
        if let Ok(meta) = fs::symlink_metadata(&self.path)
            && meta.ino() == self.ino
            && let Err(e) = fs::remove_file(&self.path)
        {
            tracing::warn!("cannot remove {}: {e}", self.path.display());
        }
    }
}

/// What is at a socket path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// A daemon accepts connections there.
    Live,
    /// A socket file nobody listens on.
    Stale,
    Absent,
    /// Something that is not a socket.
    Other,
}

pub fn probe(path: &Path) -> Probe {
    match fs::symlink_metadata(path) {
        Err(_) => Probe::Absent,
        Ok(meta) if !meta.file_type().is_socket() => Probe::Other,
        Ok(_) => match UnixStream::connect(path) {
            Ok(_) => Probe::Live,
            Err(_) => Probe::Stale,
        },
    }
}

/// The lock file beside a socket.
pub fn lock_path(socket: &Path) -> PathBuf {
    let mut name = socket.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Creates `dir` (0700) if missing; refuses one others can enter.
pub fn prepare_dir(dir: &Path) -> Result<(), SocketError> {
    if !dir.exists() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error("create the directory", dir))?;
    }
    let meta = fs::metadata(dir).map_err(io_error("inspect", dir))?;
    if !meta.is_dir() || meta.uid() != own_uid() || meta.mode() & 0o077 != 0 {
        return Err(SocketError::LooseDir(dir.to_path_buf()));
    }
    Ok(())
}

/// Binds `path`: private directory, lock, stale-socket check, then a bind
/// under umask 0177 (call before other threads start: umask is process-wide).
pub fn bind(path: &Path) -> Result<BoundSocket, SocketError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    prepare_dir(&dir)?;
    let lock_file = lock_path(path);
    let mut lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_file)
        .map_err(io_error("open the lock file", &lock_file))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => return Err(SocketError::InUse(path.to_path_buf())),
        Err(fs::TryLockError::Error(e)) => {
            return Err(io_error("lock", &lock_file)(e));
        }
    }
    match probe(path) {
        Probe::Live => return Err(SocketError::InUse(path.to_path_buf())),
        Probe::Other => return Err(SocketError::NotASocket(path.to_path_buf())),
        Probe::Stale => {
            tracing::info!("replacing the stale socket {}", path.display());
            fs::remove_file(path).map_err(io_error("remove the stale socket", path))?;
        }
        Probe::Absent => {}
    }
    // SAFETY: umask only swaps the process's file mode mask.
    let old = unsafe { libc::umask(0o177) };
    let bound = UnixListener::bind(path);
    // SAFETY: as above, restoring the previous mask.
    unsafe { libc::umask(old) };
    let listener = bound.map_err(io_error("bind", path))?;
    let ino = fs::symlink_metadata(path)
        .map_err(io_error("inspect", path))?
        .ino();
    lock.set_len(0).map_err(io_error("write", &lock_file))?;
    writeln!(lock, "{}", std::process::id()).map_err(io_error("write", &lock_file))?;
    Ok(BoundSocket {
        listener,
        path: path.to_path_buf(),
        ino,
        _lock: lock,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn binds_0600_in_a_0700_dir_and_replaces_a_stale_socket() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("run/sb/daemon.sock");
        {
            let bound = bind(&path).unwrap();
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = fs::metadata(path.parent().unwrap()).unwrap().mode();
            assert_eq!(dir_mode & 0o777, 0o700);
            assert_eq!(probe(&path), Probe::Live);
            assert!(matches!(bind(&path), Err(SocketError::InUse(_))));
            drop(bound.listener);
            // The lock dropped too, the file stays: a dead daemon's leftovers.
        }
        assert_eq!(probe(&path), Probe::Stale);
        let again = bind(&path).unwrap();
        assert_eq!(probe(&path), Probe::Live);
        again.remove();
        assert_eq!(probe(&path), Probe::Absent);
    }

    #[test]
    fn refuses_a_shared_directory_and_a_non_socket() {
        let tmp = tempfile::tempdir().unwrap();
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(
            bind(&tmp.path().join("d.sock")),
            Err(SocketError::LooseDir(_))
        ));
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o700)).unwrap();
        fs::write(tmp.path().join("f"), b"x").unwrap();
        assert!(matches!(
            bind(&tmp.path().join("f")),
            Err(SocketError::NotASocket(_))
        ));
    }
}
