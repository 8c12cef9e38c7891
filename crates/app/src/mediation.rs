//! The records mediation makes, checked the same on every face: a
//! session's minutes (when, where, who attended, what was said and agreed,
//! the next step), an agreement's terms (what each side will do, how and
//! by when, the date it was signed: the contents a 人民调解协议书 carries
//! under Article 29 of the People's Mediation Law) and a follow-up visit's
//! outcome; a cocoon round's reach; how an anti-fraud call or visit ended.
//! Other actions make no record.

use crate::error::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_cases::Effect;
use serde_json::Value;

/// Outcomes of a follow-up visit: fulfilled, partly, not fulfilled, the
/// dispute came back.
pub const VISIT_OUTCOMES: [&str; 4] = ["fulfilled", "partly", "unfulfilled", "recurred"];

/// How reaching the person an anti-fraud warning names ended: talked out
/// of paying, had paid already, would not listen.
pub const DISSUADE_OUTCOMES: [&str; 3] = ["dissuaded", "already_paid", "refused"];

/// How they were reached.
pub const DISSUADE_CHANNELS: [&str; 2] = ["phone", "visit"];

/// A callback's answers: how satisfied, how safe the person feels, and
/// why not satisfied.
pub const SATISFACTION: [&str; 3] = ["satisfied", "basically", "unsatisfied"];
pub const SAFETY: [&str; 3] = ["safe", "basically_safe", "unsafe"];
pub const UNSATISFIED_REASONS: [&str; 5] = ["slow", "attitude", "unsolved", "no_feedback", "other"];

/// Largest loss one dissuasion says it prevented, yuan.
pub const MAX_LOSS_PREVENTED_YUAN: u64 = 100_000_000;

fn bad(field: &str, why: impl std::fmt::Display) -> Error {
    Error::input(format!("details.{field}: {why}"))
        .with_details(serde_json::json!({"parameter": format!("details.{field}"), "value": ""}))
}

/// A whole number from 0 to `max` (or absent, if not `required`).
fn count(d: &Value, field: &str, max: u64, required: bool) -> Result<()> {
    match d.get(field) {
        None | Some(Value::Null) if !required => Ok(()),
        Some(v) if v.as_u64().is_some_and(|n| n <= max) => Ok(()),
        _ => Err(bad(field, format!("a whole number from 0 to {max}"))),
    }
}

/// A text field of 1 to `max` characters (or absent, if not `required`).
fn text(d: &Value, field: &str, max: usize, required: bool) -> Result<()> {
    match d.get(field) {
        None | Some(Value::Null) if !required => Ok(()),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= max => Ok(()),
        _ => Err(bad(
            field,
            format!(
                "{} text of at most {max} characters",
                if required { "a" } else { "optional" }
            ),
        )),
    }
}

/// A list of 1 to `n` texts of at most `max` characters each.
fn texts(d: &Value, field: &str, n: usize, max: usize) -> Result<()> {
    let ok = d.get(field).and_then(Value::as_array).is_some_and(|xs| {
        (1..=n).contains(&xs.len())
            && xs.iter().all(|x| {
                x.as_str()
                    .is_some_and(|s| !s.trim().is_empty() && s.chars().count() <= max)
            })
    });
    if ok {
        Ok(())
    } else {
        Err(bad(
            field,
            format!("a list of 1 to {n} texts of at most {max} characters"),
        ))
    }
}

/// One of `allowed`.
fn one_of(d: &Value, field: &str, allowed: &[&str]) -> Result<()> {
    match d.get(field).and_then(Value::as_str) {
        Some(v) if allowed.contains(&v) => Ok(()),
        _ => Err(bad(field, format!("one of {}", allowed.join(", ")))),
    }
}

/// A date (YYYY-MM-DD) no later than the day after `at`.
fn date(d: &Value, field: &str, at: DateTime<Utc>) -> Result<()> {
    let parsed = d
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
    match parsed {
        None => Err(bad(field, "a date, YYYY-MM-DD")),
        Some(day) if day > at.date_naive() + chrono::Days::new(1) => Err(bad(field, format!("{day} is in the future"))),
        Some(_) => Ok(()),
    }
}

fn only(d: &Value, fields: &[&str]) -> Result<()> {
    let Some(map) = d.as_object() else {
        return Err(bad("", "an object"));
    };
    match map.keys().find(|k| !fields.contains(&k.as_str())) {
        Some(k) => Err(bad(
            k,
            format!("not a field of this record (it has {})", fields.join(", ")),
        )),
        None => Ok(()),
    }
}

/// Whether `details` is the record an action of this effect makes (a
/// record is optional; one given to an action that makes none is refused).
pub fn check(effect: Option<Effect>, details: Option<&Value>, at: DateTime<Utc>) -> Result<()> {
    let Some(d) = details else {
        // A dissuasion without its outcome would count as reached and say nothing.
        return match effect {
            Some(Effect::Dissuade) => Err(bad("outcome", format!("one of {}", DISSUADE_OUTCOMES.join(", ")))),
            Some(Effect::Answer) => Err(bad("satisfaction", format!("one of {}", SATISFACTION.join(", ")))),
            _ => Ok(()),
        };
    };
    match effect {
        Some(Effect::Session) => {
            only(d, &["held_on", "place", "attendees", "said", "agreed", "next_step"])?;
            date(d, "held_on", at)?;
            text(d, "place", 200, true)?;
            texts(d, "attendees", 30, 50)?;
            text(d, "said", 4000, true)?;
            text(d, "agreed", 4000, false)?;
            text(d, "next_step", 1000, false)
        }
        Some(Effect::Agree) => {
            only(d, &["terms", "performance", "signed_on"])?;
            texts(d, "terms", 30, 1000)?;
            text(d, "performance", 1000, false)?;
            date(d, "signed_on", at)
        }
        Some(Effect::Visit) => {
            only(d, &["visited_on", "outcome", "note"])?;
            date(d, "visited_on", at)?;
            match d.get("outcome").and_then(Value::as_str) {
                Some(o) if VISIT_OUTCOMES.contains(&o) => {}
                _ => return Err(bad("outcome", format!("one of {}", VISIT_OUTCOMES.join(", ")))),
            }
            text(d, "note", 2000, false)
        }
        Some(Effect::Warn) => {
            only(d, &["households", "notices", "note"])?;
            count(d, "households", 10_000, true)?;
            count(d, "notices", 1_000, false)?;
            text(d, "note", 2000, false)
        }
        Some(Effect::Dissuade) => {
            only(d, &["outcome", "channel", "loss_prevented", "note"])?;
            one_of(d, "outcome", &DISSUADE_OUTCOMES)?;
            one_of(d, "channel", &DISSUADE_CHANNELS)?;
            count(d, "loss_prevented", MAX_LOSS_PREVENTED_YUAN, false)?;
            let prevented = d.get("loss_prevented").and_then(Value::as_u64).unwrap_or(0);
            if prevented > 0 && d["outcome"] == "refused" {
                return Err(bad(
                    "loss_prevented",
                    "nothing is prevented when the person would not listen",
                ));
            }
            text(d, "note", 2000, false)
        }
        Some(Effect::Answer) => {
            only(d, &["satisfaction", "safety", "reasons", "comment"])?;
            one_of(d, "satisfaction", &SATISFACTION)?;
            if d.get("safety").is_some_and(|v| !v.is_null()) {
                one_of(d, "safety", &SAFETY)?;
            }
            let reasons = match d.get("reasons") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(xs)) => xs.iter().map(|x| x.as_str().unwrap_or("")).collect(),
                Some(_) => return Err(bad("reasons", format!("a list of {}", UNSATISFIED_REASONS.join(", ")))),
            };
            if let Some(r) = reasons.iter().find(|r| !UNSATISFIED_REASONS.contains(r)) {
                return Err(bad(
                    "reasons",
                    format!("{r:?}: one of {}", UNSATISFIED_REASONS.join(", ")),
                ));
            }
            if d["satisfaction"] == "unsatisfied" && reasons.is_empty() {
                return Err(bad("reasons", "an unsatisfied answer says why"));
            }
            text(d, "comment", 500, false)
        }
        _ => Err(Error::input("this action makes no record: send no details")
            .with_details(serde_json::json!({"parameter": "details", "value": ""}))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-12-03T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_session_needs_its_minutes() {
        let ok = json!({"held_on": "2026-12-03", "place": "彩虹社区调解室", "attendees": ["王建国", "李秀英"], "said": "双方陈述"});
        assert!(check(Some(Effect::Session), Some(&ok), now()).is_ok());
        let mut no_one = ok.clone();
        no_one["attendees"] = json!([]);
        let e = check(Some(Effect::Session), Some(&no_one), now()).unwrap_err();
        assert!(e.to_string().contains("details.attendees"), "{e}");
        let mut later = ok.clone();
        later["held_on"] = json!("2027-01-01");
        assert!(check(Some(Effect::Session), Some(&later), now()).is_err());
        let mut extra = ok;
        extra["mood"] = json!("tense");
        assert!(
            check(Some(Effect::Session), Some(&extra), now())
                .unwrap_err()
                .to_string()
                .contains("mood")
        );
    }

    #[test]
    fn an_agreement_states_its_terms_and_a_visit_its_outcome() {
        let terms =
            json!({"terms": ["王建国晚十点后不再装修"], "signed_on": "2026-12-02", "performance": "即日起履行"});
        assert!(check(Some(Effect::Agree), Some(&terms), now()).is_ok());
        assert!(
            check(
                Some(Effect::Agree),
                Some(&json!({"terms": [], "signed_on": "2026-12-02"})),
                now()
            )
            .is_err()
        );
        let visit = json!({"visited_on": "2026-12-03", "outcome": "fulfilled"});
        assert!(check(Some(Effect::Visit), Some(&visit), now()).is_ok());
        let wrong = json!({"visited_on": "2026-12-03", "outcome": "fine"});
        assert!(check(Some(Effect::Visit), Some(&wrong), now()).is_err());
    }

    #[test]
    fn records_are_optional_but_only_where_an_action_makes_one() {
        assert!(check(Some(Effect::Session), None, now()).is_ok());
        assert!(check(Some(Effect::Dispatch), Some(&json!({})), now()).is_err());
        assert!(check(None, Some(&json!({"x": 1})), now()).is_err());
    }

    #[test]
    fn a_dissuasion_says_how_it_ended() {
        let ok = json!({"outcome": "dissuaded", "channel": "phone", "loss_prevented": 50000});
        assert!(check(Some(Effect::Dissuade), Some(&ok), now()).is_ok());
        let e = check(Some(Effect::Dissuade), None, now()).unwrap_err();
        assert!(e.to_string().contains("details.outcome"), "{e}");
        let by_letter = json!({"outcome": "dissuaded", "channel": "letter"});
        assert!(check(Some(Effect::Dissuade), Some(&by_letter), now()).is_err());
        let refused = json!({"outcome": "refused", "channel": "visit", "loss_prevented": 100});
        let e = check(Some(Effect::Dissuade), Some(&refused), now()).unwrap_err();
        assert!(e.to_string().contains("loss_prevented"), "{e}");
        let negative = json!({"outcome": "dissuaded", "channel": "phone", "loss_prevented": -1});
        assert!(check(Some(Effect::Dissuade), Some(&negative), now()).is_err());
    }

    #[test]
    fn a_callback_answer_says_how_satisfied_and_why_not() {
        let ok = json!({"satisfaction": "basically", "safety": "safe"});
        assert!(check(Some(Effect::Answer), Some(&ok), now()).is_ok());
        assert!(check(Some(Effect::Answer), None, now()).is_err());
        let why_not = json!({"satisfaction": "unsatisfied"});
        let e = check(Some(Effect::Answer), Some(&why_not), now()).unwrap_err();
        assert!(e.to_string().contains("details.reasons"), "{e}");
        let said = json!({"satisfaction": "unsatisfied", "reasons": ["slow", "unsolved"], "comment": "出警慢"});
        assert!(check(Some(Effect::Answer), Some(&said), now()).is_ok());
        let odd = json!({"satisfaction": "unsatisfied", "reasons": ["weather"]});
        assert!(check(Some(Effect::Answer), Some(&odd), now()).is_err());
        let unsafe_word = json!({"satisfaction": "satisfied", "safety": "scared"});
        assert!(check(Some(Effect::Answer), Some(&unsafe_word), now()).is_err());
    }
}
