//! A small multi-line text editor for decision messages: pure state, keys
//! arrive as calls, `render` draws it with the cursor as a reversed cell.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use unicode_width::UnicodeWidthStr;

use super::style::ReviewStyle;
use crate::sanitize::sanitize_line;

const TAB: &str = "    ";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    lines: Vec<String>,
    row: usize,
    /// Cursor position in `lines[row]`, in chars.
    col: usize,
}

impl Default for Editor {
    fn default() -> Self {
        Self {
            lines: vec![String::new()],
            row: 0,
            col: 0,
        }
    }
}

impl Editor {
    pub fn new() -> Self {
        Self::default()
    }

    /// An editor holding `text`, the cursor at its end.
    pub fn with_text(text: &str) -> Self {
        let mut editor = Self::default();
        editor.insert_str(text);
        editor
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn is_blank(&self) -> bool {
        self.lines.iter().all(|l| l.trim().is_empty())
    }

    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// (row, display column) of the cursor, for placing a terminal cursor.
    pub fn cursor(&self) -> (usize, usize) {
        let before: String = self.lines[self.row].chars().take(self.col).collect();
        (self.row, sanitize_line(&before).width())
    }

    /// Types one character; `\n` splits the line, `\t` inserts spaces and
    /// other control characters are ignored.
    pub fn insert_char(&mut self, c: char) {
        match c {
            '\n' | '\r' => self.newline(),
            '\t' => TAB.chars().for_each(|c| self.insert_char(c)),
            c if c.is_control() => {}
            c => {
                let at = self.byte_at(self.col);
                self.lines[self.row].insert(at, c);
                self.col += 1;
            }
        }
    }

    /// Pastes text (`\r\n` counts as one line break).
    pub fn insert_str(&mut self, text: &str) {
        for c in text.replace("\r\n", "\n").chars() {
            self.insert_char(c);
        }
    }

    pub fn newline(&mut self) {
        let at = self.byte_at(self.col);
        let rest = self.lines[self.row].split_off(at);
        self.row += 1;
        self.lines.insert(self.row, rest);
        self.col = 0;
    }

    /// Deletes the character before the cursor, joining lines at a start.
    pub fn backspace(&mut self) {
        if self.col > 0 {
            self.col -= 1;
            let at = self.byte_at(self.col);
            self.lines[self.row].remove(at);
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.char_len(self.row);
            self.lines[self.row].push_str(&line);
        }
    }

    /// Deletes the character under the cursor, joining lines at an end.
    pub fn delete(&mut self) {
        if self.col < self.char_len(self.row) {
            let at = self.byte_at(self.col);
            self.lines[self.row].remove(at);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    /// Deletes the word before the cursor (Ctrl-W).
    pub fn delete_word_back(&mut self) {
        let chars: Vec<char> = self.lines[self.row].chars().collect();
        let mut start = self.col;
        while start > 0 && chars[start - 1].is_whitespace() {
            start -= 1;
        }
        while start > 0 && !chars[start - 1].is_whitespace() {
            start -= 1;
        }
        if start == self.col {
            self.backspace();
            return;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.col));
        self.lines[self.row].replace_range(from..to, "");
        self.col = start;
    }

    /// Deletes from the line's start to the cursor (Ctrl-U).
    pub fn delete_to_line_start(&mut self) {
        let to = self.byte_at(self.col);
        self.lines[self.row].replace_range(..to, "");
        self.col = 0;
    }

    pub fn left(&mut self) {
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.char_len(self.row);
        }
    }

    pub fn right(&mut self) {
        if self.col < self.char_len(self.row) {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn up(&mut self) {
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.char_len(self.row));
        }
    }

    pub fn down(&mut self) {
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.char_len(self.row));
        }
    }

    pub fn home(&mut self) {
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.col = self.char_len(self.row);
    }

    fn char_len(&self, row: usize) -> usize {
        self.lines[row].chars().count()
    }

    fn byte_at(&self, col: usize) -> usize {
        let line = &self.lines[self.row];
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    /// The text with the cursor as a reversed cell; `placeholder` (muted)
    /// when empty.
    pub fn render(&self, placeholder: &str, style: &ReviewStyle) -> Text<'static> {
        let cursor_style = style.text.add_modifier(Modifier::REVERSED);
        let empty = self.lines.len() == 1 && self.lines[0].is_empty();
        let lines = self.lines.iter().enumerate().map(|(row, line)| {
            if row != self.row {
                return Line::from(Span::styled(sanitize_line(line), style.text));
            }
            let before: String = line.chars().take(self.col).collect();
            let at: String = line.chars().skip(self.col).take(1).collect();
            let after: String = line.chars().skip(self.col + 1).collect();
            let mut spans = vec![
                Span::styled(sanitize_line(&before), style.text),
                Span::styled(
                    if at.is_empty() {
                        " ".to_string()
                    } else {
                        sanitize_line(&at)
                    },
                    cursor_style,
                ),
                Span::styled(sanitize_line(&after), style.text),
            ];
            if empty && !placeholder.is_empty() {
                spans.push(Span::styled(placeholder.to_string(), style.muted));
            }
            spans.retain(|s| !s.content.is_empty() || s.style == Style::default());
            Line::from(spans)
        });
        Text::from(lines.collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::snapshot::{describe_lines, render_on_screen};

    fn typed(text: &str) -> Editor {
        let mut e = Editor::new();
        text.chars().for_each(|c| e.insert_char(c));
        e
    }

    #[test]
    fn typing_and_newlines() {
        let e = typed("Start with\na failing test");
        assert_eq!(e.text(), "Start with\na failing test");
        assert_eq!(e.line_count(), 2);
        assert_eq!(e.cursor(), (1, 14));
    }

    #[test]
    fn editing_in_the_middle_of_lines() {
        let mut e = typed("héllo\nworld");
        e.up();
        assert_eq!(e.cursor(), (0, 5));
        e.home();
        e.right();
        e.right();
        e.insert_char('X');
        assert_eq!(e.text(), "héXllo\nworld");
        e.end();
        e.delete();
        assert_eq!(e.text(), "héXlloworld");
        e.backspace();
        assert_eq!(e.text(), "héXllworld");
        e.home();
        e.backspace();
        assert_eq!(e.text(), "héXllworld");
        e.newline();
        assert_eq!(e.text(), "\nhéXllworld");
        e.left();
        e.delete();
        assert_eq!(e.text(), "héXllworld");
    }

    #[test]
    fn word_and_line_deletion() {
        let mut e = typed("deny this  now");
        e.delete_word_back();
        assert_eq!(e.text(), "deny this  ");
        e.delete_word_back();
        assert_eq!(e.text(), "deny ");
        e.delete_to_line_start();
        assert_eq!(e.text(), "");
        assert!(e.is_blank());
    }

    #[test]
    fn controls_are_ignored_and_tabs_become_spaces() {
        let mut e = Editor::new();
        e.insert_str("a\x1b[2J\tb\r\nc\u{7}");
        assert_eq!(e.text(), "a[2J    b\nc");
        assert!(crate::sanitize::is_clean(&e.text()));
    }

    #[test]
    fn render_shows_the_cursor_and_placeholder() {
        let style = ReviewStyle::default();
        let empty = Editor::new().render("Why deny? (Ctrl-E opens $EDITOR)", &style);
        insta::assert_snapshot!("editor_empty", describe_lines(&empty.lines));
        let mut e = Editor::with_text("Start with a failing test.\nThen rewrite auth.");
        e.up();
        e.home();
        let text = e.render("", &style);
        insta::assert_snapshot!("editor_styled", describe_lines(&text.lines));
        insta::assert_snapshot!("editor_80x24", render_on_screen(text.lines.clone(), 80, 24));
        insta::assert_snapshot!("editor_160x48", render_on_screen(text.lines, 160, 48));
    }
}
