//! Opening the configured database (a SQLite file or a PostgreSQL URL) and
//! `fengqiao migrate`. Every command reaches the store through here, so each
//! works on either backend; only the SQLite file tools (backup, restore) ask
//! for SQLite by name.

use crate::config::Settings;
use fengqiao_store::Store;
use fengqiao_store_postgres::PgStore;
use fengqiao_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Opens the configured database, bringing its schema up to date, with
/// errors that name the file or the (password-free) URL.
pub fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, String> {
    Ok(match &settings.postgres {
        Some(url) => Arc::new(open_postgres(settings, url)?),
        None => Arc::new(open_sqlite(settings)?),
    })
}

/// The SQLite database, for the tools that work on its file; refused with a
/// pointer to PostgreSQL's own tools when the database is PostgreSQL.
pub fn open_sqlite(settings: &Settings) -> Result<SqliteStore, String> {
    require_sqlite(settings)?;
    create_parent(settings)?;
    let store = SqliteStore::open(&settings.db).map_err(|e| e.to_string())?;
    if settings.sqlite_cache_mib != fengqiao_store_sqlite::DEFAULT_CACHE_MIB {
        store
            .limit_cache(settings.sqlite_cache_mib)
            .map_err(|e| e.to_string())?;
    }
    Ok(store)
}

/// Refuses, before anything is touched, when the database is PostgreSQL.
pub fn require_sqlite(settings: &Settings) -> Result<(), String> {
    if settings.postgres.is_some() {
        return Err(format!(
            "{} is a PostgreSQL database: this command works on the embedded SQLite file; \
             see the README (\"Backup, crashes, fuzzing, soak\") for PostgreSQL's own tools",
            settings.database_label()
        ));
    }
    Ok(())
}

fn create_parent(settings: &Settings) -> Result<(), String> {
    match settings.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create directory {}: {e}", dir.display()))
        }
        None => Ok(()),
    }
}

fn open_postgres(settings: &Settings, url: &str) -> Result<PgStore, String> {
    let key = fengqiao_store::secrets::load_or_create_key(&settings.commitment_key).map_err(|e| {
        format!(
            "commitment key {}: cannot read or create it: {e}",
            settings.commitment_key.display()
        )
    })?;
    PgStore::open(url, key).map_err(|e| e.to_string())
}

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// Print one JSON object instead of a sentence
    #[arg(long)]
    pub json: bool,
}

/// `fengqiao migrate`: brings the database's schema up to this build's
/// version (several processes may run it at once; each step runs once) and
/// says what it did. A database newer than this build is refused untouched.
pub fn migrate(settings: &Settings, args: &MigrateArgs) -> Result<(), String> {
    let (applied, version) = match &settings.postgres {
        Some(url) => {
            let mut client = fengqiao_store_postgres::connect(url).map_err(|e| e.to_string())?;
            let applied = fengqiao_store_postgres::migrate(&mut client).map_err(|e| e.to_string())?;
            (applied, fengqiao_store_postgres::SCHEMA_VERSION)
        }
        None => {
            create_parent(settings)?;
            let (_, applied) = SqliteStore::open_migrating(&settings.db).map_err(|e| e.to_string())?;
            (applied, fengqiao_store_sqlite::SCHEMA_VERSION)
        }
    };
    let backend = if settings.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    if args.json {
        let out = serde_json::json!({
            "database": settings.database_label(), "backend": backend,
            "schema_version": version, "applied": applied,
        });
        println!("{out}");
    } else if applied.is_empty() {
        println!(
            "{} ({backend}) is up to date at schema version {version}",
            settings.database_label()
        );
    } else {
        let list: Vec<String> = applied.iter().map(i64::to_string).collect();
        println!(
            "{} ({backend}): applied migration{} {}; now at schema version {version}",
            settings.database_label(),
            if applied.len() == 1 { "" } else { "s" },
            list.join(", ")
        );
    }
    Ok(())
}
