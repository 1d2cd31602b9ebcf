//! Syntax highlighting with syntect, into ratatui lines. The syntax and theme
//! sets are loaded once per process; highlighting happens when a request is
//! opened, never per frame.

use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use syntect::easy::HighlightLines;
use syntect::highlighting::{FontStyle, Theme, ThemeSet};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::sanitize::spans::{default_escape_style, overlay};
use crate::sanitize::{Layout, Mode, escape};

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The syntax theme name that turns highlighting off.
pub const NO_HIGHLIGHT: &str = "none";

fn themes() -> &'static ThemeSet {
    static SET: OnceLock<ThemeSet> = OnceLock::new();
    SET.get_or_init(ThemeSet::load_defaults)
}

/// The theme by name, else syntect's `base16-ocean.dark`, else any;
/// `none` (no colours wanted, `NO_COLOR`) highlights nothing.
fn theme(name: &str) -> Option<&'static Theme> {
    if name == NO_HIGHLIGHT {
        return None;
    }
    let set = themes();
    set.themes
        .get(name)
        .or_else(|| set.themes.get("base16-ocean.dark"))
        .or_else(|| set.themes.values().next())
}

/// The syntax for a fence's language token (`rust`, `sh`, `json`, `py`, …).
fn syntax_for(token: &str) -> Option<&'static SyntaxReference> {
    let token = token.trim();
    if token.is_empty() {
        return None;
    }
    let set = syntaxes();
    let alias = match token.to_ascii_lowercase().as_str() {
        "shell" | "console" | "zsh" | "shellscript" => "bash".to_string(),
        "jsonc" | "json5" => "json".to_string(),
        other => other.to_string(),
    };
    set.find_syntax_by_token(&alias)
        .or_else(|| set.find_syntax_by_extension(&alias))
}

/// Whether a language token is one syntect knows.
pub fn knows_language(token: &str) -> bool {
    syntax_for(token).is_some()
}

/// Highlights untrusted `code` (sanitised first) in `language`, one `Line`
/// per source line, each span laid over `base`, escapes reversed. Unknown
/// languages come back plain in `base`.
pub fn highlight(code: &str, language: &str, theme_name: &str, base: Style) -> Vec<Line<'static>> {
    let escaped = escape(code, Mode::Strict, Layout::Multiline);
    let lines = highlight_clean(&escaped.text(), language, theme_name, base);
    overlay(lines, &escaped, default_escape_style())
}

fn highlight_clean(
    clean: &str,
    language: &str,
    theme_name: &str,
    base: Style,
) -> Vec<Line<'static>> {
    let (Some(syntax), Some(theme)) = (syntax_for(language), theme(theme_name)) else {
        return plain_lines(clean, base);
    };
    let mut highlighter = HighlightLines::new(syntax, theme);
    let mut lines = Vec::new();
    for source_line in LinesWithEndings::from(clean) {
        let Ok(regions) = highlighter.highlight_line(source_line, syntaxes()) else {
            // A grammar that fails on this input: show the rest plain.
            let offset = source_line.as_ptr() as usize - clean.as_ptr() as usize;
            lines.extend(plain_lines(&clean[offset..], base));
            return lines;
        };
        let spans: Vec<Span<'static>> = regions
            .into_iter()
            .filter_map(|(style, text)| {
                let text = text.trim_end_matches(['\n', '\r']);
                (!text.is_empty()).then(|| Span::styled(text.to_string(), convert(style, base)))
            })
            .collect();
        lines.push(Line::from(spans));
    }
    lines
}

fn plain_lines(clean: &str, base: Style) -> Vec<Line<'static>> {
    clean
        .lines()
        .map(|l| Line::from(Span::styled(l.to_string(), base)))
        .collect()
}

/// Takes syntect's foreground and font style; the background stays the
/// caller's so the dashboard theme shows through.
fn convert(style: syntect::highlighting::Style, base: Style) -> Style {
    let fg = style.foreground;
    let mut out = base.fg(Color::Rgb(fg.r, fg.g, fg.b));
    if style.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if style.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if style.font_style.contains(FontStyle::UNDERLINE) {
        out = out.add_modifier(Modifier::UNDERLINED);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_known_languages_into_several_colours() {
        let lines = highlight("fn main() { let x = 1; }\n", "rust", "", Style::default());
        assert_eq!(lines.len(), 1);
        let colours: std::collections::HashSet<_> =
            lines[0].spans.iter().map(|s| s.style.fg).collect();
        assert!(colours.len() > 2, "{lines:?}");
        let text: String = lines[0].spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "fn main() { let x = 1; }");
    }

    #[test]
    fn unknown_language_is_plain_and_escapes_are_shown_reversed() {
        let lines = highlight("a\x1b[2Jb\nc", "no-such-lang", "", Style::default());
        let reversed = Style::default().add_modifier(Modifier::REVERSED);
        assert_eq!(
            lines,
            vec![
                Line::from(vec![
                    Span::raw("a"),
                    Span::styled("␛[2J", reversed),
                    Span::raw("b")
                ]),
                Line::from("c")
            ]
        );
        let bash = highlight("echo \x1b]0;owned\x07hi", "sh", "", Style::default());
        let text: String = bash[0].spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "echo ␛]0;owned\\x07hi");
        let escapes: String = bash[0]
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(escapes, "␛]\\x07", "{bash:?}");
    }

    #[test]
    fn aliases_and_extensions_resolve() {
        assert!(knows_language("bash"));
        assert!(knows_language("shell"));
        assert!(knows_language("json"));
        assert!(knows_language("py"));
        assert!(!knows_language(""));
    }
}
