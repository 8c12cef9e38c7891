//! `fengqiao demo`: writes the demo city's files, loads them through the
//! ordinary importers, and serves. Loading is skipped when the database
//! already holds the same demo, so a restart is instant.

use crate::import::{import_file, print_report};
use crate::messages::tr;
use crate::output::thousands;
use fengqiao_app::Settings;
use fengqiao_app::deployment::{PlanRequest, plan_from_forecast};
use fengqiao_app::forecast::{ForecastRequest, make_forecast};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_demo::{DEMO_MAPPING, DemoCity, DemoConfig};
use fengqiao_domain::Level;
use fengqiao_ingest::{Mapping, load_facilities, load_jurisdictions, profile};
use fengqiao_store::Store;
use std::path::Path;
use std::time::Instant;

const CHICAGO_2019: &[u8] = include_bytes!("../data/chicago_aggravated_assaults_2019.csv.gz");

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Which demo: the synthetic city, or a real Chicago subset shipped in the binary
    #[arg(long, value_parser = ["city", "chicago"], default_value = "city")]
    pub dataset: String,
    /// Load only; do not start the server
    #[arg(long)]
    pub no_serve: bool,
    /// Seed of the synthetic city
    #[arg(long, default_value_t = DemoConfig::default().seed)]
    pub seed: u64,
    /// Days of incidents to generate, up to now (the city's clock): a live 110 log whose next shift is the real one
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=1460))]
    pub days: u32,
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::input(format!("cannot write {}: {e}", path.display())))
}

pub fn run(settings: &Settings, args: &DemoArgs) -> Result<()> {
    std::fs::create_dir_all(&settings.store.data_dir).map_err(|e| {
        Error::input(format!(
            "cannot create data directory {}: {e}",
            settings.store.data_dir.display()
        ))
    })?;
    let opened = open_store(settings)?;
    let store = opened.as_ref();
    let dataset = match args.dataset.as_str() {
        "chicago" => load_chicago(settings, store)?,
        _ => load_city(settings, store, args)?,
    };
    store.set_setting("default_dataset", &dataset)?;
    let has_facilities = !store.facilities()?.is_empty();
    let newest = store
        .datasets()?
        .into_iter()
        .find(|d| d.name == dataset)
        .and_then(|d| d.last_at)
        .ok_or_else(|| Error::input(format!("dataset {dataset} has no incidents")))?;
    if has_facilities && store.latest_plan_started_by(&dataset, newest)?.is_none() {
        // The shift that holds the newest incident, planned as it would have
        // been: the command centre scores it on what happened.
        let args = ForecastRequest {
            dataset: Some(dataset.clone()),
            previous: true,
            ..ForecastRequest::default()
        };
        let (run, _) = make_forecast(store, &args)?;
        let req = PlanRequest {
            dataset: Some(dataset.clone()),
            forecast: run.id.to_string(),
            ..PlanRequest::default()
        };
        let (plan, _, _, _) = plan_from_forecast(store, &req)?;
        println!("{}", tr!("demo.last_shift", plan = plan));
    }
    let ahead = |start: chrono::DateTime<chrono::Utc>| start > newest;
    if !store
        .latest_forecast(&dataset, "shift", None)?
        .is_some_and(|(run, _)| ahead(run.window_start))
    {
        let args = ForecastRequest {
            dataset: Some(dataset.clone()),
            // The city is live: its next shift is the real one; Chicago's 2019 is history.
            after_data: dataset == "chicago",
            ..ForecastRequest::default()
        };
        let (run, cells) = make_forecast(store, &args)?;
        println!(
            "{}",
            tr!(
                "demo.forecast",
                model = run.model,
                cells = cells.len(),
                expected = format!("{:.1}", cells.iter().map(|c| c.1).sum::<f64>())
            )
        );
    }
    // By its id: Chicago's next shift after the data ended years ago.
    let next_forecast = store
        .latest_forecast(&dataset, "shift", None)?
        .map_or_else(|| "latest".to_string(), |(run, _)| run.id.to_string());
    if has_facilities && !store.latest_plan(&dataset)?.is_some_and(|p| ahead(p.plan.window_start)) {
        let req = PlanRequest {
            dataset: Some(dataset.clone()),
            forecast: next_forecast.clone(),
            ..PlanRequest::default()
        };
        let (id, summary, _, _) = plan_from_forecast(store, &req)?;
        println!(
            "{}",
            tr!(
                "demo.plan",
                id = id,
                units = summary["units"],
                share = share_within_5(&summary)
            )
        );
    }
    let town = store
        .jurisdictions()?
        .into_iter()
        .find(|j| j.jurisdiction.level == fengqiao_domain::Level::Town)
        .map(|j| j.jurisdiction.code);
    let mediators: Vec<String> = settings.cases.config.mediators.iter().map(|m| m.name.clone()).collect();
    if crate::user::demo_accounts(store, town, &mediators)? > 0 {
        println!(
            "{}",
            tr!(
                "demo.accounts",
                accounts = "admin / demo-admin-2026, commander / demo-commander-2026, officer / demo-officer-2026"
            )
        );
    }
    if dataset == "demo" {
        let seeded = fengqiao_app::demo_cases::seed(store, &settings.cases, args.seed, chrono::Utc::now())?;
        let (volunteers, activities) = fengqiao_app::demo_cases::seed_volunteers(store, args.seed, chrono::Utc::now())?;
        if volunteers > 0 {
            println!(
                "{}",
                tr!("demo.volunteers", volunteers = volunteers, activities = activities)
            );
            // The demo volunteer account is the first registered volunteer: it sees its own hours.
            let first = store.volunteers(None, None)?.into_iter().next();
            if let Some(v) = first.filter(|v| v.account.is_none())
                && store.user_credentials("volunteer")?.is_some()
            {
                fengqiao_app::volunteers::link_account(store, v.id, "volunteer", "demo", chrono::Utc::now())?;
            }
        }
        let today = chrono::Utc::now().with_timezone(&settings.city.timezone).date_naive();
        let (people, leave) = fengqiao_app::demo_personnel::seed(store, args.seed, today, chrono::Utc::now())?;
        if people > 0 {
            println!("{}", tr!("demo.people", people = people, leave = leave));
            // The demo's shifts run on the data's calendar: its next-shift plan gets
            // named crews from a roster of its week; this week's roster comes last (newest).
            let plan_day = store
                .latest_plan(&dataset)?
                .map(|p| p.plan.window_start.with_timezone(&settings.city.timezone).date_naive());
            let weeks: Vec<_> = plan_day.into_iter().chain([today]).collect();
            let published = fengqiao_app::demo_personnel::publish_rosters(
                store,
                &settings.city.duty,
                &settings.cases.config.calendar,
                &weeks,
                today,
            )?;
            println!("{}", tr!("demo.rosters", stations = published));
            if plan_day.is_some() {
                // The next shift's plan again, now with the crews its roster puts on the shift.
                let req = PlanRequest {
                    dataset: Some(dataset.clone()),
                    forecast: next_forecast.clone(),
                    ..PlanRequest::default()
                };
                let (id, summary, _, _) = plan_from_forecast(store, &req)?;
                println!(
                    "{}",
                    tr!(
                        "demo.rostered_plan",
                        id = id,
                        units = summary["units"],
                        share = share_within_5(&summary)
                    )
                );
            }
        }
        if seeded > 0 {
            let links = store.escalated_cases()?;
            println!("{}", tr!("demo.cases", seeded = seeded, links = links.len()));
        }
    }
    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
    drop(opened);
    if args.no_serve {
        return Ok(());
    }
    crate::serve::run(settings, Some(dataset))
}

fn load_city(settings: &Settings, store: &dyn Store, args: &DemoArgs) -> Result<String> {
    let marker = format!("seed={} days={}", args.seed, args.days);
    let existing = store.get_setting("demo")?;
    let has_rows = store.datasets()?.iter().any(|d| d.name == "demo" && d.incidents > 0);
    if existing.as_deref() == Some(marker.as_str()) && has_rows {
        println!(
            "{}",
            tr!("demo.already", marker = marker, database = settings.store.db.display())
        );
        return Ok("demo".into());
    }
    if has_rows {
        return Err(Error::input(format!(
            "{} already holds a different demo ({}); remove it or choose another --data-dir",
            settings.store.db.display(),
            existing.unwrap_or_else(|| "unknown".into())
        )));
    }
    let started = Instant::now();
    let now = chrono::Utc::now().with_timezone(&settings.city.timezone).naive_local();
    let city = DemoCity::generate(DemoConfig::live(args.seed, args.days, now));
    let dir = settings.store.data_dir.join("demo");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::input(format!("cannot create directory {}: {e}", dir.display())))?;
    let (geo, fac, csv, map) = (
        dir.join("jurisdictions.geojson"),
        dir.join("facilities.json"),
        dir.join("incidents-110.csv"),
        dir.join("mapping.toml"),
    );
    write(&geo, city.jurisdictions_geojson().as_bytes())?;
    write(&fac, city.facilities_json().as_bytes())?;
    write(&csv, city.incidents_csv().as_bytes())?;
    write(&map, DEMO_MAPPING.as_bytes())?;
    load_jurisdictions(store, &city.jurisdictions_geojson(), &geo.display().to_string())?;
    load_facilities(store, &city.facilities_json(), &fac.display().to_string())?;
    let mapping = Mapping::from_toml(DEMO_MAPPING, "demo mapping")?;
    let req = fengqiao_app::imports::ImportIncidents {
        file: csv.clone(),
        dataset: "demo".into(),
        rejects: Some(dir.join("rejects.csv")),
        ..Default::default()
    };
    let report = import_file(settings, store, &req, mapping, false)?;
    let c = fengqiao_demo::CENTRE;
    store.set_setting("centre", &format!("{},{}", c.lon, c.lat))?;
    store.set_setting("demo", &marker)?;
    let count = |l: Level| city.areas.iter().filter(|a| a.level == l).count();
    println!(
        "{}",
        tr!(
            "demo.city",
            towns = count(Level::Town),
            villages = count(Level::Village),
            grids = count(Level::Grid),
            stations = city.facilities.iter().filter(|f| f.kind.is_police()).count(),
            places = city.facilities.iter().filter(|f| !f.kind.is_police()).count()
        )
    );
    print_report(&report);
    println!(
        "{}",
        tr!(
            "demo.loaded",
            incidents = thousands(report.report.summary.imported),
            seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
            dir = dir.display()
        )
    );
    Ok("demo".into())
}

fn load_chicago(settings: &Settings, store: &dyn Store) -> Result<String> {
    let has_rows = store.datasets()?.iter().any(|d| d.name == "chicago" && d.incidents > 0);
    if has_rows {
        println!(
            "{}",
            tr!("demo.chicago_already", database = settings.store.db.display())
        );
        return Ok("chicago".into());
    }
    let dir = settings.store.data_dir.join("chicago");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::input(format!("cannot create directory {}: {e}", dir.display())))?;
    let file = dir.join("chicago_aggravated_assaults_2019.csv.gz");
    write(&file, CHICAGO_2019)?;
    let req = fengqiao_app::imports::ImportIncidents {
        file: file.clone(),
        dataset: "chicago".into(),
        rejects: Some(dir.join("rejects.csv")),
        ..Default::default()
    };
    let report = import_file(settings, store, &req, profile("chicago")?, false)?;
    print_report(&report);
    println!(
        "{}",
        tr!(
            "demo.chicago_source",
            package = "crimemappingdata 0.3.1",
            licence = "MIT",
            file = "crates/fengqiao/data/SOURCE.md"
        )
    );
    Ok("chicago".into())
}

/// The share of the forecast a plan reaches within 5 minutes, in per cent.
fn share_within_5(summary: &serde_json::Value) -> String {
    format!("{:.1}", 100.0 * summary["coverage"]["5"].as_f64().unwrap_or(0.0))
}
