//! Writing a decision message in `$VISUAL`/`$EDITOR`: the one place in
//! the review module that runs a program. The dashboard leaves the
//! alternate screen around this call.

use std::io::Write;
use std::process::Command;

/// Why the external editor produced no message.
#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("neither $VISUAL nor $EDITOR is set; set one, or write the message in place")]
    NotSet,
    #[error("could not prepare the message file: {0}")]
    TempFile(std::io::Error),
    #[error("could not start the editor {command:?}: {source}")]
    Start {
        command: String,
        source: std::io::Error,
    },
    #[error("the editor {command:?} exited with {status}; the message was not changed")]
    Failed { command: String, status: String },
    #[error("could not read the message back: {0}")]
    Read(std::io::Error),
}

/// The editor command: `$VISUAL`, else `$EDITOR`.
pub fn editor_command() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
}

/// Opens `initial` in the user's editor and returns what they saved, with
/// the trailing newline editors add removed. The command runs through
/// `sh -c` with the file as its argument, so `EDITOR="code --wait"` works.
pub fn edit_in_external_editor(initial: &str) -> Result<String, EditorError> {
    let command = editor_command().ok_or(EditorError::NotSet)?;
    edit_with(&command, initial)
}

/// Like `edit_in_external_editor`, with the editor command given.
pub fn edit_with(command: &str, initial: &str) -> Result<String, EditorError> {
    let command = command.to_string();
    let mut file = tempfile::Builder::new()
        .prefix("switchboard-message-")
        .suffix(".md")
        .tempfile()
        .map_err(EditorError::TempFile)?;
    file.write_all(initial.as_bytes())
        .and_then(|()| file.flush())
        .map_err(EditorError::TempFile)?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("switchboard-editor")
        .arg(file.path())
        .status()
        .map_err(|source| EditorError::Start {
            command: command.clone(),
            source,
        })?;
    if !status.success() {
        return Err(EditorError::Failed {
            command,
            status: status.to_string(),
        });
    }
    let text = std::fs::read_to_string(file.path()).map_err(EditorError::Read)?;
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A script standing in for an editor: it appends to the file it is given.
    fn script(dir: &std::path::Path, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-editor");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    #[test]
    fn returns_what_the_editor_saved() {
        let dir = tempfile::tempdir().unwrap();
        let editor = script(dir.path(), r#"printf ' and add a test\n' >> "$1""#);
        let text = edit_with(&editor, "Start over").unwrap();
        assert_eq!(text, "Start over and add a test");
    }

    #[test]
    fn editor_arguments_in_the_command_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let editor = script(dir.path(), r#"printf '%s' "$1" > "$2""#);
        let text = edit_with(&format!("{editor} --wait"), "x").unwrap();
        assert_eq!(text, "--wait");
    }

    #[test]
    fn a_failing_editor_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let editor = script(dir.path(), "exit 3");
        let err = edit_with(&editor, "x").unwrap_err();
        assert!(matches!(err, EditorError::Failed { .. }), "{err}");
        assert!(err.to_string().contains("was not changed"), "{err}");
    }
}
