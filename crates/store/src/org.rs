//! Regions, municipalities, teams and accounts.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub municipality_id: Option<String>,
    pub team_id: Option<String>,
    pub active: i64,
    pub principal_kind: String,
    pub organisation_id: Option<String>,
    pub person_id: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct TeamRow {
    pub id: String,
    pub municipality_id: String,
    pub name: String,
}

pub async fn insert_region(conn: &mut Conn, id: &str, name: &str) -> Result<()> {
    sqlx::query("INSERT INTO regions (id, name) VALUES ($1, $2)")
        .bind(id)
        .bind(name)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn insert_municipality(
    conn: &mut Conn,
    id: &str,
    region_id: &str,
    name: &str,
    cbs_code: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO municipalities (id, region_id, name, cbs_code) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(region_id)
    .bind(name)
    .bind(cbs_code)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn insert_team(
    conn: &mut Conn,
    id: &str,
    municipality_id: &str,
    name: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO teams (id, municipality_id, name) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(municipality_id)
        .bind(name)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    serve_municipality(conn, id, municipality_id).await
}

/// Let a team serve (also) this municipality: a central front door, a shared team.
pub async fn serve_municipality(
    conn: &mut Conn,
    team_id: &str,
    municipality_id: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO team_municipalities (team_id, municipality_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(team_id)
    .bind(municipality_id)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Add a professional to a team (they may work in several).
pub async fn join_team(conn: &mut Conn, user_id: &str, team_id: &str) -> Result<()> {
    sqlx::query("INSERT INTO user_teams (user_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(user_id)
        .bind(team_id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

/// The teams a professional works in and the municipalities each serves.
pub async fn scope_of(conn: &mut Conn, user_id: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT ut.team_id, tm.municipality_id FROM user_teams ut \
         JOIN team_municipalities tm ON tm.team_id = ut.team_id WHERE ut.user_id = $1 \
         ORDER BY ut.team_id, tm.municipality_id",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// The teams that serve a municipality, by name.
pub async fn teams_serving(conn: &mut Conn, municipality_id: &str) -> Result<Vec<TeamRow>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.municipality_id, t.name FROM teams t \
         JOIN team_municipalities tm ON tm.team_id = t.id WHERE tm.municipality_id = $1 ORDER BY t.name",
    )
    .bind(municipality_id)
    .fetch_all(conn)
    .await?)
}

/// Whether a team serves a municipality.
pub async fn team_serves(conn: &mut Conn, team_id: &str, municipality_id: &str) -> Result<bool> {
    Ok(sqlx::query_as::<_, (i64,)>(
        "SELECT 1 FROM team_municipalities WHERE team_id = $1 AND municipality_id = $2",
    )
    .bind(team_id)
    .bind(municipality_id)
    .fetch_optional(conn)
    .await?
    .is_some())
}

#[derive(Debug, Clone, FromRow)]
pub struct MunicipalityRow {
    pub id: String,
    pub name: String,
}

pub async fn municipality_by_cbs(
    conn: &mut Conn,
    cbs_code: &str,
) -> Result<Option<MunicipalityRow>> {
    Ok(
        sqlx::query_as("SELECT id, name FROM municipalities WHERE cbs_code = $1")
            .bind(cbs_code)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn municipality(conn: &mut Conn, id: &str) -> Result<Option<MunicipalityRow>> {
    Ok(
        sqlx::query_as("SELECT id, name FROM municipalities WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// A row of the region's postcode table.
#[derive(Debug, Clone, FromRow)]
pub struct PostcodeArea {
    pub postcode: String,
    pub municipality_id: String,
    pub wijk_code: Option<String>,
    pub buurt_code: Option<String>,
}

/// Replace the region's postcode table (all rows in one transaction).
pub async fn replace_postcodes(conn: &mut Conn, rows: &[PostcodeArea]) -> Result<()> {
    sqlx::query("DELETE FROM postcode_areas")
        .execute(&mut *conn)
        .await?;
    for chunk in rows.chunks(200) {
        let sql = format!(
            "INSERT INTO postcode_areas (postcode, municipality_id, wijk_code, buurt_code) VALUES {}",
            crate::placeholders(chunk.len(), 4)
        );
        let mut query = sqlx::query(&sql);
        for r in chunk {
            query = query
                .bind(r.postcode.as_str())
                .bind(r.municipality_id.as_str())
                .bind(r.wijk_code.as_deref())
                .bind(r.buurt_code.as_deref());
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(StoreError::from_write)?;
    }
    Ok(())
}

/// The area of a postcode: its own row (PC6) first, else its four digits (PC4).
pub async fn postcode_area(conn: &mut Conn, postcode: &str) -> Result<Option<PostcodeArea>> {
    let pc4: String = postcode.chars().take(4).collect();
    Ok(sqlx::query_as(
        "SELECT postcode, municipality_id, wijk_code, buurt_code FROM postcode_areas \
         WHERE postcode = $1 OR postcode = $2 ORDER BY LENGTH(postcode) DESC LIMIT 1",
    )
    .bind(postcode)
    .bind(pc4)
    .fetch_optional(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct OrganisationRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub municipality_id: Option<String>,
    pub agb: Option<String>,
    pub kvk: Option<String>,
    pub oin: Option<String>,
    pub brin: Option<String>,
}

pub async fn insert_organisation(conn: &mut Conn, o: &OrganisationRow, at: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO organisations (id, kind, name, municipality_id, agb, kvk, oin, brin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&o.id)
    .bind(&o.kind)
    .bind(&o.name)
    .bind(o.municipality_id.as_deref())
    .bind(o.agb.as_deref())
    .bind(o.kvk.as_deref())
    .bind(o.oin.as_deref())
    .bind(o.brin.as_deref())
    .bind(at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

const ORGANISATION_COLUMNS: &str = "id, kind, name, municipality_id, agb, kvk, oin, brin";

pub async fn organisation(conn: &mut Conn, id: &str) -> Result<Option<OrganisationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Organisations, by name, optionally of one kind.
pub async fn organisations(
    conn: &mut Conn,
    kind: Option<&str>,
    limit: i64,
) -> Result<Vec<OrganisationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORGANISATION_COLUMNS} FROM organisations WHERE (CAST($1 AS TEXT) IS NULL OR kind = $1) ORDER BY name, id LIMIT $2"
    ))
    .bind(kind)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn team(conn: &mut Conn, id: &str) -> Result<Option<TeamRow>> {
    Ok(
        sqlx::query_as("SELECT id, municipality_id, name FROM teams WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn team_by_name(conn: &mut Conn, name: &str) -> Result<Option<TeamRow>> {
    Ok(
        sqlx::query_as("SELECT id, municipality_id, name FROM teams WHERE name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?,
    )
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub municipality_id: Option<&'a str>,
    pub team_id: Option<&'a str>,
    pub created_at: i64,
    pub kind: &'a str,
    pub organisation_id: Option<&'a str>,
    pub person_id: Option<&'a str>,
    pub registration_register: Option<&'a str>,
    pub registration_number: Option<&'a str>,
    pub registration_valid_to: Option<&'a str>,
}

pub async fn insert_user(conn: &mut Conn, user: &NewUser<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, role, municipality_id, team_id, active, created_at, \
         kind, organisation_id, person_id, registration_register, registration_number, registration_valid_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(user.id)
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.municipality_id)
    .bind(user.team_id)
    .bind(user.created_at)
    .bind(user.kind)
    .bind(user.organisation_id)
    .bind(user.person_id)
    .bind(user.registration_register)
    .bind(user.registration_number)
    .bind(user.registration_valid_to)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    if let Some(team_id) = user.team_id {
        join_team(conn, user.id, team_id).await?;
    }
    Ok(())
}

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, role, municipality_id, team_id, active, kind AS principal_kind, organisation_id, person_id";

pub async fn user_by_username(conn: &mut Conn, username: &str) -> Result<Option<UserRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?)
}

pub async fn user_by_id(conn: &mut Conn, id: &str) -> Result<Option<UserRow>> {
    Ok(
        sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Whether any account exists, so that demo data is never mixed into a real database.
pub async fn count_users(conn: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?;
    Ok(n)
}

/// All teams with their municipality name, for forms.
pub async fn teams_with_municipality(conn: &mut Conn) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT t.id, t.name, m.name FROM teams t JOIN municipalities m ON m.id = t.municipality_id ORDER BY m.name, t.name",
    )
    .fetch_all(conn)
    .await?)
}

/// Active accounts of a municipality, by name: who can be named on a household team there.
/// Active accounts of the municipality who work in one of `team_ids`, by name: whom a
/// household's team is chosen from (a region's whole staff would be hundreds of names).
pub async fn colleagues_in_teams(
    conn: &mut Conn,
    municipality_id: &str,
    team_ids: &[String],
) -> Result<Vec<(String, String, String)>> {
    if team_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.username, u.display_name, u.role FROM users u \
         WHERE u.active = 1 AND u.municipality_id = $1 \
           AND u.id IN (SELECT ut.user_id FROM user_teams ut WHERE ut.team_id IN ({})) \
         ORDER BY u.display_name, u.username",
        (0..team_ids.len())
            .map(|i| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut query = sqlx::query_as(&sql).bind(municipality_id);
    for team in team_ids {
        query = query.bind(team.as_str());
    }
    Ok(query.fetch_all(conn).await?)
}

/// The organisations one identifier names: Spil's id, an AGB, KvK or OIN number (at most two,
/// enough to tell one from many).
pub async fn organisations_by_identifier(
    conn: &mut Conn,
    identifier: &str,
) -> Result<Vec<OrganisationRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ORGANISATION_COLUMNS} FROM organisations \
         WHERE id = $1 OR agb = $1 OR kvk = $1 OR oin = $1 ORDER BY id LIMIT 2"
    ))
    .bind(identifier)
    .fetch_all(conn)
    .await?)
}
