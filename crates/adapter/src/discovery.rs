//! Which resources the cluster serves, learnt through API discovery (`/api/v1`, then each
//! group's preferred version under `/apis`), so that custom resources are resolved like
//! built-in ones (plural, singular, kind, version), as prometheus-adapter's RESTMapper does.
//! Refreshed periodically; a failed refresh keeps what was learnt before.

use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;

use crate::resources::{ResourceEntry, set_discovered};

/// The resources of one group-version list (subresources left out).
fn entries(group: &str, version: &str, list: APIResourceList) -> Vec<ResourceEntry> {
    list.resources
        .into_iter()
        .filter(|r| !r.name.contains('/'))
        .map(|r| ResourceEntry {
            group: group.to_string(),
            version: version.to_string(),
            singular: if r.singular_name.is_empty() {
                r.kind.to_ascii_lowercase()
            } else {
                r.singular_name
            },
            plural: r.name,
            kind: r.kind,
        })
        .collect()
}

/// Every resource the cluster serves, core group first, then the groups in discovery order
/// (each at its preferred version).
pub async fn discover(client: &kube::Client) -> Result<Vec<ResourceEntry>, kube::Error> {
    let mut out = Vec::new();
    for version in client.list_core_api_versions().await?.versions {
        let list = client.list_core_api_resources(&version).await?;
        out.extend(entries("", &version, list));
    }
    for group in client.list_api_groups().await?.groups {
        let Some(gv) = group
            .preferred_version
            .or_else(|| group.versions.into_iter().next())
        else {
            continue;
        };
        match client.list_api_group_resources(&gv.group_version).await {
            Ok(list) => out.extend(entries(&group.name, &gv.version, list)),
            // An unavailable aggregated API must not hide every other group.
            Err(e) => {
                tracing::debug!(group_version = %gv.group_version, error = %e, "discovery of a group failed")
            }
        }
    }
    Ok(out)
}

/// Discovers once (returning the error, if any, so the caller can report it), then keeps
/// refreshing every `interval` in the background.
pub async fn start(client: kube::Client, interval: Duration) -> Result<(), kube::Error> {
    let first = discover(&client).await.map(set_discovered);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            match discover(&client).await {
                Ok(e) => set_discovered(e),
                Err(e) => {
                    tracing::warn!(error = %e, "resource discovery failed; keeping the previous result")
                }
            }
        }
    });
    first
}
