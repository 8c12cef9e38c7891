//! Importing incidents, and what every import is followed by: the 民转刑
//! links from disputes to the incidents it brought.

use crate::error::{Error, Result};
use crate::settings::Settings;
use fengqiao_ingest::{ImportOptions, Mapping, load_incidents, profile};
use fengqiao_store::Store;
use std::path::{Path, PathBuf};

/// The import's column mapping: a built-in profile or a mapping file.
pub fn mapping_for(profile_name: Option<&str>, map: Option<&Path>) -> Result<Mapping> {
    match (profile_name, map) {
        (Some(p), _) => Ok(profile(p)?),
        (None, Some(m)) => {
            let text = std::fs::read_to_string(m).map_err(|e| {
                let e = Error::input(format!("mapping file {}: {e}", m.display()));
                if std::fs::metadata(m).is_err() {
                    Error::not_found(e.message)
                } else {
                    e
                }
            })?;
            Ok(Mapping::from_toml(&text, &m.display().to_string())?)
        }
        (None, None) => Err(Error::new(crate::Code::Usage, "give --profile NAME or --map FILE.toml")),
    }
}

/// An incident file to import.
#[derive(Debug, Clone, Default)]
pub struct ImportIncidents {
    pub file: PathBuf,
    pub dataset: String,
    /// Where rejected rows go (`None`: nowhere, unless `rejects_dir`).
    pub rejects: Option<PathBuf>,
    /// Without `rejects`, the folder where rejected rows go, one file per
    /// import run (`DATASET-runN.csv`).
    pub rejects_dir: Option<PathBuf>,
    /// The file's encoding; detected when `None`.
    pub encoding: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    #[serde(flatten)]
    pub report: fengqiao_ingest::LoadReport,
    /// New 民转刑 links from disputes to the imported incidents.
    pub escalation_links: usize,
    /// Rounds of warnings opened for the alert zones the new incidents opened.
    pub prevention_rounds: usize,
}

/// Imports one incident file, then links disputes to the incidents it
/// brought. `progress(bytes, total_bytes, rows)` is called as it reads.
pub fn import_incidents(
    store: &dyn Store,
    settings: &Settings,
    req: &ImportIncidents,
    mapping: Mapping,
    progress: &dyn fengqiao_ingest::Progress,
) -> Result<Imported> {
    if !req.file.is_file() {
        return Err(Error::not_found(format!("{}: no such file", req.file.display())));
    }
    let opts = ImportOptions {
        rejects_path: req.rejects.clone(),
        rejects_dir: req.rejects_dir.clone(),
        encoding: req.encoding.clone(),
        ..ImportOptions::default()
    };
    let report = load_incidents(
        store,
        &req.file,
        &req.dataset,
        mapping,
        &settings.city.categories,
        &opts,
        progress,
    )?;
    let escalation_links = match report.summary.occurred_between {
        Some(period) => crate::escalation::link_period(store, &settings.cases.escalation, period, "import")?.len(),
        None => 0,
    };
    let prevention_rounds = crate::prevention::open_visit_tasks(
        store,
        &settings.cases,
        &settings.city.categories,
        &req.dataset,
        chrono::Utc::now(),
    )?
    .len();
    Ok(Imported {
        report,
        escalation_links,
        prevention_rounds,
    })
}
