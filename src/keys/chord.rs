//! A key chord ("q", "ctrl+c", "shift+tab", "pgdn"): what the keymap binds.
//! Our own type, so `update` and the keymap never depend on the terminal crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Mods {
    pub ctrl: bool,
    pub alt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chord {
    pub key: Key,
    pub mods: Mods,
}

impl Chord {
    pub const fn plain(key: Key) -> Self {
        Self {
            key,
            mods: Mods {
                ctrl: false,
                alt: false,
            },
        }
    }

    pub const fn ch(c: char) -> Self {
        Self::plain(Key::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self {
            key: Key::Char(c),
            mods: Mods {
                ctrl: true,
                alt: false,
            },
        }
    }

    /// The printable character this chord types into a text field, if any.
    pub fn typed_char(&self) -> Option<char> {
        match self.key {
            Key::Char(c) if !self.mods.ctrl && !self.mods.alt => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid key {text:?}: {why} (examples: \"q\", \"G\", \"ctrl+c\", \"shift+tab\", \"pgdn\", \"f1\")"
)]
pub struct ChordError {
    pub text: String,
    pub why: &'static str,
}

impl FromStr for Chord {
    type Err = ChordError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |why| ChordError {
            text: text.to_string(),
            why,
        };
        // "+" alone (or ending a chord, "ctrl++") is the plus key.
        let (mod_part, key_part) = match text.strip_suffix("++") {
            Some(rest) => (Some(rest), "+"),
            None if text == "+" => (None, "+"),
            None => match text.rsplit_once('+') {
                Some((mods, key)) => (Some(mods), key),
                None => (None, text),
            },
        };
        let mut mods = Mods::default();
        let mut shift = false;
        for m in mod_part.into_iter().flat_map(|m| m.split('+')) {
            match m.to_ascii_lowercase().as_str() {
                "ctrl" | "c" | "control" => mods.ctrl = true,
                "alt" | "a" | "meta" | "m" => mods.alt = true,
                "shift" | "s" => shift = true,
                _ => return Err(err("unknown modifier")),
            }
        }
        let mut chars = key_part.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) => Key::Char(if shift { c.to_ascii_uppercase() } else { c }),
            (None, _) => return Err(err("no key")),
            _ => match key_part.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => Key::Enter,
                "esc" | "escape" => Key::Esc,
                "tab" if shift => Key::BackTab,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "backspace" | "bs" => Key::Backspace,
                "delete" | "del" => Key::Delete,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "pageup" | "pgup" => Key::PageUp,
                "pagedown" | "pgdn" => Key::PageDown,
                "home" => Key::Home,
                "end" => Key::End,
                "space" => Key::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => Key::F(n),
                    _ => return Err(err("function keys are f1 to f12")),
                },
                _ => return Err(err("unknown key name")),
            },
        };
        if let (true, Key::Char(c)) = (mods.ctrl, key) {
            return Ok(Chord {
                key: Key::Char(c.to_ascii_lowercase()),
                mods,
            });
        }
        Ok(Chord { key, mods })
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.ctrl {
            f.write_str("ctrl+")?;
        }
        if self.mods.alt {
            f.write_str("alt+")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Enter => f.write_str("enter"),
            Key::Esc => f.write_str("esc"),
            Key::Tab => f.write_str("tab"),
            Key::BackTab => f.write_str("shift+tab"),
            Key::Backspace => f.write_str("backspace"),
            Key::Delete => f.write_str("delete"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::PageUp => f.write_str("pgup"),
            Key::PageDown => f.write_str("pgdn"),
            Key::Home => f.write_str("home"),
            Key::End => f.write_str("end"),
            Key::F(n) => write!(f, "f{n}"),
        }
    }
}

impl Serialize for Chord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Chord {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_spellings() {
        assert_eq!("q".parse::<Chord>().unwrap(), Chord::ch('q'));
        assert_eq!("G".parse::<Chord>().unwrap(), Chord::ch('G'));
        assert_eq!("shift+g".parse::<Chord>().unwrap(), Chord::ch('G'));
        assert_eq!("ctrl+C".parse::<Chord>().unwrap(), Chord::ctrl('c'));
        assert_eq!(
            "shift+tab".parse::<Chord>().unwrap(),
            Chord::plain(Key::BackTab)
        );
        assert_eq!("+".parse::<Chord>().unwrap(), Chord::ch('+'));
        assert_eq!("space".parse::<Chord>().unwrap(), Chord::ch(' '));
        assert_eq!("f5".parse::<Chord>().unwrap(), Chord::plain(Key::F(5)));
        assert!("hyper+x".parse::<Chord>().is_err());
        assert!("f13".parse::<Chord>().is_err());
        assert!("banana".parse::<Chord>().is_err());
    }

    #[test]
    fn display_round_trips_names() {
        for text in ["q", "ctrl+c", "shift+tab", "pgdn", "enter", "space", "f2"] {
            let chord: Chord = text.parse().unwrap();
            assert_eq!(chord.to_string(), text);
        }
    }
}
