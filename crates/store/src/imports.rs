//! What an import took in from a previous system: (kind, source id) → Spil's id.

use crate::{Conn, Result, StoreError};

/// The Spil id a row of the old system was imported as, if it was.
pub async fn imported(conn: &mut Conn, kind: &str, source_id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT spil_id FROM import_keys WHERE kind = $1 AND source_id = $2")
            .bind(kind)
            .bind(source_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Remember that a row of the old system is now `spil_id`.
pub async fn remember(
    conn: &mut Conn,
    kind: &str,
    source_id: &str,
    spil_id: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO import_keys (kind, source_id, spil_id, imported_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(source_id)
    .bind(spil_id)
    .bind(at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}
