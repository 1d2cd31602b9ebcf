//! Feed updates waiting to be folded. A burst lands here first, so the loop
//! can answer a key before folding what is queued, and many appends to one
//! journal are folded as one update.

use std::collections::{HashMap, VecDeque};

use tokio::sync::mpsc::Receiver;

use crate::feed::{SessionKey, Update};

#[derive(Default)]
pub struct FeedQueue {
    pending: VecDeque<Update>,
}

impl FeedQueue {
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn push(&mut self, update: Update) {
        self.pending.push_back(update);
    }

    /// Takes what the channel holds, up to `limit` queued in all, and
    /// coalesces it.
    pub fn fill(&mut self, rx: &mut Receiver<Update>, limit: usize) {
        while self.pending.len() < limit {
            match rx.try_recv() {
                Ok(update) => self.pending.push_back(update),
                Err(_) => break,
            }
        }
        coalesce(&mut self.pending);
    }

    /// Yields queued updates in order until `input_waiting` says a key (or
    /// click, or paste) arrived; the rest stays queued for after its frame.
    pub fn drain_until<'a>(
        &'a mut self,
        input_waiting: impl Fn() -> bool + 'a,
    ) -> impl Iterator<Item = Update> + 'a {
        std::iter::from_fn(move || {
            if input_waiting() {
                None
            } else {
                self.pending.pop_front()
            }
        })
    }
}

/// Merges updates of one session that fold to the same result: appends
/// that follow each other in the journal become one append (at the first
/// one's place), and of several `Meta` only the last is kept (each carries
/// the whole of `session.json`, the wake queue and the times). A `Loaded`
/// or `Removed` voids what came before it, so nothing is merged across one.
pub fn coalesce(pending: &mut VecDeque<Update>) {
    if pending.len() < 2 {
        return;
    }
    let mut out: Vec<Option<Update>> = Vec::with_capacity(pending.len());
    let mut appended: HashMap<SessionKey, usize> = HashMap::new();
    let mut meta: HashMap<SessionKey, usize> = HashMap::new();
    for update in pending.drain(..) {
        match update {
            Update::Appended { key, lines, end } => {
                let follows = |at: &usize, out: &[Option<Update>]| match &out[*at] {
                    Some(Update::Appended { end: last_end, .. }) => {
                        lines.first().is_some_and(|(offset, _)| offset >= last_end)
                    }
                    _ => false,
                };
                match appended.get(&key) {
                    Some(at) if follows(at, &out) => {
                        if let Some(Update::Appended {
                            lines: first,
                            end: first_end,
                            ..
                        }) = &mut out[*at]
                        {
                            first.extend(lines);
                            *first_end = end;
                        }
                    }
                    _ => {
                        appended.insert(key.clone(), out.len());
                        out.push(Some(Update::Appended { key, lines, end }));
                    }
                }
            }
            Update::Meta { ref key, .. } => {
                if let Some(at) = meta.insert(key.clone(), out.len()) {
                    out[at] = None;
                }
                out.push(Some(update));
            }
            Update::Loaded { ref key, .. } | Update::Removed { ref key } => {
                appended.remove(key);
                meta.remove(key);
                out.push(Some(update));
            }
            Update::Health { .. } | Update::Telemetry { .. } => out.push(Some(update)),
        }
    }
    pending.extend(out.into_iter().flatten());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::session::SessionDoc;
    use crate::model::wake::WakeQueue;

    fn key(id: &str) -> SessionKey {
        SessionKey {
            source: 0,
            id: id.into(),
        }
    }

    fn append(id: &str, offset: u64, text: &str) -> Update {
        Update::Appended {
            key: key(id),
            lines: vec![(offset, text.as_bytes().to_vec())],
            end: offset + text.len() as u64 + 1,
        }
    }

    fn meta(id: &str, title: &str) -> Update {
        let doc = SessionDoc {
            title: Some(title.into()),
            ..SessionDoc::default()
        };
        Update::Meta {
            key: key(id),
            doc: Box::new(doc),
            doc_error: None,
            wake: WakeQueue::default(),
            journal_mtime: None,
            heartbeat_mtime: None,
        }
    }

    fn describe(pending: &VecDeque<Update>) -> Vec<String> {
        pending
            .iter()
            .map(|u| match u {
                Update::Appended { key, lines, end } => {
                    let offsets: Vec<String> = lines.iter().map(|(o, _)| o.to_string()).collect();
                    format!("append {} [{}] end {end}", key.id, offsets.join(","))
                }
                Update::Meta { key, doc, .. } => {
                    format!("meta {} {}", key.id, doc.title.as_deref().unwrap_or(""))
                }
                Update::Removed { key } => format!("removed {}", key.id),
                Update::Loaded { key, .. } => format!("loaded {}", key.id),
                Update::Health { .. } => "health".into(),
                Update::Telemetry { .. } => "telemetry".into(),
            })
            .collect()
    }

    #[test]
    fn appends_to_one_journal_become_one_update_and_the_last_meta_is_kept() {
        let mut pending: VecDeque<Update> = [
            append("a", 0, "a0"),
            meta("a", "one"),
            append("b", 0, "b0"),
            append("a", 3, "a1"),
            meta("a", "two"),
            append("a", 6, "a2"),
            meta("b", "b"),
        ]
        .into();
        coalesce(&mut pending);
        assert_eq!(
            describe(&pending),
            [
                "append a [0,3,6] end 9",
                "append b [0] end 3",
                "meta a two",
                "meta b b",
            ]
        );
    }

    #[test]
    fn nothing_is_merged_across_a_removal_or_a_gap() {
        let mut pending: VecDeque<Update> = [
            append("a", 0, "a0"),
            Update::Removed { key: key("a") },
            append("a", 3, "a1"),
            // Not where the last append ended: a replaced journal read again.
            append("a", 0, "x0"),
        ]
        .into();
        coalesce(&mut pending);
        assert_eq!(
            describe(&pending),
            [
                "append a [0] end 3",
                "removed a",
                "append a [3] end 6",
                "append a [0] end 3",
            ]
        );
    }

    #[test]
    fn draining_stops_when_input_arrives_and_keeps_the_rest() {
        let mut queue = FeedQueue::default();
        for i in 0..10 {
            queue.push(append("a", i * 3, "aa"));
        }
        let taken = std::cell::Cell::new(0);
        let folded: Vec<Update> = queue
            .drain_until(|| taken.get() >= 4)
            .inspect(|_| taken.set(taken.get() + 1))
            .collect();
        assert_eq!(folded.len(), 4);
        assert_eq!(queue.len(), 6);
    }
}
