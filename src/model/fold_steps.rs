//! A block of complete journal lines parsed into the steps that fold it into
//! a summary. Parsing is nearly all the cost of folding and needs no
//! summary, so blocks can be parsed on other threads; the steps are then
//! applied in journal order, with the same result as `fold_line` on each
//! line.

use super::event::ProcessedAt;
use super::event_type::EventType;
use super::line::{LineParse, RawHead, parse_head, parse_line, trim_line_end};
use super::plan::PlanTools;
use super::prepared_event::PreparedEvent;
use super::summary::{EventRef, JournalSummary};

/// One block's lines, parsed, ready to apply in order.
#[derive(Debug, Default)]
pub struct BlockSteps {
    steps: Vec<Step>,
    /// Malformed lines only count, so their place in the order is irrelevant.
    malformed: u64,
}

/// Small (the rare big variants are boxed): a block holds thousands.
#[derive(Debug)]
enum Step {
    /// Consecutive head-only events, none of them `user.*`. The last one is
    /// kept only when the run ends the lines parsed in one go: otherwise
    /// the next step becomes the last event anyway, and building it is
    /// wasted work.
    Run {
        count: u64,
        last: Option<Box<EventRef>>,
    },
    /// A head-only `user.*` event: its queue state matters.
    UserHead(Box<(EventRef, ProcessedAt)>),
    /// An event whose body the summary needs, already prepared.
    Event(Box<PreparedEvent>),
}

/// Parses every `\n`-terminated line of `bytes` (bytes after the last `\n`
/// are ignored: they are not a complete line).
pub fn parse_block(bytes: &[u8], plan_tools: &PlanTools) -> BlockSteps {
    let mut block = BlockSteps::for_bytes(bytes.len());
    block.parse_more(bytes, plan_tools);
    block
}

impl BlockSteps {
    /// An empty block with room for the steps of about `bytes` of lines.
    pub fn for_bytes(bytes: usize) -> Self {
        Self {
            // Roughly one step per request, and requests are a minority of
            // lines: enough that the vector rarely grows.
            steps: Vec::with_capacity(bytes / 2048),
            malformed: 0,
        }
    }

    /// Parses the lines of `bytes`, which follow those parsed so far, as
    /// `parse_block` does: a block may be read and parsed a piece at a time.
    pub fn parse_more(&mut self, bytes: &[u8], plan_tools: &PlanTools) {
        parse_lines(self, bytes, plan_tools);
    }
}

fn parse_lines(block: &mut BlockSteps, bytes: &[u8], plan_tools: &PlanTools) {
    let mut run: Option<(u64, RawHead<'_>, EventType)> = None;
    let mut line_start = 0;
    for newline in memchr::memchr_iter(b'\n', bytes) {
        let line = trim_line_end(&bytes[line_start..newline]);
        line_start = newline + 1;
        if let Some(head) = parse_head(line) {
            let kind = head.kind();
            if kind.is_request() && head.within_decoder_limits(line) {
                let request = PreparedEvent::written_request(&head, kind, line, plan_tools);
                flush_run(&mut block.steps, run.take(), false);
                block.steps.push(Step::Event(Box::new(request)));
                continue;
            }
            if !JournalSummary::needs_body(&kind) {
                if kind.is_user() {
                    flush_run(&mut block.steps, run.take(), false);
                    let owned = head.to_head(kind);
                    let event = EventRef {
                        id: owned.id.to_string(),
                        kind: owned.kind,
                        created_at: owned.created_at,
                    };
                    block
                        .steps
                        .push(Step::UserHead(Box::new((event, owned.processed_at))));
                } else {
                    let count = run.as_ref().map_or(0, |(count, _, _)| *count);
                    run = Some((count + 1, head, kind));
                }
                continue;
            }
        }
        match parse_line(line) {
            LineParse::Event(event) => {
                flush_run(&mut block.steps, run.take(), false);
                let prepared = PreparedEvent::new(&event, plan_tools);
                block.steps.push(Step::Event(Box::new(prepared)));
            }
            LineParse::Malformed(_) => block.malformed += 1,
            LineParse::Blank => {}
        }
    }
    flush_run(&mut block.steps, run, true);
}

/// A request prepared from its head, when the full decoder surely agrees;
/// `None` leaves it to be decoded whole.
fn request_from_head(
    head: &RawHead<'_>,
    kind: &EventType,
    line: &[u8],
    plan_tools: &PlanTools,
) -> Option<PreparedEvent> {
    (kind.is_request() && head.within_decoder_limits(line))
        .then(|| PreparedEvent::request_from_head(head, kind.clone(), plan_tools))
}

/// Ends a run; `ends_block` says whether its last event must be kept.
fn flush_run(steps: &mut Vec<Step>, run: Option<(u64, RawHead<'_>, EventType)>, ends_block: bool) {
    if let Some((count, head, kind)) = run {
        let last = ends_block.then(|| {
            let head = head.to_head(kind);
            Box::new(EventRef {
                id: head.id.to_string(),
                kind: head.kind,
                created_at: head.created_at,
            })
        });
        steps.push(Step::Run { count, last });
    }
}

impl BlockSteps {
    /// Folds the block into `summary`; blocks must be applied in journal order.
    pub fn apply(self, summary: &mut JournalSummary) {
        for step in self.steps {
            match step {
                Step::Run { count, last } => summary.apply_run(count, last.map(|last| *last)),
                Step::UserHead(user) => {
                    let (event, processed_at) = *user;
                    summary.apply_last(event, &processed_at);
                }
                Step::Event(event) => summary.apply_prepared(*event),
            }
        }
        summary.note_malformed_lines(self.malformed);
    }
}

/// Folds one complete line into a summary. Most events only need their head
/// decoded, requests their head and their `input` as written; answers and
/// status changes are decoded whole.
pub fn fold_line(summary: &mut JournalSummary, line: &[u8]) {
    if let Some(head) = parse_head(line) {
        let kind = head.kind();
        if let Some(request) = request_from_head(&head, &kind, line, summary.plan_tools()) {
            summary.apply_prepared(request);
            return;
        }
        if !JournalSummary::needs_body(&kind) {
            summary.apply_head(&head.to_head(kind));
            return;
        }
    }
    match parse_line(line) {
        LineParse::Event(event) => {
            let prepared = PreparedEvent::new(&event, summary.plan_tools());
            summary.apply_prepared(prepared);
        }
        LineParse::Malformed(_) => summary.note_malformed(),
        LineParse::Blank => {}
    }
}

#[cfg(test)]
mod tests;
