//! `fengqiao ledger`: the sequencer that integrates logged entries into the
//! Merkle tree and signs a checkpoint, and the commands that check it all:
//! `verify` recomputes every commitment from the current rows and the tree
//! from the entries; `proof` and `consistency` print proofs anyone can check.

use crate::db::open_store;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fengqiao_store::ledger::{all_entries, tree_of};
use fengqiao_store::{LedgerEntry, Store, StoredCheckpoint};
use fengqiao_tlog::Checkpoint;
use fengqiao_tlog::note::{Signer, Verifier, open};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const ORIGIN: &str = "fengqiao/ledger";

#[derive(clap::Subcommand)]
pub enum LedgerCommand {
    /// Integrate new entries and print the latest signed checkpoint
    Checkpoint,
    /// Recompute every commitment and the tree; non-zero exit on any mismatch
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Inclusion proof of a record (e.g. `incident 42` or `plan/3`) with its checkpoint
    Proof {
        record: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Consistency proof between two tree sizes
    Consistency { old: u64, new: u64 },
    /// Manage the witnesses whose cosignatures the log accepts
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Print the C2SP tlog-witness add-checkpoint request for a witness that last cosigned size OLD
    WitnessRequest {
        #[arg(long, default_value_t = 0)]
        old: u64,
    },
    /// Store witness cosignature lines (a witness's add-checkpoint response) from FILE or stdin
    Cosign {
        file: Option<PathBuf>,
        /// The checkpoint they cosign (default: the latest)
        #[arg(long)]
        size: Option<u64>,
    },
}

#[derive(clap::Subcommand)]
pub enum WitnessCommand {
    /// Trust a witness by its verifier key (cosignature/v1 or Ed25519 note key)
    Add { vkey: String },
    /// Stop trusting the witness of this name
    Remove { name: String },
    /// List the trusted witnesses
    List,
}

fn key_path(settings: &crate::config::Settings) -> PathBuf {
    settings.ledger_key.clone()
}

/// The checkpoint signing key, created with owner-only permissions on first use.
pub fn signer(path: &Path) -> Result<Signer, String> {
    use fengqiao_store::secrets;
    let text = secrets::load_or_create(path, || {
        let seed: [u8; 32] = secrets::random_bytes()?;
        let signer = Signer::from_seed(ORIGIN, seed).map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(format!("{}\n", signer.skey()).into_bytes())
    })
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Signer::parse(String::from_utf8_lossy(&text).trim()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Integrates every entry not yet in a checkpoint and signs one for the new size.
pub fn sequence(store: &dyn Store, signer: &Signer) -> Result<Option<StoredCheckpoint>, String> {
    fengqiao_store::ledger::sequence(store, signer).map_err(|e| e.to_string())
}

/// Sequences after a write command; a failure is reported, not fatal to the write.
pub fn sequence_after_write(settings: &crate::config::Settings, store: &dyn Store) {
    let done = signer(&key_path(settings)).and_then(|s| sequence(store, &s));
    if let Err(e) = done {
        eprintln!("warning: ledger checkpoint not signed: {e}");
    }
}

fn parse_record(words: &[String]) -> Result<(String, String), String> {
    let joined = words.join(" ");
    let (t, id) = joined
        .split_once([' ', '/'])
        .ok_or_else(|| format!("{joined:?}: give a record as `TYPE ID`, e.g. `incident 42`"))?;
    Ok((t.trim().to_string(), id.trim().to_string()))
}

pub fn run(settings: &crate::config::Settings, cmd: &LedgerCommand) -> Result<(), String> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let signer = signer(&key_path(settings))?;
    let verifier = signer.verifier();
    match cmd {
        LedgerCommand::Checkpoint => {
            let cp = sequence(store, &signer)?.ok_or("the ledger is empty: nothing has been written yet")?;
            print!("{}", cp.note);
            Ok(())
        }
        LedgerCommand::Verify { json } => verify(store, &verifier, &settings.data_dir, *json),
        LedgerCommand::Proof { record, json } => {
            let (record_type, record_id) = parse_record(record)?;
            sequence(store, &signer)?.ok_or("the ledger is empty")?;
            let p = fengqiao_store::ledger::inclusion(store, &record_type, &record_id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no ledger entry for {record_type} {record_id}"))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&p).map_err(|e| e.to_string())?);
            } else {
                print!("{}", p.to_text());
            }
            Ok(())
        }
        LedgerCommand::Witness { command } => witness(store, command),
        LedgerCommand::WitnessRequest { old } => {
            sequence(store, &signer)?.ok_or("the ledger is empty")?;
            let body = fengqiao_store::ledger::witness_request(store, *old)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("--old {old} is beyond the latest checkpoint"))?;
            print!("{body}");
            Ok(())
        }
        LedgerCommand::Cosign { file, size } => {
            let body = match file {
                Some(p) => std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
                None => std::io::read_to_string(std::io::stdin()).map_err(|e| format!("stdin: {e}"))?,
            };
            let names =
                fengqiao_store::ledger::add_cosignatures(store, *size, &body).map_err(|e| format!("cosign: {e}"))?;
            println!("stored cosignatures by {}", names.join(", "));
            Ok(())
        }
        LedgerCommand::Consistency { old, new } => {
            let out = fengqiao_store::ledger::consistency(store, *old, *new)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no consistency proof from {old} to {new}"))?;
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            Ok(())
        }
    }
}

fn witness(store: &dyn Store, command: &WitnessCommand) -> Result<(), String> {
    use fengqiao_store::ledger::{set_witnesses, witnesses};
    let mut keys = witnesses(store).map_err(|e| e.to_string())?;
    match command {
        WitnessCommand::Add { vkey } => {
            let key = fengqiao_tlog::cosignature::WitnessKey::parse(vkey).map_err(|e| format!("{vkey}: {e}"))?;
            keys.retain(|k| k.name != key.name);
            println!("trusting witness {} ({})", key.name, key.vkey());
            keys.push(key);
        }
        WitnessCommand::Remove { name } => {
            let before = keys.len();
            keys.retain(|k| &k.name != name);
            if keys.len() == before {
                return Err(format!("no witness named {name}"));
            }
        }
        WitnessCommand::List => {
            for k in &keys {
                println!("{}", k.vkey());
            }
            return Ok(());
        }
    }
    set_witnesses(store, &keys).map_err(|e| e.to_string())
}

fn verify(store: &dyn Store, verifier: &Verifier, data_dir: &Path, as_json: bool) -> Result<(), String> {
    let report = verify_report(store, verifier, Some(data_dir))?;
    let ok = report["ok"] == true;
    let entries = report["entries"].as_u64().unwrap_or(0);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        println!(
            "ledger: {} entries, checkpoint {} (and {} earlier): {}",
            entries,
            report["checkpoint"]["size"],
            report["earlier_checkpoints"],
            if ok {
                "every record and the tree verify"
            } else {
                "MISMATCHES"
            }
        );
        for m in report["mismatches"].as_array().into_iter().flatten() {
            println!(
                "  {}: {}",
                m["record"].as_str().unwrap_or(""),
                m["reason"].as_str().unwrap_or("")
            );
        }
    }
    if ok {
        Ok(())
    } else {
        Err(format!(
            "ledger verify: {} mismatches",
            report["mismatches"].as_array().map_or(0, Vec::len)
        ))
    }
}

/// Recomputes every commitment and the tree, and checks the signed checkpoint.
/// `data_dir`, when given, is where attachment files are checked against their hashes.
pub fn verify_report(store: &dyn Store, verifier: &Verifier, data_dir: Option<&Path>) -> Result<Value, String> {
    let entries = all_entries(store).map_err(|e| e.to_string())?;
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
    let checkpoint = store.latest_checkpoint().map_err(|e| e.to_string())?;
    let mut signed = Value::Null;
    if let Some(cp) = &checkpoint {
        match open(cp.note.as_bytes(), std::slice::from_ref(verifier)) {
            Err(e) => miss(format!("checkpoint {}", cp.size), format!("signature: {e}")),
            Ok(note) => match Checkpoint::parse(&note.text) {
                Err(e) => miss(format!("checkpoint {}", cp.size), e.to_string()),
                Ok(c) => {
                    let keys = fengqiao_store::ledger::witnesses(store).map_err(|e| e.to_string())?;
                    let mut witnessed_by = Vec::new();
                    for line in store.cosignatures(c.size).map_err(|e| e.to_string())? {
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
    for size in store.checkpoint_sizes().map_err(|e| e.to_string())? {
        if checkpoint.as_ref().is_some_and(|c| c.size == size) {
            continue;
        }
        earlier += 1;
        let Some(cp) = store.checkpoint(size).map_err(|e| e.to_string())? else {
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
fn check_attachment_files(store: &dyn Store, data_dir: &Path) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for case in store.cases(&Default::default()).map_err(|e| e.to_string())? {
        for (id, a) in store.attachments(case.id).map_err(|e| e.to_string())? {
            if let Err(reason) = fengqiao_store::files::check(data_dir, &a.sha256) {
                out.push(json!({"record": format!("attachment {id}"), "reason": format!("{} of case {}: {reason}", a.file_name, case.code)}));
            }
        }
    }
    Ok(out)
}

/// The stored tiles, from which proofs are served, must hold the tree the entries make.
fn check_tiles(store: &dyn Store, tree: &fengqiao_tlog::Tree, size: u64) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (level, index, width) in fengqiao_tlog::tiles::tiles_for(size) {
        let want = tree.tile(level, index, width).unwrap_or_default().concat();
        let stored = store.ledger_tile(level, index).map_err(|e| e.to_string())?;
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
fn check_records(store: &dyn Store, entries: &[LedgerEntry]) -> Result<Vec<Value>, String> {
    let mut newest: std::collections::HashMap<(&str, &str), &LedgerEntry> =
        std::collections::HashMap::with_capacity(entries.len());
    for e in entries {
        newest.insert((e.record_type.as_str(), e.record_id.as_str()), e);
    }
    let mut found: Vec<(u64, Value)> = Vec::new();
    for record_type in fengqiao_store::ledger::RECORD_TYPES {
        let stored = store.commitments(record_type).map_err(|e| e.to_string())?;
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
