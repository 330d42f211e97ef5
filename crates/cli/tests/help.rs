//! What a newcomer reads first: `alpaca --help` leads to the walkthrough, an explanation
//! and a real cluster; every subcommand's help has examples, and every file they name is in
//! the repository; `alpaca completion` prints scripts that know the subcommands.

use std::path::Path;
use std::process::Command;

const SUBCOMMANDS: [&str; 8] = [
    "decide",
    "simulate",
    "controller",
    "snapshot",
    "explain",
    "adapter",
    "install-plugin",
    "completion",
];

/// Runs the binary; returns its stdout, failing the test on a non-zero exit.
fn alpaca(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_alpaca"))
        .args(args)
        .output()
        .expect("the alpaca binary runs");
    assert!(
        out.status.success(),
        "alpaca {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The repository's root (the workspace above crates/cli).
fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli is two levels down")
}

/// Words of `text` that name YAML files of the repository (`examples/…`, `deploy/…`).
fn repo_files(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| "`'\"(),;".contains(c)))
        .filter(|w| w.starts_with("examples/") || w.starts_with("deploy/"))
        .filter(|w| w.ends_with(".yaml"))
        .collect()
}

#[test]
fn top_help_leads_to_the_first_examples() {
    let help = alpaca(&["--help"]);
    assert!(help.contains("Usage: alpaca <COMMAND>"), "{help}");
    for word in [
        "simulate",
        "decide",
        "explain",
        "examples/php-apache.yaml",
        "examples/snapshots/php-apache-scale-up.yaml",
        "kubectl alpaca explain",
    ] {
        assert!(help.contains(word), "no {word:?} in alpaca --help:\n{help}");
    }
}

#[test]
fn every_subcommand_has_examples_that_exist() {
    let mut named = repo_files(&alpaca(&["--help"])).len();
    for sub in SUBCOMMANDS {
        let help = alpaca(&[sub, "--help"]);
        assert!(help.contains("Examples:"), "alpaca {sub} --help:\n{help}");
        let example = format!("alpaca {sub}");
        assert!(help.contains(&example), "no {example:?} in:\n{help}");
        for file in repo_files(&help) {
            assert!(
                repo().join(file).is_file(),
                "alpaca {sub} --help names {file}, which is not in the repository"
            );
            named += 1;
        }
    }
    assert!(
        named >= 5,
        "the examples name only {named} repository files"
    );
}

#[test]
fn bash_completion_knows_the_subcommands() {
    let script = alpaca(&["completion", "bash"]);
    assert!(script.contains("complete -F"), "{script}");
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "no {sub} in the bash completion");
    }
    for flag in ["--context", "--kubeconfig", "--explain", "--plot"] {
        assert!(script.contains(flag), "no {flag} in the bash completion");
    }
    for shell in ["zsh", "fish"] {
        assert!(
            alpaca(&["completion", shell]).contains("explain"),
            "{shell}"
        );
    }
}

#[test]
fn unknown_shell_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_alpaca"))
        .args(["completion", "tcsh"])
        .output()
        .expect("the alpaca binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tcsh"));
}
