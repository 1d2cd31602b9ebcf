//! The fleet pane: one row per session, cells built for visible rows only.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::text::{fit, rect, right, tokens};
use super::{pane_block, status_label, status_style};
use crate::model::time::format_age;
use crate::sanitize::sanitize_line;
use crate::tui::state::{Area, Pane, SessionEntry, State, ViewKind};
use crate::tui::theme::Theme;

struct Columns {
    source: usize,
    status: usize,
    title: usize,
    agent: usize,
    age: usize,
    pending: usize,
    stuck: usize,
    usage: usize,
}

impl Columns {
    fn for_width(width: usize, multi_source: bool) -> Self {
        let wide = width >= 120;
        let mut c = Columns {
            source: if multi_source { 3 } else { 0 },
            status: 10,
            title: 0,
            agent: if width >= 70 {
                if wide { 18 } else { 12 }
            } else {
                0
            },
            age: 4,
            pending: 4,
            stuck: if wide {
                30
            } else if width >= 60 {
                15
            } else {
                0
            },
            usage: if width >= 70 { 6 } else { 0 },
        };
        let gaps = [c.source, c.agent, c.age, c.pending, c.stuck, c.usage]
            .iter()
            .filter(|w| **w > 0)
            .count();
        let fixed = c.source + c.status + c.agent + c.age + c.pending + c.stuck + c.usage + gaps;
        c.title = width.saturating_sub(fixed).max(1);
        c
    }
}

fn title(state: &State) -> String {
    let fleet = &state.fleet;
    let name = match fleet.kind {
        ViewKind::All => "Sessions",
        ViewKind::Pending => "Pending",
        ViewKind::Stuck => "Stuck",
    };
    let mut parts = vec![format!(
        "{name} {}/{}",
        fleet.stats.listed, fleet.stats.shown
    )];
    let arrow = if fleet.reverse { "↑" } else { "↓" };
    parts.push(format!("sort {} {arrow}", fleet.sort.as_str()));
    if fleet.tree {
        parts.push("tree".into());
    }
    if fleet.show_archived {
        parts.push("with archived".into());
    }
    if !fleet.filter.text.is_empty() {
        parts.push(format!("filter “{}”", sanitize_line(&fleet.filter.text)));
    }
    format!(" {} ", parts.join(" · "))
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    if state.fleet.kind == ViewKind::Stuck {
        return super::stuck::render_list(state, theme, frame, area);
    }
    let focused = state.focus == Pane::Fleet && state.overlays.is_empty();
    let block: Block = pane_block(theme, title(state), focused);
    frame.render_widget(block, rect(area));
    let inner = area.inner();
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = inner.width as usize;
    let cols = Columns::for_width(width, state.multi_source());
    let mut lines = vec![header(&cols, theme)];
    let fleet = &state.fleet;
    let visible = inner.height.saturating_sub(1) as usize;
    if fleet.rows.is_empty() {
        lines.push(Line::styled(empty_message(state), theme.muted));
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
        let selected = i == fleet.selected;
        let row_style = match (selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        let text_style = if row.context_only {
            theme.muted
        } else {
            theme.base
        };
        let spans = row_spans(state, theme, entry, &row.prefix, &cols, text_style);
        lines.push(Line::from(spans).style(row_style));
    }
    frame.render_widget(Paragraph::new(lines), rect(inner));
}

fn header<'a>(cols: &Columns, theme: &Theme) -> Line<'a> {
    let mut text = String::new();
    if cols.source > 0 {
        text.push_str(&fit("SRC", cols.source + 1));
    }
    text.push_str(&fit("STATUS", cols.status));
    text.push_str(&fit("TITLE", cols.title));
    if cols.agent > 0 {
        text.push(' ');
        text.push_str(&fit("AGENT", cols.agent));
    }
    text.push(' ');
    text.push_str(&right("AGE", cols.age));
    text.push(' ');
    text.push_str(&right("PEND", cols.pending));
    if cols.stuck > 0 {
        text.push(' ');
        text.push_str(&fit("STUCK", cols.stuck));
    }
    if cols.usage > 0 {
        text.push(' ');
        text.push_str(&right("TOKENS", cols.usage));
    }
    Line::styled(text, theme.header)
}

fn row_spans<'a>(
    state: &State,
    theme: &Theme,
    entry: &SessionEntry,
    prefix: &str,
    cols: &Columns,
    text_style: Style,
) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    if cols.source > 0 {
        spans.push(Span::styled(
            fit(&format!("#{}", entry.key.source + 1), cols.source + 1),
            theme.muted,
        ));
    }
    spans.push(Span::styled(
        fit(status_label(entry.status), cols.status - 1),
        status_style(theme, entry.status),
    ));
    spans.push(Span::raw(" "));
    let title = if entry.title.is_empty() {
        format!("{prefix}{}", entry.id)
    } else {
        format!("{prefix}{}", entry.title)
    };
    if entry.expired {
        // Past its TTL: marked, so hygiene can be seen at a glance.
        const MARK: &str = "⊘ ";
        spans.push(Span::styled(MARK, theme.warning));
        let rest = cols.title.saturating_sub(MARK.width());
        spans.push(Span::styled(fit(&title, rest), text_style));
    } else {
        spans.push(Span::styled(fit(&title, cols.title), text_style));
    }
    if cols.agent > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(fit(&entry.agent, cols.agent), theme.muted));
    }
    spans.push(Span::raw(" "));
    let age = entry
        .age_secs(state.now)
        .map(format_age)
        .unwrap_or_else(|| "-".into());
    spans.push(Span::styled(right(&age, cols.age), text_style));
    spans.push(Span::raw(" "));
    let (pending, pending_style) = if entry.snapshot.summary.counting {
        ("…".to_string(), theme.muted)
    } else if entry.pending > 0 {
        (entry.pending.to_string(), theme.pending)
    } else {
        ("·".to_string(), theme.muted)
    };
    spans.push(Span::styled(right(&pending, cols.pending), pending_style));
    if cols.stuck > 0 {
        spans.push(Span::raw(" "));
        spans.push(stuck_span(entry, cols.stuck, theme));
    }
    if cols.usage > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            right(&tokens(entry.snapshot.doc.usage.total()), cols.usage),
            theme.muted,
        ));
    }
    spans
}

fn stuck_span<'a>(entry: &SessionEntry, width: usize, theme: &Theme) -> Span<'a> {
    let rules: Vec<&str> = entry.stuck.iter().map(|f| f.rule.as_str()).collect();
    if rules.is_empty() {
        return Span::styled(fit("·", width), theme.muted);
    }
    let all = rules.join(",");
    let text = if all.chars().count() <= width || rules.len() == 1 {
        all
    } else {
        format!("{} +{}", rules[0], rules.len() - 1)
    };
    Span::styled(fit(&text, width), theme.stuck)
}

fn empty_message(state: &State) -> String {
    if !state.fleet.filter.text.is_empty() {
        format!(
            " No session matches “{}”. Esc clears the filter.",
            sanitize_line(&state.fleet.filter.text)
        )
    } else if state.fleet.kind != ViewKind::All {
        format!(
            " No {} sessions. 1 or :all shows every session.",
            state.fleet.kind.title()
        )
    } else {
        " No sessions yet: they appear here as soon as a session.json is written.".into()
    }
}
