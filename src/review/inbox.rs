//! The inbox: every pending request across the fleet, oldest first, as
//! rows of session, kind, tool, age and short fingerprint.

use std::cmp::Ordering;

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::hidden::hidden_in_request;
use super::style::ReviewStyle;
use crate::model::fingerprint::short;
use crate::model::pending::RequestKind;
use crate::model::time::{Timestamp, format_age};
use crate::sanitize::sanitize_line;
use crate::views::PendingRow;

/// What identifies a request across merged roots.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestKey {
    pub source: Option<String>,
    pub session_id: String,
    pub event_id: String,
}

impl RequestKey {
    pub fn of(row: &PendingRow) -> Self {
        Self {
            source: row.source.clone(),
            session_id: row.session_id.clone(),
            event_id: row.event_id.clone(),
        }
    }
}

/// One inbox row; the text fields are sanitised and ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxRow {
    pub key: RequestKey,
    pub kind: RequestKind,
    /// `plan r2`, `tool`, `custom`.
    pub kind_label: String,
    pub tool: String,
    /// What is asked, in one line: the command, the plan's title, the
    /// file to edit, or the input as compact JSON.
    pub summary: String,
    /// The title of the request's session (set by whoever knows it).
    pub session_title: String,
    pub age: String,
    pub short_fingerprint: String,
    pub pending_since: Option<Timestamp>,
    pub tampered: bool,
    /// Hidden control sequences in its name and input (marked `⚠`).
    pub hidden: usize,
    /// The row it came from, for opening the review.
    pub request: PendingRow,
}

pub const HEADER: [&str; 5] = ["SESSION", "KIND", "TOOL", "AGE", "FINGERPRINT"];

/// Column widths for a `Table` of inbox rows.
pub const WIDTHS: [Constraint; 5] = [
    Constraint::Fill(2),
    Constraint::Length(8),
    Constraint::Fill(1),
    Constraint::Length(4),
    Constraint::Length(13),
];

/// Builds the inbox from pending rows: oldest first by when each started
/// waiting (rows with no time last), then by session, event and source.
pub fn build_inbox(rows: &[PendingRow], now: Timestamp) -> Vec<InboxRow> {
    let mut inbox: Vec<InboxRow> = rows.iter().map(|row| inbox_row(row, now)).collect();
    inbox.sort_by(compare);
    inbox
}

fn compare(a: &InboxRow, b: &InboxRow) -> Ordering {
    let time = match (a.pending_since, b.pending_since) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    time.then_with(|| {
        (&a.key.session_id, &a.key.event_id, &a.key.source).cmp(&(
            &b.key.session_id,
            &b.key.event_id,
            &b.key.source,
        ))
    })
}

fn inbox_row(row: &PendingRow, now: Timestamp) -> InboxRow {
    let kind = match row.kind.as_str() {
        "plan" => RequestKind::Plan,
        "custom_tool_result" => RequestKind::CustomToolResult,
        _ => RequestKind::ToolConfirmation,
    };
    let kind_label = match (kind, row.plan_revision) {
        (RequestKind::Plan, Some(revision)) => format!("plan r{revision}"),
        _ => kind.label().to_string(),
    };
    let age = row.pending_since.map_or_else(
        || "?".to_string(),
        |since| format_age((now - since).num_seconds()),
    );
    InboxRow {
        key: RequestKey::of(row),
        kind,
        kind_label,
        tool: sanitize_line(row.name.as_str().unwrap_or("")),
        hidden: hidden_in_request(row),
        summary: sanitize_line(&request_summary(&row.input)),
        session_title: String::new(),
        age,
        short_fingerprint: short(&row.fingerprint).to_string(),
        pending_since: row.pending_since,
        tampered: row.tampered,
        request: row.clone(),
    }
}

/// A request's input in one line, what a reviewer needs to tell it apart.
pub fn request_summary(input: &serde_json::Value) -> String {
    let field = |name: &str| input.get(name).and_then(serde_json::Value::as_str);
    let text = if let Some(command) = field("command") {
        command.to_string()
    } else if let Some(plan) = field("plan") {
        // The plan's title, then its first line that is not a heading.
        let mut lines = plan.lines().map(str::trim).filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or("");
        let next = lines.find(|l| !l.starts_with('#'));
        match (first.strip_prefix('#'), next) {
            (Some(title), Some(next)) => {
                format!("{} — {next}", title.trim_start_matches('#').trim())
            }
            (Some(title), None) => title.trim_start_matches('#').trim().to_string(),
            (None, _) => first.to_string(),
        }
    } else if let Some(path) = field("path").or(field("file_path")) {
        path.to_string()
    } else {
        serde_json::to_string(input).unwrap_or_default()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl InboxRow {
    /// The session as shown: `source: session` when roots are merged.
    pub fn session_label(&self) -> String {
        match &self.key.source {
            Some(source) => format!(
                "{}: {}",
                sanitize_line(source),
                sanitize_line(&self.key.session_id)
            ),
            None => sanitize_line(&self.key.session_id),
        }
    }

    pub fn kind_style(&self, style: &ReviewStyle) -> Style {
        match self.kind {
            RequestKind::Plan => style.kind_plan,
            RequestKind::ToolConfirmation => style.kind_tool,
            RequestKind::CustomToolResult => style.kind_custom,
        }
    }

    /// `tampered` in place of the fingerprint when the request was altered.
    pub fn fingerprint_span(&self, style: &ReviewStyle) -> Span<'static> {
        if self.tampered {
            Span::styled("tampered", style.warning)
        } else {
            Span::styled(self.short_fingerprint.clone(), style.fingerprint)
        }
    }

    /// The row's cells in `HEADER` order, for tables that add columns.
    pub fn cells(&self, style: &ReviewStyle) -> [Cell<'static>; 5] {
        [
            Cell::from(Span::styled(self.session_label(), style.text)),
            Cell::from(Span::styled(
                self.kind_label.clone(),
                self.kind_style(style),
            )),
            Cell::from(self.tool_line(style)),
            Cell::from(Span::styled(self.age.clone(), style.muted)),
            Cell::from(self.fingerprint_span(style)),
        ]
    }

    /// The tool's name, after a `⚠ N` mark when the request hides control
    /// sequences.
    fn tool_line(&self, style: &ReviewStyle) -> Line<'static> {
        let mut spans = Vec::new();
        if self.hidden > 0 {
            spans.push(Span::styled(format!("⚠{} ", self.hidden), style.warning));
        }
        spans.push(Span::styled(self.tool.clone(), style.text));
        Line::from(spans)
    }

    /// A row for a ratatui `Table` (see `HEADER` and `WIDTHS`).
    pub fn to_row(&self, style: &ReviewStyle) -> Row<'static> {
        Row::new(self.cells(style))
    }

    /// The same row as one line, columns padded to the given widths, for
    /// lists and `:pending`.
    pub fn to_line(&self, widths: &[usize; 4], style: &ReviewStyle) -> Line<'static> {
        let pad = |text: &str, width: usize| {
            use unicode_width::UnicodeWidthStr;
            format!("{text}{}  ", " ".repeat(width.saturating_sub(text.width())))
        };
        let mut tool_spans = self.tool_line(style).spans;
        let tool_width: usize = tool_spans.iter().map(|s| s.width()).sum();
        tool_spans.push(Span::raw(
            " ".repeat(widths[2].saturating_sub(tool_width) + 2),
        ));
        let mut spans = vec![
            Span::styled(pad(&self.session_label(), widths[0]), style.text),
            Span::styled(pad(&self.kind_label, widths[1]), self.kind_style(style)),
        ];
        spans.extend(tool_spans);
        spans.extend([
            Span::styled(format!("{:>w$}  ", self.age, w = widths[3]), style.muted),
            self.fingerprint_span(style),
        ]);
        Line::from(spans)
    }
}

/// Column widths that fit every row's text (for `to_line`).
pub fn column_widths(rows: &[InboxRow]) -> [usize; 4] {
    use unicode_width::UnicodeWidthStr;
    let mut widths = [0usize; 4];
    for row in rows {
        widths[0] = widths[0].max(row.session_label().width());
        widths[1] = widths[1].max(row.kind_label.width());
        widths[2] = widths[2].max(row.tool_line(&ReviewStyle::default()).width());
        widths[3] = widths[3].max(row.age.width());
    }
    widths
}

/// The inbox as lines: a header, then one line per row.
pub fn render_inbox(rows: &[InboxRow], style: &ReviewStyle) -> Vec<Line<'static>> {
    if rows.is_empty() {
        return vec![Line::from(Span::styled(
            "No pending requests.",
            style.muted,
        ))];
    }
    let mut widths = column_widths(rows);
    for (width, title) in widths.iter_mut().zip(HEADER) {
        *width = (*width).max(title.len());
    }
    let header = format!(
        "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}  {}",
        HEADER[0],
        HEADER[1],
        HEADER[2],
        HEADER[3],
        HEADER[4],
        w0 = widths[0],
        w1 = widths[1],
        w2 = widths[2],
        w3 = widths[3]
    );
    let mut lines = vec![Line::from(Span::styled(header, style.muted))];
    lines.extend(rows.iter().map(|row| row.to_line(&widths, style)));
    lines
}

#[cfg(test)]
pub(crate) mod tests;
