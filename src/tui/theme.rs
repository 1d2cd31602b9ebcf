//! Themes: named styles for every kind of cell. `dark`, `light` and
//! `high-contrast` are embedded; `<config dir>/themes/NAME.toml` files are
//! merged over the embedded theme of the same name (or the one they
//! `extends`). `NO_COLOR` keeps only bold/reverse/underline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Deserializer};

use crate::toml_error::describe_toml_error;

const EMBEDDED: [(&str, &str); 3] = [
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// A colour as written in a theme file: a name, `#rrggbb`, or 0-255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColorSpec(pub Color);

impl<'de> Deserialize<'de> for ColorSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::from_str(&text).map(ColorSpec).map_err(|_| {
            serde::de::Error::custom(format!(
                "invalid color {text:?}; use a name (red, light_blue, dark_gray, reset), #rrggbb, or 0-255"
            ))
        })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StyleSpec {
    pub fg: Option<ColorSpec>,
    pub bg: Option<ColorSpec>,
    pub bold: Option<bool>,
    pub italic: Option<bool>,
    pub dim: Option<bool>,
    pub underlined: Option<bool>,
    pub reversed: Option<bool>,
}

impl StyleSpec {
    /// This spec laid over `base`: what it names replaces, the rest stays.
    fn over(&self, base: Style) -> Style {
        let mut style = base;
        if let Some(ColorSpec(c)) = self.fg {
            style.fg = Some(c);
        }
        if let Some(ColorSpec(c)) = self.bg {
            style.bg = Some(c);
        }
        for (flag, modifier) in [
            (self.bold, Modifier::BOLD),
            (self.italic, Modifier::ITALIC),
            (self.dim, Modifier::DIM),
            (self.underlined, Modifier::UNDERLINED),
            (self.reversed, Modifier::REVERSED),
        ] {
            match flag {
                Some(true) => {
                    style.add_modifier.insert(modifier);
                    style.sub_modifier.remove(modifier);
                }
                Some(false) => {
                    style.add_modifier.remove(modifier);
                }
                None => {}
            }
        }
        style
    }
}

macro_rules! theme_slots {
    ($($(#[$doc:meta])* $slot:ident),* $(,)?) => {
        /// The `[styles]` table of a theme file; every slot optional.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct StylesFile {
            $(#[serde(default)] pub $slot: Option<StyleSpec>,)*
        }

        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Theme {
            pub name: String,
            $($(#[$doc])* pub $slot: Style,)*
        }

        impl Theme {
            fn merge(&mut self, file: &StylesFile) {
                $(if let Some(spec) = &file.$slot {
                    self.$slot = spec.over(self.$slot);
                })*
            }

            fn strip_colors(&mut self) {
                $(self.$slot.fg = None; self.$slot.bg = None;)*
            }

            /// Every slot by name, for checks over the whole theme.
            pub fn slots(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($slot), self.$slot),)*]
            }
        }
    };
}

theme_slots! {
    /// Everything not styled otherwise.
    base,
    muted,
    border,
    border_focused,
    title,
    header,
    selected,
    selected_unfocused,
    status_running,
    status_idle,
    status_requires_action,
    status_rescheduling,
    status_terminated,
    status_unknown,
    stuck,
    /// The status bar's stuck count when anything is stuck: meant to be seen.
    stuck_alert,
    /// An agent running more sessions than its `max_concurrent`.
    over_limit,
    pending,
    error,
    warning,
    ok,
    notice,
    row_user,
    row_agent,
    row_tool,
    row_request,
    row_answer,
    row_status,
    row_error,
    row_other,
    row_malformed,
    json_key,
    json_string,
    json_number,
    json_literal,
    json_punctuation,
    hint_key,
    hint_label,
    bar,
    prompt,
}

/// A theme file: styles, and optionally the theme they start from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeFile {
    /// The theme this one starts from (default: the embedded theme of the
    /// same name, else `dark`).
    pub extends: Option<String>,
    #[serde(default)]
    pub styles: StylesFile,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ThemeError {
    pub path: PathBuf,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Themes {
    themes: BTreeMap<String, Theme>,
    no_color: bool,
}

impl Themes {
    /// The embedded themes only.
    pub fn embedded(no_color: bool) -> Self {
        let mut themes = BTreeMap::new();
        for (name, text) in EMBEDDED {
            // Embedded files are tested to parse; a broken one leaves defaults.
            let file: ThemeFile = toml::from_str(text).unwrap_or_default();
            let mut theme = Theme {
                name: name.to_string(),
                ..Theme::default()
            };
            theme.merge(&file.styles);
            themes.insert(name.to_string(), theme);
        }
        Self { themes, no_color }
    }

    /// Embedded themes plus `<dir>/*.toml`.
    pub fn load(dir: &Path, no_color: bool) -> Result<Self, ThemeError> {
        let mut themes = Self::embedded(no_color);
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(themes),
            Err(e) => {
                return Err(ThemeError {
                    path: dir.to_path_buf(),
                    message: e.to_string(),
                });
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            themes.add_file(&path)?;
        }
        Ok(themes)
    }

    pub fn add_file(&mut self, path: &Path) -> Result<(), ThemeError> {
        let error = |message: String| ThemeError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file: ThemeFile =
            toml::from_str(&text).map_err(|e| error(describe_toml_error(&text, &e)))?;
        let base_name = file.extends.clone().unwrap_or_else(|| {
            if self.themes.contains_key(&name) {
                name.clone()
            } else {
                "dark".into()
            }
        });
        let Some(base) = self.themes.get(&base_name) else {
            return Err(error(format!(
                "extends = {base_name:?}, but there is no such theme; use one of {}",
                self.names().join(", ")
            )));
        };
        let mut theme = base.clone();
        theme.name = name.clone();
        theme.merge(&file.styles);
        self.themes.insert(name, theme);
        Ok(())
    }

    pub fn names(&self) -> Vec<String> {
        self.themes.keys().cloned().collect()
    }

    /// The theme to draw with (dark if the name is unknown), without
    /// colours under `NO_COLOR`.
    pub fn get(&self, name: &str) -> Theme {
        let mut theme = self
            .themes
            .get(name)
            .or_else(|| self.themes.get("dark"))
            .cloned()
            .unwrap_or_default();
        if self.no_color {
            theme.strip_colors();
            // Keep the glanceable markers without colour.
            theme.status_requires_action = theme
                .status_requires_action
                .add_modifier(Modifier::BOLD | Modifier::REVERSED);
            theme.selected = theme.selected.add_modifier(Modifier::REVERSED);
            theme.stuck_alert = theme
                .stuck_alert
                .add_modifier(Modifier::BOLD | Modifier::REVERSED);
            theme.over_limit = theme
                .over_limit
                .add_modifier(Modifier::BOLD | Modifier::REVERSED);
        }
        theme
    }

    pub fn contains(&self, name: &str) -> bool {
        self.themes.contains_key(name)
    }
}

/// `NO_COLOR` set to anything non-empty (no-color.org).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_themes_parse_strictly() {
        for (name, text) in EMBEDDED {
            let file: Result<ThemeFile, _> = toml::from_str(text);
            assert!(file.is_ok(), "{name}: {:?}", file.err());
        }
        let themes = Themes::embedded(false);
        assert_eq!(themes.names(), vec!["dark", "high-contrast", "light"]);
        assert_ne!(themes.get("dark"), themes.get("light"));
    }

    #[test]
    fn user_files_merge_over_their_base() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("dark.toml"),
            "[styles]\nstuck = { fg = \"#ff00ff\" }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            "extends = \"light\"\n[styles]\nbase = { bold = true }\n",
        )
        .unwrap();
        let themes = Themes::load(dir.path(), false).unwrap();
        let dark = themes.get("dark");
        assert_eq!(dark.stuck.fg, Some(Color::Rgb(255, 0, 255)));
        let embedded = Themes::embedded(false).get("dark");
        assert_eq!(dark.status_running, embedded.status_running);
        let mine = themes.get("mine");
        assert_eq!(mine.base.fg, Themes::embedded(false).get("light").base.fg);
        assert!(mine.base.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(
            &path,
            "[styles]\nbase = { fg = \"white\" }\nstuk = { fg = \"red\" }\n",
        )
        .unwrap();
        let err = Themes::load(dir.path(), false).unwrap_err().to_string();
        assert!(err.contains("bad.toml: line 3"), "{err}");
        assert!(err.contains("stuk"), "{err}");
        std::fs::write(&path, "[styles]\nbase = { fg = \"purplish\" }\n").unwrap();
        let err = Themes::load(dir.path(), false).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("purplish"), "{err}");
    }

    /// An sRGB colour for the contrast check; named colours as xterm
    /// draws them by default.
    fn rgb(color: Color) -> (u8, u8, u8) {
        match color {
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Black => (0, 0, 0),
            Color::Red => (205, 0, 0),
            Color::Green => (0, 205, 0),
            Color::Yellow => (205, 205, 0),
            Color::Blue => (0, 0, 238),
            Color::Magenta => (205, 0, 205),
            Color::Cyan => (0, 205, 205),
            Color::Gray => (229, 229, 229),
            Color::DarkGray => (127, 127, 127),
            Color::LightRed => (255, 0, 0),
            Color::LightGreen => (0, 255, 0),
            Color::LightYellow => (255, 255, 0),
            Color::LightBlue => (92, 92, 255),
            Color::LightMagenta => (255, 0, 255),
            Color::LightCyan => (0, 255, 255),
            Color::White => (255, 255, 255),
            other => panic!("a bundled theme uses {other:?}; give it an RGB value here"),
        }
    }

    /// WCAG 2 relative luminance.
    fn luminance(color: Color) -> f64 {
        let (r, g, b) = rgb(color);
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    fn contrast(a: Color, b: Color) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// Every bundled theme paints its own background, so it reads the same
    /// on a dark terminal and a light one, and every text style in it has
    /// WCAG AA contrast (4.5:1) against the background it is drawn on:
    /// its own, else the theme's; borders 3:1 (a UI component's minimum).
    #[test]
    fn bundled_themes_set_a_background_and_their_text_reads_at_4_5_to_1() {
        let themes = Themes::embedded(false);
        let mut failures = Vec::new();
        for name in themes.names() {
            let theme = themes.get(&name);
            let (Some(base_fg), Some(base_bg)) = (theme.base.fg, theme.base.bg) else {
                failures.push(format!("{name}: base sets no fg and bg"));
                continue;
            };
            let mut pairs: Vec<(String, Color, Color, f64)> = Vec::new();
            for (slot, style) in theme.slots() {
                let minimum = if slot.starts_with("border") { 3.0 } else { 4.5 };
                pairs.push((
                    slot.to_string(),
                    style.fg.unwrap_or(base_fg),
                    style.bg.unwrap_or(base_bg),
                    minimum,
                ));
            }
            for (slot, fg, bg, minimum) in pairs {
                let ratio = contrast(fg, bg);
                if ratio < minimum {
                    failures.push(format!("{name}.{slot}: {ratio:.2}:1 ({fg} on {bg})"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn no_color_strips_colors_but_keeps_the_action_marker() {
        let theme = Themes::embedded(true).get("dark");
        assert_eq!(theme.status_running.fg, None);
        assert!(
            theme
                .status_requires_action
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
