//! Household plans: versions, agreements, goals' state and evaluations.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

#[derive(Debug, Clone, FromRow)]
pub struct PlanRow {
    pub version: i64,
    /// Every saved change makes a new revision (also an edit of a version before agreement).
    pub revision: i64,
    pub started_on: String,
    pub agreed_version: Option<i64>,
    pub agreed_revision: Option<i64>,
    pub content: String,
    pub created_on: String,
    pub saved_at: i64,
    pub saved_by: String,
}

/// The household's current plan with the content of its current version.
pub async fn current(conn: &mut Conn, trajectory_id: &str) -> Result<Option<PlanRow>> {
    Ok(sqlx::query_as(
        "SELECT p.version, p.revision, p.started_on, p.agreed_version, p.agreed_revision, v.content, v.created_on, v.saved_at, u.display_name AS saved_by \
         FROM plans p JOIN plan_versions v ON v.trajectory_id = p.trajectory_id AND v.version = p.version \
         JOIN users u ON u.id = v.saved_by WHERE p.trajectory_id = $1",
    )
    .bind(trajectory_id)
    .fetch_optional(conn)
    .await?)
}

pub struct SavedVersion<'a> {
    pub trajectory_id: &'a str,
    pub household_id: &'a str,
    pub version: i64,
    /// The revision this save makes; the one it started from is `revision - 1`.
    pub revision: i64,
    pub content: &'a str,
    pub today: &'a str,
    pub by: &'a str,
    pub at: i64,
}

/// Start a plan at version 1.
pub async fn create(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO plans (trajectory_id, household_id, version, started_on, agreed_version, updated_at, updated_by) \
         VALUES ($1, $5, 1, $2, NULL, $3, $4)",
    )
    .bind(v.trajectory_id)
    .bind(v.today)
    .bind(v.at)
    .bind(v.by)
    .bind(v.household_id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    insert_version(conn, v).await?;
    insert_revision(conn, v).await
}

/// Add a version after the household agreed to the previous one. `Conflict` when the plan
/// is no longer at the revision this save started from.
pub async fn add_version(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    touch(conn, v).await?;
    insert_version(conn, v).await?;
    insert_revision(conn, v).await
}

/// Edit the current version in place (it has not been agreed to). `Conflict` when the plan
/// is no longer at the revision this save started from.
pub async fn replace_version(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    touch(conn, v).await?;
    insert_revision(conn, v).await?;
    sqlx::query(
        "UPDATE plan_versions SET content = $1, saved_at = $2, saved_by = $3 WHERE trajectory_id = $4 AND version = $5",
    )
    .bind(v.content)
    .bind(v.at)
    .bind(v.by)
    .bind(v.trajectory_id)
    .bind(v.version)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// Move the plan to the new revision, only from the one the save started from: of two
/// concurrent saves, the second finds the revision moved and gets `Conflict`.
async fn touch(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE plans SET version = $1, updated_at = $2, updated_by = $3, revision = $4 \
         WHERE trajectory_id = $5 AND revision = $6",
    )
    .bind(v.version)
    .bind(v.at)
    .bind(v.by)
    .bind(v.revision)
    .bind(v.trajectory_id)
    .bind(v.revision - 1)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

async fn insert_revision(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_revisions (trajectory_id, revision, version, content, saved_at, saved_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(v.trajectory_id)
    .bind(v.revision)
    .bind(v.version)
    .bind(v.content)
    .bind(v.at)
    .bind(v.by)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct RevisionRow {
    pub revision: i64,
    pub version: i64,
    pub content: String,
    pub saved_at: i64,
    pub saved_by: String,
}

/// One revision of a household's plan, as saved.
pub async fn revision(
    conn: &mut Conn,
    trajectory_id: &str,
    revision: i64,
) -> Result<Option<RevisionRow>> {
    Ok(sqlx::query_as(
        "SELECT r.revision, r.version, r.content, r.saved_at, u.display_name AS saved_by \
         FROM plan_revisions r JOIN users u ON u.id = r.saved_by WHERE r.trajectory_id = $1 AND r.revision = $2",
    )
    .bind(trajectory_id)
    .bind(revision)
    .fetch_optional(conn)
    .await?)
}

async fn insert_version(conn: &mut Conn, v: &SavedVersion<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_versions (trajectory_id, version, content, created_on, saved_at, saved_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(v.trajectory_id)
    .bind(v.version)
    .bind(v.content)
    .bind(v.today)
    .bind(v.at)
    .bind(v.by)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct GoalStateRow {
    pub id: String,
    pub trajectory_id: String,
    pub status: String,
    pub next_evaluation_on: Option<String>,
    pub removed: i64,
}

/// The state of the given goal ids, in any household (ids are global).
pub async fn goal_states(conn: &mut Conn, ids: &[&str]) -> Result<Vec<GoalStateRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<GoalStateRow> = sqlx::query_as(
            "SELECT id, trajectory_id, status, next_evaluation_on, removed FROM plan_goals WHERE id = $1",
        )
        .bind(*id)
        .fetch_optional(&mut *conn)
        .await?;
        rows.extend(row);
    }
    Ok(rows)
}

/// The state of every goal (also removed ones) of a household.
pub async fn goals_of(conn: &mut Conn, trajectory_id: &str) -> Result<Vec<GoalStateRow>> {
    Ok(sqlx::query_as(
        "SELECT id, trajectory_id, status, next_evaluation_on, removed FROM plan_goals WHERE trajectory_id = $1",
    )
    .bind(trajectory_id)
    .fetch_all(conn)
    .await?)
}

pub struct GoalState<'a> {
    pub id: &'a str,
    pub trajectory_id: &'a str,
    pub household_id: &'a str,
    /// The person the goal is for; none for the household as a whole.
    pub person_id: Option<&'a str>,
    pub text: &'a str,
    pub status: &'a str,
    pub next_evaluation_on: Option<&'a str>,
}

/// Insert or update a goal of the current plan.
pub async fn upsert_goal(conn: &mut Conn, g: &GoalState<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_goals (id, trajectory_id, household_id, person_id, text, status, next_evaluation_on, removed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) \
         ON CONFLICT (id) DO UPDATE SET text = excluded.text, status = excluded.status, person_id = excluded.person_id, \
         next_evaluation_on = excluded.next_evaluation_on, removed = 0",
    )
    .bind(g.id)
    .bind(g.trajectory_id)
    .bind(g.household_id)
    .bind(g.person_id)
    .bind(g.text)
    .bind(g.status)
    .bind(g.next_evaluation_on)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn mark_goal_removed(conn: &mut Conn, id: &str) -> Result<()> {
    sqlx::query("UPDATE plan_goals SET removed = 1, next_evaluation_on = NULL WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub async fn set_goal_state(
    conn: &mut Conn,
    id: &str,
    status: &str,
    next_evaluation_on: Option<&str>,
) -> Result<()> {
    sqlx::query("UPDATE plan_goals SET status = $1, next_evaluation_on = $2 WHERE id = $3")
        .bind(status)
        .bind(next_evaluation_on)
        .bind(id)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub struct NewAgreement<'a> {
    pub trajectory_id: &'a str,
    pub version: i64,
    /// The revision the household saw and agreed to.
    pub revision: i64,
    pub agreed_on: &'a str,
    pub how: &'a str,
    pub by_person_id: &'a str,
    pub recorded_by: &'a str,
    pub recorded_at: i64,
}

/// Record the agreement to `a.revision`; `Conflict` when the plan changed since.
pub async fn agree(conn: &mut Conn, a: &NewAgreement<'_>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE plans SET agreed_version = $1, agreed_revision = $2 WHERE trajectory_id = $3 AND revision = $2",
    )
    .bind(a.version)
    .bind(a.revision)
    .bind(a.trajectory_id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict);
    }
    sqlx::query(
        "INSERT INTO plan_agreements (trajectory_id, version, agreed_on, how, by_person_id, recorded_by, recorded_at, revision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.trajectory_id)
    .bind(a.version)
    .bind(a.agreed_on)
    .bind(a.how)
    .bind(a.by_person_id)
    .bind(a.recorded_by)
    .bind(a.recorded_at)
    .bind(a.revision)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AgreementRow {
    pub version: i64,
    pub revision: Option<i64>,
    pub agreed_on: String,
    pub how: String,
    pub by_person_id: String,
    pub by_name: String,
}

pub async fn agreements(conn: &mut Conn, trajectory_id: &str) -> Result<Vec<AgreementRow>> {
    Ok(sqlx::query_as(
        "SELECT a.version, a.revision, a.agreed_on, a.how, a.by_person_id, p.given_name || ' ' || p.family_name AS by_name \
         FROM plan_agreements a JOIN persons p ON p.id = a.by_person_id WHERE a.trajectory_id = $1 ORDER BY a.version, a.recorded_at",
    )
    .bind(trajectory_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub content: String,
    pub created_on: String,
    pub saved_at: i64,
    pub saved_by: String,
}

pub async fn versions(conn: &mut Conn, trajectory_id: &str) -> Result<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT v.version, v.content, v.created_on, v.saved_at, u.display_name AS saved_by \
         FROM plan_versions v JOIN users u ON u.id = v.saved_by WHERE v.trajectory_id = $1 ORDER BY v.version",
    )
    .bind(trajectory_id)
    .fetch_all(conn)
    .await?)
}

pub struct NewEvaluation<'a> {
    pub id: &'a str,
    pub trajectory_id: &'a str,
    pub household_id: &'a str,
    pub goal_id: &'a str,
    pub evaluated_on: &'a str,
    pub outcome: &'a str,
    pub next_step: &'a str,
    pub note: &'a str,
    pub triage_id: Option<&'a str>,
    pub created_by: &'a str,
    pub created_at: i64,
}

pub async fn add_evaluation(conn: &mut Conn, e: &NewEvaluation<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO evaluations (id, trajectory_id, goal_id, evaluated_on, outcome, next_step, note, triage_id, created_by, created_at, household_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(e.id)
    .bind(e.trajectory_id)
    .bind(e.goal_id)
    .bind(e.evaluated_on)
    .bind(e.outcome)
    .bind(e.next_step)
    .bind(e.note)
    .bind(e.triage_id)
    .bind(e.created_by)
    .bind(e.created_at)
    .bind(e.household_id)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct EvaluationRow {
    pub id: String,
    pub goal_id: String,
    pub goal_text: String,
    pub evaluated_on: String,
    pub outcome: String,
    pub next_step: String,
    pub note: String,
    pub triage_id: Option<String>,
    pub by_name: String,
}

pub async fn evaluations(conn: &mut Conn, trajectory_id: &str) -> Result<Vec<EvaluationRow>> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.goal_id, g.text AS goal_text, e.evaluated_on, e.outcome, e.next_step, e.note, e.triage_id, \
                u.display_name AS by_name \
         FROM evaluations e JOIN plan_goals g ON g.id = e.goal_id JOIN users u ON u.id = e.created_by \
         WHERE e.trajectory_id = $1 ORDER BY e.evaluated_on DESC, e.created_at DESC",
    )
    .bind(trajectory_id)
    .fetch_all(conn)
    .await?)
}
