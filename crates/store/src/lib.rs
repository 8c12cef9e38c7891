//! The storage boundary of Fengqiao: one trait, [`Store`], with an
//! implementation per database (SQLite embedded by default, PostgreSQL for
//! production), plus the record and query types that cross it.
//!
//! The trait is synchronous: backends are called from blocking threads
//! (the server wraps calls in `spawn_blocking`), which keeps SQLite fast
//! and simple. Every method that writes is atomic: it commits all of its
//! rows or none.

pub mod canonical;
pub mod cases;
pub mod files;
pub mod ledger;
pub mod mediators;
pub mod outbox;
pub mod personnel;
pub mod secrets;
pub mod users;
pub mod volunteers;

use chrono::{DateTime, Utc};
use fengqiao_domain::{Facility, Incident, Jurisdiction, Level, NewIncident, Origin};
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("database schema is newer than this program (version {found}, known up to {known}); upgrade fengqiao")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("database error: {0}")]
    Backend(String),
    /// The record changed since it was read.
    #[error("{0}")]
    Conflict(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A named set of incidents that came from one source (e.g. `demo`, `chicago`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub name: String,
    /// The import profile (or `mapping`) that produced it.
    pub profile: String,
    /// IANA time zone of the place, used for local hours.
    pub timezone: String,
    pub incidents: u64,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// WGS84 extent `[min_lon, min_lat, max_lon, max_lat]` of its incidents.
    pub bbox: Option<[f64; 4]>,
}

/// What an import run looks like when it starts.
#[derive(Debug, Clone)]
pub struct ImportStart {
    pub dataset: String,
    pub profile: String,
    pub timezone: String,
    pub file_name: String,
    pub file_sha256: String,
}

/// An earlier run over the same file content that did not finish.
#[derive(Debug, Clone, PartialEq)]
pub struct UnfinishedRun {
    pub id: i64,
    /// Every data line up to and including this one is committed.
    pub lines_committed: u64,
}

/// Progress recorded atomically with each batch, so an interrupted import
/// knows where it stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Last physical line of the file covered by the committed batches.
    pub last_line: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JurisdictionRecord {
    #[serde(flatten)]
    pub jurisdiction: Jurisdiction,
    /// GeoJSON geometry (Polygon or MultiPolygon), WGS84.
    pub geometry: String,
}

/// A new jurisdiction to store (its id is assigned by the store).
#[derive(Debug, Clone, PartialEq)]
pub struct NewJurisdiction {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: Level,
    pub parent_code: Option<String>,
    pub geometry: String,
}

/// Which incidents a query is about. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IncidentFilter {
    pub dataset: Option<String>,
    /// Inclusive lower bound on occurred_at.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on occurred_at.
    pub to: Option<DateTime<Utc>>,
    /// A category code; matches it and every sub-category.
    pub category: Option<String>,
    /// A jurisdiction code; matches it and every area below it.
    pub jurisdiction: Option<String>,
    /// `[min_lon, min_lat, max_lon, max_lat]`
    pub bbox: Option<[f64; 4]>,
    pub origin: Option<Origin>,
}

/// The first second of the UTC month holding `t`: the monthly rollup's key.
pub fn month_start(t: DateTime<Utc>) -> i64 {
    use chrono::{Datelike, TimeZone};
    Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0)
        .single()
        .map_or(0, |m| m.timestamp())
}

impl IncidentFilter {
    /// Whether the monthly rollup (`incident_rollup`, counts per dataset, UTC
    /// month, category, area and origin) answers an aggregate by `by` under
    /// this filter exactly: no box, time bounds on whole UTC months or none,
    /// a dimension it keeps.
    pub fn answered_by_monthly_rollup(&self, by: Dimension) -> bool {
        let whole = |t: &DateTime<Utc>| month_start(*t) == t.timestamp();
        self.bbox.is_none()
            && self.from.as_ref().is_none_or(whole)
            && self.to.as_ref().is_none_or(whole)
            && matches!(
                by,
                Dimension::CategoryTop | Dimension::Category | Dimension::Jurisdiction | Dimension::Origin
            )
    }
}

/// Newest first; `after` is the cursor returned by the previous page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

/// Position in the (occurred_at desc, id desc) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub occurred_at: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.occurred_at, self.id)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (t, id) = s.split_once('_')?;
        Some(Cursor {
            occurred_at: t.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub next: Option<Cursor>,
}

/// An incident reduced to what forecasting uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentPoint {
    pub occurred_at: DateTime<Utc>,
    pub lon: f64,
    pub lat: f64,
    pub origin: Origin,
    pub time_precision: fengqiao_domain::TimePrecision,
    pub place_type: Option<String>,
}

impl From<&NewIncident> for IncidentPoint {
    fn from(r: &NewIncident) -> Self {
        IncidentPoint {
            occurred_at: r.occurred_at,
            lon: r.lon,
            lat: r.lat,
            origin: r.origin,
            time_precision: r.time_precision,
            place_type: r.place_type.clone(),
        }
    }
}

/// A stored forecast: expected incidents per grid cell for one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRun {
    pub id: i64,
    pub dataset: String,
    pub model: String,
    /// `shift`, `day` or `week`.
    pub window_kind: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub shift: u32,
    /// The category code forecast (and below); `None` for all incidents.
    pub category: Option<String>,
    pub cell_m: f64,
    /// Centre of the local projection the grid lives in (WGS84).
    pub centre: [f64; 2],
    /// Lower-left corner of the grid in that projection (metres).
    pub origin: [f64; 2],
    pub cols: u32,
    pub rows: u32,
    /// The newest incident the forecast could see.
    pub data_cutoff: DateTime<Utc>,
    pub params: serde_json::Value,
    /// Version of the program that made it.
    pub version: String,
    pub created_at: DateTime<Utc>,
}

/// Expected count per cell index.
pub type ForecastCells = Vec<(u32, f64)>;

/// A forecast to store; cells with an expected count of zero may be left out.
#[derive(Debug, Clone, PartialEq)]
pub struct NewForecast {
    pub run: ForecastRun,
    pub cells: Vec<(u32, f64)>,
}

/// A deployment plan to store. The plan itself is opaque JSON to the store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewPlan {
    pub dataset: String,
    pub forecast_id: Option<i64>,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub params: serde_json::Value,
    pub summary: serde_json::Value,
    pub body: serde_json::Value,
    /// The plan as a GeoJSON FeatureCollection (WGS84) for maps.
    pub geojson: String,
    pub version: String,
    pub created_at: DateTime<Utc>,
}

/// An incident linked to a dispute (民转刑), and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseIncidentLink {
    pub incident_id: i64,
    pub occurred_at: DateTime<Utc>,
    pub category: String,
    pub reason: String,
    pub linked_at: DateTime<Utc>,
}

/// A case an incident is linked to, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentCaseLink {
    pub case_id: i64,
    pub code: String,
    pub case_type: String,
    pub title: String,
    pub stage: String,
    pub reason: String,
    pub linked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanRecord {
    pub id: i64,
    #[serde(flatten)]
    pub plan: NewPlan,
}

/// An entry of the transparency log: a commitment to one version of one
/// record, never the record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// Position in the log (0-based), assigned in the write's transaction.
    pub seq: u64,
    /// `incident`, `forecast`, `plan`, ...
    pub record_type: String,
    pub record_id: String,
    pub version: u32,
    /// Who wrote it: an import run, a command, later a user.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// HMAC-SHA256 of the record's canonical body under the store's ledger key.
    #[serde(serialize_with = "hex32")]
    pub commitment: [u8; 32],
}

fn hex32<S: serde::Serializer>(v: &[u8; 32], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex(v))
}

/// Lowercase hex without an allocation per byte (the log formats millions).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

impl LedgerEntry {
    /// The bytes the log's leaf hashes: one field per line, versioned.
    pub fn leaf_bytes(&self) -> Vec<u8> {
        let c = hex(&self.commitment);
        format!(
            "fengqiao-ledger/v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.seq,
            self.record_type,
            self.record_id,
            self.version,
            self.actor,
            self.at.timestamp(),
            c
        )
        .into_bytes()
    }

    /// `type id` (e.g. `incident 42`), how reports name a record.
    pub fn record(&self) -> String {
        format!("{} {}", self.record_type, self.record_id)
    }
}

/// A signed checkpoint of the log, as the sequencer stored it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCheckpoint {
    pub size: u64,
    /// The signed note (C2SP checkpoint body and signature lines).
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// A hash tile of the log's tree (C2SP tlog-tiles), as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerTile {
    pub level: u8,
    pub index: u64,
    /// Concatenated 32-byte hashes of tree level 8 * `level`.
    pub hashes: Vec<u8>,
}

/// A dimension to count incidents by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// Top-level 110 class.
    CategoryTop,
    /// Full category code.
    Category,
    /// Local hour of week 0..167 (day-only records are left out).
    HourOfWeek,
    /// Jurisdiction code (incidents outside every area are left out).
    Jurisdiction,
    Origin,
    /// UTC day `YYYY-MM-DD`.
    Day,
}

/// The storage interface. See the crate docs for the rules every backend keeps.
pub trait Store: Send + Sync {
    /// Which backend this is (`sqlite`, `postgres`), for logs and /health.
    fn backend(&self) -> &'static str;

    /// A cheap query that proves the database answers.
    fn ping(&self) -> Result<()>;

    /// A number that grows with every write through this store, so callers
    /// can tell whether something they computed may be out of date.
    fn generation(&self) -> u64;

    /// Like [`Store::generation`], but grows only with writes to incidents
    /// and what is made from them (datasets, areas, facilities, forecasts,
    /// plans): answers about the incident picture stay valid across case,
    /// account and ledger writes.
    fn incidents_generation(&self) -> u64 {
        self.generation()
    }

    fn get_setting(&self, key: &str) -> Result<Option<String>>;
    fn set_setting(&self, key: &str, value: &str) -> Result<()>;

    fn datasets(&self) -> Result<Vec<Dataset>>;

    /// The IANA time zone recorded for a dataset, without counting its rows.
    fn dataset_timezone(&self, name: &str) -> Result<Option<String>>;

    /// Registers (or re-uses) the dataset and opens an import run. Returns
    /// the run id and, when an earlier run over the same file content was
    /// interrupted, where it stopped.
    fn begin_import(&self, start: &ImportStart) -> Result<(i64, Option<UnfinishedRun>)>;

    /// Inserts one batch and records the run's counts, in one transaction.
    /// Rows whose (dataset, source_key) already exist are skipped; returns
    /// how many were new.
    fn import_batch(&self, run: i64, rows: &[NewIncident], counts_before: ImportCounts) -> Result<ImportCounts>;

    /// Forgets a run that committed nothing (and its dataset, if that is
    /// now empty): the import failed before writing any incident.
    fn abort_import(&self, run: i64) -> Result<()>;

    /// Marks the run done with its final counts.
    fn finish_import(&self, run: i64, counts: ImportCounts) -> Result<()>;

    /// Replaces the whole jurisdiction tree in one transaction.
    fn replace_jurisdictions(&self, items: &[NewJurisdiction]) -> Result<usize>;
    fn jurisdictions(&self) -> Result<Vec<JurisdictionRecord>>;

    /// Replaces all stations and posts in one transaction.
    fn replace_facilities(&self, items: &[Facility]) -> Result<usize>;
    fn facilities(&self) -> Result<Vec<Facility>>;

    fn incidents(&self, filter: &IncidentFilter, page: &PageRequest) -> Result<Page<Incident>>;
    fn count_incidents(&self, filter: &IncidentFilter) -> Result<u64>;
    fn aggregate(&self, filter: &IncidentFilter, by: Dimension) -> Result<Vec<(String, u64)>>;

    /// WGS84 positions of the matching incidents, for binning into grids.
    fn positions(&self, filter: &IncidentFilter) -> Result<Vec<[f64; 2]>>;

    /// The matching incidents in time order, as forecasting needs them.
    fn incident_points(&self, filter: &IncidentFilter) -> Result<Vec<IncidentPoint>>;

    /// Stores a forecast run and its cells in one transaction; returns its id.
    fn save_forecast(&self, forecast: &NewForecast) -> Result<i64>;

    /// Log entries from position `from`, at most `limit`, in order.
    fn ledger_entries(&self, from: u64, limit: usize) -> Result<Vec<LedgerEntry>>;

    /// The commitment to a record as it is stored now (`None`: no such record).
    fn commitment_of(&self, record_type: &str, record_id: &str) -> Result<Option<[u8; 32]>>;

    /// The newest entry of a record below position `below` (`None`: none).
    fn latest_ledger_entry(&self, record_type: &str, record_id: &str, below: u64) -> Result<Option<LedgerEntry>>;

    /// The commitment to every stored record of a type, as (id, commitment), in one pass.
    fn commitments(&self, record_type: &str) -> Result<Vec<(String, [u8; 32])>>;

    /// Stores a checkpoint with the tiles that grew to reach it, in one
    /// transaction, if the latest checkpoint is still of `previous_size`
    /// (0: none); `false` when another sequencer got there first.
    fn publish_checkpoint(
        &self,
        previous_size: u64,
        checkpoint: &StoredCheckpoint,
        tiles: &[LedgerTile],
    ) -> Result<bool>;

    /// The stored hashes of tile (level, index): concatenated 32-byte hashes,
    /// up to 256 of them (fewer while it is the last tile of its level).
    fn ledger_tile(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>>;

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>>;

    /// The stored checkpoint of exactly `size` entries.
    fn checkpoint(&self, size: u64) -> Result<Option<StoredCheckpoint>>;

    /// The sizes of every stored checkpoint, smallest first.
    fn checkpoint_sizes(&self) -> Result<Vec<u64>>;

    /// Stores a checked witness cosignature line of checkpoint `size`, replacing an older one by the same witness.
    fn add_cosignature(&self, size: u64, witness: &str, seen_at: u64, line: &str) -> Result<()>;

    /// The cosignature lines of checkpoint `size`, by witness name.
    fn cosignatures(&self, size: u64) -> Result<Vec<String>>;

    /// Stores a new case with its parties, its first event and its ledger
    /// entry in one transaction; its code is `code_stem` and the next
    /// number of that stem. Returns (id, code).
    fn create_case(
        &self,
        new: &cases::NewCase,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
        code_stem: &str,
    ) -> Result<(i64, String)>;

    /// Stores a case's new state, its event and a ledger entry in one
    /// transaction, if the case is still at `from_version` (else `Conflict`).
    fn update_case(
        &self,
        id: i64,
        from_version: u32,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
    ) -> Result<()>;

    fn case(&self, id: i64) -> Result<Option<cases::CaseRecord>>;
    fn case_by_code(&self, code: &str) -> Result<Option<cases::CaseRecord>>;
    /// A citizen's request by the SHA-256 (hex) of its tracking token.
    fn case_by_token(&self, token_hash: &str) -> Result<Option<cases::CaseRecord>>;
    fn case_events(&self, id: i64) -> Result<Vec<fengqiao_cases::Event>>;

    /// The histories of many cases at once, each in version order (a case
    /// without events is absent): for reports over many cases, one query
    /// where a backend can.
    fn cases_events(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<fengqiao_cases::Event>>> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        for &id in ids {
            let events = self.case_events(id)?;
            if !events.is_empty() {
                out.insert(id, events);
            }
        }
        Ok(out)
    }
    /// Records a file attached to case `id` (with its ledger entry); returns its id.
    fn add_attachment(&self, case_id: i64, a: &cases::Attachment) -> Result<i64>;

    /// The attachments of case `id`, oldest first, as (attachment id, attachment).
    fn attachments(&self, case_id: i64) -> Result<Vec<(i64, cases::Attachment)>>;

    /// The case attachment `id` belongs to, if it exists.
    fn attachment_case(&self, id: i64) -> Result<Option<i64>>;

    /// For a new dispute's risk grade: incidents recorded at `address`, and
    /// disputes already on file with any of these parties (same phone, or
    /// same name where no phone is known).
    fn dispute_history(&self, address: Option<&str>, parties: &[cases::Party]) -> Result<(u32, u32)>;

    /// Records a 民转刑 link from dispute `case_id` to a later incident, with
    /// its reasons and its ledger entry; `false` if the two were linked already.
    fn add_case_link(
        &self,
        case_id: i64,
        incident_id: i64,
        reason: &str,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<bool>;

    /// Ids of the cases with at least one incident linked to them later
    /// (an escalation), not counting the incident a case was opened from
    /// ([`cases::FROM_INCIDENT`]).
    fn escalated_cases(&self) -> Result<Vec<i64>>;

    /// One incident by its id.
    fn incident(&self, id: i64) -> Result<Option<fengqiao_domain::Incident>>;

    /// The incidents linked to case `case_id` (民转刑 warnings), in the order they happened.
    fn case_incidents(&self, case_id: i64) -> Result<Vec<CaseIncidentLink>>;

    /// The cases an incident is linked to (民转刑 warnings), oldest link first.
    fn incident_cases(&self, incident_id: i64) -> Result<Vec<IncidentCaseLink>>;

    /// Matching cases (without parties), overdue first: by due time.
    fn cases(&self, filter: &cases::CaseFilter) -> Result<Vec<cases::CaseRecord>>;

    /// Registers a volunteer (with its ledger entry); returns the id.
    fn add_volunteer(&self, v: &volunteers::NewVolunteer) -> Result<i64>;

    /// Volunteers with their hours; `skill` and `area` filter (an area
    /// matches a code the volunteer serves or any code below it).
    fn volunteers(&self, skill: Option<&str>, area: Option<&str>) -> Result<Vec<volunteers::Volunteer>>;

    /// Links volunteer `volunteer_id` to the account `username` signs in
    /// with (with its ledger entry); one account per volunteer and one
    /// volunteer per account. Returns the link's id.
    fn link_volunteer_account(&self, volunteer_id: i64, username: &str, at: DateTime<Utc>, actor: &str) -> Result<i64>;

    /// The mediator pool, retired ones included, by name.
    fn mediators(&self) -> Result<Vec<mediators::Mediator>>;

    /// Adds a mediator (with its ledger entry); `None` if one of that name is on file.
    fn add_mediator(&self, m: &mediators::NewMediator, at: DateTime<Utc>, actor: &str) -> Result<Option<i64>>;

    /// Retires mediator `id` (with its ledger entry): on file, no new cases.
    fn retire_mediator(&self, id: i64, actor: &str) -> Result<mediators::Mediator>;

    /// The personnel registry, those who left included, by station and badge.
    fn personnel(&self) -> Result<Vec<personnel::Person>>;

    /// Adds people (each with its ledger entry), all or none; a badge on
    /// file already is a `Conflict` naming it. Returns their ids in order.
    fn add_personnel(&self, people: &[personnel::NewPerson], at: DateTime<Utc>, actor: &str) -> Result<Vec<i64>>;

    /// Rewrites person `id` as a new version (with its ledger entry); a
    /// `Conflict` unless the stored version is `expected_version`.
    fn update_person(
        &self,
        id: i64,
        person: &personnel::NewPerson,
        active: bool,
        expected_version: u32,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<personnel::Person>;

    /// Leave overlapping `[from, to]` (cancelled leave included), by first day.
    fn leave(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<personnel::Leave>>;

    /// Records leave (with its ledger entry); returns its id.
    fn add_leave(&self, leave: &personnel::NewLeave, at: DateTime<Utc>, actor: &str) -> Result<i64> {
        self.add_leave_with_rosters(leave, &[], at, actor)
    }

    /// Stores leave and the rosters it repairs (each at its expected
    /// version, as [`Store::update_rosters`]) in one transaction: both or
    /// neither. Returns the leave's id.
    fn add_leave_with_rosters(
        &self,
        leave: &personnel::NewLeave,
        rosters: &[personnel::RosterUpdate<'_>],
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<i64>;

    /// Cancels leave `id` (with its ledger entry).
    fn cancel_leave(&self, id: i64, at: DateTime<Utc>, actor: &str) -> Result<personnel::Leave>;

    /// Stores a roster (with its ledger entry); returns its id.
    fn add_roster(&self, roster: &personnel::NewRoster, at: DateTime<Utc>, actor: &str) -> Result<i64>;

    /// A station's rosters (every station's with `None`), newest first, at most `limit`.
    fn rosters(&self, station: Option<&str>, limit: usize) -> Result<Vec<personnel::RosterRecord>>;

    fn roster(&self, id: i64) -> Result<Option<personnel::RosterRecord>>;

    /// Rewrites roster `id` (published, repaired) as a new version with its
    /// ledger entry; a `Conflict` unless it is still at `expected_version`.
    fn update_roster(
        &self,
        id: i64,
        state: &str,
        body: &serde_json::Value,
        expected_version: u32,
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<personnel::RosterRecord> {
        let one = personnel::RosterUpdate {
            id,
            state,
            body,
            expected_version,
        };
        Ok(self.update_rosters(&[one], at, actor)?.remove(0))
    }

    /// Rewrites several rosters in one transaction, each as by
    /// [`Store::update_roster`]: all of them or, on any error, none.
    fn update_rosters(
        &self,
        updates: &[personnel::RosterUpdate<'_>],
        at: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<personnel::RosterRecord>>;

    /// Puts a notification in the outbox, due now; `false` if one with its
    /// key is there already.
    fn enqueue_notification(&self, n: &outbox::NewNotification) -> Result<bool>;

    /// Takes up to `limit` notifications due at `now` for delivery: each is
    /// leased until `lease_until`, so another server does not send it too.
    fn claim_notifications(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<outbox::Notification>>;

    /// Records an attempt to deliver notification `id` and its outcome.
    fn record_delivery(&self, id: i64, at: DateTime<Utc>, outcome: &outbox::Delivery) -> Result<()>;

    /// The newest notifications, with how their delivery went.
    fn notifications(&self, limit: usize) -> Result<Vec<outbox::Notification>>;

    /// Records an activity with its attendance (and its ledger entry); returns the id.
    fn add_activity(&self, a: &volunteers::NewActivity) -> Result<i64>;

    /// Activities starting in `[from, to)`, newest first.
    fn activities(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<volunteers::Activity>>;

    /// Stores a new user (with its ledger entry); a taken user name is `InvalidQuery`.
    fn create_user(&self, user: &users::NewUser, actor: &str) -> Result<i64>;
    fn user(&self, id: i64) -> Result<Option<users::User>>;
    /// A user and its password hash, for logging in.
    fn user_credentials(&self, username: &str) -> Result<Option<(users::User, String)>>;
    fn users(&self) -> Result<Vec<users::User>>;
    /// Changes a user (version bumped, ledger entry) and ends its sessions if
    /// its role, scope, password or status changed.
    fn update_user(&self, id: i64, change: &users::UserChange, actor: &str) -> Result<users::User>;
    /// Records a login attempt (with its ledger entry) and the account's failure count and lock.
    fn record_login(&self, attempt: &users::LoginAttempt) -> Result<()>;

    fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, expires_at: DateTime<Utc>) -> Result<()>;
    /// The user of a live session and its CSRF token.
    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(users::User, String)>>;
    fn delete_session(&self, token_hash: &str) -> Result<()>;
    fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// The user of a live API token.
    fn api_token_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<users::User>>;

    /// Registers an Open311 client's API key (by its hash).
    fn add_open311_key(&self, key_hash: &str, name: &str) -> Result<()>;

    /// Every API token and Open311 key, newest first (see [`users::Credential`]).
    fn credentials(&self) -> Result<Vec<users::Credential>>;

    /// Revokes the API token or Open311 key a handle names; `false` if none does.
    fn revoke_credential(&self, id: &str) -> Result<bool>;
    /// The client name of an Open311 API key.
    fn open311_key(&self, key_hash: &str) -> Result<Option<String>>;

    /// A stored forecast by its id, with its cells.
    fn forecast(&self, id: i64) -> Result<Option<(ForecastRun, ForecastCells)>>;

    /// Stores a plan; returns its id.
    fn save_plan(&self, plan: &NewPlan) -> Result<i64>;

    /// The most recently made plan for the dataset.
    fn latest_plan(&self, dataset: &str) -> Result<Option<PlanRecord>>;

    /// A stored plan by its id.
    fn plan(&self, id: i64) -> Result<Option<PlanRecord>>;

    /// The plan whose window began most recently at or before `at`: the
    /// latest shift that real incidents can score.
    fn latest_plan_started_by(&self, dataset: &str, at: DateTime<Utc>) -> Result<Option<PlanRecord>>;

    /// The most recently made forecast for the dataset, window kind and
    /// category (`None`: all incidents), with its cells.
    fn latest_forecast(
        &self,
        dataset: &str,
        window_kind: &str,
        category: Option<&str>,
    ) -> Result<Option<(ForecastRun, ForecastCells)>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            occurred_at: -5,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x"), None);
    }
}
