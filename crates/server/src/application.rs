//! One way to build the server, used by `fengqiao serve`, `fengqiao demo`
//! and the tests: from the settings, open (and migrate) the store, bind the
//! listener, and serve with the background work a server owes its data
//! (signing checkpoints, raising supervision on overdue cases).

use crate::AppState;
use fengqiao_app::{Error, Settings};
use fengqiao_store::Store;
use std::sync::Arc;

/// How often the server signs a checkpoint over new ledger entries.
const SEQUENCE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How often the outbox is looked at for notifications due.
const DELIVER_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// How often the server looks for cases whose deadline has passed: an
/// anti-fraud call is due in ten minutes, so its lateness is raised within one.
const SUPERVISION_SWEEP: std::time::Duration = std::time::Duration::from_secs(60);

/// What the settings do not say.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The dataset shown when a request names none [default: the stored
    /// setting `default_dataset`, else the first dataset].
    pub default_dataset: Option<String>,
}

/// A server, bound and ready to run.
pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the store, binds `settings.server.bind` (port 0: any free port).
    pub async fn build(settings: Settings, options: BuildOptions) -> Result<Application, Error> {
        let settings = Arc::new(settings);
        let opening = settings.clone();
        // The store may block on a runtime of its own (PostgreSQL): never on this one.
        let (store, default_dataset) = tokio::task::spawn_blocking(move || {
            let store = fengqiao_app::store::open_store(&opening)?;
            let dataset = match options.default_dataset {
                Some(d) => Some(d),
                None => match store.get_setting("default_dataset")? {
                    Some(d) => Some(d),
                    None => store.datasets()?.into_iter().next().map(|d| d.name),
                },
            };
            Ok::<_, Error>((store, dataset))
        })
        .await
        .map_err(|e| Error::internal(format!("opening the store: {e}")))??;
        let bind = settings.server.bind;
        let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                "; another program (perhaps another fengqiao) is using it: choose another with --bind"
            } else {
                ""
            };
            Error::new(
                fengqiao_app::Code::Unavailable,
                format!("cannot listen on {bind}: {e}{hint}"),
            )
        })?;
        // Once serving: deadlines in the coming quarter must know that year's public holidays.
        let now = chrono::Utc::now();
        let calendar = &settings.cases.config.calendar;
        if let Some(w) =
            fengqiao_app::cases::calendar_warning(&calendar.uncovered_years(now, now + chrono::Duration::days(90)))
        {
            eprintln!("warning: working calendar: {w}");
        }
        Ok(Application {
            listener,
            state: AppState::new(store, settings, default_dataset),
        })
    }

    pub fn address(&self) -> std::net::SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// Serves until `shutdown` resolves, with the sequencer and the
    /// supervision sweep running beside.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let settings = self.state.settings.clone();
        let store = self.state.store.clone();
        let (sweep_store, sweep_settings) = (store.clone(), settings.clone());
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(SUPERVISION_SWEEP);
            loop {
                every.tick().await;
                let (store, settings) = (sweep_store.clone(), sweep_settings.clone());
                let swept = tokio::task::spawn_blocking(move || {
                    let done =
                        fengqiao_app::cases::supervise_overdue(store.as_ref(), &settings.cases, chrono::Utc::now());
                    if matches!(&done, Ok(d) if !d.is_empty()) {
                        fengqiao_app::ledger::sequence_after_write(&settings.ledger, store.as_ref());
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
        // Whatever was written through the API since the last checkpoint is
        // integrated and signed, in batches, every few seconds.
        let sequencer = tokio::spawn(async move {
            let mut every = tokio::time::interval(SEQUENCE_EVERY);
            loop {
                every.tick().await;
                let (store, settings) = (store.clone(), settings.clone());
                let _ = tokio::task::spawn_blocking(move || {
                    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store.as_ref())
                })
                .await;
            }
        });
        // Notifications due (new, or a retry's time come) go out every few seconds.
        let (post_store, post_settings) = (self.state.store.clone(), self.state.settings.clone());
        let postman = tokio::spawn(async move {
            if post_settings.cases.notify.channels.is_empty() {
                return;
            }
            let mut every = tokio::time::interval(DELIVER_EVERY);
            loop {
                every.tick().await;
                let (store, settings) = (post_store.clone(), post_settings.clone());
                let sent = tokio::task::spawn_blocking(move || {
                    fengqiao_app::notify::deliver_due(store.as_ref(), &settings.cases.notify, chrono::Utc::now(), 20)
                })
                .await;
                if let Ok(Err(e)) = sent {
                    eprintln!("notification delivery failed: {e}");
                }
            }
        });
        let served = crate::serve(self.listener, self.state, shutdown).await;
        sweeper.abort();
        sequencer.abort();
        postman.abort();
        served
    }
}
