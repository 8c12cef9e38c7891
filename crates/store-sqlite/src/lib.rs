//! [`Store`] on embedded SQLite: the default backend, one file on disk.
//!
//! WAL mode, one writer connection and a small pool of readers, so that the
//! server can answer queries while an import commits. Not for many server
//! processes on one file: that is what the PostgreSQL backend is for.

mod cases;
mod ledger;
mod mediators;
mod migrate;
mod outbox;
mod personnel;
mod queries;
mod users;
mod volunteers;

use chrono::{DateTime, TimeZone, Utc};
use fengqiao_domain::{Facility, FacilityKind, Jurisdiction, Level, NewIncident};
use fengqiao_store::{
    Dataset, ImportCounts, ImportStart, JurisdictionRecord, NewJurisdiction, Result, Store, StoreError, UnfinishedRun,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use ledger::key_path as commitment_key_path;
pub use migrate::SCHEMA_VERSION;

/// Reader connections kept open at most (the blocking pool waits for one beyond).
const READERS: usize = 8;

#[derive(Default)]
struct Readers {
    free: Vec<Connection>,
    /// Open reader connections, free or in use.
    open: usize,
}

pub struct SqliteStore {
    path: PathBuf,
    ledger_key: ledger::Key,
    writer: Mutex<Connection>,
    readers: Mutex<Readers>,
    reader_free: std::sync::Condvar,
    /// Bumped before and after every write: an answer computed while a
    /// write was under way never carries the generation that follows it.
    generation: std::sync::atomic::AtomicU64,
    /// The same, for writes to incidents and what is made from them.
    incidents_generation: std::sync::atomic::AtomicU64,
    /// Each reader's page cache, KiB (set before readers open: see [`SqliteStore::limit_cache`]).
    reader_cache_kib: std::sync::atomic::AtomicI64,
    /// When the writer's `data_version` was last read, and its value: it
    /// changes only when another process commits (an import from the
    /// command line into a served database), whose writes must also move
    /// the generations on.
    foreign: Mutex<(std::time::Instant, i64)>,
}

/// How often the generations look for other processes' writes.
const FOREIGN_CHECK: std::time::Duration = std::time::Duration::from_millis(500);

/// The page caches' default budget: 32 MiB for the writer, 8 MiB for each of
/// the eight readers.
pub const DEFAULT_CACHE_MIB: u32 = 96;

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish()
    }
}

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(crate) fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn from_ts(s: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(s, 0).single().unwrap_or_default()
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up
    /// to date. Fails with [`StoreError::Open`] naming the path when the file
    /// or its directory cannot be written.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::open_migrating(path)?.0)
    }

    /// Opens `path` like [`SqliteStore::open`] and returns the migrations it applied.
    pub fn open_migrating(path: &Path) -> Result<(Self, Vec<i64>)> {
        let open_err = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        let writer = Self::connect(path).map_err(|e| open_err(e.to_string()))?;
        let applied = migrate::run(&writer).map_err(|e| match e {
            StoreError::Backend(reason) => open_err(reason),
            other => other,
        })?;
        Ok((Self::finish_open(path, writer)?, applied))
    }

    fn finish_open(path: &Path, writer: Connection) -> Result<Self> {
        let ledger_key = ledger::load_key(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            ledger_key,
            writer: Mutex::new(writer),
            readers: Mutex::new(Readers::default()),
            reader_free: std::sync::Condvar::new(),
            generation: std::sync::atomic::AtomicU64::new(0),
            incidents_generation: std::sync::atomic::AtomicU64::new(0),
            reader_cache_kib: std::sync::atomic::AtomicI64::new(8_000),
            foreign: Mutex::new((std::time::Instant::now(), -1)),
        })
    }

    /// Moves both generations on if another process committed since the
    /// last look (at most every [`FOREIGN_CHECK`]; never waits for a lock).
    fn notice_foreign_writes(&self) {
        use std::sync::atomic::Ordering::AcqRel;
        let Ok(mut seen) = self.foreign.try_lock() else { return };
        if seen.0.elapsed() < FOREIGN_CHECK && seen.1 >= 0 {
            return;
        }
        let Ok(writer) = self.writer.try_lock() else { return };
        let Ok(version) = writer.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)) else {
            return;
        };
        drop(writer);
        if seen.1 >= 0 && version != seen.1 {
            self.generation.fetch_add(2, AcqRel);
            self.incidents_generation.fetch_add(2, AcqRel);
        }
        *seen = (std::time::Instant::now(), version);
    }

    fn connect(path: &Path) -> rusqlite::Result<Connection> {
        // A new database file is the owner's alone; SQLite gives its WAL and
        // shared-memory files the database file's permissions.
        {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Switching a new file to WAL needs an exclusive lock and answers BUSY
        // at once (without the busy handler) while another process does the
        // same: wait and try again, as the busy handler would.
        let mut tries = 0;
        loop {
            match conn.execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA temp_store = MEMORY;
                 PRAGMA cache_size = -32000;",
            ) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && tries < 500 =>
                {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other?,
            }
        }
        Ok(conn)
    }

    /// Bounds the SQLite page caches of this store to about `mib` MiB in all
    /// (a third for the writer, the rest shared by the readers), for the
    /// process's memory to stay within a known size. Takes effect for
    /// readers opened after it: call it right after opening.
    pub fn limit_cache(&self, mib: u32) -> Result<()> {
        let total = i64::from(mib.max(4)) * 1024;
        let writer = total / 3;
        let reader = ((total - writer) / READERS as i64).max(256);
        self.reader_cache_kib
            .store(reader, std::sync::atomic::Ordering::Relaxed);
        let w = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        w.execute_batch(&format!("PRAGMA cache_size = -{writer};"))
            .map_err(backend)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file holding this database's commitment key (kept beside it, never in it).
    pub fn commitment_key_path(&self) -> PathBuf {
        ledger::key_path(&self.path)
    }

    /// A consistent copy of the whole database as of one moment, taken while
    /// others go on reading and writing: `VACUUM INTO` runs in one read
    /// transaction, so the copy holds every write committed before it began
    /// and none after. `dest` must not exist.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(StoreError::InvalidQuery(format!(
                "{} exists: a backup is written to a new file",
                dest.display()
            )));
        }
        self.read(|c| {
            c.execute("VACUUM INTO ?1", [dest.to_string_lossy()])
                .map(drop)
                .map_err(backend)
        })
    }

    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let mut conn = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        // Write transactions take the write lock when they begin: a deferred
        // one that reads first cannot wait for another process's writer.
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        let out = f(&mut conn);
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        out
    }

    /// A write to incidents or what is made from them.
    pub(crate) fn write_incidents<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        use std::sync::atomic::Ordering::AcqRel;
        self.incidents_generation.fetch_add(1, AcqRel);
        let out = self.write(f);
        self.incidents_generation.fetch_add(1, AcqRel);
        out
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.take_reader()?;
        let out = f(&conn);
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        pool.free.push(conn);
        drop(pool);
        self.reader_free.notify_one();
        out
    }

    /// A reader connection: a free one, a new one while fewer than
    /// [`READERS`] are open, or the next one given back. Bounding them keeps
    /// a burst of requests from opening a connection each.
    fn take_reader(&self) -> Result<Connection> {
        let mut pool = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(c) = pool.free.pop() {
                return Ok(c);
            }
            if pool.open < READERS {
                pool.open += 1;
                drop(pool);
                let kib = self.reader_cache_kib.load(std::sync::atomic::Ordering::Relaxed);
                return Self::connect(&self.path)
                    .and_then(|c| {
                        // Readers share the OS page cache; a smaller cache of their own
                        // bounds the server's memory (eight readers, 8 MiB each by default).
                        c.execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
                        Ok(c)
                    })
                    .map_err(|e| {
                        self.readers.lock().unwrap_or_else(|p| p.into_inner()).open -= 1;
                        backend(e)
                    });
            }
            pool = self.reader_free.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }
}

fn dataset_id(tx: &Connection, name: &str) -> Result<Option<i64>> {
    tx.query_row("SELECT id FROM datasets WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(backend)
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> Result<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(backend))
    }

    fn generation(&self) -> u64 {
        self.notice_foreign_writes();
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn incidents_generation(&self) -> u64 {
        self.notice_foreign_writes();
        self.incidents_generation.load(std::sync::atomic::Ordering::Acquire)
    }

    fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(backend)
        })
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(drop)
            .map_err(backend)
        })
    }

    fn dataset_timezone(&self, name: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.query_row("SELECT timezone FROM datasets WHERE name = ?1", [name], |r| r.get(0))
                .optional()
                .map_err(backend)
        })
    }

    fn datasets(&self) -> Result<Vec<Dataset>> {
        self.read(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT d.name, d.profile, d.timezone, coalesce(s.incidents, 0), s.first_at, s.last_at,
                            s.min_lon, s.min_lat, s.max_lon, s.max_lat
                     FROM datasets d LEFT JOIN dataset_stats s ON s.dataset_id = d.id
                     ORDER BY d.name",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    let n: i64 = r.get(3)?;
                    let bbox = match (r.get::<_, Option<f64>>(6)?, r.get(7)?, r.get(8)?, r.get(9)?) {
                        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
                        _ => None,
                    };
                    Ok(Dataset {
                        name: r.get(0)?,
                        profile: r.get(1)?,
                        timezone: r.get(2)?,
                        incidents: n as u64,
                        first_at: r.get::<_, Option<i64>>(4)?.map(from_ts),
                        last_at: r.get::<_, Option<i64>>(5)?.map(from_ts),
                        bbox,
                    })
                })
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        })
    }

    fn begin_import(&self, start: &ImportStart) -> Result<(i64, Option<UnfinishedRun>)> {
        self.write_incidents(|c| {
            let tx = c.transaction().map_err(backend)?;
            let id = match dataset_id(&tx, &start.dataset)? {
                Some(id) => id,
                None => {
                    tx.execute(
                        "INSERT INTO datasets (name, profile, timezone) VALUES (?1, ?2, ?3)",
                        params![start.dataset, start.profile, start.timezone],
                    )
                    .map_err(backend)?;
                    tx.last_insert_rowid()
                }
            };
            let unfinished = tx
                .query_row(
                    "SELECT id, last_line FROM import_runs
                     WHERE dataset_id = ?1 AND file_sha256 = ?2 AND status = 'running'
                     ORDER BY last_line DESC LIMIT 1",
                    params![id, start.file_sha256],
                    |r| {
                        Ok(UnfinishedRun {
                            id: r.get(0)?,
                            lines_committed: r.get::<_, i64>(1)? as u64,
                        })
                    },
                )
                .optional()
                .map_err(backend)?;
            tx.execute(
                "INSERT INTO import_runs (dataset_id, file_name, file_sha256, started_at, status)
                 VALUES (?1, ?2, ?3, ?4, 'running')",
                params![id, start.file_name, start.file_sha256, Utc::now().timestamp()],
            )
            .map_err(backend)?;
            let run = tx.last_insert_rowid();
            tx.commit().map_err(backend)?;
            Ok((run, unfinished))
        })
    }

    fn import_batch(&self, run: i64, rows: &[NewIncident], before: ImportCounts) -> Result<ImportCounts> {
        self.write_incidents(|c| queries::insert_batch(c, &self.ledger_key, run, rows, before))
    }

    fn abort_import(&self, run: i64) -> Result<()> {
        self.write_incidents(|c| {
            let tx = c.transaction().map_err(backend)?;
            let dataset: Option<i64> = tx
                .query_row("SELECT dataset_id FROM import_runs WHERE id = ?1", [run], |r| r.get(0))
                .optional()
                .map_err(backend)?;
            let stored: i64 = tx
                .query_row("SELECT count(*) FROM incidents WHERE import_run = ?1", [run], |r| {
                    r.get(0)
                })
                .map_err(backend)?;
            if stored > 0 {
                return Err(StoreError::InvalidQuery(format!(
                    "import run {run} already stored {stored} incidents"
                )));
            }
            tx.execute("DELETE FROM import_runs WHERE id = ?1", [run])
                .map_err(backend)?;
            if let Some(d) = dataset {
                tx.execute(
                    "DELETE FROM datasets WHERE id = ?1
                       AND NOT EXISTS (SELECT 1 FROM incidents WHERE dataset_id = ?1)
                       AND NOT EXISTS (SELECT 1 FROM import_runs WHERE dataset_id = ?1)",
                    [d],
                )
                .map_err(backend)?;
            }
            tx.commit().map_err(backend)
        })
    }

    fn finish_import(&self, run: i64, counts: ImportCounts) -> Result<()> {
        self.write_incidents(|c| {
            let tx = c.transaction().map_err(backend)?;
            queries::record_counts(&tx, run, counts)?;
            tx.execute(
                "UPDATE import_runs SET status = 'done', finished_at = ?2 WHERE id = ?1",
                params![run, Utc::now().timestamp()],
            )
            .map_err(backend)?;
            // Earlier interrupted runs over the same content are now covered.
            tx.execute(
                "UPDATE import_runs SET status = 'done', finished_at = ?2
                 WHERE status = 'running' AND id <> ?1
                   AND file_sha256 = (SELECT file_sha256 FROM import_runs WHERE id = ?1)
                   AND dataset_id = (SELECT dataset_id FROM import_runs WHERE id = ?1)",
                params![run, Utc::now().timestamp()],
            )
            .map_err(backend)?;
            tx.commit().map_err(backend)
        })
    }

    fn replace_jurisdictions(&self, items: &[NewJurisdiction]) -> Result<usize> {
        self.write_incidents(|c| {
            let tx = c.transaction().map_err(backend)?;
            tx.execute("UPDATE incidents SET jurisdiction_id = NULL", [])
                .map_err(backend)?;
            // The rollup's areas go with them: its counts fold into "no area".
            tx.execute_batch(
                "CREATE TEMP TABLE folded AS
                   SELECT dataset_id, occurred_at, category, origin, sum(n) AS n FROM incident_rollup GROUP BY 1, 2, 3, 4;
                 DELETE FROM incident_rollup;
                 INSERT INTO incident_rollup SELECT dataset_id, occurred_at, category, 0, origin, n FROM folded;
                 DROP TABLE temp.folded;",
            )
            .map_err(backend)?;
            tx.execute("DELETE FROM jurisdictions", []).map_err(backend)?;
            {
                let mut stmt = tx
                    .prepare(
                        "INSERT INTO jurisdictions (code, name_zh, name_en, level, parent_code, geometry)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    )
                    .map_err(backend)?;
                for j in items {
                    stmt.execute(params![
                        j.code,
                        j.name_zh,
                        j.name_en,
                        j.level.as_str(),
                        j.parent_code,
                        j.geometry
                    ])
                    .map_err(|e| StoreError::InvalidQuery(format!("jurisdiction {}: {e}", j.code)))?;
                }
            }
            tx.commit().map_err(backend)?;
            Ok(items.len())
        })
    }

    fn jurisdictions(&self) -> Result<Vec<JurisdictionRecord>> {
        self.read(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT id, code, name_zh, name_en, level, parent_code, geometry FROM jurisdictions ORDER BY id",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    let level: String = r.get(4)?;
                    Ok(JurisdictionRecord {
                        jurisdiction: Jurisdiction {
                            id: r.get(0)?,
                            code: r.get(1)?,
                            name_zh: r.get(2)?,
                            name_en: r.get(3)?,
                            level: Level::parse(&level).unwrap_or(Level::Grid),
                            parent_code: r.get(5)?,
                        },
                        geometry: r.get(6)?,
                    })
                })
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        })
    }

    fn replace_facilities(&self, items: &[Facility]) -> Result<usize> {
        self.write_incidents(|c| {
            let tx = c.transaction().map_err(backend)?;
            tx.execute("DELETE FROM facilities", []).map_err(backend)?;
            {
                let mut stmt = tx
                    .prepare(
                        "INSERT INTO facilities (code, kind, name_zh, name_en, lon, lat, jurisdiction, units)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )
                    .map_err(backend)?;
                for f in items {
                    stmt.execute(params![
                        f.code,
                        f.kind.as_str(),
                        f.name_zh,
                        f.name_en,
                        f.lon,
                        f.lat,
                        f.jurisdiction,
                        f.units
                    ])
                    .map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)?;
            Ok(items.len())
        })
    }

    fn facilities(&self) -> Result<Vec<Facility>> {
        self.read(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT code, kind, name_zh, name_en, lon, lat, jurisdiction, units FROM facilities ORDER BY code",
                )
                .map_err(backend)?;
            let rows = stmt
                .query_map([], |r| {
                    let kind: String = r.get(1)?;
                    Ok(Facility {
                        code: r.get(0)?,
                        kind: FacilityKind::parse(&kind).unwrap_or(FacilityKind::Post),
                        name_zh: r.get(2)?,
                        name_en: r.get(3)?,
                        lon: r.get(4)?,
                        lat: r.get(5)?,
                        jurisdiction: r.get(6)?,
                        units: r.get(7)?,
                    })
                })
                .map_err(backend)?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
        })
    }

    fn incident(&self, id: i64) -> Result<Option<fengqiao_domain::Incident>> {
        self.read(|c| queries::incident(c, id))
    }

    fn case_incidents(&self, case_id: i64) -> Result<Vec<fengqiao_store::CaseIncidentLink>> {
        self.read(|c| queries::case_incidents(c, case_id))
    }

    fn incident_cases(&self, incident_id: i64) -> Result<Vec<fengqiao_store::IncidentCaseLink>> {
        self.read(|c| queries::incident_cases(c, incident_id))
    }

    fn incidents(
        &self,
        filter: &fengqiao_store::IncidentFilter,
        page: &fengqiao_store::PageRequest,
    ) -> Result<fengqiao_store::Page<fengqiao_domain::Incident>> {
        self.read(|c| queries::incidents(c, filter, page))
    }

    fn count_incidents(&self, filter: &fengqiao_store::IncidentFilter) -> Result<u64> {
        self.read(|c| queries::count(c, filter))
    }

    fn aggregate(
        &self,
        filter: &fengqiao_store::IncidentFilter,
        by: fengqiao_store::Dimension,
    ) -> Result<Vec<(String, u64)>> {
        self.read(|c| queries::aggregate(c, filter, by))
    }

    fn positions(&self, filter: &fengqiao_store::IncidentFilter) -> Result<Vec<[f64; 2]>> {
        self.read(|c| queries::positions(c, filter))
    }

    fn incident_points(&self, filter: &fengqiao_store::IncidentFilter) -> Result<Vec<fengqiao_store::IncidentPoint>> {
        self.read(|c| queries::incident_points(c, filter))
    }

    fn save_forecast(&self, forecast: &fengqiao_store::NewForecast) -> Result<i64> {
        self.write_incidents(|c| queries::save_forecast(c, &self.ledger_key, forecast))
    }

    fn ledger_entries(&self, from: u64, limit: usize) -> Result<Vec<fengqiao_store::LedgerEntry>> {
        self.read(|c| ledger::entries(c, from, limit))
    }

    fn commitment_of(&self, record_type: &str, record_id: &str) -> Result<Option<[u8; 32]>> {
        let Ok(id) = record_id.parse::<i64>() else {
            return Ok(None);
        };
        self.read(|c| Ok(ledger::record_values(c, record_type, id)?.map(|v| ledger::commit(&self.ledger_key, &v))))
    }

    fn latest_ledger_entry(
        &self,
        record_type: &str,
        record_id: &str,
        below: u64,
    ) -> Result<Option<fengqiao_store::LedgerEntry>> {
        self.read(|c| ledger::latest_entry(c, record_type, record_id, below))
    }

    fn commitments(&self, record_type: &str) -> Result<Vec<(String, [u8; 32])>> {
        self.read(|c| ledger::all_commitments(c, &self.ledger_key, record_type))
    }

    fn publish_checkpoint(
        &self,
        previous_size: u64,
        checkpoint: &fengqiao_store::StoredCheckpoint,
        tiles: &[fengqiao_store::LedgerTile],
    ) -> Result<bool> {
        self.write(|c| ledger::publish_checkpoint(c, previous_size, checkpoint, tiles))
    }

    fn ledger_tile(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>> {
        self.read(|c| ledger::tile(c, level, index))
    }

    fn create_case(
        &self,
        new: &fengqiao_store::cases::NewCase,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
        code_stem: &str,
    ) -> Result<(i64, String)> {
        self.write(|c| cases::create(c, &self.ledger_key, new, state, event, code_stem))
    }

    fn update_case(
        &self,
        id: i64,
        from_version: u32,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
    ) -> Result<()> {
        self.write(|c| cases::update(c, &self.ledger_key, id, from_version, state, event))
    }

    fn case(&self, id: i64) -> Result<Option<fengqiao_store::cases::CaseRecord>> {
        self.read(|c| cases::by_id(c, id))
    }

    fn case_by_code(&self, code: &str) -> Result<Option<fengqiao_store::cases::CaseRecord>> {
        self.read(|c| cases::by_code(c, code))
    }

    fn case_by_token(&self, token_hash: &str) -> Result<Option<fengqiao_store::cases::CaseRecord>> {
        self.read(|c| cases::by_token(c, token_hash))
    }

    fn case_events(&self, id: i64) -> Result<Vec<fengqiao_cases::Event>> {
        self.read(|c| cases::events(c, id))
    }

    fn cases_events(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<fengqiao_cases::Event>>> {
        self.read(|c| cases::events_of(c, ids))
    }

    fn add_attachment(&self, case_id: i64, a: &fengqiao_store::cases::Attachment) -> Result<i64> {
        self.write(|c| cases::add_attachment(c, &self.ledger_key, case_id, a))
    }

    fn attachments(&self, case_id: i64) -> Result<Vec<(i64, fengqiao_store::cases::Attachment)>> {
        self.read(|c| cases::attachments(c, case_id))
    }

    fn attachment_case(&self, id: i64) -> Result<Option<i64>> {
        self.read(|c| {
            use rusqlite::OptionalExtension;
            c.prepare_cached("SELECT case_id FROM case_attachments WHERE id = ?1")
                .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
                .map_err(|e| fengqiao_store::StoreError::Backend(e.to_string()))
        })
    }

    fn dispute_history(&self, address: Option<&str>, parties: &[fengqiao_store::cases::Party]) -> Result<(u32, u32)> {
        self.read(|c| cases::dispute_history(c, address, parties))
    }

    fn add_case_link(
        &self,
        case_id: i64,
        incident_id: i64,
        reason: &str,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<bool> {
        self.write(|c| cases::add_link(c, &self.ledger_key, (case_id, incident_id), reason, at, actor))
    }

    fn escalated_cases(&self) -> Result<Vec<i64>> {
        self.read(cases::escalated)
    }

    fn cases(&self, filter: &fengqiao_store::cases::CaseFilter) -> Result<Vec<fengqiao_store::cases::CaseRecord>> {
        self.read(|c| cases::list(c, filter))
    }

    fn add_volunteer(&self, v: &fengqiao_store::volunteers::NewVolunteer) -> Result<i64> {
        self.write(|c| volunteers::add(c, &self.ledger_key, v))
    }

    fn volunteers(
        &self,
        skill: Option<&str>,
        area: Option<&str>,
    ) -> Result<Vec<fengqiao_store::volunteers::Volunteer>> {
        self.read(|c| volunteers::list(c, skill, area))
    }

    fn mediators(&self) -> Result<Vec<fengqiao_store::mediators::Mediator>> {
        self.read(mediators::list)
    }

    fn add_mediator(
        &self,
        m: &fengqiao_store::mediators::NewMediator,
        at: chrono::DateTime<Utc>,
        actor: &str,
    ) -> Result<Option<i64>> {
        self.write(|c| mediators::add(c, &self.ledger_key, m, at, actor))
    }

    fn retire_mediator(&self, id: i64, actor: &str) -> Result<fengqiao_store::mediators::Mediator> {
        self.write(|c| mediators::retire(c, &self.ledger_key, id, actor))
    }

    fn personnel(&self) -> Result<Vec<fengqiao_store::personnel::Person>> {
        self.read(personnel::list)
    }

    fn add_personnel(
        &self,
        people: &[fengqiao_store::personnel::NewPerson],
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<i64>> {
        self.write(|c| personnel::add(c, &self.ledger_key, people, at, actor))
    }

    fn update_person(
        &self,
        id: i64,
        person: &fengqiao_store::personnel::NewPerson,
        active: bool,
        expected_version: u32,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<fengqiao_store::personnel::Person> {
        self.write(|c| personnel::update(c, &self.ledger_key, id, person, active, expected_version, at, actor))
    }

    fn leave(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<fengqiao_store::personnel::Leave>> {
        self.read(|c| personnel::leave_between(c, from, to))
    }

    fn add_leave_with_rosters(
        &self,
        leave: &fengqiao_store::personnel::NewLeave,
        rosters: &[fengqiao_store::personnel::RosterUpdate<'_>],
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<i64> {
        self.write(|c| personnel::add_leave(c, &self.ledger_key, leave, rosters, at, actor))
    }

    fn cancel_leave(&self, id: i64, _at: DateTime<Utc>, actor: &str) -> Result<fengqiao_store::personnel::Leave> {
        self.write(|c| personnel::cancel_leave(c, &self.ledger_key, id, actor))
    }

    fn add_roster(&self, roster: &fengqiao_store::personnel::NewRoster, at: DateTime<Utc>, actor: &str) -> Result<i64> {
        self.write(|c| personnel::add_roster(c, &self.ledger_key, roster, at, actor))
    }

    fn rosters(&self, station: Option<&str>, limit: usize) -> Result<Vec<fengqiao_store::personnel::RosterRecord>> {
        self.read(|c| personnel::rosters(c, station, limit))
    }

    fn roster(&self, id: i64) -> Result<Option<fengqiao_store::personnel::RosterRecord>> {
        self.read(|c| personnel::roster_by_id(c, id))
    }

    fn update_rosters(
        &self,
        updates: &[fengqiao_store::personnel::RosterUpdate<'_>],
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<fengqiao_store::personnel::RosterRecord>> {
        self.write(|c| personnel::update_rosters(c, &self.ledger_key, updates, at, actor))
    }

    fn enqueue_notification(&self, n: &fengqiao_store::outbox::NewNotification) -> Result<bool> {
        self.write(|c| outbox::enqueue(c, n))
    }

    fn claim_notifications(
        &self,
        now: chrono::DateTime<Utc>,
        lease_until: chrono::DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<fengqiao_store::outbox::Notification>> {
        // A read first: an empty outbox costs no write (and moves no generation).
        if !self.read(|c| outbox::any_due(c, now))? {
            return Ok(Vec::new());
        }
        self.write(|c| outbox::claim(c, now, lease_until, limit))
    }

    fn record_delivery(
        &self,
        id: i64,
        at: chrono::DateTime<Utc>,
        outcome: &fengqiao_store::outbox::Delivery,
    ) -> Result<()> {
        self.write(|c| outbox::record(c, id, at, outcome))
    }

    fn notifications(&self, limit: usize) -> Result<Vec<fengqiao_store::outbox::Notification>> {
        self.read(|c| outbox::list(c, limit))
    }

    fn link_volunteer_account(
        &self,
        volunteer_id: i64,
        username: &str,
        at: chrono::DateTime<Utc>,
        actor: &str,
    ) -> Result<i64> {
        self.write(|c| volunteers::link_account(c, &self.ledger_key, volunteer_id, username, at, actor))
    }

    fn add_activity(&self, a: &fengqiao_store::volunteers::NewActivity) -> Result<i64> {
        self.write(|c| volunteers::add_activity(c, &self.ledger_key, a))
    }

    fn activities(
        &self,
        from: chrono::DateTime<Utc>,
        to: chrono::DateTime<Utc>,
    ) -> Result<Vec<fengqiao_store::volunteers::Activity>> {
        self.read(|c| volunteers::activities(c, from, to))
    }

    fn create_user(&self, user: &fengqiao_store::users::NewUser, actor: &str) -> Result<i64> {
        self.write(|c| users::create(c, &self.ledger_key, user, actor))
    }

    fn user(&self, id: i64) -> Result<Option<fengqiao_store::users::User>> {
        self.read(|c| users::by_id(c, id))
    }

    fn user_credentials(&self, username: &str) -> Result<Option<(fengqiao_store::users::User, String)>> {
        self.read(|c| users::credentials(c, username))
    }

    fn users(&self) -> Result<Vec<fengqiao_store::users::User>> {
        self.read(users::list)
    }

    fn update_user(
        &self,
        id: i64,
        change: &fengqiao_store::users::UserChange,
        actor: &str,
    ) -> Result<fengqiao_store::users::User> {
        self.write(|c| users::update(c, &self.ledger_key, id, change, actor))
    }

    fn record_login(&self, attempt: &fengqiao_store::users::LoginAttempt) -> Result<()> {
        self.write(|c| users::record_login(c, &self.ledger_key, attempt))
    }

    fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: chrono::DateTime<Utc>,
    ) -> Result<()> {
        self.write(|c| users::create_session(c, token_hash, user_id, csrf, expires_at))
    }

    fn session(
        &self,
        token_hash: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<Option<(fengqiao_store::users::User, String)>> {
        self.read(|c| users::session(c, token_hash, now))
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.write(|c| users::delete_session(c, token_hash))
    }

    fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        name: &str,
        expires_at: Option<chrono::DateTime<Utc>>,
    ) -> Result<()> {
        self.write(|c| users::create_api_token(c, token_hash, user_id, name, expires_at))
    }

    fn api_token_user(
        &self,
        token_hash: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<Option<fengqiao_store::users::User>> {
        self.read(|c| users::api_token_user(c, token_hash, now))
    }

    fn add_open311_key(&self, key_hash: &str, name: &str) -> Result<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO open311_keys (key_hash, name, created_at) VALUES (?1, ?2, ?3)",
                params![key_hash, name, Utc::now().timestamp()],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn credentials(&self) -> Result<Vec<fengqiao_store::users::Credential>> {
        self.read(|c| {
            let mut stmt = c
                .prepare(
                    "SELECT 't-' || substr(t.token_hash, 1, 12), t.name, u.username, t.created_at, t.expires_at
                     FROM api_tokens t JOIN users u ON u.id = t.user_id
                     UNION ALL
                     SELECT 'k-' || substr(key_hash, 1, 12), name, NULL, created_at, NULL FROM open311_keys
                     ORDER BY 4 DESC, 1",
                )
                .map_err(backend)?;
            stmt.query_map([], |r| {
                Ok(fengqiao_store::users::Credential {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    username: r.get(2)?,
                    created_at: from_ts(r.get(3)?),
                    expires_at: r.get::<_, Option<i64>>(4)?.map(from_ts),
                })
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<_>>()
            .map_err(backend)
        })
    }

    fn revoke_credential(&self, id: &str) -> Result<bool> {
        let Some((table, prefix)) = fengqiao_store::users::credential_handle(id) else {
            return Ok(false);
        };
        let column = if table == "api_tokens" {
            "token_hash"
        } else {
            "key_hash"
        };
        self.write(|c| {
            let n = c
                .execute(
                    &format!("DELETE FROM {table} WHERE substr({column}, 1, 12) = ?1"),
                    [prefix],
                )
                .map_err(backend)?;
            Ok(n > 0)
        })
    }

    fn open311_key(&self, key_hash: &str) -> Result<Option<String>> {
        self.read(|c| {
            c.query_row("SELECT name FROM open311_keys WHERE key_hash = ?1", [key_hash], |r| {
                r.get(0)
            })
            .optional()
            .map_err(backend)
        })
    }

    fn latest_checkpoint(&self) -> Result<Option<fengqiao_store::StoredCheckpoint>> {
        self.read(ledger::latest_checkpoint)
    }

    fn checkpoint(&self, size: u64) -> Result<Option<fengqiao_store::StoredCheckpoint>> {
        self.read(|c| ledger::checkpoint(c, size))
    }

    fn checkpoint_sizes(&self) -> Result<Vec<u64>> {
        self.read(ledger::checkpoint_sizes)
    }

    fn add_cosignature(&self, size: u64, witness: &str, seen_at: u64, line: &str) -> Result<()> {
        self.write(|c| ledger::add_cosignature(c, size, witness, seen_at, line))
    }

    fn cosignatures(&self, size: u64) -> Result<Vec<String>> {
        self.read(|c| ledger::cosignatures(c, size))
    }

    fn forecast(&self, id: i64) -> Result<Option<(fengqiao_store::ForecastRun, fengqiao_store::ForecastCells)>> {
        self.read(|c| queries::forecast_by_id(c, id))
    }

    fn save_plan(&self, plan: &fengqiao_store::NewPlan) -> Result<i64> {
        self.write_incidents(|c| queries::save_plan(c, &self.ledger_key, plan))
    }

    fn latest_plan(&self, dataset: &str) -> Result<Option<fengqiao_store::PlanRecord>> {
        self.read(|c| {
            queries::plan_where(
                c,
                "d.name = ?1 ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
                rusqlite::params![dataset],
            )
        })
    }

    fn plan(&self, id: i64) -> Result<Option<fengqiao_store::PlanRecord>> {
        self.read(|c| queries::plan_where(c, "p.id = ?1", rusqlite::params![id]))
    }

    fn latest_plan_started_by(
        &self,
        dataset: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<fengqiao_store::PlanRecord>> {
        self.read(|c| {
            queries::plan_where(
                c,
                "d.name = ?1 AND p.window_start <= ?2 ORDER BY p.window_start DESC, p.created_at DESC, p.id DESC LIMIT 1",
                rusqlite::params![dataset, at.timestamp()],
            )
        })
    }

    fn latest_forecast(
        &self,
        dataset: &str,
        window_kind: &str,
        category: Option<&str>,
    ) -> Result<Option<(fengqiao_store::ForecastRun, fengqiao_store::ForecastCells)>> {
        self.read(|c| queries::latest_forecast(c, dataset, window_kind, category))
    }
}
