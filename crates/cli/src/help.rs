//! The text `--help` shows around the flags: what each command is for and a few command
//! lines to copy, leading a newcomer from the simulated walkthrough to an explanation and
//! then to a real cluster. Paths under `examples/` are relative to a clone of the
//! repository (a test checks that each one exists).

/// After `alpaca --help`: where to start.
pub const TOP: &str = "\
Start here (from a clone of the repository):
  alpaca simulate examples/php-apache.yaml --plot php-apache.svg
      the Kubernetes HPA walkthrough (php-apache), simulated in a second, with its plot
  alpaca decide --explain examples/snapshots/php-apache-scale-up.yaml
      one sync of that walkthrough, explained step by step
  kubectl alpaca explain php-apache -n default
      why an autoscaler of a real cluster has the replicas it has
      (install the plugin: alpaca install-plugin)

Run `alpaca help COMMAND` for more examples; docs/ holds the full story.";

/// After `alpaca --help` in a build without the `cluster` feature (the README's first command
/// builds it so, to show the walkthrough sooner).
#[cfg(not(feature = "cluster"))]
pub const WITHOUT_CLUSTER: &str = "\
Start here (from a clone of the repository):
  alpaca simulate examples/php-apache.yaml --plot php-apache.svg
  alpaca decide --explain examples/snapshots/php-apache-scale-up.yaml

This build simulates and decides only. For the commands that talk to a cluster
(controller, adapter, snapshot, explain, and `kubectl alpaca`), install the whole binary:
  cargo install --path crates/cli";

/// After `alpaca decide --help`.
pub const DECIDE: &str = "\
Examples:
  alpaca decide --explain examples/snapshots/php-apache-scale-up.yaml
  alpaca decide -o json examples/snapshots/php-apache-scale-up.yaml
  alpaca snapshot php-apache -n default > php-apache.yaml && alpaca decide --explain php-apache.yaml";

/// After `alpaca simulate --help`.
pub const SIMULATE: &str = "\
Examples:
  alpaca simulate examples/php-apache.yaml --plot php-apache.svg
  alpaca simulate examples/custom-metric.yaml --explain-at 6m
  alpaca simulate examples/flapping.yaml --plot flapping.svg --timeline flapping.csv";

/// After `alpaca controller --help`.
#[cfg(feature = "cluster")]
pub const CONTROLLER: &str = "\
Examples:
  alpaca controller --leader-elect=false
      against the cluster of $KUBECONFIG or ~/.kube/config, next to nothing else
  alpaca controller --mode crd --kubeconfig ~/.kube/config
      alpaca.dev/v1 autoscalers only, beside kube-controller-manager's HPAs
  kubectl apply -f deploy/crd.yaml -f deploy/controller.yaml
      in the cluster (see docs/controller.md)";

/// After `alpaca adapter --help`.
#[cfg(feature = "cluster")]
pub const ADAPTER: &str = "\
Examples:
  alpaca adapter --insecure-serve-http --enable-write --secure-port 8080
      the memory backend over plain HTTP, values written with curl
  alpaca adapter --backend prometheus --prometheus-url http://localhost:9090 --config rules.yaml
      prometheus-adapter's rules over a Prometheus server (see docs/adapter.md)";

/// After `alpaca explain --help`.
#[cfg(feature = "cluster")]
pub const EXPLAIN: &str = "\
Examples:
  alpaca explain php-apache -n default
  kubectl alpaca explain php-apache --context kind-kind -n default
  KUBECONFIG=~/.kube/staging kubectl alpaca explain php-apache --mode crd";

/// After `alpaca snapshot --help`.
#[cfg(feature = "cluster")]
pub const SNAPSHOT: &str = "\
Examples:
  alpaca snapshot php-apache -n default > php-apache.yaml
  kubectl alpaca snapshot php-apache --context kind-kind -n default -o json
  alpaca decide --explain php-apache.yaml";

/// After `alpaca install-plugin --help`.
pub const INSTALL_PLUGIN: &str = "\
Examples:
  alpaca install-plugin
      kubectl-alpaca beside this binary (e.g. ~/.cargo/bin after `cargo install`)
  alpaca install-plugin --dir ~/.local/bin
  kubectl plugin list";

/// After `alpaca completion --help`.
pub const COMPLETION: &str = "\
Examples:
  alpaca completion bash > ~/.local/share/bash-completion/completions/alpaca
  alpaca completion zsh > \"${fpath[1]}/_alpaca\"
  alpaca completion fish > ~/.config/fish/completions/alpaca.fish";
