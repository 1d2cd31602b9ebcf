use super::*;
use crate::review::snapshot::{describe_lines, plain_text, render_on_screen};

const OLD: &str = "# Plan\n\n1. Rewrite auth\n2. Ship it\n\nNotes stay the same.\n";
const NEW: &str = "# Plan\n\n1. Add a failing test\n2. Rewrite auth\n3. Ship behind a flag\n\nNotes stay the same.\n";

fn diff() -> PlanDiff {
    diff_texts(OLD, NEW, &ReviewStyle::default())
}

#[test]
fn unified_diff_marks_lines_and_changed_words() {
    let d = diff();
    assert_eq!((d.added, d.removed), (3, 2));
    insta::assert_snapshot!("plan_diff_unified_plain", plain_text(&d.unified));
    insta::assert_snapshot!("plan_diff_unified_styled", describe_lines(&d.unified));
    insta::assert_snapshot!(
        "plan_diff_unified_80x24",
        render_on_screen(d.unified.clone(), 80, 24)
    );
    insta::assert_snapshot!(
        "plan_diff_unified_160x48",
        render_on_screen(d.unified, 160, 48)
    );
}

#[test]
fn side_by_side_rows_line_up_with_fillers() {
    let d = diff();
    assert_eq!(d.left.len(), d.right.len());
    let rows: String = d
        .left
        .iter()
        .zip(&d.right)
        .map(|(l, r)| {
            let l = plain_text(std::slice::from_ref(l));
            let r = plain_text(std::slice::from_ref(r));
            format!(
                "{:<32}│ {}\n",
                l.trim_end_matches('\n'),
                r.trim_end_matches('\n')
            )
        })
        .collect();
    insta::assert_snapshot!("plan_diff_side_by_side", rows);
    insta::assert_snapshot!(
        "plan_diff_side_by_side_left_styled",
        describe_lines(&d.left)
    );
    insta::assert_snapshot!(
        "plan_diff_side_by_side_right_styled",
        describe_lines(&d.right)
    );
}

#[test]
fn changed_words_are_emphasised() {
    let d = diff_texts(
        "ship it today\n",
        "ship it tomorrow\n",
        &ReviewStyle::default(),
    );
    let style = ReviewStyle::default();
    let removed_word = style.removed.patch(style.removed_word);
    let emphasised: Vec<&str> = d.unified[1]
        .spans
        .iter()
        .filter(|s| s.style == removed_word)
        .map(|s| s.content.as_ref())
        .collect();
    assert_eq!(emphasised, vec!["today"]);
}

#[test]
fn identical_texts_have_no_rows() {
    let d = diff_texts(OLD, OLD, &ReviewStyle::default());
    assert!(d.is_empty());
    assert!(d.unified.is_empty() && d.left.is_empty() && d.right.is_empty());
}

#[test]
fn escapes_never_survive_the_diff() {
    let d = diff_texts("a\n", "a\x1b]0;t\x07b\x1b[2J\n", &ReviewStyle::default());
    let text = plain_text(&d.unified) + &plain_text(&d.right);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
}

#[test]
fn distant_changes_get_separate_hunks() {
    let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let new = old
        .replace("line 2\n", "line two\n")
        .replace("line 19\n", "line nineteen\n");
    let d = diff_texts(&old, &new, &ReviewStyle::default());
    let headers: Vec<String> = d
        .unified
        .iter()
        .map(|l| plain_text(std::slice::from_ref(l)))
        .filter(|l| l.starts_with("@@"))
        .collect();
    assert_eq!(headers, vec!["@@ -1,5 +1,5 @@\n", "@@ -16,5 +16,5 @@\n"]);
}
