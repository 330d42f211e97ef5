//! Delegated authorization: each request's attributes are sent to the cluster as a
//! SubjectAccessReview, and the answers are cached for a short while (10 s, as the
//! apiserver's delegating authorizer does) so that an HPA polling every 15 s costs one review.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authorization::v1::{
    NonResourceAttributes, ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use super::UserInfo;
use super::attributes::Attributes;

/// How long an answer is reused.
const TTL: Duration = Duration::from_secs(10);
/// How many answers are kept before the cache is emptied.
const CAPACITY: usize = 10_000;

/// Asks the cluster whether a user may do something.
pub struct DelegatedAuthorizer {
    client: kube::Client,
    cache: Mutex<HashMap<(UserInfo, Attributes), (bool, Instant)>>,
}

impl std::fmt::Debug for DelegatedAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelegatedAuthorizer")
            .finish_non_exhaustive()
    }
}

impl DelegatedAuthorizer {
    /// An authorizer using this client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the user may do what the attributes describe.
    pub async fn authorize(
        &self,
        user: &UserInfo,
        attrs: &Attributes,
    ) -> Result<bool, kube::Error> {
        let key = (user.clone(), attrs.clone());
        if let Some((allowed, at)) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            && at.elapsed() < TTL
        {
            return Ok(*allowed);
        }
        let review = SubjectAccessReview {
            spec: review_spec(user, attrs),
            ..Default::default()
        };
        let api: Api<SubjectAccessReview> = Api::all(self.client.clone());
        let answer = api.create(&PostParams::default(), &review).await?;
        let allowed = answer
            .status
            .is_some_and(|s| s.allowed && !s.denied.unwrap_or(false));
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(key, (allowed, Instant::now()));
        Ok(allowed)
    }
}

/// The review's spec for a user and request.
pub fn review_spec(user: &UserInfo, attrs: &Attributes) -> SubjectAccessReviewSpec {
    let mut spec = SubjectAccessReviewSpec {
        user: Some(user.name.clone()),
        groups: Some(user.groups.clone()),
        extra: (!user.extra.is_empty()).then(|| user.extra.clone()),
        ..Default::default()
    };
    match attrs {
        Attributes::Resource {
            verb,
            group,
            version,
            namespace,
            resource,
            name,
            subresource,
        } => {
            spec.resource_attributes = Some(ResourceAttributes {
                verb: Some(verb.clone()),
                group: Some(group.clone()),
                version: Some(version.clone()),
                namespace: namespace.clone(),
                resource: Some(resource.clone()),
                name: name.clone(),
                subresource: subresource.clone(),
                ..Default::default()
            })
        }
        Attributes::NonResource { verb, path } => {
            spec.non_resource_attributes = Some(NonResourceAttributes {
                verb: Some(verb.clone()),
                path: Some(path.clone()),
            })
        }
    }
    spec
}
