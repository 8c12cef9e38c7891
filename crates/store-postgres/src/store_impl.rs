//! [`Store`] on PostgreSQL: the trait's methods, each the inherent method
//! of the same name, with the write generations kept as on SQLite.

use crate::PgStore;
use chrono::{DateTime, Utc};
use fengqiao_domain::{Facility, Incident, NewIncident};
use fengqiao_store::{
    Dataset, Dimension, ForecastCells, ForecastRun, ImportCounts, ImportStart, IncidentCaseLink, IncidentFilter,
    IncidentPoint, JurisdictionRecord, LedgerEntry, LedgerTile, NewForecast, NewJurisdiction, NewPlan, Page,
    PageRequest, PlanRecord, Result, Store, StoredCheckpoint, UnfinishedRun, cases, users, volunteers,
};

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> Result<()> {
        self.client()?
            .simple_query("SELECT 1")
            .map(drop)
            .map_err(crate::backend)
    }

    fn generation(&self) -> u64 {
        self.generations.all(&self.url)
    }

    fn incidents_generation(&self) -> u64 {
        self.generations.incidents(&self.url)
    }

    fn get_setting(&self, key: &str) -> Result<Option<String>> {
        PgStore::get_setting(self, key)
    }

    fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.writing(false, || PgStore::set_setting(self, key, value))
    }

    fn datasets(&self) -> Result<Vec<Dataset>> {
        PgStore::datasets(self)
    }

    fn dataset_timezone(&self, name: &str) -> Result<Option<String>> {
        PgStore::dataset_timezone(self, name)
    }

    fn begin_import(&self, start: &ImportStart) -> Result<(i64, Option<UnfinishedRun>)> {
        self.writing(true, || PgStore::begin_import(self, start))
    }

    fn import_batch(&self, run: i64, rows: &[NewIncident], counts_before: ImportCounts) -> Result<ImportCounts> {
        self.writing(true, || PgStore::import_batch(self, run, rows, counts_before))
    }

    fn abort_import(&self, run: i64) -> Result<()> {
        self.writing(true, || PgStore::abort_import(self, run))
    }

    fn finish_import(&self, run: i64, counts: ImportCounts) -> Result<()> {
        self.writing(true, || PgStore::finish_import(self, run, counts))
    }

    fn replace_jurisdictions(&self, items: &[NewJurisdiction]) -> Result<usize> {
        self.writing(true, || PgStore::replace_jurisdictions(self, items))
    }

    fn jurisdictions(&self) -> Result<Vec<JurisdictionRecord>> {
        PgStore::jurisdictions(self)
    }

    fn replace_facilities(&self, items: &[Facility]) -> Result<usize> {
        self.writing(true, || PgStore::replace_facilities(self, items))
    }

    fn facilities(&self) -> Result<Vec<Facility>> {
        PgStore::facilities(self)
    }

    fn incidents(&self, filter: &IncidentFilter, page: &PageRequest) -> Result<Page<Incident>> {
        PgStore::incidents(self, filter, page)
    }

    fn count_incidents(&self, filter: &IncidentFilter) -> Result<u64> {
        PgStore::count_incidents(self, filter)
    }

    fn aggregate(&self, filter: &IncidentFilter, by: Dimension) -> Result<Vec<(String, u64)>> {
        PgStore::aggregate(self, filter, by)
    }

    fn positions(&self, filter: &IncidentFilter) -> Result<Vec<[f64; 2]>> {
        PgStore::positions(self, filter)
    }

    fn incident_points(&self, filter: &IncidentFilter) -> Result<Vec<IncidentPoint>> {
        PgStore::incident_points(self, filter)
    }

    fn save_forecast(&self, forecast: &NewForecast) -> Result<i64> {
        self.writing(true, || PgStore::save_forecast(self, forecast))
    }

    fn ledger_entries(&self, from: u64, limit: usize) -> Result<Vec<LedgerEntry>> {
        PgStore::ledger_entries(self, from, limit)
    }

    fn commitment_of(&self, record_type: &str, record_id: &str) -> Result<Option<[u8; 32]>> {
        PgStore::commitment_of(self, record_type, record_id)
    }

    fn latest_ledger_entry(&self, record_type: &str, record_id: &str, below: u64) -> Result<Option<LedgerEntry>> {
        PgStore::latest_ledger_entry(self, record_type, record_id, below)
    }

    fn commitments(&self, record_type: &str) -> Result<Vec<(String, [u8; 32])>> {
        PgStore::commitments(self, record_type)
    }

    fn publish_checkpoint(
        &self,
        previous_size: u64,
        checkpoint: &StoredCheckpoint,
        tiles: &[LedgerTile],
    ) -> Result<bool> {
        self.writing(false, || {
            PgStore::publish_checkpoint(self, previous_size, checkpoint, tiles)
        })
    }

    fn ledger_tile(&self, level: u8, index: u64) -> Result<Option<Vec<u8>>> {
        PgStore::ledger_tile(self, level, index)
    }

    fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        PgStore::latest_checkpoint(self)
    }

    fn checkpoint(&self, size: u64) -> Result<Option<StoredCheckpoint>> {
        PgStore::checkpoint(self, size)
    }

    fn checkpoint_sizes(&self) -> Result<Vec<u64>> {
        PgStore::checkpoint_sizes(self)
    }

    fn add_cosignature(&self, size: u64, witness: &str, seen_at: u64, line: &str) -> Result<()> {
        self.writing(false, || PgStore::add_cosignature(self, size, witness, seen_at, line))
    }

    fn cosignatures(&self, size: u64) -> Result<Vec<String>> {
        PgStore::cosignatures(self, size)
    }

    fn create_case(
        &self,
        new: &cases::NewCase,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
        code_stem: &str,
    ) -> Result<(i64, String)> {
        self.writing(false, || PgStore::create_case(self, new, state, event, code_stem))
    }

    fn update_case(
        &self,
        id: i64,
        from_version: u32,
        state: &fengqiao_cases::CaseState,
        event: &fengqiao_cases::Event,
    ) -> Result<()> {
        self.writing(false, || PgStore::update_case(self, id, from_version, state, event))
    }

    fn case(&self, id: i64) -> Result<Option<cases::CaseRecord>> {
        PgStore::case(self, id)
    }

    fn case_by_code(&self, code: &str) -> Result<Option<cases::CaseRecord>> {
        PgStore::case_by_code(self, code)
    }

    fn case_by_token(&self, token_hash: &str) -> Result<Option<cases::CaseRecord>> {
        PgStore::case_by_token(self, token_hash)
    }

    fn case_events(&self, id: i64) -> Result<Vec<fengqiao_cases::Event>> {
        PgStore::case_events(self, id)
    }

    fn cases_events(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<fengqiao_cases::Event>>> {
        PgStore::cases_events(self, ids)
    }

    fn add_attachment(&self, case_id: i64, a: &cases::Attachment) -> Result<i64> {
        self.writing(false, || PgStore::add_attachment(self, case_id, a))
    }

    fn attachments(&self, case_id: i64) -> Result<Vec<(i64, cases::Attachment)>> {
        PgStore::attachments(self, case_id)
    }

    fn attachment_case(&self, id: i64) -> Result<Option<i64>> {
        Ok(self
            .client()?
            .query_opt("SELECT case_id FROM case_attachments WHERE id = $1", &[&id])
            .map_err(crate::backend)?
            .map(|r| r.get(0)))
    }

    fn dispute_history(&self, address: Option<&str>, parties: &[cases::Party]) -> Result<(u32, u32)> {
        PgStore::dispute_history(self, address, parties)
    }

    fn add_case_link(
        &self,
        case_id: i64,
        incident_id: i64,
        reason: &str,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<bool> {
        self.writing(false, || {
            PgStore::add_case_link(self, (case_id, incident_id), reason, at, actor)
        })
    }

    fn escalated_cases(&self) -> Result<Vec<i64>> {
        PgStore::escalated_cases(self)
    }

    fn incident(&self, id: i64) -> Result<Option<fengqiao_domain::Incident>> {
        PgStore::incident(self, id)
    }

    fn case_incidents(&self, case_id: i64) -> Result<Vec<fengqiao_store::CaseIncidentLink>> {
        PgStore::case_incidents(self, case_id)
    }

    fn incident_cases(&self, incident_id: i64) -> Result<Vec<IncidentCaseLink>> {
        PgStore::incident_cases(self, incident_id)
    }

    fn cases(&self, filter: &cases::CaseFilter) -> Result<Vec<cases::CaseRecord>> {
        PgStore::cases(self, filter)
    }

    fn add_volunteer(&self, v: &volunteers::NewVolunteer) -> Result<i64> {
        self.writing(false, || PgStore::add_volunteer(self, v))
    }

    fn volunteers(&self, skill: Option<&str>, area: Option<&str>) -> Result<Vec<volunteers::Volunteer>> {
        PgStore::volunteers(self, skill, area)
    }

    fn mediators(&self) -> Result<Vec<fengqiao_store::mediators::Mediator>> {
        PgStore::mediators(self)
    }

    fn add_mediator(
        &self,
        m: &fengqiao_store::mediators::NewMediator,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<Option<i64>> {
        self.writing(false, || PgStore::add_mediator(self, m, at, actor))
    }

    fn retire_mediator(&self, id: i64, actor: &str) -> Result<fengqiao_store::mediators::Mediator> {
        self.writing(false, || PgStore::retire_mediator(self, id, actor))
    }

    fn personnel(&self) -> Result<Vec<fengqiao_store::personnel::Person>> {
        PgStore::personnel(self)
    }

    fn add_personnel(
        &self,
        people: &[fengqiao_store::personnel::NewPerson],
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<Vec<i64>> {
        self.writing(false, || PgStore::add_personnel(self, people, at, actor))
    }

    fn update_person(
        &self,
        id: i64,
        person: &fengqiao_store::personnel::NewPerson,
        active: bool,
        expected_version: u32,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<fengqiao_store::personnel::Person> {
        self.writing(false, || {
            PgStore::update_person(self, id, person, active, expected_version, at, actor)
        })
    }

    fn leave(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<Vec<fengqiao_store::personnel::Leave>> {
        PgStore::leave(self, from, to)
    }

    fn add_leave_with_rosters(
        &self,
        leave: &fengqiao_store::personnel::NewLeave,
        rosters: &[fengqiao_store::personnel::RosterUpdate<'_>],
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<i64> {
        self.writing(false, || PgStore::add_leave(self, leave, rosters, at, actor))
    }

    fn cancel_leave(
        &self,
        id: i64,
        _at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<fengqiao_store::personnel::Leave> {
        self.writing(false, || PgStore::cancel_leave(self, id, actor))
    }

    fn add_roster(
        &self,
        roster: &fengqiao_store::personnel::NewRoster,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<i64> {
        self.writing(false, || PgStore::add_roster(self, roster, at, actor))
    }

    fn rosters(&self, station: Option<&str>, limit: usize) -> Result<Vec<fengqiao_store::personnel::RosterRecord>> {
        PgStore::rosters(self, station, limit)
    }

    fn roster(&self, id: i64) -> Result<Option<fengqiao_store::personnel::RosterRecord>> {
        PgStore::roster(self, id)
    }

    fn update_rosters(
        &self,
        updates: &[fengqiao_store::personnel::RosterUpdate<'_>],
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<Vec<fengqiao_store::personnel::RosterRecord>> {
        self.writing(false, || PgStore::update_rosters(self, updates, at, actor))
    }

    fn enqueue_notification(&self, n: &fengqiao_store::outbox::NewNotification) -> Result<bool> {
        PgStore::enqueue_notification(self, n)
    }

    fn claim_notifications(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> Result<Vec<fengqiao_store::outbox::Notification>> {
        PgStore::claim_notifications(self, now, lease_until, limit)
    }

    fn record_delivery(
        &self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
        outcome: &fengqiao_store::outbox::Delivery,
    ) -> Result<()> {
        PgStore::record_delivery(self, id, at, outcome)
    }

    fn notifications(&self, limit: usize) -> Result<Vec<fengqiao_store::outbox::Notification>> {
        PgStore::notifications(self, limit)
    }

    fn link_volunteer_account(
        &self,
        volunteer_id: i64,
        username: &str,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<i64> {
        self.writing(false, || {
            PgStore::link_volunteer_account(self, volunteer_id, username, at, actor)
        })
    }

    fn add_activity(&self, a: &volunteers::NewActivity) -> Result<i64> {
        self.writing(false, || PgStore::add_activity(self, a))
    }

    fn activities(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<volunteers::Activity>> {
        PgStore::activities(self, from, to)
    }

    fn create_user(&self, user: &users::NewUser, actor: &str) -> Result<i64> {
        self.writing(false, || PgStore::create_user(self, user, actor))
    }

    fn user(&self, id: i64) -> Result<Option<users::User>> {
        PgStore::user(self, id)
    }

    fn user_credentials(&self, username: &str) -> Result<Option<(users::User, String)>> {
        PgStore::user_credentials(self, username)
    }

    fn users(&self) -> Result<Vec<users::User>> {
        PgStore::users(self)
    }

    fn update_user(&self, id: i64, change: &users::UserChange, actor: &str) -> Result<users::User> {
        self.writing(false, || PgStore::update_user(self, id, change, actor))
    }

    fn record_login(&self, attempt: &users::LoginAttempt) -> Result<()> {
        self.writing(false, || PgStore::record_login(self, attempt))
    }

    fn create_session(&self, token_hash: &str, user_id: i64, csrf: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.writing(false, || {
            PgStore::create_session(self, token_hash, user_id, csrf, expires_at)
        })
    }

    fn session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(users::User, String)>> {
        PgStore::session(self, token_hash, now)
    }

    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.writing(false, || PgStore::delete_session(self, token_hash))
    }

    fn create_api_token(
        &self,
        token_hash: &str,
        user_id: i64,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.writing(false, || {
            PgStore::create_api_token(self, token_hash, user_id, name, expires_at)
        })
    }

    fn api_token_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<users::User>> {
        PgStore::api_token_user(self, token_hash, now)
    }

    fn add_open311_key(&self, key_hash: &str, name: &str) -> Result<()> {
        self.writing(false, || PgStore::add_open311_key(self, key_hash, name))
    }

    fn credentials(&self) -> Result<Vec<fengqiao_store::users::Credential>> {
        PgStore::credentials(self)
    }

    fn revoke_credential(&self, id: &str) -> Result<bool> {
        self.writing(false, || PgStore::revoke_credential(self, id))
    }

    fn open311_key(&self, key_hash: &str) -> Result<Option<String>> {
        PgStore::open311_key(self, key_hash)
    }

    fn forecast(&self, id: i64) -> Result<Option<(ForecastRun, ForecastCells)>> {
        PgStore::forecast(self, id)
    }

    fn save_plan(&self, plan: &NewPlan) -> Result<i64> {
        self.writing(true, || PgStore::save_plan(self, plan))
    }

    fn latest_plan(&self, dataset: &str) -> Result<Option<PlanRecord>> {
        PgStore::latest_plan(self, dataset)
    }

    fn plan(&self, id: i64) -> Result<Option<PlanRecord>> {
        PgStore::plan(self, id)
    }

    fn latest_plan_started_by(&self, dataset: &str, at: DateTime<Utc>) -> Result<Option<PlanRecord>> {
        PgStore::latest_plan_started_by(self, dataset, at)
    }

    fn latest_forecast(
        &self,
        dataset: &str,
        window_kind: &str,
        category: Option<&str>,
    ) -> Result<Option<(ForecastRun, ForecastCells)>> {
        PgStore::latest_forecast(self, dataset, window_kind, category)
    }
}
