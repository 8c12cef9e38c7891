//! Reading incidents on PostgreSQL: one incident, pages, counts, aggregates,
//! positions and the points forecasting reads, with the SQLite backend's
//! filters and orders. Text keys are compared and sorted byte-wise
//! (`COLLATE "C"`), as SQLite does, whatever the database's collation.

use crate::{PgStore, backend};
use chrono::DateTime;
use fengqiao_domain::{Incident, NewIncident, Origin, TimePrecision};
use fengqiao_store::{Cursor, Dimension, IncidentFilter, IncidentPoint, Page, PageRequest, Result};
use postgres::types::ToSql;

type Args = Vec<Box<dyn ToSql + Sync>>;

/// A WHERE clause over `incidents i` with `$n` placeholders from `first`, and its arguments.
fn where_clause(f: &IncidentFilter, first: usize) -> (String, Args) {
    let mut parts: Vec<String> = Vec::new();
    let mut args: Args = Vec::new();
    let mut next = |sql: &str, values: Vec<Box<dyn ToSql + Sync>>, args: &mut Args| {
        let mut out = String::new();
        for (i, piece) in sql.split('?').enumerate() {
            if i > 0 {
                out.push_str(&format!("${}", first + args.len() + i - 1));
            }
            out.push_str(piece);
        }
        args.extend(values);
        parts.push(out);
    };
    if let Some(d) = &f.dataset {
        next(
            "i.dataset_id = (SELECT id FROM datasets WHERE name = ?)",
            vec![Box::new(d.clone())],
            &mut args,
        );
    }
    if let Some(t) = f.from {
        next("i.occurred_at >= ?", vec![Box::new(t.timestamp())], &mut args);
    }
    if let Some(t) = f.to {
        next("i.occurred_at < ?", vec![Box::new(t.timestamp())], &mut args);
    }
    if let Some(c) = &f.category {
        next(
            "(i.category = ? OR starts_with(i.category, ?))",
            vec![Box::new(c.clone()), Box::new(format!("{c}."))],
            &mut args,
        );
    }
    if let Some(j) = &f.jurisdiction {
        next(
            "i.jurisdiction_id IN (WITH RECURSIVE sub(id, code) AS (
                 SELECT id, code FROM jurisdictions WHERE code = ?
                 UNION ALL SELECT j.id, j.code FROM jurisdictions j JOIN sub ON j.parent_code = sub.code)
               SELECT id FROM sub)",
            vec![Box::new(j.clone())],
            &mut args,
        );
    }
    if let Some([x0, y0, x1, y1]) = f.bbox {
        next(
            "i.lon BETWEEN ? AND ? AND i.lat BETWEEN ? AND ?",
            vec![Box::new(x0), Box::new(x1), Box::new(y0), Box::new(y1)],
            &mut args,
        );
    }
    if let Some(o) = f.origin {
        next("i.origin = ?", vec![Box::new(o.as_str().to_string())], &mut args);
    }
    let sql = if parts.is_empty() {
        "TRUE".to_string()
    } else {
        parts.join(" AND ")
    };
    (sql, args)
}

fn refs(args: &Args) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a.as_ref()).collect()
}

const COLUMNS: &str = "i.id, d.name, i.source_key, i.occurred_at, i.time_precision, i.hour_of_week,
    i.received_at, i.dispatched_at, i.arrived_at, i.closed_at, i.unit, i.category, i.raw_category,
    i.lon, i.lat, i.address, i.jurisdiction_id, i.origin, i.place_type";

fn at(s: i64) -> DateTime<chrono::Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn incident(r: &postgres::Row) -> Incident {
    Incident {
        id: r.get(0),
        dataset: r.get(1),
        record: NewIncident {
            source_key: r.get(2),
            occurred_at: at(r.get(3)),
            time_precision: TimePrecision::parse(r.get(4)).unwrap_or(TimePrecision::Day),
            hour_of_week: r.get::<_, Option<i64>>(5).map(|h| h as u8),
            received_at: r.get::<_, Option<i64>>(6).map(at),
            dispatched_at: r.get::<_, Option<i64>>(7).map(at),
            arrived_at: r.get::<_, Option<i64>>(8).map(at),
            closed_at: r.get::<_, Option<i64>>(9).map(at),
            unit: r.get(10),
            category: r.get(11),
            raw_category: r.get(12),
            lon: r.get(13),
            lat: r.get(14),
            address: r.get(15),
            jurisdiction_id: r.get(16),
            origin: Origin::parse(r.get(17)).unwrap_or(Origin::Unknown),
            place_type: r.get(18),
        },
    }
}

impl PgStore {
    pub fn incident(&self, id: i64) -> Result<Option<Incident>> {
        Ok(self
            .client()?
            .query_opt(
                &format!("SELECT {COLUMNS} FROM incidents i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = $1"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| incident(&r)))
    }

    /// Newest first, `limit` at a time from the cursor.
    pub fn incidents(&self, f: &IncidentFilter, page: &PageRequest) -> Result<Page<Incident>> {
        let total = self.count_incidents(f)?;
        let (mut cond, mut args) = where_clause(f, 1);
        if let Some(Cursor { occurred_at, id }) = page.after {
            let n = args.len();
            cond.push_str(&format!(
                " AND (i.occurred_at < ${} OR (i.occurred_at = ${} AND i.id < ${}))",
                n + 1,
                n + 1,
                n + 2
            ));
            args.push(Box::new(occurred_at));
            args.push(Box::new(id));
        }
        let limit = i64::from(page.limit.clamp(1, 10_000));
        args.push(Box::new(limit));
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents i JOIN datasets d ON d.id = i.dataset_id
             WHERE {cond} ORDER BY i.occurred_at DESC, i.id DESC LIMIT ${}",
            args.len()
        );
        let rows = self.client()?.query(&sql, &refs(&args)).map_err(backend)?;
        let items: Vec<Incident> = rows.iter().map(incident).collect();
        let next = (items.len() as i64 == limit)
            .then(|| {
                items.last().map(|i| Cursor {
                    occurred_at: i.record.occurred_at.timestamp(),
                    id: i.id,
                })
            })
            .flatten();
        Ok(Page { items, total, next })
    }

    pub fn count_incidents(&self, f: &IncidentFilter) -> Result<u64> {
        let (cond, args) = where_clause(f, 1);
        let n: i64 = self
            .client()?
            .query_one(&format!("SELECT count(*) FROM incidents i WHERE {cond}"), &refs(&args))
            .map_err(backend)?
            .get(0);
        Ok(n as u64)
    }

    /// Counts by a dimension, keys in byte order. Read from the monthly
    /// rollup when it holds the answer exactly (whole UTC months or no time
    /// bounds, no box, a dimension it keeps), else from the incidents.
    pub fn aggregate(&self, f: &IncidentFilter, by: Dimension) -> Result<Vec<(String, u64)>> {
        let (cond, args) = where_clause(f, 1);
        let (table, count) = if f.answered_by_monthly_rollup(by) {
            ("incident_rollup", "sum(i.n)::BIGINT")
        } else {
            ("incidents", "count(*)")
        };
        let (key, join, extra) = match by {
            Dimension::CategoryTop => ("split_part(i.category, '.', 1)", "", ""),
            Dimension::Category => ("i.category", "", ""),
            Dimension::HourOfWeek => ("i.hour_of_week::text", "", " AND i.hour_of_week IS NOT NULL"),
            Dimension::Jurisdiction => ("j.code", " JOIN jurisdictions j ON j.id = i.jurisdiction_id", ""),
            Dimension::Origin => ("i.origin", "", ""),
            Dimension::Day => (
                "to_char(to_timestamp(i.occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
                "",
                "",
            ),
        };
        let sql = format!(
            "SELECT {key} AS k, {count} FROM {table} i{join} WHERE {cond}{extra} GROUP BY k ORDER BY ({key}) COLLATE \"C\""
        );
        let rows = self.client()?.query(&sql, &refs(&args)).map_err(backend)?;
        Ok(rows.iter().map(|r| (r.get(0), r.get::<_, i64>(1) as u64)).collect())
    }

    pub fn positions(&self, f: &IncidentFilter) -> Result<Vec<[f64; 2]>> {
        let (cond, args) = where_clause(f, 1);
        let rows = self
            .client()?
            .query(
                &format!("SELECT i.lon, i.lat FROM incidents i WHERE {cond}"),
                &refs(&args),
            )
            .map_err(backend)?;
        Ok(rows.iter().map(|r| [r.get(0), r.get(1)]).collect())
    }

    /// The matching incidents in time order, as forecasting reads them.
    pub fn incident_points(&self, f: &IncidentFilter) -> Result<Vec<IncidentPoint>> {
        let (cond, args) = where_clause(f, 1);
        let rows = self
            .client()?
            .query(
                &format!(
                    "SELECT i.occurred_at, i.lon, i.lat, i.origin, i.time_precision, i.place_type FROM incidents i
                     WHERE {cond} ORDER BY i.occurred_at, i.id"
                ),
                &refs(&args),
            )
            .map_err(backend)?;
        Ok(rows
            .iter()
            .map(|r| IncidentPoint {
                occurred_at: at(r.get(0)),
                lon: r.get(1),
                lat: r.get(2),
                origin: Origin::parse(r.get(3)).unwrap_or(Origin::Unknown),
                time_precision: TimePrecision::parse(r.get(4)).unwrap_or(TimePrecision::Day),
                place_type: r.get(5),
            })
            .collect())
    }
}
