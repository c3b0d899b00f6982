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
    /// The persons the access was about. Empty for an entry about a household: then every
    /// person who is or was a member of it.
    pub persons: Vec<String>,
}

/// Insert entries with one statement (the group commit of the access-log writer), and the
/// persons each is about.
pub async fn insert(conn: &mut Conn, entries: &[Access]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO access_log (at, user_id, household_id, action, outcome, basis, reason, purpose, persons) VALUES {}",
        crate::placeholders(entries.len(), 9)
    );
    let mut query = sqlx::query(&sql);
    for a in entries {
        let persons = (!a.persons.is_empty()).then(|| a.persons.join(" "));
        query = query
            .bind(a.at)
            .bind(a.user_id.as_deref())
            .bind(a.household_id.as_deref())
            .bind(a.action.as_str())
            .bind(a.outcome.as_str())
            .bind(a.basis.as_str())
            .bind(a.reason.as_deref())
            .bind(a.purpose.as_deref())
            .bind(persons);
    }
    query.execute(&mut *conn).await?;
    insert_subjects(conn, entries).await
}

const SUBJECT_COLUMNS: &str =
    "person_id, at, user_id, household_id, action, outcome, basis, purpose";

/// One row per person each entry is about, in at most two statements per group commit: the
/// persons named, and for household entries every member the household has had.
async fn insert_subjects(conn: &mut Conn, entries: &[Access]) -> Result<()> {
    let named: Vec<(&str, &Access)> = entries
        .iter()
        .flat_map(|a| a.persons.iter().map(move |p| (p.as_str(), a)))
        .collect();
    if !named.is_empty() {
        let sql = format!(
            "INSERT INTO access_log_persons ({SUBJECT_COLUMNS}) VALUES {}",
            crate::placeholders(named.len(), 8)
        );
        let mut query = sqlx::query(&sql);
        for (person, a) in &named {
            query = query
                .bind(*person)
                .bind(a.at)
                .bind(a.user_id.as_deref())
                .bind(a.household_id.as_deref())
                .bind(a.action.as_str())
                .bind(a.outcome.as_str())
                .bind(a.basis.as_str())
                .bind(a.purpose.as_deref());
        }
        query.execute(&mut *conn).await?;
    }
    let households: Vec<&Access> = entries
        .iter()
        .filter(|a| a.persons.is_empty() && a.household_id.is_some())
        .collect();
    if !households.is_empty() {
        let sql = format!(
            "INSERT INTO access_log_persons ({SUBJECT_COLUMNS}) \
             SELECT DISTINCT m.person_id, e.column1, e.column2, e.column3, e.column4, e.column5, e.column6, e.column7 \
             FROM (VALUES {}) AS e JOIN household_members m ON m.household_id = e.column3",
            crate::placeholders(households.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for a in &households {
            query = query
                .bind(a.at)
                .bind(a.user_id.as_deref())
                .bind(a.household_id.as_deref())
                .bind(a.action.as_str())
                .bind(a.outcome.as_str())
                .bind(a.basis.as_str())
                .bind(a.purpose.as_deref());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct PersonAccessRow {
    pub at: i64,
    pub username: Option<String>,
    pub household_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub basis: String,
    pub purpose: Option<String>,
}

/// Who looked at a person, in any of their households, newest first.
pub async fn for_person(
    conn: &mut Conn,
    person_id: &str,
    limit: i64,
) -> Result<Vec<PersonAccessRow>> {
    Ok(sqlx::query_as(
        "SELECT p.at, u.username, p.household_id, p.action, p.outcome, p.basis, p.purpose \
         FROM access_log_persons p LEFT JOIN users u ON u.id = p.user_id \
         WHERE p.person_id = $1 ORDER BY p.at DESC LIMIT $2",
    )
    .bind(person_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
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

/// Which entries concern a municipality: about one of its households, or by one of its
/// accounts (a refusal of another municipality's file is seen by both privacy officers).
const IN_MUNICIPALITY: &str =
    "(EXISTS (SELECT 1 FROM households h WHERE h.id = a.household_id AND h.municipality_id = $1) \
     OR u.municipality_id = $1 \
     OR EXISTS (SELECT 1 FROM teams t WHERE t.id = u.team_id AND t.municipality_id = $1))";

/// Break-the-glass grants and refused attempts about or by a municipality, newest first.
pub async fn for_review(
    conn: &mut Conn,
    municipality_id: &str,
    limit: i64,
) -> Result<Vec<AccessRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE (a.basis IN ('break_glass', 'emergency_request') OR a.outcome = 'denied') AND {IN_MUNICIPALITY} \
         ORDER BY a.id DESC LIMIT $2"
    ))
    .bind(municipality_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct BreakGlassRow {
    pub id: String,
    pub granted_at: i64,
    pub expires_at: i64,
    pub username: String,
    pub display_name: String,
    pub household_id: String,
    pub reason: String,
}

/// Every break-the-glass grant for a municipality's households in a period (microseconds,
/// `from` inclusive, `to` exclusive), newest first, a page at a time; and their number.
pub async fn break_glass_grants(
    conn: &mut Conn,
    municipality_id: &str,
    from: i64,
    to: i64,
    limit: i64,
    offset: i64,
) -> Result<(Vec<BreakGlassRow>, i64)> {
    const FROM: &str = "FROM break_glass b JOIN households h ON h.id = b.household_id JOIN users u ON u.id = b.user_id \
                        WHERE h.municipality_id = $1 AND b.granted_at >= $2 AND b.granted_at < $3";
    let rows = sqlx::query_as(&format!(
        "SELECT b.id, b.granted_at, b.expires_at, u.username, u.display_name, b.household_id, b.reason {FROM} \
         ORDER BY b.granted_at DESC, b.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(municipality_id)
    .bind(from)
    .bind(to)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {FROM}"))
        .bind(municipality_id)
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
    Ok((rows, total))
}

#[derive(Debug, Clone, FromRow)]
pub struct RefusalRow {
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    pub username: Option<String>,
    pub basis: String,
    pub refusals: i64,
    pub households: i64,
}

/// Refusals about or by a municipality in a period, counted per account, day and reason.
pub async fn refusals_per_account_and_day(
    conn: &mut Conn,
    municipality_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<RefusalRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT a.at / 86400000000 AS day, u.username, a.basis, COUNT(*) AS refusals, \
                COUNT(DISTINCT a.household_id) AS households \
         FROM access_log a LEFT JOIN users u ON u.id = a.user_id \
         WHERE a.outcome = 'denied' AND a.at >= $2 AND a.at < $3 AND {IN_MUNICIPALITY} \
         GROUP BY a.at / 86400000000, u.username, a.basis ORDER BY day DESC, refusals DESC, u.username"
    ))
    .bind(municipality_id)
    .bind(from)
    .bind(to)
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
