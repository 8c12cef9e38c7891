//! Importing incidents into PostgreSQL: a run per file, batches committed
//! with their ledger entries, the run's progress and the dataset's stats in
//! one transaction each — the SQLite backend's semantics, row for row, so
//! that the same file gives the same rows and the same commitments.

use crate::ledger::{NewEntry, append};
use crate::{PgStore, backend};
use fengqiao_domain::NewIncident;
use fengqiao_store::canonical::Value as C;
use fengqiao_store::{Dataset, ImportCounts, ImportStart, Result, StoreError, UnfinishedRun};

impl PgStore {
    /// Opens an import run for a file; returns it with an earlier unfinished
    /// run over the same content, if any.
    pub fn begin_import(&self, start: &ImportStart) -> Result<(i64, Option<UnfinishedRun>)> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        tx.execute(
            "INSERT INTO datasets (name, profile, timezone) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            &[&start.dataset, &start.profile, &start.timezone],
        )
        .map_err(backend)?;
        let id: i64 = tx
            .query_one("SELECT id FROM datasets WHERE name = $1", &[&start.dataset])
            .map_err(backend)?
            .get(0);
        let unfinished = tx
            .query_opt(
                "SELECT id, last_line FROM import_runs
                 WHERE dataset_id = $1 AND file_sha256 = $2 AND status = 'running'
                 ORDER BY last_line DESC LIMIT 1",
                &[&id, &start.file_sha256],
            )
            .map_err(backend)?
            .map(|r| UnfinishedRun {
                id: r.get(0),
                lines_committed: r.get::<_, i64>(1) as u64,
            });
        let now = chrono::Utc::now().timestamp();
        let run: i64 = tx
            .query_one(
                "INSERT INTO import_runs (dataset_id, file_name, file_sha256, started_at, status)
                 VALUES ($1, $2, $3, $4, 'running') RETURNING id",
                &[&id, &start.file_name, &start.file_sha256, &now],
            )
            .map_err(backend)?
            .get(0);
        tx.commit().map_err(backend)?;
        Ok((run, unfinished))
    }

    /// Stores a batch (duplicates of `(dataset, source_key)` are counted, not
    /// stored) with its ledger entries, the run's counts and the dataset's
    /// stats, in one transaction.
    pub fn import_batch(&self, run: i64, rows: &[NewIncident], counts: ImportCounts) -> Result<ImportCounts> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let dataset: i64 = tx
            .query_opt("SELECT dataset_id FROM import_runs WHERE id = $1", &[&run])
            .map_err(backend)?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("import run {run}"),
            })?
            .get(0);
        // A key repeated within the batch: its first row is the one stored.
        let mut first_row = std::collections::HashMap::with_capacity(rows.len());
        let mut unique: Vec<&NewIncident> = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(v) = first_row.entry(r.source_key.as_str()) {
                v.insert(i);
                unique.push(r);
            }
        }
        // Keys first, in file order (so ids follow the file as on SQLite): a
        // known key takes no id; a key another import stores meanwhile is
        // still caught by the conflict.
        let keys: Vec<&str> = unique.iter().map(|r| r.source_key.as_str()).collect();
        let taken = tx
            .query(
                "INSERT INTO incident_keys (dataset_id, source_key, incident_id)
                 SELECT $1, u.k, nextval('incidents_id_seq')
                 FROM unnest($2::text[]) WITH ORDINALITY AS u(k, n)
                 WHERE NOT EXISTS (SELECT 1 FROM incident_keys x WHERE x.dataset_id = $1 AND x.source_key = u.k)
                 ORDER BY u.n
                 ON CONFLICT DO NOTHING RETURNING incident_id, source_key",
                &[&dataset, &keys],
            )
            .map_err(backend)?;
        let mut inserted: Vec<(i64, &NewIncident)> = taken
            .iter()
            .map(|r| (r.get(0), &rows[first_row[r.get::<_, &str>(1)]]))
            .collect();
        inserted.sort_unstable_by_key(|(id, _)| *id);
        let new: Vec<&NewIncident> = inserted.iter().map(|(_, r)| *r).collect();
        let t = |f: fn(&NewIncident) -> Option<chrono::DateTime<chrono::Utc>>| -> Vec<Option<i64>> {
            new.iter().map(|r| f(r).map(|x| x.timestamp())).collect()
        };
        let ids: Vec<i64> = inserted.iter().map(|(id, _)| *id).collect();
        let keys: Vec<&str> = new.iter().map(|r| r.source_key.as_str()).collect();
        let occurred: Vec<i64> = new.iter().map(|r| r.occurred_at.timestamp()).collect();
        let precision: Vec<&str> = new.iter().map(|r| r.time_precision.as_str()).collect();
        let hour: Vec<Option<i64>> = new.iter().map(|r| r.hour_of_week.map(i64::from)).collect();
        let (received, dispatched) = (t(|r| r.received_at), t(|r| r.dispatched_at));
        let (arrived, closed) = (t(|r| r.arrived_at), t(|r| r.closed_at));
        let unit: Vec<Option<&str>> = new.iter().map(|r| r.unit.as_deref()).collect();
        let category: Vec<&str> = new.iter().map(|r| r.category.as_str()).collect();
        let raw: Vec<Option<&str>> = new.iter().map(|r| r.raw_category.as_deref()).collect();
        let lon: Vec<f64> = new.iter().map(|r| r.lon).collect();
        let lat: Vec<f64> = new.iter().map(|r| r.lat).collect();
        let address: Vec<Option<&str>> = new.iter().map(|r| r.address.as_deref()).collect();
        let area: Vec<Option<i64>> = new.iter().map(|r| r.jurisdiction_id).collect();
        let origin: Vec<&str> = new.iter().map(|r| r.origin.as_str()).collect();
        let place: Vec<Option<&str>> = new.iter().map(|r| r.place_type.as_deref()).collect();
        // The months' partitions, then the rows and the monthly rollup.
        tx.execute(
            "SELECT fengqiao_incident_month(m) FROM (SELECT DISTINCT fengqiao_month_start(o) AS m FROM unnest($1::bigint[]) AS o) months",
            &[&occurred],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO incidents (id, dataset_id, source_key, occurred_at, time_precision, hour_of_week,
                received_at, dispatched_at, arrived_at, closed_at, unit, category, raw_category,
                lon, lat, address, jurisdiction_id, origin, import_run, place_type)
             SELECT u.id, $1, u.k, u.o, u.p, u.h, u.rc, u.di, u.ar, u.cl, u.un, u.ca, u.ra, u.lo, u.la, u.ad, u.j, u.og, $2, u.pt
             FROM unnest($3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[],
                         $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::float8[],
                         $16::float8[], $17::text[], $18::bigint[], $19::text[], $20::text[])
                  AS u(id, k, o, p, h, rc, di, ar, cl, un, ca, ra, lo, la, ad, j, og, pt)",
            &[
                &dataset,
                &run,
                &ids,
                &keys,
                &occurred,
                &precision,
                &hour,
                &received,
                &dispatched,
                &arrived,
                &closed,
                &unit,
                &category,
                &raw,
                &lon,
                &lat,
                &address,
                &area,
                &origin,
                &place,
            ],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO incident_rollup (dataset_id, occurred_at, category, jurisdiction_id, origin, n)
             SELECT $1, fengqiao_month_start(u.o), u.ca, u.j, u.og, count(*)
             FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS u(o, ca, j, og)
             GROUP BY 2, 3, 4, 5
             ON CONFLICT (dataset_id, occurred_at, category, (coalesce(jurisdiction_id, 0)), origin)
             DO UPDATE SET n = incident_rollup.n + excluded.n",
            &[&dataset, &occurred, &category, &area, &origin],
        )
        .map_err(backend)?;
        let actor = format!("import:{run}");
        let mut entries = Vec::with_capacity(inserted.len());
        let mut span: Option<(i64, i64, [f64; 4])> = None;
        for (id, r) in inserted {
            let occurred = r.occurred_at.timestamp();
            let opt = |x: Option<i64>| x.map_or(C::Null, C::Integer);
            let time = |x: Option<chrono::DateTime<chrono::Utc>>| opt(x.map(|x| x.timestamp()));
            fn text(x: &Option<String>) -> C<'_> {
                x.as_deref().map_or(C::Null, C::Text)
            }
            // The values stored, in the column order the ledger commits to.
            let values = [
                C::Integer(dataset),
                C::Text(&r.source_key),
                C::Integer(occurred),
                C::Text(r.time_precision.as_str()),
                opt(r.hour_of_week.map(i64::from)),
                time(r.received_at),
                time(r.dispatched_at),
                time(r.arrived_at),
                time(r.closed_at),
                text(&r.unit),
                C::Text(&r.category),
                text(&r.raw_category),
                C::Real(r.lon),
                C::Real(r.lat),
                text(&r.address),
                opt(r.jurisdiction_id),
                C::Text(r.origin.as_str()),
                text(&r.place_type),
            ];
            entries.push(NewEntry {
                record_type: "incident",
                record_id: id.to_string(),
                version: 1,
                actor: actor.clone(),
                commitment: fengqiao_store::canonical::commit(&self.ledger_key, &values),
            });
            span = Some(match span {
                None => (occurred, occurred, [r.lon, r.lat, r.lon, r.lat]),
                Some((a, b, e)) => (
                    a.min(occurred),
                    b.max(occurred),
                    [e[0].min(r.lon), e[1].min(r.lat), e[2].max(r.lon), e[3].max(r.lat)],
                ),
            });
        }
        let inserted = entries.len() as u64;
        append(&mut tx, &entries)?;
        if let Some((first, last, e)) = span {
            let n = inserted as i64;
            tx.execute(
                "INSERT INTO dataset_stats VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (dataset_id) DO UPDATE SET
                   incidents = dataset_stats.incidents + excluded.incidents,
                   first_at = LEAST(dataset_stats.first_at, excluded.first_at),
                   last_at = GREATEST(dataset_stats.last_at, excluded.last_at),
                   min_lon = LEAST(dataset_stats.min_lon, excluded.min_lon),
                   min_lat = LEAST(dataset_stats.min_lat, excluded.min_lat),
                   max_lon = GREATEST(dataset_stats.max_lon, excluded.max_lon),
                   max_lat = GREATEST(dataset_stats.max_lat, excluded.max_lat)",
                &[&dataset, &n, &first, &last, &e[0], &e[1], &e[2], &e[3]],
            )
            .map_err(backend)?;
        }
        let counts = ImportCounts {
            imported: counts.imported + inserted,
            duplicates: counts.duplicates + (rows.len() as u64 - inserted),
            ..counts
        };
        let n = |x: u64| x as i64;
        tx.execute(
            "UPDATE import_runs SET rows_read = $2, imported = $3, duplicates = $4, rejected = $5, last_line = $6
             WHERE id = $1",
            &[
                &run,
                &n(counts.read),
                &n(counts.imported),
                &n(counts.duplicates),
                &n(counts.rejected),
                &n(counts.last_line),
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(counts)
    }

    /// The datasets with their counts, span and extent (from their stats).
    pub fn datasets(&self) -> Result<Vec<Dataset>> {
        let mut c = self.client()?;
        let rows = c
            .query(
                "SELECT d.name, d.profile, d.timezone, coalesce(s.incidents, 0), s.first_at, s.last_at,
                        s.min_lon, s.min_lat, s.max_lon, s.max_lat
                 FROM datasets d LEFT JOIN dataset_stats s ON s.dataset_id = d.id ORDER BY d.name",
                &[],
            )
            .map_err(backend)?;
        let at = |s: Option<i64>| s.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
        Ok(rows
            .iter()
            .map(|r| Dataset {
                name: r.get(0),
                profile: r.get(1),
                timezone: r.get(2),
                incidents: r.get::<_, i64>(3) as u64,
                first_at: at(r.get(4)),
                last_at: at(r.get(5)),
                bbox: match (r.get(6), r.get(7), r.get(8), r.get(9)) {
                    (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
                    _ => None,
                },
            })
            .collect())
    }
}
