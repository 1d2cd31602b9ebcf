//! docs/configuration.md documents every option of the config struct, with
//! its real default, and nothing else.

use std::collections::BTreeSet;

use switchboard::config::Config;

fn leaf_keys(prefix: &str, value: &toml::Value, out: &mut BTreeSet<String>) {
    match value {
        toml::Value::Table(table) if prefix != "keymap" => {
            for (key, child) in table {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                leaf_keys(&path, child, out);
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

/// (option, default) from the table's rows.
fn documented() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/configuration.md"
    ))
    .unwrap();
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let option = cells.get(1)?.trim_matches('`').to_string();
            let default = cells.get(2)?.trim_matches('`').to_string();
            option
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c.is_ascii_uppercase())
                .then_some((option, default))
        })
        .filter(|(option, _)| {
            !option.starts_with("SWITCHBOARD_")
                && !option.starts_with("OTEL_")
                && option != "NO_COLOR"
        })
        .collect()
}

#[test]
fn every_config_option_is_documented_with_its_default() {
    let defaults = toml::Value::try_from(Config::default()).unwrap();
    let mut keys = BTreeSet::new();
    leaf_keys("", &defaults, &mut keys);
    let documented = documented();
    let documented_keys: BTreeSet<String> = documented
        .iter()
        .map(|(o, _)| {
            if o.starts_with("keymap.") {
                "keymap".to_string()
            } else {
                o.clone()
            }
        })
        .collect();
    let missing: Vec<_> = keys.difference(&documented_keys).collect();
    assert!(
        missing.is_empty(),
        "options missing from docs/configuration.md: {missing:?}"
    );
    let unknown: Vec<_> = documented_keys.difference(&keys).collect();
    assert!(
        unknown.is_empty(),
        "documented options the config does not have: {unknown:?}"
    );
    for (option, default) in &documented {
        if option.starts_with("keymap.") {
            continue;
        }
        // The documented default, written into a config file, parses and
        // equals the built-in default.
        let (section, key) = match option.rsplit_once('.') {
            Some((section, key)) => (Some(section), key),
            None => (None, option.as_str()),
        };
        let text = match section {
            Some(section) => format!("[{section}]\n{key} = {default}\n"),
            None => format!("{key} = {default}\n"),
        };
        let parsed = Config::parse(&text, std::path::Path::new("doc"))
            .unwrap_or_else(|e| panic!("{option}: {e}"));
        assert_eq!(
            parsed,
            Config::default(),
            "{option}: the documented default {default} is not the real one"
        );
    }
}
