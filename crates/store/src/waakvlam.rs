//! Keep-alive schedules and what the worklist needs of them.

use crate::{Conn, Result, StoreError};

#[allow(clippy::too_many_arguments)]
pub async fn set(
    conn: &mut Conn,
    trajectory_id: &str,
    household_id: &str,
    interval_days: i64,
    starts_on: &str,
    until: &str,
    by: &str,
    at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO waakvlam (trajectory_id, household_id, interval_days, starts_on, until, set_by, set_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (trajectory_id) DO UPDATE SET interval_days = excluded.interval_days, starts_on = excluded.starts_on, \
         until = excluded.until, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(trajectory_id)
    .bind(household_id)
    .bind(interval_days)
    .bind(starts_on)
    .bind(until)
    .bind(by)
    .bind(at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}
