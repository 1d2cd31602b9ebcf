//! The daemon's JSON-RPC frame decoder on arbitrary bytes arriving in
//! arbitrary pieces: frames never exceed the limit, oversized ones are
//! reported and skipped to their newline, every other line comes out whole,
//! and request validation never panics.
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use switchboard::daemon::connection::split_request;
use switchboard::rpc::frame::{FrameRead, FrameReader};

const MAX: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, input)) = data.split_first() else {
        return;
    };
    let mut reader = BufReader::with_capacity(usize::from(chunk % 16) + 1, input);
    let mut frames = FrameReader::new(MAX);
    let mut got = Vec::new();
    loop {
        match frames.read_blocking(&mut reader).expect("reading from memory cannot fail") {
            FrameRead::Eof => break,
            FrameRead::TooLarge => got.push(None),
            FrameRead::Frame(bytes) => {
                assert!(bytes.len() <= MAX, "a frame over the limit came through");
                if let Ok(value) = serde_json::from_slice(&bytes) {
                    let _ = split_request(value);
                }
                got.push(Some(bytes));
            }
        }
    }
    // Compare with the lines of the input: each is a frame, or too large.
    let mut lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
    if input.ends_with(b"\n") || input.is_empty() {
        lines.pop();
    }
    let mut expected = lines.iter().map(|l| (l.len() <= MAX).then(|| l.to_vec()));
    for frame in &got {
        match expected.next() {
            Some(line) => assert_eq!(frame, &line),
            None => panic!("more frames than lines"),
        }
    }
    assert!(expected.next().is_none(), "a line was lost");
});
