//! The personnel registry (民警, 辅警, 巡特警), the same from the page, the
//! API and the command line: who may see whom (an officer their own
//! station; names and phones masked for roles that do not handle personal
//! data), what a record must hold, a CSV import that writes all of its rows
//! or none, and leave that does not overlap.

use crate::error::{Code, Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_auth::{Permission, Policy, Principal, Scope};
use fengqiao_domain::duty::DutyConfig;
use fengqiao_domain::personnel::{LEAVE_KINDS, QUALIFICATIONS, StaffKind, keeps_away, qualification, valid_badge};
use fengqiao_domain::{Facility, FacilityKind};
use fengqiao_store::Store;
use fengqiao_store::personnel::{Leave, NewLeave, NewPerson, Person};
use serde::Serialize;

/// Most rows one import may carry.
pub const MAX_IMPORT_ROWS: usize = 5_000;
/// Longest single period of leave, days.
pub const MAX_LEAVE_DAYS: i64 = 366;
/// Weekly hours a contract may state: up to 72, since 24 hours on and 36
/// off (综合计算工时) averages 67.2 hours a week.
pub const WEEKLY_HOURS: std::ops::RangeInclusive<u8> = 1..=72;

/// What one reader of the registry may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// Stations serving this area or below it (`None`: every station).
    pub area: Option<String>,
    /// Names and phones in full.
    pub personal_data: bool,
}

impl Viewer {
    /// The operator at the command line.
    pub fn operator() -> Self {
        Self {
            area: None,
            personal_data: true,
        }
    }

    /// A signed-in account: a jurisdiction-scoped role sees its own area's
    /// stations; those who manage the registry, or handle personal data,
    /// see names and phones.
    pub fn of(who: &Principal, policy: &Policy, cases: &fengqiao_cases::CaseConfig) -> Self {
        let area = match policy.scope(&who.role) {
            Scope::All => None,
            // Without an area on file, nothing rather than everything.
            _ => Some(who.jurisdiction.clone().unwrap_or_else(|| "\u{0}none".into())),
        };
        Self {
            area,
            personal_data: policy.allows(&who.role, Permission::PersonnelWrite) || cases.sees_personal_data(&who.role),
        }
    }

    /// Whether the station's people and rosters are in this reader's sight.
    pub fn sees(&self, station: &Facility) -> bool {
        match &self.area {
            None => true,
            Some(a) => station
                .jurisdiction
                .as_deref()
                .is_some_and(|j| j.starts_with(a.as_str())),
        }
    }
}

/// A staff kind by its code or the Chinese word (民警, 辅警, 巡特警).
pub fn staff_kind(text: &str) -> Result<StaffKind> {
    StaffKind::parse(text).ok_or_else(|| {
        Error::field(
            "kind",
            text,
            format!("kind {text:?}: officer (民警), auxiliary (辅警) or special (巡特警)"),
        )
    })
}

/// The police stations on file.
pub fn stations(store: &dyn Store) -> Result<Vec<Facility>> {
    Ok(store
        .facilities()?
        .into_iter()
        .filter(|f| f.kind == FacilityKind::Station)
        .collect())
}

/// The station nearest a place, as the crow flies (none without stations).
pub fn nearest_station(stations: &[Facility], at: fengqiao_geo::LonLat) -> Option<&Facility> {
    let d = |f: &Facility| fengqiao_geo::haversine_m(at, fengqiao_geo::LonLat::new(f.lon, f.lat));
    stations.iter().min_by(|a, b| d(a).total_cmp(&d(b)))
}

/// The code of the station serving an area: the one whose own area is the
/// longest prefix of it (empty when none is).
pub fn station_serving(stations: &[Facility], area: Option<&str>) -> String {
    let Some(area) = area else { return String::new() };
    let served = enclosing(stations.iter().filter_map(|s| s.jurisdiction.as_deref()), area);
    served
        .and_then(|j| stations.iter().find(|s| s.jurisdiction.as_deref() == Some(j)))
        .map_or_else(String::new, |s| s.code.clone())
}

/// Of `codes` (jurisdiction codes), the deepest that holds `area`: the
/// longest that is a prefix of it.
pub fn enclosing<'a>(codes: impl IntoIterator<Item = &'a str>, area: &str) -> Option<&'a str> {
    codes
        .into_iter()
        .filter(|c| area.starts_with(c))
        .max_by_key(|c| c.len())
}

/// A person as one reader sees them, with today's leave.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    #[serde(flatten)]
    pub person: Person,
    /// The kind of leave that keeps them off today, if any.
    pub leave_today: Option<String>,
}

fn masked(mut p: Person, viewer: &Viewer) -> Person {
    if !viewer.personal_data {
        use fengqiao_cases::privacy::{mask_name, mask_phone};
        p.person.name = mask_name(&p.person.name);
        p.person.phone = p.person.phone.as_deref().map(mask_phone);
    }
    p
}

/// Which people to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub station: Option<String>,
    /// Those who left the station's strength too.
    pub all: bool,
}

/// The registry as `viewer` may see it; `today` is the city's date.
pub fn list(store: &dyn Store, viewer: &Viewer, filter: &Filter, today: NaiveDate) -> Result<Vec<PersonView>> {
    let visible: Vec<String> = stations(store)?
        .into_iter()
        .filter(|s| viewer.sees(s))
        .map(|s| s.code)
        .collect();
    if let Some(s) = &filter.station
        && !visible.contains(s)
    {
        return Err(Error::new(
            Code::OutOfScope,
            format!("station {s:?} is not one you may see"),
        ));
    }
    let leave = store.leave(today, today)?;
    Ok(store
        .personnel()?
        .into_iter()
        .filter(|p| visible.contains(&p.person.station))
        .filter(|p| filter.station.as_ref().is_none_or(|s| &p.person.station == s))
        .filter(|p| filter.all || p.active)
        .map(|p| PersonView {
            leave_today: leave
                .iter()
                .find(|l| l.leave.person_id == p.id && l.covers(today) && keeps_away(&l.leave.kind))
                .map(|l| l.leave.kind.clone()),
            person: masked(p, viewer),
        })
        .collect())
}

/// A person's record as sent: checked and written in the registry's terms
/// (a station by code or name, qualifications and shifts by code or
/// Chinese name).
pub fn check(stations: &[Facility], duty: &DutyConfig, p: &NewPerson) -> Result<NewPerson> {
    let badge = p.badge.trim();
    if !valid_badge(badge) {
        return Err(Error::field(
            "badge",
            badge,
            format!("badge {badge:?}: 1 to 16 letters, digits or hyphens"),
        ));
    }
    let name = p.name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(Error::field("name", name, "a name of 1 to 30 characters"));
    }
    fengqiao_cases::text::check("name", name).map_err(|e| Error::field("name", name, e.to_string()))?;
    let station = p.station.trim();
    let station = stations
        .iter()
        .find(|s| s.code == station || s.name_zh == station || s.name_en.eq_ignore_ascii_case(station))
        .ok_or_else(|| {
            Error::field(
                "station",
                station,
                format!("{station:?} is not a police station on file"),
            )
        })?;
    let team = p.team.trim();
    if team.chars().count() > 20 {
        return Err(Error::field("team", team, "a team name of at most 20 characters"));
    }
    fengqiao_cases::text::check("team", team).map_err(|e| Error::field("team", team, e.to_string()))?;
    let mut qualifications = Vec::new();
    for q in &p.qualifications {
        let code = qualification(q).ok_or_else(|| {
            let known: Vec<_> = QUALIFICATIONS.iter().map(|(c, z)| format!("{c} ({z})")).collect();
            Error::field(
                "qualifications",
                q,
                format!("qualification {q:?}: one of {}", known.join(", ")),
            )
        })?;
        if !qualifications.iter().any(|x| x == code) {
            qualifications.push(code.to_string());
        }
    }
    let phone = p.phone.as_deref().map(str::trim).filter(|x| !x.is_empty());
    if let Some(ph) = phone {
        fengqiao_cases::identity::check_phone(ph).map_err(|why| Error::field("phone", ph, why))?;
    }
    if !WEEKLY_HOURS.contains(&p.weekly_hours) {
        return Err(Error::field(
            "weekly_hours",
            &p.weekly_hours.to_string(),
            format!(
                "weekly hours {} outside {}..={}",
                p.weekly_hours,
                WEEKLY_HOURS.start(),
                WEEKLY_HOURS.end()
            ),
        ));
    }
    let mut shifts = Vec::new();
    for s in &p.shifts {
        let t = s.trim();
        let shift = duty
            .shifts
            .iter()
            .find(|x| x.code == t || x.name_zh == t)
            .ok_or_else(|| {
                let known: Vec<_> = duty
                    .shifts
                    .iter()
                    .map(|x| format!("{} ({})", x.code, x.name_zh))
                    .collect();
                Error::field("shifts", t, format!("shift {t:?}: one of {}", known.join(", ")))
            })?;
        if !shifts.contains(&shift.code) {
            shifts.push(shift.code.clone());
        }
    }
    Ok(NewPerson {
        badge: badge.to_string(),
        name: name.to_string(),
        kind: p.kind,
        station: station.code.clone(),
        team: team.to_string(),
        qualifications,
        phone: phone.map(str::to_string),
        weekly_hours: p.weekly_hours,
        shifts,
    })
}

fn station_in_sight(stations: &[Facility], viewer: &Viewer, code: &str) -> Result<()> {
    match stations.iter().find(|s| s.code == code) {
        Some(s) if viewer.sees(s) => Ok(()),
        _ => Err(Error::new(
            Code::OutOfScope,
            format!("station {code:?} is outside your jurisdiction"),
        )),
    }
}

/// Adds one person; returns their id.
pub fn add(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    p: &NewPerson,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<i64> {
    let stations = stations(store)?;
    let p = check(&stations, duty, p)?;
    station_in_sight(&stations, viewer, &p.station)?;
    Ok(store.add_personnel(std::slice::from_ref(&p), at, actor)?[0])
}

/// Rewrites person `id` (a transfer, a new qualification, leaving the
/// strength) if it is still at `version`.
#[allow(clippy::too_many_arguments)]
pub fn update(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    id: i64,
    p: &NewPerson,
    active: bool,
    version: u32,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Person> {
    let stations = stations(store)?;
    let before = store
        .personnel()?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or_else(|| Error::not_found(format!("no person {id}")))?;
    // Neither from nor to a station outside the reader's sight.
    station_in_sight(&stations, viewer, &before.person.station)
        .map_err(|_| Error::not_found(format!("no person {id}")))?;
    let p = check(&stations, duty, p)?;
    station_in_sight(&stations, viewer, &p.station)?;
    Ok(store.update_person(id, &p, active, version, at, actor)?)
}

/// What an import did.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: usize,
    /// Rows identical to the record on file.
    pub unchanged: usize,
    /// Columns the registry does not keep (e.g. an ID number), left unread.
    pub ignored_columns: Vec<String>,
}

/// The headers a column is known by in a personnel export.
const COLUMNS: [(&str, &[&str]); 9] = [
    ("badge", &["badge", "警号", "编号"]),
    ("name", &["name", "姓名"]),
    ("kind", &["kind", "人员类别", "类别", "身份"]),
    ("station", &["station", "所属单位", "派出所", "单位"]),
    ("team", &["team", "中队", "警组", "班组"]),
    ("qualifications", &["qualifications", "资质", "技能"]),
    ("phone", &["phone", "电话", "手机", "联系电话"]),
    ("weekly_hours", &["weekly_hours", "周工时"]),
    ("shifts", &["shifts", "班次", "可排班次"]),
];

fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ';', '；', ',', '，', '|', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// Imports a personnel export (CSV, UTF-8, a header row; Chinese or
/// English headers): every row is checked first, and all new people are
/// written or none. A badge on file with the same details is left alone; a
/// badge on file with other details is refused (edit the record instead),
/// so an import never silently overwrites the registry.
pub fn import_csv(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    bytes: &[u8],
    actor: &str,
    at: DateTime<Utc>,
) -> Result<ImportSummary> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::input(format!(
            "not UTF-8 at byte {}: save the export as CSV UTF-8",
            e.valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::input(format!("line 1: {e}")))?
        .clone();
    let mut index = std::collections::HashMap::new();
    let mut ignored_columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)))
        {
            Some((field, _)) => {
                if index.insert(*field, i).is_some() {
                    return Err(Error::input(format!("line 1: two columns for {field}")));
                }
            }
            None => ignored_columns.push(h.to_string()),
        }
    }
    if let Some((field, names)) = COLUMNS[..4].iter().find(|(f, _)| !index.contains_key(f)) {
        return Err(Error::input(format!(
            "line 1: no {field} column (headed {})",
            names.join(" or ")
        )));
    }
    let stations = stations(store)?;
    let on_file = store.personnel()?;
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut new = Vec::new();
    let mut unchanged = 0;
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(format!("line {}: {e}", e.position().map_or(0, |p| p.line()))))?;
        let line = record.position().map_or(0, |p| p.line());
        if new.len() + unchanged >= MAX_IMPORT_ROWS {
            return Err(Error::input(format!(
                "more than {MAX_IMPORT_ROWS} rows: split the file"
            )));
        }
        let cell = |f: &str| index.get(f).and_then(|&i| record.get(i)).unwrap_or("").trim();
        let at_line = |e: Error| e.context(format!("line {line}"));
        let kind = staff_kind(cell("kind")).map_err(at_line)?;
        let hours_text = cell("weekly_hours");
        let weekly_hours = if hours_text.is_empty() {
            40
        } else {
            hours_text.parse().map_err(|_| {
                at_line(Error::field(
                    "weekly_hours",
                    hours_text,
                    format!("weekly hours {hours_text:?} is not a whole number"),
                ))
            })?
        };
        let p = check(
            &stations,
            duty,
            &NewPerson {
                badge: cell("badge").to_string(),
                name: cell("name").to_string(),
                kind,
                station: cell("station").to_string(),
                team: cell("team").to_string(),
                qualifications: split_list(cell("qualifications")),
                phone: Some(cell("phone").to_string()),
                weekly_hours,
                shifts: split_list(cell("shifts")),
            },
        )
        .map_err(at_line)?;
        station_in_sight(&stations, viewer, &p.station).map_err(at_line)?;
        if let Some(first) = seen.insert(p.badge.clone(), line) {
            return Err(Error::input(format!(
                "line {line}: badge {} is also on line {first}",
                p.badge
            )));
        }
        match on_file.iter().find(|x| x.person.badge == p.badge) {
            Some(x) if x.person == p => unchanged += 1,
            Some(_) => {
                return Err(Error::conflict(format!(
                    "line {line}: badge {} is on file with other details; edit the record in the registry",
                    p.badge
                )));
            }
            None => new.push(p),
        }
    }
    store.add_personnel(&new, at, actor)?;
    Ok(ImportSummary {
        added: new.len(),
        unchanged,
        ignored_columns,
    })
}

/// Leave overlapping `[from, to]` of the people `viewer` may see.
pub fn leave(store: &dyn Store, viewer: &Viewer, from: NaiveDate, to: NaiveDate) -> Result<Vec<Leave>> {
    if from > to || (to - from).num_days() > MAX_LEAVE_DAYS {
        return Err(Error::field(
            "to",
            &to.to_string(),
            format!("a period of at most {MAX_LEAVE_DAYS} days from {from}"),
        ));
    }
    let people: std::collections::HashSet<i64> = list(
        store,
        viewer,
        &Filter {
            station: None,
            all: true,
        },
        from,
    )?
    .into_iter()
    .map(|p| p.person.id)
    .collect();
    Ok(store
        .leave(from, to)?
        .into_iter()
        .filter(|l| people.contains(&l.leave.person_id))
        .collect())
}

/// Records leave for a person `viewer` may see; it may not overlap their
/// other leave.
pub fn add_leave(store: &dyn Store, viewer: &Viewer, l: &NewLeave, actor: &str, at: DateTime<Utc>) -> Result<i64> {
    let l = checked_leave(store, viewer, l)?;
    Ok(store.add_leave(&l, at, actor)?)
}

/// The leave as it will be stored (its note trimmed), once it keeps every
/// rule: a known kind, a bounded period, a person the viewer sees, and no
/// leave (or no wish) of the same sort overlapping it.
pub(crate) fn checked_leave(store: &dyn Store, viewer: &Viewer, l: &NewLeave) -> Result<NewLeave> {
    if !LEAVE_KINDS.iter().any(|(k, _)| *k == l.kind) {
        let known: Vec<_> = LEAVE_KINDS.iter().map(|(c, z)| format!("{c} ({z})")).collect();
        return Err(Error::field(
            "kind",
            &l.kind,
            format!("leave {:?}: one of {}", l.kind, known.join(", ")),
        ));
    }
    if l.last_day < l.first_day || (l.last_day - l.first_day).num_days() >= MAX_LEAVE_DAYS {
        return Err(Error::field(
            "last_day",
            &l.last_day.to_string(),
            format!(
                "the last day on or after {} and within {MAX_LEAVE_DAYS} days of it",
                l.first_day
            ),
        ));
    }
    let note = l.note.trim();
    if note.chars().count() > 200 {
        return Err(Error::field("note", note, "a note of at most 200 characters"));
    }
    fengqiao_cases::text::check("note", note).map_err(|e| Error::field("note", note, e.to_string()))?;
    let visible = list(
        store,
        viewer,
        &Filter {
            station: None,
            all: true,
        },
        l.first_day,
    )?;
    if !visible.iter().any(|p| p.person.id == l.person_id) {
        return Err(Error::not_found(format!("no person {}", l.person_id)));
    }
    if let Some(clash) = store
        .leave(l.first_day, l.last_day)?
        .into_iter()
        .find(|x| x.leave.person_id == l.person_id && !x.cancelled && keeps_away(&x.leave.kind) == keeps_away(&l.kind))
    {
        return Err(Error::conflict(if keeps_away(&l.kind) {
            format!(
                "person {} is on leave from {} to {} already",
                l.person_id, clash.leave.first_day, clash.leave.last_day
            )
        } else {
            // One wish a day: off or to work, not both.
            format!(
                "person {} has a wish ({}) for {} to {} already",
                l.person_id, clash.leave.kind, clash.leave.first_day, clash.leave.last_day
            )
        }));
    }
    Ok(NewLeave {
        note: note.to_string(),
        ..l.clone()
    })
}

/// Cancels leave of a person `viewer` may see.
pub fn cancel_leave(store: &dyn Store, viewer: &Viewer, id: i64, actor: &str, at: DateTime<Utc>) -> Result<Leave> {
    let visible = list(
        store,
        viewer,
        &Filter {
            station: None,
            all: true,
        },
        at.date_naive(),
    )?;
    let person_of = |l: &Leave| l.leave.person_id;
    let (ever, never) = (
        NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date"),
        NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date"),
    );
    let found = store
        .leave(ever, never)?
        .into_iter()
        .find(|l| l.id == id)
        .filter(|l| visible.iter().any(|p| p.person.id == person_of(l)))
        .ok_or_else(|| Error::not_found(format!("no leave {id}")))?;
    Ok(store.cancel_leave(found.id, at, actor)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fengqiao_store_sqlite::SqliteStore;

    fn station(code: &str, zh: &str, area: &str) -> Facility {
        Facility {
            code: code.into(),
            kind: FacilityKind::Station,
            name_zh: zh.into(),
            name_en: code.into(),
            lon: 121.5,
            lat: 29.8,
            jurisdiction: Some(area.into()),
            units: 2,
        }
    }

    fn setup() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("p.sqlite")).unwrap();
        store
            .replace_facilities(&[station("PS01", "江厦派出所", "A1"), station("PS02", "东柳派出所", "A2")])
            .unwrap();
        (dir, store)
    }

    fn person(badge: &str, station: &str) -> NewPerson {
        NewPerson {
            badge: badge.into(),
            name: "王建国".into(),
            kind: StaffKind::Officer,
            station: station.into(),
            team: "一中队".into(),
            qualifications: vec!["驾驶".into(), "driving".into()],
            phone: Some("13812345678".into()),
            weekly_hours: 40,
            shifts: vec![],
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn records_are_normalised_and_bad_ones_name_the_field() {
        let (_d, store) = setup();
        let duty = DutyConfig::builtin();
        let stations = stations(&store).unwrap();
        let p = check(
            &stations,
            &duty,
            &NewPerson {
                shifts: vec!["白班".into(), "night".into()],
                station: "东柳派出所".into(),
                ..person(" 031245 ", "")
            },
        )
        .unwrap();
        assert_eq!((p.badge.as_str(), p.station.as_str()), ("031245", "PS02"));
        assert_eq!(p.qualifications, ["driving"]);
        assert_eq!(p.shifts, ["day", "night"]);
        for (bad_person, field) in [
            (
                NewPerson {
                    badge: "03 12".into(),
                    ..person("x", "PS01")
                },
                "badge",
            ),
            (
                NewPerson {
                    station: "PS09".into(),
                    ..person("1", "PS01")
                },
                "station",
            ),
            (
                NewPerson {
                    qualifications: vec!["飞行".into()],
                    ..person("1", "PS01")
                },
                "qualifications",
            ),
            (
                NewPerson {
                    phone: Some("call me".into()),
                    ..person("1", "PS01")
                },
                "phone",
            ),
            (
                NewPerson {
                    weekly_hours: 0,
                    ..person("1", "PS01")
                },
                "weekly_hours",
            ),
            (
                NewPerson {
                    shifts: vec!["siesta".into()],
                    ..person("1", "PS01")
                },
                "shifts",
            ),
        ] {
            let e = check(&stations, &duty, &bad_person).unwrap_err();
            assert_eq!(e.code, Code::InvalidInput);
            assert_eq!(e.details["parameter"], field, "{}", e.message);
        }
    }

    #[test]
    fn officers_see_their_own_station_and_others_see_masked_names() {
        let (_d, store) = setup();
        let duty = DutyConfig::builtin();
        let at = Utc::now();
        let op = Viewer::operator();
        add(&store, &duty, &op, &person("1001", "PS01"), "admin", at).unwrap();
        add(&store, &duty, &op, &person("2001", "PS02"), "admin", at).unwrap();
        let officer = Viewer {
            area: Some("A1".into()),
            personal_data: true,
        };
        let mine = list(&store, &officer, &Filter::default(), day("2026-12-04")).unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].person.person.name, "王建国");
        let e = list(
            &store,
            &officer,
            &Filter {
                station: Some("PS02".into()),
                all: false,
            },
            day("2026-12-04"),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::OutOfScope);
        // Nor may an officer add someone to another station.
        assert_eq!(
            add(&store, &duty, &officer, &person("1002", "PS02"), "o", at)
                .unwrap_err()
                .code,
            Code::OutOfScope
        );
        let leader = Viewer {
            area: None,
            personal_data: false,
        };
        let all = list(&store, &leader, &Filter::default(), day("2026-12-04")).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].person.person.name, "王**");
        assert_eq!(all[0].person.person.phone.as_deref(), Some("138****5678"));
    }

    #[test]
    fn imports_write_every_row_or_none() {
        let (_d, store) = setup();
        let duty = DutyConfig::builtin();
        let op = Viewer::operator();
        let at = Utc::now();
        let good = "\u{feff}警号,姓名,人员类别,所属单位,中队,资质,手机,身份证号\n\
                    1001,王建国,民警,江厦派出所,一中队,驾驶、持枪,13812345678,330203198001011234\n\
                    F2001,李小明,辅警,PS01,一中队,,13900001111,\n";
        let bad = format!("{good}F2002,赵六,协警,PS01,,,,\n");
        let e = import_csv(&store, &duty, &op, bad.as_bytes(), "admin", at).unwrap_err();
        assert!(e.message.starts_with("line 4: kind \"协警\""), "{}", e.message);
        assert!(store.personnel().unwrap().is_empty(), "nothing written");
        let s = import_csv(&store, &duty, &op, good.as_bytes(), "admin", at).unwrap();
        assert_eq!((s.added, s.unchanged), (2, 0));
        assert_eq!(s.ignored_columns, ["身份证号"]);
        let again = import_csv(&store, &duty, &op, good.as_bytes(), "admin", at).unwrap();
        assert_eq!((again.added, again.unchanged), (0, 2));
        let changed = good.replace("一中队,驾驶、持枪", "二中队,驾驶、持枪");
        assert_eq!(
            import_csv(&store, &duty, &op, changed.as_bytes(), "admin", at)
                .unwrap_err()
                .code,
            Code::Conflict
        );
        let twice = "badge,name,kind,station\n1,a,officer,PS01\n1,b,officer,PS01\n";
        let e = import_csv(&store, &duty, &op, twice.as_bytes(), "admin", at).unwrap_err();
        assert!(e.message.contains("line 3: badge 1 is also on line 2"), "{}", e.message);
        let headless = "警号,姓名\n1,a\n";
        assert!(
            import_csv(&store, &duty, &op, headless.as_bytes(), "admin", at)
                .unwrap_err()
                .message
                .contains("no kind column")
        );
        assert!(
            import_csv(&store, &duty, &op, b"\xff\xfe", "admin", at)
                .unwrap_err()
                .message
                .contains("UTF-8")
        );
    }

    #[test]
    fn leave_does_not_overlap_and_shows_today() {
        let (_d, store) = setup();
        let duty = DutyConfig::builtin();
        let op = Viewer::operator();
        let at = Utc::now();
        let id = add(&store, &duty, &op, &person("1001", "PS01"), "admin", at).unwrap();
        let sick = NewLeave {
            person_id: id,
            kind: "sick".into(),
            first_day: day("2026-12-04"),
            last_day: day("2026-12-06"),
            note: String::new(),
        };
        let leave_id = add_leave(&store, &op, &sick, "admin", at).unwrap();
        let clash = NewLeave {
            kind: "annual".into(),
            first_day: day("2026-12-06"),
            last_day: day("2026-12-10"),
            ..sick.clone()
        };
        assert_eq!(
            add_leave(&store, &op, &clash, "admin", at).unwrap_err().code,
            Code::Conflict
        );
        let backwards = NewLeave {
            last_day: day("2026-12-01"),
            ..sick.clone()
        };
        assert_eq!(
            add_leave(&store, &op, &backwards, "admin", at).unwrap_err().details["parameter"],
            "last_day"
        );
        let p = list(&store, &op, &Filter::default(), day("2026-12-05")).unwrap();
        assert_eq!(p[0].leave_today.as_deref(), Some("sick"));
        assert_eq!(
            list(&store, &op, &Filter::default(), day("2026-12-07")).unwrap()[0].leave_today,
            None
        );
        let other_area = Viewer {
            area: Some("A2".into()),
            personal_data: true,
        };
        assert_eq!(
            cancel_leave(&store, &other_area, leave_id, "o", at).unwrap_err().code,
            Code::NotFound
        );
        assert!(cancel_leave(&store, &op, leave_id, "admin", at).unwrap().cancelled);
        assert!(
            add_leave(&store, &op, &clash, "admin", at).is_ok(),
            "cancelled leave frees the days"
        );
    }

    #[test]
    fn a_wished_day_off_does_not_block_leave() {
        let (_d, store) = setup();
        let duty = DutyConfig::builtin();
        let op = Viewer::operator();
        let at = Utc::now();
        let id = add(&store, &duty, &op, &person("1001", "PS01"), "admin", at).unwrap();
        let wish = NewLeave {
            person_id: id,
            kind: "wish_off".into(),
            first_day: day("2026-12-05"),
            last_day: day("2026-12-05"),
            note: String::new(),
        };
        add_leave(&store, &op, &wish, "admin", at).unwrap();
        let sick = NewLeave {
            kind: "sick".into(),
            first_day: day("2026-12-04"),
            last_day: day("2026-12-06"),
            ..wish.clone()
        };
        add_leave(&store, &op, &sick, "admin", at).expect("a sick call on a wished day is recorded");
        let second_wish = NewLeave {
            first_day: day("2026-12-03"),
            ..wish.clone()
        };
        let e = add_leave(&store, &op, &second_wish, "admin", at).unwrap_err();
        assert_eq!(e.code, Code::Conflict);
        assert!(e.message.contains("a wish (wish_off)"), "{}", e.message);
        // One wish a day: not to work a day wished off.
        let to_work = NewLeave {
            kind: "wish_on".into(),
            ..wish.clone()
        };
        let e = add_leave(&store, &op, &to_work, "admin", at).unwrap_err();
        assert_eq!(e.code, Code::Conflict);
    }
}
