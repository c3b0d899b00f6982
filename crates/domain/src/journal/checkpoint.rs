//! Signed checkpoints over every chain head.

use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::key::JournalKey;

/// One checkpoint, as written outside the database (one JSON line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The checkpoint's number in the database.
    pub id: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    /// How many chains there were.
    pub streams: i64,
    /// How many entries they held together.
    pub entries: i64,
    /// SHA-256 over every (stream, number, link), in stream order.
    pub digest: String,
    /// Ed25519 over the fields above, with the key derived from the journal key.
    pub signature: String,
    /// The public key that checks `signature`.
    pub public_key: String,
}

/// Why a checkpoint does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint {0} has a signature that does not match: it was not made with this journal key or was altered")]
    BadSignature(i64),
    #[error("checkpoint {0} is not in the database: the database is older than the checkpoint (restored from an old backup) or its record was removed")]
    Missing(i64),
    #[error("checkpoint {0} in the database does not match the one outside it: the chain heads it covers were altered")]
    Mismatch(i64),
    #[error("the checkpoint file cannot be read: {0}")]
    Unreadable(String),
}

/// The digest of a set of chain heads, given in stream order.
pub fn heads_digest<'a>(
    heads: impl IntoIterator<Item = (&'a str, i64, &'a str)>,
) -> (String, i64, i64) {
    let mut hasher = Sha256::new();
    let (mut streams, mut entries) = (0i64, 0i64);
    for (stream, seq, hash) in heads {
        for field in [stream.as_bytes(), &seq.to_be_bytes(), hash.as_bytes()] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field);
        }
        streams += 1;
        entries += seq;
    }
    (hex::encode(hasher.finalize()), streams, entries)
}

fn message(id: i64, at: i64, streams: i64, entries: i64, digest: &str) -> Vec<u8> {
    format!("spil journal checkpoint v1\n{id}\n{at}\n{streams}\n{entries}\n{digest}").into_bytes()
}

impl Checkpoint {
    /// Sign a checkpoint over heads whose digest, count and total are given.
    pub fn sign(
        key: &JournalKey,
        id: i64,
        at: i64,
        streams: i64,
        entries: i64,
        digest: String,
    ) -> Self {
        let signing = key.signing_key();
        let signature = signing.sign(&message(id, at, streams, entries, &digest));
        Checkpoint {
            id,
            at,
            streams,
            entries,
            digest,
            signature: hex::encode(signature.to_bytes()),
            public_key: hex::encode(signing.verifying_key().to_bytes()),
        }
    }

    /// Check the signature against the key (not against the public key the line carries,
    /// which a forger would simply replace).
    pub fn check_signature(&self, key: &JournalKey) -> Result<(), CheckpointError> {
        let verifying: VerifyingKey = key.signing_key().verifying_key();
        let bytes: Option<[u8; 64]> = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok());
        let Some(bytes) = bytes else {
            return Err(CheckpointError::BadSignature(self.id));
        };
        verifying
            .verify(
                &message(self.id, self.at, self.streams, self.entries, &self.digest),
                &Signature::from_bytes(&bytes),
            )
            .map_err(|_| CheckpointError::BadSignature(self.id))
    }

    /// The newest well-formed line of a checkpoint file.
    pub fn latest_in(text: &str) -> Result<Option<Checkpoint>, CheckpointError> {
        match text.lines().rev().find(|l| !l.trim().is_empty()) {
            None => Ok(None),
            Some(line) => serde_json::from_str(line)
                .map(Some)
                .map_err(|e| CheckpointError::Unreadable(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> JournalKey {
        JournalKey::from_secret(secret).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn a_checkpoint_verifies_only_with_its_own_key_and_content() {
        let k = key("the region's journal key, 32 chars or more");
        let (digest, streams, entries) = heads_digest([("h1", 4, "aa"), ("h2", 2, "bb")]);
        assert_eq!((streams, entries), (2, 6));
        let cp = Checkpoint::sign(&k, 7, 1000, streams, entries, digest);
        assert_eq!(cp.check_signature(&k), Ok(()));
        assert_eq!(
            cp.check_signature(&key("another key that is long enough to use")),
            Err(CheckpointError::BadSignature(7))
        );
        let mut moved = cp.clone();
        moved.entries = 5;
        assert_eq!(
            moved.check_signature(&k),
            Err(CheckpointError::BadSignature(7))
        );
        let line = serde_json::to_string(&cp).unwrap_or_default();
        let file = format!(
            "{}\n{line}\n",
            serde_json::to_string(&moved).unwrap_or_default()
        );
        assert_eq!(Checkpoint::latest_in(&file), Ok(Some(cp)));
    }

    #[test]
    fn the_digest_covers_order_numbers_and_links() {
        let a = heads_digest([("h1", 4, "aa"), ("h2", 2, "bb")]).0;
        assert_ne!(a, heads_digest([("h1", 3, "aa"), ("h2", 2, "bb")]).0);
        assert_ne!(a, heads_digest([("h1", 4, "ab"), ("h2", 2, "bb")]).0);
        assert_ne!(a, heads_digest([("h1", 4, "aa")]).0);
    }
}
