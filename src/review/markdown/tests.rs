use super::*;
use crate::review::snapshot::{describe_lines, plain_text, render_on_screen};

const PLAN: &str = r#"# Auth rewrite

Move sessions to **signed cookies** and *drop* the `legacy_token` table.
See [the RFC](https://example.com/rfc) or https://example.com.

## Steps

1. Add a failing test
2. Rewrite `auth.py`
   - keep the old endpoint
   - log ~~everything~~ failures only
3. Ship behind a flag

- [x] reviewed
- [ ] load tested

> Rollback: flip the flag.
> No data migration needed.

```python
def login(user):
    return sign(user.id)  # short-lived
```

| step | owner | days |
|:-----|:-----:|-----:|
| test | alice | 1 |
| rewrite | bob | 3 |

---
Done.
"#;

fn render(markdown: &str) -> Vec<Line<'static>> {
    render_markdown(markdown, &ReviewStyle::default()).lines
}

#[test]
fn renders_every_block_kind() {
    let lines = render(PLAN);
    insta::assert_snapshot!("markdown_plain", plain_text(&lines));
    insta::assert_snapshot!("markdown_styled", describe_lines(&lines));
}

#[test]
fn renders_on_screens_of_two_sizes() {
    insta::assert_snapshot!("markdown_80x24", render_on_screen(render(PLAN), 80, 24));
    insta::assert_snapshot!("markdown_160x48", render_on_screen(render(PLAN), 160, 48));
}

#[test]
fn numbered_lists_keep_their_start_and_align_continuations() {
    let text = plain_text(&render("9. nine\n10. ten\n    more of ten\n"));
    assert_eq!(text, "9. nine\n10. ten more of ten\n");
    let nested = plain_text(&render("- a\n  - b\n    - c\n- d\n"));
    assert_eq!(nested, "• a\n  ◦ b\n    ▪ c\n• d\n");
}

#[test]
fn untrusted_text_is_sanitised_everywhere() {
    let hostile = "# T\x1b]0;pwned\x07itle\n\nrun \x1b[2J`x\x1b[31m`\n\n```sh\necho \x1b]52;c;Zm9v\x07hi\n```\n\n| a\x1b[5m |\n|---|\n| b |\n";
    let lines = render(hostile);
    let text = plain_text(&lines);
    assert!(crate::sanitize::is_clean(&text), "{text:?}");
    assert!(text.contains("# T␛]0;pwned\\x07itle"), "{text}");
    assert!(text.contains("run ␛[2Jx␛[31m"), "{text}");
    assert!(text.contains("\na␛[5m\n"), "{text}");
    assert!(text.contains("echo ␛]52;c;Zm9v\\x07hi"), "{text}");
}

#[test]
fn empty_and_plain_inputs() {
    assert!(render("").is_empty());
    assert_eq!(plain_text(&render("just words")), "just words\n");
}

#[test]
fn quotes_nest_and_separate_paragraphs() {
    let text = plain_text(&render("> one\n>\n> two\n>> deeper\n"));
    assert_eq!(text, "│ one\n│ \n│ two\n│ \n│ │ deeper\n");
}

#[test]
fn single_column_table() {
    let text = plain_text(&render("| a |\n|---|\n| b |\n"));
    assert_eq!(text, "a\n─\nb\n");
}
