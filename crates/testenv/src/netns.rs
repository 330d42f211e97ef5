//! A network namespace of the test's own, joined to the host by a veth pair, so that
//! aggregated API servers have an address that is not loopback (the API server refuses
//! loopback endpoints). A server in the test process listens on the host side of the pair:
//! a local address, reached by nothing outside this machine. Removed when the test process
//! ends (the watchdog runs [`NetNs::cleanup_commands`]) or on [`NetNs::remove`].

use std::net::Ipv4Addr;
use std::process::Command;

use crate::error::TestEnvError;

/// A network namespace `name` with `host` on the host side and `inner` inside.
#[derive(Debug, Clone)]
pub struct NetNs {
    /// The namespace's name.
    pub name: String,
    /// The host side's interface.
    pub host_if: String,
    /// The host side's address (a local address of this machine while the pair exists).
    pub host: Ipv4Addr,
    /// The address inside the namespace.
    pub inner: Ipv4Addr,
}

fn ip(args: &[&str]) -> Result<String, String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("running ip: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl NetNs {
    /// Creates the namespace and the pair, on a /24 of 10.77.0.0/16 that no interface of
    /// this machine uses yet. Needs root and `ip` (iproute2).
    pub fn create() -> Result<Self, TestEnvError> {
        let unsupported = |why: String| {
            TestEnvError::Unsupported(format!(
                "no network namespace for aggregated API servers: {why}"
            ))
        };
        let used = ip(&["-o", "-4", "addr", "show"]).map_err(unsupported)?;
        let pid = std::process::id();
        let third = (0..250u32)
            .map(|i| ((pid + i) % 250 + 2) as u8)
            .find(|n| !used.contains(&format!("10.77.{n}.")))
            .ok_or_else(|| unsupported("every 10.77.x.0/24 is in use".into()))?;
        let ns = Self {
            name: format!("alpaca-test-{pid}"),
            host_if: format!("alp{pid}h"),
            host: Ipv4Addr::new(10, 77, third, 1),
            inner: Ipv4Addr::new(10, 77, third, 2),
        };
        let inner_if = format!("alp{pid}n");
        let host_cidr = format!("{}/24", ns.host);
        let inner_cidr = format!("{}/24", ns.inner);
        let steps: Vec<Vec<&str>> = vec![
            vec!["netns", "add", &ns.name],
            vec![
                "link",
                "add",
                &ns.host_if,
                "type",
                "veth",
                "peer",
                "name",
                &inner_if,
            ],
            vec!["link", "set", &inner_if, "netns", &ns.name],
            vec!["addr", "add", &host_cidr, "dev", &ns.host_if],
            vec!["link", "set", &ns.host_if, "up"],
            vec!["-n", &ns.name, "addr", "add", &inner_cidr, "dev", &inner_if],
            vec!["-n", &ns.name, "link", "set", &inner_if, "up"],
            vec!["-n", &ns.name, "link", "set", "lo", "up"],
        ];
        for step in steps {
            if let Err(e) = ip(&step) {
                ns.remove();
                return Err(unsupported(e));
            }
        }
        Ok(ns)
    }

    /// Shell lines that remove the namespace and the pair.
    pub fn cleanup_commands(&self) -> Vec<String> {
        vec![
            format!("ip netns del {} 2>/dev/null", self.name),
            format!("ip link del {} 2>/dev/null", self.host_if),
        ]
    }

    /// Removes the namespace and the pair now.
    pub fn remove(&self) {
        let _ = ip(&["netns", "del", &self.name]);
        let _ = ip(&["link", "del", &self.host_if]);
    }

    /// Whether the namespace exists.
    pub fn exists(name: &str) -> bool {
        ip(&["netns", "list"])
            .is_ok_and(|l| l.lines().any(|n| n.split_whitespace().next() == Some(name)))
    }
}
