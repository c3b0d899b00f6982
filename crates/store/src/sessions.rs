//! Browser sessions and API tokens share one table; the secret itself is never stored.

use sqlx::FromRow;

use crate::org::UserRow;
use crate::{Conn, Result, StoreError};

pub async fn insert(
    conn: &mut Conn,
    token_hash: &str,
    user_id: &str,
    kind: &str,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(kind)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub kind: String,
    pub csrf_token: String,
}

/// The active account behind an unexpired session of the given kind.
pub async fn find(
    conn: &mut Conn,
    token_hash: &str,
    kind: &str,
    now: i64,
) -> Result<Option<SessionUser>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.municipality_id, u.team_id, u.active, \
                u.kind AS principal_kind, u.organisation_id, u.person_id, \
                s.kind, s.csrf_token \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.kind = $2 AND s.expires_at > $3 AND u.active = 1",
    )
    .bind(token_hash)
    .bind(kind)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn purge_expired(conn: &mut Conn, now: i64) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected())
}
