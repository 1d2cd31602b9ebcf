//! A small blocking client: one request at a time, notifications that
//! arrive meanwhile kept in order for whoever follows them. Used by the CLI's
//! `--connect` and by the socket feed.

use std::collections::VecDeque;
use std::io::{self, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::frame::{FrameRead, FrameReader};
use super::protocol::{JSONRPC, MAX_RESPONSE_FRAME, Notification, RpcError, ServerMessage};

/// How long a call waits for its answer before giving up.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot connect to a daemon at {path}: {source}; start one with `switchboard daemon` or check the --connect path"
    )]
    Connect { path: PathBuf, source: io::Error },
    #[error("lost the daemon at {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the daemon at {0} closed the connection")]
    Closed(PathBuf),
    #[error("the daemon at {path} sent something this client does not understand: {detail}")]
    Protocol { path: PathBuf, detail: String },
    #[error("{0}")]
    Rpc(#[from] RpcError),
}

impl ClientError {
    /// The daemon refused the request (as opposed to the connection failing).
    pub fn rpc(&self) -> Option<&RpcError> {
        match self {
            Self::Rpc(e) => Some(e),
            _ => None,
        }
    }
}

pub struct Client {
    path: PathBuf,
    writer: UnixStream,
    reader: BufReader<UnixStream>,
    frames: FrameReader,
    next_id: u64,
    notifications: VecDeque<Notification>,
    call_timeout: Duration,
}

#[derive(Serialize)]
struct OutgoingRequest<'a, P> {
    jsonrpc: &'static str,
    id: u64,
    method: &'a str,
    params: P,
}

impl Client {
    pub fn connect(path: &Path) -> Result<Self, ClientError> {
        let stream = UnixStream::connect(path).map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
        let reader = stream.try_clone().map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            writer: stream,
            reader: BufReader::with_capacity(64 * 1024, reader),
            frames: FrameReader::new(MAX_RESPONSE_FRAME),
            next_id: 0,
            notifications: VecDeque::new(),
            call_timeout: CALL_TIMEOUT,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a call waits for its answer (an interactive reader should
    /// give up sooner than a batch command).
    pub fn set_call_timeout(&mut self, timeout: Duration) {
        self.call_timeout = timeout;
    }

    /// Sends a request and waits for its result.
    pub fn call<P: Serialize, R: DeserializeOwned>(
        &mut self,
        method: &str,
        params: P,
    ) -> Result<R, ClientError> {
        let value = self.call_value(method, params)?;
        serde_json::from_value(value).map_err(|e| self.protocol(format!("{method}: {e}")))
    }

    pub fn call_value<P: Serialize>(
        &mut self,
        method: &str,
        params: P,
    ) -> Result<Value, ClientError> {
        self.next_id += 1;
        let id = self.next_id;
        let mut line = serde_json::to_vec(&OutgoingRequest {
            jsonrpc: JSONRPC,
            id,
            method,
            params,
        })
        .map_err(|e| self.protocol(e.to_string()))?;
        line.push(b'\n');
        self.set_timeout(Some(self.call_timeout))?;
        if let Err(e) = self.writer.write_all(&line) {
            // A daemon that refused us said why before hanging up.
            if let Ok(ServerMessage::Response(response)) = self.read_message()
                && let Some(error) = response.error
            {
                return Err(ClientError::Rpc(error));
            }
            return Err(self.io(e));
        }
        loop {
            match self.read_message()? {
                ServerMessage::Response(response) if response.id == id => {
                    return match (response.result, response.error) {
                        (_, Some(error)) => Err(ClientError::Rpc(error)),
                        (Some(result), None) => Ok(result),
                        (None, None) => Ok(Value::Null),
                    };
                }
                // An error not tied to a request ends the conversation
                // (refused peer, a frame the daemon could not read).
                ServerMessage::Response(response) if response.id.is_null() => {
                    if let Some(error) = response.error {
                        return Err(ClientError::Rpc(error));
                    }
                }
                ServerMessage::Response(_) => {}
                ServerMessage::Notification(note) => self.notifications.push_back(note),
            }
        }
    }

    /// The next notification: one kept from during a call, else one read
    /// within `timeout` (`None` waits for ever). `Ok(None)` on timeout.
    pub fn next_notification(
        &mut self,
        timeout: Option<Duration>,
    ) -> Result<Option<Notification>, ClientError> {
        if let Some(note) = self.notifications.pop_front() {
            return Ok(Some(note));
        }
        self.set_timeout(timeout)?;
        loop {
            match self.read_message() {
                Ok(ServerMessage::Notification(note)) => return Ok(Some(note)),
                Ok(ServerMessage::Response(response)) => {
                    if let (true, Some(error)) = (response.id.is_null(), response.error) {
                        return Err(ClientError::Rpc(error));
                    }
                }
                Err(ClientError::Io { source, .. })
                    if matches!(
                        source.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Forgets notifications kept so far (after a `resync`).
    pub fn drop_notifications(&mut self) {
        self.notifications.clear();
    }

    fn read_message(&mut self) -> Result<ServerMessage, ClientError> {
        loop {
            match self.frames.read_blocking(&mut self.reader) {
                Ok(FrameRead::Frame(bytes)) if bytes.iter().all(u8::is_ascii_whitespace) => {}
                Ok(FrameRead::Frame(bytes)) => {
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| self.protocol(format!("not a protocol message: {e}")));
                }
                Ok(FrameRead::TooLarge) => {
                    return Err(
                        self.protocol(format!("a message longer than {MAX_RESPONSE_FRAME} bytes"))
                    );
                }
                Ok(FrameRead::Eof) => return Err(ClientError::Closed(self.path.clone())),
                Err(e) => return Err(self.io(e)),
            }
        }
    }

    fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), ClientError> {
        self.reader
            .get_ref()
            .set_read_timeout(timeout)
            .map_err(|e| self.io(e))
    }

    fn io(&self, source: io::Error) -> ClientError {
        ClientError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn protocol(&self, detail: String) -> ClientError {
        ClientError::Protocol {
            path: self.path.clone(),
            detail,
        }
    }
}
