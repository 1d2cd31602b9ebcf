//! The one-line bars: header, status (counts and source health), hints.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::status_style;
use super::text::{cut, rect};
use crate::feed::TelemetryStatus;
use crate::model::status::DisplayStatus;
use crate::sanitize::sanitize_line;
use crate::tui::state::{Area, NoticeLevel, State};
use crate::tui::theme::Theme;

pub fn header(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let mut spans = vec![
        Span::styled(" Switchboard ", theme.title.patch(theme.bar)),
        Span::styled(
            format!(
                "│ {} │ theme {} ",
                state.fleet.kind.title(),
                sanitize_line(&state.theme)
            ),
            theme.bar,
        ),
    ];
    if let Some(entry) = state.selected() {
        spans.push(Span::styled(format!("│ {} ", entry.id), theme.bar));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.bar),
        super::text::rect(area),
    );
}

pub fn status(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let mut spans = count_spans(state, theme, false);
    spans.push(Span::raw(" │ "));
    spans.extend(health_spans(state, theme, false));
    let width: usize = spans.iter().map(|s| s.width()).sum();
    if width > area.width as usize {
        spans = count_spans(state, theme, true);
        spans.push(Span::raw("│ "));
        spans.extend(health_spans(state, theme, true));
    }
    frame.render_widget(
        Paragraph::new(Line::from(spans)).style(theme.bar),
        rect(area),
    );
}

/// Sessions per status and stuck; `compact` for narrow screens.
fn count_spans<'a>(state: &State, theme: &Theme, compact: bool) -> Vec<Span<'a>> {
    // As of the last rebuild of the fleet's rows; hidden archived sessions
    // are not counted.
    let stats = &state.fleet.stats;
    let count = |s: DisplayStatus| stats.by_status.get(&s).copied().unwrap_or(0);
    let mut spans = vec![Span::raw(" ")];
    let mut push = |n: usize, glyph: &str, label: &str, short: &str, style| {
        let style = if n > 0 { style } else { theme.bar };
        let text = if compact {
            format!("{glyph}{n} {short} ")
        } else {
            format!("{glyph} {n} {label}  ")
        };
        spans.push(Span::styled(text, style));
    };
    for (status, glyph, label, short) in [
        (DisplayStatus::Running, "●", "running", "run"),
        (DisplayStatus::Idle, "○", "idle", "idle"),
        // The words the fleet's rows use, so a count reads like its rows.
        (DisplayStatus::RequiresAction, "▲", "action", "action"),
        (DisplayStatus::Rescheduling, "↻", "resched", "resched"),
        (DisplayStatus::Terminated, "✕", "ended", "ended"),
    ] {
        push(
            count(status),
            glyph,
            label,
            short,
            status_style(theme, status),
        );
    }
    let unknown = count(DisplayStatus::Unknown);
    if unknown > 0 {
        push(unknown, "?", "unknown", "unkn", theme.status_unknown);
    }
    // Fleet health: anything stuck turns into a segment meant to be seen.
    if stats.stuck > 0 {
        spans.push(Span::styled(
            format!(" ⚠ {} stuck ", stats.stuck),
            theme.stuck_alert,
        ));
        spans.push(Span::raw(" "));
    } else {
        spans.push(Span::styled(
            if compact {
                "✓ ".to_string()
            } else {
                "✓ none stuck  ".to_string()
            },
            theme.bar,
        ));
    }
    let expired = stats.expired;
    if expired > 0 {
        let text = if compact {
            format!("⊘{expired} exp ")
        } else {
            format!("⊘ {expired} expired  ")
        };
        spans.push(Span::styled(text, theme.warning.patch(theme.bar)));
    }
    let hidden = stats.archived_hidden;
    if hidden > 0 {
        let text = if compact {
            format!("{hidden} arch ")
        } else {
            format!("{hidden} archived hidden (A)  ")
        };
        spans.push(Span::styled(text, theme.muted.patch(theme.bar)));
    }
    spans
}

fn health_spans<'a>(state: &State, theme: &Theme, compact: bool) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    let multi = state.multi_source();
    for (i, source) in state.sources.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        let label = if multi {
            format!("#{} ", i + 1)
        } else if compact {
            String::new()
        } else {
            "source ".to_string()
        };
        match &source.health {
            None => spans.push(Span::styled(format!("{label}starting"), theme.bar)),
            Some(h) if h.is_healthy() => spans.push(Span::styled(
                format!("{label}{}", sanitize_line(&h.describe())),
                theme.bar,
            )),
            Some(h) => spans.push(Span::styled(
                format!("✗ {label}{}", sanitize_line(&h.describe())),
                theme.error,
            )),
        }
        if let Some(telemetry) = &source.telemetry {
            spans.extend(telemetry_span(telemetry, theme, compact));
        }
    }
    spans
}

/// A daemon's telemetry: on or not, and whether its last export worked.
fn telemetry_span<'a>(
    telemetry: &TelemetryStatus,
    theme: &Theme,
    compact: bool,
) -> Option<Span<'a>> {
    if compact {
        let text = match (telemetry.traces, telemetry.last_export_ok) {
            (true, Some(false)) => " ✗otel",
            (true, Some(true)) => " otel✓",
            _ if telemetry.describe().is_some() => " otel",
            _ => return None,
        };
        let style = if telemetry.is_failing() {
            theme.error
        } else {
            theme.bar
        };
        return Some(Span::styled(text, style));
    }
    let text = telemetry.describe()?;
    Some(if telemetry.is_failing() {
        Span::styled(format!(" · ✗ {text}"), theme.error)
    } else {
        Span::styled(format!(" · {text}"), theme.bar)
    })
}

pub fn hints(state: &State, theme: &Theme, frame: &mut Frame, area: Area) {
    let width = area.width as usize;
    if let Some(notice) = &state.notice {
        let style = match notice.level {
            NoticeLevel::Info => theme.notice,
            NoticeLevel::Error => theme.error,
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " {}",
                    cut(&sanitize_line(&notice.text), width.saturating_sub(1))
                ),
                style,
            )),
            rect(area),
        );
        return;
    }
    // A review asking y/n, or taking a message, reads its own keys only.
    if let Some(keys) = review_stage_keys(state) {
        let spans: Vec<Span> = keys
            .iter()
            .flat_map(|(key, label)| {
                [
                    Span::styled(format!(" {key} "), theme.hint_key),
                    Span::styled(format!(" {label} "), theme.hint_label),
                ]
            })
            .collect();
        frame.render_widget(Paragraph::new(Line::from(spans)), rect(area));
        return;
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let hints: Vec<(crate::keys::Chord, &str)> = state
        .keymap
        .hint_commands(state.mode())
        .into_iter()
        .filter(|(_, command, _)| applies(state, *command))
        .map(|(chord, _, label)| (chord, label))
        .collect();
    // The help key always shows: it leads to every other key.
    let help = hints.iter().copied().find(|(_, label)| *label == "help");
    let need_of = |chord: &crate::keys::Chord, label: &str| {
        format!(" {chord} ").chars().count() + format!(" {label} ").chars().count()
    };
    let reserve = help.map_or(0, |(c, l)| need_of(&c, l));
    let mut help_shown = false;
    for (chord, label) in hints.iter().copied() {
        let need = need_of(&chord, label);
        let is_help = help.is_some_and(|(c, _)| c == chord) && label == "help";
        let room = if is_help || help_shown {
            width
        } else {
            width.saturating_sub(reserve)
        };
        if used + need > room {
            break;
        }
        used += need;
        help_shown |= is_help;
        spans.push(Span::styled(format!(" {chord} "), theme.hint_key));
        spans.push(Span::styled(format!(" {label} "), theme.hint_label));
    }
    if let Some((chord, label)) = help.filter(|_| !help_shown)
        && used + reserve <= width
    {
        spans.push(Span::styled(format!(" {chord} "), theme.hint_key));
        spans.push(Span::styled(format!(" {label} "), theme.hint_label));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), rect(area));
}

/// Whether a hinted command does something here: a review offers only the
/// verdicts its request takes, and diff or revisions only for a plan that
/// has them.
fn applies(state: &State, command: crate::keys::Command) -> bool {
    use crate::keys::Command;
    use crate::store::Verdict;
    use crate::tui::state::{Overlay, ReviewBody};
    let Some(Overlay::Review(view)) = state.overlays.last() else {
        return true;
    };
    // Verdicts are chosen once; a decided request takes no other.
    let choosing = view.draft.stage == crate::review::Stage::Choosing;
    let allows = |verdict| choosing && view.draft.target.allows(verdict).is_ok();
    match command {
        Command::Approve => allows(Verdict::Allow),
        Command::Deny => allows(Verdict::Deny),
        Command::Redirect => allows(Verdict::Redirect),
        Command::Respond => allows(Verdict::Respond),
        Command::ToggleDiff => matches!(&view.body, ReviewBody::Plan { diff: Some(_), .. }),
        Command::PrevRevision | Command::NextRevision => {
            matches!(&view.body, ReviewBody::Plan { history, .. } if history.revisions.len() > 1)
        }
        _ => true,
    }
}

/// The keys of a review past choosing its verdict, which takes no others.
fn review_stage_keys(state: &State) -> Option<&'static [(&'static str, &'static str)]> {
    use crate::review::Stage;
    use crate::tui::state::Overlay;
    let Some(Overlay::Review(view)) = state.overlays.last() else {
        return None;
    };
    match view.draft.stage {
        Stage::Confirming => Some(&[("y", "confirm"), ("n", "back")]),
        Stage::Writing(_) => Some(&[("ctrl+s", "done"), ("ctrl+e", "$EDITOR"), ("esc", "back")]),
        _ => None,
    }
}
