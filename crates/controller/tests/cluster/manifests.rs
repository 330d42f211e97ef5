//! The installation manifests against the real API server: `kubectl apply
//! --dry-run=server` accepts deploy/controller.yaml, deploy/crd.yaml and
//! deploy/adapter.yaml (schemas, defaulting and validation, admission), and the helpers the
//! CRD and RBAC tests use to apply them for real with `kubectl apply --server-side`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;

/// The kubectl the tests run.
pub const KUBECTL: &str = "/usr/bin/kubectl";

/// A file of deploy/.
pub fn deploy(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy")
        .join(file)
}

/// Runs kubectl with the admin kubeconfig of the shared control plane (and a home of its
/// own for the discovery cache); `None` without kubectl.
pub async fn kubectl(ns: &Ns, args: &[&str]) -> Option<Output> {
    if !Path::new(KUBECTL).exists() {
        eprintln!("skipped: {KUBECTL} is not installed");
        return None;
    }
    let plane = ns.env.plane();
    let home = plane.dir().join("kubectl-home");
    std::fs::create_dir_all(&home).expect("a home for kubectl");
    let mut cmd = Command::new(KUBECTL);
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(plane.kubeconfig_path())
        .env("HOME", &home);
    Some(
        tokio::task::spawn_blocking(move || cmd.output().expect("running kubectl"))
            .await
            .expect("the kubectl task"),
    )
}

/// `kubectl apply --server-side` of deploy files; panics with kubectl's output on failure.
pub async fn apply(ns: &Ns, files: &[&str]) -> Option<String> {
    let mut args = vec!["apply", "--server-side", "--force-conflicts"];
    let paths: Vec<String> = files
        .iter()
        .map(|f| deploy(f).display().to_string())
        .collect();
    for p in &paths {
        args.extend(["-f", p.as_str()]);
    }
    let out = kubectl(ns, &args).await?;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "kubectl apply {files:?}: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(stdout)
}

/// Applies deploy/crd.yaml and waits until the CRD is Established.
pub async fn install_crd(ns: &Ns) -> Option<()> {
    apply(ns, &["crd.yaml"]).await?;
    let out = kubectl(
        ns,
        &[
            "wait",
            "--for=condition=Established",
            "--timeout=30s",
            "crd/horizontalpodautoscalers.alpaca.dev",
        ],
    )
    .await?;
    assert!(
        out.status.success(),
        "the CRD is Established: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

/// Creates a namespace unless it exists.
pub async fn ensure_namespace(ns: &Ns, name: &str) {
    let api: kube::Api<k8s_openapi::api::core::v1::Namespace> = kube::Api::all(ns.client.clone());
    let obj = serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
    match api.create(&Default::default(), &obj).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => panic!("creating namespace {name}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_server_dry_run_accepts_the_manifests() {
    let Some(ns) = Ns::new("manifests_dry_run").await else {
        return;
    };
    // the objects' namespaces must exist for the server to dry-run what goes in them (the
    // Namespace objects themselves are dry-run too, and say "unchanged" or "created")
    for name in ["alpaca-system", "custom-metrics"] {
        ensure_namespace(&ns, name).await;
    }
    for files in [
        vec!["crd.yaml"],
        vec!["controller.yaml", "crd.yaml"],
        vec!["adapter.yaml"],
    ] {
        let mut args = vec!["apply", "--dry-run=server"];
        let paths: Vec<String> = files
            .iter()
            .map(|f| deploy(f).display().to_string())
            .collect();
        for p in &paths {
            args.extend(["-f", p.as_str()]);
        }
        let Some(out) = kubectl(&ns, &args).await else {
            return;
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{files:?}: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        // one line per object, each accepted by the server
        let objects: usize = files
            .iter()
            .map(|f| {
                std::fs::read_to_string(deploy(f))
                    .unwrap()
                    .lines()
                    .filter(|l| l.starts_with("kind:"))
                    .count()
            })
            .sum();
        let accepted = stdout
            .lines()
            .filter(|l| l.ends_with("(server dry run)") || l.ends_with(" unchanged"))
            .count();
        assert_eq!(accepted, objects, "{files:?}:\n{stdout}");
    }
}
