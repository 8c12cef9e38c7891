//! The transparency log over HTTP: checkpoints, proofs, witnesses, the page's own check.

use crate::helpers::*;

#[tokio::test]
async fn ledger_checkpoint_proof_and_consistency() {
    use base64::Engine;
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    let app = spawn_app().await;
    // The import logged every incident, but nothing is signed yet.
    assert_eq!(app.get("/api/v1/ledger/checkpoint").await.status, 404);
    assert_eq!(app.get("/api/v1/ledger/proof?record=incident/1").await.status, 404);
    assert_eq!(app.get("/api/v1/ledger/consistency?old=5&new=9").await.status, 422);
    // Sign a checkpoint as the sequencer does; proofs then lead to it.
    let (entries, tree, size, signer, note) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let entries = fengqiao_store::ledger::all_entries(store).unwrap();
        let tree = fengqiao_store::ledger::tree_of(&entries);
        let size = entries.len() as u64;
        // The server's own key: its sequencer signs beside this test.
        let signer = fengqiao_app::ledger::signer(&app.settings.ledger.signing_key).unwrap();
        let note = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap().note;
        (entries, tree, size, signer, note)
    });
    let verifier = signer.verifier();
    let signed = fengqiao_tlog::note::open(note.as_bytes(), std::slice::from_ref(&verifier)).unwrap();
    let cp = fengqiao_tlog::Checkpoint::parse(&signed.text).unwrap();
    assert_eq!((cp.size, cp.root), (size, tree.root(size).unwrap()));
    let c = app.get("/api/v1/ledger/consistency?old=5&new=9").await.json();
    let proof: Vec<Vec<u8>> = c["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = proof.iter().map(Vec::as_slice).collect();
    fengqiao_tlog::verify_consistency(5, 9, &b64(&c["old"]["root"]), &b64(&c["new"]["root"]), &refs).unwrap();
    assert_eq!(b64(&c["new"]["root"]), tree.root(9).unwrap());
    assert_eq!(app.get("/api/v1/ledger/consistency?old=9&new=5").await.status, 422);
    assert_eq!(app.get("/api/v1/ledger/consistency?old=x&new=5").await.status, 400);
    let r = app.get("/api/v1/ledger/checkpoint").await;
    assert_eq!((r.status, r.body.as_str()), (200, note.as_str()));
    let p = app.get("/api/v1/ledger/proof?record=incident/3").await.json();
    let path: Vec<Vec<u8>> = p["proof"].as_array().unwrap().iter().map(b64).collect();
    let refs: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
    let leaf = fengqiao_tlog::leaf_hash(p["leaf"].as_str().unwrap().as_bytes());
    fengqiao_tlog::verify_inclusion(p["index"].as_u64().unwrap(), size, &leaf, &refs, &cp.root).unwrap();
    let text = app.get("/api/v1/ledger/proof?record=incident/3&format=text").await;
    assert!(text.body.starts_with("c2sp.org/tlog-proof@v1\nindex "));
    assert_eq!(app.get("/api/v1/ledger/proof?record=nonsense").await.status, 400);
    // Tiles: the first level-0 tile holds the first 256 leaf hashes, and the
    // entry bundle the leaves themselves.
    let width = size.min(256);
    let path = fengqiao_tlog::tiles::tile_path(0, 0, width);
    let tile = app.get_bytes(&format!("/api/v1/ledger/{path}")).await;
    let want: Vec<u8> = entries[..width as usize]
        .iter()
        .flat_map(|e| fengqiao_tlog::leaf_hash(&e.leaf_bytes()))
        .collect();
    assert_eq!(tile, want);
    let bundle = app
        .get_bytes(&format!(
            "/api/v1/ledger/tile/entries/000{}",
            if width < 256 {
                format!(".p/{width}")
            } else {
                String::new()
            }
        ))
        .await;
    let first_len = usize::from(u16::from_be_bytes([bundle[0], bundle[1]]));
    assert_eq!(&bundle[2..2 + first_len], entries[0].leaf_bytes().as_slice());
    assert_eq!(app.get("/api/v1/ledger/tile/0/1").await.status, 400);
    assert_eq!(app.get("/api/v1/ledger/tile/5/000").await.status, 404);
}

/// Witnesses: the log hands out an add-checkpoint body, a configured witness
/// cosigns, and the checkpoint is then served with its cosignature; anyone
/// else, a signature over another tree, or garbage is refused and stores nothing.
#[tokio::test]
async fn witnesses_cosign_checkpoints() {
    use fengqiao_tlog::cosignature::{WitnessKey, cosign, line};
    let app = spawn_app().await;
    let (cp, head, witness, signer) = off_runtime(|| {
        let store = app.db.open();
        let store = store.as_ref();
        let signer = fengqiao_tlog::note::Signer::from_seed("test/ledger", [9; 32]).unwrap();
        let cp = fengqiao_store::ledger::sequence(store, &signer).unwrap().unwrap();
        let body = fengqiao_store::ledger::witness_request(store, 3).unwrap().unwrap();
        assert!(body.starts_with("old 3\n") && body.ends_with(&cp.note), "{body}");
        let text = &cp.note[..cp.note.find("\n\n").unwrap() + 1];
        let head = fengqiao_tlog::Checkpoint::parse(text).unwrap();
        let witness = WitnessKey::from_seed("witness.example/w1", [21; 32]);
        fengqiao_store::ledger::set_witnesses(store, std::slice::from_ref(&witness)).unwrap();
        (cp, head, witness, signer)
    });
    let good = line(&witness.name, &cosign(&witness.name, [21; 32], &head, 1_700_000_000));
    // Refused: an unknown witness, a cosignature of another tree, and garbage.
    let stranger = line(
        "witness.example/w2",
        &cosign("witness.example/w2", [22; 32], &head, 1_700_000_000),
    );
    let r = app
        .post("/api/v1/ledger/cosignatures", &format!("{good}{stranger}"))
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (403, Some("unknown_witness")),
        "{}",
        r.body
    );
    let mut other = head.clone();
    other.size += 1;
    let forged = line(&witness.name, &cosign(&witness.name, [21; 32], &other, 1_700_000_000));
    let r = app.post("/api/v1/ledger/cosignatures", &forged).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (422, Some("bad_cosignature")),
        "{}",
        r.body
    );
    assert_eq!(app.post("/api/v1/ledger/cosignatures", "hello\n").await.status, 400);
    assert_eq!(
        app.post("/api/v1/ledger/cosignatures?size=999999", &good).await.status,
        404
    );
    assert_eq!(
        app.get("/api/v1/ledger/checkpoint").await.body,
        cp.note,
        "nothing stored"
    );
    // Accepted, and served after the log's own signature.
    let r = app.post("/api/v1/ledger/cosignatures", &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["accepted"], serde_json::json!(["witness.example/w1"]));
    let served = app
        .get(&format!("/api/v1/ledger/checkpoint?size={}", cp.size))
        .await
        .body;
    assert_eq!(served, format!("{}{good}", cp.note));
    let opened = fengqiao_tlog::note::open(served.as_bytes(), &[signer.verifier()]).unwrap();
    assert_eq!(opened.verified.len(), 1, "the log's signature");
    let cosig = served.lines().last().unwrap();
    assert_eq!(witness.verify_line(&head, cosig), Some(1_700_000_000));
}

/// The page's own check of a record's proof (assets/ledger.js), run under
/// Node's WebCrypto against a proof this server serves: it accepts the real
/// proof with its signature checked, and rejects a tampered path, a forged
/// signature and another key. Node is installed by `.ci/run`.
#[tokio::test]
async fn the_pages_ledger_check_verifies_served_proofs() {
    let app = spawn_app().await;
    // Signed with the server's own key: its sequencer runs beside the test
    // and names its key beside every proof (a test key would race it).
    let () = off_runtime(|| {
        let store = app.db.open();
        let signer = fengqiao_app::ledger::signer(&app.settings.ledger.signing_key).unwrap();
        fengqiao_store::ledger::sequence(store.as_ref(), &signer)
            .unwrap()
            .unwrap();
    });
    let proof = app.get("/api/v1/ledger/proof?record=incident/7").await;
    assert_eq!(proof.status, 200);
    assert_eq!(proof.json()["record_matches_entry"], true);
    let file = app._dir.path().join("proof.json");
    std::fs::write(&file, &proof.body).unwrap();
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("node")
        .arg(manifest.join("tests/ledger_js.mjs"))
        .arg(manifest.join("assets/ledger.js"))
        .arg(&file)
        .output()
        .expect("node (Node.js) must be installed: .ci/run installs it");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["good"]["ok"], true, "{v}");
    assert_eq!(v["good"]["signature"], "checked", "{v}");
    assert_eq!(v["good"]["index"], proof.json()["index"]);
    for case in ["tampered", "forged", "other_key"] {
        assert_eq!(v[case]["ok"], false, "{case}: {v}");
    }
    assert!(v["tampered"]["reason"].as_str().unwrap().contains("signed root"), "{v}");
}
