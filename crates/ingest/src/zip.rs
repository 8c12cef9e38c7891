//! The one incident file inside a zip archive, read in place: the central
//! directory says where its bytes are and how they are compressed (stored
//! or deflated — what Windows, Excel exports and `zip` write).

use std::io::{Read, Seek, SeekFrom};

/// A file in an archive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub name: String,
    method: u16,
    compressed: u64,
    header_offset: u64,
}

const END_OF_DIRECTORY: u32 = 0x0605_4b50;
const DIRECTORY_ENTRY: u32 = 0x0201_4b50;
const LOCAL_HEADER: u32 = 0x0403_4b50;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The archive's members that are files (not folders, not macOS's
/// resource forks).
pub(crate) fn members(file: &mut (impl Read + Seek)) -> Result<Vec<Member>, String> {
    let io = |e: std::io::Error| format!("reading the zip archive: {e}");
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    // The end record (22 bytes) is followed by a comment of at most 64 KiB.
    let tail_len = len.min(22 + 0xffff);
    file.seek(SeekFrom::Start(len - tail_len)).map_err(io)?;
    let mut tail = vec![0; tail_len as usize];
    file.read_exact(&mut tail).map_err(io)?;
    let end = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(&tail, i) == END_OF_DIRECTORY)
        .ok_or("a zip archive without its central directory (truncated?)")?;
    let (entries, size, offset) = (
        u16_at(&tail, end + 10),
        u32_at(&tail, end + 12),
        u32_at(&tail, end + 16),
    );
    if entries == 0xffff || size == u32::MAX || offset == u32::MAX {
        return Err("a zip64 archive (over 4 GB or 65,535 files): unzip it, or compress the file with gzip".into());
    }
    if u64::from(offset) + u64::from(size) > len {
        return Err("the zip archive's central directory lies past its end (truncated?)".into());
    }
    file.seek(SeekFrom::Start(u64::from(offset))).map_err(io)?;
    let mut dir = vec![0; size as usize];
    file.read_exact(&mut dir).map_err(io)?;
    let mut out = Vec::new();
    let mut at = 0;
    for _ in 0..entries {
        if at + 46 > dir.len() || u32_at(&dir, at) != DIRECTORY_ENTRY {
            return Err("the zip archive's central directory is damaged".into());
        }
        let flags = u16_at(&dir, at + 8);
        let name_len = u16_at(&dir, at + 28) as usize;
        let skip = name_len + u16_at(&dir, at + 30) as usize + u16_at(&dir, at + 32) as usize;
        let name_bytes = dir
            .get(at + 46..at + 46 + name_len)
            .ok_or("the zip archive's central directory is damaged")?;
        let name = member_name(name_bytes, flags & 0x800 != 0);
        let folder = name.ends_with('/') || name.starts_with("__MACOSX/");
        let fork = name.rsplit('/').next().is_some_and(|n| n.starts_with("._"));
        if !folder && !fork {
            if flags & 1 != 0 {
                return Err(format!("{name} is encrypted in the zip archive: extract it first"));
            }
            out.push(Member {
                name,
                method: u16_at(&dir, at + 10),
                compressed: u64::from(u32_at(&dir, at + 20)),
                header_offset: u64::from(u32_at(&dir, at + 42)),
            });
        }
        at += 46 + skip;
    }
    Ok(out)
}

/// Names are UTF-8 when flagged so; Chinese Windows writes them in GBK.
fn member_name(bytes: &[u8], utf8: bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) if !utf8 => encoding_rs::GB18030.decode_without_bom_handling(bytes).0.into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The archive's incident file: its only file, or its only `.csv`/`.txt`/`.tsv`.
pub(crate) fn only_member(file: &mut (impl Read + Seek)) -> Result<Member, String> {
    let all = members(file)?;
    let text = |m: &&Member| {
        let n = m.name.to_ascii_lowercase();
        [".csv", ".txt", ".tsv"].iter().any(|e| n.ends_with(e))
    };
    let pick = match (all.len(), all.iter().filter(text).count()) {
        (1, _) => all[0].clone(),
        (_, 1) => all.iter().find(text).cloned().expect("counted"),
        (0, _) => return Err("the zip archive holds no file".into()),
        _ => {
            let names: Vec<_> = all.iter().map(|m| m.name.as_str()).collect();
            return Err(format!(
                "the zip archive holds {} files ({}): import one file at a time",
                all.len(),
                names.join(", ")
            ));
        }
    };
    if pick.method != 0 && pick.method != 8 {
        return Err(format!(
            "{} is compressed with method {} in the zip archive; only stored and deflated files are read",
            pick.name, pick.method
        ));
    }
    Ok(pick)
}

impl Member {
    /// Where the member's bytes begin: after its local header.
    pub(crate) fn data_offset(&self, file: &mut (impl Read + Seek)) -> std::io::Result<u64> {
        file.seek(SeekFrom::Start(self.header_offset))?;
        let mut header = [0u8; 30];
        file.read_exact(&mut header)?;
        if u32_at(&header, 0) != LOCAL_HEADER {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: the zip archive's entry is damaged", self.name),
            ));
        }
        Ok(self.header_offset + 30 + u64::from(u16_at(&header, 26)) + u64::from(u16_at(&header, 28)))
    }

    /// The member's contents, from a reader placed at [`Member::data_offset`].
    pub(crate) fn contents<R: Read + Send + 'static>(&self, at_data: R) -> Box<dyn Read + Send> {
        let bytes = at_data.take(self.compressed);
        if self.method == 8 {
            Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                flate2::read::DeflateDecoder::new(bytes),
            ))
        } else {
            Box::new(bytes)
        }
    }
}
