//! Sanitised text as ratatui spans: escapes styled apart from the text, so
//! a `\x07` the journal wrote as four characters never reads like a BEL
//! shown escaped.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::{Escaped, Piece};

/// The style escapes get by default: reversed, so they stand out in any
/// theme and without colour.
pub fn default_escape_style() -> Style {
    Style::default().add_modifier(ratatui::style::Modifier::REVERSED)
}

/// One line of spans (breaks, if any, end it: use [`lines`] for
/// multi-line text).
pub fn line(escaped: &Escaped, base: Style, escape: Style) -> Line<'static> {
    lines(escaped, base, escape)
        .into_iter()
        .next()
        .unwrap_or_default()
}

/// Lines of spans, split at laid-out newlines.
pub fn lines(escaped: &Escaped, base: Style, escape: Style) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    for piece in &escaped.pieces {
        if *piece == Piece::Break {
            out.push(Line::from(std::mem::take(&mut current)));
            continue;
        }
        let style = if piece.is_escape() {
            base.patch(escape)
        } else {
            base
        };
        current.push(Span::styled(piece.shown().into_owned(), style));
    }
    out.push(Line::from(current));
    out
}

/// Lays the escape style over lines already made from `escaped.text()`
/// (syntax highlighting, diff colouring), one line per laid-out newline.
pub fn overlay(lines: Vec<Line<'static>>, escaped: &Escaped, escape: Style) -> Vec<Line<'static>> {
    let ranges = escape_ranges(escaped);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| match ranges.get(i) {
            Some(marks) if !marks.is_empty() => restyle(line, marks, escape),
            _ => line,
        })
        .collect()
}

/// Byte ranges of escapes inside each line of the shown text.
fn escape_ranges(escaped: &Escaped) -> Vec<Vec<Range<usize>>> {
    let mut out = vec![Vec::new()];
    let mut offset = 0;
    for piece in &escaped.pieces {
        if *piece == Piece::Break {
            out.push(Vec::new());
            offset = 0;
            continue;
        }
        let len = piece.shown().len();
        if piece.is_escape()
            && let Some(line) = out.last_mut()
        {
            line.push(offset..offset + len);
        }
        offset += len;
    }
    out
}

fn restyle(line: Line<'static>, marks: &[Range<usize>], escape: Style) -> Line<'static> {
    let Line {
        spans,
        style,
        alignment,
    } = line;
    let mut out = Vec::with_capacity(spans.len() + marks.len() * 2);
    let mut offset = 0;
    for span in spans {
        let text = span.content.as_ref();
        let start = offset;
        offset += text.len();
        let mut cut = start;
        for mark in marks.iter().filter(|m| m.start < offset && m.end > start) {
            let (from, to) = (mark.start.max(start), mark.end.min(offset));
            if from > cut {
                out.push(Span::styled(
                    text[cut - start..from - start].to_string(),
                    span.style,
                ));
            }
            out.push(Span::styled(
                text[from - start..to - start].to_string(),
                span.style.patch(escape),
            ));
            cut = to;
        }
        if cut < offset {
            out.push(Span::styled(text[cut - start..].to_string(), span.style));
        }
    }
    Line {
        spans: out,
        style,
        alignment,
    }
}
