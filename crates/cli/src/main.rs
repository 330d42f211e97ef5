//! `alpaca`: the Kubernetes Horizontal Pod Autoscaler, explainable and runnable without a
//! cluster. This binary is the imperative shell around the engine: it parses arguments,
//! reads files, and prints. Run as `kubectl-alpaca`, it is the kubectl plugin `kubectl
//! alpaca` and says so in its usage lines.

mod commands;
mod exit;
mod help;
mod invocation;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

// mimalloc: the engine allocates many small objects per decision, and glibc's malloc both
// costs more per call and scatters large Snapshots (decide is 2-3x faster with mimalloc).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An HPA even an alpaca can understand: kube-controller-manager's HorizontalPodAutoscaler,
/// decision for decision, with every step explained.
///
/// Simulate an autoscaler without a cluster, decide one sync from a Snapshot file, explain
/// a live autoscaler (also as `kubectl alpaca`), or run the controller and the metrics
/// adapter on a real cluster.
#[derive(Parser)]
#[command(
    name = "alpaca",
    version,
    propagate_version = true,
    after_help = help::TOP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide one HPA sync from a Snapshot file, as kube-controller-manager would.
    ///
    /// A Snapshot (docs/snapshot-spec.md) holds everything one sync reads: the HPA, its
    /// target's scale, the pods, the metrics and the controller's memory. `--explain` prints
    /// the steps in words; `-o json|yaml` prints the Decision itself.
    #[command(after_help = help::DECIDE)]
    Decide(commands::decide::Args),
    /// Simulate a cluster running an HPA: the Kubernetes walkthrough on a laptop, in seconds.
    ///
    /// A scenario file (docs/simulator.md) describes the workload, its load over time and
    /// the HPA; the simulated cluster runs it with the real controller loop and prints each
    /// scaling decision, optionally with a plot, a timeline and an explanation.
    #[command(after_help = help::SIMULATE)]
    Simulate(commands::simulate::Args),
    #[cfg(feature = "cluster")]
    /// Run the HPA controller against a cluster (kube-controller-manager's flags).
    ///
    /// In a pod it uses the in-cluster config, elsewhere the kubeconfig; `--mode hpa` takes
    /// over autoscaling/v2 HPAs (with kube-controller-manager's own HPA controller off),
    /// `--mode crd` handles alpaca.dev/v1 autoscalers beside it (docs/controller.md).
    #[command(after_help = help::CONTROLLER)]
    Controller(Box<commands::controller::Args>),
    #[cfg(feature = "cluster")]
    /// Capture a live autoscaler into a Snapshot (with its persisted memory).
    ///
    /// Reads only (GET and LIST); replay the file anywhere with `alpaca decide`. Takes
    /// kubectl's `--kubeconfig`, `--context` and `-n/--namespace`, also as `kubectl alpaca
    /// snapshot`.
    #[command(after_help = help::SNAPSHOT)]
    Snapshot(commands::snapshot::Args),
    #[cfg(feature = "cluster")]
    /// Explain why a live autoscaler has the replicas it has.
    ///
    /// Captures its Snapshot, decides it now and prints the steps in words, without
    /// writing anything. Takes kubectl's `--kubeconfig`, `--context` and `-n/--namespace`,
    /// also as `kubectl alpaca explain`.
    #[command(after_help = help::EXPLAIN)]
    Explain(commands::explain::Args),
    #[cfg(feature = "cluster")]
    /// Serve custom.metrics.k8s.io and external.metrics.k8s.io (memory or Prometheus backend).
    ///
    /// An aggregated API server for Pods, Object and External metrics (docs/adapter.md).
    #[command(after_help = help::ADAPTER)]
    Adapter(Box<commands::adapter::Args>),
    /// Make `kubectl alpaca` work: link kubectl-alpaca to this binary.
    ///
    /// kubectl runs any executable named `kubectl-NAME` on PATH as `kubectl NAME`; this
    /// links `kubectl-alpaca` to this binary, beside it unless `--dir` says otherwise.
    #[command(after_help = help::INSTALL_PLUGIN)]
    InstallPlugin(commands::install_plugin::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = help::COMPLETION)]
    Completion(commands::completion::Args),
}

fn main() -> std::process::ExitCode {
    let argv0 = std::env::args_os().next();
    let command = Cli::command().bin_name(invocation::display_name(argv0.as_deref()));
    #[cfg(not(feature = "cluster"))]
    let command = command.after_help(help::WITHOUT_CLUSTER);
    let cli = match Cli::from_arg_matches(&command.get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Decide(args) => commands::decide::run(args),
        Command::Simulate(args) => commands::simulate::run(args),
        #[cfg(feature = "cluster")]
        Command::Controller(args) => commands::controller::run(*args),
        #[cfg(feature = "cluster")]
        Command::Snapshot(args) => commands::snapshot::run(args),
        #[cfg(feature = "cluster")]
        Command::Explain(args) => commands::explain::run(args),
        #[cfg(feature = "cluster")]
        Command::Adapter(args) => commands::adapter::run(*args),
        Command::InstallPlugin(args) => commands::install_plugin::run(args),
        Command::Completion(args) => commands::completion::run(args, Cli::command()),
    };
    exit::report(result)
}
