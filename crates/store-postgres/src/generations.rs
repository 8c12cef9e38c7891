//! Write generations shared by every process on one database. Each process
//! counts its own writes (as SQLite does) and also hears the others': a
//! write announces itself with `NOTIFY` after it commits, and one listening
//! connection per process, started when a cache first asks for a
//! generation, bumps the counters when it hears another process's write.
//! So a server's cached answers (signed-in sessions, aggregates) go stale
//! when another server writes, not only after the cache's TTL.
//!
//! Not a ledger or a lock: a notification lost with a dropped connection
//! is made up for by bumping on reconnecting, and a writer that dies between
//! commit and notify leaves other caches stale until their TTL at most.

use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::AcqRel, Ordering::Acquire};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The channel every process listens on.
const CHANNEL: &str = "fengqiao_writes";

#[derive(Debug, Default)]
pub(crate) struct Counters {
    all: AtomicU64,
    incidents: AtomicU64,
}

impl Counters {
    fn bump(&self, incidents: bool) {
        self.all.fetch_add(1, AcqRel);
        if incidents {
            self.incidents.fetch_add(1, AcqRel);
        }
    }
}

#[derive(Debug)]
pub(crate) struct Generations {
    counters: Arc<Counters>,
    /// Tells this process's own notifications from the others'.
    instance: String,
    listening: AtomicBool,
}

impl Generations {
    pub(crate) fn new() -> Self {
        let nonce: [u8; 8] = fengqiao_store::secrets::random_bytes().unwrap_or_else(|_| {
            // Without the OS's randomness, the process id and the clock still tell processes apart.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            (t ^ u64::from(std::process::id())).to_le_bytes()
        });
        Self {
            counters: Arc::default(),
            instance: fengqiao_store::secrets::hex(&nonce),
            listening: AtomicBool::new(false),
        }
    }

    pub(crate) fn all(&self, url: &str) -> u64 {
        self.listen(url);
        self.counters.all.load(Acquire)
    }

    pub(crate) fn incidents(&self, url: &str) -> u64 {
        self.listen(url);
        self.counters.incidents.load(Acquire)
    }

    /// Counts a write of this process (before and after it).
    pub(crate) fn bump(&self, incidents: bool) {
        self.counters.bump(incidents);
    }

    /// What to send, after a write commits, to tell the other processes.
    pub(crate) fn announcement(&self, incidents: bool) -> (&'static str, String) {
        let kind = if incidents { "incidents" } else { "other" };
        (CHANNEL, format!("{kind} {}", self.instance))
    }

    /// Starts the listening thread once; it ends when the store is dropped.
    fn listen(&self, url: &str) {
        if self.listening.swap(true, AcqRel) {
            return;
        }
        let counters = Arc::downgrade(&self.counters);
        let (url, me) = (url.to_string(), self.instance.clone());
        let spawned = std::thread::Builder::new()
            .name("pg-listen".into())
            .spawn(move || listen_loop(&url, &me, &counters));
        if spawned.is_err() {
            self.listening.store(false, std::sync::atomic::Ordering::Release);
        }
    }
}

fn listen_loop(url: &str, me: &str, counters: &Weak<Counters>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        let Some(alive) = counters.upgrade() else { return };
        drop(alive);
        let mut client = match crate::connect(url).and_then(|mut c| {
            c.batch_execute(&format!("LISTEN {CHANNEL}"))
                .map(|()| c)
                .map_err(crate::backend)
        }) {
            Ok(c) => c,
            Err(_) => {
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        // Writes may have been missed while not listening.
        match counters.upgrade() {
            Some(c) => c.bump(true),
            None => return,
        }
        loop {
            // A new iterator each time: one whose timeout has passed no longer waits.
            let heard = client.notifications().timeout_iter(Duration::from_secs(1)).next();
            match heard {
                Ok(Some(n)) => {
                    let Some(c) = counters.upgrade() else { return };
                    let (kind, from) = n.payload().split_once(' ').unwrap_or((n.payload(), ""));
                    if from != me {
                        c.bump(kind == "incidents");
                    }
                }
                // A quiet second (or a closed connection): is the store still there?
                Ok(None) => {
                    if counters.strong_count() == 0 {
                        return;
                    }
                    if client.is_closed() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    }
}
