//! One event in full: pretty JSON, sanitised, tokenised with syntect's JSON
//! grammar. Built once when the overlay opens; render only maps token
//! classes to the theme's styles.

use std::sync::OnceLock;

use serde_json::Value;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::model::line::{LineParse, parse_line};
use crate::sanitize::{Layout, Mode, escape_bytes, sanitize_line, sanitize_multiline};
use crate::tui::state::{DetailDoc, TokenClass};

/// Lines past this are shown plain: highlighting is for reading, and a
/// multi-megabyte tool result should still open at once.
const HIGHLIGHT_LINES: usize = 5_000;
const HIGHLIGHT_LINE_CHARS: usize = 10_000;
const MAX_LINES: usize = 50_000;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

struct Scopes {
    key: [Scope; 3],
    string: Scope,
    number: Scope,
    literal: Scope,
    punctuation: Scope,
    invalid: Scope,
}

fn scopes() -> Option<&'static Scopes> {
    static SCOPES: OnceLock<Option<Scopes>> = OnceLock::new();
    SCOPES
        .get_or_init(|| {
            Some(Scopes {
                key: [
                    Scope::new("meta.mapping.key").ok()?,
                    Scope::new("meta.structure.dictionary.key").ok()?,
                    Scope::new("support.type.property-name").ok()?,
                ],
                string: Scope::new("string").ok()?,
                number: Scope::new("constant.numeric").ok()?,
                literal: Scope::new("constant.language").ok()?,
                punctuation: Scope::new("punctuation").ok()?,
                invalid: Scope::new("invalid").ok()?,
            })
        })
        .as_ref()
}

/// The detail document for journal line `line` (0-based) with `bytes`.
pub fn build_detail(line: usize, bytes: &[u8]) -> DetailDoc {
    match parse_line(bytes) {
        LineParse::Event(event) => {
            let title = format!(
                "{} · {} · line {}",
                sanitize_line(&event.id),
                sanitize_line(event.kind.as_str()),
                line + 1
            );
            let pretty = serde_json::to_string_pretty(&Value::Object(event.body))
                .unwrap_or_else(|e| format!("(could not print: {e})"));
            let (lines, note) = highlight_json(&sanitize_multiline(&pretty));
            DetailDoc { title, note, lines }
        }
        LineParse::Malformed(reason) => {
            // Byte by byte where it is not UTF-8: U+FFFD would hide which.
            let shown = escape_bytes(bytes, Mode::Strict, Layout::Multiline).text();
            let lines = shown
                .lines()
                .take(MAX_LINES)
                .map(|l| vec![(TokenClass::Error, l.to_string())])
                .collect();
            DetailDoc {
                title: format!("malformed line {}", line + 1),
                note: Some(sanitize_line(&format!("malformed: {reason}"))),
                lines,
            }
        }
        LineParse::Blank => DetailDoc {
            title: format!("line {}", line + 1),
            note: Some("a blank line: neither an event nor malformed".into()),
            lines: Vec::new(),
        },
    }
}

/// Tokenises pretty JSON into classed runs, one Vec per line.
pub fn highlight_json(text: &str) -> (Vec<Vec<(TokenClass, String)>>, Option<String>) {
    let set = syntaxes();
    let syntax = set.find_syntax_by_extension("json");
    let mut parse = syntax.map(ParseState::new);
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    let mut note = None;
    for (n, raw) in LinesWithEndings::from(text).enumerate() {
        if n >= MAX_LINES {
            note = Some(format!("cut at {MAX_LINES} lines"));
            break;
        }
        let line = raw.trim_end_matches(['\n', '\r']);
        let highlight = n < HIGHLIGHT_LINES && line.len() <= HIGHLIGHT_LINE_CHARS;
        let ops = match (&mut parse, highlight) {
            (Some(p), true) => p.parse_line(raw, set).ok(),
            _ => None,
        };
        let Some(ops) = ops else {
            // Once a line is skipped the parser's state is unknown: plain from here.
            parse = None;
            out.push(vec![(TokenClass::Plain, line.to_string())]);
            continue;
        };
        let mut runs: Vec<(TokenClass, String)> = Vec::new();
        let mut last = 0;
        for (pos, op) in ops {
            let pos = pos.min(line.len());
            if pos > last {
                push_run(&mut runs, classify(&stack), &line[last..pos]);
                last = pos;
            }
            if stack.apply(&op).is_err() {
                break;
            }
        }
        if last < line.len() {
            push_run(&mut runs, classify(&stack), &line[last..]);
        }
        out.push(runs);
    }
    (out, note)
}

fn push_run(runs: &mut Vec<(TokenClass, String)>, class: TokenClass, text: &str) {
    match runs.last_mut() {
        Some((c, t)) if *c == class => t.push_str(text),
        _ => runs.push((class, text.to_string())),
    }
}

fn classify(stack: &ScopeStack) -> TokenClass {
    let Some(s) = scopes() else {
        return TokenClass::Plain;
    };
    let all = stack.as_slice();
    if all.iter().any(|x| s.key.iter().any(|k| k.is_prefix_of(*x))) {
        return TokenClass::Key;
    }
    for scope in all.iter().rev() {
        if s.invalid.is_prefix_of(*scope) {
            return TokenClass::Error;
        }
        if s.string.is_prefix_of(*scope) {
            return TokenClass::String;
        }
        if s.number.is_prefix_of(*scope) {
            return TokenClass::Number;
        }
        if s.literal.is_prefix_of(*scope) {
            return TokenClass::Literal;
        }
        if s.punctuation.is_prefix_of(*scope) {
            return TokenClass::Punctuation;
        }
    }
    TokenClass::Plain
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes_of(doc: &DetailDoc, text: &str) -> Vec<TokenClass> {
        doc.lines
            .iter()
            .flatten()
            .filter(|(_, t)| t.contains(text))
            .map(|(c, _)| *c)
            .collect()
    }

    #[test]
    fn highlights_keys_strings_numbers_and_literals() {
        let doc = build_detail(
            0,
            br#"{"id":"e1","type":"agent.tool_use","input":{"n":42,"ok":true,"cmd":"ls"}}"#,
        );
        assert_eq!(doc.title, "e1 · agent.tool_use · line 1");
        assert!(
            classes_of(&doc, "\"cmd\"").contains(&TokenClass::Key),
            "{doc:?}"
        );
        assert!(
            classes_of(&doc, "ls").contains(&TokenClass::String),
            "{doc:?}"
        );
        assert!(
            classes_of(&doc, "42").contains(&TokenClass::Number),
            "{doc:?}"
        );
        assert!(
            classes_of(&doc, "true").contains(&TokenClass::Literal),
            "{doc:?}"
        );
    }

    #[test]
    fn escapes_never_survive_into_the_document() {
        let doc = build_detail(
            0,
            "{\"id\":\"e\",\"type\":\"x\",\"t\":\"a\u{9b}31m\u{202e}b\"}".as_bytes(),
        );
        let text: String = doc
            .lines
            .iter()
            .flatten()
            .map(|(_, t)| t.as_str())
            .collect();
        assert!(crate::sanitize::is_clean(&text), "{text:?}");
        let bad = build_detail(6, b"{\"id\":\x1b[2J");
        assert_eq!(bad.title, "malformed line 7");
        let text: String = bad
            .lines
            .iter()
            .flatten()
            .map(|(_, t)| t.as_str())
            .collect();
        assert!(crate::sanitize::is_clean(&text), "{text:?}");
    }
}
