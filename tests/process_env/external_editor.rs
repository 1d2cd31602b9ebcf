//! `$EDITOR` set to a small script: the message comes back as saved.
//! In the `process_env` binary, because it sets the process environment.

use std::os::unix::fs::PermissionsExt;

use switchboard::review::external_editor::{edit_in_external_editor, editor_command};

#[test]
fn editor_from_the_environment_writes_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("editor.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf 'Use the flag.\\n' > \"$1\"\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    // SAFETY: this binary's only test; no other thread reads the environment.
    unsafe {
        std::env::remove_var("VISUAL");
        std::env::set_var("EDITOR", &script);
    }
    assert_eq!(editor_command().as_deref(), script.to_str());
    assert_eq!(edit_in_external_editor("old").unwrap(), "Use the flag.");
}
