//! An in-memory Kubernetes API server for tests.
//!
//! [`FakeApiServer`] answers the Kubernetes API the way kube-apiserver does wherever an
//! HPA controller depends on it, to a real `kube::Client` with no network
//! ([`FakeApiServer::client`]) or on a loopback port ([`FakeApiServer::serve_on_localhost`]):
//!
//! - objects of the built-in kinds an HPA controller touches (pods, events in `v1` and
//!   `events.k8s.io/v1`, namespaces, services, configmaps, nodes, replication controllers,
//!   `apps/v1` workloads, `autoscaling/v2` and `v1` HPAs, leases, CRDs) and of custom
//!   resources registered through a CRD;
//! - a global resourceVersion, uid, creationTimestamp, generation, optimistic concurrency
//!   with upstream's 409 messages, merge / JSON / apply patches;
//! - list with label and field selectors and pagination, watch with history, 410 Gone,
//!   bookmarks and streaming lists;
//! - the `/status` and `/scale` subresources, discovery (legacy and aggregated);
//! - the resource, custom and external metrics APIs, served from values tests set;
//! - injectable faults and latency ([`Fault`]) and a request log ([`RequestRecord`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use alpaca_fake_apiserver::{FakeApiServer, Fault, Verb};
//! use k8s_openapi::api::apps::v1::Deployment;
//! use kube::Api;
//!
//! let fake = FakeApiServer::new();
//! let mut d = Deployment::default();
//! d.metadata.name = Some("web".into());
//! fake.apply(&d)?;
//! fake.inject(Fault::on(Verb::Get, "deployments/scale").unavailable().times(1));
//! let api: Api<Deployment> = Api::default_namespaced(fake.client());
//! assert!(api.get_scale("web").await.is_err());
//! assert_eq!(api.get_scale("web").await?.spec.unwrap().replicas, Some(1));
//! # Ok(()) }
//! ```

mod convert;
mod error;
mod faults;
mod metrics;
mod ops;
mod registry;
mod requests;
mod routes;
pub mod selectors;
mod serve;
mod server;
mod state;
mod store;
mod watch;

pub use error::{ApiError, Details, FakeError};
pub use faults::{Fault, Faults, Outcome};
pub use requests::{RequestInfo, RequestRecord, Verb};
pub use routes::error_response;
pub use serve::LocalServer;
pub use server::FakeApiServer;
pub use state::Config;
