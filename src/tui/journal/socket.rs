//! A daemon's session journal, read through its socket: the journal lives on
//! the daemon's machine, so lines are asked for with `events.read`, a window
//! at a time. Line numbers count the lines `events.read` returns (blank ones
//! are left out); the count comes from `sessions.get` (events plus malformed
//! lines up to `journal_end`), then grows with the feed's appended lines.
//!
//! Only the asked-for windows are read: near the end with `tail` (so a big
//! journal opens at its tail at once), near the start or a known line with
//! `from_offset`. A bounded window of lines is cached, and line starts seen
//! on the way are kept as anchors, so scrolling reads only what is new.

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::access::{JournalAccess, Refresh};
use crate::rpc::protocol::{
    GetParams, MAX_PAGE_LINES, ReadParams, ReadResult, SessionDetail, method,
};
use crate::rpc::{Client, ClientError};

/// An interactive reader gives up on a daemon that does not answer sooner
/// than a batch command would.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines read when the journal is opened: the first screen, from the end.
const OPEN_TAIL: usize = 300;
/// Lines kept in memory around the last window read.
const CACHE_LINES: usize = 4096;
/// A line start is remembered every this many lines read.
const ANCHOR_EVERY: usize = 256;
const MAX_ANCHORS: usize = 1 << 16;

pub struct SocketJournal {
    socket: PathBuf,
    session: String,
    /// Lines known, and the offset just past the last of them.
    count: usize,
    end: u64,
    /// Reading needs `&mut` (the connection, the cache) behind `read_lines(&self)`.
    inner: RefCell<Inner>,
}

struct Inner {
    /// `None` after the connection failed: the next read connects again.
    client: Option<Client>,
    /// Lines `cache_start..cache_start + cache.len()`, with their offsets.
    cache_start: usize,
    cache: VecDeque<(u64, Vec<u8>)>,
    /// Known line starts: line number → offset (line 0 starts at 0).
    anchors: BTreeMap<usize, u64>,
}

/// Lines read in one go: the first one's number, then each with its offset.
struct Block {
    first: usize,
    lines: Vec<(u64, Vec<u8>)>,
}

impl SocketJournal {
    /// Opens session `session`'s journal through the daemon at `socket` and
    /// reads its last lines.
    pub fn open(socket: &Path, session: &str) -> Result<Self, ClientError> {
        let mut client = connect(socket)?;
        let detail: SessionDetail = client.call(
            method::SESSIONS_GET,
            GetParams {
                session: session.to_string(),
                now: None,
            },
        )?;
        let count = (detail.row.event_count + detail.row.malformed_lines) as usize;
        let journal = Self {
            socket: socket.to_path_buf(),
            session: session.to_string(),
            count,
            end: detail.meta.journal_end,
            inner: RefCell::new(Inner {
                client: Some(client),
                cache_start: 0,
                cache: VecDeque::new(),
                anchors: BTreeMap::from([(0, 0)]),
            }),
        };
        journal
            .read_lines(count.saturating_sub(OPEN_TAIL)..count)
            .map_err(|e| ClientError::Io {
                path: socket.to_path_buf(),
                source: e,
            })?;
        Ok(journal)
    }

    /// One `events.read` call, connecting first when needed. A failed
    /// connection is dropped so the next call starts a new one.
    fn call(&self, inner: &mut Inner, params: ReadParams) -> io::Result<ReadResult> {
        let client = match &mut inner.client {
            Some(client) => client,
            slot => slot.insert(connect(&self.socket).map_err(io::Error::other)?),
        };
        match client.call::<_, ReadResult>(method::EVENTS_READ, params) {
            Ok(page) => Ok(page),
            Err(e) => {
                if e.rpc().is_none() {
                    inner.client = None;
                }
                Err(io::Error::other(e))
            }
        }
    }

    fn params(&self, until: u64) -> ReadParams {
        ReadParams {
            session: self.session.clone(),
            until: Some(until),
            ..ReadParams::default()
        }
    }

    /// Up to `want` lines from `from` (a line start) until `until`.
    fn read_forward(
        &self,
        inner: &mut Inner,
        from: u64,
        until: u64,
        want: usize,
    ) -> io::Result<Vec<(u64, Vec<u8>)>> {
        let mut lines = Vec::new();
        let mut offset = from;
        while lines.len() < want && offset < until {
            let page = self.call(
                inner,
                ReadParams {
                    from_offset: Some(offset),
                    max_lines: Some((want - lines.len()).min(MAX_PAGE_LINES)),
                    ..self.params(until)
                },
            )?;
            lines.extend(page.lines.iter().map(|l| (l.offset, l.bytes())));
            if page.next_offset <= offset {
                break;
            }
            offset = page.next_offset;
        }
        Ok(lines)
    }

    /// At least `want` lines ending just before `until` (every line from
    /// where the last `want` events begin).
    fn read_backward(
        &self,
        inner: &mut Inner,
        until: u64,
        want: usize,
    ) -> io::Result<Vec<(u64, Vec<u8>)>> {
        let first = self.call(
            inner,
            ReadParams {
                tail: Some(want),
                max_lines: Some(want.min(MAX_PAGE_LINES)),
                ..self.params(until)
            },
        )?;
        let mut lines: Vec<(u64, Vec<u8>)> =
            first.lines.iter().map(|l| (l.offset, l.bytes())).collect();
        if first.next_offset > first.start && first.next_offset < until {
            lines.extend(self.read_forward(inner, first.next_offset, until, usize::MAX)?);
        }
        Ok(lines)
    }

    /// Reads a block holding `range`, from the nearest known line start
    /// before it or after it, whichever is closer.
    fn fetch(&self, inner: &mut Inner, range: Range<usize>) -> io::Result<Block> {
        let (below, from) = inner
            .anchors
            .range(..=range.start)
            .next_back()
            .map_or((0, 0), |(l, o)| (*l, *o));
        let (above, until) = inner
            .anchors
            .range(range.end..)
            .next()
            .map_or((self.count, self.end), |(l, o)| (*l, *o));
        let block = if range.end - below <= above - range.start {
            Block {
                first: below,
                lines: self.read_forward(inner, from, self.end, range.end - below)?,
            }
        } else {
            let lines = self.read_backward(inner, until, above - range.start)?;
            let first = above.checked_sub(lines.len()).ok_or_else(changed)?;
            Block { first, lines }
        };
        if block.first > range.start || block.first + block.lines.len() < range.end {
            return Err(changed());
        }
        for (i, (offset, _)) in block.lines.iter().enumerate() {
            let line = block.first + i;
            if line % ANCHOR_EVERY == 0 && inner.anchors.len() < MAX_ANCHORS {
                inner.anchors.insert(line, *offset);
            }
        }
        Ok(block)
    }
}

impl Inner {
    fn cached(&self, range: &Range<usize>) -> Option<Vec<Vec<u8>>> {
        let from = range.start.checked_sub(self.cache_start)?;
        let to = range.end - self.cache_start;
        (to <= self.cache.len()).then(|| {
            self.cache
                .range(from..to)
                .map(|(_, bytes)| bytes.clone())
                .collect()
        })
    }

    /// Keeps at most `CACHE_LINES` of `block`, centred on `range`.
    fn keep(&mut self, block: Block, range: &Range<usize>) {
        let keep_from = range.start.saturating_sub(CACHE_LINES / 2).max(block.first) - block.first;
        self.cache_start = block.first + keep_from;
        self.cache = block
            .lines
            .into_iter()
            .skip(keep_from)
            .take(CACHE_LINES)
            .collect();
    }
}

fn connect(socket: &Path) -> Result<Client, ClientError> {
    let mut client = Client::connect(socket)?;
    client.set_call_timeout(CALL_TIMEOUT);
    Ok(client)
}

fn changed() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the journal changed on the daemon while it was read; select the session again",
    )
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

impl JournalAccess for SocketJournal {
    fn line_count(&self) -> usize {
        self.count
    }

    fn read_lines(&self, range: Range<usize>) -> io::Result<Vec<Vec<u8>>> {
        let range = range.start.min(self.count)..range.end.min(self.count);
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let mut inner = self.inner.borrow_mut();
        if let Some(lines) = inner.cached(&range) {
            return Ok(lines);
        }
        let block = self.fetch(&mut inner, range.clone())?;
        let skip = range.start - block.first;
        let lines = block.lines[skip..skip + range.len()]
            .iter()
            .map(|(_, bytes)| bytes.clone())
            .collect();
        inner.keep(block, &range);
        Ok(lines)
    }

    fn appended(&mut self, lines: &[(u64, Vec<u8>)], end: u64) -> io::Result<Refresh> {
        let fresh: Vec<&(u64, Vec<u8>)> = lines.iter().filter(|(o, _)| *o >= self.end).collect();
        let contiguous = fresh.first().is_none_or(|(o, _)| *o == self.end);
        let until = end.max(fresh.last().map_or(0, |(o, b)| o + b.len() as u64 + 1));
        let new: Vec<(u64, Vec<u8>)> = if contiguous {
            fresh
                .into_iter()
                .filter(|(_, b)| !is_blank(b))
                .cloned()
                .collect()
        } else {
            // Lines were missed (the feed skipped some): read them all from
            // the daemon rather than number the stream wrongly.
            let mut inner = self.inner.borrow_mut();
            self.read_forward(&mut inner, self.end, until, usize::MAX)?
        };
        self.end = self.end.max(until);
        if new.is_empty() {
            return Ok(Refresh::Unchanged);
        }
        let inner = self.inner.get_mut();
        let extends_cache = inner.cache_start + inner.cache.len() == self.count;
        self.count += new.len();
        if extends_cache {
            // Follow mode reads the end: keep it cached, never ask for it.
            inner.cache.extend(new);
            while inner.cache.len() > CACHE_LINES {
                inner.cache.pop_front();
                inner.cache_start += 1;
            }
        }
        Ok(Refresh::Grew)
    }
}
