//! The watchers that fill the caches: autoscalers (every change to an autoscaler's spec,
//! and every new one, makes it due at once; a deleted one is forgotten) and pods
//! (kept as [`SlimPod`]s: what the engine reads, nothing else; and only those of
//! namespaces with autoscalers, see [`PodScope`]). Watch restarts and `410 Gone` are
//! handled by kube-rs' watcher, which relists; the relist replaces the cache whole.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use alpaca_loop::HpaKey;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as watch};

use crate::cluster::{Cache, Keyed, PodScope, SlimPod};
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
    scope: Arc<PodScope>,
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
                    scope.want(&ns);
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
                scope.want(&k.namespace);
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

/// How long the pod watch waits before a relist it was asked for, so that autoscalers
/// created together in new namespaces cost one relist.
const RELIST_COALESCE: Duration = Duration::from_secs(1);

/// Watches the pods of the namespaces with autoscalers into `cache`; relists when
/// `scope` asks (an autoscaler in a namespace not covered). Runs until dropped.
pub(crate) async fn pods(
    api: Api<Pod>,
    cache: Arc<Cache<SlimPod>>,
    autoscalers: Arc<Cache<DynamicObject>>,
    scope: Arc<PodScope>,
    telemetry: Arc<Telemetry>,
    health: Arc<Health>,
) {
    loop {
        let mut stream = watch(api.clone(), watcher::Config::default())
            .default_backoff()
            .boxed();
        // the namespaces with autoscalers when the current list began; None between lists
        let mut listing: Option<HashSet<String>> = None;
        let mut listed = false;
        loop {
            tokio::select! {
                event = stream.next() => {
                    let Some(event) = event else { return };
                    match &event {
                        Ok(_) => health.liveness.watch_ok("pod"),
                        Err(_) => health.liveness.watch_failed("pod"),
                    }
                    match event {
                        Ok(Event::Init) => {
                            listing = Some(autoscalers.namespaces());
                            cache.relist_start();
                        }
                        Ok(Event::InitApply(pod)) => {
                            let pod = SlimPod::new(pod);
                            if autoscalers.has_namespace(&pod.namespace()) {
                                cache.relist_apply(pod);
                            }
                        }
                        Ok(Event::InitDone) => {
                            cache.relist_done();
                            let now = autoscalers.namespaces();
                            let covered = listing.take().unwrap_or_default();
                            scope.set_covered(covered.intersection(&now).cloned().collect());
                            listed = true;
                            telemetry.cached_pods.set(cache.len() as i64);
                        }
                        Ok(Event::Apply(pod)) => {
                            let pod = SlimPod::new(pod);
                            if autoscalers.has_namespace(&pod.namespace()) {
                                cache.apply(pod);
                            } else {
                                cache.delete(&pod);
                            }
                            telemetry.cached_pods.set(cache.len() as i64);
                        }
                        Ok(Event::Delete(pod)) => {
                            cache.delete(&SlimPod::new(pod));
                            telemetry.cached_pods.set(cache.len() as i64);
                        }
                        Err(e) => {
                            telemetry.error("watch");
                            tracing::warn!(error = %e, "pod watch failed; retrying");
                        }
                    }
                }
                _ = scope.relist_requested(), if listed && listing.is_none() => {
                    let missing = autoscalers.namespaces().iter().any(|ns| !scope.covers(ns));
                    if missing {
                        break;
                    }
                }
            }
        }
        tracing::debug!("relisting pods for autoscalers in new namespaces");
        tokio::time::sleep(RELIST_COALESCE).await;
    }
}
