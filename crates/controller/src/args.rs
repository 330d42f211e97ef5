//! The command-line flags of `alpaca controller`, named and defaulted as
//! kube-controller-manager names them where it has an equivalent.

use std::path::PathBuf;
use std::time::Duration;

use alpaca_engine::snapshot::ControllerConfig;
use alpaca_metrics_api::GoDuration;
#[cfg(test)]
use clap::Parser;
use clap::{ArgAction, ValueEnum};

/// Which objects the controller reconciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Mode {
    /// `autoscaling/v2` HorizontalPodAutoscalers (the built-in HPA controller must be off).
    #[default]
    Hpa,
    /// `alpaca.dev/v1` HorizontalPodAutoscalers: same schema, ignored by the built-in controller.
    Crd,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The decision flags of kube-controller-manager's HPA controller (shared by
/// `alpaca controller`, `alpaca snapshot` and `alpaca explain`).
#[derive(Debug, Clone, clap::Args)]
pub struct EngineFlags {
    /// Minimum change (from 1.0) in the desired-to-actual metrics ratio for the HPA to act.
    #[arg(long = "horizontal-pod-autoscaler-tolerance", default_value_t = 0.1)]
    pub tolerance: f64,
    /// Period after pod start when CPU samples might be skipped.
    #[arg(
        long = "horizontal-pod-autoscaler-cpu-initialization-period",
        default_value = "5m",
        value_parser = go_duration
    )]
    pub cpu_initialization_period: GoDuration,
    /// Period after pod start during which readiness changes are treated as initial readiness.
    #[arg(
        long = "horizontal-pod-autoscaler-initial-readiness-delay",
        default_value = "30s",
        value_parser = go_duration
    )]
    pub initial_readiness_delay: GoDuration,
    /// Period for which the autoscaler looks backwards and does not scale down below any
    /// recommendation it made during that period.
    #[arg(
        long = "horizontal-pod-autoscaler-downscale-stabilization",
        default_value = "5m",
        value_parser = go_duration
    )]
    pub downscale_stabilization: GoDuration,
    /// The `HPAScaleToZero` feature gate (beta, on by default since Kubernetes 1.37):
    /// `minReplicas: 0` with an Object or External metric. `--hpa-scale-to-zero=false`
    /// keeps the rules of clusters before 1.37 (0 replicas pause the autoscaler).
    #[arg(long = "hpa-scale-to-zero", default_value_t = true, action = clap::ArgAction::Set)]
    pub hpa_scale_to_zero: bool,
}

impl EngineFlags {
    /// The engine's view of these flags.
    pub fn config(&self) -> ControllerConfig {
        ControllerConfig {
            tolerance: self.tolerance,
            cpu_initialization_period: self.cpu_initialization_period,
            initial_readiness_delay: self.initial_readiness_delay,
            downscale_stabilization_window: self.downscale_stabilization,
            hpa_scale_to_zero: self.hpa_scale_to_zero,
        }
    }
}

/// The flags of `alpaca controller`.
#[derive(Debug, Clone, clap::Args)]
pub struct ControllerArgs {
    /// The decision flags.
    #[command(flatten)]
    pub engine: EngineFlags,
    /// How often each autoscaler is synced.
    #[arg(
        long = "horizontal-pod-autoscaler-sync-period",
        default_value = "15s",
        value_parser = go_duration
    )]
    pub sync_period: GoDuration,
    /// Random extra delay added to each resync, as a fraction of the sync period.
    #[arg(long, default_value_t = 0.1)]
    pub sync_jitter: f64,
    /// First retry delay after a failed sync (doubles per failure; never more than the
    /// sync period: upstream retries a failed autoscaler at the sync period).
    #[arg(long, default_value = "15s", value_parser = go_duration)]
    pub sync_backoff_base: GoDuration,
    /// Longest retry delay after failed syncs (never more than the sync period).
    #[arg(long, default_value = "15s", value_parser = go_duration)]
    pub sync_backoff_max: GoDuration,
    /// Deadline of one API request (watches excepted): a metrics API that never answers
    /// fails the sync after this long, with a condition and an event.
    #[arg(long, default_value = "10s", value_parser = go_duration)]
    pub request_timeout: GoDuration,
    /// `/healthz` fails when a sync has run, or a watch has failed without a break, for
    /// longer than this (so the kubelet restarts a wedged controller).
    #[arg(long, default_value = "5m", value_parser = go_duration)]
    pub liveness_timeout: GoDuration,
    /// What to reconcile: `hpa` (autoscaling/v2 HPAs) or `crd` (alpaca.dev/v1 HPAs).
    #[arg(long, value_enum, env = "ALPACA_MODE", default_value_t = Mode::Hpa)]
    pub mode: Mode,
    /// Only this namespace (default: all namespaces).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Autoscalers synced at the same time.
    #[arg(
        long,
        alias = "concurrent-horizontal-pod-autoscaler-syncs",
        default_value_t = 5
    )]
    pub concurrency: usize,
    /// How often the memory of each autoscaler is written to the cluster (at most).
    #[arg(long, default_value = "15s", value_parser = go_duration)]
    pub memory_flush_interval: GoDuration,
    /// Shortest time between two memory writes of one autoscaler (shutdown and leader
    /// hand-over excepted); a memory is written only when a later decision could notice.
    #[arg(long, default_value = "1m", value_parser = go_duration)]
    pub memory_min_write_interval: GoDuration,
    /// In `--mode hpa`, write autoscalers whose status another field manager (e.g.
    /// kube-controller-manager's built-in HPA controller) wrote recently (off: such
    /// autoscalers are left alone, with a Warning event `AnotherControllerActive`).
    #[arg(long, default_value_t = false, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true")]
    pub allow_other_hpa_writers: bool,
    /// Run only while holding the leader Lease (`--leader-elect=false` to turn off).
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true")]
    pub leader_elect: bool,
    /// Name of the leader Lease.
    #[arg(long, default_value = "alpaca-controller")]
    pub leader_elect_resource_name: String,
    /// Namespace of the leader Lease (default: `$POD_NAMESPACE`, else `kube-system`).
    #[arg(long)]
    pub leader_elect_resource_namespace: Option<String>,
    /// How long a leader holds the Lease without renewing it (whole seconds).
    #[arg(long, default_value = "15s", value_parser = go_duration)]
    pub leader_elect_lease_duration: GoDuration,
    /// How long before the Lease expires the leader renews it (whole seconds): the leader
    /// renews every lease duration minus this (2 s by default, upstream's retry period).
    #[arg(long, default_value = "13s", value_parser = go_duration)]
    pub leader_elect_renew_margin: GoDuration,
    /// How long after its last successful renew a leader that cannot renew stops every
    /// write and exits (before the Lease could be taken: shorter than the lease duration).
    #[arg(long, default_value = "10s", value_parser = go_duration)]
    pub leader_elect_renew_deadline: GoDuration,
    /// This replica's identity in the Lease (default: `$POD_NAME`, else the hostname).
    #[arg(long)]
    pub leader_elect_identity: Option<String>,
    /// Where `/metrics`, `/healthz` and `/readyz` are served; `0` turns the server off.
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub metrics_bind_address: String,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// A kubeconfig file (default: in-cluster config in a pod, else `$KUBECONFIG` or
    /// `~/.kube/config`).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,
}

#[cfg(test)]
#[derive(Parser)]
struct Defaults {
    #[command(flatten)]
    args: ControllerArgs,
}

impl Default for EngineFlags {
    fn default() -> Self {
        let c = ControllerConfig::kubernetes_1_37();
        Self {
            tolerance: c.tolerance,
            cpu_initialization_period: c.cpu_initialization_period,
            initial_readiness_delay: c.initial_readiness_delay,
            downscale_stabilization: c.downscale_stabilization_window,
            hpa_scale_to_zero: c.hpa_scale_to_zero,
        }
    }
}

/// The flags' defaults (what `alpaca controller` with no flags and no `ALPACA_MODE` runs
/// with).
impl Default for ControllerArgs {
    fn default() -> Self {
        Self {
            engine: EngineFlags::default(),
            sync_period: GoDuration::from_secs(15),
            sync_jitter: 0.1,
            sync_backoff_base: GoDuration::from_secs(15),
            sync_backoff_max: GoDuration::from_secs(15),
            request_timeout: GoDuration::from_secs(10),
            liveness_timeout: GoDuration::from_secs(300),
            mode: Mode::Hpa,
            namespace: None,
            concurrency: 5,
            memory_flush_interval: GoDuration::from_secs(15),
            memory_min_write_interval: GoDuration::from_secs(60),
            allow_other_hpa_writers: false,
            leader_elect: true,
            leader_elect_resource_name: "alpaca-controller".into(),
            leader_elect_resource_namespace: None,
            leader_elect_lease_duration: GoDuration::from_secs(15),
            leader_elect_renew_margin: GoDuration::from_secs(13),
            leader_elect_renew_deadline: GoDuration::from_secs(10),
            leader_elect_identity: None,
            metrics_bind_address: "0.0.0.0:8080".into(),
            log_format: LogFormat::Text,
            kubeconfig: None,
        }
    }
}

impl ControllerArgs {
    /// When autoscalers sync: every period (plus jitter), and after a failure with a
    /// backoff capped at the period — upstream's HPA queue retries a failed autoscaler at
    /// the resync period, so a failing one is never left for minutes.
    pub fn timing(&self) -> crate::workers::Timing {
        let period = self.sync_period();
        let capped = |d: GoDuration| to_std(d).max(Duration::from_millis(1)).min(period);
        crate::workers::Timing {
            period,
            jitter: self.sync_jitter,
            backoff_base: capped(self.sync_backoff_base),
            backoff_max: capped(self.sync_backoff_max),
        }
    }

    /// The request timeout as a std duration (zero: none).
    pub fn request_timeout(&self) -> Duration {
        to_std(self.request_timeout)
    }

    /// The sync period as a std duration (at least 1 ms).
    pub fn sync_period(&self) -> Duration {
        to_std(self.sync_period).max(Duration::from_millis(1))
    }
}

/// A non-negative Go duration as a std duration (negative ones are zero).
pub(crate) fn to_std(d: GoDuration) -> Duration {
    Duration::from_nanos(u64::try_from(d.nanos).unwrap_or(0))
}

fn go_duration(s: &str) -> Result<GoDuration, String> {
    let d = GoDuration::parse(s).map_err(|e| e.to_string())?;
    if d.nanos < 0 {
        return Err(format!("duration {s:?} must not be negative"));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_kube_controller_manager() {
        let a = ControllerArgs::default();
        let parsed = Defaults::parse_from(["x"]).args;
        assert_eq!(format!("{a:?}"), format!("{parsed:?}"));
        assert_eq!(a.sync_period, GoDuration::from_secs(15));
        assert_eq!(a.engine.config(), ControllerConfig::kubernetes_1_37());
        assert!(a.leader_elect);
        assert_eq!(a.mode, Mode::Hpa);
        assert_eq!(a.concurrency, 5);
    }

    #[test]
    fn parses_kcm_flags() {
        let d = Defaults::try_parse_from([
            "x",
            "--horizontal-pod-autoscaler-sync-period=100ms",
            "--horizontal-pod-autoscaler-tolerance=0.2",
            "--horizontal-pod-autoscaler-downscale-stabilization=1m30s",
            "--leader-elect=false",
            "--mode=crd",
        ])
        .unwrap();
        assert_eq!(d.args.sync_period(), Duration::from_millis(100));
        assert_eq!(d.args.engine.tolerance, 0.2);
        assert_eq!(
            d.args.engine.downscale_stabilization,
            GoDuration::from_secs(90)
        );
        assert!(!d.args.leader_elect);
        assert_eq!(d.args.mode, Mode::Crd);
        assert!(Defaults::try_parse_from(["x", "--sync-backoff-base=-1s"]).is_err());
    }

    #[test]
    fn failed_syncs_are_retried_at_the_sync_period_at_the_latest() {
        let t = ControllerArgs::default().timing();
        assert_eq!(t.backoff(1), Duration::from_secs(15));
        assert_eq!(t.backoff(20), Duration::from_secs(15));
        let d = Defaults::try_parse_from([
            "x",
            "--horizontal-pod-autoscaler-sync-period=30s",
            "--sync-backoff-base=1s",
            "--sync-backoff-max=5m",
        ])
        .unwrap();
        let t = d.args.timing();
        assert_eq!(t.backoff(1), Duration::from_secs(1));
        assert_eq!(t.backoff(3), Duration::from_secs(4));
        assert_eq!(
            t.backoff(20),
            Duration::from_secs(30),
            "capped at the period"
        );
    }
}
