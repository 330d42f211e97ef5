//! A small cache of serialized answers keyed by request URI, valid while the backend's
//! generation is unchanged (the memory backend changes it on every write), so repeated HPA
//! reads of an unchanged list cost one lookup.

use std::collections::HashMap;
use std::sync::RwLock;

use bytes::Bytes;

/// How many answers are kept before the cache is emptied.
const CAPACITY: usize = 4096;

/// URI → (generation, serialized body).
#[derive(Debug, Default)]
pub struct ResponseCache {
    map: RwLock<HashMap<String, (u64, Bytes)>>,
}

impl ResponseCache {
    /// The cached body for `key` if it was stored at `generation`.
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|(g, _)| *g == generation)
            .map(|(_, b)| b.clone())
    }

    /// Stores a body computed at `generation`.
    pub fn put(&self, key: &str, generation: u64, body: Bytes) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY && !map.contains_key(key) {
            map.clear();
        }
        map.insert(key.to_string(), (generation, body));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_generations_miss() {
        let c = ResponseCache::default();
        c.put("/a", 1, Bytes::from_static(b"x"));
        assert_eq!(c.get("/a", 1).as_deref(), Some(&b"x"[..]));
        assert_eq!(c.get("/a", 2), None);
        assert_eq!(c.get("/b", 1), None);
    }
}
