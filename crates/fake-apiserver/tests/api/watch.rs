//! Watches: kube-runtime's watcher through list+watch, streaming lists, 410 Gone and
//! relist, selector-filtered watches, bookmarks, timeouts.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::watcher::{self, Event};
use serde_json::json;

use crate::support::pod;
use alpaca_fake_apiserver::{Config, FakeApiServer, Verb};

fn cm(name: &str, value: &str) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": name}, "data": {"v": value}})).unwrap()
}

/// The next watcher event that is not an error, within a second.
async fn next<S>(stream: &mut S) -> Event<ConfigMap>
where
    S: futures::Stream<Item = Result<Event<ConfigMap>, watcher::Error>> + Unpin,
{
    loop {
        match tokio::time::timeout(Duration::from_secs(2), stream.next())
            .await
            .expect("watcher stalled")
        {
            Some(Ok(ev)) => return ev,
            Some(Err(_)) => continue,
            None => panic!("watcher ended"),
        }
    }
}

fn name_of(ev: &Event<ConfigMap>) -> String {
    match ev {
        Event::Apply(o) | Event::Delete(o) | Event::InitApply(o) => {
            o.metadata.name.clone().unwrap()
        }
        Event::Init => "<init>".into(),
        Event::InitDone => "<init-done>".into(),
    }
}

#[tokio::test]
async fn watcher_sees_added_modified_deleted_and_recovers_from_410() {
    let fake = FakeApiServer::new();
    let api: Api<ConfigMap> = Api::namespaced(fake.client(), "default");
    api.create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    let mut stream = watcher::watcher(api.clone(), watcher::Config::default()).boxed();

    assert!(matches!(next(&mut stream).await, Event::Init));
    assert!(
        matches!(next(&mut stream).await, Event::InitApply(ref o) if o.metadata.name.as_deref() == Some("a"))
    );
    assert!(matches!(next(&mut stream).await, Event::InitDone));

    // the watch request goes out after InitDone is yielded; wait for it before writing
    for _ in 0..100 {
        if fake
            .requests()
            .iter()
            .any(|r| r.is(Verb::Watch, "configmaps"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    api.create(&PostParams::default(), &cm("b", "1"))
        .await
        .unwrap();
    assert!(
        matches!(next(&mut stream).await, Event::Apply(ref o) if o.metadata.name.as_deref() == Some("b"))
    );
    api.patch(
        "a",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"v": "2"}})),
    )
    .await
    .unwrap();
    match next(&mut stream).await {
        Event::Apply(o) => assert_eq!(o.data.unwrap()["v"], "2"),
        other => panic!("expected MODIFIED, got {}", name_of(&other)),
    }
    api.delete("b", &DeleteParams::default()).await.unwrap();
    assert!(
        matches!(next(&mut stream).await, Event::Delete(ref o) if o.metadata.name.as_deref() == Some("b"))
    );

    // compaction + closed watches: the re-watch gets 410 and the watcher relists
    fake.compact_watch_history();
    fake.close_watches();
    api.create(&PostParams::default(), &cm("c", "1"))
        .await
        .unwrap();
    let mut seen = Vec::new();
    loop {
        let ev = next(&mut stream).await;
        seen.push(name_of(&ev));
        if matches!(ev, Event::InitDone) {
            break;
        }
    }
    assert_eq!(seen, ["<init>", "a", "c", "<init-done>"]);
    let lists = fake
        .requests()
        .iter()
        .filter(|r| r.is(Verb::List, "configmaps"))
        .count();
    assert_eq!(lists, 2, "the watcher relisted once");
}

#[tokio::test]
async fn expired_watches_relist_with_streaming_lists() {
    let fake = FakeApiServer::new();
    let api: Api<ConfigMap> = Api::namespaced(fake.client(), "default");
    fake.apply(&cm("a", "1")).unwrap();
    let mut stream =
        watcher::watcher(api.clone(), watcher::Config::default().streaming_lists()).boxed();
    assert!(matches!(next(&mut stream).await, Event::Init));
    assert!(matches!(next(&mut stream).await, Event::InitApply(_)));
    assert!(matches!(next(&mut stream).await, Event::InitDone));
    fake.apply(&cm("b", "1")).unwrap();
    assert!(
        matches!(next(&mut stream).await, Event::Apply(ref o) if o.metadata.name.as_deref() == Some("b"))
    );
    fake.expire_watches();
    assert!(matches!(next(&mut stream).await, Event::Init));
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.is(Verb::List, "configmaps")),
        "streaming lists never list"
    );
}

#[tokio::test]
async fn raw_watch_from_a_version_410_bookmarks_and_timeout() {
    let fake = FakeApiServer::with_config(Config {
        bookmark_interval: Duration::from_millis(50),
        ..Config::default()
    });
    let api: Api<ConfigMap> = Api::namespaced(fake.client(), "default");
    let a = api
        .create(&PostParams::default(), &cm("a", "1"))
        .await
        .unwrap();
    let rv = a.metadata.resource_version.clone().unwrap();
    api.create(&PostParams::default(), &cm("b", "1"))
        .await
        .unwrap();

    // resuming from a's version replays b only
    let mut s = api
        .watch(&WatchParams::default().disable_bookmarks().timeout(1), &rv)
        .await
        .unwrap()
        .boxed();
    match s.try_next().await.unwrap().unwrap() {
        WatchEvent::Added(o) => assert_eq!(o.metadata.name.as_deref(), Some("b")),
        other => panic!("{other:?}"),
    }
    // timeoutSeconds=1 ends the stream
    let ended = tokio::time::timeout(Duration::from_secs(3), s.try_next())
        .await
        .unwrap()
        .unwrap();
    assert!(ended.is_none());

    // bookmarks carry the current resourceVersion
    let mut s = api
        .watch(&WatchParams::default().timeout(5), &rv)
        .await
        .unwrap()
        .boxed();
    let _added_b = s.try_next().await.unwrap().unwrap();
    match s.try_next().await.unwrap().unwrap() {
        WatchEvent::Bookmark(b) => assert_eq!(
            b.metadata.resource_version,
            fake.resource_version().to_string()
        ),
        other => panic!("{other:?}"),
    }
    drop(s);

    // after compaction the old version is gone
    fake.compact_watch_history();
    let mut s = api
        .watch(&WatchParams::default(), &rv)
        .await
        .unwrap()
        .boxed();
    match s.try_next().await.unwrap().unwrap() {
        WatchEvent::Error(e) => {
            assert_eq!((e.code, e.reason.as_str()), (410, "Expired"));
            assert!(
                e.message.starts_with("too old resource version"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(s.try_next().await.unwrap().is_none());
}

#[tokio::test]
async fn label_filtered_watch_sees_objects_enter_and_leave() {
    let fake = FakeApiServer::new();
    let api: Api<Pod> = Api::namespaced(fake.client(), "default");
    fake.apply(&pod("default", "p1", &[("app", "web")]))
        .unwrap();
    fake.apply(&pod("default", "p2", &[("app", "api")]))
        .unwrap();
    let rv = fake.resource_version().to_string();
    let mut s = api
        .watch(
            &WatchParams::default().disable_bookmarks().labels("app=web"),
            &rv,
        )
        .await
        .unwrap()
        .boxed();

    fake.apply(&pod("default", "p2", &[("app", "web")]))
        .unwrap(); // enters: ADDED
    fake.apply(&pod("default", "p1", &[("app", "api")]))
        .unwrap(); // leaves: DELETED
    fake.apply(&pod("default", "p3", &[("app", "db")])).unwrap(); // never selected
    fake.apply(&pod("default", "p2", &[("app", "web"), ("v", "2")]))
        .unwrap(); // MODIFIED
    let mut got = Vec::new();
    for _ in 0..3 {
        let line = match s.try_next().await.unwrap().unwrap() {
            WatchEvent::Added(p) => format!("ADDED {}", p.metadata.name.unwrap()),
            WatchEvent::Modified(p) => format!("MODIFIED {}", p.metadata.name.unwrap()),
            WatchEvent::Deleted(p) => format!("DELETED {}", p.metadata.name.unwrap()),
            other => format!("{other:?}"),
        };
        got.push(line);
    }
    assert_eq!(got, ["ADDED p2", "DELETED p1", "MODIFIED p2"]);
}
