//! Who looked at which household, when, on what basis — and who was refused.

use sqlx::FromRow;

use crate::{Conn, Result};

#[derive(Debug, Clone)]
pub struct Access {
    pub at: i64,
    pub user_id: Option<String>,
    pub household_id: Option<String>,
    pub action: String,
    /// `allowed` or `denied`.
    pub outcome: String,
    /// The basis of an allowed access, or the reason of a refusal.
    pub basis: String,
    pub reason: Option<String>,
    /// Why the data was looked at (a processing purpose), where the use case names one.
    pub purpose: Option<String>,
}

/// Insert entries with one statement (the group commit of the access-log writer).
pub async fn insert(conn: &mut Conn, entries: &[Access]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO access_log (at, user_id, household_id, action, outcome, basis, reason, purpose) VALUES {}",
        crate::placeholders(entries.len(), 8)
    );
    let mut query = sqlx::query(&sql);
    for a in entries {
        query = query
            .bind(a.at)
            .bind(a.user_id.as_deref())
            .bind(a.household_id.as_deref())
            .bind(a.action.as_str())
            .bind(a.outcome.as_str())
            .bind(a.basis.as_str())
            .bind(a.reason.as_deref())
            .bind(a.purpose.as_deref());
    }
    query.execute(conn).await?;
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
