//! The canonical body of a stored record, which the ledger commits to: its
//! column values in column order as a JSON array — integers as integers,
//! reals as shortest round-trip floats, text as JSON strings, bytes as
//! lowercase hex — written without building a tree. Every backend stores
//! the same value types (times as Unix seconds, JSON bodies as text), so a
//! record's commitment is the same on SQLite and PostgreSQL.

/// The columns a record's commitment covers, in order, for every backend
/// (a change here orphans every stored commitment).
pub const INCIDENT_COLUMNS: &str = "dataset_id, source_key, occurred_at, time_precision, hour_of_week, received_at, \
     dispatched_at, arrived_at, closed_at, unit, category, raw_category, lon, lat, address, jurisdiction_id, origin, \
     place_type";
pub const FORECAST_COLUMNS: &str = "dataset_id, model, window_kind, window_start, window_end, shift, category, cell_m, \
     centre_lon, centre_lat, origin_x, origin_y, cols, rows, data_cutoff, params, version, created_at";
pub const PLAN_COLUMNS: &str =
    "dataset_id, forecast_id, window_start, window_end, params, summary, body, geojson, version, created_at";
/// A case's row (its parties and events follow it in the body).
pub const CASE_COLUMNS: &str = "code, case_type, category, title, description, jurisdiction_id, address, lon, lat, \
     origin, stage, version, department, assignee, opened_at, due_at, stage_due_at, closed_at, state, risk_grade, risk, \
     stock, token_hash, in_person_visits, incident_id";
pub const ATTACHMENT_COLUMNS: &str = "case_id, file_name, media_type, sha256, size, added_by, added_at";
/// An account: what it may do and its password hash, not its login counters.
pub const USER_COLUMNS: &str =
    "username, display_name, role, jurisdiction, department, assignee, password_hash, must_change, disabled, version";
pub const LOGIN_COLUMNS: &str = "username, user_id, success, via, at";
pub const VOLUNTEER_COLUMNS: &str = "name, phone, skills, areas, availability, active, joined_at";
/// An activity's row (its attendance follows it in the body).
pub const ACTIVITY_COLUMNS: &str = "kind, title, jurisdiction, starts_at, ends_at, reach, case_code";
/// A mediator of the pool.
pub const MEDIATOR_COLUMNS: &str = "name, kind, areas, active, version, added_at, added_by";
/// A member of staff (民警, 辅警).
pub const PERSON_COLUMNS: &str = "badge, name, kind, station, team, qualifications, phone, weekly_hours, shifts, active, \
     version, changed_at, changed_by";
/// A period of leave.
pub const LEAVE_COLUMNS: &str = "person_id, kind, first_day, last_day, note, cancelled, version, added_at, added_by";
/// A station's roster.
pub const ROSTER_COLUMNS: &str = "station, first_day, days, state, body, version, changed_at, changed_by";
/// A volunteer's account: who signs in as the volunteer.
pub const VOLUNTEER_ACCOUNT_COLUMNS: &str = "volunteer_id, username, linked_at, linked_by";
/// A 民转刑 link between a dispute and a later incident.
pub const LINK_COLUMNS: &str = "case_id, incident_id, reason, linked_at";

/// One stored column value, borrowed from the backend's row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// Appends the canonical body of `values` to `out`.
pub fn body(values: &[Value<'_>], out: &mut Vec<u8>) {
    use std::io::Write;
    out.push(b'[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = match v {
            Value::Null => out.write_all(b"null"),
            Value::Integer(n) => write!(out, "{n}"),
            Value::Real(f) => serde_json::to_writer(&mut *out, f).map_err(std::io::Error::other),
            Value::Text(t) => serde_json::to_writer(&mut *out, t).map_err(std::io::Error::other),
            Value::Blob(b) => write!(out, "\"{}\"", crate::secrets::hex(b)),
        };
    }
    out.push(b']');
}

/// The keyed commitment to a record's column values.
pub fn commit(key: &[u8; 32], values: &[Value<'_>]) -> [u8; 32] {
    let mut buf = Vec::with_capacity(256);
    body(values, &mut buf);
    fengqiao_tlog::keyed_hash(key, &buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json_arrays_of_the_stored_values() {
        let mut out = Vec::new();
        body(
            &[
                Value::Null,
                Value::Integer(-7),
                Value::Real(121.5),
                Value::Real(0.1),
                Value::Text("江厦\"街\""),
                Value::Blob(&[0, 255]),
            ],
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"[null,-7,121.5,0.1,"江厦\"街\"","00ff"]"#
        );
    }

    #[test]
    fn the_commitment_is_pinned() {
        // Changing the canonical body would orphan every stored commitment.
        let c = commit(
            &[7; 32],
            &[Value::Integer(1), Value::Text("a"), Value::Real(2.5), Value::Null],
        );
        assert_eq!(
            crate::secrets::hex(&c),
            crate::secrets::hex(&fengqiao_tlog::keyed_hash(&[7; 32], br#"[1,"a",2.5,null]"#))
        );
    }
}
