//! A real Kubernetes control plane for Alpaca's tests, in envtest's shape.
//!
//! [`ControlPlane::start`] runs etcd, kube-apiserver and (when asked) kube-controller-manager
//! from `KUBEBUILDER_ASSETS` or `../shared/k8s/bin` ([`assets`]), on free loopback ports,
//! with keys, CAs, front-proxy certificates and kubeconfigs generated in Rust ([`pki`]). A
//! test binary shares one ([`TestEnv::shared`]) and gives each test a namespace of its own.
//! Around it:
//!
//! - [`kubelet`]: a kubelet stand-in, so Deployments' pods are bound, Running and Ready;
//! - [`metrics`]: the three metrics APIs behind the real aggregation layer, with a CPU load
//!   model for the stand-in's pods;
//! - [`aggregated`]: serving any router over TLS in a network namespace of the test's own
//!   ([`netns`]) and registering it as APIServices;
//! - [`proxy`]: a fault-injecting proxy in front of the real API server.
//!
//! Nothing outlives the test process: every process runs in a group that a watchdog stops,
//! then removes the temporary directory and the network namespace ([`process`]).
//!
//! ```no_run
//! # async fn demo() {
//! use alpaca_testenv::{EnvOptions, TestEnv};
//! let Some(env) = TestEnv::shared("demo", EnvOptions::default) else { return };
//! let ns = env.namespace("demo").await;
//! let client = env.client().await;
//! # let _ = (ns, client);
//! # }
//! ```

pub mod aggregated;
pub mod assets;
pub mod client;
pub mod control_plane;
mod env;
pub mod error;
pub mod kubelet;
pub mod metrics;
pub mod netns;
pub mod pki;
pub mod process;
pub mod proxy;
mod stamped;
mod wait;

pub use control_plane::{ControlPlane, ControllerManager, Options};
pub use env::{EnvOptions, REQUIRED_VAR, TestEnv};
pub use error::TestEnvError;
pub use kubelet::KubeletOptions;
pub use metrics::{CpuLoad, MetricsServer};
pub use proxy::{FaultProxy, never_answers};
pub use stamped::StampedProxy;
pub use wait::eventually;
