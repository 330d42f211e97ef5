//! The scale subresource of any target kind: GET and PUT through the discovered
//! resource, as upstream's scale client does. A PUT carries the resourceVersion of the
//! GET made in the same sync, so a target changed meanwhile answers 409 as upstream's
//! would.

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::api::autoscaling::v2::CrossVersionObjectReference;
use kube::api::{Api, DynamicObject, PostParams};

use super::discovery::RestMapper;
use super::errors;

type TargetKey = (String, String, String, String);

/// Reads and writes scales.
pub(crate) struct Scales {
    client: kube::Client,
    versions: Mutex<HashMap<TargetKey, String>>,
}

fn target_key(namespace: &str, t: &CrossVersionObjectReference) -> TargetKey {
    (
        namespace.to_string(),
        t.api_version.clone().unwrap_or_default(),
        t.kind.clone(),
        t.name.clone(),
    )
}

impl Scales {
    /// Scales through this client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            versions: Mutex::new(HashMap::new()),
        }
    }

    fn versions(&self) -> std::sync::MutexGuard<'_, HashMap<TargetKey, String>> {
        self.versions.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn api(
        &self,
        mapper: &RestMapper,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> Result<(Api<DynamicObject>, String), String> {
        let api_version = target.api_version.as_deref().unwrap_or("v1");
        let m = mapper.resolve(api_version, &target.kind).await?;
        let qualified = if m.resource.group.is_empty() {
            m.resource.plural.clone()
        } else {
            format!("{}.{}", m.resource.plural, m.resource.group)
        };
        let api = if m.namespaced {
            Api::namespaced_with(self.client.clone(), namespace, &m.resource)
        } else {
            Api::all_with(self.client.clone(), &m.resource)
        };
        Ok((api, qualified))
    }

    /// GET of the scale; `Ok(None)` when the target does not exist.
    pub async fn get(
        &self,
        mapper: &RestMapper,
        namespace: &str,
        target: &CrossVersionObjectReference,
    ) -> Result<Option<Scale>, String> {
        let (api, qualified) = self.api(mapper, namespace, target).await?;
        match api.get_scale(&target.name).await {
            Ok(scale) => {
                if let Some(rv) = scale.metadata.resource_version.clone() {
                    self.versions().insert(target_key(namespace, target), rv);
                }
                Ok(Some(scale))
            }
            Err(e) if errors::is_not_found(&e) => {
                self.versions().remove(&target_key(namespace, target));
                Ok(None)
            }
            Err(e) => Err(errors::message(
                &e,
                &format!("get {qualified} {}", target.name),
            )),
        }
    }

    /// PUT of the scale with the new replica count, retried on conflicts as upstream does
    /// (client-go's `RetryOnConflict` with `DefaultRetry`: five attempts ~10 ms apart, the
    /// scale read again before each retry): a Deployment whose status kube-controller-manager
    /// just wrote is not a failed rescale.
    pub async fn update(
        &self,
        mapper: &RestMapper,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> Result<(), String> {
        let mut attempt = 1;
        loop {
            match self.put(mapper, namespace, target, replicas).await {
                Err(PutError::Conflict(_)) if attempt < CONFLICT_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    // the latest resourceVersion, for the next PUT
                    self.get(mapper, namespace, target).await?;
                }
                Err(PutError::Conflict(m) | PutError::Other(m)) => return Err(m),
                Ok(()) => return Ok(()),
            }
        }
    }

    async fn put(
        &self,
        mapper: &RestMapper,
        namespace: &str,
        target: &CrossVersionObjectReference,
        replicas: i32,
    ) -> Result<(), PutError> {
        let (api, qualified) = self
            .api(mapper, namespace, target)
            .await
            .map_err(PutError::Other)?;
        let mut scale = Scale {
            spec: Some(ScaleSpec {
                replicas: Some(replicas),
            }),
            ..Scale::default()
        };
        scale.metadata.name = Some(target.name.clone());
        scale.metadata.namespace = Some(namespace.to_string());
        scale.metadata.resource_version = self.versions().remove(&target_key(namespace, target));
        match api
            .replace_scale(
                &target.name,
                &PostParams {
                    field_manager: Some(crate::FIELD_MANAGER.into()),
                    ..PostParams::default()
                },
                &scale,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                let message = errors::message(&e, &format!("update {qualified} {}", target.name));
                Err(match &e {
                    kube::Error::Api(s) if s.code == 409 => PutError::Conflict(message),
                    _ => PutError::Other(message),
                })
            }
        }
    }
}

/// Attempts of a scale update that conflicts (client-go's `retry.DefaultRetry.Steps`).
const CONFLICT_ATTEMPTS: u32 = 5;

/// Why a PUT of the scale failed.
enum PutError {
    /// 409: the scale changed since it was read.
    Conflict(String),
    /// Anything else.
    Other(String),
}
