//! The append-only, hash-chained journal.

use spil_domain::journal::{digest, ChainedEntry, JournalKey, Link};
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
/// households do not wait. Each link is a keyed MAC over digests of the content.
pub async fn append(
    conn: &mut Conn,
    key: &JournalKey,
    stream: &str,
    entries: &[NewEntry<'_>],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let n = entries.len() as i64;
    let (last_seq, prev_hash): (i64, String) = sqlx::query_as(
        "INSERT INTO journal_heads (stream, seq, hash) VALUES ($1, $2, '') \
         ON CONFLICT (stream) DO UPDATE SET seq = journal_heads.seq + excluded.seq RETURNING seq, hash",
    )
    .bind(stream)
    .bind(n)
    .fetch_one(&mut *conn)
    .await?;
    let sql = format!(
        "INSERT INTO journal (stream, stream_seq, at, actor_id, household_id, kind, summary, payload, summary_digest, payload_digest, prev_hash, hash) VALUES {}",
        crate::placeholders(entries.len(), COLUMNS)
    );
    let chained = chain(key, stream, last_seq - n + 1, prev_hash, entries);
    let prev_hash = chained.last().map(|c| c.2.clone()).unwrap_or_default();
    let mut query = sqlx::query(&sql);
    for (entry, (stream_seq, prev, hash, summary_digest, payload_digest)) in
        entries.iter().zip(&chained)
    {
        query = query
            .bind(stream)
            .bind(*stream_seq)
            .bind(entry.at)
            .bind(entry.actor_id)
            .bind(entry.household_id)
            .bind(entry.kind)
            .bind(entry.summary)
            .bind(entry.payload)
            .bind(summary_digest.as_str())
            .bind(payload_digest.as_str())
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

/// Per entry: its place in the stream, the previous link, its link and the two digests.
type Chained = (i64, String, String, String, String);

/// The links of `entries`, appended after `prev_hash` from `first_seq` on.
fn chain(
    key: &JournalKey,
    stream: &str,
    first_seq: i64,
    mut prev_hash: String,
    entries: &[NewEntry<'_>],
) -> Vec<Chained> {
    let mut chained = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let stream_seq = first_seq + i as i64;
        let (summary_digest, payload_digest) = (digest(entry.summary), digest(entry.payload));
        let hash = Link {
            prev_hash: &prev_hash,
            stream,
            stream_seq,
            at: entry.at,
            actor_id: entry.actor_id,
            household_id: entry.household_id,
            kind: entry.kind,
            summary_digest: &summary_digest,
            payload_digest: &payload_digest,
        }
        .mac(key);
        chained.push((
            stream_seq,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
            summary_digest,
            payload_digest,
        ));
    }
    chained
}

/// Start many new streams at once (the bulk loader): each chain begins at its first entry,
/// exactly as [`append`] would begin it. A stream that exists already fails the load.
pub async fn start_streams(
    conn: &mut Conn,
    key: &JournalKey,
    streams: &[(&str, Vec<NewEntry<'_>>)],
) -> Result<()> {
    use crate::bulk::{insert, Value};
    let chains: Vec<Vec<Chained>> = streams
        .iter()
        .map(|(stream, entries)| chain(key, stream, 1, String::new(), entries))
        .collect();
    let heads: Vec<Vec<Value<'_>>> = streams
        .iter()
        .zip(&chains)
        .filter_map(|((stream, _), links)| {
            let last = links.last()?;
            Some(vec![(*stream).into(), last.0.into(), (&last.2).into()])
        })
        .collect();
    insert(
        conn,
        "journal_heads",
        &["stream", "seq", "hash"],
        &heads,
        false,
    )
    .await?;
    let rows: Vec<Vec<Value<'_>>> = streams
        .iter()
        .zip(&chains)
        .flat_map(|((stream, entries), links)| {
            entries.iter().zip(links).map(|(e, l)| {
                vec![
                    (*stream).into(),
                    l.0.into(),
                    e.at.into(),
                    e.actor_id.into(),
                    e.household_id.into(),
                    e.kind.into(),
                    e.summary.into(),
                    e.payload.into(),
                    (&l.3).into(),
                    (&l.4).into(),
                    (&l.1).into(),
                    (&l.2).into(),
                ]
            })
        })
        .collect();
    insert(
        conn,
        "journal",
        &[
            "stream",
            "stream_seq",
            "at",
            "actor_id",
            "household_id",
            "kind",
            "summary",
            "payload",
            "summary_digest",
            "payload_digest",
            "prev_hash",
            "hash",
        ],
        &rows,
        false,
    )
    .await
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
    pub summary_digest: String,
    pub payload_digest: String,
    pub erased_at: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
}

/// Columns of one journal row as inserted.
const COLUMNS: usize = 12;

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
            summary_digest: row.summary_digest,
            payload_digest: row.payload_digest,
            erased: row.erased_at.is_some(),
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

const SELECT: &str =
    "SELECT j.seq, j.stream, j.stream_seq, j.at, j.actor_id, u.username AS actor_username, \
                      u.display_name AS actor_name, j.household_id, j.kind, j.summary, j.payload, \
                      j.summary_digest, j.payload_digest, j.erased_at, j.prev_hash, j.hash \
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

/// Erase the content of one entry (retention), keeping its digests and its place in the chain.
pub async fn erase_content(conn: &mut Conn, seq: i64, at: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE journal SET summary = '', payload = '', erased_at = $1 WHERE seq = $2 AND erased_at IS NULL",
    )
    .bind(at)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Record a checkpoint: copy every chain head as it is now, in this transaction's snapshot.
/// Returns the checkpoint's number and the heads, in stream order.
pub async fn begin_checkpoint(
    conn: &mut Conn,
    at: i64,
) -> Result<(i64, Vec<(String, i64, String)>)> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO journal_checkpoints (at, streams, entries, digest, signature) VALUES ($1, 0, 0, '', '') RETURNING id",
    )
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO journal_checkpoint_heads (checkpoint_id, stream, seq, hash) \
         SELECT $1, stream, seq, hash FROM journal_heads",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok((id, checkpoint_heads(conn, id).await?))
}

/// Fill in what the checkpoint signed, and keep only the newest few checkpoints' heads.
pub async fn finish_checkpoint(
    conn: &mut Conn,
    id: i64,
    streams: i64,
    entries: i64,
    digest: &str,
    signature: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE journal_checkpoints SET streams = $1, entries = $2, digest = $3, signature = $4 WHERE id = $5",
    )
    .bind(streams)
    .bind(entries)
    .bind(digest)
    .bind(signature)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM journal_checkpoint_heads WHERE checkpoint_id < $1")
        .bind(id - 2)
        .execute(conn)
        .await?;
    Ok(())
}

/// The heads a checkpoint covered, in stream order.
pub async fn checkpoint_heads(conn: &mut Conn, id: i64) -> Result<Vec<(String, i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT stream, seq, hash FROM journal_checkpoint_heads WHERE checkpoint_id = $1 ORDER BY stream",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Whether the database holds a checkpoint with this number and digest.
pub async fn checkpoint_digest(conn: &mut Conn, id: i64) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT digest FROM journal_checkpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Entries of every stream that still holds unkeyed entries, in chain order.
pub async fn streams_with_legacy_entries(conn: &mut Conn) -> Result<Vec<EntryRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE j.stream IN (SELECT DISTINCT stream FROM journal WHERE summary_digest = '') \
         ORDER BY j.stream, j.stream_seq"
    ))
    .fetch_all(conn)
    .await?)
}

/// Give one entry its digests and keyed link.
pub async fn relink(
    conn: &mut Conn,
    seq: i64,
    summary_digest: &str,
    payload_digest: &str,
    prev_hash: &str,
    hash: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE journal SET summary_digest = $1, payload_digest = $2, prev_hash = $3, hash = $4 WHERE seq = $5",
    )
    .bind(summary_digest)
    .bind(payload_digest)
    .bind(prev_hash)
    .bind(hash)
    .bind(seq)
    .execute(conn)
    .await?;
    Ok(())
}

/// Move a stream's head to a new last link (after relinking).
pub async fn set_head_hash(conn: &mut Conn, stream: &str, hash: &str) -> Result<()> {
    sqlx::query("UPDATE journal_heads SET hash = $1 WHERE stream = $2")
        .bind(hash)
        .bind(stream)
        .execute(conn)
        .await?;
    Ok(())
}
