//! `alpaca completion SHELL`: a completion script for bash, zsh, fish, elvish or
//! PowerShell, printed to stdout, generated from the same definition as `--help`.

/// Arguments of `alpaca completion`.
#[derive(clap::Args)]
pub struct Args {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the script for `command` (the whole `alpaca` command line definition).
pub fn run(args: Args, mut command: clap::Command) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "alpaca", &mut out);
    Ok(())
}
