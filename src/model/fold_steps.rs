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
#[cfg(test)]
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

    /// Parses every `\n`-terminated line of `bytes`, which follow those
    /// parsed so far: a block may be read and parsed a piece at a time.
    pub fn parse_more(&mut self, bytes: &[u8], plan_tools: &PlanTools) {
        let mut run: Option<(u64, RawHead<'_>, EventType)> = None;
        let mut line_start = 0;
        for newline in memchr::memchr_iter(b'\n', bytes) {
            let line = trim_line_end(&bytes[line_start..newline]);
            line_start = newline + 1;
            match classify(line, plan_tools) {
                Classified::Prepared(event) => {
                    flush_run(&mut self.steps, run.take(), false);
                    self.steps.push(Step::Event(Box::new(event)));
                }
                Classified::HeadOnly(head, kind) if kind.is_user() => {
                    flush_run(&mut self.steps, run.take(), false);
                    let head = head.to_head(kind);
                    let processed_at = head.processed_at.clone();
                    let event = EventRef::from(head);
                    self.steps
                        .push(Step::UserHead(Box::new((event, processed_at))));
                }
                Classified::HeadOnly(head, kind) => {
                    let count = run.as_ref().map_or(0, |(count, _, _)| *count);
                    run = Some((count + 1, head, kind));
                }
                Classified::Malformed => self.malformed += 1,
                Classified::Blank => {}
            }
        }
        flush_run(&mut self.steps, run, true);
    }
}

/// What a line contributes to a fold, worked out without the summary.
enum Classified<'a> {
    /// An event whose body the summary needs, prepared. A request within
    /// the full decoder's limits is kept as its line, decoded when read.
    Prepared(PreparedEvent),
    /// An event only its head matters for.
    HeadOnly(RawHead<'a>, EventType),
    Malformed,
    Blank,
}

/// Most events only need their head decoded, requests their head and their
/// line as written; answers and status changes are decoded whole.
fn classify<'a>(line: &'a [u8], plan_tools: &PlanTools) -> Classified<'a> {
    if let Some(head) = parse_head(line) {
        let kind = head.kind();
        if kind.is_request() && head.within_decoder_limits(line) {
            return Classified::Prepared(PreparedEvent::written_request(
                &head, kind, line, plan_tools,
            ));
        }
        if !JournalSummary::needs_body(&kind) {
            return Classified::HeadOnly(head, kind);
        }
    }
    match parse_line(line) {
        LineParse::Event(event) => Classified::Prepared(PreparedEvent::new(&event, plan_tools)),
        LineParse::Malformed(_) => Classified::Malformed,
        LineParse::Blank => Classified::Blank,
    }
}

/// Ends a run; `ends_block` says whether its last event must be kept.
fn flush_run(steps: &mut Vec<Step>, run: Option<(u64, RawHead<'_>, EventType)>, ends_block: bool) {
    if let Some((count, head, kind)) = run {
        let last = ends_block.then(|| Box::new(EventRef::from(head.to_head(kind))));
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

/// Folds one complete line into a summary, as a block of lines folds it.
pub fn fold_line(summary: &mut JournalSummary, line: &[u8]) {
    match classify(line, summary.plan_tools()) {
        Classified::Prepared(event) => summary.apply_prepared(event),
        Classified::HeadOnly(head, kind) => summary.apply_head(&head.to_head(kind)),
        Classified::Malformed => summary.note_malformed(),
        Classified::Blank => {}
    }
}

/// Folds one complete line by decoding it whole: the plainest fold, which
/// `fold_line` and the block fold must agree with (tests and the fuzz
/// target compare them).
pub fn fold_decoded_line(summary: &mut JournalSummary, line: &[u8]) {
    match parse_line(line) {
        LineParse::Event(event) => summary.apply(&event),
        LineParse::Malformed(_) => summary.note_malformed(),
        LineParse::Blank => {}
    }
}

/// Folds each `\n`-terminated line of `journal` with `fold`.
#[cfg(test)]
pub(crate) fn fold_each_line(
    summary: &mut JournalSummary,
    journal: &[u8],
    fold: impl Fn(&mut JournalSummary, &[u8]),
) {
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', journal) {
        fold(summary, trim_line_end(&journal[start..newline]));
        start = newline + 1;
    }
}

#[cfg(test)]
mod tests;
