//! The Knox test reproduces the Near Repeat Calculator on its two reference
//! data sets (see `data/nearrepeat/SOURCE.md`): the same observed pairs in
//! every band, and expected pairs and p-values within the Monte Carlo error
//! of the calculator's own iterations.

use fengqiao_forecast::knox::{Distance, KnoxConfig, KnoxEvent, KnoxResult, knox_test};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/nearrepeat/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn events(name: &str) -> Vec<KnoxEvent> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    data(name)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.trim().split(',').collect();
            let date = chrono::NaiveDate::parse_from_str(f[2], "%Y-%m-%d").unwrap();
            KnoxEvent {
                x: f[0].parse().unwrap(),
                y: f[1].parse().unwrap(),
                day: (date - epoch).num_days(),
            }
        })
        .collect()
}

/// One cell of the calculator's verbose output.
#[derive(Debug, Default, Clone)]
struct Cell {
    expected: Vec<f64>,
    observed: u64,
    mean: f64,
    p_value: f64,
}

/// The calculator's observed table and, per cell, its shuffles' counts.
struct Verbose {
    observed: Vec<Vec<u64>>,
    cells: Vec<Vec<Cell>>,
}

fn verbose(name: &str, rows: usize, cols: usize) -> Verbose {
    let text = data(name);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let number = |s: &str| -> f64 {
        if s.trim().is_empty() {
            0.0
        } else {
            s.trim().parse().unwrap()
        }
    };
    let start = lines
        .iter()
        .position(|l| l.starts_with("Observed frequencies distribution"))
        .unwrap()
        + 3;
    let observed: Vec<Vec<u64>> = lines[start..start + rows]
        .iter()
        .map(|l| l.split(',').skip(2).take(cols).map(|v| number(v) as u64).collect())
        .collect();
    let mut cells = vec![vec![Cell::default(); cols]; rows];
    let mut at: Option<(usize, usize)> = None;
    let mut in_expected = false;
    for l in &lines {
        if let Some(rc) = l.strip_prefix("Row ") {
            let (r, c) = rc.split_once(" Column ").unwrap();
            at = Some((
                r.trim().parse::<usize>().unwrap() - 1,
                c.trim().parse::<usize>().unwrap() - 1,
            ));
            continue;
        }
        let Some((r, c)) = at else { continue };
        let cell = &mut cells[r][c];
        let values = |s: &str| -> Vec<f64> { s.split(',').filter(|v| !v.trim().is_empty()).map(number).collect() };
        if let Some(rest) = l.strip_prefix("Expected,") {
            cell.expected = values(rest);
            in_expected = true;
        } else if in_expected && l.starts_with(',') {
            cell.expected.extend(values(l));
        } else {
            in_expected = false;
            if let Some((key, value)) = l.split_once(',') {
                match key {
                    "Observed" => cell.observed = number(value) as u64,
                    "Mean" => cell.mean = number(value),
                    "P value" => cell.p_value = number(value),
                    _ => {}
                }
            }
        }
    }
    Verbose { observed, cells }
}

/// Runs our test with many shuffles and holds it against the calculator's.
fn reproduces(input: &str, verbose_file: &str, cfg: KnoxConfig, their_iterations: usize) -> KnoxResult {
    let ev = events(input);
    let ours = knox_test(&ev, &cfg, |_, _| {}).unwrap();
    let (rows, cols) = (ours.space.len(), ours.time.len());
    let theirs = verbose(verbose_file, rows, cols);
    assert_eq!(ours.observed, theirs.observed, "observed pairs per band");
    let n = their_iterations as f64;
    let m = cfg.iterations as f64;
    for r in 0..rows {
        for c in 0..cols {
            let cell = &theirs.cells[r][c];
            assert_eq!(cell.expected.len(), their_iterations, "row {r} column {c}");
            assert_eq!(cell.observed, theirs.observed[r][c]);
            let mean = cell.expected.iter().sum::<f64>() / n;
            assert!((mean - cell.mean).abs() < 1e-6, "their mean, row {r} column {c}");
            // Their p-value is (1 + shuffles at least the observed) / (n + 1).
            let at_least = cell.expected.iter().filter(|&&e| e >= cell.observed as f64).count();
            assert!(
                ((1 + at_least) as f64 / (n + 1.0) - cell.p_value).abs() < 0.006,
                "their p-value, row {r} column {c}"
            );
            // Expected pairs: both means estimate the same one.
            let var = cell.expected.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
            let error = 4.0 * (var * (1.0 / n + 1.0 / m)).sqrt() + 1.0 / n;
            assert!(
                (ours.expected[r][c] - mean).abs() <= error,
                "row {r} column {c}: expected {} against the calculator's {mean} (± {error})",
                ours.expected[r][c]
            );
            // Their count of shuffles at least the observed is binomial on ours.
            let q = ((ours.p_value[r][c] * (m + 1.0)) - 1.0) / m;
            let spread = 4.0 * (n * q * (1.0 - q)).sqrt() + 1.0;
            assert!(
                (at_least as f64 - n * q).abs() <= spread,
                "row {r} column {c}: {at_least} of {n} shuffles at least the observed, ours {q} a shuffle"
            );
        }
    }
    ours
}

fn settings(space_band: f64, time_band: u32, iterations: usize) -> KnoxConfig {
    KnoxConfig {
        space_band,
        space_bands: 3,
        time_band,
        time_bands: 3,
        iterations,
        distance: Distance::Manhattan,
        seed: 2019,
    }
}

/// 522 arsons, 200 m and 1 day bands, 99 iterations: "within 1 to 200, 201
/// to 400 and 401 to 600 metres, near repeats are overrepresented for up to
/// 1 days"; the strongest 74.25 times chance; no repeat victimisation.
#[test]
fn chicago_arson_reproduces_the_calculator() {
    let r = reproduces(
        "chicago_arson.csv",
        "chicago_arson_NRverbose_2019-09-23_145637.csv",
        settings(200.0, 1, 999),
        99,
    );
    let f = r.findings();
    assert_eq!(f.near, vec![(1, 0), (2, 0), (3, 0)]);
    assert_eq!(f.repeat, None);
    let (row, col, ratio) = f.strongest_near.unwrap();
    assert_eq!((row, col), (1, 0));
    // 9 pairs against 0.121 expected in the calculator's 99 shuffles
    // (12 pairs in all), 0.18 in ours (999 shuffles): 74 and 50 times chance.
    assert!((30.0..110.0).contains(&ratio), "{ratio}");
}

/// 970 burglaries, 100 m and 7 day bands, 19 iterations: near repeats
/// within 1–100 and 101–200 m for the first band of days, 69 % above
/// chance; repeats at the same place 65 % above.
#[test]
fn chicago_burglary_reproduces_the_calculator() {
    let r = reproduces(
        "chicago_be_month1.csv",
        "chicago_be_month1_NRverbose_2019-09-23_143005.csv",
        settings(100.0, 7, 999),
        19,
    );
    let f = r.findings();
    assert_eq!(f.near, vec![(1, 0), (2, 0)]);
    assert_eq!(f.repeat, Some(0));
    let (row, col, ratio) = f.strongest_near.unwrap();
    assert_eq!((row, col), (1, 0));
    assert!((1.5..1.9).contains(&ratio), "{ratio}");
    // 28 pairs against 16.9 in the calculator's 19 shuffles (± 0.8): 1.65.
    let repeat = f.strongest_repeat.unwrap().1;
    assert!((1.45..1.95).contains(&repeat), "{repeat}");
}

/// Euclidean distance, which the calculator also offers, puts pairs no
/// farther than Manhattan does: the near bands hold at least as many.
#[test]
fn euclidean_bands_hold_at_least_the_manhattan_pairs() {
    let ev = events("chicago_be_month1.csv");
    let man = knox_test(&ev, &settings(100.0, 7, 1), |_, _| {}).unwrap();
    let euc = knox_test(
        &ev,
        &KnoxConfig {
            distance: Distance::Euclidean,
            ..settings(100.0, 7, 1)
        },
        |_, _| {},
    )
    .unwrap();
    let within = |r: &KnoxResult| -> u64 { r.observed[..4].iter().flatten().sum() };
    assert!(within(&euc) > within(&man));
    assert_eq!(euc.observed[0], man.observed[0], "the same location either way");
}
