//! A one-pass check that a journal line is a JSON object, picking out the
//! fields of its head on the way. Folding a journal validates every line,
//! and serde's general-purpose decoder spends most of its time on the
//! machinery around the bytes; this scanner does only what the head needs.
//!
//! It decides only the plain case. Whenever it is not sure (escapes in a
//! field it returns, a repeated field, control characters, deep nesting,
//! anything invalid) it says so, and serde decides. So it never accepts a
//! line serde would refuse, and what it returns is what serde would.

/// The head's fields as they stand in the line. Strings are borrowed
/// unescaped (the scanner only returns strings without escapes); the other
/// fields are JSON text, `None` when absent or `null`, except
/// `processed_at`, whose `null` matters.
#[derive(Debug, PartialEq, Eq)]
pub struct ScannedHead<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub created_at: Option<&'a str>,
    pub processed_at: Option<&'a str>,
    pub name: Option<&'a str>,
    pub input: Option<&'a str>,
    pub fingerprint: Option<&'a str>,
    /// Whether the full decoder surely reads the whole line: no number,
    /// nesting or `\u` escape comes near its limits (the same bounds as
    /// `line::within_decoder_limits`, counted on tokens rather than bytes).
    pub within_decoder_limits: bool,
}

/// Deeper than this, serde decides (its own limit for a whole decode is 128).
const MAX_DEPTH: usize = 100;
/// More containers than this, or digit runs this long, or exponents of
/// this many digits, and the line may reach the full decoder's limits.
pub(super) const MAX_OPENINGS: usize = 100;
pub(super) const LONG_DIGIT_RUN: usize = 200;
pub(super) const LONG_EXPONENT: usize = 3;

/// `Some` when `text` is surely a JSON object with string `id` and `type`
/// (and, if present, a string or `null` `created_at`) and no field of the
/// head repeated; `None` when not sure.
pub fn scan_head(text: &str) -> Option<ScannedHead<'_>> {
    // Control characters are only valid as white space between tokens,
    // which journal writers do not use: ruling them out once here spares a
    // check inside every string. (A fold, not `any`, so it vectorises.)
    if text.bytes().fold(false, |seen, b| seen | (b < 0x20)) {
        return None;
    }
    scan_checked(text)
}

/// Whether a line is ASCII without control characters: then it is valid
/// UTF-8 and `scan_checked` may read it without either check. (Each byte
/// below 0x20 or above 0x7F is negative or small as `i8`.)
pub fn is_plain_ascii(bytes: &[u8]) -> bool {
    !bytes
        .iter()
        .fold(false, |seen, &b| seen | ((b as i8) < 0x20))
}

/// `scan_head` for text known to hold no control characters (which it
/// does not check: given one, it could accept what serde refuses).
pub(super) fn scan_checked(text: &str) -> Option<ScannedHead<'_>> {
    let bytes = text.as_bytes();
    let mut scanner = Scanner {
        text,
        bytes,
        at: 0,
        openings: 0,
        near_limits: false,
    };
    scanner.skip_spaces();
    if !scanner.eat(b'{') {
        return None;
    }
    scanner.openings += 1;
    let mut fields = Fields::default();
    loop {
        scanner.skip_spaces();
        let key = scanner.plain_string()?;
        scanner.skip_spaces();
        if !scanner.eat(b':') {
            return None;
        }
        scanner.skip_spaces();
        fields.read(key, &mut scanner)?;
        scanner.skip_spaces();
        match scanner.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    scanner.skip_spaces();
    if scanner.at != bytes.len() {
        return None;
    }
    let within_limits = !scanner.near_limits && scanner.openings <= MAX_OPENINGS;
    fields.into_head(within_limits)
}

#[derive(Default)]
struct Fields<'a> {
    id: Option<&'a str>,
    kind: Option<&'a str>,
    created_at: Option<Option<&'a str>>,
    processed_at: Option<&'a str>,
    name: Option<&'a str>,
    input: Option<&'a str>,
    fingerprint: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// Reads the value of `key` (the scanner is at the value).
    fn read(&mut self, key: &str, scanner: &mut Scanner<'a>) -> Option<()> {
        let start = scanner.at;
        let slot = match key {
            "id" | "type" => {
                if scanner.peek() != Some(b'"') {
                    return None;
                }
                let value = scanner.plain_string()?;
                let slot = if key == "id" {
                    &mut self.id
                } else {
                    &mut self.kind
                };
                return first(slot, value);
            }
            "created_at" => {
                let value = match scanner.peek()? {
                    b'"' => Some(scanner.plain_string()?),
                    b'n' => scanner.literal(b"null").map(|()| None)?,
                    _ => return None,
                };
                return first(&mut self.created_at, value);
            }
            "processed_at" => &mut self.processed_at,
            "name" => &mut self.name,
            "input" => &mut self.input,
            "fingerprint" => &mut self.fingerprint,
            _ => return scanner.value(),
        };
        scanner.value()?;
        first(slot, scanner.text.get(start..scanner.at)?)
    }

    fn into_head(self, within_decoder_limits: bool) -> Option<ScannedHead<'a>> {
        let not_null = |raw: Option<&'a str>| raw.filter(|raw| *raw != "null");
        Some(ScannedHead {
            id: self.id?,
            kind: self.kind?,
            created_at: self.created_at.flatten(),
            processed_at: self.processed_at,
            name: not_null(self.name),
            input: not_null(self.input),
            fingerprint: not_null(self.fingerprint),
            within_decoder_limits,
        })
    }
}

/// Fills an empty slot; a field seen twice is left to serde (which refuses
/// it for the head, and keeps the last for a whole decode).
fn first<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot.replace(value) {
        None => Some(()),
        Some(_) => None,
    }
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Containers opened so far, the line's own object included.
    openings: usize,
    /// A number or escape that could reach the full decoder's limits.
    near_limits: bool,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    /// The only white space left once control characters are ruled out.
    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let found = self.bytes.get(self.at..)?.starts_with(word);
        self.at += if found { word.len() } else { 0 };
        found.then_some(())
    }

    /// A string without escapes (the scanner is at its quote), borrowed.
    /// A key or field with escapes reads differently once unescaped, so
    /// it is left to serde.
    fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at + 1;
        let end = start + quote_or_backslash(self.bytes.get(start..)?)?;
        if self.bytes[end] != b'"' {
            return None;
        }
        self.at = end + 1;
        self.text.get(start..end)
    }

    /// Skips a string, escapes and all (the scanner is at its quote).
    fn skip_string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            let hit = quote_or_backslash(self.bytes.get(self.at..)?)?;
            self.at += hit;
            if self.next()? == b'"' {
                return Some(());
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.bytes.get(self.at..self.at + 4)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    // A UTF-16 surrogate: the decoder refuses a lone one.
                    self.near_limits |= matches!(hex[0], b'd' | b'D');
                    self.at += 4;
                }
                _ => return None,
            }
        }
    }

    /// A number, by JSON's grammar; one the decoder could find out of
    /// range sets `near_limits`.
    fn number(&mut self) -> Option<()> {
        self.eat(b'-');
        let integer = match self.next()? {
            b'0' => 1,
            b'1'..=b'9' => 1 + self.skip_digits(),
            _ => return None,
        };
        let fraction = if self.eat(b'.') {
            self.one_or_more_digits()?
        } else {
            0
        };
        let mut exponent = 0;
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            exponent = self.one_or_more_digits()?;
        }
        self.near_limits |= integer.max(fraction) >= LONG_DIGIT_RUN || exponent >= LONG_EXPONENT;
        Some(())
    }

    /// How many digits were skipped; `None` for none.
    fn one_or_more_digits(&mut self) -> Option<usize> {
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        Some(self.skip_digits())
    }

    fn skip_digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    /// An object member's key and colon; the value follows.
    fn member_key(&mut self) -> Option<()> {
        self.skip_spaces();
        if self.peek() != Some(b'"') {
            return None;
        }
        self.skip_string()?;
        self.skip_spaces();
        self.eat(b':').then_some(())
    }

    /// Skips one value, nested ones included, without recursion.
    fn value(&mut self) -> Option<()> {
        // For each open container: whether it is an object.
        let mut open = [false; MAX_DEPTH];
        let mut depth = 0;
        loop {
            self.skip_spaces();
            match self.peek()? {
                b'"' => self.skip_string()?,
                opening @ (b'{' | b'[') => {
                    self.at += 1;
                    self.openings += 1;
                    let object = opening == b'{';
                    self.skip_spaces();
                    // An empty one is a complete value, handled below.
                    if !self.eat(if object { b'}' } else { b']' }) {
                        *open.get_mut(depth)? = object;
                        depth += 1;
                        if object {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => self.number()?,
            }
            // A value is complete: close what it completes, or go on to
            // the next element of the innermost container.
            loop {
                let Some(innermost) = depth.checked_sub(1) else {
                    return Some(());
                };
                let object = open[innermost];
                self.skip_spaces();
                match self.next()? {
                    b',' if object => {
                        self.member_key()?;
                        break;
                    }
                    b',' => break,
                    b'}' if object => depth = innermost,
                    b']' if !object => depth = innermost,
                    _ => return None,
                }
            }
        }
    }
}

/// The first `"` or `\\` in `bytes`. Most strings of a line (keys, ids,
/// types, times) are short: those are searched a word at a time in place,
/// cheaper than setting up a vector search; the rest by `memchr2`.
fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const IN_PLACE: usize = 32;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8).filter(|_| at < IN_PLACE) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let hits = bytes_equal_to(word, b'"') | bytes_equal_to(word, b'\\');
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    memchr::memchr2(b'"', b'\\', &bytes[at..]).map(|hit| at + hit)
}

/// A mask with the high bit set in each byte of `word` equal to `byte`.
/// Bytes above the first equal one may be flagged wrongly (a borrow runs
/// up), so only the lowest flag is to be trusted.
fn bytes_equal_to(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_where_equal = word ^ (ONES * u64::from(byte));
    zero_where_equal.wrapping_sub(ONES) & !zero_where_equal & HIGHS
}

#[cfg(test)]
mod tests;
