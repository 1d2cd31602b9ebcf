//! The keymap: one table of (mode, chord) → command. Defaults are embedded
//! from `assets/keymap.toml`; the user's `[keymap]` config overrides them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::chord::Chord;
use super::command::Command;

pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where keys are looked up: the top overlay's mode or the focused pane's,
/// then `global`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Global,
    Fleet,
    Stream,
    Session,
    Detail,
    Help,
    Agents,
    Inbox,
    Review,
}

impl Mode {
    pub const ALL: [Mode; 9] = [
        Self::Global,
        Self::Fleet,
        Self::Stream,
        Self::Session,
        Self::Detail,
        Self::Help,
        Self::Agents,
        Self::Inbox,
        Self::Review,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Fleet => "Fleet pane",
            Self::Stream => "Event stream pane",
            Self::Session => "Session pane",
            Self::Detail => "Event detail",
            Self::Help => "Help",
            Self::Agents => "Agents view",
            Self::Inbox => "Review inbox",
            Self::Review => "Reviewing a request",
        }
    }
}

/// A keymap file or config section: mode → command → chords.
pub type KeymapSpec = BTreeMap<Mode, BTreeMap<Command, Vec<Chord>>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub mode: Mode,
    pub chord: Chord,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The embedded defaults with `overrides` applied.
    pub fn with_overrides(overrides: &KeymapSpec) -> Result<Self, String> {
        let defaults: KeymapSpec = toml::from_str(DEFAULT_KEYMAP).map_err(|e| {
            format!(
                "{}: {}",
                Path::new("<embedded keymap.toml>").display(),
                crate::toml_error::describe_toml_error(DEFAULT_KEYMAP, &e)
            )
        })?;
        let mut keymap = Self::from_spec(&defaults);
        keymap.apply(overrides);
        Ok(keymap)
    }

    pub fn from_spec(spec: &KeymapSpec) -> Self {
        let mut keymap = Self::default();
        keymap.apply(spec);
        keymap
    }

    /// Each (mode, command) in `spec` gets exactly the chords listed; those
    /// chords are taken away from any other command of the same mode.
    pub fn apply(&mut self, spec: &KeymapSpec) {
        for (&mode, commands) in spec {
            for (&command, chords) in commands {
                self.bindings.retain(|b| {
                    !(b.mode == mode && (b.command == command || chords.contains(&b.chord)))
                });
                for &chord in chords {
                    self.bindings.push(Binding {
                        mode,
                        chord,
                        command,
                    });
                }
            }
        }
        self.bindings
            .sort_by_key(|b| (b.mode, command_rank(b.command)));
    }

    /// The command for a chord in `mode`, falling back to `global`.
    pub fn lookup(&self, mode: Mode, chord: Chord) -> Option<Command> {
        let find = |m: Mode| {
            self.bindings
                .iter()
                .find(|b| b.mode == m && b.chord == chord)
                .map(|b| b.command)
        };
        find(mode).or_else(|| find(Mode::Global))
    }

    /// Every binding of a mode, in command order.
    pub fn bindings_of(&self, mode: Mode) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.mode == mode)
    }

    /// The chords bound to `command` in `mode` (not global).
    pub fn chords_for(&self, mode: Mode, command: Command) -> Vec<Chord> {
        self.bindings_of(mode)
            .filter(|b| b.command == command)
            .map(|b| b.chord)
            .collect()
    }

    /// One row per (mode, command): the help screen.
    pub fn help_rows(&self) -> Vec<(Mode, Command, Vec<Chord>)> {
        let mut rows: Vec<(Mode, Command, Vec<Chord>)> = Vec::new();
        for b in &self.bindings {
            match rows.last_mut() {
                Some((m, c, chords)) if *m == b.mode && *c == b.command => chords.push(b.chord),
                _ => rows.push((b.mode, b.command, vec![b.chord])),
            }
        }
        rows
    }

    /// What the hint bar shows in `mode`: the first chord of each command
    /// with a hint, mode bindings first, then global ones not shadowed.
    pub fn hints(&self, mode: Mode) -> Vec<(Chord, &'static str)> {
        self.hint_commands(mode)
            .into_iter()
            .map(|(chord, _, label)| (chord, label))
            .collect()
    }

    /// `hints`, with the command each hint runs (for bars that leave out
    /// what does nothing where they are).
    pub fn hint_commands(&self, mode: Mode) -> Vec<(Chord, Command, &'static str)> {
        let mut seen: Vec<Command> = Vec::new();
        let mut hints = Vec::new();
        let modes: &[Mode] = if mode == Mode::Global {
            &[Mode::Global]
        } else {
            &[mode, Mode::Global]
        };
        for &m in modes {
            for b in self.bindings_of(m) {
                let Some(label) = b.command.spec().hint else {
                    continue;
                };
                if seen.contains(&b.command) || self.lookup(mode, b.chord) != Some(b.command) {
                    continue;
                }
                seen.push(b.command);
                hints.push((b.chord, b.command, label));
            }
        }
        hints
    }
}

fn command_rank(command: Command) -> usize {
    Command::ALL
        .iter()
        .position(|c| *c == command)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_cover_the_basics() {
        let keymap = Keymap::with_overrides(&KeymapSpec::new()).unwrap();
        assert_eq!(
            keymap.lookup(Mode::Fleet, Chord::ch('q')),
            Some(Command::Quit)
        );
        assert_eq!(
            keymap.lookup(Mode::Fleet, Chord::ch('/')),
            Some(Command::Filter)
        );
        assert_eq!(
            keymap.lookup(Mode::Help, Chord::ch('q')),
            Some(Command::Back),
            "q closes help rather than quitting"
        );
        assert_eq!(
            keymap.lookup(Mode::Stream, Chord::ch('f')),
            Some(Command::ToggleFollow)
        );
    }

    #[test]
    fn overrides_replace_chords_and_steal_conflicts() {
        let spec: KeymapSpec =
            toml::from_str("[fleet]\ntoggle_tree = [\"x\"]\ncycle_sort = [\"t\"]\n").unwrap();
        let keymap = Keymap::with_overrides(&spec).unwrap();
        assert_eq!(
            keymap.lookup(Mode::Fleet, Chord::ch('x')),
            Some(Command::ToggleTree)
        );
        assert_eq!(
            keymap.lookup(Mode::Fleet, Chord::ch('t')),
            Some(Command::CycleSort)
        );
        assert_eq!(keymap.chords_for(Mode::Fleet, Command::ToggleTree).len(), 1);
    }

    #[test]
    fn hints_come_from_the_table() {
        let keymap = Keymap::with_overrides(&KeymapSpec::new()).unwrap();
        let hints = keymap.hints(Mode::Fleet);
        assert!(
            hints
                .iter()
                .any(|(c, l)| *c == Chord::ch('?') && *l == "help")
        );
        assert!(hints.iter().any(|(_, l)| *l == "tree"));
        let stream = keymap.hints(Mode::Stream);
        assert!(stream.iter().any(|(_, l)| *l == "follow"));
        assert!(!stream.iter().any(|(_, l)| *l == "tree"));
    }

    #[test]
    fn unknown_commands_are_rejected_with_their_name() {
        let err = toml::from_str::<KeymapSpec>("[fleet]\nexplode = [\"x\"]\n").unwrap_err();
        assert!(err.to_string().contains("explode"), "{err}");
    }
}
