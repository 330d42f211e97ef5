//! Authentication and authorization as an aggregated API server does them: the front proxy's
//! client certificate plus `X-Remote-*` headers ([`requestheader`]), or a client certificate
//! from the client CA (user = CN, groups = O), or a bearer token reviewed by the cluster
//! ([`token`]), then either every authenticated user is allowed
//! or the decision is delegated to the cluster through SubjectAccessReview ([`delegated`]).
//! Certificates are verified against each authenticator's own CAs ([`x509`]), whose settings
//! are reloaded while serving ([`source`], [`certs`]). In insecure mode nothing is checked.

pub mod attributes;
pub mod certs;
pub mod delegated;
pub mod lookup;
pub mod requestheader;
pub mod source;
pub mod token;
pub mod x509;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::SharedState;
use crate::api::status::ApiError;
use crate::listener::{ClientCert, PeerInfo};
use attributes::Attributes;
use certs::{CertAuthenticators, SharedCertAuthenticators};

/// The group of every authenticated user.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The group of anonymous requests.
pub const UNAUTHENTICATED_GROUP: &str = "system:unauthenticated";
/// The anonymous user.
pub const ANONYMOUS_USER: &str = "system:anonymous";
/// The group whose members are always allowed, as upstream's delegated authorization does.
pub const PRIVILEGED_GROUP: &str = "system:masters";

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserInfo {
    /// The user name.
    pub name: String,
    /// The groups.
    pub groups: Vec<String>,
    /// Extra attributes (`X-Remote-Extra-*`).
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    /// Adds `system:authenticated` unless the user is anonymous or already in it (or in
    /// `system:unauthenticated`), as upstream's `AuthenticatedGroupAdder` does for every
    /// authenticator: users named by the front proxy, client certificates and tokens alike.
    pub fn with_authenticated_group(mut self) -> Self {
        let marked = self
            .groups
            .iter()
            .any(|g| g == AUTHENTICATED_GROUP || g == UNAUTHENTICATED_GROUP);
        if self.name != ANONYMOUS_USER && !marked {
            self.groups.push(AUTHENTICATED_GROUP.to_string());
        }
        self
    }
}

/// The authorization decision maker.
#[derive(Debug)]
pub enum Authorizer {
    /// Every authenticated user may do everything.
    AlwaysAllow,
    /// Ask the cluster with SubjectAccessReview.
    Delegated(delegated::DelegatedAuthorizer),
}

/// The authentication and authorization setup.
#[derive(Debug)]
pub struct Auth {
    /// Skip all checks (`--insecure-serve-http`).
    pub insecure: bool,
    /// Front-proxy and client-CA authentication, swapped when their settings change.
    pub certs: Arc<SharedCertAuthenticators>,
    /// Bearer tokens reviewed by the cluster (TokenReview).
    pub token: Option<token::TokenReviewer>,
    /// Treat unauthenticated requests as `system:anonymous` instead of rejecting them.
    pub anonymous: bool,
    /// Who decides.
    pub authorizer: Authorizer,
}

impl Auth {
    /// No checks at all.
    pub fn insecure() -> Self {
        Self {
            insecure: true,
            certs: SharedCertAuthenticators::new(CertAuthenticators::default()),
            token: None,
            anonymous: true,
            authorizer: Authorizer::AlwaysAllow,
        }
    }

    /// Checks with these certificate authenticators, no token review, no anonymous access.
    pub fn with_certs(certs: CertAuthenticators, authorizer: Authorizer) -> Self {
        Self {
            insecure: false,
            certs: SharedCertAuthenticators::new(certs),
            token: None,
            anonymous: false,
            authorizer,
        }
    }

    /// Authenticates a request; `Ok(None)` when no credential was presented, `Err` (401) when
    /// one was presented and refused or could not be checked.
    pub async fn authenticate(
        &self,
        cert: Option<&ClientCert>,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<UserInfo>, ApiError> {
        let mut failure = None;
        if let Some(cert) = cert {
            match self.certs.current().authenticate(cert, headers) {
                Ok(Some(user)) => return Ok(Some(user.with_authenticated_group())),
                Ok(None) => {}
                Err(e) => failure = Some(e),
            }
        }
        if let Some(reviewer) = &self.token
            && let Some(token) = bearer_token(headers)
        {
            return match reviewer.review(token).await {
                Ok(Some(user)) => Ok(Some(user.with_authenticated_group())),
                Ok(None) => Err(ApiError::Unauthorized("invalid bearer token".into())),
                Err(e) => {
                    tracing::warn!(error = %e, "token review failed");
                    Err(ApiError::Unauthorized(
                        "Unauthorized: the token could not be reviewed".into(),
                    ))
                }
            };
        }
        if let Some(e) = failure {
            return Err(e);
        }
        if self.anonymous {
            return Ok(Some(UserInfo {
                name: ANONYMOUS_USER.into(),
                groups: vec![UNAUTHENTICATED_GROUP.into()],
                extra: BTreeMap::new(),
            }));
        }
        Ok(None)
    }
}

/// Authenticates and authorizes every request of the API routes.
pub async fn middleware(State(st): State<SharedState>, req: Request, next: Next) -> Response {
    let auth = &st.auth;
    if auth.insecure {
        return next.run(req).await;
    }
    let cert = req
        .extensions()
        .get::<ConnectInfo<PeerInfo>>()
        .and_then(|c| c.0.client_cert.clone());
    let user = match auth.authenticate(cert.as_deref(), req.headers()).await {
        Ok(Some(u)) => u,
        Ok(None) => return ApiError::Unauthorized("Unauthorized".into()).into_response(),
        Err(e) => return e.into_response(),
    };
    let attrs = Attributes::from_request(req.method(), req.uri().path());
    let privileged = user.groups.iter().any(|g| g == PRIVILEGED_GROUP);
    match &auth.authorizer {
        Authorizer::AlwaysAllow => {}
        Authorizer::Delegated(_) if privileged => {}
        Authorizer::Delegated(d) => match d.authorize(&user, &attrs).await {
            Ok(true) => {}
            Ok(false) => {
                return ApiError::Forbidden(format!(
                    "User {:?} cannot {}",
                    user.name,
                    attrs.describe()
                ))
                .into_response();
            }
            Err(e) => {
                return ApiError::Internal(format!("authorization failed: {e}")).into_response();
            }
        },
    }
    next.run(req).await
}

/// The token of an `Authorization: Bearer TOKEN` header.
fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
