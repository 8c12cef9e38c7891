//! C2SP tlog-checkpoint: the body of a signed note that commits to a log's
//! state: origin line, tree size (decimal, no leading zeros), root hash
//! (base64), then optional non-empty extension lines.

use crate::tree::Hash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("malformed checkpoint: {0}")]
pub struct CheckpointError(pub &'static str);

impl Checkpoint {
    /// The note text: every line ends in a newline.
    pub fn to_text(&self) -> String {
        let mut s = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError("not newline-terminated"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(CheckpointError("empty origin"))?;
        let size = lines.next().ok_or(CheckpointError("no tree size"))?;
        if size.is_empty() || !size.bytes().all(|b| b.is_ascii_digit()) || (size.len() > 1 && size.starts_with('0')) {
            return Err(CheckpointError("invalid tree size"));
        }
        let size: u64 = size.parse().map_err(|_| CheckpointError("tree size overflows"))?;
        let root = lines.next().ok_or(CheckpointError("no root hash"))?;
        let root: Hash = STANDARD
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or(CheckpointError("root hash is not 32 bytes of base64"))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError("empty extension line"));
        }
        Ok(Self {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}
