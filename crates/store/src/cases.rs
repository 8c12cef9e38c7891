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
    /// The identity document `id_number` belongs to (see
    /// `fengqiao_cases::identity::ID_TYPES`); absent on records made before
    /// it was asked, and then left out of the canonical form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_type: Option<String>,
}

/// A file attached to a case; the bytes live under their SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub media_type: String,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
    pub size: u64,
    pub added_by: String,
    pub added_at: DateTime<Utc>,
}

impl Attachment {
    /// A lowercase SHA-256 and a bare file name, or why not.
    pub fn check(&self) -> crate::Result<()> {
        if self.sha256.len() != 64
            || !self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(crate::StoreError::InvalidQuery(format!(
                "attachment sha256 {:?}: 64 lowercase hex digits",
                self.sha256
            )));
        }
        if self.file_name.trim().is_empty() || self.file_name.contains(['/', '\\']) {
            return Err(crate::StoreError::InvalidQuery(format!(
                "attachment file name {:?}: a bare file name",
                self.file_name
            )));
        }
        Ok(())
    }
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
    /// Cases the department leads or joins.
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
    check_text(new)?;
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

/// Every piece of free text a new case carries, checked as every face must.
fn check_text(new: &NewCase) -> Result<(), fengqiao_cases::EngineError> {
    use fengqiao_cases::text::check;
    check("category", &new.category)?;
    check("title", &new.title)?;
    check("description", &new.description)?;
    check("address", new.address.as_deref().unwrap_or(""))?;
    check("jurisdiction", new.jurisdiction.as_deref().unwrap_or(""))?;
    for p in &new.parties {
        check("party role", &p.role)?;
        check("party name", &p.name)?;
        check("party phone", p.phone.as_deref().unwrap_or(""))?;
        check("party id_number", p.id_number.as_deref().unwrap_or(""))?;
        check("party address", p.address.as_deref().unwrap_or(""))?;
    }
    Ok(())
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
    for (field, text) in [
        ("reason", &cmd.reason),
        ("department", &cmd.department),
        ("assignee", &cmd.assignee),
    ] {
        fengqiao_cases::text::check(field, text.as_deref().unwrap_or(""))?;
    }
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

/// The reason on the link a case keeps to the incident it was opened from:
/// a link, not an escalation (民转刑 counts the others).
pub const FROM_INCIDENT: &str = "由此警情立案 / opened from this incident";

/// How precisely a role that may not see a dispute's address sees where it
/// is: positions rounded to 0.01° (about 1.1 km north-south), the town
/// quarter, not the building.
pub const MASKED_POSITION_DEG: f64 = 0.01;

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
        // A dispute's place, and an anti-fraud warning's (where the person lives), are a person's.
        if matches!(self.case.case_type.as_str(), "dispute" | "fraud") {
            self.case.address = self.case.address.as_deref().map(mask_address);
            // The pin would give away the door the masked address hides.
            let coarse = |v: f64| (v / MASKED_POSITION_DEG).round() * MASKED_POSITION_DEG;
            self.case.lon = self.case.lon.map(coarse);
            self.case.lat = self.case.lat.map(coarse);
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

    /// Every configured role sees parties in full exactly when the
    /// configuration lists it in `personal_data_roles`; the token hash never.
    #[test]
    fn each_role_sees_personal_data_only_where_allowed() {
        let config = CaseConfig::builtin();
        let (state, _) = config
            .open("dispute", "dispute.family", "officer", "o", chrono::Utc::now())
            .unwrap();
        let case = CaseRecord {
            id: 1,
            code: "JF-1".into(),
            case: NewCase {
                case_type: "dispute".into(),
                category: "dispute.family".into(),
                title: "t".into(),
                description: String::new(),
                jurisdiction: None,
                address: Some("中山西路12号".into()),
                lon: Some(121.543_217),
                lat: Some(29.867_654),
                origin: "officer".into(),
                parties: vec![Party {
                    role: "applicant".into(),
                    name: "张三丰".into(),
                    phone: Some("13812345678".into()),
                    id_number: Some("330203199001011234".into()),
                    address: Some("中山西路12号".into()),
                    vulnerable: false,
                    id_type: None,
                }],
                stock: None,
                risk_grade: None,
                risk: None,
                token_hash: Some("ab".repeat(32)),
                in_person_visits: 0,
                incident_id: None,
            },
            state,
        };
        for role in config.roles.iter().map(String::as_str).chain(["public"]) {
            let seen = case.clone().for_role(&config, role);
            let full = config.personal_data_roles.iter().any(|r| r == role);
            let p = &seen.case.parties[0];
            assert_eq!(p.name == "张三丰", full, "{role}");
            assert_eq!(p.phone.as_deref() == Some("13812345678"), full, "{role}");
            assert_eq!(p.id_number.as_deref() == Some("330203199001011234"), full, "{role}");
            assert_eq!(seen.case.address.as_deref() == Some("中山西路12号"), full, "{role}");
            // A masked address keeps its pin only to the town quarter.
            let (lon, lat) = (seen.case.lon.unwrap(), seen.case.lat.unwrap());
            assert_eq!((lon == 121.543_217, lat == 29.867_654), (full, full), "{role}");
            if !full {
                assert!(
                    (lon - 121.54).abs() < 1e-9 && (lat - 29.87).abs() < 1e-9,
                    "{role}: {lon},{lat}"
                );
            }
            assert_eq!(seen.case.token_hash, None, "{role}");
        }
    }

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

/// How a case report is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportBy {
    Total,
    Jurisdiction,
    Department,
    Person,
    Type,
    /// Calendar months of the period (local time).
    Month,
}

impl ReportBy {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "total" | "" => Self::Total,
            "jurisdiction" => Self::Jurisdiction,
            "department" => Self::Department,
            "person" => Self::Person,
            "type" => Self::Type,
            "month" => Self::Month,
            _ => return None,
        })
    }
}

/// What every case report states beside its figures.
pub const KPI_DEFINITIONS: [(&str, &str); 6] = [
    (
        "on_time_closure",
        "closed by due time / cases due in the period up to now, never deferred; open cases past due count as late",
    ),
    (
        "rework",
        "cases opened in the period and reported back at least once: sent back at verification / handled",
    ),
    (
        "mediation_success",
        "disputes opened in the period with a session: agreement reached / mediated",
    ),
    (
        "resolved_by_level",
        "disputes closed with an agreement in the period, by level",
    ),
    (
        "escalated_to_crime",
        "disputes opened in the period with an incident later linked (民转刑)",
    ),
    (
        "satisfaction",
        "ratings of requests closed in the period: mean, and share of 4 or 5",
    ),
];

/// The longest period a report covers (ten years: 120 months by month).
pub const MAX_REPORT_DAYS: i64 = 3_660;

/// The KPIs of the cases `scope` selects (a principal's, or every case
/// with the default filter) for local days `[from, to)`, as of `now`: the
/// total first, then one row per group (or per month).
pub fn report(
    store: &dyn Store,
    config: &CaseConfig,
    scope: &CaseFilter,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    now: DateTime<Utc>,
    by: ReportBy,
) -> Result<Vec<(String, fengqiao_cases::kpi::Kpis)>> {
    use chrono::Datelike;
    use fengqiao_cases::kpi::{KpiCase, compute};
    let days = (to - from).num_days();
    if !(1..=MAX_REPORT_DAYS).contains(&days) {
        return Err(StoreError::InvalidQuery(format!(
            "a report covers 1 to {MAX_REPORT_DAYS} days (ten years); {from} to {to} is {days}"
        )));
    }
    let tz = config.calendar.timezone();
    let start_of = |d: chrono::NaiveDate| fengqiao_cases::calendar::day_start(&tz, d);
    let cases = store.cases(scope)?;
    let escalated: std::collections::HashSet<i64> = store.escalated_cases()?.into_iter().collect();
    let levels = config
        .case_type("dispute")
        .map(|t| t.levels.clone())
        .unwrap_or_default();
    let kpi = |group: &[&CaseRecord], a: DateTime<Utc>, b: DateTime<Utc>| {
        let input: Vec<KpiCase> = group
            .iter()
            .map(|c| KpiCase {
                state: &c.state,
                stock: c.case.stock,
                escalated_to_crime: escalated.contains(&c.id),
            })
            .collect();
        compute(&input, a, b, now, &levels)
    };
    let (start, end) = (start_of(from), start_of(to));
    let all: Vec<&CaseRecord> = cases.iter().collect();
    let mut rows = vec![("all".to_string(), kpi(&all, start, end))];
    let key = |c: &CaseRecord| -> Option<String> {
        match by {
            ReportBy::Jurisdiction => c.case.jurisdiction.clone(),
            ReportBy::Department => c.state.department.clone(),
            ReportBy::Person => c.state.assignee.clone(),
            _ => Some(c.case.case_type.clone()),
        }
    };
    match by {
        ReportBy::Total => {}
        ReportBy::Month => {
            let mut m = chrono::NaiveDate::from_ymd_opt(from.year(), from.month(), 1).expect("month");
            while m < to {
                let next = m.checked_add_months(chrono::Months::new(1)).expect("month");
                rows.push((
                    m.format("%Y-%m").to_string(),
                    kpi(&all, start_of(m.max(from)), start_of(next.min(to))),
                ));
                m = next;
            }
        }
        _ => {
            let mut groups: std::collections::BTreeMap<String, Vec<&CaseRecord>> = Default::default();
            for c in &cases {
                groups
                    .entry(key(c).unwrap_or_else(|| "(none)".into()))
                    .or_default()
                    .push(c);
            }
            for (k, g) in groups {
                rows.push((k, kpi(&g, start, end)));
            }
        }
    }
    Ok(rows)
}
