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

/// The persons present at a contact.
pub async fn insert_present(conn: &mut Conn, contact_id: &str, persons: &[&str]) -> Result<()> {
    for person in persons {
        sqlx::query("INSERT INTO contact_persons (contact_id, person_id) VALUES ($1, $2)")
            .bind(contact_id)
            .bind(*person)
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
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
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    sqlx::query(
        "INSERT INTO contact_minutes_daily (team_id, day, minutes, contacts) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (team_id, day) DO UPDATE SET minutes = contact_minutes_daily.minutes + excluded.minutes, \
         contacts = contact_minutes_daily.contacts + 1",
    )
    .bind(c.team_id)
    .bind(c.date)
    .bind(c.minutes)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Many contacts at once (loading test and benchmark data); call `rebuild_daily_totals` after.
pub async fn insert_many(conn: &mut Conn, contacts: &[NewContact<'_>]) -> Result<()> {
    // 11 values per row keeps a chunk within every backend's limit on bound values.
    for chunk in contacts.chunks(500) {
        let sql = format!(
            "INSERT INTO contacts (id, household_id, team_id, kind, contact_date, minutes, participants, note, sensitive, author_id, created_at) VALUES {}",
            crate::placeholders(chunk.len(), 11)
        );
        let mut query = sqlx::query(&sql);
        for c in chunk {
            query = query
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
                .bind(c.created_at);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// Recount the per-team daily totals from the contacts themselves.
pub async fn rebuild_daily_totals(conn: &mut Conn) -> Result<()> {
    sqlx::query("DELETE FROM contact_minutes_daily")
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    sqlx::query(
        "INSERT INTO contact_minutes_daily (team_id, day, minutes, contacts) \
         SELECT team_id, contact_date, SUM(minutes), COUNT(*) FROM contacts GROUP BY team_id, contact_date",
    )
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM contacts")
        .fetch_one(conn)
        .await?)
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

/// Who was present at each contact of a household: (contact id, person id).
pub async fn present_in(conn: &mut Conn, household_id: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT cp.contact_id, cp.person_id FROM contact_persons cp JOIN contacts c ON c.id = cp.contact_id \
         WHERE c.household_id = $1 ORDER BY cp.contact_id, cp.person_id",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

/// Minutes per group in a period (dates inclusive). `group` is one of the expressions below,
/// never caller text.
/// Minutes and contacts per group. Per team and per month: the teams of `municipality_id`
/// only; per municipality: every municipality of its region (the region-wide comparison names
/// municipalities, never teams); per household and professional: one team.
pub async fn minutes_by(
    conn: &mut Conn,
    group: Grouping,
    from: &str,
    to: &str,
    only_team: Option<&str>,
    municipality_id: &str,
    user_id: &str,
) -> Result<Vec<(String, i64, i64)>> {
    // Per team, month and municipality read the daily totals; per household (one team) the
    // contacts, through an index that holds all the columns the query needs.
    let sql = match group {
        Grouping::Team | Grouping::Month => {
            let key = if group == Grouping::Team {
                "t.name"
            } else {
                "SUBSTR(d.day, 1, 7)"
            };
            format!(
                "SELECT {key} AS grp, CAST(SUM(d.minutes) AS BIGINT) AS minutes, CAST(SUM(d.contacts) AS BIGINT) AS contacts \
                 FROM contact_minutes_daily d JOIN teams t ON t.id = d.team_id \
                 WHERE d.day >= $1 AND d.day <= $2 AND ($3 = '' OR d.team_id = $3) \
                   AND t.id IN (SELECT tm.team_id FROM team_municipalities tm WHERE tm.municipality_id = $4 \
                       OR tm.municipality_id IN (SELECT s.municipality_id FROM user_teams ut \
                           JOIN team_municipalities s ON s.team_id = ut.team_id WHERE ut.user_id = $5)) \
                 GROUP BY {key} ORDER BY {key}"
            )
        }
        Grouping::Municipality => "SELECT m.name AS grp, CAST(SUM(d.minutes) AS BIGINT) AS minutes, CAST(SUM(d.contacts) AS BIGINT) AS contacts \
             FROM contact_minutes_daily d JOIN teams t ON t.id = d.team_id JOIN municipalities m ON m.id = t.municipality_id \
             WHERE d.day >= $1 AND d.day <= $2 AND ($3 = '' OR d.team_id = $3) \
               AND m.region_id = (SELECT region_id FROM municipalities WHERE id = $4) AND $5 <> '' \
             GROUP BY m.name ORDER BY m.name"
            .to_owned(),
        Grouping::Professional => "SELECT u.display_name AS grp, CAST(SUM(c.minutes) AS BIGINT) AS minutes, COUNT(*) AS contacts \
             FROM contacts c JOIN users u ON u.id = c.author_id \
             WHERE c.team_id = $3 AND c.contact_date >= $1 AND c.contact_date <= $2 AND $4 <> '' AND $5 <> '' \
             GROUP BY u.display_name ORDER BY u.display_name"
            .to_owned(),
        Grouping::Household => "SELECT c.household_id AS grp, CAST(SUM(c.minutes) AS BIGINT) AS minutes, COUNT(*) AS contacts \
             FROM contacts c WHERE c.team_id = $3 AND c.contact_date >= $1 AND c.contact_date <= $2 AND $4 <> '' AND $5 <> '' \
             GROUP BY c.household_id ORDER BY c.household_id"
            .to_owned(),
    };
    Ok(sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .bind(only_team.unwrap_or(""))
        .bind(municipality_id)
        .bind(user_id)
        .fetch_all(conn)
        .await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Team,
    Month,
    Household,
    /// The professional who recorded the contact.
    Professional,
    /// The municipalities of the region, for comparison.
    Municipality,
}
