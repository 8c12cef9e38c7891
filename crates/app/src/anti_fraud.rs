//! Anti-fraud early warnings and dissuasion (反诈预警劝阻): the anti-fraud
//! centre names people about to be defrauded; each becomes a case of type
//! `fraud` in the person's area, due round the clock (call within the
//! stage's minutes, go round within the next stage's if the call does not
//! reach them), supervised when a deadline passes; how each ended is
//! recorded (`dissuade`, checked in [`crate::mediation`]) and counted here
//! by station and week.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};
use fengqiao_cases::CaseConfig;
use fengqiao_store::Store;
use fengqiao_store::cases::{CaseFilter, CaseRecord, Party};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;

/// The case type a warning becomes.
pub const CASE_TYPE: &str = "fraud";

/// Most warnings one import or request carries.
pub const MAX_WARNINGS: usize = 2_000;

/// Most weeks a report covers.
pub const MAX_REPORT_WEEKS: u32 = 53;

/// Most warnings a report reads.
const MAX_REPORTED: usize = 20_000;

/// A warning as the anti-fraud centre sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// When the centre sent it.
    pub received_at: DateTime<Utc>,
    /// The person at risk's phone: the number to call.
    pub phone: String,
    #[serde(default)]
    pub name: Option<String>,
    /// A category of the `fraud` case type: its code (`fraud.investment`),
    /// the part after the dot, or its Chinese name.
    pub scam_type: String,
    /// Where they live, as far as the centre knows: routes the warning to
    /// the area's station when no area code is given.
    #[serde(default)]
    pub address: Option<String>,
    /// The area (community or village) code, when the centre has it.
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Their resident ID number, when the centre has it: masked like every
    /// party's, and the source of the age groups campaigns are aimed by.
    #[serde(default)]
    pub id_number: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Imported {
    /// Codes of the cases opened, in the order of the warnings.
    pub opened: Vec<String>,
    /// Warnings on file already (the same phone and time received), not
    /// opened twice.
    pub already: usize,
}

fn row_error(row: usize, field: &str, value: &str, why: impl std::fmt::Display) -> Error {
    Error::field(field, value, format!("warning {row}: {why}"))
}

/// The category a scam type names.
fn category(config: &CaseConfig, scam: &str) -> Option<String> {
    let t = config.case_type(CASE_TYPE)?;
    let s = scam.trim();
    if s.is_empty() {
        return None;
    }
    t.categories
        .iter()
        .find(|c| {
            c.as_str() == s
                || c.strip_prefix("fraud.") == Some(s)
                || t.category_names.get(*c).is_some_and(|[zh, en]| {
                    zh == s || en.eq_ignore_ascii_case(s) || (s.chars().count() >= 2 && zh.starts_with(s))
                })
        })
        .cloned()
}

/// Where a warning's record lives among the settings: its phone and time
/// received, hashed (the settings are not where personal data belongs).
fn seen_key(w: &Warning) -> String {
    let digits: String = w.phone.chars().filter(char::is_ascii_digit).collect();
    let hash = sha2::Sha256::digest(format!("{digits}|{}", w.received_at.timestamp()));
    format!("fraud_warning:{}", hex(&hash[..16]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A warning checked and routed, ready to open.
struct Ready {
    warning: Warning,
    category: String,
    area: String,
    key: String,
}

/// Opens a case for each warning not on file already. Every warning is
/// checked and routed first: one that is wrong, or names no area on file,
/// refuses the whole list and nothing is opened.
pub fn import(
    store: &dyn Store,
    cases: &crate::settings::CaseSettings,
    warnings: Vec<Warning>,
    actor: &crate::cases::Actor,
    now: DateTime<Utc>,
) -> Result<Imported> {
    if cases.config.case_type(CASE_TYPE).is_none() {
        return Err(Error::input(format!(
            "the case configuration has no {CASE_TYPE:?} type to open anti-fraud warnings as"
        )));
    }
    if warnings.len() > MAX_WARNINGS {
        return Err(Error::input(format!(
            "{} warnings: at most {MAX_WARNINGS} at a time",
            warnings.len()
        )));
    }
    let areas: Vec<String> = store
        .jurisdictions()?
        .into_iter()
        .map(|j| j.jurisdiction.code)
        .collect();
    let mut ready = Vec::with_capacity(warnings.len());
    for (i, w) in warnings.into_iter().enumerate() {
        let row = i + 1;
        fengqiao_cases::identity::check_phone(w.phone.trim()).map_err(|why| row_error(row, "phone", &w.phone, why))?;
        if w.received_at > now + Duration::minutes(5) {
            return Err(row_error(
                row,
                "received_at",
                &w.received_at.to_rfc3339(),
                "received in the future",
            ));
        }
        if let Some(id) = w.id_number.as_deref().filter(|x| !x.is_empty()) {
            fengqiao_cases::identity::check_id("resident_id", id)
                .map_err(|why| row_error(row, "id_number", "", why))?;
        }
        if let Some(name) = &w.name
            && name.chars().count() > 50
        {
            return Err(row_error(row, "name", name, "a name of at most 50 characters"));
        }
        for (field, text, max) in [("address", &w.address, 200), ("note", &w.note, 1000)] {
            if let Some(t) = text {
                if t.chars().count() > max {
                    return Err(row_error(row, field, t, format!("at most {max} characters")));
                }
                fengqiao_cases::text::check(field, t).map_err(|e| row_error(row, field, t, e))?;
            }
        }
        let category = category(&cases.config, &w.scam_type).ok_or_else(|| {
            let known: Vec<String> = cases
                .config
                .case_type(CASE_TYPE)
                .map(|t| {
                    t.categories
                        .iter()
                        .map(|c| format!("{} ({})", c, t.category_names.get(c).map_or("", |n| n[0].as_str())))
                        .collect()
                })
                .unwrap_or_default();
            row_error(
                row,
                "scam_type",
                &w.scam_type,
                format!("scam type {:?}: one of {}", w.scam_type, known.join(", ")),
            )
        })?;
        let area = match w.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) if areas.iter().any(|x| x == a) => a.to_string(),
            Some(a) => return Err(row_error(row, "area", a, format!("no area {a:?} on file"))),
            None => crate::cases::locate(store, None, w.address.as_deref())?.ok_or_else(|| {
                row_error(
                    row,
                    "address",
                    w.address.as_deref().unwrap_or(""),
                    "the address names no town, community or village on file: give the area code",
                )
            })?,
        };
        let key = seen_key(&w);
        ready.push(Ready {
            warning: w,
            category,
            area,
            key,
        });
    }
    let tz = cases.config.calendar.timezone();
    let t = cases.config.case_type(CASE_TYPE).expect("checked above");
    let limit = |stage: &str| {
        t.stage(stage)
            .and_then(|s| s.limit)
            .map(|l| (cases.config.add_span(now, l) - now).num_minutes())
    };
    let (call, visit) = (limit("to_call"), limit("to_visit"));
    let mut imported = Imported::default();
    let mut seen = std::collections::HashSet::new();
    for r in ready {
        if !seen.insert(r.key.clone()) || store.get_setting(&r.key)?.is_some() {
            imported.already += 1;
            continue;
        }
        let w = &r.warning;
        let scam = t
            .category_names
            .get(&r.category)
            .map_or(r.category.as_str(), |n| n[0].as_str());
        let received = w.received_at.with_timezone(&tz).format("%Y-%m-%d %H:%M");
        let mut description = format!("反诈中心 {received} 推送预警（{scam}）。");
        if let Some(m) = call {
            description.push_str(&format!("请{m}分钟内电话劝阻"));
            if let Some(v) = visit {
                description.push_str(&format!("，联系不上的{v}分钟内上门劝阻"));
            }
            description.push('。');
        }
        if let Some(note) = w.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            description.push_str(&format!("\n预警备注：{note}"));
        }
        let req = crate::cases::OpenCase {
            address: w.address.clone(),
            parties: vec![Party {
                role: "warned".into(),
                name: w
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| "机主".into()),
                phone: Some(w.phone.trim().to_string()),
                id_number: w.id_number.clone().filter(|x| !x.is_empty()),
                address: w.address.clone(),
                vulnerable: false,
                id_type: w
                    .id_number
                    .as_ref()
                    .filter(|x| !x.is_empty())
                    .map(|_| "resident_id".to_string()),
            }],
            origin: Some("anti_fraud_centre".into()),
            ..crate::cases::OpenCase::by_system(
                CASE_TYPE,
                &r.category,
                format!("{scam}预警"),
                description,
                Some(r.area.clone()),
            )
        };
        let case = crate::cases::open(store, cases, req, actor, now)?.case;
        store.set_setting(&r.key, &case.code)?;
        imported.opened.push(case.code);
    }
    Ok(imported)
}

/// Column names a centre's export may use, in Chinese or English.
const COLUMNS: [(&str, &[&str]); 8] = [
    ("received_at", &["received_at", "预警时间", "推送时间", "时间"]),
    ("phone", &["phone", "手机号", "手机号码", "电话", "联系电话"]),
    ("name", &["name", "姓名"]),
    ("scam_type", &["scam_type", "诈骗类型", "类型"]),
    ("address", &["address", "地址", "住址"]),
    ("area", &["area", "辖区代码", "区划代码"]),
    ("note", &["note", "备注"]),
    ("id_number", &["id_number", "身份证号", "身份证号码", "证件号码"]),
];

/// Most bytes a warnings file may have.
pub const MAX_FILE_BYTES: usize = 2 << 20;

/// Reads a centre's CSV export (UTF-8, a header row): times are local to
/// `tz` (`2026-12-03 14:05`, seconds optional) or RFC 3339.
pub fn parse_csv(bytes: &[u8], tz: chrono_tz::Tz) -> Result<Vec<Warning>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::input(format!(
            "the warnings file is {} bytes: at most {MAX_FILE_BYTES}",
            bytes.len()
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(format!("the warnings file's header: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let column = |field: &str| {
        let names = COLUMNS.iter().find(|(f, _)| *f == field).map_or(&[][..], |(_, n)| n);
        header.iter().position(|h| names.contains(&h.as_str()))
    };
    let need = |field: &str| {
        column(field).ok_or_else(|| {
            let names = COLUMNS.iter().find(|(f, _)| *f == field).map_or(&[][..], |(_, n)| n);
            Error::field(
                "header",
                &header.join(","),
                format!("the warnings file needs a column {}", names.join(" or ")),
            )
        })
    };
    let (at, phone, scam) = (need("received_at")?, need("phone")?, need("scam_type")?);
    let (name, address, area, note, id) = (
        column("name"),
        column("address"),
        column("area"),
        column("note"),
        column("id_number"),
    );
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        let record = record.map_err(|e| Error::input(format!("warning {row}: {e}")))?;
        if out.len() == MAX_WARNINGS {
            return Err(Error::input(format!("more than {MAX_WARNINGS} warnings in one file")));
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
        };
        let when = get(Some(at)).unwrap_or_default();
        let received_at = parse_time(&when, tz).ok_or_else(|| {
            row_error(
                row,
                "received_at",
                &when,
                "a time, YYYY-MM-DD HH:MM (local) or RFC 3339",
            )
        })?;
        out.push(Warning {
            received_at,
            phone: get(Some(phone)).unwrap_or_default(),
            name: get(name),
            scam_type: get(Some(scam)).unwrap_or_default(),
            address: get(address),
            area: get(area),
            note: get(note),
            id_number: get(id),
        });
    }
    Ok(out)
}

fn parse_time(text: &str, tz: chrono_tz::Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())?;
    tz.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
}

/// One station's week of warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct WeekRow {
    pub station: String,
    /// ISO week, e.g. `2026-W49`, in the city's zone.
    pub week: String,
    pub warnings: usize,
    /// The person was reached (a dissuasion recorded), and within the
    /// deadline of the stage they were reached in.
    pub reached: usize,
    pub reached_in_time: usize,
    pub dissuaded: usize,
    pub already_paid: usize,
    pub refused: usize,
    /// Gone round and not found.
    pub not_found: usize,
    /// Still open, and of those past a deadline.
    pub open: usize,
    pub overdue: usize,
    /// Supervision raised on passed deadlines.
    pub supervised: usize,
    pub loss_prevented_yuan: u64,
    /// Minutes from the warning to reaching the person, the median.
    pub median_minutes_to_reach: Option<f64>,
}

/// Warnings by station and week, with the shares a commander is judged on.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    pub weeks: u32,
    pub rows: Vec<WeekRow>,
    /// Every row together (`station` and `week` empty).
    pub total: WeekRow,
    /// Reached in time over warnings; dissuaded over reached.
    pub reached_in_time_share: Option<f64>,
    pub dissuasion_rate: Option<f64>,
}

/// How one warning went, read from its events.
#[derive(Debug, Default)]
struct Outcome {
    reached_at: Option<DateTime<Utc>>,
    in_time: bool,
    outcome: Option<String>,
    loss_prevented: u64,
    not_found: bool,
}

fn outcome(config: &CaseConfig, case: &CaseRecord, events: &[fengqiao_cases::Event]) -> Outcome {
    let limit = |stage: &str, from: DateTime<Utc>| {
        config
            .case_type(CASE_TYPE)
            .and_then(|t| t.stage(stage))
            .and_then(|s| s.limit)
            .map(|l| config.add_span(from, l))
    };
    let initial = config.case_type(CASE_TYPE).map_or("", |t| t.initial.as_str());
    let mut due = limit(initial, case.state.opened_at);
    let mut out = Outcome::default();
    for e in events {
        match e.action.as_str() {
            "dissuade" => {
                out.reached_at = Some(e.at);
                out.in_time = due.is_none_or(|d| e.at <= d);
                let d = e.details.as_ref();
                out.outcome = d.and_then(|d| d["outcome"].as_str()).map(String::from);
                out.loss_prevented = d.and_then(|d| d["loss_prevented"].as_u64()).unwrap_or(0);
            }
            "not_found" => out.not_found = true,
            _ if e.from_stage.as_deref() != Some(e.to_stage.as_str()) && e.from_stage.is_some() => {
                due = limit(&e.to_stage, e.at);
            }
            _ => {}
        }
    }
    out
}

/// Warnings received in the last `weeks` ISO weeks (this one included) in
/// `area` (every area: `None`), by station and week.
pub fn report(
    store: &dyn Store,
    config: &CaseConfig,
    area: Option<&str>,
    weeks: u32,
    now: DateTime<Utc>,
) -> Result<Report> {
    if !(1..=MAX_REPORT_WEEKS).contains(&weeks) {
        return Err(Error::field(
            "weeks",
            &weeks.to_string(),
            format!("weeks {weeks}: 1 to {MAX_REPORT_WEEKS}"),
        ));
    }
    let tz = config.calendar.timezone();
    let today = now.with_timezone(&tz).date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let since = fengqiao_cases::calendar::day_start(&tz, monday - Duration::weeks(i64::from(weeks) - 1));
    let stations = crate::personnel::stations(store)?;
    let warnings = store.cases(&CaseFilter {
        case_type: Some(CASE_TYPE.into()),
        jurisdiction: area.map(String::from),
        limit: Some(MAX_REPORTED),
        ..Default::default()
    })?;
    let in_period: Vec<_> = warnings
        .iter()
        .filter(|c| c.state.opened_at >= since && c.state.opened_at <= now)
        .collect();
    let mut events = store.cases_events(&in_period.iter().map(|c| c.id).collect::<Vec<_>>())?;
    let mut rows: BTreeMap<(String, String), (WeekRow, Vec<f64>)> = BTreeMap::new();
    let mut all_minutes = Vec::new();
    for case in in_period {
        let week = crate::callbacks::week_of(case.state.opened_at.with_timezone(&tz).date_naive());
        let station = crate::personnel::station_serving(&stations, case.case.jurisdiction.as_deref());
        let (row, minutes) = rows.entry((station.clone(), week.clone())).or_insert_with(|| {
            (
                WeekRow {
                    station,
                    week,
                    ..Default::default()
                },
                Vec::new(),
            )
        });
        let o = outcome(config, case, &events.remove(&case.id).unwrap_or_default());
        row.warnings += 1;
        row.supervised += usize::from(case.state.supervisions > 0);
        if let Some(at) = o.reached_at {
            row.reached += 1;
            row.reached_in_time += usize::from(o.in_time);
            let m = (at - case.state.opened_at).num_seconds() as f64 / 60.0;
            minutes.push(m);
            all_minutes.push(m);
        }
        match o.outcome.as_deref() {
            Some("dissuaded") => row.dissuaded += 1,
            Some("already_paid") => row.already_paid += 1,
            Some("refused") => row.refused += 1,
            _ => {}
        }
        row.not_found += usize::from(o.not_found);
        row.loss_prevented_yuan += o.loss_prevented;
        if case.state.closed_at.is_none() {
            row.open += 1;
            row.overdue += usize::from(config.is_overdue(&case.state, now));
        }
    }
    let mut total = WeekRow::default();
    let rows: Vec<WeekRow> = rows
        .into_values()
        .map(|(mut row, mut minutes)| {
            row.median_minutes_to_reach = median(&mut minutes);
            total.warnings += row.warnings;
            total.reached += row.reached;
            total.reached_in_time += row.reached_in_time;
            total.dissuaded += row.dissuaded;
            total.already_paid += row.already_paid;
            total.refused += row.refused;
            total.not_found += row.not_found;
            total.open += row.open;
            total.overdue += row.overdue;
            total.supervised += row.supervised;
            total.loss_prevented_yuan += row.loss_prevented_yuan;
            row
        })
        .collect();
    total.median_minutes_to_reach = median(&mut all_minutes);
    let share = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    Ok(Report {
        weeks,
        reached_in_time_share: share(total.reached_in_time, total.warnings),
        dissuasion_rate: share(total.dissuaded, total.reached),
        rows,
        total,
    })
}

fn median(xs: &mut [f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}
