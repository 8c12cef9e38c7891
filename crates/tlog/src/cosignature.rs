//! C2SP tlog-cosignature/v1: a witness's Ed25519 signature over a
//! checkpoint and the time it saw it, so clients can require that several
//! independent witnesses saw the same tree (no split view). Key ID:
//! SHA-256(name || 0x0A || 0x04 || public key)[..4]; signature bytes: key
//! ID || timestamp (u64, big-endian) || Ed25519 signature of the message.

use crate::Checkpoint;
use crate::note::{SIG_PREFIX, valid_name};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
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

/// A witness's public key, from its verifier key: the native cosignature/v1
/// form (`name+id+base64(0x04 || key)`), or a note key (`0x01`), which
/// witnesses also publish and which names the same Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessKey {
    pub name: String,
    pub public: [u8; 32],
}

impl WitnessKey {
    /// The public key of a witness whose secret seed is `seed`.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Self {
        Self {
            name: name.to_string(),
            public: SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
        }
    }

    pub fn parse(vkey: &str) -> Result<Self, &'static str> {
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err("expected name+keyid+key");
        };
        if !valid_name(name) || id.len() != 8 {
            return Err("bad name or key ID");
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| "key ID is not hex")?;
        let raw = STANDARD.decode(key).map_err(|_| "key is not base64")?;
        let [alg, public @ ..] = raw.as_slice() else {
            return Err("empty key");
        };
        let public: [u8; 32] = public.try_into().map_err(|_| "wrong key length")?;
        VerifyingKey::from_bytes(&public).map_err(|_| "not a curve point")?;
        let want = match *alg {
            COSIGNATURE_V1 => key_id(name, &public),
            0x01 => {
                crate::note::Verifier::from_public_key(name, &public)
                    .map_err(|_| "bad key")?
                    .key_id
            }
            _ => return Err("neither a cosignature/v1 nor an Ed25519 note key"),
        };
        if want != id {
            return Err("key ID does not match the key");
        }
        Ok(Self {
            name: name.to_string(),
            public,
        })
    }

    /// The native cosignature/v1 verifier key.
    pub fn vkey(&self) -> String {
        let mut raw = vec![COSIGNATURE_V1];
        raw.extend_from_slice(&self.public);
        format!(
            "{}+{:08x}+{}",
            self.name,
            key_id(&self.name, &self.public),
            STANDARD.encode(raw)
        )
    }

    /// Checks one signature line (`— name base64`) over `checkpoint`;
    /// returns the time the witness saw it. `None`: another key or no match.
    pub fn verify_line(&self, checkpoint: &Checkpoint, line: &str) -> Option<u64> {
        let (name, sig) = parse_line(line)?;
        (name == self.name).then(|| verify(&self.name, &self.public, checkpoint, &sig))?
    }
}

/// `— name base64` (without its newline) as (name, signature bytes).
pub fn parse_line(line: &str) -> Option<(&str, Vec<u8>)> {
    let (name, b64) = line.strip_prefix(SIG_PREFIX)?.split_once(' ')?;
    let sig = STANDARD.decode(b64).ok()?;
    (valid_name(name) && sig.len() >= 4).then_some((name, sig))
}

/// The signature line of a cosignature, as a witness returns it.
pub fn line(name: &str, sig: &[u8]) -> String {
    format!("{SIG_PREFIX}{name} {}\n", STANDARD.encode(sig))
}
