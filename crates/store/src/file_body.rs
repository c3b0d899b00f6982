//! The rest of a file after its head — members, registrations, every trajectory and the
//! current team — in one round trip instead of four. A read's cost at scale is mostly the
//! number of statements (each one a hand-off to the database's worker and back), so the
//! four lists come as one `UNION ALL` of rows tagged with their part, in columns both
//! databases type the same way, and are sorted here.

use sqlx::FromRow;

use crate::residents::{MemberRow, RegistrationRow};
use crate::trajectories::{TeamMemberRow, TrajectorySummaryRow};
use crate::{Conn, Result, StoreError};

/// What follows the head of a household's file.
#[derive(Debug, Clone, Default)]
pub struct FileBody {
    /// Oldest first (by birth date, then given name).
    pub members: Vec<MemberRow>,
    /// Newest first.
    pub registrations: Vec<RegistrationRow>,
    /// Newest first.
    pub trajectories: Vec<TrajectorySummaryRow>,
    /// The current trajectory's team, by name.
    pub team: Vec<TeamMemberRow>,
}

const MEMBER: i64 = 0;
const REGISTRATION: i64 = 1;
const TRAJECTORY: i64 = 2;
const TEAM: i64 = 3;

/// 16 text and 2 integer columns, each part filling what it has.
const SQL: &str = "\
SELECT 0 AS part, p.id AS t0, p.given_name AS t1, p.family_name AS t2, p.birth_date AS t3, p.bsn AS t4, \
       p.phone AS t5, p.email AS t6, m.relation AS t7, m.valid_from AS t8, m.valid_to AS t9, m.end_reason AS t10, \
       p.gender AS t11, p.name_prefix AS t12, p.language AS t13, p.pace AS t14, p.communication_note AS t15, \
       m.parental_authority AS n0, p.interpreter AS n1 \
  FROM household_members m JOIN persons p ON p.id = m.person_id WHERE m.household_id = $1 \
UNION ALL \
SELECT 1, r.id, r.household_id, r.route, r.referrer_name, r.referrer_organisation, r.referrer_contact, \
       r.question, r.urgency, u.username, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.received_at, NULL \
  FROM registrations r JOIN users u ON u.id = r.registered_by WHERE r.household_id = $1 \
UNION ALL \
SELECT 2, t.id, t.status, t.close_reason, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
       t.opened_at, t.closed_at \
  FROM trajectories t WHERE t.household_id = $1 \
UNION ALL \
SELECT 3, u.id, u.username, u.display_name, tt.role, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
       NULL, NULL \
  FROM trajectory_team tt JOIN users u ON u.id = tt.user_id WHERE tt.trajectory_id = $2";

#[derive(Debug, FromRow)]
struct Row {
    part: i64,
    t0: Option<String>,
    t1: Option<String>,
    t2: Option<String>,
    t3: Option<String>,
    t4: Option<String>,
    t5: Option<String>,
    t6: Option<String>,
    t7: Option<String>,
    t8: Option<String>,
    t9: Option<String>,
    t10: Option<String>,
    t11: Option<String>,
    t12: Option<String>,
    t13: Option<String>,
    t14: Option<String>,
    t15: Option<String>,
    n0: Option<i64>,
    n1: Option<i64>,
}

/// A column the part always fills (`NOT NULL` in the schema).
fn required<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| StoreError::Corrupt(format!("file body: {what} is missing")))
}

impl Row {
    fn member(self) -> Result<MemberRow> {
        Ok(MemberRow {
            person_id: required(self.t0, "person id")?,
            given_name: required(self.t1, "given name")?,
            family_name: required(self.t2, "family name")?,
            birth_date: required(self.t3, "birth date")?,
            bsn: self.t4,
            phone: self.t5,
            email: self.t6,
            relation: required(self.t7, "relation")?,
            valid_from: required(self.t8, "valid from")?,
            valid_to: self.t9,
            end_reason: self.t10,
            gender: required(self.t11, "gender")?,
            name_prefix: self.t12,
            language: self.t13,
            pace: self.t14,
            communication_note: self.t15,
            parental_authority: required(self.n0, "parental authority")?,
            interpreter: required(self.n1, "interpreter")?,
        })
    }

    fn registration(self) -> Result<RegistrationRow> {
        Ok(RegistrationRow {
            id: required(self.t0, "registration id")?,
            household_id: required(self.t1, "household id")?,
            route: required(self.t2, "route")?,
            referrer_name: self.t3,
            referrer_organisation: self.t4,
            referrer_contact: self.t5,
            question: required(self.t6, "question")?,
            urgency: required(self.t7, "urgency")?,
            registered_by: required(self.t8, "registered by")?,
            received_at: required(self.n0, "received at")?,
        })
    }

    fn trajectory(self) -> Result<TrajectorySummaryRow> {
        Ok(TrajectorySummaryRow {
            id: required(self.t0, "trajectory id")?,
            status: required(self.t1, "status")?,
            close_reason: self.t2,
            opened_at: required(self.n0, "opened at")?,
            closed_at: self.n1,
        })
    }

    fn team_member(self) -> Result<TeamMemberRow> {
        Ok(TeamMemberRow {
            user_id: required(self.t0, "user id")?,
            username: required(self.t1, "username")?,
            display_name: required(self.t2, "display name")?,
            role: required(self.t3, "role")?,
        })
    }
}

/// Members, registrations and trajectories of the household, and the team of
/// `trajectory_id` (none without one), in one statement.
pub async fn file_body(
    conn: &mut Conn,
    household_id: &str,
    trajectory_id: Option<&str>,
) -> Result<FileBody> {
    let rows: Vec<Row> = sqlx::query_as(SQL)
        .bind(household_id)
        .bind(trajectory_id)
        .fetch_all(conn)
        .await?;
    let mut body = FileBody::default();
    for row in rows {
        match row.part {
            MEMBER => body.members.push(row.member()?),
            REGISTRATION => body.registrations.push(row.registration()?),
            TRAJECTORY => body.trajectories.push(row.trajectory()?),
            TEAM => body.team.push(row.team_member()?),
            part => return Err(StoreError::Corrupt(format!("file body: part {part}"))),
        }
    }
    body.members.sort_by(|a, b| {
        (a.birth_date.as_str(), a.given_name.as_str())
            .cmp(&(b.birth_date.as_str(), b.given_name.as_str()))
    });
    body.registrations
        .sort_by_key(|r| std::cmp::Reverse(r.received_at));
    body.trajectories
        .sort_by(|a, b| (b.opened_at, b.id.as_str()).cmp(&(a.opened_at, a.id.as_str())));
    body.team
        .sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(body)
}
