//! A request's input in the form a reviewer reads best: a shell command
//! highlighted as bash; an edit or a patch as a coloured diff; anything
//! else as pretty JSON, highlighted.

use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use serde_json::{Map, Value};

use super::highlight::highlight;
use super::plan_diff::diff_texts;
use super::style::ReviewStyle;
use crate::sanitize::spans::{
    default_escape_style, line as escaped_line, lines as escaped_lines, overlay,
};
use crate::sanitize::{Layout, Mode, escape};

/// Which form the input was shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolViewKind {
    Command,
    Patch,
    Edit,
    NewFile,
    Json,
}

/// A rendered tool input.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolView {
    pub kind: ToolViewKind,
    pub text: Text<'static>,
}

/// Tool names whose `command` is a shell command line.
const SHELL_TOOLS: &[&str] = &[
    "bash",
    "Bash",
    "shell",
    "sh",
    "exec",
    "exec_command",
    "local_shell",
    "run_command",
    "run_terminal_cmd",
    "terminal",
    "container.exec",
];
/// String fields that hold a unified diff or a patch.
const PATCH_FIELDS: &[&str] = &["diff", "patch"];

/// Renders a request's input for review (untrusted; everything is sanitised).
pub fn render_tool_input(name: &str, input: &Value, style: &ReviewStyle) -> ToolView {
    let object = input.as_object();
    if let Some(object) = object {
        if let Some(view) = command_view(name, object, style) {
            return view;
        }
        if let Some(view) = patch_view(name, object, style) {
            return view;
        }
        if let Some(view) = edit_view(object, style) {
            return view;
        }
        if let Some(view) = new_file_view(name, object, style) {
            return view;
        }
    }
    ToolView {
        kind: ToolViewKind::Json,
        text: Text::from(json_lines(input, style)),
    }
}

fn command_view(name: &str, input: &Map<String, Value>, style: &ReviewStyle) -> Option<ToolView> {
    if !SHELL_TOOLS.contains(&name) {
        return None;
    }
    let command = match input.get("command").or_else(|| input.get("cmd"))? {
        Value::String(command) => command.clone(),
        // Codex's shell takes argv; show it as the line a shell would run.
        Value::Array(argv) => shell_line(argv)?,
        _ => return None,
    };
    let mut lines = highlight(
        &command,
        "bash",
        &style.syntax_theme,
        style.text.patch(style.code_block),
    );
    lines.extend(other_fields(input, &["command", "cmd"], style));
    Some(ToolView {
        kind: ToolViewKind::Command,
        text: Text::from(lines),
    })
}

/// `["bash", "-lc", "git push"]` → `git push`; other argv quoted as needed.
fn shell_line(argv: &[Value]) -> Option<String> {
    let words: Vec<&str> = argv.iter().map(Value::as_str).collect::<Option<_>>()?;
    if let [shell, flag, script] = words.as_slice()
        && matches!(*shell, "bash" | "sh" | "zsh" | "/bin/bash" | "/bin/sh")
        && flag.starts_with('-')
        && flag.ends_with('c')
    {
        return Some((*script).to_string());
    }
    Some(
        words
            .iter()
            .map(|w| {
                if !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
                {
                    (*w).to_string()
                } else {
                    format!("'{}'", w.replace('\'', r"'\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn patch_view(name: &str, input: &Map<String, Value>, style: &ReviewStyle) -> Option<ToolView> {
    let field = PATCH_FIELDS
        .iter()
        .copied()
        .chain((name == "apply_patch").then_some("input"))
        .find(|f| input.get(*f).is_some_and(Value::is_string))?;
    let patch = input.get(field)?.as_str()?;
    let mut lines = header_lines(input, style);
    lines.extend(patch_lines(patch, style));
    lines.extend(other_fields(input, &[field, "file_path", "path"], style));
    Some(ToolView {
        kind: ToolViewKind::Patch,
        text: Text::from(lines),
    })
}

/// Colours an existing unified diff or `*** Begin Patch` text line by line.
pub fn patch_lines(patch: &str, style: &ReviewStyle) -> Vec<Line<'static>> {
    let escaped = escape(patch, Mode::Strict, Layout::Multiline);
    let lines = escaped
        .text()
        .split('\n')
        .map(|line| {
            let line_style = if line.starts_with("+++")
                || line.starts_with("---")
                || line.starts_with("***")
                || line.starts_with("diff ")
                || line.starts_with("index ")
            {
                style.file_header
            } else if line.starts_with("@@") {
                style.hunk_header
            } else if line.starts_with('+') {
                style.added
            } else if line.starts_with('-') {
                style.removed
            } else {
                style.text
            };
            Line::from(Span::styled(line.to_string(), line_style))
        })
        .collect();
    trim_final_empty(overlay(lines, &escaped, default_escape_style()))
}

/// `split('\n')` gives an empty last line after a final newline; `lines()`
/// did not, and neither should the view.
fn trim_final_empty(mut lines: Vec<Line<'static>>) -> Vec<Line<'static>> {
    if lines.len() > 1 && lines.last().is_some_and(|l| l.width() == 0) {
        lines.pop();
    }
    lines
}

/// Claude Code's `Edit`/`MultiEdit` (`old_string`/`new_string`) and the
/// text editor tool's `str_replace` (`old_str`/`new_str`): diffed here.
fn edit_view(input: &Map<String, Value>, style: &ReviewStyle) -> Option<ToolView> {
    let pairs: Vec<(&str, &str)> = match input.get("edits") {
        Some(Value::Array(edits)) => edits
            .iter()
            .filter_map(|e| edit_pair(e.as_object()?))
            .collect(),
        _ => vec![edit_pair(input)?],
    };
    if pairs.is_empty() {
        return None;
    }
    let mut lines = header_lines(input, style);
    let count = pairs.len();
    for (i, (old, new)) in pairs.into_iter().enumerate() {
        if count > 1 {
            lines.push(Line::from(Span::styled(
                format!("edit {} of {count}", i + 1),
                style.file_header,
            )));
        }
        lines.extend(diff_texts(&with_newline(old), &with_newline(new), style).unified);
    }
    let skip = [
        "old_string",
        "new_string",
        "old_str",
        "new_str",
        "edits",
        "file_path",
        "path",
    ];
    lines.extend(other_fields(input, &skip, style));
    Some(ToolView {
        kind: ToolViewKind::Edit,
        text: Text::from(lines),
    })
}

fn edit_pair(object: &Map<String, Value>) -> Option<(&str, &str)> {
    let old = object.get("old_string").or_else(|| object.get("old_str"))?;
    let new = object.get("new_string").or_else(|| object.get("new_str"))?;
    Some((old.as_str()?, new.as_str()?))
}

fn with_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// Claude Code's `Write` and `create`: the whole file, as added lines.
fn new_file_view(name: &str, input: &Map<String, Value>, style: &ReviewStyle) -> Option<ToolView> {
    if !matches!(name, "Write" | "write_file" | "create_file") {
        return None;
    }
    let content = input
        .get("content")
        .or_else(|| input.get("file_text"))?
        .as_str()?;
    let mut lines = header_lines(input, style);
    let escaped = escape(content, Mode::Strict, Layout::Multiline);
    let body = escaped_lines(&escaped, style.added, default_escape_style());
    lines.extend(trim_final_empty(body).into_iter().map(|line| {
        let mut spans = vec![Span::styled("+ ", style.added)];
        spans.extend(line.spans);
        Line::from(spans)
    }));
    Some(ToolView {
        kind: ToolViewKind::NewFile,
        text: Text::from(lines),
    })
}

/// The file an edit touches, when the input names it.
fn header_lines(input: &Map<String, Value>, style: &ReviewStyle) -> Vec<Line<'static>> {
    input
        .get("file_path")
        .or_else(|| input.get("path"))
        .and_then(Value::as_str)
        .map(|path| strict_line(path, style.file_header))
        .into_iter()
        .collect()
}

/// The fields a special view did not show, so nothing is hidden from the
/// reviewer: `key: value` lines, muted.
fn other_fields(
    input: &Map<String, Value>,
    shown: &[&str],
    style: &ReviewStyle,
) -> Vec<Line<'static>> {
    input
        .iter()
        .filter(|(key, _)| !shown.contains(&key.as_str()))
        .map(|(key, value)| {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let mut spans = strict_line(&format!("{key}: "), style.muted).spans;
            spans.extend(strict_line(&value, style.text).spans);
            Line::from(spans)
        })
        .collect()
}

/// One untrusted field on one line, escapes reversed.
fn strict_line(text: &str, base: Style) -> Line<'static> {
    escaped_line(
        &escape(text, Mode::Strict, Layout::Line),
        base,
        default_escape_style(),
    )
}

/// What the review pane shows for a tool request: the tool's name (which
/// the fingerprint covers as much as the input), then its input.
pub fn render_request_body(name: &Value, input: &Value, style: &ReviewStyle) -> Text<'static> {
    let shown_name = match name {
        Value::String(name) => name.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let mut name_line = vec![Span::styled("tool ", style.muted)];
    name_line.extend(strict_line(&shown_name, style.kind_tool).spans);
    let mut lines = vec![Line::from(name_line), Line::default()];
    let view = render_tool_input(name.as_str().unwrap_or(""), input, style);
    lines.extend(view.text.lines);
    Text::from(lines)
}

/// Pretty JSON, highlighted. Strings keep their JSON escapes, so control
/// characters in them are shown as `\u001b`, never sent to the terminal.
pub fn json_lines(value: &Value, style: &ReviewStyle) -> Vec<Line<'static>> {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    highlight(
        &pretty,
        "json",
        &style.syntax_theme,
        Style::default().patch(style.text).patch(style.code_block),
    )
}

#[cfg(test)]
mod tests;
