//! 反诈宣传: communities where fraud is rising — anti-fraud warnings and
//! fraud incidents of the last four weeks against the twelve before, a
//! Poisson test — with the ages of the people warned (from their resident
//! ID numbers, where the centre sent them) and the volunteers whose skills
//! and areas fit; a commander opens a campaign of talks and visits there
//! (a `prevention` case, `prevention.fraud_talk`), and its reach is the
//! households its record says were visited and the people the volunteers'
//! talks linked to it reached.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use fengqiao_store::cases::CaseFilter;
use fengqiao_store::{IncidentFilter, PageRequest, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// The category a campaign is opened in.
pub const CATEGORY: &str = "prevention.fraud_talk";

/// The recent window and the baseline before it, days.
pub const RECENT_DAYS: i64 = 28;
pub const BASELINE_DAYS: i64 = 84;

/// Fewest recent events that can make a community "rising".
const MIN_RECENT: usize = 3;

/// The false discovery rate the communities are flagged at (Benjamini–
/// Hochberg over every community in sight: tested one by one at 5 %, a
/// city of seventy would flag three or four by chance every month).
const FDR: f64 = 0.05;

/// The expected count never below this: a community with nothing in its
/// baseline is not rising on one or two events.
const MIN_EXPECTED: f64 = 0.5;

/// Most volunteers suggested for a campaign.
const MAX_SUGGESTED: usize = 5;

/// Fraud incidents: this category and every sub-category.
const FRAUD_INCIDENTS: &str = "criminal.fraud";

/// A volunteer who could take part: skills and areas fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggested {
    pub id: i64,
    pub name: String,
    pub skills: Vec<String>,
    pub hours: f64,
}

/// One community's counts and its test.
struct Tested {
    area: String,
    warned: usize,
    incidents: usize,
    baseline: usize,
    expected: f64,
    p_value: f64,
    ages: BTreeMap<String, usize>,
}

/// A community where fraud is rising.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rising {
    pub area: String,
    /// Whether fraud incidents were counted (the dataset reaches back over
    /// the baseline) or warnings only.
    pub incidents_counted: bool,
    pub name: String,
    pub station: String,
    /// Warnings and fraud incidents in the last 28 days, and in the 84 before.
    pub recent: usize,
    pub baseline: usize,
    pub recent_warnings: usize,
    pub recent_incidents: usize,
    /// What the baseline rate predicts for 28 days, and recent over it.
    pub expected: f64,
    pub ratio: f64,
    /// P(at least `recent` | Poisson(`expected`)).
    pub p_value: f64,
    /// The recent warnings' people by age group (`under_30`, `30_59`,
    /// `60_plus`, `unknown`): from resident ID numbers only.
    pub ages: BTreeMap<String, usize>,
    pub volunteers: Vec<Suggested>,
    /// The campaign opened in the last 28 days, with its reach so far.
    pub campaign: Option<CampaignReach>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignReach {
    pub code: String,
    pub stage: String,
    /// Households visited (the campaign's `warn` records) and people at the
    /// volunteers' talks recorded against it.
    pub households: u64,
    pub talk_reach: u64,
    pub talks: usize,
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_upper(k: usize, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let (mut term, mut below) = ((-lambda).exp(), 0.0);
    for i in 0..k {
        if i > 0 {
            term *= lambda / i as f64;
        }
        below += term;
    }
    (1.0 - below).max(0.0)
}

/// The largest p-value flagged by the Benjamini–Hochberg procedure at
/// `rate` among `m` tests (those not in `p` count as p = 1), if any is.
pub fn benjamini_hochberg(p: &[f64], m: usize, rate: f64) -> Option<f64> {
    let mut sorted = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .iter()
        .enumerate()
        .filter(|(k, x)| **x <= (*k as f64 + 1.0) / m as f64 * rate)
        .map(|(_, x)| *x)
        .next_back()
}

/// The age group of the holder of a resident ID number on `today`.
fn age_group(id_number: Option<&str>, today: NaiveDate) -> &'static str {
    let Some(birth) = id_number
        .filter(|n| fengqiao_cases::identity::check_resident_id(n).is_ok())
        .and_then(|n| NaiveDate::parse_from_str(&n[6..14], "%Y%m%d").ok())
    else {
        return "unknown";
    };
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    match age {
        ..30 => "under_30",
        30..60 => "30_59",
        _ => "60_plus",
    }
}

fn key(area: &str) -> String {
    format!("fraud_campaign:{area}")
}

/// The communities (villages) where fraud is rising, as `now` stands, in
/// `scope` (every area: `None`), the most significant first.
pub fn rising(
    store: &dyn Store,
    config: &fengqiao_cases::CaseConfig,
    dataset: Option<&str>,
    scope: Option<&str>,
    sees_personal_data: bool,
    now: DateTime<Utc>,
) -> Result<Vec<Rising>> {
    let tz = config.calendar.timezone();
    let today = now.with_timezone(&tz).date_naive();
    let recent_from = now - Duration::days(RECENT_DAYS);
    let baseline_from = recent_from - Duration::days(BASELINE_DAYS);
    let areas = store.jurisdictions()?;
    let towns: Vec<&str> = areas
        .iter()
        .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
        .map(|j| j.jurisdiction.code.as_str())
        .collect();
    let villages: Vec<(&str, &str)> = areas
        .iter()
        .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Village)
        .map(|j| (j.jurisdiction.code.as_str(), j.jurisdiction.name_zh.as_str()))
        .collect();
    let village_of = |code: &str| crate::personnel::enclosing(villages.iter().map(|(v, _)| *v), code);
    // (recent warnings, recent incidents, baseline, ages)
    let mut tally: BTreeMap<String, (usize, usize, usize, BTreeMap<String, usize>)> = BTreeMap::new();
    let warnings = store.cases(&CaseFilter {
        case_type: Some(crate::anti_fraud::CASE_TYPE.into()),
        jurisdiction: scope.map(String::from),
        limit: Some(50_000),
        ..Default::default()
    })?;
    for w in warnings
        .iter()
        .filter(|w| w.state.opened_at >= baseline_from && w.state.opened_at <= now)
    {
        let Some(v) = w.case.jurisdiction.as_deref().and_then(village_of) else {
            continue;
        };
        let t = tally.entry(v.to_string()).or_default();
        if w.state.opened_at >= recent_from {
            t.0 += 1;
            // A list does not carry parties: the warning's person from its own record.
            let person = store.case(w.id)?.and_then(|c| c.case.parties.into_iter().next());
            let id = person.as_ref().and_then(|p| p.id_number.as_deref());
            *t.3.entry(age_group(id, today).to_string()).or_default() += 1;
        } else {
            t.2 += 1;
        }
    }
    // Incidents count only where the dataset reaches back over the baseline:
    // a short history would make every community with a recent fraud "rising".
    let covered = match dataset {
        Some(d) => !store
            .incidents(
                &IncidentFilter {
                    dataset: Some(d.to_string()),
                    to: Some(baseline_from + Duration::days(7)),
                    ..Default::default()
                },
                &PageRequest { limit: 1, after: None },
            )?
            .items
            .is_empty(),
        None => false,
    };
    if let Some(dataset) = dataset.filter(|_| covered) {
        let ids: std::collections::HashMap<i64, &str> = areas
            .iter()
            .map(|j| (j.jurisdiction.id, j.jurisdiction.code.as_str()))
            .collect();
        let filter = IncidentFilter {
            dataset: Some(dataset.to_string()),
            from: Some(baseline_from),
            to: Some(now),
            category: Some(FRAUD_INCIDENTS.into()),
            jurisdiction: scope.map(String::from),
            ..Default::default()
        };
        let mut after = None;
        loop {
            let page = store.incidents(&filter, &PageRequest { limit: 1000, after })?;
            for i in &page.items {
                let Some(v) = i
                    .record
                    .jurisdiction_id
                    .and_then(|id| ids.get(&id))
                    .and_then(|c| village_of(c))
                else {
                    continue;
                };
                let t = tally.entry(v.to_string()).or_default();
                if i.record.occurred_at >= recent_from {
                    t.1 += 1;
                } else {
                    t.2 += 1;
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
    }
    let stations = crate::personnel::stations(store)?;
    let volunteers: Vec<_> = store
        .volunteers(Some("safety_talk"), None)?
        .into_iter()
        .filter(|v| v.active)
        .collect();
    // Each community's one-sided test, then Benjamini–Hochberg over all of them.
    let tested: Vec<Tested> = tally
        .into_iter()
        .map(|(area, (warned, incidents, baseline, ages))| {
            let expected = (baseline as f64 * RECENT_DAYS as f64 / BASELINE_DAYS as f64).max(MIN_EXPECTED);
            Tested {
                p_value: poisson_upper(warned + incidents, expected),
                area,
                warned,
                incidents,
                baseline,
                expected,
                ages,
            }
        })
        .collect();
    let in_sight = villages
        .iter()
        .filter(|(v, _)| scope.is_none_or(|s| v.starts_with(s)))
        .count();
    let threshold = benjamini_hochberg(
        &tested.iter().map(|t| t.p_value).collect::<Vec<_>>(),
        in_sight.max(tested.len()),
        FDR,
    );
    let mut out = Vec::new();
    for Tested {
        area,
        warned,
        incidents,
        baseline,
        expected,
        p_value,
        ages,
    } in tested
    {
        let recent = warned + incidents;
        if recent < MIN_RECENT || threshold.is_none_or(|t| p_value > t) {
            continue;
        }
        let older = ages.get("60_plus").copied().unwrap_or(0);
        let aged: usize = ages.iter().filter(|(k, _)| *k != "unknown").map(|(_, n)| n).sum();
        // Where the people warned are mostly older, those who also care for the elderly first.
        let elderly = aged > 0 && older * 3 >= aged;
        // Those serving the community, then others of its town; within each,
        // elderly care first where it fits, then the least busy.
        let town = crate::personnel::enclosing(towns.iter().copied(), &area);
        let mut fit: Vec<_> = volunteers
            .iter()
            .filter(|v| v.matches(None, Some(&area)) || town.is_some_and(|t| v.matches(None, Some(t))))
            .collect();
        fit.sort_by(|a, b| {
            let here = |v: &&fengqiao_store::volunteers::Volunteer| v.matches(None, Some(&area));
            let cares = |v: &&fengqiao_store::volunteers::Volunteer| {
                elderly && v.volunteer.skills.iter().any(|s| s == "elderly_care")
            };
            here(b)
                .cmp(&here(a))
                .then(cares(b).cmp(&cares(a)))
                .then(a.hours.total_cmp(&b.hours))
                .then(a.id.cmp(&b.id))
        });
        let suggested = fit
            .into_iter()
            .take(MAX_SUGGESTED)
            .map(|v| {
                let v = v.clone().masked(sees_personal_data);
                Suggested {
                    id: v.id,
                    name: v.volunteer.name,
                    skills: v.volunteer.skills,
                    hours: v.hours,
                }
            })
            .collect();
        out.push(Rising {
            incidents_counted: covered,
            name: villages
                .iter()
                .find(|(v, _)| *v == area)
                .map_or_else(String::new, |(_, n)| n.to_string()),
            station: crate::personnel::station_serving(&stations, Some(&area)),
            campaign: campaign_reach(store, &area, now)?,
            area,
            recent,
            baseline,
            recent_warnings: warned,
            recent_incidents: incidents,
            expected,
            ratio: recent as f64 / expected,
            p_value,
            ages,
            volunteers: suggested,
        });
    }
    out.sort_by(|a, b| a.p_value.total_cmp(&b.p_value).then(b.recent.cmp(&a.recent)));
    Ok(out)
}

/// The campaign opened in `area` within the recent window, with its reach.
fn campaign_reach(store: &dyn Store, area: &str, now: DateTime<Utc>) -> Result<Option<CampaignReach>> {
    let Some(code) = store.get_setting(&key(area))? else {
        return Ok(None);
    };
    let Some(case) = store.case_by_code(&code)? else {
        return Ok(None);
    };
    if case.state.opened_at < now - Duration::days(RECENT_DAYS) {
        return Ok(None);
    }
    let households = store
        .case_events(case.id)?
        .iter()
        .filter(|e| e.action == "warn")
        .filter_map(|e| e.details.as_ref().and_then(|d| d["households"].as_u64()))
        .sum();
    let talks: Vec<_> = store
        .activities(case.state.opened_at, now + Duration::days(1))?
        .into_iter()
        .filter(|a| a.activity.case_code.as_deref() == Some(code.as_str()))
        .collect();
    Ok(Some(CampaignReach {
        stage: case.state.stage.clone(),
        households,
        talk_reach: talks.iter().map(|a| u64::from(a.activity.reach)).sum(),
        talks: talks.len(),
        code,
    }))
}

/// Opens a campaign of anti-fraud talks and visits in a rising community
/// (once in 28 days), naming the volunteers whose skills fit.
pub fn open(
    store: &dyn Store,
    cases: &crate::settings::CaseSettings,
    dataset: Option<&str>,
    area: &str,
    actor: &crate::cases::Actor,
    now: DateTime<Utc>,
) -> Result<String> {
    let found = rising(store, &cases.config, dataset, Some(area), true, now)?
        .into_iter()
        .find(|r| r.area == area)
        .ok_or_else(|| {
            Error::field(
                "area",
                area,
                format!("fraud is not rising in {area}: a campaign is for a community where it is"),
            )
        })?;
    if let Some(c) = &found.campaign {
        return Err(Error::conflict(format!(
            "{area} has a campaign from the last {RECENT_DAYS} days already: {}",
            c.code
        )));
    }
    let ages: Vec<String> = [("60_plus", "60岁以上"), ("30_59", "30–59岁"), ("under_30", "30岁以下")]
        .iter()
        .filter_map(|(k, zh)| found.ages.get(*k).filter(|n| **n > 0).map(|n| format!("{zh} {n} 人")))
        .collect();
    // By registry number: a case's text is read by every role, masked for none.
    let names: Vec<String> = found.volunteers.iter().map(|v| format!("{}号", v.id)).collect();
    let description = format!(
        "近{RECENT_DAYS}天诈骗警情与预警 {} 起（其中预警 {} 起），此前每{RECENT_DAYS}天约 {:.1} 起（p = {:.3}）。{}请组织反诈宣讲并上门提醒重点人群，记录走访户数；志愿者宣讲记入志愿活动并关联本案件。{}",
        found.recent,
        found.recent_warnings,
        found.expected,
        found.p_value,
        if ages.is_empty() {
            String::new()
        } else {
            format!("被预警人员：{}。", ages.join("，"))
        },
        if names.is_empty() {
            "辖区内暂无具备宣讲技能的志愿者。".to_string()
        } else {
            format!("建议参与的志愿者（志愿者名册编号）：{}。", names.join("、"))
        }
    );
    let req = crate::cases::OpenCase {
        origin: None,
        ..crate::cases::OpenCase::by_system(
            crate::prevention::TASK_TYPE,
            CATEGORY,
            format!("{}反诈宣传走访", found.name),
            description,
            Some(area.to_string()),
        )
    };
    let code = crate::cases::open(store, cases, req, actor, now)?.case.code;
    store.set_setting(&key(area), &code)?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_tail_matches_hand_values() {
        assert_eq!(poisson_upper(0, 2.0), 1.0);
        // P(X ≥ 1 | 2) = 1 − e^−2; P(X ≥ 3 | 0.5) = 1 − e^−0.5 (1 + 0.5 + 0.125).
        assert!((poisson_upper(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        assert!((poisson_upper(3, 0.5) - 0.014_387_677_966_970_7).abs() < 1e-12);
        // Ten when four are expected.
        assert!((poisson_upper(10, 4.0) - 0.008_132_242_796_934).abs() < 1e-12);
    }

    #[test]
    fn benjamini_hochberg_flags_the_step_up_set() {
        // Ten tests: the three smallest pass at 5 % (0.005 ≤ 0.005, 0.009 ≤ 0.010, 0.012 ≤ 0.015); 0.04 > 0.02.
        let p = [0.005, 0.009, 0.012, 0.04, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9];
        assert_eq!(benjamini_hochberg(&p, 10, 0.05), Some(0.012));
        // Step-up: a later pass carries the earlier ones with it.
        assert_eq!(benjamini_hochberg(&[0.02, 0.03], 2, 0.05), Some(0.03));
        assert_eq!(benjamini_hochberg(&[0.02], 70, 0.05), None);
        assert_eq!(benjamini_hochberg(&[], 5, 0.05), None);
    }

    #[test]
    fn ages_come_from_valid_resident_ids_only() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        // GB 11643 example numbers with valid check characters.
        assert_eq!(age_group(Some("11010519491231002X"), today), "60_plus");
        assert_eq!(age_group(Some("110105200012310014"), today), "under_30");
        assert_eq!(age_group(Some("110105198001010016"), today), "30_59");
        assert_eq!(
            age_group(Some("110105200012310010"), today),
            "unknown",
            "a wrong check digit"
        );
        assert_eq!(age_group(None, today), "unknown");
        // The demo's made-up numbers are valid ones.
        let mut rng = fengqiao_demo::Rng::new(7);
        for year in [1941, 1965, 2004] {
            let id = crate::demo_cases::resident_id(&mut rng, year);
            assert!(fengqiao_cases::identity::check_resident_id(&id).is_ok(), "{id}");
        }
    }
}
