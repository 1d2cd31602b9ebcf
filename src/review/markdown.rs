//! Plan Markdown rendered into styled lines: headings, emphasis, lists with
//! bullets and numbers, block quotes, inline code, fenced code highlighted
//! by its language, and tables as aligned text. Lines do not depend on the
//! width; wrapping is the widget's job.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use unicode_width::UnicodeWidthStr;

use super::highlight::highlight;
use super::style::ReviewStyle;
use crate::sanitize::{sanitize_line, sanitize_multiline};

/// Renders untrusted Markdown (every piece of text is sanitised).
pub fn render_markdown(markdown: &str, style: &ReviewStyle) -> Text<'static> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    // Sanitised whole first, so no escape sequence can straddle two of the
    // parser's text pieces; each piece is sanitised again as it is placed.
    let clean = sanitize_multiline(markdown);
    let mut renderer = Renderer::new(style);
    for event in Parser::new_ext(&clean, options) {
        renderer.event(event);
    }
    renderer.finish()
}

struct ListLevel {
    /// The next item number; `None` for bullet lists.
    next: Option<u64>,
    /// Width of this level's marker, so continuation lines align under it.
    indent: usize,
}

#[derive(Default)]
struct Table {
    alignments: Vec<Alignment>,
    /// Rows of cells; the first row is the header when `has_head`.
    rows: Vec<Vec<Vec<Span<'static>>>>,
    has_head: bool,
}

struct Renderer<'s> {
    style: &'s ReviewStyle,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    /// Inline styles in force (emphasis, strong, link, heading…).
    inline: Vec<Style>,
    lists: Vec<ListLevel>,
    /// The marker waiting to start the current item's first line.
    marker: Option<Span<'static>>,
    quote_depth: usize,
    code: Option<(String, String)>,
    table: Option<Table>,
    links: Vec<String>,
}

impl<'s> Renderer<'s> {
    fn new(style: &'s ReviewStyle) -> Self {
        Self {
            style,
            lines: Vec::new(),
            current: Vec::new(),
            inline: vec![style.text],
            lists: Vec::new(),
            marker: None,
            quote_depth: 0,
            code: None,
            table: None,
            links: Vec::new(),
        }
    }

    fn finish(mut self) -> Text<'static> {
        self.flush();
        while self.lines.last().is_some_and(|l| l.spans.is_empty()) {
            self.lines.pop();
        }
        Text::from(self.lines)
    }

    fn inline_style(&self) -> Style {
        self.inline.last().copied().unwrap_or(self.style.text)
    }

    fn push_inline(&mut self, patch: Style) {
        let style = self.inline_style().patch(patch);
        self.inline.push(style);
    }

    fn pop_inline(&mut self) {
        if self.inline.len() > 1 {
            self.inline.pop();
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Some((_, buffer)) = &mut self.code {
            match event {
                Event::Text(text) => buffer.push_str(&text),
                Event::End(TagEnd::CodeBlock) => self.end_code_block(),
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, self.inline_style()),
            Event::Code(code) => {
                let style = self.inline_style().patch(self.style.inline_code);
                self.text(&code, style);
            }
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                let style = self.inline_style().patch(self.style.inline_code);
                self.text(&math, style);
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for (i, part) in html.lines().enumerate() {
                    if i > 0 {
                        self.flush();
                    }
                    self.text(part, self.style.muted);
                }
            }
            Event::FootnoteReference(name) => {
                self.text(&format!("[^{name}]"), self.style.link);
            }
            Event::SoftBreak => self.text(" ", self.inline_style()),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.block_gap();
                self.current
                    .push(Span::styled("─".repeat(24), self.style.muted));
                self.flush();
            }
            Event::TaskListMarker(done) => {
                let mark = if done { "[x] " } else { "[ ] " };
                self.current
                    .push(Span::styled(mark, self.style.list_marker));
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => self.block_gap(),
            Tag::Heading { level, .. } => {
                self.block_gap();
                let patch = match level {
                    HeadingLevel::H1 => self.style.heading.add_modifier(Modifier::UNDERLINED),
                    _ => self.style.heading,
                };
                self.push_inline(patch);
                let marks = format!("{} ", "#".repeat(heading_depth(level)));
                self.current.push(Span::styled(marks, self.inline_style()));
            }
            Tag::BlockQuote(_) => {
                self.block_gap();
                self.quote_depth += 1;
                self.push_inline(self.style.quote);
            }
            Tag::CodeBlock(kind) => {
                self.block_gap();
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((language, String::new()));
            }
            Tag::HtmlBlock => self.block_gap(),
            Tag::List(start) => {
                if self.lists.is_empty() {
                    self.block_gap();
                } else {
                    self.flush();
                }
                self.lists.push(ListLevel {
                    next: start,
                    indent: 2,
                });
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(level) => match &mut level.next {
                        Some(n) => {
                            let text = format!("{n}. ");
                            *n += 1;
                            level.indent = text.width();
                            text
                        }
                        None => {
                            level.indent = 2;
                            bullet(self.lists.len()).to_string()
                        }
                    },
                    None => "• ".to_string(),
                };
                self.marker = Some(Span::styled(marker, self.style.list_marker));
            }
            Tag::FootnoteDefinition(name) => {
                self.block_gap();
                self.text(&format!("[^{name}]: "), self.style.link);
            }
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                self.flush();
            }
            Tag::Table(alignments) => {
                self.block_gap();
                self.table = Some(Table {
                    alignments,
                    ..Table::default()
                });
            }
            Tag::TableHead => {
                if let Some(table) = &mut self.table {
                    table.has_head = true;
                    table.rows.push(Vec::new());
                }
                self.push_inline(Style::default().add_modifier(Modifier::BOLD));
            }
            Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.current.clear(),
            Tag::Emphasis => self.push_inline(Style::default().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_inline(Style::default().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => {
                self.push_inline(Style::default().add_modifier(Modifier::CROSSED_OUT));
            }
            Tag::Superscript | Tag::Subscript => self.push_inline(Style::default()),
            Tag::Link { dest_url, .. } => {
                self.links.push(dest_url.to_string());
                self.push_inline(self.style.link);
            }
            Tag::Image { dest_url, .. } => {
                self.links.push(dest_url.to_string());
                self.text("[image: ", self.style.muted);
                self.push_inline(self.style.link);
            }
            Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::HtmlBlock => self.flush(),
            TagEnd::Heading(_) => {
                self.flush();
                self.pop_inline();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.pop_inline();
            }
            TagEnd::CodeBlock => {}
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => self.flush(),
            TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => self.flush(),
            TagEnd::Table => self.end_table(),
            TagEnd::TableHead => self.pop_inline(),
            TagEnd::TableRow => {}
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.current);
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell);
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => self.pop_inline(),
            TagEnd::Link => {
                self.pop_inline();
                let url = self.links.pop().unwrap_or_default();
                let shown: String = self.current.iter().map(|s| s.content.as_ref()).collect();
                if !url.is_empty() && !shown.ends_with(url.as_str()) {
                    self.text(&format!(" ({url})"), self.style.muted);
                }
            }
            TagEnd::Image => {
                self.pop_inline();
                let url = self.links.pop().unwrap_or_default();
                self.text(&format!("]({url})"), self.style.muted);
            }
            TagEnd::MetadataBlock(_) => {}
        }
    }

    fn text(&mut self, text: &str, style: Style) {
        let clean = sanitize_line(text);
        if !clean.is_empty() {
            self.current.push(Span::styled(clean, style));
        }
    }

    /// Quote bars and list indentation for a new line; the pending item
    /// marker takes the innermost level's place on an item's first line.
    fn prefix(&mut self) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        if self.quote_depth > 0 {
            spans.push(Span::styled(
                "│ ".repeat(self.quote_depth),
                self.style.quote,
            ));
        }
        let levels = self.lists.len();
        let outer: usize = self
            .lists
            .iter()
            .take(levels.saturating_sub(1))
            .map(|l| l.indent)
            .sum();
        if outer > 0 {
            spans.push(Span::raw(" ".repeat(outer)));
        }
        match self.marker.take() {
            Some(marker) => spans.push(marker),
            None => {
                if let Some(level) = self.lists.last() {
                    spans.push(Span::raw(" ".repeat(level.indent)));
                }
            }
        }
        spans
    }

    /// Ends the line being built, if it has anything.
    fn flush(&mut self) {
        if self.current.is_empty() && self.marker.is_none() {
            return;
        }
        let mut spans = self.prefix();
        spans.append(&mut self.current);
        self.lines.push(Line::from(spans));
    }

    /// A blank line between top-level blocks (list items stay tight).
    fn block_gap(&mut self) {
        self.flush();
        if !self.lists.is_empty() {
            return;
        }
        if self.lines.last().is_some_and(|l| !is_blank(l)) {
            let spans = self.prefix();
            self.lines.push(Line::from(spans));
        }
    }

    fn end_code_block(&mut self) {
        let Some((language, code)) = self.code.take() else {
            return;
        };
        let fence = format!("```{}", sanitize_line(&language));
        self.current.push(Span::styled(fence, self.style.muted));
        self.flush();
        let base = self.style.text.patch(self.style.code_block);
        for line in highlight(&code, &language, &self.style.syntax_theme, base) {
            let mut spans = self.prefix();
            spans.extend(line.spans);
            self.lines.push(Line::from(spans));
        }
        self.current.push(Span::styled("```", self.style.muted));
        self.flush();
    }

    fn end_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell_width(cell));
            }
        }
        let border = self.style.table_border;
        for (r, row) in table.rows.iter().enumerate() {
            let mut spans = self.prefix();
            for (i, width) in widths.iter().enumerate() {
                if i > 0 {
                    spans.push(Span::styled(" │ ", border));
                }
                let cell = row.get(i).cloned().unwrap_or_default();
                let pad = width - cell_width(&cell);
                let (left, right) = match table.alignments.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                if left > 0 {
                    spans.push(Span::raw(" ".repeat(left)));
                }
                spans.extend(cell);
                if right > 0 && i + 1 < widths.len() {
                    spans.push(Span::raw(" ".repeat(right)));
                }
            }
            self.lines.push(Line::from(spans));
            if r == 0 && table.has_head {
                let mut rule = self.prefix();
                let text = widths
                    .iter()
                    .map(|w| "─".repeat(*w))
                    .collect::<Vec<_>>()
                    .join("─┼─");
                rule.push(Span::styled(text, border));
                self.lines.push(Line::from(rule));
            }
        }
    }
}

fn heading_depth(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn bullet(depth: usize) -> &'static str {
    match depth % 3 {
        1 => "• ",
        2 => "◦ ",
        _ => "▪ ",
    }
}

fn cell_width(cell: &[Span<'_>]) -> usize {
    cell.iter().map(|s| s.content.width()).sum()
}

fn is_blank(line: &Line<'_>) -> bool {
    line.spans
        .iter()
        .all(|s| s.content.chars().all(|c| c.is_whitespace() || c == '│'))
}

#[cfg(test)]
mod tests;
