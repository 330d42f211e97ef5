//! The watchers that fill the caches: autoscalers (every change to an autoscaler's spec,
//! and every new one, makes it due at once; a deleted one is forgotten) and pods
//! (kept as [`SlimPod`]s: what the engine reads, nothing else). Watch restarts and `410 Gone` are handled by
//! kube-rs' watcher, which relists; the relist replaces the cache whole.

use std::sync::Arc;

use alpaca_loop::HpaKey;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as watch};

use crate::cluster::{Cache, SlimPod};
use crate::telemetry::{Health, Telemetry};
use crate::workers::Queue;

/// What happens when an autoscaler is deleted.
pub(crate) type OnDelete = Arc<dyn Fn(&HpaKey) + Send + Sync>;

fn spec_changed(old: Option<&DynamicObject>, new: &DynamicObject) -> bool {
    old.is_none_or(|o| o.data.get("spec") != new.data.get("spec"))
}

fn key(ns: String, name: String) -> HpaKey {
    HpaKey::new(ns, name)
}

fn key_of(obj: &DynamicObject) -> HpaKey {
    HpaKey::new(
        obj.metadata.namespace.clone().unwrap_or_default(),
        obj.metadata.name.clone().unwrap_or_default(),
    )
}

/// Watches autoscalers into `cache`, scheduling syncs on `queue`. Runs until dropped.
pub(crate) async fn autoscalers(
    api: Api<DynamicObject>,
    cache: Arc<Cache<DynamicObject>>,
    queue: Arc<Queue>,
    on_delete: OnDelete,
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
) {
    let mut stream = watch(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut changed: Vec<HpaKey> = Vec::new();
    while let Some(event) = stream.next().await {
        match &event {
            Ok(_) => health.liveness.watch_ok("autoscaler"),
            Err(_) => health.liveness.watch_failed("autoscaler"),
        }
        match event {
            Ok(Event::Init) => {
                changed.clear();
                cache.relist_start();
            }
            Ok(Event::InitApply(mut obj)) => {
                crate::other_writers::keep_status_entries(&mut obj.metadata);
                let k = key_of(&obj);
                let old_spec = cache
                    .get(&k.namespace, &k.name)
                    .and_then(|o| o.data.get("spec").cloned());
                if old_spec.is_none() || old_spec.as_ref() != obj.data.get("spec") {
                    changed.push(k);
                }
                cache.relist_apply(obj);
            }
            Ok(Event::InitDone) => {
                let relisted = cache.relist_done();
                for (ns, name) in relisted.removed {
                    let k = key(ns, name);
                    queue.remove(&k);
                    on_delete(&k);
                }
                for k in changed.drain(..) {
                    queue.add_now(k);
                }
                for (ns, name) in relisted.listed {
                    queue.ensure(key(ns, name));
                }
                telemetry.autoscalers.set(cache.len() as i64);
            }
            Ok(Event::Apply(mut obj)) => {
                crate::other_writers::keep_status_entries(&mut obj.metadata);
                let k = key_of(&obj);
                let changed = {
                    let old = cache.get(&k.namespace, &k.name);
                    spec_changed(old.as_deref(), &obj)
                };
                cache.apply(obj);
                if changed {
                    queue.add_now(k);
                } else {
                    queue.ensure(k);
                }
                telemetry.autoscalers.set(cache.len() as i64);
            }
            Ok(Event::Delete(obj)) => {
                cache.delete(&obj);
                let k = key_of(&obj);
                queue.remove(&k);
                on_delete(&k);
                telemetry.autoscalers.set(cache.len() as i64);
            }
            Err(e) => {
                telemetry.error("watch");
                tracing::warn!(error = %e, "autoscaler watch failed; retrying");
            }
        }
    }
}

/// Watches pods into `cache`. Runs until dropped.
pub(crate) async fn pods(
    api: Api<Pod>,
    cache: Arc<Cache<SlimPod>>,
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
) {
    let mut stream = watch(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    while let Some(event) = stream.next().await {
        match &event {
            Ok(_) => health.liveness.watch_ok("pod"),
            Err(_) => health.liveness.watch_failed("pod"),
        }
        match event {
            Ok(Event::Init) => cache.relist_start(),
            Ok(Event::InitApply(pod)) => cache.relist_apply(SlimPod::new(pod)),
            Ok(Event::InitDone) => {
                cache.relist_done();
            }
            Ok(Event::Apply(pod)) => {
                cache.apply(SlimPod::new(pod));
            }
            Ok(Event::Delete(pod)) => {
                cache.delete(&SlimPod::new(pod));
            }
            Err(e) => {
                telemetry.error("watch");
                tracing::warn!(error = %e, "pod watch failed; retrying");
            }
        }
    }
}
