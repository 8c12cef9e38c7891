//! Names of the case engine's codes (stages, categories, departments,
//! actions, roles) in this run's language: the configuration's own zh/en
//! names where it has them, the catalogues' otherwise.

use crate::messages::{Lang, lang, text};
use fengqiao_cases::{CaseConfig, CaseType};

pub fn pick(zh: &str, en: &str) -> String {
    match lang() {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

pub fn stage(t: Option<&CaseType>, code: &str) -> String {
    t.and_then(|t| t.stage(code))
        .map_or_else(|| code.to_string(), |s| pick(&s.zh, &s.en))
}

pub fn category(t: Option<&CaseType>, code: &str) -> String {
    t.and_then(|t| t.category_names.get(code))
        .map_or_else(|| code.to_string(), |[zh, en]| pick(zh, en))
}

pub fn department(config: &CaseConfig, code: &str) -> String {
    config
        .departments
        .iter()
        .find(|d| d.code == code)
        .map_or_else(|| code.to_string(), |d| pick(&d.zh, &d.en))
}

/// A catalogue's word for `code` in `section`, the code itself where it has none.
pub fn word(section: &str, code: &str) -> String {
    let key = format!("{section}.{code}");
    let out = text(&key, &[]);
    if out == key { code.to_string() } else { out }
}

pub fn action(name: &str) -> String {
    word("action", name)
}

pub fn role(name: &str) -> String {
    word("role", name)
}

/// Who acted: "demo:officer" → "demo（社区民警）"; the system as such.
pub fn actor(who: &str) -> String {
    match who.split_once(':') {
        Some(("system", _)) => role("system"),
        Some((user, r)) => text("case.actor", &[("user", user.to_string()), ("role", role(r))]),
        None => who.to_string(),
    }
}

/// The warning beside a deadline in a year without a holiday calendar.
pub fn calendar_gap(years: &[i32]) -> Option<String> {
    (!years.is_empty()).then(|| {
        let listed: Vec<String> = years.iter().map(i32::to_string).collect();
        text("case.calendar_gap", &[("years", listed.join(", "))])
    })
}

/// An incident category's name from the city's table.
pub fn incident_category(table: &fengqiao_domain::CategoryTable, code: &str) -> String {
    table.get(code).map_or_else(|| code.to_string(), |c| pick(&c.zh, &c.en))
}

/// This language's half of a system text written "中文 / English".
pub fn bilingual(text: &str) -> String {
    match text.split_once(" / ") {
        Some((zh, en)) => pick(zh, en),
        None => text.to_string(),
    }
}

/// A party's role in a case (申请人, 被申请人…).
pub fn party_role(code: &str) -> String {
    fengqiao_cases::identity::PARTY_ROLES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map_or_else(|| code.to_string(), |(_, zh, en)| pick(zh, en))
}

/// A Chinese name from a (code, 中文) table in Chinese; the code in English.
fn zh_of(table: &[(&str, &str)], code: &str) -> String {
    match (lang(), table.iter().find(|(c, _)| *c == code)) {
        (Lang::Zh, Some((_, zh))) => zh.to_string(),
        _ => code.to_string(),
    }
}

pub fn leave_kind(code: &str) -> String {
    zh_of(&fengqiao_domain::personnel::LEAVE_KINDS, code)
}

pub fn qualification(code: &str) -> String {
    zh_of(&fengqiao_domain::personnel::QUALIFICATIONS, code)
}

/// A volunteer activity's kind (patrol, safety talk…).
pub fn activity_kind(code: &str) -> String {
    word("volunteer", code)
}
