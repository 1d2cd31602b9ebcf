//! Finding events by id in a journal, for the stuck view's evidence: one
//! forward pass with the store's line reader, decoding only heads until an
//! id matches, stopping once every id is found.

use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::path::Path;

use super::rows::decode_row;
use crate::model::line::parse_head;
use crate::store::journal_lines::for_each_line;
use crate::tui::state::{EvidenceItem, StreamRow};

/// The events with these ids, as (id, item); line numbers count every
/// complete line, as the event stream does. A missing journal has none.
pub fn find_events(path: &Path, ids: &[String]) -> io::Result<Vec<(String, EvidenceItem)>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut found = Vec::new();
    let mut line = 0usize;
    for_each_line(&file, 0, |_, bytes| {
        if let Some(head) = parse_head(bytes)
            && let Some(id) = wanted.take(head.id())
        {
            found.push((id.to_string(), item(decode_row(line, bytes))));
        }
        line += 1;
        if wanted.is_empty() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    Ok(found)
}

fn item(row: StreamRow) -> EvidenceItem {
    EvidenceItem {
        line: Some(row.line),
        time: row.time,
        kind: row.kind,
        class: row.class,
        summary: row.summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_with_their_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(
            &path,
            "{\"id\":\"a\",\"type\":\"agent.message\"}\n\nnot json\n{\"id\":\"b\",\"type\":\"session.error\",\"error\":{\"type\":\"x\"}}\n{\"id\":\"c\",\"type\":\"x\"}",
        )
        .unwrap();
        let ids = vec!["b".to_string(), "c".to_string(), "zz".to_string()];
        let found = find_events(&path, &ids).unwrap();
        assert_eq!(found.len(), 1, "c is a torn last line: not yet an event");
        assert_eq!(found[0].0, "b");
        assert_eq!(found[0].1.line, Some(3));
        assert_eq!(found[0].1.kind, "session.error");
        assert!(
            find_events(&dir.path().join("none"), &ids)
                .unwrap()
                .is_empty()
        );
    }
}
