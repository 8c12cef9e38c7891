//! Reading and growing the transparency log through any [`Store`]: the
//! sequencer that integrates new entries into the stored tiles and signs a
//! checkpoint, and inclusion and consistency proofs read from the tiles
//! (a few tile reads each, whatever the log's size). Shared by the CLI and
//! the HTTP API.

use crate::{LedgerEntry, LedgerTile, Result, Store, StoreError, StoredCheckpoint};
use fengqiao_tlog::cosignature::{self, WitnessKey};
use fengqiao_tlog::note::Signer;
use fengqiao_tlog::tiles::{TILE_WIDTH, TileError, TiledNodes};
use fengqiao_tlog::{Checkpoint, Hash, Nodes, Tree, leaf_hash};
use serde::Serialize;
use std::collections::HashMap;

/// Setting under which the sequencer publishes its verifier key.
pub const VKEY_SETTING: &str = "ledger_vkey";

/// Every kind of record the log commits to.
pub const RECORD_TYPES: [&str; 10] = [
    "incident",
    "forecast",
    "plan",
    "case",
    "attachment",
    "volunteer",
    "activity",
    "link",
    "volunteer_account",
    "mediator",
];

/// Setting holding the witnesses' verifier keys, one per line.
pub const WITNESSES_SETTING: &str = "ledger_witnesses";

/// How often a sequencer retries after losing a race to another one.
const SEQUENCE_ATTEMPTS: usize = 8;

/// Every entry, in log order.
pub fn all_entries(store: &dyn Store) -> Result<Vec<LedgerEntry>> {
    let mut out: Vec<LedgerEntry> = Vec::new();
    loop {
        let from = out.last().map_or(0, |e| e.seq + 1);
        let page = store.ledger_entries(from, 100_000)?;
        if page.is_empty() {
            return Ok(out);
        }
        out.extend(page);
    }
}

pub fn tree_of(entries: &[LedgerEntry]) -> Tree {
    let mut t = Tree::new();
    for e in entries {
        t.push(leaf_hash(&e.leaf_bytes()));
    }
    t
}

fn b64(h: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, h)
}

fn hashes_of(blob: &[u8]) -> Vec<Hash> {
    blob.chunks_exact(32)
        .map(|c| c.try_into().expect("32-byte chunk"))
        .collect()
}

fn stored_tile(store: &dyn Store, level: u8, index: u64) -> Result<Vec<Hash>> {
    Ok(store
        .ledger_tile(level, index)?
        .map(|b| hashes_of(&b))
        .unwrap_or_default())
}

fn tile_error(e: TileError<StoreError>) -> StoreError {
    match e {
        TileError::Source(e) => e,
        missing => StoreError::Backend(format!(
            "ledger: {missing}; run `fengqiao ledger checkpoint` to rebuild"
        )),
    }
}

/// The tree of `size` leaves as stored in tiles.
fn tiled(store: &dyn Store, size: u64) -> TiledNodes<impl Fn(u8, u64) -> Result<Vec<Hash>> + '_> {
    TiledNodes::new(size, move |level, index| stored_tile(store, level, index))
}

/// Whether the stored tiles reach `size` leaves (logs sequenced before tiles
/// were stored have none).
fn tiles_reach(store: &dyn Store, size: u64) -> Result<bool> {
    if size == 0 {
        return Ok(true);
    }
    let last = size - 1;
    Ok(stored_tile(store, 0, last / TILE_WIDTH)?.len() as u64 > last % TILE_WIDTH)
}

/// Integrates every entry past the latest checkpoint into the stored tiles
/// and signs a checkpoint of the new size; returns the latest checkpoint.
/// Safe to run from several processes at once: a sequencer that loses the
/// race to publish starts again from the winner's checkpoint.
pub fn sequence(store: &dyn Store, signer: &Signer) -> Result<Option<StoredCheckpoint>> {
    let vkey = signer.verifier().vkey();
    if store.get_setting(VKEY_SETTING)?.as_deref() != Some(vkey.as_str()) {
        store.set_setting(VKEY_SETTING, &vkey)?;
    }
    for _ in 0..SEQUENCE_ATTEMPTS {
        let latest = store.latest_checkpoint()?;
        let old = latest.as_ref().map_or(0, |c| c.size);
        let from = if tiles_reach(store, old)? { old } else { 0 };
        let mut leaves = Vec::new();
        loop {
            let page = store.ledger_entries(from + leaves.len() as u64, 100_000)?;
            if page.is_empty() {
                break;
            }
            leaves.extend(page.iter().map(|e| leaf_hash(&e.leaf_bytes())));
        }
        let size = from + leaves.len() as u64;
        if size == 0 || (from == old && size == old) {
            return Ok(latest);
        }
        let changed =
            fengqiao_tlog::tiles::append(from, &leaves, |l, i| stored_tile(store, l, i)).map_err(tile_error)?;
        let grown: HashMap<(u8, u64), Vec<Hash>> = changed.into_iter().map(|(l, i, h)| ((l, i), h)).collect();
        let nodes = TiledNodes::new(size, |l, i| match grown.get(&(l, i)) {
            Some(h) => Ok(h.clone()),
            None => stored_tile(store, l, i),
        });
        let root = nodes
            .head(size)
            .map_err(tile_error)?
            .expect("the tiles cover the new size");
        let text = Checkpoint {
            origin: signer.name().to_string(),
            size,
            root,
            extensions: Vec::new(),
        }
        .to_text();
        let note = fengqiao_tlog::note::sign(&text, &[signer]).map_err(|e| StoreError::Backend(e.to_string()))?;
        let checkpoint = StoredCheckpoint {
            size,
            note,
            created_at: chrono::Utc::now(),
        };
        let tiles: Vec<LedgerTile> = grown
            .into_iter()
            .map(|((level, index), h)| LedgerTile {
                level,
                index,
                hashes: h.concat(),
            })
            .collect();
        if store.publish_checkpoint(old, &checkpoint, &tiles)? {
            return Ok(Some(checkpoint));
        }
    }
    Err(StoreError::Backend(format!(
        "ledger: {SEQUENCE_ATTEMPTS} attempts to sign a checkpoint each lost to another sequencer"
    )))
}

/// The bytes of hash tile (level, index) of `width` hashes, when the latest
/// checkpoint covers all of it (C2SP tlog-tiles).
pub fn tile_bytes(store: &dyn Store, level: u8, index: u64, width: u64) -> Result<Option<Vec<u8>>> {
    let Some(cp) = store.latest_checkpoint()? else {
        return Ok(None);
    };
    // Hashes of level 8L cover 256^L leaves each; all must be inside the checkpoint.
    let span = TILE_WIDTH.checked_pow(u32::from(level)).unwrap_or(u64::MAX);
    let needed = index
        .saturating_mul(TILE_WIDTH)
        .saturating_add(width)
        .saturating_mul(span);
    if needed > cp.size {
        return Ok(None);
    }
    Ok(store
        .ledger_tile(level, index)?
        .filter(|b| b.len() as u64 >= 32 * width)
        .map(|mut b| {
            b.truncate(32 * width as usize);
            b
        }))
}

/// Entry bundle `index` of `width` entries (C2SP tlog-tiles: each leaf's
/// bytes after a big-endian uint16 length), when the latest checkpoint covers it.
pub fn entry_bundle(store: &dyn Store, index: u64, width: u64) -> Result<Option<Vec<u8>>> {
    let size = store.latest_checkpoint()?.map_or(0, |c| c.size);
    let from = index.saturating_mul(TILE_WIDTH);
    if from.saturating_add(width) > size {
        return Ok(None);
    }
    let run = store.ledger_entries(from, width as usize)?;
    if run.len() as u64 != width {
        return Ok(None);
    }
    let mut out = Vec::new();
    for e in run {
        let leaf = e.leaf_bytes();
        out.extend_from_slice(&(leaf.len() as u16).to_be_bytes());
        out.extend_from_slice(&leaf);
    }
    Ok(Some(out))
}

/// A record's entry with its audit path to a signed checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct InclusionProof {
    pub record: String,
    pub entry: LedgerEntry,
    pub index: u64,
    pub tree_size: u64,
    /// The leaf's bytes (what is hashed with the 0x00 prefix).
    pub leaf: String,
    pub leaf_hash: String,
    /// Base64 hashes, leaf to root.
    pub proof: Vec<String>,
    /// Whether the record as stored now still matches the entry's commitment
    /// (checked by the server, which holds the commitment key).
    pub record_matches_entry: bool,
    /// A newer version of the record is logged but not yet in a signed
    /// checkpoint: the proof is of an earlier version; ask again shortly.
    pub newer_version_pending: bool,
    /// The signed checkpoint note the proof leads to.
    pub checkpoint: String,
    pub vkey: Option<String>,
}

impl InclusionProof {
    /// The C2SP tlog-proof text form.
    pub fn to_text(&self) -> String {
        let mut s = format!("c2sp.org/tlog-proof@v1\nindex {}\n", self.index);
        for h in &self.proof {
            s.push_str(h);
            s.push('\n');
        }
        s.push('\n');
        s.push_str(&self.checkpoint);
        s
    }
}

/// The newest entry of a record and its proof to the latest checkpoint;
/// `None` when the record has no entry, or none the checkpoint covers yet.
pub fn inclusion(store: &dyn Store, record_type: &str, record_id: &str) -> Result<Option<InclusionProof>> {
    let Some(cp) = store.latest_checkpoint()? else {
        return Ok(None);
    };
    let Some(entry) = store.latest_ledger_entry(record_type, record_id, cp.size)? else {
        return Ok(None);
    };
    let Some(path) = tiled(store, cp.size)
        .prove_subtree_inclusion(entry.seq, 0, cp.size)
        .map_err(tile_error)?
    else {
        return Ok(None);
    };
    let leaf = entry.leaf_bytes();
    let record_matches_entry = store.commitment_of(record_type, record_id)? == Some(entry.commitment);
    let newer_version_pending = store
        .latest_ledger_entry(record_type, record_id, u64::MAX / 2)?
        .is_some_and(|newest| newest.seq >= cp.size);
    Ok(Some(InclusionProof {
        record_matches_entry,
        newer_version_pending,
        record: entry.record(),
        index: entry.seq,
        tree_size: cp.size,
        leaf_hash: b64(&leaf_hash(&leaf)),
        leaf: String::from_utf8_lossy(&leaf).into_owned(),
        entry,
        proof: path.iter().map(|h| b64(h)).collect(),
        checkpoint: cp.note,
        vkey: store.get_setting(VKEY_SETTING)?,
    }))
}

/// Consistency proof between two sizes up to the latest checkpoint, with both roots (base64).
pub fn consistency(store: &dyn Store, old: u64, new: u64) -> Result<Option<serde_json::Value>> {
    let size = store.latest_checkpoint()?.map_or(0, |c| c.size);
    if old == 0 || old > new || new > size {
        return Ok(None);
    }
    let tree = tiled(store, size);
    let proof = tree.prove_subtree_consistency(0, old, new).map_err(tile_error)?;
    let (Some(proof), Some(old_root), Some(new_root)) = (
        proof,
        tree.head(old).map_err(tile_error)?,
        tree.head(new).map_err(tile_error)?,
    ) else {
        return Ok(None);
    };
    Ok(Some(serde_json::json!({
        "old": {"size": old, "root": b64(&old_root)},
        "new": {"size": new, "root": b64(&new_root)},
        "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    })))
}

/// The witnesses whose cosignatures the log accepts.
pub fn witnesses(store: &dyn Store) -> Result<Vec<WitnessKey>> {
    let text = store.get_setting(WITNESSES_SETTING)?.unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| WitnessKey::parse(l).map_err(|e| StoreError::Backend(format!("{WITNESSES_SETTING}: {l}: {e}"))))
        .collect()
}

/// Replaces the witness list (one key per witness name).
pub fn set_witnesses(store: &dyn Store, keys: &[WitnessKey]) -> Result<()> {
    let text: Vec<String> = keys.iter().map(WitnessKey::vkey).collect();
    store.set_setting(WITNESSES_SETTING, &text.join("\n"))
}

/// The checkpoint body of a signed note (the text before its signatures).
fn body_of(note: &str) -> Result<Checkpoint> {
    let text = note.find("\n\n").map_or(note, |i| &note[..=i]);
    Checkpoint::parse(text).map_err(|e| StoreError::Backend(format!("stored checkpoint: {e}")))
}

/// The checkpoint of `size` (the latest when `None`) as a note with the
/// log's signature followed by every stored witness cosignature.
pub fn cosigned_checkpoint(store: &dyn Store, size: Option<u64>) -> Result<Option<(StoredCheckpoint, String)>> {
    let cp = match size {
        Some(n) => store.checkpoint(n)?,
        None => store.latest_checkpoint()?,
    };
    let Some(cp) = cp else {
        return Ok(None);
    };
    let mut note = cp.note.clone();
    for line in store.cosignatures(cp.size)? {
        note.push_str(&line);
        note.push('\n');
    }
    Ok(Some((cp, note)))
}

#[derive(Debug, thiserror::Error)]
pub enum CosignError {
    #[error("no checkpoint of that size")]
    NoCheckpoint,
    #[error("line {line}: {reason}")]
    Malformed { line: usize, reason: &'static str },
    #[error("line {line}: {name} is not a witness of this log")]
    UnknownWitness { line: usize, name: String },
    #[error("line {line}: the cosignature by {name} does not sign this checkpoint")]
    BadSignature { line: usize, name: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks witness cosignature lines (as a C2SP tlog-witness returns them
/// from add-checkpoint) against checkpoint `size` (the latest when `None`)
/// and the configured witness keys, and stores them all or none. Returns
/// the witnesses' names.
pub fn add_cosignatures(store: &dyn Store, size: Option<u64>, body: &str) -> Result<Vec<String>, CosignError> {
    let cp = match size {
        Some(n) => store.checkpoint(n)?,
        None => store.latest_checkpoint()?,
    }
    .ok_or(CosignError::NoCheckpoint)?;
    let head = body_of(&cp.note)?;
    let keys = witnesses(store)?;
    let mut checked = Vec::new();
    for (i, text) in body.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = i + 1;
        let (name, _) = cosignature::parse_line(text).ok_or(CosignError::Malformed {
            line,
            reason: "expected a signature line: em dash, space, witness name, space, base64",
        })?;
        let key = keys
            .iter()
            .find(|k| k.name == name)
            .ok_or_else(|| CosignError::UnknownWitness {
                line,
                name: name.to_string(),
            })?;
        let seen_at = key.verify_line(&head, text).ok_or_else(|| CosignError::BadSignature {
            line,
            name: name.to_string(),
        })?;
        checked.push((name.to_string(), seen_at, text.to_string()));
    }
    if checked.is_empty() {
        return Err(CosignError::Malformed {
            line: 1,
            reason: "no cosignature lines",
        });
    }
    for (name, seen_at, text) in &checked {
        store.add_cosignature(cp.size, name, *seen_at, text)?;
    }
    Ok(checked.into_iter().map(|(name, _, _)| name).collect())
}

/// The C2SP tlog-witness add-checkpoint request body for a witness that last
/// cosigned size `old`: `old N`, the consistency proof to the latest
/// checkpoint, a blank line, the signed checkpoint.
pub fn witness_request(store: &dyn Store, old: u64) -> Result<Option<String>> {
    let Some(cp) = store.latest_checkpoint()? else {
        return Ok(None);
    };
    if old > cp.size {
        return Ok(None);
    }
    let proof = if old == 0 {
        Vec::new()
    } else {
        tiled(store, cp.size)
            .prove_subtree_consistency(0, old, cp.size)
            .map_err(tile_error)?
            .unwrap_or_default()
    };
    let mut out = format!("old {old}\n");
    for h in proof {
        out.push_str(&b64(&h));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&cp.note);
    Ok(Some(out))
}
