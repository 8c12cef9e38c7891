//! `fengqiao import ...`, `profiles` and `datasets`.

use crate::messages::tr;
use crate::output::{progress_bar, thousands};
use fengqiao_app::Settings;
use fengqiao_app::imports::{ImportIncidents, Imported, import_incidents, mapping_for};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_ingest::{load_facilities, load_jurisdictions, profile, profile_names};
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
    /// Where to write rejected rows [default: DATA_DIR/rejects/DATASET-runN.csv, N the import run]
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// The file's text encoding: utf-8, gb18030 (also gbk, gb2312), utf-16le or utf-16be [default: detected]
    #[arg(long)]
    pub encoding: Option<String>,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
}

pub fn incidents(settings: &Settings, args: &IncidentArgs) -> Result<()> {
    let mapping = mapping_for(args.profile.as_deref(), args.map.as_deref())?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let dataset = args.dataset.clone().unwrap_or_else(|| mapping.name.clone());
    let rejects_dir = match &args.rejects {
        Some(_) => None,
        None => {
            let dir = settings.store.data_dir.join("rejects");
            std::fs::create_dir_all(&dir)
                .map_err(|e| Error::internal(format!("cannot create directory {}: {e}", dir.display())))?;
            Some(dir)
        }
    };
    let req = ImportIncidents {
        file: args.file.clone(),
        dataset,
        rejects: args.rejects.clone(),
        rejects_dir,
        encoding: args.encoding.clone(),
    };
    let imported = import_file(settings, store, &req, mapping, args.json)?;
    fengqiao_app::ledger::sequence_after_write(&settings.ledger, store);
    if args.json {
        println!("{}", serde_json::to_string(&imported).expect("serialisable"));
    } else {
        print_report(&imported);
    }
    Ok(())
}

/// Imports one file through the application with a progress bar; shared by `import` and `demo`.
pub fn import_file(
    settings: &Settings,
    store: &dyn Store,
    req: &ImportIncidents,
    mapping: fengqiao_ingest::Mapping,
    quiet: bool,
) -> Result<Imported> {
    let total = std::fs::metadata(&req.file).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(total, quiet);
    let progress = |bytes: u64, _total: u64, rows: u64| {
        bar.set_position(bytes);
        bar.set_message(tr!("import.rows", n = thousands(rows)));
    };
    let result = import_incidents(store, settings, req, mapping, &progress);
    bar.finish_and_clear();
    result
}

pub fn print_report(imported: &Imported) {
    let r = &imported.report;
    let s = &r.summary;
    let member = s
        .zip_member
        .as_ref()
        .map(|m| tr!("import.member", member = m))
        .unwrap_or_default();
    println!(
        "{}",
        tr!(
            "import.title",
            file = s.file,
            member = member,
            dataset = s.dataset,
            profile = s.profile,
            encoding = s.encoding
        )
    );
    if let Some(line) = r.resumed_after_line {
        println!("{}", tr!("import.resumed", line = line));
    }
    println!(
        "{}",
        tr!(
            "import.read",
            rows = format!("{:>10}", thousands(s.read)),
            seconds = format!("{:.2}", s.seconds),
            speed = thousands(s.rows_per_second as u64)
        )
    );
    let column = |n: u64| format!("{:>10}", thousands(n));
    println!("{}", tr!("import.imported", n = column(s.imported)));
    println!("{}", tr!("import.duplicates", n = column(s.duplicates)));
    println!("{}", tr!("import.rejected", n = column(s.rejected)));
    for (class, n) in &s.rejected_by_reason {
        let count = format!("{:>8}", thousands(*n));
        // The first of its kind as it was, not the class's `#` and `…`.
        let line = match s.first_rejects.get(class) {
            Some(r) if *n == 1 => tr!(
                "import.reject_one",
                n = count,
                line = r.line,
                field = field_name(r),
                reason = why(r)
            ),
            Some(r) => tr!(
                "import.reject_many",
                n = count,
                field = field_name(r),
                reason = why(r),
                line = r.line,
                more = thousands(n - 1)
            ),
            None => tr!("import.reject_class", n = count, class = class),
        };
        println!("{line}");
    }
    if let Some(f) = &s.rejects_file {
        println!("{}", tr!("import.rejects_file", file = f));
    }
    if s.in_jurisdiction > 0 {
        println!(
            "{}",
            tr!(
                "import.in_jurisdiction",
                n = format!("{:>4}", thousands(s.in_jurisdiction))
            )
        );
    }
    if imported.escalation_links > 0 {
        println!(
            "{}",
            tr!(
                "import.escalation",
                n = format!("{:>6}", thousands(imported.escalation_links as u64))
            )
        );
    }
}

/// Why a row was refused: in Chinese from the catalogue by its kind, in
/// English the reader's own reason (it has more particulars).
fn why(r: &fengqiao_ingest::Reject) -> String {
    match crate::messages::lang() {
        crate::messages::Lang::En => r.reason.clone(),
        crate::messages::Lang::Zh => {
            crate::messages::text(&format!("reject.{}", r.kind), &[("value", r.value.clone())])
        }
    }
}

fn field_name(r: &fengqiao_ingest::Reject) -> String {
    match (crate::messages::lang(), r.field.as_str()) {
        (crate::messages::Lang::Zh, "(row)") => tr!("reject.whole_row"),
        _ => r.field.clone(),
    }
}

pub fn jurisdictions(settings: &Settings, file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::input(format!("{}: {e}", file.display())))?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let n = load_jurisdictions(store, &text, &file.display().to_string())?;
    println!("{}", tr!("import.jurisdictions", n = n, file = file.display()));
    Ok(())
}

pub fn facilities(settings: &Settings, file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::input(format!("{}: {e}", file.display())))?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let n = load_facilities(store, &text, &file.display().to_string())?;
    println!("{}", tr!("import.facilities", n = n, file = file.display()));
    Ok(())
}

pub fn profiles() -> Result<()> {
    for name in profile_names() {
        let m = profile(name)?;
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

pub fn datasets(settings: &Settings, json: bool) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let list = store.datasets()?;
    if json {
        println!("{}", serde_json::to_string(&list).expect("serialisable"));
        return Ok(());
    }
    let empty = list.is_empty();
    for d in list {
        // Days on the dataset's own clock, not UTC's.
        let tz: chrono_tz::Tz = d.timezone.parse().unwrap_or(settings.city.timezone);
        let day = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d").to_string();
        let span = match (d.first_at, d.last_at) {
            (Some(a), Some(b)) => format!("{} .. {}", day(a), day(b)),
            _ => "-".into(),
        };
        let line = tr!(
            "datasets.line",
            name = format!("{:<18}", d.name),
            n = format!("{:>10}", thousands(d.incidents)),
            span = span,
            profile = d.profile,
            timezone = d.timezone
        );
        println!("{line}");
    }
    if empty {
        println!("{}", tr!("datasets.none"));
    }
    Ok(())
}
