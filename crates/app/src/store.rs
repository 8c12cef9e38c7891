//! Opening the configured database (a SQLite file or a PostgreSQL URL) and
//! migrating it. Every face reaches the store through here, so each works on
//! either backend; only the SQLite file tools (backup, restore) ask for
//! SQLite by name.

use crate::error::{Code, Error, Result};
use crate::settings::Settings;
use fengqiao_store::Store;
use fengqiao_store_postgres::PgStore;
use fengqiao_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Opens the configured database, bringing its schema up to date, with
/// errors that name the file or the (password-free) URL.
pub fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    Ok(match &settings.store.postgres {
        Some(url) => Arc::new(open_postgres(settings, url)?),
        None => Arc::new(open_sqlite(settings)?),
    })
}

/// The SQLite database, for the tools that work on its file; refused with a
/// pointer to PostgreSQL's own tools when the database is PostgreSQL.
pub fn open_sqlite(settings: &Settings) -> Result<SqliteStore> {
    require_sqlite(settings)?;
    create_parent(settings)?;
    let store = SqliteStore::open(&settings.store.db)?;
    if settings.store.sqlite_cache_mib != fengqiao_store_sqlite::DEFAULT_CACHE_MIB {
        store.limit_cache(settings.store.sqlite_cache_mib)?;
    }
    Ok(store)
}

/// Refuses, before anything is touched, when the database is PostgreSQL.
pub fn require_sqlite(settings: &Settings) -> Result<()> {
    if settings.store.postgres.is_some() {
        return Err(Error::new(
            Code::Usage,
            format!(
                "{} is a PostgreSQL database: this command works on the embedded SQLite file; \
             see the README (\"Backup, crashes, fuzzing, soak\") for PostgreSQL's own tools",
                settings.database_label()
            ),
        ));
    }
    Ok(())
}

fn create_parent(settings: &Settings) -> Result<()> {
    match settings.store.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir)
            .map_err(|e| Error::internal(format!("cannot create directory {}: {e}", dir.display()))),
        None => Ok(()),
    }
}

fn open_postgres(settings: &Settings, url: &str) -> Result<PgStore> {
    let key = fengqiao_store::secrets::load_or_create_key(&settings.store.commitment_key).map_err(|e| {
        Error::internal(format!(
            "commitment key {}: cannot read or create it: {e}",
            settings.store.commitment_key.display()
        ))
    })?;
    Ok(PgStore::open(url, key)?)
}

/// What `migrate` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Migrated {
    pub database: String,
    pub backend: &'static str,
    pub schema_version: i64,
    pub applied: Vec<i64>,
}

/// Brings the database's schema up to this build's version (several
/// processes may run it at once; each step runs once). A database newer
/// than this build is refused untouched.
pub fn migrate(settings: &Settings) -> Result<Migrated> {
    let (applied, schema_version) = match &settings.store.postgres {
        Some(url) => {
            let mut client = fengqiao_store_postgres::connect(url)?;
            let applied = fengqiao_store_postgres::migrate(&mut client)?;
            (applied, fengqiao_store_postgres::SCHEMA_VERSION)
        }
        None => {
            create_parent(settings)?;
            let (_, applied) = SqliteStore::open_migrating(&settings.store.db)?;
            (applied, fengqiao_store_sqlite::SCHEMA_VERSION)
        }
    };
    Ok(Migrated {
        database: settings.database_label(),
        backend: if settings.store.postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        schema_version,
        applied,
    })
}

/// Calls `f` on each incident `filter` matches, page by page, until at
/// least `most` were read (the last page is read whole); returns how many.
pub(crate) fn scan_incidents(
    store: &dyn Store,
    filter: &fengqiao_store::IncidentFilter,
    most: usize,
    mut f: impl FnMut(&fengqiao_domain::Incident),
) -> Result<usize> {
    let mut page = fengqiao_store::PageRequest {
        limit: 5_000,
        after: None,
    };
    let mut read = 0;
    loop {
        let got = store.incidents(filter, &page)?;
        read += got.items.len();
        got.items.iter().for_each(&mut f);
        match got.next {
            Some(c) if read < most => page.after = Some(c),
            _ => return Ok(read),
        }
    }
}
