//! The certificate authenticators in force (front proxy and client CA), behind a handle that
//! the reloader swaps when the cluster's settings or the CA files change: requests read the
//! current settings, never a half-updated mix.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use axum::http::HeaderMap;

use super::UserInfo;
use super::requestheader::RequestHeaderConfig;
use super::x509::CaPool;
use crate::api::status::ApiError;
use crate::listener::ClientCert;

/// The certificate authenticators at one moment.
#[derive(Debug, Clone, Default)]
pub struct CertAuthenticators {
    /// Front-proxy authentication.
    pub requestheader: Option<RequestHeaderConfig>,
    /// The CAs whose client certificates authenticate directly (user = CN, groups = O).
    pub client_ca: Option<CaPool>,
}

impl CertAuthenticators {
    /// The user a certificate (and, for a front proxy, the headers) authenticates: the front
    /// proxy first, then the client CA, as upstream's delegating authenticator orders them.
    /// `Err` when the certificate is a front proxy's with a name that is not allowed and no
    /// other authenticator accepts it.
    pub fn authenticate(
        &self,
        cert: &ClientCert,
        headers: &HeaderMap,
    ) -> Result<Option<UserInfo>, ApiError> {
        let mut failure = None;
        if let Some(rh) = &self.requestheader
            && rh.issued(cert)
        {
            match rh.authenticate(cert, headers) {
                Ok(Some(user)) => return Ok(Some(user)),
                Ok(None) => {}
                Err(e) => failure = Some(e),
            }
        }
        if let Some(ca) = &self.client_ca
            && ca.verifies(&cert.chain)
            && let Some(cn) = &cert.common_name
        {
            return Ok(Some(UserInfo {
                name: cn.clone(),
                groups: cert.organizations.clone(),
                extra: BTreeMap::new(),
            }));
        }
        failure.map_or(Ok(None), Err)
    }
}

/// The current authenticators, shared by the request path and the reloader.
#[derive(Debug, Default)]
pub struct SharedCertAuthenticators(RwLock<Arc<CertAuthenticators>>);

impl SharedCertAuthenticators {
    /// A handle holding these authenticators.
    pub fn new(current: CertAuthenticators) -> Arc<Self> {
        Arc::new(Self(RwLock::new(Arc::new(current))))
    }

    /// The authenticators in force.
    pub fn current(&self) -> Arc<CertAuthenticators> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Puts new authenticators in force.
    pub fn replace(&self, next: CertAuthenticators) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
    }
}
