//! Contacts and the time spent on them.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

pub struct NewContact<'a> {
    pub id: &'a str,
    pub household_id: &'a str,
    pub team_id: &'a str,
    pub kind: &'a str,
    pub date: &'a str,
    pub minutes: i64,
    pub participants: &'a str,
    pub note: &'a str,
    pub sensitive: bool,
    pub author_id: &'a str,
    pub created_at: i64,
}

pub async fn insert(conn: &mut Conn, c: &NewContact<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO contacts (id, household_id, team_id, kind, contact_date, minutes, participants, note, sensitive, author_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(c.id)
    .bind(c.household_id)
    .bind(c.team_id)
    .bind(c.kind)
    .bind(c.date)
    .bind(c.minutes)
    .bind(c.participants)
    .bind(c.note)
    .bind(i64::from(c.sensitive))
    .bind(c.author_id)
    .bind(c.created_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct ContactRow {
    pub id: String,
    pub kind: String,
    pub contact_date: String,
    pub minutes: i64,
    pub participants: String,
    pub note: String,
    pub sensitive: i64,
    pub author_id: String,
    pub author: String,
}

/// A household's contacts, newest first.
pub async fn for_household(conn: &mut Conn, household_id: &str) -> Result<Vec<ContactRow>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.kind, c.contact_date, c.minutes, c.participants, c.note, c.sensitive, c.author_id, u.display_name AS author \
         FROM contacts c JOIN users u ON u.id = c.author_id WHERE c.household_id = $1 \
         ORDER BY c.contact_date DESC, c.created_at DESC",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

/// Minutes per group in a period (dates inclusive). `group` is one of the expressions below,
/// never caller text.
pub async fn minutes_by(
    conn: &mut Conn,
    group: Grouping,
    from: &str,
    to: &str,
    only_team: Option<&str>,
) -> Result<Vec<(String, i64, i64)>> {
    let (key, join) = match group {
        Grouping::Team => ("t.name", "JOIN teams t ON t.id = c.team_id"),
        Grouping::Month => ("SUBSTR(c.contact_date, 1, 7)", ""),
        Grouping::Household => ("c.household_id", ""),
    };
    let sql = format!(
        "SELECT {key} AS grp, CAST(SUM(c.minutes) AS BIGINT) AS minutes, COUNT(*) AS contacts FROM contacts c {join} \
         WHERE c.contact_date >= $1 AND c.contact_date <= $2 AND ($3 = '' OR c.team_id = $3) \
         GROUP BY {key} ORDER BY {key}"
    );
    Ok(sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .bind(only_team.unwrap_or(""))
        .fetch_all(conn)
        .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Team,
    Month,
    Household,
}
