//! PUT of the autoscaler's status subresource, retried on optimistic-concurrency
//! conflicts: the first attempt uses the object the sync read (from the cache), each
//! retry reads the latest object and puts the same status on it. CRD mode's objects also
//! get KEP-5679's per-metric fallback fields, which `autoscaling/v2` has no place for.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerStatus;
use kube::api::{Api, DynamicObject, PostParams, TypeMeta};

use super::errors;
use crate::args::Mode;
use crate::kind::AutoscalerKind;

/// Attempts before a conflict is given up on (client-go's `retry.DefaultRetry` has 5 steps).
pub(crate) const ATTEMPTS: usize = 5;

/// Writes `status` onto the autoscaler `name`, starting from `read` when given.
pub(crate) async fn write(
    api: &Api<DynamicObject>,
    kind: &AutoscalerKind,
    name: &str,
    read: Option<DynamicObject>,
    status: &HorizontalPodAutoscalerStatus,
    external_fallback: &[alpaca_engine::FallbackStatus],
) -> Result<(), String> {
    let mut status = serde_json::to_value(status).map_err(|e| e.to_string())?;
    if kind.mode() == Mode::Crd {
        crate::kind::add_fallback_status(&mut status, external_fallback);
    }
    let what = format!("update {}/status {name}", kind.qualified());
    let mut current = read;
    let mut last_error = String::new();
    let params = PostParams {
        field_manager: Some(crate::FIELD_MANAGER.into()),
        ..PostParams::default()
    };
    for _ in 0..ATTEMPTS {
        let mut obj = match current.take() {
            Some(obj) => obj,
            None => match api.get(name).await {
                Ok(obj) => obj,
                Err(e) => return Err(errors::message(&e, &format!("get {name}"))),
            },
        };
        obj.types = Some(TypeMeta {
            api_version: kind.resource().api_version.clone(),
            kind: kind.resource().kind.clone(),
        });
        obj.metadata.managed_fields = None;
        if let Some(map) = obj.data.as_object_mut() {
            map.insert("status".into(), status.clone());
        }
        match api.replace_status(name, &params, &obj).await {
            Ok(_) => return Ok(()),
            Err(e) if errors::is_conflict(&e) => {
                tracing::debug!(
                    autoscaler = name,
                    "status write conflicted; retrying on the latest object"
                );
                last_error = errors::message(&e, &what);
            }
            Err(e) => return Err(errors::message(&e, &what)),
        }
    }
    Err(last_error)
}
