//! Lists object names by label selector through the Kubernetes API (metadata only), so that
//! `*` queries with a `labelSelector` (what the HPA sends for Pods metrics) can be turned
//! into a Prometheus matcher on those names, as prometheus-adapter does.

use kube::api::{Api, ApiResource, DynamicObject, ListParams};

use crate::backend::BackendError;
use crate::resources::GroupResource;
use crate::selector::Selector;

/// An object as listed: where it is and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// The namespace (empty for root-scoped objects).
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The labels.
    pub labels: crate::backend::Labels,
}

/// Lists objects with a kube client.
#[derive(Clone)]
pub struct ObjectLister {
    client: kube::Client,
}

impl std::fmt::Debug for ObjectLister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectLister").finish_non_exhaustive()
    }
}

impl ObjectLister {
    /// A lister using this client.
    pub fn new(client: kube::Client) -> Self {
        Self { client }
    }

    /// Names of the objects of a resource (in a namespace, if given) matching the selector.
    pub async fn names(
        &self,
        gr: &GroupResource,
        namespace: Option<&str>,
        selector: &Selector,
    ) -> Result<Vec<String>, BackendError> {
        Ok(self
            .objects(gr, namespace, selector)
            .await?
            .into_iter()
            .map(|o| o.name)
            .collect())
    }

    /// Namespace, name and labels of the objects of a resource (in a namespace, if given)
    /// matching the selector.
    pub async fn objects(
        &self,
        gr: &GroupResource,
        namespace: Option<&str>,
        selector: &Selector,
    ) -> Result<Vec<ListedObject>, BackendError> {
        let info = gr.info();
        let ar = ApiResource {
            group: gr.group.clone(),
            version: info.version.clone(),
            api_version: if gr.group.is_empty() {
                info.version.clone()
            } else {
                format!("{}/{}", gr.group, info.version)
            },
            kind: info.kind,
            plural: gr.resource.clone(),
        };
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &ar),
            None => Api::all_with(self.client.clone(), &ar),
        };
        let list = api
            .list_metadata(&ListParams::default().labels(&selector.to_string()))
            .await
            .map_err(|e| {
                BackendError::Unavailable(format!("listing {gr} matching {selector:?}: {e}"))
            })?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|o| {
                Some(ListedObject {
                    name: o.metadata.name?,
                    namespace: o.metadata.namespace.unwrap_or_default(),
                    labels: o.metadata.labels.unwrap_or_default().into_iter().collect(),
                })
            })
            .collect())
    }
}
