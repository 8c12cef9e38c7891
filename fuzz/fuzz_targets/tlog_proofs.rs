//! Arbitrary proofs against arbitrary trees: verification says yes or no,
//! never panics, and never accepts a proof for a leaf or root that is not the
//! real one of a tree built here.
#![no_main]
use fengqiao_tlog::{Tree, leaf_hash, verify_consistency, verify_inclusion};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    index: u64,
    size: u64,
    old: u64,
    leaf: Vec<u8>,
    root: Vec<u8>,
    proof: Vec<Vec<u8>>,
    leaves: u8,
}

fuzz_target!(|i: Input| {
    let proof: Vec<&[u8]> = i.proof.iter().map(Vec::as_slice).collect();
    let _ = verify_inclusion(i.index, i.size, &i.leaf, &proof, &i.root);
    let _ = verify_consistency(i.old, i.size, &i.leaf, &i.root, &proof);
    // A real tree: its own proofs verify; a changed leaf hash does not.
    let n = u64::from(i.leaves % 64) + 1;
    let mut tree = Tree::new();
    let leaves: Vec<_> = (0..n).map(|k| leaf_hash(&k.to_be_bytes())).collect();
    for l in &leaves {
        tree.push(*l);
    }
    let index = i.index % n;
    let root = tree.root(n).expect("whole tree");
    let path = tree.inclusion_proof(index, n).expect("in range");
    let path: Vec<&[u8]> = path.iter().map(|h| h.as_slice()).collect();
    let leaf = leaves[index as usize];
    assert!(verify_inclusion(index, n, &leaf, &path, &root).is_ok());
    if i.leaf.len() == 32 && i.leaf != leaf {
        assert!(
            verify_inclusion(index, n, &i.leaf, &path, &root).is_err(),
            "a wrong leaf was accepted"
        );
    }
    let old = i.old % n + 1;
    let old_root = tree.root(old).expect("a prefix");
    let cproof = tree.consistency_proof(old, n).expect("a prefix");
    let cproof: Vec<&[u8]> = cproof.iter().map(|h| h.as_slice()).collect();
    assert!(verify_consistency(old, n, &old_root, &root, &cproof).is_ok());
});
