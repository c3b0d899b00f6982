//! The journal key: configuration, never stored in the database.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The secret behind the journal's MACs and the checkpoint signatures.
#[derive(Clone, PartialEq, Eq)]
pub struct JournalKey([u8; 32]);

/// Why a configured journal key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the journal key must be at least 32 characters (use e.g. 64 hex digits from a random source)")]
    TooShort,
}

impl std::fmt::Debug for JournalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JournalKey(…)")
    }
}

impl JournalKey {
    /// Derive the key from a configured secret of at least 32 characters.
    pub fn from_secret(secret: &str) -> Result<Self, KeyError> {
        let secret = secret.trim();
        if secret.chars().count() < 32 {
            return Err(KeyError::TooShort);
        }
        let mut hasher = Sha256::new();
        hasher.update(b"spil journal key v1\0");
        hasher.update(secret.as_bytes());
        Ok(JournalKey(hasher.finalize().into()))
    }

    fn mac(&self, purpose: &[u8]) -> Hmac<Sha256> {
        // HMAC takes keys of any length; this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(purpose);
        mac
    }

    /// A keyed MAC over length-prefixed fields, for one purpose.
    pub(crate) fn mac_fields(&self, purpose: &[u8], fields: &[&[u8]]) -> String {
        let mut mac = self.mac(purpose);
        for field in fields {
            mac.update(&(field.len() as u64).to_be_bytes());
            mac.update(field);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// A MAC of `value` for another of the server's own purposes (a form token bound to a
    /// pre-session), so no second secret needs configuring.
    pub fn tag(&self, purpose: &str, value: &str) -> String {
        self.mac_fields(b"spil tag", &[purpose.as_bytes(), value.as_bytes()])
    }

    /// The Ed25519 key that signs checkpoints, derived from the journal key.
    pub(crate) fn signing_key(&self) -> ed25519_dalek::SigningKey {
        let seed: [u8; 32] = self
            .mac(b"checkpoint signing key")
            .finalize()
            .into_bytes()
            .into();
        ed25519_dalek::SigningKey::from_bytes(&seed)
    }

    /// The public half of the checkpoint key, for anyone who checks checkpoints.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing_key().verifying_key().to_bytes())
    }
}

/// SHA-256 of a text, in hex: what an entry's MAC commits to instead of the text itself.
pub fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secrets_are_refused_and_keys_never_print() {
        assert_eq!(JournalKey::from_secret("short"), Err(KeyError::TooShort));
        let key = JournalKey::from_secret(&"k".repeat(32));
        assert!(key.is_ok());
        assert_eq!(format!("{key:?}"), "Ok(JournalKey(…))");
    }

    #[test]
    fn different_secrets_give_different_macs() {
        let a = JournalKey::from_secret(&"a".repeat(40));
        let b = JournalKey::from_secret(&"b".repeat(40));
        let (Ok(a), Ok(b)) = (a, b) else {
            panic!("valid secrets");
        };
        assert_ne!(a.mac_fields(b"x", &[b"1"]), b.mac_fields(b"x", &[b"1"]));
        assert_ne!(a.mac_fields(b"x", &[b"1"]), a.mac_fields(b"y", &[b"1"]));
        assert_ne!(a.public_key_hex(), b.public_key_hex());
    }
}
