//! `alpaca install-plugin --dir DIR`: links `DIR/kubectl-alpaca` to the binary, accepts
//! being run again, and replaces something else only with `--force`.

use std::path::Path;
use std::process::{Command, Output};

fn install(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_alpaca"))
        .arg("install-plugin")
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .output()
        .expect("the alpaca binary runs")
}

fn binary() -> std::path::PathBuf {
    std::fs::canonicalize(env!("CARGO_BIN_EXE_alpaca")).expect("the binary exists")
}

#[test]
fn links_once_and_again() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let link = dir.path().join("kubectl-alpaca");
    let out = install(dir.path(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::canonicalize(&link).expect("a link"), binary());
    let out = install(dir.path(), &[]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("already runs"));
}

#[test]
fn something_else_is_kept_unless_forced() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let link = dir.path().join("kubectl-alpaca");
    std::fs::write(&link, "#!/bin/sh\n").expect("a file written");
    let out = install(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&link).expect("still a file"),
        "#!/bin/sh\n"
    );
    let out = install(dir.path(), &["--force"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::canonicalize(&link).expect("a link"), binary());
}

#[test]
fn a_missing_directory_is_named() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("nowhere");
    let out = install(&missing, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nowhere") && err.contains("not a directory"),
        "{err}"
    );
}
