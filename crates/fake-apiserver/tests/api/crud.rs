//! Create, get, list, update, patch and delete of Deployments; conflicts; selectors.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::{api_error, deployment, pod};
use alpaca_fake_apiserver::FakeApiServer;

#[tokio::test]
async fn deployment_crud_and_conflicts() {
    let fake = FakeApiServer::new();
    let api: Api<Deployment> = Api::namespaced(fake.client(), "default");

    let created = api
        .create(&PostParams::default(), &deployment("web", "web", Some(2)))
        .await
        .unwrap();
    let meta = &created.metadata;
    assert_eq!(meta.namespace.as_deref(), Some("default"));
    assert_eq!(meta.generation, Some(1));
    assert!(meta.uid.as_ref().is_some_and(|u| u.len() == 36));
    assert!(meta.creation_timestamp.is_some());
    let rv1: u64 = meta.resource_version.as_deref().unwrap().parse().unwrap();

    let dup = api_error(
        api.create(&PostParams::default(), &deployment("web", "web", None))
            .await
            .unwrap_err(),
    );
    assert_eq!((dup.code, dup.reason.as_str()), (409, "AlreadyExists"));
    assert_eq!(dup.message, "deployments.apps \"web\" already exists");

    let missing = api_error(api.get("nope").await.unwrap_err());
    assert_eq!((missing.code, missing.reason.as_str()), (404, "NotFound"));
    assert_eq!(missing.message, "deployments.apps \"nope\" not found");
    let details = missing.details.unwrap();
    assert_eq!(
        (
            details.name.as_str(),
            details.group.as_str(),
            details.kind.as_str()
        ),
        ("nope", "apps", "deployments")
    );

    // update bumps RV and generation (spec changed)
    let mut d = api.get("web").await.unwrap();
    d.spec.replicas = Some(5);
    let updated = api
        .replace("web", &PostParams::default(), &d)
        .await
        .unwrap();
    let rv2: u64 = updated
        .metadata
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);
    assert_eq!(updated.metadata.generation, Some(2));

    // the stale copy conflicts, with upstream's message
    let conflict = api_error(
        api.replace("web", &PostParams::default(), &d)
            .await
            .unwrap_err(),
    );
    assert_eq!((conflict.code, conflict.reason.as_str()), (409, "Conflict"));
    assert_eq!(
        conflict.message,
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; \
         please apply your changes to the latest version and try again"
    );

    // a label-only change keeps the generation
    let patched = api
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "front"}}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.metadata.generation, Some(2));
    assert_eq!(patched.labels()["tier"], "front");

    // a no-op update keeps the resourceVersion
    let same = api
        .replace("web", &PostParams::default(), &patched)
        .await
        .unwrap();
    assert_eq!(
        same.metadata.resource_version,
        patched.metadata.resource_version
    );

    // JSON patch and a resourceVersion precondition inside a merge patch
    let jp: json_patch::Patch =
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/replicas", "value": 7}]))
            .unwrap();
    let after_jp = api
        .patch("web", &PatchParams::default(), &Patch::Json::<()>(jp))
        .await
        .unwrap();
    assert_eq!(after_jp.spec.replicas, Some(7));
    let stale = json!({"metadata": {"resourceVersion": rv1.to_string()}, "spec": {"replicas": 1}});
    let e = api_error(
        api.patch("web", &PatchParams::default(), &Patch::Merge(stale))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, 409);

    // server-side apply creates, then merges
    let applied = api
        .patch(
            "api",
            &PatchParams::apply("test"),
            &Patch::Apply(deployment("api", "api", Some(3))),
        )
        .await
        .unwrap();
    assert_eq!(applied.spec.replicas, Some(3));
    let reapplied = api
        .patch(
            "api",
            &PatchParams::apply("test").force(),
            &Patch::Apply(
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 4}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(reapplied.spec.replicas, Some(4));

    // defaults: replicas 1
    let defaulted = api
        .create(&PostParams::default(), &deployment("bare", "bare", None))
        .await
        .unwrap();
    assert_eq!(defaulted.spec.replicas, Some(1));

    let list = api.list(&ListParams::default()).await.unwrap();
    let names: Vec<_> = list
        .items
        .iter()
        .map(|d| d.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["api", "bare", "web"]);
    assert!(list.metadata.resource_version.is_some());

    api.delete("web", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_error(api.get("web").await.unwrap_err()).code, 404);
    assert_eq!(
        api_error(
            api.delete("web", &DeleteParams::default())
                .await
                .unwrap_err()
        )
        .code,
        404
    );
    assert!(fake.get::<Deployment>("default", "web").is_none());
    assert_eq!(fake.list::<Deployment>(None).len(), 2);
}

#[tokio::test]
async fn label_and_field_selectors() {
    let fake = FakeApiServer::new();
    for (ns, name, app, tier) in [
        ("a", "p1", "web", "front"),
        ("a", "p2", "web", "back"),
        ("b", "p3", "api", "back"),
        ("b", "p4", "db", ""),
    ] {
        let mut labels = vec![("app", app)];
        if !tier.is_empty() {
            labels.push(("tier", tier));
        }
        fake.apply(&pod(ns, name, &labels)).unwrap();
    }
    let all: Api<Pod> = Api::all(fake.client());
    let names = |lp: ListParams| {
        let all = all.clone();
        async move {
            all.list(&lp)
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|p| p.metadata.name.unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(names(ListParams::default()).await, ["p1", "p2", "p3", "p4"]);
    assert_eq!(
        names(ListParams::default().labels("app=web")).await,
        ["p1", "p2"]
    );
    assert_eq!(
        names(ListParams::default().labels("app in (api,db)")).await,
        ["p3", "p4"]
    );
    assert_eq!(
        names(ListParams::default().labels("app notin (web),tier")).await,
        ["p3"]
    );
    assert_eq!(names(ListParams::default().labels("!tier")).await, ["p4"]);
    assert_eq!(
        names(ListParams::default().labels("tier!=back")).await,
        ["p1", "p4"]
    );
    assert_eq!(
        names(ListParams::default().fields("metadata.namespace=b")).await,
        ["p3", "p4"]
    );
    assert_eq!(
        names(ListParams::default().fields("metadata.name=p2")).await,
        ["p2"]
    );
    let in_a: Api<Pod> = Api::namespaced(fake.client(), "a");
    assert_eq!(
        in_a.list(&ListParams::default()).await.unwrap().items.len(),
        2
    );

    let bad = api_error(
        all.list(&ListParams::default().labels("app in web"))
            .await
            .unwrap_err(),
    );
    assert_eq!((bad.code, bad.reason.as_str()), (400, "BadRequest"));

    // pagination when a limit is asked with a non-zero resourceVersion semantic
    let page1 = all.list(&ListParams::default().limit(3)).await.unwrap();
    assert_eq!(page1.items.len(), 3);
    let token = page1.metadata.continue_.clone().unwrap();
    let page2 = all
        .list(&ListParams::default().limit(3).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert!(page2.metadata.continue_.is_none());
}

#[tokio::test]
async fn namespace_mismatch_and_generate_name() {
    let fake = FakeApiServer::new();
    let api: Api<Pod> = Api::namespaced(fake.client(), "default");
    let e = api_error(
        api.create(&PostParams::default(), &pod("other", "x", &[]))
            .await
            .unwrap_err(),
    );
    assert_eq!(e.code, 400);
    let mut p = pod("default", "", &[]);
    p.metadata.name = None;
    p.metadata.generate_name = Some("web-".into());
    let created = api.create(&PostParams::default(), &p).await.unwrap();
    let name = created.metadata.name.unwrap();
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
}
