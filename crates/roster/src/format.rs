//! The Employee Shift Scheduling Benchmark's text format (Curtois & Qu,
//! schedulingbenchmarks.org): `SECTION_…` headers, `#` comments and
//! comma-separated rows. Every error names the line.

use crate::problem::{Cover, MAX_DAYS, Problem, ProblemError, Request, ShiftType, Staff};
use std::collections::HashMap;

/// The most bytes of a benchmark file read: the largest published one is
/// under 1 MB.
pub const MAX_BYTES: usize = 16 << 20;

/// Parses a benchmark instance. The horizon starts on a Monday, as all the
/// benchmark's instances do.
pub fn parse(text: &str) -> Result<Problem, ProblemError> {
    if text.len() > MAX_BYTES {
        return Err(ProblemError::Invalid(format!(
            "{} bytes: at most {MAX_BYTES}",
            text.len()
        )));
    }
    let mut section = "";
    let mut days = 0usize;
    let mut shift_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut staff_rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut rows: HashMap<&str, Vec<(usize, Vec<String>)>> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix("SECTION_") {
            section = match name {
                "HORIZON" | "SHIFTS" | "STAFF" | "DAYS_OFF" | "SHIFT_ON_REQUESTS" | "SHIFT_OFF_REQUESTS" | "COVER" => {
                    name
                }
                _ => return Err(err(n, format!("unknown section {name:?}"))),
            };
            continue;
        }
        let fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
        match section {
            "" => return Err(err(n, "a row before any section".into())),
            "HORIZON" => {
                days = number(n, line)? as usize;
                if days == 0 || days > MAX_DAYS {
                    return Err(err(n, format!("{days} days: 1 to {MAX_DAYS}")));
                }
            }
            "SHIFTS" => shift_rows.push((n, fields)),
            "STAFF" => staff_rows.push((n, fields)),
            other => rows.entry(other).or_default().push((n, fields)),
        }
    }
    let shift_index: HashMap<String, usize> = shift_rows
        .iter()
        .enumerate()
        .map(|(i, (_, f))| (f[0].clone(), i))
        .collect();
    if shift_index.len() != shift_rows.len() {
        return Err(ProblemError::Invalid("a shift type is listed twice".into()));
    }
    let shift_of = |n: usize, id: &str| -> Result<usize, ProblemError> {
        shift_index
            .get(id)
            .copied()
            .ok_or_else(|| err(n, format!("unknown shift {id:?}")))
    };
    let mut shifts = Vec::new();
    for (n, f) in &shift_rows {
        if f.len() < 2 {
            return Err(err(*n, "a shift is: id, minutes, forbidden next shifts".into()));
        }
        let forbids_next = match f.get(2).map(String::as_str) {
            None | Some("") => Vec::new(),
            Some(list) => list
                .split('|')
                .map(|id| shift_of(*n, id.trim()))
                .collect::<Result<_, _>>()?,
        };
        shifts.push(ShiftType {
            id: f[0].clone(),
            minutes: number(*n, &f[1])?,
            forbids_next,
        });
    }
    let mut staff = Vec::new();
    for (n, f) in &staff_rows {
        if f.len() != 8 {
            return Err(err(*n, format!("a person has 8 fields, not {}", f.len())));
        }
        let mut max_shifts = vec![0; shifts.len()];
        for pair in f[1].split('|').filter(|p| !p.is_empty()) {
            let (id, max) = pair
                .split_once('=')
                .ok_or_else(|| err(*n, format!("{pair:?}: shift=maximum")))?;
            max_shifts[shift_of(*n, id)?] = number(*n, max)?;
        }
        staff.push(Staff {
            id: f[0].clone(),
            max_shifts,
            max_minutes: number(*n, &f[2])?,
            min_minutes: number(*n, &f[3])?,
            max_consecutive: number(*n, &f[4])?,
            min_consecutive: number(*n, &f[5])?,
            min_days_off: number(*n, &f[6])?,
            max_weekends: number(*n, &f[7])?,
            days_off: Vec::new(),
        });
    }
    let staff_index: HashMap<String, usize> = staff.iter().enumerate().map(|(i, s)| (s.id.clone(), i)).collect();
    let staff_of = |n: usize, id: &str| -> Result<usize, ProblemError> {
        staff_index
            .get(id)
            .copied()
            .ok_or_else(|| err(n, format!("unknown person {id:?}")))
    };
    let day_of = |n: usize, v: &str| -> Result<usize, ProblemError> {
        let d = number(n, v)? as usize;
        if d >= days {
            return Err(err(n, format!("day {d} outside the {days}-day horizon")));
        }
        Ok(d)
    };
    for (n, f) in rows.remove("DAYS_OFF").unwrap_or_default() {
        let who = staff_of(n, &f[0])?;
        for d in &f[1..] {
            let d = day_of(n, d)?;
            staff[who].days_off.push(d);
        }
    }
    let requests = |list: Vec<(usize, Vec<String>)>| -> Result<Vec<Request>, ProblemError> {
        list.into_iter()
            .map(|(n, f)| {
                if f.len() != 4 {
                    return Err(err(n, "a request is: person, day, shift, weight".into()));
                }
                Ok(Request {
                    staff: staff_of(n, &f[0])?,
                    day: day_of(n, &f[1])?,
                    shift: shift_of(n, &f[2])?,
                    weight: number(n, &f[3])?,
                })
            })
            .collect()
    };
    let on_requests = requests(rows.remove("SHIFT_ON_REQUESTS").unwrap_or_default())?;
    let off_requests = requests(rows.remove("SHIFT_OFF_REQUESTS").unwrap_or_default())?;
    let mut cover = vec![vec![Cover::default(); shifts.len()]; days];
    for (n, f) in rows.remove("COVER").unwrap_or_default() {
        if f.len() != 5 {
            return Err(err(
                n,
                "a cover row is: day, shift, requirement, under weight, over weight".into(),
            ));
        }
        let (d, s) = (day_of(n, &f[0])?, shift_of(n, &f[1])?);
        cover[d][s] = Cover {
            requirement: number(n, &f[2])?,
            under_weight: number(n, &f[3])?,
            over_weight: number(n, &f[4])?,
        };
    }
    let problem = Problem {
        days,
        first_weekday: 0,
        shifts,
        staff,
        on_requests,
        off_requests,
        work_requests: Vec::new(),
        cover,
    };
    problem.validate()?;
    Ok(problem)
}

fn err(line: usize, why: String) -> ProblemError {
    ProblemError::Invalid(format!("line {line}: {why}"))
}

fn number(line: usize, v: &str) -> Result<u32, ProblemError> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| err(line, format!("{v:?} is not a whole number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "# a comment\nSECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\nN,600,D\n\nSECTION_STAFF\nA,D=7|N=2,3000,960,5,1,2,1\nB,D=7|N=0,3000,0,5,1,1,1\n\nSECTION_DAYS_OFF\nA,2,5\n\nSECTION_SHIFT_ON_REQUESTS\nB,0,D,3\n\nSECTION_SHIFT_OFF_REQUESTS\nA,1,N,2\n\nSECTION_COVER\n0,D,2,100,1\n6,N,1,100,1\n";

    #[test]
    fn reads_every_section() {
        let p = parse(SMALL).unwrap();
        assert_eq!(p.days, 7);
        assert_eq!(p.shifts[1].id, "N");
        assert_eq!(p.shifts[1].minutes, 600);
        assert_eq!(p.shifts[1].forbids_next, [0]);
        assert_eq!(p.staff[0].max_shifts, [7, 2]);
        assert_eq!(p.staff[0].min_days_off, 2);
        assert_eq!(p.staff[0].days_off, [2, 5]);
        assert_eq!(p.on_requests[0].staff, 1);
        assert_eq!(p.off_requests[0].shift, 1);
        assert_eq!(p.cover[0][0].requirement, 2);
        assert_eq!(p.cover[6][1].under_weight, 100);
        assert_eq!(p.cover[3][0], Cover::default());
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                SMALL.replace("N,600,D", "N,six,D"),
                "line 7: \"six\" is not a whole number",
            ),
            (SMALL.replace("A,1,N,2", "A,1,X,2"), "line 20: unknown shift \"X\""),
            (
                SMALL.replace("A,2,5", "A,2,9"),
                "line 14: day 9 outside the 7-day horizon",
            ),
            (SMALL.replace("B,0,D,3", "Z,0,D,3"), "line 17: unknown person \"Z\""),
            (
                SMALL.replace("SECTION_COVER", "SECTION_CAVER"),
                "line 22: unknown section \"CAVER\"",
            ),
            (SMALL.replace("\n7\n", "\n9999\n"), "line 3: 9999 days: 1 to 366"),
            (
                SMALL.replace("B,D=7|N=0,3000,0,5,1,1,1", "B,D=7"),
                "line 11: a person has 8 fields, not 2",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(&text).unwrap_err().to_string(), want);
        }
    }
}
