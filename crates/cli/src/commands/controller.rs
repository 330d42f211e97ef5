//! `alpaca controller`: the HPA controller against the cluster of the kubeconfig (or the
//! in-cluster config in a pod), until SIGTERM.

/// Arguments of `alpaca controller` (kube-controller-manager's flag names).
pub type Args = alpaca_controller::ControllerArgs;

/// Runs `alpaca controller`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(alpaca_controller::run(args))?;
    Ok(())
}
