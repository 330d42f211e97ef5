//! Authentication and authorization as an aggregated API server does them: the front proxy's
//! client certificate plus `X-Remote-*` headers ([`requestheader`]), or a client certificate
//! from the client CA (user = CN, groups = O), or a bearer token reviewed by the cluster
//! ([`token`]), then either every authenticated user is allowed
//! or the decision is delegated to the cluster through SubjectAccessReview ([`delegated`]).
//! In insecure mode nothing is checked.

pub mod attributes;
pub mod delegated;
pub mod lookup;
pub mod requestheader;
pub mod token;

use std::collections::BTreeMap;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::SharedState;
use crate::api::status::ApiError;
use crate::listener::{ClientCert, PeerInfo};
use attributes::Attributes;

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

/// Certificate subjects of a CA bundle, to tell which CA issued a verified client certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaSubjects(pub Vec<Vec<u8>>);

impl CaSubjects {
    /// Whether the certificate was issued by one of these CAs.
    pub fn issued(&self, cert: &ClientCert) -> bool {
        self.0.contains(&cert.issuer)
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
    /// Front-proxy authentication.
    pub requestheader: Option<requestheader::RequestHeaderConfig>,
    /// CAs whose client certificates authenticate directly (user = CN, groups = O).
    pub client_ca: Option<CaSubjects>,
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
            requestheader: None,
            client_ca: None,
            token: None,
            anonymous: true,
            authorizer: Authorizer::AlwaysAllow,
        }
    }

    /// Authenticates a request; `Ok(None)` when no credential was recognised.
    pub async fn authenticate(
        &self,
        cert: Option<&ClientCert>,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<UserInfo>, ApiError> {
        if let Some(cert) = cert {
            if let Some(rh) = &self.requestheader
                && rh.ca.issued(cert)
                && let Some(user) = rh.authenticate(cert, headers)?
            {
                return Ok(Some(user));
            }
            if let Some(ca) = &self.client_ca
                && ca.issued(cert)
                && let Some(cn) = &cert.common_name
            {
                return Ok(Some(UserInfo {
                    name: cn.clone(),
                    groups: cert
                        .organizations
                        .iter()
                        .cloned()
                        .chain(["system:authenticated".to_string()])
                        .collect(),
                    extra: BTreeMap::new(),
                }));
            }
        }
        if let Some(reviewer) = &self.token
            && let Some(token) = bearer_token(headers)
        {
            match reviewer.review(token).await {
                Ok(Some(user)) => return Ok(Some(user)),
                Ok(None) => return Ok(None),
                Err(e) => return Err(ApiError::Internal(format!("token review failed: {e}"))),
            }
        }
        if self.anonymous {
            return Ok(Some(UserInfo {
                name: "system:anonymous".into(),
                groups: vec!["system:unauthenticated".into()],
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
    match &auth.authorizer {
        Authorizer::AlwaysAllow => {}
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
