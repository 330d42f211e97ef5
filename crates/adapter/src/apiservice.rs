//! Who serves the metrics APIs now: the `APIService` objects of `custom.metrics.k8s.io` and
//! `external.metrics.k8s.io` may already point at another adapter (KEDA and prometheus-adapter
//! register `v1beta1.external.metrics.k8s.io`, for one), and `metrics.k8s.io` at
//! metrics-server; applying ours would silently take them over. [`check`] reads them and refuses, with the names of the services found, unless
//! taking over is explicitly allowed. `alpaca adapter check-apiservice` runs it before install.

use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::api::Api;

use crate::error::AdapterError;

/// The APIService objects the adapter registers; the last two, `v1.metrics.k8s.io` and
/// `v1beta1.metrics.k8s.io`, are metrics-server's when it is installed (taking them over
/// replaces metrics-server).
pub const API_SERVICES: [&str; 5] = [
    "v1beta2.custom.metrics.k8s.io",
    "v1beta1.custom.metrics.k8s.io",
    "v1beta1.external.metrics.k8s.io",
    "v1.metrics.k8s.io",
    "v1beta1.metrics.k8s.io",
];

/// A Service, `NAMESPACE/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl std::str::FromStr for ServiceRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('/') {
            Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
                Ok(Self {
                    namespace: ns.into(),
                    name: name.into(),
                })
            }
            _ => Err(format!("{s:?} is not NAMESPACE/NAME")),
        }
    }
}

impl std::fmt::Display for ServiceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Who serves one APIService.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// No such APIService: free to register.
    Absent,
    /// It points at our service.
    Ours,
    /// It is served by the kube-apiserver itself (no service).
    Local,
    /// It points at another service.
    Other(ServiceRef),
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Owner::Absent => write!(f, "not registered"),
            Owner::Ours => write!(f, "already ours"),
            Owner::Local => write!(f, "served by the kube-apiserver itself"),
            Owner::Other(s) => write!(f, "served by service {s}"),
        }
    }
}

/// Who serves an existing APIService, seen from `ours`.
pub fn owner(existing: &APIService, ours: &ServiceRef) -> Owner {
    match existing.spec.as_ref().and_then(|s| s.service.as_ref()) {
        None => Owner::Local,
        Some(svc) => {
            let theirs = ServiceRef {
                namespace: svc.namespace.clone().unwrap_or_default(),
                name: svc.name.clone().unwrap_or_default(),
            };
            if &theirs == ours {
                Owner::Ours
            } else {
                Owner::Other(theirs)
            }
        }
    }
}

/// Reads each APIService and says who serves it; an error when one is served by someone else
/// (another service, or the kube-apiserver) unless `allow_takeover`.
pub async fn check(
    client: kube::Client,
    names: &[String],
    ours: &ServiceRef,
    allow_takeover: bool,
) -> Result<Vec<(String, Owner)>, AdapterError> {
    let api: Api<APIService> = Api::all(client);
    let mut found = Vec::new();
    for name in names {
        let existing = api
            .get_opt(name)
            .await
            .map_err(|e| AdapterError::Kube(format!("reading APIService {name}: {e}")))?;
        let who = existing.map_or(Owner::Absent, |a| owner(&a, ours));
        found.push((name.clone(), who));
    }
    let taken: Vec<String> = found
        .iter()
        .filter(|(_, o)| matches!(o, Owner::Other(_) | Owner::Local))
        .map(|(n, o)| format!("{n} is {o}"))
        .collect();
    if !taken.is_empty() && !allow_takeover {
        return Err(AdapterError::ApiServiceTaken(taken.join("; ")));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_service(service: Option<(&str, &str)>) -> APIService {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1beta1.external.metrics.k8s.io"},
            "spec": {
                "group": "external.metrics.k8s.io",
                "version": "v1beta1",
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
                "service": service.map(|(ns, n)| serde_json::json!({"namespace": ns, "name": n})),
            }
        }))
        .unwrap()
    }

    #[test]
    fn tells_ours_from_theirs() {
        let ours: ServiceRef = "custom-metrics/alpaca-adapter".parse().unwrap();
        assert_eq!(
            owner(
                &api_service(Some(("custom-metrics", "alpaca-adapter"))),
                &ours
            ),
            Owner::Ours
        );
        assert_eq!(
            owner(
                &api_service(Some(("keda", "keda-operator-metrics-apiserver"))),
                &ours
            ),
            Owner::Other("keda/keda-operator-metrics-apiserver".parse().unwrap())
        );
        assert_eq!(owner(&api_service(None), &ours), Owner::Local);
        assert!("nope".parse::<ServiceRef>().is_err());
        assert!("a/b/c".parse::<ServiceRef>().is_err());
    }
}
