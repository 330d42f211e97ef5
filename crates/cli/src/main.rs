//! `alpaca`: the Kubernetes Horizontal Pod Autoscaler, explainable and runnable without a
//! cluster. This binary is the imperative shell around the engine: it parses arguments,
//! reads files, and prints.

mod commands;
mod exit;

use clap::{Parser, Subcommand};

/// An HPA even an alpaca can understand: kube-controller-manager's HorizontalPodAutoscaler,
/// decision for decision, with every step explained.
#[derive(Parser)]
#[command(name = "alpaca", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide one HPA sync from a Snapshot file, as kube-controller-manager would.
    Decide(commands::decide::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decide(args) => commands::decide::run(args),
    };
    exit::report(result)
}
