//! Duty levels (勤务等级) on a station's roster: a commander raises one of
//! the bureau's levels over some days (a holiday, a typhoon, a major event)
//! and the roster is repaired to put its share of the station on post and
//! stand another share by (备勤); lowering it gives those days back their
//! demand and undoes the shifts the raise added that are still as it left
//! them. Each is a new roster version with its history in words.

use crate::error::{Error, Result};
use crate::personnel::Viewer;
use crate::roster::{Stored, check_version, load};
use chrono::{Duration, NaiveDate, Utc};
use fengqiao_domain::duty::DutyConfig;
use fengqiao_roster::station::{StationProblem, raise_level};
use fengqiao_store::Store;
use fengqiao_store::personnel::RosterUpdate;
use serde_json::{Value, json};

/// Longest reason a level is raised for.
const MAX_REASON: usize = 200;

/// What a commander asks for.
#[derive(Debug, Clone)]
pub struct Raise {
    pub level: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub reason: String,
}

fn levels(body: &Value) -> Vec<Value> {
    body["levels"].as_array().cloned().unwrap_or_default()
}

fn day_of(v: &Value) -> Option<NaiveDate> {
    serde_json::from_value(v.clone()).ok()
}

/// A level still raised on any of the days asked for.
fn overlapping(body: &Value, ask: &Raise) -> Option<Value> {
    levels(body).into_iter().find(|l| {
        l["state"] == "raised"
            && day_of(&l["first_day"]).is_some_and(|f| f <= ask.last_day)
            && day_of(&l["last_day"]).is_some_and(|t| t >= ask.first_day)
    })
}

/// Raises `ask.level` at every station in the viewer's sight, on the newest
/// published roster holding all its days. Every station is checked first:
/// if a level is raised already at any of them, nothing is raised and the
/// stations are named. Stations without such a roster are listed.
pub fn raise_everywhere(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    viewer: &Viewer,
    ask: &Raise,
    actor: &str,
    today: NaiveDate,
) -> Result<Value> {
    let mut targets = Vec::new();
    let mut without = Vec::new();
    for station in crate::personnel::stations(store)?
        .into_iter()
        .filter(|s| viewer.sees(s))
    {
        let covering = store.rosters(Some(&station.code), 50)?.into_iter().find(|r| {
            r.roster.state == "published"
                && r.roster.first_day <= ask.first_day
                && ask.last_day < r.roster.first_day + Duration::days(i64::from(r.roster.days))
        });
        match covering {
            Some(r) => targets.push((station.code, r)),
            None => without.push(station.code),
        }
    }
    if targets.is_empty() {
        return Err(Error::field(
            "first_day",
            &ask.first_day.to_string(),
            format!(
                "no station in sight has a published roster from {} to {}",
                ask.first_day, ask.last_day
            ),
        ));
    }
    let clash: Vec<&str> = targets
        .iter()
        .filter(|(_, r)| overlapping(&r.roster.body, ask).is_some())
        .map(|(code, _)| code.as_str())
        .collect();
    if !clash.is_empty() {
        return Err(Error::conflict(format!(
            "a duty level is raised already on these days at {}: lower it first",
            clash.join(", ")
        )));
    }
    // Every roster repaired first, then all written in one transaction: a
    // station that cannot be raised leaves every station as it was.
    let mut prepared = Vec::with_capacity(targets.len());
    for (code, r) in &targets {
        prepared.push((code, prepare(store, duty, viewer, r.id, r.version, ask, actor, today)?));
    }
    let updates: Vec<RosterUpdate<'_>> = prepared
        .iter()
        .map(|(_, (stored, body, _))| RosterUpdate {
            id: stored.record.id,
            state: &stored.record.roster.state,
            body,
            expected_version: stored.record.version,
        })
        .collect();
    store.update_rosters(&updates, Utc::now(), actor)?;
    for (_, (stored, _, event)) in &prepared {
        crate::roster::announce(store, duty, notify, stored, event)?;
    }
    let raised: Vec<Value> = prepared
        .iter()
        .map(|(code, (stored, _, e))| {
            json!({
                "station": code, "roster": stored.record.id, "cells": e["cells"].as_array().map_or(0, Vec::len),
                "short_days": e["short_days"], "name_zh": e["name_zh"], "name_en": e["name_en"],
            })
        })
        .collect();
    Ok(json!({"level": ask.level, "raised": raised, "without_roster": without}))
}

/// Raises `ask.level` over its days of roster `id` (today or later);
/// refused where another level is still raised on any of them.
#[allow(clippy::too_many_arguments)]
pub fn raise(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    viewer: &Viewer,
    id: i64,
    version: u32,
    ask: &Raise,
    actor: &str,
    today: NaiveDate,
) -> Result<Value> {
    let (stored, body, event) = prepare(store, duty, viewer, id, version, ask, actor, today)?;
    stored.save(store, &body, actor)?;
    crate::roster::announce(store, duty, notify, &stored, &event)?;
    Ok(event)
}

/// The roster as [`raise`] would leave it, not yet written: the roster
/// read, its new body and the event in its history.
#[allow(clippy::too_many_arguments)]
fn prepare(
    store: &dyn Store,
    duty: &DutyConfig,
    viewer: &Viewer,
    id: i64,
    version: u32,
    ask: &Raise,
    actor: &str,
    today: NaiveDate,
) -> Result<(Stored, Value, Value)> {
    let level = duty.level(&ask.level).ok_or_else(|| {
        let known: Vec<&str> = duty.levels.iter().map(|l| l.code.as_str()).collect();
        let why = if known.is_empty() {
            "the duty configuration has no levels".to_string()
        } else {
            format!("level {:?}: one of {}", ask.level, known.join(", "))
        };
        Error::field("level", &ask.level, why)
    })?;
    let reason = ask.reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(Error::field(
            "reason",
            reason,
            format!("a reason of 1 to {MAX_REASON} characters"),
        ));
    }
    fengqiao_cases::text::check("reason", reason).map_err(|e| Error::field("reason", reason, e.to_string()))?;
    if ask.first_day < today {
        return Err(Error::field(
            "first_day",
            &ask.first_day.to_string(),
            format!("{}: today ({today}) or later", ask.first_day),
        ));
    }
    if ask.last_day < ask.first_day {
        return Err(Error::field(
            "last_day",
            &ask.last_day.to_string(),
            format!("{} is before the first day {}", ask.last_day, ask.first_day),
        ));
    }
    let stored = load(store, duty, viewer, id)?;
    check_version(&stored, version)?;
    let (from, to) = (stored.day(ask.first_day)?, stored.day(ask.last_day)?);
    let existing = levels(&stored.record.roster.body);
    if let Some(l) = overlapping(&stored.record.roster.body, ask) {
        return Err(Error::conflict(format!(
            "{} is raised from {} to {} already: lower it first",
            l["name_zh"].as_str().unwrap_or(""),
            l["first_day"].as_str().unwrap_or(""),
            l["last_day"].as_str().unwrap_or("")
        )));
    }
    let raised = raise_level(
        &stored.sp,
        &stored.assignment,
        from..to + 1,
        level.on_post,
        level.standby,
    );
    let sp = StationProblem {
        crews: raised.crews.clone(),
        ..stored.sp.clone()
    };
    let first = stored.record.roster.first_day;
    let date = |d: usize| first + Duration::days(d as i64);
    let n = existing.len() + 1;
    let days: Vec<Value> = raised
        .days
        .iter()
        .map(|d| {
            json!({
                "day": date(d.day), "available": d.available, "on_post_wanted": d.on_post_wanted,
                "on_post": d.on_post, "standby_wanted": d.standby_wanted,
                "standby": d.standby.iter().map(|&i| stored.people[i].id).collect::<Vec<_>>(),
            })
        })
        .collect();
    let short: Vec<Value> = raised
        .days
        .iter()
        .filter(|d| d.on_post < d.on_post_wanted || (d.standby.len() as u32) < d.standby_wanted)
        .map(|d| json!(date(d.day)))
        .collect();
    let cells = stored.cells(&raised.changes);
    let event = json!({
        "kind": "level", "n": n, "level": level.code, "name_zh": level.name_zh, "name_en": level.name_en,
        "first_day": ask.first_day, "last_day": ask.last_day, "reason": reason,
        "at": Utc::now(), "by": actor, "cells": cells, "short_days": short,
    });
    let record = json!({
        "n": n, "level": level.code, "name_zh": level.name_zh, "name_en": level.name_en,
        "on_post": level.on_post, "standby": level.standby,
        "first_day": ask.first_day, "last_day": ask.last_day, "reason": reason, "state": "raised",
        "raised_by": actor, "raised_at": Utc::now(),
        "demand_before": stored.sp.crews[from..=to], "cells": cells, "days": days,
    });
    let mut body = stored.rewritten_for(&sp, &raised.roster, event.clone());
    let mut all = existing;
    all.push(record);
    body["levels"] = json!(all);
    Ok((stored, body, event))
}

/// Lowers level `n` of roster `id` from today (or its first day, if later):
/// those days need what they needed before, and each shift the raise gave
/// or moved that is still as it left it goes back.
#[allow(clippy::too_many_arguments)]
pub fn lower(
    store: &dyn Store,
    duty: &DutyConfig,
    notify: &crate::notify::Channels,
    viewer: &Viewer,
    id: i64,
    version: u32,
    n: usize,
    actor: &str,
    today: NaiveDate,
) -> Result<Value> {
    let stored = load(store, duty, viewer, id)?;
    check_version(&stored, version)?;
    let mut all = levels(&stored.record.roster.body);
    let k = all
        .iter()
        .position(|l| l["n"].as_u64() == Some(n as u64))
        .ok_or_else(|| Error::not_found(format!("no duty level {n} on roster {id}")))?;
    if all[k]["state"] != "raised" {
        return Err(Error::conflict(format!("duty level {n} is lowered already")));
    }
    let (Some(first_day), Some(last_day)) = (day_of(&all[k]["first_day"]), day_of(&all[k]["last_day"])) else {
        return Err(Error::internal(format!("roster {id}: duty level {n} has no days")));
    };
    let from_day = first_day.max(today);
    let (mut sp, mut assignment) = (stored.sp.clone(), stored.assignment.clone());
    let before: Vec<Vec<u32>> = serde_json::from_value(all[k]["demand_before"].clone()).unwrap_or_default();
    let mut undone = Vec::new();
    if from_day <= last_day {
        let (start, from, to) = (stored.day(first_day)?, stored.day(from_day)?, stored.day(last_day)?);
        for d in from..=to {
            if let Some(crews) = before.get(d - start) {
                sp.crews[d].clone_from(crews);
            }
        }
        undone = undo(&stored, &mut assignment, &all[k]["cells"], from_day);
    }
    // Overtime allowed only where it is still worked.
    for m in &mut sp.members {
        m.overtime_minutes = 0;
    }
    let events = stored.record.roster.body["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    crate::roster::allow_overtime(
        &mut sp,
        &stored.people,
        stored.record.roster.first_day,
        &assignment,
        &events,
    );
    all[k]["state"] = json!("lowered");
    all[k]["lowered_by"] = json!(actor);
    all[k]["lowered_at"] = json!(Utc::now());
    all[k]["lowered_from"] = json!(from_day);
    let event = json!({
        "kind": "level_lowered", "n": n, "level": all[k]["level"], "name_zh": all[k]["name_zh"],
        "name_en": all[k]["name_en"], "first_day": from_day, "last_day": last_day,
        "at": Utc::now(), "by": actor, "cells": undone,
    });
    let mut body = stored.rewritten_for(&sp, &assignment, event.clone());
    body["levels"] = json!(all);
    stored.save(store, &body, actor)?;
    crate::roster::announce(store, duty, notify, &stored, &event)?;
    Ok(event)
}

/// Puts back, last first, each cell a raise changed on `from_day` or
/// later that still holds what the raise put there; returns those undone.
fn undo(stored: &Stored, assignment: &mut fengqiao_roster::Roster, cells: &Value, from_day: NaiveDate) -> Vec<Value> {
    let shift = |v: &Value| -> Option<Option<usize>> {
        match v.as_str() {
            None => Some(None),
            Some(code) => stored.sp.shifts.iter().position(|s| s.code == code).map(Some),
        }
    };
    let mut undone = Vec::new();
    for c in cells.as_array().into_iter().flatten().rev() {
        let (Some(day), Some(person)) = (day_of(&c["day"]), c["person"].as_i64()) else {
            continue;
        };
        let (Some(from), Some(to)) = (shift(&c["from"]), shift(&c["to"])) else {
            continue;
        };
        let (Some(i), Ok(d)) = (stored.people.iter().position(|p| p.id == person), stored.day(day)) else {
            continue;
        };
        if day >= from_day && assignment[i][d] == to {
            assignment[i][d] = from;
            undone.push(json!({"person": person, "day": day, "from": c["to"], "to": c["from"]}));
        }
    }
    undone
}
