//! Reads the cluster's authentication settings for extension API servers from the
//! `kube-system/extension-apiserver-authentication` ConfigMap (what the RBAC role
//! `extension-apiserver-authentication-reader` grants): the front proxy's CA, allowed names and
//! header names, and the client CA.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::AdapterError;

/// What the ConfigMap says.
#[derive(Debug, Clone, Default)]
pub struct ClusterAuthentication {
    /// `requestheader-client-ca-file` certificates.
    pub requestheader_ca: Vec<CertificateDer<'static>>,
    /// `requestheader-allowed-names`.
    pub allowed_names: Vec<String>,
    /// `requestheader-username-headers`.
    pub username_headers: Vec<String>,
    /// `requestheader-group-headers`.
    pub group_headers: Vec<String>,
    /// `requestheader-extra-headers-prefix`.
    pub extra_headers_prefixes: Vec<String>,
    /// `client-ca-file` certificates.
    pub client_ca: Vec<CertificateDer<'static>>,
}

/// The ConfigMap's namespace.
pub const NAMESPACE: &str = "kube-system";
/// The ConfigMap's name.
pub const NAME: &str = "extension-apiserver-authentication";

/// Reads and parses the ConfigMap. A cluster without it (no aggregation layer configured) has
/// no settings to give, as upstream treats it; any other failure (forbidden, unreachable) is an
/// error.
pub async fn lookup(client: kube::Client) -> Result<ClusterAuthentication, AdapterError> {
    let api: Api<ConfigMap> = Api::namespaced(client, NAMESPACE);
    let cm = api
        .get_opt(NAME)
        .await
        .map_err(|e| AdapterError::Kube(format!("reading configmap {NAMESPACE}/{NAME}: {e}")))?;
    match cm {
        Some(cm) => parse(&cm.data.unwrap_or_default()),
        None => {
            tracing::warn!(
                "configmap {NAMESPACE}/{NAME} does not exist: the cluster gives no front-proxy or client CA"
            );
            Ok(ClusterAuthentication::default())
        }
    }
}

/// Parses the ConfigMap's data.
pub fn parse(
    data: &std::collections::BTreeMap<String, String>,
) -> Result<ClusterAuthentication, AdapterError> {
    let certs = |key: &str| -> Result<Vec<CertificateDer<'static>>, AdapterError> {
        match data.get(key) {
            None => Ok(Vec::new()),
            Some(pem) => CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| AdapterError::Certificate(format!("{NAME} {key}: {e}"))),
        }
    };
    // The list values are JSON arrays of strings.
    let list = |key: &str| -> Result<Vec<String>, AdapterError> {
        match data.get(key) {
            None => Ok(Vec::new()),
            Some(s) if s.trim().is_empty() => Ok(Vec::new()),
            Some(s) => serde_json::from_str::<Option<Vec<String>>>(s)
                .map(Option::unwrap_or_default)
                .map_err(|e| AdapterError::Certificate(format!("{NAME} {key}: {e}"))),
        }
    };
    Ok(ClusterAuthentication {
        requestheader_ca: certs("requestheader-client-ca-file")?,
        allowed_names: list("requestheader-allowed-names")?,
        username_headers: list("requestheader-username-headers")?,
        group_headers: list("requestheader-group-headers")?,
        extra_headers_prefixes: list("requestheader-extra-headers-prefix")?,
        client_ca: certs("client-ca-file")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_configmap_shape() {
        let data = [
            ("requestheader-allowed-names", r#"["front-proxy-client"]"#),
            ("requestheader-username-headers", r#"["X-Remote-User"]"#),
            ("requestheader-group-headers", r#"["X-Remote-Group"]"#),
            (
                "requestheader-extra-headers-prefix",
                r#"["X-Remote-Extra-"]"#,
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let a = parse(&data).unwrap();
        assert_eq!(a.allowed_names, vec!["front-proxy-client"]);
        assert_eq!(a.extra_headers_prefixes, vec!["X-Remote-Extra-"]);
        assert!(a.requestheader_ca.is_empty());
        let bad = [(
            "requestheader-allowed-names".to_string(),
            "nope".to_string(),
        )]
        .into_iter()
        .collect();
        assert!(parse(&bad).is_err());
    }
}
