//! The `/status` subresource: only status changes, conflicts on a stale resourceVersion.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

use crate::support::{api_error, deployment};
use alpaca_fake_apiserver::FakeApiServer;

#[tokio::test]
async fn status_updates_and_conflicts() {
    let fake = FakeApiServer::new();
    let api: Api<Deployment> = Api::default_namespaced(fake.client());
    // status in a create is ignored
    let mut d = deployment("web", "web", Some(2));
    d.status = Some(DeploymentStatus {
        replicas: Some(9),
        ..Default::default()
    });
    let created = api.create(&PostParams::default(), &d).await.unwrap();
    assert!(created.status.is_none());

    let mut with_status = created.clone();
    with_status.status = Some(DeploymentStatus {
        replicas: Some(2),
        ready_replicas: Some(1),
        ..Default::default()
    });
    with_status.spec.replicas = Some(100); // ignored by /status
    let updated = api
        .replace_status("web", &PostParams::default(), &with_status)
        .await
        .unwrap();
    assert_eq!(updated.status.as_ref().unwrap().replicas, Some(2));
    assert_eq!(updated.spec.replicas, Some(2));
    assert_eq!(updated.metadata.generation, Some(1));
    assert_ne!(
        updated.metadata.resource_version,
        created.metadata.resource_version
    );

    // stale resourceVersion
    let e = api_error(
        api.replace_status("web", &PostParams::default(), &with_status)
            .await
            .unwrap_err(),
    );
    assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));

    // the main resource ignores status
    let mut main = updated.clone();
    main.status = Some(DeploymentStatus {
        replicas: Some(50),
        ..Default::default()
    });
    let after = api
        .replace("web", &PostParams::default(), &main)
        .await
        .unwrap();
    assert_eq!(after.status.unwrap().replicas, Some(2));

    let patched = api
        .patch_status(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"availableReplicas": 2}})),
        )
        .await
        .unwrap();
    let status = patched.status.unwrap();
    assert_eq!(
        (status.replicas, status.available_replicas),
        (Some(2), Some(2))
    );
    assert_eq!(
        api.get_status("web")
            .await
            .unwrap()
            .status
            .unwrap()
            .ready_replicas,
        Some(1)
    );
}
