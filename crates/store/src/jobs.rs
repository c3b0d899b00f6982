//! Leases for background jobs: whoever holds a job's lease runs it, so a job runs once per
//! period across every server on the database, and a job whose server died is taken over once
//! its lease has expired.

use crate::{Conn, Result};

/// Take the lease of `name` for `holder` until `until`, if it is free, expired or already
/// ours, and the job is due (its last success is older than `due_after`). Returns whether
/// this holder now runs the job.
pub async fn take_lease(
    conn: &mut Conn,
    name: &str,
    holder: &str,
    now: i64,
    until: i64,
    due_after: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO job_leases (name, holder, expires_at, last_success) VALUES ($1, $2, $3, NULL) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE (job_leases.expires_at <= $4 OR job_leases.holder = $2) \
           AND (job_leases.last_success IS NULL OR job_leases.last_success <= $5)",
    )
    .bind(name)
    .bind(holder)
    .bind(until)
    .bind(now)
    .bind(due_after)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The job ran: record its success and release the lease.
pub async fn finish(conn: &mut Conn, name: &str, holder: &str, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE job_leases SET last_success = $1, expires_at = $1 WHERE name = $2 AND holder = $3",
    )
    .bind(now)
    .bind(name)
    .bind(holder)
    .execute(conn)
    .await?;
    Ok(())
}

/// The job failed: release the lease so that the next attempt (anywhere) may run it.
pub async fn release(conn: &mut Conn, name: &str, holder: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE job_leases SET expires_at = $1 WHERE name = $2 AND holder = $3")
        .bind(now)
        .bind(name)
        .bind(holder)
        .execute(conn)
        .await?;
    Ok(())
}
