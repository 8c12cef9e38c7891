//! Cases on PostgreSQL: opened and moved with their events and ledger
//! entries in one transaction; a move is refused unless the case is still at
//! the version the writer read (so two servers cannot both move it); case
//! numbers of a stem are drawn under an advisory lock on the stem.

use crate::ledger::log_record;
use crate::{PgStore, backend};
use fengqiao_cases::{CaseState, Event};
use fengqiao_store::cases::{Attachment, CaseFilter, CaseRecord, NewCase, Party};
use fengqiao_store::{Result, StoreError};
use postgres::GenericClient;

use fengqiao_store::canonical::CASE_COLUMNS;

const SELECT: &str = "SELECT c.id, c.code, c.case_type, c.category, c.title, c.description, j.code, c.address, \
     c.lon, c.lat, c.origin, c.state, c.risk_grade, c.risk, c.stock, c.token_hash, c.in_person_visits, c.incident_id \
     FROM cases c LEFT JOIN jurisdictions j ON j.id = c.jurisdiction_id";

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}

pub(crate) fn parties(c: &mut impl GenericClient, id: i64) -> Result<Vec<Party>> {
    Ok(c.query(
        "SELECT role, name, phone, id_number, address, vulnerable, id_type FROM case_parties WHERE case_id = $1 ORDER BY id",
        &[&id],
    )
    .map_err(backend)?
    .iter()
    .map(|r| Party {
        role: r.get(0),
        name: r.get(1),
        phone: r.get(2),
        id_number: r.get(3),
        address: r.get(4),
        vulnerable: r.get::<_, i64>(5) != 0,
        id_type: r.get(6),
    })
    .collect())
}

const EVENT_COLUMNS: &str = "action, from_stage, to_stage, actor, role, at, reason, version, details";

/// An event from its columns, starting at `first`.
fn event_at(r: &postgres::Row, first: usize) -> Event {
    Event {
        action: r.get(first),
        from_stage: r.get(first + 1),
        to_stage: r.get(first + 2),
        actor: r.get(first + 3),
        role: r.get(first + 4),
        at: at(r.get(first + 5)),
        reason: r.get(first + 6),
        version: r.get::<_, i64>(first + 7) as u32,
        details: r
            .get::<_, Option<String>>(first + 8)
            .and_then(|d| serde_json::from_str(&d).ok()),
    }
}

pub(crate) fn events(c: &mut impl GenericClient, id: i64) -> Result<Vec<Event>> {
    Ok(c.query(
        &format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY version"),
        &[&id],
    )
    .map_err(backend)?
    .iter()
    .map(|r| event_at(r, 0))
    .collect())
}

/// The histories of many cases in one query.
pub(crate) fn events_of(c: &mut impl GenericClient, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Event>>> {
    let mut out: std::collections::HashMap<i64, Vec<Event>> = std::collections::HashMap::new();
    for r in c
        .query(
            &format!(
                "SELECT case_id, {EVENT_COLUMNS} FROM case_events WHERE case_id = ANY($1) ORDER BY case_id, version"
            ),
            &[&ids],
        )
        .map_err(backend)?
    {
        out.entry(r.get::<_, i64>(0)).or_default().push(event_at(&r, 1));
    }
    Ok(out)
}

/// What the ledger commits to for a case: its row, its parties and its whole history.
pub(crate) fn committed_values(c: &mut impl GenericClient, id: i64) -> Result<Option<Vec<crate::ledger::Owned>>> {
    let Some(row) = c
        .query_opt(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"), &[&id])
        .map_err(backend)?
    else {
        return Ok(None);
    };
    let mut values = crate::ledger::owned_row(&row);
    values.push(crate::ledger::Owned::Text(json(&parties(c, id)?)));
    values.push(crate::ledger::Owned::Text(json(&events(c, id)?)));
    Ok(Some(values))
}

fn insert_event(c: &mut impl GenericClient, id: i64, e: &Event) -> Result<()> {
    c.execute(
        "INSERT INTO case_events (case_id, version, action, from_stage, to_stage, actor, role, at, reason, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &id,
            &i64::from(e.version),
            &e.action,
            &e.from_stage,
            &e.to_stage,
            &e.actor,
            &e.role,
            &e.at.timestamp(),
            &e.reason,
            &e.details.as_ref().map(|d| d.to_string()),
        ],
    )
    .map(drop)
    .map_err(backend)
}

fn record(r: &postgres::Row) -> Result<CaseRecord> {
    let bad = |e: serde_json::Error| StoreError::Backend(format!("a stored case does not parse: {e}"));
    let state: CaseState = serde_json::from_str(r.get(11)).map_err(bad)?;
    let risk: Option<String> = r.get(13);
    Ok(CaseRecord {
        id: r.get(0),
        code: r.get(1),
        case: NewCase {
            case_type: r.get(2),
            category: r.get(3),
            title: r.get(4),
            description: r.get(5),
            jurisdiction: r.get(6),
            address: r.get(7),
            lon: r.get(8),
            lat: r.get(9),
            origin: r.get(10),
            parties: Vec::new(),
            stock: r.get::<_, Option<i64>>(14).map(|s| s != 0),
            risk_grade: r.get(12),
            risk: risk.map(|s| serde_json::from_str(&s)).transpose().map_err(bad)?,
            token_hash: r.get(15),
            in_person_visits: r.get::<_, i64>(16) as u32,
            incident_id: r.get(17),
        },
        state,
    })
}

impl PgStore {
    /// Opens a case: its row, parties, first event and ledger entry in one transaction.
    pub fn create_case(&self, new: &NewCase, state: &CaseState, event: &Event, stem: &str) -> Result<(i64, String)> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let jurisdiction: Option<i64> = match new.jurisdiction.as_deref() {
            None => None,
            Some(code) => Some(
                tx.query_opt("SELECT id FROM jurisdictions WHERE code = $1", &[&code])
                    .map_err(backend)?
                    .ok_or_else(|| StoreError::InvalidQuery(format!("no jurisdiction with code {code:?}")))?
                    .get(0),
            ),
        };
        // Two servers numbering the same stem take turns.
        tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&stem])
            .map_err(backend)?;
        let taken: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM cases WHERE code COLLATE \"C\" >= $1 AND code COLLATE \"C\" < $2",
                &[&format!("{stem}-"), &format!("{stem}.")],
            )
            .map_err(backend)?
            .get(0);
        let code = format!("{stem}-{:04}", taken + 1);
        // Incidents are partitioned, so no foreign key can name one: check here.
        if let Some(incident) = new.incident_id {
            let known = tx
                .query_opt("SELECT 1 FROM incidents WHERE id = $1", &[&incident])
                .map_err(backend)?;
            if known.is_none() {
                return Err(StoreError::InvalidQuery(format!("incident {incident} does not exist")));
            }
        }
        let id: i64 = tx
            .query_one(
                &format!(
                    "INSERT INTO cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id"
                ),
                &[
                    &code,
                    &new.case_type,
                    &new.category,
                    &new.title,
                    &new.description,
                    &jurisdiction,
                    &new.address,
                    &new.lon,
                    &new.lat,
                    &new.origin,
                    &state.stage,
                    &i64::from(state.version),
                    &state.department,
                    &state.assignee,
                    &state.opened_at.timestamp(),
                    &state.due_at.timestamp(),
                    &state.stage_due_at.map(|t| t.timestamp()),
                    &state.closed_at.map(|t| t.timestamp()),
                    &json(state),
                    &new.risk_grade,
                    &new.risk.as_ref().map(json),
                    &new.stock.map(i64::from),
                    &new.token_hash,
                    &i64::from(new.in_person_visits),
                    &new.incident_id,
                ],
            )
            .map_err(|e| match e.code() {
                Some(&postgres::error::SqlState::UNIQUE_VIOLATION) => {
                    StoreError::InvalidQuery(format!("case {code} not stored: {}", crate::backend(e)))
                }
                _ => backend(e),
            })?
            .get(0);
        for p in &new.parties {
            tx.execute(
                "INSERT INTO case_parties (case_id, role, name, phone, id_number, address, vulnerable, id_type)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &id,
                    &p.role,
                    &p.name,
                    &p.phone,
                    &p.id_number,
                    &p.address,
                    &i64::from(p.vulnerable),
                    &p.id_type,
                ],
            )
            .map_err(backend)?;
        }
        insert_event(&mut tx, id, event)?;
        log_record(&mut tx, &self.ledger_key, "case", id, state.version, &event.actor)?;
        tx.commit().map_err(backend)?;
        Ok((id, code))
    }

    /// Moves a case if it is still at `from_version` (else `Conflict`).
    pub fn update_case(&self, id: i64, from_version: u32, state: &CaseState, event: &Event) -> Result<()> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let changed = tx
            .execute(
                "UPDATE cases SET stage = $3, version = $4, department = $5, assignee = $6, due_at = $7,
                     stage_due_at = $8, closed_at = $9, state = $10
                 WHERE id = $1 AND version = $2",
                &[
                    &id,
                    &i64::from(from_version),
                    &state.stage,
                    &i64::from(state.version),
                    &state.department,
                    &state.assignee,
                    &state.due_at.timestamp(),
                    &state.stage_due_at.map(|t| t.timestamp()),
                    &state.closed_at.map(|t| t.timestamp()),
                    &json(state),
                ],
            )
            .map_err(backend)?;
        if changed == 0 {
            let now: Option<i64> = tx
                .query_opt("SELECT version FROM cases WHERE id = $1", &[&id])
                .map_err(backend)?
                .map(|r| r.get(0));
            return Err(match now {
                None => StoreError::NotFound {
                    what: format!("case {id}"),
                },
                Some(v) => StoreError::Conflict(format!(
                    "case {id} is at version {v}, not {from_version}: someone acted on it first; reload it"
                )),
            });
        }
        insert_event(&mut tx, id, event)?;
        log_record(&mut tx, &self.ledger_key, "case", id, state.version, &event.actor)?;
        tx.commit().map_err(backend)
    }

    fn case_where(&self, clause: &str, value: &(dyn postgres::types::ToSql + Sync)) -> Result<Option<CaseRecord>> {
        let mut c = self.client()?;
        let Some(row) = c
            .query_opt(&format!("{SELECT} WHERE {clause}"), &[value])
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let mut case = record(&row)?;
        case.case.parties = parties(&mut *c, case.id)?;
        Ok(Some(case))
    }

    pub fn case(&self, id: i64) -> Result<Option<CaseRecord>> {
        self.case_where("c.id = $1", &id)
    }

    pub fn case_by_code(&self, code: &str) -> Result<Option<CaseRecord>> {
        self.case_where("c.code = $1", &code)
    }

    pub fn case_by_token(&self, token_hash: &str) -> Result<Option<CaseRecord>> {
        self.case_where("c.token_hash = $1", &token_hash)
    }

    pub fn case_events(&self, id: i64) -> Result<Vec<Event>> {
        events(&mut *self.client()?, id)
    }

    pub fn cases_events(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Event>>> {
        events_of(&mut *self.client()?, ids)
    }

    /// A board: open first, soonest due first (parties are not loaded).
    pub fn cases(&self, f: &CaseFilter) -> Result<Vec<CaseRecord>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: &Option<String>, args: &mut Vec<String>| {
            if let Some(v) = v {
                args.push(v.clone());
                clauses.push(clause.replace('?', &format!("${}", args.len())));
            }
        };
        add("c.case_type = ?", &f.case_type, &mut args);
        add("c.stage = ?", &f.stage, &mut args);
        add("c.assignee = ?", &f.assignee, &mut args);
        add(
            "c.jurisdiction_id IN (WITH RECURSIVE sub(id, code) AS (
                 SELECT id, code FROM jurisdictions WHERE code = ?
                 UNION ALL SELECT j.id, j.code FROM jurisdictions j JOIN sub ON j.parent_code = sub.code)
               SELECT id FROM sub)",
            &f.jurisdiction,
            &mut args,
        );
        // A department's cases: those it leads and those it joins.
        add(
            "(c.department = ? OR (c.state::jsonb -> 'co_departments') @> jsonb_build_array(?::text))",
            &f.department,
            &mut args,
        );
        let mut sql = SELECT.to_string();
        if f.open_only {
            clauses.push("c.closed_at IS NULL".into());
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(" ORDER BY c.closed_at IS NOT NULL, c.due_at, c.id");
        if let Some(n) = f.limit {
            sql.push_str(&format!(" LIMIT {}", n.min(100_000)));
        }
        let params: Vec<&(dyn postgres::types::ToSql + Sync)> =
            args.iter().map(|a| a as &(dyn postgres::types::ToSql + Sync)).collect();
        self.client()?
            .query(&sql, &params)
            .map_err(backend)?
            .iter()
            .map(record)
            .collect()
    }

    /// Attaches a file (already stored under its SHA-256) to a case, logged.
    pub fn add_attachment(&self, case_id: i64, a: &Attachment) -> Result<i64> {
        a.check()?;
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        if tx
            .query_opt("SELECT id FROM cases WHERE id = $1", &[&case_id])
            .map_err(backend)?
            .is_none()
        {
            return Err(StoreError::NotFound {
                what: format!("case {case_id}"),
            });
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO case_attachments (case_id, file_name, media_type, sha256, size, added_by, added_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                &[
                    &case_id,
                    &a.file_name,
                    &a.media_type,
                    &a.sha256,
                    &(a.size as i64),
                    &a.added_by,
                    &a.added_at.timestamp(),
                ],
            )
            .map_err(backend)?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "attachment", id, 1, &a.added_by)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    pub fn attachments(&self, case_id: i64) -> Result<Vec<(i64, Attachment)>> {
        Ok(self
            .client()?
            .query(
                "SELECT id, file_name, media_type, sha256, size, added_by, added_at FROM case_attachments
                 WHERE case_id = $1 ORDER BY id",
                &[&case_id],
            )
            .map_err(backend)?
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    Attachment {
                        file_name: r.get(1),
                        media_type: r.get(2),
                        sha256: r.get(3),
                        size: r.get::<_, i64>(4) as u64,
                        added_by: r.get(5),
                        added_at: at(r.get(6)),
                    },
                )
            })
            .collect())
    }
}
