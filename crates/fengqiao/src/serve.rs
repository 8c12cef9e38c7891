//! `fengqiao serve`: the HTTP server on the configured address.

use crate::config::Settings;
use crate::db::open_store;
use fengqiao_server::AppState;
use fengqiao_store::Store;
use std::sync::Arc;

/// The Open311 `jurisdiction_id` this server answers to.
pub const OPEN311_JURISDICTION: &str = "fengqiao";

/// How often the server signs a checkpoint over new ledger entries.
const SEQUENCE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How often the server looks for cases whose deadline has passed.
const SUPERVISION_SWEEP: std::time::Duration = std::time::Duration::from_secs(300);

pub fn run(settings: &Settings, default_dataset: Option<String>) -> Result<(), String> {
    let store = open_store(settings)?;
    first_admin(settings, store.as_ref())?;
    let default_dataset = match default_dataset {
        Some(d) => Some(d),
        None => match store.get_setting("default_dataset").map_err(|e| e.to_string())? {
            Some(d) => Some(d),
            None => store
                .datasets()
                .map_err(|e| e.to_string())?
                .into_iter()
                .next()
                .map(|d| d.name),
        },
    };
    let sweeper_store = store.clone();
    let sequencer_store = store.clone();
    let state = AppState {
        store,
        categories: settings.categories.clone(),
        timezone: settings.timezone,
        cell_m: settings.cell_m,
        default_dataset,
        cases: settings.cases.clone(),
        policy: settings.policy.clone(),
        // Browsers keep Secure cookies from http://127.0.0.1 and localhost too, but
        // plain-HTTP clients on loopback (tests, curl) would drop them.
        secure_cookies: !settings.bind.ip().is_loopback(),
        open311_jurisdiction: OPEN311_JURISDICTION.into(),
        cache: Default::default(),
        limiter: Default::default(),
        network: settings.network.clone(),
        jobs: Some(Arc::new(CliJobs {
            settings: settings.clone(),
        })),
        throttle: Default::default(),
        submissions: Default::default(),
        files_dir: Some(settings.data_dir.clone()),
        tiles: settings.tiles.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(settings.bind).await.map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; another program (perhaps another fengqiao) is using it: choose another with --bind"
            } else {
                ""
            };
            format!("cannot listen on {}: {e}{hint}", settings.bind)
        })?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        println!(
            "Fengqiao is serving http://{addr}/  (database {}; Ctrl-C to stop)",
            settings.database_label()
        );
        // Supervision (督办) is raised as deadlines pass, not only when someone asks.
        let sweep_settings = settings.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SUPERVISION_SWEEP);
            loop {
                every.tick().await;
                let (store, settings) = (sweeper_store.clone(), sweep_settings.clone());
                let swept = tokio::task::spawn_blocking(move || {
                    let done =
                        fengqiao_store::cases::supervise_overdue(store.as_ref(), &settings.cases, chrono::Utc::now());
                    if matches!(&done, Ok(d) if !d.is_empty()) {
                        crate::ledger::sequence_after_write(&settings, store.as_ref());
                    }
                    done
                })
                .await;
                match swept {
                    Ok(Ok(done)) if !done.is_empty() => eprintln!("supervision raised on {} overdue cases", done.len()),
                    Ok(Err(e)) => eprintln!("supervision sweep failed: {e}"),
                    _ => {}
                }
            }
        });
        // The sequencer: whatever was written through the API since the last
        // checkpoint is integrated and signed, in batches, every few seconds.
        let (seq_store, seq_settings) = (sequencer_store, settings.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SEQUENCE_EVERY);
            loop {
                every.tick().await;
                let (store, settings) = (seq_store.clone(), seq_settings.clone());
                let _ =
                    tokio::task::spawn_blocking(move || crate::ledger::sequence_after_write(&settings, store.as_ref()))
                        .await;
            }
        });
        // Ctrl-C or SIGTERM (systemd, kill): finish in-flight requests, then stop.
        let shutdown = async {
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            let terminated = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminated => {}
            }
        };
        fengqiao_server::serve(listener, state, shutdown)
            .await
            .map_err(|e| format!("server stopped: {e}"))
    })
}

/// On the first start of a database without accounts: an `admin` with a
/// one-time password, printed once (it must be changed at first sign-in).
fn first_admin(settings: &Settings, store: &dyn Store) -> Result<(), String> {
    if !store.users().map_err(|e| e.to_string())?.is_empty() {
        return Ok(());
    }
    let (user, password) = fengqiao_store::users::add_user(
        store,
        "admin",
        "Administrator",
        "admin",
        (None, None, None),
        "first-start",
    )
    .map_err(|e| e.to_string())?;
    crate::ledger::sequence_after_write(settings, store);
    println!(
        "first start: created user `{}` with the one-time password {password}\n  (shown once; sign in and change it, or reset it with `fengqiao user reset admin`)",
        user.username
    );
    Ok(())
}

/// Forecasts and plans for the server, made by the same code as the CLI,
/// each followed by a signed ledger checkpoint.
struct CliJobs {
    settings: Settings,
}

impl fengqiao_server::jobs::Jobs for CliJobs {
    fn forecast(&self, store: &dyn Store, job: &fengqiao_server::jobs::ForecastJob) -> Result<i64, String> {
        if !["shift", "day", "week"].contains(&job.window.as_str()) {
            return Err(format!("window {:?}: shift, day or week", job.window));
        }
        let args = crate::forecast::ForecastArgs::next(job.dataset.clone(), &job.model, &job.window);
        let (run, _) = crate::forecast::make_forecast(store, &args)?;
        crate::ledger::sequence_after_write(&self.settings, store);
        Ok(run.id)
    }

    fn plan(&self, store: &dyn Store, job: &fengqiao_server::jobs::PlanJob) -> Result<i64, String> {
        let req = crate::deployment::PlanRequest {
            dataset: job.dataset.as_deref(),
            forecast: &job.forecast,
            window: "shift",
            units: None,
        };
        let (id, _, _, _) = crate::deployment::plan_from_forecast(store, &req)?;
        crate::ledger::sequence_after_write(&self.settings, store);
        Ok(id)
    }

    fn replay(&self, store: &dyn Store, id: i64) -> Result<serde_json::Value, String> {
        // The CLI's defaults for `fengqiao replay --plan ID`.
        #[derive(clap::Parser)]
        struct Defaults {
            #[command(flatten)]
            args: crate::replay::ReplayArgs,
        }
        let d = <Defaults as clap::Parser>::try_parse_from(["replay", "--plan", &id.to_string()])
            .map_err(|e| e.to_string())?;
        crate::replay_plan::report(store, &self.settings.categories, &d.args, id)
    }
}
