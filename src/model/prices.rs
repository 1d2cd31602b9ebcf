//! What tokens cost: a price table per model (`assets/prices.toml`, which
//! a user's `[prices]` in `config.toml` extends or overrides) and the cost
//! of a session's usage by model. A model not in the table has no cost,
//! never a guessed one.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::session::{SessionDoc, Usage};

pub const BUILTIN_PRICES: &str = include_str!("../../assets/prices.toml");

/// US dollars per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPrice {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_read: f64,
    #[serde(default)]
    pub cache_write: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PriceTable {
    models: BTreeMap<String, ModelPrice>,
}

#[derive(Deserialize)]
struct PriceFile {
    models: BTreeMap<String, ModelPrice>,
}

/// `gpt-5.1-codex` → `gpt-5-1-codex`; lower case; no `provider/` prefix.
fn normalise(model: &str) -> String {
    let bare = model.rsplit('/').next().unwrap_or(model);
    bare.to_ascii_lowercase().replace('.', "-")
}

/// `-20250929` or `-2025-11-13`.
fn is_date_suffix(rest: &str) -> bool {
    let digits: String = rest.chars().filter(|c| *c != '-').collect();
    rest.starts_with('-') && digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit())
}

impl PriceTable {
    /// The table shipped in `assets/prices.toml`.
    pub fn builtin() -> Self {
        let models = toml::from_str::<PriceFile>(BUILTIN_PRICES)
            .map(|f| f.models)
            .unwrap_or_default();
        Self::from_models(models)
    }

    fn from_models(models: BTreeMap<String, ModelPrice>) -> Self {
        Self {
            models: models
                .into_iter()
                .map(|(k, v)| (normalise(&k), v))
                .collect(),
        }
    }

    /// This table with `overrides` (the config's `[prices]`) over it.
    pub fn with_overrides(mut self, overrides: &BTreeMap<String, ModelPrice>) -> Self {
        for (model, price) in overrides {
            self.models.insert(normalise(model), price.clone());
        }
        self
    }

    pub fn price(&self, model: &str) -> Option<&ModelPrice> {
        let name = normalise(model);
        if let Some(price) = self.models.get(&name) {
            return Some(price);
        }
        self.models
            .iter()
            .filter(|(key, _)| name.strip_prefix(key.as_str()).is_some_and(is_date_suffix))
            .max_by_key(|(key, _)| key.len())
            .map(|(_, price)| price)
    }

    /// What `usage` cost on `model`, if the model is priced.
    pub fn cost(&self, model: &str, usage: &Usage) -> Option<f64> {
        let price = self.price(model)?;
        let per_million = |tokens: u64, dollars: f64| tokens as f64 * dollars / 1_000_000.0;
        Some(
            per_million(usage.uncached_input(), price.input)
                + per_million(usage.output_tokens, price.output)
                + per_million(usage.cache_read_input_tokens, price.cache_read)
                + per_million(usage.cache_creation_input_tokens, price.cache_write),
        )
    }

    /// A session's cost: its `metadata.usage_by_model`, else its whole usage
    /// on `metadata.model`. `None` when any used model is unpriced.
    pub fn session_cost(&self, doc: &SessionDoc) -> Option<f64> {
        if let Some(by_model) = doc
            .metadata
            .get("usage_by_model")
            .and_then(Value::as_object)
            && !by_model.is_empty()
        {
            let mut total = 0.0;
            for (model, usage) in by_model {
                let usage: Usage = serde_json::from_value(usage.clone()).ok()?;
                total += self.cost(model, &usage)?;
            }
            return Some(total);
        }
        if doc.usage.total() == 0 {
            return None;
        }
        let model = doc.metadata.get("model").and_then(Value::as_str)?;
        self.cost(model, &doc.usage)
    }
}

static PRICES: OnceLock<PriceTable> = OnceLock::new();

/// Sets the process's table once the config is read (the built-in table
/// until then).
pub fn install(overrides: &BTreeMap<String, ModelPrice>) {
    let _ = PRICES.set(PriceTable::builtin().with_overrides(overrides));
}

/// The process's price table.
pub fn prices() -> &'static PriceTable {
    PRICES.get_or_init(PriceTable::builtin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_reads_and_matches_names_with_dates() {
        let table = PriceTable::builtin();
        assert_eq!(table.price("claude-opus-4-6").map(|p| p.input), Some(5.0));
        assert_eq!(
            table.price("claude-sonnet-4-5-20250929").map(|p| p.output),
            Some(15.0)
        );
        assert_eq!(
            table
                .price("gpt-5-1-codex-2025-11-13")
                .map(|p| p.cache_read),
            Some(0.125)
        );
        assert_eq!(table.price("gpt-5.5").map(|p| p.input), Some(5.0));
        assert!(table.price("gpt-5-6").is_none(), "no family guess");
        assert!(table.price("<synthetic>").is_none());
    }

    #[test]
    fn costs_follow_each_convention_and_overrides_win() {
        let table = PriceTable::builtin();
        let claude = Usage {
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
            cache_creation_input_tokens: 1_000_000,
            cache_read_input_tokens: 1_000_000,
            input_includes_cache_read: false,
        };
        assert_eq!(
            table.cost("claude-opus-4-6", &claude),
            Some(5.0 + 25.0 + 6.25 + 0.5)
        );
        let codex = Usage {
            input_tokens: 2_000_000,
            output_tokens: 0,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 1_000_000,
            input_includes_cache_read: true,
        };
        assert_eq!(table.cost("gpt-5-codex", &codex), Some(1.25 + 0.125));
        let overrides = BTreeMap::from([(
            "gpt-5-codex".to_string(),
            ModelPrice {
                input: 2.0,
                output: 0.0,
                cache_read: 0.0,
                cache_write: 0.0,
            },
        )]);
        let cheap = PriceTable::builtin().with_overrides(&overrides);
        assert_eq!(cheap.cost("gpt-5-codex", &codex), Some(2.0));
    }
}
