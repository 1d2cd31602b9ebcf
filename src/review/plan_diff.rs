//! The diff of a plan revision against the one before: a line diff with
//! word-level emphasis (similar), rendered unified or side by side.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use similar::{ChangeTag, DiffOp, TextDiff};

use super::style::ReviewStyle;
use crate::sanitize::{sanitize_line, sanitize_multiline};

/// Lines of context kept around each change.
const CONTEXT: usize = 3;

/// Both renderings of one diff, computed together when a revision opens.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDiff {
    /// `-`/`+` gutters with old and new line numbers, hunk headers between.
    pub unified: Vec<Line<'static>>,
    /// Side by side: `left[i]` and `right[i]` belong on the same row.
    pub left: Vec<Line<'static>>,
    pub right: Vec<Line<'static>>,
    pub added: usize,
    pub removed: usize,
}

impl PlanDiff {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }
}

/// One side of a changed line: its number and its pieces, each marked
/// whether it is a changed word.
struct Side {
    number: usize,
    pieces: Vec<(bool, String)>,
}

/// One row of the diff, before styling.
enum Row {
    Hunk(String),
    Equal(usize, usize, String),
    /// A run of removed lines and the added lines that replaced them.
    Changed(Vec<Side>, Vec<Side>),
}

/// Diffs two revisions' Markdown (untrusted; every piece is sanitised).
pub fn diff_texts(old: &str, new: &str, style: &ReviewStyle) -> PlanDiff {
    // Sanitised before diffing so no escape sequence can straddle two pieces.
    let (old, new) = (sanitize_multiline(old), sanitize_multiline(new));
    let diff = TextDiff::configure().diff_lines(&old, &new);
    let mut rows = Vec::new();
    let (mut added, mut removed) = (0, 0);
    for group in diff.grouped_ops(CONTEXT) {
        rows.push(Row::Hunk(hunk_header(&group)));
        for op in &group {
            let mut deletes = Vec::new();
            let mut inserts = Vec::new();
            for change in diff.iter_inline_changes(op) {
                let pieces: Vec<(bool, String)> = change
                    .iter_strings_lossy()
                    .map(|(emphasised, text)| (emphasised, clean(&text)))
                    .filter(|(_, text)| !text.is_empty())
                    .collect();
                match change.tag() {
                    ChangeTag::Equal => {
                        let text = pieces.into_iter().map(|(_, t)| t).collect();
                        let old_n = change.old_index().unwrap_or(0) + 1;
                        let new_n = change.new_index().unwrap_or(0) + 1;
                        rows.push(Row::Equal(old_n, new_n, text));
                    }
                    ChangeTag::Delete => {
                        removed += 1;
                        let number = change.old_index().unwrap_or(0) + 1;
                        deletes.push(Side { number, pieces });
                    }
                    ChangeTag::Insert => {
                        added += 1;
                        let number = change.new_index().unwrap_or(0) + 1;
                        inserts.push(Side { number, pieces });
                    }
                }
            }
            if !(deletes.is_empty() && inserts.is_empty()) {
                rows.push(Row::Changed(deletes, inserts));
            }
        }
    }
    let mut out = PlanDiff {
        unified: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
        added,
        removed,
    };
    for row in &rows {
        render_row(row, style, &mut out);
    }
    out
}

fn render_row(row: &Row, style: &ReviewStyle, out: &mut PlanDiff) {
    match row {
        Row::Hunk(header) => {
            let line = Line::from(Span::styled(header.clone(), style.hunk_header));
            out.unified.push(line.clone());
            out.left.push(line.clone());
            out.right.push(line);
        }
        Row::Equal(old_n, new_n, text) => {
            out.unified.push(Line::from(vec![
                numbers(Some(*old_n), Some(*new_n), style),
                Span::styled(format!("  {text}"), style.text),
            ]));
            for (side, n) in [(&mut out.left, old_n), (&mut out.right, new_n)] {
                side.push(Line::from(vec![
                    number(Some(*n), style),
                    Span::styled(format!("  {text}"), style.text),
                ]));
            }
        }
        Row::Changed(deletes, inserts) => {
            // Unified reads as all the old lines, then all the new ones.
            for old in deletes {
                let gutter = numbers(Some(old.number), None, style);
                out.unified.push(removed_line(gutter, old, style));
            }
            for new in inserts {
                let gutter = numbers(None, Some(new.number), style);
                out.unified.push(added_line(gutter, new, style));
            }
            // Side by side pairs them row by row; the shorter side gets fillers.
            for row in 0..deletes.len().max(inserts.len()) {
                out.left.push(match deletes.get(row) {
                    Some(old) => removed_line(number(Some(old.number), style), old, style),
                    None => filler(style),
                });
                out.right.push(match inserts.get(row) {
                    Some(new) => added_line(number(Some(new.number), style), new, style),
                    None => filler(style),
                });
            }
        }
    }
}

fn removed_line(gutter: Span<'static>, side: &Side, style: &ReviewStyle) -> Line<'static> {
    changed_line(gutter, "- ", side, style.removed, style.removed_word)
}

fn added_line(gutter: Span<'static>, side: &Side, style: &ReviewStyle) -> Line<'static> {
    changed_line(gutter, "+ ", side, style.added, style.added_word)
}

fn changed_line(
    gutter: Span<'static>,
    sign: &'static str,
    side: &Side,
    line_style: Style,
    word_style: Style,
) -> Line<'static> {
    let mut spans = vec![gutter, Span::styled(sign, line_style)];
    for (emphasised, text) in &side.pieces {
        let style = if *emphasised {
            line_style.patch(word_style)
        } else {
            line_style
        };
        spans.push(Span::styled(text.clone(), style));
    }
    Line::from(spans)
}

fn filler(style: &ReviewStyle) -> Line<'static> {
    Line::from(Span::styled("", style.filler)).style(style.filler)
}

fn numbers(old: Option<usize>, new: Option<usize>, style: &ReviewStyle) -> Span<'static> {
    let show = |n: Option<usize>| n.map_or_else(String::new, |n| n.to_string());
    Span::styled(format!("{:>4} {:>4} ", show(old), show(new)), style.muted)
}

fn number(n: Option<usize>, style: &ReviewStyle) -> Span<'static> {
    let text = n.map_or_else(String::new, |n| n.to_string());
    Span::styled(format!("{text:>4} "), style.muted)
}

/// `@@ -a,b +c,d @@` for a group of ops.
fn hunk_header(group: &[DiffOp]) -> String {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return "@@".into();
    };
    let old = first.old_range().start..last.old_range().end;
    let new = first.new_range().start..last.new_range().end;
    format!(
        "@@ -{},{} +{},{} @@",
        old.start + 1,
        old.len(),
        new.start + 1,
        new.len()
    )
}

/// A line without its newline, sanitised for one terminal row.
fn clean(text: &str) -> String {
    sanitize_line(text.trim_end_matches(['\n', '\r']))
}

#[cfg(test)]
mod tests;
