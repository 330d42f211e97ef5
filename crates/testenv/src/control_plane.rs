//! One real control plane: etcd, kube-apiserver and, when asked, kube-controller-manager,
//! on free loopback ports, with everything they need generated in a temporary directory.
//!
//! ```text
//!  etcd ◀── kube-apiserver :PORT (token auth, RBAC, aggregation layer) ◀── kube::Client
//!                 ▲                     │ aggregator routing
//!   kube-controller-manager             ▼
//!   (Deployments, ReplicaSets…)   aggregated servers on the netns host address
//! ```

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::assets::Assets;
use crate::error::TestEnvError;
use crate::netns::NetNs;
use crate::pki::{Ca, SigningKey};
use crate::process::{Processes, free_port};

/// What the control plane runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Run kube-controller-manager (Deployments and ReplicaSets turn scale writes into pods).
    pub controller_manager: Option<ControllerManager>,
    /// Create a network namespace so that aggregated API servers can be registered.
    pub aggregation: bool,
    /// Extra `--feature-gates` of the API server (e.g. `HPAScaleToZero=true`).
    pub feature_gates: Vec<String>,
}

/// How kube-controller-manager runs.
#[derive(Debug, Clone, Default)]
pub struct ControllerManager {
    /// Keep its built-in HPA controller on (off by default, so that Alpaca is the only one).
    pub builtin_hpa: bool,
    /// More flags (e.g. `--horizontal-pod-autoscaler-sync-period=2s`).
    pub extra_args: Vec<String>,
}

/// A running control plane. Its processes end when it is dropped or, for a shared one,
/// when the test process ends (see [`crate::process`]).
#[derive(Debug)]
pub struct ControlPlane {
    dir: tempfile::TempDir,
    procs: Processes,
    url: String,
    port: u16,
    token: String,
    kubeconfig: PathBuf,
    ca_file: PathBuf,
    front_proxy_ca: String,
    serving_ca: Ca,
    netns: Option<NetNs>,
    etcd_dir: PathBuf,
    has_controller_manager: bool,
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, TestEnvError> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(TestEnvError::io(format!("writing {name}")))?;
    Ok(path)
}

/// A folder for etcd's data: in memory (/dev/shm) when it has room, else the temp dir.
fn etcd_data_dir(dir: &Path) -> PathBuf {
    let shm_room = std::process::Command::new("df")
        .args(["-Pk", "/dev/shm"])
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .nth(1)?
                .split_whitespace()
                .nth(3)?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    if shm_room > 2 * 1024 * 1024 {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        PathBuf::from(format!("/dev/shm/{name}-etcd"))
    } else {
        dir.join("etcd")
    }
}

/// A kubeconfig for `server` with a bearer token; `ca` is a file (`None` for plain HTTP).
pub fn kubeconfig_yaml(server: &str, ca: Option<&Path>, token: &str, namespace: &str) -> String {
    let ca = ca
        .map(|p| format!("    certificate-authority: {}\n", p.display()))
        .unwrap_or_default();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {server}\n{ca}\
         contexts:\n- name: test\n  context:\n    cluster: test\n    user: admin\n    namespace: {namespace}\n\
         current-context: test\nusers:\n- name: admin\n  user:\n    token: {token}\n"
    )
}

impl ControlPlane {
    /// Starts etcd and kube-apiserver (and kube-controller-manager if asked) and waits until
    /// the API server's `/readyz` says ok. Blocking: call it outside async code or from
    /// `spawn_blocking`.
    pub fn start(options: &Options) -> Result<Self, TestEnvError> {
        let assets = Assets::find()?;
        let dir = tempfile::Builder::new()
            .prefix("alpaca-testenv-")
            .tempdir()
            .map_err(TestEnvError::io("creating the temporary directory"))?;
        let netns = if options.aggregation {
            Some(NetNs::create()?)
        } else {
            None
        };
        let etcd_dir = etcd_data_dir(dir.path());
        let mut cleanup = netns
            .as_ref()
            .map(NetNs::cleanup_commands)
            .unwrap_or_default();
        cleanup.push(format!("rm -rf '{}'", etcd_dir.display()));
        let procs = match Processes::new(dir.path(), &cleanup) {
            Ok(p) => p,
            Err(e) => {
                if let Some(ns) = &netns {
                    ns.remove();
                }
                return Err(e);
            }
        };
        let mut plane = Self::prepare(dir, procs, netns, etcd_dir.clone())?;
        plane.start_etcd(&assets, &etcd_dir)?;
        plane.start_apiserver(&assets, options)?;
        if let Some(kcm) = &options.controller_manager {
            plane.start_controller_manager(&assets, kcm)?;
        }
        Ok(plane)
    }

    fn prepare(
        dir: tempfile::TempDir,
        procs: Processes,
        netns: Option<NetNs>,
        etcd_dir: PathBuf,
    ) -> Result<Self, TestEnvError> {
        let d = dir.path();
        let ca = Ca::new("alpaca-testenv-ca")?;
        let mut ips: Vec<IpAddr> = vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        ];
        if let Some(ns) = &netns {
            ips.push(IpAddr::V4(ns.host));
        }
        let serving = ca.server(
            &[
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
            ],
            &ips,
        )?;
        let front_proxy_ca = Ca::new("alpaca-testenv-front-proxy-ca")?;
        let proxy_client = front_proxy_ca.client("front-proxy-client", &[])?;
        let sa = SigningKey::new()?;
        let token = crate::pki::token()?;
        let ca_file = write(d, "ca.crt", ca.cert_pem())?;
        write(d, "apiserver.crt", &serving.cert)?;
        write(d, "apiserver.key", &serving.key)?;
        write(d, "front-proxy-ca.crt", front_proxy_ca.cert_pem())?;
        write(d, "front-proxy-client.crt", &proxy_client.cert)?;
        write(d, "front-proxy-client.key", &proxy_client.key)?;
        write(d, "sa.key", &sa.private)?;
        write(d, "sa.pub", &sa.public)?;
        write(
            d,
            "tokens.csv",
            &format!("{token},admin,admin,system:masters\n"),
        )?;
        let port = free_port()?;
        let url = format!("https://127.0.0.1:{port}");
        let kubeconfig = write(
            d,
            "kubeconfig",
            &kubeconfig_yaml(&url, Some(&ca_file), &token, "default"),
        )?;
        Ok(Self {
            front_proxy_ca: front_proxy_ca.cert_pem().to_string(),
            serving_ca: Ca::new("alpaca-testenv-aggregated-ca")?,
            dir,
            procs,
            url,
            port,
            token,
            kubeconfig,
            ca_file,
            netns,
            etcd_dir,
            has_controller_manager: false,
        })
    }

    fn start_etcd(&self, assets: &Assets, data: &Path) -> Result<(), TestEnvError> {
        let client = free_port()?;
        let peer = free_port()?;
        let args = [
            format!("--data-dir={}", data.display()),
            format!("--listen-client-urls=http://127.0.0.1:{client}"),
            format!("--advertise-client-urls=http://127.0.0.1:{client}"),
            format!("--listen-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer}"),
            format!("--initial-cluster=default=http://127.0.0.1:{peer}"),
            "--log-level=warn".into(),
        ];
        self.procs.spawn("etcd", &assets.etcd, &args)?;
        self.wait_tcp("etcd", client, Duration::from_secs(30))?;
        std::fs::write(self.dir.path().join("etcd.port"), client.to_string())
            .map_err(TestEnvError::io("writing etcd.port"))?;
        Ok(())
    }

    fn start_apiserver(&self, assets: &Assets, options: &Options) -> Result<(), TestEnvError> {
        let d = self.dir.path().display();
        let etcd_port = std::fs::read_to_string(self.dir.path().join("etcd.port"))
            .map_err(TestEnvError::io("reading etcd.port"))?;
        let mut args = vec![
            format!("--etcd-servers=http://127.0.0.1:{etcd_port}"),
            format!("--secure-port={}", self.port),
            "--bind-address=127.0.0.1".into(),
            format!("--cert-dir={d}"),
            format!("--tls-cert-file={d}/apiserver.crt"),
            format!("--tls-private-key-file={d}/apiserver.key"),
            format!("--client-ca-file={d}/ca.crt"),
            format!("--token-auth-file={d}/tokens.csv"),
            "--authorization-mode=RBAC".into(),
            "--service-account-issuer=https://kubernetes.default.svc".into(),
            format!("--service-account-key-file={d}/sa.pub"),
            format!("--service-account-signing-key-file={d}/sa.key"),
            "--service-cluster-ip-range=10.0.0.0/24".into(),
            "--disable-admission-plugins=ServiceAccount".into(),
            format!("--requestheader-client-ca-file={d}/front-proxy-ca.crt"),
            "--requestheader-allowed-names=front-proxy-client".into(),
            "--requestheader-username-headers=X-Remote-User".into(),
            "--requestheader-group-headers=X-Remote-Group".into(),
            "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
            format!("--proxy-client-cert-file={d}/front-proxy-client.crt"),
            format!("--proxy-client-key-file={d}/front-proxy-client.key"),
            "--enable-aggregator-routing=true".into(),
            "--v=1".into(),
        ];
        if let Some(ns) = &self.netns {
            args.push(format!("--advertise-address={}", ns.host));
        }
        if !options.feature_gates.is_empty() {
            args.push(format!(
                "--feature-gates={}",
                options.feature_gates.join(",")
            ));
        }
        self.procs
            .spawn("kube-apiserver", &assets.kube_apiserver, &args)?;
        self.wait_ready(Duration::from_secs(90))
    }

    fn start_controller_manager(
        &mut self,
        assets: &Assets,
        kcm: &ControllerManager,
    ) -> Result<(), TestEnvError> {
        let bin =
            assets
                .kube_controller_manager
                .as_ref()
                .ok_or_else(|| TestEnvError::MissingBinary {
                    name: "kube-controller-manager",
                    looked: format!(
                        "{} and {}",
                        crate::assets::ASSETS_VAR,
                        crate::assets::SHARED_BIN
                    ),
                })?;
        let d = self.dir.path().display();
        let kubeconfig = self.kubeconfig.display();
        let port = free_port()?;
        let controllers = if kcm.builtin_hpa {
            "*,-nodeipam,-nodelifecycle"
        } else {
            "*,-horizontalpodautoscaling,-nodeipam,-nodelifecycle"
        };
        let mut args = vec![
            format!("--kubeconfig={kubeconfig}"),
            format!("--authentication-kubeconfig={kubeconfig}"),
            format!("--authorization-kubeconfig={kubeconfig}"),
            "--leader-elect=false".into(),
            "--use-service-account-credentials=false".into(),
            format!("--service-account-private-key-file={d}/sa.key"),
            format!("--root-ca-file={d}/ca.crt"),
            "--bind-address=127.0.0.1".into(),
            format!("--secure-port={port}"),
            format!("--cert-dir={d}/kcm"),
            format!("--controllers={controllers}"),
            "--v=1".into(),
        ];
        args.extend(kcm.extra_args.iter().cloned());
        self.procs.spawn("kube-controller-manager", bin, &args)?;
        self.wait_tcp("kube-controller-manager", port, Duration::from_secs(60))?;
        self.has_controller_manager = true;
        Ok(())
    }

    fn not_ready(&self, name: &str, why: String) -> TestEnvError {
        TestEnvError::NotReady {
            name: name.to_string(),
            why,
            log: self.procs.log_path(name),
            tail: self.procs.tail(name, 30),
        }
    }

    fn wait_tcp(&self, name: &str, port: u16, timeout: Duration) -> Result<(), TestEnvError> {
        let deadline = Instant::now() + timeout;
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Err(why) = self.procs.check(name) {
                return Err(self.not_ready(name, why));
            }
            if Instant::now() > deadline {
                return Err(self.not_ready(name, format!("port {port} closed after {timeout:?}")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_ready(&self, timeout: Duration) -> Result<(), TestEnvError> {
        let kubeconfig = self.kubeconfig.clone();
        let probe = std::thread::spawn(move || -> Result<(), String> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async move {
                let client = crate::client::from_kubeconfig(&kubeconfig)
                    .await
                    .map_err(|e| e.to_string())?;
                let deadline = Instant::now() + timeout;
                let mut last = String::new();
                while Instant::now() < deadline {
                    let req = http::Request::get("/readyz")
                        .body(Vec::new())
                        .expect("request");
                    match client.request_text(req).await {
                        Ok(text) if text.trim() == "ok" => return Ok(()),
                        Ok(text) => last = text,
                        Err(e) => last = e.to_string(),
                    }
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(format!("/readyz not ok after {timeout:?}: {last}"))
            })
        });
        let name = "kube-apiserver";
        loop {
            if probe.is_finished() {
                return match probe.join() {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(why)) => Err(self.not_ready(name, why)),
                    Err(_) => Err(self.not_ready(name, "the readiness probe panicked".into())),
                };
            }
            if let Err(why) = self.procs.check(name) {
                return Err(self.not_ready(name, why));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The admin kubeconfig (a bearer token of `system:masters`).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The admin bearer token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The cluster CA file (PEM).
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The front-proxy (request-header) CA that signed the aggregator's client certificate.
    pub fn front_proxy_ca_pem(&self) -> &str {
        &self.front_proxy_ca
    }

    /// The CA that signs aggregated servers' certificates (their APIServices' `caBundle`).
    pub fn serving_ca(&self) -> &Ca {
        &self.serving_ca
    }

    /// The network namespace, if aggregation was asked for.
    pub fn netns(&self) -> Option<&NetNs> {
        self.netns.as_ref()
    }

    /// Whether kube-controller-manager runs.
    pub fn has_controller_manager(&self) -> bool {
        self.has_controller_manager
    }

    /// The temporary directory (logs, certificates, kubeconfigs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a kubeconfig for another server address (e.g. a proxy) with the admin token,
    /// and returns its path.
    pub fn write_kubeconfig(&self, name: &str, server: &str) -> Result<PathBuf, TestEnvError> {
        let ca = server
            .starts_with("https:")
            .then_some(self.ca_file.as_path());
        write(
            self.dir.path(),
            name,
            &kubeconfig_yaml(server, ca, &self.token, "default"),
        )
    }

    /// An admin client (a new one per call: a client belongs to the runtime it is used on).
    pub async fn client(&self) -> Result<kube::Client, TestEnvError> {
        crate::client::from_kubeconfig(&self.kubeconfig).await
    }

    /// A client that impersonates `user` in `groups` (RBAC checks as that user).
    pub async fn impersonating(
        &self,
        user: &str,
        groups: &[&str],
    ) -> Result<kube::Client, TestEnvError> {
        crate::client::impersonating(&self.kubeconfig, user, groups).await
    }

    /// The last `lines` lines of a process's log (`kube-apiserver`, `etcd`, ...).
    pub fn log_tail(&self, process: &str, lines: usize) -> String {
        self.procs.tail(process, lines)
    }

    /// Starts a process of the test's (e.g. the `alpaca` binary) in the control plane's
    /// process group, so that it ends with the test process however that ends; its output
    /// goes to `NAME.log` in [`Self::dir`] ([`Self::log_tail`]).
    pub fn spawn(&self, name: &str, program: &Path, args: &[String]) -> Result<(), TestEnvError> {
        self.procs.spawn(name, program, args)
    }

    /// Stops a process started with [`Self::spawn`] (TERM, then KILL after `grace`).
    pub fn stop(&self, name: &str, grace: Duration) {
        self.procs.stop(name, grace);
    }

    /// Whether a process started with [`Self::spawn`] still runs (`Err` says how it ended).
    pub fn check(&self, name: &str) -> Result<(), String> {
        self.procs.check(name)
    }

    /// Stops kube-controller-manager (e.g. before a test that must be the only writer).
    pub fn stop_controller_manager(&mut self) {
        self.procs
            .stop("kube-controller-manager", Duration::from_secs(5));
        self.has_controller_manager = false;
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.procs.stop_all();
        let _ = std::fs::remove_dir_all(&self.etcd_dir);
        if let Some(ns) = &self.netns {
            ns.remove();
        }
    }
}
