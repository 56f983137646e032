//! The integration tests stay in a few binaries: a `tests/*.rs` file would be
//! a binary of its own (linking the whole library again), and a file in a
//! group's folder without its `mod` line in `main.rs` would never compile or
//! run, silently.

use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn rust_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs"))
        .collect();
    names.sort();
    names
}

/// Folders holding a `main.rs`: the test binaries Cargo builds.
fn groups() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(tests_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("main.rs").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn no_test_file_is_a_binary_of_its_own() {
    let loose = rust_files(&tests_dir());
    assert!(
        loose.is_empty(),
        "tests/{loose:?} would each be a test binary linking the whole library; \
         move them into one of the groups (tests/<group>/, a `mod` line in its main.rs)"
    );
    let names: Vec<_> = groups()
        .iter()
        .map(|g| g.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["cli", "export", "limits", "load", "pipeline", "tui"]
    );
}

#[test]
fn every_file_of_a_group_is_a_module_of_its_binary() {
    for group in groups() {
        let main = std::fs::read_to_string(group.join("main.rs")).unwrap();
        let declared: Vec<&str> = main
            .lines()
            .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
            .collect();
        for file in rust_files(&group) {
            let module = file.trim_end_matches(".rs");
            assert!(
                module == "main" || declared.contains(&module),
                "{}/{file} is not declared in its main.rs (`mod {module};`), so it never runs",
                group.display()
            );
        }
    }
}
