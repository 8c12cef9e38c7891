//! `fengqiao near-repeat`: the Knox test on a file, in tables, words, JSON
//! and CSV; bad settings refused with the setting named.

use crate::helpers::{one_line_error, run, testdata};

#[test]
fn near_repeat_tables_words_json_and_csv_and_bad_settings_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = testdata("chicago_residential_burglary_2016.csv");
    let file = file.to_str().unwrap();
    let base = ["near-repeat", "--input", file, "--profile", "chicago-burglary"];
    let args = |more: &[&'static str]| -> Vec<&str> { base.iter().copied().chain(more.iter().copied()).collect() };
    let quick = |more: &[&'static str]| -> Vec<&str> { args(&[&["--iterations", "19"], more].concat()) };

    let o = run(dir.path(), &quick(&["--json"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let events = v["result"]["events"].as_u64().unwrap();
    assert_eq!(events, 40);
    let observed: u64 = v["result"]["observed"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|n| n.as_u64().unwrap()))
        .sum();
    assert_eq!(observed, events * (events - 1) / 2, "every pair once");
    assert_eq!(v["result"]["space"].as_array().unwrap().len(), 5);
    assert_eq!(v["result"]["time"].as_array().unwrap().len(), 4);
    assert!(v["findings"]["near"].is_array());
    // The same seed, the same tables.
    let again: serde_json::Value = serde_json::from_slice(&run(dir.path(), &quick(&["--json"])).stdout).unwrap();
    assert_eq!(again["result"], v["result"]);

    // Cocoon zones backtested on the same incidents, with their workload.
    let z = run(
        dir.path(),
        &quick(&["--zones", "100x7,400x14", "--stations", "2", "--json"]),
    );
    assert!(z.status.success(), "{}", String::from_utf8_lossy(&z.stderr));
    let zv: serde_json::Value = serde_json::from_slice(&z.stdout).unwrap();
    let zones = zv["zones"].as_array().unwrap();
    assert!(zones.len() >= 2);
    assert_eq!(zones[0]["rule"], serde_json::json!({"radius_m": 100.0, "days": 7}));
    for zone in zones {
        let (captured, of) = (zone["captured"].as_u64().unwrap(), zone["incidents"].as_u64().unwrap());
        assert!(captured <= of && of <= events, "{zone}");
        assert!(zone["zones_per_station_day"].as_f64().unwrap() > 0.0);
    }

    let csv = run(dir.path(), &quick(&["--csv"]));
    let text = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 5 * 4);
    assert!(text.starts_with("space_from_m,space_to_m,time_from_days,time_to_days,observed,expected,ratio,p_value\n"));

    let zh = run(dir.path(), &quick(&["--lang", "zh-CN"]));
    let text = String::from_utf8(zh.stdout).unwrap();
    assert!(
        text.contains("近重复分析（Knox检验）") && text.contains("同一地点"),
        "{text}"
    );
    let en = run(dir.path(), &quick(&[]));
    let text = String::from_utf8(en.stdout).unwrap();
    assert!(text.contains("0–6 days") && text.contains("300 m or more"), "{text}");

    for (more, what) in [
        (&["--distance", "taxicab"][..], "--distance"),
        (&["--iterations", "0"][..], "iterations"),
        (&["--space-band", "0.5"][..], "space band"),
        (&["--from", "2016-03-01", "--to", "2016-02-01"][..], "--from"),
        (&["--zones", "200"][..], "--zones"),
    ] {
        let o = run(dir.path(), &args(more));
        assert_eq!(o.status.code(), Some(6), "{more:?}");
        assert!(one_line_error(&o).contains(what), "{more:?}");
    }
}
