//! `SWITCHBOARD_FRAME_LOG=PATH`: one line per drawn frame, so a benchmark can
//! time key → frame inside the process instead of polling the terminal:
//!
//! ```text
//! frame <unix_micros> keys=<key events so far> last_key_at=<unix_micros|0>
//! ```
//!
//! `last_key_at` is when the input thread read the most recent key counted in
//! `keys`, and a key is counted only once the loop has taken it, so the first
//! frame with `keys=N` is the first frame drawn after key N was handled. Off
//! unless the variable is set (read once); a failed write turns it off.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

pub const ENV: &str = "SWITCHBOARD_FRAME_LOG";

#[derive(Default)]
pub struct FrameLog {
    out: Option<File>,
    keys: u64,
    last_key_at: u64,
}

impl FrameLog {
    /// The log `$SWITCHBOARD_FRAME_LOG` names, or a disabled one.
    pub fn from_env() -> Self {
        match std::env::var_os(ENV) {
            Some(path) if !path.is_empty() => Self::open(Path::new(&path)),
            _ => Self::default(),
        }
    }

    /// Appends to `path`; disabled if it cannot be opened (the dashboard
    /// owns the terminal, so there is nowhere to say so).
    pub fn open(path: &Path) -> Self {
        Self {
            out: OpenOptions::new().create(true).append(true).open(path).ok(),
            ..Self::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.out.is_some()
    }

    /// The loop took a key event the input thread read at `read_at`.
    pub fn key_taken(&mut self, read_at: Option<u64>) {
        if self.out.is_some() {
            self.keys += 1;
            self.last_key_at = read_at.unwrap_or_else(unix_micros);
        }
    }

    /// A frame was just written to the terminal.
    pub fn frame_drawn(&mut self) {
        if let Some(out) = &mut self.out {
            let line = format!(
                "frame {} keys={} last_key_at={}\n",
                unix_micros(),
                self.keys,
                self.last_key_at
            );
            // One write per line, so a reader never sees half of one.
            if out.write_all(line.as_bytes()).is_err() {
                self.out = None;
            }
        }
    }
}

/// Microseconds since the Unix epoch (the wall clock a benchmark shares).
pub fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> (u64, u64, u64) {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields[0], "frame");
        let value = |f: &str, name: &str| -> u64 { f.strip_prefix(name).unwrap().parse().unwrap() };
        (
            value(fields[1], ""),
            value(fields[2], "keys="),
            value(fields[3], "last_key_at="),
        )
    }

    #[test]
    fn one_line_per_frame_with_the_keys_taken_so_far() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("frames.log");
        let mut log = FrameLog::open(&path);
        assert!(log.enabled());
        log.frame_drawn();
        let read_at = unix_micros();
        log.key_taken(Some(read_at));
        log.key_taken(Some(read_at + 1));
        log.frame_drawn();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<_> = text.lines().map(parse).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].1, lines[0].2), (0, 0));
        assert_eq!((lines[1].1, lines[1].2), (2, read_at + 1));
        assert!(lines[1].0 >= read_at, "frame time after the key");
    }

    #[test]
    fn unset_or_unopenable_means_disabled_and_silent() {
        let mut log = FrameLog::default();
        log.key_taken(Some(1));
        log.frame_drawn();
        assert!(!log.enabled());
        assert_eq!(log.keys, 0, "nothing is counted when off");
        let dir = tempfile::tempdir().unwrap();
        let log = FrameLog::open(&dir.path().join("missing/dir/frames.log"));
        assert!(!log.enabled());
    }

    #[test]
    fn a_failing_write_turns_the_log_off() {
        let Ok(full) = OpenOptions::new().append(true).open("/dev/full") else {
            return; // no /dev/full on this system
        };
        let mut log = FrameLog {
            out: Some(full),
            ..FrameLog::default()
        };
        log.frame_drawn();
        assert!(!log.enabled());
    }
}
