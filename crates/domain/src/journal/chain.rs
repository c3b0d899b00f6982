//! The per-stream hash chains. Each household (and the system) has its own chain, so writes
//! for different households never wait on each other; a head per chain catches removal of
//! the last entries.

use sha2::{Digest, Sha256};

use super::key::{digest, JournalKey};

/// The fields of an entry that its link covers.
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
    /// SHA-256 of the summary and payload as written; empty for entries from before keyed
    /// chaining, which commit to the text itself.
    pub summary_digest: String,
    pub payload_digest: String,
    /// The content was erased (retention): only the digests remain.
    pub erased: bool,
    pub prev_hash: String,
    pub hash: String,
}

/// The stream that entries without a household belong to.
pub const SYSTEM_STREAM: &str = "system";

/// What an entry's link is computed over, content replaced by its digests.
#[derive(Debug, Clone, Copy)]
pub struct Link<'a> {
    pub prev_hash: &'a str,
    pub stream: &'a str,
    pub stream_seq: i64,
    pub at: i64,
    pub actor_id: Option<&'a str>,
    pub household_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary_digest: &'a str,
    pub payload_digest: &'a str,
}

impl Link<'_> {
    /// The keyed MAC that chains this entry to the one before it.
    pub fn mac(&self, key: &JournalKey) -> String {
        key.mac_fields(
            b"spil journal entry v2",
            &[
                self.prev_hash.as_bytes(),
                self.stream.as_bytes(),
                &self.stream_seq.to_be_bytes(),
                &self.at.to_be_bytes(),
                self.actor_id.unwrap_or("\u{0}").as_bytes(),
                self.household_id.unwrap_or("\u{0}").as_bytes(),
                self.kind.as_bytes(),
                self.summary_digest.as_bytes(),
                self.payload_digest.as_bytes(),
            ],
        )
    }
}

/// The unkeyed hash of entries written before keyed chaining: SHA-256 over the previous hash
/// and every field, each length-prefixed.
#[allow(clippy::too_many_arguments)]
pub fn legacy_entry_hash(
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
    /// Entries from before keyed chaining.
    pub fn is_legacy(&self) -> bool {
        self.summary_digest.is_empty() && self.payload_digest.is_empty()
    }

    /// Whether an entry from before keyed chaining is what its unkeyed hash says (checked
    /// once, when the journal is upgraded to keyed links).
    pub fn is_intact_legacy(&self) -> bool {
        self.is_legacy()
            && !self.erased
            && legacy_entry_hash(
                &self.prev_hash,
                &self.stream,
                self.stream_seq,
                self.at,
                self.actor_id.as_deref(),
                self.household_id.as_deref(),
                &self.kind,
                &self.summary,
                &self.payload,
            ) == self.hash
    }

    /// Whether the entry is what its link says: the content matches its digests (unless
    /// erased) and the link is the MAC of the rest. Unkeyed entries never pass: the journal is
    /// upgraded to keyed links when the server starts, so one found later is a forgery.
    pub fn is_authentic(&self, key: &JournalKey) -> bool {
        if self.is_legacy() {
            return false;
        }
        if !self.erased
            && (digest(&self.summary) != self.summary_digest
                || digest(&self.payload) != self.payload_digest)
        {
            return false;
        }
        Link {
            prev_hash: &self.prev_hash,
            stream: &self.stream,
            stream_seq: self.stream_seq,
            at: self.at,
            actor_id: self.actor_id.as_deref(),
            household_id: self.household_id.as_deref(),
            kind: &self.kind,
            summary_digest: &self.summary_digest,
            payload_digest: &self.payload_digest,
        }
        .mac(key)
            == self.hash
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
    #[error("stream {stream} ends at #{found} but the latest checkpoint saw it at #{checkpoint}: entries were removed or the stream was deleted")]
    BehindCheckpoint {
        stream: String,
        checkpoint: i64,
        found: i64,
    },
}

impl ChainBreak {
    /// The global number of the first broken entry, when the break is at an entry.
    fn seq(&self) -> i64 {
        match self {
            ChainBreak::Altered { seq, .. } | ChainBreak::Broken { seq, .. } => *seq,
            ChainBreak::Truncated { .. } | ChainBreak::BehindCheckpoint { .. } => i64::MAX,
        }
    }
}

/// Verifies chains fed entry by entry, ordered by stream and stream number, so a journal of
/// any size is checked in constant memory per stream.
#[derive(Debug)]
pub struct ChainVerifier {
    key: JournalKey,
    /// (stream, last number, last hash)
    current: Option<(String, i64, String)>,
    first_break: Option<ChainBreak>,
    checked: u64,
    erased: u64,
    ends: std::collections::HashMap<String, (i64, String)>,
    /// (stream, number) → link, for the entries the latest checkpoint names.
    pinned: std::collections::HashMap<String, (i64, String)>,
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: u64,
    /// Entries whose content was erased for retention; their digests still verify.
    pub erased: u64,
}

impl ChainVerifier {
    pub fn new(key: JournalKey) -> Self {
        ChainVerifier {
            key,
            current: None,
            first_break: None,
            checked: 0,
            erased: 0,
            ends: Default::default(),
            pinned: Default::default(),
        }
    }

    /// Check, too, that each chain still holds the entry a checkpoint named for it.
    pub fn pin(&mut self, heads: &[(String, i64, String)]) {
        self.pinned = heads
            .iter()
            .map(|(s, n, h)| (s.clone(), (*n, h.clone())))
            .collect();
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
        self.erased += u64::from(entry.erased);
        if !entry.is_authentic(&self.key) {
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
        if let Some((n, hash)) = self.pinned.get(&entry.stream) {
            if *n == entry.stream_seq && *hash != entry.hash {
                self.record(ChainBreak::Altered {
                    seq: entry.seq,
                    stream: entry.stream.clone(),
                    stream_seq: entry.stream_seq,
                });
            }
        }
        self.current = Some((entry.stream.clone(), entry.stream_seq, entry.hash.clone()));
    }

    fn close_stream(&mut self) {
        if let Some((stream, n, hash)) = self.current.take() {
            self.ends.insert(stream, (n, hash));
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

    /// Compare with the stored heads (stream, last stream number, last hash) and with the
    /// pinned checkpoint, and give the first break, by global entry number, or the report.
    pub fn finish(mut self, heads: &[(String, i64, String)]) -> Result<ChainReport, ChainBreak> {
        self.close_stream();
        for (stream, head_seq, head_hash) in heads {
            let (found, hash) = self
                .ends
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
        let mut pinned: Vec<(&String, &(i64, String))> = self.pinned.iter().collect();
        pinned.sort();
        let mut cut = None;
        for (stream, (n, _)) in pinned {
            let found = self.ends.get(stream).map(|(f, _)| *f).unwrap_or(0);
            if found < *n && cut.is_none() {
                cut = Some(ChainBreak::BehindCheckpoint {
                    stream: stream.clone(),
                    checkpoint: *n,
                    found,
                });
            }
        }
        if let Some(cut) = cut {
            self.record(cut);
        }
        match self.first_break {
            Some(found) => Err(found),
            None => Ok(ChainReport {
                entries: self.checked,
                erased: self.erased,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> JournalKey {
        JournalKey::from_secret("a test key that is long enough to use")
            .unwrap_or_else(|_| unreachable!())
    }

    fn chain(stream: &str, first_seq: i64, n: i64) -> Vec<ChainedEntry> {
        let key = key();
        let mut prev = String::new();
        (1..=n)
            .map(|i| {
                let summary = format!("step {i}");
                let (sd, pd) = (digest(&summary), digest("{}"));
                let hash = Link {
                    prev_hash: &prev,
                    stream,
                    stream_seq: i,
                    at: 1000 + i,
                    actor_id: Some("anne"),
                    household_id: Some(stream),
                    kind: "k",
                    summary_digest: &sd,
                    payload_digest: &pd,
                }
                .mac(&key);
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
                    summary_digest: sd,
                    payload_digest: pd,
                    erased: false,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn verify_pinned(
        entries: &[ChainedEntry],
        heads: &[(String, i64, String)],
        pinned: &[(String, i64, String)],
    ) -> Result<u64, ChainBreak> {
        let mut verifier = ChainVerifier::new(key());
        verifier.pin(pinned);
        for entry in entries {
            verifier.push(entry);
        }
        verifier.finish(heads).map(|r| r.entries)
    }

    fn verify(
        entries: &[ChainedEntry],
        heads: &[(String, i64, String)],
    ) -> Result<u64, ChainBreak> {
        verify_pinned(entries, heads, &[])
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
    fn an_entry_rewritten_with_a_recomputed_chain_fails_without_the_key() {
        let entries = chain("h1", 0, 3);
        let mut forged = entries.clone();
        // An attacker edits entry 2 and recomputes every digest and link with another key.
        let other = JournalKey::from_secret("the attacker's guess at the key, long")
            .unwrap_or_else(|_| unreachable!());
        let mut prev = forged[0].hash.clone();
        for e in forged.iter_mut().skip(1) {
            e.summary = "nothing happened".into();
            e.summary_digest = digest(&e.summary);
            e.prev_hash = prev.clone();
            e.hash = Link {
                prev_hash: &e.prev_hash,
                stream: &e.stream,
                stream_seq: e.stream_seq,
                at: e.at,
                actor_id: e.actor_id.as_deref(),
                household_id: e.household_id.as_deref(),
                kind: &e.kind,
                summary_digest: &e.summary_digest,
                payload_digest: &e.payload_digest,
            }
            .mac(&other);
            prev = e.hash.clone();
        }
        let heads = heads_of(&forged);
        assert!(matches!(
            verify(&forged, &heads),
            Err(ChainBreak::Altered { seq: 2, .. })
        ));
    }

    #[test]
    fn erased_content_still_verifies_but_altered_digests_do_not() {
        let entries = chain("h1", 0, 3);
        let heads = heads_of(&entries);
        let mut erased = entries.clone();
        erased[1].summary = String::new();
        erased[1].payload = String::new();
        erased[1].erased = true;
        assert_eq!(verify(&erased, &heads), Ok(3));
        let mut altered = erased.clone();
        altered[1].summary_digest = digest("something else");
        assert!(matches!(
            verify(&altered, &heads),
            Err(ChainBreak::Altered { seq: 2, .. })
        ));
        // Content put back that is not what was written is refused too.
        let mut replaced = erased;
        replaced[1].erased = false;
        replaced[1].summary = "another story".into();
        assert!(matches!(
            verify(&replaced, &heads),
            Err(ChainBreak::Altered { seq: 2, .. })
        ));
    }

    #[test]
    fn cutting_a_chain_back_with_its_head_is_caught_by_the_checkpoint() {
        let entries = chain("h1", 0, 4);
        let pinned = heads_of(&entries);
        // The newest two entries are dropped and the head is moved back consistently.
        let cut = &entries[..2];
        let heads = heads_of(cut);
        assert_eq!(
            verify(cut, &heads),
            Ok(2),
            "without a checkpoint this passes"
        );
        assert_eq!(
            verify_pinned(cut, &heads, &pinned),
            Err(ChainBreak::BehindCheckpoint {
                stream: "h1".into(),
                checkpoint: 4,
                found: 2
            })
        );
        // A whole stream deleted, head and all.
        let mut two = chain("h1", 0, 2);
        two.extend(chain("h2", 10, 2));
        let pinned = heads_of(&two);
        let only_h1 = &two[..2];
        assert!(matches!(
            verify_pinned(only_h1, &heads_of(only_h1), &pinned),
            Err(ChainBreak::BehindCheckpoint { found: 0, .. })
        ));
        // Entries added after the checkpoint are fine.
        let mut longer = chain("h1", 0, 5);
        longer.truncate(5);
        assert_eq!(
            verify_pinned(&longer, &heads_of(&longer), &heads_of(&longer[..3])),
            Ok(5)
        );
    }

    #[test]
    fn unkeyed_entries_are_checked_for_the_upgrade_but_never_pass_verification() {
        let legacy = |prev: &str, n: i64| {
            let hash = legacy_entry_hash(prev, "h9", n, 1, None, Some("h9"), "k", "s", "{}");
            ChainedEntry {
                seq: n,
                stream: "h9".into(),
                stream_seq: n,
                at: 1,
                actor_id: None,
                household_id: Some("h9".into()),
                kind: "k".into(),
                summary: "s".into(),
                payload: "{}".into(),
                summary_digest: String::new(),
                payload_digest: String::new(),
                erased: false,
                prev_hash: prev.into(),
                hash,
            }
        };
        let first = legacy("", 1);
        let second = legacy(&first.hash, 2);
        assert!(first.is_intact_legacy() && second.is_intact_legacy());
        let mut altered = second.clone();
        altered.summary = "x".into();
        assert!(!altered.is_intact_legacy());
        let entries = vec![first, second];
        assert!(matches!(
            verify(&entries, &heads_of(&entries)),
            Err(ChainBreak::Altered { seq: 1, .. })
        ));
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
