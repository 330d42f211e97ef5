//! The serving certificate, swappable while serving: rustls asks [`ServingCert`] for the
//! certificate at each handshake, and [`reload`] re-reads `--tls-cert-file` and
//! `--tls-private-key-file` periodically and swaps in the new pair when the files changed
//! (as upstream's dynamic serving content does); a pair that does not load keeps the old one.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::sync::watch;

use crate::error::AdapterError;
use crate::tls::{self, ServingCert};

/// The certificate in force.
#[derive(Debug)]
pub struct ServingCertResolver(RwLock<Arc<CertifiedKey>>);

impl ServingCertResolver {
    /// Serves this certificate.
    pub fn new(cert: ServingCert) -> Result<Arc<Self>, AdapterError> {
        Ok(Arc::new(Self(RwLock::new(certified(cert)?))))
    }

    /// Serves another certificate from now on.
    pub fn replace(&self, cert: ServingCert) -> Result<(), AdapterError> {
        let key = certified(cert)?;
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = key;
        Ok(())
    }
}

impl ResolvesServerCert for ServingCertResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.read().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

fn certified(cert: ServingCert) -> Result<Arc<CertifiedKey>, AdapterError> {
    let provider = rustls::crypto::ring::default_provider();
    CertifiedKey::from_der(cert.chain, cert.key, &provider)
        .map(Arc::new)
        .map_err(|e| AdapterError::Certificate(format!("serving certificate: {e}")))
}

/// The files of a serving certificate given by flags.
#[derive(Debug, Clone)]
pub struct ServingCertFiles {
    /// `--tls-cert-file`.
    pub cert: PathBuf,
    /// `--tls-private-key-file`.
    pub key: PathBuf,
}

impl ServingCertFiles {
    async fn contents(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        let cert = tokio::fs::read(&self.cert).await.ok()?;
        let key = tokio::fs::read(&self.key).await.ok()?;
        Some((cert, key))
    }
}

/// Re-reads the files every `interval` until shutdown; when they changed and load, serves them.
pub async fn reload(
    files: ServingCertFiles,
    target: Arc<ServingCertResolver>,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut last = files.contents().await;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        let now = files.contents().await;
        if now.is_none() || now == last {
            continue;
        }
        match tls::load_serving_cert(&files.cert, &files.key).and_then(|c| target.replace(c)) {
            Ok(()) => {
                tracing::info!(cert = %files.cert.display(), "serving certificate changed: reloaded");
                last = now;
            }
            // A half-written pair (certificate updated, key not yet): try again next time.
            Err(e) => tracing::warn!(error = %e, "the new serving certificate does not load yet"),
        }
    }
}
