//! User configuration: embedded defaults (`assets/config.toml`) with the
//! user's `config.toml` from the platform config dir merged over them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::feed::options::FeedConfig;
use crate::model::plan::PlanTools;
use crate::model::stuck::StuckThresholds;
use crate::store::paths;

pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Tool names whose requests are plans.
    pub plan_tools: Vec<String>,
    /// Stuck-rule thresholds.
    pub stuck: StuckThresholds,
    /// The live feed: watch budget and poll intervals.
    pub feed: FeedConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plan_tools: PlanTools::default().0,
            stuck: StuckThresholds::default(),
            feed: FeedConfig::default(),
        }
    }
}

/// A config file that could not be used: names the file, line and field.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl Config {
    pub fn plan_tools(&self) -> PlanTools {
        PlanTools(self.plan_tools.clone())
    }

    /// Parses a config document; unknown keys and wrong types are errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: describe_toml_error(text, &e),
        })
    }

    /// The defaults, overridden by `<config dir>/config.toml` if present.
    pub fn load() -> Result<Self, ConfigError> {
        Self::load_from(&paths::config_dir().join("config.toml"))
    }

    pub fn load_from(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Self::parse(DEFAULT_CONFIG, Path::new("<embedded config.toml>"))
            }
            Err(e) => Err(ConfigError {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
        }
    }
}

/// "line N, column M: message" from a toml error.
pub fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_defaults_parse_and_match_the_code() {
        let parsed = Config::parse(DEFAULT_CONFIG, Path::new("x")).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn unknown_field_names_file_line_and_field() {
        let err = Config::parse(
            "plan_tools = []\n[stuck]\nawaiting_human_sec = 3\n",
            Path::new("/c.toml"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("/c.toml: line 3"), "{text}");
        assert!(text.contains("awaiting_human_sec"), "{text}");
    }

    #[test]
    fn partial_files_keep_the_other_defaults() {
        let c = Config::parse("[stuck]\nawaiting_human_secs = 60\n", Path::new("x")).unwrap();
        assert_eq!(c.stuck.awaiting_human_secs, 60);
        assert_eq!(c.stuck.silent_running_secs, 300);
        assert_eq!(c.plan_tools, vec!["submit_plan", "ExitPlanMode"]);
    }
}
