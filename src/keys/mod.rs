//! Keys as data: chords, commands with descriptions, and the keymap table.

pub mod chord;
pub mod command;
pub mod help;
pub mod keymap;

pub use chord::{Chord, Key, Mods};
pub use command::Command;
pub use keymap::{Keymap, KeymapSpec, Mode};
