//! kubectl's flags for choosing a cluster (`--kubeconfig`, `--context`, `--cluster`,
//! `--user`), so that `kubectl alpaca explain NAME --context X` reaches what `kubectl get
//! hpa NAME --context X` does; `-n/--namespace` lives with the target.

use std::path::PathBuf;

use kube::config::KubeConfigOptions;

/// Which cluster, as kubectl chooses it.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct KubeFlags {
    /// A kubeconfig file (default: `$KUBECONFIG`, `~/.kube/config`, or in-cluster).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its `current-context`).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// The kubeconfig cluster to use (default: the context's).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The kubeconfig user to use (default: the context's).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
}

impl KubeFlags {
    /// The kube-rs options these flags select.
    pub fn options(&self) -> KubeConfigOptions {
        KubeConfigOptions {
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
        }
    }

    /// A client for the chosen cluster (the controller's request timeout and user agent),
    /// and the cluster's URL, for errors.
    pub async fn client(&self) -> anyhow::Result<(kube::Client, String)> {
        let config =
            alpaca_controller::config_with_options(self.kubeconfig.as_deref(), &self.options())
                .await?;
        let url = config.cluster_url.to_string();
        let client =
            alpaca_controller::client_for(config, alpaca_controller::DEFAULT_REQUEST_TIMEOUT)?;
        Ok((client, url))
    }

    /// How errors name the cluster: its URL and the chosen context, if any.
    pub fn describe(&self, url: &str) -> String {
        match &self.context {
            Some(context) => format!("{url} (context {context})"),
            None => url.to_string(),
        }
    }
}
