//! Incidents (警情) and the police facilities that answer them.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Who started the incident. Forecasts must be able to tell the two apart:
/// officer-initiated incidents grow where patrols already are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// A 110 call, walk-in or online report by the public.
    Citizen,
    /// Found by police on patrol or in a stop (见警发现).
    Officer,
    /// The source does not say.
    Unknown,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Citizen => "citizen",
            Origin::Officer => "officer",
            Origin::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Origin> {
        match s.trim().to_ascii_lowercase().as_str() {
            "citizen" | "call" | "110" | "public" => Some(Origin::Citizen),
            "officer" | "patrol" | "self" | "self-initiated" | "proactive" => Some(Origin::Officer),
            "unknown" | "" => Some(Origin::Unknown),
            _ => None,
        }
    }
}

/// How precisely the source knows when an incident happened. A day-only
/// record must not be counted as if it happened at midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimePrecision {
    Minute,
    Hour,
    Day,
}

impl TimePrecision {
    pub fn as_str(self) -> &'static str {
        match self {
            TimePrecision::Minute => "minute",
            TimePrecision::Hour => "hour",
            TimePrecision::Day => "day",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "minute" => Some(Self::Minute),
            "hour" => Some(Self::Hour),
            "day" => Some(Self::Day),
            _ => None,
        }
    }
}

/// Hour of the week in local time, 0 = Monday 00:00-00:59, 167 = Sunday 23:00.
pub fn hour_of_week(local: NaiveDateTime) -> u8 {
    (local.weekday().num_days_from_monday() * 24 + local.hour()) as u8
}

/// An incident as it enters the store: validated, in WGS84 and UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewIncident {
    /// Deduplication key within its dataset: the source's id, or a stable
    /// hash of the row where the source has none.
    pub source_key: String,
    pub occurred_at: DateTime<Utc>,
    pub time_precision: TimePrecision,
    /// Local hour of week; `None` for day-only records.
    pub hour_of_week: Option<u8>,
    pub received_at: Option<DateTime<Utc>>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub arrived_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The unit that handled it (处警单位).
    pub unit: Option<String>,
    pub category: String,
    /// The category as the source wrote it, kept for audit and remapping.
    pub raw_category: Option<String>,
    pub lon: f64,
    pub lat: f64,
    pub address: Option<String>,
    /// The kind of place (street, residence, shop, ...) as the source names it.
    #[serde(default)]
    pub place_type: Option<String>,
    pub jurisdiction_id: Option<i64>,
    pub origin: Origin,
}

/// A stored incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub dataset: String,
    #[serde(flatten)]
    pub record: NewIncident,
}

/// What a facility is: the police's own (stations, posts), or a kind of
/// place a city knows it has, whose nearness and density the forecast reads
/// (risk terrain).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacilityKind {
    /// 派出所
    Station,
    /// 警务站 / 治安岗亭
    Post,
    /// 交通枢纽: railway and bus stations, metro interchanges
    Transport,
    /// 商圈 / 商场
    Mall,
    /// 酒吧 / 娱乐场所
    Bar,
    /// 农贸市场
    Market,
    /// 学校
    School,
    /// 医院
    Hospital,
    /// 工业园区 / 工厂
    Industrial,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 9] = [
        Self::Station,
        Self::Post,
        Self::Transport,
        Self::Mall,
        Self::Bar,
        Self::Market,
        Self::School,
        Self::Hospital,
        Self::Industrial,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FacilityKind::Station => "station",
            FacilityKind::Post => "post",
            FacilityKind::Transport => "transport",
            FacilityKind::Mall => "mall",
            FacilityKind::Bar => "bar",
            FacilityKind::Market => "market",
            FacilityKind::School => "school",
            FacilityKind::Hospital => "hospital",
            FacilityKind::Industrial => "industrial",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Stations and posts: where police units stand (the rest are places).
    pub fn is_police(self) -> bool {
        matches!(self, Self::Station | Self::Post)
    }
}

/// A police station or post, or a place of a kind the forecast reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub code: String,
    pub kind: FacilityKind,
    pub name_zh: String,
    pub name_en: String,
    pub lon: f64,
    pub lat: f64,
    /// Code of the jurisdiction it serves.
    pub jurisdiction: Option<String>,
    /// Patrol units based here.
    pub units: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn hour_of_week_starts_monday() {
        let mon = NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(0, 30, 0)
            .unwrap();
        assert_eq!(hour_of_week(mon), 0);
        let sun = NaiveDate::from_ymd_opt(2024, 1, 7)
            .unwrap()
            .and_hms_opt(23, 59, 0)
            .unwrap();
        assert_eq!(hour_of_week(sun), 167);
    }

    #[test]
    fn origin_round_trip() {
        for o in [Origin::Citizen, Origin::Officer, Origin::Unknown] {
            assert_eq!(Origin::parse(o.as_str()), Some(o));
        }
        assert_eq!(Origin::parse("bogus"), None);
    }
}
