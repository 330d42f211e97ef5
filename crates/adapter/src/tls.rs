//! TLS with one crypto provider (rustls' *ring*, the one kube uses): installing it as the
//! process default, loading or generating the serving certificate, reading CA bundles, and
//! building the server configuration that asks for (but does not require) client certificates
//! from the request-header and client CAs.

use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::auth::CaSubjects;
use crate::error::AdapterError;
use crate::pki::CertificateAuthority;

/// Installs *ring* as the process-wide rustls provider; harmless if one is already installed.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The serving certificate chain and key.
#[derive(Debug)]
pub struct ServingCert {
    /// Leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key.
    pub key: PrivateKeyDer<'static>,
    /// When generated: the CA certificate (PEM) that signed it, for clients to trust.
    pub generated_ca_pem: Option<String>,
}

/// Reads `--tls-cert-file` and `--tls-private-key-file`.
pub fn load_serving_cert(cert: &Path, key: &Path) -> Result<ServingCert, AdapterError> {
    let chain = load_certs(cert)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        AdapterError::Certificate(format!("reading the private key {}: {e}", key.display()))
    })?;
    Ok(ServingCert {
        chain,
        key,
        generated_ca_pem: None,
    })
}

/// Generates a CA and a serving certificate for `localhost`, `127.0.0.1`, `::1` and `hosts`.
pub fn self_signed(hosts: &[String]) -> Result<ServingCert, AdapterError> {
    let ca = CertificateAuthority::generate(&format!(
        "alpaca-adapter-ca@{}",
        jiff::Timestamp::now().as_second()
    ))?;
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    names.extend(
        hosts
            .iter()
            .filter(|h| !names.contains(h))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let issued = ca.issue_server(&names)?;
    let chain = CertificateDer::pem_slice_iter(issued.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AdapterError::Certificate(format!("generated certificate: {e}")))?;
    let key = PrivateKeyDer::from_pem_slice(issued.key_pem.as_bytes())
        .map_err(|e| AdapterError::Certificate(format!("generated key: {e}")))?;
    Ok(ServingCert {
        chain,
        key,
        generated_ca_pem: Some(ca.cert_pem().to_string()),
    })
}

/// Reads every certificate of a PEM bundle.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, AdapterError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| AdapterError::Certificate(format!("reading {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(AdapterError::Certificate(format!(
            "{} holds no certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The subjects of CA certificates, to recognise the certificates they issue.
pub fn subjects(certs: &[CertificateDer<'static>]) -> Result<CaSubjects, AdapterError> {
    certs
        .iter()
        .map(|c| {
            x509_parser::parse_x509_certificate(c.as_ref())
                .map(|(_, x)| x.subject().as_raw().to_vec())
                .map_err(|e| AdapterError::Certificate(format!("parsing a CA certificate: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(CaSubjects)
}

/// The rustls server configuration: HTTP/2 and HTTP/1.1, and optional client certificates
/// verified against `client_roots` (none asked for when empty).
pub fn server_config(
    cert: ServingCert,
    client_roots: &[CertificateDer<'static>],
) -> Result<Arc<ServerConfig>, AdapterError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| AdapterError::Certificate(format!("TLS versions: {e}")))?;
    let builder = if client_roots.is_empty() {
        builder.with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for c in client_roots {
            roots
                .add(c.clone())
                .map_err(|e| AdapterError::Certificate(format!("client CA: {e}")))?;
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .allow_unauthenticated()
            .build()
            .map_err(|e| AdapterError::Certificate(format!("client certificate verifier: {e}")))?;
        builder.with_client_cert_verifier(verifier)
    };
    let mut config = builder
        .with_single_cert(cert.chain, cert.key)
        .map_err(|e| AdapterError::Certificate(format!("serving certificate: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
