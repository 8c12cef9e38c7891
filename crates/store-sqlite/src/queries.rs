//! The SQL behind the incident methods of the store. Every value reaches
//! SQLite as a bound parameter; only fixed fragments are concatenated.

use crate::{backend, from_ts, ts};
use fengqiao_domain::{Incident, NewIncident, Origin, TimePrecision};
use fengqiao_store::{Cursor, Dimension, ImportCounts, IncidentFilter, Page, PageRequest, Result, StoreError};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, Transaction, params, params_from_iter};

pub fn record_counts(tx: &Transaction<'_>, run: i64, c: ImportCounts) -> Result<()> {
    tx.execute(
        "UPDATE import_runs SET rows_read = ?2, imported = ?3, duplicates = ?4, rejected = ?5, last_line = ?6
         WHERE id = ?1",
        params![
            run,
            c.read as i64,
            c.imported as i64,
            c.duplicates as i64,
            c.rejected as i64,
            c.last_line as i64
        ],
    )
    .map_err(backend)?;
    Ok(())
}

pub fn insert_batch(
    conn: &mut Connection,
    key: &crate::ledger::Key,
    run: i64,
    rows: &[NewIncident],
    counts: ImportCounts,
) -> Result<ImportCounts> {
    let tx = conn.transaction().map_err(backend)?;
    let dataset: i64 = tx
        .query_row("SELECT dataset_id FROM import_runs WHERE id = ?1", [run], |r| r.get(0))
        .map_err(|_| StoreError::NotFound {
            what: format!("import run {run}"),
        })?;
    let mut inserted = 0u64;
    // The inserted rows' time span and extent, for the dataset's stats.
    let mut span: Option<(i64, i64, [f64; 4])> = None;
    // The inserted rows' counts by month, category, area and origin, for the rollup.
    let mut rollup: std::collections::HashMap<(i64, &str, i64, &str), i64> = std::collections::HashMap::new();
    {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO incidents (dataset_id, source_key, occurred_at, time_precision, hour_of_week,
                    received_at, dispatched_at, arrived_at, closed_at, unit, category, raw_category,
                    lon, lat, address, jurisdiction_id, origin, import_run, place_type)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
                 ON CONFLICT (dataset_id, source_key) DO NOTHING",
            )
            .map_err(backend)?;
        let mut entries = Vec::new();
        let actor = format!("import:{run}");
        for r in rows {
            use rusqlite::types::Value as V;
            let text = |t: &Option<String>| t.clone().map_or(V::Null, V::Text);
            let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or(V::Null, |t| V::Integer(ts(t)));
            // The values stored, in the column order the ledger commits to.
            let values = [
                V::Integer(dataset),
                V::Text(r.source_key.clone()),
                V::Integer(ts(r.occurred_at)),
                V::Text(r.time_precision.as_str().into()),
                r.hour_of_week.map_or(V::Null, |h| V::Integer(i64::from(h))),
                time(r.received_at),
                time(r.dispatched_at),
                time(r.arrived_at),
                time(r.closed_at),
                text(&r.unit),
                V::Text(r.category.clone()),
                text(&r.raw_category),
                V::Real(r.lon),
                V::Real(r.lat),
                text(&r.address),
                r.jurisdiction_id.map_or(V::Null, V::Integer),
                V::Text(r.origin.as_str().into()),
                text(&r.place_type),
            ];
            let added = stmt
                .execute(params![
                    values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8],
                    values[9], values[10], values[11], values[12], values[13], values[14], values[15], values[16], run,
                    values[17],
                ])
                .map_err(backend)? as u64;
            if added == 1 {
                let t = ts(r.occurred_at);
                let cell = (
                    fengqiao_store::month_start(r.occurred_at),
                    r.category.as_str(),
                    r.jurisdiction_id.unwrap_or(0),
                    r.origin.as_str(),
                );
                *rollup.entry(cell).or_default() += 1;
                span = Some(match span {
                    None => (t, t, [r.lon, r.lat, r.lon, r.lat]),
                    Some((a, b, e)) => (
                        a.min(t),
                        b.max(t),
                        [e[0].min(r.lon), e[1].min(r.lat), e[2].max(r.lon), e[3].max(r.lat)],
                    ),
                });
                entries.push(crate::ledger::NewEntry {
                    record_type: "incident",
                    record_id: tx.last_insert_rowid().to_string(),
                    version: 1,
                    actor: actor.clone(),
                    commitment: crate::ledger::commit(key, &values),
                });
            }
            inserted += added;
        }
        crate::ledger::append(&tx, &entries)?;
    }
    {
        let mut add = tx
            .prepare_cached(
                "INSERT INTO incident_rollup VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT DO UPDATE SET n = n + excluded.n",
            )
            .map_err(backend)?;
        for ((month, category, area, origin), n) in &rollup {
            add.execute(params![dataset, month, category, area, origin, n])
                .map_err(backend)?;
        }
    }
    if let Some((first, last, e)) = span {
        tx.execute(
            "INSERT INTO dataset_stats VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (dataset_id) DO UPDATE SET
               incidents = incidents + excluded.incidents,
               first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at),
               last_at = max(coalesce(last_at, excluded.last_at), excluded.last_at),
               min_lon = min(coalesce(min_lon, excluded.min_lon), excluded.min_lon),
               min_lat = min(coalesce(min_lat, excluded.min_lat), excluded.min_lat),
               max_lon = max(coalesce(max_lon, excluded.max_lon), excluded.max_lon),
               max_lat = max(coalesce(max_lat, excluded.max_lat), excluded.max_lat)",
            params![dataset, inserted as i64, first, last, e[0], e[1], e[2], e[3]],
        )
        .map_err(backend)?;
    }
    let counts = ImportCounts {
        imported: counts.imported + inserted,
        duplicates: counts.duplicates + (rows.len() as u64 - inserted),
        ..counts
    };
    record_counts(&tx, run, counts)?;
    tx.commit().map_err(backend)?;
    Ok(counts)
}

/// A WHERE clause over `incidents i` and its parameters.
fn where_clause(f: &IncidentFilter) -> (String, Vec<Value>) {
    let mut parts: Vec<&str> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Some(d) = &f.dataset {
        parts.push("i.dataset_id = (SELECT id FROM datasets WHERE name = ?)");
        args.push(Value::Text(d.clone()));
    }
    if let Some(t) = f.from {
        parts.push("i.occurred_at >= ?");
        args.push(Value::Integer(ts(t)));
    }
    if let Some(t) = f.to {
        parts.push("i.occurred_at < ?");
        args.push(Value::Integer(ts(t)));
    }
    if let Some(c) = &f.category {
        // The code itself or any code below it: 'c.' <= code < 'c/' ('/' follows '.').
        parts.push("(i.category = ? OR (i.category >= ? AND i.category < ?))");
        args.push(Value::Text(c.clone()));
        args.push(Value::Text(format!("{c}.")));
        args.push(Value::Text(format!("{c}/")));
    }
    if let Some(j) = &f.jurisdiction {
        parts.push(
            "i.jurisdiction_id IN (WITH RECURSIVE sub(id, code) AS (
                 SELECT id, code FROM jurisdictions WHERE code = ?
                 UNION ALL SELECT j.id, j.code FROM jurisdictions j JOIN sub ON j.parent_code = sub.code)
               SELECT id FROM sub)",
        );
        args.push(Value::Text(j.clone()));
    }
    if let Some([x0, y0, x1, y1]) = f.bbox {
        parts.push("i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?");
        args.extend([Value::Real(x0), Value::Real(x1), Value::Real(y0), Value::Real(y1)]);
    }
    if let Some(o) = f.origin {
        parts.push("i.origin = ?");
        args.push(Value::Text(o.as_str().into()));
    }
    let sql = if parts.is_empty() {
        "1 = 1".to_string()
    } else {
        parts.join(" AND ")
    };
    (sql, args)
}

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<Incident> {
    let precision: String = r.get(4)?;
    let origin: String = r.get(17)?;
    Ok(Incident {
        id: r.get(0)?,
        dataset: r.get(1)?,
        record: NewIncident {
            source_key: r.get(2)?,
            occurred_at: from_ts(r.get(3)?),
            time_precision: TimePrecision::parse(&precision).unwrap_or(TimePrecision::Day),
            hour_of_week: r.get(5)?,
            received_at: r.get::<_, Option<i64>>(6)?.map(from_ts),
            dispatched_at: r.get::<_, Option<i64>>(7)?.map(from_ts),
            arrived_at: r.get::<_, Option<i64>>(8)?.map(from_ts),
            closed_at: r.get::<_, Option<i64>>(9)?.map(from_ts),
            unit: r.get(10)?,
            category: r.get(11)?,
            raw_category: r.get(12)?,
            lon: r.get(13)?,
            lat: r.get(14)?,
            address: r.get(15)?,
            place_type: r.get(18)?,
            jurisdiction_id: r.get(16)?,
            origin: Origin::parse(&origin).unwrap_or(Origin::Unknown),
        },
    })
}

const INCIDENT_COLUMNS: &str = "i.id, d.name, i.source_key, i.occurred_at, i.time_precision, i.hour_of_week,
                i.received_at, i.dispatched_at, i.arrived_at, i.closed_at, i.unit, i.category, i.raw_category,
                i.lon, i.lat, i.address, i.jurisdiction_id, i.origin, i.place_type";

pub fn incident(c: &Connection, id: i64) -> Result<Option<Incident>> {
    use rusqlite::OptionalExtension;
    c.query_row(
        &format!("SELECT {INCIDENT_COLUMNS} FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?1"),
        [id],
        incident_from_row,
    )
    .optional()
    .map_err(backend)
}

pub fn case_incidents(c: &Connection, case_id: i64) -> Result<Vec<fengqiao_store::CaseIncidentLink>> {
    let mut stmt = c
        .prepare(
            "SELECT i.id, i.occurred_at, i.category, l.reason, l.linked_at
             FROM case_links l JOIN incidents i ON i.id = l.incident_id
             WHERE l.case_id = ?1 ORDER BY i.occurred_at, i.id",
        )
        .map_err(backend)?;
    stmt.query_map([case_id], |r| {
        Ok(fengqiao_store::CaseIncidentLink {
            incident_id: r.get(0)?,
            occurred_at: from_ts(r.get(1)?),
            category: r.get(2)?,
            reason: r.get(3)?,
            linked_at: from_ts(r.get(4)?),
        })
    })
    .map_err(backend)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(backend)
}

pub fn incident_cases(c: &Connection, incident_id: i64) -> Result<Vec<fengqiao_store::IncidentCaseLink>> {
    let mut stmt = c
        .prepare(
            "SELECT k.id, k.code, k.case_type, k.title, k.stage, l.reason, l.linked_at
             FROM case_links l JOIN cases k ON k.id = l.case_id
             WHERE l.incident_id = ?1 ORDER BY l.linked_at, k.id",
        )
        .map_err(backend)?;
    stmt.query_map([incident_id], |r| {
        Ok(fengqiao_store::IncidentCaseLink {
            case_id: r.get(0)?,
            code: r.get(1)?,
            case_type: r.get(2)?,
            title: r.get(3)?,
            stage: r.get(4)?,
            reason: r.get(5)?,
            linked_at: from_ts(r.get(6)?),
        })
    })
    .map_err(backend)?
    .collect::<rusqlite::Result<Vec<_>>>()
    .map_err(backend)
}

pub fn incidents(c: &Connection, f: &IncidentFilter, page: &PageRequest) -> Result<Page<Incident>> {
    let total = count(c, f)?;
    let (mut cond, mut args) = where_clause(f);
    if let Some(Cursor { occurred_at, id }) = page.after {
        cond.push_str(" AND (i.occurred_at < ? OR (i.occurred_at = ? AND i.id < ?))");
        args.extend([
            Value::Integer(occurred_at),
            Value::Integer(occurred_at),
            Value::Integer(id),
        ]);
    }
    let limit = page.limit.clamp(1, 10_000);
    args.push(Value::Integer(i64::from(limit)));
    let sql = format!(
        "SELECT {INCIDENT_COLUMNS}
         FROM incidents i JOIN datasets d ON d.id = i.dataset_id
         WHERE {cond} ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?"
    );
    let mut stmt = c.prepare(&sql).map_err(backend)?;
    let items = stmt
        .query_map(params_from_iter(args), incident_from_row)
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    let next = (items.len() == limit as usize)
        .then(|| {
            items.last().map(|i| Cursor {
                occurred_at: ts(i.record.occurred_at),
                id: i.id,
            })
        })
        .flatten();
    Ok(Page { items, total, next })
}

pub fn count(c: &Connection, f: &IncidentFilter) -> Result<u64> {
    let (cond, args) = where_clause(f);
    let sql = format!("SELECT count(*) FROM incidents i WHERE {cond}");
    c.query_row(&sql, params_from_iter(args), |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(backend)
}

/// Counts by a dimension, keys in byte order. Read from the monthly rollup
/// when it holds the answer exactly (whole UTC months or no time bounds, no
/// box, a dimension it keeps), else from the incidents.
pub fn aggregate(c: &Connection, f: &IncidentFilter, by: Dimension) -> Result<Vec<(String, u64)>> {
    let (cond, args) = where_clause(f);
    let (table, count) = if f.answered_by_monthly_rollup(by) {
        ("incident_rollup", "sum(i.n)")
    } else {
        ("incidents", "count(*)")
    };
    let (key, join, extra) = match by {
        Dimension::CategoryTop => (
            "CASE WHEN instr(i.category, '.') > 0 THEN substr(i.category, 1, instr(i.category, '.') - 1) ELSE i.category END",
            "",
            "",
        ),
        Dimension::Category => ("i.category", "", ""),
        Dimension::HourOfWeek => ("CAST(i.hour_of_week AS TEXT)", "", " AND i.hour_of_week IS NOT NULL"),
        Dimension::Jurisdiction => ("j.code", " JOIN jurisdictions j ON j.id = i.jurisdiction_id", ""),
        Dimension::Origin => ("i.origin", "", ""),
        Dimension::Day => ("date(i.occurred_at, 'unixepoch')", "", ""),
    };
    let sql = format!("SELECT {key} AS k, {count} FROM {table} i{join} WHERE {cond}{extra} GROUP BY k ORDER BY k");
    let mut stmt = c.prepare(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
}

pub fn positions(c: &Connection, f: &IncidentFilter) -> Result<Vec<[f64; 2]>> {
    let (cond, args) = where_clause(f);
    let sql = format!("SELECT i.lon, i.lat FROM incidents i WHERE {cond}");
    let mut stmt = c.prepare(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| Ok([r.get(0)?, r.get(1)?]))
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
}

pub fn incident_points(c: &Connection, f: &IncidentFilter) -> Result<Vec<fengqiao_store::IncidentPoint>> {
    let (cond, args) = where_clause(f);
    let sql = format!(
        "SELECT i.occurred_at, i.lon, i.lat, i.origin, i.time_precision, i.place_type FROM incidents i
         WHERE {cond} ORDER BY i.occurred_at, i.id"
    );
    let mut stmt = c.prepare(&sql).map_err(backend)?;
    let rows = stmt
        .query_map(params_from_iter(args), |r| {
            let origin: String = r.get(3)?;
            let precision: String = r.get(4)?;
            Ok(fengqiao_store::IncidentPoint {
                occurred_at: from_ts(r.get(0)?),
                lon: r.get(1)?,
                lat: r.get(2)?,
                origin: Origin::parse(&origin).unwrap_or(Origin::Unknown),
                time_precision: TimePrecision::parse(&precision).unwrap_or(TimePrecision::Day),
                place_type: r.get(5)?,
            })
        })
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)
}

pub fn save_forecast(conn: &mut Connection, key: &crate::ledger::Key, f: &fengqiao_store::NewForecast) -> Result<i64> {
    let tx = conn.transaction().map_err(backend)?;
    let r = &f.run;
    let dataset: i64 = tx
        .query_row("SELECT id FROM datasets WHERE name = ?1", [&r.dataset], |row| {
            row.get(0)
        })
        .map_err(|_| StoreError::NotFound {
            what: format!("dataset {}", r.dataset),
        })?;
    tx.execute(
        "INSERT INTO forecast_runs (dataset_id, model, window_kind, window_start, window_end, shift, cell_m,
            centre_lon, centre_lat, origin_x, origin_y, cols, rows, data_cutoff, params, version, created_at, category)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        params![
            dataset,
            r.model,
            r.window_kind,
            ts(r.window_start),
            ts(r.window_end),
            r.shift,
            r.cell_m,
            r.centre[0],
            r.centre[1],
            r.origin[0],
            r.origin[1],
            r.cols,
            r.rows,
            ts(r.data_cutoff),
            r.params.to_string(),
            r.version,
            ts(r.created_at),
            r.category,
        ],
    )
    .map_err(|e| StoreError::InvalidQuery(format!("forecast run: {e}")))?;
    let id = tx.last_insert_rowid();
    {
        let mut stmt = tx
            .prepare("INSERT INTO forecast_cells (run_id, cell, expected) VALUES (?1, ?2, ?3)")
            .map_err(backend)?;
        for (cell, expected) in &f.cells {
            stmt.execute(params![id, cell, expected]).map_err(backend)?;
        }
    }
    crate::ledger::log_record(&tx, key, "forecast", id, 1, "forecast")?;
    tx.commit().map_err(backend)?;
    Ok(id)
}

pub fn latest_forecast(
    c: &Connection,
    dataset: &str,
    kind: &str,
    category: Option<&str>,
) -> Result<Option<(fengqiao_store::ForecastRun, fengqiao_store::ForecastCells)>> {
    forecast_where(
        c,
        "d.name = ?1 AND r.window_kind = ?2 AND r.category IS ?3 ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
        params![dataset, kind, category],
    )
}

pub fn forecast_by_id(
    c: &Connection,
    id: i64,
) -> Result<Option<(fengqiao_store::ForecastRun, fengqiao_store::ForecastCells)>> {
    forecast_where(c, "r.id = ?1", params![id])
}

fn forecast_where(
    c: &Connection,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<(fengqiao_store::ForecastRun, fengqiao_store::ForecastCells)>> {
    use rusqlite::OptionalExtension;
    let run = c
        .query_row(
            &format!(
                "SELECT r.id, d.name, r.model, r.window_kind, r.window_start, r.window_end, r.shift, r.cell_m,
                    r.centre_lon, r.centre_lat, r.origin_x, r.origin_y, r.cols, r.rows, r.data_cutoff,
                    r.params, r.version, r.created_at, r.category
             FROM forecast_runs r JOIN datasets d ON d.id = r.dataset_id
             WHERE {condition}"
            ),
            args,
            |r| {
                let params: String = r.get(15)?;
                Ok(fengqiao_store::ForecastRun {
                    id: r.get(0)?,
                    dataset: r.get(1)?,
                    model: r.get(2)?,
                    window_kind: r.get(3)?,
                    window_start: from_ts(r.get(4)?),
                    window_end: from_ts(r.get(5)?),
                    shift: r.get(6)?,
                    category: r.get(18)?,
                    cell_m: r.get(7)?,
                    centre: [r.get(8)?, r.get(9)?],
                    origin: [r.get(10)?, r.get(11)?],
                    cols: r.get(12)?,
                    rows: r.get(13)?,
                    data_cutoff: from_ts(r.get(14)?),
                    params: serde_json::from_str(&params).unwrap_or(serde_json::Value::Null),
                    version: r.get(16)?,
                    created_at: from_ts(r.get(17)?),
                })
            },
        )
        .optional()
        .map_err(backend)?;
    let Some(run) = run else { return Ok(None) };
    let mut stmt = c
        .prepare("SELECT cell, expected FROM forecast_cells WHERE run_id = ?1 ORDER BY cell")
        .map_err(backend)?;
    let cells = stmt
        .query_map([run.id], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, f64>(1)?)))
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    Ok(Some((run, cells)))
}

pub fn save_plan(conn: &mut Connection, key: &crate::ledger::Key, p: &fengqiao_store::NewPlan) -> Result<i64> {
    let c = conn.transaction().map_err(backend)?;
    let dataset: i64 = c
        .query_row("SELECT id FROM datasets WHERE name = ?1", [&p.dataset], |row| {
            row.get(0)
        })
        .map_err(|_| StoreError::NotFound {
            what: format!("dataset {}", p.dataset),
        })?;
    c.execute(
        "INSERT INTO plans (dataset_id, forecast_id, window_start, window_end, params, summary, body, geojson,
            version, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            dataset,
            p.forecast_id,
            ts(p.window_start),
            ts(p.window_end),
            p.params.to_string(),
            p.summary.to_string(),
            p.body.to_string(),
            p.geojson,
            p.version,
            ts(p.created_at),
        ],
    )
    .map_err(|e| StoreError::InvalidQuery(format!("plan: {e}")))?;
    let id = c.last_insert_rowid();
    crate::ledger::log_record(&c, key, "plan", id, 1, "plan")?;
    c.commit().map_err(backend)?;
    Ok(id)
}

pub fn plan_where(
    c: &Connection,
    condition: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<fengqiao_store::PlanRecord>> {
    use rusqlite::OptionalExtension;
    let json = |s: String| serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
    c.query_row(
        &format!(
            "SELECT p.id, d.name, p.forecast_id, p.window_start, p.window_end, p.params, p.summary, p.body,
                p.geojson, p.version, p.created_at
             FROM plans p JOIN datasets d ON d.id = p.dataset_id WHERE {condition}"
        ),
        args,
        |r| {
            Ok(fengqiao_store::PlanRecord {
                id: r.get(0)?,
                plan: fengqiao_store::NewPlan {
                    dataset: r.get(1)?,
                    forecast_id: r.get(2)?,
                    window_start: from_ts(r.get(3)?),
                    window_end: from_ts(r.get(4)?),
                    params: json(r.get(5)?),
                    summary: json(r.get(6)?),
                    body: json(r.get(7)?),
                    geojson: r.get(8)?,
                    version: r.get(9)?,
                    created_at: from_ts(r.get(10)?),
                },
            })
        },
    )
    .optional()
    .map_err(backend)
}
