//! The open trajectory of a household, its regisseur and its team.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

/// The ids of the open trajectories user `$1` works on (as regisseur or in the team), each
/// found through an index: the worklist's queries start here.
pub(crate) const OPEN_FOR_USER_SQL: &str =
    "SELECT id FROM trajectories WHERE regisseur_id = $1 AND closed_at IS NULL \
     UNION SELECT trajectory_id FROM trajectory_team WHERE user_id = $1";

#[derive(Debug, Clone, FromRow)]
pub struct TrajectoryRow {
    pub id: String,
    pub household_id: String,
    pub status: String,
    pub regisseur_id: Option<String>,
    pub regisseur_username: Option<String>,
    pub regisseur_name: Option<String>,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    /// Moves with every change of the regisseur or the team.
    pub team_revision: i64,
}

/// The open trajectory, or else the most recently closed one.
pub(crate) const CURRENT_SQL: &str =
    "SELECT t.id, t.household_id, t.status, t.regisseur_id, u.username AS regisseur_username, \
                u.display_name AS regisseur_name, t.opened_at, t.closed_at, t.team_revision \
         FROM trajectories t LEFT JOIN users u ON u.id = t.regisseur_id \
         WHERE t.household_id = $1 ORDER BY t.closed_at IS NULL DESC, t.opened_at DESC LIMIT 1";

pub async fn current(conn: &mut Conn, household_id: &str) -> Result<Option<TrajectoryRow>> {
    Ok(sqlx::query_as(CURRENT_SQL)
        .bind(household_id)
        .fetch_optional(conn)
        .await?)
}

/// Every trajectory of a household, newest first.
pub async fn of_household(
    conn: &mut Conn,
    household_id: &str,
) -> Result<Vec<TrajectorySummaryRow>> {
    Ok(sqlx::query_as(
        "SELECT id, status, opened_at, closed_at, close_reason FROM trajectories WHERE household_id = $1 \
         ORDER BY opened_at DESC, id DESC",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct TrajectorySummaryRow {
    pub id: String,
    pub status: String,
    pub opened_at: i64,
    pub closed_at: Option<i64>,
    pub close_reason: Option<String>,
}

pub async fn open(conn: &mut Conn, household_id: &str) -> Result<Option<TrajectoryRow>> {
    match current(conn, household_id).await? {
        Some(t) if t.closed_at.is_none() => Ok(Some(t)),
        _ => Ok(None),
    }
}

pub async fn insert(
    conn: &mut Conn,
    id: &str,
    household_id: &str,
    status: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO trajectories (id, household_id, status, opened_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(household_id)
    .bind(status)
    .bind(now)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Set the status; `closed_at` is set when closing. Only changes an open trajectory whose
/// status is still `from`, so two concurrent changes cannot both win.
pub async fn set_status(
    conn: &mut Conn,
    id: &str,
    from: &str,
    to: &str,
    closed_at: Option<i64>,
    close_reason: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query("UPDATE trajectories SET status = $1, closed_at = $2, close_reason = $5 WHERE id = $3 AND status = $4 AND closed_at IS NULL")
        .bind(to)
        .bind(closed_at)
        .bind(id)
        .bind(from)
        .bind(close_reason)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_regisseur(conn: &mut Conn, id: &str, regisseur_id: &str) -> Result<()> {
    sqlx::query("UPDATE trajectories SET regisseur_id = $1 WHERE id = $2")
        .bind(regisseur_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn replace_team(conn: &mut Conn, id: &str, members: &[(String, String)]) -> Result<()> {
    sqlx::query("DELETE FROM trajectory_team WHERE trajectory_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (user_id, role) in members {
        sqlx::query(
            "INSERT INTO trajectory_team (trajectory_id, user_id, role) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(user_id)
        .bind(role)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct TeamMemberRow {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

pub async fn team(conn: &mut Conn, trajectory_id: &str) -> Result<Vec<TeamMemberRow>> {
    Ok(sqlx::query_as(
        "SELECT u.id AS user_id, u.username, u.display_name, tt.role FROM trajectory_team tt JOIN users u ON u.id = tt.user_id \
         WHERE tt.trajectory_id = $1 ORDER BY u.display_name",
    )
    .bind(trajectory_id)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_break_glass(
    conn: &mut Conn,
    id: &str,
    user_id: &str,
    household_id: &str,
    reason: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO break_glass (id, user_id, household_id, reason, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(user_id)
        .bind(household_id)
        .bind(reason)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// When the household's current trajectory began: its first registration's arrival, or its
/// opening when that is earlier.
pub async fn started_at(conn: &mut Conn, household_id: &str) -> Result<Option<i64>> {
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT c.opened_at, (SELECT MIN(r.received_at) FROM registrations r WHERE r.trajectory_id = c.id) \
         FROM ({CURRENT_SQL}) c"
    ))
    .bind(household_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(opened, received)| received.map_or(opened, |r| r.min(opened))))
}

/// Move the team's revision on from `base`; false when someone changed the team since.
pub async fn bump_team_revision(conn: &mut Conn, trajectory_id: &str, base: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE trajectories SET team_revision = team_revision + 1 WHERE id = $1 AND team_revision = $2",
    )
    .bind(trajectory_id)
    .bind(base)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
