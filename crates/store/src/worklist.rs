//! The worklist in one statement: due goal evaluations, plans without the household's agreement
//! and keep-alive schedules, all from the open trajectories the user works on.

use sqlx::FromRow;

use crate::{Conn, Result};

/// One row of the worklist; `kind` (`goal`, `plan`, `waakvlam`) says which columns are filled.
#[derive(Debug, Clone, FromRow)]
pub struct WorklistRow {
    pub kind: String,
    pub household_id: String,
    pub street: String,
    pub house_number: String,
    pub city: String,
    pub goal_id: Option<String>,
    pub text: Option<String>,
    pub due: Option<String>,
    pub version: Option<i64>,
    pub agreed_version: Option<i64>,
    pub updated_at: Option<i64>,
    pub interval_days: Option<i64>,
    pub starts_on: Option<String>,
    pub until: Option<String>,
    pub last_contact: Option<String>,
}

/// Everything on user `$1`'s worklist; goals due on or before `$2`. Within a kind, goals come
/// oldest due date first and plans longest waiting first.
pub(crate) fn worklist_sql() -> String {
    format!(
        "WITH mine AS (SELECT t.id, t.household_id FROM trajectories t WHERE t.closed_at IS NULL AND t.id IN ({open})) \
         SELECT 'goal' AS kind, g.household_id AS household_id, h.street, h.house_number, h.city, g.id AS goal_id, g.text AS text, \
                g.next_evaluation_on AS due, CAST(NULL AS BIGINT) AS version, CAST(NULL AS BIGINT) AS agreed_version, \
                CAST(NULL AS BIGINT) AS updated_at, CAST(NULL AS BIGINT) AS interval_days, CAST(NULL AS TEXT) AS starts_on, \
                CAST(NULL AS TEXT) AS until, CAST(NULL AS TEXT) AS last_contact \
         FROM mine m JOIN plan_goals g ON g.trajectory_id = m.id JOIN households h ON h.id = m.household_id \
         WHERE g.removed = 0 AND g.status = 'open' AND g.next_evaluation_on <= $2 \
         UNION ALL \
         SELECT 'plan', p.household_id, h.street, h.house_number, h.city, NULL, NULL, NULL, p.version, p.agreed_version, \
                p.updated_at, NULL, NULL, NULL, NULL \
         FROM mine m JOIN plans p ON p.trajectory_id = m.id JOIN households h ON h.id = m.household_id \
         WHERE p.agreed_version IS NULL OR p.agreed_version < p.version \
         UNION ALL \
         SELECT 'waakvlam', w.household_id, h.street, h.house_number, h.city, NULL, NULL, NULL, NULL, NULL, NULL, \
                w.interval_days, w.starts_on, w.until, \
                (SELECT MAX(c.contact_date) FROM contacts c WHERE c.household_id = w.household_id) \
         FROM mine m JOIN waakvlam w ON w.trajectory_id = m.id JOIN households h ON h.id = w.household_id \
         ORDER BY due, updated_at, household_id",
        open = crate::trajectories::OPEN_FOR_USER_SQL
    )
}

pub async fn for_user(conn: &mut Conn, user_id: &str, until: &str) -> Result<Vec<WorklistRow>> {
    Ok(sqlx::query_as(&worklist_sql())
        .bind(user_id)
        .bind(until)
        .fetch_all(conn)
        .await?)
}
