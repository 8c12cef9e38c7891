//! Importer tests on the small real subsets in `testdata/`, one per caveat.

use crate::*;
use chrono::{TimeZone, Timelike, Utc};
use fengqiao_domain::{CategoryTable, NewIncident, Origin, TimePrecision};
use fengqiao_store::ImportCounts;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(name)
}

struct Outcome {
    summary: ImportSummary,
    rows: Vec<NewIncident>,
}

/// Imports into memory with the same dedupe rule as the store.
fn run_with(file: &str, mapping: Mapping, rejects: Option<PathBuf>) -> Result<Outcome, IngestError> {
    let path = testdata(file);
    let source = open_csv_source(&path)?;
    let table = CategoryTable::default_110();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    let opts = ImportOptions {
        batch_size: 7,
        rejects_path: rejects,
        ..ImportOptions::default()
    };
    let summary = import(
        source,
        file,
        "t",
        mapping,
        &table,
        None,
        &opts,
        &|_, _, _| {},
        |batch: &[NewIncident], c: ImportCounts| {
            let mut c = c;
            for r in batch {
                if seen.insert(r.source_key.clone()) {
                    c.imported += 1;
                    rows.push(r.clone());
                } else {
                    c.duplicates += 1;
                }
            }
            Ok(c)
        },
    )?;
    Ok(Outcome { summary, rows })
}

fn run(file: &str, profile_name: &str) -> Outcome {
    run_with(file, profile(profile_name).unwrap(), None).unwrap()
}

#[test]
fn every_profile_parses_and_fits_its_sample() {
    let cases = [
        ("chicago_aggravated_assaults.csv", "chicago", 60, 0),
        ("chicago_aggravated_assaults.csv.gz", "chicago", 60, 0),
        ("houston_crime_2010.csv", "houston", 43, 4),
        ("nyc_vehicle_thefts_2014_2017.csv", "nyc-vehicle", 40, 0),
        ("vancouver_thefts.csv", "vancouver", 40, 0),
        ("cincinnati_burglary.csv", "cincinnati", 40, 0),
        ("medellin_homicides.csv", "medellin", 40, 0),
        ("san_francisco_robbery_2019.csv", "sf", 40, 0),
        ("portland_cfs_all_2016_aug_sep.csv", "portland", 41, 1),
        ("chicago_residential_burglary_2016.csv", "chicago-burglary", 40, 0),
    ];
    for (file, prof, read, rejected) in cases {
        let o = run(file, prof);
        let s = &o.summary;
        assert_eq!((s.read, s.rejected), (read, rejected), "{file}: {s:?}");
        assert_eq!(
            s.imported + s.duplicates + s.rejected,
            s.read,
            "{file}: every row accounted for"
        );
        let bbox = profile(prof).unwrap().bbox.unwrap();
        for r in &o.rows {
            assert!(
                r.lon >= bbox[0] && r.lon <= bbox[2] && r.lat >= bbox[1] && r.lat <= bbox[3],
                "{file}: {r:?}"
            );
        }
    }
    assert_eq!(profile_names().len(), 9);
}

#[test]
fn medellin_semicolons_and_decimal_commas() {
    let o = run("medellin_homicides.csv", "medellin");
    // 2019-04-23T12:30:00Z;-75,56985400000;6,25722555000
    let r = &o.rows[0];
    assert!(
        (r.lon - -75.569854).abs() < 1e-9 && (r.lat - 6.25722555).abs() < 1e-9,
        "{r:?}"
    );
    // Read as local time (UTC-5): 12:30 local is 17:30 UTC.
    assert_eq!(r.occurred_at, Utc.with_ymd_and_hms(2019, 4, 23, 17, 30, 0).unwrap());
    assert_eq!(r.raw_category.as_deref(), Some("Ahorcamiento o estrangulamiento"));
}

#[test]
fn portland_day_only_dates_and_state_plane_feet() {
    let o = run("portland_cfs_all_2016_aug_sep.csv", "portland");
    assert!(
        o.rows
            .iter()
            .all(|r| r.time_precision == TimePrecision::Day && r.hour_of_week.is_none())
    );
    // The release's own lon/lat for line 2: -122.613925, 45.492962.
    let r = &o.rows[0];
    assert!(
        (r.lon - -122.613925).abs() < 2e-5 && (r.lat - 45.492962).abs() < 2e-5,
        "{r:?}"
    );
    // 2016-08-10 local midnight (PDT, UTC-7).
    assert_eq!(r.occurred_at, Utc.with_ymd_and_hms(2016, 8, 10, 7, 0, 0).unwrap());
    assert_eq!(r.category, "public_order.suspicious");
    // Line 19377 has no date and coordinates 0, 0.
    assert_eq!(
        o.summary.rejected_by_reason.get("occ_date: blank time"),
        Some(&1),
        "{:?}",
        o.summary.rejected_by_reason
    );
}

#[test]
fn houston_local_hour_agrees_with_the_utc_column() {
    let o = run("houston_crime_2010.csv", "houston");
    // Every kept row: the UTC `time` column equals local date + hour converted to UTC.
    let text = std::fs::read_to_string(testdata("houston_crime_2010.csv")).unwrap();
    let utc_times: HashSet<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    for r in &o.rows {
        assert_eq!(r.time_precision, TimePrecision::Hour);
        let s = r.occurred_at.format("%Y-%m-%d %H:%M:%S").to_string();
        assert!(utc_times.contains(&s), "{s} not among the file's UTC times");
    }
    // Lines 18 and 247 are 190 km away; 17824 and 61841 are blank.
    let reasons = &o.summary.rejected_by_reason;
    assert_eq!(
        reasons
            .iter()
            .filter(|(k, _)| k.contains("outside the area"))
            .map(|(_, v)| v)
            .sum::<u64>(),
        2,
        "{reasons:?}"
    );
    assert_eq!(
        reasons
            .iter()
            .filter(|(k, _)| k.contains("blank coordinate"))
            .map(|(_, v)| v)
            .sum::<u64>(),
        2,
        "{reasons:?}"
    );
    assert!(o.rows.iter().any(|r| r.category == "criminal.homicide"));
}

#[test]
fn sf_z_labelled_times_are_read_as_local_unless_told_otherwise() {
    let o = run("san_francisco_robbery_2019.csv", "sf");
    // 24103841,personal robbery,2019-01-01T19:50:00Z: 19:50 PST = 03:50 UTC next day.
    let r = o.rows.iter().find(|r| r.source_key == "24103841").unwrap();
    assert_eq!(r.occurred_at, Utc.with_ymd_and_hms(2019, 1, 2, 3, 50, 0).unwrap());
    // Tuesday 19:00 local -> hour of week 24 + 19.
    assert_eq!(r.hour_of_week, Some(43));
    let mut utc = profile("sf").unwrap();
    utc.time.zone = Zone::Utc;
    let o = run_with("san_francisco_robbery_2019.csv", utc, None).unwrap();
    let r = o.rows.iter().find(|r| r.source_key == "24103841").unwrap();
    assert_eq!(r.occurred_at.hour(), 19);
    assert_eq!(r.hour_of_week, Some(35)); // Tuesday 19:50 UTC is Tuesday 11:50 PST
}

#[test]
fn vancouver_utm_and_time_parts() {
    let o = run("vancouver_thefts.csv", "vancouver");
    let r = &o.rows[0];
    assert_eq!(r.time_precision, TimePrecision::Minute);
    // 2020-01-01 00:00 PST
    assert_eq!(r.occurred_at, Utc.with_ymd_and_hms(2020, 1, 1, 8, 0, 0).unwrap());
    assert_eq!(r.category, "criminal.theft.other");
    assert!(r.address.as_deref().unwrap().contains("West End"));
}

#[test]
fn cincinnati_repeated_incident_numbers_are_duplicates() {
    let o = run("cincinnati_burglary.csv", "cincinnati");
    assert!(o.summary.duplicates >= 1, "{:?}", o.summary);
    assert_eq!(o.summary.imported + o.summary.duplicates, 40);
}

#[test]
fn identical_rows_without_ids_are_kept_and_reimport_adds_nothing() {
    let dir = tempdir();
    let p = dir.join("twins.csv");
    std::fs::write(
        &p,
        "date,loc_cat,longitude,latitude,district\n\
         2015-06-01 22:10,street,-87.6277,41.7922,2\n\
         2015-06-01 22:10,street,-87.6277,41.7922,2\n\
         2015-06-01 22:11,street,-87.6277,41.7922,2\n",
    )
    .unwrap();
    let table = CategoryTable::default_110();
    let keys = |p: &Path| {
        let mut keys = Vec::new();
        let src = open_csv_source(p).unwrap();
        import(
            src,
            "twins",
            "t",
            profile("chicago").unwrap(),
            &table,
            None,
            &ImportOptions::default(),
            &|_, _, _| {},
            |b: &[NewIncident], mut c: ImportCounts| {
                keys.extend(b.iter().map(|r| r.source_key.clone()));
                c.imported += b.len() as u64;
                Ok(c)
            },
        )
        .unwrap();
        keys
    };
    let first = keys(&p);
    assert_eq!(first.len(), 3);
    assert_eq!(
        first.iter().collect::<HashSet<_>>().len(),
        3,
        "the two identical rows get different keys"
    );
    assert_eq!(first, keys(&p), "keys are stable across imports");
}

fn tempdir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("fq-ingest-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
        ^ (std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos() as u64)
}

#[test]
fn malformed_rows_and_impossible_dates_are_rejected_with_line_and_field() {
    let dir = tempdir();
    let p = dir.join("bad.csv");
    std::fs::write(
        &p,
        "date,loc_cat,longitude,latitude,district\n\
         2015-06-01 22:10,street,-87.6277,41.7922,2\n\
         2019-02-30 10:00,street,-87.6277,41.7922,2\n\
         2015-06-01 22:10,street,-87.6277\n\
         2015-06-01 25:10,street,-87.6277,41.7922,2\n\
         2015-06-01 22:10,street,abc,41.7922,2\n\
                  2015-06-01 22:10,street,,41.7922,2\n\
         2015-06-01 22:10,street,NA,NA,2\n\
         2099-01-01 00:00,street,-87.6277,41.7922,2\n",
    )
    .unwrap();
    let rejects = dir.join("bad.rejects.csv");
    let o = run_with("../does-not-matter", profile("chicago").unwrap(), None).err();
    assert!(matches!(o, Some(IngestError::Io { .. })));
    let src = open_csv_source(&p).unwrap();
    let table = CategoryTable::default_110();
    let opts = ImportOptions {
        rejects_path: Some(rejects.clone()),
        ..ImportOptions::default()
    };
    let s = import(
        src,
        "bad.csv",
        "t",
        profile("chicago").unwrap(),
        &table,
        None,
        &opts,
        &|_, _, _| {},
        |b: &[NewIncident], mut c: ImportCounts| {
            c.imported += b.len() as u64;
            Ok(c)
        },
    )
    .unwrap();
    assert_eq!((s.read, s.imported, s.rejected), (8, 1, 7), "{s:?}");
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "line,field,reason,record");
    assert!(
        lines[1].starts_with("3,date,") && lines[1].contains("2019-02-30"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("4,(row),\"row has 3 fields, the header has 5\""),
        "{}",
        lines[2]
    );
    assert!(lines[3].starts_with("5,date,"), "{}", lines[3]);
    assert!(
        lines[4].starts_with("6,longitude,") && lines[4].contains("not a number"),
        "{}",
        lines[4]
    );
    assert!(lines[5].starts_with("7,longitude,blank coordinate"), "{}", lines[5]);
    assert!(
        lines[6].starts_with("8,longitude,missing coordinate (NA)"),
        "{}",
        lines[6]
    );
    assert!(
        lines[7].starts_with("9,time,") && lines[7].contains("future"),
        "{}",
        lines[7]
    );
}

#[test]
fn wrong_crs_aborts_before_anything_is_written() {
    let mut m = profile("vancouver").unwrap();
    m.crs = "EPSG:4326".into();
    let e = run_with("vancouver_thefts.csv", m, None).err().unwrap().to_string();
    assert!(
        e.contains("all 40 rows were rejected") && e.contains("not a longitude/latitude pair"),
        "{e}"
    );
}

#[test]
fn missing_column_and_unknown_profile_say_what_exists() {
    let mut m = profile("chicago").unwrap();
    m.x = "lng".into();
    let e = run_with("chicago_aggravated_assaults.csv", m, None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("\"lng\"") && e.contains("longitude, latitude"), "{e}");
    let e = profile("atlantis").unwrap_err().to_string();
    assert!(e.contains("chicago") && e.contains("--map"), "{e}");
}

#[test]
fn mapping_file_with_gcj02_coordinates_and_lifecycle() {
    let dir = tempdir();
    let p = dir.join("ningbo.csv");
    std::fs::write(
        &p,
        "警情编号,接警时间,派警时间,到场时间,结束时间,经度,纬度,类别,来源,地址,处警单位\n\
         NB001,2024-03-05 21:14:09,2024-03-05 21:15:30,2024-03-05 21:22:00,,121.5481736600,29.8657297384,盗窃,110,海曙区某路,鼓楼派出所\n\
         NB002,2024-03-05 21:20:00,,,,121.55,29.87,巡逻发现,巡查,海曙区某路,鼓楼派出所\n",
    )
    .unwrap();
    let toml = r#"
        name = "ningbo-110"
        timezone = "Asia/Shanghai"
        crs = "GCJ02"
        id = "警情编号"
        x = "经度"
        y = "纬度"
        unit = "处警单位"
        address = ["地址"]
        bbox = [121.2, 29.6, 122.0, 30.2]
        [time]
        column = "接警时间"
        format = ["%Y-%m-%d %H:%M:%S"]
        [received]
        column = "接警时间"
        format = ["%Y-%m-%d %H:%M:%S"]
        [dispatched]
        column = "派警时间"
        format = ["%Y-%m-%d %H:%M:%S"]
        [arrived]
        column = "到场时间"
        format = ["%Y-%m-%d %H:%M:%S"]
        [closed]
        column = "结束时间"
        format = ["%Y-%m-%d %H:%M:%S"]
        [category]
        column = "类别"
        default = "other.other"
        map = { "盗窃" = "criminal.theft.other" }
        [origin]
        column = "来源"
        default = "unknown"
        map = { "110" = "citizen", "巡查" = "officer" }
    "#;
    let m = Mapping::from_toml(toml, "ningbo.toml").unwrap();
    let table = CategoryTable::default_110();
    let mut rows = Vec::new();
    import(
        open_csv_source(&p).unwrap(),
        "ningbo.csv",
        "t",
        m,
        &table,
        None,
        &ImportOptions::default(),
        &|_, _, _| {},
        |b: &[NewIncident], mut c: ImportCounts| {
            rows.extend_from_slice(b);
            c.imported += b.len() as u64;
            Ok(c)
        },
    )
    .unwrap();
    let r = &rows[0];
    // GCJ-02 (121.54817366, 29.86572974) is WGS84 (121.544, 29.8683).
    assert!(
        (r.lon - 121.544).abs() < 1e-6 && (r.lat - 29.8683).abs() < 1e-6,
        "{r:?}"
    );
    assert_eq!(r.occurred_at, Utc.with_ymd_and_hms(2024, 3, 5, 13, 14, 9).unwrap());
    assert_eq!(r.arrived_at, Some(Utc.with_ymd_and_hms(2024, 3, 5, 13, 22, 0).unwrap()));
    assert_eq!(r.closed_at, None);
    assert_eq!((r.origin, r.unit.as_deref()), (Origin::Citizen, Some("鼓楼派出所")));
    assert_eq!(rows[1].origin, Origin::Officer);
    assert_eq!(rows[1].category, "other.other");
}

#[test]
fn unknown_category_code_in_mapping_is_an_error() {
    let mut m = profile("chicago").unwrap();
    m.category.default = "criminal.piracy".into();
    let e = run_with("chicago_aggravated_assaults.csv", m, None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("criminal.piracy"), "{e}");
}

mod properties {
    use super::*;
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Tz;
    use proptest::prelude::*;

    fn parse_one(mapping: &Mapping, header: &str, line: &str) -> Result<NewIncident, Reject> {
        let table = CategoryTable::default_110();
        let header: Vec<String> = header.split(',').map(String::from).collect();
        let parser = RowParser::new(mapping.clone(), &header, "prop", &table).unwrap();
        let rec = csv::StringRecord::from(line.split(',').collect::<Vec<_>>());
        parser.parse(&rec, 2)
    }

    proptest! {
        /// Any local minute written in the chicago layout comes back as the
        /// instant the time zone says, with its local hour of week.
        #[test]
        fn local_time_round_trip(days in 0i64..3650, minute in 0i64..1440) {
            let local = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
                + chrono::Duration::days(days) + chrono::Duration::minutes(minute);
            let tz: Tz = "America/Chicago".parse().unwrap();
            let Some(expected) = tz.from_local_datetime(&local).single() else { return Ok(()) }; // DST edges tested elsewhere
            let line = format!("{},street,-87.6277,41.7922,2", local.format("%Y-%m-%d %H:%M"));
            let r = parse_one(&profile("chicago").unwrap(), "date,loc_cat,longitude,latitude,district", &line).unwrap();
            prop_assert_eq!(r.occurred_at, expected.with_timezone(&Utc));
            prop_assert_eq!(r.hour_of_week, Some(fengqiao_domain::hour_of_week(local)));
        }

        /// No input text makes the row parser panic: it parses or rejects.
        #[test]
        fn arbitrary_fields_never_panic(date in ".{0,24}", lon in ".{0,12}", lat in ".{0,12}") {
            let m = profile("chicago").unwrap();
            let table = CategoryTable::default_110();
            let header: Vec<String> = ["date", "loc_cat", "longitude", "latitude", "district"].map(String::from).to_vec();
            let parser = RowParser::new(m, &header, "prop", &table).unwrap();
            let rec = csv::StringRecord::from(vec![date.as_str(), "street", lon.as_str(), lat.as_str(), "2"]);
            let _ = parser.parse(&rec, 2);
        }
    }

    #[test]
    fn dst_gap_and_overlap_are_resolved_not_rejected() {
        let m = profile("chicago").unwrap();
        let h = "date,loc_cat,longitude,latitude,district";
        // 2019-03-10 02:30 does not exist in Chicago; it reads as 03:30 CDT.
        let gap = parse_one(&m, h, "2019-03-10 02:30,street,-87.6277,41.7922,2").unwrap();
        assert_eq!(gap.occurred_at, Utc.with_ymd_and_hms(2019, 3, 10, 8, 30, 0).unwrap());
        // 2019-11-03 01:30 happens twice; the first (CDT) is taken.
        let overlap = parse_one(&m, h, "2019-11-03 01:30,street,-87.6277,41.7922,2").unwrap();
        assert_eq!(
            overlap.occurred_at,
            Utc.with_ymd_and_hms(2019, 11, 3, 6, 30, 0).unwrap()
        );
    }
}

#[test]
fn place_types_come_from_their_column() {
    let o = run("chicago_aggravated_assaults.csv", "chicago");
    // 2010-01-01 00:05,residence,-87.6277,41.7922,2
    assert_eq!(o.rows[0].place_type.as_deref(), Some("residence"));
    let o = run("houston_crime_2010.csv", "houston");
    assert_eq!(o.rows[0].place_type.as_deref(), Some("apartment parking lot"));
    let o = run("vancouver_thefts.csv", "vancouver");
    assert!(
        o.rows.iter().all(|r| r.place_type.is_none()),
        "no place column in that profile"
    );
}
