//! Newline-delimited frames with a size limit. A frame longer than the limit
//! is reported as soon as it passes the limit, and the rest of it is skipped
//! up to its newline, so the next frame reads cleanly. The async reader
//! serves the daemon; the blocking one its clients (which may stop on a read
//! timeout and resume later: the partial frame is kept).

use std::io::{self, BufRead};

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

#[derive(Debug, PartialEq, Eq)]
pub enum FrameRead {
    /// One frame, without its newline (a trailing `\r` is kept).
    Frame(Vec<u8>),
    /// A frame passed the limit; what follows of it will be skipped.
    TooLarge,
    /// The stream ended (a partial last frame is returned first as a frame).
    Eof,
}

#[derive(Debug)]
pub struct FrameReader {
    max: usize,
    buf: Vec<u8>,
    discarding: bool,
}

enum Step {
    Done(FrameRead, usize),
    More(usize),
}

impl FrameReader {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            buf: Vec::new(),
            discarding: false,
        }
    }

    /// Consumes what `available` holds; says how much, and whether a frame
    /// is complete.
    fn step(&mut self, available: &[u8]) -> Step {
        if available.is_empty() {
            let read = if self.discarding || self.buf.is_empty() {
                FrameRead::Eof
            } else {
                FrameRead::Frame(std::mem::take(&mut self.buf))
            };
            self.discarding = false;
            return Step::Done(read, 0);
        }
        match memchr::memchr(b'\n', available) {
            Some(pos) if self.discarding => {
                self.discarding = false;
                self.buf.clear();
                Step::More(pos + 1)
            }
            Some(pos) if self.buf.len() + pos > self.max => {
                self.buf.clear();
                Step::Done(FrameRead::TooLarge, pos + 1)
            }
            Some(pos) => {
                self.buf.extend_from_slice(&available[..pos]);
                Step::Done(FrameRead::Frame(std::mem::take(&mut self.buf)), pos + 1)
            }
            None if self.discarding => Step::More(available.len()),
            None if self.buf.len() + available.len() > self.max => {
                self.buf.clear();
                self.discarding = true;
                Step::Done(FrameRead::TooLarge, available.len())
            }
            None => {
                self.buf.extend_from_slice(available);
                Step::More(available.len())
            }
        }
    }

    pub async fn read_async<R: AsyncBufRead + Unpin>(
        &mut self,
        reader: &mut R,
    ) -> io::Result<FrameRead> {
        loop {
            let available = reader.fill_buf().await?;
            match self.step(available) {
                Step::Done(read, used) => {
                    reader.consume(used);
                    return Ok(read);
                }
                Step::More(used) => reader.consume(used),
            }
        }
    }

    /// Blocking read; a read timeout surfaces as `WouldBlock`/`TimedOut` and
    /// the next call carries on where this one stopped.
    pub fn read_blocking<R: BufRead>(&mut self, reader: &mut R) -> io::Result<FrameRead> {
        loop {
            let available = match reader.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            match self.step(available) {
                Step::Done(read, used) => {
                    reader.consume(used);
                    return Ok(read);
                }
                Step::More(used) => reader.consume(used),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max: usize) -> Vec<FrameRead> {
        // A tiny buffer makes frames arrive in many pieces.
        let mut reader = io::BufReader::with_capacity(3, input);
        let mut frames = FrameReader::new(max);
        let mut out = Vec::new();
        loop {
            let read = frames.read_blocking(&mut reader).unwrap();
            let eof = read == FrameRead::Eof;
            out.push(read);
            if eof {
                return out;
            }
        }
    }

    #[test]
    fn frames_split_on_newlines_and_the_last_may_lack_one() {
        assert_eq!(
            all(b"ab\n\ncd", 10),
            vec![
                FrameRead::Frame(b"ab".to_vec()),
                FrameRead::Frame(b"".to_vec()),
                FrameRead::Frame(b"cd".to_vec()),
                FrameRead::Eof
            ]
        );
    }

    #[test]
    fn an_oversized_frame_is_reported_once_and_skipped() {
        assert_eq!(
            all(b"ok\n0123456789abcdef\nnext\n", 8),
            vec![
                FrameRead::Frame(b"ok".to_vec()),
                FrameRead::TooLarge,
                FrameRead::Frame(b"next".to_vec()),
                FrameRead::Eof
            ]
        );
        assert_eq!(
            all(b"0123456789", 4),
            vec![FrameRead::TooLarge, FrameRead::Eof]
        );
    }

    #[tokio::test]
    async fn the_async_reader_agrees() {
        let input: &[u8] = b"0123456789\nok\n";
        let mut reader = tokio::io::BufReader::with_capacity(4, input);
        let mut frames = FrameReader::new(5);
        assert_eq!(
            frames.read_async(&mut reader).await.unwrap(),
            FrameRead::TooLarge
        );
        assert_eq!(
            frames.read_async(&mut reader).await.unwrap(),
            FrameRead::Frame(b"ok".to_vec())
        );
        assert_eq!(
            frames.read_async(&mut reader).await.unwrap(),
            FrameRead::Eof
        );
    }
}
