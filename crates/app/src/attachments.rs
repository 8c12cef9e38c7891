//! Files attached to a case by the people working on it: photos (before and
//! after a rectification, of a site, of signed papers) and PDFs. One rule
//! on every face: the type is what the bytes are, not what the name or the
//! header claims, and the claim must agree with it; a case takes files only
//! while it is open, and a bounded number of them.

use crate::error::{Code, Error, Result};
use chrono::{DateTime, Utc};
use fengqiao_store::Store;
use fengqiao_store::cases::{Attachment, CaseRecord};
use std::path::Path;

/// Files one case may carry, whoever adds them.
pub const PER_CASE: usize = 40;

/// The media type and usual extension the bytes really are, if one a case takes.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else {
        None
    }
}

/// A file name safe to keep and show: its last path part, without control
/// characters, at most 100 characters, given the extension of its real type
/// if it has none.
pub fn clean_name(name: &str, ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut kept: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    kept = kept.trim().trim_start_matches('.').to_string();
    if kept.is_empty() {
        kept = "file".into();
    }
    if !kept.contains('.') {
        kept = format!("{kept}.{ext}");
    }
    kept
}

/// A file as it arrives: its name, the media type it is said to be, its bytes.
pub struct Upload<'a> {
    pub name: &'a str,
    pub declared: &'a str,
    pub bytes: &'a [u8],
}

/// Keeps an upload as a file of `case`; returns the attachment's id and record.
pub fn attach(
    store: &dyn Store,
    data_dir: &Path,
    case: &CaseRecord,
    upload: &Upload,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<(i64, Attachment)> {
    let Upload {
        name: file_name,
        declared,
        bytes,
    } = *upload;
    let Some((media_type, ext)) = sniff(bytes) else {
        return Err(Error::new(
            Code::UnsupportedMediaType,
            format!("{file_name}: cases take photos (JPEG, PNG, WebP) and PDFs; these bytes are none of them"),
        ));
    };
    let declared = declared.split(';').next().unwrap_or("").trim();
    if declared != media_type {
        return Err(Error::new(
            Code::UnsupportedMediaType,
            format!("{file_name}: said to be {declared:?} but its bytes are {media_type}"),
        ));
    }
    if case.state.closed_at.is_some() {
        return Err(Error::new(
            Code::Closed,
            format!("{} is closed; files are added while a case is open", case.code),
        ));
    }
    if store.attachments(case.id)?.len() >= PER_CASE {
        return Err(Error::new(
            Code::TooManyPhotos,
            format!("{} already has {PER_CASE} files, the most a case takes", case.code),
        ));
    }
    let (sha256, size) = fengqiao_store::files::store_bytes(data_dir, bytes)?;
    let a = Attachment {
        file_name: clean_name(file_name, ext),
        media_type: media_type.into(),
        sha256,
        size,
        added_by: actor.into(),
        added_at: at,
    };
    let id = store.add_attachment(case.id, &a)?;
    Ok((id, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_decide_the_type() {
        assert_eq!(sniff(b"\xff\xd8\xff\xe0 jfif").map(|x| x.0), Some("image/jpeg"));
        assert_eq!(sniff(b"%PDF-1.7\n").map(|x| x.0), Some("application/pdf"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|x| x.0), Some("image/webp"));
        assert_eq!(sniff(b"<html><script>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
    }

    #[test]
    fn names_lose_their_paths_and_gain_an_extension() {
        assert_eq!(clean_name("../../etc/passwd", "pdf"), "passwd.pdf");
        assert_eq!(clean_name("C:\\Users\\李\\整改前.jpg", "jpg"), "整改前.jpg");
        assert_eq!(clean_name(".hidden", "png"), "hidden.png");
        assert_eq!(clean_name("", "pdf"), "file.pdf");
        assert_eq!(clean_name("协议\u{0}书.pdf", "pdf"), "协议书.pdf");
    }
}
