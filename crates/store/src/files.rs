//! Attachment files: kept in `DATA_DIR/attachments/<aa>/<sha256>` under the
//! hash of their bytes (so a file is stored once however often it is
//! attached, and a changed file no longer matches its name or its logged
//! record), written to a temporary name and renamed into place.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Larger files are refused.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;

pub fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir.join("attachments").join(&sha256[..2]).join(sha256)
}

/// The media type for a file name, from its extension.
pub fn media_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
}

/// Why an attachment cannot be stored or read back.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {reason}")]
    Io {
        path: String,
        reason: String,
        missing: bool,
    },
    #[error("{what}: {size} bytes is over the {} MB limit for attachments", MAX_BYTES / 1024 / 1024)]
    TooLarge { what: String, size: u64 },
    #[error("{0}: not a file")]
    NotAFile(String),
    #[error("not a SHA-256")]
    NotADigest,
    #[error("the file is missing")]
    Missing,
    #[error("the file's bytes no longer match its hash")]
    Changed,
}

fn io(path: &Path, e: std::io::Error) -> FileError {
    FileError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
        missing: e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// The bytes of `file`, if it is a file within the attachments' size limit.
pub fn read_file(file: &Path) -> Result<Vec<u8>, FileError> {
    let meta = std::fs::metadata(file).map_err(|e| io(file, e))?;
    if !meta.is_file() {
        return Err(FileError::NotAFile(file.display().to_string()));
    }
    if meta.len() > MAX_BYTES {
        return Err(FileError::TooLarge {
            what: file.display().to_string(),
            size: meta.len(),
        });
    }
    std::fs::read(file).map_err(|e| io(file, e))
}

/// Keeps `bytes` in the store of attachments; returns (sha256 hex, size).
pub fn store_bytes(data_dir: &Path, bytes: &[u8]) -> Result<(String, u64), FileError> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(FileError::TooLarge {
            what: "the body".into(),
            size: bytes.len() as u64,
        });
    }
    let sha = crate::secrets::hex(&Sha256::digest(bytes));
    let target = path_of(data_dir, &sha);
    if !target.exists() {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = target.parent().expect("attachments/<aa>");
        // Citizens' photos and parties' papers: the owner's alone.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| io(dir, e))?;
        let tmp = dir.join(format!(".{sha}.{}", std::process::id()));
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| io(&target, e))?;
    }
    Ok((sha, bytes.len() as u64))
}

/// Whether the stored file for `sha256` is there and still hashes to it.
pub fn check(data_dir: &Path, sha256: &str) -> Result<(), FileError> {
    read(data_dir, sha256).map(|_| ())
}

/// The bytes of the stored file for `sha256`, if they still hash to it.
pub fn read(data_dir: &Path, sha256: &str) -> Result<Vec<u8>, FileError> {
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FileError::NotADigest);
    }
    let path = path_of(data_dir, sha256);
    let bytes = std::fs::read(&path).map_err(|_| FileError::Missing)?;
    if crate::secrets::hex(&Sha256::digest(&bytes)) != sha256 {
        return Err(FileError::Changed);
    }
    Ok(bytes)
}
