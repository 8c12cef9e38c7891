//! 110 回访: asking the public how it went. Each week a random sample of the
//! citizen-reported incidents and the cases closed that week, stratified by
//! station and kind (the incident's top category, the case's type), is
//! drawn from a seed fixed by the ledger's latest checkpoint — so no one
//! chooses whom to call, and anyone can draw it again — and each becomes a
//! `callback` case for the command centre. An unsatisfied answer opens a
//! follow-up in the closed loop; the answers give satisfaction (群众满意度)
//! and perceived safety (安全感) with their sample sizes and intervals.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use fengqiao_cases::CaseConfig;
use fengqiao_store::cases::{CaseFilter, CaseRecord, Party};
use fengqiao_store::{IncidentFilter, PageRequest, Store};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;

/// The case type a callback is.
pub const CASE_TYPE: &str = "callback";

/// The category an unsatisfied answer's follow-up is opened in.
pub const FOLLOW_UP_CATEGORY: &str = "request.police_service";

/// The share of each stratum drawn when none is asked.
pub const DEFAULT_SHARE: f64 = 0.1;

/// Most callbacks one draw opens.
pub const MAX_DRAWN: usize = 2_000;

/// Most units a week's population is read from.
const MAX_POPULATION: usize = 50_000;

/// Cases whose closing is asked about: the public's own matters.
const ASKED_TYPES: [&str; 3] = ["dispute", "hazard", "request"];

/// One incident or case that could be drawn back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// `incident:<id>` or `case:<code>`: what the draw ranks.
    pub key: String,
    pub station: String,
    /// `incident.<top category>` or `case.<type>`.
    pub kind: String,
    pub area: Option<String>,
    #[serde(skip)]
    pub what: String,
}

/// One stratum of a draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stratum {
    pub station: String,
    pub kind: String,
    pub population: usize,
    /// Unit keys drawn, in rank order.
    pub drawn: Vec<String>,
}

/// A week's draw as it is kept: enough to draw it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draw {
    pub week: String,
    pub share: f64,
    /// The hex seed the ranks come from, and what it was derived from.
    pub seed: String,
    pub seed_from: String,
    pub drawn_at: DateTime<Utc>,
    pub drawn_by: String,
    pub strata: Vec<Stratum>,
    /// The callback cases opened, in stratum and rank order.
    pub callbacks: Vec<String>,
}

fn setting_key(week: &str) -> String {
    format!("callback_draw:{week}")
}

/// `2026-W48` → its Monday.
pub fn week_monday(week: &str) -> Result<NaiveDate> {
    let bad = || Error::field("week", week, format!("week {week:?}: an ISO week, e.g. 2026-W48"));
    let (y, w) = week.split_once("-W").ok_or_else(bad)?;
    let (y, w): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
    NaiveDate::from_isoywd_opt(y, w, Weekday::Mon).ok_or_else(bad)
}

/// The ISO week a local day is in, as `2026-W48`.
pub fn week_of(day: NaiveDate) -> String {
    let w = day.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Each unit's rank in the draw: the seed and its key, hashed.
fn rank(seed: &str, key: &str) -> [u8; 32] {
    sha2::Sha256::digest(format!("{seed}|{key}")).into()
}

/// The sample: in each stratum (station, kind) of `units`, the
/// ⌈share × size⌉ units of lowest rank. Depends on nothing but its inputs.
pub fn sample(units: &[Unit], seed: &str, share: f64) -> Vec<Stratum> {
    let mut strata: BTreeMap<(String, String), Vec<&Unit>> = BTreeMap::new();
    for u in units {
        strata.entry((u.station.clone(), u.kind.clone())).or_default().push(u);
    }
    strata
        .into_iter()
        .map(|((station, kind), mut members)| {
            members.sort_by_key(|u| rank(seed, &u.key));
            let n = ((share * members.len() as f64) - 1e-9).ceil().max(0.0) as usize;
            Stratum {
                station,
                kind,
                population: members.len(),
                drawn: members.iter().take(n).map(|u| u.key.clone()).collect(),
            }
        })
        .collect()
}

/// The citizen-reported incidents of `dataset` closed in the week starting
/// `monday` (local), and the public's cases closed that week.
pub fn population(store: &dyn Store, dataset: &str, monday: NaiveDate, tz: chrono_tz::Tz) -> Result<Vec<Unit>> {
    let start = fengqiao_cases::calendar::day_start(&tz, monday);
    let end = fengqiao_cases::calendar::day_start(&tz, monday + Duration::days(7));
    let stations = crate::personnel::stations(store)?;
    let codes: std::collections::HashMap<i64, String> = store
        .jurisdictions()?
        .into_iter()
        .map(|j| (j.jurisdiction.id, j.jurisdiction.code))
        .collect();
    let mut units = Vec::new();
    let filter = IncidentFilter {
        dataset: Some(dataset.to_string()),
        // Closed in the week: reported up to two days before it.
        from: Some(start - Duration::days(2)),
        to: Some(end),
        origin: Some(fengqiao_domain::Origin::Citizen),
        ..Default::default()
    };
    let mut after = None;
    loop {
        let page = store.incidents(&filter, &PageRequest { limit: 1000, after })?;
        for i in &page.items {
            let closed = i.record.closed_at.unwrap_or(i.record.occurred_at);
            if closed < start || closed >= end {
                continue;
            }
            let area = i.record.jurisdiction_id.and_then(|id| codes.get(&id).cloned());
            let top = i.record.category.split('.').next().unwrap_or("other");
            units.push(Unit {
                key: format!("incident:{}", i.id),
                station: crate::personnel::station_serving(&stations, area.as_deref()),
                kind: format!("incident.{top}"),
                area,
                what: format!("110警情 #{}", i.id),
            });
        }
        if units.len() > MAX_POPULATION {
            return Err(Error::input(format!(
                "more than {MAX_POPULATION} incidents in one week"
            )));
        }
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    for t in ASKED_TYPES {
        let closed = store.cases(&CaseFilter {
            case_type: Some(t.into()),
            limit: Some(MAX_POPULATION),
            ..Default::default()
        })?;
        for c in closed
            .into_iter()
            .filter(|c| c.state.closed_at.is_some_and(|at| at >= start && at < end))
        {
            units.push(Unit {
                key: format!("case:{}", c.code),
                station: crate::personnel::station_serving(&stations, c.case.jurisdiction.as_deref()),
                kind: format!("case.{t}"),
                area: c.case.jurisdiction.clone(),
                what: format!("{} {}", c.code, c.case.title),
            });
        }
    }
    Ok(units)
}

/// The seed for `week`: the ledger's latest signed checkpoint (its origin,
/// size and root hash), which no one can know before it is published,
/// hashed with the week.
/// The seed's hex, and where it came from in English (kept with the draw)
/// and in Chinese (written on each callback).
fn seed(store: &dyn Store, week: &str) -> Result<(String, String, String)> {
    let (basis, from, from_zh) = match store.latest_checkpoint()? {
        Some(c) => {
            let body: Vec<&str> = c.note.lines().take(3).collect();
            (
                body.join("\n"),
                format!("ledger checkpoint of size {}", c.size),
                format!("取自存证账本第 {} 条的检查点", c.size),
            )
        }
        None => (
            String::new(),
            "no ledger checkpoint yet".to_string(),
            "存证账本尚无检查点".to_string(),
        ),
    };
    let hex = sha2::Sha256::digest(format!("{basis}|{week}"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((hex, from, from_zh))
}

/// A stratum's kind in words: the incident category's or the case type's
/// Chinese name.
fn kind_zh(config: &CaseConfig, kind: &str) -> String {
    if let Some(top) = kind.strip_prefix("incident.") {
        let table = fengqiao_domain::CategoryTable::default_110();
        let name = table
            .all()
            .iter()
            .find(|c| c.code == top)
            .map_or("其他", |c| c.zh.as_str());
        return format!("{name}类警情");
    }
    let t = kind.strip_prefix("case.").unwrap_or(kind);
    config.case_type(t).map_or_else(|| "案件".to_string(), |t| t.zh.clone())
}

/// Draws `week`'s sample (a week that has ended; once) and opens a callback
/// case for each unit drawn.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    store: &dyn Store,
    cases: &crate::settings::CaseSettings,
    dataset: &str,
    week: &str,
    share: f64,
    actor: &crate::cases::Actor,
    now: DateTime<Utc>,
) -> Result<Draw> {
    let Some(t) = cases.config.case_type(CASE_TYPE) else {
        return Err(Error::input(format!(
            "the case configuration has no {CASE_TYPE:?} type"
        )));
    };
    if !t.opened_by.contains(&actor.role) {
        return Err(Error::new(
            crate::error::Code::Forbidden,
            format!(
                "a {} may not draw callbacks: the command centre does (those who handled the incidents do not)",
                actor.role
            ),
        ));
    }
    if !(share > 0.0 && share <= 1.0) {
        return Err(Error::field(
            "share",
            &share.to_string(),
            "a share above 0 and at most 1",
        ));
    }
    let tz = cases.config.calendar.timezone();
    let monday = week_monday(week)?;
    let today = now.with_timezone(&tz).date_naive();
    if monday + Duration::days(7) > today {
        return Err(Error::field(
            "week",
            week,
            format!("week {week} has not ended: its closed incidents and cases are not all in"),
        ));
    }
    if monday + Duration::weeks(53) < today {
        return Err(Error::field("week", week, format!("week {week}: within the last year")));
    }
    if store.get_setting(&setting_key(week))?.is_some() {
        return Err(Error::conflict(format!(
            "week {week} is drawn already: a draw is made once, so no one can choose whom to call"
        )));
    }
    let units = population(store, dataset, monday, tz)?;
    let (seed, seed_from, seed_from_zh) = seed(store, week)?;
    let strata = sample(&units, &seed, share);
    let drawn: usize = strata.iter().map(|s| s.drawn.len()).sum();
    if drawn > MAX_DRAWN {
        return Err(Error::field(
            "share",
            &share.to_string(),
            format!("{drawn} callbacks: at most {MAX_DRAWN} a week; ask a smaller share"),
        ));
    }
    let by_key: std::collections::HashMap<&str, &Unit> = units.iter().map(|u| (u.key.as_str(), u)).collect();
    let mut callbacks = Vec::with_capacity(drawn);
    for s in &strata {
        for (k, key) in s.drawn.iter().enumerate() {
            let u = by_key[key.as_str()];
            let incident = key.starts_with("incident:");
            // The person to call: a case's applicant or reporter, from its own record
            // (a list of cases does not carry parties).
            let party: Option<Party> = match key.strip_prefix("case:") {
                Some(code) => store.case_by_code(code)?.and_then(|c| {
                    c.case
                        .parties
                        .into_iter()
                        .find(|p| p.role == "applicant" || p.role == "reporter")
                }),
                None => None,
            };
            let description = format!(
                "{week} 回访抽样（种子 {}…，{seed_from_zh}）：{}·{}分层，抽中第 {}/{} 个（该层共 {} 个）。",
                &seed[..12],
                if s.station.is_empty() { "—" } else { &s.station },
                kind_zh(&cases.config, &s.kind),
                k + 1,
                s.drawn.len(),
                s.population
            );
            let req = crate::cases::OpenCase {
                parties: party.into_iter().collect(),
                incident_id: key.strip_prefix("incident:").and_then(|id| id.parse().ok()),
                ..crate::cases::OpenCase::by_system(
                    CASE_TYPE,
                    if incident { "callback.incident" } else { "callback.case" },
                    format!("回访：{}", u.what),
                    description,
                    u.area.clone(),
                )
            };
            callbacks.push(crate::cases::open(store, cases, req, actor, now)?.case.code);
        }
    }
    let draw = Draw {
        week: week.to_string(),
        share,
        seed,
        seed_from,
        drawn_at: now,
        drawn_by: actor.username.clone(),
        strata,
        callbacks,
    };
    store.set_setting(&setting_key(week), &serde_json::to_string(&draw)?)?;
    Ok(draw)
}

/// A week's draw, if it was made.
pub fn draw_of(store: &dyn Store, week: &str) -> Result<Option<Draw>> {
    week_monday(week)?;
    match store.get_setting(&setting_key(week))? {
        Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        None => Ok(None),
    }
}

/// After a callback's answer: an unsatisfied one opens a follow-up
/// (`request.police_service`) in the callback's area, naming it and why.
pub fn follow_up(
    store: &dyn Store,
    cases: &crate::settings::CaseSettings,
    callback: &CaseRecord,
    event: &fengqiao_cases::Event,
) -> Result<Option<String>> {
    let Some(d) = event.details.as_ref() else {
        return Ok(None);
    };
    if callback.case.case_type != CASE_TYPE || event.action != "answer" || d["satisfaction"] != "unsatisfied" {
        return Ok(None);
    }
    let key = format!("callback_follow_up:{}", callback.code);
    if let Some(code) = store.get_setting(&key)? {
        return Ok(Some(code));
    }
    let reasons: Vec<&str> = d["reasons"]
        .as_array()
        .map(|xs| xs.iter().filter_map(|x| x.as_str()).map(reason_zh).collect())
        .unwrap_or_default();
    let comment = d["comment"].as_str().unwrap_or("");
    let req = crate::cases::OpenCase {
        parties: callback.case.parties.clone(),
        incident_id: callback.case.incident_id,
        origin: Some("callback".into()),
        ..crate::cases::OpenCase::by_system(
            "request",
            FOLLOW_UP_CATEGORY,
            format!("回访不满意：{}", callback.case.title.trim_start_matches("回访：")),
            format!(
                "{} 回访不满意（{}）{}{}",
                callback.code,
                reasons.join("、"),
                if comment.is_empty() { "" } else { "：" },
                comment
            ),
            callback.case.jurisdiction.clone(),
        )
    };
    let system = crate::cases::Actor {
        role: "system".into(),
        username: "system:callback".into(),
    };
    // A request opened by the system: the configuration lets citizens and staff open requests.
    let opener = if cases
        .config
        .case_type("request")
        .is_some_and(|t| t.opened_by.iter().any(|r| r == "system"))
    {
        system
    } else {
        crate::cases::Actor {
            role: event.role.clone(),
            username: event.actor.clone(),
        }
    };
    let code = crate::cases::open(store, cases, req, &opener, event.at)?.case.code;
    store.set_setting(&key, &code)?;
    Ok(Some(code))
}

fn reason_zh(r: &str) -> &'static str {
    match r {
        "slow" => "出警慢",
        "attitude" => "态度差",
        "unsolved" => "问题未解决",
        "no_feedback" => "无反馈",
        _ => "其他",
    }
}

/// A share with its 95 % Wilson interval and the sample it is of.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    pub n: usize,
    pub yes: usize,
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// The Wilson score interval (95 %): meaningful at 0 and n, never outside [0, 1].
pub fn wilson(yes: usize, n: usize) -> Share {
    if n == 0 {
        return Share {
            n,
            yes,
            share: None,
            low: None,
            high: None,
        };
    }
    let (z, nf) = (1.959_963_984_540_054_f64, n as f64);
    let p = yes as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt();
    Share {
        n,
        yes,
        share: Some(p),
        low: Some((centre - half).max(0.0)),
        high: Some((centre + half).min(1.0)),
    }
}

/// One group's answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// A station code, a town code, or a month (`2026-11`).
    pub key: String,
    pub name: String,
    pub drawn: usize,
    pub reached: usize,
    pub satisfied: usize,
    pub basically: usize,
    pub unsatisfied: usize,
    /// Satisfied or basically satisfied, of those reached (群众满意率).
    pub satisfaction: Share,
    /// Safe or basically safe, of those who answered it (安全感).
    pub safety: Share,
    pub follow_ups: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SatisfactionReport {
    pub months: u32,
    pub total: Group,
    pub by_station: Vec<Group>,
    pub by_town: Vec<Group>,
    pub by_month: Vec<Group>,
}

/// Most months a report covers.
pub const MAX_MONTHS: u32 = 24;

#[derive(Default)]
struct Tally {
    drawn: usize,
    reached: usize,
    satisfied: usize,
    basically: usize,
    unsatisfied: usize,
    safety_n: usize,
    safe: usize,
    follow_ups: usize,
}

impl Tally {
    fn group(&self, key: String, name: String) -> Group {
        Group {
            key,
            name,
            drawn: self.drawn,
            reached: self.reached,
            satisfied: self.satisfied,
            basically: self.basically,
            unsatisfied: self.unsatisfied,
            satisfaction: wilson(self.satisfied + self.basically, self.reached),
            safety: wilson(self.safe, self.safety_n),
            follow_ups: self.follow_ups,
        }
    }
}

/// Satisfaction and perceived safety from the callbacks opened in the last
/// `months` months (this one included) in `area`, by station, town and month.
pub fn report(
    store: &dyn Store,
    config: &CaseConfig,
    area: Option<&str>,
    months: u32,
    now: DateTime<Utc>,
) -> Result<SatisfactionReport> {
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(Error::field(
            "months",
            &months.to_string(),
            format!("months {months}: 1 to {MAX_MONTHS}"),
        ));
    }
    let tz = config.calendar.timezone();
    let today = now.with_timezone(&tz).date_naive();
    let (mut y, mut m) = (today.year(), today.month());
    for _ in 1..months {
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    let since =
        fengqiao_cases::calendar::day_start(&tz, NaiveDate::from_ymd_opt(y, m, 1).expect("a month's first day"));
    let stations = crate::personnel::stations(store)?;
    let areas = store.jurisdictions()?;
    let towns: Vec<(&str, &str)> = areas
        .iter()
        .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
        .map(|j| (j.jurisdiction.code.as_str(), j.jurisdiction.name_zh.as_str()))
        .collect();
    let callbacks = store.cases(&CaseFilter {
        case_type: Some(CASE_TYPE.into()),
        jurisdiction: area.map(String::from),
        limit: Some(MAX_POPULATION),
        ..Default::default()
    })?;
    let (mut total, mut by_station, mut by_town, mut by_month) = (
        Tally::default(),
        BTreeMap::<String, Tally>::new(),
        BTreeMap::<String, Tally>::new(),
        BTreeMap::<String, Tally>::new(),
    );
    let in_period: Vec<_> = callbacks
        .iter()
        .filter(|c| c.state.opened_at >= since && c.state.opened_at <= now)
        .collect();
    let mut events = store.cases_events(&in_period.iter().map(|c| c.id).collect::<Vec<_>>())?;
    for c in in_period {
        let j = c.case.jurisdiction.as_deref();
        let station = crate::personnel::station_serving(&stations, j);
        let town = j
            .and_then(|j| crate::personnel::enclosing(towns.iter().map(|(t, _)| *t), j))
            .map_or_else(String::new, String::from);
        let local = c.state.opened_at.with_timezone(&tz);
        let month = format!("{}-{:02}", local.year(), local.month());
        let answer = events
            .remove(&c.id)
            .unwrap_or_default()
            .into_iter()
            .find(|e| e.action == "answer")
            .and_then(|e| e.details);
        let follow_up = store.get_setting(&format!("callback_follow_up:{}", c.code))?.is_some();
        for t in [
            &mut total,
            by_station.entry(station.clone()).or_default(),
            by_town.entry(town.clone()).or_default(),
            by_month.entry(month.clone()).or_default(),
        ] {
            t.drawn += 1;
            t.follow_ups += usize::from(follow_up);
            let Some(a) = &answer else { continue };
            t.reached += 1;
            match a["satisfaction"].as_str() {
                Some("satisfied") => t.satisfied += 1,
                Some("basically") => t.basically += 1,
                _ => t.unsatisfied += 1,
            }
            if let Some(s) = a["safety"].as_str() {
                t.safety_n += 1;
                t.safe += usize::from(s != "unsafe");
            }
        }
    }
    let named = |code: &str| -> String {
        towns
            .iter()
            .find(|(t, _)| *t == code)
            .map_or_else(String::new, |(_, n)| n.to_string())
    };
    let station_name = |code: &str| -> String {
        stations
            .iter()
            .find(|s| s.code == code)
            .map_or_else(String::new, |s| s.name_zh.clone())
    };
    Ok(SatisfactionReport {
        months,
        total: total.group(String::new(), String::new()),
        by_station: by_station
            .iter()
            .map(|(k, t)| t.group(k.clone(), station_name(k)))
            .collect(),
        by_town: by_town.iter().map(|(k, t)| t.group(k.clone(), named(k))).collect(),
        by_month: by_month.iter().map(|(k, t)| t.group(k.clone(), k.clone())).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<Unit> {
        let mut out = Vec::new();
        for (station, kind, n) in [
            ("PS01", "incident.criminal", 40),
            ("PS01", "case.request", 7),
            ("PS02", "incident.criminal", 3),
        ] {
            for i in 0..n {
                out.push(Unit {
                    key: format!("{kind}:{station}:{i}"),
                    station: station.into(),
                    kind: kind.into(),
                    area: None,
                    what: String::new(),
                });
            }
        }
        out
    }

    #[test]
    fn a_draw_is_stratified_as_configured_and_the_same_from_the_same_seed() {
        let all = units();
        let a = sample(&all, "seed-1", 0.1);
        let sizes: Vec<(usize, usize)> = a.iter().map(|s| (s.population, s.drawn.len())).collect();
        // ⌈10 % of each stratum⌉: 40 → 4, 7 → 1, 3 → 1.
        assert_eq!(sizes, vec![(7, 1), (40, 4), (3, 1)]);
        for s in &a {
            assert!(s.drawn.iter().all(|k| {
                all.iter()
                    .any(|u| &u.key == k && u.station == s.station && u.kind == s.kind)
            }));
        }
        // The same seed and units in another order: the same draw.
        let mut shuffled = all.clone();
        shuffled.reverse();
        assert_eq!(sample(&shuffled, "seed-1", 0.1), a);
        // Another seed: another draw, of the same sizes.
        let b = sample(&all, "seed-2", 0.1);
        assert_ne!(b, a);
        assert_eq!(b.iter().map(|s| s.drawn.len()).collect::<Vec<_>>(), vec![1, 4, 1]);
        assert_eq!(
            sample(&all, "seed-1", 1.0).iter().map(|s| s.drawn.len()).sum::<usize>(),
            50
        );
    }

    #[test]
    fn wilson_intervals_stay_meaningful_at_the_edges() {
        let none = wilson(0, 0);
        assert_eq!((none.share, none.low, none.high), (None, None, None));
        let all = wilson(20, 20);
        assert_eq!(all.share, Some(1.0));
        assert!(all.low.unwrap() > 0.8 && all.low.unwrap() < 0.9 && all.high == Some(1.0));
        let zero = wilson(0, 20);
        assert!(zero.low == Some(0.0) && zero.high.unwrap() > 0.1 && zero.high.unwrap() < 0.2);
        // A textbook value: 81 of 263 → [0.255, 0.366].
        let w = wilson(81, 263);
        assert!(
            (w.low.unwrap() - 0.2553).abs() < 5e-4 && (w.high.unwrap() - 0.3662).abs() < 5e-4,
            "{w:?}"
        );
    }

    #[test]
    fn weeks_are_iso_weeks() {
        assert_eq!(
            week_monday("2026-W49").unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(week_of(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()), "2026-W49");
        assert_eq!(week_of(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()), "2026-W53");
        assert!(week_monday("2026-48").is_err());
        assert!(week_monday("2026-W60").is_err());
    }
}
