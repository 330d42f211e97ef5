//! `alpaca snapshot [-n NS] NAME`: a live autoscaler captured into a Snapshot (with the
//! memory the controller persisted), to replay with `alpaca decide` or attach to a bug
//! report.

use alpaca_controller::{EngineFlags, Mode, Target};
use anyhow::Context;

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

/// A target on a cluster, ready to be read.
pub struct Connected {
    pub runtime: tokio::runtime::Runtime,
    pub client: kube::Client,
    pub target: Target,
    /// The cluster, as errors name it.
    pub cluster: String,
}

impl TargetArgs {
    /// The target, and a runtime with a client for it.
    pub fn connect(self) -> anyhow::Result<Connected> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let (client, url) = runtime.block_on(self.kube.client())?;
        let cluster = self.kube.describe(&url);
        let target = Target {
            namespace: self.namespace,
            name: self.name,
            mode: self.mode,
            engine: self.engine,
        };
        Ok(Connected {
            runtime,
            client,
            target,
            cluster,
        })
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
    let live = args.target.connect()?;
    let snapshot = live
        .runtime
        .block_on(alpaca_controller::snapshot(live.client, &live.target))
        .with_context(|| format!("cluster {}", live.cluster))?;
    output::print(&snapshot, args.output)
}
