//! Writing to and verifying the journal.

use spil_domain::journal::{ChainBreak, ChainVerifier, ChainedEntry, SYSTEM_STREAM};
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
    pub(crate) async fn write(self, conn: &mut Conn) -> AppResult<()> {
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
        journal::append(conn, &self.stream, &entries).await?;
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
    pub entries: u64,
    pub first_break: Option<ChainBreak>,
}

impl App {
    /// Walk every chain of the journal, a page at a time, and compare with the stored heads.
    pub async fn verify_journal(&self) -> AppResult<Verified> {
        const PAGE: i64 = 5_000;
        let mut conn = self.store().begin_snapshot().await?;
        let heads = journal::heads(&mut conn).await?;
        let mut verifier = ChainVerifier::new();
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
        Ok(match verifier.finish(&heads) {
            Ok(entries) => Verified {
                entries,
                first_break: None,
            },
            Err(found) => Verified {
                entries: 0,
                first_break: Some(found),
            },
        })
    }
}
