//! The store contract, exercised on SQLite. The same scenarios will run
//! against PostgreSQL when that backend lands.

use chrono::{TimeZone, Utc};
use fengqiao_domain::{Level, NewIncident, Origin, TimePrecision};
use fengqiao_store::{
    Cursor, Dimension, ImportCounts, ImportStart, IncidentFilter, NewJurisdiction, PageRequest, Store,
};
use fengqiao_store_sqlite::SqliteStore;

fn incident(key: &str, minute: i64, category: &str, lon: f64) -> NewIncident {
    NewIncident {
        source_key: key.into(),
        occurred_at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap() + chrono::Duration::minutes(minute),
        time_precision: TimePrecision::Minute,
        hour_of_week: Some(5 * 24 + 8),
        received_at: None,
        dispatched_at: None,
        arrived_at: None,
        closed_at: None,
        unit: None,
        category: category.into(),
        raw_category: None,
        lon,
        lat: 29.86,
        address: Some("海曙区某路1号".into()),
        place_type: Some("住宅小区".into()),
        jurisdiction_id: None,
        origin: Origin::Citizen,
    }
}

fn start(store: &SqliteStore, sha: &str) -> i64 {
    store
        .begin_import(&ImportStart {
            dataset: "t".into(),
            profile: "p".into(),
            timezone: "Asia/Shanghai".into(),
            file_name: "f.csv".into(),
            file_sha256: sha.into(),
        })
        .unwrap()
        .0
}

fn fresh() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("db.sqlite")).unwrap();
    (dir, store)
}

#[test]
fn batches_dedupe_and_record_progress() {
    let (_d, store) = fresh();
    let run = start(&store, "abc");
    let rows: Vec<_> = (0..10)
        .map(|i| incident(&format!("k{i}"), i, "criminal.theft.other", 121.5))
        .collect();
    let c = store
        .import_batch(
            run,
            &rows,
            ImportCounts {
                read: 10,
                last_line: 11,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((c.imported, c.duplicates), (10, 0));
    let c = store
        .import_batch(
            run,
            &rows[5..],
            ImportCounts {
                read: 15,
                last_line: 16,
                ..c
            },
        )
        .unwrap();
    assert_eq!((c.imported, c.duplicates), (10, 5));
    // Interrupted: not finished. A new run over the same content sees where it stopped.
    let (_, unfinished) = store
        .begin_import(&ImportStart {
            dataset: "t".into(),
            profile: "p".into(),
            timezone: "Asia/Shanghai".into(),
            file_name: "f.csv".into(),
            file_sha256: "abc".into(),
        })
        .unwrap();
    assert_eq!(unfinished.unwrap().lines_committed, 16);
    store.finish_import(run, c).unwrap();
    assert_eq!(store.count_incidents(&IncidentFilter::default()).unwrap(), 10);
}

#[test]
fn abort_forgets_an_empty_run_and_its_dataset() {
    let (_d, store) = fresh();
    let run = start(&store, "x");
    store.abort_import(run).unwrap();
    assert!(store.datasets().unwrap().is_empty());
    let run = start(&store, "y");
    store
        .import_batch(run, &[incident("a", 0, "other.other", 121.5)], ImportCounts::default())
        .unwrap();
    assert!(
        store.abort_import(run).is_err(),
        "a run that stored rows cannot be aborted"
    );
}

#[test]
fn filters_pages_and_aggregates() {
    let (_d, store) = fresh();
    let run = start(&store, "s");
    let mut rows = Vec::new();
    for i in 0..30 {
        let cat = if i % 3 == 0 {
            "public_order.fight"
        } else {
            "criminal.theft.ebike"
        };
        rows.push(incident(
            &format!("k{i}"),
            i * 10,
            cat,
            121.5 + f64::from(i as i32) * 0.001,
        ));
    }
    store.import_batch(run, &rows, ImportCounts::default()).unwrap();
    let criminal = IncidentFilter {
        category: Some("criminal".into()),
        ..Default::default()
    };
    assert_eq!(store.count_incidents(&criminal).unwrap(), 20);
    // `criminal.theft` must not match `criminal.theftx`-like siblings, and `_` is not a wildcard.
    let po = IncidentFilter {
        category: Some("public_order".into()),
        ..Default::default()
    };
    assert_eq!(store.count_incidents(&po).unwrap(), 10);
    let bbox = IncidentFilter {
        bbox: Some([121.5, 29.0, 121.5095, 30.0]),
        ..Default::default()
    };
    assert_eq!(store.count_incidents(&bbox).unwrap(), 10);
    let t0 = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).unwrap();
    let window = IncidentFilter {
        from: Some(t0),
        to: Some(t0 + chrono::Duration::hours(1)),
        ..Default::default()
    };
    assert_eq!(store.count_incidents(&window).unwrap(), 6);

    let mut seen = Vec::new();
    let mut after: Option<Cursor> = None;
    loop {
        let page = store
            .incidents(&IncidentFilter::default(), &PageRequest { limit: 7, after })
            .unwrap();
        assert_eq!(page.total, 30);
        seen.extend(page.items.iter().map(|i| (i.record.occurred_at, i.id)));
        match page.next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 30);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");

    let by_top = store
        .aggregate(&IncidentFilter::default(), Dimension::CategoryTop)
        .unwrap();
    assert_eq!(
        by_top,
        vec![("criminal".to_string(), 20), ("public_order".to_string(), 10)]
    );
    let how = store
        .aggregate(&IncidentFilter::default(), Dimension::HourOfWeek)
        .unwrap();
    assert_eq!(how, vec![("128".to_string(), 30)]);
}

#[test]
fn jurisdiction_filter_includes_descendants() {
    let (_d, store) = fresh();
    let sq = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#;
    let j = |code: &str, level, parent: Option<&str>| NewJurisdiction {
        code: code.into(),
        name_zh: code.into(),
        name_en: code.into(),
        level,
        parent_code: parent.map(String::from),
        geometry: sq.into(),
    };
    store
        .replace_jurisdictions(&[
            j("D", Level::District, None),
            j("T1", Level::Town, Some("D")),
            j("V1", Level::Village, Some("T1")),
            j("T2", Level::Town, Some("D")),
        ])
        .unwrap();
    let ids: std::collections::HashMap<String, i64> = store
        .jurisdictions()
        .unwrap()
        .into_iter()
        .map(|r| (r.jurisdiction.code, r.jurisdiction.id))
        .collect();
    let run = start(&store, "j");
    let mut a = incident("a", 0, "other.other", 121.5);
    a.jurisdiction_id = Some(ids["V1"]);
    let mut b = incident("b", 1, "other.other", 121.5);
    b.jurisdiction_id = Some(ids["T2"]);
    store
        .import_batch(
            run,
            &[a, b, incident("c", 2, "other.other", 121.5)],
            ImportCounts::default(),
        )
        .unwrap();
    let count = |code: &str| {
        store
            .count_incidents(&IncidentFilter {
                jurisdiction: Some(code.into()),
                ..Default::default()
            })
            .unwrap()
    };
    assert_eq!(
        (count("D"), count("T1"), count("V1"), count("T2"), count("nowhere")),
        (2, 1, 1, 1, 0)
    );
    let by_j = store
        .aggregate(&IncidentFilter::default(), Dimension::Jurisdiction)
        .unwrap();
    assert_eq!(by_j, vec![("T2".to_string(), 1), ("V1".to_string(), 1)]);
}

#[test]
fn reopening_keeps_data_and_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.set_setting("k", "v1").unwrap();
        store.set_setting("k", "v2").unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.get_setting("k").unwrap().as_deref(), Some("v2"));
    assert_eq!(fengqiao_store_sqlite::SCHEMA_VERSION, 5);
}

#[test]
fn forecasts_by_id_and_plans_round_trip() {
    let (_dir, store) = fresh();
    let run = start(&store, "p");
    store
        .import_batch(
            run,
            &[incident("a", 0, "criminal.theft.other", 121.5)],
            ImportCounts::default(),
        )
        .unwrap();
    let now = Utc.timestamp_opt(1_750_000_000, 0).unwrap();
    let forecast = fengqiao_store::NewForecast {
        run: fengqiao_store::ForecastRun {
            id: 0,
            dataset: "t".into(),
            model: "fq".into(),
            window_kind: "shift".into(),
            window_start: now,
            window_end: now + chrono::Duration::hours(8),
            shift: 1,
            category: None,
            cell_m: 150.0,
            centre: [121.5, 29.8],
            origin: [0.0, 0.0],
            cols: 2,
            rows: 2,
            data_cutoff: now,
            params: serde_json::json!({}),
            version: "t".into(),
            created_at: now,
        },
        cells: vec![(1, 0.5), (3, 0.25)],
    };
    let fid = store.save_forecast(&forecast).unwrap();
    let (got, cells) = store.forecast(fid).unwrap().unwrap();
    assert_eq!(got.id, fid);
    assert_eq!(cells, [(1, 0.5), (3, 0.25)]);
    assert!(store.forecast(fid + 100).unwrap().is_none());
    assert!(store.latest_plan("t").unwrap().is_none());
    let plan = |summary: f64| fengqiao_store::NewPlan {
        dataset: "t".into(),
        forecast_id: Some(fid),
        window_start: got.window_start,
        window_end: got.window_end,
        params: serde_json::json!({"response_minutes": 5.0}),
        summary: serde_json::json!({"objective": summary}),
        body: serde_json::json!({"units": [{"id": "u1"}]}),
        geojson: "{\"type\":\"FeatureCollection\",\"features\":[]}".into(),
        version: "t".into(),
        created_at: got.created_at,
    };
    let first = store.save_plan(&plan(1.0)).unwrap();
    let second = store.save_plan(&plan(2.0)).unwrap();
    let latest = store.latest_plan("t").unwrap().unwrap();
    assert_eq!(latest.id, second, "same time: the later id wins");
    assert_eq!(latest.plan.summary["objective"], 2.0);
    assert_eq!(latest.plan.forecast_id, Some(fid));
    assert_eq!(store.plan(first).unwrap().unwrap().plan, plan(1.0));
    assert!(store.plan(second + 1).unwrap().is_none());
    // Every write left a ledger entry whose commitment matches the record as stored.
    let entries = store.ledger_entries(0, 100).unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.record_type.as_str()).collect();
    assert_eq!(kinds, ["incident", "forecast", "plan", "plan"]);
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [0, 1, 2, 3]);
    for e in &entries {
        assert_eq!(
            store.commitment_of(&e.record_type, &e.record_id).unwrap(),
            Some(e.commitment)
        );
    }
    assert_eq!(store.commitment_of("plan", "999").unwrap(), None);
    assert!(matches!(
        store.save_plan(&fengqiao_store::NewPlan {
            dataset: "nope".into(),
            ..plan(1.0)
        }),
        Err(fengqiao_store::StoreError::NotFound { .. })
    ));
}

#[test]
fn unwritable_path_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let e = SqliteStore::open(&file.join("db.sqlite")).unwrap_err().to_string();
    assert!(e.contains("cannot open database") && e.contains("a-file"), "{e}");
}
