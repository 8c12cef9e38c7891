//! The schema on a real PostgreSQL server: `FENGQIAO_TEST_PG` names it (the
//! README's test command starts one with `scripts/pg.sh`). Each test makes
//! its own database and drops it.

use fengqiao_store_postgres::testing::TestDatabase as TestDb;

/// Eight processes' worth of connections migrating a new database at once:
/// each migration is applied exactly once, every table is there, and a second
/// run applies nothing.
#[test]
fn concurrent_migrations_apply_once() {
    let Some(db) = TestDb::new("migrate") else { return };
    let url = db.url();
    let applied: Vec<Vec<i64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                s.spawn(move || {
                    let mut c = fengqiao_store_postgres::connect(&url).unwrap();
                    fengqiao_store_postgres::migrate(&mut c).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<i64> = applied.into_iter().flatten().collect();
    let expected: Vec<i64> = (1..=fengqiao_store_postgres::SCHEMA_VERSION).collect();
    assert_eq!(all, expected, "each migration once");
    let mut c = fengqiao_store_postgres::connect(&url).unwrap();
    assert!(fengqiao_store_postgres::migrate(&mut c).unwrap().is_empty());
    let tables: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        tables, 36,
        "34 tables, and incident_keys and incident_rollup beside the partitioned incidents"
    );
    // The values a commitment is computed from keep SQLite's types: integers,
    // reals and text (a time is Unix seconds, a JSON body text).
    let odd: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
               AND table_name <> 'schema_migrations'
               AND data_type NOT IN ('bigint', 'double precision', 'text', 'bytea')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(odd, 0, "only bigint, double precision, text and bytea columns");
}

/// A database migrated by a newer build is refused, not downgraded.
#[test]
fn a_newer_schema_is_refused() {
    let Some(db) = TestDb::new("newer") else { return };
    let mut c = fengqiao_store_postgres::connect(&db.url()).unwrap();
    fengqiao_store_postgres::migrate(&mut c).unwrap();
    c.execute(
        "INSERT INTO schema_migrations (version) VALUES ($1)",
        &[&(fengqiao_store_postgres::SCHEMA_VERSION + 1)],
    )
    .unwrap();
    let e = fengqiao_store_postgres::migrate(&mut c).unwrap_err().to_string();
    assert!(
        e.contains("newer") || e.contains(&(fengqiao_store_postgres::SCHEMA_VERSION + 1).to_string()),
        "{e}"
    );
}

/// A wrong server is a clear error that names it, without its password.
#[test]
fn an_unreachable_server_is_named_without_its_password() {
    let Err(e) = fengqiao_store_postgres::connect("postgres://fq:s3cret@127.0.0.1:1/fq") else {
        panic!("connected to nothing")
    };
    let e = e.to_string();
    assert!(e.contains("127.0.0.1:1") && !e.contains("s3cret"), "{e}");
}

/// Eight writers (as eight server processes would) append to the log at
/// once, some transactions rolled back: the committed entries are numbered
/// 0..n with no gap and no duplicate, each committed batch contiguous, and
/// nothing of a rolled-back one remains.
#[test]
fn concurrent_appends_are_gapless_and_unique() {
    use fengqiao_store_postgres::ledger::{NewEntry, append};
    let Some(db) = TestDb::new("append") else { return };
    let url = db.url();
    fengqiao_store_postgres::migrate(&mut fengqiao_store_postgres::connect(&url).unwrap()).unwrap();
    let committed: Vec<(i64, usize, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|w| {
                let url = url.clone();
                s.spawn(move || {
                    let mut c = fengqiao_store_postgres::connect(&url).unwrap();
                    let mut mine = Vec::new();
                    for t in 0..40 {
                        let n = 1 + (w + t) % 3;
                        let entries: Vec<NewEntry> = (0..n)
                            .map(|k| NewEntry {
                                record_type: "case",
                                record_id: format!("{w}-{t}-{k}"),
                                version: 1,
                                actor: format!("writer {w}"),
                                commitment: [w as u8; 32],
                            })
                            .collect();
                        let mut tx = c.transaction().unwrap();
                        let first = append(&mut tx, &entries).unwrap();
                        if t % 7 == 3 {
                            tx.rollback().unwrap();
                        } else {
                            tx.commit().unwrap();
                            mine.push((first, n, format!("{w}-{t}")));
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut c = fengqiao_store_postgres::connect(&url).unwrap();
    let rows = c
        .query("SELECT seq, record_id FROM ledger_entries ORDER BY seq", &[])
        .unwrap();
    let total: usize = committed.iter().map(|x| x.1).sum();
    assert_eq!(rows.len(), total, "every committed entry, nothing rolled back");
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.get::<_, i64>(0), i as i64, "gapless");
    }
    for (first, n, batch) in committed {
        for k in 0..n {
            let id: String = rows[first as usize + k].get(1);
            assert_eq!(id, format!("{batch}-{k}"), "a batch is contiguous");
        }
    }
}

/// The commitment key of a SQLite database, to give PostgreSQL the same one.
fn sqlite_key(db: &std::path::Path) -> [u8; 32] {
    let hex = std::fs::read_to_string(fengqiao_store_sqlite::commitment_key_path(db)).unwrap();
    (0..32)
        .map(|i| u8::from_str_radix(&hex.trim()[2 * i..2 * i + 2], 16).unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

/// Both logs hold the same entries, in order, with the same commitments.
fn assert_same_log(lite: &fengqiao_store_sqlite::SqliteStore, pg: &fengqiao_store_postgres::PgStore) {
    use fengqiao_store::Store;
    let lite_entries = lite.ledger_entries(0, 10_000).unwrap();
    let pg_entries = pg.ledger_commitments(0, 10_000).unwrap();
    assert_eq!(lite_entries.len(), pg_entries.len());
    for (a, b) in lite_entries.iter().zip(&pg_entries) {
        assert_eq!(
            (a.seq as i64, a.record_type.as_str(), a.record_id.as_str()),
            (b.0, b.1.as_str(), b.2.as_str())
        );
        assert_eq!(
            a.commitment.as_slice(),
            b.3.as_slice(),
            "{} {}: the same commitment",
            a.record_type,
            a.record_id
        );
    }
}

fn incident(key: &str, minute: i64, lon: f64, full: bool) -> fengqiao_domain::NewIncident {
    use chrono::TimeZone;
    let at = chrono::Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(minute);
    fengqiao_domain::NewIncident {
        source_key: key.into(),
        occurred_at: at,
        time_precision: fengqiao_domain::TimePrecision::Minute,
        hour_of_week: full.then_some(128),
        received_at: full.then(|| at + chrono::Duration::minutes(1)),
        dispatched_at: None,
        arrived_at: full.then(|| at + chrono::Duration::minutes(9)),
        closed_at: None,
        unit: full.then(|| "江厦巡逻2组".to_string()),
        category: "dispute.family".into(),
        raw_category: Some("家庭纠纷".into()),
        lon,
        lat: 29.8612345678901,
        address: full.then(|| "南苑街303号\"月湖\"".to_string()),
        place_type: None,
        jurisdiction_id: None,
        origin: fengqiao_domain::Origin::Citizen,
    }
}

/// The same import on SQLite and on PostgreSQL: the same counts, the same
/// dataset stats, and, entry for entry, the same ledger commitments — a
/// record's commitment does not depend on the backend that stores it.
#[test]
fn an_import_commits_the_same_on_both_backends() {
    use fengqiao_store::{ImportCounts, ImportStart, Store};
    let Some(db) = TestDb::new("import") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let lite = fengqiao_store_sqlite::SqliteStore::open(&path).unwrap();
    let key = sqlite_key(&path);
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), key).unwrap();
    let start = ImportStart {
        dataset: "t".into(),
        profile: "p".into(),
        timezone: "Asia/Shanghai".into(),
        file_name: "f.csv".into(),
        file_sha256: "abc".into(),
    };
    let rows: Vec<_> = (0..12)
        .map(|i| incident(&format!("k{i}"), 7 * i, 121.5 + 0.001 * i as f64, i % 2 == 0))
        .collect();
    let (lr, _) = lite.begin_import(&start).unwrap();
    let (pr, _) = pg.begin_import(&start).unwrap();
    let mut counts = (ImportCounts::default(), ImportCounts::default());
    for batch in [&rows[..8], &rows[4..]] {
        let c = ImportCounts {
            read: counts.0.read + batch.len() as u64,
            ..counts.0
        };
        counts.0 = lite.import_batch(lr, batch, c).unwrap();
        let c = ImportCounts {
            read: counts.1.read + batch.len() as u64,
            ..counts.1
        };
        counts.1 = pg.import_batch(pr, batch, c).unwrap();
    }
    assert_eq!(counts.0, counts.1);
    assert_eq!((counts.1.imported, counts.1.duplicates), (12, 4));
    assert_eq!(lite.datasets().unwrap(), pg.datasets().unwrap());
    assert_same_log(&lite, &pg);
    assert_eq!(lite.ledger_entries(0, 100).unwrap().len(), 12);
    assert_eq!(pg.ledger_commitments(0, 100).unwrap().len(), 12);
}

/// Settings, areas, stations and the ends of import runs behave the same on
/// both backends (the start of the scenario both will run in full).
#[test]
fn places_settings_and_runs_match_sqlite() {
    use fengqiao_domain::{Facility, FacilityKind, Level};
    use fengqiao_store::{ImportCounts, ImportStart, NewJurisdiction, Store};
    let Some(db) = TestDb::new("places") else { return };
    let dir = tempfile::tempdir().unwrap();
    let lite = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), [1; 32]).unwrap();
    let square = |x: f64| {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},29.8],[{},29.8],[{},29.9],[{x},29.9],[{x},29.8]]]}}"#,
            x + 0.1,
            x + 0.1
        )
    };
    let areas = vec![
        NewJurisdiction {
            code: "330299".into(),
            name_zh: "明州区".into(),
            name_en: "Mingzhou".into(),
            level: Level::District,
            parent_code: None,
            geometry: square(121.4),
        },
        NewJurisdiction {
            code: "330299001".into(),
            name_zh: "江厦街道".into(),
            name_en: "Jiangxia".into(),
            level: Level::Town,
            parent_code: Some("330299".into()),
            geometry: square(121.4),
        },
        NewJurisdiction {
            code: "330299002".into(),
            name_zh: "鼓楼街道".into(),
            name_en: "Gulou".into(),
            level: Level::Town,
            parent_code: Some("330299".into()),
            geometry: square(121.5),
        },
    ];
    let stations = vec![
        Facility {
            code: "S1".into(),
            kind: FacilityKind::Station,
            name_zh: "江厦派出所".into(),
            name_en: "Jiangxia station".into(),
            lon: 121.45,
            lat: 29.85,
            jurisdiction: Some("330299001".into()),
            units: 3,
        },
        Facility {
            code: "P1".into(),
            kind: FacilityKind::Post,
            name_zh: "鼓楼警务站".into(),
            name_en: "Gulou post".into(),
            lon: 121.55,
            lat: 29.86,
            jurisdiction: None,
            units: 0,
        },
        // A place the forecast reads (risk terrain), kept like the police's own.
        Facility {
            code: "PL001".into(),
            kind: FacilityKind::Market,
            name_zh: "鼓楼农贸市场".into(),
            name_en: "Gulou wet market".into(),
            lon: 121.551,
            lat: 29.861,
            jurisdiction: Some("330299001".into()),
            units: 0,
        },
    ];
    assert_eq!(
        lite.replace_jurisdictions(&areas).unwrap(),
        pg.replace_jurisdictions(&areas).unwrap()
    );
    assert_eq!(lite.jurisdictions().unwrap(), pg.jurisdictions().unwrap());
    assert_eq!(
        lite.replace_facilities(&stations).unwrap(),
        pg.replace_facilities(&stations).unwrap()
    );
    assert_eq!(lite.facilities().unwrap(), pg.facilities().unwrap());
    for (k, v) in [
        ("default_dataset", "demo"),
        ("default_dataset", "city"),
        ("centre:demo", "121.5,29.86"),
    ] {
        lite.set_setting(k, v).unwrap();
        pg.set_setting(k, v).unwrap();
    }
    for k in ["default_dataset", "centre:demo", "missing"] {
        assert_eq!(lite.get_setting(k).unwrap(), pg.get_setting(k).unwrap(), "{k}");
    }
    assert_eq!(pg.get_setting("default_dataset").unwrap().as_deref(), Some("city"));
    // A run that stored nothing is forgotten with its dataset; an interrupted
    // one is covered when a later run over the same content finishes.
    let start = |sha: &str| ImportStart {
        dataset: "x".into(),
        profile: "p".into(),
        timezone: "Asia/Shanghai".into(),
        file_name: "f".into(),
        file_sha256: sha.into(),
    };
    let (lr, _) = lite.begin_import(&start("a")).unwrap();
    let (pr, _) = pg.begin_import(&start("a")).unwrap();
    lite.abort_import(lr).unwrap();
    pg.abort_import(pr).unwrap();
    assert_eq!(lite.datasets().unwrap(), pg.datasets().unwrap());
    assert!(pg.datasets().unwrap().is_empty());
    assert_eq!(pg.dataset_timezone("x").unwrap(), None);
    let rows = vec![incident("r1", 0, 121.45, true)];
    for (first, second) in [
        (lite.begin_import(&start("b")).unwrap().0, 0),
        (pg.begin_import(&start("b")).unwrap().0, 1),
    ] {
        let c = ImportCounts {
            read: 1,
            last_line: 2,
            ..Default::default()
        };
        if second == 0 {
            lite.import_batch(first, &rows, c).unwrap();
        } else {
            pg.import_batch(first, &rows, c).unwrap();
        }
    }
    let (l2, lu) = lite.begin_import(&start("b")).unwrap();
    let (p2, pu) = pg.begin_import(&start("b")).unwrap();
    assert_eq!(lu.map(|u| u.lines_committed), Some(2));
    assert_eq!(pu.map(|u| u.lines_committed), Some(2));
    let done = ImportCounts {
        read: 1,
        duplicates: 1,
        last_line: 2,
        ..Default::default()
    };
    lite.finish_import(l2, done).unwrap();
    pg.finish_import(p2, done).unwrap();
    assert_eq!(lite.begin_import(&start("b")).unwrap().1, None, "covered");
    assert_eq!(pg.begin_import(&start("b")).unwrap().1, None, "covered");
    assert_eq!(pg.dataset_timezone("x").unwrap().as_deref(), Some("Asia/Shanghai"));
}

/// Incidents read the same on both backends: pages through their cursors,
/// counts, every aggregate, positions and forecasting's points, under
/// filters of every kind.
#[test]
fn incident_reads_match_sqlite() {
    use fengqiao_domain::{Level, Origin};
    use fengqiao_store::{Dimension, ImportCounts, ImportStart, IncidentFilter, NewJurisdiction, PageRequest, Store};
    let Some(db) = TestDb::new("reads") else { return };
    let dir = tempfile::tempdir().unwrap();
    let lite = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), [2; 32]).unwrap();
    let areas = vec![
        NewJurisdiction {
            code: "33".into(),
            name_zh: "市".into(),
            name_en: "City".into(),
            level: Level::City,
            parent_code: None,
            geometry: "{}".into(),
        },
        NewJurisdiction {
            code: "3301".into(),
            name_zh: "甲".into(),
            name_en: "A".into(),
            level: Level::Town,
            parent_code: Some("33".into()),
            geometry: "{}".into(),
        },
        NewJurisdiction {
            code: "3302".into(),
            name_zh: "乙".into(),
            name_en: "B".into(),
            level: Level::Town,
            parent_code: Some("33".into()),
            geometry: "{}".into(),
        },
    ];
    lite.replace_jurisdictions(&areas).unwrap();
    pg.replace_jurisdictions(&areas).unwrap();
    let categories = [
        "dispute.family",
        "dispute.family_other",
        "dispute",
        "criminal.theft.burglary",
        "traffic.accident",
        "disputes.x",
    ];
    let rows: Vec<_> = (0..60)
        .map(|i: i64| {
            let mut r = incident(
                &format!("k{i}"),
                97 * i % 2000,
                121.4 + 0.01 * (i % 13) as f64,
                i % 3 == 0,
            );
            r.category = categories[(i % 6) as usize].into();
            r.origin = if i % 4 == 0 { Origin::Officer } else { Origin::Citizen };
            r.jurisdiction_id = match i % 3 {
                0 => Some(2),
                1 => Some(3),
                _ => None,
            };
            if i % 7 == 0 {
                r.occurred_at = rows_time(i);
            }
            // Spread over three months: three partitions, three rollup months.
            match i % 5 {
                1 => r.occurred_at -= chrono::Duration::days(40),
                2 => r.occurred_at += chrono::Duration::days(35),
                _ => {}
            }
            r
        })
        .collect();
    fn rows_time(i: i64) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(97 * (i - 1) % 2000)
    }
    let start = ImportStart {
        dataset: "t".into(),
        profile: "p".into(),
        timezone: "Asia/Shanghai".into(),
        file_name: "f".into(),
        file_sha256: "s".into(),
    };
    let (lr, _) = lite.begin_import(&start).unwrap();
    let (pr, _) = pg.begin_import(&start).unwrap();
    let c = ImportCounts {
        read: 60,
        ..Default::default()
    };
    lite.import_batch(lr, &rows, c).unwrap();
    pg.import_batch(pr, &rows, c).unwrap();
    let t0 = rows_time(5);
    let filters = vec![
        IncidentFilter::default(),
        IncidentFilter {
            dataset: Some("t".into()),
            ..Default::default()
        },
        IncidentFilter {
            category: Some("dispute".into()),
            ..Default::default()
        },
        IncidentFilter {
            category: Some("dispute.family".into()),
            ..Default::default()
        },
        IncidentFilter {
            jurisdiction: Some("33".into()),
            ..Default::default()
        },
        IncidentFilter {
            jurisdiction: Some("3302".into()),
            origin: Some(Origin::Citizen),
            ..Default::default()
        },
        IncidentFilter {
            from: Some(t0),
            to: Some(t0 + chrono::Duration::hours(12)),
            ..Default::default()
        },
        IncidentFilter {
            bbox: Some([121.42, 29.0, 121.48, 30.0]),
            ..Default::default()
        },
        // Whole months: answered from the rollup on PostgreSQL.
        IncidentFilter {
            dataset: Some("t".into()),
            from: Some(month(2025, 3)),
            to: Some(month(2025, 4)),
            category: Some("dispute".into()),
            ..Default::default()
        },
        IncidentFilter {
            from: Some(month(2025, 1)),
            jurisdiction: Some("3301".into()),
            ..Default::default()
        },
    ];
    fn month(y: i32, m: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap()
    }
    for f in &filters {
        assert_eq!(
            lite.count_incidents(f).unwrap(),
            pg.count_incidents(f).unwrap(),
            "{f:?}"
        );
        for by in [
            Dimension::CategoryTop,
            Dimension::Category,
            Dimension::HourOfWeek,
            Dimension::Jurisdiction,
            Dimension::Origin,
            Dimension::Day,
        ] {
            assert_eq!(
                lite.aggregate(f, by).unwrap(),
                pg.aggregate(f, by).unwrap(),
                "{f:?} by {by:?}"
            );
        }
        assert_eq!(
            lite.positions(f).unwrap().len(),
            pg.positions(f).unwrap().len(),
            "{f:?}"
        );
        assert_eq!(
            lite.incident_points(f).unwrap(),
            pg.incident_points(f).unwrap(),
            "{f:?}"
        );
        let (mut a, mut b) = (
            PageRequest { limit: 7, after: None },
            PageRequest { limit: 7, after: None },
        );
        loop {
            let (pa, pb) = (lite.incidents(f, &a).unwrap(), pg.incidents(f, &b).unwrap());
            assert_eq!(pa, pb, "{f:?}");
            match pa.next {
                Some(n) => {
                    a.after = Some(n);
                    b.after = pb.next;
                }
                None => break,
            }
        }
    }
    for id in [1, 17, 60, 61] {
        assert_eq!(lite.incident(id).unwrap(), pg.incident(id).unwrap(), "incident {id}");
    }
    // New areas: incidents lose theirs, and the rollup folds its counts to match.
    lite.replace_jurisdictions(&areas[..2]).unwrap();
    pg.replace_jurisdictions(&areas[..2]).unwrap();
    for by in [Dimension::Jurisdiction, Dimension::Category, Dimension::Origin] {
        let f = IncidentFilter::default();
        assert_eq!(lite.aggregate(&f, by).unwrap(), pg.aggregate(&f, by).unwrap(), "{by:?}");
    }
    assert!(
        pg.aggregate(&IncidentFilter::default(), Dimension::Jurisdiction)
            .unwrap()
            .is_empty()
    );
    // Another batch with duplicates of stored keys and of its own.
    let mut again: Vec<_> = rows[..10].to_vec();
    again.push(incident("fresh", 5, 121.41, false));
    again.push(incident("fresh", 6, 121.42, false));
    let c = ImportCounts {
        read: 12,
        ..Default::default()
    };
    assert_eq!(
        lite.import_batch(lr, &again, c).unwrap(),
        pg.import_batch(pr, &again, c).unwrap()
    );
    assert_eq!(
        lite.incident(61).unwrap(),
        pg.incident(61).unwrap(),
        "the fresh key's first row, next id"
    );
    let f = IncidentFilter::default();
    assert_eq!(
        lite.aggregate(&f, Dimension::Category).unwrap(),
        pg.aggregate(&f, Dimension::Category).unwrap()
    );
}

/// Forecasts and plans: stored with their ledger entries, read back, and
/// committed to identically on both backends.
#[test]
fn forecasts_and_plans_match_sqlite() {
    use fengqiao_store::{ForecastRun, ImportCounts, ImportStart, NewForecast, NewPlan, Store};
    let Some(db) = TestDb::new("outputs") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let lite = fengqiao_store_sqlite::SqliteStore::open(&path).unwrap();
    let key = sqlite_key(&path);
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), key).unwrap();
    let start = ImportStart {
        dataset: "t".into(),
        profile: "p".into(),
        timezone: "Asia/Shanghai".into(),
        file_name: "f".into(),
        file_sha256: "s".into(),
    };
    let rows = vec![incident("a", 0, 121.5, true), incident("b", 5, 121.6, false)];
    let (lr, _) = lite.begin_import(&start).unwrap();
    let (pr, _) = pg.begin_import(&start).unwrap();
    lite.import_batch(
        lr,
        &rows,
        ImportCounts {
            read: 2,
            ..Default::default()
        },
    )
    .unwrap();
    pg.import_batch(
        pr,
        &rows,
        ImportCounts {
            read: 2,
            ..Default::default()
        },
    )
    .unwrap();
    let at = |h: i64| chrono::DateTime::from_timestamp(1_740_000_000 + 3600 * h, 0).unwrap();
    for (category, hour) in [(None, 0), (Some("dispute".to_string()), 1), (None, 2)] {
        let run = ForecastRun {
            id: 0,
            dataset: "t".into(),
            model: "fq".into(),
            window_kind: "shift".into(),
            window_start: at(hour),
            window_end: at(hour + 8),
            shift: 1,
            category,
            cell_m: 150.0,
            centre: [121.55, 29.86],
            origin: [-1500.0, -1200.5],
            cols: 20,
            rows: 16,
            data_cutoff: at(hour - 1),
            params: serde_json::json!({"valid_cells": 3, "note": "班次"}),
            version: "t".into(),
            created_at: at(hour + 100),
        };
        let cells = vec![(0, 0.5), (21, 1.25), (319, 0.1)];
        let f = NewForecast { run, cells };
        assert_eq!(lite.save_forecast(&f).unwrap(), pg.save_forecast(&f).unwrap());
        let plan = NewPlan {
            dataset: "t".into(),
            forecast_id: Some(1),
            window_start: at(hour),
            window_end: at(hour + 8),
            params: serde_json::json!({"response_minutes": 5}),
            summary: serde_json::json!({"coverage": {"5": 0.9}}),
            body: serde_json::json!({"units": []}),
            geojson: r#"{"type":"FeatureCollection","features":[]}"#.into(),
            version: "t".into(),
            created_at: at(hour + 101),
        };
        assert_eq!(lite.save_plan(&plan).unwrap(), pg.save_plan(&plan).unwrap());
    }
    for id in 1..=4 {
        assert_eq!(lite.forecast(id).unwrap(), pg.forecast(id).unwrap(), "forecast {id}");
        assert_eq!(lite.plan(id).unwrap(), pg.plan(id).unwrap(), "plan {id}");
    }
    for cat in [None, Some("dispute"), Some("fire")] {
        assert_eq!(
            lite.latest_forecast("t", "shift", cat).unwrap(),
            pg.latest_forecast("t", "shift", cat).unwrap()
        );
    }
    assert_eq!(lite.latest_plan("t").unwrap(), pg.latest_plan("t").unwrap());
    for h in [-1, 0, 1, 5] {
        assert_eq!(
            lite.latest_plan_started_by("t", at(h)).unwrap(),
            pg.latest_plan_started_by("t", at(h)).unwrap(),
            "{h}"
        );
    }
    assert_same_log(&lite, &pg);
    assert_eq!(lite.ledger_entries(0, 100).unwrap().len(), 8);
    for (t, id) in [
        ("incident", "1"),
        ("forecast", "2"),
        ("plan", "3"),
        ("plan", "9"),
        ("plan", "x"),
    ] {
        assert_eq!(
            lite.commitment_of(t, id).unwrap(),
            pg.commitment_of(t, id).unwrap(),
            "{t} {id}"
        );
    }
}

/// Checkpoints: of eight sequencers racing from the same previous size,
/// exactly one stores its checkpoint and tiles; the others learn they lost.
/// Entries, tiles, checkpoints and cosignatures read back as on SQLite.
#[test]
fn one_sequencer_wins_and_the_log_reads_back() {
    use fengqiao_store::{ImportCounts, ImportStart, LedgerTile, Store, StoredCheckpoint};
    let Some(db) = TestDb::new("log") else { return };
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), [3; 32]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lite = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let cp = |size: u64| StoredCheckpoint {
        size,
        note: format!("fengqiao.example/ledger\n{size}\nroot\n"),
        created_at: chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap(),
    };
    let tile = |b: u8| LedgerTile {
        level: 0,
        index: 0,
        hashes: vec![b; 64],
    };
    let won: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8u8)
            .map(|i| {
                let pg = &pg;
                s.spawn(move || pg.publish_checkpoint(0, &cp(10 + u64::from(i)), &[tile(i)]).unwrap())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
    let winner = won.iter().position(|w| *w).unwrap() as u8;
    let latest = pg.latest_checkpoint().unwrap().unwrap();
    assert_eq!(latest.size, 10 + u64::from(winner));
    assert_eq!(
        pg.ledger_tile(0, 0).unwrap(),
        Some(vec![winner; 64]),
        "the winner's tiles only"
    );
    assert!(!pg.publish_checkpoint(0, &cp(99), &[]).unwrap(), "stale previous size");
    assert!(pg.publish_checkpoint(latest.size, &cp(30), &[tile(9)]).unwrap());
    assert_eq!(pg.checkpoint(latest.size).unwrap(), Some(latest));
    assert_eq!(pg.checkpoint(31).unwrap(), None);
    // Cosignatures: the newest per witness is kept.
    for (seen, line) in [(5, "w1 old"), (9, "w1 new"), (7, "w1 stale")] {
        pg.add_cosignature(30, "w1", seen, line).unwrap();
        lite.publish_checkpoint(0, &cp(30), &[]).ok();
        lite.add_cosignature(30, "w1", seen, line).unwrap();
    }
    pg.add_cosignature(30, "Ａ-witness", 1, "a").unwrap();
    lite.add_cosignature(30, "Ａ-witness", 1, "a").unwrap();
    assert_eq!(pg.cosignatures(30).unwrap(), lite.cosignatures(30).unwrap());
    assert_eq!(pg.cosignatures(30).unwrap()[0], "w1 new");
    // Entries and a record's newest entry below a position.
    let start = ImportStart {
        dataset: "t".into(),
        profile: "p".into(),
        timezone: "UTC".into(),
        file_name: "f".into(),
        file_sha256: "s".into(),
    };
    let rows: Vec<_> = (0..5)
        .map(|i| incident(&format!("k{i}"), i, 121.5, i % 2 == 0))
        .collect();
    let (lr, _) = lite.begin_import(&start).unwrap();
    let (pr, _) = pg.begin_import(&start).unwrap();
    lite.import_batch(
        lr,
        &rows,
        ImportCounts {
            read: 5,
            ..Default::default()
        },
    )
    .unwrap();
    pg.import_batch(
        pr,
        &rows,
        ImportCounts {
            read: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let strip = |mut v: Vec<fengqiao_store::LedgerEntry>| {
        for e in &mut v {
            e.at = chrono::DateTime::default();
            e.commitment = [0; 32];
        }
        v
    };
    assert_eq!(
        strip(lite.ledger_entries(1, 3).unwrap()),
        strip(pg.ledger_entries(1, 3).unwrap())
    );
    for below in [0, 3, 10] {
        let (a, b) = (
            lite.latest_ledger_entry("incident", "3", below).unwrap(),
            pg.latest_ledger_entry("incident", "3", below).unwrap(),
        );
        assert_eq!(a.map(|e| e.seq), b.map(|e| e.seq), "below {below}");
    }
}

/// Accounts behave and commit the same on both backends: users created
/// (a taken name refused), changed (sessions ended), logins recorded with the
/// failure count and lock, sessions, API tokens and Open311 keys.
#[test]
fn accounts_match_sqlite() {
    use fengqiao_store::Store;
    use fengqiao_store::users::{LoginAttempt, NewUser, UserChange};
    let Some(db) = TestDb::new("accounts") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let lite = fengqiao_store_sqlite::SqliteStore::open(&path).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), sqlite_key(&path)).unwrap();
    let now = chrono::DateTime::from_timestamp(1_760_000_000, 0).unwrap();
    let new = |name: &str, role: &str| NewUser {
        username: name.into(),
        display_name: format!("{name} 同志"),
        role: role.into(),
        jurisdiction: (role == "officer").then(|| "330299001".into()),
        department: None,
        assignee: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change: true,
    };
    for (name, role) in [("admin", "admin"), ("officer1", "officer"), ("urban", "department")] {
        assert_eq!(
            lite.create_user(&new(name, role), "test").unwrap(),
            pg.create_user(&new(name, role), "test").unwrap()
        );
    }
    let taken = pg.create_user(&new("admin", "admin"), "test").unwrap_err().to_string();
    assert!(taken.contains("taken"), "{taken}");
    assert!(lite.create_user(&new("admin", "admin"), "test").is_err());
    lite.create_session("s1", 2, "csrf1", now + chrono::Duration::hours(12))
        .unwrap();
    pg.create_session("s1", 2, "csrf1", now + chrono::Duration::hours(12))
        .unwrap();
    assert_eq!(lite.session("s1", now).unwrap(), pg.session("s1", now).unwrap());
    assert!(
        pg.session("s1", now + chrono::Duration::hours(13)).unwrap().is_none(),
        "expired"
    );
    let change = UserChange {
        role: Some("commander".into()),
        jurisdiction: Some(None),
        password_hash: Some("$argon2id$new".into()),
        must_change: Some(false),
        ..Default::default()
    };
    let (a, b) = (
        lite.update_user(2, &change, "admin").unwrap(),
        pg.update_user(2, &change, "admin").unwrap(),
    );
    assert_eq!((a.role.as_str(), a.version), (b.role.as_str(), b.version));
    assert_eq!((a.jurisdiction, a.must_change), (b.jurisdiction, b.must_change));
    assert!(
        pg.session("s1", now).unwrap().is_none(),
        "a change ends the user's sessions"
    );
    let attempt = |ok: bool, failed: u32| LoginAttempt {
        username: "urban".into(),
        user_id: Some(3),
        success: ok,
        via: "password".into(),
        at: now,
        failed_logins: failed,
        locked_until: (failed >= 5).then(|| now + chrono::Duration::minutes(15)),
    };
    for (ok, failed) in [(false, 1), (false, 5), (true, 0)] {
        lite.record_login(&attempt(ok, failed)).unwrap();
        pg.record_login(&attempt(ok, failed)).unwrap();
    }
    pg.record_login(&LoginAttempt {
        user_id: None,
        username: "nobody".into(),
        ..attempt(false, 0)
    })
    .unwrap();
    lite.record_login(&LoginAttempt {
        user_id: None,
        username: "nobody".into(),
        ..attempt(false, 0)
    })
    .unwrap();
    let strip = |mut v: Vec<fengqiao_store::users::User>| {
        for u in &mut v {
            u.created_at = chrono::DateTime::default();
        }
        v
    };
    assert_eq!(strip(lite.users().unwrap()), strip(pg.users().unwrap()));
    assert_eq!(
        lite.user_credentials("officer1").unwrap().map(|x| x.1),
        pg.user_credentials("officer1").unwrap().map(|x| x.1)
    );
    lite.create_api_token("t1", 1, "ci", None).unwrap();
    pg.create_api_token("t1", 1, "ci", None).unwrap();
    pg.create_api_token("t2", 1, "old", Some(now - chrono::Duration::days(1)))
        .unwrap();
    assert_eq!(
        pg.api_token_user("t1", now).unwrap().map(|u| u.username),
        Some("admin".into())
    );
    assert!(pg.api_token_user("t2", now).unwrap().is_none(), "expired token");
    pg.add_open311_key("k", "civic app").unwrap();
    assert_eq!(pg.open311_key("k").unwrap().as_deref(), Some("civic app"));
    assert_eq!(pg.open311_key("other").unwrap(), None);
    // Every user and login entry commits to the same values on both.
    assert_same_log(&lite, &pg);
    assert_eq!(lite.ledger_entries(0, 100).unwrap().len(), 8);
    assert_eq!(pg.ledger_commitments(0, 100).unwrap().len(), 8);
}

/// Volunteers and activities: stored, filtered, summed and committed to the
/// same on both backends; unknown or repeated attendees refused.
#[test]
fn volunteers_match_sqlite() {
    use fengqiao_store::Store;
    use fengqiao_store::volunteers::{NewActivity, NewVolunteer};
    let Some(db) = TestDb::new("volunteers") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let lite = fengqiao_store_sqlite::SqliteStore::open(&path).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), sqlite_key(&path)).unwrap();
    let at = |h: i64| chrono::DateTime::from_timestamp(1_760_000_000 + 3600 * h, 0).unwrap();
    for (name, skills, area) in [
        ("王强", "mediation", "330299001"),
        ("张静", "first_aid", "330299002001"),
        ("李娜", "mediation", "330299002"),
    ] {
        let v = NewVolunteer {
            name: name.into(),
            phone: Some("13800001111".into()),
            skills: vec![skills.into(), "safety_talk".into()],
            areas: vec![area.into()],
            availability: "周末".into(),
            joined_at: at(0),
        };
        assert_eq!(lite.add_volunteer(&v).unwrap(), pg.add_volunteer(&v).unwrap());
    }
    for (kind, hours, people) in [
        ("patrol", 1, vec![(1, 3.0), (2, 2.5)]),
        ("safety_talk", 30, vec![(3, 1.0)]),
    ] {
        let a = NewActivity {
            kind: kind.into(),
            title: "平安巡防".into(),
            jurisdiction: Some("330299001".into()),
            starts_at: at(hours),
            ends_at: at(hours + 2),
            reach: 120,
            case_code: None,
            attendance: people,
        };
        assert_eq!(lite.add_activity(&a).unwrap(), pg.add_activity(&a).unwrap());
    }
    let bad = NewActivity {
        kind: "patrol".into(),
        title: "x".into(),
        jurisdiction: None,
        starts_at: at(5),
        ends_at: at(6),
        reach: 0,
        case_code: None,
        attendance: vec![(99, 1.0)],
    };
    assert!(
        pg.add_activity(&bad)
            .unwrap_err()
            .to_string()
            .contains("no volunteer 99")
    );
    assert!(lite.add_activity(&bad).is_err());
    for (skill, area) in [
        (None, None),
        (Some("mediation"), None),
        (None, Some("330299002")),
        (Some("first_aid"), Some("330299001")),
    ] {
        assert_eq!(
            lite.volunteers(skill, area).unwrap(),
            pg.volunteers(skill, area).unwrap(),
            "{skill:?} {area:?}"
        );
    }
    assert_eq!(pg.volunteers(None, None).unwrap()[0].hours, 3.0);
    assert_eq!(
        lite.activities(at(0), at(48)).unwrap(),
        pg.activities(at(0), at(48)).unwrap()
    );
    assert_eq!(pg.activities(at(10), at(48)).unwrap().len(), 1);
    assert_same_log(&lite, &pg);
    assert_eq!(
        (
            lite.ledger_entries(0, 100).unwrap().len(),
            pg.ledger_commitments(0, 100).unwrap().len()
        ),
        (5, 5)
    );
}

/// Cases through the real engine on both backends: opened (numbered per
/// stem), moved, refused at a stale version, boards under every filter,
/// attachments, and the same commitments; two writers racing one case on
/// PostgreSQL: exactly one move per version wins.
#[test]
fn cases_match_sqlite_and_races_have_one_winner() {
    use fengqiao_store::Store;
    use fengqiao_store::cases::{Attachment, CaseFilter, NewCase, Party};
    let Some(db) = TestDb::new("cases") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let lite = fengqiao_store_sqlite::SqliteStore::open(&path).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), sqlite_key(&path)).unwrap();
    let config = fengqiao_cases::CaseConfig::builtin();
    let now = chrono::DateTime::from_timestamp(1_760_000_000, 0).unwrap();
    let mut opened = Vec::new();
    for (i, (t, cat)) in [
        ("dispute", "dispute.family"),
        ("hazard", "hazard.fire"),
        ("request", "request.road"),
        ("dispute", "dispute.neighbour"),
    ]
    .iter()
    .enumerate()
    {
        let new = NewCase {
            case_type: t.to_string(),
            category: cat.to_string(),
            title: format!("事项 {i}"),
            description: String::new(),
            jurisdiction: None,
            address: Some("中山西路12号".into()),
            lon: Some(121.5),
            lat: Some(29.86),
            origin: "officer".into(),
            parties: vec![Party {
                role: "applicant".into(),
                name: "张三丰".into(),
                phone: Some("13812345678".into()),
                id_number: None,
                address: None,
                vulnerable: i % 2 == 0,
                id_type: None,
            }],
            stock: (*t == "hazard").then_some(true),
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let (state, event) = config
            .open(&new.case_type, &new.category, "officer", "o1", now)
            .unwrap();

        let stem = format!("T-{}", t);
        let a = lite.create_case(&new, &state, &event, &stem).unwrap();
        let b = pg.create_case(&new, &state, &event, &stem).unwrap();
        assert_eq!(a, b, "same id and code");
        opened.push((a.0, state));
    }
    assert_eq!(pg.case(4).unwrap().unwrap().code, "T-dispute-0002", "numbered per stem");
    // One move each, the same on both; a stale version refused on both.
    let (id, state) = &opened[1];
    let mut moved = state.clone();
    moved.version += 1;
    moved.stage = "registered".into();
    let event = fengqiao_cases::Event {
        version: moved.version,
        action: "register".into(),
        from_stage: Some(state.stage.clone()),
        to_stage: moved.stage.clone(),
        actor: "o1".into(),
        role: "officer".into(),
        at: now,
        reason: Some("登记".into()),
        details: Some(serde_json::json!({"note": "记录"})),
    };
    lite.update_case(*id, 1, &moved, &event).unwrap();
    pg.update_case(*id, 1, &moved, &event).unwrap();
    assert!(matches!(
        pg.update_case(*id, 1, &moved, &event),
        Err(fengqiao_store::StoreError::Conflict(_))
    ));
    assert!(matches!(
        lite.update_case(*id, 1, &moved, &event),
        Err(fengqiao_store::StoreError::Conflict(_))
    ));
    let file = Attachment {
        file_name: "现场.jpg".into(),
        media_type: "image/jpeg".into(),
        sha256: "a".repeat(64),
        size: 10,
        added_by: "o1".into(),
        added_at: now,
    };
    assert_eq!(
        lite.add_attachment(*id, &file).unwrap(),
        pg.add_attachment(*id, &file).unwrap()
    );
    assert!(
        pg.add_attachment(
            *id,
            &Attachment {
                sha256: "A".repeat(64),
                ..file.clone()
            }
        )
        .is_err()
    );
    assert_eq!(lite.attachments(*id).unwrap(), pg.attachments(*id).unwrap());
    let (attachment, _) = &pg.attachments(*id).unwrap()[0];
    for a in [*attachment, attachment + 1000] {
        assert_eq!(
            lite.attachment_case(a).unwrap(),
            pg.attachment_case(a).unwrap(),
            "attachment {a}"
        );
    }
    assert_eq!(pg.attachment_case(*attachment).unwrap(), Some(*id));
    for code in ["T-dispute-0001", "T-hazard-0001", "none"] {
        assert_eq!(
            lite.case_by_code(code).unwrap(),
            pg.case_by_code(code).unwrap(),
            "{code}"
        );
    }
    assert_eq!(lite.case_events(*id).unwrap(), pg.case_events(*id).unwrap());
    // Many histories at once: the same as one by one, in both; unknown ids absent.
    let many = [opened[0].0, *id, -1];
    let lite_many = lite.cases_events(&many).unwrap();
    assert_eq!(lite_many, pg.cases_events(&many).unwrap());
    assert_eq!(lite_many[id], lite.case_events(*id).unwrap());
    assert!(!lite_many.contains_key(&-1));
    assert!(lite.cases_events(&[]).unwrap().is_empty());
    for f in [
        CaseFilter::default(),
        CaseFilter {
            case_type: Some("dispute".into()),
            ..Default::default()
        },
        CaseFilter {
            stage: Some("registered".into()),
            open_only: true,
            ..Default::default()
        },
        CaseFilter {
            department: Some("urban".into()),
            ..Default::default()
        },
        CaseFilter {
            limit: Some(2),
            ..Default::default()
        },
    ] {
        assert_eq!(lite.cases(&f).unwrap(), pg.cases(&f).unwrap(), "{f:?}");
    }
    assert_same_log(&lite, &pg);
    assert_eq!(
        lite.ledger_entries(0, 100).unwrap().len(),
        pg.ledger_commitments(0, 100).unwrap().len()
    );
    // Eight writers, each from its own connection, race to move case 3 from version 1.
    let (id3, state3) = &opened[2];
    let wins = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|w| {
                let pg = &pg;
                let mut next = state3.clone();
                next.version = 2;
                next.stage = "registered".into();
                let ev = fengqiao_cases::Event {
                    actor: format!("w{w}"),
                    version: 2,
                    ..event.clone()
                };
                s.spawn(move || pg.update_case(*id3, 1, &next, &ev).is_ok())
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).filter(|w| *w).count()
    });
    assert_eq!(wins, 1, "exactly one writer moves version 1 to 2");
    assert_eq!(pg.case_events(*id3).unwrap().len(), 2);
}

/// PostgreSQL as a `Store`: the sequencer shared by every backend signs a
/// checkpoint over its log, proofs verify against the tree the entries make,
/// records match their entries, and a record changed in SQL no longer does.
#[test]
fn the_shared_sequencer_and_proofs_run_on_postgres() {
    use fengqiao_store::{ImportCounts, ImportStart, Store};
    let Some(db) = TestDb::new("sequence") else { return };
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), [5; 32]).unwrap();
    let store: &dyn Store = &pg;
    assert_eq!(store.backend(), "postgres");
    store.ping().unwrap();
    let start = ImportStart {
        dataset: "t".into(),
        profile: "p".into(),
        timezone: "UTC".into(),
        file_name: "f".into(),
        file_sha256: "s".into(),
    };
    let g = store.incidents_generation();
    let (run, _) = store.begin_import(&start).unwrap();
    let rows: Vec<_> = (0..300)
        .map(|i| incident(&format!("k{i}"), i, 121.5 + 0.0001 * i as f64, i % 3 == 0))
        .collect();
    store
        .import_batch(
            run,
            &rows,
            ImportCounts {
                read: 300,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        store.incidents_generation() > g,
        "an import moves the incidents generation"
    );
    let signer = fengqiao_tlog::note::Signer::from_seed("fengqiao.test/ledger", [9; 32]).unwrap();
    let cp = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap();
    assert_eq!(cp.size, 300);
    let entries = fengqiao_store::ledger::all_entries(store).unwrap();
    let tree = fengqiao_store::ledger::tree_of(&entries);
    let root = tree.root(300).unwrap();
    for id in ["1", "150", "300"] {
        let p = fengqiao_store::ledger::inclusion(store, "incident", id)
            .unwrap()
            .unwrap();
        assert!(p.record_matches_entry, "incident {id}");
        let path: Vec<Vec<u8>> = p.proof.iter().map(|h| base64_decode(h)).collect();
        let path: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
        fengqiao_tlog::verify_inclusion(p.index, p.tree_size, &base64_decode(&p.leaf_hash), &path, &root).unwrap();
    }
    // The commitments the verifier recomputes match every entry.
    let stored: std::collections::HashMap<String, [u8; 32]> =
        store.commitments("incident").unwrap().into_iter().collect();
    for e in &entries {
        assert_eq!(stored[&e.record_id], e.commitment);
    }
    // A row changed behind the store's back no longer matches its entry.
    let mut c = postgres::Client::connect(&db.url(), postgres::NoTls).unwrap();
    c.execute("UPDATE incidents SET category = 'fire' WHERE id = 150", &[])
        .unwrap();
    assert!(
        !fengqiao_store::ledger::inclusion(store, "incident", "150")
            .unwrap()
            .unwrap()
            .record_matches_entry
    );
    // More entries, a second checkpoint consistent with the first.
    let more: Vec<_> = (300..310)
        .map(|i| incident(&format!("k{i}"), i, 121.6, false))
        .collect();
    store
        .import_batch(
            run,
            &more,
            ImportCounts {
                read: 310,
                imported: 300,
                ..Default::default()
            },
        )
        .unwrap();
    let cp2 = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap();
    assert_eq!(cp2.size, 310);
    assert!(fengqiao_store::ledger::consistency(store, 300, 310).unwrap().is_some());
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for b in s.bytes().filter(|b| *b != b'=') {
        buf = (buf << 6) | A.iter().position(|x| *x == b).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// Two stores on one database stand for two server processes: a write
/// through one moves the other's generations soon after it commits (so its
/// caches drop what they held), and a write that is not about incidents
/// leaves the incident generation alone.
#[test]
fn another_process_writes_move_this_ones_generations() {
    use fengqiao_store::Store;
    let Some(db) = TestDb::new("generations") else { return };
    let a = fengqiao_store_postgres::PgStore::open(&db.url(), [1; 32]).unwrap();
    let b = fengqiao_store_postgres::PgStore::open(&db.url(), [1; 32]).unwrap();
    let wait_for_change = |before: u64, read: &dyn Fn() -> u64| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(1);
        while read() == before {
            assert!(std::time::Instant::now() < until, "no notification within a second");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    // The first ask starts a listener; let both connect before writing.
    for s in [&a, &b] {
        let (all, incidents) = (s.generation(), s.incidents_generation());
        wait_for_change(all, &|| s.generation());
        assert!(
            s.incidents_generation() > incidents,
            "connecting counts as a possible missed write"
        );
    }
    // Listeners keep hearing after a quiet spell longer than their wait.
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let (all, incidents) = (b.generation(), b.incidents_generation());
    // Through the trait, as servers write (the inherent methods do not announce).
    Store::set_setting(&a, "greeting", "hello").unwrap();
    wait_for_change(all, &|| b.generation());
    assert_eq!(b.incidents_generation(), incidents, "a setting is not about incidents");
    assert_eq!(b.get_setting("greeting").unwrap().as_deref(), Some("hello"));
    Store::replace_facilities(&a, &[]).unwrap();
    wait_for_change(incidents, &|| b.incidents_generation());
    // A's own writes are counted by a itself, not twice through its listener.
    let own = a.generation();
    Store::set_setting(&a, "greeting", "again").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(a.generation(), own + 2, "before and after the write, once each");
}

/// Several rosters rewritten at once (a duty level raised at every
/// station): all of them, or — when one has moved on — none, on both backends.
#[test]
fn rosters_are_rewritten_all_or_none() {
    use fengqiao_store::Store;
    use fengqiao_store::personnel::{NewRoster, RosterUpdate};
    let Some(db) = TestDb::new("rosters") else { return };
    let dir = tempfile::tempdir().unwrap();
    let lite = fengqiao_store_sqlite::SqliteStore::open(&dir.path().join("t.sqlite")).unwrap();
    let pg = fengqiao_store_postgres::PgStore::open(&db.url(), [1; 32]).unwrap();
    let at = chrono::Utc::now();
    for store in [&lite as &dyn Store, &pg] {
        let roster = |station: &str| NewRoster {
            station: station.into(),
            first_day: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            days: 7,
            state: "published".into(),
            body: serde_json::json!({"n": 0}),
        };
        let (a, b) = (
            store.add_roster(&roster("S1"), at, "t").unwrap(),
            store.add_roster(&roster("S2"), at, "t").unwrap(),
        );
        let raised = serde_json::json!({"n": 1});
        let update = |id: i64, expected_version: u32| RosterUpdate {
            id,
            state: "published",
            body: &raised,
            expected_version,
        };
        let stale = store.update_rosters(&[update(a, 1), update(b, 7)], at, "t");
        assert!(
            matches!(stale, Err(fengqiao_store::StoreError::Conflict(_))),
            "{stale:?}"
        );
        let first = store.roster(a).unwrap().unwrap();
        assert_eq!(
            (first.version, &first.roster.body),
            (1, &serde_json::json!({"n": 0})),
            "nothing written"
        );
        let both = store.update_rosters(&[update(a, 1), update(b, 1)], at, "t").unwrap();
        assert_eq!(both.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 2]);
        assert_eq!(store.roster(b).unwrap().unwrap().roster.body, raised);

        // A sick call: the leave and the roster's repair, both or neither.
        let person = store
            .add_personnel(
                &[fengqiao_store::personnel::NewPerson {
                    badge: "100001".into(),
                    name: "张三".into(),
                    kind: fengqiao_domain::personnel::StaffKind::Officer,
                    station: "S1".into(),
                    team: String::new(),
                    qualifications: vec![],
                    phone: None,
                    weekly_hours: 40,
                    shifts: vec![],
                }],
                at,
                "t",
            )
            .unwrap()[0];
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let sick = fengqiao_store::personnel::NewLeave {
            person_id: person,
            kind: "sick".into(),
            first_day: day,
            last_day: day,
            note: String::new(),
        };
        let stale = store.add_leave_with_rosters(&sick, &[update(a, 1)], at, "t");
        assert!(
            matches!(stale, Err(fengqiao_store::StoreError::Conflict(_))),
            "{stale:?}"
        );
        assert!(store.leave(day, day).unwrap().is_empty(), "no leave without its repair");
        let id = store.add_leave_with_rosters(&sick, &[update(a, 2)], at, "t").unwrap();
        assert_eq!(store.leave(day, day).unwrap()[0].id, id);
        assert_eq!(store.roster(a).unwrap().unwrap().version, 3);
    }
}
