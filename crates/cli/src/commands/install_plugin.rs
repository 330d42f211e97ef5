//! `alpaca install-plugin [--dir DIR]`: makes `kubectl alpaca` work by linking
//! `DIR/kubectl-alpaca` to this binary (kubectl runs any `kubectl-NAME` it finds on `PATH`).

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit::BadInput;
use crate::invocation::PLUGIN_FILE;

/// Arguments of `alpaca install-plugin`.
#[derive(clap::Args)]
pub struct Args {
    /// Where to put `kubectl-alpaca`: a directory on `PATH` (default: this binary's own,
    /// e.g. `~/.cargo/bin` after `cargo install`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace a `kubectl-alpaca` that is there already and is something else.
    #[arg(long)]
    pub force: bool,
}

/// Runs `alpaca install-plugin`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .context("cannot tell where this binary is")?;
    let dir = match args.dir {
        Some(dir) => dir,
        None => exe
            .parent()
            .map(Path::to_path_buf)
            .context("this binary has no parent directory; pass --dir")?,
    };
    if !dir.is_dir() {
        return Err(BadInput(format!("--dir {}: not a directory", dir.display())).into());
    }
    let link = dir.join(format!("{PLUGIN_FILE}{}", std::env::consts::EXE_SUFFIX));
    if std::fs::symlink_metadata(&link).is_ok() {
        if std::fs::canonicalize(&link).is_ok_and(|target| target == exe) {
            println!("{} already runs {}", link.display(), exe.display());
            return report_path(&dir);
        }
        if !args.force {
            return Err(BadInput(format!(
                "{} exists and is not a link to {}; pass --force to replace it",
                link.display(),
                exe.display()
            ))
            .into());
        }
        std::fs::remove_file(&link).with_context(|| format!("removing {}", link.display()))?;
    }
    symlink(&exe, &link)
        .with_context(|| format!("linking {} to {}", link.display(), exe.display()))?;
    println!("{} -> {}", link.display(), exe.display());
    report_path(&dir)
}

/// Tells whether kubectl will find the plugin, and how to check.
fn report_path(dir: &Path) -> anyhow::Result<()> {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|p| same_dir(&p, dir)));
    if on_path {
        println!("kubectl alpaca is ready (`kubectl plugin list` shows it).");
    } else {
        println!(
            "{} is not on PATH: add it (export PATH=\"{}:$PATH\") for kubectl to find the plugin.",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    // a copy: symbolic links need privileges on Windows
    std::fs::copy(target, link).map(|_| ())
}
