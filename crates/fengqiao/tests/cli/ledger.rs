//! The ledger: verification, proofs, tampering of every kind, keys, witnesses.

use crate::helpers::*;
use serde_json::Value;

#[test]
fn ledger_verifies_proves_and_names_tampered_records() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(dir.path(), &["demo", "--no-serve", "--days", "20"])
            .status
            .success()
    );
    let key = std::fs::metadata(dir.path().join("fengqiao-data/ledger-signing.key")).unwrap();
    #[cfg(unix)]
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&key.permissions()) & 0o777,
        0o600
    );
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let entries = v["entries"].as_u64().unwrap();
    assert!(entries > 1000, "every incident, the forecast and the plan: {entries}");
    assert_eq!(v["checkpoint"]["size"], entries);
    // A proof anyone can check with the checkpoint's public key.
    let o = run(dir.path(), &["ledger", "proof", "incident", "7", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vkey = fengqiao_tlog::note::Verifier::parse(p["vkey"].as_str().unwrap()).unwrap();
    let note = fengqiao_tlog::note::open(p["checkpoint"].as_str().unwrap().as_bytes(), &[vkey]).unwrap();
    let cp = fengqiao_tlog::Checkpoint::parse(&note.text).unwrap();
    let b64 =
        |s: &Value| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, s.as_str().unwrap()).unwrap();
    let proof: Vec<Vec<u8>> = p["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = proof.iter().map(Vec::as_slice).collect();
    let leaf = fengqiao_tlog::leaf_hash(p["leaf"].as_str().unwrap().as_bytes());
    fengqiao_tlog::verify_inclusion(p["index"].as_u64().unwrap(), cp.size, &leaf, &refs, &cp.root).unwrap();
    let o = run(dir.path(), &["ledger", "consistency", "10", &entries.to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Tampering, each caught and named.
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    db.execute("UPDATE incidents SET lon = lon + 0.001 WHERE id = 5", [])
        .unwrap();
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["mismatches"][0]["record"], "incident 5", "{v}");
    db.execute("UPDATE incidents SET lon = lon - 0.001 WHERE id = 5", [])
        .unwrap();
    assert!(run(dir.path(), &["ledger", "verify"]).status.success(), "restored");
    db.execute("UPDATE plans SET summary = '{}'", []).unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert!(
        v["mismatches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["record"] == "plan 1"),
        "{v}"
    );
    db.execute("DELETE FROM ledger_entries WHERE seq = 3", []).unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    let reasons: Vec<&str> = v["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("entries were removed")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("the log was rewritten")),
        "{reasons:?}"
    );
}

#[test]
fn ledger_catches_every_kind_of_tampering() {
    // A row deleted: named by the record.
    tampered(
        |_, db| drop(db.execute("DELETE FROM incidents WHERE id = 9", [])),
        "incident 9",
    );
    // An entry changed: its record no longer matches, and the tree no longer hashes to the checkpoint.
    tampered(
        |_, db| drop(db.execute("UPDATE ledger_entries SET actor = 'someone else' WHERE seq = 2", [])),
        "the log was rewritten",
    );
    // Entries reordered.
    tampered(
        |_, db| {
            db.execute_batch(
                "UPDATE ledger_entries SET seq = -1 WHERE seq = 0;
                 UPDATE ledger_entries SET seq = 0 WHERE seq = 1;
                 UPDATE ledger_entries SET seq = 1 WHERE seq = -1;",
            )
            .unwrap();
        },
        "the log was rewritten",
    );
    // The log truncated.
    tampered(
        |_, db| drop(db.execute("DELETE FROM ledger_entries WHERE seq >= 100", [])),
        "the log was rewritten",
    );
    // A checkpoint with a forged signature.
    tampered(
        |_, db| {
            let note: String = db
                .query_row(
                    "SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let (text, sig) = note.rsplit_once(' ').unwrap();
            let mut bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sig.trim()).unwrap();
            bytes[10] ^= 1;
            let forged = format!(
                "{text} {}\n",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
            );
            db.execute("UPDATE ledger_checkpoints SET note = ?1", [forged]).unwrap();
        },
        "signature",
    );
    // A validly signed checkpoint for a different tree.
    tampered(
        |dir, db| {
            let skey = std::fs::read_to_string(dir.join("fengqiao-data/ledger-signing.key")).unwrap();
            let signer = fengqiao_tlog::note::Signer::parse(skey.trim()).unwrap();
            let size: i64 = db
                .query_row("SELECT MAX(size) FROM ledger_checkpoints", [], |r| r.get(0))
                .unwrap();
            let other = fengqiao_tlog::Checkpoint {
                origin: "fengqiao/ledger".into(),
                size: size as u64,
                root: fengqiao_tlog::leaf_hash(b"another history"),
                extensions: vec![],
            };
            let note = fengqiao_tlog::note::sign(&other.to_text(), &[&signer]).unwrap();
            db.execute(
                "UPDATE ledger_checkpoints SET note = ?1 WHERE size = ?2",
                rusqlite::params![note, size],
            )
            .unwrap();
        },
        "the log was rewritten",
    );
    // A stored tree tile changed: proofs served from it would not verify.
    tampered(
        |_, db| {
            drop(db.execute(
                "UPDATE ledger_tiles SET hashes = zeroblob(length(hashes)) WHERE level = 0 AND idx = 0",
                [],
            ))
        },
        "tile/0/000",
    );
}

/// The signing key lives where the settings say, outside the data directory
/// if asked; a checkpoint signed by another key then fails verification.
#[test]
fn the_signing_key_is_where_the_settings_say() {
    let dir = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("ledger.key");
    let with_key = ["--ledger-key", key.to_str().unwrap()];
    // A week of data: two days, just after midnight, can leave a station
    // fewer places with forecast demand than cars, which the planner refuses.
    let o = run(
        dir.path(),
        &[&["demo", "--no-serve", "--days", "7"][..], &with_key].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(key.exists() && !dir.path().join("fengqiao-data/ledger-signing.key").exists());
    assert!(
        run(dir.path(), &[&["ledger", "verify"][..], &with_key].concat())
            .status
            .success()
    );
    // Without it the default key is created, and it did not sign the stored checkpoint.
    let o = run(dir.path(), &["ledger", "verify", "--json"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("signature"));
}

/// A witness is trusted by its key, gets the add-checkpoint request, and its
/// cosignature is stored, served with the checkpoint and checked by verify.
#[test]
fn witnesses_cosign_the_ledger() {
    use fengqiao_tlog::cosignature::{WitnessKey, cosign, line};
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo", "--no-serve", "--days", "3"]).status.success());
    let witness = WitnessKey::from_seed("witness.example/w1", [21; 32]);
    let o = run(dir.path(), &["ledger", "witness", "add", &witness.vkey()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(dir.path(), &["ledger", "witness", "list"]);
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), witness.vkey());
    let o = run(dir.path(), &["ledger", "witness-request", "--old", "0"]);
    let request = String::from_utf8(o.stdout).unwrap();
    let (head, note) = request.split_once("\n\n").unwrap();
    assert_eq!(head, "old 0");
    // The witness checks the log's signature and cosigns the checkpoint body.
    let body = &note[..note.find("\n\n").unwrap() + 1];
    let cp = fengqiao_tlog::Checkpoint::parse(body).unwrap();
    let response = dir.path().join("cosignature.txt");
    std::fs::write(
        &response,
        line(&witness.name, &cosign(&witness.name, [21; 32], &cp, 1_700_000_000)),
    )
    .unwrap();
    let o = run(dir.path(), &["ledger", "cosign", response.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        v["checkpoint"]["witnessed_by"],
        serde_json::json!(["witness.example/w1"])
    );
    // A cosignature by someone else is refused; a stored one altered is caught.
    let stranger = line(
        "witness.example/w2",
        &cosign("witness.example/w2", [22; 32], &cp, 1_700_000_000),
    );
    std::fs::write(&response, stranger).unwrap();
    let o = run(dir.path(), &["ledger", "cosign", response.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a witness of this log"));
    let db = rusqlite::Connection::open(dir.path().join("fengqiao-data/fengqiao.sqlite")).unwrap();
    let mut other = cp.clone();
    other.size += 1;
    let forged = line(&witness.name, &cosign(&witness.name, [21; 32], &other, 1_700_000_000));
    db.execute("UPDATE ledger_cosignatures SET line = ?1", [forged.trim_end()])
        .unwrap();
    let v: Value = serde_json::from_slice(&run(dir.path(), &["ledger", "verify", "--json"]).stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["mismatches"]
            .to_string()
            .contains("cosignature by witness.example/w1 does not verify"),
        "{v}"
    );
}
