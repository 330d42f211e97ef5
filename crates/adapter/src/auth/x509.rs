//! Verifying a presented client certificate chain against one CA bundle: each authenticator
//! (front proxy, client CA) checks the chain against its own CAs alone, as upstream's x509
//! verifiers do, so that a certificate is never attributed to a CA by its issuer's name.
//! Intermediates presented after the leaf are used to build the path to a CA.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;

use crate::error::AdapterError;

/// The CAs of one authenticator.
#[derive(Clone)]
pub struct CaPool {
    verifier: Arc<dyn ClientCertVerifier>,
}

impl std::fmt::Debug for CaPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaPool").finish_non_exhaustive()
    }
}

impl CaPool {
    /// A pool of these CA certificates (at least one).
    pub fn new(cas: &[CertificateDer<'static>]) -> Result<Self, AdapterError> {
        let mut roots = rustls::RootCertStore::empty();
        for c in cas {
            roots
                .add(c.clone())
                .map_err(|e| AdapterError::Certificate(format!("CA certificate: {e}")))?;
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| AdapterError::Certificate(format!("CA bundle: {e}")))?;
        Ok(Self { verifier })
    }

    /// Whether the chain (leaf first, then intermediates) leads to one of these CAs, is valid
    /// now and is meant for client authentication.
    pub fn verifies(&self, chain: &[CertificateDer<'static>]) -> bool {
        let Some((leaf, intermediates)) = chain.split_first() else {
            return false;
        };
        self.verifier
            .verify_client_cert(leaf, intermediates, UnixTime::now())
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::CertificateAuthority;
    use rustls::pki_types::pem::PemObject;

    fn der(pem: &str) -> Vec<CertificateDer<'static>> {
        CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn the_issuer_is_verified_not_named() {
        crate::tls::install_crypto_provider();
        let real = CertificateAuthority::generate("front-proxy-ca").unwrap();
        let impostor = CertificateAuthority::generate("front-proxy-ca").unwrap();
        let pool = CaPool::new(&der(real.cert_pem())).unwrap();
        let good = real.issue_client("front-proxy-client", &[]).unwrap();
        let bad = impostor.issue_client("front-proxy-client", &[]).unwrap();
        assert!(pool.verifies(&der(&good.cert_pem)));
        assert!(
            !pool.verifies(&der(&bad.cert_pem)),
            "same subject, other key"
        );
        assert!(!pool.verifies(&[]));

        let intermediate = real.issue_intermediate("front-proxy-intermediate").unwrap();
        let leaf = intermediate
            .issue_client("front-proxy-client", &[])
            .unwrap();
        let chain = der(&format!("{}{}", leaf.cert_pem, intermediate.cert_pem()));
        assert!(pool.verifies(&chain));
        assert!(!pool.verifies(&der(&leaf.cert_pem)), "intermediate missing");
    }
}
