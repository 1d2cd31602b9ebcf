//! The journal line parser and the summary fold, on arbitrary bytes: never
//! panic; the head decoder agrees with the full decoder, the scanner with
//! serde, and the fold's fast paths with folding fully decoded events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard::model::decoder_agreement::check_journal_bytes;

fuzz_target!(|data: &[u8]| check_journal_bytes(data));
