//! Cases through any [`Store`]: the records the store keeps for the case
//! engine, and the two operations every caller (CLI, HTTP, demo) goes
//! through, `open_case` and `act`, which run the engine and persist its
//! result with the version the case was read at, so two people acting on
//! one case at once cannot both win. Also the supervision sweep.

use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use fengqiao_cases::{CaseConfig, CaseState, Command, EngineError, Event};
use serde::{Deserialize, Serialize};

/// A party to a case. Names, phones and ID numbers are personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// `applicant`, `respondent`, `party`, `reporter`.
    pub role: String,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub vulnerable: bool,
}

/// What a new case is about, besides its engine state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCase {
    pub case_type: String,
    pub category: String,
    pub title: String,
    pub description: String,
    /// Jurisdiction code (village, town, ...).
    pub jurisdiction: Option<String>,
    pub address: Option<String>,
    pub lon: Option<f64>,
    pub lat: Option<f64>,
    /// `officer`, `citizen`, `department`, `open311`, `patrol`, ...
    pub origin: String,
    pub parties: Vec<Party>,
    /// Hazards: stock (存量) or new (新增).
    pub stock: Option<bool>,
    pub risk_grade: Option<String>,
    pub risk: Option<serde_json::Value>,
    /// Citizens' requests: SHA-256 (hex) of the tracking token handed out.
    pub token_hash: Option<String>,
    pub in_person_visits: u32,
    pub incident_id: Option<i64>,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    pub code: String,
    #[serde(flatten)]
    pub case: NewCase,
    pub state: CaseState,
}

/// Which cases a board or report wants.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub case_type: Option<String>,
    pub stage: Option<String>,
    /// Jurisdiction code, including everything below it.
    pub jurisdiction: Option<String>,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub open_only: bool,
    pub limit: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("no case {0}")]
    NotFound(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn local_date(config: &CaseConfig, at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&config.calendar.timezone()).date_naive()
}

/// Opens a case at its type's first stage; the store gives it its code.
pub fn open_case(
    store: &dyn Store,
    config: &CaseConfig,
    new: &NewCase,
    role: &str,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<CaseRecord, CaseError> {
    let (state, event) = config.open(&new.case_type, &new.category, role, actor, at)?;
    let prefix = &config.case_type(&new.case_type).expect("opened").prefix;
    let stem = fengqiao_cases::case_code(
        prefix,
        new.jurisdiction.as_deref().unwrap_or(""),
        local_date(config, at),
        0,
    );
    let stem = stem.rsplit_once('-').map_or(stem.as_str(), |(s, _)| s).to_string();
    let (id, code) = store.create_case(new, &state, &event, &stem)?;
    Ok(CaseRecord {
        id,
        code,
        case: new.clone(),
        state,
    })
}

/// Applies `cmd` to case `id` as it is now (or refuses if `expected_version`
/// is given and the case has moved on since it was read).
pub fn act(
    store: &dyn Store,
    config: &CaseConfig,
    id: i64,
    expected_version: Option<u32>,
    cmd: &Command,
    at: DateTime<Utc>,
) -> Result<(CaseRecord, Event), CaseError> {
    let mut case = store.case(id)?.ok_or_else(|| CaseError::NotFound(id.to_string()))?;
    if let Some(v) = expected_version.filter(|v| *v != case.state.version) {
        return Err(StoreError::Conflict(format!(
            "case {} is at version {}, not {v}: reload it",
            case.code, case.state.version
        ))
        .into());
    }
    let (state, event) = config.apply(&case.state, cmd, case.case.jurisdiction.as_deref().unwrap_or(""), at)?;
    store.update_case(id, case.state.version, &state, &event)?;
    case.state = state;
    Ok((case, event))
}

/// Raises supervision (督办) on every open case whose deadline has passed
/// since it was last supervised. Returns the codes supervised.
pub fn supervise_overdue(store: &dyn Store, config: &CaseConfig, now: DateTime<Utc>) -> Result<Vec<String>, CaseError> {
    let open = store.cases(&CaseFilter {
        open_only: true,
        ..Default::default()
    })?;
    let mut done = Vec::new();
    for case in open {
        if config.needs_supervision(&case.state, now).is_none() {
            continue;
        }
        let cmd = Command {
            action: "supervise".into(),
            role: "system".into(),
            actor: "system:supervision".into(),
            reason: Some("deadline passed".into()),
            ..Default::default()
        };
        match act(store, config, case.id, Some(case.state.version), &cmd, now) {
            Ok(_) => done.push(case.code),
            // Moved on meanwhile (or the type has no supervise action here): the next sweep sees it anew.
            Err(CaseError::Store(StoreError::Conflict(_)) | CaseError::Engine(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

impl CaseRecord {
    /// The case as `role` may see it: parties' personal data (and a
    /// dispute's address) masked unless the configuration lets the role see
    /// them; the tracking token's hash never leaves the store's callers.
    pub fn for_role(mut self, config: &CaseConfig, role: &str) -> Self {
        use fengqiao_cases::privacy::{mask_address, mask_id_number, mask_name, mask_phone};
        self.case.token_hash = None;
        if config.sees_personal_data(role) {
            return self;
        }
        for p in &mut self.case.parties {
            p.name = mask_name(&p.name);
            p.phone = p.phone.as_deref().map(mask_phone);
            p.id_number = p.id_number.as_deref().map(mask_id_number);
            p.address = p.address.as_deref().map(mask_address);
        }
        if self.case.case_type == "dispute" {
            self.case.address = self.case.address.as_deref().map(mask_address);
        }
        self
    }
}

/// A citizen's tracking token, handed out once when a request is opened
/// (`XXXX-XXXX-XXXX-XXXX`, Crockford base32, 80 random bits), and the hash
/// the store keeps instead of it.
pub fn new_tracking_token() -> std::io::Result<(String, String)> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes: [u8; 10] = crate::secrets::random_bytes()?;
    let mut bits = 0u128;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    let chars: Vec<char> = (0..16)
        .rev()
        .map(|i| ALPHABET[((bits >> (5 * i)) & 31) as usize] as char)
        .collect();
    let token = chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-");
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// The stored form of a tracking token: SHA-256 of it without dashes or
/// spaces, upper case, with Crockford's O→0 and I/L→1 read as such.
pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    let normal: String = token
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    crate::secrets::hex(&sha2::Sha256::digest(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_readable_and_typo_tolerant() {
        let (token, hash) = new_tracking_token().unwrap();
        assert_eq!(token.len(), 19);
        assert_eq!(token.matches('-').count(), 3);
        assert_eq!(token_hash(&token.to_lowercase().replace('-', " ")), hash);
        assert_eq!(token_hash("0000-1111-AAAA-BBBB"), token_hash("oooo-iiil-aaaa-bbbb"));
        assert_ne!(new_tracking_token().unwrap().0, token);
    }
}
