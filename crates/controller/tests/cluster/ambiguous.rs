//! Upstream parity: two autoscalers over the same pods both stop with `ScalingActive
//! False AmbiguousSelector`, a Warning event of that reason naming both, as
//! kube-controller-manager's `validateAndParseSelector` does; once one is deleted, the
//! other scales again.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::DeleteParams;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_autoscalers_over_the_same_pods_are_ambiguous() {
    let Some(ns) = Ns::new("two_autoscalers_over_the_same_pods").await else {
        return;
    };
    // two pods at 100% of their CPU request: alone, an autoscaler would go to 4
    ns.workload("web", 2, 200).await;
    let mut twin = hpa_json("web");
    twin["metadata"]["name"] = "web-twin".into();
    ns.apply::<HorizontalPodAutoscaler>(twin).await;
    ns.hpa("web", serde_json::json!({})).await;
    let running = ns.start(ns.args()).await;

    let message = format!(
        "pods by selector app=web are controlled by multiple HPAs: [{0}/web {0}/web-twin]",
        ns.name
    );
    for name in ["web", "web-twin"] {
        eventually(
            &format!("{name}: ScalingActive False AmbiguousSelector"),
            30,
            || async {
                ns.hpa_object(name)
                    .await
                    .and_then(|h| h.status?.conditions)
                    .is_some_and(|c| {
                        c.iter().any(|c| {
                            c.type_ == "ScalingActive"
                                && c.status == "False"
                                && c.reason.as_deref() == Some("AmbiguousSelector")
                                && c.message.as_deref() == Some(message.as_str())
                        })
                    })
            },
        )
        .await;
        eventually(
            &format!("{name}: a Warning event AmbiguousSelector"),
            30,
            || async {
                ns.events(name)
                    .await
                    .iter()
                    .any(|(reason, msg, _, _)| reason == "AmbiguousSelector" && *msg == message)
            },
        )
        .await;
    }
    // neither scales while both select the pods (the first sync of the first one may)
    let before = ns.replicas("web").await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        ns.replicas("web").await,
        before,
        "no rescale while ambiguous"
    );

    // the twin goes: the other one is alone again and scales 2 → 4
    ns.api::<HorizontalPodAutoscaler>()
        .delete("web-twin", &DeleteParams::default())
        .await
        .unwrap();
    eventually("web scales to 4 alone", 30, || async {
        ns.replicas("web").await == Some(4)
    })
    .await;
    running.stop().await.unwrap();
}
