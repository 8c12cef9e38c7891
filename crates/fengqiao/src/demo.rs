//! `fengqiao demo`: writes the demo city's files, loads them through the
//! ordinary importers, and serves. Loading is skipped when the database
//! already holds the same demo, so a restart is instant.

use crate::import::{import_file, print_report};
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
        println!(
            "forecast and plan {plan} for the last shift of the data: scored on its incidents in the command centre"
        );
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
            "forecast for the next shift ({} model, {} cells, {:.1} incidents expected): shown on the map",
            run.model,
            cells.len(),
            cells.iter().map(|c| c.1).sum::<f64>()
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
            "deployment plan {id} for that shift: {} units, {:.1}% of the forecast within 5 minutes: shown on the map",
            summary["units"],
            100.0 * summary["coverage"]["5"].as_f64().unwrap_or(0.0)
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
            "demo accounts, one per role (listed in the README): admin / demo-admin-2026, commander / demo-commander-2026, officer / demo-officer-2026, ..."
        );
    }
    if dataset == "demo" {
        let seeded = fengqiao_app::demo_cases::seed(store, &settings.cases, args.seed, chrono::Utc::now())?;
        let (volunteers, activities) = fengqiao_app::demo_cases::seed_volunteers(store, args.seed, chrono::Utc::now())?;
        if volunteers > 0 {
            println!("{volunteers} volunteers with {activities} activities (patrols, mediation, safety talks)");
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
            println!(
                "{people} police (民警, 辅警, 巡特警) at the stations, {leave} periods of leave or days wished off in the coming weeks"
            );
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
            println!(
                "published four-week rosters for each of the {published} stations: from the week of the next-shift plan (its patrol sheet names the crews) and from this Monday (排班)"
            );
            if plan_day.is_some() {
                // The next shift's plan again, now with the crews its roster puts on the shift.
                let req = PlanRequest {
                    dataset: Some(dataset.clone()),
                    forecast: next_forecast.clone(),
                    ..PlanRequest::default()
                };
                let (id, summary, _, _) = plan_from_forecast(store, &req)?;
                println!(
                    "deployment plan {id} for the next shift with its rostered crews: {} units, {:.1}% of the forecast within 5 minutes",
                    summary["units"],
                    100.0 * summary["coverage"]["5"].as_f64().unwrap_or(0.0)
                );
            }
        }
        if seeded > 0 {
            let links = store.escalated_cases()?;
            println!(
                "{seeded} disputes, hazards and citizens' requests at every stage; {} disputes with 民转刑 warnings",
                links.len()
            );
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
        println!("demo city already loaded ({marker}) in {}", settings.store.db.display());
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
        "demo city 明州区 (Mingzhou District): {} towns, {} communities and villages, {} grids, {} stations and posts",
        count(Level::Town),
        count(Level::Village),
        count(Level::Grid),
        city.facilities.len()
    );
    print_report(&report);
    println!(
        "loaded {} incidents in {:.1} s; files in {}",
        thousands(report.report.summary.imported),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok("demo".into())
}

fn load_chicago(settings: &Settings, store: &dyn Store) -> Result<String> {
    let has_rows = store.datasets()?.iter().any(|d| d.name == "chicago" && d.incidents > 0);
    if has_rows {
        println!("Chicago subset already loaded in {}", settings.store.db.display());
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
    println!("source: City of Chicago via R package crimemappingdata 0.3.1 (MIT); see crates/fengqiao/data/SOURCE.md");
    Ok("chicago".into())
}
