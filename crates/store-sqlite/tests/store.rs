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
    // The dataset's stats, kept by the batches, equal a scan of its incidents.
    let more: Vec<_> = (0..4)
        .map(|i| incident(&format!("m{i}"), -30 + 50 * i, "fire", 121.2 + 0.3 * i as f64))
        .collect();
    store
        .import_batch(
            run,
            &more,
            ImportCounts {
                read: 19,
                last_line: 20,
                ..c
            },
        )
        .unwrap();
    let ds = store.datasets().unwrap().into_iter().find(|d| d.name == "t").unwrap();
    let all = store
        .incident_points(&fengqiao_store::IncidentFilter {
            dataset: Some("t".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ds.incidents, all.len() as u64);
    assert_eq!(ds.incidents, 14);
    assert_eq!(ds.first_at, all.iter().map(|p| p.occurred_at).min());
    assert_eq!(ds.last_at, all.iter().map(|p| p.occurred_at).max());
    let lon = |f: fn(f64, f64) -> f64| all.iter().map(|p| p.lon).fold(all[0].lon, f);
    assert_eq!(ds.bbox, Some([lon(f64::min), 29.86, lon(f64::max), 29.86]));
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
    assert_eq!(unfinished.unwrap().lines_committed, 20);
    store.finish_import(run, c).unwrap();
    assert_eq!(store.count_incidents(&IncidentFilter::default()).unwrap(), 14);
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
    assert_eq!(fengqiao_store_sqlite::SCHEMA_VERSION, 23);
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
        let stored = store.commitments(&e.record_type).unwrap();
        assert!(stored.contains(&(e.record_id.clone(), e.commitment)), "{}", e.record());
        assert_eq!(
            store
                .latest_ledger_entry(&e.record_type, &e.record_id, 4)
                .unwrap()
                .as_ref(),
            Some(e)
        );
    }
    assert_eq!(store.latest_ledger_entry("plan", "999", 4).unwrap(), None);
    assert_eq!(
        store.latest_ledger_entry("plan", &entries[3].record_id, 3).unwrap(),
        None,
        "below its position"
    );
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

/// Imports `n` incidents (one ledger entry each) under keys starting at `from`.
fn log_incidents(store: &SqliteStore, from: usize, n: usize) {
    let run = start(store, &format!("sha{from}"));
    let rows: Vec<_> = (from..from + n)
        .map(|i| incident(&format!("k{i}"), i as i64, "other.other", 121.5))
        .collect();
    store.import_batch(run, &rows, ImportCounts::default()).unwrap();
}

fn signed_size(note: &str) -> (u64, fengqiao_tlog::Hash) {
    let c = fengqiao_tlog::Checkpoint::parse(&note[..note.find("\n\n").unwrap() + 1]).unwrap();
    (c.size, c.root)
}

/// The sequencer grows the stored tiles batch by batch to exactly the tree
/// the entries make, signs each size once, and rebuilds tiles that are missing.
#[test]
fn sequencing_grows_tiles_and_checkpoints() {
    let (dir, store) = fresh();
    let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [3; 32]).unwrap();
    assert_eq!(
        fengqiao_store::ledger::sequence(&store, &signer).unwrap(),
        None,
        "nothing logged"
    );
    let mut sizes = Vec::new();
    for (from, n) in [(0, 1), (1, 300), (301, 255), (556, 1)] {
        log_incidents(&store, from, n);
        let cp = fengqiao_store::ledger::sequence(&store, &signer).unwrap().unwrap();
        let tree = fengqiao_store::ledger::tree_of(&fengqiao_store::ledger::all_entries(&store).unwrap());
        assert_eq!(signed_size(&cp.note), (tree.size(), tree.root(tree.size()).unwrap()));
        for (l, i, w) in fengqiao_tlog::tiles::tiles_for(tree.size()) {
            let stored = store.ledger_tile(l, i).unwrap().unwrap();
            assert_eq!(stored, tree.tile(l, i, w).unwrap().concat(), "tile {l}/{i}");
        }
        sizes.push(cp.size);
    }
    assert_eq!(sizes, [1, 301, 556, 557]);
    // Nothing new: the same checkpoint.
    let again = fengqiao_store::ledger::sequence(&store, &signer).unwrap().unwrap();
    assert_eq!(again.size, 557);
    // A stale sequencer cannot publish over a newer checkpoint.
    assert!(!store.publish_checkpoint(301, &again, &[]).unwrap());
    // Tiles lost (a log from before tiles were stored): the next run rebuilds them.
    let raw = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    raw.execute("DELETE FROM ledger_tiles", []).unwrap();
    log_incidents(&store, 557, 2);
    let cp = fengqiao_store::ledger::sequence(&store, &signer).unwrap().unwrap();
    let tree = fengqiao_store::ledger::tree_of(&fengqiao_store::ledger::all_entries(&store).unwrap());
    assert_eq!(signed_size(&cp.note), (559, tree.root(559).unwrap()));
    assert_eq!(
        store.ledger_tile(1, 0).unwrap().unwrap(),
        tree.tile(1, 0, 2).unwrap().concat()
    );
    // Proofs read from the tiles verify against the signed root.
    let p = fengqiao_store::ledger::inclusion(&store, "incident", "300")
        .unwrap()
        .unwrap();
    let path: Vec<Vec<u8>> = p
        .proof
        .iter()
        .map(|h| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, h).unwrap())
        .collect();
    let refs: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
    let leaf = fengqiao_tlog::leaf_hash(p.leaf.as_bytes());
    fengqiao_tlog::verify_inclusion(p.index, 559, &leaf, &refs, &tree.root(559).unwrap()).unwrap();
}

/// Two sequencers on one database at once: every checkpoint extends the one
/// before it (no fork), and the last covers every entry.
#[test]
fn concurrent_sequencers_do_not_fork() {
    let (dir, store) = fresh();
    let path = dir.path().join("db.sqlite");
    let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [4; 32]).unwrap();
    std::thread::scope(|scope| {
        for t in 0..2 {
            let (path, signer) = (&path, &signer);
            scope.spawn(move || {
                let store = SqliteStore::open(path).unwrap();
                for round in 0..6 {
                    log_incidents(&store, 1000 * t + 100 * round, 37);
                    fengqiao_store::ledger::sequence(&store, signer).unwrap();
                }
            });
        }
    });
    let tree = fengqiao_store::ledger::tree_of(&fengqiao_store::ledger::all_entries(&store).unwrap());
    assert_eq!(tree.size(), 2 * 6 * 37);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let notes: Vec<String> = raw
        .prepare("SELECT note FROM ledger_checkpoints ORDER BY size")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(signed_size(notes.last().unwrap()).0, tree.size());
    for note in &notes {
        let (size, root) = signed_size(note);
        assert_eq!(
            Some(root),
            tree.root(size),
            "checkpoint {size} is a prefix of the final tree"
        );
    }
}

fn new_case(case_type: &str, category: &str) -> fengqiao_store::cases::NewCase {
    fengqiao_store::cases::NewCase {
        case_type: case_type.into(),
        category: category.into(),
        title: "楼道堆物".into(),
        description: String::new(),
        jurisdiction: None,
        address: Some("海曙区某路1号".into()),
        lon: Some(121.55),
        lat: Some(29.87),
        origin: "officer".into(),
        parties: vec![fengqiao_store::cases::Party {
            role: "applicant".into(),
            name: "张三".into(),
            phone: Some("13800000000".into()),
            id_number: None,
            address: None,
            vulnerable: false,
            id_type: None,
        }],
        stock: Some(false),
        risk_grade: None,
        risk: None,
        token_hash: None,
        in_person_visits: 0,
        incident_id: None,
    }
}

/// A case goes round the loop; each change is one event and one ledger
/// entry with the case's new version; a stale writer is refused and writes nothing.
#[test]
fn cases_persist_transitions_with_versions_and_refuse_stale_writes() {
    use fengqiao_cases::{CaseConfig, Command};
    use fengqiao_store::cases::{CaseError, act, open_case};
    let (_d, store) = fresh();
    let config = CaseConfig::builtin();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let case = open_case(&store, &config, &new_case("hazard", "hazard.fire"), "officer", "o1", at).unwrap();
    assert_eq!(case.code, "YH-000000-20260302-0001");
    let second = open_case(&store, &config, &new_case("hazard", "hazard.fire"), "officer", "o1", at).unwrap();
    assert_eq!(second.code, "YH-000000-20260302-0002");
    let step = |action: &str, role: &str| Command {
        action: action.into(),
        role: role.into(),
        actor: format!("{role}-1"),
        ..Default::default()
    };
    for (a, r) in [
        ("register", "officer"),
        ("dispatch", "commander"),
        ("start", "department"),
    ] {
        act(&store, &config, case.id, None, &step(a, r), at).unwrap();
    }
    // Someone read version 2 and acts now that the case is at 4: refused, nothing written.
    let stale = act(&store, &config, case.id, Some(2), &step("report", "department"), at);
    assert!(matches!(
        stale,
        Err(CaseError::Store(fengqiao_store::StoreError::Conflict(_)))
    ));
    let (now, event) = act(&store, &config, case.id, Some(4), &step("report", "department"), at).unwrap();
    assert_eq!(
        (now.state.version, event.version, now.state.stage.as_str()),
        (5, 5, "reported")
    );
    let stored = store.case(case.id).unwrap().unwrap();
    assert_eq!(stored.state, now.state);
    assert_eq!(stored.case.parties[0].name, "张三");
    assert_eq!(store.case_by_code(&case.code).unwrap().unwrap().id, case.id);
    let events = store.case_events(case.id).unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["open", "register", "dispatch", "start", "report"]
    );
    let many = store.cases_events(&[case.id, case.id + 1000]).unwrap();
    assert_eq!(many.len(), 1, "a case without events is absent");
    assert_eq!(many[&case.id], events);
    // The ledger: one entry per version of the case, the newest matching the stored case.
    let entries: Vec<_> = store
        .ledger_entries(0, 100)
        .unwrap()
        .into_iter()
        .filter(|e| e.record_type == "case" && e.record_id == case.id.to_string())
        .collect();
    assert_eq!(entries.iter().map(|e| e.version).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    assert_eq!(
        store.commitment_of("case", &case.id.to_string()).unwrap(),
        Some(entries[4].commitment)
    );
    // An engine refusal writes nothing either.
    assert!(act(&store, &config, case.id, None, &step("close", "officer"), at).is_err());
    assert_eq!(store.case(case.id).unwrap().unwrap().state.version, 5);
    // Boards: open cases of the department, overdue first.
    let board = store
        .cases(&fengqiao_store::cases::CaseFilter {
            department: Some("fire".into()),
            open_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(board.len(), 1);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Any sequence of actions by any roles on a few cases: every write the
    /// store accepted left exactly one ledger entry with the case's version,
    /// every refused one left none, and each case's newest entry commits to
    /// the case as stored.
    #[test]
    fn every_case_write_has_its_log_entry(steps in proptest::collection::vec((0usize..3, 0usize..40, 0usize..10, proptest::bool::ANY), 1..40)) {
        use fengqiao_cases::{CaseConfig, Command};
        use fengqiao_store::cases::{act, open_case};
        let (_d, store) = fresh();
        let config = CaseConfig::builtin();
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let types = ["hazard", "request", "dispute"];
        let mut ids = Vec::new();
        for t in types {
            let category = config.case_type(t).unwrap().categories[0].clone();
            ids.push(open_case(&store, &config, &new_case(t, &category), "officer", "o", at).unwrap().id);
        }
        let mut accepted = ids.len();
        for (case, action, role, reason) in steps {
            let t = config.case_type(types[case]).unwrap();
            let cmd = Command {
                action: t.actions[action % t.actions.len()].name.clone(),
                role: config.roles[role % config.roles.len()].clone(),
                actor: "p".into(),
                reason: reason.then(|| "r".into()),
                assignee: Some(config.mediators[0].name.clone()),
                rating: Some(4),
                ..Default::default()
            };
            if act(&store, &config, ids[case], None, &cmd, at).is_ok() {
                accepted += 1;
            }
        }
        let entries = store.ledger_entries(0, 10_000).unwrap();
        proptest::prop_assert_eq!(entries.len(), accepted);
        for id in &ids {
            let case = store.case(*id).unwrap().unwrap();
            let mine: Vec<_> = entries.iter().filter(|e| e.record_id == id.to_string()).collect();
            proptest::prop_assert_eq!(mine.iter().map(|e| e.version).collect::<Vec<_>>(), (1..=case.state.version).collect::<Vec<_>>());
            proptest::prop_assert_eq!(store.case_events(*id).unwrap().len() as u32, case.state.version);
            proptest::prop_assert_eq!(store.commitment_of("case", &id.to_string()).unwrap(), Some(mine.last().unwrap().commitment));
        }
    }
}

/// Bad volunteer records are refused with the field named, and nothing is
/// written (no row, no ledger entry); good ones are logged.
#[test]
fn volunteers_and_activities_validate_and_log() {
    use fengqiao_store::volunteers::{NewActivity, NewVolunteer};
    let (_d, store) = fresh();
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let v = NewVolunteer {
        name: "陈老师".into(),
        phone: Some("13912345678".into()),
        skills: vec!["mediation".into()],
        areas: vec!["330203001".into()],
        availability: "周末".into(),
        joined_at: at,
    };
    let e = store
        .add_volunteer(&NewVolunteer {
            name: " ".into(),
            ..v.clone()
        })
        .unwrap_err();
    assert!(e.to_string().contains("volunteer name"), "{e}");
    let id = store.add_volunteer(&v).unwrap();
    let a = NewActivity {
        kind: "safety_talk".into(),
        title: "防诈骗宣讲".into(),
        jurisdiction: None,
        starts_at: at,
        ends_at: at + chrono::Duration::hours(2),
        reach: 80,
        case_code: None,
        attendance: vec![(id, 2.0)],
    };
    for (bad, field) in [
        (
            NewActivity {
                kind: "party".into(),
                ..a.clone()
            },
            "activity kind",
        ),
        (
            NewActivity {
                ends_at: at,
                ..a.clone()
            },
            "end after it starts",
        ),
        (
            NewActivity {
                attendance: vec![(id, 30.0)],
                ..a.clone()
            },
            "30 hours",
        ),
        (
            NewActivity {
                attendance: vec![(999, 2.0)],
                ..a.clone()
            },
            "no volunteer 999",
        ),
    ] {
        let e = store.add_activity(&bad).unwrap_err().to_string();
        assert!(e.contains(field), "{field} not in {e}");
    }
    assert!(
        store
            .activities(at - chrono::Duration::days(1), at + chrono::Duration::days(1))
            .unwrap()
            .is_empty()
    );
    store.add_activity(&a).unwrap();
    let kinds: Vec<String> = store
        .ledger_entries(0, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.record_type)
        .collect();
    assert_eq!(kinds, ["volunteer", "activity"]);
    let listed = store.volunteers(Some("mediation"), Some("330203")).unwrap();
    assert_eq!((listed.len(), listed[0].hours, listed[0].activities), (1, 2.0, 1));
    assert!(store.volunteers(Some("legal"), None).unwrap().is_empty());
}

/// Several processes opening a new database at once: each migration is
/// applied once, and every one of them opens it.
#[test]
fn concurrent_opens_migrate_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    std::thread::scope(|scope| {
        let opened: Vec<_> = (0..6)
            .map(|_| scope.spawn(|| SqliteStore::open(&path).map(|_| ())))
            .collect();
        for o in opened {
            o.join().unwrap().unwrap();
        }
    });
    let raw = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = raw
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, fengqiao_store_sqlite::SCHEMA_VERSION);
}

/// Accounts: a one-time password that works once set, lockout after five
/// failures, a reset that unlocks, sessions that expire and end when the
/// role changes, API tokens; every user change and login is logged.
#[test]
fn accounts_log_in_lock_out_and_are_logged() {
    use fengqiao_store::users::{LoginError, UserChange, add_user, hash_password, login, new_secret};
    let (_d, store) = fresh();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    let (user, otp) = add_user(
        &store,
        "zhou.officer",
        "周警官",
        "officer",
        (Some("330203".into()), None, None),
        "admin",
    )
    .unwrap();
    assert!(user.must_change && otp.len() == 16);
    assert!(matches!(
        add_user(&store, "zhou.officer", "x", "officer", (None, None, None), "admin"),
        Err(fengqiao_store::StoreError::InvalidQuery(_))
    ));
    assert!(add_user(&store, "bad name!", "x", "officer", (None, None, None), "admin").is_err());
    assert_eq!(login(&store, "zhou.officer", &otp, now).unwrap().id, user.id);
    assert!(matches!(
        login(&store, "nobody", "whatever-pw", now),
        Err(LoginError::Wrong)
    ));
    for i in 0..4 {
        assert!(
            matches!(
                login(&store, "zhou.officer", "wrong-password", now),
                Err(LoginError::Wrong)
            ),
            "{i}"
        );
    }
    assert!(matches!(
        login(&store, "zhou.officer", "wrong-password", now),
        Err(LoginError::Locked(_))
    ));
    assert!(
        matches!(login(&store, "zhou.officer", &otp, now), Err(LoginError::Locked(_))),
        "even the right password"
    );
    assert!(
        login(&store, "zhou.officer", &otp, now + chrono::Duration::minutes(16)).is_ok(),
        "the lock ends"
    );
    // Sessions: live until they expire; a role change ends them.
    let (token, hash) = new_secret().unwrap();
    store
        .create_session(&hash, user.id, "csrf", now + chrono::Duration::hours(1))
        .unwrap();
    assert_eq!(store.session(&hash, now).unwrap().unwrap().0.id, user.id);
    assert!(
        store
            .session(&hash, now + chrono::Duration::hours(2))
            .unwrap()
            .is_none()
    );
    assert_eq!(fengqiao_store::users::secret_hash(&token), hash);
    let changed = store
        .update_user(
            user.id,
            &UserChange {
                role: Some("commander".into()),
                ..Default::default()
            },
            "admin",
        )
        .unwrap();
    assert_eq!((changed.role.as_str(), changed.version), ("commander", 2));
    assert!(
        store.session(&hash, now).unwrap().is_none(),
        "the role change ended the session"
    );
    let new_hash = hash_password("a-new-password-2026").unwrap();
    store
        .update_user(
            user.id,
            &UserChange {
                password_hash: Some(new_hash),
                must_change: Some(false),
                ..Default::default()
            },
            "zhou.officer",
        )
        .unwrap();
    assert!(login(&store, "zhou.officer", "a-new-password-2026", now).is_ok());
    let (_, token_hash) = new_secret().unwrap();
    store.create_api_token(&token_hash, user.id, "etl", None).unwrap();
    assert_eq!(store.api_token_user(&token_hash, now).unwrap().unwrap().id, user.id);
    store
        .update_user(
            user.id,
            &UserChange {
                disabled: Some(true),
                ..Default::default()
            },
            "admin",
        )
        .unwrap();
    assert!(
        store.api_token_user(&token_hash, now).unwrap().is_none(),
        "a disabled account's tokens stop working"
    );
    let kinds: Vec<String> = store
        .ledger_entries(0, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.record_type)
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "user").count(), 4, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "login").count(), 10, "{kinds:?}");
    assert_eq!(
        store.commitment_of("user", &user.id.to_string()).unwrap(),
        store
            .ledger_entries(0, 100)
            .unwrap()
            .iter()
            .rev()
            .find(|e| e.record_type == "user")
            .map(|e| e.commitment)
    );
}

/// The monthly rollup answers whole-month and all-time aggregates exactly as
/// counting the incidents does, across months, batches, duplicates, areas
/// and a replacement of the areas.
#[test]
fn the_rollup_counts_what_the_incidents_count() {
    let (dir, store) = fresh();
    let areas: Vec<NewJurisdiction> = ["33", "3301", "3302"]
        .iter()
        .map(|code| NewJurisdiction {
            code: code.to_string(),
            name_zh: code.to_string(),
            name_en: code.to_string(),
            level: if code.len() == 2 { Level::City } else { Level::Town },
            parent_code: (code.len() > 2).then(|| "33".to_string()),
            geometry: "{}".into(),
        })
        .collect();
    store.replace_jurisdictions(&areas).unwrap();
    let run = start(&store, "r");
    let categories = ["dispute.family", "criminal.theft", "traffic.accident", "dispute"];
    let rows: Vec<NewIncident> = (0..400)
        .map(|i: i64| {
            // Minutes over 100 days: four UTC months.
            let mut r = incident(&format!("k{}", i % 350), i * 360, categories[(i % 4) as usize], 121.5);
            r.jurisdiction_id = [None, Some(2), Some(3)][(i % 3) as usize];
            r.origin = if i % 5 == 0 { Origin::Officer } else { Origin::Citizen };
            r
        })
        .collect();
    for (n, batch) in rows.chunks(90).enumerate() {
        let counts = ImportCounts {
            read: 90 * n as u64 + batch.len() as u64,
            ..Default::default()
        };
        store.import_batch(run, batch, counts).unwrap();
    }
    let raw = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    let count = |sql: &str| -> Vec<(String, u64)> {
        let mut q = raw.prepare(sql).unwrap();
        q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let month = |m: u32| Utc.with_ymd_and_hms(2025, m, 1, 0, 0, 0).unwrap();
    let april = IncidentFilter {
        from: Some(month(4)),
        to: Some(month(5)),
        ..Default::default()
    };
    let (from, to) = (month(4).timestamp(), month(5).timestamp());
    let check = |label: &str| {
        assert_eq!(
            store
                .aggregate(&IncidentFilter::default(), Dimension::Category)
                .unwrap(),
            count("SELECT category, count(*) FROM incidents GROUP BY 1 ORDER BY 1"),
            "{label}: all time by category"
        );
        assert_eq!(
            store.aggregate(&april, Dimension::Jurisdiction).unwrap(),
            count(&format!(
                "SELECT j.code, count(*) FROM incidents i JOIN jurisdictions j ON j.id = i.jurisdiction_id
                 WHERE i.occurred_at >= {from} AND i.occurred_at < {to} GROUP BY 1 ORDER BY 1"
            )),
            "{label}: April by area"
        );
        assert_eq!(
            store.aggregate(&IncidentFilter::default(), Dimension::Origin).unwrap(),
            count("SELECT origin, count(*) FROM incidents GROUP BY 1 ORDER BY 1"),
            "{label}: all time by origin"
        );
    };
    check("after the import");
    assert!(!store.aggregate(&april, Dimension::Jurisdiction).unwrap().is_empty());
    store.replace_jurisdictions(&areas[..2]).unwrap();
    check("after new areas");
    assert!(store.aggregate(&april, Dimension::Jurisdiction).unwrap().is_empty());
}

/// Another process's commit moves this store's generations on (within the
/// foreign-write check's interval), so answers cached by a server are not
/// kept past an import run from the command line into its database.
#[test]
fn another_process_writes_move_the_generations_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.sqlite");
    let served = SqliteStore::open(&path).unwrap();
    let other = SqliteStore::open(&path).unwrap();
    let before = (served.generation(), served.incidents_generation());
    other.set_setting("k", "v").unwrap();
    let moved = (0..40).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        served.generation() > before.0 && served.incidents_generation() > before.1
    });
    assert!(moved, "generations stayed at {before:?}");
    // Its own writes do not count as foreign: the incident generation stays.
    let settled = served.incidents_generation();
    served.set_setting("k", "w").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    assert_eq!(served.incidents_generation(), settled);
}
