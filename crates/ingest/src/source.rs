//! Opening incident files: plain, gzip- or zip-compressed (told apart by
//! their magic bytes, not the name), in UTF-8, GB18030 (GBK) or UTF-16 —
//! detected from the first bytes unless the caller names the encoding —
//! with a byte counter for progress. What the rest of the import reads is
//! always UTF-8.

use crate::IngestError;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many leading bytes the encoding is detected from.
const SAMPLE: usize = 64 * 1024;

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
    /// The file's text as UTF-8 (a byte-order mark removed).
    pub reader: Box<dyn Read + Send>,
    pub bytes_read: Arc<AtomicU64>,
    pub total_bytes: u64,
    /// The encoding the file is read in: `UTF-8`, `GB18030`, `UTF-16LE`, `UTF-16BE`.
    pub encoding: &'static str,
    /// Whether the encoding was detected (not given by the caller).
    pub detected: bool,
    /// The member read from a zip archive.
    pub zip_member: Option<String>,
}

impl CsvSource {
    /// Text already in memory, as UTF-8.
    pub fn from_utf8(text: Vec<u8>) -> Self {
        Self {
            total_bytes: text.len() as u64,
            reader: Box::new(std::io::Cursor::new(text)),
            bytes_read: Default::default(),
            encoding: "UTF-8",
            detected: false,
            zip_member: None,
        }
    }
}

/// The encodings an incident file may be read in, by the names (and
/// aliases) `--encoding` takes.
pub const ENCODINGS: &str = "utf-8, gb18030 (also gbk, gb2312), utf-16le, utf-16be";

fn encoding_for(name: &str) -> Option<&'static encoding_rs::Encoding> {
    match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Some(encoding_rs::UTF_8),
        // GBK and GB2312 files are GB18030 files: it is their superset.
        "gb18030" | "gbk" | "gb2312" | "cp936" | "936" => Some(encoding_rs::GB18030),
        "utf-16le" | "utf-16" | "utf16" | "utf16le" => Some(encoding_rs::UTF_16LE),
        "utf-16be" | "utf16be" => Some(encoding_rs::UTF_16BE),
        _ => None,
    }
}

/// Opens `path` for import, detecting its compression and its encoding.
pub fn open_csv_source(path: &Path) -> Result<CsvSource, IngestError> {
    open_csv_source_as(path, None)
}

/// [`open_csv_source`], reading the text in `encoding` when one is given.
pub fn open_csv_source_as(path: &Path, encoding: Option<&str>) -> Result<CsvSource, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    };
    let chosen = match encoding {
        Some(name) => Some(encoding_for(name).ok_or_else(|| IngestError::Encoding {
            path: path.display().to_string(),
            reason: format!("unknown encoding {name:?}: one of {ENCODINGS}"),
        })?),
        None => None,
    };
    let mut file = File::open(path).map_err(io)?;
    let total_bytes = file.metadata().map_err(io)?.len();
    let mut magic = [0u8; 4];
    let magic = match file.read_exact(&mut magic) {
        Ok(()) => magic,
        Err(_) => [0; 4],
    };
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let bytes_read = Arc::new(AtomicU64::new(0));
    let (raw, zip_member): (Box<dyn Read + Send>, _) = if magic == *b"PK\x03\x04" {
        let malformed = |reason| IngestError::Malformed {
            path: path.display().to_string(),
            reason,
        };
        let member = crate::zip::only_member(&mut file).map_err(malformed)?;
        let start = member.data_offset(&mut file).map_err(io)?;
        file.seek(SeekFrom::Start(start)).map_err(io)?;
        let contents = member.contents(CountingReader {
            inner: BufReader::with_capacity(1 << 16, file),
            count: bytes_read.clone(),
        });
        (contents, Some(member.name))
    } else {
        let counted = CountingReader {
            inner: BufReader::with_capacity(1 << 16, file),
            count: bytes_read.clone(),
        };
        let reader: Box<dyn Read + Send> = if magic[..2] == [0x1f, 0x8b] {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(counted),
            ))
        } else {
            Box::new(counted)
        };
        (reader, None)
    };
    let label = match &zip_member {
        Some(m) => format!("{} ({m})", path.display()),
        None => path.display().to_string(),
    };
    let (reader, encoding, detected) = decoded(raw, chosen).map_err(|e| match e {
        Decode::Io(source) => io(source),
        Decode::Undetected(reason) => IngestError::Encoding {
            path: label.clone(),
            reason,
        },
    })?;
    Ok(CsvSource {
        reader,
        bytes_read,
        total_bytes,
        encoding,
        detected,
        zip_member,
    })
}

enum Decode {
    Io(std::io::Error),
    Undetected(String),
}

/// The text of `raw` as UTF-8: the encoding `chosen`, or the one its first
/// bytes show (a byte-order mark, UTF-16's zero bytes, valid UTF-8, else
/// valid GB18030).
fn decoded(
    mut raw: Box<dyn Read + Send>,
    chosen: Option<&'static encoding_rs::Encoding>,
) -> Result<(Box<dyn Read + Send>, &'static str, bool), Decode> {
    let mut sample = Vec::with_capacity(SAMPLE);
    (&mut raw)
        .take(SAMPLE as u64)
        .read_to_end(&mut sample)
        .map_err(Decode::Io)?;
    let whole = sample.len() < SAMPLE;
    let (bom, bom_len) = match encoding_rs::Encoding::for_bom(&sample) {
        Some((e, n)) => (Some(e), n),
        None => (None, 0),
    };
    let detected = chosen.is_none();
    let encoding = match chosen.or(bom).or_else(|| utf16_by_zeros(&sample)) {
        Some(e) => e,
        None if is_utf8(&sample, whole) => encoding_rs::UTF_8,
        None if decodes(encoding_rs::GB18030, &sample, whole) => encoding_rs::GB18030,
        None => {
            let at = std::str::from_utf8(&sample).err().map_or(0, |e| e.valid_up_to());
            return Err(Decode::Undetected(format!(
                "the text is neither UTF-8 (byte {at}, line {}, is not), nor GB18030/GBK, nor UTF-16; \
                 give its encoding with --encoding ({ENCODINGS})",
                sample[..at].iter().filter(|b| **b == b'\n').count() + 1
            )));
        }
    };
    // A byte-order mark of the encoding read is not text.
    let skip = if bom == Some(encoding) { bom_len } else { 0 };
    let rest = std::io::Cursor::new(sample).chain(raw);
    let mut rest: Box<dyn Read + Send> = Box::new(rest);
    std::io::copy(&mut (&mut rest).take(skip as u64), &mut std::io::sink()).map_err(Decode::Io)?;
    if encoding == encoding_rs::UTF_8 {
        // Read as it is: a row that is not UTF-8 is rejected on its own.
        return Ok((rest, "UTF-8", detected));
    }
    let name = if encoding == encoding_rs::GB18030 {
        "GB18030"
    } else {
        encoding.name()
    };
    Ok((
        Box::new(Decoding {
            inner: rest,
            decoder: encoding.new_decoder_without_bom_handling(),
            name,
            input: vec![0; 1 << 16],
            input_len: 0,
            consumed: 0,
            output: vec![0; 3 << 16],
            out_start: 0,
            out_end: 0,
            lines: 1,
            eof: false,
            done: false,
        }),
        name,
        detected,
    ))
}

fn is_utf8(sample: &[u8], whole: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        // Cut in the middle of a character by the sample's end.
        Err(e) => !whole && e.error_len().is_none(),
    }
}

fn decodes(encoding: &'static encoding_rs::Encoding, sample: &[u8], whole: bool) -> bool {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = vec![0u8; decoder.max_utf8_buffer_length(sample.len()).unwrap_or(usize::MAX / 2)];
    let (result, _, _) = decoder.decode_to_utf8_without_replacement(sample, &mut out, whole);
    matches!(result, encoding_rs::DecoderResult::InputEmpty)
}

/// UTF-16 without a byte-order mark: Latin text and digits leave every
/// other byte zero, on the high side of each unit.
fn utf16_by_zeros(sample: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let units = sample.len() / 2;
    if units < 4 {
        return None;
    }
    let zeros = |side: usize| sample.chunks_exact(2).filter(|u| u[side] == 0).count();
    let (odd, even) = (zeros(1), zeros(0));
    // A CJK character's unit may have a zero byte too, on either side.
    if odd * 4 >= units && even * 4 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 4 >= units && odd * 4 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// A reader of text in another encoding, giving UTF-8; bytes that are not
/// text in that encoding stop the import with their place, not with U+FFFD.
struct Decoding<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    name: &'static str,
    input: Vec<u8>,
    input_len: usize,
    /// Bytes of the (decompressed) file decoded so far.
    consumed: u64,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    /// The line the decoder has reached (for errors).
    lines: u64,
    eof: bool,
    done: bool,
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_start == self.out_end && !self.done {
            if !self.eof && self.input_len < self.input.len() {
                let n = self.inner.read(&mut self.input[self.input_len..])?;
                self.eof = n == 0;
                self.input_len += n;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[..self.input_len],
                &mut self.output,
                self.eof,
            );
            self.lines += self.output[..written].iter().filter(|b| **b == b'\n').count() as u64;
            if let encoding_rs::DecoderResult::Malformed(bad, _) = result {
                let at = self.consumed + read as u64 - u64::from(bad);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "byte {at} (line {}) is not {} text, the encoding the file is read in; \
                         give its encoding with --encoding ({ENCODINGS})",
                        self.lines, self.name
                    ),
                ));
            }
            self.input.copy_within(read..self.input_len, 0);
            self.input_len -= read;
            self.consumed += read as u64;
            self.out_start = 0;
            self.out_end = written;
            self.done = self.eof && self.input_len == 0 && matches!(result, encoding_rs::DecoderResult::InputEmpty);
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
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
