//! Importing an incident file from the page: the file is kept under the
//! hash of its bytes, looked at before any mapping (its encoding, its
//! columns, its first rows, the built-in profiles that fit it), previewed
//! through a mapping (its first rows as incidents and its first rejects,
//! nothing stored), then imported with the same use case as
//! `fengqiao import incidents`.

use crate::error::{Error, Result};
use fengqiao_domain::CategoryTable;
use fengqiao_ingest::{ImportOptions, Mapping, RejectedRow, open_csv_source_as, peek, profile, profile_names};
use fengqiao_store::ImportCounts;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Larger files are imported with `fengqiao import incidents`.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// A mapping written in the page, at most.
pub const MAX_MAPPING_BYTES: usize = 64 * 1024;
/// Uploads older than this are removed when another arrives: the folder
/// holds a week's files, not every file ever sent.
const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
/// Rows a preview reads, shows as incidents, and rejects it shows.
const PREVIEW_ROWS: u64 = 1000;
const SHOWN_ROWS: usize = 10;
const SHOWN_REJECTS: usize = 20;

/// Where uploaded incident files are kept.
fn folder(files_dir: &Path) -> PathBuf {
    files_dir.join("incident-files")
}

/// The kept file named `id` (its SHA-256), if `id` is one.
pub fn path_of(files_dir: &Path, id: &str) -> Result<PathBuf> {
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(Error::field(
            "file",
            id,
            "the id of an uploaded file (64 hexadecimal digits)",
        ));
    }
    let path = folder(files_dir).join(id);
    if !path.is_file() {
        return Err(Error::not_found(format!("no uploaded file {id}: upload it again")));
    }
    Ok(path)
}

/// Keeps `bytes` (written to a temporary name, then renamed); its id.
pub fn keep(files_dir: &Path, bytes: &[u8]) -> Result<String> {
    if bytes.is_empty() {
        return Err(Error::input("the file is empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(Error::new(
            crate::Code::PayloadTooLarge,
            format!(
                "the file has {} bytes, over the page's {} MB: compress it (zip or gzip) or import it with `fengqiao import incidents`",
                bytes.len(),
                MAX_BYTES / 1024 / 1024
            ),
        ));
    }
    let id = hex(&Sha256::digest(bytes));
    let dir = folder(files_dir);
    let io = |e: std::io::Error| Error::internal(format!("keeping the upload in {}: {e}", dir.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    forget_old(&dir);
    let path = dir.join(&id);
    if !path.is_file() {
        let part = dir.join(format!("{id}.part-{}", std::process::id()));
        std::fs::write(&part, bytes).map_err(io)?;
        std::fs::rename(&part, &path).map_err(io)?;
    }
    Ok(id)
}

/// Removes uploads (and parts left by a crash) older than [`KEPT_FOR`].
fn forget_old(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > KEPT_FOR);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The mapping to read a file with: a built-in profile, or one written in the page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingChoice {
    pub profile: Option<String>,
    /// A mapping file's text (TOML).
    pub mapping: Option<String>,
}

impl MappingChoice {
    pub fn mapping(&self) -> Result<Mapping> {
        match (&self.profile, &self.mapping) {
            (_, Some(text)) if text.len() > MAX_MAPPING_BYTES => Err(Error::field(
                "mapping",
                "…",
                format!("a mapping of at most {} KB", MAX_MAPPING_BYTES / 1024),
            )),
            (_, Some(text)) => Ok(Mapping::from_toml(text, "the mapping")?),
            (Some(name), None) => Ok(profile(name).map_err(|e| Error::field("profile", name, e.to_string()))?),
            (None, None) => Err(Error::field("profile", "", "a built-in profile or a mapping")),
        }
    }
}

/// An uploaded file as it stands, and how a mapping reads it.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub file: String,
    pub bytes: u64,
    /// The encoding the file is read in, and whether it was detected.
    pub encoding: String,
    pub detected: bool,
    pub zip_member: Option<String>,
    pub header: Vec<String>,
    /// The first rows as text, before any mapping.
    pub rows: Vec<Vec<String>>,
    /// Built-in profiles whose columns the file has.
    pub fitting_profiles: Vec<String>,
    /// Why the mapping cannot read the file (a missing column, a bad mapping), if it cannot.
    pub problem: Option<String>,
    /// The same for a page to put in its own words: `{"kind": "missing_column", "column", "role"}`
    /// or `{"kind": "no_profile"}`, when it is one of those.
    pub problem_detail: Option<serde_json::Value>,
    /// Rows read through the mapping (at most 1000), taken, rejected.
    pub read: u64,
    pub parsed: u64,
    pub rejected: u64,
    /// The first rows as incidents.
    pub incidents: Vec<PreviewIncident>,
    /// The first rejected rows, with why and their text.
    pub rejects: Vec<RejectedRow>,
}

/// A row read as an incident, as the page shows it.
#[derive(Debug, Serialize)]
pub struct PreviewIncident {
    pub key: String,
    /// When, in the mapping's time zone with its offset.
    pub occurred: String,
    pub category: String,
    pub category_zh: String,
    pub category_en: String,
    pub lon: f64,
    pub lat: f64,
    pub address: Option<String>,
    pub unit: Option<String>,
    pub origin: String,
}

/// Looks at an uploaded file through `choice` (the first profile that fits
/// when none is given); stores nothing.
pub fn preview(
    files_dir: &Path,
    categories: &CategoryTable,
    id: &str,
    encoding: Option<&str>,
    choice: &MappingChoice,
) -> Result<Preview> {
    let path = path_of(files_dir, id)?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let chosen = match (&choice.profile, &choice.mapping) {
        (None, None) => None,
        _ => Some(choice.mapping()?),
    };
    let delimiter = chosen
        .as_ref()
        .and_then(|m| m.delimiter.as_bytes().first().copied())
        .unwrap_or(b',');
    let columns = chosen.as_ref().map(|m| m.columns.clone()).unwrap_or_default();
    let source = open_csv_source_as(&path, encoding)?;
    let (encoding_read, detected, zip_member) =
        (source.encoding.to_string(), source.detected, source.zip_member.clone());
    let (header, rows) = peek(source, "the file", delimiter, &columns, SHOWN_ROWS)?;
    let fitting_profiles: Vec<String> = profile_names()
        .into_iter()
        .filter(|name| profile(name).is_ok_and(|m| fengqiao_ingest::RowParser::new(m, &header, "", categories).is_ok()))
        .map(String::from)
        .collect();
    let mut out = Preview {
        file: id.to_string(),
        bytes,
        encoding: encoding_read,
        detected,
        zip_member,
        header,
        rows,
        fitting_profiles,
        problem: None,
        problem_detail: None,
        read: 0,
        parsed: 0,
        rejected: 0,
        incidents: Vec::new(),
        rejects: Vec::new(),
    };
    let mapping = match chosen {
        Some(m) => m,
        None => match out.fitting_profiles.first() {
            Some(name) => profile(name)?,
            None => {
                out.problem =
                    Some("no built-in profile fits the file's columns: choose one and edit its mapping".into());
                return Ok(out);
            }
        },
    };
    let tz: chrono_tz::Tz = mapping.timezone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    let opts = ImportOptions {
        batch_size: PREVIEW_ROWS as usize,
        max_rows: Some(PREVIEW_ROWS),
        keep_rejects: SHOWN_REJECTS,
        encoding: encoding.map(String::from),
        ..ImportOptions::default()
    };
    let mut incidents = Vec::new();
    let result = fengqiao_ingest::import(
        open_csv_source_as(&path, encoding)?,
        "the file",
        "preview",
        mapping,
        categories,
        None,
        &opts,
        &|_, _, _| {},
        |batch: &[fengqiao_domain::NewIncident], mut c: ImportCounts| {
            for r in batch.iter().take(SHOWN_ROWS.saturating_sub(incidents.len())) {
                let category = categories.get(&r.category);
                incidents.push(PreviewIncident {
                    key: r.source_key.clone(),
                    occurred: r
                        .occurred_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M:%S %:z")
                        .to_string(),
                    category: r.category.clone(),
                    category_zh: category.map(|c| c.zh.clone()).unwrap_or_default(),
                    category_en: category.map(|c| c.en.clone()).unwrap_or_default(),
                    lon: r.lon,
                    lat: r.lat,
                    address: r.address.clone(),
                    unit: r.unit.clone(),
                    origin: r.origin.as_str().to_string(),
                });
            }
            c.imported += batch.len() as u64;
            Ok(c)
        },
    );
    match result {
        Ok(s) => {
            out.read = s.read;
            out.rejected = s.rejected;
            out.parsed = s.read - s.rejected;
            out.rejects = s.kept_rejects;
            out.incidents = incidents;
        }
        Err(e) => {
            if let fengqiao_ingest::IngestError::MissingColumn { column, role, .. } = &e {
                out.problem_detail =
                    Some(serde_json::json!({"kind": "missing_column", "column": column, "role": role}));
            }
            out.problem = Some(e.to_string());
        }
    }
    Ok(out)
}

/// An import of an uploaded file, checked: the file, the mapping, the
/// dataset (letters of any script, digits, `-`, `_`; at most 40), the
/// encoding, rejects kept one file per run as the command line keeps them.
pub fn import_request(
    files_dir: &Path,
    settings: &crate::Settings,
    id: &str,
    encoding: Option<&str>,
    choice: &MappingChoice,
    dataset: Option<&str>,
) -> Result<(crate::imports::ImportIncidents, Mapping)> {
    let file = path_of(files_dir, id)?;
    let mapping = choice.mapping()?;
    if let Some(e) = encoding {
        // Named now, not when the import has started.
        open_csv_source_as(&file, Some(e)).map_err(|err| Error::field("encoding", e, err.to_string()))?;
    }
    let dataset = dataset
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(&mapping.name)
        .to_string();
    if dataset.chars().count() > 40 || !dataset.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::field(
            "dataset",
            &dataset,
            "a name of at most 40 letters, digits, '-' or '_'",
        ));
    }
    let rejects_dir = settings.store.data_dir.join("rejects");
    std::fs::create_dir_all(&rejects_dir)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", rejects_dir.display())))?;
    Ok((
        crate::imports::ImportIncidents {
            file,
            dataset,
            rejects: None,
            rejects_dir: Some(rejects_dir),
            encoding: encoding.map(String::from),
        },
        mapping,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "报警时间,经度,纬度,警情类别,发生地址\n\
                          2026-11-03 08:15:27,121.541236,29.871042,刑事案件-盗窃-入室盗窃,海曙区中山西路188号\n\
                          2026-11-03 09:02:11,121.548915,29.868177,殴打他人,海曙区药行街56号\n\
                          2026-13-03 09:02:11,121.548915,29.868177,殴打他人,海曙区药行街56号\n";

    #[test]
    fn a_kept_file_is_previewed_through_the_profile_that_fits() {
        let dir = tempfile::tempdir().unwrap();
        let gbk = encoding_rs::GB18030.encode(SAMPLE).0.into_owned();
        let id = keep(dir.path(), &gbk).unwrap();
        assert_eq!(keep(dir.path(), &gbk).unwrap(), id, "the same bytes, the same file");
        let table = CategoryTable::default_110();
        let p = preview(dir.path(), &table, &id, None, &MappingChoice::default()).unwrap();
        assert_eq!((p.encoding.as_str(), p.detected), ("GB18030", true));
        assert_eq!(p.header[0], "报警时间");
        assert_eq!(p.rows.len(), 3);
        assert_eq!(p.fitting_profiles, ["cn-110", "cn-110-bd09", "cn-110-wgs84"]);
        assert_eq!((p.read, p.parsed, p.rejected), (3, 2, 1));
        assert_eq!(p.incidents[0].occurred, "2026-11-03 08:15:27 +08:00");
        assert_eq!(p.incidents[0].category_zh, "入室盗窃");
        assert_eq!(p.rejects[0].reject.line, 4);
        assert!(p.rejects[0].record.starts_with("2026-13-03"));
        // A mapping that does not fit says why, beside the file's own rows.
        let p = preview(
            dir.path(),
            &table,
            &id,
            None,
            &MappingChoice {
                profile: Some("chicago".into()),
                mapping: None,
            },
        )
        .unwrap();
        assert!(p.problem.unwrap().contains("is not in the header"));
        assert_eq!(p.rows.len(), 3);
    }

    #[test]
    fn uploads_are_kept_a_week() {
        let dir = tempfile::tempdir().unwrap();
        let old = keep(dir.path(), SAMPLE.as_bytes()).unwrap();
        let aged = std::time::SystemTime::now() - KEPT_FOR - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(path_of(dir.path(), &old).unwrap())
            .unwrap()
            .set_modified(aged)
            .unwrap();
        let new = keep(dir.path(), b"a,b\n1,2\n").unwrap();
        assert!(path_of(dir.path(), &new).is_ok());
        assert_eq!(
            path_of(dir.path(), &old).unwrap_err().code,
            crate::Code::NotFound,
            "a week old: gone"
        );
    }

    #[test]
    fn ids_and_names_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            path_of(dir.path(), "../etc/passwd").unwrap_err().code,
            crate::Code::InvalidInput
        );
        assert_eq!(
            path_of(dir.path(), &"a".repeat(64)).unwrap_err().code,
            crate::Code::NotFound
        );
        assert_eq!(keep(dir.path(), b"").unwrap_err().code, crate::Code::InvalidInput);
    }
}
