//! Secrets kept beside the database, never in it: fresh random bytes from
//! the operating system, and files only their owner can read, created once
//! and never overwritten.

use std::io::{Read, Write};
use std::path::Path;

/// `N` bytes from the operating system's random source.
pub fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    let mut out = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

/// Creates `path` with `contents`, readable and writable by its owner only;
/// fails if it already exists, so a key is never replaced by accident. The
/// file appears whole or not at all (written aside, then linked into place),
/// so a reader never sees it half-written.
pub fn create_owner_only(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let nonce: [u8; 8] = random_bytes()?;
    let name = path
        .file_name()
        .map_or("key".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}", hex(&nonce)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts.open(&tmp).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// The contents of `path`, creating it owner-only from `make()` if it does
/// not exist; when several processes race to create it, all read the one
/// that won.
pub fn load_or_create(path: &Path, make: impl FnOnce() -> std::io::Result<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => return Ok(bytes),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    let contents = make()?;
    match create_owner_only(path, &contents) {
        Ok(()) => Ok(contents),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(path),
        Err(e) => Err(e),
    }
}

/// A 32-byte key kept as 64 hex digits in `path`, created at random if the
/// file does not exist (see [`load_or_create`]).
pub fn load_or_create_key(path: &Path) -> std::io::Result<[u8; 32]> {
    let text = load_or_create(path, || Ok(hex(&random_bytes::<32>()?).into_bytes()))?;
    let text = String::from_utf8_lossy(&text);
    let text = text.trim();
    let bytes: Vec<u8> = (0..text.len() / 2)
        .filter_map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    bytes
        .try_into()
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not a 64-digit hex key"))
}

/// Lowercase hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_only_files_are_created_once() {
        let dir = std::env::temp_dir().join(format!("fq-secrets-{}", std::process::id()));
        let path = dir.join("k");
        let _ = std::fs::remove_dir_all(&dir);
        create_owner_only(&path, b"one").unwrap();
        assert!(create_owner_only(&path, b"two").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions()) & 0o777,
            0o600
        );
        assert_ne!(random_bytes::<16>().unwrap(), random_bytes::<16>().unwrap());
        // Racing creators all end up with the same contents.
        let shared = dir.join("shared");
        let got: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8u8)
                .map(|i| {
                    let shared = &shared;
                    s.spawn(move || load_or_create(shared, || Ok(vec![i; 4])).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(got.iter().all(|g| *g == got[0]), "{got:?}");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "no temporary files left");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
