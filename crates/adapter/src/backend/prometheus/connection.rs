//! How the adapter connects to Prometheus, with prometheus-adapter's options: a CA file and a
//! client certificate (`--prometheus-ca-file`, `--prometheus-client-tls-cert-file`/`-key-file`),
//! otherwise the CA and credentials of a kubeconfig (`--prometheus-auth-config`: token, token
//! file, basic auth or client certificate of its current context's user) or of the pod's
//! service account (`--prometheus-auth-incluster`); a bearer token file on top
//! (`--prometheus-token-file`), extra headers (`--prometheus-header k=v`) and the HTTP verb
//! (`--prometheus-verb`). Files are read once, at start, as upstream does.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

/// Why the connection settings are unusable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectionError(pub String);

/// The HTTP verb of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Verb {
    /// Parameters in the URL.
    #[default]
    Get,
    /// Parameters in a form body (long queries).
    Post,
}

/// The connection settings.
#[derive(Debug, Clone, Default)]
pub struct ConnectionOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// CA bundle (PEM) verifying Prometheus' certificate.
    pub ca_file: Option<PathBuf>,
    /// Client certificate (PEM), with `client_key_file`.
    pub client_cert_file: Option<PathBuf>,
    /// Client key (PEM).
    pub client_key_file: Option<PathBuf>,
    /// A file holding a bearer token.
    pub token_file: Option<PathBuf>,
    /// A kubeconfig whose current context's CA and user credentials are used.
    pub auth_config: Option<PathBuf>,
    /// Use the pod's service account token and CA.
    pub auth_in_cluster: bool,
    /// Extra headers, `Name=value`.
    pub headers: Vec<String>,
    /// GET or POST.
    pub verb: Verb,
}

/// TLS and credentials gathered from the options.
#[derive(Default)]
struct Settings {
    cas: Vec<reqwest::Certificate>,
    identity_pem: Option<Vec<u8>>,
    insecure: bool,
    authorization: Option<String>,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, ConnectionError> {
    std::fs::read(path)
        .map_err(|e| ConnectionError(format!("reading {what} {}: {e}", path.display())))
}

fn pem_certs(pem: &[u8], what: &str) -> Result<Vec<reqwest::Certificate>, ConnectionError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem)
        .map_err(|e| ConnectionError(format!("{what}: {e}")))?;
    if certs.is_empty() {
        return Err(ConnectionError(format!("{what}: no certificate found")));
    }
    Ok(certs)
}

fn b64(data: &str, what: &str) -> Result<Vec<u8>, ConnectionError> {
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|e| ConnectionError(format!("{what}: invalid base64: {e}")))
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// The CA and credentials of a kubeconfig's current context (relative paths resolved from
/// the kubeconfig's directory).
fn from_kubeconfig(path: &Path) -> Result<Settings, ConnectionError> {
    use kube::config::Kubeconfig;
    use secrecy::ExposeSecret;
    let what = format!("--prometheus-auth-config {}", path.display());
    let kc = Kubeconfig::read_from(path).map_err(|e| ConnectionError(format!("{what}: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let context_name = kc
        .current_context
        .clone()
        .ok_or_else(|| ConnectionError(format!("{what}: no current-context")))?;
    let context = kc
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.clone())
        .ok_or_else(|| ConnectionError(format!("{what}: context {context_name:?} not found")))?;
    let mut s = Settings::default();
    if let Some(cluster) = kc
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.clone())
    {
        s.insecure = cluster.insecure_skip_tls_verify.unwrap_or(false);
        if let Some(data) = &cluster.certificate_authority_data {
            s.cas = pem_certs(&b64(data, &what)?, &what)?;
        } else if let Some(file) = &cluster.certificate_authority {
            s.cas = pem_certs(&read(&dir.join(file), "certificate-authority")?, &what)?;
        }
    }
    let Some(user) = context.user.as_ref().and_then(|u| {
        kc.auth_infos
            .iter()
            .find(|a| &a.name == u)
            .and_then(|a| a.auth_info.clone())
    }) else {
        return Ok(s);
    };
    let cert = match (&user.client_certificate_data, &user.client_certificate) {
        (Some(d), _) => Some(b64(d, &what)?),
        (None, Some(f)) => Some(read(&dir.join(f), "client-certificate")?),
        _ => None,
    };
    let key = match (&user.client_key_data, &user.client_key) {
        (Some(d), _) => Some(b64(d.expose_secret(), &what)?),
        (None, Some(f)) => Some(read(&dir.join(f), "client-key")?),
        _ => None,
    };
    if let (Some(mut c), Some(k)) = (cert, key) {
        c.push(b'\n');
        c.extend(k);
        s.identity_pem = Some(c);
    }
    if let Some(t) = &user.token {
        s.authorization = Some(format!("Bearer {}", t.expose_secret().trim()));
    } else if let Some(f) = &user.token_file {
        let t = read(&dir.join(f), "token-file")?;
        s.authorization = Some(format!("Bearer {}", String::from_utf8_lossy(&t).trim()));
    } else if let (Some(u), Some(p)) = (&user.username, &user.password) {
        s.authorization = Some(basic(u, p.expose_secret()));
    }
    Ok(s)
}

const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Builds the HTTP client: TLS settings, credentials and headers sent with every request.
pub fn build(opts: &ConnectionOptions) -> Result<reqwest::Client, ConnectionError> {
    let mut s = if let Some(ca) = &opts.ca_file {
        Settings {
            cas: pem_certs(&read(ca, "--prometheus-ca-file")?, "--prometheus-ca-file")?,
            ..Settings::default()
        }
    } else {
        match (&opts.auth_config, opts.auth_in_cluster) {
            (Some(_), true) => {
                return Err(ConnectionError(
                    "--prometheus-auth-config and --prometheus-auth-incluster exclude each other"
                        .into(),
                ));
            }
            (Some(path), false) => from_kubeconfig(path)?,
            (None, true) => {
                let dir = Path::new(SA_DIR);
                let token = read(&dir.join("token"), "the service account token")?;
                Settings {
                    cas: pem_certs(
                        &read(&dir.join("ca.crt"), "the service account CA")?,
                        "ca.crt",
                    )?,
                    authorization: Some(format!(
                        "Bearer {}",
                        String::from_utf8_lossy(&token).trim()
                    )),
                    ..Settings::default()
                }
            }
            (None, false) => Settings::default(),
        }
    };
    match (&opts.client_cert_file, &opts.client_key_file) {
        (Some(c), Some(k)) => {
            let mut pem = read(c, "--prometheus-client-tls-cert-file")?;
            pem.push(b'\n');
            pem.extend(read(k, "--prometheus-client-tls-key-file")?);
            s.identity_pem = Some(pem);
        }
        (None, None) => {}
        _ => {
            return Err(ConnectionError(
                "--prometheus-client-tls-cert-file and --prometheus-client-tls-key-file go together"
                    .into(),
            ));
        }
    }
    if let Some(f) = &opts.token_file {
        let t = read(f, "--prometheus-token-file")?;
        s.authorization = Some(format!("Bearer {}", String::from_utf8_lossy(&t).trim()));
    }
    let mut headers = HeaderMap::new();
    if let Some(a) = &s.authorization {
        let mut v = HeaderValue::from_str(a).map_err(|_| {
            ConnectionError("the Prometheus credentials are not a valid header value".into())
        })?;
        v.set_sensitive(true);
        headers.insert(AUTHORIZATION, v);
    }
    for h in &opts.headers {
        let (name, value) = h.split_once('=').unwrap_or((h.as_str(), ""));
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            ConnectionError(format!("--prometheus-header {h:?}: invalid header name"))
        })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            ConnectionError(format!("--prometheus-header {h:?}: invalid header value"))
        })?;
        headers.append(name, value);
    }
    crate::tls::install_crypto_provider();
    let mut b = reqwest::Client::builder()
        .timeout(opts.timeout)
        .default_headers(headers);
    if !s.cas.is_empty() {
        b = b.tls_certs_only(s.cas);
    }
    if s.insecure {
        b = b.tls_danger_accept_invalid_certs(true);
    }
    if let Some(pem) = s.identity_pem {
        b = b.identity(
            reqwest::Identity::from_pem(&pem)
                .map_err(|e| ConnectionError(format!("the Prometheus client certificate: {e}")))?,
        );
    }
    b.build()
        .map_err(|e| ConnectionError(format!("building the Prometheus client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_settings_with_the_flag_named() {
        let e = |o: ConnectionOptions| build(&o).unwrap_err().to_string();
        assert!(
            e(ConnectionOptions {
                ca_file: Some("/nonexistent/ca.pem".into()),
                ..Default::default()
            })
            .contains("--prometheus-ca-file")
        );
        assert!(
            e(ConnectionOptions {
                client_cert_file: Some("/x".into()),
                ..Default::default()
            })
            .contains("go together")
        );
        assert!(
            e(ConnectionOptions {
                headers: vec!["bad name=x".into()],
                ..Default::default()
            })
            .contains("--prometheus-header")
        );
        assert!(
            e(ConnectionOptions {
                auth_config: Some("/x".into()),
                auth_in_cluster: true,
                ..Default::default()
            })
            .contains("exclude")
        );
        assert_eq!(basic("admin", "test"), "Basic YWRtaW46dGVzdA==");
    }
}
