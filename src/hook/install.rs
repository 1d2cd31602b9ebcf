//! Adding the bridge to an agent's hooks (Claude Code's
//! `~/.claude/settings.json`, Codex's `~/.codex/hooks.json`: the same
//! `{"hooks": {EVENT: [{"matcher", "hooks": [{"type": "command", …}]}]}}`
//! shape) and taking it out again: a backup first, idempotent, and a dry run
//! that prints the change as a unified diff.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::adapters::AdapterKind;
use crate::store::atomic::write_atomically;
use crate::store::error::StoreError;
use crate::transcripts::BridgeAgent;

/// What marks a hook command as ours: ` hook claude-code` / ` hook codex`.
pub fn command_mark(agent: BridgeAgent) -> String {
    format!(" hook {}", agent.command())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsChange {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// Where the old file was copied, when it was written.
    pub backup: Option<PathBuf>,
}

impl SettingsChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    pub fn diff(&self) -> String {
        let path = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&path, &path)
            .to_string()
    }
}

/// `~/.claude/settings.json`.
pub fn default_settings_path() -> PathBuf {
    directories::BaseDirs::new()
        .map(|b| b.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".claude")
        .join("settings.json")
}

impl BridgeAgent {
    /// The file its hooks live in: `~/.claude/settings.json`, or
    /// `$CODEX_HOME/hooks.json` (default `~/.codex/hooks.json`).
    pub fn default_settings_path(self) -> PathBuf {
        match self {
            Self::ClaudeCode => default_settings_path(),
            Self::Codex => AdapterKind::Codex.default_dir().join("hooks.json"),
        }
    }
}

/// The command the agent runs: this binary, quoted for the shell.
pub fn hook_command(agent: BridgeAgent, root: Option<&Path>, timeout_secs: u64) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "switchboard".into());
    let mut command = format!(
        "{}{} --timeout {timeout_secs}",
        shell_quote(&exe),
        command_mark(agent)
    );
    if let Some(root) = root {
        command += &format!(" --root {}", shell_quote(&root.display().to_string()));
    }
    command
}

fn shell_quote(text: &str) -> String {
    if text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@".contains(&b))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn read_settings(path: &Path) -> Result<(String, Map<String, Value>), StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((String::new(), Map::new()));
        }
        Err(e) => return Err(StoreError::read(path, e)),
    };
    if text.trim().is_empty() {
        return Ok((text, Map::new()));
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok((text, map)),
        Ok(_) => Err(StoreError::Refused(format!(
            "{} is not a JSON object; fix it by hand, then run this again",
            path.display()
        ))),
        Err(e) => Err(StoreError::Refused(format!(
            "{} is not valid JSON ({e}); fix it by hand, then run this again",
            path.display()
        ))),
    }
}

fn is_ours(hook: &Value, mark: &str) -> bool {
    hook.get("command")
        .and_then(Value::as_str)
        .is_some_and(|c| c.contains(mark))
}

/// Settings with our entry for the agent's install event present
/// (replacing an older one of ours).
pub fn with_hook(
    mut settings: Map<String, Value>,
    agent: BridgeAgent,
    command: &str,
    timeout_secs: u64,
) -> Map<String, Value> {
    let mark = command_mark(agent);
    let entry = json!({"type": "command", "command": command, "timeout": timeout_secs});
    let hooks = settings.entry("hooks").or_insert_with(|| json!({}));
    if !hooks.is_object() {
        *hooks = json!({});
    }
    let Some(hooks) = hooks.as_object_mut() else {
        return settings;
    };
    let groups = hooks
        .entry(agent.install_event())
        .or_insert_with(|| json!([]));
    if !groups.is_array() {
        *groups = json!([]);
    }
    let Some(groups) = groups.as_array_mut() else {
        return settings;
    };
    let mut found = false;
    for group in groups.iter_mut() {
        if let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) {
            for hook in list.iter_mut().filter(|h| is_ours(h, &mark)) {
                if !found {
                    *hook = entry.clone();
                    found = true;
                }
            }
        }
    }
    if !found {
        groups.push(match agent {
            // Claude Code reads `*` as "every tool".
            BridgeAgent::ClaudeCode => json!({"matcher": "*", "hooks": [entry]}),
            // Codex's matchers are regular expressions (`*` is not one); no
            // matcher matches every tool.
            BridgeAgent::Codex => json!({"hooks": [entry]}),
        });
    }
    settings
}

/// Settings with every entry of ours removed (and groups left empty by that).
pub fn without_hook(mut settings: Map<String, Value>, agent: BridgeAgent) -> Map<String, Value> {
    let mark = command_mark(agent);
    let event = agent.install_event();
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return settings;
    };
    let Some(groups) = hooks.get_mut(event).and_then(Value::as_array_mut) else {
        return settings;
    };
    groups.retain_mut(|group| {
        let Some(list) = group.get_mut("hooks").and_then(Value::as_array_mut) else {
            return true;
        };
        let before = list.len();
        list.retain(|h| !is_ours(h, &mark));
        !(list.is_empty() && before > 0)
    });
    if groups.is_empty() {
        hooks.remove(event);
    }
    if hooks.is_empty() {
        settings.remove("hooks");
    }
    settings
}

fn render(settings: &Map<String, Value>) -> String {
    let mut text = serde_json::to_string_pretty(settings).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// Computes the change and, unless `dry_run`, backs the file up and writes it.
pub fn apply(
    path: &Path,
    edit: impl FnOnce(Map<String, Value>) -> Map<String, Value>,
    dry_run: bool,
    stamp: &str,
) -> Result<SettingsChange, StoreError> {
    let (before, settings) = read_settings(path)?;
    let edited = edit(settings.clone());
    let after = if edited == settings && !before.is_empty() {
        before.clone()
    } else {
        render(&edited)
    };
    let mut change = SettingsChange {
        path: path.to_path_buf(),
        before,
        after,
        backup: None,
    };
    if dry_run || !change.changed() {
        return Ok(change);
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::write(&dir, e))?;
    if path.exists() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "settings.json".into());
        let backup = dir.join(format!("{name}.bak-{stamp}"));
        std::fs::copy(path, &backup).map_err(|e| StoreError::write(&backup, e))?;
        change.backup = Some(backup);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "settings.json".into());
    write_atomically(&dir, &name, change.after.as_bytes())?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_once_and_removes_only_ours() {
        let theirs = json!({"type": "command", "command": "lint.sh"});
        let settings = json!({"model": "opus", "hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [theirs]}]}});
        let Value::Object(settings) = settings else {
            unreachable!()
        };
        let cc = BridgeAgent::ClaudeCode;
        let once = with_hook(settings.clone(), cc, "sb hook claude-code --timeout 50", 60);
        let twice = with_hook(once.clone(), cc, "sb hook claude-code --timeout 50", 60);
        assert_eq!(once, twice, "idempotent");
        assert_eq!(once["hooks"]["PreToolUse"].as_array().unwrap().len(), 2);
        assert_eq!(
            without_hook(once, cc),
            settings,
            "uninstall restores the rest"
        );
        assert_eq!(without_hook(Map::new(), cc), Map::new());
        let codex = with_hook(
            Map::new(),
            BridgeAgent::Codex,
            "sb hook codex --timeout 50",
            60,
        );
        assert_eq!(
            codex["hooks"]["PermissionRequest"][0],
            json!({"hooks": [{"type": "command", "command": "sb hook codex --timeout 50",
                "timeout": 60}]}),
            "no matcher: every tool"
        );
        assert_eq!(without_hook(codex, BridgeAgent::Codex), Map::new());
    }

    #[test]
    fn quotes_paths_with_spaces() {
        assert_eq!(shell_quote("/usr/bin/switchboard"), "/usr/bin/switchboard");
        assert_eq!(shell_quote("/my apps/sb"), "'/my apps/sb'");
    }
}
