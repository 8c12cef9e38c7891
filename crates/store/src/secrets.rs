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
/// fails if it already exists, so a key is never replaced by accident.
pub fn create_owner_only(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(contents)
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
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
