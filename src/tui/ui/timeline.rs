//! The timeline strip: status runs and marks over the last hour, drawn
//! from cells computed in update (state/oncall.rs).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::status_style;
use crate::model::status::DisplayStatus;
use crate::model::time::format_minutes;
use crate::tui::state::Timeline;
use crate::tui::state::oncall::{TimelineMark, status_glyph};
use crate::tui::theme::Theme;

pub fn mark_style(theme: &Theme, mark: TimelineMark) -> Style {
    match mark {
        TimelineMark::Error => theme.error,
        TimelineMark::Reschedule => theme.status_rescheduling,
        TimelineMark::Request => theme.pending,
        TimelineMark::Decision => theme.ok,
        TimelineMark::Interrupt => theme.warning,
    }
}

/// `label` then the strip, its most recent cells when `width` is short.
pub fn strip<'a>(timeline: &Timeline, theme: &Theme, label: &str, width: usize) -> Line<'a> {
    let label_width = label.chars().count();
    let room = width.saturating_sub(label_width);
    let skip = timeline.cells.len().saturating_sub(room);
    let mut spans = vec![Span::styled(label.to_string(), theme.muted)];
    for cell in timeline.cells.iter().skip(skip) {
        let span = match cell.mark {
            Some(mark) => Span::styled(mark.glyph().to_string(), mark_style(theme, mark)),
            None => Span::styled(
                status_glyph(cell.status).to_string(),
                cell.status
                    .map_or(theme.muted, |s: DisplayStatus| status_style(theme, s)),
            ),
        };
        spans.push(span);
    }
    Line::from(spans)
}

/// Under the strip: how far back it reaches, "now", and the marks counted.
pub fn axis<'a>(timeline: &Timeline, theme: &Theme, indent: usize, width: usize) -> Line<'a> {
    let cells = timeline
        .cells
        .len()
        .min(width.saturating_sub(indent))
        .max(1);
    let back = timeline.span_secs * cells as i64 / timeline.cells.len().max(1) as i64;
    let left = format!("-{}", format_minutes(back));
    let pad = cells.saturating_sub(left.chars().count());
    let axis = format!("{left}{:>pad$}", "now");
    let mut spans = vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(axis, theme.muted),
    ];
    for (mark, count) in &timeline.counts {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!("{}{count}", mark.glyph()),
            mark_style(theme, *mark),
        ));
    }
    Line::from(spans)
}

/// What the glyphs mean, in one line.
pub fn legend<'a>(theme: &Theme, width: usize) -> Line<'a> {
    let mut spans = Vec::new();
    for (status, label) in [
        (DisplayStatus::Running, "running"),
        (DisplayStatus::RequiresAction, "action"),
        (DisplayStatus::Rescheduling, "resched"),
        (DisplayStatus::Idle, "idle"),
    ] {
        spans.push(Span::styled(
            status_glyph(Some(status)).to_string(),
            status_style(theme, status),
        ));
        spans.push(Span::styled(format!("{label} "), theme.muted));
    }
    for mark in TimelineMark::ALL {
        spans.push(Span::styled(
            mark.glyph().to_string(),
            mark_style(theme, mark),
        ));
        spans.push(Span::styled(format!("{} ", mark.label()), theme.muted));
    }
    let mut used = 0;
    let mut kept = Vec::new();
    for span in spans {
        used += span.width();
        if used > width {
            break;
        }
        kept.push(span);
    }
    Line::from(kept)
}
