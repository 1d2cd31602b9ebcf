//! Waiting for the daemon to stop: shared by the accept loop and every
//! connection.

use tokio::sync::watch;

/// Resolves once `shutdown` is true (or its sender is gone).
pub async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
