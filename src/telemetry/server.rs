//! The metrics endpoint: a deliberately tiny HTTP/1.1 server that answers
//! `GET /metrics` and refuses everything else. One request per connection,
//! the request head capped in size and in time, a bounded number of
//! connections at once.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// The most bytes of a request head read; larger requests get 431.
pub const MAX_REQUEST_BYTES: usize = 8 * 1024;
/// Connections served at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 16;
/// A client that has not sent its request head by then is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// What a request head amounts to.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    Metrics,
    /// Status code and reason to answer with.
    Refused(u16, &'static str),
}

/// Decides what to answer from the bytes read so far; `None` means the head
/// is not complete yet.
pub fn route(head: &[u8]) -> Option<Route> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n");
    let Some(end) = end else {
        if head.len() >= MAX_REQUEST_BYTES {
            return Some(Route::Refused(431, "Request Header Fields Too Large"));
        }
        return None;
    };
    let Ok(text) = std::str::from_utf8(&head[..end]) else {
        return Some(Route::Refused(400, "Bad Request"));
    };
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Some(Route::Refused(400, "Bad Request"));
    };
    if !version.starts_with("HTTP/1.") {
        return Some(Route::Refused(400, "Bad Request"));
    }
    if method != "GET" {
        return Some(Route::Refused(405, "Method Not Allowed"));
    }
    let path = target.split('?').next().unwrap_or_default();
    if path != "/metrics" {
        return Some(Route::Refused(404, "Not Found"));
    }
    let has_body = lines.any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        let name = name.trim();
        (name.eq_ignore_ascii_case("content-length") && value.trim() != "0")
            || name.eq_ignore_ascii_case("transfer-encoding")
    });
    if has_body {
        return Some(Route::Refused(400, "Bad Request"));
    }
    Some(Route::Metrics)
}

/// Binds `addr` (before the daemon says it started, so a taken port is an
/// error at once).
pub fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Serves until `shutdown` turns true; `render` makes the exposition text.
pub async fn serve<F, Fut>(
    listener: std::net::TcpListener,
    render: F,
    mut shutdown: watch::Receiver<bool>,
) where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = String> + Send,
{
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!("cannot serve metrics: {e}");
            return;
        }
    };
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let Ok(permit) = slots.clone().try_acquire_owned() else {
                        drop(stream);
                        continue;
                    };
                    let render = render.clone();
                    tokio::spawn(async move {
                        answer(stream, render).await;
                        drop(permit);
                    });
                }
                Err(e) => {
                    tracing::warn!("metrics accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stopped(&mut shutdown) => break,
        }
    }
}

async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

async fn answer<F, Fut>(mut stream: TcpStream, render: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = String>,
{
    let route = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
        Ok(Some(route)) => route,
        // Timed out, or closed before a whole head: nothing to answer.
        Ok(None) | Err(_) => return,
    };
    let response = match route {
        Route::Metrics => {
            let body = render().await;
            response(200, "OK", CONTENT_TYPE, &body)
        }
        Route::Refused(405, reason) => {
            let mut r = response(
                405,
                reason,
                "text/plain; charset=utf-8",
                "only GET /metrics\n",
            );
            r.insert_str(r.find("\r\n").unwrap_or(0) + 2, "Allow: GET\r\n");
            r
        }
        Route::Refused(status, reason) => response(
            status,
            reason,
            "text/plain; charset=utf-8",
            "only GET /metrics\n",
        ),
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

async fn read_head(stream: &mut TcpStream) -> Option<Route> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        let room = MAX_REQUEST_BYTES - head.len();
        head.extend_from_slice(&buf[..n.min(room)]);
        if let Some(route) = route(&head) {
            return Some(route);
        }
    }
}

fn response(status: u16, reason: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_get_metrics_is_served() {
        assert_eq!(
            route(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some(Route::Metrics)
        );
        assert_eq!(
            route(b"GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
            Some(Route::Metrics)
        );
        assert_eq!(
            route(b"POST /metrics HTTP/1.1\r\n\r\n"),
            Some(Route::Refused(405, "Method Not Allowed"))
        );
        assert_eq!(
            route(b"HEAD /metrics HTTP/1.1\r\n\r\n"),
            Some(Route::Refused(405, "Method Not Allowed"))
        );
        assert_eq!(
            route(b"GET / HTTP/1.1\r\n\r\n"),
            Some(Route::Refused(404, "Not Found"))
        );
        assert_eq!(
            route(b"GET /metrics/../x HTTP/1.1\r\n\r\n"),
            Some(Route::Refused(404, "Not Found"))
        );
        assert_eq!(
            route(b"GET /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\n"),
            Some(Route::Refused(400, "Bad Request"))
        );
        assert_eq!(
            route(b"GET /metrics\r\n\r\n"),
            Some(Route::Refused(400, "Bad Request"))
        );
        assert_eq!(route(b"GET /metrics HTTP/1.1\r\nHost"), None);
    }

    #[test]
    fn a_head_past_the_cap_is_refused() {
        let mut head = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
        head.resize(MAX_REQUEST_BYTES, b'a');
        assert_eq!(
            route(&head),
            Some(Route::Refused(431, "Request Header Fields Too Large"))
        );
    }
}
