//! Computed answers kept as the bytes sent (and their gzip), keyed by the
//! request as the guard and the parameters resolved it (so an officer's
//! scope is part of the key). An entry is used only while the store has
//! seen no write of its kind since it was made; one older than [`TTL`]
//! (another process may have written) is served once more while it is
//! refreshed behind. The cache is bounded by bytes, not entries, so no
//! choice of parameters can grow the server's memory past [`BUDGET_BYTES`];
//! misses of different keys compute side by side, misses of one key once.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(5);
/// Everything the cache holds, bodies and their gzip together.
pub const BUDGET_BYTES: usize = 64 * 1024 * 1024;
/// An answer larger than this is sent but not kept.
const LARGEST_KEPT: usize = 8 * 1024 * 1024;
/// Bodies smaller than this are not worth compressing.
const GZIP_FROM: usize = 1024;

/// One answer as it goes on the wire.
#[derive(Debug)]
pub struct Answer {
    pub body: Bytes,
    pub gzip: Option<Bytes>,
    pub etag: HeaderValue,
    pub content_type: &'static str,
}

impl Answer {
    pub fn json(value: &serde_json::Value) -> Self {
        Self::new(
            serde_json::to_vec(value).expect("a JSON value serialises"),
            "application/json",
        )
    }

    pub fn new(body: Vec<u8>, content_type: &'static str) -> Self {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut h);
        let etag = HeaderValue::from_str(&format!("\"{:016x}-{:x}\"", h.finish(), body.len())).expect("ASCII");
        let gzip = (body.len() >= GZIP_FROM).then(|| {
            let mut enc =
                flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
            enc.write_all(&body).expect("writing to memory");
            Bytes::from(enc.finish().expect("writing to memory"))
        });
        Self {
            body: Bytes::from(body),
            gzip,
            etag,
            content_type,
        }
    }

    fn size(&self) -> usize {
        self.body.len() + self.gzip.as_ref().map_or(0, Bytes::len) + 128
    }

    /// The answer for a request with these headers: 304 if the client holds
    /// it already, gzip if the client takes it. Answers that carry no
    /// personal data may be kept by the client, but only after asking again.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let matches = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == self.etag || t.trim() == "*"));
        let mut builder = Response::builder()
            .header(header::ETAG, self.etag.clone())
            .header(header::CACHE_CONTROL, "private, no-cache")
            .header(header::VARY, "Accept-Encoding, Authorization, Cookie");
        if matches {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .expect("valid");
        }
        builder = builder.header(header::CONTENT_TYPE, self.content_type);
        let body = match (&self.gzip, accepts_gzip(request)) {
            (Some(gz), true) => {
                builder = builder.header(header::CONTENT_ENCODING, "gzip");
                gz.clone()
            }
            _ => self.body.clone(),
        };
        builder.body(Body::from(body)).expect("valid")
    }
}

/// Whether `Accept-Encoding` admits gzip (a `q=0` refuses it).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or("");
            let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

pub enum Lookup {
    Fresh(Arc<Answer>),
    Stale(Arc<Answer>),
    Miss,
}

struct Entry {
    made: Instant,
    generation: u64,
    answer: Arc<Answer>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

#[derive(Default)]
pub struct Cache {
    entries: Mutex<Entries>,
    /// One lock per key being computed, so a burst of identical requests
    /// computes the answer once while other keys go ahead.
    filling: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        write!(f, "Cache({} entries, {} bytes)", e.map.len(), e.bytes)
    }
}

/// Held while one key's answer is computed.
pub struct Filling {
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    cache: Arc<Cache>,
}

impl Drop for Filling {
    fn drop(&mut self) {
        self.guard.take();
        let mut fills = self.cache.filling.lock().unwrap_or_else(|p| p.into_inner());
        // The map's and this one: nobody else waits on it.
        if Arc::strong_count(&self.lock) <= 2 {
            fills.remove(&self.key);
        }
    }
}

impl Cache {
    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Answer>> {
        match self.lookup(key, generation) {
            Lookup::Fresh(v) => Some(v),
            _ => None,
        }
    }

    /// A fresh answer; one older than [`TTL`] with no write since in this
    /// process (served while it is refreshed); or nothing.
    pub fn lookup(&self, key: &str, generation: u64) -> Lookup {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.map.get(key) {
            Some(e) if e.generation == generation && e.made.elapsed() < TTL => Lookup::Fresh(e.answer.clone()),
            Some(e) if e.generation == generation => Lookup::Stale(e.answer.clone()),
            _ => Lookup::Miss,
        }
    }

    /// Keeps an answer, making room by dropping outdated entries and then
    /// the oldest, so the bytes held stay within [`BUDGET_BYTES`].
    pub fn put(&self, key: String, generation: u64, answer: Arc<Answer>) {
        let size = answer.size() + key.len();
        if size > LARGEST_KEPT {
            return;
        }
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = e.map.remove(&key) {
            e.bytes -= old.answer.size() + key.len();
        }
        if e.bytes + size > BUDGET_BYTES {
            let before = e.map.len();
            e.map.retain(|_, x| x.generation == generation);
            if e.map.len() != before {
                e.bytes = e.map.iter().map(|(k, x)| x.answer.size() + k.len()).sum();
            }
        }
        if e.bytes + size > BUDGET_BYTES {
            let mut by_age: Vec<(Instant, String)> = e.map.iter().map(|(k, x)| (x.made, k.clone())).collect();
            by_age.sort();
            for (_, k) in by_age {
                if e.bytes + size <= BUDGET_BYTES {
                    break;
                }
                if let Some(x) = e.map.remove(&k) {
                    e.bytes -= x.answer.size() + k.len();
                }
            }
        }
        e.bytes += size;
        e.map.insert(
            key,
            Entry {
                made: Instant::now(),
                generation,
                answer,
            },
        );
    }

    /// The bytes held now.
    pub fn bytes(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).bytes
    }

    /// Waits until no other request computes `key`.
    pub async fn filling(self: &Arc<Self>, key: &str) -> Filling {
        let lock = self.fill_lock(key);
        let guard = lock.clone().lock_owned().await;
        self.filling_with(key, lock, guard)
    }

    /// Like [`Cache::filling`], but `None` at once if another request computes it.
    pub fn try_filling(self: &Arc<Self>, key: &str) -> Option<Filling> {
        let lock = self.fill_lock(key);
        let guard = lock.clone().try_lock_owned().ok()?;
        Some(self.filling_with(key, lock, guard))
    }

    fn fill_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut fills = self.filling.lock().unwrap_or_else(|p| p.into_inner());
        fills.entry(key.to_string()).or_default().clone()
    }

    fn filling_with(
        self: &Arc<Self>,
        key: &str,
        lock: Arc<tokio::sync::Mutex<()>>,
        guard: tokio::sync::OwnedMutexGuard<()>,
    ) -> Filling {
        Filling {
            key: key.to_string(),
            lock,
            guard: Some(guard),
            cache: self.clone(),
        }
    }
}

/// Expensive computations per principal (a user, or a client address for
/// public routes): at most [`PER_PRINCIPAL`] run at once and at most
/// [`QUEUED_PER_PRINCIPAL`] more wait their turn (a page asks for several
/// layers at once); past that, more answer 429 at once, so one client can
/// take neither every worker nor unbounded memory.
#[derive(Debug, Default)]
pub struct Limiter {
    principals: Mutex<HashMap<String, Slot>>,
}

#[derive(Debug)]
struct Slot {
    running: Arc<tokio::sync::Semaphore>,
    /// Holding a permit or waiting for one.
    holders: usize,
}

pub const PER_PRINCIPAL: usize = 4;
pub const QUEUED_PER_PRINCIPAL: usize = 16;

pub struct Permit {
    who: String,
    limiter: Arc<Limiter>,
    _running: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self._running.take();
        let mut m = self.limiter.principals.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = m.get_mut(&self.who) {
            slot.holders -= 1;
            if slot.holders == 0 {
                m.remove(&self.who);
            }
        }
    }
}

impl Limiter {
    /// A turn to compute: at once, after waiting in line, or `None` when the
    /// principal already has a full line.
    pub async fn acquire(self: &Arc<Self>, who: &str) -> Option<Permit> {
        let running = {
            let mut m = self.principals.lock().unwrap_or_else(|p| p.into_inner());
            let slot = m.entry(who.to_string()).or_insert_with(|| Slot {
                running: Arc::new(tokio::sync::Semaphore::new(PER_PRINCIPAL)),
                holders: 0,
            });
            if slot.holders >= PER_PRINCIPAL + QUEUED_PER_PRINCIPAL {
                return None;
            }
            slot.holders += 1;
            slot.running.clone()
        };
        let mut permit = Permit {
            who: who.to_string(),
            limiter: self.clone(),
            _running: None,
        };
        // Dropping `permit` on any early return gives the place back.
        permit._running = Some(running.acquire_owned().await.ok()?);
        Some(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_end_with_a_write() {
        let c = Cache::default();
        c.put("k".into(), 1, Arc::new(Answer::json(&json!(1))));
        assert_eq!(c.get("k", 1).unwrap().body.as_ref(), b"1");
        assert!(c.get("k", 2).is_none(), "a write happened since");
        assert!(c.get("other", 1).is_none());
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget() {
        let c = Cache::default();
        // Incompressible bodies of 1 MiB under 200 distinct keys: 200 MiB offered.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..200 {
            let body: Vec<u8> = (0..1 << 20)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    b'a' + (x % 26) as u8
                })
                .collect();
            c.put(format!("k{i}"), 1, Arc::new(Answer::new(body, "text/plain")));
            assert!(c.bytes() <= BUDGET_BYTES, "{} bytes after {i}", c.bytes());
        }
        assert!(c.get("k199", 1).is_some(), "the newest is kept");
        assert!(c.get("k0", 1).is_none(), "the oldest made room");
    }

    #[test]
    fn gzip_and_etags() {
        let a = Answer::json(&json!({"cells": vec![1; 2000]}));
        let mut h = HeaderMap::new();
        let plain = a.respond(&h);
        assert_eq!(plain.status(), 200);
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0.8"));
        assert_eq!(a.respond(&h).headers()[header::CONTENT_ENCODING], "gzip");
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0"));
        assert!(a.respond(&h).headers().get(header::CONTENT_ENCODING).is_none());
        h.insert(header::IF_NONE_MATCH, a.etag.clone());
        assert_eq!(a.respond(&h).status(), 304);
        let mut d = flate2::read::GzDecoder::new(a.gzip.as_ref().unwrap().as_ref());
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut d, &mut out).unwrap();
        assert_eq!(out, a.body.as_ref());
    }

    #[tokio::test]
    async fn misses_of_different_keys_do_not_wait_on_each_other() {
        let c = Arc::new(Cache::default());
        let _a = c.filling("a").await;
        assert!(c.try_filling("b").is_some(), "another key goes ahead");
        assert!(c.try_filling("a").is_none(), "the same key waits");
        drop(_a);
        assert!(c.try_filling("a").is_some());
        assert!(c.filling.lock().unwrap().is_empty() || c.filling.lock().unwrap().len() <= 1);
    }

    #[tokio::test]
    async fn a_principal_runs_four_at_once_queues_sixteen_and_is_refused_past_that() {
        let l = Arc::new(Limiter::default());
        let mut held = Vec::new();
        for _ in 0..PER_PRINCIPAL {
            held.push(l.acquire("u").await.unwrap());
        }
        // The next ones wait in line (not refused) while the four run.
        let waiting: Vec<_> = (0..QUEUED_PER_PRINCIPAL)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move { l.acquire("u").await.is_some() })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(waiting.iter().all(|w| !w.is_finished()), "they wait their turn");
        assert!(l.acquire("u").await.is_none(), "a full line is refused at once");
        assert!(l.acquire("v").await.is_some(), "others are not held up");
        drop(held);
        for w in waiting {
            assert!(w.await.unwrap(), "each got its turn");
        }
        assert!(l.principals.lock().unwrap().is_empty(), "nothing kept once idle");
    }
}
