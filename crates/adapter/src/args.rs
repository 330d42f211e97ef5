//! The command-line flags of `alpaca adapter`, named like the upstream adapters'
//! (custom-metrics-apiserver and prometheus-adapter) with their defaults where they apply.

use std::net::IpAddr;
use std::path::PathBuf;

use alpaca_metrics_api::GoDuration;

/// Which backend serves the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendKind {
    /// Values written through `write-metrics` (needs `--enable-write` to write).
    Memory,
    /// Values queried from Prometheus according to `--config` rules.
    Prometheus,
}

/// Flags of the metrics adapter.
#[derive(Debug, Clone, clap::Args)]
pub struct AdapterArgs {
    /// Instead of serving: a check to run before installing.
    #[command(subcommand)]
    pub command: Option<crate::command::AdapterCommand>,

    /// The port to serve HTTPS on (plain HTTP with --insecure-serve-http); 0 picks a free one.
    #[arg(long, default_value_t = 6443)]
    pub secure_port: u16,

    /// The address to listen on (default 0.0.0.0; 127.0.0.1 with --insecure-serve-http).
    #[arg(long)]
    pub bind_address: Option<IpAddr>,

    /// PEM certificate (chain) to serve, with --tls-private-key-file; without them a CA and a
    /// serving certificate for localhost (and --tls-sni-hosts) are generated at start.
    #[arg(long, requires = "tls_private_key_file")]
    pub tls_cert_file: Option<PathBuf>,

    /// PEM private key matching --tls-cert-file.
    #[arg(long, requires = "tls_cert_file")]
    pub tls_private_key_file: Option<PathBuf>,

    /// Where to write the generated CA certificate (`ca.crt`, PEM), for clients to trust.
    #[arg(long)]
    pub cert_dir: Option<PathBuf>,

    /// Extra DNS names or IPs for the generated serving certificate (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tls_sni_hosts: Vec<String>,

    /// CA bundle verifying the front proxy's client certificate (the aggregation layer's
    /// `--requestheader-client-ca-file`).
    #[arg(long)]
    pub requestheader_client_ca_file: Option<PathBuf>,

    /// Common names allowed for front-proxy certificates; empty allows any signed by the CA.
    #[arg(long, value_delimiter = ',')]
    pub requestheader_allowed_names: Vec<String>,

    /// Headers holding the user name.
    #[arg(long, value_delimiter = ',', default_value = "X-Remote-User")]
    pub requestheader_username_headers: Vec<String>,

    /// Headers holding the groups.
    #[arg(long, value_delimiter = ',', default_value = "X-Remote-Group")]
    pub requestheader_group_headers: Vec<String>,

    /// Header prefixes holding extra user attributes.
    #[arg(long, value_delimiter = ',', default_value = "X-Remote-Extra-")]
    pub requestheader_extra_headers_prefix: Vec<String>,

    /// CA bundle verifying client certificates that authenticate directly (user = CN, groups = O).
    #[arg(long)]
    pub client_ca_file: Option<PathBuf>,

    /// Kubeconfig for TokenReview and for reading the request-header settings from
    /// `kube-system/extension-apiserver-authentication` (default: in-cluster config, if any).
    #[arg(long)]
    pub authentication_kubeconfig: Option<PathBuf>,

    /// Do not read `kube-system/extension-apiserver-authentication`; use the flags only.
    #[arg(long)]
    pub authentication_skip_lookup: bool,

    /// Start even if `kube-system/extension-apiserver-authentication` cannot be read (it is
    /// then retried every --reload-interval); by default that is an error at start.
    #[arg(long)]
    pub authentication_tolerate_lookup_failure: bool,

    /// Accept requests without credentials as `system:anonymous` (they are still authorized).
    #[arg(long)]
    pub anonymous_auth: bool,

    /// Authorize every request through SubjectAccessReview against the cluster (the in-cluster
    /// config, or --authorization-kubeconfig), as upstream does. With
    /// --delegated-authorization=false every authenticated user is allowed (the kube-apiserver
    /// still authorizes the requests it proxies).
    #[arg(long, default_value_t = true, num_args = 0..=1, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub delegated_authorization: bool,

    /// Kubeconfig for SubjectAccessReview; implies --delegated-authorization.
    #[arg(long)]
    pub authorization_kubeconfig: Option<PathBuf>,

    /// Kubeconfig used to list objects for `*` queries with a `labelSelector` (default: the
    /// in-cluster config when running in a cluster; without either, the memory backend matches
    /// the `objectLabels` written with each value and the Prometheus backend refuses such queries).
    #[arg(long)]
    pub kubeconfig: Option<PathBuf>,

    /// INSECURE, for local trials only: serve plain HTTP without authentication or
    /// authorization (never expose this to a network).
    #[arg(long)]
    pub insecure_serve_http: bool,

    /// Accept values on the write-metrics URLs (memory backend).
    #[arg(long)]
    pub enable_write: bool,

    /// Also serve the write-metrics URLs on this plain-HTTP port, unauthenticated (what the
    /// tutorials reach through `kubectl proxy`); needs --enable-write.
    #[arg(long, requires = "enable_write")]
    pub write_port: Option<u16>,

    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    pub max_request_body_bytes: usize,

    /// A request not answered within this time gets 504 Timeout.
    #[arg(long, default_value = "1m")]
    pub request_timeout: GoDuration,

    /// Requests served at once before new ones get 429 TooManyRequests (0: no limit).
    #[arg(long, default_value_t = 400)]
    pub max_requests_inflight: usize,

    /// How long a shutdown waits for open connections before closing them.
    #[arg(long, default_value = "20s")]
    pub graceful_shutdown_timeout: GoDuration,

    /// How often the CA files, the cluster's authentication ConfigMap and the serving
    /// certificate files are re-read (changes take effect without a restart).
    #[arg(long, default_value = "1m")]
    pub reload_interval: GoDuration,

    /// Where values come from.
    #[arg(long, value_enum, default_value_t = BackendKind::Memory)]
    pub backend: BackendKind,

    /// The Prometheus server's URL.
    #[arg(long, default_value = "http://localhost:9090")]
    pub prometheus_url: String,

    /// Rules file (YAML, prometheus-adapter's format) for the Prometheus backend.
    #[arg(long)]
    pub config: Option<PathBuf>,

    /// How often the Prometheus backend rediscovers the available series.
    #[arg(long, default_value = "1m")]
    pub metrics_relist_interval: GoDuration,

    /// How far back the Prometheus backend looks for series when it rediscovers them (the
    /// `start` of its `/api/v1/series` requests), as prometheus-adapter's flag: by default
    /// --metrics-relist-interval; it must not be less than that.
    #[arg(long)]
    pub metrics_max_age: Option<GoDuration>,

    /// Timeout of each Prometheus query.
    #[arg(long, default_value = "10s")]
    pub prometheus_timeout: GoDuration,

    /// CA bundle (PEM) verifying Prometheus' serving certificate.
    #[arg(long)]
    pub prometheus_ca_file: Option<PathBuf>,

    /// Client certificate (PEM) presented to Prometheus, with --prometheus-client-tls-key-file.
    #[arg(long, requires = "prometheus_client_tls_key_file")]
    pub prometheus_client_tls_cert_file: Option<PathBuf>,

    /// Key (PEM) of --prometheus-client-tls-cert-file.
    #[arg(long, requires = "prometheus_client_tls_cert_file")]
    pub prometheus_client_tls_key_file: Option<PathBuf>,

    /// File holding a bearer token sent to Prometheus.
    #[arg(long)]
    pub prometheus_token_file: Option<PathBuf>,

    /// Kubeconfig whose current context's CA and credentials (token, basic auth or client
    /// certificate) are used to connect to Prometheus (ignored with --prometheus-ca-file).
    #[arg(long, conflicts_with = "prometheus_auth_incluster")]
    pub prometheus_auth_config: Option<PathBuf>,

    /// Connect to Prometheus with the pod's service account token and CA.
    #[arg(long)]
    pub prometheus_auth_incluster: bool,

    /// Extra header sent to Prometheus, `Name=value`; repeatable.
    #[arg(long)]
    pub prometheus_header: Vec<String>,

    /// HTTP verb of the queries to Prometheus: GET or POST.
    #[arg(long, default_value = "GET", value_parser = ["GET", "POST"])]
    pub prometheus_verb: String,
}

impl AdapterArgs {
    /// The listen address: `--bind-address`, else 127.0.0.1 in insecure mode (plain HTTP
    /// without authentication must not reach the network by accident) and 0.0.0.0 otherwise.
    pub fn bind_ip(&self) -> IpAddr {
        self.bind_address.unwrap_or(if self.insecure_serve_http {
            IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
        } else {
            IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: AdapterArgs,
    }

    #[test]
    fn defaults_are_upstream_like() {
        let a = Cli::try_parse_from(["x"]).unwrap().args;
        assert_eq!(a.secure_port, 6443);
        assert_eq!(a.requestheader_username_headers, vec!["X-Remote-User"]);
        assert_eq!(a.backend, BackendKind::Memory);
        assert!(!a.enable_write && !a.insecure_serve_http);
        assert!(a.delegated_authorization, "on by default, as upstream");
        assert_eq!(a.bind_address, None);
        assert_eq!(a.max_requests_inflight, 400);
        let off = Cli::try_parse_from(["x", "--delegated-authorization=false"])
            .unwrap()
            .args;
        assert!(!off.delegated_authorization);
        let on = Cli::try_parse_from(["x", "--delegated-authorization", "--enable-write"])
            .unwrap()
            .args;
        assert!(on.delegated_authorization && on.enable_write);
        let a = Cli::try_parse_from([
            "x",
            "--backend=prometheus",
            "--requestheader-allowed-names=front-proxy-client,aggregator",
            "--metrics-relist-interval=30s",
        ])
        .unwrap()
        .args;
        assert_eq!(a.requestheader_allowed_names.len(), 2);
        assert_eq!(a.backend, BackendKind::Prometheus);
        assert!(Cli::try_parse_from(["x", "--write-port=8080"]).is_err());
        let a = Cli::try_parse_from(["x", "check-apiservice", "--allow-takeover"])
            .unwrap()
            .args;
        let Some(crate::command::AdapterCommand::CheckApiservice(c)) = a.command else {
            panic!("subcommand expected")
        };
        assert!(c.allow_takeover);
        assert_eq!(c.service.to_string(), "custom-metrics/alpaca-adapter");
        assert_eq!(c.api_services.len(), 5);
        for n in ["v1.metrics.k8s.io", "v1beta1.metrics.k8s.io"] {
            assert!(c.api_services.iter().any(|s| s == n), "{n}");
        }
    }

    #[test]
    fn metrics_max_age_is_the_relist_interval_unless_given_and_not_less() {
        use crate::config::metrics_max_age;
        let args = |flags: &[&str]| {
            let mut all = vec!["x"];
            all.extend_from_slice(flags);
            Cli::try_parse_from(all).unwrap().args
        };
        let secs = |a: &AdapterArgs| metrics_max_age(a).map(|d| d.as_secs());
        assert_eq!(secs(&args(&[])).unwrap(), 60);
        assert_eq!(secs(&args(&["--metrics-relist-interval=5m"])).unwrap(), 300);
        assert_eq!(
            secs(&args(&[
                "--metrics-relist-interval=5m",
                "--metrics-max-age=1h"
            ]))
            .unwrap(),
            3600
        );
        let err = secs(&args(&["--metrics-max-age=30s"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--metrics-max-age") && err.contains("--metrics-relist-interval"),
            "{err}"
        );
    }

    #[test]
    fn insecure_mode_binds_loopback_unless_told() {
        let a = Cli::try_parse_from(["x", "--insecure-serve-http"])
            .unwrap()
            .args;
        assert_eq!(a.bind_ip().to_string(), "127.0.0.1");
        let a = Cli::try_parse_from(["x", "--insecure-serve-http", "--bind-address=0.0.0.0"])
            .unwrap()
            .args;
        assert_eq!(a.bind_ip().to_string(), "0.0.0.0");
        let a = Cli::try_parse_from(["x"]).unwrap().args;
        assert_eq!(a.bind_ip().to_string(), "0.0.0.0");
    }
}
