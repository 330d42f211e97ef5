//! Front-proxy ("request header") authentication: a client certificate issued by the
//! `--requestheader-client-ca-file` CA, whose common name is in `--requestheader-allowed-names`
//! (any when empty), vouches for the user and groups in the `X-Remote-User`,
//! `X-Remote-Group` and `X-Remote-Extra-*` headers.

use std::collections::BTreeMap;

use axum::http::HeaderMap;

use super::{CaSubjects, UserInfo};
use crate::api::status::ApiError;
use crate::listener::ClientCert;

/// The request-header authentication settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeaderConfig {
    /// The CAs that sign front-proxy client certificates.
    pub ca: CaSubjects,
    /// Common names allowed as front proxies; empty allows any certificate of the CA.
    pub allowed_names: Vec<String>,
    /// Headers holding the user name, first non-empty wins (`X-Remote-User`).
    pub username_headers: Vec<String>,
    /// Headers holding groups, every value is a group (`X-Remote-Group`).
    pub group_headers: Vec<String>,
    /// Header prefixes of extra attributes (`X-Remote-Extra-`).
    pub extra_headers_prefixes: Vec<String>,
}

impl RequestHeaderConfig {
    /// The user vouched for by a front-proxy certificate, `Ok(None)` if the proxy named no user,
    /// and `Unauthorized` if the certificate's name is not an allowed proxy.
    pub fn authenticate(
        &self,
        cert: &ClientCert,
        headers: &HeaderMap,
    ) -> Result<Option<UserInfo>, ApiError> {
        if !self.allowed_names.is_empty() {
            let cn = cert.common_name.as_deref().unwrap_or_default();
            if !self.allowed_names.iter().any(|n| n == cn) {
                return Err(ApiError::Unauthorized(format!(
                    "client certificate common name {cn:?} is not an allowed front proxy"
                )));
            }
        }
        let Some(name) = self
            .username_headers
            .iter()
            .filter_map(|h| headers.get(h.as_str()))
            .filter_map(|v| v.to_str().ok())
            .find(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let groups = self
            .group_headers
            .iter()
            .flat_map(|h| headers.get_all(h.as_str()).iter())
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        let mut extra: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in headers {
            let key = k.as_str();
            for prefix in &self.extra_headers_prefixes {
                let p = prefix.to_ascii_lowercase();
                if let Some(rest) = key.strip_prefix(&p)
                    && !rest.is_empty()
                    && let Ok(v) = v.to_str()
                {
                    extra
                        .entry(rest.to_string())
                        .or_default()
                        .push(v.to_string());
                }
            }
        }
        Ok(Some(UserInfo {
            name: name.to_string(),
            groups,
            extra,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(allowed: &[&str]) -> RequestHeaderConfig {
        RequestHeaderConfig {
            ca: CaSubjects(vec![b"ca".to_vec()]),
            allowed_names: allowed.iter().map(|s| s.to_string()).collect(),
            username_headers: vec!["X-Remote-User".into()],
            group_headers: vec!["X-Remote-Group".into()],
            extra_headers_prefixes: vec!["X-Remote-Extra-".into()],
        }
    }

    fn cert(cn: &str) -> ClientCert {
        ClientCert {
            issuer: b"ca".to_vec(),
            common_name: Some(cn.into()),
            organizations: vec![],
        }
    }

    #[test]
    fn takes_user_groups_and_extras_from_headers() {
        let mut h = HeaderMap::new();
        h.insert("x-remote-user", "alice".parse().unwrap());
        h.append("x-remote-group", "devs".parse().unwrap());
        h.append("x-remote-group", "system:authenticated".parse().unwrap());
        h.insert("x-remote-extra-scopes", "view".parse().unwrap());
        let u = cfg(&["front-proxy-client"])
            .authenticate(&cert("front-proxy-client"), &h)
            .unwrap()
            .unwrap();
        assert_eq!(u.name, "alice");
        assert_eq!(u.groups, vec!["devs", "system:authenticated"]);
        assert_eq!(u.extra["scopes"], vec!["view"]);
        assert!(
            cfg(&["front-proxy-client"])
                .authenticate(&cert("mallory"), &h)
                .is_err()
        );
        assert!(
            cfg(&[])
                .authenticate(&cert("anyone"), &HeaderMap::new())
                .unwrap()
                .is_none()
        );
    }
}
