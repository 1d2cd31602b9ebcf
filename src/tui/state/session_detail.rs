//! The session pane's lines: everything known about the selected session,
//! sanitised. A pure function of state, shared by render and scrolling.

use serde_json::Value;

use super::State;
use super::session::SessionEntry;
use crate::model::status::DisplayStatus;
use crate::model::time::{Timestamp, format_age, format_rfc3339};
use crate::sanitize::sanitize_line;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldClass {
    Normal,
    Muted,
    Status(DisplayStatus),
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailLine {
    Section(String),
    Field {
        label: &'static str,
        value: String,
        class: FieldClass,
    },
    Item {
        text: String,
        class: FieldClass,
    },
}

fn field(label: &'static str, value: impl Into<String>) -> DetailLine {
    DetailLine::Field {
        label,
        value: value.into(),
        class: FieldClass::Normal,
    }
}

fn item(text: impl Into<String>, class: FieldClass) -> DetailLine {
    DetailLine::Item {
        text: text.into(),
        class,
    }
}

fn when(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!(
            "{} ({} ago)",
            format_rfc3339(t),
            format_age((now - t).num_seconds())
        ),
        None => "-".into(),
    }
}

fn compact(value: &Value) -> String {
    sanitize_line(&serde_json::to_string(value).unwrap_or_default())
}

fn opt(text: Option<&str>) -> String {
    text.map(sanitize_line).unwrap_or_else(|| "-".into())
}

pub fn session_details(state: &State, entry: &SessionEntry) -> Vec<DetailLine> {
    let s = &entry.snapshot;
    let doc = &s.doc;
    let now = state.now;
    let mut lines = vec![DetailLine::Section("Session".into())];
    lines.push(field("id", entry.id.clone()));
    lines.push(field("title", opt(doc.title.as_deref())));
    let stop = doc
        .stop_reason
        .as_ref()
        .map(|r| {
            if r.event_ids.is_empty() {
                sanitize_line(&r.kind)
            } else {
                sanitize_line(&format!("{} {}", r.kind, r.event_ids.join(",")))
            }
        })
        .unwrap_or_else(|| "-".into());
    lines.push(DetailLine::Field {
        label: "status",
        value: format!(
            "{} (raw {})",
            entry.status.as_str(),
            opt(doc.status.as_deref())
        ),
        class: FieldClass::Status(entry.status),
    });
    lines.push(field("stop reason", stop));
    let agent = match (&doc.agent.name, &doc.agent.id) {
        (Some(name), Some(id)) => format!("{} ({})", sanitize_line(name), sanitize_line(id)),
        (name, id) => opt(name.as_deref().or(id.as_deref())),
    };
    let agent = match doc.agent.max_concurrent {
        Some(max) => format!("{agent}, max {max} concurrent"),
        None => agent,
    };
    lines.push(field("agent", agent));
    lines.push(field("environment", opt(doc.environment_id.as_deref())));
    lines.push(field("lane", opt(doc.lane())));
    if state.multi_source() {
        let label = state
            .sources
            .get(entry.key.source)
            .map(|src| sanitize_line(&src.label))
            .unwrap_or_default();
        lines.push(field(
            "source",
            format!("#{} {label}", entry.key.source + 1),
        ));
    }
    lines.push(field("created", when(doc.created_at, now)));
    lines.push(field("updated", when(doc.updated_at, now)));
    lines.push(field("last active", when(entry.last_activity, now)));
    if let Some(ttl) = doc.ttl_minutes() {
        lines.push(field("ttl", format!("{ttl} min")));
    }
    if doc.is_archived() {
        lines.push(field("archived", when(doc.archived_at, now)));
    }
    if let Some(error) = &s.doc_error {
        lines.push(DetailLine::Field {
            label: "error",
            value: sanitize_line(error),
            class: FieldClass::Error,
        });
    }
    for warning in &s.warnings {
        lines.push(DetailLine::Field {
            label: "warning",
            value: sanitize_line(warning),
            class: FieldClass::Warning,
        });
    }

    let usage = &doc.usage;
    lines.push(DetailLine::Section("Usage".into()));
    lines.push(field("input", usage.input_tokens.to_string()));
    lines.push(field("output", usage.output_tokens.to_string()));
    lines.push(field(
        "cache write",
        usage.cache_creation_input_tokens.to_string(),
    ));
    lines.push(field(
        "cache read",
        usage.cache_read_input_tokens.to_string(),
    ));
    lines.push(field("total", usage.total().to_string()));
    if let Some(model) = doc.metadata.get("model").and_then(Value::as_str) {
        lines.push(field("model", model.to_string()));
    }
    if let Some(cost) = crate::model::prices::prices().session_cost(doc) {
        lines.push(field("cost", format!("${cost:.2}")));
    }
    for source in doc
        .metadata
        .get("sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = source.get("kind").and_then(Value::as_str).unwrap_or("?");
        let path = source.get("path").and_then(Value::as_str).unwrap_or("?");
        lines.push(field("source", format!("{kind}: {path}")));
    }

    lines.push(DetailLine::Section("Journal".into()));
    // Counts from the tail alone would mislead: say they are coming.
    let count = |n: u64| {
        if s.summary.counting {
            "counting…".to_string()
        } else {
            n.to_string()
        }
    };
    lines.push(field("events", count(s.summary.event_count)));
    lines.push(DetailLine::Field {
        label: "malformed",
        value: count(s.summary.malformed_lines),
        class: if s.summary.malformed_lines > 0 {
            FieldClass::Warning
        } else {
            FieldClass::Normal
        },
    });
    if let Some(last) = &s.summary.last_event {
        lines.push(field(
            "last event",
            format!(
                "{} {}",
                sanitize_line(&last.id),
                sanitize_line(last.kind.as_str())
            ),
        ));
    }

    let pending = s.summary.pending();
    lines.push(DetailLine::Section(if s.summary.counting {
        "Pending (counting…)".to_string()
    } else {
        format!("Pending ({})", pending.len())
    }));
    if pending.is_empty() {
        lines.push(item("none", FieldClass::Muted));
    }
    for p in &pending {
        let r = &p.request;
        let tampered = if r.is_tampered() { " TAMPERED" } else { "" };
        lines.push(item(
            format!(
                "{} {} {}{} since {}",
                sanitize_line(&r.event_id),
                p.kind().label(),
                sanitize_line(r.name_text()),
                tampered,
                when(p.pending_since, now)
            ),
            if r.is_tampered() {
                FieldClass::Error
            } else {
                FieldClass::Status(DisplayStatus::RequiresAction)
            },
        ));
    }

    lines.push(DetailLine::Section(format!(
        "Stuck ({})",
        entry.stuck.len()
    )));
    if entry.stuck.is_empty() {
        lines.push(item("none", FieldClass::Muted));
    }
    for finding in &entry.stuck {
        lines.push(item(
            format!(
                "{}: {}",
                finding.rule.as_str(),
                sanitize_line(&finding.detail)
            ),
            FieldClass::Warning,
        ));
    }

    lines.push(DetailLine::Section(format!(
        "Wake queue ({})",
        s.wake.entries.len()
    )));
    if s.wake.entries.is_empty() {
        lines.push(item("none", FieldClass::Muted));
    }
    for wake in &s.wake.entries {
        let state_text = match wake.consumed_at {
            Some(t) => format!("consumed {}", format_rfc3339(t)),
            None if wake.is_outstanding(now) => "outstanding".into(),
            None => "scheduled".into(),
        };
        lines.push(item(
            format!(
                "{} due {} {} — {}",
                sanitize_line(&wake.id),
                wake.due_at
                    .map(format_rfc3339)
                    .unwrap_or_else(|| "-".into()),
                state_text,
                opt(wake.reason.as_deref())
            ),
            if wake.is_outstanding(now) {
                FieldClass::Warning
            } else {
                FieldClass::Normal
            },
        ));
    }

    lines.push(DetailLine::Section("Family".into()));
    match entry.parent_key() {
        None => lines.push(field("parent", "-")),
        Some(parent) => match state.sessions.get(&parent) {
            Some(p) => lines.push(DetailLine::Field {
                label: "parent",
                value: format!("{} {} — {}", p.id, p.status.as_str(), p.title),
                class: FieldClass::Status(p.status),
            }),
            None => lines.push(field(
                "parent",
                format!("{} (not loaded)", sanitize_line(&parent.id)),
            )),
        },
    }
    let children = state.children_of(&entry.key);
    lines.push(field("children", children.len().to_string()));
    for child in children {
        lines.push(item(
            format!("{} {} — {}", child.id, child.status.as_str(), child.title),
            FieldClass::Status(child.status),
        ));
    }

    lines.push(DetailLine::Section(format!(
        "Resources ({})",
        doc.resources.len()
    )));
    for resource in &doc.resources {
        lines.push(item(compact(resource), FieldClass::Normal));
    }
    let metadata: Vec<_> = doc.metadata.iter().filter(|(k, _)| *k != "lane").collect();
    if !metadata.is_empty() {
        lines.push(DetailLine::Section("Metadata".into()));
        for (key, value) in metadata {
            let value = match value {
                Value::String(text) => sanitize_line(text),
                other => compact(other),
            };
            lines.push(item(
                format!("{}: {value}", sanitize_line(key)),
                FieldClass::Normal,
            ));
        }
    }
    lines
}
