//! Forecasts and plans on PostgreSQL: each stored with its ledger entry in
//! one transaction, read back as the SQLite backend reads them.

use crate::ledger::{commit, log_record, record_values};
use crate::{PgStore, backend};
use fengqiao_store::{ForecastCells, ForecastRun, NewForecast, NewPlan, PlanRecord, Result, StoreError};

fn at(s: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn dataset_id(tx: &mut postgres::Transaction<'_>, name: &str) -> Result<i64> {
    Ok(tx
        .query_opt("SELECT id FROM datasets WHERE name = $1", &[&name])
        .map_err(backend)?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("dataset {name}"),
        })?
        .get(0))
}

const FORECAST_SELECT: &str = "SELECT r.id, d.name, r.model, r.window_kind, r.window_start, r.window_end, r.shift,
        r.cell_m, r.centre_lon, r.centre_lat, r.origin_x, r.origin_y, r.cols, r.rows, r.data_cutoff,
        r.params, r.version, r.created_at, r.category
    FROM forecast_runs r JOIN datasets d ON d.id = r.dataset_id";

const PLAN_SELECT: &str = "SELECT p.id, d.name, p.forecast_id, p.window_start, p.window_end, p.params, p.summary,
        p.body, p.geojson, p.version, p.created_at
    FROM plans p JOIN datasets d ON d.id = p.dataset_id";

impl PgStore {
    pub fn save_forecast(&self, f: &NewForecast) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let r = &f.run;
        let dataset = dataset_id(&mut tx, &r.dataset)?;
        let (shift, cols, rows) = (i64::from(r.shift), i64::from(r.cols), i64::from(r.rows));
        let id: i64 = tx
            .query_one(
                "INSERT INTO forecast_runs (dataset_id, model, window_kind, window_start, window_end, shift, cell_m,
                    centre_lon, centre_lat, origin_x, origin_y, cols, rows, data_cutoff, params, version, created_at,
                    category)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
                &[
                    &dataset,
                    &r.model,
                    &r.window_kind,
                    &r.window_start.timestamp(),
                    &r.window_end.timestamp(),
                    &shift,
                    &r.cell_m,
                    &r.centre[0],
                    &r.centre[1],
                    &r.origin[0],
                    &r.origin[1],
                    &cols,
                    &rows,
                    &r.data_cutoff.timestamp(),
                    &r.params.to_string(),
                    &r.version,
                    &r.created_at.timestamp(),
                    &r.category,
                ],
            )
            .map_err(|e| StoreError::InvalidQuery(format!("forecast run: {e}")))?
            .get(0);
        let insert = tx
            .prepare("INSERT INTO forecast_cells (run_id, cell, expected) VALUES ($1, $2, $3)")
            .map_err(backend)?;
        for (cell, expected) in &f.cells {
            tx.execute(&insert, &[&id, &i64::from(*cell), expected])
                .map_err(backend)?;
        }
        log_record(&mut tx, &self.ledger_key, "forecast", id, 1, "forecast")?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    fn forecast_where(
        &self,
        condition: &str,
        args: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Option<(ForecastRun, ForecastCells)>> {
        let mut c = self.client()?;
        let Some(r) = c
            .query_opt(&format!("{FORECAST_SELECT} WHERE {condition}"), args)
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let run = ForecastRun {
            id: r.get(0),
            dataset: r.get(1),
            model: r.get(2),
            window_kind: r.get(3),
            window_start: at(r.get(4)),
            window_end: at(r.get(5)),
            shift: r.get::<_, i64>(6) as u32,
            cell_m: r.get(7),
            centre: [r.get(8), r.get(9)],
            origin: [r.get(10), r.get(11)],
            cols: r.get::<_, i64>(12) as u32,
            rows: r.get::<_, i64>(13) as u32,
            data_cutoff: at(r.get(14)),
            params: serde_json::from_str(r.get(15)).unwrap_or(serde_json::Value::Null),
            version: r.get(16),
            created_at: at(r.get(17)),
            category: r.get(18),
        };
        let cells = c
            .query(
                "SELECT cell, expected FROM forecast_cells WHERE run_id = $1 ORDER BY cell",
                &[&run.id],
            )
            .map_err(backend)?
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u32, r.get(1)))
            .collect();
        Ok(Some((run, cells)))
    }

    pub fn forecast(&self, id: i64) -> Result<Option<(ForecastRun, ForecastCells)>> {
        self.forecast_where("r.id = $1", &[&id])
    }

    /// The most recently made forecast for the dataset, window kind and category (`None`: all incidents).
    pub fn latest_forecast(
        &self,
        dataset: &str,
        kind: &str,
        category: Option<&str>,
    ) -> Result<Option<(ForecastRun, ForecastCells)>> {
        self.forecast_where(
            "d.name = $1 AND r.window_kind = $2 AND r.category IS NOT DISTINCT FROM $3
             ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
            &[&dataset, &kind, &category],
        )
    }

    pub fn save_plan(&self, p: &NewPlan) -> Result<i64> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let dataset = dataset_id(&mut tx, &p.dataset)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO plans (dataset_id, forecast_id, window_start, window_end, params, summary, body, geojson,
                    version, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &dataset,
                    &p.forecast_id,
                    &p.window_start.timestamp(),
                    &p.window_end.timestamp(),
                    &p.params.to_string(),
                    &p.summary.to_string(),
                    &p.body.to_string(),
                    &p.geojson,
                    &p.version,
                    &p.created_at.timestamp(),
                ],
            )
            .map_err(|e| StoreError::InvalidQuery(format!("plan: {e}")))?
            .get(0);
        log_record(&mut tx, &self.ledger_key, "plan", id, 1, "plan")?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    fn plan_where(&self, condition: &str, args: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Option<PlanRecord>> {
        let json = |s: String| serde_json::from_str(&s).unwrap_or(serde_json::Value::Null);
        Ok(self
            .client()?
            .query_opt(&format!("{PLAN_SELECT} WHERE {condition}"), args)
            .map_err(backend)?
            .map(|r| PlanRecord {
                id: r.get(0),
                plan: NewPlan {
                    dataset: r.get(1),
                    forecast_id: r.get(2),
                    window_start: at(r.get(3)),
                    window_end: at(r.get(4)),
                    params: json(r.get(5)),
                    summary: json(r.get(6)),
                    body: json(r.get(7)),
                    geojson: r.get(8),
                    version: r.get(9),
                    created_at: at(r.get(10)),
                },
            }))
    }

    pub fn plan(&self, id: i64) -> Result<Option<PlanRecord>> {
        self.plan_where("p.id = $1", &[&id])
    }

    pub fn latest_plan(&self, dataset: &str) -> Result<Option<PlanRecord>> {
        self.plan_where("d.name = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT 1", &[&dataset])
    }

    /// The plan whose window began most recently at or before `at`.
    pub fn latest_plan_started_by(
        &self,
        dataset: &str,
        when: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<PlanRecord>> {
        self.plan_where(
            "d.name = $1 AND p.window_start <= $2 ORDER BY p.window_start DESC, p.created_at DESC, p.id DESC LIMIT 1",
            &[&dataset, &when.timestamp()],
        )
    }

    /// The commitment to a record as it is stored now (`None`: no such record).
    pub fn commitment_of(&self, record_type: &str, record_id: &str) -> Result<Option<[u8; 32]>> {
        let Ok(id) = record_id.parse::<i64>() else {
            return Ok(None);
        };
        let mut c = self.client()?;
        Ok(record_values(&mut *c, record_type, id)?.map(|v| commit(&self.ledger_key, &v)))
    }
}
