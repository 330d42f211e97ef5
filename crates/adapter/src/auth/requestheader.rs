//! Front-proxy ("request header") authentication: a client certificate chain verified against
//! the request-header CA alone (intermediates allowed), whose leaf's common name is in
//! `--requestheader-allowed-names` (any when empty), vouches for the user, groups and extras in
//! the `X-Remote-User`, `X-Remote-Group` and `X-Remote-Extra-*` headers. Extra keys are
//! lower-cased and percent-decoded, as upstream's request-header authenticator does.

use std::collections::BTreeMap;

use axum::http::HeaderMap;

use super::UserInfo;
use super::x509::CaPool;
use crate::api::status::ApiError;
use crate::listener::ClientCert;

/// The request-header authentication settings.
#[derive(Debug, Clone)]
pub struct RequestHeaderConfig {
    /// The CAs that sign front-proxy client certificates.
    pub ca: CaPool,
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
    /// Whether the certificate is a front proxy's: issued (through intermediates or not) by the
    /// request-header CA.
    pub fn issued(&self, cert: &ClientCert) -> bool {
        self.ca.verifies(&cert.chain)
    }

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
            .filter(|v| !v.is_empty())
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
                        .entry(unescape_extra_key(rest))
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

/// An extra key as sent (`X-Remote-Extra-Example.com%2Fscope`), decoded
/// (`example.com/scope`); a key that is not valid percent-encoding is kept as it is.
pub fn unescape_extra_key(key: &str) -> String {
    let bytes = key.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, b)| {
        *b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return key.to_string();
    }
    percent_encoding::percent_decode_str(key)
        .decode_utf8()
        .map_or_else(|_| key.to_string(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::CertificateAuthority;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    fn der(pem: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn cfg(ca: &CertificateAuthority, allowed: &[&str]) -> RequestHeaderConfig {
        RequestHeaderConfig {
            ca: CaPool::new(&der(ca.cert_pem())).unwrap(),
            allowed_names: allowed.iter().map(|s| s.to_string()).collect(),
            username_headers: vec!["X-Remote-User".into()],
            group_headers: vec!["X-Remote-Group".into()],
            extra_headers_prefixes: vec!["X-Remote-Extra-".into()],
        }
    }

    fn cert(ca: &CertificateAuthority, cn: &str) -> ClientCert {
        ClientCert::from_chain(&der(&ca.issue_client(cn, &[]).unwrap().cert_pem)).unwrap()
    }

    #[test]
    fn takes_user_groups_and_extras_from_headers() {
        crate::tls::install_crypto_provider();
        let ca = CertificateAuthority::generate("front-proxy-ca").unwrap();
        let mut h = HeaderMap::new();
        h.insert("x-remote-user", "alice".parse().unwrap());
        h.append("x-remote-group", "devs".parse().unwrap());
        h.append("x-remote-group", "system:authenticated".parse().unwrap());
        h.append("x-remote-group", "".parse().unwrap());
        h.insert("x-remote-extra-scopes", "view".parse().unwrap());
        h.insert(
            "x-remote-extra-example.org%2fteam",
            "infra".parse().unwrap(),
        );
        h.insert("x-remote-extra-bad%zz", "x".parse().unwrap());
        let c = cfg(&ca, &["front-proxy-client"]);
        let proxy = cert(&ca, "front-proxy-client");
        assert!(c.issued(&proxy));
        let u = c.authenticate(&proxy, &h).unwrap().unwrap();
        assert_eq!(u.name, "alice");
        assert_eq!(
            u.groups,
            vec!["devs", "system:authenticated"],
            "empty ones skipped"
        );
        assert_eq!(u.extra["scopes"], vec!["view"]);
        assert_eq!(u.extra["example.org/team"], vec!["infra"]);
        assert_eq!(u.extra["bad%zz"], vec!["x"]);
        assert!(c.authenticate(&cert(&ca, "mallory"), &h).is_err());
        assert!(
            cfg(&ca, &[])
                .authenticate(&cert(&ca, "anyone"), &HeaderMap::new())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn extra_keys_are_percent_decoded() {
        assert_eq!(unescape_extra_key("a%2fb%20c"), "a/b c");
        assert_eq!(unescape_extra_key("plain"), "plain");
        assert_eq!(unescape_extra_key("bad%2"), "bad%2");
        assert_eq!(unescape_extra_key("bad%ff"), "bad%ff", "not UTF-8");
    }
}
