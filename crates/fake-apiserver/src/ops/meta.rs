//! Metadata the server owns: uid, creationTimestamp, generation, generated names.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.finish()
}

/// Now, as an RFC 3339 timestamp with second precision (`metav1.Time`).
pub(crate) fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// A random RFC 4122 version-4 style uid.
pub(crate) fn new_uid() -> String {
    let (a, b) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// `prefix` plus five random characters from the API server's alphabet.
pub(crate) fn generated_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut r = random_u64();
    let mut name = prefix.to_string();
    for _ in 0..5 {
        name.push(ALPHABET[(r % ALPHABET.len() as u64) as usize] as char);
        r /= ALPHABET.len() as u64;
    }
    name
}

/// `metadata` as a mutable map (created if missing).
pub(crate) fn metadata_mut(obj: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    obj["metadata"]
        .as_object_mut()
        .expect("metadata was just made an object")
}

/// `metadata.<field>` as a string, or "".
pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj["metadata"][field].as_str().unwrap_or("")
}

/// Whether anything but metadata and status differs (what bumps `metadata.generation`).
pub(crate) fn spec_changed(old: &Value, new: &Value) -> bool {
    let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
        return old != new;
    };
    let count = |m: &serde_json::Map<String, Value>| m.keys().filter(|k| relevant_key(k)).count();
    count(a) != count(b)
        || a.iter()
            .filter(|(k, _)| relevant_key(k))
            .any(|(k, v)| b.get(k) != Some(v))
}

fn relevant_key(key: &str) -> bool {
    !matches!(key, "metadata" | "status" | "apiVersion" | "kind")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_shape_and_names() {
        let u = new_uid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(new_uid(), u);
        assert!(generated_name("web-").starts_with("web-"));
        assert_eq!(generated_name("x").len(), 6);
        assert!(now_rfc3339().ends_with('Z'));
    }

    #[test]
    fn generation_ignores_status_and_metadata() {
        let a = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}, "status": {"x": 1}});
        let b = json!({"metadata": {}, "spec": {"replicas": 1}, "status": {"x": 2}});
        assert!(!spec_changed(&a, &b));
        let c = json!({"metadata": {}, "spec": {"replicas": 2}});
        assert!(spec_changed(&a, &c));
    }
}
