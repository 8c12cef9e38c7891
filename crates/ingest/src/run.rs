//! The import loop: read, parse, key, assign jurisdiction, batch, commit.
//!
//! Parsing runs on its own thread and hands finished batches to the caller's
//! thread, which commits them; the two overlap, and memory stays bounded by
//! a few batches whatever the file size.

use crate::parse::{Reject, RowParser};
use crate::source::{CsvSource, hex};
use crate::{IngestError, JurisdictionLookup, Mapping};
use fengqiao_domain::{CategoryTable, NewIncident};
use fengqiao_store::ImportCounts;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub batch_size: usize,
    /// Where to write rejected rows (CSV: line, field, reason, record);
    /// created only when a row is rejected.
    pub rejects_path: Option<PathBuf>,
    /// Without `rejects_path`, the folder where a stored import writes its
    /// rejects as `DATASET-runN.csv`, one file per import run.
    pub rejects_dir: Option<PathBuf>,
    /// The file's encoding (see [`crate::ENCODINGS`]); detected when `None`.
    pub encoding: Option<String>,
    /// A preview: read at most this many rows, and report rather than
    /// refuse when every row read is rejected.
    pub max_rows: Option<u64>,
    /// Rejected rows kept in the summary (`kept_rejects`), the first ones.
    pub keep_rejects: usize,
    /// Abort, writing nothing, when this many leading rows are all rejected:
    /// the mapping is wrong (wrong CRS, wrong columns), not the data.
    pub abort_after_leading_rejects: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            batch_size: 10_000,
            rejects_path: None,
            rejects_dir: None,
            encoding: None,
            max_rows: None,
            keep_rejects: 0,
            abort_after_leading_rejects: 1000,
        }
    }
}

/// Progress as (compressed bytes read, file size, rows read).
pub trait Progress: Sync {
    fn update(&self, bytes: u64, total: u64, rows: u64);
}

impl<F: Fn(u64, u64, u64) + Sync> Progress for F {
    fn update(&self, bytes: u64, total: u64, rows: u64) {
        self(bytes, total, rows)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub dataset: String,
    pub profile: String,
    pub file: String,
    /// The encoding the file was read in (`UTF-8`, `GB18030`, `UTF-16LE`, …).
    pub encoding: String,
    /// The file read inside a zip archive.
    pub zip_member: Option<String>,
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    pub rejected: u64,
    /// Rejections counted by field and reason class.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// For each key of `rejected_by_reason`, its first reject: the line and
    /// the reason with its values.
    pub first_rejects: BTreeMap<String, Reject>,
    /// The first rejected rows with their text, as many as asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_rejects: Vec<RejectedRow>,
    pub rejects_file: Option<String>,
    /// Assigned to a jurisdiction polygon (0 when none are loaded).
    pub in_jurisdiction: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    /// The earliest and latest occurrence among the rows stored or found
    /// already stored: the period later rules (民转刑 linking) look at.
    pub occurred_between: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
}

/// A rejected row: why, and the row as it stands in the file.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    #[serde(flatten)]
    pub reject: Reject,
    pub record: String,
}

struct Batch {
    rows: Vec<NewIncident>,
    read: u64,
    rejected: u64,
    last_line: u64,
}

struct RejectSink {
    path: Option<PathBuf>,
    writer: Option<csv::Writer<std::fs::File>>,
    by_reason: BTreeMap<String, u64>,
    first: BTreeMap<String, Reject>,
    leading: Option<Reject>,
    keep: usize,
    kept: Vec<RejectedRow>,
}

impl RejectSink {
    fn write(&mut self, r: &Reject, record: &str) -> Result<(), IngestError> {
        // Group "x is not a valid date" style reasons by their field and the
        // reason's wording without quoted values, so the summary stays short.
        let class = format!("{}: {}", r.field, reason_class(&r.reason));
        self.first.entry(class.clone()).or_insert_with(|| r.clone());
        *self.by_reason.entry(class).or_default() += 1;
        if self.leading.is_none() {
            self.leading = Some(r.clone());
        }
        if self.kept.len() < self.keep {
            self.kept.push(RejectedRow {
                reject: r.clone(),
                record: record.to_string(),
            });
        }
        let Some(path) = &self.path else {
            return Ok(());
        };
        let err = |source| IngestError::Rejects {
            path: path.clone(),
            source,
        };
        if self.writer.is_none() {
            let mut w = csv::Writer::from_path(path).map_err(|e| err(std::io::Error::other(e)))?;
            w.write_record(["line", "field", "reason", "record"])
                .map_err(|e| err(std::io::Error::other(e)))?;
            self.writer = Some(w);
        }
        let w = self.writer.as_mut().expect("created above");
        w.write_record([r.line.to_string().as_str(), &r.field, &r.reason, record])
            .map_err(|e| err(std::io::Error::other(e)))
    }

    fn flush(&mut self) -> Result<(), IngestError> {
        if let (Some(w), Some(path)) = (&mut self.writer, &self.path) {
            w.flush().map_err(|source| IngestError::Rejects {
                path: path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Imports `source` (named `label` in messages) through `mapping`. Each
/// batch goes to `sink`, which must commit it atomically together with the
/// counts it is given and return them with `imported`/`duplicates` updated.
#[allow(clippy::too_many_arguments)]
pub fn import(
    source: CsvSource,
    label: &str,
    dataset: &str,
    mapping: Mapping,
    categories: &CategoryTable,
    lookup: Option<&JurisdictionLookup>,
    opts: &ImportOptions,
    progress: &dyn Progress,
    mut sink: impl FnMut(&[NewIncident], ImportCounts) -> Result<ImportCounts, String>,
) -> Result<ImportSummary, IngestError> {
    let started = Instant::now();
    let profile = mapping.name.clone();
    let delimiter = mapping.delimiter.as_bytes().first().copied().unwrap_or(b',');
    let CsvSource {
        reader,
        bytes_read,
        total_bytes,
        encoding,
        zip_member,
        ..
    } = source;
    let mut records = crate::records::Records::new(reader, delimiter);
    let header = read_header(&mut records, &mapping.columns, label)?;
    let parser = RowParser::new(mapping, &header, label, categories).map_err(|e| match e {
        // Names that do not match may be names read in the wrong encoding.
        IngestError::MissingColumn {
            path,
            column,
            role,
            header,
        } => IngestError::MissingColumn {
            path,
            column,
            role,
            header: format!(
                "{header} (read as {encoding}; if these names look garbled, give the file's encoding with --encoding)"
            ),
        },
        other => other,
    })?;
    let mut rejects = RejectSink {
        path: opts.rejects_path.clone(),
        writer: None,
        by_reason: BTreeMap::new(),
        first: BTreeMap::new(),
        leading: None,
        keep: opts.keep_rejects,
        kept: Vec::new(),
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch, IngestError>>(4);
    let batch_size = opts.batch_size.max(1);

    let mut counts = ImportCounts::default();
    let mut in_jurisdiction = 0u64;
    let mut occurred_between: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> = None;
    let outcome: Result<(), IngestError> = std::thread::scope(|scope| {
        let parser = &parser;
        let rejects = &mut rejects;
        let bytes_read = &bytes_read;
        scope.spawn(move || {
            let mut occurrences: HashMap<u128, u32> = HashMap::new();
            let mut rec = csv::StringRecord::new();
            let expected = Some(parser.columns());
            let mut batch = Batch {
                rows: Vec::with_capacity(batch_size),
                read: 0,
                rejected: 0,
                last_line: 1,
            };
            let mut total_read = 0u64;
            let mut total_ok = 0u64;
            loop {
                let step = match records.next(expected) {
                    Ok(None) => break,
                    Ok(Some(step)) => step,
                    Err(e) => {
                        let _ = tx.send(Err(IngestError::Malformed {
                            path: label.to_string(),
                            reason: e.to_string(),
                        }));
                        return;
                    }
                };
                let line = records.line();
                batch.read += 1;
                batch.last_line = line;
                let raw = || String::from_utf8_lossy(records.raw()).into_owned();
                let reject = |kind: &'static str, value: String, reason: String| {
                    Some((Reject::new(line, "(row)", kind, &value, reason), raw()))
                };
                let reject = match step {
                    crate::records::Read1::OpenQuote => reject(
                        "open_quote",
                        String::new(),
                        "a quote opened on this line is never closed (the rows after it are read on their own)".into(),
                    ),
                    crate::records::Read1::Record if records.len() != parser.columns() => reject(
                        "field_count",
                        format!("{}/{}", records.len(), parser.columns()),
                        format!("row has {} fields, the header has {}", records.len(), parser.columns()),
                    ),
                    crate::records::Read1::Record => match fill(&mut rec, &records) {
                        Err(at) => reject(
                            "not_text",
                            encoding.to_string(),
                            format!(
                                "row is not valid {encoding} text (field {}); give the file's encoding with --encoding",
                                at + 1
                            ),
                        ),
                        Ok(()) => match parser.parse(&rec, line) {
                            Ok(mut inc) => {
                                if inc.source_key.is_empty() {
                                    inc.source_key = content_key(&rec, &mut occurrences);
                                }
                                if let Some(l) = lookup {
                                    inc.jurisdiction_id = l.find(inc.lon, inc.lat);
                                }
                                batch.rows.push(inc);
                                total_ok += 1;
                                None
                            }
                            Err(r) => Some((r, raw())),
                        },
                    },
                };
                if let Some((r, raw)) = reject {
                    batch.rejected += 1;
                    if let Err(e) = rejects.write(&r, &raw) {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
                total_read += 1;
                let preview = opts.max_rows.is_some();
                if !preview && total_ok == 0 && total_read >= opts.abort_after_leading_rejects {
                    let r = rejects.leading.clone().expect("a reject was recorded");
                    let _ = tx.send(Err(IngestError::Malformed {
                        path: label.to_string(),
                        reason: format!(
                            "the first {total_read} rows were all rejected, so the mapping does not fit this file; \
                             first: line {}, field {}: {}",
                            r.line, r.field, r.reason
                        ),
                    }));
                    return;
                }
                if opts.max_rows.is_some_and(|n| total_read >= n) {
                    break;
                }
                if batch.read as usize >= batch_size {
                    progress.update(bytes_read.load(Ordering::Relaxed), total_bytes, total_read);
                    let full = std::mem::replace(
                        &mut batch,
                        Batch {
                            rows: Vec::with_capacity(batch_size),
                            read: 0,
                            rejected: 0,
                            last_line: line,
                        },
                    );
                    if tx.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
            if total_read > 0 && total_ok == 0 && opts.max_rows.is_none() {
                let r = rejects.leading.clone().expect("a reject was recorded");
                let _ = tx.send(Err(IngestError::Malformed {
                    path: label.to_string(),
                    reason: format!(
                        "all {total_read} rows were rejected; first: line {}, field {}: {}",
                        r.line, r.field, r.reason
                    ),
                }));
                return;
            }
            if let Err(e) = rejects.flush() {
                let _ = tx.send(Err(e));
                return;
            }
            progress.update(bytes_read.load(Ordering::Relaxed), total_bytes, total_read);
            let _ = tx.send(Ok(batch));
        });

        for msg in rx {
            let batch = msg?;
            in_jurisdiction += batch.rows.iter().filter(|r| r.jurisdiction_id.is_some()).count() as u64;
            for r in &batch.rows {
                let (from, to) = occurred_between.get_or_insert((r.occurred_at, r.occurred_at));
                *from = (*from).min(r.occurred_at);
                *to = (*to).max(r.occurred_at);
            }
            let next = ImportCounts {
                read: counts.read + batch.read,
                rejected: counts.rejected + batch.rejected,
                last_line: batch.last_line,
                ..counts
            };
            counts = sink(&batch.rows, next).map_err(|reason| IngestError::Sink {
                line: batch.last_line,
                reason,
            })?;
        }
        Ok(())
    });
    outcome?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(ImportSummary {
        dataset: dataset.to_string(),
        profile,
        file: label.to_string(),
        encoding: encoding.to_string(),
        zip_member,
        read: counts.read,
        imported: counts.imported,
        duplicates: counts.duplicates,
        rejected: counts.rejected,
        rejected_by_reason: rejects.by_reason,
        first_rejects: rejects.first,
        kept_rejects: rejects.kept,
        rejects_file: rejects
            .writer
            .is_some()
            .then(|| opts.rejects_path.as_ref().map(|p| p.display().to_string()))
            .flatten(),
        in_jurisdiction,
        seconds,
        rows_per_second: if seconds > 0.0 {
            counts.read as f64 / seconds
        } else {
            0.0
        },
        occurred_between,
    })
}

/// The file's column names: its first record, or `columns` for a file
/// without a header row.
fn read_header<R: std::io::Read>(
    records: &mut crate::records::Records<R>,
    columns: &[String],
    label: &str,
) -> Result<Vec<String>, IngestError> {
    let malformed = |reason: String| IngestError::Malformed {
        path: label.to_string(),
        reason,
    };
    let header: Vec<String> = if columns.is_empty() {
        match records.next(None).map_err(|e| malformed(e.to_string()))? {
            None => {
                return Err(IngestError::NoHeader {
                    path: label.to_string(),
                });
            }
            Some(crate::records::Read1::OpenQuote) => {
                return Err(malformed("the header line opens a quote it never closes".into()));
            }
            Some(crate::records::Read1::Record) => (0..records.len())
                .map(|i| {
                    String::from_utf8_lossy(records.field(i))
                        .trim_start_matches('\u{feff}')
                        .to_string()
                })
                .collect(),
        }
    } else {
        columns.to_vec()
    };
    if header.iter().all(|h| h.trim().is_empty()) {
        return Err(IngestError::NoHeader {
            path: label.to_string(),
        });
    }
    Ok(header)
}

/// The first rows of a file as they stand, before any mapping: its column
/// names and up to `rows` records of text (a row that is not text in the
/// file's encoding shows U+FFFD where it is not).
pub fn peek(
    source: CsvSource,
    label: &str,
    delimiter: u8,
    columns: &[String],
    rows: usize,
) -> Result<(Vec<String>, Vec<Vec<String>>), IngestError> {
    let mut records = crate::records::Records::new(source.reader, delimiter);
    let header = read_header(&mut records, columns, label)?;
    let mut out = Vec::new();
    while out.len() < rows {
        match records.next(Some(header.len())) {
            Ok(None) => break,
            Ok(Some(crate::records::Read1::Record)) => out.push(
                (0..records.len())
                    .map(|i| String::from_utf8_lossy(records.field(i)).into_owned())
                    .collect(),
            ),
            Ok(Some(crate::records::Read1::OpenQuote)) => {
                out.push(vec![String::from_utf8_lossy(records.raw()).into_owned()])
            }
            Err(e) => {
                return Err(IngestError::Malformed {
                    path: label.to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok((header, out))
}

/// `rec` holds the record's fields as text; the index of the first field
/// that is not UTF-8 when one is not.
fn fill<R: std::io::Read>(rec: &mut csv::StringRecord, records: &crate::records::Records<R>) -> Result<(), usize> {
    rec.clear();
    for i in 0..records.len() {
        rec.push_field(std::str::from_utf8(records.field(i)).map_err(|_| i)?);
    }
    Ok(())
}

/// A stable key for a row from a source without ids: a hash of its content,
/// plus the number of earlier identical rows in the same file, so that two
/// genuinely identical incidents (same minute, same geocoded block) both
/// survive while re-importing the file adds nothing.
fn content_key(rec: &csv::StringRecord, occurrences: &mut HashMap<u128, u32>) -> String {
    let mut h = Sha256::new();
    for f in rec.iter() {
        h.update(f.trim().as_bytes());
        h.update([0x1f]);
    }
    let digest = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    let n = occurrences.entry(u128::from_be_bytes(first)).or_insert(0);
    let key = if *n == 0 {
        format!("h{}", hex(&first))
    } else {
        format!("h{}-{}", hex(&first), n)
    };
    *n += 1;
    key
}

/// A reason with its particular values (quoted text, numbers) elided, so
/// that rejects group by kind: `"x" is not a number` -> `… is not a number`.
fn reason_class(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut quoted = false;
    let mut chars = reason.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if !quoted {
                out.push('…');
            }
            quoted = !quoted;
        } else if quoted {
            continue;
        } else if c.is_ascii_digit() || (c == '-' && chars.peek().is_some_and(char::is_ascii_digit)) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                chars.next();
            }
            out.push('#');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod reason_tests {
    #[test]
    fn values_are_elided() {
        assert_eq!(
            super::reason_class("position (-122.41712, 45.49582) is outside the area of portland [-122.84, 45.43]"),
            "position (#, #) is outside the area of portland [#, #]"
        );
        assert_eq!(super::reason_class("\"abc\" is not a number"), "… is not a number");
        assert_eq!(super::reason_class("blank coordinate"), "blank coordinate");
    }
}
