//! Every transparency-log vector shipped in `testdata/` (see SOURCE.md):
//! the transparency-dev/merkle probes (including the deliberately malformed
//! ones), the RFC 6962 reference tree, and real proofs from Google's argon2020
//! CT log.

use base64::Engine;
use fengqiao_tlog::{
    Hash, Tree, consistency_proof, covering_subtrees, empty_root, inclusion_proof, is_valid_subtree, leaf_hash,
    node_hash, root, verify_consistency, verify_inclusion, verify_subtree_consistency, verify_subtree_inclusion,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write;

fn load(name: &str) -> Value {
    let path = format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn hex(s: &Value) -> Vec<u8> {
    let s = s.as_str().unwrap();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn b64(s: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s.as_str().unwrap())
        .unwrap()
}

fn list(v: &Value, decode: fn(&Value) -> Vec<u8>) -> Vec<Vec<u8>> {
    v.as_array().unwrap().iter().map(decode).collect()
}

fn refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

#[test]
fn transparency_dev_inclusion_probes() {
    let probes = load("inclusion_probes_hex.json");
    let mut ran = 0;
    for p in probes.as_array().unwrap() {
        let proof = list(&p["proof_hex"], hex);
        let got = verify_inclusion(
            p["leafIdx"].as_u64().unwrap(),
            p["treeSize"].as_u64().unwrap(),
            &hex(&p["leafHash_hex"]),
            &refs(&proof),
            &hex(&p["root_hex"]),
        );
        assert_eq!(got.is_err(), p["wantErr"].as_bool().unwrap(), "{}: {got:?}", p["file"]);
        ran += 1;
    }
    println!("{ran} inclusion probes ran");
    assert_eq!(ran, 98);
}

#[test]
fn transparency_dev_consistency_probes() {
    let probes = load("consistency_probes_hex.json");
    let mut ran = 0;
    for p in probes.as_array().unwrap() {
        let proof = list(&p["proof_hex"], hex);
        let got = verify_consistency(
            p["size1"].as_u64().unwrap(),
            p["size2"].as_u64().unwrap(),
            &hex(&p["root1_hex"]),
            &hex(&p["root2_hex"]),
            &refs(&proof),
        );
        assert_eq!(got.is_err(), p["wantErr"].as_bool().unwrap(), "{}: {got:?}", p["file"]);
        ran += 1;
    }
    println!("{ran} consistency probes ran");
    assert_eq!(ran, 98);
}

#[test]
fn transparency_dev_subtree_inclusion_probes() {
    let probes = load("subtreeinclusion_probes_hex.json");
    let mut ran = 0;
    for p in probes.as_array().unwrap() {
        let proof = list(&p["proof_hex"], hex);
        let got = verify_subtree_inclusion(
            p["leafIdx"].as_u64().unwrap(),
            p["start"].as_u64().unwrap(),
            p["end"].as_u64().unwrap(),
            &hex(&p["leafHash_hex"]),
            &refs(&proof),
            &hex(&p["root_hex"]),
        );
        assert_eq!(got.is_err(), p["wantErr"].as_bool().unwrap(), "{}: {got:?}", p["file"]);
        ran += 1;
    }
    println!("{ran} subtree inclusion probes ran");
    assert_eq!(ran, 204);
}

#[test]
fn transparency_dev_subtree_consistency_probes() {
    let probes = load("subtreeconsistency_probes_hex.json");
    let mut ran = 0;
    for p in probes.as_array().unwrap() {
        let proof = list(&p["proof_hex"], hex);
        let got = verify_subtree_consistency(
            p["start"].as_u64().unwrap(),
            p["end"].as_u64().unwrap(),
            p["size"].as_u64().unwrap(),
            &refs(&proof),
            &hex(&p["root1_hex"]),
            &hex(&p["root2_hex"]),
        );
        assert_eq!(got.is_err(), p["wantErr"].as_bool().unwrap(), "{}: {got:?}", p["file"]);
        ran += 1;
    }
    println!("{ran} subtree consistency probes ran");
    assert_eq!(ran, 118);
}

/// The four rolling digests of the Merkle tree certificates draft's subtree
/// appendix, over a tree of 130 one-byte entries: every subtree hash, every
/// subtree inclusion and consistency proof (each one also verified), and
/// every covering pair.
#[test]
fn accumulated_subtree_vectors() {
    let spec = load("accumulated-subtree-vectors.json");
    let max = spec["max"].as_u64().unwrap();
    let mut tree = Tree::new();
    for i in 0..max {
        tree.push(leaf_hash(&[i as u8]));
    }
    let hexed = |h: &Hash| {
        h.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    };
    let subtrees = |last: u64| (0..=last).flat_map(|end| (0..=end).map(move |start| (start, end)));
    let (mut hashes, mut inclusion, mut consistency, mut covering) =
        (Sha256::new(), Sha256::new(), Sha256::new(), Sha256::new());
    let mut proofs = 0;
    for (start, end) in subtrees(max) {
        let ((s, m), (_, e)) = covering_subtrees(start, end);
        covering.update(format!("[{s}, {m}) [{m}, {e})\n"));
        if !is_valid_subtree(start, end) {
            continue;
        }
        let hash = tree.subtree_hash(start, end).unwrap();
        hashes.update(format!("[{start}, {end}) {}\n", hexed(&hash)));
        for index in start..end {
            let path = tree.subtree_inclusion_proof(index, start, end).unwrap();
            let mut line = format!("{index} [{start}, {end})");
            for h in &path {
                line.push_str(&format!(" {}", hexed(h)));
            }
            inclusion.update(line + "\n");
            let refs: Vec<&[u8]> = path.iter().map(|h| h.as_slice()).collect();
            verify_subtree_inclusion(index, start, end, &leaf_hash(&[index as u8]), &refs, &hash).unwrap();
            proofs += 1;
        }
    }
    for n in 0..=max {
        let head = tree.root(n).unwrap();
        for (start, end) in subtrees(n).filter(|&(s, e)| is_valid_subtree(s, e)) {
            let proof = tree.subtree_consistency_proof(start, end, n).unwrap();
            let mut line = format!("[{start}, {end}) {n}");
            for h in &proof {
                line.push_str(&format!(" {}", hexed(h)));
            }
            consistency.update(line + "\n");
            let refs: Vec<&[u8]> = proof.iter().map(|h| h.as_slice()).collect();
            let hash = tree.subtree_hash(start, end).unwrap();
            verify_subtree_consistency(start, end, n, &refs, &hash, &head).unwrap();
            proofs += 1;
        }
    }
    let want: Vec<&str> = spec["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["sha256_hex"].as_str().unwrap())
        .collect();
    let got: Vec<String> = [hashes, inclusion, consistency, covering]
        .into_iter()
        .map(|d| hexed(&d.finalize().into()))
        .collect();
    assert_eq!(
        got, want,
        "subtree_hash, subtree_inclusion_proof, subtree_consistency_proof, subtree_covering"
    );
    println!("4 accumulated subtree digests matched over {proofs} generated and verified proofs");
}

#[test]
fn rfc6962_reference_tree() {
    let v = load("rfc6962-reference-8-leaves.json");
    let leaves: Vec<Hash> = list(&v["leaf_inputs_hex"], hex).iter().map(|d| leaf_hash(d)).collect();
    let mut ran = 0;
    for (size, want) in v["root_hash_by_tree_size_hex"].as_array().unwrap().iter().enumerate() {
        assert_eq!(root(&leaves[..size]).to_vec(), hex(want), "root of size {size}");
        ran += 1;
    }
    for p in v["inclusion_proofs"].as_array().unwrap() {
        let (i, n) = (p["leaf_index"].as_u64().unwrap(), p["tree_size"].as_u64().unwrap());
        let want = list(&p["path_hex"], hex);
        let made: Vec<Vec<u8>> = inclusion_proof(&leaves[..n as usize], i as usize)
            .unwrap()
            .iter()
            .map(|h| h.to_vec())
            .collect();
        assert_eq!(made, want, "PATH({i}, {n})");
        verify_inclusion(i, n, &leaves[i as usize], &refs(&want), &root(&leaves[..n as usize])).unwrap();
        ran += 1;
    }
    for p in v["consistency_proofs"].as_array().unwrap() {
        let (m, n) = (p["size1"].as_u64().unwrap(), p["size2"].as_u64().unwrap());
        let want = list(&p["proof_hex"], hex);
        let made: Vec<Vec<u8>> = consistency_proof(&leaves[..n as usize], m as usize)
            .unwrap()
            .iter()
            .map(|h| h.to_vec())
            .collect();
        assert_eq!(made, want, "PROOF({m}, {n})");
        verify_consistency(
            m,
            n,
            &root(&leaves[..m as usize]),
            &root(&leaves[..n as usize]),
            &refs(&want),
        )
        .unwrap();
        ran += 1;
    }
    for h in v["hasher_vectors"].as_array().unwrap() {
        let got = if h.get("left_hex").is_some() {
            node_hash(&hex(&h["left_hex"]), &hex(&h["right_hex"]))
        } else if h.get("leaf_hex").is_some() {
            leaf_hash(&hex(&h["leaf_hex"]))
        } else {
            empty_root()
        };
        assert_eq!(got.to_vec(), hex(&h["want_hex"]), "{}", h["desc"]);
        ran += 1;
    }
    println!("{ran} RFC 6962 reference vectors ran");
    assert!(ran >= 25, "{ran}");
}

#[test]
fn real_ct_log_proofs() {
    let v = load("ct-argon2020-vectors.json");
    let inc = &v["inclusion"];
    let leaf = leaf_hash(&b64(&inc["leaf_input_b64"]));
    assert_eq!(leaf.to_vec(), b64(&inc["leaf_hash_b64_from_request_url"]));
    let path = list(&inc["audit_path_b64"], b64);
    verify_inclusion(
        inc["leaf_index"].as_u64().unwrap(),
        inc["tree_size"].as_u64().unwrap(),
        &leaf,
        &refs(&path),
        &b64(&inc["root_hash_b64"]),
    )
    .unwrap();
    // The same path one leaf over must fail.
    assert!(
        verify_inclusion(
            inc["leaf_index"].as_u64().unwrap() + 1,
            inc["tree_size"].as_u64().unwrap(),
            &leaf,
            &refs(&path),
            &b64(&inc["root_hash_b64"]),
        )
        .is_err()
    );
    let con = &v["consistency"];
    let proof = list(&con["proof_b64"], b64);
    verify_consistency(
        con["size1"].as_u64().unwrap(),
        con["size2"].as_u64().unwrap(),
        &b64(&con["root1_b64"]),
        &b64(&con["root2_b64"]),
        &refs(&proof),
    )
    .unwrap();
    println!("2 argon2020 proofs ran (30-hash paths, tree of 961,984,011 entries)");
}
