//! The SQL behind the mediator pool (PostgreSQL); each change with its ledger entry.

use crate::ledger::log_record;
use crate::{PgStore, backend};
use chrono::{DateTime, Utc};
use fengqiao_store::canonical::MEDIATOR_COLUMNS;
use fengqiao_store::mediators::{Mediator, NewMediator};
use fengqiao_store::{Result, StoreError};

fn row(r: &postgres::Row) -> Mediator {
    Mediator {
        id: r.get(0),
        name: r.get(1),
        kind: r.get(2),
        areas: serde_json::from_str(r.get::<_, &str>(3)).unwrap_or_default(),
        active: r.get::<_, i64>(4) != 0,
        version: r.get::<_, i64>(5) as u32,
        added_at: DateTime::from_timestamp(r.get(6), 0).unwrap_or_default(),
        added_by: r.get(7),
    }
}

impl PgStore {
    pub fn mediators(&self) -> Result<Vec<Mediator>> {
        Ok(self
            .client()?
            .query(
                &format!("SELECT id, {MEDIATOR_COLUMNS} FROM mediators ORDER BY name"),
                &[],
            )
            .map_err(backend)?
            .iter()
            .map(row)
            .collect())
    }

    pub fn add_mediator(&self, m: &NewMediator, at: DateTime<Utc>, actor: &str) -> Result<Option<i64>> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: Option<i64> = tx
            .query_opt(
                &format!(
                    "INSERT INTO mediators ({MEDIATOR_COLUMNS}) VALUES ($1, $2, $3, 1, 1, $4, $5)
                     ON CONFLICT (name) DO NOTHING RETURNING id"
                ),
                &[
                    &m.name,
                    &m.kind,
                    &serde_json::to_string(&m.areas).unwrap_or_default(),
                    &at.timestamp(),
                    &actor,
                ],
            )
            .map_err(backend)?
            .map(|r| r.get(0));
        let Some(id) = id else { return Ok(None) };
        log_record(&mut tx, &self.ledger_key, "mediator", id, 1, actor)?;
        tx.commit().map_err(backend)?;
        Ok(Some(id))
    }

    pub fn retire_mediator(&self, id: i64, actor: &str) -> Result<Mediator> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let found = tx
            .query_opt(
                &format!("SELECT id, {MEDIATOR_COLUMNS} FROM mediators WHERE id = $1 FOR UPDATE"),
                &[&id],
            )
            .map_err(backend)?
            .map(|r| row(&r))
            .ok_or_else(|| StoreError::NotFound {
                what: format!("mediator {id}"),
            })?;
        if !found.active {
            return Err(StoreError::Conflict(format!(
                "mediator {} is retired already",
                found.name
            )));
        }
        let version = found.version + 1;
        tx.execute(
            "UPDATE mediators SET active = 0, version = $2 WHERE id = $1",
            &[&id, &i64::from(version)],
        )
        .map_err(backend)?;
        log_record(&mut tx, &self.ledger_key, "mediator", id, version, actor)?;
        tx.commit().map_err(backend)?;
        Ok(Mediator {
            active: false,
            version,
            ..found
        })
    }
}
