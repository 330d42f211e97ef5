//! The name the binary was run under: `alpaca`, or `kubectl alpaca` when kubectl runs it as
//! the plugin `kubectl-alpaca` (a copy or symlink of this binary found on `PATH`), so that
//! usage lines and examples read the way the user typed them.

use std::ffi::OsStr;
use std::path::Path;

/// The file name kubectl looks for on `PATH` for `kubectl alpaca`.
pub const PLUGIN_FILE: &str = "kubectl-alpaca";

/// How the command is shown in usage lines: `kubectl alpaca` or `alpaca`.
pub fn display_name(argv0: Option<&OsStr>) -> &'static str {
    if is_plugin(argv0) {
        "kubectl alpaca"
    } else {
        "alpaca"
    }
}

/// Whether `argv0` names the kubectl plugin (`kubectl-alpaca`, with or without a directory
/// or an `.exe`).
pub fn is_plugin(argv0: Option<&OsStr>) -> bool {
    argv0
        .map(Path::new)
        .and_then(Path::file_stem)
        .is_some_and(|stem| stem == PLUGIN_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_by_basename() {
        for argv0 in [
            "kubectl-alpaca",
            "/home/me/.cargo/bin/kubectl-alpaca",
            "kubectl-alpaca.exe",
        ] {
            assert_eq!(display_name(Some(OsStr::new(argv0))), "kubectl alpaca");
        }
        for argv0 in ["alpaca", "/usr/bin/alpaca", "kubectl-alpaca-old", ""] {
            assert_eq!(display_name(Some(OsStr::new(argv0))), "alpaca");
        }
        assert_eq!(display_name(None), "alpaca");
    }
}
