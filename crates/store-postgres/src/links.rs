//! 民转刑 links between disputes and later incidents, a dispute's history,
//! and the commitments of every record of a type, on PostgreSQL.

use crate::ledger::{commit, record_values};
use crate::{PgStore, backend};
use fengqiao_store::cases::Party;
use fengqiao_store::{IncidentCaseLink, Result, StoreError};

impl PgStore {
    /// A 民转刑 link with its ledger entry, unless the pair is linked already.
    pub fn add_case_link(
        &self,
        (case_id, incident_id): (i64, i64),
        reason: &str,
        at: chrono::DateTime<chrono::Utc>,
        actor: &str,
    ) -> Result<bool> {
        let mut c = self.client()?;
        let mut tx = c.transaction().map_err(backend)?;
        let id: Option<i64> = tx
            .query_opt(
                "INSERT INTO case_links (case_id, incident_id, reason, linked_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[&case_id, &incident_id, &reason, &at.timestamp()],
            )
            .map_err(backend)?
            .map(|r| r.get(0));
        if let Some(id) = id {
            crate::ledger::log_record(&mut tx, &self.ledger_key, "link", id, 1, actor)?;
        }
        tx.commit().map_err(backend)?;
        Ok(id.is_some())
    }

    pub fn escalated_cases(&self) -> Result<Vec<i64>> {
        Ok(self
            .client()?
            .query(
                "SELECT DISTINCT case_id FROM case_links WHERE reason <> $1 ORDER BY case_id",
                &[&fengqiao_store::cases::FROM_INCIDENT],
            )
            .map_err(backend)?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    /// The incidents linked to a case, in the order they happened.
    pub fn case_incidents(&self, case_id: i64) -> Result<Vec<fengqiao_store::CaseIncidentLink>> {
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).unwrap_or_default();
        Ok(self
            .client()?
            .query(
                "SELECT i.id, i.occurred_at, i.category, l.reason, l.linked_at
                 FROM case_links l JOIN incidents i ON i.id = l.incident_id
                 WHERE l.case_id = $1 ORDER BY i.occurred_at, i.id",
                &[&case_id],
            )
            .map_err(backend)?
            .iter()
            .map(|r| fengqiao_store::CaseIncidentLink {
                incident_id: r.get(0),
                occurred_at: at(r.get(1)),
                category: r.get(2),
                reason: r.get(3),
                linked_at: at(r.get(4)),
            })
            .collect())
    }

    /// The cases an incident is linked to, oldest link first.
    pub fn incident_cases(&self, incident_id: i64) -> Result<Vec<IncidentCaseLink>> {
        Ok(self
            .client()?
            .query(
                "SELECT k.id, k.code, k.case_type, k.title, k.stage, l.reason, l.linked_at
                 FROM case_links l JOIN cases k ON k.id = l.case_id
                 WHERE l.incident_id = $1 ORDER BY l.linked_at, k.id",
                &[&incident_id],
            )
            .map_err(backend)?
            .iter()
            .map(|r| IncidentCaseLink {
                case_id: r.get(0),
                code: r.get(1),
                case_type: r.get(2),
                title: r.get(3),
                stage: r.get(4),
                reason: r.get(5),
                linked_at: chrono::DateTime::from_timestamp(r.get(6), 0).unwrap_or_default(),
            })
            .collect())
    }

    /// Incidents at the address, and earlier disputes between the same parties.
    pub fn dispute_history(&self, address: Option<&str>, parties: &[Party]) -> Result<(u32, u32)> {
        let mut c = self.client()?;
        let incidents: i64 = match address.map(str::trim).filter(|a| !a.is_empty()) {
            None => 0,
            Some(a) => c
                .query_one("SELECT COUNT(*) FROM incidents WHERE address = $1", &[&a])
                .map_err(backend)?
                .get(0),
        };
        let mut disputes = std::collections::BTreeSet::new();
        for p in parties {
            for r in c
                .query(
                    "SELECT DISTINCT p.case_id FROM case_parties p JOIN cases c ON c.id = p.case_id
                     WHERE c.case_type = 'dispute'
                       AND (p.phone = $1 OR ($1::text IS NULL AND p.phone IS NULL AND p.name = $2))",
                    &[&p.phone, &p.name],
                )
                .map_err(backend)?
            {
                disputes.insert(r.get::<_, i64>(0));
            }
        }
        Ok((incidents as u32, disputes.len() as u32))
    }

    /// Every record of a type with its commitment.
    pub fn commitments(&self, record_type: &str) -> Result<Vec<(String, [u8; 32])>> {
        let table = match record_type {
            "incident" => "incidents",
            "forecast" => "forecast_runs",
            "plan" => "plans",
            "case" => "cases",
            "attachment" => "case_attachments",
            "volunteer" => "volunteers",
            "activity" => "volunteer_activities",
            "user" => "users",
            "login" => "logins",
            "link" => "case_links",
            "volunteer_account" => "volunteer_accounts",
            "mediator" => "mediators",
            "person" => "personnel",
            "leave" => "personnel_leave",
            "roster" => "rosters",
            other => {
                return Err(StoreError::InvalidQuery(format!(
                    "no record type {other:?} in the ledger"
                )));
            }
        };
        let mut c = self.client()?;
        let ids: Vec<i64> = c
            .query(&format!("SELECT id FROM {table} ORDER BY id"), &[])
            .map_err(backend)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(v) = record_values(&mut *c, record_type, id)? {
                out.push((id.to_string(), commit(&self.ledger_key, &v)));
            }
        }
        Ok(out)
    }
}
