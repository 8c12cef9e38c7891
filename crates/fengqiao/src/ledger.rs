//! `fengqiao ledger`: the sequencer that integrates logged entries into the
//! Merkle tree and signs a checkpoint, and the commands that check it all:
//! `verify` recomputes every commitment from the current rows and the tree
//! from the entries; `proof` and `consistency` print proofs anyone can check.

use crate::messages::tr;
use fengqiao_app::ledger::{sequence, signer, verify_report};
use fengqiao_app::store::open_store;
use fengqiao_app::{Error, Result};
use fengqiao_store::Store;
use fengqiao_tlog::note::Verifier;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum LedgerCommand {
    /// Integrate new entries and print the latest signed checkpoint
    Checkpoint,
    /// Recompute every commitment and the tree; non-zero exit on any mismatch
    Verify {
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Inclusion proof of a record (e.g. `incident 42` or `plan/3`) with its checkpoint
    Proof {
        /// The record: its type and id, `incident 42` or `plan/3`
        record: Vec<String>,
        /// Print JSON instead of the human-readable report
        #[arg(long)]
        json: bool,
    },
    /// Consistency proof between two tree sizes
    Consistency {
        /// The older tree size (a checkpoint someone holds)
        old: u64,
        /// The newer tree size
        new: u64,
    },
    /// Manage the witnesses whose cosignatures the log accepts
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
    /// Print the C2SP tlog-witness add-checkpoint request for a witness that last cosigned size OLD
    WitnessRequest {
        /// The tree size the witness last cosigned (0: never)
        #[arg(long, default_value_t = 0)]
        old: u64,
    },
    /// Store witness cosignature lines (a witness's add-checkpoint response) from FILE or stdin
    Cosign {
        /// The witness's response (default: read from stdin)
        file: Option<PathBuf>,
        /// The checkpoint they cosign (default: the latest)
        #[arg(long)]
        size: Option<u64>,
    },
}

#[derive(clap::Subcommand)]
pub enum WitnessCommand {
    /// Trust a witness by its verifier key (cosignature/v1 or Ed25519 note key)
    Add {
        /// The witness's verifier key, `NAME+HASH+KEY`
        vkey: String,
    },
    /// Stop trusting the witness of this name
    Remove {
        /// The witness's name, as `ledger witness list` shows it
        name: String,
    },
    /// List the trusted witnesses
    List,
}

fn parse_record(words: &[String]) -> Result<(String, String)> {
    let joined = words.join(" ");
    let (t, id) = joined
        .split_once([' ', '/'])
        .ok_or_else(|| Error::input(format!("{joined:?}: give a record as `TYPE ID`, e.g. `incident 42`")))?;
    Ok((t.trim().to_string(), id.trim().to_string()))
}

pub fn run(settings: &fengqiao_app::Settings, cmd: &LedgerCommand) -> Result<()> {
    let store = open_store(settings)?;
    let store = store.as_ref();
    let signer = signer(&settings.ledger.signing_key)?;
    let verifier = signer.verifier();
    match cmd {
        LedgerCommand::Checkpoint => {
            let cp = sequence(store, &signer)?
                .ok_or_else(|| Error::input("the ledger is empty: nothing has been written yet"))?;
            print!("{}", cp.note);
            Ok(())
        }
        LedgerCommand::Verify { json } => verify(store, &verifier, &settings.store.data_dir, *json),
        LedgerCommand::Proof { record, json } => {
            let (record_type, record_id) = parse_record(record)?;
            sequence(store, &signer)?.ok_or_else(|| Error::input("the ledger is empty"))?;
            let p = fengqiao_store::ledger::inclusion(store, &record_type, &record_id)?
                .ok_or_else(|| Error::input(format!("no ledger entry for {record_type} {record_id}")))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                print!("{}", p.to_text());
            }
            Ok(())
        }
        LedgerCommand::Witness { command } => witness(store, command),
        LedgerCommand::WitnessRequest { old } => {
            sequence(store, &signer)?.ok_or_else(|| Error::input("the ledger is empty"))?;
            let body = fengqiao_store::ledger::witness_request(store, *old)?
                .ok_or_else(|| Error::input(format!("--old {old} is beyond the latest checkpoint")))?;
            print!("{body}");
            Ok(())
        }
        LedgerCommand::Cosign { file, size } => {
            let body = match file {
                Some(p) => std::fs::read_to_string(p).map_err(|e| Error::input(format!("{}: {e}", p.display())))?,
                None => std::io::read_to_string(std::io::stdin()).map_err(|e| Error::input(format!("stdin: {e}")))?,
            };
            let names = fengqiao_store::ledger::add_cosignatures(store, *size, &body)
                .map_err(|e| Error::input(format!("cosign: {e}")))?;
            println!("{}", tr!("ledger.cosigned", names = names.join(", ")));
            Ok(())
        }
        LedgerCommand::Consistency { old, new } => {
            let out = fengqiao_store::ledger::consistency(store, *old, *new)?
                .ok_or_else(|| Error::input(format!("no consistency proof from {old} to {new}")))?;
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
    }
}

fn witness(store: &dyn Store, command: &WitnessCommand) -> Result<()> {
    use fengqiao_store::ledger::{set_witnesses, witnesses};
    let mut keys = witnesses(store)?;
    match command {
        WitnessCommand::Add { vkey } => {
            let key = fengqiao_tlog::cosignature::WitnessKey::parse(vkey)
                .map_err(|e| Error::input(format!("{vkey}: {e}")))?;
            keys.retain(|k| k.name != key.name);
            println!("{}", tr!("ledger.trusting", name = key.name, vkey = key.vkey()));
            keys.push(key);
        }
        WitnessCommand::Remove { name } => {
            let before = keys.len();
            keys.retain(|k| &k.name != name);
            if keys.len() == before {
                return Err(Error::input(format!("no witness named {name}")));
            }
        }
        WitnessCommand::List => {
            for k in &keys {
                println!("{}", k.vkey());
            }
            return Ok(());
        }
    }
    set_witnesses(store, &keys).map_err(|e| Error::input(e.to_string()))
}

fn verify(store: &dyn Store, verifier: &Verifier, data_dir: &Path, as_json: bool) -> Result<()> {
    let report = verify_report(store, verifier, Some(data_dir))?;
    let ok = report["ok"] == true;
    let entries = report["entries"].as_u64().unwrap_or(0);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}",
            tr!(
                "ledger.verified",
                entries = entries,
                size = report["checkpoint"]["size"],
                earlier = report["earlier_checkpoints"],
                verdict = if ok {
                    tr!("ledger.all_verify")
                } else {
                    tr!("ledger.mismatches")
                }
            )
        );
        for m in report["mismatches"].as_array().into_iter().flatten() {
            println!(
                "{}",
                tr!(
                    "ledger.mismatch",
                    record = m["record"].as_str().unwrap_or(""),
                    reason = m["reason"].as_str().unwrap_or("")
                )
            );
        }
    }
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "ledger verify: {} mismatches",
            report["mismatches"].as_array().map_or(0, Vec::len)
        )))
    }
}
