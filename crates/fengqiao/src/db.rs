//! `fengqiao migrate`: the application's migration, printed.

use fengqiao_app::{Result, Settings};

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// Print one JSON object instead of a sentence
    #[arg(long)]
    pub json: bool,
}

/// Brings the database's schema up to this version and says what it did.
pub fn migrate(settings: &Settings, args: &MigrateArgs) -> Result<()> {
    let m = fengqiao_app::store::migrate(settings)?;
    if args.json {
        println!("{}", serde_json::to_string(&m).expect("serialisable"));
    } else if m.applied.is_empty() {
        println!(
            "{} ({}) is up to date at schema version {}",
            m.database, m.backend, m.schema_version
        );
    } else {
        let list: Vec<String> = m.applied.iter().map(i64::to_string).collect();
        println!(
            "{} ({}): applied migration{} {}; now at schema version {}",
            m.database,
            m.backend,
            if m.applied.len() == 1 { "" } else { "s" },
            list.join(", "),
            m.schema_version
        );
    }
    Ok(())
}
