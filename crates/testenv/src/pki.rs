//! The certificates and keys a control plane needs, generated in Rust (rcgen): a cluster CA
//! and the API server's serving certificate, a front-proxy CA and the aggregator's client
//! certificate, the service-account signing key, and serving certificates for aggregated
//! API servers under test.

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

use crate::error::TestEnvError;

/// A certificate and its private key, PEM-encoded.
#[derive(Debug, Clone)]
pub struct Pem {
    /// The certificate.
    pub cert: String,
    /// The private key (PKCS#8).
    pub key: String,
}

/// A certificate authority that issues leaves.
pub struct Ca {
    cert: String,
    issuer: Issuer<'static, KeyPair>,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca").finish_non_exhaustive()
    }
}

impl Ca {
    /// A new self-signed CA.
    pub fn new(common_name: &str) -> Result<Self, TestEnvError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.pem(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate (PEM).
    pub fn cert_pem(&self) -> &str {
        &self.cert
    }

    /// A serving certificate for these DNS names and IP addresses.
    pub fn server(&self, dns: &[&str], ips: &[IpAddr]) -> Result<Pem, TestEnvError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(
            DnType::CommonName,
            dns.first().copied().unwrap_or("localhost"),
        );
        params.subject_alt_names = dns
            .iter()
            .map(|d| Ok(SanType::DnsName((*d).try_into()?)))
            .chain(ips.iter().map(|ip| Ok(SanType::IpAddress(*ip))))
            .collect::<Result<_, rcgen::Error>>()?;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.issue(params)
    }

    /// A client certificate: the common name is the user, organizations the groups.
    pub fn client(&self, user: &str, groups: &[&str]) -> Result<Pem, TestEnvError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, user);
        for g in groups {
            params.distinguished_name.push(DnType::OrganizationName, *g);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.issue(params)
    }

    fn issue(&self, mut params: CertificateParams) -> Result<Pem, TestEnvError> {
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        })
    }
}

/// A key pair for signing service-account tokens (ECDSA P-256, which kube-apiserver takes
/// as well as RSA).
#[derive(Debug, Clone)]
pub struct SigningKey {
    /// The private key (PKCS#8 PEM).
    pub private: String,
    /// The public key (PEM).
    pub public: String,
}

impl SigningKey {
    /// A new key pair.
    pub fn new() -> Result<Self, TestEnvError> {
        let key = KeyPair::generate()?;
        Ok(Self {
            private: key.serialize_pem(),
            public: key.public_key_pem(),
        })
    }
}

/// A random bearer token (hex), from the key generator's randomness.
pub fn token() -> Result<String, TestEnvError> {
    let key = KeyPair::generate()?;
    let der = key.serialized_der();
    Ok(der
        .iter()
        .rev()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect())
}
