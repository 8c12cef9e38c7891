//! The transparency log's use cases: the sequencer that integrates logged
//! entries into the Merkle tree and signs a checkpoint, and `verify`, which
//! recomputes every commitment from the current rows and the tree from the
//! entries.

use crate::error::{Error, Result};
use crate::settings::LedgerSettings;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fengqiao_store::ledger::{all_entries, tree_of};
use fengqiao_store::{LedgerEntry, Store, StoredCheckpoint};
use fengqiao_tlog::Checkpoint;
use fengqiao_tlog::note::{Signer, Verifier, open};
use serde_json::{Value, json};
use std::path::Path;

pub const ORIGIN: &str = "fengqiao/ledger";

/// The checkpoint signing key, created with owner-only permissions on first use.
pub fn signer(path: &Path) -> Result<Signer> {
    use fengqiao_store::secrets;
    let text = secrets::load_or_create(path, || {
        let seed: [u8; 32] = secrets::random_bytes()?;
        let signer = Signer::from_seed(ORIGIN, seed).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(format!("{}\n", signer.skey()).into_bytes())
    })
    .map_err(|e| Error::internal(format!("ledger signing key {}: {e}", path.display())))?;
    Signer::parse(String::from_utf8_lossy(&text).trim())
        .map_err(|e| Error::input(format!("ledger signing key {}: {e}", path.display())))
}

/// Integrates every entry not yet in a checkpoint and signs one for the new size.
pub fn sequence(store: &dyn Store, signer: &Signer) -> Result<Option<StoredCheckpoint>> {
    Ok(fengqiao_store::ledger::sequence(store, signer)?)
}

/// Sequences after a write command; a failure is reported, not fatal to the write.
pub fn sequence_after_write(settings: &LedgerSettings, store: &dyn Store) {
    let done = signer(&settings.signing_key).and_then(|s| sequence(store, &s));
    if let Err(e) = done {
        eprintln!("warning: ledger checkpoint not signed: {e}");
    }
}

/// `data_dir`, when given, is where attachment files are checked against their hashes.
pub fn verify_report(store: &dyn Store, verifier: &Verifier, data_dir: Option<&Path>) -> Result<Value> {
    let entries = all_entries(store)?;
    let mut mismatches: Vec<Value> = Vec::new();
    let mut miss = |record: String, reason: String| mismatches.push(json!({"record": record, "reason": reason}));
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 {
            miss(
                format!("entry {i}"),
                format!("the log jumps from entry {} to {}: entries were removed", i, e.seq),
            );
            break;
        }
    }
    // The tree is rebuilt on a second core while the records are checked.
    let (tree, records) = std::thread::scope(|scope| {
        let tree = scope.spawn(|| tree_of(&entries));
        let records = check_records(store, &entries);
        (tree.join().expect("tree thread"), records)
    });
    mismatches.extend(records?);
    if let Some(dir) = data_dir {
        mismatches.extend(check_attachment_files(store, dir)?);
    }
    let mut miss = |record: String, reason: String| mismatches.push(json!({"record": record, "reason": reason}));
    let checkpoint = store.latest_checkpoint()?;
    let mut signed = Value::Null;
    if let Some(cp) = &checkpoint {
        match open(cp.note.as_bytes(), std::slice::from_ref(verifier)) {
            Err(e) => miss(format!("checkpoint {}", cp.size), format!("signature: {e}")),
            Ok(note) => match Checkpoint::parse(&note.text) {
                Err(e) => miss(format!("checkpoint {}", cp.size), e.to_string()),
                Ok(c) => {
                    let keys = fengqiao_store::ledger::witnesses(store)?;
                    let mut witnessed_by = Vec::new();
                    for line in store.cosignatures(c.size)? {
                        let name = fengqiao_tlog::cosignature::parse_line(&line).map(|(n, _)| n.to_string());
                        let name = name.unwrap_or_else(|| line.clone());
                        match keys.iter().find(|k| k.name == name) {
                            Some(k) if k.verify_line(&c, &line).is_some() => witnessed_by.push(name),
                            _ => miss(
                                format!("checkpoint {}", c.size),
                                format!("the stored cosignature by {name} does not verify"),
                            ),
                        }
                    }
                    signed = json!({"size": c.size, "root": STANDARD.encode(c.root), "witnessed_by": witnessed_by});
                    match tree.root(c.size) {
                        None => miss(
                            format!("checkpoint {}", c.size),
                            format!(
                                "signed for {} entries but the log holds {}: the log was rewritten",
                                c.size,
                                entries.len()
                            ),
                        ),
                        Some(r) if r != c.root => miss(
                            format!("checkpoint {}", c.size),
                            "the entries no longer hash to the signed root: the log was rewritten".into(),
                        ),
                        Some(_) => {
                            for (record, reason) in check_tiles(store, &tree, c.size)? {
                                miss(record, reason);
                            }
                        }
                    }
                }
            },
        }
    }
    // Every checkpoint ever signed must be a prefix of today's log: a fork
    // (two servers signing different trees) or a rewrite shows here.
    let mut earlier = 0;
    for size in store.checkpoint_sizes()? {
        if checkpoint.as_ref().is_some_and(|c| c.size == size) {
            continue;
        }
        earlier += 1;
        let Some(cp) = store.checkpoint(size)? else {
            continue;
        };
        let c = open(cp.note.as_bytes(), std::slice::from_ref(verifier))
            .map_err(|e| format!("signature: {e}"))
            .and_then(|note| Checkpoint::parse(&note.text).map_err(|e| e.to_string()));
        match c {
            Err(e) => miss(format!("checkpoint {size}"), e),
            Ok(c) if c.size != size => miss(
                format!("checkpoint {size}"),
                format!("stored as {size} but signs {}", c.size),
            ),
            Ok(c) if tree.root(c.size) != Some(c.root) => miss(
                format!("checkpoint {size}"),
                "an earlier signed tree is not a prefix of the log: it forked or was rewritten".into(),
            ),
            Ok(_) => {}
        }
    }
    let ok = mismatches.is_empty();
    Ok(
        json!({"ok": ok, "entries": entries.len(), "checkpoint": signed, "earlier_checkpoints": earlier, "mismatches": mismatches}),
    )
}

/// Every attachment's file must still be there with the bytes its logged hash names.
fn check_attachment_files(store: &dyn Store, data_dir: &Path) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for case in store.cases(&Default::default())? {
        for (id, a) in store.attachments(case.id)? {
            if let Err(reason) = fengqiao_store::files::check(data_dir, &a.sha256) {
                out.push(json!({"record": format!("attachment {id}"), "reason": format!("{} of case {}: {reason}", a.file_name, case.code)}));
            }
        }
    }
    Ok(out)
}

/// The stored tiles, from which proofs are served, must hold the tree the entries make.
fn check_tiles(store: &dyn Store, tree: &fengqiao_tlog::Tree, size: u64) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (level, index, width) in fengqiao_tlog::tiles::tiles_for(size) {
        let want = tree.tile(level, index, width).unwrap_or_default().concat();
        let stored = store.ledger_tile(level, index)?;
        let path = fengqiao_tlog::tiles::tile_path(level, index, width);
        match stored {
            None => out.push((path, "the tile is missing: proofs cannot be served".to_string())),
            Some(b) if b.get(..want.len()) != Some(want.as_slice()) => out.push((
                path,
                "the stored tree hashes differ from the entries: proofs served from them would not verify".to_string(),
            )),
            Some(_) => {}
        }
    }
    Ok(out)
}

/// The newest entry of each record must match the record as stored now, and
/// every stored record must have an entry.
fn check_records(store: &dyn Store, entries: &[LedgerEntry]) -> Result<Vec<Value>> {
    let mut newest: std::collections::HashMap<(&str, &str), &LedgerEntry> =
        std::collections::HashMap::with_capacity(entries.len());
    for e in entries {
        newest.insert((e.record_type.as_str(), e.record_id.as_str()), e);
    }
    let mut found: Vec<(u64, Value)> = Vec::new();
    for record_type in fengqiao_store::ledger::RECORD_TYPES {
        let stored = store.commitments(record_type)?;
        let mut seen = std::collections::HashSet::with_capacity(stored.len());
        for (id, c) in &stored {
            seen.insert(id.as_str());
            match newest.get(&(record_type, id.as_str())) {
                None => found.push((
                    u64::MAX,
                    json!({"record": format!("{record_type} {id}"),
                    "reason": "the record has no ledger entry: written outside the log"}),
                )),
                Some(e) if e.commitment != *c => found.push((
                    e.seq,
                    json!({"record": e.record(),
                    "reason": format!("the record differs from what entry {} committed to", e.seq)}),
                )),
                Some(_) => {}
            }
        }
        for ((t, id), e) in &newest {
            if *t == record_type && !seen.contains(id) {
                found.push((e.seq, json!({"record": e.record(), "reason": "the record is gone"})));
            }
        }
    }
    found.sort_by_key(|(seq, _)| *seq);
    Ok(found.into_iter().map(|(_, m)| m).collect())
}
