//! Throttles and rate limits, shared by every server on the database.

use crate::{Conn, Result};

/// Count one event for `key` in a fixed window of `window` microseconds; returns the count in
/// the current window, this event included.
pub async fn hit(conn: &mut Conn, key: &str, now: i64, window: i64) -> Result<i64> {
    let (count,): (i64,) = sqlx::query_as(
        "INSERT INTO throttles (key, window_start, count, failures, locked_until) VALUES ($1, $2, 1, 0, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           count = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.count + 1 END, \
           window_start = CASE WHEN throttles.window_start <= $3 THEN $2 ELSE throttles.window_start END \
         RETURNING count",
    )
    .bind(key)
    .bind(now)
    .bind(now - window)
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// The latest instant until which any of `keys` is locked, if one is locked now.
pub async fn locked_until(conn: &mut Conn, keys: &[&str], now: i64) -> Result<Option<i64>> {
    let mut latest: Option<i64> = None;
    for key in keys {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT locked_until FROM throttles WHERE key = $1 AND locked_until > $2",
        )
        .bind(*key)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((until,)) = row {
            latest = Some(latest.map_or(until, |l: i64| l.max(until)));
        }
    }
    Ok(latest)
}

/// Count a failure for `key` (failures older than `forget` microseconds are forgotten first);
/// returns the number of failures in a row.
pub async fn fail(conn: &mut Conn, key: &str, now: i64, forget: i64) -> Result<i64> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO throttles (key, window_start, count, failures, locked_until) VALUES ($1, $2, 0, 1, 0) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN throttles.window_start <= $3 THEN 1 ELSE throttles.failures + 1 END, \
           window_start = $2 \
         RETURNING failures",
    )
    .bind(key)
    .bind(now)
    .bind(now - forget)
    .fetch_one(conn)
    .await?;
    Ok(failures)
}

/// Lock `key` until `until` (never shortening a lock already in force).
pub async fn lock(conn: &mut Conn, key: &str, until: i64) -> Result<()> {
    sqlx::query(
        "UPDATE throttles SET locked_until = CASE WHEN locked_until > $1 THEN locked_until ELSE $1 END WHERE key = $2",
    )
    .bind(until)
    .bind(key)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forget the failures of `key` (after a successful sign-in).
pub async fn clear(conn: &mut Conn, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM throttles WHERE key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}
