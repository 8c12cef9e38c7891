//! `fengqiao serve`: the server the settings describe, until Ctrl-C or SIGTERM.

use crate::messages::tr;
use fengqiao_app::{Error, Result, Settings};
use fengqiao_server::{Application, BuildOptions};
use fengqiao_store::Store;

pub fn run(settings: &Settings, default_dataset: Option<String>) -> Result<()> {
    let store = fengqiao_app::store::open_store(settings)?;
    first_admin(settings, store.as_ref())?;
    drop(store);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let app = Application::build(settings.clone(), BuildOptions { default_dataset }).await?;
        let serving = tr!(
            "serve.serving",
            address = app.address(),
            database = settings.database_label()
        );
        println!("{serving}");
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
        app.run_until(shutdown)
            .await
            .map_err(|e| Error::internal(format!("server stopped: {e}")))
    })
}

/// On the first start of a database without accounts: an `admin` with a
/// one-time password, printed once (it must be changed at first sign-in).
fn first_admin(settings: &Settings, store: &dyn Store) -> Result<()> {
    if !store.users()?.is_empty() {
        return Ok(());
    }
    let (user, password) = fengqiao_store::users::add_user(
        store,
        "admin",
        "Administrator",
        "admin",
        (None, None, None),
        "first-start",
    )?;
    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
    println!(
        "{}",
        tr!("serve.first_start", user = user.username, password = password)
    );
    Ok(())
}
