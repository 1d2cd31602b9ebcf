//! One client: a reader that takes requests one at a time (a frame at most
//! 1 MiB; a bad one gets an error and the next one is read), and a writer
//! that drains the client's bounded outbox. Whatever one client does, the
//! others never wait for it: the hub only ever try-pushes into outboxes.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::watch;

use super::handlers::{Caller, Daemon, Reply, dispatch};
use super::outbox::{Outbox, OutboxReceiver};
use super::shutdown::stopped;
use super::state::frame;
use crate::rpc::frame::{FrameRead, FrameReader};
use crate::rpc::protocol::{JSONRPC, MAX_REQUEST_FRAME, Response, RpcError};

/// A write that makes no progress for this long ends the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing connection may take to flush what is queued.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves one accepted (and admitted) connection until it ends or the
/// daemon shuts down.
pub async fn serve(
    daemon: Arc<Daemon>,
    stream: UnixStream,
    id: u64,
    mut shutdown: watch::Receiver<bool>,
) {
    let budget = daemon.config.daemon.client_queue_kib.saturating_mul(1024);
    let (outbox, receiver) = Outbox::new(budget);
    let (read, write) = stream.into_split();
    let mut writer = tokio::spawn(write_loop(write, receiver));
    let caller = Caller { id, outbox };
    tokio::select! {
        _ = read_loop(&daemon, &caller, read) => {}
        _ = &mut writer => {}
        _ = stopped(&mut shutdown) => {}
    }
    daemon.write().unsubscribe(id);
    drop(caller);
    if !writer.is_finished()
        && tokio::time::timeout(FLUSH_TIMEOUT, &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
    tracing::debug!(client = id, "connection closed");
}

async fn write_loop(mut write: OwnedWriteHalf, mut receiver: OutboxReceiver) {
    while let Some(frame) = receiver.recv().await {
        match tokio::time::timeout(WRITE_TIMEOUT, write.write_all(&frame)).await {
            Ok(Ok(())) => receiver.written(&frame),
            Ok(Err(e)) => {
                tracing::debug!("write failed: {e}");
                return;
            }
            Err(_) => {
                tracing::info!("a client stopped reading for {WRITE_TIMEOUT:?}; dropping it");
                return;
            }
        }
    }
    let _ = write.shutdown().await;
}

async fn read_loop(daemon: &Arc<Daemon>, caller: &Caller, read: OwnedReadHalf) {
    let mut reader = BufReader::new(read);
    let mut frames = FrameReader::new(MAX_REQUEST_FRAME);
    loop {
        let response = match frames.read_async(&mut reader).await {
            Ok(FrameRead::Eof) | Err(_) => return,
            Ok(FrameRead::TooLarge) => {
                Some(Response::err(Value::Null, RpcError::frame_too_large()))
            }
            Ok(FrameRead::Frame(bytes)) => handle_frame(daemon, caller, &bytes).await,
        };
        if let Some(response) = response
            && !caller.outbox.push(frame(&response)).await
        {
            return;
        }
    }
}

/// Decodes and runs one request; `None` when nothing is to be sent back
/// (a notification, an empty line, or a result already queued).
async fn handle_frame(daemon: &Arc<Daemon>, caller: &Caller, bytes: &[u8]) -> Option<Response> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            return Some(Response::err(
                Value::Null,
                RpcError::parse(format!("not valid JSON: {e}")),
            ));
        }
    };
    let (id, method, params) = match split_request(value) {
        Ok(parts) => parts,
        Err(refusal) => return Some(*refusal),
    };
    let outcome = dispatch(
        daemon,
        caller,
        id.as_ref().unwrap_or(&Value::Null),
        &method,
        params,
    )
    .await;
    let id = id?;
    match outcome {
        Ok(Reply::Value(result)) => Some(Response::ok(id, result)),
        Ok(Reply::Sent) => None,
        Err(error) => {
            tracing::debug!(client = caller.id, %method, code = error.code, "{}", error.message);
            Some(Response::err(id, error))
        }
    }
}

pub type Parts = (Option<Value>, String, Value);

/// Checks the request object's shape: `jsonrpc` "2.0", a string `method`,
/// an id that is a string, a number or null, params an object if present.
pub fn split_request(value: Value) -> Result<Parts, Box<Response>> {
    let refuse = |id: Value, error: RpcError| Box::new(Response::err(id, error));
    let Value::Object(mut map) = value else {
        let what = if value.is_array() {
            "batches are not supported; send one request per line"
        } else {
            "a request must be a JSON object"
        };
        return Err(refuse(Value::Null, RpcError::invalid_request(what)));
    };
    let id = map.remove("id");
    let reply_id = id.clone().unwrap_or(Value::Null);
    if let Some(id) = &id
        && !(id.is_string() || id.is_number() || id.is_null())
    {
        return Err(refuse(
            Value::Null,
            RpcError::invalid_request("id must be a string, a number or null"),
        ));
    }
    if map.get("jsonrpc").and_then(Value::as_str) != Some(JSONRPC) {
        return Err(refuse(
            reply_id,
            RpcError::invalid_request("jsonrpc must be \"2.0\""),
        ));
    }
    let Some(method) = map
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(refuse(
            reply_id,
            RpcError::invalid_request("method must be a string"),
        ));
    };
    let params = map.remove("params").unwrap_or(Value::Null);
    if !(params.is_object() || params.is_null()) {
        return Err(refuse(
            reply_id,
            RpcError::invalid_params("params must be an object"),
        ));
    }
    Ok((id, method, params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_shapes_are_checked() {
        assert!(split_request(json!({"jsonrpc":"2.0","id":1,"method":"x"})).is_ok());
        let (id, method, _) = split_request(json!({"jsonrpc":"2.0","method":"x"})).unwrap();
        assert_eq!((id, method.as_str()), (None, "x"));
        let code = |v| split_request(v).unwrap_err().error.unwrap().code;
        assert_eq!(code(json!([1])), -32600);
        assert_eq!(code(json!({"jsonrpc":"1.0","id":1,"method":"x"})), -32600);
        assert_eq!(code(json!({"jsonrpc":"2.0","id":{},"method":"x"})), -32600);
        assert_eq!(code(json!({"jsonrpc":"2.0","id":1,"method":3})), -32600);
        assert_eq!(
            code(json!({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})),
            -32602
        );
    }
}
