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
    import_source(open_csv_source(&testdata(file))?, mapping, rejects)
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
    assert_eq!(profile_names().len(), 13);
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

/// Imports a file opened as `source` with `mapping` into memory, with the
/// same dedupe rule as the store; the rows and summary.
fn import_source(source: CsvSource, mapping: Mapping, rejects: Option<PathBuf>) -> Result<Outcome, IngestError> {
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
        "sample",
        "t",
        mapping,
        &table,
        None,
        &opts,
        &|_, _, _| {},
        |batch: &[NewIncident], mut c: ImportCounts| {
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

#[test]
fn a_chinese_110_export_in_gbk_with_windows_line_endings() {
    let dir = tempdir();
    let rejects = dir.join("rejects.csv");
    let source = open_csv_source(&testdata("cn_110_gbk.csv")).unwrap();
    assert_eq!((source.encoding, source.detected), ("GB18030", true));
    let o = import_source(source, profile("cn-110").unwrap(), Some(rejects.clone())).unwrap();
    let s = &o.summary;
    assert_eq!(
        (s.read, s.imported, s.rejected, s.encoding.as_str()),
        (12, 11, 1, "GB18030")
    );
    // The eleventh call, on the file's twelfth line, has a thirteenth month.
    let text = std::fs::read_to_string(&rejects).unwrap();
    let reject = text.lines().nth(1).unwrap();
    assert!(
        reject.starts_with("12,报警时间,") && reject.contains("2026-13-04"),
        "{reject}"
    );
    let first = &o.rows[0];
    assert_eq!(first.source_key, "J3302032611030001");
    assert_eq!(first.occurred_at, Utc.with_ymd_and_hms(2026, 11, 3, 0, 15, 27).unwrap());
    assert_eq!(first.received_at, Some(first.occurred_at));
    assert_eq!(first.unit.as_deref(), Some("鼓楼派出所"));
    let categories: Vec<&str> = o.rows.iter().map(|r| r.category.as_str()).collect();
    assert_eq!(
        categories,
        [
            "criminal.theft.burglary",
            "public_order.fight",
            "criminal.fraud.telecom",
            "traffic.accident",
            "dispute.neighbour",
            "public_order.suspicious",
            "assistance.missing",
            "public_order.noise",
            "criminal.theft.ebike",
            "traffic.dui",
            "dispute.family",
        ]
    );
    let origins: Vec<Origin> = o.rows.iter().map(|r| r.origin).collect();
    assert_eq!(origins[5], Origin::Officer, "巡逻发现");
    assert!(origins.iter().enumerate().all(|(i, o)| i == 5 || *o == Origin::Citizen));
    assert!(
        o.rows[4].address.as_deref().unwrap().contains("联丰社区"),
        "a quoted address"
    );
}

#[test]
fn another_layout_in_utf16_with_baidu_coordinates_lands_on_the_same_places() {
    let gbk = import_source(
        open_csv_source(&testdata("cn_110_gbk.csv")).unwrap(),
        profile("cn-110").unwrap(),
        None,
    )
    .unwrap();
    let source = open_csv_source(&testdata("cn_110_bd09_utf16.csv")).unwrap();
    assert_eq!(source.encoding, "UTF-16LE");
    let o = import_source(source, profile("cn-110-bd09").unwrap(), None).unwrap();
    assert_eq!((o.summary.read, o.summary.imported, o.summary.rejected), (12, 11, 1));
    for (a, b) in gbk.rows.iter().zip(&o.rows) {
        assert_eq!(a.source_key, b.source_key);
        assert_eq!(a.category, b.category, "{} by 案由 as by its path", a.source_key);
        // BD-09 (written to six decimals) back to WGS84 agrees with GCJ-02's within half a metre.
        assert!(
            (a.lon - b.lon).abs() < 5e-6 && (a.lat - b.lat).abs() < 5e-6,
            "{a:?} {b:?}"
        );
        assert_eq!(a.occurred_at.timestamp() / 60, b.occurred_at.timestamp() / 60);
    }
    assert!(o.rows[0].arrived_at.is_some() && o.rows[0].dispatched_at.is_none());
    // The same calls read through a GCJ-02 profile are off by hundreds of metres.
    let wrong = import_source(
        open_csv_source(&testdata("cn_110_bd09_utf16.csv")).unwrap(),
        profile("cn-110").unwrap(),
        None,
    )
    .unwrap();
    assert!((wrong.rows[0].lon - gbk.rows[0].lon).abs() > 0.005);
}

#[test]
fn encodings_are_named_when_forced_or_undetectable() {
    let dir = tempdir();
    // Read as UTF-8 when told so, the GBK rows are rejected one by one, saying why.
    let o = import_source(
        open_csv_source_as(&testdata("cn_110_gbk.csv"), Some("utf-8")).unwrap_or_else(|e| panic!("{e}")),
        profile("cn-110").unwrap(),
        None,
    );
    let e = o.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("not in the header") || e.contains("UTF-8"), "{e}");
    let e = open_csv_source_as(&testdata("cn_110_gbk.csv"), Some("latin-9"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("unknown encoding \"latin-9\"") && e.contains("gb18030"),
        "{e}"
    );
    // Bytes that are text in none of them.
    let p = dir.join("binary.csv");
    std::fs::write(&p, [b'a', b',', b'b', b'\n', 0xff, 0xff, 0xfe, b'\n']).unwrap();
    let e = open_csv_source(&p).err().unwrap().to_string();
    assert!(
        e.contains("neither UTF-8 (byte 4, line 2, is not), nor GB18030/GBK, nor UTF-16") && e.contains("--encoding"),
        "{e}"
    );
    // GBK after a long plain start is found where it breaks.
    let mut text = "date,loc_cat,longitude,latitude,district\n".to_string();
    while text.len() < 70_000 {
        text.push_str("2015-06-01 22:10,street,-87.6277,41.7922,2\n");
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(&[0x81, 0x20, b'\n']);
    let p = dir.join("late.csv");
    std::fs::write(&p, &bytes).unwrap();
    let source = open_csv_source_as(&p, Some("gbk")).unwrap();
    let e = import_source(source, profile("chicago").unwrap(), None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("is not GB18030 text") && e.contains("byte 70002 (line 1629)"),
        "{e}"
    );
}

#[test]
fn a_file_without_a_header_row_names_its_columns_in_the_mapping() {
    let dir = tempdir();
    let p = dir.join("noheader.csv");
    std::fs::write(
        &p,
        "2015-06-01 22:10,street,-87.6277,41.7922,2\n2015-06-02 01:00,residence,-87.61,41.80,3\n",
    )
    .unwrap();
    let mut m = profile("chicago").unwrap();
    m.columns = ["date", "loc_cat", "longitude", "latitude", "district"]
        .map(String::from)
        .to_vec();
    let o = import_source(open_csv_source(&p).unwrap(), m, None).unwrap();
    assert_eq!((o.summary.read, o.summary.imported), (2, 2), "the first line is a row");
    let toml = "name = \"x\"\ncolumns = [\"t\", \"lon\", \"lat\"]\nx = \"lon\"\ny = \"lat\"\n\
                [time]\ncolumn = \"t\"\nformat = [\"%Y-%m-%d %H:%M\"]\n[category]\ndefault = \"other.other\"\n";
    let m = Mapping::from_toml(toml, "x.toml").unwrap();
    std::fs::write(&p, "2024-03-05 21:14,121.5,29.8\n").unwrap();
    let o = import_source(open_csv_source(&p).unwrap(), m, None).unwrap();
    assert_eq!(o.summary.imported, 1);
}

/// A zip archive of `files` (name, contents, deflated?), as a zip tool writes one.
fn zip_of(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, contents, deflate) in files {
        let data = if *deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(contents).unwrap();
            e.finish().unwrap()
        } else {
            contents.to_vec()
        };
        let mut crc = flate2::Crc::new();
        crc.update(contents);
        let method: u16 = if *deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let common = |b: &mut Vec<u8>| {
            b.extend_from_slice(&20u16.to_le_bytes()); // version needed
            b.extend_from_slice(&0x800u16.to_le_bytes()); // UTF-8 names
            b.extend_from_slice(&method.to_le_bytes());
            b.extend_from_slice(&[0; 4]); // time, date
            b.extend_from_slice(&crc.sum().to_le_bytes());
            b.extend_from_slice(&(data.len() as u32).to_le_bytes());
            b.extend_from_slice(&(contents.len() as u32).to_le_bytes());
            b.extend_from_slice(&(name.len() as u16).to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes()); // made by
        common(&mut directory);
        directory.extend_from_slice(&[0; 6]); // comment, disk, internal attrs
        directory.extend_from_slice(&[0; 4]); // external attrs
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name.as_bytes());
    }
    let start = out.len() as u32;
    out.extend_from_slice(&directory);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    out.extend_from_slice(&start.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn a_zip_archive_is_read_in_place() {
    let dir = tempdir();
    let gbk = std::fs::read(testdata("cn_110_gbk.csv")).unwrap();
    for deflate in [false, true] {
        let p = dir.join(format!("export-{deflate}.zip"));
        std::fs::write(
            &p,
            zip_of(&[("__MACOSX/._x.csv", b"junk", false), ("警情.csv", &gbk, deflate)]),
        )
        .unwrap();
        let source = open_csv_source(&p).unwrap();
        assert_eq!(
            (source.zip_member.as_deref(), source.encoding),
            (Some("警情.csv"), "GB18030")
        );
        let o = import_source(source, profile("cn-110").unwrap(), None).unwrap();
        assert_eq!((o.summary.read, o.summary.imported), (12, 11), "deflated: {deflate}");
    }
    let p = dir.join("two.zip");
    std::fs::write(&p, zip_of(&[("a.csv", b"x\n", false), ("b.csv", b"y\n", true)])).unwrap();
    let e = open_csv_source(&p).err().unwrap().to_string();
    assert!(e.contains("holds 2 files (a.csv, b.csv)"), "{e}");
    let p = dir.join("cut.zip");
    std::fs::write(&p, &zip_of(&[("a.csv", &gbk, true)])[..200]).unwrap();
    let e = open_csv_source(&p).err().unwrap().to_string();
    assert!(e.contains("without its central directory"), "{e}");
}

#[test]
fn a_broken_quote_loses_no_valid_row_and_keeps_its_bytes() {
    let dir = tempdir();
    let p = dir.join("quote.csv");
    std::fs::write(
        &p,
        "date,loc_cat,longitude,latitude,district\r\n\
         2015-06-01 22:10,\"street,-87.6277,41.7922,2\r\n\
         2015-06-02 22:10,street,-87.6277,41.7922,2\r\n\
         2015-06-03 22:10,street,-87.6277,41.7922,2\r\n\
         2015-06-04 22:10,street,-87.6277\r\n",
    )
    .unwrap();
    let rejects = dir.join("r.csv");
    let o = import_source(
        open_csv_source(&p).unwrap(),
        profile("chicago").unwrap(),
        Some(rejects.clone()),
    )
    .unwrap();
    assert_eq!((o.summary.read, o.summary.imported, o.summary.rejected), (4, 2, 2));
    let mut r = csv::Reader::from_path(&rejects).unwrap();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows[0][0], "2");
    assert!(rows[0][2].contains("never closed"), "{:?}", rows[0]);
    assert_eq!(rows[0][3], "2015-06-01 22:10,\"street,-87.6277,41.7922,2");
    assert_eq!(rows[1][..3], ["5", "(row)", "row has 3 fields, the header has 5"]);
    assert_eq!(rows[1][3], "2015-06-04 22:10,street,-87.6277");
    assert_eq!(
        o.summary.rejected_by_reason.keys().collect::<Vec<_>>(),
        [
            "(row): a quote opened on this line is never closed (the rows after it are read on their own)",
            "(row): row has # fields, the header has #"
        ]
    );
}

#[test]
fn a_mapping_slip_names_its_line_and_column() {
    let toml = "name = \"x\"\nx = \"lon\"\nbbox = [73.4 ,, 3.8]\n";
    match Mapping::from_toml(toml, "page") {
        Err(IngestError::MappingSyntax {
            origin,
            line,
            column,
            message,
        }) => {
            assert_eq!((origin.as_str(), line), ("page", 3));
            assert!(column > 1 && !message.is_empty(), "{column} {message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let e = Mapping::from_toml(toml, "page").unwrap_err().to_string();
    assert!(e.starts_with("mapping page: line 3, column "), "{e}");
}
