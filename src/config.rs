//! User configuration: embedded defaults (`assets/config.toml`) with the
//! user's `config.toml` from the platform config dir merged over them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::feed::options::FeedConfig;
use crate::keys::KeymapSpec;
use crate::model::plan::PlanTools;
use crate::model::prices::ModelPrice;
use crate::model::stuck::StuckThresholds;
use crate::review::notify::NotificationsConfig;
use crate::store::paths;
use crate::toml_error::describe_toml_error;

pub const DEFAULT_CONFIG: &str = include_str!("../assets/config.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Tool names whose requests are plans.
    pub plan_tools: Vec<String>,
    /// Stuck-rule thresholds.
    pub stuck: StuckThresholds,
    /// Session lifetime and cleanup.
    pub hygiene: Hygiene,
    /// The Claude Code approval bridge (`switchboard hook claude-code`).
    pub hook: HookConfig,
    /// The dashboard's theme: `dark`, `light`, `high-contrast`, or the name
    /// of a file in `<config dir>/themes/`.
    pub theme: String,
    /// Key overrides: `[keymap.MODE]` then `COMMAND = ["key", …]`.
    pub keymap: KeymapSpec,
    /// Dashboard options.
    pub ui: UiConfig,
    /// `switchboard daemon`: who may connect and how much a client may lag.
    pub daemon: DaemonConfig,
    /// How the dashboard announces new pending requests.
    pub notifications: NotificationsConfig,
    /// The live feed: watch budget and poll intervals.
    pub feed: FeedConfig,
    /// Model prices (US dollars per million tokens) over the built-in table
    /// (`assets/prices.toml`): `[prices."MODEL"]` with `input`, `output`,
    /// `cache_read`, `cache_write`.
    pub prices: BTreeMap<String, ModelPrice>,
    /// Traces exported by `switchboard daemon` (OTLP over HTTP).
    pub telemetry: TelemetryConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Hygiene {
    /// TTL for sessions without `metadata.ttl_minutes`; 0 means none.
    pub default_ttl_minutes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HookConfig {
    /// How long the hook waits for a decision before answering `ask`; keep it
    /// below Claude Code's own hook timeout (60 s by default).
    pub timeout_secs: u64,
}

impl Default for HookConfig {
    fn default() -> Self {
        Self { timeout_secs: 50 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// How often a polling feed looks at the root.
    pub poll_interval_ms: u64,
    /// The most frames drawn in a second.
    pub max_fps: u32,
    /// Select rows and scroll with the mouse.
    pub mouse: bool,
    /// The fleet's initial sort: status, activity, pending or title.
    pub sort: SortKey,
    /// Start with the parent→child tree.
    pub tree: bool,
    /// Follow the end of the selected journal when it opens.
    pub follow: bool,
    /// How often stuck rules are re-evaluated while nothing else happens.
    pub stuck_recheck_secs: u64,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1000,
            max_fps: 60,
            mouse: true,
            sort: SortKey::Status,
            tree: false,
            follow: true,
            stuck_recheck_secs: 30,
        }
    }
}

/// `[daemon]`: the socket server's limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonConfig {
    /// Uids besides the daemon's own that may connect.
    pub allow_uids: Vec<u32>,
    /// Bytes (in KiB) that may wait unsent for one client before its
    /// subscription is dropped with a `resync` notification.
    pub client_queue_kib: usize,
    /// How often the root is re-scanned when change notifications are not used.
    pub poll_interval_ms: u64,
    /// Where to serve Prometheus metrics (`PORT` or `HOST:PORT`; a bare
    /// port binds 127.0.0.1); empty means off.
    pub metrics_addr: String,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            allow_uids: Vec::new(),
            client_queue_kib: 8192,
            poll_interval_ms: 200,
            metrics_addr: String::new(),
        }
    }
}

/// `[telemetry]`: OpenTelemetry traces from the daemon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// The OTLP/HTTP base URL (`/v1/traces` is appended); empty means
    /// `$OTEL_EXPORTER_OTLP_ENDPOINT`, and off when that is unset too.
    pub otlp_endpoint: String,
    /// The `service.name` the spans carry.
    pub service_name: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            otlp_endpoint: String::new(),
            service_name: "switchboard".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            plan_tools: PlanTools::default().0,
            stuck: StuckThresholds::default(),
            hygiene: Hygiene::default(),
            hook: HookConfig::default(),
            theme: "dark".into(),
            keymap: KeymapSpec::new(),
            ui: UiConfig::default(),
            daemon: DaemonConfig::default(),
            notifications: NotificationsConfig::default(),
            feed: FeedConfig::default(),
            prices: BTreeMap::new(),
            telemetry: TelemetryConfig::default(),
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

/// How the fleet list is sorted (`[dashboard] sort`, and `s` to cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    Status,
    Activity,
    Pending,
    Title,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [Self::Status, Self::Activity, Self::Pending, Self::Title];

    pub fn next(self) -> Self {
        match self {
            Self::Status => Self::Activity,
            Self::Activity => Self::Pending,
            Self::Pending => Self::Title,
            Self::Title => Self::Status,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Activity => "activity",
            Self::Pending => "pending",
            Self::Title => "title",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str().starts_with(text))
    }
}

/// The current time, or `$SWITCHBOARD_NOW` (RFC 3339) for reproducible
/// output (the store reads it too, so it lives there).
pub use crate::store::clock::now;

/// `human:<user>@<host>` for decisions made by a person at this terminal.
pub fn default_decider() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| {
            // SAFETY: getuid has no preconditions.
            format!("uid{}", unsafe { libc::getuid() })
        });
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("human:{user}@{host}")
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

    #[test]
    fn keymap_errors_name_the_line_and_the_command() {
        let err = Config::parse(
            "theme = \"light\"\n[keymap.fleet]\nfly = [\"x\"]\n",
            Path::new("/c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("/c.toml: line 3"), "{err}");
        assert!(err.contains("fly"), "{err}");
        let err = Config::parse(
            "[keymap.fleet]\nquit = [\"hyper+x\"]\n",
            Path::new("/c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2") && err.contains("hyper+x"), "{err}");
        let err = Config::parse("[ui]\nsort = \"size\"\n", Path::new("/c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2") && err.contains("size"), "{err}");
    }
}
