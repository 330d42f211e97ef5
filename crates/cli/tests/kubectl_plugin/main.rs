//! The binary as the kubectl plugin `kubectl alpaca`: a symlink named `kubectl-alpaca` in a
//! directory on `PATH`, run by the real kubectl (expected at /usr/bin/kubectl), which
//! passes the arguments after `alpaca` through. The plugin names itself `kubectl alpaca`,
//! and `explain`/`snapshot` choose their cluster as kubectl does: `--kubeconfig`,
//! `$KUBECONFIG` (several files merged), `--context` and `-n/--namespace`.

mod cluster;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cluster::{NAME, NS};

/// A directory holding `kubectl-alpaca` (a symlink to the built binary) and a home of its
/// own, so that the machine's `~/.kube/config` plays no part.
struct Plugin {
    dir: tempfile::TempDir,
}

impl Plugin {
    fn install() -> Plugin {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join("bin")).expect("bin/");
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_alpaca"),
            dir.path().join("bin/kubectl-alpaca"),
        )
        .expect("kubectl-alpaca linked");
        Plugin { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `kubectl ARGS` with the plugin first on `PATH` and `KUBECONFIG` as given
    /// (unset for `None`); returns (success, stdout, stderr).
    async fn kubectl(&self, kubeconfig_env: Option<&str>, args: &[&str]) -> (bool, String, String) {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.path().join("bin")];
        dirs.extend(std::env::split_paths(&path));
        let mut cmd = tokio::process::Command::new("kubectl");
        cmd.args(args)
            .env("PATH", std::env::join_paths(dirs).expect("a PATH"))
            .env("HOME", self.path())
            .env_remove("KUBECONFIG")
            .env_remove("ALPACA_MODE")
            .kill_on_drop(true);
        if let Some(value) = kubeconfig_env {
            cmd.env("KUBECONFIG", value);
        }
        let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
            .await
            .expect("kubectl finished within a minute")
            .expect("kubectl runs (it is expected at /usr/bin/kubectl)");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// The first line `explain` prints for `shop/web`.
const EXPLAINED: &str = "shop/web scales Deployment/web between 1 and 10 replicas.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_names_the_plugin() {
    let plugin = Plugin::install();
    let (ok, out, err) = plugin.kubectl(None, &["alpaca", "--help"]).await;
    assert!(ok, "kubectl alpaca --help failed: {err}");
    assert!(out.contains("Usage: kubectl alpaca <COMMAND>"), "{out}");
    let (ok, out, err) = plugin.kubectl(None, &["alpaca", "explain", "--help"]).await;
    assert!(ok, "kubectl alpaca explain --help failed: {err}");
    assert!(out.contains("Usage: kubectl alpaca explain"), "{out}");
    for flag in ["--context", "--kubeconfig", "--namespace"] {
        assert!(out.contains(flag), "no {flag} in: {out}");
    }
    let (_, out, err) = plugin.kubectl(None, &["plugin", "list"]).await;
    assert!(
        out.contains("kubectl-alpaca"),
        "kubectl plugin list does not show it: {out}{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_flag_chooses_the_cluster() {
    let cluster = cluster::start().await;
    let plugin = Plugin::install();
    let dead = cluster::closed_url();
    // the current context points at a closed port: only `--context live` reaches the cluster
    let config = cluster::kubeconfig(
        plugin.path(),
        "config",
        &[("dead", &dead), ("live", &cluster.url())],
    );
    let explain = ["alpaca", "explain", NAME, "--kubeconfig", text(&config)];

    let args = [&explain[..], &["--context", "live", "-n", NS]].concat();
    let (ok, out, err) = plugin.kubectl(None, &args).await;
    assert!(ok, "kubectl {args:?} failed: {err}");
    assert!(out.starts_with(EXPLAINED), "{out}");
    assert!(out.contains("If it synced now:"), "{out}");

    // `--namespace=NS` and the flags before the name work the same
    let args = [
        "alpaca",
        "explain",
        "--context=live",
        "--namespace=shop",
        "--kubeconfig",
        text(&config),
        NAME,
    ];
    let (ok, out, err) = plugin.kubectl(None, &args).await;
    assert!(ok, "kubectl {args:?} failed: {err}");
    assert!(out.starts_with(EXPLAINED), "{out}");

    // the current context (`dead`) is unreachable, and says so
    let args = [&explain[..], &["-n", NS]].concat();
    let (ok, out, err) = plugin.kubectl(None, &args).await;
    assert!(!ok, "reached a closed port: {out}");
    assert!(err.starts_with("error: cluster "), "{err}");
    assert!(err.contains(&dead), "the error does not name {dead}: {err}");

    // the context's namespace (`default`) holds no `web`
    let args = [&explain[..], &["--context", "live"]].concat();
    let (ok, _, err) = plugin.kubectl(None, &args).await;
    assert!(!ok);
    assert!(err.contains("default/web not found"), "{err}");

    // a context that does not exist is named
    let args = [&explain[..], &["--context", "nowhere"]].concat();
    let (ok, _, err) = plugin.kubectl(None, &args).await;
    assert!(!ok);
    assert!(err.contains("nowhere"), "{err}");
    drop(cluster);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubeconfig_variable_is_honoured() {
    let cluster = cluster::start().await;
    let plugin = Plugin::install();
    let url = cluster.url();
    let live = cluster::kubeconfig(plugin.path(), "live", &[("live", &url)]);

    // KUBECONFIG alone, its current context
    let args = ["alpaca", "snapshot", NAME, "-n", NS];
    let (ok, out, err) = plugin.kubectl(Some(text(&live)), &args).await;
    assert!(ok, "kubectl {args:?} failed: {err}");
    assert!(out.contains("kind: Snapshot"), "{out}");
    assert!(out.contains("hpa:"), "{out}");
    assert!(out.contains(&format!("name: {NAME}")), "{out}");
    assert!(out.contains(&format!("namespace: {NS}")), "{out}");

    // KUBECONFIG of two files, merged: the first file's current context is unreachable,
    // the second file's context is chosen with --context
    let dead = cluster::kubeconfig(plugin.path(), "dead", &[("dead", &cluster::closed_url())]);
    let merged: PathBuf = std::env::join_paths([&dead, &live])
        .expect("a KUBECONFIG list")
        .into();
    let args = ["alpaca", "explain", NAME, "-n", NS, "--context", "live"];
    let (ok, out, err) = plugin.kubectl(Some(text(&merged)), &args).await;
    assert!(
        ok,
        "kubectl {args:?} with KUBECONFIG={merged:?} failed: {err}"
    );
    assert!(out.starts_with(EXPLAINED), "{out}");
    let args = ["alpaca", "explain", NAME, "-n", NS];
    let (ok, out, _) = plugin.kubectl(Some(text(&merged)), &args).await;
    assert!(
        !ok,
        "the first file's current context should be used: {out}"
    );
    drop(cluster);
}
