//! Writing to and verifying the journal.

use spil_domain::journal::{
    ChainBreak, ChainReport, ChainVerifier, ChainedEntry, Checkpoint, CheckpointError, JournalKey,
    SYSTEM_STREAM,
};
use spil_store::journal::{self, NewEntry};
use spil_store::Conn;

use crate::views::JournalEntryView;
use crate::{micros_to_datetime, now_micros, App, AppResult};

/// The journal entries of one use case, written together just before it commits.
pub(crate) struct Entries {
    stream: String,
    actor_id: Option<String>,
    household_id: Option<String>,
    entries: Vec<(i64, &'static str, String, String)>,
}

impl Entries {
    /// Entries about a household, on that household's chain.
    pub(crate) fn household(actor_id: &str, household_id: &str) -> Self {
        Entries {
            stream: household_id.to_owned(),
            actor_id: Some(actor_id.to_owned()),
            household_id: Some(household_id.to_owned()),
            entries: Vec::new(),
        }
    }

    /// Entries that concern no household (accounts, configuration), on the system chain.
    pub(crate) fn system(actor_id: Option<&str>) -> Self {
        Entries {
            stream: SYSTEM_STREAM.to_owned(),
            actor_id: actor_id.map(str::to_owned),
            household_id: None,
            entries: Vec::new(),
        }
    }

    pub(crate) fn add(
        &mut self,
        kind: &'static str,
        summary: impl Into<String>,
        payload: serde_json::Value,
    ) {
        self.entries
            .push((now_micros(), kind, summary.into(), payload.to_string()));
    }

    /// Append to the chain, inside the use case's transaction.
    pub(crate) async fn write(self, conn: &mut Conn, key: &JournalKey) -> AppResult<()> {
        let entries: Vec<NewEntry<'_>> = self
            .entries
            .iter()
            .map(|(at, kind, summary, payload)| NewEntry {
                at: *at,
                actor_id: self.actor_id.as_deref(),
                household_id: self.household_id.as_deref(),
                kind,
                summary,
                payload,
            })
            .collect();
        journal::append(conn, key, &self.stream, &entries).await?;
        Ok(())
    }
}

pub(crate) fn view(row: journal::EntryRow) -> JournalEntryView {
    JournalEntryView {
        seq: row.seq,
        at: micros_to_datetime(row.at),
        actor: row.actor_username,
        actor_name: row.actor_name,
        kind: row.kind,
        payload: serde_json::from_str(&row.payload).unwrap_or(serde_json::Value::Null),
        summary: row.summary,
        hash: row.hash,
    }
}

/// The outcome of a verification.
#[derive(Debug)]
pub struct Verified {
    pub report: Option<ChainReport>,
    pub first_break: Option<ChainBreak>,
    /// The checkpoint the journal was checked against, if one is configured and made.
    pub checkpoint: Option<Checkpoint>,
    /// A checkpoint that does not hold: the database was rolled back or tampered with.
    pub checkpoint_error: Option<CheckpointError>,
}

impl Verified {
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none() && self.checkpoint_error.is_none()
    }
}

impl App {
    /// The latest checkpoint written outside the database, if any.
    pub fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, CheckpointError> {
        let Some(path) = &self.config.checkpoint_file else {
            return Ok(None);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Checkpoint::latest_in(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CheckpointError::Unreadable(format!(
                "{}: {e}",
                path.display()
            ))),
        }
    }

    /// Walk every chain of the journal, a page at a time, and compare with the stored heads
    /// and with the latest checkpoint outside the database.
    pub async fn verify_journal(&self) -> AppResult<Verified> {
        const PAGE: i64 = 5_000;
        let mut conn = self.store().begin_snapshot().await?;
        let heads = journal::heads(&mut conn).await?;
        let mut verifier = ChainVerifier::new(self.journal_key().clone());
        let (checkpoint, checkpoint_error) = match self.latest_checkpoint() {
            Ok(Some(cp)) => match self.checkpoint_heads(&mut conn, &cp).await? {
                Ok(pinned) => {
                    verifier.pin(&pinned);
                    (Some(cp), None)
                }
                Err(e) => (Some(cp), Some(e)),
            },
            Ok(None) => (None, None),
            Err(e) => (None, Some(e)),
        };
        let mut after: Option<(String, i64)> = None;
        loop {
            let page = journal::page_in_chain_order(
                &mut conn,
                after.as_ref().map(|(s, n)| (s.as_str(), *n)),
                PAGE,
            )
            .await?;
            let done = (page.len() as i64) < PAGE;
            for row in page {
                after = Some((row.stream.clone(), row.stream_seq));
                verifier.push(&ChainedEntry::from(row));
            }
            if done {
                break;
            }
        }
        let (report, first_break) = match verifier.finish(&heads) {
            Ok(report) => (Some(report), None),
            Err(found) => (None, Some(found)),
        };
        Ok(Verified {
            report,
            first_break,
            checkpoint,
            checkpoint_error,
        })
    }

    /// The heads a checkpoint covered, as the database holds them, checked against the
    /// signed line from outside the database.
    async fn checkpoint_heads(
        &self,
        conn: &mut Conn,
        cp: &Checkpoint,
    ) -> AppResult<Result<Vec<(String, i64, String)>, CheckpointError>> {
        if let Err(e) = cp.check_signature(self.journal_key()) {
            return Ok(Err(e));
        }
        if journal::checkpoint_digest(conn, cp.id).await?.is_none() {
            return Ok(Err(CheckpointError::Missing(cp.id)));
        }
        let mut heads = journal::checkpoint_heads(conn, cp.id).await?;
        heads.sort();
        let (digest, streams, entries) = spil_domain::journal::heads_digest(
            heads.iter().map(|(s, n, h)| (s.as_str(), *n, h.as_str())),
        );
        if digest != cp.digest || streams != cp.streams || entries != cp.entries {
            return Ok(Err(CheckpointError::Mismatch(cp.id)));
        }
        Ok(Ok(heads))
    }
}

impl App {
    /// Give entries written before keyed chaining their digests and keyed links, once, after
    /// checking that their unkeyed chain is intact. Runs when the server connects; refuses
    /// (and the server does not start) when an unkeyed chain was already broken.
    pub(crate) async fn upgrade_legacy_journal(&self) -> AppResult<u64> {
        let mut tx = self.store().begin().await?;
        let rows = journal::streams_with_legacy_entries(&mut tx).await?;
        if rows.is_empty() {
            return Ok(0);
        }
        let mut upgraded = 0u64;
        let mut current: Option<(String, i64, String, String)> = None; // stream, seq, old link, new link
        for row in rows {
            let entry = ChainedEntry::from(row);
            let (expected_seq, old_prev, new_prev) = match &current {
                Some((stream, n, old, new)) if *stream == entry.stream => {
                    (n + 1, old.clone(), new.clone())
                }
                _ => {
                    if let Some((stream, _, _, new)) = current.take() {
                        journal::set_head_hash(&mut tx, &stream, &new).await?;
                    }
                    (1, String::new(), String::new())
                }
            };
            if entry.is_legacy()
                && (!entry.is_intact_legacy()
                    || entry.prev_hash != old_prev
                    || entry.stream_seq != expected_seq)
            {
                return Err(crate::AppError::Internal(format!(
                    "journal entry {} (stream {} #{}) was altered before the upgrade to keyed links; run `spil journal verify` and investigate",
                    entry.seq, entry.stream, entry.stream_seq
                )));
            }
            let (sd, pd) = (
                spil_domain::journal::digest(&entry.summary),
                spil_domain::journal::digest(&entry.payload),
            );
            let hash = spil_domain::journal::Link {
                prev_hash: &new_prev,
                stream: &entry.stream,
                stream_seq: entry.stream_seq,
                at: entry.at,
                actor_id: entry.actor_id.as_deref(),
                household_id: entry.household_id.as_deref(),
                kind: &entry.kind,
                summary_digest: &sd,
                payload_digest: &pd,
            }
            .mac(self.journal_key());
            journal::relink(&mut tx, entry.seq, &sd, &pd, &new_prev, &hash).await?;
            upgraded += 1;
            current = Some((
                entry.stream.clone(),
                entry.stream_seq,
                entry.hash.clone(),
                hash,
            ));
        }
        if let Some((stream, _, _, new)) = current {
            journal::set_head_hash(&mut tx, &stream, &new).await?;
        }
        spil_store::commit(tx).await?;
        tracing::info!(entries = upgraded, "journal upgraded to keyed links");
        Ok(upgraded)
    }
}
