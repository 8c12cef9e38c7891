//! Turning one CSV record into a validated [`NewIncident`] or a [`Reject`]
//! that says which field was wrong and why.

use crate::IngestError;
use crate::mapping::{Mapping, TimeSpec, Zone};
use crate::matcher::Matcher;
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use fengqiao_domain::{CategoryTable, NewIncident, Origin, TimePrecision, hour_of_week};
use fengqiao_geo::Crs;

/// A row that could not be imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reject {
    /// Physical line in the file (1 = header).
    pub line: u64,
    pub field: String,
    /// What is wrong, as a code a page can put in its own words: `blank`,
    /// `bad_time`, `too_early`, `future`, `not_number`, `zero_position`,
    /// `not_lonlat`, `outside_area`, `field_count`, `open_quote`, `not_text`.
    pub kind: &'static str,
    /// The value at fault, as the file has it (empty when there is none).
    pub value: String,
    /// The same in English, with the particulars.
    pub reason: String,
}

impl Reject {
    pub fn new(line: u64, field: &str, kind: &'static str, value: &str, reason: String) -> Self {
        Self {
            line,
            field: field.to_string(),
            kind,
            value: value.to_string(),
            reason,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum FormatKind {
    Rfc3339,
    DateTime(TimePrecision),
    Date,
}

#[derive(Debug, Clone)]
enum TimeParser {
    Column {
        idx: usize,
        name: String,
        formats: Vec<(String, FormatKind)>,
    },
    DateHour {
        date: usize,
        date_name: String,
        format: String,
        hour: usize,
        hour_name: String,
    },
    Parts {
        y: usize,
        m: usize,
        d: usize,
        h: Option<usize>,
        min: Option<usize>,
        names: String,
    },
}

#[derive(Debug, Clone)]
struct TimeField {
    parser: TimeParser,
    zone: Zone,
}

/// A parsed timestamp: the UTC instant, the local wall-clock time and how precise it is.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    utc: DateTime<Utc>,
    local: NaiveDateTime,
    precision: TimePrecision,
}

/// A [`Mapping`] compiled against a file's header.
#[derive(Debug)]
pub struct RowParser {
    pub mapping: Mapping,
    tz: Tz,
    crs: Crs,
    id: Option<usize>,
    x: usize,
    y: usize,
    /// The coordinate columns' names as the file has them.
    x_name: String,
    y_name: String,
    time: TimeField,
    lifecycle: [Option<TimeField>; 4],
    unit: Option<usize>,
    address: Vec<usize>,
    place_type: Option<usize>,
    category_col: Option<usize>,
    category: Matcher<String>,
    /// Category codes and their zh/en names (lower-case) -> code, so that a
    /// file that already speaks the code table needs no map.
    category_names: std::collections::HashMap<String, String>,
    origin_col: Option<usize>,
    origin: Matcher<Origin>,
    latest_allowed: DateTime<Utc>,
    /// The header's number of columns.
    columns: usize,
}

fn format_kind(f: &str) -> FormatKind {
    if f.eq_ignore_ascii_case("rfc3339") || f.eq_ignore_ascii_case("iso8601") {
        FormatKind::Rfc3339
    } else if f.contains("%H") || f.contains("%I") || f.contains("%T") || f.contains("%R") {
        let minute = f.contains("%M") || f.contains("%T") || f.contains("%R");
        FormatKind::DateTime(if minute {
            TimePrecision::Minute
        } else {
            TimePrecision::Hour
        })
    } else {
        FormatKind::Date
    }
}

impl RowParser {
    pub fn new(
        mapping: Mapping,
        header: &[String],
        path: &str,
        categories: &CategoryTable,
    ) -> Result<Self, IngestError> {
        let bad = |reason: String| IngestError::Mapping {
            origin: mapping.name.clone(),
            reason,
        };
        let tz: Tz = mapping.timezone.parse().map_err(|_| {
            bad(format!(
                "unknown time zone {:?} (use an IANA name like Asia/Shanghai)",
                mapping.timezone
            ))
        })?;
        let crs = Crs::parse(&mapping.crs).map_err(|e| bad(e.to_string()))?;
        // A name may list alternatives, `报警时间|接警时间`, the first the
        // header has counting; an empty alternative (`到场时间|`) lets the
        // column be absent, so one mapping fits several export layouts.
        let opt_col = |names: &str, role: &str| -> Result<Option<usize>, IngestError> {
            let found = names
                .split('|')
                .filter(|n| !n.is_empty())
                .find_map(|n| header.iter().position(|h| h.trim() == n));
            match found {
                Some(i) => Ok(Some(i)),
                None if names.split('|').any(str::is_empty) => Ok(None),
                None => Err(IngestError::MissingColumn {
                    path: path.to_string(),
                    column: names.trim_matches('|').to_string(),
                    role: role.to_string(),
                    header: header.join(", "),
                }),
            }
        };
        let col = |names: &str, role: &str| -> Result<usize, IngestError> {
            opt_col(names, role)?.ok_or_else(|| IngestError::MissingColumn {
                path: path.to_string(),
                column: names.trim_matches('|').to_string(),
                role: role.to_string(),
                header: header.join(", "),
            })
        };
        let time_field = |spec: &TimeSpec, role: &str| -> Result<Option<TimeField>, IngestError> {
            let parser = if let Some(c) = &spec.column {
                if spec.format.is_empty() {
                    return Err(bad(format!("{role}: `column` needs at least one `format`")));
                }
                let Some(idx) = opt_col(c, role)? else {
                    return Ok(None);
                };
                TimeParser::Column {
                    idx,
                    name: header[idx].trim().to_string(),
                    formats: spec.format.iter().map(|f| (f.clone(), format_kind(f))).collect(),
                }
            } else if let (Some(d), Some(h)) = (&spec.date_column, &spec.hour_column) {
                let (date, hour) = (col(d, role)?, col(h, role)?);
                TimeParser::DateHour {
                    date,
                    date_name: header[date].trim().to_string(),
                    format: spec.date_format.clone().unwrap_or_else(|| "%Y-%m-%d".into()),
                    hour,
                    hour_name: header[hour].trim().to_string(),
                }
            } else if let (Some(y), Some(m), Some(d)) = (&spec.year, &spec.month, &spec.day) {
                let (y, m, d) = (col(y, role)?, col(m, role)?, col(d, role)?);
                TimeParser::Parts {
                    y,
                    m,
                    d,
                    h: spec.hour.as_deref().map(|h| col(h, role)).transpose()?,
                    min: spec.minute.as_deref().map(|m| col(m, role)).transpose()?,
                    names: [y, m, d].map(|i| header[i].trim()).join("/"),
                }
            } else {
                return Err(bad(format!(
                    "{role}: give `column` + `format`, or `date_column` + `hour_column`, or `year` + `month` + `day`"
                )));
            };
            Ok(Some(TimeField {
                parser,
                zone: spec.zone,
            }))
        };
        let check_code = |code: &str| {
            categories
                .require(code)
                .map(|_| ())
                .map_err(|_| bad(format!("category code {code:?} is not in the category table")))
        };
        check_code(&mapping.category.default)?;
        for code in mapping.category.map.values() {
            check_code(code)?;
        }
        let parse_origin =
            |s: &str| Origin::parse(s).ok_or_else(|| bad(format!("origin {s:?} is not citizen, officer or unknown")));
        let origin_default = parse_origin(&mapping.origin.default)?;
        let origin_map = mapping
            .origin
            .map
            .iter()
            .map(|(k, v)| Ok((k.clone(), parse_origin(v)?)))
            .collect::<Result<Vec<_>, IngestError>>()?;
        if mapping.delimiter.len() != 1 {
            return Err(bad(format!(
                "delimiter {:?} must be one ASCII character",
                mapping.delimiter
            )));
        }
        let lifecycle = [
            &mapping.received,
            &mapping.dispatched,
            &mapping.arrived,
            &mapping.closed,
        ];
        let names = ["received", "dispatched", "arrived", "closed"];
        let mut lc: [Option<TimeField>; 4] = [None, None, None, None];
        for i in 0..4 {
            if let Some(spec) = lifecycle[i] {
                lc[i] = time_field(spec, names[i])?;
            }
        }
        Ok(RowParser {
            tz,
            crs,
            id: mapping.id.as_deref().map(|c| opt_col(c, "id")).transpose()?.flatten(),
            x: col(&mapping.x, "x")?,
            y: col(&mapping.y, "y")?,
            x_name: header[col(&mapping.x, "x")?].trim().to_string(),
            y_name: header[col(&mapping.y, "y")?].trim().to_string(),
            time: time_field(&mapping.time, "time")?.ok_or_else(|| IngestError::MissingColumn {
                path: path.to_string(),
                column: mapping
                    .time
                    .column
                    .clone()
                    .unwrap_or_default()
                    .trim_matches('|')
                    .to_string(),
                role: "time".into(),
                header: header.join(", "),
            })?,
            lifecycle: lc,
            unit: mapping
                .unit
                .as_deref()
                .map(|c| opt_col(c, "unit"))
                .transpose()?
                .flatten(),
            address: mapping
                .address
                .iter()
                .map(|c| opt_col(c, "address"))
                .filter_map(Result::transpose)
                .collect::<Result<_, _>>()?,
            place_type: mapping
                .place_type
                .as_deref()
                .map(|c| opt_col(c, "place type"))
                .transpose()?
                .flatten(),
            category_col: mapping
                .category
                .column
                .as_deref()
                .map(|c| opt_col(c, "category"))
                .transpose()?
                .flatten(),
            category: Matcher::new(mapping.category.map.clone(), mapping.category.default.clone()),
            category_names: categories
                .all()
                .iter()
                .flat_map(|c| [c.code.clone(), c.zh.clone(), c.en.to_lowercase()].map(|k| (k, c.code.clone())))
                .collect(),
            origin_col: mapping
                .origin
                .column
                .as_deref()
                .map(|c| opt_col(c, "origin"))
                .transpose()?
                .flatten(),
            origin: Matcher::new(origin_map, origin_default),
            latest_allowed: Utc::now() + chrono::Duration::days(1),
            columns: header.len(),
            mapping,
        })
    }

    pub fn delimiter(&self) -> u8 {
        self.mapping.delimiter.as_bytes()[0]
    }

    fn local_to_utc(&self, local: NaiveDateTime, zone: Zone) -> DateTime<Utc> {
        match zone {
            Zone::Utc => Utc.from_utc_datetime(&local),
            Zone::Local => match self.tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.with_timezone(&Utc),
                // Autumn fall-back hour: the first of the two instants.
                LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
                // Spring-forward gap: the wall clock skipped this hour; an hour later is the same reading.
                LocalResult::None => self
                    .tz
                    .from_local_datetime(&(local + chrono::Duration::hours(1)))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
            },
        }
    }

    fn stamp(&self, f: &TimeField, rec: &csv::StringRecord, line: u64, role: &str) -> Result<Stamp, Reject> {
        let reject = |field: &str, kind: &'static str, value: &str, reason: String| {
            Reject::new(line, field, kind, value, reason)
        };
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let (local, precision, absolute) = match &f.parser {
            TimeParser::Column { idx, name, formats } => {
                let raw = get(*idx);
                if raw.is_empty() {
                    return Err(reject(name, "blank", "", format!("blank {role}")));
                }
                let mut found = None;
                for (fmt, kind) in formats {
                    let parsed = match kind {
                        FormatKind::Rfc3339 => DateTime::parse_from_rfc3339(raw).ok().map(|t| {
                            (
                                t.with_timezone(&self.tz).naive_local(),
                                TimePrecision::Minute,
                                Some(t.with_timezone(&Utc)),
                            )
                        }),
                        FormatKind::DateTime(p) => NaiveDateTime::parse_from_str(raw, fmt).ok().map(|t| (t, *p, None)),
                        FormatKind::Date => NaiveDate::parse_from_str(raw, fmt)
                            .ok()
                            .map(|d| (d.and_time(chrono::NaiveTime::MIN), TimePrecision::Day, None)),
                    };
                    if parsed.is_some() {
                        found = parsed;
                        break;
                    }
                }
                let fmts: Vec<&str> = formats.iter().map(|(f, _)| f.as_str()).collect();
                found.ok_or_else(|| {
                    reject(
                        name,
                        "bad_time",
                        raw,
                        format!("{raw:?} is not a valid date/time in format {}", fmts.join(" or ")),
                    )
                })?
            }
            TimeParser::DateHour {
                date,
                date_name,
                format,
                hour,
                hour_name,
            } => {
                let raw = get(*date);
                let d = NaiveDate::parse_from_str(raw, format).map_err(|_| {
                    reject(
                        date_name,
                        "bad_time",
                        raw,
                        format!("{raw:?} is not a valid date in format {format}"),
                    )
                })?;
                let h: u32 = get(*hour).parse().ok().filter(|h| *h < 24).ok_or_else(|| {
                    reject(
                        hour_name,
                        "bad_time",
                        get(*hour),
                        format!("{:?} is not an hour 0-23", get(*hour)),
                    )
                })?;
                (d.and_hms_opt(h, 0, 0).unwrap_or_default(), TimePrecision::Hour, None)
            }
            TimeParser::Parts { y, m, d, h, min, names } => {
                let num = |i: usize| get(i).parse::<u32>().ok();
                let (yy, mm, dd) = (num(*y), num(*m), num(*d));
                let date = match (yy, mm, dd) {
                    (Some(yy), Some(mm), Some(dd)) => NaiveDate::from_ymd_opt(yy as i32, mm, dd),
                    _ => None,
                }
                .ok_or_else(|| {
                    let date = format!("{}-{}-{}", get(*y), get(*m), get(*d));
                    reject(names, "bad_time", &date, format!("{date} is not a valid date"))
                })?;
                let hh = match h {
                    Some(i) => Some(num(*i).filter(|v| *v < 24).ok_or_else(|| {
                        reject(names, "bad_time", get(*i), format!("hour {:?} is not 0-23", get(*i)))
                    })?),
                    None => None,
                };
                let mi = match min {
                    Some(i) => Some(num(*i).filter(|v| *v < 60).ok_or_else(|| {
                        reject(names, "bad_time", get(*i), format!("minute {:?} is not 0-59", get(*i)))
                    })?),
                    None => None,
                };
                let precision = match (hh, mi) {
                    (Some(_), Some(_)) => TimePrecision::Minute,
                    (Some(_), None) => TimePrecision::Hour,
                    _ => TimePrecision::Day,
                };
                (
                    date.and_hms_opt(hh.unwrap_or(0), mi.unwrap_or(0), 0)
                        .unwrap_or_default(),
                    precision,
                    None,
                )
            }
        };
        let utc = absolute.unwrap_or_else(|| self.local_to_utc(local, f.zone));
        let local = match (absolute, f.zone) {
            (None, Zone::Local) => local,
            _ => utc.with_timezone(&self.tz).naive_local(),
        };
        if utc.timestamp() < 0 {
            return Err(reject(
                role,
                "too_early",
                &local.to_string(),
                format!("{local} is before 1970"),
            ));
        }
        if utc > self.latest_allowed {
            return Err(reject(
                role,
                "future",
                &local.to_string(),
                format!("{local} is in the future"),
            ));
        }
        Ok(Stamp { utc, local, precision })
    }

    fn number(&self, rec: &csv::StringRecord, idx: usize, line: u64, name: &str) -> Result<f64, Reject> {
        let raw = rec.get(idx).unwrap_or("").trim();
        let reject = |kind: &'static str, reason: String| Reject::new(line, name, kind, raw, reason);
        // R, pandas and database exports write missing values as words.
        if raw.is_empty() || ["na", "n/a", "nan", "null", "none"].contains(&raw.to_ascii_lowercase().as_str()) {
            return Err(reject(
                "blank",
                if raw.is_empty() {
                    "blank coordinate".into()
                } else {
                    format!("missing coordinate ({raw})")
                },
            ));
        }
        let owned;
        let text = if self.mapping.decimal_comma {
            owned = raw.replace(',', ".");
            owned.as_str()
        } else {
            raw
        };
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(reject("not_number", format!("{raw:?} is not a number"))),
        }
    }

    /// A category's code from its text: the mapping's exact patterns and
    /// the category table's codes and names, then the mapping's prefix
    /// patterns. A path such as `刑事案件-盗窃-入室盗窃` (as many 110 systems
    /// export them) counts by its most specific part that matches, unless a
    /// prefix pattern reaches past the first part (`ACCIDENT - HIT*`).
    fn category_of(&self, raw: &str) -> String {
        let exact = |text: &str| {
            self.category
                .find_exact(text)
                .or_else(|| self.category_names.get(&text.trim().to_lowercase()))
        };
        let matched = |text: &str| exact(text).or_else(|| self.category.find_prefix(text).map(|(_, code)| code));
        const SEPARATORS: [char; 9] = ['-', '/', '>', '－', '—', '／', '＞', '|', '·'];
        let found = exact(raw).or_else(|| {
            let part = raw
                .rsplit(SEPARATORS)
                .filter(|part| !part.trim().is_empty())
                .find_map(matched);
            let first = raw.trim_start().split(SEPARATORS).next().unwrap_or("").chars().count();
            match (self.category.find_prefix(raw), part) {
                (Some(whole), _) if whole.0 > first => Some(whole.1),
                (whole, part) => part.or(whole.map(|(_, code)| code)),
            }
        });
        found.cloned().unwrap_or_else(|| self.category.default_value().clone())
    }

    /// The number of columns every row must have.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Parses one record. `source_key` is filled by the caller when the
    /// mapping has no id column (it needs the whole file's context).
    pub fn parse(&self, rec: &csv::StringRecord, line: u64) -> Result<NewIncident, Reject> {
        let stamp = self.stamp(&self.time, rec, line, "time")?;
        let x = self.number(rec, self.x, line, &self.x_name)?;
        let y = self.number(rec, self.y, line, &self.y_name)?;
        if x == 0.0 && y == 0.0 {
            return Err(Reject::new(
                line,
                &self.x_name,
                "zero_position",
                "0, 0",
                "coordinates are 0, 0 (missing geocode)".into(),
            ));
        }
        if self.crs.is_geographic() && !((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(Reject::new(
                line,
                &format!("{}/{}", self.x_name, self.y_name),
                "not_lonlat",
                &format!("{x}, {y}"),
                format!(
                    "({x}, {y}) is not a longitude/latitude pair: is the CRS {} right?",
                    self.crs.name()
                ),
            ));
        }
        let p = self.crs.to_wgs84(x, y);
        if !p.is_valid() {
            return Err(Reject::new(
                line,
                &format!("{}/{}", self.x_name, self.y_name),
                "not_lonlat",
                &format!("{x}, {y}"),
                format!(
                    "({x}, {y}) does not convert to a valid position from {}",
                    self.crs.name()
                ),
            ));
        }
        if let Some([x0, y0, x1, y1]) = self.mapping.bbox
            && !(p.lon >= x0 && p.lon <= x1 && p.lat >= y0 && p.lat <= y1)
        {
            return Err(Reject::new(
                line,
                &format!("{}/{}", self.x_name, self.y_name),
                "outside_area",
                &format!("{x}, {y}"),
                format!(
                    "position ({:.5}, {:.5}) is outside the area of {} [{x0}, {y0}, {x1}, {y1}]",
                    p.lon, p.lat, self.mapping.name
                ),
            ));
        }
        let mut lifecycle = [None; 4];
        for (slot, field) in lifecycle.iter_mut().zip(&self.lifecycle) {
            if let Some(f) = field {
                *slot = match self.stamp(f, rec, line, "lifecycle") {
                    Ok(s) => Some(s.utc),
                    // Lifecycle times are often blank in real logs: a blank is "not known", not an error.
                    Err(r) if r.kind == "blank" => None,
                    Err(r) => return Err(r),
                };
            }
        }
        let text = |i: Option<usize>| {
            i.and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let raw_category = text(self.category_col);
        let raw = raw_category.as_deref().unwrap_or("");
        let category = self.category_of(raw);
        let origin = match self.origin_col {
            Some(i) => *self.origin.get(rec.get(i).unwrap_or("")),
            None => *self.origin.get(""),
        };
        let address: Vec<&str> = self
            .address
            .iter()
            .filter_map(|&i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        Ok(NewIncident {
            source_key: text(self.id).unwrap_or_default(),
            occurred_at: stamp.utc,
            time_precision: stamp.precision,
            hour_of_week: (stamp.precision != TimePrecision::Day).then(|| hour_of_week(stamp.local)),
            received_at: lifecycle[0],
            dispatched_at: lifecycle[1],
            arrived_at: lifecycle[2],
            closed_at: lifecycle[3],
            unit: text(self.unit),
            category,
            raw_category,
            lon: p.lon,
            lat: p.lat,
            address: (!address.is_empty()).then(|| address.join(", ")),
            place_type: text(self.place_type),
            jurisdiction_id: None,
            origin,
        })
    }
}
