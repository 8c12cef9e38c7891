//! Opening incident files: plain or gzip-compressed CSV (told apart by the
//! gzip magic bytes, not the name), with a byte counter for progress.

use crate::IngestError;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the compressed bytes consumed so progress can be shown against the file size.
pub struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub struct CsvSource {
    pub reader: Box<dyn Read + Send>,
    pub bytes_read: Arc<AtomicU64>,
    pub total_bytes: u64,
}

pub fn open_csv_source(path: &Path) -> Result<CsvSource, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let total_bytes = file.metadata().map_err(io)?.len();
    let mut magic = [0u8; 2];
    let gz = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    drop(file);
    let file = File::open(path).map_err(io)?;
    let bytes_read = Arc::new(AtomicU64::new(0));
    let counted = CountingReader {
        inner: BufReader::with_capacity(1 << 16, file),
        count: bytes_read.clone(),
    };
    let reader: Box<dyn Read + Send> = if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(counted),
        ))
    } else {
        Box::new(counted)
    };
    Ok(CsvSource {
        reader,
        bytes_read,
        total_bytes,
    })
}

/// SHA-256 of the file's bytes, hex: recognises the same file on re-import.
pub fn file_sha256(path: &Path) -> Result<String, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = BufReader::with_capacity(1 << 16, File::open(path).map_err(io)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}
