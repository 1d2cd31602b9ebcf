//! The README's keymap table is generated from the keymap; this test fails
//! when they disagree. Regenerate with: UPDATE_README=1 cargo test --test it readme

use switchboard::keys::help::markdown_table;
use switchboard::keys::keymap::Keymap;

const START: &str =
    "<!-- keymap:start (generated: UPDATE_README=1 cargo test --test it readme) -->\n";
const END: &str = "<!-- keymap:end -->";

#[test]
fn readme_keymap_matches_the_keymap() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let table = markdown_table(&Keymap::with_overrides(&Default::default()).unwrap());
    let start = readme
        .find(START)
        .expect("README has the keymap start marker")
        + START.len();
    let end = readme[start..]
        .find(END)
        .expect("README has the keymap end marker")
        + start;
    if readme[start..end] != table {
        if std::env::var_os("UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        panic!(
            "README.md's keymap table differs from assets/keymap.toml; run UPDATE_README=1 cargo test --test it readme.\nExpected:\n{table}"
        );
    }
}
