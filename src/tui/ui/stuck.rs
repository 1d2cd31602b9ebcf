//! The stuck view: the fleet pane lists stuck sessions with the rule, how
//! long it has held and why; the pane below says why in full, with the
//! evidence events, the timeline and the thresholds in force.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::text::{cut, fit, rect};
use super::{pane_block, row_style, status_label, status_style, timeline};
use crate::model::time::format_minutes;
use crate::sanitize::sanitize_line;
use crate::tui::state::{Area, Pane, SessionEntry, State};
use crate::tui::theme::Theme;

/// The list's columns, fitted by priority (ui::columns): why first, then
/// status, rule, title, how long, and the id when there is room to tell
/// identical titles apart.
struct Columns {
    status: usize,
    title: usize,
    id: usize,
    rule: usize,
    age: usize,
    reason: usize,
}

impl Columns {
    fn for_rows(width: usize, state: &State, rows: &[&SessionEntry]) -> Self {
        use super::columns::{Column, fit};
        use unicode_width::UnicodeWidthStr;
        let widest = |header: &str, cell: &dyn Fn(&SessionEntry) -> usize| {
            rows.iter()
                .map(|e| cell(e))
                .max()
                .unwrap_or(0)
                .max(header.width())
        };
        let title = widest("TITLE", &|e| display_title(e).width());
        let id = widest("ID", &|e| e.id.width());
        let rule = widest("RULE", &|e| rule_label(e).width());
        let age = widest("FOR", &|e| age_label(state, e).width());
        let reason = widest("WHY", &|e| {
            e.stuck
                .first()
                .map_or(0, |f| sanitize_line(&f.detail).width())
        });
        let widths = fit(
            &[
                Column::fixed(9, 1),
                Column::flex(12, title, 3),
                Column::fixed(id, 5),
                Column::fixed(rule, 2),
                Column::fixed(age, 4),
                Column::flex(24, reason, 0),
            ],
            width,
            1,
        );
        Columns {
            status: widths[0],
            title: widths[1],
            id: widths[2],
            rule: widths[3],
            age: widths[4],
            reason: widths[5],
        }
    }

    /// `cells` in column order, each fitted (cut with `…`), left out where
    /// the column is.
    fn line<'a>(&self, cells: [(String, Style); 6]) -> Vec<Span<'a>> {
        let widths = [
            self.status,
            self.title,
            self.id,
            self.rule,
            self.age,
            self.reason,
        ];
        let mut spans = Vec::new();
        for ((text, style), width) in cells.into_iter().zip(widths) {
            if width == 0 {
                continue;
            }
            if !spans.is_empty() {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(fit(&text, width), style));
        }
        spans
    }
}

fn display_title(entry: &SessionEntry) -> String {
    if entry.title.is_empty() {
        entry.id.clone()
    } else {
        entry.title.clone()
    }
}

fn rule_label(entry: &SessionEntry) -> String {
    match (entry.stuck.first(), entry.stuck.len()) {
        (None, _) => String::new(),
        (Some(first), 1) => first.rule.as_str().to_string(),
        (Some(first), n) => format!("{} +{}", first.rule.as_str(), n - 1),
    }
}

fn age_label(state: &State, entry: &SessionEntry) -> String {
    entry.stuck.first().map_or_else(String::new, |first| {
        format_minutes((state.now - first.since).num_seconds())
    })
}

fn thresholds_title(state: &State) -> String {
    format!(" thresholds: {} ", state.thresholds.describe())
}

/// The fleet pane in the stuck view.
pub fn render_list(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let focused = state.focus == Pane::Fleet && state.overlays.is_empty();
    let fleet = &state.fleet;
    let mut title = format!(" Stuck {} ", fleet.rows.len());
    if !fleet.filter.text.is_empty() {
        title = format!(
            " Stuck {} · filter “{}” ",
            fleet.rows.len(),
            sanitize_line(&fleet.filter.text)
        );
    }
    let block: Block = pane_block(theme, title, focused).title_bottom(Span::styled(
        cut(
            &thresholds_title(state),
            area.width.saturating_sub(2) as usize,
        ),
        theme.muted,
    ));
    frame.render_widget(block, rect(area));
    let inner = area.inner();
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let visible = inner.height.saturating_sub(1) as usize;
    let shown: Vec<&SessionEntry> = fleet
        .rows
        .iter()
        .skip(fleet.offset)
        .take(visible)
        .filter_map(|row| state.sessions.get(&row.key))
        .collect();
    let cols = Columns::for_rows(inner.width as usize, state, &shown);
    let header: String = cols
        .line(
            ["STATUS", "TITLE", "ID", "RULE", "FOR", "WHY"].map(|h| (h.to_string(), theme.header)),
        )
        .iter()
        .map(|s| s.content.to_string())
        .collect();
    let mut lines = vec![Line::styled(header, theme.header)];
    if fleet.rows.is_empty() {
        lines.push(Line::styled(
            " Nothing is stuck under these thresholds. 1 or :all shows every session.",
            theme.muted,
        ));
    }
    for (i, row) in fleet
        .rows
        .iter()
        .enumerate()
        .skip(fleet.offset)
        .take(visible)
    {
        let Some(entry) = state.sessions.get(&row.key) else {
            continue;
        };
        let row_style = match (i == fleet.selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        lines.push(Line::from(row_spans(state, theme, entry, &cols)).style(row_style));
    }
    frame.render_widget(Paragraph::new(lines), rect(inner));
}

fn row_spans<'a>(
    state: &State,
    theme: &Theme,
    entry: &SessionEntry,
    cols: &Columns,
) -> Vec<Span<'a>> {
    let reason = entry
        .stuck
        .first()
        .map_or_else(String::new, |f| sanitize_line(&f.detail));
    cols.line([
        (
            status_label(entry.status).to_string(),
            status_style(theme, entry.status),
        ),
        (display_title(entry), theme.base),
        (entry.id.clone(), theme.muted),
        (rule_label(entry), theme.stuck),
        (age_label(state, entry), theme.base),
        (reason, theme.base),
    ])
}

/// The pane below the list (the session pane's place): why, in full.
pub fn render_why(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let focused = state.focus == Pane::Session && state.overlays.is_empty();
    let Some(entry) = state.selected() else {
        frame.render_widget(pane_block(theme, " Why stuck ".into(), focused), rect(area));
        return;
    };
    let title = format!(" Why stuck · {} ", entry.id);
    frame.render_widget(pane_block(theme, title, focused), rect(area));
    let inner = area.inner();
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(t) = state.timeline.as_ref().filter(|t| t.key == entry.key) {
        lines.push(timeline::strip(t, theme, "timeline ", width));
        lines.push(timeline::axis(t, theme, 9, width));
        lines.push(timeline::legend(theme, width));
    }
    for finding in &entry.stuck {
        lines.push(Line::from(vec![
            Span::styled(finding.rule.as_str().to_string(), theme.stuck),
            Span::styled(
                format!(
                    " · for {}",
                    format_minutes((state.now - finding.since).num_seconds())
                ),
                theme.muted,
            ),
        ]));
        lines.push(Line::styled(
            cut(&format!(" {}", sanitize_line(&finding.detail)), width),
            theme.base,
        ));
        if finding.evidence.is_empty() {
            lines.push(Line::styled(
                "   no journal events as evidence",
                theme.muted,
            ));
            if let Some(parent) = entry.parent_key() {
                let text = match state.sessions.get(&parent) {
                    Some(p) => format!("   parent {} {} — {}", p.id, p.status.as_str(), p.title),
                    None => format!("   parent {} (not loaded)", sanitize_line(&parent.id)),
                };
                lines.push(Line::styled(cut(&text, width), theme.muted));
            }
        }
        for id in &finding.evidence {
            lines.push(evidence_line(state, theme, id, width));
        }
    }
    lines.push(Line::styled(
        cut(
            " enter: stream at the evidence · i interrupt · m message · w revisit · y copy id",
            width,
        ),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), rect(inner));
}

fn evidence_line<'a>(state: &State, theme: &Theme, id: &str, width: usize) -> Line<'a> {
    let item = state.evidence.as_ref().and_then(|e| e.items.get(id));
    let loading = state.evidence.as_ref().is_some_and(|e| e.loading);
    let id = sanitize_line(id);
    match item {
        Some(item) => {
            let at = item
                .line
                .map_or_else(|| "queue".to_string(), |l| format!("L{}", l + 1));
            let head = format!("   {at:>5} {} ", item.time);
            let kind = format!("{} ", item.kind);
            let rest = width.saturating_sub(head.chars().count() + kind.chars().count());
            Line::from(vec![
                Span::styled(head, theme.muted),
                Span::styled(kind, row_style(theme, item.class)),
                Span::styled(cut(&item.summary, rest), theme.base),
            ])
        }
        None if loading => Line::styled(format!("   {id} (reading…)"), theme.muted),
        None => Line::styled(
            cut(&format!("   {id} (not in the journal)"), width),
            theme.warning,
        ),
    }
}
