//! Commands through a daemon (`--connect SOCKET`): the same views, the same
//! decisions and the same exit codes as with `--root`.

use std::path::Path;

use serde_json::Value;

use super::client::{Client, ClientError};
use super::protocol::{
    DecideParams, DecideResult, DoctorResult, GetParams, PendingEntry, ReadParams, ReadResult,
    SessionDetail, ViewParams, exit_code_of, method,
};
use crate::exit::{CliError, CliResult};
use crate::model::time::Timestamp;
use crate::store::Decision;
use crate::views::{FleetViews, PendingRow, SessionRow};

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::Rpc(rpc) => CliError::new(exit_code_of(rpc.code), rpc.message),
            other => CliError::other(other.to_string()),
        }
    }
}

fn connect(socket: &Path) -> CliResult<Client> {
    Ok(Client::connect(socket)?)
}

/// The three views, computed by the daemon at our `now`.
pub fn views(socket: &Path, now: Timestamp) -> CliResult<FleetViews> {
    let mut client = connect(socket)?;
    let params = ViewParams { now: Some(now) };
    let sessions: Vec<SessionRow> = client.call(method::SESSIONS_LIST, &params)?;
    let pending: Vec<PendingEntry> = client.call(method::PENDING_LIST, &params)?;
    let doctor: DoctorResult = client.call(method::DOCTOR, &params)?;
    Ok(FleetViews {
        sessions,
        pending: pending
            .into_iter()
            .map(PendingEntry::into_row)
            .collect::<Vec<PendingRow>>(),
        doctor: doctor.findings,
    })
}

/// Whether the daemon serves a session with this id.
pub fn holds(socket: &Path, session: &str, now: Timestamp) -> CliResult<bool> {
    match detail(&mut connect(socket)?, session, now) {
        Ok(_) => Ok(true),
        Err(ClientError::Rpc(e)) if e.reason() == Some("not_found") => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub fn detail(
    client: &mut Client,
    session: &str,
    now: Timestamp,
) -> Result<SessionDetail, ClientError> {
    client.call(
        method::SESSIONS_GET,
        GetParams {
            session: session.to_string(),
            now: Some(now),
        },
    )
}

/// Decides through the daemon; returns the event it wrote.
pub fn decide(socket: &Path, decision: &Decision, now: Timestamp) -> CliResult<Value> {
    let params = DecideParams {
        session: decision.session_id.clone(),
        event: decision.event_id.clone(),
        fingerprint: decision.fingerprint.clone(),
        verdict: decision.verdict.as_str().to_string(),
        message: decision.message.clone(),
        decided_by: decision.decided_by.clone(),
        now: Some(now),
    };
    let result: DecideResult = connect(socket)?.call(method::DECIDE, params)?;
    Ok(result.event)
}

/// Journal lines from `start` (found from `from`/`tail`) up to `until`,
/// read page by page.
pub fn read_lines(
    client: &mut Client,
    session: &str,
    from: Option<&str>,
    tail: Option<usize>,
    until: u64,
) -> Result<Vec<Vec<u8>>, ClientError> {
    let mut start = 0;
    let probe = |client: &mut Client, params: ReadParams| -> Result<u64, ClientError> {
        let first: ReadResult = client.call(method::EVENTS_READ, params)?;
        Ok(first.start)
    };
    let base = ReadParams {
        session: session.to_string(),
        until: Some(until),
        max_lines: Some(1),
        ..ReadParams::default()
    };
    if let Some(id) = from {
        let params = ReadParams {
            from_id: Some(id.to_string()),
            ..base.clone()
        };
        start = start.max(probe(client, params)?);
    }
    if let Some(n) = tail {
        let params = ReadParams {
            tail: Some(n),
            ..base.clone()
        };
        start = start.max(probe(client, params)?);
    }
    let mut lines = Vec::new();
    loop {
        let page: ReadResult = client.call(
            method::EVENTS_READ,
            ReadParams {
                from_offset: Some(start),
                max_lines: None,
                ..base.clone()
            },
        )?;
        lines.extend(page.lines.iter().map(|l| l.bytes()));
        if page.done() || page.next_offset <= start {
            return Ok(lines);
        }
        start = page.next_offset;
    }
}
