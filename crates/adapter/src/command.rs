//! The subcommands of `alpaca adapter` (without one, it serves): `check-apiservice`, run
//! before installing, says who serves the metrics APIs now and fails when installing would
//! take an APIService over from another adapter.

use std::path::PathBuf;

use crate::apiservice::{self, API_SERVICES, ServiceRef};
use crate::error::AdapterError;

/// What `alpaca adapter` does instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum AdapterCommand {
    /// Check that the metrics APIServices are free (or already ours) before installing.
    CheckApiservice(CheckApiServiceArgs),
}

/// Flags of `alpaca adapter check-apiservice`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckApiServiceArgs {
    /// The cluster to check (default: in-cluster, then $KUBECONFIG or ~/.kube/config).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,

    /// The adapter's Service, NAMESPACE/NAME, as the manifest names it.
    #[arg(long, default_value = "custom-metrics/alpaca-adapter")]
    pub service: ServiceRef,

    /// The APIServices to check (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = API_SERVICES.map(String::from))]
    pub api_services: Vec<String>,

    /// Succeed even if another service serves one of them (installing will take it over).
    #[arg(long)]
    pub allow_takeover: bool,
}

/// Runs a subcommand, printing what was found.
pub async fn run(command: AdapterCommand) -> Result<(), AdapterError> {
    match command {
        AdapterCommand::CheckApiservice(args) => {
            let client = crate::config::kube_client(args.kubeconfig.as_deref()).await?;
            let found = apiservice::check(
                client,
                &args.api_services,
                &args.service,
                args.allow_takeover,
            )
            .await?;
            for (name, owner) in found {
                println!("{name}: {owner}");
            }
            Ok(())
        }
    }
}
