//! Parsing query parameters into store filters, with errors that name the
//! parameter, the value and what was expected. Unknown parameters are
//! errors too: a misspelt filter must not silently return everything.

use crate::error::Code;
use crate::{ApiError, AppState};
use chrono::{DateTime, NaiveDate, Utc};
use fengqiao_domain::Origin;
use fengqiao_store::{Cursor, IncidentFilter};
use std::collections::HashMap;

pub const FILTER_PARAMS: [&str; 7] = ["dataset", "from", "to", "category", "jurisdiction", "bbox", "origin"];

pub fn reject_unknown(q: &HashMap<String, String>, allowed: &[&str]) -> Result<(), ApiError> {
    let mut unknown: Vec<&String> = q.keys().filter(|k| !allowed.contains(&k.as_str())).collect();
    unknown.sort();
    match unknown.first() {
        Some(k) => Err(ApiError::invalid_parameter(
            k,
            &q[*k],
            format!("unknown parameter; allowed: {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

fn time(tz: chrono_tz::Tz, name: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid_parameter(name, v, "expected an RFC 3339 time or a date YYYY-MM-DD"))?;
    Ok(fengqiao_cases::calendar::day_start(&tz, d))
}

/// `tz` reads date-only `from`/`to` values as local midnights.
pub fn filter(state: &AppState, tz: chrono_tz::Tz, q: &HashMap<String, String>) -> Result<IncidentFilter, ApiError> {
    let mut f = IncidentFilter {
        dataset: q.get("dataset").cloned().or_else(|| state.default_dataset.clone()),
        ..IncidentFilter::default()
    };
    if let Some(v) = q.get("from") {
        f.from = Some(time(tz, "from", v)?);
    }
    if let Some(v) = q.get("to") {
        f.to = Some(time(tz, "to", v)?);
    }
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a >= b
    {
        return Err(ApiError::invalid_parameter("to", &q["to"], "must be after `from`"));
    }
    if let Some(v) = q.get("category") {
        state.categories.require(v).map_err(|_| {
            ApiError::invalid_parameter(
                "category",
                v,
                "not a code of the category table (see /api/v1/categories)",
            )
        })?;
        f.category = Some(v.clone());
    }
    if let Some(v) = q.get("jurisdiction") {
        f.jurisdiction = Some(v.clone());
    }
    if let Some(v) = q.get("bbox") {
        let parts: Vec<f64> = v.split(',').filter_map(|p| p.trim().parse().ok()).collect();
        match parts.as_slice() {
            [x0, y0, x1, y1] if x0 < x1 && y0 < y1 && (-180.0..=180.0).contains(x0) && (-90.0..=90.0).contains(y0) => {
                f.bbox = Some([*x0, *y0, *x1, *y1]);
            }
            _ => {
                return Err(ApiError::invalid_parameter(
                    "bbox",
                    v,
                    "expected min_lon,min_lat,max_lon,max_lat with min < max",
                ));
            }
        }
    }
    if let Some(v) = q.get("origin") {
        f.origin = Some(
            Origin::parse(v)
                .filter(|o| *o != Origin::Unknown || v == "unknown")
                .ok_or_else(|| ApiError::invalid_parameter("origin", v, "expected citizen, officer or unknown"))?,
        );
    }
    Ok(f)
}

pub fn limit(q: &HashMap<String, String>, default: u32, max: u32) -> Result<u32, ApiError> {
    match q.get("limit") {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| ApiError::invalid_parameter("limit", v, format!("expected an integer 1..={max}"))),
    }
}

/// `window`: one of the kinds a forecast is made for, else `default`.
pub fn window(q: &HashMap<String, String>, default: &str) -> Result<String, ApiError> {
    match q.get("window") {
        None => Ok(default.to_string()),
        Some(w) if ["shift", "day", "week"].contains(&w.as_str()) => Ok(w.clone()),
        Some(w) => Err(ApiError::invalid_parameter("window", w, "expected shift, day or week")),
    }
}

/// A share of a whole in (0, 1] named `name`, if given.
pub fn share(q: &HashMap<String, String>, name: &str) -> Result<Option<f64>, ApiError> {
    q.get(name)
        .map(|v| {
            v.parse::<f64>()
                .ok()
                .filter(|t| *t > 0.0 && *t <= 1.0)
                .ok_or_else(|| ApiError::invalid_parameter(name, v, "expected a share in (0, 1], e.g. 0.05"))
        })
        .transpose()
}

/// A number (or id) named `name`, if given.
pub fn number<T: std::str::FromStr>(q: &HashMap<String, String>, name: &str) -> Result<Option<T>, ApiError> {
    q.get(name)
        .map(|v| {
            v.parse::<T>()
                .map_err(|_| ApiError::invalid_parameter(name, v, "expected a number"))
        })
        .transpose()
}

pub fn cursor(q: &HashMap<String, String>) -> Result<Option<Cursor>, ApiError> {
    q.get("after")
        .map(|v| {
            Cursor::decode(v)
                .ok_or_else(|| ApiError::invalid_parameter("after", v, "not a cursor from a previous page's `next`"))
        })
        .transpose()
}

/// `from` and `to` as local days (default: the 30 days up to and including
/// today, in `tz`); `from` must come before `to`.
pub fn day_range(
    q: &HashMap<String, String>,
    tz: chrono_tz::Tz,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
    let day = |k: &str| -> Result<Option<chrono::NaiveDate>, ApiError> {
        q.get(k)
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| ApiError::invalid_parameter(k, v, "expected a local day YYYY-MM-DD"))
            })
            .transpose()
    };
    let to = day("to")?.unwrap_or(now.with_timezone(&tz).date_naive() + chrono::Duration::days(1));
    let from = day("from")?.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::invalid_parameter(
            "from",
            &from.to_string(),
            "must be before `to`",
        ));
    }
    let limit = fengqiao_store::cases::MAX_REPORT_DAYS;
    if (to - from).num_days() > limit {
        let mut e = ApiError::invalid_parameter(
            "to",
            &to.to_string(),
            format!("a period is at most {limit} days (ten years) long"),
        );
        e.details["limit_days"] = limit.into();
        return Err(e);
    }
    Ok((from, to))
}

/// The jurisdiction a jurisdiction-scoped principal may ask about: its own
/// when it names none, the one it names when that lies within its own, and
/// a 403 otherwise. Principals of other scopes get what they asked.
pub fn scoped_jurisdiction(
    state: &crate::AppState,
    who: &fengqiao_auth::Principal,
    asked: Option<String>,
) -> Result<Option<String>, ApiError> {
    if state.policy.scope(&who.role) != fengqiao_auth::Scope::Jurisdiction {
        return Ok(asked);
    }
    // An officer without a jurisdiction sees nothing rather than everything.
    let own = who.jurisdiction.clone().unwrap_or_else(|| "\u{0}none".into());
    match asked {
        Some(a) if !a.starts_with(&own) => Err(ApiError::new(
            Code::OutOfScope,
            format!("jurisdiction {a} is outside yours ({own})"),
        )),
        Some(a) => Ok(Some(a)),
        None => Ok(Some(own)),
    }
}
