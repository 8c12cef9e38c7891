//! Passwords: argon2id (RFC 9106) in PHC string form, with parameters
//! chosen for a server on two cores (19 MiB, 2 passes, 1 lane: the OWASP
//! minimum), and a policy on what a password must be.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;

fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// Why a password is refused, for the person choosing it: a code
/// (`too_short`, `contains_username`, `repeated`) a page can say in its own
/// language, and the reason in English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WeakPassword {
    pub code: &'static str,
    pub message: String,
}

/// Whether a password may be chosen; why not, for the person choosing it.
pub fn check_policy(password: &str, username: &str) -> Result<(), WeakPassword> {
    let weak = |code, message: String| Err(WeakPassword { code, message });
    if password.chars().count() < MIN_LENGTH {
        return weak(
            "too_short",
            format!("a password needs at least {MIN_LENGTH} characters"),
        );
    }
    if password.to_lowercase().contains(&username.to_lowercase()) && !username.is_empty() {
        return weak("contains_username", "a password may not contain the user name".into());
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return weak(
            "repeated",
            "a password of one repeated character is too easy to guess".into(),
        );
    }
    Ok(())
}

/// The PHC string of `password` under a 16-byte random `salt`.
pub fn hash(password: &str, salt: [u8; 16]) -> String {
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id hashes any password")
        .to_string()
}

/// Whether `password` matches the stored PHC string (false for a malformed one).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// A password of `n` characters from random bytes (no look-alike characters).
pub fn generate(random: &[u8]) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse battery", [7; 16]);
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterY", &h));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(hash("x", [1; 16]), hash("x", [2; 16]), "salted");
    }

    #[test]
    fn the_policy_says_why() {
        let short = check_policy("short", "u").unwrap_err();
        assert!(short.message.contains("10 characters") && short.code == "too_short");
        let named = check_policy("zhang-san-2026", "zhang-san").unwrap_err();
        assert!(named.message.contains("user name") && named.code == "contains_username");
        assert_eq!(check_policy("aaaaaaaaaaaa", "u").unwrap_err().code, "repeated");
        assert!(check_policy("一二三四五六七八九十", "u").is_ok());
        assert_eq!(generate(&[0, 1, 55, 56]).len(), 4);
    }
}
