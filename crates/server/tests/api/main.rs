//! The server's integration tests: the real server on 127.0.0.1:0 with a
//! fresh database per test (SQLite, or PostgreSQL with
//! `FENGQIAO_TEST_BACKEND=postgres`), split by feature.

mod hardening;
mod helpers;
mod rules;

use helpers::*;
use std::collections::HashSet;

#[tokio::test]
async fn health_and_landing_page() {
    let app = spawn_app().await;
    let r = app.get("/health").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    let backend = match app.db {
        TestDb::Sqlite(_) => "sqlite",
        TestDb::Postgres(_) => "postgres",
    };
    assert_eq!(r.json()["backend"], backend);
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("枫桥") && page.body.contains("/assets/app.js"));
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "no external resources"
    );
    let head = page.head.to_ascii_lowercase();
    assert!(
        head.contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "{head}"
    );
    assert!(head.contains("frame-ancestors 'none'") && head.contains("x-content-type-options: nosniff"));
    for path in ["/incidents", "/cases", "/inbox", "/volunteers", "/dashboard", "/public"] {
        let p = app.get(path).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(
            p.head.to_ascii_lowercase().contains("content-security-policy"),
            "{path}"
        );
        // No inline script: every script is a file the policy allows.
        let handler = p.body.match_indices(" on").any(|(i, _)| {
            let rest = &p.body[i + 3..];
            let name: String = rest.chars().take_while(char::is_ascii_lowercase).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(!p.body.contains("<script>") && !handler, "{path}: inline script");
    }
    assert_eq!(app.get("/assets/nothing.js").await.status, 404);
    let js = app.get("/assets/app.js").await;
    assert_eq!(js.status, 200);
    assert!(
        js.body.contains("Incident density") && js.body.contains("警情密度"),
        "both languages"
    );
    assert!(!js.body.contains("https://"), "no CDN");
}

#[tokio::test]
async fn incidents_page_through_everything_once() {
    let app = spawn_app().await;
    let mut ids = HashSet::new();
    let mut path = "/api/v1/incidents?limit=1000".to_string();
    let mut last_time = String::from("9999");
    loop {
        let r = app.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = r.json();
        assert_eq!(v["total"].as_u64().unwrap(), app.incidents);
        for item in v["items"].as_array().unwrap() {
            assert!(ids.insert(item["id"].as_i64().unwrap()));
            let t = item["occurred_at"].as_str().unwrap().to_string();
            assert!(t <= last_time, "newest first");
            last_time = t;
        }
        match v["next"].as_str() {
            Some(c) => path = format!("/api/v1/incidents?limit=1000&after={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len() as u64, app.incidents);
}

#[tokio::test]
async fn filters_agree_with_aggregates() {
    let app = spawn_app().await;
    let total = app.incidents;
    let by_top = app.get("/api/v1/incidents/aggregate?by=category_top").await.json();
    assert_eq!(by_top["total"].as_u64().unwrap(), total);
    for g in by_top["groups"].as_array().unwrap() {
        let code = g["key"].as_str().unwrap();
        let page = app
            .get(&format!("/api/v1/incidents?category={code}&limit=5"))
            .await
            .json();
        assert_eq!(page["total"], g["count"], "{code}");
        for item in page["items"].as_array().unwrap() {
            assert!(item["category"].as_str().unwrap().starts_with(code));
        }
    }
    // Hours of week: keys in range, day-only records excluded (there are none here).
    let how = app.get("/api/v1/incidents/aggregate?by=hour_of_week").await.json();
    assert_eq!(how["total"].as_u64().unwrap(), total);
    assert!(
        how["groups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["key"].as_str().unwrap().parse::<u32>().unwrap() < 168)
    );
    // Cells: every incident lands in one cell.
    let cells = app.get("/api/v1/incidents/aggregate?by=cell&cell=500").await.json();
    let sum: u64 = cells["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, total);
    assert_eq!(cells["cell_m"], 500.0);
    // Jurisdictions: the district holds everything; the towns split it.
    let district = app.get("/api/v1/incidents?jurisdiction=330299&limit=1").await.json();
    assert_eq!(district["total"].as_u64().unwrap(), total);
    let towns = app.get("/api/v1/jurisdictions?level=town").await.json();
    let mut town_sum = 0;
    for f in towns["features"].as_array().unwrap() {
        let code = f["properties"]["code"].as_str().unwrap();
        town_sum += app
            .get(&format!("/api/v1/incidents?jurisdiction={code}&limit=1"))
            .await
            .json()["total"]
            .as_u64()
            .unwrap();
    }
    assert_eq!(town_sum, total);
    // Origin and time window.
    let origins = app.get("/api/v1/incidents/aggregate?by=origin").await.json();
    let keys: Vec<&str> = origins["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["citizen", "officer"]);
    let day = app
        .get("/api/v1/incidents?from=2025-01-03&to=2025-01-04&limit=1000")
        .await
        .json();
    let by_day = app
        .get("/api/v1/incidents/aggregate?by=day&from=2025-01-03&to=2025-01-04")
        .await
        .json();
    assert_eq!(day["total"], by_day["total"]);
    assert!(day["total"].as_u64().unwrap() > 50);
    let bbox = app
        .get("/api/v1/incidents?bbox=121.0,29.0,121.5,30.0&limit=1")
        .await
        .json();
    let rest = app
        .get("/api/v1/incidents?bbox=121.5,29.0,122.0,30.0&limit=1")
        .await
        .json();
    assert!(bbox["total"].as_u64().unwrap() + rest["total"].as_u64().unwrap() >= total);
}

#[tokio::test]
async fn geography_endpoints() {
    let app = spawn_app().await;
    let all = app.get("/api/v1/jurisdictions").await.json();
    assert_eq!(all["type"], "FeatureCollection");
    assert_eq!(all["features"].as_array().unwrap().len(), app.areas);
    let f = app.get("/api/v1/facilities").await.json();
    assert!(f["items"].as_array().unwrap().iter().any(|x| x["kind"] == "station"));
    let ds = app.get("/api/v1/datasets").await.json();
    assert_eq!(ds["default"], "demo");
    assert_eq!(ds["items"][0]["incidents"].as_u64().unwrap(), app.incidents);
    let cats = app.get("/api/v1/categories").await.json();
    assert!(
        cats["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "dispute.neighbour" && c["zh"] == "邻里纠纷")
    );
}

#[tokio::test]
async fn latest_forecast_as_json_and_geojson() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/forecasts/latest?window=day").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["message"].as_str().unwrap().contains("fengqiao forecast"));
    // Store one forecast through the same store the server uses.
    let () = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let run = fengqiao_store::ForecastRun {
            id: 0,
            dataset: "demo".into(),
            model: "fq".into(),
            window_kind: "day".into(),
            window_start: chrono::Utc::now(),
            window_end: chrono::Utc::now() + chrono::Duration::days(1),
            shift: 0,
            category: None,
            cell_m: 150.0,
            centre: [121.5, 29.86],
            origin: [-1500.0, -1500.0],
            cols: 20,
            rows: 20,
            data_cutoff: chrono::Utc::now(),
            params: serde_json::json!({"valid_cells": 3}),
            version: "test".into(),
            created_at: chrono::Utc::now(),
        };
        fengqiao_store::Store::save_forecast(
            store,
            &fengqiao_store::NewForecast {
                run,
                cells: vec![(0, 0.5), (21, 1.5), (399, 0.1)],
            },
        )
        .unwrap();
    });
    let v = app.get("/api/v1/forecasts/latest?window=day").await.json();
    assert_eq!(v["cells"].as_array().unwrap().len(), 3);
    assert!((v["expected_total"].as_f64().unwrap() - 2.1).abs() < 1e-9);
    let b = v["cells"][0]["bounds"].as_array().unwrap();
    assert!(b[0].as_f64().unwrap() < b[2].as_f64().unwrap() && b[1].as_f64().unwrap() < b[3].as_f64().unwrap());
    let g = app
        .get("/api/v1/forecasts/latest?window=day&format=geojson")
        .await
        .json();
    assert_eq!(g["type"], "FeatureCollection");
    assert_eq!(g["features"][0]["properties"]["cell"], 21, "ranked by expected count");
    assert_eq!(g["features"][0]["properties"]["rank"], 1);
    let ring = g["features"][0]["geometry"]["coordinates"][0].as_array().unwrap();
    assert_eq!(ring.len(), 5);
    assert_eq!(ring[0], ring[4]);
    let bad = app.get("/api/v1/forecasts/latest?window=month").await;
    assert_eq!(bad.status, 400);
    // The hottest share only, hottest first, with the whole forecast's total.
    let top = app.get("/api/v1/forecasts/latest?window=day&top=0.5").await.json();
    let cells: Vec<i64> = top["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cell"].as_i64().unwrap())
        .collect();
    let valid = top["forecast"]["params"]["valid_cells"].as_u64().unwrap_or(3) as f64;
    assert_eq!(cells.len(), (0.5 * valid).ceil() as usize);
    assert_eq!(cells[0], 21);
    assert_eq!(top["expected_total"], v["expected_total"]);
    assert_eq!(top["stored_cells"], 3);
    for bad in ["0", "1.5", "x"] {
        assert_eq!(
            app.get(&format!("/api/v1/forecasts/latest?window=day&top={bad}"))
                .await
                .status,
            400
        );
    }
}

#[tokio::test]
async fn plans_latest_and_by_id() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/plans/latest").await;
    assert_eq!(r.status, 404);
    assert!(r.json()["message"].as_str().unwrap().contains("fengqiao plan"));
    let (geojson, id) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let geojson = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 29.86]}, "properties": {"kind": "unit"}}
        ]});
        let id = fengqiao_store::Store::save_plan(
            store,
            &fengqiao_store::NewPlan {
                dataset: "demo".into(),
                forecast_id: None,
                window_start: chrono::Utc::now(),
                window_end: chrono::Utc::now() + chrono::Duration::hours(8),
                params: serde_json::json!({"response_minutes": 5}),
                summary: serde_json::json!({"objective": 1.5, "coverage": {"1": 0.1, "3": 0.5, "5": 0.9}, "gap": null}),
                body: serde_json::json!({"units": []}),
                geojson: geojson.to_string(),
                version: "test".into(),
                created_at: chrono::Utc::now(),
            },
        )
        .unwrap();
        (geojson, id)
    });
    let v = app.get("/api/v1/plans/latest").await.json();
    assert_eq!(v["id"], id);
    assert_eq!(v["summary"]["coverage"]["5"], 0.9);
    let g = app.get(&format!("/api/v1/plans/{id}?format=geojson")).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.content_type, "application/geo+json");
    let mut want = geojson.clone();
    want["fengqiao_record"] = serde_json::json!(format!("plan/{id}"));
    assert_eq!(g.json(), want, "the stored GeoJSON with its ledger record");
    assert_eq!(app.get("/api/v1/plans/9999").await.status, 404);
    assert_eq!(app.get("/api/v1/plans/x").await.status, 400);
    assert_eq!(app.get("/api/v1/plans/latest?format=kml").await.status, 400);
}

#[tokio::test]
async fn ledger_checkpoint_proof_and_consistency() {
    use base64::Engine;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let app = spawn_app().await;
    // The import logged every incident, but nothing is signed yet.
    assert_eq!(app.get("/api/v1/ledger/checkpoint").await.status, 404);
    assert_eq!(app.get("/api/v1/ledger/proof?record=incident/1").await.status, 404);
    assert_eq!(app.get("/api/v1/ledger/consistency?old=5&new=9").await.status, 422);
    // Sign a checkpoint as the sequencer does; proofs then lead to it.
    let (entries, tree, size, signer, note) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let entries = fengqiao_store::ledger::all_entries(store).unwrap();
        let tree = fengqiao_store::ledger::tree_of(&entries);
        let size = entries.len() as u64;
        // The server's own key: its sequencer signs beside this test.
        let signer = fengqiao_app::ledger::signer(&app.settings.ledger.signing_key).unwrap();
        let note = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap().note;
        (entries, tree, size, signer, note)
    });
    let verifier = signer.verifier();
    let signed = fengqiao_tlog::note::open(note.as_bytes(), std::slice::from_ref(&verifier)).unwrap();
    let cp = fengqiao_tlog::Checkpoint::parse(&signed.text).unwrap();
    assert_eq!((cp.size, cp.root), (size, tree.root(size).unwrap()));
    let c = app.get("/api/v1/ledger/consistency?old=5&new=9").await.json();
    let proof: Vec<Vec<u8>> = c["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = proof.iter().map(Vec::as_slice).collect();
    fengqiao_tlog::verify_consistency(5, 9, &b64(&c["old"]["root"]), &b64(&c["new"]["root"]), &refs).unwrap();
    assert_eq!(b64(&c["new"]["root"]), tree.root(9).unwrap());
    assert_eq!(app.get("/api/v1/ledger/consistency?old=9&new=5").await.status, 422);
    assert_eq!(app.get("/api/v1/ledger/consistency?old=x&new=5").await.status, 400);
    let r = app.get("/api/v1/ledger/checkpoint").await;
    assert_eq!((r.status, r.body.as_str()), (200, note.as_str()));
    let p = app.get("/api/v1/ledger/proof?record=incident/3").await.json();
    let path: Vec<Vec<u8>> = p["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
    let leaf = fengqiao_tlog::leaf_hash(p["leaf"].as_str().unwrap().as_bytes());
    fengqiao_tlog::verify_inclusion(p["index"].as_u64().unwrap(), size, &leaf, &refs, &cp.root).unwrap();
    let text = app.get("/api/v1/ledger/proof?record=incident/3&format=text").await;
    assert!(text.body.starts_with("c2sp.org/tlog-proof@v1\nindex "));
    assert_eq!(app.get("/api/v1/ledger/proof?record=nonsense").await.status, 400);
    // Tiles: the first level-0 tile holds the first 256 leaf hashes, and the
    // entry bundle the leaves themselves.
    let width = size.min(256);
    let path = fengqiao_tlog::tiles::tile_path(0, 0, width);
    let tile = app.get_bytes(&format!("/api/v1/ledger/{path}")).await;
    let want: Vec<u8> = entries[..width as usize]
        .iter()
        .flat_map(|e| fengqiao_tlog::leaf_hash(&e.leaf_bytes()))
        .collect();
    assert_eq!(tile, want);
    let bundle = app
        .get_bytes(&format!(
            "/api/v1/ledger/tile/entries/000{}",
            if width < 256 {
                format!(".p/{width}")
            } else {
                String::new()
            }
        ))
        .await;
    let first_len = usize::from(u16::from_be_bytes([bundle[0], bundle[1]]));
    assert_eq!(&bundle[2..2 + first_len], entries[0].leaf_bytes().as_slice());
    assert_eq!(app.get("/api/v1/ledger/tile/0/1").await.status, 400);
    assert_eq!(app.get("/api/v1/ledger/tile/5/000").await.status, 404);
}

/// Witnesses: the log hands out an add-checkpoint body, a configured witness
/// cosigns, and the checkpoint is then served with its cosignature; anyone
/// else, a signature over another tree, or garbage is refused and stores nothing.
#[tokio::test]
async fn witnesses_cosign_checkpoints() {
    use fengqiao_tlog::cosignature::{WitnessKey, cosign, line};
    let app = spawn_app().await;
    let (cp, head, witness, signer) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [9; 32]).unwrap();
        let cp = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap();
        let body = fengqiao_store::ledger::witness_request(store, 3).unwrap().unwrap();
        assert!(body.starts_with("old 3\n") && body.ends_with(&cp.note), "{body}");
        let text = &cp.note[..cp.note.find("\n\n").unwrap() + 1];
        let head = fengqiao_tlog::Checkpoint::parse(text).unwrap();
        let witness = WitnessKey::from_seed("witness.example/w1", [21; 32]);
        fengqiao_store::ledger::set_witnesses(store, std::slice::from_ref(&witness)).unwrap();
        (cp, head, witness, signer)
    });
    let good = line(&witness.name, &cosign(&witness.name, [21; 32], &head, 1_700_000_000));
    // Refused: an unknown witness, a cosignature of another tree, and garbage.
    let stranger = line(
        "witness.example/w2",
        &cosign("witness.example/w2", [22; 32], &head, 1_700_000_000),
    );
    let r = app
        .post("/api/v1/ledger/cosignatures", &format!("{good}{stranger}"))
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("unknown_witness")),
        "{}",
        r.body
    );
    let mut other = head.clone();
    other.size += 1;
    let forged = line(&witness.name, &cosign(&witness.name, [21; 32], &other, 1_700_000_000));
    let r = app.post("/api/v1/ledger/cosignatures", &forged).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (422, Some("bad_cosignature")),
        "{}",
        r.body
    );
    assert_eq!(app.post("/api/v1/ledger/cosignatures", "hello\n").await.status, 400);
    assert_eq!(
        app.post("/api/v1/ledger/cosignatures?size=999999", &good).await.status,
        404
    );
    assert_eq!(
        app.get("/api/v1/ledger/checkpoint").await.body,
        cp.note,
        "nothing stored"
    );
    // Accepted, and served after the log's own signature.
    let r = app.post("/api/v1/ledger/cosignatures", &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["accepted"], serde_json::json!(["witness.example/w1"]));
    let served = app
        .get(&format!("/api/v1/ledger/checkpoint?size={}", cp.size))
        .await
        .body;
    assert_eq!(served, format!("{}{good}", cp.note));
    let opened = fengqiao_tlog::note::open(served.as_bytes(), &[signer.verifier()]).unwrap();
    assert_eq!(opened.verified.len(), 1, "the log's signature");
    let cosig = served.lines().last().unwrap();
    assert_eq!(witness.verify_line(&head, cosig), Some(1_700_000_000));
}

#[tokio::test]
async fn bad_requests_get_json_errors() {
    let app = spawn_app().await;
    for (path, status, code, param) in [
        (
            "/api/v1/incidents?category=criminal.piracy",
            400,
            "invalid_parameter",
            "category",
        ),
        ("/api/v1/incidents?from=2025-13-01", 400, "invalid_parameter", "from"),
        (
            "/api/v1/incidents?from=2025-02-01&to=2025-01-01",
            400,
            "invalid_parameter",
            "to",
        ),
        ("/api/v1/incidents?limit=0", 400, "invalid_parameter", "limit"),
        ("/api/v1/incidents?limit=5000", 400, "invalid_parameter", "limit"),
        ("/api/v1/incidents?bbox=1,2,3", 400, "invalid_parameter", "bbox"),
        ("/api/v1/incidents?origin=aliens", 400, "invalid_parameter", "origin"),
        ("/api/v1/incidents?after=garbage", 400, "invalid_parameter", "after"),
        (
            "/api/v1/incidents?categroy=criminal",
            400,
            "invalid_parameter",
            "categroy",
        ),
        ("/api/v1/incidents/aggregate?by=colour", 400, "invalid_parameter", "by"),
        (
            "/api/v1/incidents/aggregate?by=cell&cell=1",
            400,
            "invalid_parameter",
            "cell",
        ),
        ("/api/v1/jurisdictions?level=planet", 400, "invalid_parameter", "level"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, status, "{path}: {}", r.body);
        assert!(r.content_type.starts_with("application/json"), "{path}");
        let v = r.json();
        assert_eq!(v["code"], code, "{path}");
        assert_eq!(v["details"]["parameter"], param, "{path}");
        assert!(
            v["message"].as_str().unwrap().contains(param),
            "{path}: {}",
            v["message"]
        );
    }
    let r = app.get("/api/v1/nothing-here").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "not_found");
}

/// The page's own check of a record's proof (assets/ledger.js), run under
/// Node's WebCrypto against a proof this server serves: it accepts the real
/// proof with its signature checked, and rejects a tampered path, a forged
/// signature and another key. Node is installed by `.ci/run`.
#[tokio::test]
async fn the_pages_ledger_check_verifies_served_proofs() {
    let app = spawn_app().await;
    let () = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [9; 32]).unwrap();
        fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap();
    });
    let proof = app.get("/api/v1/ledger/proof?record=incident/7").await;
    assert_eq!(proof.status, 200);
    assert_eq!(proof.json()["record_matches_entry"], true);
    let file = app._dir.path().join("proof.json");
    std::fs::write(&file, &proof.body).unwrap();
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(manifest.join("tests/ledger_js.mjs"))
        .arg(manifest.join("assets/ledger.js"))
        .arg(&file)
        .output()
        .expect("node (Node.js) must be installed: .ci/run installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["good"]["ok"], true, "{v}");
    assert_eq!(v["good"]["signature"], "checked", "{v}");
    assert_eq!(v["good"]["index"], proof.json()["index"]);
    for case in ["tampered", "forged", "other_key"] {
        assert_eq!(v[case]["ok"], false, "{case}: {v}");
    }
    assert!(v["tampered"]["reason"].as_str().unwrap().contains("signed root"), "{v}");
}

/// Case boards, a case page (personal data masked for a viewer without an
/// account), the configured types and the KPI report; bad input is a 400.
#[tokio::test]
async fn cases_boards_pages_and_reports() {
    use fengqiao_store::cases::{NewCase, Party, act, open_case};
    let app = spawn_app().await;
    let (now, case) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let config = fengqiao_cases::CaseConfig::builtin();
        let now = chrono::Utc::now();
        let new = NewCase {
            case_type: "dispute".into(),
            category: "dispute.family".into(),
            title: "赡养纠纷".into(),
            description: String::new(),
            jurisdiction: None,
            address: Some("中山西路12号".into()),
            lon: None,
            lat: None,
            origin: "officer".into(),
            parties: vec![Party {
                role: "applicant".into(),
                name: "张三丰".into(),
                phone: Some("13812345678".into()),
                id_number: Some("330203199001011234".into()),
                address: None,
                vulnerable: true,
            }],
            stock: None,
            risk_grade: Some("high".into()),
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let case = open_case(store, &config, &new, "officer", "o1", now).unwrap();
        let cmd = fengqiao_cases::Command {
            action: "register".into(),
            role: "officer".into(),
            actor: "o1".into(),
            ..Default::default()
        };
        act(store, &config, case.id, None, &cmd, now).unwrap();
        (now, case)
    });
    let board = app.get("/api/v1/cases?type=dispute&open=true").await;
    assert_eq!(board.status, 200, "{}", board.body);
    let items = board.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["code"].as_str(), items[0]["stage"].as_str()),
        (Some(case.code.as_str()), Some("registered"))
    );
    let page = app.get(&format!("/api/v1/cases/{}", case.code)).await;
    assert_eq!(page.status, 200);
    let v = page.json();
    assert_eq!(v["case"]["parties"][0]["name"], "张**");
    assert_eq!(v["case"]["parties"][0]["id_number"], "330203********1234");
    assert!(
        !page.body.contains("张三丰") && !page.body.contains("13812345678"),
        "{}",
        page.body
    );
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    assert_eq!(v["ledger_record"], format!("case/{}", case.id));
    assert_eq!(app.get("/api/v1/cases/JF-nope").await.status, 404);
    assert_eq!(app.get("/api/v1/cases?type=parking").await.status, 400);
    assert_eq!(app.get("/api/v1/cases?open=yes").await.status, 400);
    assert_eq!(app.get("/api/v1/cases?colour=red").await.status, 400);
    let types = app.get("/api/v1/case-types").await.json();
    assert_eq!(types["types"].as_array().unwrap().len(), 3);
    let r = app.get("/api/v1/reports/cases?by=type").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["groups"][0]["kpis"]["opened"], 1);
    assert!(r["parameters"]["definitions"]["on_time_closure"].is_string());
    assert_eq!(app.get("/api/v1/reports/cases?by=colour").await.status, 400);
    // Volunteers: masked in the registry, hours and reach from their activities.
    off_runtime(|| {
        let store = app.db.open();
        let v = store
            .add_volunteer(&fengqiao_store::volunteers::NewVolunteer {
                name: "陈老师".into(),
                phone: Some("13912345678".into()),
                skills: vec!["mediation".into()],
                areas: vec!["330203001".into()],
                availability: "周末".into(),
                joined_at: now,
            })
            .unwrap();
        store
            .add_activity(&fengqiao_store::volunteers::NewActivity {
                kind: "safety_talk".into(),
                title: "防诈骗宣讲".into(),
                jurisdiction: None,
                starts_at: now - chrono::Duration::hours(3),
                ends_at: now - chrono::Duration::hours(1),
                reach: 120,
                case_code: None,
                attendance: vec![(v, 2.0)],
            })
            .unwrap();
    });
    let list = app.get("/api/v1/volunteers?skill=mediation").await;
    assert_eq!(list.status, 200);
    let item = &list.json()["items"][0];
    assert_eq!(
        (item["name"].as_str(), item["phone"].as_str(), item["hours"].as_f64()),
        (Some("陈**"), Some("139****5678"), Some(2.0))
    );
    let acts = app.get("/api/v1/volunteers/activities").await.json();
    assert_eq!(
        (acts["safety_talks"].as_u64(), acts["safety_talk_reach"].as_u64()),
        (Some(1), Some(120))
    );
    assert_eq!(app.get("/api/v1/volunteers?age=3").await.status, 400);
    assert_eq!(app.get("/api/v1/reports/cases?from=2026-02-30").await.status, 400);
}

/// The authorisation matrix, generated from the route table and the policy:
/// for every role and every route, anonymous is 401, and a signed-in role
/// is refused (403) exactly when the policy does not give it the route's
/// permission.
#[tokio::test]
async fn authorisation_matrix_follows_the_policy() {
    use fengqiao_server::auth::{Need, ROUTES};
    let app = spawn_app().await;
    let policy = fengqiao_auth::Policy::builtin();
    let config = fengqiao_cases::CaseConfig::builtin();
    let roles: Vec<String> = config.roles.iter().filter(|r| *r != "system").cloned().collect();
    let tokens: Vec<(String, String)> = roles
        .iter()
        .map(|r| {
            (
                r.clone(),
                user_token(
                    &app,
                    &format!("u-{r}"),
                    r,
                    (Some("330299".into()), Some("urban".into()), Some("x".into())),
                ),
            )
        })
        .collect();
    let mut checked = 0;
    for (method, pattern, need) in ROUTES {
        let path = pattern.replace("**", "checkpoint").replace('*', "1");
        let anon = app.call(method, &path, &[], "{}").await;
        if *need == Need::Public {
            assert_ne!(anon.status, 401, "{method} {path} is public");
            continue;
        }
        assert_eq!(anon.status, 401, "{method} {path} without an account: {}", anon.body);
        assert!(
            anon.head.to_lowercase().contains("www-authenticate: bearer"),
            "{method} {path}"
        );
        assert_eq!(anon.json()["code"], "unauthenticated");
        for (role, token) in &tokens {
            let r = app
                .call(method, &path, &[("Authorization", &format!("Bearer {token}"))], "{}")
                .await;
            let allowed = match need {
                Need::Permission(p) => policy.allows(role, *p),
                _ => true,
            };
            if allowed {
                assert!(
                    r.status != 401 && !(r.status == 403 && r.json()["code"] == "forbidden"),
                    "{role} {method} {path}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(
                    (r.status, r.json()["code"].as_str()),
                    (403, Some("forbidden")),
                    "{role} {method} {path}"
                );
            }
            checked += 1;
        }
    }
    println!("authorisation matrix: {checked} role × route checks");
    assert!(checked > 200);
    // A bad token is as good as none.
    let r = app
        .call("GET", "/api/v1/cases", &[("Authorization", "Bearer not-a-token")], "")
        .await;
    assert_eq!(r.status, 401);
}

/// Signing in sets an HttpOnly, SameSite=Strict cookie; changes need the
/// CSRF token; signing out ends the session; five wrong passwords lock the
/// account (429 with Retry-After).
#[tokio::test]
async fn sessions_cookies_csrf_and_lockout() {
    let app = spawn_app().await;
    let otp = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (_, otp) =
            fengqiao_store::users::add_user(store, "li.commander", "李", "commander", (None, None, None), "t").unwrap();
        otp
    });
    let login = |pw: &str| format!(r#"{{"username":"li.commander","password":"{pw}"}}"#);
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[("Content-Type", "application/json")],
            &login(&otp),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(
        (v["user"]["role"].as_str(), v["must_change_password"].as_bool()),
        (Some("commander"), Some(true))
    );
    let csrf = v["csrf_token"].as_str().unwrap().to_string();
    let set = r
        .head
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .unwrap()
        .to_string();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set
        .split_once(':')
        .unwrap()
        .1
        .trim()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let me = app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await;
    assert_eq!(me.json()["user"]["username"], "li.commander");
    assert!(
        me.json()["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "cases.write")
    );
    // A change without the CSRF token is refused.
    let body = r#"{"type":"hazard","category":"hazard.fire","title":"堆物"}"#;
    let r = app.call("POST", "/api/v1/cases", &[("Cookie", &cookie)], body).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (403, Some("csrf")));
    // A session of a one-time password opens nothing but the change of it.
    let with_csrf = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
    let r = app.call("POST", "/api/v1/cases", &with_csrf, body).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("password_change_required")),
        "{}",
        r.body
    );
    for path in ["/api/v1/incidents?limit=1", "/api/v1/cases", "/api/v1/datasets"] {
        let r = app.call("GET", path, &[("Cookie", &cookie)], "").await;
        assert_eq!(
            (r.status, r.json()["code"].as_str()),
            (403, Some("password_change_required")),
            "{path}"
        );
    }
    let new_password = "li-commander-own-2026";
    let change = format!(r#"{{"current":"{otp}","new":"{new_password}"}}"#);
    let r = app.call("POST", "/api/v1/me/password", &with_csrf, &change).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await.status,
        401,
        "sessions end with the change"
    );
    let r = app.call("POST", "/api/v1/session", &[], &login(new_password)).await;
    assert_eq!(
        (r.status, r.json()["must_change_password"].as_bool()),
        (200, Some(false))
    );
    let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
    let cookie = r
        .head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .call(
            "POST",
            "/api/v1/cases",
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .call(
            "DELETE",
            "/api/v1/session",
            &[("Cookie", &cookie), ("X-CSRF-Token", &csrf)],
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        app.call("GET", "/api/v1/me", &[("Cookie", &cookie)], "").await.status,
        401
    );
    // Bad bodies are 400 with the place named; unknown fields too.
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"x","password":"y","admin":true}"#,
        )
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (400, Some("invalid_body")));
    // Unknown, wrong, locked and disabled all get one answer (no enumeration),
    // and every attempt is a ledger entry.
    let logins_logged = || {
        off_runtime(|| {
            let store = app.db.open();
            fengqiao_store::Store::commitments(store.as_ref(), "login")
                .unwrap()
                .len()
        })
    };
    let before = logins_logged();
    let unknown = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"nobody","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!(unknown.status, 401);
    for _ in 0..5 {
        let r = app.call("POST", "/api/v1/session", &[], &login("wrong-password")).await;
        assert_eq!((r.status, &r.body), (401, &unknown.body), "wrong password");
    }
    let r = app.call("POST", "/api/v1/session", &[], &login(new_password)).await;
    assert_eq!(
        (r.status, &r.body),
        (401, &unknown.body),
        "locked, even with the right password"
    );
    assert!(
        !r.head.to_lowercase().contains("retry-after:"),
        "nothing tells a locked account apart"
    );
    off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (u, _) =
            fengqiao_store::users::add_user(store, "gone", "离职", "officer", (None, None, None), "t").unwrap();
        let ch = fengqiao_store::users::UserChange {
            disabled: Some(true),
            ..Default::default()
        };
        store.update_user(u.id, &ch, "t").unwrap();
    });
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"gone","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!((r.status, &r.body), (401, &unknown.body), "disabled");
    assert_eq!(
        logins_logged(),
        before + 8,
        "unknown, five wrong, locked, disabled: each logged"
    );
    // One address trying many accounts is throttled, whatever the user name.
    let mut last = 0;
    for i in 0..fengqiao_server::session::THROTTLE_LIMIT {
        let body = format!(r#"{{"username":"spray{i}","password":"whatever-pw"}}"#);
        last = app.call("POST", "/api/v1/session", &[], &body).await.status;
    }
    assert_eq!(last, 429, "the limit counts this address's earlier failures too");
    let r = app
        .call(
            "POST",
            "/api/v1/session",
            &[],
            r#"{"username":"someone","password":"whatever-pw"}"#,
        )
        .await;
    assert_eq!((r.status, r.json()["code"].as_str()), (429, Some("throttled")));
    assert_eq!(
        logins_logged(),
        before + 8 + fengqiao_server::session::THROTTLE_LIMIT + 1,
        "throttled attempts are logged too"
    );
}

/// Scope: an officer sees only cases of their jurisdiction, a department
/// only what is routed to it, a volunteer only what is assigned to them,
/// with parties masked; out of scope reads as not found, and acting on it
/// too; a role may only take the actions the case configuration gives it.
#[tokio::test]
async fn each_role_sees_and_acts_within_its_scope() {
    let app = spawn_app().await;
    let towns: Vec<String> = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let towns: Vec<String> = fengqiao_store::Store::jurisdictions(store)
            .unwrap()
            .into_iter()
            .filter(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
            .map(|j| j.jurisdiction.code)
            .collect();
        towns
    });
    let commander = user_token(&app, "boss", "commander", (None, None, None));
    let admin = |method: &'static str, path: String, body: String| {
        let (app, t) = (&app, commander.clone());
        async move {
            app.call(method, &path, &[("Authorization", &format!("Bearer {t}"))], &body)
                .await
        }
    };
    let open = |town: &str, t: &str, cat: &str| {
        format!(
            r#"{{"type":"{t}","category":"{cat}","title":"t","jurisdiction":"{town}","parties":[{{"role":"applicant","name":"张三丰","phone":"13812345678","id_number":null,"address":null,"vulnerable":false}}]}}"#
        )
    };
    let mine = admin(
        "POST",
        "/api/v1/cases".into(),
        open(&towns[0], "dispute", "dispute.family"),
    )
    .await
    .json()["case"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let theirs = admin(
        "POST",
        "/api/v1/cases".into(),
        open(&towns[1], "hazard", "hazard.other"),
    )
    .await
    .json()["case"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let officer = user_token(&app, "officer1", "officer", (Some(towns[0].clone()), None, None));
    let as_officer = |method: &'static str, path: String, body: &'static str| {
        let (app, t) = (&app, officer.clone());
        async move {
            app.call(method, &path, &[("Authorization", &format!("Bearer {t}"))], body)
                .await
        }
    };
    let board = as_officer("GET", "/api/v1/cases".into(), "").await.json();
    let codes: Vec<&str> = board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [mine.as_str()]);
    assert_eq!(
        as_officer("GET", format!("/api/v1/cases/{theirs}"), "").await.status,
        404
    );
    assert_eq!(
        as_officer("GET", format!("/api/v1/cases?jurisdiction={}", towns[1]), "")
            .await
            .status,
        403
    );
    let page = as_officer("GET", format!("/api/v1/cases/{mine}"), "").await.json();
    assert_eq!(page["case"]["parties"][0]["name"], "张三丰", "officers see parties");
    assert!(page["actions"].as_array().unwrap().iter().any(|a| a == "register"));
    let r = as_officer(
        "POST",
        format!("/api/v1/cases/{mine}/actions"),
        r#"{"action":"register","version":1}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = as_officer(
        "POST",
        format!("/api/v1/cases/{mine}/actions"),
        r#"{"action":"register","version":1}"#,
    )
    .await;
    assert_eq!(r.status, 409, "stale or wrong stage: {}", r.body);
    assert_eq!(
        as_officer(
            "POST",
            format!("/api/v1/cases/{theirs}/actions"),
            r#"{"action":"register"}"#
        )
        .await
        .status,
        404
    );
    // A volunteer: only cases assigned to them, parties masked, and only volunteer actions.
    let pool = fengqiao_cases::CaseConfig::builtin().mediators;
    let r = as_officer("POST", format!("/api/v1/cases/{mine}/actions"), "").await;
    assert_eq!(r.status, 400, "an empty body is not an action");
    let assign = format!(r#"{{"action":"assign","assignee":"{}"}}"#, pool[3].name);
    let r = app
        .call(
            "POST",
            &format!("/api/v1/cases/{mine}/actions"),
            &[("Authorization", &format!("Bearer {officer}"))],
            &assign,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let volunteer = user_token(&app, "vol1", "volunteer", (None, None, Some(pool[3].name.clone())));
    let other_volunteer = user_token(&app, "vol2", "volunteer", (None, None, Some(pool[0].name.clone())));
    let get_as = |t: &str, path: String| {
        let (app, t) = (&app, t.to_string());
        async move {
            app.call("GET", &path, &[("Authorization", &format!("Bearer {t}"))], "")
                .await
        }
    };
    let seen = get_as(&volunteer, "/api/v1/cases".into()).await.json();
    assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    let page = get_as(&volunteer, format!("/api/v1/cases/{mine}")).await.json();
    assert_eq!(page["case"]["parties"][0]["name"], "张**");
    assert_eq!(page["case"]["parties"][0]["phone"], "138****5678");
    assert!(
        get_as(&other_volunteer, "/api/v1/cases".into()).await.json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        get_as(&other_volunteer, format!("/api/v1/cases/{mine}")).await.status,
        404
    );
    let as_volunteer = |body: &'static str| {
        let (app, t, path) = (&app, volunteer.clone(), format!("/api/v1/cases/{mine}/actions"));
        async move {
            app.call("POST", &path, &[("Authorization", &format!("Bearer {t}"))], body)
                .await
        }
    };
    let r = as_volunteer(r#"{"action":"reassign","assignee":"x"}"#).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("forbidden")),
        "{}",
        r.body
    );
    let r = as_volunteer(r#"{"action":"session","reason":"上门调解一次"}"#).await;
    assert_eq!(r.status, 200, "volunteers hold sessions: {}", r.body);
    assert_eq!(
        get_as(&volunteer, "/api/v1/incidents".into()).await.status,
        403,
        "volunteers do not read incidents"
    );
    // An officer's incidents are their jurisdiction's.
    let all = app.get("/api/v1/incidents?limit=1").await.json()["total"]
        .as_u64()
        .unwrap();
    let theirs_only = get_as(&officer, "/api/v1/incidents?limit=1".into()).await.json()["total"]
        .as_u64()
        .unwrap();
    let town = app
        .get(&format!("/api/v1/incidents?limit=1&jurisdiction={}", towns[0]))
        .await
        .json()["total"]
        .as_u64()
        .unwrap();
    assert!(theirs_only < all && theirs_only == town, "{theirs_only} {town} {all}");
    assert_eq!(
        get_as(&officer, format!("/api/v1/incidents?jurisdiction={}", towns[1]))
            .await
            .status,
        403
    );
}

/// Open311 GeoReport v2: discovery, services and a definition, a posted
/// request that becomes a citizen's request case, lookups by id and token,
/// the filters of `GET requests`, both formats, and the spec's errors.
#[tokio::test]
async fn open311_georeport_v2() {
    let app = spawn_app().await;
    let key = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let (key, hash) = fengqiao_store::users::new_secret().unwrap();
        fengqiao_store::Store::add_open311_key(store, &hash, "test app").unwrap();
        key
    });
    let anon = |path: &str| {
        let (app, path) = (&app, path.to_string());
        async move { app.call("GET", &path, &[], "").await }
    };
    let d = anon("/open311/v2/discovery.json").await;
    assert_eq!(d.status, 200);
    assert_eq!(
        d.json()["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let x = anon("/open311/v2/discovery.xml").await;
    assert!(x.content_type.starts_with("text/xml"), "{}", x.content_type);
    assert!(
        x.body
            .starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><discovery>"#),
        "{}",
        x.body
    );
    let services = anon("/open311/v2/services.json").await.json();
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"request.noise") && codes.len() == 7, "{codes:?}");
    let def = anon("/open311/v2/services/request.noise.json").await.json();
    assert_eq!(def["attributes"][0]["code"], "when");
    assert_eq!(anon("/open311/v2/services/parking.json").await.status, 404);
    let form = |extra: &str| {
        format!(
            "api_key={key}&jurisdiction_id=fengqiao&service_code=request.noise&lat=29.86&long=121.55&description=%E5%A4%9C%E9%97%B4%E6%96%BD%E5%B7%A5&first_name=Wang&phone=13800001111&attribute%5Bwhen%5D=night{extra}"
        )
    };
    let post = |body: String, fmt: &'static str| {
        let app = &app;
        async move {
            app.call(
                "POST",
                &format!("/open311/v2/requests.{fmt}"),
                &[("Content-Type", "application/x-www-form-urlencoded")],
                &body,
            )
            .await
        }
    };
    let r = post(form(""), "json").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created[0]["service_request_id"].as_str().unwrap().to_string();
    let token = created[0]["token"].as_str().unwrap().to_string();
    assert!(id.starts_with("SQ-"), "{id}");
    let one = anon(&format!("/open311/v2/requests/{id}.json")).await.json();
    assert_eq!(
        (one[0]["status"].as_str(), one[0]["service_code"].as_str()),
        (Some("open"), Some("request.noise"))
    );
    assert!(one[0]["requested_datetime"].as_str().unwrap().ends_with("+08:00"));
    assert!(
        !one.to_string().contains("13800001111") && !one.to_string().contains("Wang"),
        "no personal data: {one}"
    );
    let xml = anon(&format!("/open311/v2/requests/{id}.xml")).await;
    assert!(
        xml.body.contains("<service_requests><request><service_request_id>"),
        "{}",
        xml.body
    );
    let t = anon(&format!("/open311/v2/tokens/{token}.json")).await.json();
    assert_eq!(t[0]["service_request_id"], id);
    // The request is a case in the engine, with the reporter as a (masked) party.
    let case = app.get(&format!("/api/v1/cases/{id}")).await.json();
    assert_eq!(
        (case["case"]["origin"].as_str(), case["case"]["stage"].as_str()),
        (Some("open311"), None)
    );
    assert_eq!(case["case"]["parties"][0]["phone"], "138****1111");
    let list = anon("/open311/v2/requests.json?status=open&service_code=request.noise")
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        anon("/open311/v2/requests.json?status=closed")
            .await
            .json()
            .as_array()
            .unwrap()
            .is_empty()
    );
    let since = anon("/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z")
        .await
        .json();
    assert!(since.as_array().unwrap().is_empty());
    // Errors in the spec's shape.
    let bad_key = post(form("").replace(&key, "nope"), "json").await;
    assert_eq!((bad_key.status, bad_key.json()[0]["code"].as_str()), (403, Some("403")));
    let r = post(format!("api_key={key}&lat=29.8&long=121.5"), "xml").await;
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .contains("<errors><error><code>400</code><description>service_code is required"),
        "{}",
        r.body
    );
    assert_eq!(
        post(format!("api_key={key}&service_code=request.noise"), "json")
            .await
            .status,
        400,
        "no location"
    );
    assert_eq!(
        post(
            format!("api_key={key}&service_code=request.noise&lat=99&long=121"),
            "json"
        )
        .await
        .status,
        400
    );
    assert_eq!(
        post(form("").replace("fengqiao", "elsewhere"), "json").await.status,
        400
    );
    assert_eq!(post(form("&attribute%5Bcolour%5D=red"), "json").await.status, 400);
    assert_eq!(anon("/open311/v2/requests.json?start_date=yesterday").await.status, 400);
    assert_eq!(anon("/open311/v2/requests.csv").await.status, 404);
    assert_eq!(anon("/open311/v2/requests/SQ-nope.json").await.status, 404);
}

/// Accounts over the API: an administrator creates a user (its one-time
/// password returned once), the user signs in with it, the administrator
/// changes its role and resets its password; volunteers are registered and
/// activities recorded by a role that may; a server without a job runner
/// says so.
#[tokio::test]
async fn users_and_volunteers_over_the_api() {
    let app = spawn_app().await;
    let r = app
        .post(
            "/api/v1/users",
            r#"{"username":"wang.analyst","role":"analyst","display_name":"王"}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let otp = r.json()["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(
        app.post("/api/v1/users", r#"{"username":"x","role":"emperor"}"#)
            .await
            .status,
        400
    );
    assert_eq!(
        app.post("/api/v1/users", r#"{"username":"wang.analyst","role":"analyst"}"#)
            .await
            .status,
        400,
        "taken"
    );
    let login = |pw: String| {
        let app = &app;
        async move {
            app.call(
                "POST",
                "/api/v1/session",
                &[],
                &format!(r#"{{"username":"wang.analyst","password":"{pw}"}}"#),
            )
            .await
        }
    };
    assert_eq!(login(otp.clone()).await.status, 200);
    let r = app
        .post(
            "/api/v1/users/wang.analyst",
            r#"{"role":"leader","reset_password":true}"#,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["user"]["role"], "leader");
    let fresh = r.json()["one_time_password"].as_str().unwrap().to_string();
    assert_eq!(login(otp).await.status, 401, "the old password is gone");
    assert_eq!(login(fresh).await.status, 200);
    assert_eq!(
        app.post("/api/v1/users/nobody", r#"{"disabled":true}"#).await.status,
        404
    );
    let users = app.get("/api/v1/users").await.json();
    assert!(
        users["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "wang.analyst")
    );
    assert!(
        !users.to_string().contains("argon2"),
        "no password hashes leave the store"
    );
    let r = app
        .post(
            "/api/v1/volunteers",
            r#"{"name":"陈老师","phone":"13912345678","skills":["mediation"]}"#,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let vid = r.json()["id"].as_i64().unwrap();
    let act = format!(
        r#"{{"kind":"safety_talk","title":"防诈骗宣讲","jurisdiction":null,"starts_at":"2026-03-02T09:00:00+08:00","ends_at":"2026-03-02T11:00:00+08:00","reach":60,"case_code":null,"attendance":[[{vid},2.0]]}}"#
    );
    assert_eq!(app.post("/api/v1/volunteers/activities", &act).await.status, 201);
    assert_eq!(
        app.post("/api/v1/volunteers/activities", &act.replace("safety_talk", "party"))
            .await
            .status,
        400
    );
    // Every server runs forecasts now (the application crate makes them).
    assert_eq!(app.post("/api/v1/forecasts", "{}").await.status, 201);
}

/// The public channel without an account: submit (validated, at most ten an
/// hour from one address), follow with the token, no rating before closure.
#[tokio::test]
async fn public_requests_without_an_account() {
    let app = spawn_app().await;
    let services = app.call("GET", "/api/v1/public/services", &[], "").await;
    assert_eq!(services.status, 200);
    assert_eq!(services.json()["items"].as_array().unwrap().len(), 7);
    let submit = |body: &'static str| {
        let app = &app;
        async move { app.call("POST", "/api/v1/public/requests", &[], body).await }
    };
    let ok = r#"{"category":"request.road","description":"路面塌陷","address":"中山西路12号","phone":"13800001111"}"#;
    let r = submit(ok).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_string();
    let seen = app
        .call("GET", &format!("/api/v1/public/requests/{token}"), &[], "")
        .await
        .json();
    assert_eq!(
        (seen["status"].as_str(), seen["can_rate"].as_bool()),
        (Some("open"), Some(false))
    );
    assert!(!seen.to_string().contains("13800001111"));
    let r = app
        .call(
            "POST",
            &format!("/api/v1/public/requests/{token}/rating"),
            &[],
            r#"{"rating":5}"#,
        )
        .await;
    assert_eq!(r.status, 409, "not before it is closed: {}", r.body);
    assert_eq!(r.json()["code"], "wrong_stage");
    assert_eq!(
        submit(r#"{"category":"request.road","description":"x"}"#).await.status,
        400,
        "no location"
    );
    assert_eq!(
        submit(r#"{"category":"parking","description":"x","address":"a"}"#)
            .await
            .status,
        422,
        "an unknown category, refused by the case engine"
    );
    assert_eq!(
        submit(r#"{"category":"request.road","description":"","address":"a"}"#)
            .await
            .status,
        400
    );
    assert_eq!(
        app.call("GET", "/api/v1/public/requests/AAAA-BBBB-CCCC-DDDD", &[], "")
            .await
            .status,
        404
    );
    let mut last = 0;
    for _ in 0..fengqiao_server::public::SUBMISSIONS_PER_HOUR {
        last = submit(ok).await.status;
    }
    assert_eq!(last, 429, "ten an hour from one address");
}

/// A citizen pins the place on the map instead of an address (the request
/// is routed by the area the pin falls in) and adds photos: real images only,
/// of the type they say they are, three at most, served back to staff byte
/// for byte and refused once the file on disk no longer matches its hash.
#[tokio::test]
async fn public_pins_and_photos() {
    let app = spawn_app().await;
    let map = app.call("GET", "/api/v1/public/map", &[], "").await.json();
    let town = &map["features"][0];
    let polygon = match town["geometry"]["type"].as_str() {
        Some("MultiPolygon") => &town["geometry"]["coordinates"][0],
        _ => &town["geometry"]["coordinates"],
    };
    let ring = polygon[0].as_array().unwrap();
    let n = ring.len() as f64 - 1.0;
    let (lon, lat) = ring[..ring.len() - 1].iter().fold((0.0, 0.0), |(x, y), p| {
        (x + p[0].as_f64().unwrap() / n, y + p[1].as_f64().unwrap() / n)
    });
    let body = format!(r#"{{"category":"request.road","description":"井盖缺失","lon":{lon},"lat":{lat}}}"#);
    let r = app.call("POST", "/api/v1/public/requests", &[], &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (code, token) = (
        r.json()["code"].as_str().unwrap().to_string(),
        r.json()["token"].as_str().unwrap().to_string(),
    );
    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    let town_code = town["id"].as_str().unwrap();
    assert!(
        case["case"]["jurisdiction"].as_str().unwrap().starts_with(town_code),
        "routed by the pin: {} in {town_code}",
        case["case"]["jurisdiction"]
    );

    let photos = format!("/api/v1/public/requests/{token}/photos");
    let png = |i: u8| [b"\x89PNG\r\n\x1a\n".as_slice(), &[0, 0, 0, 13, i, i, i]].concat();
    let r = app.call_bytes("POST", &photos, "image/png", &png(1)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let first = r.json();
    assert_eq!(first["size"], 15);
    let r = app.call_bytes("POST", &photos, "image/jpeg", &png(2)).await;
    assert_eq!(r.status, 415, "declared type must match the bytes: {}", r.body);
    let r = app
        .call_bytes("POST", &photos, "image/png", b"<svg onload=alert(1)>")
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let r = app
        .call_bytes(
            "POST",
            "/api/v1/public/requests/AAAA-BBBB-CCCC-DDDD/photos",
            "image/png",
            &png(1),
        )
        .await;
    assert_eq!(r.status, 404);
    for i in 2..=3 {
        assert_eq!(app.call_bytes("POST", &photos, "image/png", &png(i)).await.status, 201);
    }
    let r = app.call_bytes("POST", &photos, "image/png", &png(4)).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (422, Some("too_many_photos")));

    let case = app.get(&format!("/api/v1/cases/{code}")).await.json();
    let attachments = case["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 3);
    assert_eq!(attachments[0]["sha256"], first["sha256"]);
    assert_eq!(attachments[0]["added_by"], "citizen:web");
    let url = attachments[0]["url"].as_str().unwrap();
    assert_eq!(app.get_bytes(url).await, png(1));
    let head = app.get(url).await.head.to_ascii_lowercase();
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{code}/attachments/999")).await.status,
        404
    );
    // The citizen's view never lists files; staff outside the area do not see them.
    assert_eq!(app.call("GET", url, &[], "").await.status, 401);

    let sha = first["sha256"].as_str().unwrap();
    let stored = app
        ._dir
        .path()
        .join("files")
        .join("attachments")
        .join(&sha[..2])
        .join(sha);
    std::fs::write(&stored, b"swapped").unwrap();
    let r = app.get(url).await;
    assert_eq!((r.status, r.json()["code"].as_str()), (409, Some("file_changed")));
}

/// One incident: lifecycle times and the minutes between them, its area,
/// its ledger record; an officer sees only those of its own jurisdiction.
#[tokio::test]
async fn one_incident_with_its_lifecycle() {
    let app = spawn_app().await;
    let page = app.get("/api/v1/incidents?limit=200").await.json();
    let item = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["arrived_at"].is_string() && i["jurisdiction_id"].is_number())
        .expect("an incident with an arrival time")
        .clone();
    let id = item["id"].as_i64().unwrap();
    let one = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    let v = one.json();
    assert_eq!(v["incident"], item);
    assert_eq!(v["ledger_record"], format!("incident/{id}"));
    let (received, arrived) = (
        chrono::DateTime::parse_from_rfc3339(item["received_at"].as_str().unwrap()).unwrap(),
        chrono::DateTime::parse_from_rfc3339(item["arrived_at"].as_str().unwrap()).unwrap(),
    );
    let minutes = (arrived - received).num_seconds() as f64 / 60.0;
    assert!((v["durations_min"]["to_arrival"].as_f64().unwrap() - minutes).abs() < 1e-9);
    assert_eq!(v["jurisdiction"]["id"], item["jurisdiction_id"]);
    assert_eq!(v["cases"], serde_json::json!([]));
    // A dispute at the same address opened before the incident: a 民转刑 link on the incident.
    let case = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let before = chrono::DateTime::parse_from_rfc3339(item["occurred_at"].as_str().unwrap())
            .unwrap()
            .to_utc()
            - chrono::Duration::days(2);
        let dispute = fengqiao_store::cases::NewCase {
            case_type: "dispute".into(),
            category: "dispute.neighbour".into(),
            title: "邻里纠纷".into(),
            description: String::new(),
            jurisdiction: None,
            address: item["address"].as_str().map(String::from),
            lon: None,
            lat: None,
            origin: "officer".into(),
            parties: Vec::new(),
            stock: None,
            risk_grade: None,
            risk: None,
            token_hash: None,
            in_person_visits: 0,
            incident_id: None,
        };
        let config = fengqiao_cases::CaseConfig::builtin();
        let case = fengqiao_store::cases::open_case(store, &config, &dispute, "officer", "o1", before).unwrap();
        // Whatever the incident's category, for this test.
        let rule = fengqiao_app::escalation::Rule {
            categories: vec![item["category"].as_str().unwrap().to_string()],
            ..Default::default()
        };
        assert!(
            fengqiao_app::escalation::link_dispute(store, &rule, &case, "test")
                .unwrap()
                .contains(&(case.id, id))
        );
        case
    });
    let v = app.get(&format!("/api/v1/incidents/{id}")).await.json();
    assert_eq!(v["cases"][0]["code"], case.code.as_str());
    assert!(
        v["cases"][0]["reason"].as_str().unwrap().contains("same address"),
        "{v}"
    );
    assert_eq!(app.get("/api/v1/incidents/abc").await.status, 400);
    assert_eq!(app.get("/api/v1/incidents/999999999").await.status, 404);

    let area = v["jurisdiction"]["code"].as_str().unwrap().to_string();
    let inside = user_token(&app, "o-in", "officer", (Some(area[..9].to_string()), None, None));
    let outside = user_token(&app, "o-out", "officer", (Some("339999".into()), None, None));
    let as_officer = |token: String| {
        let app = &app;
        async move {
            app.call(
                "GET",
                &format!("/api/v1/incidents/{id}"),
                &[("Authorization", &format!("Bearer {token}"))],
                "",
            )
            .await
            .status
        }
    };
    assert_eq!(as_officer(inside.clone()).await, 200);
    let seen = app
        .call(
            "GET",
            &format!("/api/v1/incidents/{id}"),
            &[("Authorization", &format!("Bearer {inside}"))],
            "",
        )
        .await
        .json();
    assert_eq!(
        seen["cases"],
        serde_json::json!([]),
        "a linked case outside the officer's scope is not listed"
    );
    assert_eq!(
        as_officer(outside).await,
        404,
        "another jurisdiction's incident is not there"
    );
}
