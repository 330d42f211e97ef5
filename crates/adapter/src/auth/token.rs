//! Delegated token authentication: a bearer token is sent to the cluster as a TokenReview and
//! the answer (user, groups, extras) is cached for a short while (10 s, as the apiserver's
//! delegating authenticator does).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use kube::api::{Api, PostParams};

use super::UserInfo;

/// How long an answer is reused.
const TTL: Duration = Duration::from_secs(10);
/// How many answers are kept before the cache is emptied.
const CAPACITY: usize = 10_000;

/// Asks the cluster who a bearer token belongs to.
pub struct TokenReviewer {
    client: kube::Client,
    cache: Mutex<HashMap<String, (Option<UserInfo>, Instant)>>,
}

impl std::fmt::Debug for TokenReviewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenReviewer").finish_non_exhaustive()
    }
}

impl TokenReviewer {
    /// A reviewer using this client.
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The user a token authenticates, `None` if the cluster does not accept it.
    pub async fn review(&self, token: &str) -> Result<Option<UserInfo>, kube::Error> {
        if let Some((user, at)) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            && at.elapsed() < TTL
        {
            return Ok(user.clone());
        }
        let review = TokenReview {
            spec: TokenReviewSpec {
                token: token.to_string(),
                audiences: None,
            },
            ..Default::default()
        };
        let api: Api<TokenReview> = Api::all(self.client.clone());
        let answer = api.create(&PostParams::default(), &review).await?;
        let user = answer
            .status
            .filter(|s| s.authenticated == Some(true))
            .and_then(|s| s.user)
            .and_then(|u| {
                Some(UserInfo {
                    name: u.username?,
                    groups: u.groups.unwrap_or_default(),
                    extra: u.extra.unwrap_or_default(),
                })
            });
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(token.to_string(), (user.clone(), Instant::now()));
        Ok(user)
    }
}
