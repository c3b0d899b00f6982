//! The journal's hash chain. Each household (and the system) has its own chain, so writes
//! for different households never wait on each other; a head per chain catches removal of
//! the last entries.

use sha2::{Digest, Sha256};

/// The fields of an entry that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    /// Global insertion number, used only to name an entry.
    pub seq: i64,
    pub stream: String,
    pub stream_seq: i64,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub actor_id: Option<String>,
    pub household_id: Option<String>,
    pub kind: String,
    pub summary: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The stream that entries without a household belong to.
pub const SYSTEM_STREAM: &str = "system";

/// Hash of an entry: SHA-256 over the previous hash and every field, each length-prefixed so
/// that no two different entries serialise alike.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    stream: &str,
    stream_seq: i64,
    at: i64,
    actor_id: Option<&str>,
    household_id: Option<&str>,
    kind: &str,
    summary: &str,
    payload: &str,
) -> String {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(stream.as_bytes());
    field(&stream_seq.to_be_bytes());
    field(&at.to_be_bytes());
    field(actor_id.unwrap_or("\u{0}").as_bytes());
    field(household_id.unwrap_or("\u{0}").as_bytes());
    field(kind.as_bytes());
    field(summary.as_bytes());
    field(payload.as_bytes());
    hex::encode(hasher.finalize())
}

impl ChainedEntry {
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            &self.stream,
            self.stream_seq,
            self.at,
            self.actor_id.as_deref(),
            self.household_id.as_deref(),
            &self.kind,
            &self.summary,
            &self.payload,
        )
    }
}

/// What is wrong with the chain at an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entry {seq} (stream {stream} #{stream_seq}) was altered: its hash does not match its content")]
    Altered {
        seq: i64,
        stream: String,
        stream_seq: i64,
    },
    #[error("entry {seq} (stream {stream} #{stream_seq}) does not follow its predecessor: an entry before it was removed or the order changed")]
    Broken {
        seq: i64,
        stream: String,
        stream_seq: i64,
    },
    #[error("stream {stream} ends at #{found} but its head says #{expected}: entries at its end were removed")]
    Truncated {
        stream: String,
        expected: i64,
        found: i64,
    },
}

impl ChainBreak {
    /// The global number of the first broken entry, when the break is at an entry.
    fn seq(&self) -> i64 {
        match self {
            ChainBreak::Altered { seq, .. } | ChainBreak::Broken { seq, .. } => *seq,
            ChainBreak::Truncated { .. } => i64::MAX,
        }
    }
}

/// Verifies chains fed entry by entry, ordered by stream and stream number, so a journal of
/// any size is checked in constant memory per stream.
#[derive(Debug, Default)]
pub struct ChainVerifier {
    current: Option<(String, i64, String)>,
    first_break: Option<ChainBreak>,
    checked: u64,
    ends: Vec<(String, i64, String)>,
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, entry: &ChainedEntry) {
        self.checked += 1;
        let (expected_seq, expected_prev) = match &self.current {
            Some((stream, seq, hash)) if *stream == entry.stream => (seq + 1, hash.clone()),
            _ => {
                self.close_stream();
                (1, String::new())
            }
        };
        if entry.computed_hash() != entry.hash {
            self.record(ChainBreak::Altered {
                seq: entry.seq,
                stream: entry.stream.clone(),
                stream_seq: entry.stream_seq,
            });
        } else if entry.stream_seq != expected_seq || entry.prev_hash != expected_prev {
            self.record(ChainBreak::Broken {
                seq: entry.seq,
                stream: entry.stream.clone(),
                stream_seq: entry.stream_seq,
            });
        }
        self.current = Some((entry.stream.clone(), entry.stream_seq, entry.hash.clone()));
    }

    fn close_stream(&mut self) {
        if let Some(end) = self.current.take() {
            self.ends.push(end);
        }
    }

    fn record(&mut self, found: ChainBreak) {
        let earlier = match &self.first_break {
            Some(existing) => found.seq() < existing.seq(),
            None => true,
        };
        if earlier {
            self.first_break = Some(found);
        }
    }

    /// Compare with the stored heads (stream, last stream number, last hash) and give the
    /// first break, by global entry number, or the number of entries checked.
    pub fn finish(mut self, heads: &[(String, i64, String)]) -> Result<u64, ChainBreak> {
        self.close_stream();
        let ends: std::collections::HashMap<String, (i64, String)> = std::mem::take(&mut self.ends)
            .into_iter()
            .map(|(s, n, h)| (s, (n, h)))
            .collect();
        for (stream, head_seq, head_hash) in heads {
            let (found, hash) = ends
                .get(stream)
                .map(|(n, h)| (*n, h.as_str()))
                .unwrap_or((0, ""));
            if found != *head_seq || (found > 0 && hash != head_hash) {
                self.record(ChainBreak::Truncated {
                    stream: stream.clone(),
                    expected: *head_seq,
                    found,
                });
            }
        }
        match self.first_break {
            Some(found) => Err(found),
            None => Ok(self.checked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(stream: &str, first_seq: i64, n: i64) -> Vec<ChainedEntry> {
        let mut prev = String::new();
        (1..=n)
            .map(|i| {
                let summary = format!("step {i}");
                let hash = entry_hash(
                    &prev,
                    stream,
                    i,
                    1000 + i,
                    Some("anne"),
                    Some(stream),
                    "k",
                    &summary,
                    "{}",
                );
                let entry = ChainedEntry {
                    seq: first_seq + i,
                    stream: stream.into(),
                    stream_seq: i,
                    at: 1000 + i,
                    actor_id: Some("anne".into()),
                    household_id: Some(stream.into()),
                    kind: "k".into(),
                    summary,
                    payload: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn verify(
        entries: &[ChainedEntry],
        heads: &[(String, i64, String)],
    ) -> Result<u64, ChainBreak> {
        let mut verifier = ChainVerifier::new();
        for entry in entries {
            verifier.push(entry);
        }
        verifier.finish(heads)
    }

    fn heads_of(entries: &[ChainedEntry]) -> Vec<(String, i64, String)> {
        let mut heads: Vec<(String, i64, String)> = Vec::new();
        for e in entries {
            heads.retain(|(s, _, _)| *s != e.stream);
            heads.push((e.stream.clone(), e.stream_seq, e.hash.clone()));
        }
        heads
    }

    #[test]
    fn an_intact_journal_verifies() {
        let mut entries = chain("h1", 0, 4);
        entries.extend(chain("h2", 10, 3));
        let heads = heads_of(&entries);
        assert_eq!(verify(&entries, &heads), Ok(7));
    }

    #[test]
    fn an_altered_entry_is_named() {
        let entries = chain("h1", 0, 4);
        let heads = heads_of(&entries);
        let mut tampered = entries.clone();
        tampered[2].summary = "nothing happened".into();
        assert_eq!(
            verify(&tampered, &heads),
            Err(ChainBreak::Altered {
                seq: 3,
                stream: "h1".into(),
                stream_seq: 3
            })
        );
    }

    #[test]
    fn a_removed_entry_breaks_its_successor() {
        let entries = chain("h1", 0, 4);
        let heads = heads_of(&entries);
        let mut removed = entries.clone();
        removed.remove(1);
        assert_eq!(
            verify(&removed, &heads),
            Err(ChainBreak::Broken {
                seq: 3,
                stream: "h1".into(),
                stream_seq: 3
            })
        );
    }

    #[test]
    fn reordered_entries_are_detected() {
        let entries = chain("h1", 0, 4);
        let heads = heads_of(&entries);
        let mut reordered = entries.clone();
        reordered.swap(1, 2);
        assert!(matches!(
            verify(&reordered, &heads),
            Err(ChainBreak::Broken { seq: 2, .. })
        ));
    }

    #[test]
    fn removing_the_last_entries_is_caught_by_the_head() {
        let entries = chain("h1", 0, 4);
        let heads = heads_of(&entries);
        assert_eq!(
            verify(&entries[..2], &heads),
            Err(ChainBreak::Truncated {
                stream: "h1".into(),
                expected: 4,
                found: 2
            })
        );
    }

    #[test]
    fn the_earliest_break_across_streams_is_reported() {
        let mut entries = chain("h1", 20, 3);
        entries.extend(chain("h2", 0, 3));
        let heads = heads_of(&entries);
        entries[1].kind = "x".into(); // seq 22
        entries[4].kind = "x".into(); // seq 2
        assert!(matches!(
            verify(&entries, &heads),
            Err(ChainBreak::Altered { seq: 2, .. })
        ));
    }
}
