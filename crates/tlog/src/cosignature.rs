//! C2SP tlog-cosignature/v1: a witness's Ed25519 signature over a
//! checkpoint and the time it saw it, so clients can require that several
//! independent witnesses saw the same tree (no split view). Key ID:
//! SHA-256(name || 0x0A || 0x04 || public key)[..4]; signature bytes: key
//! ID || timestamp (u64, big-endian) || Ed25519 signature of the message.

use crate::Checkpoint;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const COSIGNATURE_V1: u8 = 0x04;

/// The signed message: `cosignature/v1`, `time <t>`, then the checkpoint body.
pub fn message(checkpoint: &Checkpoint, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{}", checkpoint.to_text())
}

pub fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let d = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', COSIGNATURE_V1])
        .chain_update(public)
        .finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// A witness's cosignature bytes for `checkpoint` seen at `time` (Unix seconds).
pub fn cosign(name: &str, seed: [u8; 32], checkpoint: &Checkpoint, time: u64) -> Vec<u8> {
    let key = SigningKey::from_bytes(&seed);
    let mut out = key_id(name, key.verifying_key().as_bytes()).to_be_bytes().to_vec();
    out.extend_from_slice(&time.to_be_bytes());
    out.extend_from_slice(&key.sign(message(checkpoint, time).as_bytes()).to_bytes());
    out
}

/// Checks a cosignature; returns the time the witness saw the checkpoint.
pub fn verify(name: &str, public: &[u8; 32], checkpoint: &Checkpoint, sig: &[u8]) -> Option<u64> {
    if sig.len() != 4 + 8 + 64 || sig[..4] != key_id(name, public).to_be_bytes() {
        return None;
    }
    let time = u64::from_be_bytes(sig[4..12].try_into().ok()?);
    let key = VerifyingKey::from_bytes(public).ok()?;
    let signature = ed25519_dalek::Signature::from_slice(&sig[12..]).ok()?;
    key.verify_strict(message(checkpoint, time).as_bytes(), &signature)
        .ok()
        .map(|()| time)
}
