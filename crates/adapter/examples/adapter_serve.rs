//! Runs the adapter from the command line with the same flags as `alpaca adapter`, for local
//! trials and the load benchmark before the CLI wires it:
//! `cargo run --release -p alpaca-adapter --example adapter_serve -- --insecure-serve-http --enable-write --secure-port 8080`.

use clap::Parser;

/// The adapter's flags.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: alpaca_adapter::AdapterArgs,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(e) = alpaca_adapter::run(cli.args).await {
        eprintln!("adapter: {e}");
        std::process::exit(1);
    }
}
