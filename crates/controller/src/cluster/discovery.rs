//! The REST mapper: `(apiVersion, kind)` → resource, through discovery, cached. Scale
//! targets and the objects of Object metrics are found this way, so custom resources work
//! as well as built-in kinds. As upstream's `RESTMappings(GroupKind)`, the group and the
//! kind decide, not the version: the given version when it is served, else the group's
//! versions, preferred first (an `apps/v1beta2` Deployment is an `apps/v1` one); a group
//! or kind not served gives upstream's `no matches for kind "K" in group "G"`.

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
        let no_match = || format!("no matches for kind {kind:?} in group {group:?}");
        let (resource, caps): (ApiResource, ApiCapabilities) =
            match oneshot::pinned_kind(&self.client, &gvk).await {
                Ok(found) => found,
                Err(e) if matches!(e, kube::Error::Discovery(_)) || errors::is_not_found(&e) => {
                    // the version is not served (or has no such kind): any version of the group
                    let api_group = match oneshot::group(&self.client, group).await {
                        Ok(g) => g,
                        Err(e)
                            if matches!(e, kube::Error::Discovery(_))
                                || errors::is_not_found(&e) =>
                        {
                            return Err(no_match());
                        }
                        Err(e) => return Err(errors::message(&e, "get discovery")),
                    };
                    let preferred = api_group.preferred_version_or_latest().to_string();
                    let mut versions: Vec<String> = vec![preferred.clone()];
                    versions.extend(
                        api_group
                            .versions()
                            .filter(|v| **v != preferred)
                            .map(str::to_string),
                    );
                    versions
                        .iter()
                        .flat_map(|v| api_group.versioned_resources(v))
                        .find(|(ar, _)| ar.kind == kind)
                        .ok_or_else(no_match)?
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
