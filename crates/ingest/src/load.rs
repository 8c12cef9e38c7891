//! Loading files into a [`Store`]: an incident file through a mapping, a
//! jurisdiction GeoJSON, a facilities list. Shared by the CLI and anything
//! else that imports (a future upload endpoint).

use crate::{
    ImportOptions, ImportSummary, IngestError, JurisdictionLookup, Mapping, Progress, import, open_csv_source_as,
};
use fengqiao_domain::{CategoryTable, Facility, Level};
use fengqiao_geo::{parse_feature_collection, parse_geometry_text};
use fengqiao_store::{ImportStart, NewJurisdiction, Store, StoreError};
use std::path::Path;

/// What loading an incident file did, including an earlier interrupted run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    #[serde(flatten)]
    pub summary: ImportSummary,
    pub run: i64,
    /// Set when an earlier import of the same file stopped after this line.
    pub resumed_after_line: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{error}; {committed} incidents up to line {line} are stored (import run {run}); run the same import again to finish"
    )]
    Interrupted {
        error: IngestError,
        committed: u64,
        line: u64,
        run: i64,
    },
}

/// `name` as part of a file name: letters (any script), digits, `-` and `_`.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The jurisdictions in the store, ready for point-in-polygon lookups.
pub fn jurisdiction_lookup(store: &dyn Store) -> Result<JurisdictionLookup, LoadError> {
    let areas = store
        .jurisdictions()?
        .into_iter()
        .filter_map(|j| {
            parse_geometry_text(&j.geometry)
                .ok()
                .map(|g| (j.jurisdiction.id, j.jurisdiction.level, g))
        })
        .collect();
    Ok(JurisdictionLookup::new(areas))
}

/// Imports `path` into dataset `dataset` through `mapping`.
pub fn load_incidents(
    store: &dyn Store,
    path: &Path,
    dataset: &str,
    mapping: Mapping,
    categories: &CategoryTable,
    opts: &ImportOptions,
    progress: &dyn Progress,
) -> Result<LoadReport, LoadError> {
    let sha = crate::file_sha256(path)?;
    let source = open_csv_source_as(path, opts.encoding.as_deref())?;
    let lookup = jurisdiction_lookup(store)?;
    let (run, unfinished) = store.begin_import(&ImportStart {
        dataset: dataset.to_string(),
        profile: mapping.name.clone(),
        timezone: mapping.timezone.clone(),
        file_name: path.display().to_string(),
        file_sha256: sha,
    })?;
    let mut committed = fengqiao_store::ImportCounts::default();
    let label = path.display().to_string();
    let opts = &ImportOptions {
        rejects_path: opts.rejects_path.clone().or_else(|| {
            opts.rejects_dir
                .as_ref()
                .map(|dir| dir.join(format!("{}-run{run}.csv", file_stem(dataset))))
        }),
        ..opts.clone()
    };
    let result = import(
        source,
        &label,
        dataset,
        mapping,
        categories,
        (!lookup.is_empty()).then_some(&lookup),
        opts,
        progress,
        |rows, counts| {
            let c = store.import_batch(run, rows, counts).map_err(|e| e.to_string())?;
            committed = c;
            Ok(c)
        },
    );
    match result {
        Ok(summary) => {
            store.finish_import(run, committed)?;
            if let Some(ds) = store.datasets()?.into_iter().find(|d| d.name == dataset)
                && let Some([x0, y0, x1, y1]) = ds.bbox
            {
                store.set_setting(
                    &format!("centre:{dataset}"),
                    &format!("{},{}", (x0 + x1) / 2.0, (y0 + y1) / 2.0),
                )?;
            }
            Ok(LoadReport {
                summary,
                run,
                resumed_after_line: unfinished.map(|u| u.lines_committed),
            })
        }
        Err(error) if committed.read == 0 => {
            store.abort_import(run)?;
            Err(error.into())
        }
        Err(error) => Err(LoadError::Interrupted {
            error,
            committed: committed.imported,
            line: committed.last_line,
            run,
        }),
    }
}

/// Replaces the jurisdiction tree with a GeoJSON FeatureCollection whose
/// features carry `code`, `name` (zh), `name_en`, `level` and `parent`.
pub fn load_jurisdictions(store: &dyn Store, geojson: &str, origin: &str) -> Result<usize, LoadError> {
    let bad = |reason: String| {
        LoadError::Ingest(IngestError::Mapping {
            origin: origin.to_string(),
            reason,
        })
    };
    let features = parse_feature_collection(geojson).map_err(|e| bad(e.to_string()))?;
    let mut items = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let prop = |k: &str| f.properties.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let code = prop("code").ok_or_else(|| bad(format!("feature {i}: no \"code\" property")))?;
        let level_text = prop("level").unwrap_or_default();
        let level = Level::parse(&level_text).ok_or_else(|| {
            bad(format!(
                "feature {i} ({code}): level {level_text:?} is not city/district/town/village/grid"
            ))
        })?;
        let name_zh = prop("name").or_else(|| prop("name_zh")).unwrap_or_else(|| code.clone());
        let geometry = serde_json::to_string(&geometry_json(&f.geometry)).expect("serialisable");
        items.push(NewJurisdiction {
            name_en: prop("name_en").unwrap_or_else(|| name_zh.clone()),
            name_zh,
            code,
            level,
            parent_code: prop("parent"),
            geometry,
        });
    }
    let codes: std::collections::HashSet<&str> = items.iter().map(|j| j.code.as_str()).collect();
    for j in &items {
        if let Some(p) = &j.parent_code
            && !codes.contains(p.as_str())
        {
            return Err(bad(format!("{}: parent {p:?} is not in the file", j.code)));
        }
    }
    Ok(store.replace_jurisdictions(&items)?)
}

fn geometry_json(g: &fengqiao_geo::MultiPolygon) -> serde_json::Value {
    let polys: Vec<serde_json::Value> = g.0.iter().map(|p| serde_json::json!(p.rings)).collect();
    if polys.len() == 1 {
        serde_json::json!({"type": "Polygon", "coordinates": polys[0]})
    } else {
        serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
    }
}

/// Replaces stations and posts with a JSON list of facilities.
pub fn load_facilities(store: &dyn Store, json: &str, origin: &str) -> Result<usize, LoadError> {
    let items: Vec<Facility> = serde_json::from_str(json).map_err(|e| {
        LoadError::Ingest(IngestError::Mapping {
            origin: origin.to_string(),
            reason: e.to_string(),
        })
    })?;
    Ok(store.replace_facilities(&items)?)
}
