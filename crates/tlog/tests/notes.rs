//! Signed notes and checkpoints against the Go sumdb and C2SP vectors.

use fengqiao_tlog::Checkpoint;
use fengqiao_tlog::note::{NoteError, Signer, Verifier, open, sign};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[test]
fn go_sumdb_notes() {
    let v = load("go-sumdb-note-vectors.json");
    let mut ran = 0;
    // Signing is deterministic: the same bytes as Go.
    let signer = Signer::parse(s(&v["sign"]["skey"])).unwrap();
    assert_eq!(signer.skey(), s(&v["sign"]["skey"]));
    assert_eq!(format!("{:08x}", signer.key_id), s(&v["keys"][0]["key_id_hex"]));
    assert_eq!(signer.verifier().vkey(), s(&v["keys"][0]["vkey"]));
    assert_eq!(
        sign(s(&v["sign"]["text"]), &[&signer]).unwrap(),
        s(&v["sign"]["want_signed_note"])
    );
    ran += 1;
    // Opening: with one key, both, none.
    let peter = Verifier::parse(s(&v["keys"][0]["vkey"])).unwrap();
    let enoch = Verifier::parse(s(&v["keys"][1]["vkey"])).unwrap();
    let text = s(&v["open"]["text"]);
    let sigs: Vec<&str> = v["open"]["signature_lines"].as_array().unwrap().iter().map(s).collect();
    let note = format!("{text}\n{}{}", sigs[0], sigs[1]);
    let one = open(note.as_bytes(), std::slice::from_ref(&peter)).unwrap();
    assert_eq!(one.text, text);
    assert_eq!((one.verified.len(), one.unverified.len()), (1, 1));
    assert_eq!(one.unverified[0].name, "EnochRoot");
    let both = open(note.as_bytes(), &[peter.clone(), enoch]).unwrap();
    assert_eq!((both.verified.len(), both.unverified.len()), (2, 0));
    assert_eq!(open(note.as_bytes(), &[]).unwrap_err(), NoteError::Unverified);
    ran += 3;
    // A changed text no longer verifies.
    let tampered = note.replacen("cryptography", "cryptographY", 1);
    assert!(matches!(
        open(tampered.as_bytes(), std::slice::from_ref(&peter)),
        Err(NoteError::InvalidSignature(_))
    ));
    ran += 1;
    for bad in v["bad_vkeys"].as_array().unwrap() {
        assert!(Verifier::parse(s(&bad["vkey"])).is_err(), "{}", bad["why"]);
        ran += 1;
    }
    for (i, bad) in v["malformed_notes_all_must_fail"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let mut bytes = s(bad).as_bytes().to_vec();
        if s(bad).starts_with('\u{ff}') {
            bytes.splice(..2, [0xff]); // the raw byte of the Go test, not U+00FF
        }
        assert!(
            open(&bytes, std::slice::from_ref(&peter)).is_err(),
            "malformed note {i} opened"
        );
        ran += 1;
    }
    println!("{ran} Go sumdb note vectors ran");
    assert_eq!(ran, 14);
}

#[test]
fn c2sp_notes_and_checkpoints() {
    let v = load("c2sp-vectors.json");
    let mut ran = 0;
    let ex = &v["signed_note_example"];
    let key = Verifier::parse(s(&ex["vkey"])).unwrap();
    let note = open(s(&ex["note"]).as_bytes(), &[key]).unwrap();
    assert_eq!(note.text, "This is an example message.\n");
    ran += 1;
    for good in v["checkpoint_good"].as_array().unwrap() {
        let c = Checkpoint::parse(s(good)).unwrap();
        assert_eq!(c.to_text(), s(good), "round trip");
        assert_eq!(c.size, 123);
        ran += 1;
    }
    for bad in v["checkpoint_bad"].as_array().unwrap() {
        assert!(Checkpoint::parse(s(&bad["text"])).is_err(), "{}", bad["why"]);
        ran += 1;
    }
    // The spec's example: a checkpoint in a note whose key is not published.
    let example = s(&v["checkpoint_example"]);
    assert_eq!(open(example.as_bytes(), &[]).unwrap_err(), NoteError::Unverified);
    let (text, _) = example.split_once("\n\n").unwrap();
    let c = Checkpoint::parse(&format!("{text}\n")).unwrap();
    assert_eq!((c.origin.as_str(), c.size), ("example.com/behind-the-sofa", 20_852_163));
    ran += 1;
    println!("{ran} C2SP vectors ran");
    assert_eq!(ran, 11);
}

#[test]
fn real_sum_golang_org_checkpoint() {
    let v = load("go-sumdb-tlog-vectors.json");
    let real = &v["sum_golang_org_real_checkpoint"];
    let key = Verifier::parse(s(&real["vkey"])).unwrap();
    let note = open(s(&real["note"]).as_bytes(), &[key]).unwrap();
    let c = Checkpoint::parse(&note.text).unwrap();
    assert_eq!(c.origin, s(&real["expect"]["origin"]));
    assert_eq!(c.size, real["expect"]["size"].as_u64().unwrap());
    let tree = &v["format_tree"];
    let c = Checkpoint::parse(s(&tree["want_text"])).unwrap();
    assert_eq!(c.root, fengqiao_tlog::leaf_hash(b"hello world"));
    assert_eq!(c.size, tree["tree_size"].as_u64().unwrap());
    assert_eq!(c.to_text(), s(&tree["want_text"]), "FormatTree");
    // The first bad text differs only in its origin, which only a sumdb client rejects.
    for bad in v["bad_tree_texts"].as_array().unwrap().iter().skip(1) {
        assert!(Checkpoint::parse(s(bad)).is_err(), "{bad}");
    }
    println!("5 Go sumdb checkpoint vectors ran");
}

#[test]
fn new_keys_sign_checkpoints_that_verify() {
    let signer = Signer::from_seed("fengqiao.example/log", [7; 32]).unwrap();
    let cp = Checkpoint {
        origin: "fengqiao.example/log".into(),
        size: 3,
        root: fengqiao_tlog::root(&[
            fengqiao_tlog::leaf_hash(b"a"),
            fengqiao_tlog::leaf_hash(b"b"),
            fengqiao_tlog::leaf_hash(b"c"),
        ]),
        extensions: vec![],
    };
    let signed = sign(&cp.to_text(), &[&signer]).unwrap();
    let note = open(
        signed.as_bytes(),
        &[Verifier::parse(&signer.verifier().vkey()).unwrap()],
    )
    .unwrap();
    assert_eq!(Checkpoint::parse(&note.text).unwrap(), cp);
    assert!(Signer::parse(&signer.skey()).is_ok());
    assert!(Signer::from_seed("bad name", [1; 32]).is_err());
}

#[test]
fn c2sp_tile_layout() {
    let v = load("c2sp-vectors.json");
    let tiles = &v["tiles"];
    let mut ran = 0;
    for e in tiles["index_encoding_examples"].as_array().unwrap() {
        let want = format!("tile/0/{}", s(&e["path"]));
        assert_eq!(fengqiao_tlog::tiles::tile_path(0, e["N"].as_u64().unwrap(), 256), want);
        ran += 1;
    }
    for (size, ex) in [
        (70_000u64, &tiles["example_tree_size_70000"]),
        (256, &tiles["example_tree_size_256"]),
    ] {
        let t = fengqiao_tlog::tiles::tiles_for(size);
        let full = |l: u8| t.iter().filter(|x| x.0 == l && x.2 == 256).count() as u64;
        let partial = |l: u8| t.iter().find(|x| x.0 == l && x.2 < 256).map_or(0, |x| x.2);
        for (key, got) in [
            ("level0_full", full(0)),
            ("level0_partial_width", partial(0)),
            ("level1_full", full(1)),
            ("level1_partial_width", partial(1)),
            ("level2_partial_width", partial(2)),
        ] {
            if let Some(want) = ex.get(key) {
                assert_eq!(got, want.as_u64().unwrap(), "{size}: {key}");
                ran += 1;
            }
        }
    }
    println!("{ran} C2SP tile vectors ran");
    assert_eq!(ran, 11);
}

/// Go's sumdb tile paths carry the tile height H; C2SP fixes H = 8 and drops it.
#[test]
fn go_sumdb_tile_paths() {
    use fengqiao_tlog::tiles::{go_tile_path, parse_go_tile_path};
    let v = load("go-sumdb-tlog-vectors.json");
    let mut ran = 0;
    for e in v["tile_paths"].as_array().unwrap() {
        let path = s(&e["path"]);
        if e["invalid"].as_bool() == Some(true) {
            assert_eq!(parse_go_tile_path(path), None, "{path}");
        } else {
            let height = e["H"].as_u64().unwrap() as u8;
            let level = u8::try_from(e["L"].as_i64().unwrap()).ok();
            let (index, width) = (e["N"].as_u64().unwrap(), e["W"].as_u64().unwrap());
            assert_eq!(go_tile_path(height, level, index, width), path);
            assert_eq!(parse_go_tile_path(path), Some((height, level, index, width)), "{path}");
        }
        ran += 1;
    }
    println!("{ran} Go sumdb tile path vectors ran");
    assert_eq!(ran, 8);
}

#[test]
fn cctv_ed25519_edge_cases_under_the_pinned_rule() {
    let v = load("cctv-ed25519-vectors.json");
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    };
    let mut ran = 0;
    for t in v.as_array().unwrap() {
        let flags: Vec<&str> = t["flags"]
            .as_array()
            .map_or(vec![], |f| f.iter().map(|x| x.as_str().unwrap()).collect());
        let want = flags
            .iter()
            .all(|f| *f == "low_order_component_A" || *f == "low_order_component_R");
        let got = Verifier::from_public_key("cctv", &hex(s(&t["key"])))
            .is_ok_and(|k| k.verify(s(&t["msg"]).as_bytes(), &hex(s(&t["sig"]))));
        assert_eq!(got, want, "vector {} {:?}", t["number"], flags);
        ran += 1;
    }
    println!("{ran} CCTV Ed25519 vectors ran");
    assert_eq!(ran, 914);
}

#[test]
fn transparency_dev_key_pairs() {
    let v = load("transparency-dev-formats-keys.json");
    let mut ran = 0;
    for k in v["keys"].as_array().unwrap() {
        let signer = Signer::parse(s(&k["skey"])).unwrap();
        assert_eq!(signer.name, s(&k["name"]));
        assert_eq!(signer.verifier().vkey(), s(&k["vkey"]), "{}", k["name"]);
        assert_eq!(signer.skey(), s(&k["skey"]));
        // Each key signs a checkpoint that its own verifier accepts and no other does.
        let note = sign(
            "example.com/log\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
            &[&signer],
        )
        .unwrap();
        assert!(open(note.as_bytes(), &[Verifier::parse(s(&k["vkey"])).unwrap()]).is_ok());
        ran += 1;
    }
    println!("{ran} transparency-dev key pairs ran");
    assert_eq!(ran, 7);
}

#[test]
fn c2sp_cosignature_message_and_round_trip() {
    use fengqiao_tlog::cosignature;
    let v = load("c2sp-vectors.json");
    let example = s(&v["checkpoint_example"]);
    let (text, _) = example.split_once("\n\n").unwrap();
    let cp = Checkpoint::parse(&format!("{text}\n")).unwrap();
    assert_eq!(
        cosignature::message(&cp, 1_679_315_147),
        s(&v["cosignature_v1_ed25519_signed_message_example"])
    );
    let seed = [5u8; 32];
    let public = ed25519_public(seed);
    let sig = cosignature::cosign("witness.example/w1", seed, &cp, 1_679_315_147);
    assert_eq!(sig.len(), 76);
    assert_eq!(
        cosignature::verify("witness.example/w1", &public, &cp, &sig),
        Some(1_679_315_147)
    );
    let mut other = cp.clone();
    other.size += 1;
    assert_eq!(
        cosignature::verify("witness.example/w1", &public, &other, &sig),
        None,
        "another tree"
    );
    assert_eq!(
        cosignature::verify("witness.example/w2", &public, &cp, &sig),
        None,
        "another name"
    );
    // The same cosignature as a witness's signature line, checked by its published key.
    let witness = cosignature::WitnessKey::from_seed("witness.example/w1", seed);
    assert_eq!(witness.public, public);
    let parsed = cosignature::WitnessKey::parse(&witness.vkey()).unwrap();
    assert_eq!(parsed, witness);
    let line = cosignature::line("witness.example/w1", &sig);
    assert_eq!(parsed.verify_line(&cp, line.trim_end()), Some(1_679_315_147));
    assert_eq!(parsed.verify_line(&other, line.trim_end()), None);
    // Published witness keys: a note key (0x01) names the same key; a native 0x04 key checks its ID.
    let keys = load("transparency-dev-formats-keys.json");
    for k in keys["cosig_v1_vkey_examples"].as_array().unwrap() {
        let w = cosignature::WitnessKey::parse(s(&k["vkey"])).unwrap();
        assert!(s(&k["vkey"]).starts_with(&format!("{}+", w.name)));
        if s(&k["note"]).contains("0x04") {
            assert_eq!(w.vkey(), s(&k["vkey"]));
        }
    }
    assert!(
        cosignature::WitnessKey::parse("remora.n621.de+da77ade8+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2").is_err()
    );
    println!("4 C2SP cosignature vectors ran");
}

fn ed25519_public(seed: [u8; 32]) -> [u8; 32] {
    // The note signer derives the same key from the same seed; read it back from its vkey.
    let vkey = Signer::from_seed("k", seed).unwrap().verifier().vkey();
    let raw = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        vkey.rsplit('+').next().unwrap(),
    )
    .unwrap();
    raw[1..].try_into().unwrap()
}
