//! The append-only, hash-chained journal.

use spil_domain::journal::{entry_hash, ChainedEntry};
use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

pub struct NewEntry<'a> {
    pub at: i64,
    pub actor_id: Option<&'a str>,
    pub household_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary: &'a str,
    pub payload: &'a str,
}

/// Append entries to one stream, in order, with three statements whatever their number. The
/// upsert on the stream's head takes its row lock (PostgreSQL) or the write lock (SQLite), so
/// two writers to one household queue up instead of forking its chain; writers to other
/// households do not wait.
pub async fn append(conn: &mut Conn, stream: &str, entries: &[NewEntry<'_>]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as i64;
    let (last_seq, mut prev_hash): (i64, String) = sqlx::query_as(
        "INSERT INTO journal_heads (stream, seq, hash) VALUES ($1, $2, '') \
         ON CONFLICT (stream) DO UPDATE SET seq = journal_heads.seq + excluded.seq RETURNING seq, hash",
    )
    .bind(stream)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    let mut sql = String::from(
        "INSERT INTO journal (stream, stream_seq, at, actor_id, household_id, kind, summary, payload, prev_hash, hash) VALUES ",
    );
    for i in 0..entries.len() {
        let p = i * 10;
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        sql.push_str(
            &(1..=10)
                .map(|k| format!("${}", p + k))
                .collect::<Vec<_>>()
                .join(", "),
        );
        sql.push(')');
    }
    let mut chained = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let stream_seq = last_seq - n + 1 + i as i64;
        let hash = entry_hash(
            &prev_hash,
            stream,
            stream_seq,
            entry.at,
            entry.actor_id,
            entry.household_id,
            entry.kind,
            entry.summary,
            entry.payload,
        );
        chained.push((
            stream_seq,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        ));
    }
    let mut query = sqlx::query(&sql);
    for (entry, (stream_seq, prev, hash)) in entries.iter().zip(&chained) {
        query = query
            .bind(stream)
            .bind(*stream_seq)
            .bind(entry.at)
            .bind(entry.actor_id)
            .bind(entry.household_id)
            .bind(entry.kind)
            .bind(entry.summary)
            .bind(entry.payload)
            .bind(prev.as_str())
            .bind(hash.as_str());
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    sqlx::query("UPDATE journal_heads SET hash = $1 WHERE stream = $2")
        .bind(&prev_hash)
        .bind(stream)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EntryRow {
    pub seq: i64,
    pub stream: String,
    pub stream_seq: i64,
    pub at: i64,
    pub actor_id: Option<String>,
    pub actor_username: Option<String>,
    pub actor_name: Option<String>,
    pub household_id: Option<String>,
    pub kind: String,
    pub summary: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<EntryRow> for ChainedEntry {
    fn from(row: EntryRow) -> Self {
        ChainedEntry {
            seq: row.seq,
            stream: row.stream,
            stream_seq: row.stream_seq,
            at: row.at,
            actor_id: row.actor_id,
            household_id: row.household_id,
            kind: row.kind,
            summary: row.summary,
            payload: row.payload,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

const SELECT: &str = "SELECT j.seq, j.stream, j.stream_seq, j.at, j.actor_id, u.username AS actor_username, \
                      u.display_name AS actor_name, j.household_id, j.kind, j.summary, j.payload, j.prev_hash, j.hash \
                      FROM journal j LEFT JOIN users u ON u.id = j.actor_id";

/// A household's journal, oldest first.
pub async fn for_household(conn: &mut Conn, household_id: &str) -> Result<Vec<EntryRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE j.stream = $1 ORDER BY j.stream_seq"
    ))
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

/// One page of the whole journal in chain order (stream, then number), after `after`.
pub async fn page_in_chain_order(
    conn: &mut Conn,
    after: Option<(&str, i64)>,
    limit: i64,
) -> Result<Vec<EntryRow>> {
    let (stream, stream_seq) = after.unwrap_or(("", 0));
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE j.stream > $1 OR (j.stream = $1 AND j.stream_seq > $2) ORDER BY j.stream, j.stream_seq LIMIT $3"
    ))
    .bind(stream)
    .bind(stream_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn heads(conn: &mut Conn) -> Result<Vec<(String, i64, String)>> {
    Ok(
        sqlx::query_as("SELECT stream, seq, hash FROM journal_heads ORDER BY stream")
            .fetch_all(conn)
            .await?,
    )
}
