//! `fengqiao backup DIR` and `fengqiao restore DIR`: everything a SQLite
//! deployment needs to come back — the database as of one moment (taken
//! online), its commitment key, the checkpoint signing key and the
//! attachment files — with a manifest of their SHA-256s written last, so
//! that a backup without a manifest is known to be incomplete. Restore checks
//! every file against the manifest before it touches anything, puts the files
//! in place by rename, and verifies the ledger.

use crate::messages::tr;
use fengqiao_app::Settings;
use fengqiao_app::store::{open_sqlite, open_store, require_sqlite};
use fengqiao_app::{Error, Result};
use fengqiao_store::Store;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const FORMAT: &str = "fengqiao-backup/1";
const DB: &str = "fengqiao.sqlite";
const COMMITMENT_KEY: &str = "fengqiao.sqlite.ledger-key";
const SIGNING_KEY: &str = "ledger-signing.key";
const MANIFEST: &str = "MANIFEST.json";

#[derive(clap::Args)]
pub struct BackupArgs {
    /// Directory to write the backup into (new, or empty)
    pub dir: PathBuf,
    /// Print the manifest as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A directory written by `fengqiao backup`
    pub dir: PathBuf,
    /// Replace an existing database (it is kept beside as `<db>.before-restore-<time>`)
    #[arg(long)]
    pub force: bool,
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let bytes = std::fs::read(path).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    Ok((
        fengqiao_store::secrets::hex(&Sha256::digest(&bytes)),
        bytes.len() as u64,
    ))
}

fn copy_private(from: &Path, to: &Path) -> Result<()> {
    let bytes = std::fs::read(from).map_err(|e| Error::input(format!("{}: {e}", from.display())))?;
    fengqiao_store::secrets::create_owner_only(to, &bytes).map_err(|e| Error::input(format!("{}: {e}", to.display())))
}

/// Attachment files under `root/attachments`, as paths relative to `root`.
fn attachment_files(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let top = root.join("attachments");
    let Ok(dirs) = std::fs::read_dir(&top) else {
        return Ok(out);
    };
    for d in dirs {
        let d = d.map_err(|e| Error::input(format!("{}: {e}", top.display())))?.path();
        for f in std::fs::read_dir(&d).map_err(|e| Error::input(format!("{}: {e}", d.display())))? {
            let f = f.map_err(|e| Error::input(format!("{}: {e}", d.display())))?.path();
            // Temporary files of a write under way start with a dot.
            if f.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')) && f.is_file() {
                out.push(f.strip_prefix(root).expect("under root").to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn backup(settings: &Settings, args: &BackupArgs) -> Result<()> {
    let dir = &args.dir;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| Error::input(format!("{}: {e}", dir.display())))?
            .next()
            .is_some()
    {
        return Err(Error::input(format!(
            "{} is not empty: a backup goes into a new directory",
            dir.display()
        )));
    }
    let store = open_sqlite(settings)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
    // The database first: every attachment its rows name was written before them.
    store.backup_to(&dir.join(DB))?;
    copy_private(&store.commitment_key_path(), &dir.join(COMMITMENT_KEY))?;
    if settings.ledger.signing_key.exists() {
        copy_private(&settings.ledger.signing_key, &dir.join(SIGNING_KEY))?;
    }
    for rel in attachment_files(&settings.store.data_dir)? {
        let to = dir.join(&rel);
        std::fs::create_dir_all(to.parent().expect("attachments/aa"))
            .map_err(|e| Error::input(format!("{}: {e}", to.display())))?;
        std::fs::copy(settings.store.data_dir.join(&rel), &to)
            .map_err(|e| Error::input(format!("{}: {e}", to.display())))?;
    }
    drop(store);
    let copy = fengqiao_store_sqlite::SqliteStore::open(&dir.join(DB))?;
    let checkpoint = copy.latest_checkpoint()?;
    let entries = fengqiao_store::ledger::all_entries(&copy)?.len();
    drop(copy);
    let mut files = Vec::new();
    for rel in [
        PathBuf::from(DB),
        PathBuf::from(COMMITMENT_KEY),
        PathBuf::from(SIGNING_KEY),
    ]
    .into_iter()
    .chain(attachment_files(dir)?)
    {
        if !dir.join(&rel).exists() {
            continue;
        }
        let (sha, size) = sha256_file(&dir.join(&rel))?;
        files.push(json!({"path": rel.to_string_lossy().replace('\\', "/"), "sha256": sha, "size": size}));
    }
    let manifest = json!({
        "format": FORMAT,
        "created_at": chrono::Utc::now(),
        "version": env!("CARGO_PKG_VERSION"),
        "schema_version": fengqiao_store_sqlite::SCHEMA_VERSION,
        "ledger": {"entries": entries, "checkpoint": checkpoint.as_ref().map(|c| json!({"size": c.size, "root": c.note.lines().nth(2)}))},
        "files": files,
    });
    let text = serde_json::to_string_pretty(&manifest)?;
    // Written last, by rename: a directory without it is an unfinished backup.
    let tmp = dir.join(".MANIFEST.json.tmp");
    std::fs::write(&tmp, &text).map_err(|e| Error::input(format!("{}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, dir.join(MANIFEST)).map_err(|e| Error::input(format!("{}: {e}", dir.display())))?;
    if args.json {
        println!("{text}");
    } else {
        println!(
            "{}",
            tr!(
                "backup.done",
                dir = dir.display(),
                entries = entries,
                files = manifest["files"].as_array().map_or(0, Vec::len)
            )
        );
    }
    Ok(())
}

/// Checks every file of the backup against its manifest; returns the manifest.
fn checked_manifest(dir: &Path) -> Result<Value> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Error::input(format!(
            "{}: no {MANIFEST}: not a backup, or an unfinished one",
            dir.display()
        ))
    })?;
    let manifest: Value = serde_json::from_str(&text).map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
    if manifest["format"] != FORMAT {
        return Err(Error::input(format!(
            "{}: format {} is not {FORMAT}",
            path.display(),
            manifest["format"]
        )));
    }
    let files = manifest["files"]
        .as_array()
        .ok_or_else(|| Error::input(format!("{}: no file list", path.display())))?;
    for f in files {
        let rel = f["path"]
            .as_str()
            .ok_or_else(|| Error::input(format!("{}: a file without a path", path.display())))?;
        if rel.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(Error::input(format!(
                "{}: path {rel:?} leaves the backup",
                path.display()
            )));
        }
        let (sha, size) = sha256_file(&dir.join(rel)).map_err(|e| Error::input(format!("backup file {rel}: {e}")))?;
        if f["sha256"] != sha.as_str() || f["size"] != size {
            return Err(Error::input(format!(
                "backup file {rel}: its bytes no longer match the manifest"
            )));
        }
    }
    if !files.iter().any(|f| f["path"] == DB) {
        return Err(Error::input(format!("{}: the backup has no database", path.display())));
    }
    Ok(manifest)
}

pub fn restore(settings: &Settings, args: &RestoreArgs) -> Result<()> {
    require_sqlite(settings)?;
    let manifest = checked_manifest(&args.dir)?;
    let db = &settings.store.db;
    let commitment_key = fengqiao_store_sqlite::commitment_key_path(db);
    let occupied = [db.clone(), commitment_key.clone()]
        .into_iter()
        .filter(|p| p.exists())
        .count()
        > 0;
    if occupied && !args.force {
        return Err(Error::input(format!(
            "{} already holds a database: restore into an empty data directory, or give --force to replace it",
            db.display()
        )));
    }
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::input(format!("{}: {e}", parent.display())))?;
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let set_aside = |p: &Path| -> Result<()> {
        if p.exists() {
            let to = PathBuf::from(format!("{}.before-restore-{stamp}", p.display()));
            std::fs::rename(p, &to).map_err(|e| Error::input(format!("{}: {e}", p.display())))?;
        }
        Ok(())
    };
    for suffix in ["", "-wal", "-shm"] {
        set_aside(&PathBuf::from(format!("{}{suffix}", db.display())))?;
    }
    set_aside(&commitment_key)?;
    // Files go in under temporary names and are renamed into place.
    let put = |from: &Path, to: &Path| -> Result<()> {
        let tmp = PathBuf::from(format!("{}.restoring", to.display()));
        std::fs::copy(from, &tmp).map_err(|e| Error::input(format!("{}: {e}", tmp.display())))?;
        std::fs::rename(&tmp, to).map_err(|e| Error::input(format!("{}: {e}", to.display())))
    };
    copy_private(&args.dir.join(COMMITMENT_KEY), &commitment_key)?;
    if args.dir.join(SIGNING_KEY).exists() {
        set_aside(&settings.ledger.signing_key)?;
        copy_private(&args.dir.join(SIGNING_KEY), &settings.ledger.signing_key)?;
    }
    for rel in attachment_files(&args.dir)? {
        let to = settings.store.data_dir.join(&rel);
        std::fs::create_dir_all(to.parent().expect("attachments/aa"))
            .map_err(|e| Error::input(format!("{}: {e}", to.display())))?;
        put(&args.dir.join(&rel), &to)?;
    }
    put(&args.dir.join(DB), db)?;
    let store = open_store(settings)?;
    let store = store.as_ref();
    let verifier = fengqiao_app::ledger::signer(&settings.ledger.signing_key)?.verifier();
    let report = fengqiao_app::ledger::verify_report(store, &verifier, Some(&settings.store.data_dir))?;
    if report["ok"] != true {
        return Err(Error::input(format!(
            "restored, but the ledger does not verify: {}",
            report["mismatches"]
        )));
    }
    println!(
        "{}",
        tr!(
            "backup.restored",
            database = db.display(),
            created = manifest["created_at"]
                .as_str()
                .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
                .map_or_else(|| "?".to_string(), |t| crate::case::local(settings, t)),
            entries = report["entries"]
        )
    );
    Ok(())
}
