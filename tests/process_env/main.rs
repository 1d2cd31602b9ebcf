//! Integration tests that set process-wide environment variables
//! (`SWITCHBOARD_AUDIT_LOG`, `EDITOR`), kept out of the `it` binary so
//! they never race its threads spawning processes.

#[path = "../it/common/mod.rs"]
mod common;

mod external_editor;
mod review_flow;
mod tui_review;

/// Keeps in-process decisions' audit entries out of the real data dir: one
/// log for the whole binary, set once before any test reads it.
pub fn isolate_audit_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = std::env::temp_dir().join(format!("sb-process-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir is writable");
        // SAFETY: Once blocks every caller until it is set; this binary's
        // tests read the variable only after calling this.
        unsafe { std::env::set_var("SWITCHBOARD_AUDIT_LOG", dir.join("audit.jsonl")) };
    });
}
