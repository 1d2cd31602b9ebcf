//! The layers import only downward. Every `crate::`, `super::` and `self::`
//! path of every file under `src/` (its `use` lines, its code and its macro
//! arguments) is resolved to the file that defines the name, through `pub
//! use` re-exports; then a file may import only from its own folder or from
//! a layer below its own, and no files may import each other, two or more
//! in a circle (a module and the files it declares aside, and test code
//! aside). The layer order is the drawing in `docs/architecture.md`,
//! written once there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// A module path below the crate root: `["model", "summary"]`.
type ModPath = Vec<String>;

/// Which file each module of a tree is, and what each module re-exports.
struct Tree {
    files: BTreeMap<ModPath, PathBuf>,
    /// `pub use` names per module: name → the absolute path it stands for.
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    /// The absolute paths each file's code names, before resolution, and
    /// whether each is named only by test code.
    named: BTreeMap<PathBuf, Vec<(ModPath, bool)>>,
    /// Modules declared `#[cfg(test)]` by their parent.
    test_modules: BTreeSet<ModPath>,
}

/// The module a file under `src/` is (`None` for the binary's `main.rs`).
fn module_of(relative: &Path) -> Option<ModPath> {
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop()?;
    match last.as_str() {
        "main.rs" | "lib.rs" if parts.is_empty() => (last == "lib.rs").then_some(parts),
        "mod.rs" => Some(parts),
        name => {
            parts.push(name.strip_suffix(".rs")?.to_string());
            Some(parts)
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Collects the paths one file names, relative to where they are written.
struct Collector<'a> {
    modules: &'a BTreeSet<ModPath>,
    /// The module the code being visited is in (inline `mod`s included).
    scope: ModPath,
    /// Absolute paths named (and whether in test code), and `pub use`
    /// names of the file's own module.
    named: Vec<(ModPath, bool)>,
    reexports: BTreeMap<String, ModPath>,
    file_module: ModPath,
    /// How deep in `#[cfg(test)]` items the visitor is.
    in_test: usize,
    test_children: Vec<ModPath>,
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.parse_args::<syn::Ident>().is_ok_and(|i| i == "test")
    })
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl Collector<'_> {
    /// The absolute path of `segments` written in the current scope; `None`
    /// for names outside the crate (other crates, `std`, locals).
    fn absolute(&self, segments: &[String]) -> Option<ModPath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some([self.scope.clone(), rest.to_vec()].concat()),
            "super" => {
                let mut base = self.scope.clone();
                base.pop()?;
                let mut rest = rest;
                while let Some(("super", more)) = rest.split_first().map(|(s, m)| (s.as_str(), m)) {
                    base.pop()?;
                    rest = more;
                }
                Some([base, rest.to_vec()].concat())
            }
            // A child module named without `self::` (uniform paths).
            _ => {
                let child = [self.scope.clone(), vec![first.clone()]].concat();
                self.modules
                    .contains(&child)
                    .then(|| [child, rest.to_vec()].concat())
            }
        }
    }

    fn name(&mut self, segments: &[String]) {
        if let Some(path) = self.absolute(segments) {
            self.named.push((path, self.in_test > 0));
        }
    }

    /// Paths in macro arguments are tokens: find `crate :: a :: b` runs.
    fn tokens(&mut self, tokens: TokenStream) {
        let mut run: Vec<String> = Vec::new();
        // The `:` seen since the run's last segment.
        let mut colons = 0;
        for token in tokens {
            match token {
                TokenTree::Ident(ident) => {
                    let ident = ident.to_string();
                    if !run.is_empty() && colons == 2 {
                        run.push(ident);
                    } else {
                        self.end_run(&mut run);
                        if matches!(ident.as_str(), "crate" | "super" | "self") {
                            run.push(ident);
                        }
                    }
                    colons = 0;
                }
                TokenTree::Punct(p) if p.as_char() == ':' && !run.is_empty() && colons < 2 => {
                    colons += 1;
                }
                TokenTree::Group(group) => {
                    self.end_run(&mut run);
                    colons = 0;
                    self.tokens(group.stream());
                }
                _ => {
                    self.end_run(&mut run);
                    colons = 0;
                }
            }
        }
        self.end_run(&mut run);
    }

    fn end_run(&mut self, run: &mut Vec<String>) {
        if run.len() > 1 {
            let segments = std::mem::take(run);
            self.name(&segments);
        }
        run.clear();
    }
}

/// Every leaf of a `use` tree: its path and the name it binds (`None` for
/// a glob).
fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(ModPath, Option<String>)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let name = n.ident.to_string();
            let path = if name == "self" {
                prefix.clone()
            } else {
                [prefix.clone(), vec![name.clone()]].concat()
            };
            let bound = path.last().cloned();
            out.push((path, bound));
        }
        syn::UseTree::Rename(r) => {
            let path = [prefix.clone(), vec![r.ident.to_string()]].concat();
            out.push((path, Some(r.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), None)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let test = is_cfg_test(item_attrs(item));
        self.in_test += usize::from(test);
        syn::visit::visit_item(self, item);
        self.in_test -= usize::from(test);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let child = [self.scope.clone(), vec![item.ident.to_string()]].concat();
        if item.content.is_some() {
            self.scope = child;
            syn::visit::visit_item_mod(self, item);
            self.scope.pop();
        } else if self.in_test > 0 {
            self.test_children.push(child);
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&item.tree, &mut Vec::new(), &mut leaves);
        let public = !matches!(item.vis, syn::Visibility::Inherited);
        for (path, bound) in leaves {
            let Some(absolute) = self.absolute(&path) else {
                continue;
            };
            if public
                && self.scope == self.file_module
                && let Some(bound) = bound
            {
                self.reexports.insert(bound, absolute.clone());
            }
            self.named.push((absolute, self.in_test > 0));
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() && segments.len() > 1 {
            self.name(&segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tokens(mac.tokens.clone());
        syn::visit::visit_macro(self, mac);
    }
}

impl Tree {
    fn read(src: &Path) -> Self {
        let mut paths = Vec::new();
        rust_files(src, &mut paths);
        let files: BTreeMap<ModPath, PathBuf> = paths
            .iter()
            .filter_map(|p| {
                let relative = p.strip_prefix(src).unwrap().to_path_buf();
                module_of(&relative).map(|m| (m, relative))
            })
            .collect();
        let modules: BTreeSet<ModPath> = files.keys().cloned().collect();
        let mut tree = Tree {
            files: BTreeMap::new(),
            reexports: BTreeMap::new(),
            named: BTreeMap::new(),
            test_modules: BTreeSet::new(),
        };
        for (module, relative) in &files {
            let text = std::fs::read_to_string(src.join(relative)).unwrap();
            let ast = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("{} does not parse: {e}", relative.display()));
            let mut collector = Collector {
                modules: &modules,
                scope: module.clone(),
                named: Vec::new(),
                reexports: BTreeMap::new(),
                file_module: module.clone(),
                in_test: 0,
                test_children: Vec::new(),
            };
            collector.visit_file(&ast);
            tree.named.insert(relative.clone(), collector.named);
            tree.reexports.insert(module.clone(), collector.reexports);
            tree.test_modules.extend(collector.test_children);
        }
        tree.files = files;
        tree
    }

    /// Whether a file is test code: a module declared `#[cfg(test)]`, or
    /// inside one.
    fn is_test_file(&self, module: &[String]) -> bool {
        (1..=module.len()).any(|n| self.test_modules.contains(&module[..n]))
    }

    /// The file that defines what `path` names, following re-exports.
    fn file_of(&self, path: &[String]) -> Option<&PathBuf> {
        let mut path = path.to_vec();
        for _ in 0..16 {
            let (module, rest) = (0..=path.len())
                .rev()
                .map(|n| path.split_at(n))
                .find(|(module, _)| self.files.contains_key(*module))?;
            let reexported = rest
                .first()
                .and_then(|name| self.reexports.get(module)?.get(name));
            match reexported {
                Some(target) if target.as_slice() != path.as_slice() => {
                    path = [target.clone(), rest[1..].to_vec()].concat();
                }
                _ => return self.files.get(module),
            }
        }
        None
    }

    /// Which files each file imports from (itself and the crate root
    /// aside); `tests` says whether to count what only test code names.
    fn imports(&self, tests: bool) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let root = self.files.get(&Vec::new());
        let test_files: BTreeSet<&PathBuf> = self
            .files
            .iter()
            .filter(|(module, _)| self.is_test_file(module))
            .map(|(_, file)| file)
            .collect();
        self.named
            .iter()
            .map(|(file, named)| {
                let in_test_file = test_files.contains(file);
                let targets = named
                    .iter()
                    .filter(|(_, test)| tests || !(*test || in_test_file))
                    .filter_map(|(path, _)| self.file_of(path))
                    .filter(|target| *target != file && Some(*target) != root)
                    .cloned()
                    .collect();
                (file.clone(), targets)
            })
            .collect()
    }

    /// The module a file is.
    fn module_of_file(&self, file: &Path) -> Option<&ModPath> {
        self.files
            .iter()
            .find(|(_, f)| f.as_path() == file)
            .map(|(m, _)| m)
    }

    /// Whether one of two files is the module the other is declared in.
    fn parent_and_child(&self, a: &Path, b: &Path) -> bool {
        let (Some(a), Some(b)) = (self.module_of_file(a), self.module_of_file(b)) else {
            return false;
        };
        let is_parent = |p: &ModPath, c: &ModPath| c.len() == p.len() + 1 && c.starts_with(p);
        is_parent(a, b) || is_parent(b, a)
    }
}

/// The layer a file belongs to, as the drawing names it: `model/` for any
/// file under `src/model/`, `config.rs` for `src/config.rs`.
fn member_of(file: &Path) -> String {
    let mut parts = file.components();
    let first = parts.next().unwrap().as_os_str().to_string_lossy();
    if parts.next().is_some() {
        format!("{first}/")
    } else {
        first.into_owned()
    }
}

/// The layers drawn in the ```` ```layers ```` block, lowest first; each
/// line of the drawing is one layer, its members the `name/` and `name.rs`
/// words on it.
fn read_layers(markdown: &str) -> Vec<Vec<String>> {
    let block = markdown
        .split("```layers")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/architecture.md has a ```layers block");
    let mut layers: Vec<Vec<String>> = block
        .lines()
        .map(members_on)
        .filter(|members| !members.is_empty())
        .collect();
    layers.reverse();
    layers
}

/// The `name/` and `name.rs` words of one line of the drawing.
fn members_on(line: &str) -> Vec<String> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '/' || c == '.'))
        .filter(|w| {
            let stem = w.strip_suffix('/').or_else(|| w.strip_suffix(".rs"));
            stem.is_some_and(|s| {
                !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
        })
        .map(str::to_string)
        .collect()
}

/// Everything wrong with a tree against a layer order, one line each.
fn violations(src: &Path, layers: &[Vec<String>]) -> Vec<String> {
    let tree = Tree::read(src);
    let imports = tree.imports(true);
    let shipped = tree.imports(false);
    let rank: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (m.as_str(), i)))
        .collect();
    let mut found = Vec::new();
    let root = tree.files.get(&Vec::new());
    let mut unplaced = BTreeSet::new();
    for file in tree.files.values().filter(|f| Some(*f) != root) {
        let member = member_of(file);
        if !rank.contains_key(member.as_str()) && unplaced.insert(member.clone()) {
            found.push(format!(
                "{member} ({}) is in no layer of the drawing",
                file.display()
            ));
        }
    }
    for (file, targets) in &imports {
        let from = member_of(file);
        for target in targets {
            let to = member_of(target);
            if from == to {
                continue;
            }
            let (Some(&high), Some(&low)) = (rank.get(from.as_str()), rank.get(to.as_str())) else {
                continue;
            };
            if low >= high {
                found.push(format!(
                    "{} imports {} from {} (layer {}), which is not below {} (layer {})",
                    file.display(),
                    target.display(),
                    to,
                    low,
                    from,
                    high
                ));
            }
        }
    }
    found.extend(circles(&tree, &shipped));
    found
}

/// Every circle of imports among shipped code, shortest first from each
/// file, each reported once: `a.rs → b.rs → a.rs`. A module and the files it
/// declares do not count (the parent names them; they use its helpers).
fn circles(tree: &Tree, imports: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<String> {
    let next = |file: &PathBuf| -> Vec<PathBuf> {
        imports
            .get(file)
            .into_iter()
            .flatten()
            // Across folders, the layers already forbid one direction.
            .filter(|target| member_of(target) == member_of(file))
            .filter(|target| !tree.parent_and_child(file, target))
            .cloned()
            .collect()
    };
    let mut reported: BTreeSet<PathBuf> = BTreeSet::new();
    let mut found = Vec::new();
    for start in imports.keys() {
        if reported.contains(start) {
            continue;
        }
        // Breadth first from `start`: the first way back is a shortest circle.
        let mut came_from: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut last = None;
        while let Some(file) = queue.pop_front() {
            for target in next(&file) {
                if &target == start {
                    last = Some(file.clone());
                    break;
                }
                if !came_from.contains_key(&target) {
                    came_from.insert(target.clone(), file.clone());
                    queue.push_back(target);
                }
            }
            if last.is_some() {
                break;
            }
        }
        let Some(mut file) = last else {
            continue;
        };
        let mut circle = vec![start.clone()];
        while &file != start {
            circle.push(file.clone());
            file = came_from[&file].clone();
        }
        circle[1..].reverse();
        circle.push(start.clone());
        reported.extend(circle.iter().cloned());
        let names: Vec<String> = circle.iter().map(|f| f.display().to_string()).collect();
        found.push(format!("a circle of imports: {}", names.join(" → ")));
    }
    found
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn documented_layers() -> Vec<Vec<String>> {
    read_layers(&std::fs::read_to_string(repo().join("docs/architecture.md")).unwrap())
}

#[test]
fn every_import_runs_down_the_documented_layers() {
    let layers = documented_layers();
    let found = violations(&repo().join("src"), &layers);
    assert!(
        found.is_empty(),
        "{} problems:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_layer_in_the_drawing_exists() {
    for member in documented_layers().concat() {
        let path = repo().join("src").join(&member);
        assert!(
            path.exists(),
            "the drawing names {member}, which src/ does not have"
        );
    }
}

/// A small tree: `high/` above `low/` and its peer `side.rs`, both above
/// `util.rs`; `files` replace or add to it.
fn synthetic(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let base = [
        (
            "lib.rs",
            "pub mod high;\npub mod low;\npub mod side;\npub mod util;\n",
        ),
        ("util.rs", "pub fn helper() {}\n"),
        ("side.rs", "pub fn side() { crate::util::helper() }\n"),
        ("low/mod.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n"),
        ("low/a.rs", "pub struct Thing;\n"),
        (
            "low/b.rs",
            "use super::Thing;\npub fn b(_: Thing) { crate::util::helper() }\n",
        ),
        ("high/mod.rs", "pub mod c;\n"),
        (
            "high/c.rs",
            "use crate::low::Thing;\npub fn c(_: Thing) {}\n",
        ),
    ];
    let mut all: BTreeMap<&str, &str> = base.into_iter().collect();
    all.extend(files.iter().copied());
    for (path, text) in all {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const SYNTHETIC_LAYERS: &str = "```layers\n  high/\n  low/   side.rs\n  util.rs\n```\n";

fn synthetic_violations(files: &[(&str, &str)]) -> Vec<String> {
    let tree = synthetic(files);
    violations(tree.path(), &read_layers(SYNTHETIC_LAYERS))
}

#[test]
fn the_check_passes_a_clean_tree() {
    assert_eq!(synthetic_violations(&[]), Vec::<String>::new());
}

#[test]
fn the_check_fails_on_a_planted_upward_import() {
    for planted in [
        "use crate::high::c::c;\npub struct Thing;\n",
        "pub struct Thing;\nfn f() { crate::high::c::c(Thing) }\n",
        "pub struct Thing;\nfn f() { assert!(matches!(crate::high::c::c(Thing), ())) }\n",
        "pub struct Thing;\n#[cfg(test)]\nmod tests {\n    use crate::high::c::c;\n}\n",
    ] {
        assert_eq!(
            synthetic_violations(&[("low/a.rs", planted)]),
            vec![
                "low/a.rs imports high/c.rs from high/ (layer 2), which is not below low/ (layer 1)"
            ],
            "{planted}"
        );
    }
}

#[test]
fn the_check_fails_on_peers_importing_each_other() {
    assert_eq!(
        synthetic_violations(&[("side.rs", "pub fn side(_: crate::low::a::Thing) {}\n")]),
        vec!["side.rs imports low/a.rs from low/ (layer 1), which is not below side.rs (layer 1)"]
    );
}

#[test]
fn the_check_fails_on_two_files_importing_each_other() {
    // b.rs names `super::Thing`, which the folder re-exports from a.rs.
    assert_eq!(
        synthetic_violations(&[(
            "low/a.rs",
            "pub struct Thing;\nfn f() { super::b::b(Thing) }\n"
        )]),
        vec!["a circle of imports: low/a.rs → low/b.rs → low/a.rs"]
    );
    // Test code may reach back; shipped code may not.
    let test_only =
        "pub struct Thing;\n#[cfg(test)]\nmod tests {\n    use super::super::b::b;\n}\n";
    assert_eq!(
        synthetic_violations(&[("low/a.rs", test_only)]),
        Vec::<String>::new()
    );
}

#[test]
fn the_check_fails_on_a_longer_circle() {
    let found = synthetic_violations(&[
        (
            "low/mod.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub use a::Thing;\n",
        ),
        ("low/a.rs", "pub struct Thing;\nfn f() { super::c::c() }\n"),
        ("low/c.rs", "pub fn c() { super::b::b() }\n"),
    ]);
    assert_eq!(
        found,
        vec!["a circle of imports: low/a.rs → low/c.rs → low/b.rs → low/a.rs"]
    );
}

#[test]
fn the_check_fails_on_a_folder_missing_from_the_drawing() {
    let found = synthetic_violations(&[
        (
            "lib.rs",
            "pub mod extra;\npub mod high;\npub mod low;\npub mod side;\npub mod util;\n",
        ),
        ("extra/mod.rs", "pub mod one;\n"),
        ("extra/one.rs", ""),
    ]);
    assert_eq!(
        found,
        vec!["extra/ (extra/mod.rs) is in no layer of the drawing"]
    );
}
