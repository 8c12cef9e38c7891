//! Settings, the import runs' ends, jurisdictions and facilities on
//! PostgreSQL, with the SQLite backend's semantics.

use crate::{PgStore, backend};
use fengqiao_domain::{Facility, FacilityKind, Jurisdiction, Level};
use fengqiao_store::{ImportCounts, JurisdictionRecord, NewJurisdiction, Result, StoreError};

impl PgStore {
    pub fn get_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .map_err(backend)?
            .map(|r| r.get(0)))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.client()?
            .execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&key, &value],
            )
            .map(drop)
            .map_err(backend)
    }

    pub fn dataset_timezone(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .client()?
            .query_opt("SELECT timezone FROM datasets WHERE name = $1", &[&name])
            .map_err(backend)?
            .map(|r| r.get(0)))
    }

    /// Ends a run with its counts; earlier unfinished runs over the same content are covered by it.
    pub fn finish_import(&self, run: i64, c: ImportCounts) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        let n = |x: u64| x as i64;
        let now = chrono::Utc::now().timestamp();
        tx.execute(
            "UPDATE import_runs SET rows_read = $2, imported = $3, duplicates = $4, rejected = $5, last_line = $6,
                    status = 'done', finished_at = $7
             WHERE id = $1",
            &[
                &run,
                &n(c.read),
                &n(c.imported),
                &n(c.duplicates),
                &n(c.rejected),
                &n(c.last_line),
                &now,
            ],
        )
        .map_err(backend)?;
        tx.execute(
            "UPDATE import_runs r SET status = 'done', finished_at = $2
             FROM import_runs this
             WHERE this.id = $1 AND r.status = 'running' AND r.id <> $1
               AND r.file_sha256 = this.file_sha256 AND r.dataset_id = this.dataset_id",
            &[&run, &now],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    /// Forgets a run that stored nothing, and its dataset if that is now empty.
    pub fn abort_import(&self, run: i64) -> Result<()> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        let dataset: Option<i64> = tx
            .query_opt("SELECT dataset_id FROM import_runs WHERE id = $1", &[&run])
            .map_err(backend)?
            .map(|r| r.get(0));
        let stored: i64 = tx
            .query_one("SELECT count(*) FROM incidents WHERE import_run = $1", &[&run])
            .map_err(backend)?
            .get(0);
        if stored > 0 {
            return Err(StoreError::InvalidQuery(format!(
                "import run {run} already stored {stored} incidents"
            )));
        }
        tx.execute("DELETE FROM import_runs WHERE id = $1", &[&run])
            .map_err(backend)?;
        if let Some(d) = dataset {
            tx.execute(
                "DELETE FROM datasets WHERE id = $1
                   AND NOT EXISTS (SELECT 1 FROM incidents WHERE dataset_id = $1)
                   AND NOT EXISTS (SELECT 1 FROM import_runs WHERE dataset_id = $1)",
                &[&d],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    /// Replaces every jurisdiction (incidents lose their assignment until re-imported).
    pub fn replace_jurisdictions(&self, items: &[NewJurisdiction]) -> Result<usize> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        // The rollup's areas go with them: its counts fold into "no area".
        tx.batch_execute(
            "UPDATE incidents SET jurisdiction_id = NULL WHERE jurisdiction_id IS NOT NULL;
             CREATE TEMPORARY TABLE folded ON COMMIT DROP AS
               SELECT dataset_id, occurred_at, category, origin, sum(n)::BIGINT AS n FROM incident_rollup GROUP BY 1, 2, 3, 4;
             DELETE FROM incident_rollup;
             INSERT INTO incident_rollup (dataset_id, occurred_at, category, jurisdiction_id, origin, n)
               SELECT dataset_id, occurred_at, category, NULL, origin, n FROM folded;
             DELETE FROM jurisdictions",
        )
        .map_err(backend)?;
        let insert = tx
            .prepare(
                "INSERT INTO jurisdictions (code, name_zh, name_en, level, parent_code, geometry)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(backend)?;
        for j in items {
            tx.execute(
                &insert,
                &[
                    &j.code,
                    &j.name_zh,
                    &j.name_en,
                    &j.level.as_str(),
                    &j.parent_code,
                    &j.geometry,
                ],
            )
            .map_err(|e| StoreError::InvalidQuery(format!("jurisdiction {}: {e}", j.code)))?;
        }
        tx.commit().map_err(backend)?;
        Ok(items.len())
    }

    pub fn jurisdictions(&self) -> Result<Vec<JurisdictionRecord>> {
        let rows = self
            .client()?
            .query(
                "SELECT id, code, name_zh, name_en, level, parent_code, geometry FROM jurisdictions ORDER BY id",
                &[],
            )
            .map_err(backend)?;
        Ok(rows
            .iter()
            .map(|r| JurisdictionRecord {
                jurisdiction: Jurisdiction {
                    id: r.get(0),
                    code: r.get(1),
                    name_zh: r.get(2),
                    name_en: r.get(3),
                    level: Level::parse(r.get(4)).unwrap_or(Level::Grid),
                    parent_code: r.get(5),
                },
                geometry: r.get(6),
            })
            .collect())
    }

    pub fn replace_facilities(&self, items: &[Facility]) -> Result<usize> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(backend)?;
        tx.execute("DELETE FROM facilities", &[]).map_err(backend)?;
        let insert = tx
            .prepare(
                "INSERT INTO facilities (code, kind, name_zh, name_en, lon, lat, jurisdiction, units)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .map_err(backend)?;
        for f in items {
            let units = i64::from(f.units);
            tx.execute(
                &insert,
                &[
                    &f.code,
                    &f.kind.as_str(),
                    &f.name_zh,
                    &f.name_en,
                    &f.lon,
                    &f.lat,
                    &f.jurisdiction,
                    &units,
                ],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(items.len())
    }

    pub fn facilities(&self) -> Result<Vec<Facility>> {
        let rows = self
            .client()?
            .query(
                "SELECT code, kind, name_zh, name_en, lon, lat, jurisdiction, units FROM facilities ORDER BY code",
                &[],
            )
            .map_err(backend)?;
        Ok(rows
            .iter()
            .map(|r| Facility {
                code: r.get(0),
                kind: FacilityKind::parse(r.get(1)).unwrap_or(FacilityKind::Post),
                name_zh: r.get(2),
                name_en: r.get(3),
                lon: r.get(4),
                lat: r.get(5),
                jurisdiction: r.get(6),
                units: r.get::<_, i64>(7) as u32,
            })
            .collect())
    }
}
