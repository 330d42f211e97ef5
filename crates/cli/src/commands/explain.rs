//! `alpaca explain [-n NS] NAME`: why a live autoscaler has the replicas it has, in words
//! (its Snapshot decided now, with the controller's persisted memory).

use anyhow::Context;

use super::snapshot::TargetArgs;

/// Arguments of `alpaca explain`.
#[derive(clap::Args)]
pub struct Args {
    /// The autoscaler.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Runs `alpaca explain`.
pub fn run(args: Args) -> anyhow::Result<()> {
    let live = args.target.connect()?;
    let (snapshot, decision) = live
        .runtime
        .block_on(alpaca_controller::explain(live.client, &live.target))
        .with_context(|| format!("cluster {}", live.cluster))?;
    let spec = alpaca_engine::admit(&snapshot.hpa).map(|h| h.spec).ok();
    let reference = spec
        .as_ref()
        .map(|s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name))
        .unwrap_or_default();
    println!(
        "{}/{} scales {reference} between {} and {} replicas.",
        snapshot.hpa.namespace(),
        snapshot.hpa.name(),
        spec.as_ref().and_then(|s| s.min_replicas).unwrap_or(1),
        spec.as_ref().map_or(0, |s| s.max_replicas),
    );
    match &snapshot.history {
        Some(h) => println!(
            "Memory: {} recommendations, {} scale-ups and {} scale-downs remembered.",
            h.recommendations.len(),
            h.scale_up_events.len(),
            h.scale_down_events.len()
        ),
        None => println!("Memory: none persisted yet (first sync)."),
    }
    println!("If it synced now:\n");
    print!("{}", super::decide::explain(&decision));
    Ok(())
}
