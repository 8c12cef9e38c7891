//! The SQL behind the notification outbox (PostgreSQL): several servers
//! claim due notifications with `FOR UPDATE SKIP LOCKED`, so each is sent once.

use crate::{PgStore, backend};
use chrono::{DateTime, Utc};
use fengqiao_store::Result;
use fengqiao_store::outbox::{Delivery, NewNotification, Notification};

const COLUMNS: &str =
    "id, channel, case_code, event, body, created_at, attempts, next_at, sent_at, gave_up_at, last_error";

fn at(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn row(r: &postgres::Row) -> Notification {
    Notification {
        id: r.get(0),
        channel: r.get(1),
        case_code: r.get(2),
        event: r.get(3),
        text: r.get(4),
        created_at: at(r.get(5)),
        attempts: r.get::<_, i64>(6) as u32,
        next_at: r.get::<_, Option<i64>>(7).map(at),
        sent_at: r.get::<_, Option<i64>>(8).map(at),
        gave_up_at: r.get::<_, Option<i64>>(9).map(at),
        last_error: r.get(10),
    }
}

impl PgStore {
    pub fn enqueue_notification(&self, n: &NewNotification) -> Result<bool> {
        let added = self
            .client()?
            .execute(
                "INSERT INTO outbox (key, channel, case_code, event, body, created_at, next_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (key) DO NOTHING",
                &[
                    &n.key,
                    &n.channel,
                    &n.case_code,
                    &n.event,
                    &n.text,
                    &n.created_at.timestamp(),
                ],
            )
            .map_err(backend)?;
        Ok(added == 1)
    }

    pub fn claim_notifications(
        &self,
        now: DateTime<Utc>,
        lease: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Notification>> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let due: Vec<Notification> = tx
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE next_at IS NOT NULL AND next_at <= $1
                     ORDER BY next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED"
                ),
                &[&now.timestamp(), &(limit as i64)],
            )
            .map_err(backend)?
            .iter()
            .map(row)
            .collect();
        for n in &due {
            tx.execute(
                "UPDATE outbox SET next_at = $2 WHERE id = $1",
                &[&n.id, &lease.timestamp()],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(due)
    }

    pub fn record_delivery(&self, id: i64, when: DateTime<Utc>, outcome: &Delivery) -> Result<()> {
        let error = match outcome {
            Delivery::Sent => None,
            Delivery::Retry { error, .. } | Delivery::GiveUp { error } => Some(error.clone()),
        };
        let (next, sent, gave_up) = match outcome {
            Delivery::Sent => (None, Some(when.timestamp()), None),
            Delivery::Retry { at: next, .. } => (Some(next.timestamp()), None, None),
            Delivery::GiveUp { .. } => (None, None, Some(when.timestamp())),
        };
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        tx.execute(
            "INSERT INTO outbox_attempts (outbox_id, at, ok, error) VALUES ($1, $2, $3, $4)",
            &[&id, &when.timestamp(), &i64::from(error.is_none()), &error],
        )
        .map_err(backend)?;
        tx.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_at = $2, sent_at = $3, gave_up_at = $4, last_error = $5
             WHERE id = $1",
            &[&id, &next, &sent, &gave_up, &error],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    pub fn notifications(&self, limit: usize) -> Result<Vec<Notification>> {
        Ok(self
            .client()?
            .query(
                &format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"),
                &[&(limit as i64)],
            )
            .map_err(backend)?
            .iter()
            .map(row)
            .collect())
    }
}
