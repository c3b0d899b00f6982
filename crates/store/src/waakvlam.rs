//! Keep-alive schedules and what the worklist needs of them.

use sqlx::FromRow;

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

#[derive(Debug, Clone, FromRow)]
pub struct ScheduleRow {
    pub household_id: String,
    pub street: String,
    pub house_number: String,
    pub city: String,
    pub interval_days: i64,
    pub starts_on: String,
    pub until: String,
    pub last_contact: Option<String>,
}

/// Keep-alive schedules of open trajectories where the user is regisseur or on the team.
pub async fn for_user(conn: &mut Conn, user_id: &str) -> Result<Vec<ScheduleRow>> {
    Ok(sqlx::query_as(&for_user_sql())
        .bind(user_id)
        .fetch_all(conn)
        .await?)
}

/// Keep-alive schedules of the open trajectories of user `$1`.
pub(crate) fn for_user_sql() -> String {
    format!(
        "SELECT w.household_id, h.street, h.house_number, h.city, w.interval_days, w.starts_on, w.until, \
                (SELECT MAX(c.contact_date) FROM contacts c WHERE c.household_id = w.household_id) AS last_contact \
         FROM waakvlam w JOIN trajectories t ON t.id = w.trajectory_id JOIN households h ON h.id = w.household_id \
         WHERE t.closed_at IS NULL AND t.id IN ({})",
        crate::trajectories::OPEN_FOR_USER_SQL
    )
}
