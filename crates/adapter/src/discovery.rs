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

/// How long one group's discovery may take. An aggregated API whose backend is gone can
/// keep the API server's proxy waiting far longer; the group is then skipped (kubectl's
/// "unable to retrieve the complete list of server APIs") instead of delaying the rest.
const GROUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Every resource the cluster serves, core group first, then the groups in discovery order
/// (each at its preferred version). The groups are asked all at once, as client-go's
/// discovery does, each within [`GROUP_TIMEOUT`].
pub async fn discover(client: &kube::Client) -> Result<Vec<ResourceEntry>, kube::Error> {
    let mut out = Vec::new();
    for version in client.list_core_api_versions().await?.versions {
        let list = client.list_core_api_resources(&version).await?;
        out.extend(entries("", &version, list));
    }
    let groups: Vec<_> = client
        .list_api_groups()
        .await?
        .groups
        .into_iter()
        .filter_map(|group| {
            let gv = group
                .preferred_version
                .or_else(|| group.versions.into_iter().next())?;
            Some((group.name, gv))
        })
        .collect();
    let lists = futures::future::join_all(groups.iter().map(|(_, gv)| {
        tokio::time::timeout(
            GROUP_TIMEOUT,
            client.list_api_group_resources(&gv.group_version),
        )
    }))
    .await;
    for ((name, gv), list) in groups.iter().zip(lists) {
        match list {
            Ok(Ok(list)) => out.extend(entries(name, &gv.version, list)),
            // An unavailable aggregated API must not hide every other group.
            Ok(Err(e)) => {
                tracing::debug!(group_version = %gv.group_version, error = %e, "discovery of a group failed")
            }
            Err(_) => {
                tracing::debug!(group_version = %gv.group_version, "discovery of a group timed out")
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
