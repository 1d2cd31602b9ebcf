//! The event stream: journal answers from the effect runner, the cursor,
//! follow mode, and asking for the window of rows that is visible.

use crate::tui::msg::{Effect, Msg};
use crate::tui::state::{DetailView, Overlay, State, StreamPhase};

pub fn apply(state: &mut State, msg: Msg) -> Vec<Effect> {
    let stream = &mut state.stream;
    match msg {
        Msg::JournalTail {
            key,
            generation,
            rows,
        } if current(stream, &key, generation) => {
            stream.phase = StreamPhase::Tail;
            stream.line_count = rows.len();
            stream.window_start = 0;
            stream.rows = rows;
            stream.requested = None;
            if stream.follow {
                stream.selected = stream.line_count.saturating_sub(1);
            }
        }
        Msg::JournalReady {
            key,
            generation,
            line_count,
            replaced,
        } if current(stream, &key, generation) => {
            let was_tail = stream.phase == StreamPhase::Tail;
            if was_tail || replaced {
                // Line numbers were relative to the tail, or are void.
                let from_end = stream.line_count.saturating_sub(stream.selected);
                stream.rows.clear();
                stream.window_start = 0;
                stream.selected = line_count.saturating_sub(from_end.max(1));
            }
            if replaced {
                stream.notice = Some("journal replaced; read again".into());
                stream.selected = stream.selected.min(line_count.saturating_sub(1));
            }
            stream.phase = StreamPhase::Ready;
            stream.line_count = line_count;
            stream.requested = None;
        }
        Msg::JournalFailed {
            key,
            generation,
            error,
        } if current(stream, &key, generation) => {
            stream.phase = StreamPhase::Failed(error);
            stream.rows.clear();
            stream.line_count = 0;
        }
        Msg::Window {
            key,
            generation,
            start,
            rows,
        } if current(stream, &key, generation) => {
            stream.window_start = start;
            stream.rows = rows;
            stream.requested = None;
        }
        Msg::Detail { key, line, doc } => {
            state.overlays.push(Overlay::Detail(DetailView {
                key,
                line,
                doc,
                scroll: 0,
            }));
        }
        _ => {}
    }
    Vec::new()
}

fn current(
    stream: &crate::tui::state::StreamState,
    key: &crate::feed::SessionKey,
    generation: u64,
) -> bool {
    stream.key.as_ref() == Some(key) && stream.generation == generation
}

/// Rows of the stream pane, or `None` when it is not on screen.
pub fn visible_height(state: &State) -> Option<usize> {
    state
        .layout()
        .stream
        .map(|a| a.inner().height.max(1) as usize)
}

/// Keeps the cursor visible and asks for the rows on screen (with a
/// screenful of margin either side) when they are not decoded yet.
pub fn ensure_window(state: &mut State) -> Vec<Effect> {
    let Some(height) = visible_height(state) else {
        return Vec::new();
    };
    let stream = &mut state.stream;
    stream.keep_visible(height);
    if stream.phase != StreamPhase::Ready || stream.line_count == 0 {
        return Vec::new();
    }
    let Some(key) = stream.key.clone() else {
        return Vec::new();
    };
    let visible = stream.offset..(stream.offset + height).min(stream.line_count);
    let window = stream.window();
    if window.start <= visible.start && visible.end <= window.end {
        return Vec::new();
    }
    let want =
        stream.offset.saturating_sub(height)..(stream.offset + 2 * height).min(stream.line_count);
    if let Some(requested) = &stream.requested
        && requested.start <= visible.start
        && visible.end <= requested.end
    {
        return Vec::new();
    }
    stream.requested = Some(want.clone());
    vec![Effect::LoadWindow {
        key,
        generation: stream.generation,
        range: want,
    }]
}

/// Moves the stream cursor by `delta` lines (negative is up).
pub fn move_cursor(state: &mut State, delta: isize) {
    let stream = &mut state.stream;
    if stream.line_count == 0 {
        return;
    }
    let target = (stream.selected as isize + delta).clamp(0, stream.line_count as isize - 1);
    stream.select(target as usize);
}

/// Asks to open the event under the cursor.
pub fn open_selected(state: &State) -> Vec<Effect> {
    let stream = &state.stream;
    match (&stream.key, &stream.phase) {
        (Some(key), StreamPhase::Ready | StreamPhase::Tail) if stream.line_count > 0 => {
            vec![Effect::OpenEvent {
                key: key.clone(),
                generation: stream.generation,
                line: stream.selected,
            }]
        }
        _ => Vec::new(),
    }
}
