//! Policies, the broad intake, life-domain assessments and triages.

use sqlx::FromRow;

use crate::{Conn, Result, StoreError};

/// Record a policy text under its version (once).
pub async fn remember_policy(
    conn: &mut Conn,
    version: &str,
    name: &str,
    source: &str,
    now: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO policies (version, name, source, loaded_at) VALUES ($1, $2, $3, $4) ON CONFLICT (version) DO NOTHING")
        .bind(version)
        .bind(name)
        .bind(source)
        .bind(now)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

pub struct IntakeRecord<'a> {
    pub trajectory_id: &'a str,
    pub household_id: &'a str,
    pub content: &'a str,
    pub safety_level: &'a str,
    pub network_size: i64,
    pub updated_at: i64,
    pub updated_by: &'a str,
}

/// Save the intake: the first one (`base` None), or a change of revision `base`. `Conflict`
/// when someone else saved first.
pub async fn save_intake(conn: &mut Conn, base: Option<i64>, i: &IntakeRecord<'_>) -> Result<()> {
    let Some(base) = base else {
        sqlx::query(
            "INSERT INTO intakes (trajectory_id, household_id, content, safety_level, network_size, updated_at, updated_by, revision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        )
        .bind(i.trajectory_id)
        .bind(i.household_id)
        .bind(i.content)
        .bind(i.safety_level)
        .bind(i.network_size)
        .bind(i.updated_at)
        .bind(i.updated_by)
        .execute(conn)
        .await
        .map_err(StoreError::from_write)?;
        return Ok(());
    };
    let done = sqlx::query(
        "UPDATE intakes SET content = $1, safety_level = $2, network_size = $3, updated_at = $4, updated_by = $5, \
         revision = revision + 1 WHERE trajectory_id = $6 AND revision = $7",
    )
    .bind(i.content)
    .bind(i.safety_level)
    .bind(i.network_size)
    .bind(i.updated_at)
    .bind(i.updated_by)
    .bind(i.trajectory_id)
    .bind(base)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(StoreError::Conflict)
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct IntakeRow {
    pub content: String,
    pub safety_level: String,
    pub network_size: i64,
    pub updated_at: i64,
    pub revision: i64,
}

pub async fn intake(conn: &mut Conn, trajectory_id: &str) -> Result<Option<IntakeRow>> {
    Ok(sqlx::query_as("SELECT content, safety_level, network_size, updated_at, revision FROM intakes WHERE trajectory_id = $1")
        .bind(trajectory_id)
        .fetch_optional(conn)
        .await?)
}

pub struct AssessmentRecord<'a> {
    pub id: &'a str,
    pub household_id: &'a str,
    pub person_id: &'a str,
    pub assessed_on: &'a str,
    pub scores: &'a str,
    pub strengths: Option<&'a str>,
    pub notes: &'a str,
    pub created_at: i64,
    pub created_by: &'a str,
}

pub async fn add_assessment(conn: &mut Conn, a: &AssessmentRecord<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO assessments (id, household_id, person_id, assessed_on, scores, strengths, notes, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(a.id)
    .bind(a.household_id)
    .bind(a.person_id)
    .bind(a.assessed_on)
    .bind(a.scores)
    .bind(a.strengths)
    .bind(a.notes)
    .bind(a.created_at)
    .bind(a.created_by)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AssessmentRow {
    pub id: String,
    pub person_id: String,
    pub assessed_on: String,
    pub scores: String,
    pub strengths: Option<String>,
    pub notes: String,
    pub created_at: i64,
    pub created_by: String,
}

/// A person's assessments in any household, oldest first, with the household they were made in.
pub async fn assessments_of_person(
    conn: &mut Conn,
    person_id: &str,
) -> Result<Vec<(String, AssessmentRow)>> {
    #[derive(FromRow)]
    struct Row {
        household_id: String,
        #[sqlx(flatten)]
        assessment: AssessmentRow,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.household_id, a.id, a.person_id, a.assessed_on, a.scores, a.strengths, a.notes, a.created_at, \
                u.username AS created_by \
         FROM assessments a JOIN users u ON u.id = a.created_by \
         WHERE a.person_id = $1 ORDER BY a.assessed_on, a.created_at",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.household_id, r.assessment))
        .collect())
}

/// A household's assessments, newest first.
pub async fn assessments(conn: &mut Conn, household_id: &str) -> Result<Vec<AssessmentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.person_id, a.assessed_on, a.scores, a.strengths, a.notes, a.created_at, u.username AS created_by \
         FROM assessments a JOIN users u ON u.id = a.created_by \
         WHERE a.household_id = $1 ORDER BY a.assessed_on DESC, a.created_at DESC",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

pub struct TriageRecord<'a> {
    pub id: &'a str,
    pub household_id: &'a str,
    pub trajectory_id: &'a str,
    pub team_id: &'a str,
    pub policy_version: &'a str,
    pub proposed_level: &'a str,
    pub proposed_route: &'a str,
    pub reasons: &'a str,
    /// JSON array of the facts nobody had recorded.
    pub unknown: &'a str,
    pub created_at: i64,
    pub created_by: &'a str,
}

pub async fn add_triage(conn: &mut Conn, t: &TriageRecord<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO triages (id, household_id, trajectory_id, team_id, policy_version, proposed_level, proposed_route, reasons, \
         created_at, created_by, unknown) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(t.id)
    .bind(t.household_id)
    .bind(t.trajectory_id)
    .bind(t.team_id)
    .bind(t.policy_version)
    .bind(t.proposed_level)
    .bind(t.proposed_route)
    .bind(t.reasons)
    .bind(t.created_at)
    .bind(t.created_by)
    .bind(t.unknown)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct TriageRow {
    pub id: String,
    pub policy_version: String,
    pub proposed_level: String,
    pub proposed_route: String,
    pub reasons: String,
    pub unknown: String,
    pub decided_level: Option<String>,
    pub decided_route: Option<String>,
    pub deviation_reason: Option<String>,
    pub created_at: i64,
}

/// The newest triage of a trajectory.
pub async fn latest_triage(conn: &mut Conn, trajectory_id: &str) -> Result<Option<TriageRow>> {
    Ok(sqlx::query_as(
        "SELECT id, policy_version, proposed_level, proposed_route, reasons, unknown, decided_level, decided_route, deviation_reason, created_at \
         FROM triages WHERE trajectory_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(trajectory_id)
    .fetch_optional(conn)
    .await?)
}

/// Record the decision on an undecided triage; false when it was decided meanwhile.
pub async fn decide_triage(
    conn: &mut Conn,
    id: &str,
    level: &str,
    route: &str,
    deviation_reason: Option<&str>,
    by: &str,
    at: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE triages SET decided_level = $1, decided_route = $2, deviation_reason = $3, decided_by = $4, decided_at = $5 \
         WHERE id = $6 AND decided_at IS NULL",
    )
    .bind(level)
    .bind(route)
    .bind(deviation_reason)
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub team: String,
    pub municipality_id: String,
    pub municipality: String,
    pub reasons: String,
    pub deviated: i64,
}

/// Decisions taken in a period, with their team and the rules behind the proposal.
/// Decisions in the region of the municipality `region_of`.
pub async fn decisions_between(
    conn: &mut Conn,
    from: i64,
    to: i64,
    region_of: &str,
) -> Result<Vec<DecisionRow>> {
    Ok(sqlx::query_as(
        "SELECT tm.name AS team, m.id AS municipality_id, m.name AS municipality, t.reasons, \
                CASE WHEN t.decided_level <> t.proposed_level OR t.decided_route <> t.proposed_route THEN 1 ELSE 0 END AS deviated \
         FROM triages t JOIN teams tm ON tm.id = t.team_id JOIN municipalities m ON m.id = tm.municipality_id \
         WHERE t.decided_at IS NOT NULL AND t.decided_at >= $1 AND t.decided_at < $2 \
           AND m.region_id = (SELECT region_id FROM municipalities WHERE id = $3)",
    )
    .bind(from)
    .bind(to)
    .bind(region_of)
    .fetch_all(conn)
    .await?)
}
