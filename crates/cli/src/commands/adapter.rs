//! `alpaca adapter`: the custom and external metrics API server (aggregated API), until
//! SIGTERM.

/// Arguments of `alpaca adapter` (custom-metrics-apiserver's flag names).
pub type Args = alpaca_adapter::AdapterArgs;

/// Runs `alpaca adapter`.
pub fn run(args: Args) -> anyhow::Result<()> {
    // Logs on stderr as the controller writes them (`RUST_LOG`, default info): the
    // adapter says where it serves when it starts.
    alpaca_controller::telemetry::logs::init(alpaca_controller::LogFormat::Text);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(alpaca_adapter::run(args))?;
    Ok(())
}
