//! Choosing which journal lines to show: where "the last N events" or "from
//! event ID" starts, and reading a bounded page of lines from an offset. Used
//! by `show` and by the daemon's `events.read`, so both select the same lines.

use std::fs::File;
use std::io;
use std::ops::ControlFlow;

use super::journal_lines::{for_each_line, read_range, tail_lines};
use crate::model::line::{LineParse, parse_line};

/// Lines read from `[start, end)` in journal order, blank lines left out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// Each line (without its `\n`) with its offset.
    pub lines: Vec<(u64, Vec<u8>)>,
    /// Where the next page starts; equal to `end` when everything was read.
    pub next: u64,
}

/// The offset where the last `n` events begin: just after the event before
/// them, so malformed lines between that one and the first kept are kept too.
/// 0 when the journal holds `n` events or fewer.
pub fn tail_start(file: &File, end: u64, n: usize) -> io::Result<u64> {
    let lines = tail_lines(file, end, |lines| count_events(lines) > n)?;
    let mut seen = 0usize;
    for (index, (_, raw)) in lines.iter().enumerate().rev() {
        if is_event(raw) {
            seen += 1;
            if seen > n {
                return Ok(lines.get(index + 1).map_or(end, |(offset, _)| *offset));
            }
        }
    }
    Ok(0)
}

/// The offset of the first event with this id before `end`, if any.
pub fn event_start(file: &File, end: u64, id: &str) -> io::Result<Option<u64>> {
    let needle = memchr::memmem::Finder::new(id.as_bytes());
    let mut found = None;
    for_each_line(file, 0, |offset, line| {
        if offset >= end {
            return ControlFlow::Break(());
        }
        // Cheap filter first: an id with escapes still decodes below.
        if (needle.find(line).is_some() || memchr::memmem::find(line, b"\\u").is_some())
            && let LineParse::Event(event) = parse_line(line)
            && event.id == id
        {
            found = Some(offset);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    })?;
    Ok(found)
}

/// True when `offset` is where a line starts (0, or just after a `\n`).
pub fn is_line_start(file: &File, offset: u64) -> io::Result<bool> {
    if offset == 0 {
        return Ok(true);
    }
    Ok(read_range(file, offset - 1, offset)? == b"\n")
}

/// Reads lines from `start` (a line start) up to `end`, stopping after
/// `max_lines` lines or once `max_bytes` were gathered; always at least one
/// line when there is one, however long.
pub fn read_page(
    file: &File,
    start: u64,
    end: u64,
    max_lines: usize,
    max_bytes: usize,
) -> io::Result<Page> {
    let mut page = Page::default();
    let mut bytes = 0usize;
    let mut reached_end = start >= end;
    if reached_end {
        page.next = end;
        return Ok(page);
    }
    let past = for_each_line(file, start, |offset, line| {
        if offset >= end {
            reached_end = true;
            return ControlFlow::Break(());
        }
        if !line.iter().all(u8::is_ascii_whitespace) {
            bytes += line.len();
            page.lines.push((offset, line.to_vec()));
        }
        if page.lines.len() >= max_lines.max(1) || bytes >= max_bytes {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    page.next = if reached_end { end } else { past.min(end) };
    Ok(page)
}

/// Reads every non-blank line in `[start, end)`.
pub fn read_all(file: &File, start: u64, end: u64) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let page = read_page(file, start, end, usize::MAX, usize::MAX)?;
    Ok(page.lines)
}

fn count_events(lines: &[(u64, Vec<u8>)]) -> usize {
    lines.iter().filter(|(_, raw)| is_event(raw)).count()
}

fn is_event(raw: &[u8]) -> bool {
    matches!(parse_line(raw), LineParse::Event(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    const J: &[u8] = b"{\"id\":\"a\",\"type\":\"x\"}\nbad\n\n{\"id\":\"b\",\"type\":\"x\"}\nworse\n{\"id\":\"c\",\"type\":\"x\"}\n";

    #[test]
    fn tail_starts_after_the_event_before_the_kept_ones() {
        let f = file_with(J);
        let end = J.len() as u64;
        let lines = |start| {
            read_all(&f, start, end)
                .unwrap()
                .into_iter()
                .map(|(_, l)| String::from_utf8(l).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(tail_start(&f, end, 1).unwrap()), ["worse", J_C]);
        assert_eq!(lines(tail_start(&f, end, 2).unwrap()).len(), 4);
        assert_eq!(tail_start(&f, end, 3).unwrap(), 0);
        assert_eq!(tail_start(&f, end, 9).unwrap(), 0);
        assert_eq!(tail_start(&f, end, 0).unwrap(), end);
    }

    const J_C: &str = "{\"id\":\"c\",\"type\":\"x\"}";

    #[test]
    fn event_start_finds_the_line() {
        let f = file_with(J);
        let end = J.len() as u64;
        let at = event_start(&f, end, "b").unwrap().unwrap();
        assert!(is_line_start(&f, at).unwrap());
        assert_eq!(event_start(&f, end, "zz").unwrap(), None);
        assert_eq!(event_start(&f, at, "b").unwrap(), None, "not before end");
    }

    #[test]
    fn pages_cover_the_range_exactly_once() {
        let f = file_with(J);
        let end = J.len() as u64;
        let mut start = 0;
        let mut seen = Vec::new();
        while start < end {
            let page = read_page(&f, start, end, 2, usize::MAX).unwrap();
            assert!(page.next > start);
            seen.extend(page.lines);
            start = page.next;
        }
        assert_eq!(seen.len(), 5, "blank line left out");
        assert_eq!(start, end);
        assert!(!is_line_start(&f, 3).unwrap());
        let first = read_page(&f, 0, end, 100, 1).unwrap();
        assert_eq!(first.lines.len(), 1, "a byte budget still gives one line");
    }
}
