//! Reading the transparency log through any [`Store`]: the entries in
//! order, the Merkle tree they make, and inclusion proofs against the
//! latest signed checkpoint. Shared by the CLI and the HTTP API.

use crate::{LedgerEntry, Result, Store};
use fengqiao_tlog::{Tree, leaf_hash};
use serde::Serialize;

/// Setting under which the sequencer publishes its verifier key.
pub const VKEY_SETTING: &str = "ledger_vkey";

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
    let entries = all_entries(store)?;
    let Some(entry) = entries
        .iter()
        .rev()
        .find(|e| e.record_type == record_type && e.record_id == record_id && e.seq < cp.size)
    else {
        return Ok(None);
    };
    let tree = tree_of(&entries);
    let Some(path) = tree.inclusion_proof(entry.seq, cp.size) else {
        return Ok(None);
    };
    let leaf = entry.leaf_bytes();
    Ok(Some(InclusionProof {
        record: entry.record(),
        entry: entry.clone(),
        index: entry.seq,
        tree_size: cp.size,
        leaf_hash: b64(&leaf_hash(&leaf)),
        leaf: String::from_utf8_lossy(&leaf).into_owned(),
        proof: path.iter().map(|h| b64(h)).collect(),
        checkpoint: cp.note,
        vkey: store.get_setting(VKEY_SETTING)?,
    }))
}

/// Consistency proof between two sizes, with both roots (base64).
pub fn consistency(store: &dyn Store, old: u64, new: u64) -> Result<Option<serde_json::Value>> {
    let entries = all_entries(store)?;
    let tree = tree_of(&entries);
    let Some(proof) = tree.consistency_proof(old, new) else {
        return Ok(None);
    };
    Ok(Some(serde_json::json!({
        "old": {"size": old, "root": b64(&tree.root(old).expect("size"))},
        "new": {"size": new, "root": b64(&tree.root(new).expect("size"))},
        "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    })))
}
