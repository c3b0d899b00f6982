//! The append-only, hash-chained journal.

use spil_domain::journal::{entry_hash, ChainedEntry};
use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

pub struct NewEntry<'a> {
    pub stream: &'a str,
    pub at: i64,
    pub actor_id: Option<&'a str>,
    pub household_id: Option<&'a str>,
    pub kind: &'a str,
    pub summary: &'a str,
    pub payload: &'a str,
}

/// Append to the entry's stream. The `UPDATE … RETURNING` on the stream's head takes the
/// head's row lock (PostgreSQL) or the write lock (SQLite), so two writers to one household
/// queue up instead of forking its chain; writers to other households do not wait.
pub async fn append(conn: &mut Conn, entry: &NewEntry<'_>) -> Result<i64> {
    sqlx::query("INSERT INTO journal_heads (stream, seq, hash) VALUES ($1, 0, '') ON CONFLICT (stream) DO NOTHING")
        .bind(entry.stream)
        .execute(&mut *conn)
        .await?;
    let (stream_seq, prev_hash): (i64, String) = sqlx::query_as(
        "UPDATE journal_heads SET seq = seq + 1 WHERE stream = $1 RETURNING seq, hash",
    )
    .bind(entry.stream)
    .fetch_one(&mut *conn)
    .await?;
    let hash = entry_hash(
        &prev_hash,
        entry.stream,
        stream_seq,
        entry.at,
        entry.actor_id,
        entry.household_id,
        entry.kind,
        entry.summary,
        entry.payload,
    );
    sqlx::query(
        "INSERT INTO journal (stream, stream_seq, at, actor_id, household_id, kind, summary, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.stream)
    .bind(stream_seq)
    .bind(entry.at)
    .bind(entry.actor_id)
    .bind(entry.household_id)
    .bind(entry.kind)
    .bind(entry.summary)
    .bind(entry.payload)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    sqlx::query("UPDATE journal_heads SET hash = $1 WHERE stream = $2")
        .bind(&hash)
        .bind(entry.stream)
        .execute(&mut *conn)
        .await?;
    Ok(stream_seq)
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
