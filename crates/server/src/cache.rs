//! A small cache of computed JSON answers (incident aggregates), keyed by
//! the request as the guard and the parameters resolved it (so an officer's
//! scope is part of the key). An entry is used only while the store has
//! seen no write since it was made and it is younger than [`TTL`], which
//! bounds how stale a dashboard can be after another process writes.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(5);
const CAPACITY: usize = 2048;

pub enum Lookup {
    Fresh(Value),
    Stale(Value),
    Miss,
}

#[derive(Debug, Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, (Instant, u64, Value)>>,
    /// Held while an answer is computed, so a burst of identical requests
    /// computes it once and the rest read it from the cache.
    pub filling: tokio::sync::Mutex<()>,
}

impl Cache {
    pub fn get(&self, key: &str, generation: u64) -> Option<Value> {
        match self.lookup(key, generation) {
            Lookup::Fresh(v) => Some(v),
            _ => None,
        }
    }

    /// A fresh answer; one older than [`TTL`] with no write since in this
    /// process (served while it is refreshed); or nothing.
    pub fn lookup(&self, key: &str, generation: u64) -> Lookup {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            Some((made, g, v)) if *g == generation && made.elapsed() < TTL => Lookup::Fresh(v.clone()),
            Some((_, g, v)) if *g == generation => Lookup::Stale(v.clone()),
            _ => Lookup::Miss,
        }
    }

    pub fn put(&self, key: String, generation: u64, value: Value) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.retain(|_, (made, g, _)| *g == generation && made.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), generation, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_end_with_a_write() {
        let c = Cache::default();
        c.put("k".into(), 1, serde_json::json!(1));
        assert_eq!(c.get("k", 1), Some(serde_json::json!(1)));
        assert_eq!(c.get("k", 2), None, "a write happened since");
        assert_eq!(c.get("other", 1), None);
    }
}
