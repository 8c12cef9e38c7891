//! 民转刑: an incident that follows a dispute, at its address or close to
//! it, soon after it was opened, is linked to the dispute as a warning that
//! the dispute is turning into a crime. The rule is applied whatever the
//! face: on every incident import and every dispute opened. Each link keeps
//! its reasons in words and is a ledger-logged record.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use fengqiao_geo::{LonLat, haversine_m};
use fengqiao_store::cases::CaseRecord;
use fengqiao_store::{IncidentFilter, Store};
use std::collections::HashMap;

pub use crate::address::address_key;

/// Which incidents are linked to which disputes.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// An incident within this distance of the dispute's position, metres.
    pub radius_m: f64,
    /// ... occurring within this many days after the dispute was opened.
    pub days: u32,
    /// Category codes (with everything below them) that count as escalation:
    /// violence, threats to safety and damage, not every call.
    pub categories: Vec<String>,
}

/// The categories of the built-in 110 table that count as a dispute turning criminal.
pub const DEFAULT_CATEGORIES: [&str; 9] = [
    "criminal.assault",
    "criminal.homicide",
    "criminal.arson",
    "criminal.weapons",
    "criminal.sexual",
    "criminal.other",
    "public_order.fight",
    "public_order.disturbance",
    "public_order.vandalism",
];

/// At most this many incidents are read for one dispute's window.
const MAX_SCAN: usize = 500_000;

impl Rule {
    /// 50 m is a building and its doorway with the error of a 110 operator's
    /// pin; 90 days is the season in which a neighbours' quarrel that was
    /// not settled flares up again.
    pub const DEFAULT: Rule = Rule {
        radius_m: 50.0,
        days: 90,
        categories: Vec::new(),
    };

    pub fn new(radius_m: f64, days: u32) -> Result<Rule> {
        if !(radius_m.is_finite() && (0.0..=5_000.0).contains(&radius_m)) {
            return Err(Error::input(format!(
                "escalation radius {radius_m} m is outside 0..=5000"
            )));
        }
        if !(1..=3_660).contains(&days) {
            return Err(Error::input(format!(
                "escalation window {days} days is outside 1..=3660"
            )));
        }
        Ok(Rule {
            radius_m,
            days,
            categories: DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
        })
    }

    fn counts(&self, category: &str) -> bool {
        self.categories
            .iter()
            .any(|c| category == c || category.strip_prefix(c.as_str()).is_some_and(|r| r.starts_with('.')))
    }
}

impl Default for Rule {
    fn default() -> Self {
        Rule::new(Rule::DEFAULT.radius_m, Rule::DEFAULT.days).expect("the default rule is valid")
    }
}

/// What a dispute is matched by.
#[derive(Debug, Clone)]
pub struct Dispute {
    pub case_id: i64,
    pub opened_at: DateTime<Utc>,
    pub position: Option<LonLat>,
    /// Address keys: the dispute's own, then its parties'.
    pub addresses: Vec<(String, &'static str)>,
}

impl Dispute {
    pub fn of(case: &CaseRecord) -> Dispute {
        let mut addresses = Vec::new();
        if let Some(k) = case.case.address.as_deref().and_then(address_key) {
            addresses.push((k, "dispute"));
        }
        for p in &case.case.parties {
            if let Some(k) = p.address.as_deref().and_then(address_key)
                && !addresses.iter().any(|(a, _)| *a == k)
            {
                addresses.push((k, "party"));
            }
        }
        let position = match (case.case.lon, case.case.lat) {
            (Some(lon), Some(lat)) => Some(LonLat::new(lon, lat)).filter(|p| p.is_valid()),
            _ => None,
        };
        Dispute {
            case_id: case.id,
            opened_at: case.state.opened_at,
            position,
            addresses,
        }
    }
}

/// Why an incident is linked to a dispute, in both languages.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub zh: String,
    pub en: String,
}

impl Match {
    /// The reason as stored on the link: `zh / en`.
    pub fn stored(&self) -> String {
        format!("{} / {}", self.zh, self.en)
    }
}

/// Whether `incident` is linked to `dispute` under `rule`, and why.
pub fn matches(rule: &Rule, dispute: &Dispute, incident: &fengqiao_domain::Incident) -> Option<Match> {
    let r = &incident.record;
    let after = r.occurred_at - dispute.opened_at;
    if after <= Duration::zero() || after > Duration::days(i64::from(rule.days)) || !rule.counts(&r.category) {
        return None;
    }
    let days = after.num_hours() as f64 / 24.0;
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(key) = r.address.as_deref().and_then(address_key)
        && let Some((_, whose)) = dispute.addresses.iter().find(|(a, _)| *a == key)
    {
        // The words, not the address: whoever sees a link may not see addresses.
        if *whose == "dispute" {
            zh.push("同一地址".to_string());
            en.push("same address".to_string());
        } else {
            zh.push("当事人住址".to_string());
            en.push("a party's address".to_string());
        }
    }
    if let Some(p) = dispute.position {
        let d = haversine_m(p, LonLat::new(r.lon, r.lat));
        if d <= rule.radius_m {
            zh.push(format!("相距 {d:.0} 米"));
            en.push(format!("{d:.0} m away"));
        }
    }
    if zh.is_empty() {
        return None;
    }
    zh.push(format!("纠纷受理后 {days:.1} 天"));
    en.push(format!("{days:.1} days after the dispute was opened"));
    Some(Match {
        zh: zh.join("，"),
        en: en.join(", "),
    })
}

/// Links a dispute (just opened, or changed) to the incidents that
/// followed it; returns the new links as (case id, incident id).
pub fn link_dispute(store: &dyn Store, rule: &Rule, case: &CaseRecord, actor: &str) -> Result<Vec<(i64, i64)>> {
    if case.case.case_type != "dispute" {
        return Ok(Vec::new());
    }
    let dispute = Dispute::of(case);
    if dispute.addresses.is_empty() && dispute.position.is_none() {
        return Ok(Vec::new());
    }
    let filter = IncidentFilter {
        from: Some(dispute.opened_at + Duration::seconds(1)),
        to: Some(dispute.opened_at + Duration::days(i64::from(rule.days)) + Duration::seconds(1)),
        ..IncidentFilter::default()
    };
    let mut found = Vec::new();
    crate::store::scan_incidents(store, &filter, MAX_SCAN, |i| {
        if let Some(m) = matches(rule, &dispute, i) {
            found.push((i.id, m));
        }
    })?;
    record(store, found.into_iter().map(|(i, m)| (case.id, i, m)), actor)
}

/// Links the incidents of `period` (an import's) to the disputes they follow.
pub fn link_period(
    store: &dyn Store,
    rule: &Rule,
    period: (DateTime<Utc>, DateTime<Utc>),
    actor: &str,
) -> Result<Vec<(i64, i64)>> {
    let window = Duration::days(i64::from(rule.days));
    let cases = store.cases(&fengqiao_store::cases::CaseFilter {
        case_type: Some("dispute".into()),
        ..Default::default()
    })?;
    let mut disputes = Vec::new();
    for c in cases {
        let opened = c.state.opened_at;
        if opened >= period.1 || opened + window < period.0 {
            continue;
        }
        // The board's listing leaves the parties out; their addresses count.
        let full = store.case(c.id)?.unwrap_or(c);
        let d = Dispute::of(&full);
        if !(d.addresses.is_empty() && d.position.is_none()) {
            disputes.push(d);
        }
    }
    let Some(first) = disputes.iter().map(|d| d.opened_at).min() else {
        return Ok(Vec::new());
    };
    let last = disputes.iter().map(|d| d.opened_at).max().unwrap_or(first) + window;
    let filter = IncidentFilter {
        from: Some(period.0.max(first + Duration::seconds(1))),
        to: Some(period.1.min(last) + Duration::seconds(1)),
        ..IncidentFilter::default()
    };
    let mut by_address: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, d) in disputes.iter().enumerate() {
        for (a, _) in &d.addresses {
            by_address.entry(a.as_str()).or_default().push(n);
        }
    }
    let placed: Vec<usize> = (0..disputes.len())
        .filter(|&n| disputes[n].position.is_some())
        .collect();
    let mut found = Vec::new();
    crate::store::scan_incidents(store, &filter, MAX_SCAN, |i| {
        if !rule.counts(&i.record.category) {
            return;
        }
        let key = i.record.address.as_deref().and_then(address_key);
        let by_key = key.as_deref().and_then(|k| by_address.get(k)).into_iter().flatten();
        let mut candidates: Vec<usize> = by_key.chain(placed.iter()).copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        for n in candidates {
            if let Some(m) = matches(rule, &disputes[n], i) {
                found.push((disputes[n].case_id, i.id, m));
            }
        }
    })?;
    record(store, found.into_iter(), actor)
}

fn record(store: &dyn Store, found: impl Iterator<Item = (i64, i64, Match)>, actor: &str) -> Result<Vec<(i64, i64)>> {
    let now = Utc::now();
    let mut out = Vec::new();
    for (case_id, incident_id, m) in found {
        if store.add_case_link(case_id, incident_id, &m.stored(), now, actor)? {
            out.push((case_id, incident_id));
        }
    }
    Ok(out)
}

/// Incidents at a dispute's place in the year before it: for its risk grade.
pub fn earlier_incidents(
    store: &dyn Store,
    rule: &Rule,
    case: &fengqiao_store::cases::NewCase,
    at: DateTime<Utc>,
) -> Result<u32> {
    let (Some(lon), Some(lat)) = (case.lon, case.lat) else {
        // Without a position, the address as written.
        return Ok(store.dispute_history(case.address.as_deref(), &[])?.0);
    };
    let centre = LonLat::new(lon, lat);
    let dlat = rule.radius_m / 111_320.0;
    let dlon = dlat / lat.to_radians().cos().max(0.01);
    let filter = IncidentFilter {
        from: Some(at - Duration::days(365)),
        to: Some(at),
        bbox: Some([lon - dlon, lat - dlat, lon + dlon, lat + dlat]),
        ..IncidentFilter::default()
    };
    let key = case.address.as_deref().and_then(address_key);
    let mut n = 0u32;
    crate::store::scan_incidents(store, &filter, MAX_SCAN, |i| {
        let near = haversine_m(centre, LonLat::new(i.record.lon, i.record.lat)) <= rule.radius_m;
        let same = key.is_some() && i.record.address.as_deref().and_then(address_key) == key;
        if near || same {
            n += 1;
        }
    })?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_written_differently_are_one_building() {
        let k = Some("新典路88号".to_string());
        for a in [
            "鼓楼街道彩虹社区新典路88号",
            "新典路88号",
            "新典路 ８８ 号",
            "鼓楼区新典路八十八号3栋201室",
            "浙江省明州市鼓楼区鼓楼街道彩虹社区新典路088号",
            "彩虹社区居委会新典路88号（东门）",
        ] {
            assert_eq!(address_key(a), k, "{a}");
        }
        assert_eq!(address_key("新典路89号"), Some("新典路89号".into()));
        assert_eq!(address_key("彩虹社区"), None, "no building");
        assert_eq!(address_key("88号"), None, "no road");
        // A road whose name ends like a division keeps its name.
        assert_eq!(address_key("高新区新区路5号"), Some("新区路5号".into()));
        assert_eq!(
            address_key("鄞州区鄞县大道88号"),
            Some("鄞县大道88号".into()),
            "a county in a road's name"
        );
        assert_eq!(address_key("中山路一百零五号"), Some("中山路105号".into()));
        assert_eq!(address_key("中山路十号"), Some("中山路10号".into()));
        assert_eq!(address_key("中山路二〇五号"), Some("中山路205号".into()));
    }

    fn incident(
        category: &str,
        at: DateTime<Utc>,
        lon: f64,
        lat: f64,
        address: Option<&str>,
    ) -> fengqiao_domain::Incident {
        fengqiao_domain::Incident {
            id: 9,
            dataset: "d".into(),
            record: fengqiao_domain::NewIncident {
                source_key: "k".into(),
                occurred_at: at,
                time_precision: fengqiao_domain::TimePrecision::Minute,
                hour_of_week: None,
                received_at: None,
                dispatched_at: None,
                arrived_at: None,
                closed_at: None,
                unit: None,
                category: category.into(),
                raw_category: None,
                lon,
                lat,
                address: address.map(String::from),
                place_type: None,
                jurisdiction_id: None,
                origin: fengqiao_domain::Origin::Citizen,
            },
        }
    }

    #[test]
    fn links_by_address_or_distance_within_the_window() {
        let rule = Rule::default();
        let opened = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let d = Dispute {
            case_id: 1,
            opened_at: opened,
            position: Some(LonLat::new(121.5, 29.87)),
            addresses: vec![("新典路88号".into(), "dispute")],
        };
        let day = Duration::days(1);
        let far = (121.6, 29.9);
        let m = matches(
            &rule,
            &d,
            &incident(
                "public_order.fight",
                opened + day,
                far.0,
                far.1,
                Some("彩虹社区新典路８８号"),
            ),
        )
        .unwrap();
        assert!(
            m.zh.starts_with("同一地址") && m.en.starts_with("same address"),
            "{m:?}"
        );
        assert!(!m.zh.contains("88"), "no address in the reason: {m:?}");
        let near = matches(
            &rule,
            &d,
            &incident("criminal.assault", opened + day, 121.5003, 29.87, None),
        )
        .unwrap();
        assert!(near.en.contains("m away"), "{near:?}");
        // Not before the dispute, not after the window, not a traffic call, not elsewhere.
        assert!(
            matches(
                &rule,
                &d,
                &incident("public_order.fight", opened - day, 121.5, 29.87, None)
            )
            .is_none()
        );
        assert!(
            matches(
                &rule,
                &d,
                &incident("public_order.fight", opened + day * 91, 121.5, 29.87, None)
            )
            .is_none()
        );
        assert!(
            matches(
                &rule,
                &d,
                &incident("traffic.accident", opened + day, 121.5, 29.87, None)
            )
            .is_none()
        );
        assert!(
            matches(
                &rule,
                &d,
                &incident("public_order.fight", opened + day, far.0, far.1, Some("新典路89号"))
            )
            .is_none()
        );
    }

    #[test]
    fn rule_bounds() {
        assert!(Rule::new(-1.0, 10).is_err());
        assert!(Rule::new(50.0, 0).is_err());
        assert!(Rule::new(f64::NAN, 10).is_err());
        assert!(Rule::default().counts("public_order.fight"));
        assert!(!Rule::default().counts("public_order.fighting"));
    }

    proptest::proptest! {
        /// Any text: never a panic, and a key is stable under folding it again.
        #[test]
        fn keys_are_total_and_idempotent(s in "\\PC{0,40}") {
            if let Some(k) = address_key(&s) {
                proptest::prop_assert_eq!(address_key(&k), Some(k.clone()));
            }
        }
    }
}
