//! The SQL behind the case methods of the store: cases, their parties and
//! events, each change with its ledger entry in the same transaction.

use crate::{backend, from_ts, ts};
use fengqiao_cases::{CaseState, Event};
use fengqiao_store::canonical::{ATTACHMENT_COLUMNS, CASE_COLUMNS};
use fengqiao_store::cases::{CaseFilter, CaseRecord, NewCase, Party};
use fengqiao_store::{Result, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

/// What the ledger commits to for case `id`: its row, its parties and its whole history.
pub(crate) fn committed_values(c: &Connection, id: i64) -> Result<Option<Vec<Value>>> {
    let row = crate::ledger::row(c, &format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = ?1"), id)?;
    let Some(mut values) = row else {
        return Ok(None);
    };
    values.push(Value::Text(json(&parties(c, id)?)));
    values.push(Value::Text(json(&events(c, id)?)));
    Ok(Some(values))
}

fn jurisdiction_id(c: &Connection, code: Option<&str>) -> Result<Option<i64>> {
    let Some(code) = code else {
        return Ok(None);
    };
    c.query_row("SELECT id FROM jurisdictions WHERE code = ?1", [code], |r| r.get(0))
        .optional()
        .map_err(backend)?
        .map(Some)
        .ok_or_else(|| StoreError::InvalidQuery(format!("no jurisdiction with code {code:?}")))
}

fn insert_event(c: &Connection, id: i64, e: &Event) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO case_events (case_id, version, action, from_stage, to_stage, actor, role, at, reason, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .map_err(backend)?
    .execute(params![
        id,
        e.version,
        e.action,
        e.from_stage,
        e.to_stage,
        e.actor,
        e.role,
        ts(e.at),
        e.reason,
        e.details.as_ref().map(|d| d.to_string())
    ])
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn create(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    new: &NewCase,
    state: &CaseState,
    event: &Event,
    stem: &str,
) -> Result<(i64, String)> {
    let tx = conn.transaction().map_err(backend)?;
    let jurisdiction = jurisdiction_id(&tx, new.jurisdiction.as_deref())?;
    // The next number of this stem (codes never reuse a number: cases are not deleted).
    let taken: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM cases WHERE code >= ?1 AND code < ?2",
            params![format!("{stem}-"), format!("{stem}.")],
            |r| r.get(0),
        )
        .map_err(backend)?;
    let code = format!("{stem}-{:04}", taken + 1);
    tx.prepare_cached(&format!(
        "INSERT INTO cases ({CASE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
         ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"
    ))
    .map_err(backend)?
    .execute(params![
        code,
        new.case_type,
        new.category,
        new.title,
        new.description,
        jurisdiction,
        new.address,
        new.lon,
        new.lat,
        new.origin,
        state.stage,
        state.version,
        state.department,
        state.assignee,
        ts(state.opened_at),
        ts(state.due_at),
        state.stage_due_at.map(ts),
        state.closed_at.map(ts),
        json(state),
        new.risk_grade,
        new.risk.as_ref().map(json),
        new.stock,
        new.token_hash,
        new.in_person_visits,
        new.incident_id
    ])
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::InvalidQuery(format!("case {code} not stored: {e}"))
        }
        e => backend(e),
    })?;
    let id = tx.last_insert_rowid();
    {
        let mut put = tx
            .prepare_cached(
                "INSERT INTO case_parties (case_id, role, name, phone, id_number, address, vulnerable, id_type)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(backend)?;
        for p in &new.parties {
            put.execute(params![
                id,
                p.role,
                p.name,
                p.phone,
                p.id_number,
                p.address,
                p.vulnerable,
                p.id_type
            ])
            .map_err(backend)?;
        }
    }
    insert_event(&tx, id, event)?;
    crate::ledger::log_record(&tx, key, "case", id, state.version, &event.actor)?;
    tx.commit().map_err(backend)?;
    Ok((id, code))
}

pub(crate) fn update(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    id: i64,
    from_version: u32,
    state: &CaseState,
    event: &Event,
) -> Result<()> {
    let tx = conn.transaction().map_err(backend)?;
    let changed = tx
        .prepare_cached(
            "UPDATE cases SET stage = ?3, version = ?4, department = ?5, assignee = ?6, due_at = ?7,
                 stage_due_at = ?8, closed_at = ?9, state = ?10
             WHERE id = ?1 AND version = ?2",
        )
        .map_err(backend)?
        .execute(params![
            id,
            from_version,
            state.stage,
            state.version,
            state.department,
            state.assignee,
            ts(state.due_at),
            state.stage_due_at.map(ts),
            state.closed_at.map(ts),
            json(state)
        ])
        .map_err(backend)?;
    if changed == 0 {
        let now: Option<u32> = tx
            .query_row("SELECT version FROM cases WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        return Err(match now {
            None => StoreError::NotFound {
                what: format!("case {id}"),
            },
            Some(v) => StoreError::Conflict(format!(
                "case {id} is at version {v}, not {from_version}: someone acted on it first; reload it"
            )),
        });
    }
    insert_event(&tx, id, event)?;
    crate::ledger::log_record(&tx, key, "case", id, state.version, &event.actor)?;
    tx.commit().map_err(backend)?;
    Ok(())
}

fn parties(c: &Connection, id: i64) -> Result<Vec<Party>> {
    c.prepare_cached(
        "SELECT role, name, phone, id_number, address, vulnerable, id_type FROM case_parties WHERE case_id = ?1 ORDER BY id",
    )
    .map_err(backend)?
    .query_map([id], |r| {
        Ok(Party {
            role: r.get(0)?,
            name: r.get(1)?,
            phone: r.get(2)?,
            id_number: r.get(3)?,
            address: r.get(4)?,
            vulnerable: r.get(5)?,
            id_type: r.get(6)?,
        })
    })
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

const EVENT_COLUMNS: &str = "action, from_stage, to_stage, actor, role, at, reason, version, details";

/// An event from its columns, starting at `first`.
fn event_at(r: &Row, first: usize) -> rusqlite::Result<Event> {
    let details: Option<String> = r.get(first + 8)?;
    Ok(Event {
        action: r.get(first)?,
        from_stage: r.get(first + 1)?,
        to_stage: r.get(first + 2)?,
        actor: r.get(first + 3)?,
        role: r.get(first + 4)?,
        at: from_ts(r.get(first + 5)?),
        reason: r.get(first + 6)?,
        version: r.get(first + 7)?,
        details: details.and_then(|d| serde_json::from_str(&d).ok()),
    })
}

pub(crate) fn events(c: &Connection, id: i64) -> Result<Vec<Event>> {
    c.prepare_cached(&format!(
        "SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = ?1 ORDER BY version"
    ))
    .map_err(backend)?
    .query_map([id], |r| event_at(r, 0))
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

/// The histories of many cases in one query (the ids bound as one JSON array).
pub(crate) fn events_of(c: &Connection, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<Event>>> {
    let list = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    let mut out: std::collections::HashMap<i64, Vec<Event>> = std::collections::HashMap::new();
    let mut stmt = c
        .prepare_cached(&format!(
            "SELECT case_id, {EVENT_COLUMNS} FROM case_events
             WHERE case_id IN (SELECT value FROM json_each(?1)) ORDER BY case_id, version"
        ))
        .map_err(backend)?;
    let rows = stmt
        .query_map([list], |r| Ok((r.get::<_, i64>(0)?, event_at(r, 1)?)))
        .map_err(backend)?;
    for row in rows {
        let (id, e) = row.map_err(backend)?;
        out.entry(id).or_default().push(e);
    }
    Ok(out)
}

const SELECT: &str = "SELECT c.id, c.code, c.case_type, c.category, c.title, c.description, j.code, c.address, \
     c.lon, c.lat, c.origin, c.state, c.risk_grade, c.risk, c.stock, c.token_hash, c.in_person_visits, c.incident_id \
     FROM cases c LEFT JOIN jurisdictions j ON j.id = c.jurisdiction_id";

fn record(r: &Row) -> rusqlite::Result<CaseRecord> {
    let state: String = r.get(11)?;
    let risk: Option<String> = r.get(13)?;
    let bad =
        |e: serde_json::Error| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, e.into());
    let state: CaseState = serde_json::from_str(&state).map_err(bad)?;
    Ok(CaseRecord {
        id: r.get(0)?,
        code: r.get(1)?,
        case: NewCase {
            case_type: r.get(2)?,
            category: r.get(3)?,
            title: r.get(4)?,
            description: r.get(5)?,
            jurisdiction: r.get(6)?,
            address: r.get(7)?,
            lon: r.get(8)?,
            lat: r.get(9)?,
            origin: r.get(10)?,
            parties: Vec::new(),
            stock: r.get(14)?,
            risk_grade: r.get(12)?,
            risk: risk.map(|s| serde_json::from_str(&s)).transpose().map_err(bad)?,
            token_hash: r.get(15)?,
            in_person_visits: r.get(16)?,
            incident_id: r.get(17)?,
        },
        state,
    })
}

fn one(c: &Connection, clause: &str, value: &dyn rusqlite::ToSql) -> Result<Option<CaseRecord>> {
    let found = c
        .prepare_cached(&format!("{SELECT} WHERE {clause}"))
        .map_err(backend)?
        .query_row([value], record)
        .optional()
        .map_err(backend)?;
    match found {
        None => Ok(None),
        Some(mut case) => {
            case.case.parties = parties(c, case.id)?;
            Ok(Some(case))
        }
    }
}

pub(crate) fn by_id(c: &Connection, id: i64) -> Result<Option<CaseRecord>> {
    one(c, "c.id = ?1", &id)
}

pub(crate) fn by_code(c: &Connection, code: &str) -> Result<Option<CaseRecord>> {
    one(c, "c.code = ?1", &code)
}

pub(crate) fn by_token(c: &Connection, token_hash: &str) -> Result<Option<CaseRecord>> {
    one(c, "c.token_hash = ?1", &token_hash)
}

pub(crate) fn list(c: &Connection, f: &CaseFilter) -> Result<Vec<CaseRecord>> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut add = |clause: &'static str, v: &Option<String>| {
        if let Some(v) = v {
            clauses.push(clause);
            values.push(Value::Text(v.clone()));
        }
    };
    add("c.case_type = ?", &f.case_type);
    add("c.stage = ?", &f.stage);
    add("c.assignee = ?", &f.assignee);
    add(
        "c.jurisdiction_id IN (WITH RECURSIVE sub(id, code) AS (
             SELECT id, code FROM jurisdictions WHERE code = ?
             UNION ALL SELECT j.id, j.code FROM jurisdictions j JOIN sub ON j.parent_code = sub.code)
           SELECT id FROM sub)",
        &f.jurisdiction,
    );
    // A department's cases: those it leads and those it joins.
    if let Some(d) = &f.department {
        clauses.push(
            "(c.department = ? OR EXISTS (SELECT 1 FROM json_each(c.state, '$.co_departments') WHERE value = ?))",
        );
        values.extend([Value::Text(d.clone()), Value::Text(d.clone())]);
    }
    if f.open_only {
        clauses.push("c.closed_at IS NULL");
    }
    let mut sql = SELECT.to_string();
    if !clauses.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&clauses.join(" AND "));
    }
    sql.push_str(" ORDER BY c.closed_at IS NOT NULL, c.due_at, c.id");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {}", n.min(100_000)));
    }
    c.prepare(&sql)
        .map_err(backend)?
        .query_map(params_from_iter(values), record)
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}

/// A 民转刑 link with its ledger entry, unless the pair is linked already.
pub(crate) fn add_link(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    (case_id, incident_id): (i64, i64),
    reason: &str,
    at: chrono::DateTime<chrono::Utc>,
    actor: &str,
) -> Result<bool> {
    let tx = conn.transaction().map_err(backend)?;
    let added = tx
        .execute(
            "INSERT OR IGNORE INTO case_links (case_id, incident_id, reason, linked_at) VALUES (?1, ?2, ?3, ?4)",
            params![case_id, incident_id, reason, ts(at)],
        )
        .map_err(backend)?;
    if added == 1 {
        let id = tx.last_insert_rowid();
        crate::ledger::log_record(&tx, key, "link", id, 1, actor)?;
    }
    tx.commit().map_err(backend)?;
    Ok(added == 1)
}

pub(crate) fn escalated(c: &Connection) -> Result<Vec<i64>> {
    c.prepare_cached("SELECT DISTINCT case_id FROM case_links WHERE reason <> ?1 ORDER BY case_id")
        .map_err(backend)?
        .query_map([fengqiao_store::cases::FROM_INCIDENT], |r| r.get(0))
        .map_err(backend)?
        .collect::<rusqlite::Result<_>>()
        .map_err(backend)
}

pub(crate) fn attachment_values(c: &Connection, id: i64) -> Result<Option<Vec<Value>>> {
    crate::ledger::row(
        c,
        &format!("SELECT {ATTACHMENT_COLUMNS} FROM case_attachments WHERE id = ?1"),
        id,
    )
}

pub(crate) fn add_attachment(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    case_id: i64,
    a: &fengqiao_store::cases::Attachment,
) -> Result<i64> {
    a.check()?;
    let tx = conn.transaction().map_err(backend)?;
    let exists: Option<i64> = tx
        .query_row("SELECT id FROM cases WHERE id = ?1", [case_id], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    if exists.is_none() {
        return Err(StoreError::NotFound {
            what: format!("case {case_id}"),
        });
    }
    tx.execute(
        &format!("INSERT INTO case_attachments ({ATTACHMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            case_id,
            a.file_name,
            a.media_type,
            a.sha256,
            a.size as i64,
            a.added_by,
            ts(a.added_at)
        ],
    )
    .map_err(backend)?;
    let id = tx.last_insert_rowid();
    crate::ledger::log_record(&tx, key, "attachment", id, 1, &a.added_by)?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub(crate) fn attachments(c: &Connection, case_id: i64) -> Result<Vec<(i64, fengqiao_store::cases::Attachment)>> {
    c.prepare_cached(
        "SELECT id, file_name, media_type, sha256, size, added_by, added_at FROM case_attachments
         WHERE case_id = ?1 ORDER BY id",
    )
    .map_err(backend)?
    .query_map([case_id], |r| {
        Ok((
            r.get(0)?,
            fengqiao_store::cases::Attachment {
                file_name: r.get(1)?,
                media_type: r.get(2)?,
                sha256: r.get(3)?,
                size: r.get::<_, i64>(4)? as u64,
                added_by: r.get(5)?,
                added_at: from_ts(r.get(6)?),
            },
        ))
    })
    .map_err(backend)?
    .collect::<rusqlite::Result<_>>()
    .map_err(backend)
}

pub(crate) fn dispute_history(c: &Connection, address: Option<&str>, parties: &[Party]) -> Result<(u32, u32)> {
    let incidents: u32 = match address.map(str::trim).filter(|a| !a.is_empty()) {
        None => 0,
        Some(a) => c
            .query_row("SELECT COUNT(*) FROM incidents WHERE address = ?1", [a], |r| r.get(0))
            .map_err(backend)?,
    };
    let mut disputes = std::collections::BTreeSet::new();
    let mut stmt = c
        .prepare_cached(
            "SELECT DISTINCT p.case_id FROM case_parties p JOIN cases c ON c.id = p.case_id
             WHERE c.case_type = 'dispute' AND (p.phone = ?1 OR (?1 IS NULL AND p.phone IS NULL AND p.name = ?2))",
        )
        .map_err(backend)?;
    for p in parties {
        let ids = stmt
            .query_map(params![p.phone, p.name], |r| r.get::<_, i64>(0))
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        disputes.extend(ids);
    }
    Ok((incidents, disputes.len() as u32))
}
