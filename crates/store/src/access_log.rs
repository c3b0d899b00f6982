//! Who looked at which household, when, on what basis — and who was refused.

use sqlx::FromRow;

use crate::{Conn, Result};

pub struct Access<'a> {
    pub at: i64,
    pub user_id: Option<&'a str>,
    pub household_id: Option<&'a str>,
    pub action: &'a str,
    /// `allowed` or `denied`.
    pub outcome: &'a str,
    /// The basis of an allowed access, or the reason of a refusal.
    pub basis: &'a str,
    pub reason: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, access: &Access<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO access_log (at, user_id, household_id, action, outcome, basis, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(access.at)
    .bind(access.user_id)
    .bind(access.household_id)
    .bind(access.action)
    .bind(access.outcome)
    .bind(access.basis)
    .bind(access.reason)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AccessRow {
    pub id: i64,
    pub at: i64,
    pub username: Option<String>,
    pub household_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub basis: String,
    pub reason: Option<String>,
}

const SELECT: &str =
    "SELECT a.id, a.at, u.username, a.household_id, a.action, a.outcome, a.basis, a.reason \
                      FROM access_log a LEFT JOIN users u ON u.id = a.user_id";

/// Break-the-glass grants and refused attempts, newest first: what the privacy officer reviews.
pub async fn for_review(conn: &mut Conn, limit: i64) -> Result<Vec<AccessRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE a.basis IN ('break_glass', 'emergency_request') OR a.outcome = 'denied' ORDER BY a.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Every access to one household, newest first: what a resident may ask for.
pub async fn for_household(
    conn: &mut Conn,
    household_id: &str,
    limit: i64,
) -> Result<Vec<AccessRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE a.household_id = $1 ORDER BY a.id DESC LIMIT $2"
    ))
    .bind(household_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
