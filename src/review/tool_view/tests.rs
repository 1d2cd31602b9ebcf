use super::*;
use crate::review::snapshot::{describe_lines, plain_text, render_on_screen};
use serde_json::json;

fn view(name: &str, input: Value) -> ToolView {
    render_tool_input(name, &input, &ReviewStyle::default())
}

fn snapshot_all(label: &str, view: &ToolView) {
    let lines = view.text.lines.clone();
    insta::assert_snapshot!(format!("{label}_plain"), plain_text(&lines));
    insta::assert_snapshot!(format!("{label}_styled"), describe_lines(&lines));
    insta::assert_snapshot!(
        format!("{label}_80x24"),
        render_on_screen(lines.clone(), 80, 24)
    );
    insta::assert_snapshot!(format!("{label}_160x48"), render_on_screen(lines, 160, 48));
}

#[test]
fn bash_command_is_highlighted() {
    let v = view(
        "bash",
        json!({"command": "git push origin fix/login && echo \"done $USER\"", "timeout": 30}),
    );
    assert_eq!(v.kind, ToolViewKind::Command);
    snapshot_all("bash", &v);
}

#[test]
fn codex_argv_becomes_the_command_line() {
    let v = view(
        "shell",
        json!({"command": ["bash", "-lc", "cargo test -q"]}),
    );
    assert_eq!(plain_text(&v.text.lines), "cargo test -q\n");
    let v = view("shell", json!({"command": ["rm", "-rf", "my dir"]}));
    assert_eq!(plain_text(&v.text.lines), "rm -rf 'my dir'\n");
}

#[test]
fn edit_file_patch_is_a_coloured_diff() {
    let patch = "--- a/api/auth.py\n+++ b/api/auth.py\n@@ -10,3 +10,3 @@ def login():\n     user = find(name)\n-    timeout = 30\n+    timeout = 300\n     return user\n";
    let v = view("edit_file", json!({"path": "api/auth.py", "diff": patch}));
    assert_eq!(v.kind, ToolViewKind::Patch);
    snapshot_all("edit_file_diff", &v);
}

#[test]
fn codex_apply_patch_input_is_a_patch() {
    let patch = "*** Begin Patch\n*** Update File: a.py\n@@\n-x = 1\n+x = 2\n*** End Patch";
    let v = view("apply_patch", json!({"input": patch}));
    assert_eq!(v.kind, ToolViewKind::Patch);
    insta::assert_snapshot!("apply_patch_styled", describe_lines(&v.text.lines));
}

#[test]
fn old_and_new_strings_are_diffed() {
    let v = view(
        "Edit",
        json!({
            "file_path": "/repo/api/auth.py",
            "old_string": "    timeout = 30\n    retries = 1",
            "new_string": "    timeout = 300\n    retries = 1",
            "replace_all": false
        }),
    );
    assert_eq!(v.kind, ToolViewKind::Edit);
    snapshot_all("old_new_string", &v);
}

#[test]
fn multi_edit_shows_each_edit() {
    let v = view(
        "MultiEdit",
        json!({"file_path": "f.rs", "edits": [
            {"old_string": "a", "new_string": "b"},
            {"old_string": "c", "new_string": "d"}
        ]}),
    );
    let text = plain_text(&v.text.lines);
    assert!(text.starts_with("f.rs\nedit 1 of 2\n"), "{text}");
    assert!(text.contains("edit 2 of 2"), "{text}");
}

#[test]
fn write_shows_the_new_file() {
    let v = view(
        "Write",
        json!({"file_path": "n.txt", "content": "one\ntwo\n"}),
    );
    assert_eq!(v.kind, ToolViewKind::NewFile);
    assert_eq!(plain_text(&v.text.lines), "n.txt\n+ one\n+ two\n");
}

#[test]
fn anything_else_is_pretty_json() {
    let v = view(
        "lookup_order",
        json!({"order_id": "42", "options": {"expand": ["items", "payments"], "limit": 5, "dry": true}}),
    );
    assert_eq!(v.kind, ToolViewKind::Json);
    snapshot_all("json", &v);
}

#[test]
fn hostile_input_never_reaches_the_terminal() {
    for (name, input) in [
        (
            "bash",
            json!({"command": "echo \u{1b}]0;pwn\u{7}hi\u{1b}[2J"}),
        ),
        ("edit_file", json!({"diff": "+\u{1b}[31mred"})),
        (
            "Edit",
            json!({"old_string": "\u{1b}[1m", "new_string": "b\u{9b}2J"}),
        ),
        ("other", json!({"k\u{1b}[1m": "\u{1b}]52;c;eA==\u{7}"})),
        ("bash", json!({"command": "ls", "description": "\u{1b}[2J"})),
    ] {
        let text = plain_text(&view(name, input).text.lines);
        assert!(crate::sanitize::is_clean(&text), "{name}: {text:?}");
    }
}
