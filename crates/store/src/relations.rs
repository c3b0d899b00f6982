//! Relations between persons and with organisations, memberships that end, and moves.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

pub struct NewRelation<'a> {
    pub id: &'a str,
    pub person_id: &'a str,
    pub kind: &'a str,
    pub to_person_id: Option<&'a str>,
    pub to_organisation_id: Option<&'a str>,
    pub gezag: bool,
    pub valid_from: &'a str,
    pub valid_to: Option<&'a str>,
    pub created_at: i64,
    pub created_by: &'a str,
}

pub async fn insert(conn: &mut Conn, r: &NewRelation<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO person_relations (id, person_id, kind, to_person_id, to_organisation_id, gezag, valid_from, valid_to, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(r.id)
    .bind(r.person_id)
    .bind(r.kind)
    .bind(r.to_person_id)
    .bind(r.to_organisation_id)
    .bind(i64::from(r.gezag))
    .bind(r.valid_from)
    .bind(r.valid_to)
    .bind(r.created_at)
    .bind(r.created_by)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// A relation with the names of both sides.
#[derive(Debug, Clone, FromRow)]
pub struct RelationRow {
    pub id: String,
    pub person_id: String,
    pub person_name: String,
    pub kind: String,
    pub to_person_id: Option<String>,
    pub to_person_name: Option<String>,
    pub to_person_birth_date: Option<String>,
    pub to_organisation_id: Option<String>,
    pub to_organisation_name: Option<String>,
    pub to_organisation_kind: Option<String>,
    pub gezag: i64,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.person_id, p.given_name || ' ' || p.family_name AS person_name, r.kind, \
        r.to_person_id, q.given_name || ' ' || q.family_name AS to_person_name, q.birth_date AS to_person_birth_date, \
        r.to_organisation_id, o.name AS to_organisation_name, o.kind AS to_organisation_kind, \
        r.gezag, r.valid_from, r.valid_to \
     FROM person_relations r JOIN persons p ON p.id = r.person_id \
     LEFT JOIN persons q ON q.id = r.to_person_id LEFT JOIN organisations o ON o.id = r.to_organisation_id";

/// The relations of a person ("who is what to them"), oldest first.
pub async fn of_person(conn: &mut Conn, person_id: &str) -> Result<Vec<RelationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE r.person_id = $1 ORDER BY r.valid_from, r.id"
    ))
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// The relations in which a person is the other side ("what they are to whom").
pub async fn to_person(conn: &mut Conn, person_id: &str) -> Result<Vec<RelationRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT} WHERE r.to_person_id = $1 ORDER BY r.valid_from, r.id"
    ))
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// End a current membership; `false` when there is none to end.
pub async fn end_membership(
    conn: &mut Conn,
    household_id: &str,
    person_id: &str,
    valid_to: &str,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE household_members SET valid_to = $1, end_reason = $2 \
         WHERE household_id = $3 AND person_id = $4 AND valid_to IS NULL",
    )
    .bind(valid_to)
    .bind(reason)
    .bind(household_id)
    .bind(person_id)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(done.rows_affected() > 0)
}

pub struct NewMove<'a> {
    pub id: &'a str,
    pub household_id: &'a str,
    pub moved_on: &'a str,
    pub from_municipality_id: &'a str,
    pub to_municipality_id: &'a str,
    pub from_team_id: &'a str,
    pub to_team_id: &'a str,
    pub recorded_at: i64,
    pub recorded_by: &'a str,
}

pub struct NewAddress<'a> {
    pub street: &'a str,
    pub house_number: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub municipality_id: &'a str,
    pub wijk_code: Option<&'a str>,
    pub buurt_code: Option<&'a str>,
    pub intake_team_id: &'a str,
}

/// Move a household to a new address, only from the revision the change started from:
/// `Conflict` when someone else changed the household in between.
pub async fn move_household(
    conn: &mut Conn,
    m: &NewMove<'_>,
    address: &NewAddress<'_>,
    revision: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE households SET street = $1, house_number = $2, postcode = $3, city = $4, municipality_id = $5, \
         wijk_code = $6, buurt_code = $7, intake_team_id = $8, revision = revision + 1 \
         WHERE id = $9 AND revision = $10",
    )
    .bind(address.street)
    .bind(address.house_number)
    .bind(address.postcode)
    .bind(address.city)
    .bind(address.municipality_id)
    .bind(address.wijk_code)
    .bind(address.buurt_code)
    .bind(address.intake_team_id)
    .bind(m.household_id)
    .bind(revision)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    crate::search::index_household(conn, m.household_id, address.street, address.city).await?;
    sqlx::query(
        "INSERT INTO household_moves (id, household_id, moved_on, from_municipality_id, to_municipality_id, from_team_id, to_team_id, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(m.id)
    .bind(m.household_id)
    .bind(m.moved_on)
    .bind(m.from_municipality_id)
    .bind(m.to_municipality_id)
    .bind(m.from_team_id)
    .bind(m.to_team_id)
    .bind(m.recorded_at)
    .bind(m.recorded_by)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// A move away from a team, without anything about the people.
#[derive(Debug, Clone, FromRow)]
pub struct MovedRow {
    pub household_id: String,
    pub moved_on: String,
    pub to_municipality: String,
    pub to_team: String,
}

/// Households that moved away from one of the user's teams to another municipality since a day.
pub async fn moved_from_teams_of(
    conn: &mut Conn,
    user_id: &str,
    since: &str,
) -> Result<Vec<MovedRow>> {
    Ok(sqlx::query_as(
        "SELECT mv.household_id, mv.moved_on, m.name AS to_municipality, t.name AS to_team \
         FROM household_moves mv JOIN municipalities m ON m.id = mv.to_municipality_id JOIN teams t ON t.id = mv.to_team_id \
         WHERE mv.from_team_id IN (SELECT team_id FROM user_teams WHERE user_id = $1) \
           AND mv.from_municipality_id <> mv.to_municipality_id AND mv.moved_on >= $2 \
         ORDER BY mv.moved_on DESC, mv.household_id LIMIT 200",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(conn)
    .await?)
}

/// Forget the regisseur and team of a trajectory: it waits in the (new) front door's queue.
pub async fn release_team(conn: &mut Conn, trajectory_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM trajectory_team WHERE trajectory_id = $1")
        .bind(trajectory_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE trajectories SET regisseur_id = NULL, team_revision = team_revision + 1 WHERE id = $1",
    )
    .bind(trajectory_id)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}
