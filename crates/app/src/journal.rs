//! Writing to and verifying the journal.

use spil_domain::journal::{ChainBreak, ChainVerifier, ChainedEntry, SYSTEM_STREAM};
use spil_store::journal::{self, NewEntry};
use spil_store::Conn;

use crate::views::JournalEntryView;
use crate::{micros_to_datetime, now_micros, App, AppResult};

/// Journal a change to a household, inside the use case's transaction.
pub(crate) async fn record(
    conn: &mut Conn,
    actor_id: &str,
    household_id: &str,
    kind: &str,
    summary: &str,
    payload: serde_json::Value,
) -> AppResult<()> {
    journal::append(
        conn,
        &NewEntry {
            stream: household_id,
            at: now_micros(),
            actor_id: Some(actor_id),
            household_id: Some(household_id),
            kind,
            summary,
            payload: &payload.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Journal a change that concerns no household (accounts, configuration).
pub(crate) async fn record_system(
    conn: &mut Conn,
    actor_id: Option<&str>,
    kind: &str,
    summary: &str,
    payload: serde_json::Value,
) -> AppResult<()> {
    journal::append(
        conn,
        &NewEntry {
            stream: SYSTEM_STREAM,
            at: now_micros(),
            actor_id,
            household_id: None,
            kind,
            summary,
            payload: &payload.to_string(),
        },
    )
    .await?;
    Ok(())
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
