//! The `/` filter: fuzzy words on title and id, plus `status:` and `stuck:`
//! terms. Parsed once when typed; matching runs when the fleet changes.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use super::session::SessionEntry;
use crate::model::status::DisplayStatus;
use crate::model::stuck::StuckRule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StuckTerm {
    Any,
    None,
    Rule(StuckRule),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    statuses: Vec<DisplayStatus>,
    stuck: Option<StuckTerm>,
    /// `agent:ID`: sessions of these agents (id or name, any case).
    agents: Vec<String>,
    fuzzy: String,
    /// What in the text could not be understood (shown; the term is ignored).
    pub error: Option<String>,
}

impl Filter {
    pub fn parse(text: &str) -> Self {
        let mut filter = Filter {
            text: text.to_string(),
            ..Filter::default()
        };
        let mut words = Vec::new();
        for term in text.split_whitespace() {
            if let Some(value) = term.strip_prefix("status:") {
                for v in value.split(',').filter(|v| !v.is_empty()) {
                    match status_named(v) {
                        Some(s) => filter.statuses.push(s),
                        None => filter.error = Some(format!("no status {v:?}")),
                    }
                }
            } else if let Some(value) = term.strip_prefix("agent:") {
                filter.agents.extend(
                    value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::to_lowercase),
                );
            } else if let Some(value) = term.strip_prefix("stuck:") {
                filter.stuck = match value {
                    "" | "any" | "yes" | "true" => Some(StuckTerm::Any),
                    "no" | "none" | "false" => Some(StuckTerm::None),
                    v => match StuckRule::ALL
                        .into_iter()
                        .find(|r| r.as_str().starts_with(v))
                    {
                        Some(rule) => Some(StuckTerm::Rule(rule)),
                        None => {
                            filter.error = Some(format!("no stuck rule {v:?}"));
                            None
                        }
                    },
                };
            } else {
                words.push(term);
            }
        }
        filter.fuzzy = words.join(" ");
        filter
    }

    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty()
            && self.stuck.is_none()
            && self.agents.is_empty()
            && self.fuzzy.is_empty()
    }

    /// A matcher for this filter, to run over many sessions.
    pub fn matcher(&self) -> FilterMatcher<'_> {
        FilterMatcher {
            filter: self,
            pattern: (!self.fuzzy.is_empty())
                .then(|| Pattern::parse(&self.fuzzy, CaseMatching::Ignore, Normalization::Smart)),
            matcher: Matcher::new(nucleo_matcher::Config::DEFAULT),
            buf: Vec::new(),
        }
    }
}

pub struct FilterMatcher<'a> {
    filter: &'a Filter,
    pattern: Option<Pattern>,
    matcher: Matcher,
    buf: Vec<char>,
}

impl FilterMatcher<'_> {
    pub fn matches(&mut self, entry: &SessionEntry) -> bool {
        let f = self.filter;
        if !f.statuses.is_empty() && !f.statuses.contains(&entry.status) {
            return false;
        }
        let stuck_ok = match &f.stuck {
            None => true,
            Some(StuckTerm::Any) => entry.is_stuck(),
            Some(StuckTerm::None) => !entry.is_stuck(),
            Some(StuckTerm::Rule(rule)) => entry.stuck.iter().any(|s| s.rule == *rule),
        };
        if !stuck_ok {
            return false;
        }
        if !f.agents.is_empty() {
            let doc = &entry.snapshot.doc;
            let names = [
                doc.agent_id().unwrap_or("-"),
                doc.agent.name.as_deref().unwrap_or(""),
            ];
            if !f
                .agents
                .iter()
                .any(|a| names.iter().any(|n| n.to_lowercase() == *a))
            {
                return false;
            }
        }
        match &self.pattern {
            None => true,
            Some(pattern) => {
                let haystack = format!("{} {}", entry.title, entry.id);
                pattern
                    .score(Utf32Str::new(&haystack, &mut self.buf), &mut self.matcher)
                    .is_some()
            }
        }
    }
}

fn status_named(text: &str) -> Option<DisplayStatus> {
    let text = text.to_ascii_lowercase();
    if text == "action" {
        return Some(DisplayStatus::RequiresAction);
    }
    DisplayStatus::ALL
        .into_iter()
        .find(|s| s.as_str().starts_with(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_terms_from_words() {
        let f = Filter::parse("status:run,idle login stuck:await");
        assert_eq!(
            f.statuses,
            vec![DisplayStatus::Running, DisplayStatus::Idle]
        );
        assert_eq!(f.stuck, Some(StuckTerm::Rule(StuckRule::AwaitingHuman)));
        assert_eq!(f.fuzzy, "login");
        assert!(f.error.is_none());
        assert_eq!(Filter::parse("stuck:").stuck, Some(StuckTerm::Any));
        assert!(Filter::parse("status:sleeping").error.is_some());
        assert!(Filter::parse("  ").is_empty());
        let agent = Filter::parse("agent:Agent_Fixer");
        assert_eq!(agent.agents, vec!["agent_fixer"]);
        assert!(!agent.is_empty() && agent.fuzzy.is_empty());
    }
}
