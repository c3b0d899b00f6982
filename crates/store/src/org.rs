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
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
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
}

pub async fn insert_user(conn: &mut Conn, user: &NewUser<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, role, municipality_id, team_id, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
    )
    .bind(user.id)
    .bind(user.username)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.role)
    .bind(user.municipality_id)
    .bind(user.team_id)
    .bind(user.created_at)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, role, municipality_id, team_id, active";

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
