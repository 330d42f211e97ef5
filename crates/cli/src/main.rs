//! `alpaca`: the Kubernetes Horizontal Pod Autoscaler, explainable and runnable without a
//! cluster. This binary is the imperative shell around the engine: it parses arguments,
//! reads files, and prints.

mod commands;
mod exit;

use clap::{Parser, Subcommand};

// mimalloc: the engine allocates many small objects per decision, and glibc's malloc both
// costs more per call and scatters large Snapshots (decide is 2-3x faster with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An HPA even an alpaca can understand: kube-controller-manager's HorizontalPodAutoscaler,
/// decision for decision, with every step explained.
#[derive(Parser)]
#[command(name = "alpaca", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide one HPA sync from a Snapshot file, as kube-controller-manager would.
    Decide(commands::decide::Args),
    /// Simulate a cluster running an HPA: the Kubernetes walkthrough on a laptop, in seconds.
    Simulate(commands::simulate::Args),
    /// Run the HPA controller against a cluster (kube-controller-manager's flags).
    Controller(Box<commands::controller::Args>),
    /// Capture a live autoscaler into a Snapshot (with its persisted memory).
    Snapshot(commands::snapshot::Args),
    /// Explain why a live autoscaler has the replicas it has.
    Explain(commands::explain::Args),
    /// Serve custom.metrics.k8s.io and external.metrics.k8s.io (memory or Prometheus backend).
    Adapter(Box<commands::adapter::Args>),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decide(args) => commands::decide::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        Command::Controller(args) => commands::controller::run(*args),
        Command::Snapshot(args) => commands::snapshot::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Adapter(args) => commands::adapter::run(*args),
    };
    exit::report(result)
}
