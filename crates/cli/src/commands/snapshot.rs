//! `alpaca snapshot [-n NS] NAME`: a live autoscaler captured into a Snapshot (with the
//! memory the controller persisted), to replay with `alpaca decide` or attach to a bug
//! report.

use alpaca_controller::{EngineFlags, Mode, Target};

use super::kube_flags::KubeFlags;
use super::output;

/// Which autoscaler, on which cluster (shared by `snapshot` and `explain`).
#[derive(clap::Args)]
pub struct TargetArgs {
    /// The autoscaler's name.
    pub name: String,
    /// Its namespace (default: the kubeconfig context's).
    #[arg(short, long, value_name = "NS")]
    pub namespace: Option<String>,
    /// `hpa` for autoscaling/v2 HPAs, `crd` for alpaca.dev/v1 ones.
    #[arg(long, value_enum, env = "ALPACA_MODE", default_value_t = Mode::Hpa)]
    pub mode: Mode,
    /// The cluster, chosen as kubectl does.
    #[command(flatten)]
    pub kube: KubeFlags,
    /// The controller's flags, recorded in the Snapshot.
    #[command(flatten)]
    pub engine: EngineFlags,
}

impl TargetArgs {
    /// The target, and a runtime with a client for it.
    pub fn connect(self) -> anyhow::Result<(tokio::runtime::Runtime, kube::Client, Target)> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let client = runtime.block_on(self.kube.client())?;
        let target = Target {
            namespace: self.namespace,
            name: self.name,
            mode: self.mode,
            engine: self.engine,
        };
        Ok((runtime, client, target))
    }
}

/// Arguments of `alpaca snapshot`.
#[derive(clap::Args)]
pub struct Args {
    /// The autoscaler.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = output::Format::Yaml)]
    pub output: output::Format,
}

/// Runs `alpaca snapshot`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let (runtime, client, target) = args.target.connect()?;
    let snapshot = runtime.block_on(alpaca_controller::snapshot(client, &target))?;
    output::print(&snapshot, args.output)
}
