//! Guards the single-crypto-provider rule: kube uses rustls with *ring*; if any dependency
//! pulled in aws-lc-rs as well, rustls would find two providers and panic at start-up. This
//! test asks cargo for the dependency graph and fails if aws-lc-rs is in it.

use std::process::Command;

#[test]
fn aws_lc_rs_is_not_a_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "alpaca-adapter",
            "-e",
            "normal,build,dev",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("rustls v0.23"),
        "expected rustls in the tree:\n{text}"
    );
    assert!(text.contains("ring v"), "expected ring in the tree");
    let offenders: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("aws-lc-rs") || l.starts_with("aws-lc-sys"))
        .collect();
    assert!(
        offenders.is_empty(),
        "aws-lc-rs is in the dependency graph of alpaca-adapter ({offenders:?}): find the crate enabling it with \
         `cargo tree -p alpaca-adapter -i aws-lc-rs` and switch it to its ring / no-provider feature"
    );
}

#[test]
fn the_ring_provider_installs_once_and_tolerates_repeats() {
    alpaca_adapter::tls::install_crypto_provider();
    alpaca_adapter::tls::install_crypto_provider();
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
}
