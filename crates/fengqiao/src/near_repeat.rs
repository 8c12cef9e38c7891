//! `fengqiao near-repeat`: the Knox test of a file's or a dataset's
//! incidents, printed as the Near Repeat Calculator's tables and in words.

use crate::messages::tr;
use crate::output::thousands;
use chrono::NaiveDate;
use fengqiao_app::Result;
use fengqiao_app::near_repeat::{NearRepeatOutcome, NearRepeatRequest, near_repeat};
use fengqiao_forecast::knox::{Band, KnoxResult};
use serde_json::json;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct NearRepeatArgs {
    /// Incident file (.csv or .csv.gz)
    #[arg(long, required_unless_present = "dataset", conflicts_with = "dataset")]
    pub input: Option<PathBuf>,
    /// A built-in profile for the file's layout (see `fengqiao profiles`)
    #[arg(long, conflicts_with = "map", required_unless_present_any = ["map", "dataset"])]
    pub profile: Option<String>,
    /// A mapping TOML file describing the file's columns (instead of --profile)
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Test a dataset from the database instead of a file
    #[arg(long)]
    pub dataset: Option<String>,
    /// Only incidents of this category code and below (e.g. criminal.burglary)
    #[arg(long)]
    pub category: Option<String>,
    /// First local day of the incidents taken (YYYY-MM-DD)
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last local day taken, inclusive
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Width of each space band, metres
    #[arg(long, default_value_t = 100.0)]
    pub space_band: f64,
    /// Space bands after the same location (a "more than" band is added)
    #[arg(long, default_value_t = 3)]
    pub space_bands: usize,
    /// Width of each time band, days
    #[arg(long, default_value_t = 7)]
    pub time_band: u32,
    /// Time bands (a "more than" band is added)
    #[arg(long, default_value_t = 3)]
    pub time_bands: usize,
    /// Shuffles of the dates (99: p-values down to 0.01; 999: 0.001)
    #[arg(long, default_value_t = 99)]
    pub iterations: usize,
    /// manhattan (along streets, as the calculator) or euclidean
    #[arg(long, default_value = "manhattan")]
    pub distance: String,
    /// Seed of the shuffles (the same seed gives the same tables)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also backtest cocoon alert zones RADIUSxDAYS on the same incidents (e.g. 100x7,200x7,400x14); the zone the findings call for is added
    #[arg(long, value_delimiter = ',')]
    pub zones: Vec<String>,
    /// For the zones' workload: stations at this many k-means centres of the incidents (0: no per-station figures)
    #[arg(long, default_value_t = 0)]
    pub stations: usize,
    /// Print JSON instead of the tables
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print one CSV row per cell instead of the tables
    #[arg(long)]
    pub csv: bool,
}

impl NearRepeatArgs {
    pub fn request(&self, first: Option<usize>) -> NearRepeatRequest {
        NearRepeatRequest {
            input: self.input.clone(),
            profile: self.profile.clone(),
            map: self.map.clone(),
            dataset: self.dataset.clone(),
            category: self.category.clone(),
            from: self.from,
            to: self.to,
            space_band: self.space_band,
            space_bands: self.space_bands,
            time_band: self.time_band,
            time_bands: self.time_bands,
            iterations: self.iterations,
            distance: self.distance.clone(),
            seed: self.seed,
            first,
            zones: self.zones.clone(),
            stations: self.stations,
        }
    }
}

/// Runs the test with a bar of shuffles on a terminal.
pub fn run_with_progress(
    settings: &fengqiao_app::Settings,
    req: &NearRepeatRequest,
    quiet: bool,
) -> Result<NearRepeatOutcome> {
    let bar = if quiet || !std::io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::new(req.iterations as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {msg}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar
    };
    bar.set_message(tr!("near_repeat.shuffles"));
    let out = near_repeat(settings, req, |done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    out
}

pub fn run(settings: &fengqiao_app::Settings, args: &NearRepeatArgs) -> Result<()> {
    let req = args.request(None);
    let out = run_with_progress(settings, &req, args.json || args.csv)?;
    let r = &out.result;
    if args.json {
        println!("{}", to_json(&out));
    } else if args.csv {
        print!("{}", to_csv(r));
    } else {
        print_tables(&out, args);
    }
    Ok(())
}

pub fn to_json(out: &NearRepeatOutcome) -> serde_json::Value {
    json!({"source": out.source, "seconds": out.seconds, "result": out.result, "findings": out.result.findings(),
           "suggested_zone": out.suggested, "zones": out.zones})
}

fn to_csv(r: &KnoxResult) -> String {
    let mut s = String::from("space_from_m,space_to_m,time_from_days,time_to_days,observed,expected,ratio,p_value\n");
    let end = |b: &Band| b.to.map_or(String::new(), |t| t.to_string());
    for (i, sb) in r.space.iter().enumerate() {
        for (j, tb) in r.time.iter().enumerate() {
            s.push_str(&format!(
                "{},{},{},{},{},{:.4},{},{:.4}\n",
                sb.from,
                end(sb),
                tb.from,
                end(tb),
                r.observed[i][j],
                r.expected[i][j],
                r.ratio[i][j].map_or(String::new(), |x| format!("{x:.4}")),
                r.p_value[i][j]
            ));
        }
    }
    s
}

/// A space band in words: the same location, up to w, from–to, or more.
pub fn space_label(b: &Band, first: bool) -> String {
    let m = |v: f64| format!("{v}");
    match b.to {
        Some(0.0) => tr!("near_repeat.same_location"),
        Some(to) if first => tr!("near_repeat.up_to_m", to = m(to)),
        Some(to) => tr!("near_repeat.between_m", from = m(b.from), to = m(to)),
        None => tr!("near_repeat.more_than_m", from = m(b.from)),
    }
}

/// A time band in words: the days apart it counts.
pub fn time_label(b: &Band) -> String {
    let from = b.from as u64;
    match b.to {
        Some(to) if to as u64 == from + 1 => tr!("near_repeat.days_apart", n = from.to_string()),
        Some(to) => tr!(
            "near_repeat.days_between",
            from = from.to_string(),
            to = (to as u64 - 1).to_string()
        ),
        None => tr!("near_repeat.days_or_more", from = from.to_string()),
    }
}

/// The days from the first band to the end of column `c`, in words.
fn within_days(r: &KnoxResult, c: usize) -> String {
    let last = r.time[c].to.map_or(0, |t| t as u64 - 1);
    if last == 0 {
        tr!("near_repeat.same_day")
    } else {
        tr!("near_repeat.within_days", n = last.to_string())
    }
}

/// The findings as the calculator words them.
pub fn summary(r: &KnoxResult) -> Vec<String> {
    let f = r.findings();
    let pct = |ratio: f64| format!("{:.0}", (ratio - 1.0) * 100.0);
    let mut lines = Vec::new();
    if f.near.is_empty() {
        lines.push(tr!("near_repeat.no_near"));
    }
    for &(row, c) in &f.near {
        let b = &r.space[row];
        let to = b.to.unwrap_or(b.from);
        let band = if row == 1 {
            tr!("near_repeat.near_first", to = to)
        } else {
            tr!("near_repeat.near_between", from = b.from, to = to)
        };
        lines.push(tr!("near_repeat.near", band = band, days = within_days(r, c)));
    }
    if let Some((row, c, ratio)) = f.strongest_near {
        lines.push(tr!(
            "near_repeat.strongest",
            band = space_label(&r.space[row], row == 1),
            days = time_label(&r.time[c]),
            percent = pct(ratio)
        ));
    }
    match (f.repeat, f.strongest_repeat) {
        (Some(c), Some((_, ratio))) => lines.push(tr!(
            "near_repeat.repeat",
            days = within_days(r, c),
            percent = pct(ratio)
        )),
        _ => lines.push(tr!("near_repeat.no_repeat")),
    }
    lines
}

fn print_tables(out: &NearRepeatOutcome, args: &NearRepeatArgs) {
    let r = &out.result;
    println!(
        "{}",
        tr!(
            "near_repeat.title",
            source = out.source.clone(),
            events = thousands(r.events as u64),
            pairs = thousands(r.pairs),
            distance = if args.distance == "euclidean" {
                tr!("near_repeat.euclidean")
            } else {
                tr!("near_repeat.manhattan")
            },
            iterations = r.config.iterations.to_string(),
            seed = r.config.seed.to_string(),
            seconds = format!("{:.2}", out.seconds)
        )
    );
    let heads: Vec<String> = r.time.iter().map(time_label).collect();
    let rows: Vec<String> = r
        .space
        .iter()
        .enumerate()
        .map(|(i, b)| space_label(b, i == 1))
        .collect();
    let width = rows.iter().map(|s| columns(s)).max().unwrap_or(0) + 2;
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(columns(s))));
    let table = |title: String, cell: &dyn Fn(usize, usize) -> String| {
        println!("\n{title}");
        let mut line = pad("", width);
        for h in &heads {
            line.push_str(&pad(h, 14));
        }
        println!("{}", line.trim_end());
        for (i, name) in rows.iter().enumerate() {
            let mut line = pad(name, width);
            for j in 0..heads.len() {
                line.push_str(&pad(&cell(i, j), 14));
            }
            println!("{}", line.trim_end());
        }
    };
    table(tr!("near_repeat.observed"), &|i, j| thousands(r.observed[i][j]));
    table(tr!("near_repeat.ratio"), &|i, j| {
        let p = r.p_value[i][j];
        let mark = if p <= 0.01 {
            "**"
        } else if p <= 0.05 {
            "*"
        } else {
            ""
        };
        r.ratio[i][j].map_or("—".into(), |x| format!("{x:.2}{mark}"))
    });
    table(tr!("near_repeat.p_value"), &|i, j| format!("{:.3}", r.p_value[i][j]));
    println!();
    for line in summary(r) {
        println!("{line}");
    }
    if !out.zones.is_empty() {
        print_zones(out);
    }
}

/// Terminal columns of `s`: Chinese characters and full-width signs take two.
fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if ('\u{1100}'..='\u{ffef}').contains(&c) && !('\u{2000}'..='\u{206f}').contains(&c) {
                2
            } else {
                1
            }
        })
        .sum()
}

/// The cocoon zones' backtest: capture against workload, a row a rule.
fn print_zones(out: &NearRepeatOutcome) {
    println!("\n{}", tr!("near_repeat.zones_title"));
    println!("{}", tr!("near_repeat.zones_header"));
    let dash = || "—".to_string();
    for z in &out.zones {
        let mark = if out.suggested == Some(z.rule) { " *" } else { "" };
        println!(
            "{:>6} m {:>3} d{:<2} {:>6.1}%  {:>6.1}%  {:>5.2}  {:>7} / {:<7} {:>8.1} {:>9} {:>9} {:>8.1} {:>9.2}",
            z.rule.radius_m,
            z.rule.days,
            mark,
            100.0 * z.capture,
            100.0 * z.capture_by_chance,
            z.capture / z.capture_by_chance,
            thousands(z.captured as u64),
            thousands(z.incidents as u64),
            z.zones_per_day,
            z.zones_per_station_day.map_or_else(dash, |v| format!("{v:.2}")),
            z.busiest_station_per_day.map_or_else(dash, |v| format!("{v:.2}")),
            z.open_per_day,
            z.area_km2_per_day
        );
    }
    if out.suggested.is_some() {
        println!("{}", tr!("near_repeat.zones_suggested"));
    }
}
