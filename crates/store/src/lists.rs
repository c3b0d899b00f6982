//! A professional's lists: "Mijn huishoudens" with its filters and order, and a coordinator's
//! caseload per professional. Each starts from the user's own trajectories and teams (indexed
//! lookups), so it stays fast whatever the size of the region.

use spil_domain::listing::{ListFilter, RegisseurFilter, SafetyFilter, Sort};
use sqlx::FromRow;

use crate::sql::Builder;
use crate::{Conn, Result};

/// One row of "Mijn huishoudens".
#[derive(Debug, Clone, FromRow)]
pub struct HouseholdSummaryRow {
    pub id: String,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub names: Option<String>,
    pub status: Option<String>,
    pub regisseur: Option<String>,
    pub my_role: Option<String>,
    pub last_registration_at: Option<i64>,
    pub urgency: Option<String>,
    /// What the intake of the open trajectory says about safety.
    pub safety_level: Option<String>,
    pub safety_rank: i64,
    /// The open trajectory's team revision (to assign a regisseur from the queue).
    pub team_revision: i64,
    /// How many rows the whole (filtered) list holds (every page says it).
    pub total: i64,
}

/// Who asks, and which page of the list.
pub struct MineQuery<'a> {
    pub user_id: &'a str,
    /// A coordinator's list holds all of the team's households.
    pub whole_teams: bool,
    pub filter: &'a ListFilter,
    /// The account a `regisseur=<username>` filter named (`None`: nobody by that name).
    pub regisseur_id: Option<&'a str>,
    pub limit: i64,
    pub offset: i64,
}

/// Households where the user is regisseur or on the team, and the households in the intake
/// queue of the user's teams (for a coordinator: all of them), filtered and ordered. The three
/// sources are a union of indexed look-ups: as one `OR` the planner scanned every open
/// trajectory of the region (640 ms at a million households).
pub async fn mine(conn: &mut Conn, q: &MineQuery<'_>) -> Result<Vec<HouseholdSummaryRow>> {
    let (sql, b) = mine_statement(q);
    Ok(b.bind(sqlx::query_as(&sql)).fetch_all(conn).await?)
}

/// The statement behind [`mine`] and its bound values.
pub(crate) fn mine_statement(q: &MineQuery<'_>) -> (String, Builder) {
    let mut b = Builder::default();
    let user = b.text(q.user_id);
    let whole = b.int(i64::from(q.whole_teams));
    let f = q.filter;
    let filters = filter_clause(&mut b, q, &user);
    // Unsafe and urgent first, unless another order was asked; own households before the queue.
    // Only the sort keys are computed for the whole list; names and users for the page alone.
    let order = match f.sort {
        None | Some(Sort::Priority) => {
            "r.my_role IS NULL, r.safety_rank DESC, r.urgency_rank DESC, r.last_registration_at DESC, r.id"
        }
        Some(Sort::Newest) => "r.last_registration_at DESC, r.id",
        Some(Sort::Oldest) => "r.last_registration_at, r.id",
        Some(Sort::Address) => "r.city, r.street, r.house_number, r.id",
    };
    let limit = b.int(q.limit);
    let offset = b.int(q.offset);
    let sql = format!(
        "WITH my_teams AS (SELECT team_id FROM user_teams WHERE user_id = {user}), \
         my_municipalities AS (SELECT tm.municipality_id FROM user_teams ut JOIN team_municipalities tm ON tm.team_id = ut.team_id WHERE ut.user_id = {user}), \
         open_t AS ( \
            SELECT t.id, t.household_id, t.status, t.regisseur_id, t.team_revision, \
                   CASE WHEN t.regisseur_id = {user} THEN 'regisseur' ELSE (SELECT tt.role FROM trajectory_team tt WHERE tt.trajectory_id = t.id AND tt.user_id = {user}) END AS my_role \
            FROM trajectories t \
            WHERE t.closed_at IS NULL AND t.id IN ( \
                SELECT t1.id FROM trajectories t1 WHERE t1.regisseur_id = {user} AND t1.closed_at IS NULL \
                UNION SELECT tt.trajectory_id FROM trajectory_team tt WHERE tt.user_id = {user} \
                UNION SELECT t3.id FROM households h3 JOIN trajectories t3 ON t3.household_id = h3.id AND t3.closed_at IS NULL \
                    WHERE h3.intake_team_id IN (SELECT team_id FROM my_teams) \
                      AND ({whole} = 1 OR (t3.regisseur_id IS NULL AND NOT EXISTS (SELECT 1 FROM trajectory_team tt WHERE tt.trajectory_id = t3.id)))) \
         ), \
         rows AS ( \
            SELECT h.id, h.street, h.house_number, h.city, o.id AS trajectory_id, o.regisseur_id, o.team_revision, \
                o.status, o.my_role, \
                (SELECT MAX(r.received_at) FROM registrations r WHERE r.household_id = h.id) AS last_registration_at, \
                (SELECT r.urgency FROM registrations r WHERE r.household_id = h.id ORDER BY r.received_at DESC LIMIT 1) AS urgency, \
                (SELECT i.safety_level FROM intakes i WHERE i.trajectory_id = o.id) AS safety_level \
            FROM open_t o JOIN households h ON h.id = o.household_id \
            WHERE h.municipality_id IN (SELECT municipality_id FROM my_municipalities) \
         ), \
         keyed AS ( \
            SELECT r0.*, \
                CASE r0.urgency WHEN 'urgent' THEN 2 WHEN 'soon' THEN 1 ELSE 0 END AS urgency_rank, \
                CASE r0.safety_level WHEN 'acuut_onveilig' THEN 3 WHEN 'onveilig' THEN 2 WHEN 'zorgen' THEN 1 ELSE 0 END AS safety_rank \
            FROM rows r0 \
         ), \
         page AS ( \
            SELECT r.*, COUNT(*) OVER () AS total FROM keyed r {filters} \
            ORDER BY {order} \
            LIMIT {limit} OFFSET {offset} \
         ) \
         SELECT r.id, h.street, h.house_number, h.postcode, h.city, \
                (SELECT MIN(p.given_name || ' ' || p.family_name) FROM household_members m JOIN persons p ON p.id = m.person_id \
                 WHERE m.household_id = r.id AND m.valid_to IS NULL AND m.relation <> 'child') AS names, \
                r.status, u.display_name AS regisseur, r.my_role, \
                r.last_registration_at, r.urgency, r.safety_level, r.safety_rank, r.team_revision, r.total \
         FROM page r JOIN households h ON h.id = r.id LEFT JOIN users u ON u.id = r.regisseur_id \
         ORDER BY {order}"
    );
    (sql, b)
}

/// The `WHERE` of the list's filters over its keyed rows `r` (empty without filters).
fn filter_clause(b: &mut Builder, q: &MineQuery<'_>, user: &str) -> String {
    let mut filters: Vec<String> = Vec::new();
    let f = q.filter;
    if let Some(phase) = f.phase {
        filters.push(format!("r.status = {}", b.text(phase.key())));
    }
    if let Some(urgency) = f.urgency {
        filters.push(format!("r.urgency = {}", b.text(urgency.key())));
    }
    match f.safety {
        None => {}
        Some(SafetyFilter::NotAssessed) => {
            filters.push("(r.safety_level IS NULL OR r.safety_level = '')".into())
        }
        Some(level) => filters.push(format!("r.safety_level = {}", b.text(level.key()))),
    }
    match &f.regisseur {
        None => {}
        Some(RegisseurFilter::Unassigned) => filters.push("r.regisseur_id IS NULL".into()),
        Some(RegisseurFilter::Me) => filters.push(format!("r.regisseur_id = {user}")),
        Some(RegisseurFilter::Username(_)) => match q.regisseur_id {
            Some(id) => filters.push(format!("r.regisseur_id = {}", b.text(id))),
            None => filters.push("1 = 0".into()),
        },
    }
    if let Some(due_by) = &f.due_by {
        filters.push(format!(
            "EXISTS (SELECT 1 FROM plan_goals g WHERE g.trajectory_id = r.trajectory_id AND g.removed = 0 \
             AND g.status = 'open' AND g.next_evaluation_on <= {})",
            b.text(due_by.as_str())
        ));
    }
    if filters.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filters.join(" AND "))
    }
}

/// One professional of a coordinator's teams, with their open households.
#[derive(Debug, Clone, FromRow)]
pub struct CaseloadRow {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Open trajectories where they are regisseur.
    pub as_regisseur: i64,
    /// Open trajectories where they are on the team without being regisseur.
    pub as_member: i64,
    /// Of those as regisseur: urgent registrations or an unsafe intake.
    pub urgent_or_unsafe: i64,
}

/// The active accounts of the user's teams with their open households, within the
/// municipalities those teams serve.
pub async fn caseload(conn: &mut Conn, user_id: &str) -> Result<Vec<CaseloadRow>> {
    Ok(sqlx::query_as(
        "WITH my_teams AS (SELECT team_id FROM user_teams WHERE user_id = $1), \
         my_municipalities AS (SELECT tm.municipality_id FROM team_municipalities tm WHERE tm.team_id IN (SELECT team_id FROM my_teams)) \
         SELECT u.username, u.display_name, u.role, \
            (SELECT COUNT(*) FROM trajectories t JOIN households h ON h.id = t.household_id \
             WHERE t.regisseur_id = u.id AND t.closed_at IS NULL \
               AND h.municipality_id IN (SELECT municipality_id FROM my_municipalities)) AS as_regisseur, \
            (SELECT COUNT(*) FROM trajectory_team tt JOIN trajectories t ON t.id = tt.trajectory_id JOIN households h ON h.id = t.household_id \
             WHERE tt.user_id = u.id AND t.closed_at IS NULL AND (t.regisseur_id IS NULL OR t.regisseur_id <> u.id) \
               AND h.municipality_id IN (SELECT municipality_id FROM my_municipalities)) AS as_member, \
            (SELECT COUNT(*) FROM trajectories t JOIN households h ON h.id = t.household_id \
             WHERE t.regisseur_id = u.id AND t.closed_at IS NULL \
               AND h.municipality_id IN (SELECT municipality_id FROM my_municipalities) \
               AND (EXISTS (SELECT 1 FROM intakes i WHERE i.trajectory_id = t.id AND i.safety_level IN ('onveilig', 'acuut_onveilig')) \
                    OR (SELECT r.urgency FROM registrations r WHERE r.household_id = h.id ORDER BY r.received_at DESC LIMIT 1) = 'urgent')) \
              AS urgent_or_unsafe \
         FROM users u \
         WHERE u.active = 1 AND u.id IN (SELECT ut.user_id FROM user_teams ut WHERE ut.team_id IN (SELECT team_id FROM my_teams)) \
         ORDER BY u.display_name, u.username",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}
