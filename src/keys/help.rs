//! The help screen's lines, generated from the keymap table.

use super::keymap::{Keymap, Mode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Section(&'static str),
    Entry {
        keys: String,
        description: &'static str,
    },
    Blank,
}

pub fn help_lines(keymap: &Keymap) -> Vec<HelpLine> {
    let mut lines = Vec::new();
    let rows = keymap.help_rows();
    for mode in Mode::ALL {
        let entries: Vec<_> = rows.iter().filter(|(m, _, _)| *m == mode).collect();
        if entries.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(HelpLine::Blank);
        }
        lines.push(HelpLine::Section(mode.title()));
        for (_, command, chords) in entries {
            lines.push(HelpLine::Entry {
                keys: chords
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" "),
                description: command.spec().description,
            });
        }
    }
    lines.push(HelpLine::Blank);
    lines.push(HelpLine::Section("Filter terms"));
    for (keys, description) in FILTER_HELP {
        lines.push(HelpLine::Entry {
            keys: keys.to_string(),
            description,
        });
    }
    lines
}

const FILTER_HELP: [(&str, &str); 5] = [
    ("words", "fuzzy match on title and id"),
    (
        "status:NAME,…",
        "running idle action rescheduling terminated",
    ),
    (
        "stuck: stuck:RULE",
        "stuck sessions, or one rule (awaiting_human…)",
    ),
    ("stuck:no", "sessions that are not stuck"),
    ("agent:ID", "one agent's sessions (its id or name)"),
];

/// The keymap as a Markdown table, for the README (a test keeps the two equal).
pub fn markdown_table(keymap: &Keymap) -> String {
    let mut out = String::from("| Where | Keys | What it does |\n|---|---|---|\n");
    for (mode, command, chords) in keymap.help_rows() {
        let keys = chords
            .iter()
            .map(|c| format!("`{}`", c.to_string().replace('|', "\\|")))
            .collect::<Vec<_>>()
            .join(" ");
        let confirm = if command.spec().needs_confirmation {
            " (asks to confirm)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| {} | {keys} | {}{confirm} |\n",
            mode.title(),
            command.spec().description
        ));
    }
    out
}
