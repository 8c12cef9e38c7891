//! Backtests, forecasts, the feedback simulation, plans and replays.

use crate::helpers::*;
use serde_json::Value;

#[test]
fn backtest_scores_every_model_on_the_demo_city() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "120"])
            .status
            .success()
    );
    let svg = dir.path().join("plot.svg");
    // The last 30 whole days of the demo's 120, which run up to now.
    let (from, to) = (city_day(-30), city_day(-1));
    let o = run(
        dir.path(),
        &[
            "backtest",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            &from,
            "--to",
            &to,
            "--cell",
            "250",
            "--bootstrap",
            "100",
            "--json",
            "--plot",
            svg.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["windows"].as_u64(), Some(30));
    assert!(v["valid_cells"].as_u64().unwrap() > 100);
    let names: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    // A plot brings the ceiling along, to show how much room there was.
    assert_eq!(names, ["naive", "retro", "prospective", "etas", "fq", "peek"]);
    for m in v["models"].as_array().unwrap() {
        for c in ["0.01", "0.02", "0.05", "0.1", "0.2"] {
            let h = m["hit_rate"][c].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&h));
            assert!((m["pai"][c].as_f64().unwrap() - h / c.parse::<f64>().unwrap()).abs() < 1e-9);
            assert!(m["pei"][c].as_f64().unwrap() <= 1.0);
            let ci = m["ci"][c].as_array().unwrap();
            assert!(ci[0].as_f64().unwrap() <= h + 1e-9 && h <= ci[1].as_f64().unwrap() + 1e-9);
        }
        assert!(m["seconds"].as_f64().is_some());
    }
    // Hot spots in the demo city are stable: every model beats chance by far.
    assert!(v["models"][0]["pai"]["0.05"].as_f64().unwrap() > 3.0);
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.contains("fq"));
    assert!(
        plot.contains("ceiling (peek)") && plot.contains("stroke-dasharray"),
        "the ceiling, dashed"
    );
    // From the database, with the jurisdiction polygons as the study area.
    let o = run(
        dir.path(),
        &[
            "backtest",
            "--dataset",
            "demo",
            "--from",
            &from,
            "--to",
            &city_day(-17),
            "--models",
            "naive,fq,peek",
            "--cell",
            "250",
            "--study-area",
            "jurisdictions",
            "--bootstrap",
            "50",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let j: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["study_area"].as_str().unwrap().contains("jurisdiction"));
    assert!(
        j["valid_cells"].as_u64().unwrap() > v["valid_cells"].as_u64().unwrap(),
        "the polygons cover more cells than the history"
    );
    let d = &j["models"][1]["paired"][0];
    assert_eq!(d["against"], "naive");
    let (lo, hi) = (
        d["difference_ci"]["0.05"][0].as_f64().unwrap(),
        d["difference_ci"]["0.05"][1].as_f64().unwrap(),
    );
    assert!(lo <= d["difference"]["0.05"].as_f64().unwrap() && d["difference"]["0.05"].as_f64().unwrap() <= hi);
    // The ceiling is reported but never taken as the best baseline.
    assert_eq!(j["models"][2]["name"], "peek");
    for m in j["models"].as_array().unwrap() {
        assert!(m["paired"].as_array().unwrap().iter().all(|p| p["against"] != "peek"));
    }
    // Unknown model names are refused with the list of known ones.
    let e = one_line_error(&run(
        dir.path(),
        &[
            "backtest",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            &from,
            "--to",
            &city_day(-29),
            "--models",
            "crystalball",
        ],
    ));
    assert!(e.contains("crystalball") && e.contains("prospective"), "{e}");
}

#[test]
fn forecast_writes_a_stored_run_and_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "90"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("forecast for the next shift"));
    let o = run(
        dir.path(),
        &["forecast", "--window", "day", "--json", "--geojson", "fc.geojson"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &v["forecast"];
    assert_eq!(
        (f["dataset"].as_str(), f["window_kind"].as_str(), f["model"].as_str()),
        (Some("demo"), Some("day"), Some("fq"))
    );
    // The next day from now: tomorrow from midnight, Beijing time (16:00 UTC today).
    assert_eq!(
        f["window_start"].as_str(),
        Some(format!("{}T16:00:00Z", city_day(0)).as_str())
    );
    assert!(f["data_cutoff"].as_str().unwrap() < f["window_start"].as_str().unwrap());
    let total = v["expected_total"].as_f64().unwrap();
    assert!(
        (80.0..400.0).contains(&total),
        "a day of the demo city expects about 180 incidents, got {total}"
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("fc.geojson")).unwrap()).unwrap();
    assert_eq!(g["features"][0]["properties"]["rank"], 1);
    let e = one_line_error(&run(dir.path(), &["forecast", "--model", "oracle"]));
    assert!(e.contains("oracle"), "{e}");
}

#[test]
fn feedback_simulation_reports_the_three_controls() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "60"])
            .status
            .success()
    );
    let o = run(
        dir.path(),
        &[
            "simulate",
            "feedback",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--days",
            "60",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let weights: Vec<f64> = runs
        .iter()
        .map(|r| r["config"]["officer_weight"].as_f64().unwrap())
        .collect();
    assert_eq!(weights, [1.0, 0.5, 0.0]);
    for r in runs {
        assert_eq!(r["days"].as_array().unwrap().len(), 60);
        let e = r["final_efficiency"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&e));
    }
    // Patrols still discover incidents under the control; it only keeps them out of the record.
    assert!(
        runs[2]["days"][59]["officer_share"].as_f64().unwrap() > 0.0,
        "discoveries happen"
    );
    let e = one_line_error(&run(
        dir.path(),
        &[
            "simulate",
            "feedback",
            "--input",
            "x.csv",
            "--profile",
            "chicago",
            "--report-rate",
            "2",
        ],
    ));
    assert!(e.contains("--report-rate"), "{e}");
}

#[test]
fn plan_covers_the_demo_forecast_and_names_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "90"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("deployment plan"));
    let o = run(dir.path(), &["plan", "--json", "--geojson", "plan.geojson"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = |k: &str| v["coverage"][k].as_f64().unwrap();
    assert!(0.0 < c("1") && c("1") <= c("3") && c("3") <= c("5") && c("5") <= 1.0);
    assert!(v["objective"].as_f64().unwrap() > 0.0 && v["seconds"].as_f64().is_some());
    assert!(v.get("gap").is_some());
    let units = v["units"].as_array().unwrap();
    let stations: u64 = v["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["units"].as_u64().unwrap())
        .sum();
    assert_eq!(units.len() as u64, stations);
    assert!(units.len() >= 8, "every demo station sends its units");
    for u in units {
        let visits = u["visits"].as_array().unwrap();
        assert!(!visits.is_empty(), "{u}");
        let times: Vec<&str> = visits.iter().map(|v| v["start"].as_str().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "visits in order");
        assert!(times[0].ends_with("+08:00"), "local times: {}", times[0]);
    }
    let g: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("plan.geojson")).unwrap()).unwrap();
    let kinds: std::collections::HashSet<&str> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    for k in ["unit", "round", "response_ring", "post"] {
        assert!(kinds.contains(k), "{k} in {kinds:?}");
    }
    // A units file: two cars at one station, one foot patrol at another, and a presence rule.
    std::fs::write(
        dir.path().join("units.toml"),
        "[[station]]\ncode = \"PS01\"\nunits = { car = 2 }\n[[station]]\ncode = \"PS02\"\nunits = { foot = 1 }\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plan", "--units", "units.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let types: Vec<&str> = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.iter().filter(|t| **t == "car").count(), 2);
    assert_eq!(types.iter().filter(|t| **t == "foot").count(), 1);
    // Travel by road: a sparse grid of streets reaches less than straight lines do.
    let mut roads = Vec::new();
    for i in 0..=12 {
        let f = 121.40 + 0.26 * f64::from(i) / 12.0;
        let g = 29.76 + 0.22 * f64::from(i) / 12.0;
        roads.push(serde_json::json!({"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[121.40, g], [121.66, g]]}}));
        roads.push(serde_json::json!({"type": "Feature", "properties": {},
            "geometry": {"type": "LineString", "coordinates": [[f, 29.76], [f, 29.98]]}}));
    }
    std::fs::write(
        dir.path().join("roads.geojson"),
        serde_json::json!({"type": "FeatureCollection", "features": roads}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("by-road.toml"),
        "[roads]\ngeojson = \"roads.geojson\"\n",
    )
    .unwrap();
    let o = run(dir.path(), &["plan", "--units", "by-road.toml", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let by_road: Value = serde_json::from_slice(&o.stdout).unwrap();
    let o = run(dir.path(), &["plan", "--json"]);
    let straight: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        by_road["coverage"]["1"].as_f64().unwrap() < straight["coverage"]["1"].as_f64().unwrap(),
        "road {} straight {}",
        by_road["coverage"],
        straight["coverage"]
    );
    // Bad input is named.
    let plan_error = |units: &str| {
        std::fs::write(dir.path().join("bad.toml"), units).unwrap();
        one_line_error(&run(dir.path(), &["plan", "--units", "bad.toml"]))
    };
    let e = plan_error("[[station]]\ncode = \"PS99\"\nunits = { car = 1 }\n");
    assert!(e.contains("unknown station \"PS99\""), "{e}");
    let e = plan_error("[[station]]\ncode = \"PS01\"\nunits = { car = 0 }\n");
    assert!(e.contains("no units"), "{e}");
    let e = plan_error(
        "[[station]]\ncode = \"PS01\"\nunits = { car = 1 }\n[[presence]]\njurisdiction = \"330299001\"\nunits = 3\n",
    );
    assert!(e.contains("330299001"), "{e}");
    let e = one_line_error(&run(dir.path(), &["plan", "--forecast", "999"]));
    assert!(e.contains("no forecast with id 999"), "{e}");
    // A past shift: forecast it from what came before, plan it, replay its real incidents.
    let o = run(
        dir.path(),
        &["forecast", "--date", &city_day(-30), "--shift", "1", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let f: Value = serde_json::from_slice(&o.stdout).unwrap();
    let cutoff = f["forecast"]["data_cutoff"].as_str().unwrap();
    assert!(
        cutoff < f["forecast"]["window_start"].as_str().unwrap(),
        "cut-off {cutoff} before the window"
    );
    let id = f["forecast"]["id"].to_string();
    // That past window is now the latest forecast: `plan` alone will not plan it for today.
    let e = one_line_error(&run(dir.path(), &["plan"]));
    assert!(
        e.contains("has ended") && e.contains(&format!("--forecast {id}")) && e.contains("+08:00"),
        "{e}"
    );
    let o = run(dir.path(), &["plan", "--forecast", &id, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan_id = serde_json::from_slice::<Value>(&o.stdout).unwrap()["id"].to_string();
    let o = run(dir.path(), &["replay", "--plan", &plan_id, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["plan"]["incidents"].as_u64().unwrap() > 20);
    assert!(
        r["plan"]["handling_rate"].as_f64().unwrap() > r["baselines"]["posts_only"]["handling_rate"].as_f64().unwrap(),
        "{r}"
    );
    let e = one_line_error(&run(dir.path(), &["replay", "--plan", "777"]));
    assert!(e.contains("no plan with id 777"), "{e}");
}

#[test]
fn plan_solves_covering_files_and_proves_small_ones() {
    let dir = tempfile::tempdir().unwrap();
    // Four demands, three sites, two to open: sites 0 and 2 cover everything (weight 10).
    std::fs::write(dir.path().join("tiny.txt"), "4 3 2\n4 1 0\n3 2 0 1\n2 1 2\n1 2 1 2\n").unwrap();
    let o = run(dir.path(), &["plan", "--mclp", "tiny.txt", "--exact", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["objective"], 10.0);
    assert_eq!(v["exact"]["objective"], 10.0);
    assert_eq!(v["exact"]["proven"], true);
    assert_eq!(v["gap"], 0.0);
    assert_eq!(v["gap_is_exact"], true);
    std::fs::write(dir.path().join("bad.txt"), "2 3 1\n4 1 0\n3 2 0 5\n").unwrap();
    let e = one_line_error(&run(dir.path(), &["plan", "--mclp", "bad.txt"]));
    assert!(
        e.contains("bad.txt") && e.contains("line 3") && e.contains("site 5"),
        "{e}"
    );
}

#[test]
fn replay_scores_plans_against_baselines() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "100"])
            .status
            .success()
    );
    let o = run(
        dir.path(),
        &[
            "replay",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            &city_day(-5),
            "--to",
            &city_day(-4),
            "--stations",
            "4",
            "--bootstrap",
            "50",
            "--rosters",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["shifts"], 6);
    assert_eq!(v["units"], 8);
    let names: Vec<&str> = v["baselines"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(names, ["even", "last_month", "posts_only", "yesterday"]);
    for k in std::iter::once(&v["plan"]).chain(v["baselines"].as_object().unwrap().values()) {
        let (vis, hand) = (
            k["visibility_rate"].as_f64().unwrap(),
            k["handling_rate"].as_f64().unwrap(),
        );
        assert!((0.0..=1.0).contains(&vis) && (0.0..=1.0).contains(&hand));
        assert_eq!(
            k["rings"]["5"].as_f64().unwrap(),
            hand,
            "handling = within the 5-minute target"
        );
        assert!(k["incidents"].as_u64().unwrap() > 100);
    }
    let u = &v["uplift"]["posts_only"]["handling_rate"];
    let (lo, d, hi) = (
        u["ci"][0].as_f64().unwrap(),
        u["difference"].as_f64().unwrap(),
        u["ci"][1].as_f64().unwrap(),
    );
    assert!(lo <= d && d <= hi);

    // The same crew-shifts rostered fixed and by the calls, replayed with busy crews.
    let r = &v["rosters"];
    assert_eq!(r["person_hours"]["fixed"], r["person_hours"]["staffing"]);
    assert_eq!(r["person_hours"]["fixed"], 768.0, "6 shifts x 8 crews x 8 h x 2 people");
    assert_eq!(r["service_basis"], "measured", "the demo's export has handling times");
    assert!(r["history_incidents"].as_u64().unwrap() > 1000);
    for name in ["fixed", "staffing"] {
        assert_eq!(r[name]["incidents"], v["plan"]["incidents"]);
        assert_eq!(r[name]["rings"]["5"], r[name]["handling_rate"]);
        let q = r[name]["queued_rate"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&q));
    }
    for d in r["difference"].as_object().unwrap().values() {
        let (lo, d, hi) = (
            d["ci"][0].as_f64().unwrap(),
            d["difference"].as_f64().unwrap(),
            d["ci"][1].as_f64().unwrap(),
        );
        assert!(lo <= d && d <= hi);
    }
    let by_shift = r["crews_by_shift"].as_array().unwrap();
    assert_eq!(by_shift.len(), 3);
    let mean: f64 = by_shift
        .iter()
        .map(|s| s["staffing_mean"].as_f64().unwrap())
        .sum::<f64>()
        / 3.0;
    assert!(
        (mean - 2.0).abs() < 1e-9,
        "each station keeps its 2 crews a shift on average: {mean}"
    );
    assert!(by_shift.iter().all(|s| s["staffing_min"].as_u64().unwrap() >= 1));
    let people = &r["people"];
    assert_eq!(people["days"], 2);
    assert_eq!(people["stations"], 4);
    assert_eq!(people["strength"]["fixed"], people["strength"]["staffing"]);
    assert!(people["fixed"]["fairness"][0]["people"].as_u64().unwrap() > 0);

    // Printed for people: both rosters and their difference.
    let o = run(
        dir.path(),
        &[
            "replay",
            "--input",
            "fengqiao-data/demo/incidents-110.csv",
            "--map",
            "fengqiao-data/demo/mapping.toml",
            "--from",
            &city_day(-5),
            "--to",
            &city_day(-5),
            "--stations",
            "3",
            "--bootstrap",
            "20",
            "--rosters",
            "--across-stations",
            "--service",
            "30",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    for expected in [
        "crews busy 30.0 min a call (given)",
        "staffing minus fixed",
        "crews short",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let o = run(dir.path(), &["replay", "--plan", "1", "--rosters"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--rosters"), "{}", stderr(&o));
}

#[test]
fn staffing_gives_each_station_the_fewest_crews_meeting_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["demo", "--no-serve", "--days", "30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &["staffing", "--target-minutes", "5", "--level", "0.9", "--json"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // The demo records dispatch and the end of handling: service is measured.
    assert_eq!(v["service_basis"], "measured");
    assert!(v["measured_calls"].as_u64().unwrap() >= 30);
    let service = v["service_minutes"].as_f64().unwrap();
    assert!((5.0..240.0).contains(&service), "{service}");
    let stations = v["stations"].as_array().unwrap();
    assert_eq!(stations.len(), 8, "the demo's eight stations");
    let mut expected = 0.0;
    for s in stations {
        let (load, crews) = (s["load"].as_f64().unwrap(), s["crews"].as_u64().unwrap() as f64);
        assert!(crews > load, "{s}");
        assert!(s["service_level"].as_f64().unwrap() >= 0.9, "{s}");
        expected += s["expected_incidents"].as_f64().unwrap();
    }
    assert!(
        expected > 1.0,
        "the shift's forecast incidents are shared among the stations"
    );
    // A stricter target never needs fewer crews.
    let o = run(
        dir.path(),
        &["staffing", "--target-minutes", "1", "--level", "0.99", "--json"],
    );
    let strict: Value = serde_json::from_slice(&o.stdout).unwrap();
    for (a, b) in stations.iter().zip(strict["stations"].as_array().unwrap()) {
        assert!(b["crews"].as_u64() >= a["crews"].as_u64());
    }
    let o = run(dir.path(), &["staffing", "--level", "1.5"]);
    assert_eq!(o.status.code(), Some(6));
    assert!(one_line_error(&o).contains("level 1.5"), "{}", stderr(&o));
}

/// Forecasts are for now unless asked otherwise, and nonsense is refused:
/// a window years past the data names the data's last incident; a shift
/// without its date and the aggregates' grid on a forecast are usage errors.
#[test]
fn forecast_windows_follow_the_clock_and_nonsense_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "20"])
            .status
            .success()
    );
    let e = one_line_error(&run(dir.path(), &["forecast", "--date", "2099-01-01"]));
    assert!(
        e.contains("the incidents of demo stop at")
            && e.contains("--after-data")
            && e.contains("2099-01-01 00:00 +08:00"),
        "{e}"
    );
    let o = run(dir.path(), &["forecast", "--shift", "2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--date"));
    let o = run(dir.path(), &["forecast", "--cell-m", "100"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("this command's grid is --cell"), "{}", stderr(&o));
    // After the data, however long ago, when asked for.
    let o = run(dir.path(), &["forecast", "--after-data", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["forecast"]["data_cutoff"].as_str().unwrap() < v["forecast"]["window_start"].as_str().unwrap());
}

/// Beside every forecast and plan: how its hot cells and patrol time fall
/// by town against citizens' calls, in a table, JSON and CSV, zh and en.
#[test]
fn equity_is_reported_beside_the_forecast_and_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "30"])
            .status
            .success()
    );
    let o = run(dir.path(), &["--lang", "en", "forecast"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("equity by town:") && text.contains("officer-initiated incidents:"),
        "{text}"
    );
    assert!(text.contains("feedback loop with these settings:"), "{text}");
    let o = run(dir.path(), &["--lang", "en", "plan"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("equity by town:"));

    // In the JSON of a forecast and of a plan too.
    let o = run(dir.path(), &["forecast", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["equity"]["forecast_id"], v["forecast"]["id"]);
    let o = run(dir.path(), &["plan", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["equity"]["plan_id"], v["id"]);
    let o = run(dir.path(), &["equity", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["plan_id"].is_i64(), "the plan just made from the latest forecast");
    let areas = v["areas"].as_array().unwrap();
    let total = |k: &str| areas.iter().map(|a| a[k].as_f64().unwrap()).sum::<f64>();
    let outside_hot = v["outside"]["hot_cells"].as_f64().unwrap() / v["hot_cells"].as_f64().unwrap();
    assert!((total("hot_share") + outside_hot - 1.0).abs() < 1e-9);
    assert!(v["lock_in"]["current"]["same_as_day_0"].as_f64().is_some());

    let o = run(dir.path(), &["equity", "--csv", "--level", "grid"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = String::from_utf8_lossy(&o.stdout);
    assert!(
        csv.starts_with("code,name_zh,name_en,hot_cells,hot_share,patrol_minutes,patrol_share,"),
        "{csv}"
    );
    assert!(csv.lines().count() > areas.len() + 1, "more grids than towns");

    let o = run(dir.path(), &["--lang", "zh-CN", "equity"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let zh = String::from_utf8_lossy(&o.stdout);
    assert!(
        zh.contains("的公平性，按镇街") && zh.contains("群众报警占比") && zh.contains("提示规则"),
        "{zh}"
    );
    assert!(zh.contains(areas[0]["name_zh"].as_str().unwrap()));

    let bad = run(dir.path(), &["equity", "--level", "city"]);
    assert_eq!(bad.status.code(), Some(6), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("district, town, village or grid"));
    let missing = run(dir.path(), &["equity", "--plan", "99999"]);
    assert_eq!(missing.status.code(), Some(3), "{}", stderr(&missing));
}
