//! Who is on the other end of a connection: the kernel's `SO_PEERCRED`, read
//! through tokio, checked against the daemon's own uid and the allow-list.

use tokio::net::UnixStream;

/// The uid this process runs as.
pub fn own_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Whether a peer uid may use the daemon.
pub fn is_allowed(peer_uid: u32, own: u32, allow_uids: &[u32]) -> bool {
    peer_uid == own || allow_uids.contains(&peer_uid)
}

/// The peer's uid and pid (when the kernel says).
pub fn peer_of(stream: &UnixStream) -> std::io::Result<(u32, Option<i32>)> {
    let cred = stream.peer_cred()?;
    Ok((cred.uid(), cred.pid()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_owner_and_the_listed_may_connect() {
        assert!(is_allowed(1000, 1000, &[]));
        assert!(!is_allowed(65534, 1000, &[]));
        assert!(is_allowed(65534, 1000, &[65534]));
    }

    #[tokio::test]
    async fn a_socket_pair_reports_our_own_uid() {
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(peer_of(&a).unwrap().0, own_uid());
    }
}
