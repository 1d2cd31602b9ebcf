//! Folding a journal's complete lines into its summary, on every core when
//! the journal is big. The file is cut into blocks at line boundaries;
//! workers read and parse blocks (nearly all the cost), and the caller
//! applies them strictly in journal order, so the result is the same as
//! folding line by line.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::sync::{Condvar, Mutex, mpsc};

use super::journal_lines::{complete_end, read_full_at, read_range};
use crate::model::fold_steps::BlockSteps;
use crate::model::plan::PlanTools;
use crate::model::summary::JournalSummary;

/// Big enough that a block's parse dwarfs the hand-off, small enough that a
/// few in flight stay far below the dashboard's memory budget.
const BLOCK: u64 = 4 << 20;
/// A block is read this much at a time, so what was just read is still in
/// the core's cache when it is parsed: reading the whole block first made
/// both the copy out of the page cache and the parse go to memory.
const PIECE: usize = 256 << 10;
/// Blocks parsed ahead of the one being applied, per worker.
const AHEAD_PER_WORKER: usize = 2;
/// Past this, more threads only contend for the disk and the allocator.
const MAX_WORKERS: usize = 8;

/// Folds every complete line from `start` into `summary`; returns the
/// offset just past the last one. Bytes after the last `\n` are an append
/// in progress and are left for the next fold.
pub fn fold_journal(file: &File, start: u64, summary: &mut JournalSummary) -> io::Result<u64> {
    fold_journal_until(file, start, u64::MAX, summary)
}

/// `fold_journal`, stopping at `until` (a line boundary: what was folded
/// before, so lines appended since are left for the follower).
pub fn fold_journal_until(
    file: &File,
    start: u64,
    until: u64,
    summary: &mut JournalSummary,
) -> io::Result<u64> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sizes = Sizes {
        block: BLOCK,
        piece: PIECE,
    };
    fold_range(file, (start, until), summary, sizes, cores.min(MAX_WORKERS))
}

/// How a fold cuts the journal: blocks of about `block` bytes go to the
/// workers, each read `piece` bytes at a time.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    block: u64,
    piece: usize,
}

/// `fold_journal` with the sizes and worker count chosen by the caller.
#[cfg(test)]
fn fold_in_blocks(
    file: &File,
    start: u64,
    summary: &mut JournalSummary,
    sizes: Sizes,
    max_workers: usize,
) -> io::Result<u64> {
    fold_range(file, (start, u64::MAX), summary, sizes, max_workers)
}

/// `fold_journal_until` with the sizes and worker count chosen by the caller.
fn fold_range(
    file: &File,
    (start, until): (u64, u64),
    summary: &mut JournalSummary,
    sizes: Sizes,
    max_workers: usize,
) -> io::Result<u64> {
    let len = file.metadata()?.len().min(until);
    if len <= start {
        return Ok(start);
    }
    let end = complete_end(file, len)?;
    if end <= start {
        return Ok(start);
    }
    let blocks = block_bounds(file, start, end, sizes.block)?;
    let workers = max_workers.min(blocks.len());
    if workers <= 1 {
        let plan_tools = summary.plan_tools().clone();
        let mut buffer = Vec::new();
        for &(from, to) in &blocks {
            read_and_parse(file, (from, to), sizes.piece, &mut buffer, &plan_tools)?.apply(summary);
        }
    } else {
        fold_in_parallel(file, &blocks, sizes.piece, workers, summary)?;
    }
    Ok(end)
}

/// Reads and parses the block `[from, to)` a `piece` at a time; `buffer` is
/// the caller's, reused. A line cut by a piece's end is carried over to the
/// next; bytes after the last `\n` (a file that shrank) are not a line.
fn read_and_parse(
    file: &File,
    (from, to): (u64, u64),
    piece: usize,
    buffer: &mut Vec<u8>,
    plan_tools: &PlanTools,
) -> io::Result<BlockSteps> {
    let mut block =
        usize::try_from(to - from).map_or_else(|_| BlockSteps::default(), BlockSteps::for_bytes);
    // The buffer keeps its length between pieces, so it is zeroed only
    // when it first grows; `carried` bytes at its start are a cut line.
    let mut carried = 0;
    let mut at = from;
    while at < to {
        let want = usize::try_from(to - at).map_or(piece, |left| left.min(piece));
        if buffer.len() < carried + want {
            buffer.resize(carried + want, 0);
        }
        let read = read_full_at(file, at, &mut buffer[carried..carried + want])?;
        if read == 0 {
            break;
        }
        at += read as u64;
        let filled = carried + read;
        // Only the new bytes can hold the cut: a line longer than a piece
        // is not searched again and again.
        let complete = memchr::memrchr(b'\n', &buffer[carried..filled])
            .map_or(0, |newline| carried + newline + 1);
        block.parse_more(&buffer[..complete], plan_tools);
        // A piece without a line end leaves the buffer as it is: moving a
        // long line onto itself piece after piece would be quadratic.
        if complete > 0 {
            buffer.copy_within(complete..filled, 0);
        }
        carried = filled - complete;
    }
    Ok(block)
}

/// `[from, to)` ranges covering `[start, end)`, each starting at a line's
/// start: a block ends just past the first `\n` at or after its nominal end.
fn block_bounds(file: &File, start: u64, end: u64, block: u64) -> io::Result<Vec<(u64, u64)>> {
    let mut bounds = Vec::new();
    let mut from = start;
    while from < end {
        let nominal = from.saturating_add(block);
        let to = if nominal >= end {
            end
        } else {
            line_end_from(file, nominal - 1, end)?
        };
        bounds.push((from, to));
        from = to;
    }
    Ok(bounds)
}

/// The offset just past the first `\n` at or after `at` (and before `end`,
/// which itself follows a `\n`).
fn line_end_from(file: &File, at: u64, end: u64) -> io::Result<u64> {
    let mut pos = at;
    // Lines are short: a small first read finds the end of nearly all.
    let mut window = 4 * 1024u64;
    while pos < end {
        let to = pos.saturating_add(window).min(end);
        let bytes = read_range(file, pos, to)?;
        if bytes.is_empty() {
            break;
        }
        if let Some(i) = memchr::memchr(b'\n', &bytes) {
            return Ok(pos + i as u64 + 1);
        }
        pos += bytes.len() as u64;
        window = window.saturating_mul(2);
    }
    Ok(end)
}

/// Which block may be parsed next, and how many have been applied: a
/// worker waits rather than run more than a few blocks ahead.
struct Schedule {
    state: Mutex<Progress>,
    progress: Condvar,
    ahead: usize,
}

/// Kept under one lock, so a halt cannot slip between a worker's check and
/// its wait and leave it waiting for good.
#[derive(Default)]
struct Progress {
    next: usize,
    applied: usize,
    stopped: bool,
}

impl Schedule {
    /// The next block index to parse, or `None` when there is none left or
    /// the fold stopped.
    fn claim(&self, total: usize) -> Option<usize> {
        let mut state = self.state.lock().ok()?;
        loop {
            if state.stopped || state.next >= total {
                return None;
            }
            if state.next < state.applied + self.ahead {
                state.next += 1;
                return Some(state.next - 1);
            }
            state = self.progress.wait(state).ok()?;
        }
    }

    fn applied(&self, count: usize) {
        if let Ok(mut state) = self.state.lock() {
            state.applied = count;
        }
        self.progress.notify_all();
    }

    fn halt(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.stopped = true;
        }
        self.progress.notify_all();
    }
}

fn fold_in_parallel(
    file: &File,
    blocks: &[(u64, u64)],
    piece: usize,
    workers: usize,
    summary: &mut JournalSummary,
) -> io::Result<()> {
    let schedule = Schedule {
        state: Mutex::new(Progress::default()),
        progress: Condvar::new(),
        ahead: workers * AHEAD_PER_WORKER,
    };
    let (sender, receiver) = mpsc::channel::<(usize, io::Result<BlockSteps>)>();
    let plan_tools = summary.plan_tools().clone();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let schedule = &schedule;
            let plan_tools = &plan_tools;
            scope.spawn(move || {
                // One buffer per worker: no fresh 4 MiB (and its page faults) per block.
                let mut buffer = Vec::new();
                while let Some(index) = schedule.claim(blocks.len()) {
                    let parsed =
                        read_and_parse(file, blocks[index], piece, &mut buffer, plan_tools);
                    if sender.send((index, parsed)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let result = apply_in_order(&receiver, blocks.len(), &schedule, summary);
        schedule.halt();
        result
    })
}

/// Applies blocks as they arrive, each only once all before it are applied.
fn apply_in_order(
    receiver: &mpsc::Receiver<(usize, io::Result<BlockSteps>)>,
    total: usize,
    schedule: &Schedule,
    summary: &mut JournalSummary,
) -> io::Result<()> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    while next < total {
        let Ok((index, parsed)) = receiver.recv() else {
            return Err(io::Error::other("a journal fold worker stopped early"));
        };
        waiting.insert(index, parsed);
        while let Some(parsed) = waiting.remove(&next) {
            parsed?.apply(summary);
            next += 1;
            schedule.applied(next);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
