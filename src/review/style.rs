//! The colours review panes use. The dashboard fills this from its theme;
//! `Default` is a plain dark-terminal palette so the module stands alone.

use ratatui::style::{Color, Modifier, Style};

/// Styles for rendered plans, diffs, tool inputs and inbox rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewStyle {
    /// Ordinary text.
    pub text: Style,
    /// Secondary text: line numbers, ages, URLs, fences, filler rows.
    pub muted: Style,
    /// Markdown headings (the `#` marks included).
    pub heading: Style,
    pub quote: Style,
    pub list_marker: Style,
    pub link: Style,
    pub inline_code: Style,
    /// Laid under highlighted code (fenced blocks, commands, JSON).
    pub code_block: Style,
    pub table_border: Style,
    /// Whole added and removed lines in diffs.
    pub added: Style,
    pub removed: Style,
    /// The words that changed inside an added or removed line.
    pub added_word: Style,
    pub removed_word: Style,
    pub hunk_header: Style,
    /// `---`/`+++`/`*** Update File:` lines of patches.
    pub file_header: Style,
    /// Rows one side of a side-by-side diff has and the other does not.
    pub filler: Style,
    pub kind_plan: Style,
    pub kind_tool: Style,
    pub kind_custom: Style,
    pub fingerprint: Style,
    /// Refusals, tampered requests.
    pub warning: Style,
    /// Approvals that went through, approved revisions.
    pub success: Style,
    /// The syntect theme for highlighting (one of syntect's default themes).
    pub syntax_theme: String,
}

impl Default for ReviewStyle {
    fn default() -> Self {
        let bold = Modifier::BOLD;
        Self {
            text: Style::default(),
            muted: Style::default().fg(Color::DarkGray),
            heading: Style::default().fg(Color::Cyan).add_modifier(bold),
            quote: Style::default()
                .fg(Color::Gray)
                .add_modifier(Modifier::ITALIC),
            list_marker: Style::default().fg(Color::Yellow),
            link: Style::default()
                .fg(Color::Blue)
                .add_modifier(Modifier::UNDERLINED),
            inline_code: Style::default().fg(Color::Magenta),
            code_block: Style::default(),
            table_border: Style::default().fg(Color::DarkGray),
            added: Style::default().fg(Color::Green),
            removed: Style::default().fg(Color::Red),
            added_word: Style::default()
                .fg(Color::Black)
                .bg(Color::Green)
                .add_modifier(bold),
            removed_word: Style::default()
                .fg(Color::Black)
                .bg(Color::Red)
                .add_modifier(bold),
            hunk_header: Style::default().fg(Color::Cyan),
            file_header: Style::default().add_modifier(bold),
            filler: Style::default().fg(Color::DarkGray),
            kind_plan: Style::default().fg(Color::Magenta).add_modifier(bold),
            kind_tool: Style::default().fg(Color::Yellow),
            kind_custom: Style::default().fg(Color::Blue),
            fingerprint: Style::default().fg(Color::DarkGray),
            warning: Style::default().fg(Color::Red).add_modifier(bold),
            success: Style::default().fg(Color::Green),
            syntax_theme: "base16-ocean.dark".into(),
        }
    }
}
