//! Reads sanitised pieces back into the bytes they were made from: the
//! proof, in tests and in the fuzzer, that the sanitiser deletes nothing.
//! Each escape is parsed from what it *shows*, so a wrong or ambiguous
//! escape fails the round trip.

use thiserror::Error;

use super::{FOLDED_MARKER, Piece};

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("escape {0:?} does not read as an escape")]
    BadEscape(String),
    #[error("a folded sequence {0:?} is not the marker it shows")]
    Folded(String),
}

/// The bytes `pieces` show. A folded CSI sequence (relaxed views) gives back
/// the sequence it stood for, which its marker does not show.
pub fn decode(pieces: &[Piece]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Escape(shown) => decode_escape(shown, &mut out)?,
            Piece::Folded(raw) => {
                if piece.shown() != FOLDED_MARKER {
                    return Err(DecodeError::Folded(raw.clone()));
                }
                out.extend_from_slice(raw.as_bytes());
            }
            Piece::Tab(_) => out.push(b'\t'),
            Piece::Newline | Piece::Break => out.push(b'\n'),
        }
    }
    Ok(out)
}

/// `\x07` (below 0x80 a character, above it a byte that was not UTF-8),
/// `\u{202e}`, or `␛`, each followed by the sequence's printable rest.
fn decode_escape(shown: &str, out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let bad = || DecodeError::BadEscape(shown.to_string());
    let rest = if let Some(hex) = shown.strip_prefix("\\x") {
        let code = hex.get(..2).ok_or_else(bad)?;
        let byte = u8::from_str_radix(code, 16).map_err(|_| bad())?;
        if byte < 0x80 {
            push_char(char::from(byte), out);
        } else {
            out.push(byte);
        }
        &hex[2..]
    } else if let Some(braced) = shown.strip_prefix("\\u{") {
        let close = braced.find('}').ok_or_else(bad)?;
        let code = u32::from_str_radix(&braced[..close], 16).map_err(|_| bad())?;
        push_char(char::from_u32(code).ok_or_else(bad)?, out);
        &braced[close + 1..]
    } else if let Some(rest) = shown.strip_prefix('␛') {
        out.push(0x1b);
        rest
    } else {
        return Err(bad());
    };
    if !rest.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return Err(bad());
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(())
}

fn push_char(c: char, out: &mut Vec<u8>) {
    let mut buf = [0; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}
