//! C2SP signed notes with Ed25519 keys: text, a blank line, and signature
//! lines `— <name> base64(key ID || signature)`. The key ID is the first
//! four bytes of SHA-256(name || 0x0A || 0x01 || public key). Parsing
//! rejects anything malformed; unknown signers are reported, not trusted.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use thiserror::Error;

const ED25519: u8 = 0x01;
pub(crate) const SIG_PREFIX: &str = "\u{2014} ";
/// More signatures than this make a note malformed (C2SP asks for at least 16).
const MAX_SIGNATURES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoteError {
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    #[error("malformed key: {0}")]
    BadKey(&'static str),
    #[error("invalid signature by {0}")]
    InvalidSignature(String),
    #[error("the note has no signature by a known key")]
    Unverified,
}

fn key_id(name: &str, public: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(public);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('+') && !name.chars().any(char::is_whitespace)
}

/// A public key that checks signatures: `<name>+<hex key ID>+<base64(0x01 || key)>`.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub name: String,
    pub key_id: u32,
    key: VerifyingKey,
}

impl Verifier {
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadKey("expected name+keyid+key"));
        };
        if !valid_name(name) || id.len() != 8 {
            return Err(NoteError::BadKey("bad name or key ID"));
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| NoteError::BadKey("key ID is not hex"))?;
        let raw = STANDARD
            .decode(key)
            .map_err(|_| NoteError::BadKey("key is not base64"))?;
        let [alg, public @ ..] = raw.as_slice() else {
            return Err(NoteError::BadKey("empty key"));
        };
        if *alg != ED25519 {
            return Err(NoteError::BadKey("not an Ed25519 key"));
        }
        let public: [u8; 32] = public.try_into().map_err(|_| NoteError::BadKey("wrong key length"))?;
        if key_id(name, &public) != id {
            return Err(NoteError::BadKey("key ID does not match the key"));
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::BadKey("not a curve point"))?;
        Ok(Self {
            name: name.to_string(),
            key_id: id,
            key,
        })
    }

    pub fn vkey(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, STANDARD.encode(raw))
    }

    /// A verifier for a raw 32-byte Ed25519 public key under `name`.
    pub fn from_public_key(name: &str, public: &[u8]) -> Result<Self, NoteError> {
        let public: [u8; 32] = public.try_into().map_err(|_| NoteError::BadKey("wrong key length"))?;
        if !valid_name(name) {
            return Err(NoteError::BadKey("bad name"));
        }
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::BadKey("not a curve point"))?;
        Ok(Self {
            name: name.to_string(),
            key_id: key_id(name, &public),
            key,
        })
    }

    /// Whether `sig` signs `message` under the pinned rule (ed25519-dalek
    /// `verify_strict`: no small-order keys or R, canonical encodings), so a
    /// log, its witnesses and auditors all reach the same verdict.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else {
            return false;
        };
        self.key.verify_strict(message, &sig).is_ok()
    }
}

/// A private key that signs notes: `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`.
#[derive(Clone)]
pub struct Signer {
    pub name: String,
    pub key_id: u32,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.key_id)
    }
}

impl Signer {
    /// A new key for `name` from 32 random bytes (the caller supplies the randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadKey("bad name"));
        }
        let key = SigningKey::from_bytes(&seed);
        Ok(Self {
            name: name.to_string(),
            key_id: key_id(name, key.verifying_key().as_bytes()),
            key,
        })
    }

    pub fn parse(skey: &str) -> Result<Self, NoteError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::BadKey("expected PRIVATE+KEY+..."))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(NoteError::BadKey("expected name+keyid+key"));
        };
        let raw = STANDARD
            .decode(key)
            .map_err(|_| NoteError::BadKey("key is not base64"))?;
        let [ED25519, seed @ ..] = raw.as_slice() else {
            return Err(NoteError::BadKey("not an Ed25519 key"));
        };
        let seed: [u8; 32] = seed.try_into().map_err(|_| NoteError::BadKey("wrong key length"))?;
        let signer = Self::from_seed(name, seed)?;
        if format!("{:08x}", signer.key_id) != id {
            return Err(NoteError::BadKey("key ID does not match the key"));
        }
        Ok(signer)
    }

    pub fn skey(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!("PRIVATE+KEY+{}+{:08x}+{}", self.name, self.key_id, STANDARD.encode(raw))
    }

    /// The key's name; for a log's key, the log's origin.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// The signature line for `text`.
    fn signature_line(&self, text: &str) -> String {
        let mut sig = self.key_id.to_be_bytes().to_vec();
        sig.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        format!("{SIG_PREFIX}{} {}\n", self.name, STANDARD.encode(sig))
    }
}

/// Signs `text` (which must end in a newline and hold no blank-line split).
pub fn sign(text: &str, signers: &[&Signer]) -> Result<String, NoteError> {
    check_chars(text.as_bytes())?;
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed("text does not end in a newline"));
    }
    if signers.is_empty() {
        return Err(NoteError::Malformed("no signer"));
    }
    let mut out = format!("{text}\n");
    for s in signers {
        out.push_str(&s.signature_line(text));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub key_id: u32,
    pub base64: String,
}

/// An opened note: its text and its signatures, checked or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub verified: Vec<Signature>,
    pub unverified: Vec<Signature>,
}

fn check_chars(bytes: &[u8]) -> Result<&str, NoteError> {
    let s = std::str::from_utf8(bytes).map_err(|_| NoteError::Malformed("not UTF-8"))?;
    if s.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("control character"));
    }
    Ok(s)
}

/// Parses a signed note and checks every signature by a known key.
pub fn open(note: &[u8], known: &[Verifier]) -> Result<Note, NoteError> {
    let s = check_chars(note)?;
    let split = s
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&s[..split + 1], &s[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed("signatures do not end in a newline"));
    }
    let mut out = Note {
        text: text.to_string(),
        verified: Vec::new(),
        unverified: Vec::new(),
    };
    let mut count = 0;
    for line in sigs[..sigs.len() - 1].split('\n') {
        let line = line
            .strip_prefix(SIG_PREFIX)
            .ok_or(NoteError::Malformed("signature line"))?;
        let (name, b64) = line.split_once(' ').ok_or(NoteError::Malformed("signature line"))?;
        let sig = STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("signature is not base64"))?;
        if !valid_name(name) || b64.is_empty() || sig.len() < 5 {
            return Err(NoteError::Malformed("signature line"));
        }
        count += 1;
        if count > MAX_SIGNATURES {
            return Err(NoteError::Malformed("too many signatures"));
        }
        let id = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
        let entry = Signature {
            name: name.to_string(),
            key_id: id,
            base64: b64.to_string(),
        };
        match known.iter().find(|v| v.name == name && v.key_id == id) {
            None => {
                if !out.unverified.contains(&entry) {
                    out.unverified.push(entry);
                }
            }
            Some(v) => {
                if out.verified.iter().any(|s| s.name == name && s.key_id == id) {
                    continue;
                }
                if !v.verify(text.as_bytes(), &sig[4..]) {
                    return Err(NoteError::InvalidSignature(name.to_string()));
                }
                out.verified.push(entry);
            }
        }
    }
    if out.verified.is_empty() {
        return Err(NoteError::Unverified);
    }
    Ok(out)
}
