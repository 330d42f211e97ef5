//! The README's two commands share one build: every dependency the first command builds
//! (`cargo run -p alpaca-cli --no-default-features`, the simulator's path) is built with
//! the same features as in the test command's build of the whole workspace, so the test
//! command reuses it instead of building it, and everything above it, a second time.
//!
//! Compares the two dependency graphs as `cargo tree` resolves them and names each
//! dependency whose features drifted (the fix: turn the missing features on in
//! `crates/cli/Cargo.toml`, where the list of such features lives).

use std::collections::BTreeSet;
use std::process::Command;

/// `cargo tree` of a selection: one line per (package, features), sorted and deduplicated.
fn tree(selection: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--prefix", "none", "-f", "{p} [{f}]"])
        .args(selection)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree {selection:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("cargo tree prints UTF-8")
        .lines()
        .map(|l| l.replace(" (*)", "").replace(" (proc-macro)", ""))
        .filter(|l| !l.is_empty() && !l.starts_with("alpaca-cli "))
        .collect()
}

#[test]
fn the_simulator_path_builds_nothing_the_test_build_builds_differently() {
    let first = tree(&[
        "-p",
        "alpaca-cli",
        "--no-default-features",
        "-e",
        "normal,build",
    ]);
    let tests = tree(&["--workspace"]);
    assert!(
        first.len() > 30,
        "the simulator's path has dependencies: {first:?}"
    );
    let drifted: Vec<&String> = first.difference(&tests).collect();
    assert!(
        drifted.is_empty(),
        "built with other features by the test command (so built twice): {drifted:#?}"
    );
}
