//! Seeds the demo with disputes, hazards and citizens' requests at every
//! stage, so boards and reports have something real to show. Each case is
//! placed at a demo incident's address in its village and moved through the
//! engine by the roles that would act on it, at working-time offsets from
//! its opening; what happens to each case is fixed by the seed, the dates
//! follow the day the demo is loaded (so deadlines are live).

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use fengqiao_cases::{CaseConfig, Command};
use fengqiao_demo::Rng;
use fengqiao_store::cases::{NewCase, Party, act, open_case};
use fengqiao_store::{IncidentFilter, PageRequest, Store};

/// (action, role) scripts; every prefix of each is a case at one stage.
const LOOP: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("start", "department"),
    ("report", "department"),
    ("verify", "officer"),
    ("close", "officer"),
];
const REWORKED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("start", "department"),
    ("report", "department"),
    ("rework", "officer"),
    ("report", "department"),
    ("verify", "officer"),
    ("close", "officer"),
];
const RETURNED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("return", "department"),
    ("dispatch", "commander"),
];
const EXTENDED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("start", "department"),
    ("request_extension", "department"),
    ("approve_extension", "commander"),
];
const SIDE: &[&[(&str, &str)]] = &[
    &[("reject", "officer")],
    &[
        ("register", "officer"),
        ("dispatch", "commander"),
        ("start", "department"),
        ("defer", "commander"),
    ],
];
const LISTED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("dispatch", "commander"),
    ("start", "department"),
    ("list", "commander"),
];
const MEDIATED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("assign", "officer"),
    ("session", "mediator"),
    ("session", "mediator"),
    ("agree", "mediator"),
    ("visit", "volunteer"),
    ("visit", "mediator"),
    ("close", "officer"),
];
const ESCALATED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("assign", "officer"),
    ("session", "mediator"),
    ("fail", "mediator"),
    ("escalate", "officer"),
    ("assign", "commander"),
    ("session", "mediator"),
    ("agree", "mediator"),
];
const REFERRED: &[(&str, &str)] = &[
    ("register", "officer"),
    ("assign", "officer"),
    ("session", "mediator"),
    ("fail", "mediator"),
    ("refer", "officer"),
];

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林',
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英",
];

fn title(category: &str) -> &'static str {
    match category {
        "hazard.fire" => "楼道堆放杂物、电动车违规充电",
        "hazard.building" => "老旧房屋外墙脱落",
        "hazard.traffic" => "路口视线遮挡、事故多发",
        "hazard.public_security" => "空置厂房夜间聚集",
        "hazard.food" => "无证摊贩食品安全隐患",
        "request.noise" => "夜间施工噪声扰民",
        "request.road" => "人行道破损",
        "request.lighting" => "路灯不亮",
        "request.sanitation" => "垃圾清运不及时",
        "request.consumer" => "预付卡商家关门退费难",
        "request.neighbourhood" => "楼上漏水影响楼下",
        "dispute.neighbour" => "邻里噪声与占道纠纷",
        "dispute.family" => "家庭赡养纠纷",
        "dispute.labour" => "工资拖欠纠纷",
        "dispute.land" => "宅基地边界纠纷",
        "dispute.property_management" => "物业费与停车纠纷",
        "dispute.consumer" => "装修质量纠纷",
        "dispute.traffic" => "轻微交通事故赔偿纠纷",
        _ => "其他事项",
    }
}

pub(crate) fn person(rng: &mut Rng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.below(SURNAMES.len())],
        GIVEN[rng.below(GIVEN.len())]
    )
}

pub(crate) fn phone(rng: &mut Rng) -> String {
    format!("13{}{:08}", 5 + rng.below(5), rng.below(100_000_000))
}

/// Opens and moves the demo's cases; returns how many. Does nothing if the
/// database already holds cases.
pub fn seed(
    store: &dyn Store,
    settings: &crate::settings::CaseSettings,
    seed: u64,
    now: DateTime<Utc>,
) -> Result<usize> {
    let config: &CaseConfig = &settings.config;
    // Rounds of warnings open as the incidents are imported: the demo's own
    // cases are the disputes, hazards and requests.
    let existing = store.cases(&fengqiao_store::cases::CaseFilter {
        case_type: Some("dispute".into()),
        limit: Some(1),
        ..Default::default()
    })?;
    if !existing.is_empty() {
        return Ok(0);
    }
    work_rounds(store, config, now)?;
    let codes: std::collections::HashMap<i64, String> = store
        .jurisdictions()?
        .into_iter()
        .map(|j| (j.jurisdiction.id, j.jurisdiction.code))
        .collect();
    let places: Vec<_> = store
        .incidents(
            &IncidentFilter {
                dataset: Some("demo".into()),
                ..Default::default()
            },
            &PageRequest {
                limit: 1000,
                after: None,
            },
        )?
        .items
        .into_iter()
        .filter(|i| i.record.address.is_some() && i.record.jurisdiction_id.is_some())
        .collect();
    if places.is_empty() {
        return Ok(0);
    }
    let mut rng = Rng::new(seed ^ 0xCA5E);
    let mut scripts: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (case_type, full) in [
        ("hazard", LOOP),
        ("hazard", REWORKED),
        ("request", LOOP),
        ("request", REWORKED),
    ] {
        for n in 0..=full.len() {
            scripts.push((case_type, full[..n].to_vec()));
        }
    }
    for case_type in ["hazard", "request"] {
        for s in [RETURNED, EXTENDED].iter().chain(SIDE) {
            scripts.push((case_type, s.to_vec()));
        }
    }
    scripts.push(("hazard", LISTED.to_vec()));
    for full in [MEDIATED, ESCALATED, REFERRED] {
        for n in 0..=full.len() {
            scripts.push(("dispute", full[..n].to_vec()));
        }
    }
    let mut count = 0;
    for (k, (case_type, script)) in scripts.iter().enumerate() {
        let t = config
            .case_type(case_type)
            .ok_or_else(|| Error::input(format!("no case type {case_type} configured")))?;
        let category = t.categories[rng.below(t.categories.len())].clone();
        let place = &places[(k * 37 + rng.below(29)) % places.len()];
        // Opened 0-40 days ago, so some are overdue, some fresh.
        let opened = now - Duration::minutes(rng.below(40 * 24 * 60) as i64);
        let mut parties = vec![Party {
            role: if *case_type == "dispute" {
                "applicant"
            } else {
                "reporter"
            }
            .into(),
            name: person(&mut rng),
            phone: Some(phone(&mut rng)),
            id_number: None,
            address: place.record.address.clone(),
            vulnerable: false,
            id_type: None,
        }];
        if *case_type == "dispute" {
            parties.push(Party {
                role: "respondent".into(),
                name: person(&mut rng),
                phone: Some(phone(&mut rng)),
                id_number: None,
                address: None,
                vulnerable: rng.below(6) == 0,
                id_type: None,
            });
        }
        let threats = *case_type == "dispute" && rng.below(5) == 0;
        let new = NewCase {
            case_type: case_type.to_string(),
            category: category.clone(),
            title: title(&category).into(),
            description: String::new(),
            jurisdiction: place.record.jurisdiction_id.and_then(|id| codes.get(&id).cloned()),
            address: place.record.address.clone(),
            lon: Some(place.record.lon),
            lat: Some(place.record.lat),
            origin: if *case_type == "request" { "citizen" } else { "officer" }.into(),
            parties,
            stock: (*case_type == "hazard").then(|| rng.below(3) == 0),
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: u32::from(*case_type == "request" && rng.below(4) == 0),
            incident_id: None,
        };
        let mut new = new;
        if *case_type == "dispute" {
            // Graded by the rule every face obeys, from what is on file.
            let assessment = crate::cases::grade(store, settings, &new, threats, opened)?;
            new.risk_grade = serde_json::to_value(assessment.grade)
                .ok()
                .and_then(|v| v.as_str().map(String::from));
            new.risk = serde_json::to_value(&assessment).ok();
        }
        let role = if *case_type == "request" { "citizen" } else { "officer" };
        let case = open_case(store, config, &new, role, "demo", opened)?;
        if *case_type == "dispute" {
            crate::escalation::link_dispute(store, &settings.escalation, &case, "demo")?;
        }
        // Each step a few working hours after the one before, never past now.
        let mut at = opened;
        for (action, role) in script {
            at = config
                .add_span(at, fengqiao_cases::Span::WorkingMinutes(30 + rng.below(600) as i64))
                .min(now);
            let cmd = Command {
                action: action.to_string(),
                role: role.to_string(),
                actor: format!("demo:{role}"),
                reason: Some("演示".into()),
                department: None,
                assignee: config
                    .mediators
                    .get(rng.below(config.mediators.len().max(1)))
                    .map(|m| m.name.clone()),
                rating: None,
                details: None,
            };
            act(store, config, case.id, None, &cmd, at)
                .map_err(|e| Error::input(format!("demo case {}: {action}: {e}", case.code)))?;
        }
        if *case_type == "request" && script.last().is_some_and(|s| s.0 == "close" || s.0 == "reject") {
            let cmd = Command {
                action: "rate".into(),
                role: "citizen".into(),
                actor: "demo:citizen".into(),
                rating: Some(3 + rng.below(3) as u8),
                ..Default::default()
            };
            act(store, config, case.id, None, &cmd, now)?;
        }
        count += 1;
    }
    count += seed_warnings(store, config, &places, &codes, &mut rng, now)?;
    count += seed_callbacks(store, settings, &mut rng, now)?;
    fengqiao_store::cases::supervise_overdue(store, config, now)?;
    Ok(count)
}

/// The demo's 110 callbacks: last week's sample drawn as the command centre
/// draws it, most answered (a few not satisfied, whose follow-ups open),
/// some not reached, some still to call.
fn seed_callbacks(
    store: &dyn Store,
    settings: &crate::settings::CaseSettings,
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> Result<usize> {
    if settings.config.case_type(crate::callbacks::CASE_TYPE).is_none() {
        return Ok(0);
    }
    let tz = settings.config.calendar.timezone();
    let last_week = now.with_timezone(&tz).date_naive() - Duration::days(7);
    let desk = crate::cases::Actor {
        role: "analyst".into(),
        username: "demo:analyst".into(),
    };
    // Last week's sample, and the weeks before while a short demo's weeks hold little.
    let mut drawn = Vec::new();
    for back in 0..4 {
        let week = crate::callbacks::week_of(last_week - Duration::weeks(back));
        let draw = crate::callbacks::draw(
            store,
            settings,
            "demo",
            &week,
            crate::callbacks::DEFAULT_SHARE,
            &desk,
            now,
        )?;
        drawn.extend(draw.callbacks);
        if drawn.len() >= 6 {
            break;
        }
    }
    const REASONS: &[&str] = &["slow", "attitude", "unsolved", "no_feedback"];
    for (k, code) in drawn.iter().enumerate() {
        // The first stays to call, the second is answered; the rest as it falls.
        let roll = match k {
            0 => 0,
            1 => 99,
            _ => rng.below(100),
        };
        let (action, details) = match roll {
            0..=9 => continue,
            10..=17 => ("unreached", None),
            _ => {
                let satisfaction = match roll {
                    18..=24 => "unsatisfied",
                    25..=49 => "basically",
                    _ => "satisfied",
                };
                let mut d = serde_json::json!({"satisfaction": satisfaction});
                match rng.below(10) {
                    0 => {}
                    1 => d["safety"] = "unsafe".into(),
                    2..=4 => d["safety"] = "basically_safe".into(),
                    _ => d["safety"] = "safe".into(),
                }
                if satisfaction == "unsatisfied" {
                    d["reasons"] = serde_json::json!([REASONS[rng.below(REASONS.len())]]);
                    d["comment"] = "希望处理结果能及时告知".into();
                }
                ("answer", Some(d))
            }
        };
        let Some(case) = store.case_by_code(code)? else {
            continue;
        };
        let cmd = Command {
            action: action.into(),
            role: "commander".into(),
            actor: "demo:commander".into(),
            reason: (action == "unreached").then(|| "三次拨打无人接听".into()),
            details,
            ..Default::default()
        };
        crate::cases::act(store, settings, case.id, None, &cmd, now)?;
    }
    Ok(drawn.len())
}

/// How the demo's anti-fraud warnings go: (action, outcome, channel),
/// each step some minutes after the one before.
const WARNING_SCRIPTS: &[&[(&str, Option<&str>, &str)]] = &[
    &[],
    &[("dissuade", Some("dissuaded"), "phone")],
    &[("dissuade", Some("dissuaded"), "phone")],
    &[("dissuade", Some("already_paid"), "phone")],
    &[("dissuade", Some("refused"), "phone")],
    &[("unreachable", None, "")],
    &[("unreachable", None, ""), ("dissuade", Some("dissuaded"), "visit")],
    &[("unreachable", None, ""), ("not_found", None, "")],
];

/// The demo's warnings: four weeks of them at every stage, the twelve weeks
/// before at the same rate, and a rise in two communities on top.
const RECENT_WARNINGS: usize = 48;
const BASELINE_WARNINGS: usize = 120;
const HOT_WARNINGS: usize = 12;

/// A valid resident ID number (GB 11643: the check character computed) of
/// someone born in `year`, registered in the demo's district.
pub(crate) fn resident_id(rng: &mut Rng, year: i32) -> String {
    let body = format!(
        "330203{year:04}{:02}{:02}{:03}",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Sums a dissuaded person was about to pay, yuan.
const AT_STAKE: &[u64] = &[2_000, 5_800, 12_000, 30_000, 86_000, 150_000];

/// The demo's anti-fraud warnings of the last four weeks at every stage,
/// answered in minutes, a few late; the still-open ones came in this last
/// quarter hour, so an officer has live ones to work.
fn seed_warnings(
    store: &dyn Store,
    config: &CaseConfig,
    places: &[fengqiao_domain::Incident],
    codes: &std::collections::HashMap<i64, String>,
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> Result<usize> {
    let Some(t) = config.case_type(crate::anti_fraud::CASE_TYPE) else {
        return Ok(0);
    };
    let mut count = 0;
    // Two communities where fraud rises in the last four weeks, aimed at older people.
    let hot = [&places[rng.below(places.len())], &places[rng.below(places.len())]];
    for k in 0..(RECENT_WARNINGS + BASELINE_WARNINGS + HOT_WARNINGS) {
        let (baseline, rising) = (
            (RECENT_WARNINGS..RECENT_WARNINGS + BASELINE_WARNINGS).contains(&k),
            k >= RECENT_WARNINGS + BASELINE_WARNINGS,
        );
        let script = if baseline || rising {
            WARNING_SCRIPTS[1 + rng.below(3)]
        } else {
            WARNING_SCRIPTS[k % WARNING_SCRIPTS.len()]
        };
        let open_now = script.is_empty() || (script.len() == 1 && script[0].0 == "unreachable");
        let day = 24 * 60;
        let opened = if baseline {
            // The twelve weeks before the last four.
            now - Duration::minutes(28 * day as i64 + 60 + rng.below(83 * day) as i64)
        } else if open_now {
            now - Duration::minutes(rng.below(if k < 16 { 8 } else { 240 }) as i64)
        } else {
            now - Duration::minutes(30 + rng.below(27 * day) as i64)
        };
        let place = if rising {
            hot[k % 2]
        } else {
            &places[(k * 53 + rng.below(31)) % places.len()]
        };
        // Two in three come with the person's resident ID (their age); the rising ones' are older.
        let id_number = (rising || rng.below(3) > 0).then(|| {
            let year = if rising {
                1940 + rng.below(25)
            } else {
                1950 + rng.below(55)
            };
            resident_id(rng, year as i32)
        });
        let category = t.categories[rng.below(t.categories.len())].clone();
        let scam = t.category_names.get(&category).map_or("诈骗", |n| n[0].as_str());
        let new = NewCase {
            case_type: t.code.clone(),
            category: category.clone(),
            title: format!("{scam}预警"),
            description: "反诈中心推送预警（演示）。".into(),
            jurisdiction: place.record.jurisdiction_id.and_then(|id| codes.get(&id).cloned()),
            address: place.record.address.clone(),
            lon: None,
            lat: None,
            origin: "anti_fraud_centre".into(),
            parties: vec![Party {
                role: "warned".into(),
                name: person(rng),
                phone: Some(phone(rng)),
                id_type: id_number.as_ref().map(|_| "resident_id".into()),
                id_number,
                address: place.record.address.clone(),
                vulnerable: rng.below(4) == 0,
            }],
            stock: None,
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let case = open_case(store, config, &new, "system", "demo:anti_fraud_centre", opened)?;
        let mut at = opened;
        for (action, outcome, channel) in script.iter() {
            // A call within minutes (one in six late); a visit within the hour.
            let minutes = match *action {
                "unreachable" => 3 + rng.below(6),
                _ if *channel == "visit" => 15 + rng.below(60),
                _ if rng.below(6) == 0 => 11 + rng.below(20),
                _ => 1 + rng.below(9),
            };
            at = (at + Duration::minutes(minutes as i64)).min(now);
            let details = outcome.map(|o| {
                let prevented = if o == "dissuaded" {
                    AT_STAKE[rng.below(AT_STAKE.len())]
                } else {
                    0
                };
                serde_json::json!({"outcome": o, "channel": channel, "loss_prevented": prevented})
            });
            let cmd = Command {
                action: action.to_string(),
                role: "officer".into(),
                actor: "demo:officer".into(),
                reason: (*action != "dissuade").then(|| "电话无人接听".into()),
                details,
                ..Default::default()
            };
            act(store, config, case.id, None, &cmd, at)
                .map_err(|e| Error::input(format!("demo warning {}: {action}: {e}", case.code)))?;
        }
        count += 1;
    }
    Ok(count)
}

/// The demo's rounds of warnings at every stage: of the rounds the import
/// opened, a third still to visit, a third warned, a third done, each
/// with the households told.
fn work_rounds(store: &dyn Store, config: &CaseConfig, now: DateTime<Utc>) -> Result<()> {
    let rounds = store.cases(&fengqiao_store::cases::CaseFilter {
        case_type: Some(crate::prevention::TASK_TYPE.into()),
        limit: Some(1000),
        ..Default::default()
    })?;
    for (i, case) in rounds.iter().enumerate() {
        let steps: &[&str] = match i % 3 {
            0 => &[],
            1 => &["warn"],
            _ => &["warn", "close"],
        };
        for step in steps {
            let cmd = Command {
                action: step.to_string(),
                role: "officer".into(),
                actor: "demo:officer".into(),
                details: (*step == "warn")
                    .then(|| serde_json::json!({"households": 12 + (i * 7) % 31, "notices": i % 4})),
                ..Default::default()
            };
            act(store, config, case.id, None, &cmd, now)
                .map_err(|e| Error::input(format!("demo round {}: {step}: {e}", case.code)))?;
        }
    }
    Ok(())
}

const SKILLS: &[&str] = &[
    "mediation",
    "patrol",
    "first_aid",
    "safety_talk",
    "legal",
    "elderly_care",
];
const TALKS: &[&str] = &[
    "防范电信网络诈骗宣讲",
    "消防安全进社区",
    "老年人防诈骗讲座",
    "校园安全第一课",
    "反家暴法律宣讲",
];

/// Registers the demo's volunteers and their activities of the last 30
/// days (patrols, mediation, safety talks with their reach); returns (volunteers, activities).
pub fn seed_volunteers(store: &dyn Store, seed: u64, now: DateTime<Utc>) -> Result<(usize, usize)> {
    use fengqiao_store::volunteers::{NewActivity, NewVolunteer};
    if !store.volunteers(None, None)?.is_empty() {
        return Ok((0, 0));
    }
    let villages: Vec<String> = store
        .jurisdictions()?
        .into_iter()
        .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Village)
        .map(|j| j.jurisdiction.code)
        .collect();
    if villages.is_empty() {
        return Ok((0, 0));
    }
    let mut rng = Rng::new(seed ^ 0x5011);
    let mut ids = Vec::new();
    for _ in 0..24 {
        let skills: Vec<String> = (0..1 + rng.below(3))
            .map(|_| SKILLS[rng.below(SKILLS.len())].to_string())
            .collect();
        let mut skills = skills;
        skills.sort();
        skills.dedup();
        let v = NewVolunteer {
            name: person(&mut rng),
            phone: Some(phone(&mut rng)),
            skills,
            areas: vec![villages[rng.below(villages.len())].clone()],
            availability: ["周末", "工作日晚间", "每周二、四上午", "随叫随到"][rng.below(4)].into(),
            joined_at: now - Duration::days(30 + rng.below(700) as i64),
        };
        ids.push(store.add_volunteer(&v)?);
    }
    let mut activities = 0;
    for k in 0..20 {
        let kind = ["patrol", "safety_talk", "mediation", "patrol", "safety_talk"][k % 5];
        // Daytime or evening, local (UTC+8 for the demo city): 09:00-20:00.
        let day = (now - Duration::days(1 + rng.below(29) as i64)).date_naive();
        let start = day.and_hms_opt(1 + rng.below(12) as u32, 0, 0).expect("time").and_utc();
        let hours = 1 + rng.below(3) as i64;
        let mut team: Vec<i64> = (0..1 + rng.below(4)).map(|_| ids[rng.below(ids.len())]).collect();
        team.sort();
        team.dedup();
        let a = NewActivity {
            kind: kind.into(),
            title: match kind {
                "safety_talk" => TALKS[rng.below(TALKS.len())].into(),
                "mediation" => "协助调解邻里纠纷".into(),
                _ => "平安巡防".into(),
            },
            jurisdiction: Some(villages[rng.below(villages.len())].clone()),
            starts_at: start,
            ends_at: start + Duration::hours(hours),
            reach: if kind == "safety_talk" {
                20 + rng.below(180) as u32
            } else {
                0
            },
            case_code: None,
            attendance: team.into_iter().map(|v| (v, hours as f64)).collect(),
        };
        store.add_activity(&a)?;
        activities += 1;
    }
    Ok((ids.len(), activities))
}
