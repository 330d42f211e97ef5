//! The REST mapper: `(apiVersion, kind)` → resource, through discovery of the one
//! group-version, cached. Scale targets and the objects of Object metrics are found this
//! way, so custom resources work as well as built-in kinds.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::api::{ApiResource, GroupVersionKind};
use kube::discovery::{ApiCapabilities, oneshot};

use super::errors;

/// A resolved kind: its resource and whether it has a scale subresource.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    /// The resource.
    pub resource: ApiResource,
    /// Whether it is namespaced.
    pub namespaced: bool,
}

/// Discovery results by group, version and kind.
pub(crate) struct RestMapper {
    client: kube::Client,
    cache: Mutex<HashMap<(String, String, String), Mapping>>,
}

impl std::fmt::Debug for RestMapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestMapper").finish_non_exhaustive()
    }
}

/// `(group, version)` of an `apiVersion` (`v1` is the core group).
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

impl RestMapper {
    /// A mapper using this client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The resource of a kind, or upstream's `no matches for kind` message.
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Mapping, String> {
        let (group, version) = split_api_version(api_version);
        let key = (group.to_string(), version.to_string(), kind.to_string());
        if let Some(m) = self.lock().get(&key) {
            return Ok(m.clone());
        }
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (resource, caps): (ApiResource, ApiCapabilities) =
            match oneshot::pinned_kind(&self.client, &gvk).await {
                Ok(found) => found,
                Err(kube::Error::Discovery(_)) => {
                    return Err(format!("no matches for kind {kind:?} in group {group:?}"));
                }
                Err(e) if errors::is_not_found(&e) => {
                    return Err(format!(
                        "no matches for kind {kind:?} in version {:?}",
                        format!("{group}/{version}").trim_start_matches('/')
                    ));
                }
                Err(e) => return Err(errors::message(&e, "get discovery")),
            };
        let mapping = Mapping {
            resource,
            namespaced: matches!(caps.scope, kube::discovery::Scope::Namespaced),
        };
        self.lock().insert(key, mapping.clone());
        Ok(mapping)
    }

    /// Forgets a kind (after the API said its resource is gone).
    pub fn invalidate(&self, api_version: &str, kind: &str) {
        let (group, version) = split_api_version(api_version);
        self.lock()
            .remove(&(group.to_string(), version.to_string(), kind.to_string()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, String), Mapping>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}
