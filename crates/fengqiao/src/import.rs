//! `fengqiao import ...`, `profiles` and `datasets`.

use crate::config::Settings;
use crate::db::open_store;
use crate::output::{progress_bar, thousands};
use fengqiao_domain::CategoryTable;
use fengqiao_ingest::{
    ImportOptions, Mapping, load_facilities, load_incidents, load_jurisdictions, profile, profile_names,
};
use fengqiao_store::Store;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct IncidentArgs {
    /// The incident file (.csv or .csv.gz)
    pub file: PathBuf,
    /// A built-in profile (see `fengqiao profiles`)
    #[arg(long, conflicts_with = "map", required_unless_present = "map")]
    pub profile: Option<String>,
    /// A mapping TOML file describing the file's columns
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Dataset to import into [default: the mapping's name]
    #[arg(long)]
    pub dataset: Option<String>,
    /// Where to write rejected rows [default: DATA_DIR/rejects/DATASET-RUN.csv]
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
}

pub fn mapping_for(args_profile: Option<&str>, map: Option<&Path>) -> Result<Mapping, String> {
    match (args_profile, map) {
        (Some(p), _) => profile(p).map_err(|e| e.to_string()),
        (None, Some(m)) => {
            let text = std::fs::read_to_string(m).map_err(|e| format!("mapping file {}: {e}", m.display()))?;
            Mapping::from_toml(&text, &m.display().to_string()).map_err(|e| e.to_string())
        }
        (None, None) => Err("give --profile NAME or --map FILE.toml".into()),
    }
}

pub fn incidents(settings: &Settings, args: &IncidentArgs) -> Result<(), String> {
    let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
    if !args.file.is_file() {
        return Err(format!("{}: no such file", args.file.display()));
    }
    let store = open_store(settings)?;
    let store = store.as_ref();
    let dataset = args.dataset.clone().unwrap_or_else(|| mapping.name.clone());
    let rejects = match &args.rejects {
        Some(p) => p.clone(),
        None => {
            let dir = settings.data_dir.join("rejects");
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create directory {}: {e}", dir.display()))?;
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
            dir.join(format!("{dataset}-{stamp}.csv"))
        }
    };
    let report = import_file(
        store,
        &args.file,
        &dataset,
        mapping,
        &settings.categories,
        Some(rejects),
        args.json,
    )?;
    crate::ledger::sequence_after_write(settings, store);
    if args.json {
        println!("{}", serde_json::to_string(&report).expect("serialisable"));
    } else {
        print_report(&report);
    }
    Ok(())
}

/// Imports one file with a progress bar; shared by `import` and `demo`.
pub fn import_file(
    store: &dyn Store,
    file: &Path,
    dataset: &str,
    mapping: Mapping,
    categories: &CategoryTable,
    rejects: Option<PathBuf>,
    quiet: bool,
) -> Result<fengqiao_ingest::LoadReport, String> {
    let total = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(total, quiet);
    let progress = |bytes: u64, _total: u64, rows: u64| {
        bar.set_position(bytes);
        bar.set_message(format!("{} rows", thousands(rows)));
    };
    let opts = ImportOptions {
        rejects_path: rejects,
        ..ImportOptions::default()
    };
    let result = load_incidents(store, file, dataset, mapping, categories, &opts, &progress);
    bar.finish_and_clear();
    result.map_err(|e| e.to_string())
}

pub fn print_report(r: &fengqiao_ingest::LoadReport) {
    let s = &r.summary;
    println!(
        "imported {} into dataset {:?} (profile {})",
        s.file, s.dataset, s.profile
    );
    if let Some(line) = r.resumed_after_line {
        println!("  an earlier import of this file stopped after line {line}; its rows count as duplicates now");
    }
    println!(
        "  read        {:>10} rows in {:.2} s ({} rows/s)",
        thousands(s.read),
        s.seconds,
        thousands(s.rows_per_second as u64)
    );
    println!("  imported    {:>10}", thousands(s.imported));
    println!("  duplicates  {:>10}", thousands(s.duplicates));
    println!("  rejected    {:>10}", thousands(s.rejected));
    for (reason, n) in &s.rejected_by_reason {
        println!("      {:>8}  {reason}", thousands(*n));
    }
    if let Some(f) = &s.rejects_file {
        println!("  rejected rows with line, field and reason: {f}");
    }
    if s.in_jurisdiction > 0 {
        println!("  in a jurisdiction {:>4}", thousands(s.in_jurisdiction));
    }
}

pub fn jurisdictions(settings: &Settings, file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let n = load_jurisdictions(store, &text, &file.display().to_string()).map_err(|e| e.to_string())?;
    println!("loaded {n} jurisdictions from {}", file.display());
    Ok(())
}

pub fn facilities(settings: &Settings, file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let n = load_facilities(store, &text, &file.display().to_string()).map_err(|e| e.to_string())?;
    println!("loaded {n} stations and posts from {}", file.display());
    Ok(())
}

pub fn profiles() -> Result<(), String> {
    for name in profile_names() {
        let m = profile(name).map_err(|e| e.to_string())?;
        println!(
            "{name:<18} {:<8} {:<20} time: {}",
            m.crs,
            m.timezone,
            m.time
                .column
                .clone()
                .or(m.time.date_column.clone())
                .unwrap_or_else(|| "year/month/day/hour/minute".into())
        );
    }
    Ok(())
}

pub fn datasets(settings: &Settings, json: bool) -> Result<(), String> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let list = store.datasets().map_err(|e| e.to_string())?;
    if json {
        println!("{}", serde_json::to_string(&list).expect("serialisable"));
        return Ok(());
    }
    for d in list {
        let span = match (d.first_at, d.last_at) {
            (Some(a), Some(b)) => format!("{} .. {}", a.format("%Y-%m-%d"), b.format("%Y-%m-%d")),
            _ => "-".into(),
        };
        println!(
            "{:<18} {:>10} incidents  {span}  ({}, {})",
            d.name,
            thousands(d.incidents),
            d.profile,
            d.timezone
        );
    }
    Ok(())
}
