//! TLS with one crypto provider (rustls' *ring*, the one kube uses): installing it as the
//! process default, loading or generating the serving certificate, reading CA bundles, and
//! building the server configuration. Like upstream's serving (`RequestClientCert`), the TLS
//! layer asks for a client certificate and checks that the peer holds its key, but does not
//! decide which CA issued it: each authenticator verifies the chain against its own CAs
//! ([`crate::auth::x509`]), whose settings can change while serving.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::ResolvesServerCert;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

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

/// Asks for a client certificate, accepts a connection without one, and checks the handshake
/// signature (the peer holds the leaf's key); the chain is verified by authentication.
#[derive(Debug)]
pub struct RequestClientCert {
    algorithms: WebPkiSupportedAlgorithms,
}

impl RequestClientCert {
    /// With the *ring* provider's signature algorithms.
    pub fn new() -> Self {
        Self {
            algorithms: rustls::crypto::ring::default_provider().signature_verification_algorithms,
        }
    }
}

impl Default for RequestClientCert {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientCertVerifier for RequestClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: clients then offer whatever certificate they have (as Go's do).
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The rustls server configuration: HTTP/2 and HTTP/1.1, the serving certificate from
/// `certs` (which may change while serving), and client certificates requested.
pub fn server_config(
    certs: Arc<dyn ResolvesServerCert>,
) -> Result<Arc<ServerConfig>, AdapterError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| AdapterError::Certificate(format!("TLS versions: {e}")))?
        .with_client_cert_verifier(Arc::new(RequestClientCert::new()))
        .with_cert_resolver(certs);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
