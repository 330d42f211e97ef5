//! Where the control plane's binaries come from: envtest's `KUBEBUILDER_ASSETS` first, then
//! `../shared/k8s/bin` beside the repository; etcd also from `PATH` (Debian's `etcd-server`).

use std::path::{Path, PathBuf};

use crate::error::TestEnvError;

/// The binaries a control plane runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assets {
    /// `etcd`.
    pub etcd: PathBuf,
    /// `kube-apiserver`.
    pub kube_apiserver: PathBuf,
    /// `kube-controller-manager`, when one was found (envtest's assets have none).
    pub kube_controller_manager: Option<PathBuf>,
}

/// The environment variable envtest reads the binaries' folder from.
pub const ASSETS_VAR: &str = "KUBEBUILDER_ASSETS";

/// The repository's fallback folder, relative to the workspace root.
pub const SHARED_BIN: &str = "../shared/k8s/bin";

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folders searched for `kube-apiserver` and `kube-controller-manager`, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os(ASSETS_VAR).filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    dirs.push(workspace_root().join(SHARED_BIN));
    dirs
}

fn executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn in_dirs(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(name)).find(|p| executable(p))
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| executable(p))
}

impl Assets {
    /// Finds the binaries, or says which one is missing and where it was looked for.
    pub fn find() -> Result<Self, TestEnvError> {
        let dirs = search_dirs();
        let looked = || {
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kube_apiserver =
            in_dirs(&dirs, "kube-apiserver").ok_or_else(|| TestEnvError::MissingBinary {
                name: "kube-apiserver",
                looked: format!("{ASSETS_VAR} and {SHARED_BIN} ({})", looked()),
            })?;
        let etcd = in_dirs(&dirs, "etcd")
            .or_else(|| on_path("etcd"))
            .ok_or_else(|| TestEnvError::MissingBinary {
                name: "etcd",
                looked: format!(
                    "{} and PATH (install Debian's etcd-server: scripts/install-test-deps.sh)",
                    looked()
                ),
            })?;
        Ok(Self {
            etcd,
            kube_apiserver,
            kube_controller_manager: in_dirs(&dirs, "kube-controller-manager"),
        })
    }
}
