//! Reading complete journal lines, forwards in chunks or backwards from the
//! end. Only bytes up to the last `\n` count: a last line without one is an
//! append in progress.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::ControlFlow;
use std::os::unix::fs::FileExt;

use crate::model::line::trim_line_end;

const CHUNK: usize = 1 << 20;

/// Calls `visit(offset, line)` for each complete line from `start` (lines
/// without their `\n`), stopping early on `Break`. Returns the offset just
/// past the last complete line visited or skipped.
pub fn for_each_line(
    file: &File,
    start: u64,
    mut visit: impl FnMut(u64, &[u8]) -> ControlFlow<()>,
) -> io::Result<u64> {
    let mut reader = file;
    reader.seek(SeekFrom::Start(start))?;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    let mut buf_offset = start;
    let mut line_start = 0usize;
    loop {
        if line_start > 0 {
            buf.drain(..line_start);
            buf_offset += line_start as u64;
            line_start = 0;
        }
        let old_len = buf.len();
        let want = CHUNK.max(old_len);
        buf.resize(old_len + want, 0);
        let read = match reader.read(&mut buf[old_len..]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                buf.truncate(old_len);
                continue;
            }
            Err(e) => return Err(e),
        };
        buf.truncate(old_len + read);
        if read == 0 {
            return Ok(buf_offset);
        }
        for newline in memchr::memchr_iter(b'\n', &buf[old_len..]) {
            let end = old_len + newline;
            let line = trim_line_end(&buf[line_start..end]);
            let flow = visit(buf_offset + line_start as u64, line);
            line_start = end + 1;
            if flow.is_break() {
                return Ok(buf_offset + line_start as u64);
            }
        }
    }
}

/// Reads `[start, end)` with positioned reads (the file offset is untouched).
/// A file that ends early gives fewer bytes.
pub fn read_range(file: &File, start: u64, end: u64) -> io::Result<Vec<u8>> {
    let len = usize::try_from(end.saturating_sub(start))
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "range too large"))?;
    let mut buf = vec![0; len];
    let filled = read_full_at(file, start, &mut buf)?;
    buf.truncate(filled);
    Ok(buf)
}

/// Fills `buf` from offset `at`, short only at the end of the file; returns
/// how many bytes were read.
pub fn read_full_at(file: &File, at: u64, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], at + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The offset just past the last `\n` at or before `len`, reading backwards.
pub fn complete_end(file: &File, len: u64) -> io::Result<u64> {
    let mut end = len;
    let mut window = 64 * 1024u64;
    while end > 0 {
        let start = end.saturating_sub(window);
        let bytes = read_range(file, start, end)?;
        if let Some(pos) = memchr::memrchr(b'\n', &bytes) {
            return Ok(start + pos as u64 + 1);
        }
        end = start;
        window = window.saturating_mul(2);
    }
    Ok(0)
}

/// The last complete lines before `end`, newest last, reading backwards in
/// growing windows until `enough(lines)` says so or the file's start is
/// reached. Each line comes with its offset.
pub fn tail_lines(
    file: &File,
    end: u64,
    mut enough: impl FnMut(&[(u64, Vec<u8>)]) -> bool,
) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let mut window = 64 * 1024u64;
    loop {
        let start = end.saturating_sub(window);
        let bytes = read_range(file, start, end)?;
        // Drop the first, possibly partial, line unless the window starts the file.
        let first = if start == 0 {
            0
        } else {
            match memchr::memchr(b'\n', &bytes) {
                Some(pos) => pos + 1,
                None => bytes.len(),
            }
        };
        let mut lines = Vec::new();
        let mut line_start = first;
        for newline in memchr::memchr_iter(b'\n', &bytes[first..]) {
            let stop = first + newline;
            lines.push((
                start + line_start as u64,
                trim_line_end(&bytes[line_start..stop]).to_vec(),
            ));
            line_start = stop + 1;
        }
        if start == 0 || enough(&lines) {
            return Ok(lines);
        }
        window = window.saturating_mul(4);
    }
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

    #[test]
    fn forward_skips_the_torn_last_line() {
        let f = file_with(b"a\nbb\r\n\nccc");
        let mut seen = Vec::new();
        let end = for_each_line(&f, 0, |off, line| {
            seen.push((off, line.to_vec()));
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![(0, b"a".to_vec()), (2, b"bb".to_vec()), (6, b"".to_vec())]
        );
        assert_eq!(end, 7);
    }

    #[test]
    fn forward_handles_lines_longer_than_a_chunk() {
        let mut bytes = vec![b'x'; CHUNK * 3 + 7];
        bytes.push(b'\n');
        bytes.extend_from_slice(b"y\n");
        let f = file_with(&bytes);
        let mut lens = Vec::new();
        for_each_line(&f, 0, |_, line| {
            lens.push(line.len());
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(lens, vec![CHUNK * 3 + 7, 1]);
    }

    #[test]
    fn forward_from_an_offset_and_break() {
        let f = file_with(b"a\nb\nc\n");
        let mut seen = Vec::new();
        let end = for_each_line(&f, 2, |_, line| {
            seen.push(line.to_vec());
            ControlFlow::Break(())
        })
        .unwrap();
        assert_eq!(seen, vec![b"b".to_vec()]);
        assert_eq!(end, 4);
    }

    #[test]
    fn complete_end_finds_the_last_newline() {
        assert_eq!(complete_end(&file_with(b"a\nbc"), 4).unwrap(), 2);
        assert_eq!(complete_end(&file_with(b"abc"), 3).unwrap(), 0);
        assert_eq!(complete_end(&file_with(b""), 0).unwrap(), 0);
    }

    #[test]
    fn tail_reads_backwards_until_enough() {
        let mut bytes = Vec::new();
        for i in 0..100_000 {
            bytes.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        let f = file_with(&bytes);
        let lines = tail_lines(&f, bytes.len() as u64, |l| l.len() >= 3).unwrap();
        let last: Vec<_> = lines[lines.len() - 3..]
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        assert_eq!(
            last,
            vec![
                b"line 99997".to_vec(),
                b"line 99998".to_vec(),
                b"line 99999".to_vec()
            ]
        );
        assert!(lines.len() < 100_000, "read only a window");
        let all = tail_lines(&f, bytes.len() as u64, |_| false).unwrap();
        assert_eq!(all.len(), 100_000);
        assert_eq!(all[0], (0, b"line 0".to_vec()));
    }
}
