//! Persons, households, their members and registrations at the front door.

use sqlx::FromRow;

use crate::{flag, Conn, Result, StoreError};

pub struct NewPerson<'a> {
    pub id: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub birth_date: &'a str,
    pub bsn: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub created_at: i64,
    pub gender: &'a str,
    pub name_prefix: Option<&'a str>,
    pub initials: Option<&'a str>,
    pub language: Option<&'a str>,
    pub interpreter: bool,
    pub pace: Option<&'a str>,
    pub communication_note: Option<&'a str>,
}

/// The key that finds a family name regardless of case and spacing.
pub fn family_name_key(family_name: &str) -> String {
    family_name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub async fn insert_person(conn: &mut Conn, p: &NewPerson<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO persons (id, given_name, family_name, family_name_key, birth_date, bsn, phone, email, created_at, \
         gender, name_prefix, initials, language, interpreter, pace, communication_note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(p.id)
    .bind(p.given_name)
    .bind(p.family_name)
    .bind(family_name_key(p.family_name))
    .bind(p.birth_date)
    .bind(p.bsn)
    .bind(p.phone)
    .bind(p.email)
    .bind(p.created_at)
    .bind(p.gender)
    .bind(p.name_prefix)
    .bind(p.initials)
    .bind(p.language)
    .bind(i64::from(p.interpreter))
    .bind(p.pace)
    .bind(p.communication_note)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    crate::search::index_person(conn, p.id, p.given_name, p.name_prefix, p.family_name).await
}

pub struct NewHousehold<'a> {
    pub id: &'a str,
    pub municipality_id: &'a str,
    pub intake_team_id: &'a str,
    pub street: &'a str,
    pub house_number: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub buurt_code: Option<&'a str>,
    pub wijk_code: Option<&'a str>,
    pub created_at: i64,
}

pub async fn insert_household(conn: &mut Conn, h: &NewHousehold<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO households (id, municipality_id, intake_team_id, street, house_number, postcode, city, buurt_code, created_at, wijk_code) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(h.id)
    .bind(h.municipality_id)
    .bind(h.intake_team_id)
    .bind(h.street)
    .bind(h.house_number)
    .bind(h.postcode)
    .bind(h.city)
    .bind(h.buurt_code)
    .bind(h.created_at)
    .bind(h.wijk_code)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::from_write)?;
    crate::search::index_household(conn, h.id, h.street, h.city).await
}

pub async fn insert_member(
    conn: &mut Conn,
    household_id: &str,
    person_id: &str,
    relation: &str,
    parental_authority: bool,
    valid_from: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, relation, parental_authority, valid_from) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(household_id)
    .bind(person_id)
    .bind(relation)
    .bind(i64::from(parental_authority))
    .bind(valid_from)
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

pub struct NewRegistration<'a> {
    pub id: &'a str,
    pub household_id: &'a str,
    pub trajectory_id: &'a str,
    pub route: &'a str,
    pub referrer_name: Option<&'a str>,
    pub referrer_organisation: Option<&'a str>,
    pub referrer_contact: Option<&'a str>,
    pub question: &'a str,
    pub urgency: &'a str,
    pub received_at: i64,
    pub registered_by: &'a str,
    pub created_at: i64,
    pub feedback_consent: bool,
}

pub async fn insert_registration(conn: &mut Conn, r: &NewRegistration<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO registrations (id, household_id, trajectory_id, route, referrer_name, referrer_organisation, referrer_contact, \
         question, urgency, received_at, registered_by, created_at, feedback_consent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(r.id)
    .bind(r.household_id)
    .bind(r.trajectory_id)
    .bind(r.route)
    .bind(r.referrer_name)
    .bind(r.referrer_organisation)
    .bind(r.referrer_contact)
    .bind(r.question)
    .bind(r.urgency)
    .bind(r.received_at)
    .bind(r.registered_by)
    .bind(r.created_at)
    .bind(i64::from(r.feedback_consent))
    .execute(conn)
    .await
    .map_err(StoreError::from_write)?;
    Ok(())
}

/// A person who may be the same as one being registered.
#[derive(Debug, Clone, FromRow)]
pub struct DuplicateCandidate {
    pub person_id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub matched_on_bsn: i64,
    pub household_id: Option<String>,
}

impl DuplicateCandidate {
    pub fn matched_on_bsn(&self) -> bool {
        flag(self.matched_on_bsn)
    }
}

/// Persons with the same BSN, or the same family name and birth date, with a current household.
/// Whether any person has this BSN (one BSN is one person).
pub async fn bsn_known(conn: &mut Conn, bsn: &str) -> Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM persons WHERE bsn = $1 LIMIT 1")
        .bind(bsn)
        .fetch_optional(conn)
        .await?;
    Ok(row.is_some())
}

/// Persons matching on BSN, or on family name and birth date, who live (now) in a household
/// of `municipality_id`: the front door looks only within the caller's own municipality.
pub async fn duplicate_candidates(
    conn: &mut Conn,
    municipality_id: &str,
    bsn: Option<&str>,
    family_name: &str,
    birth_date: &str,
) -> Result<Vec<DuplicateCandidate>> {
    Ok(sqlx::query_as(
        "SELECT p.id AS person_id, p.given_name, p.family_name, p.birth_date, \
                CASE WHEN p.bsn IS NOT NULL AND p.bsn = $1 THEN 1 ELSE 0 END AS matched_on_bsn, \
                (SELECT m.household_id FROM household_members m JOIN households h ON h.id = m.household_id \
                 WHERE m.person_id = p.id AND m.valid_to IS NULL AND h.municipality_id = $4 \
                 ORDER BY m.valid_from DESC LIMIT 1) AS household_id \
         FROM persons p \
         WHERE ((p.bsn IS NOT NULL AND p.bsn = $1) OR (p.family_name_key = $2 AND p.birth_date = $3)) \
           AND EXISTS (SELECT 1 FROM household_members m JOIN households h ON h.id = m.household_id \
                       WHERE m.person_id = p.id AND m.valid_to IS NULL AND h.municipality_id = $4) \
         LIMIT 20",
    )
    .bind(bsn)
    .bind(family_name_key(family_name))
    .bind(birth_date)
    .bind(municipality_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct HouseholdRow {
    pub id: String,
    pub municipality_id: String,
    pub municipality_name: String,
    pub intake_team_id: String,
    pub intake_team_name: String,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub buurt_code: Option<String>,
    pub created_at: i64,
    pub wijk_code: Option<String>,
    pub revision: i64,
}

pub async fn household(conn: &mut Conn, id: &str) -> Result<Option<HouseholdRow>> {
    Ok(sqlx::query_as(
        "SELECT h.id, h.municipality_id, m.name AS municipality_name, h.intake_team_id, t.name AS intake_team_name, \
                h.street, h.house_number, h.postcode, h.city, h.buurt_code, h.created_at, h.wijk_code, h.revision \
         FROM households h JOIN municipalities m ON m.id = h.municipality_id JOIN teams t ON t.id = h.intake_team_id \
         WHERE h.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub person_id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
    pub bsn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub relation: String,
    pub parental_authority: i64,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub end_reason: Option<String>,
    pub gender: String,
    pub name_prefix: Option<String>,
    pub language: Option<String>,
    pub interpreter: i64,
    pub pace: Option<String>,
    pub communication_note: Option<String>,
}

impl MemberRow {
    pub fn parental_authority(&self) -> bool {
        flag(self.parental_authority)
    }
}

pub async fn members(conn: &mut Conn, household_id: &str) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id AS person_id, p.given_name, p.family_name, p.birth_date, p.bsn, p.phone, p.email, \
                m.relation, m.parental_authority, m.valid_from, m.valid_to, m.end_reason, \
                p.gender, p.name_prefix, p.language, p.interpreter, p.pace, p.communication_note \
         FROM household_members m JOIN persons p ON p.id = m.person_id \
         WHERE m.household_id = $1 ORDER BY p.birth_date, p.given_name",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct RegistrationRow {
    pub id: String,
    pub household_id: String,
    pub route: String,
    pub referrer_name: Option<String>,
    pub referrer_organisation: Option<String>,
    pub referrer_contact: Option<String>,
    pub question: String,
    pub urgency: String,
    pub received_at: i64,
    pub registered_by: String,
}

pub async fn registrations(conn: &mut Conn, household_id: &str) -> Result<Vec<RegistrationRow>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.household_id, r.route, r.referrer_name, r.referrer_organisation, r.referrer_contact, r.question, \
                r.urgency, r.received_at, u.username AS registered_by \
         FROM registrations r JOIN users u ON u.id = r.registered_by \
         WHERE r.household_id = $1 ORDER BY r.received_at DESC",
    )
    .bind(household_id)
    .fetch_all(conn)
    .await?)
}

/// Facts the authorisation rule needs, for one household and one actor, in one query. They
/// come from the open trajectory, or else the latest closed one: its team keeps access to
/// the file (a new question for a known household reaches the people who know it).
#[derive(Debug, Clone, FromRow)]
pub struct AccessFacts {
    pub municipality_id: String,
    pub intake_team_id: String,
    pub is_regisseur: i64,
    pub on_team: i64,
    pub unassigned: i64,
    pub break_glass: i64,
}

pub async fn access_facts(
    conn: &mut Conn,
    household_id: &str,
    user_id: &str,
    now: i64,
) -> Result<Option<AccessFacts>> {
    Ok(file_head(conn, household_id, user_id, now)
        .await?
        .map(|head| head.facts))
}

/// Row counts of the tables a registration writes, for tests and status output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub households: i64,
    pub persons: i64,
    pub registrations: i64,
    pub trajectories: i64,
    pub journal: i64,
}

pub async fn counts(conn: &mut Conn) -> Result<Counts> {
    let (households, persons, registrations, trajectories, journal): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM persons), (SELECT COUNT(*) FROM registrations), \
                (SELECT COUNT(*) FROM trajectories), (SELECT COUNT(*) FROM journal)",
    )
    .fetch_one(conn)
    .await?;
    Ok(Counts {
        households,
        persons,
        registrations,
        trajectories,
        journal,
    })
}

#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: String,
}

pub async fn person(conn: &mut Conn, id: &str) -> Result<Option<PersonRow>> {
    Ok(
        sqlx::query_as("SELECT id, given_name, family_name, birth_date FROM persons WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The households a person lives in now.
pub async fn current_households_of(conn: &mut Conn, person_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT household_id FROM household_members WHERE person_id = $1 AND valid_to IS NULL",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Everything Spil records about a person as such.
#[derive(Debug, Clone, FromRow)]
pub struct PersonDetailsRow {
    pub id: String,
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub initials: Option<String>,
    pub birth_date: String,
    pub gender: String,
    pub bsn: Option<String>,
    pub language: Option<String>,
    pub interpreter: i64,
    pub pace: Option<String>,
    pub communication_note: Option<String>,
}

pub async fn person_details(conn: &mut Conn, id: &str) -> Result<Option<PersonDetailsRow>> {
    Ok(sqlx::query_as(
        "SELECT id, given_name, name_prefix, family_name, initials, birth_date, gender, bsn, language, interpreter, pace, \
         communication_note FROM persons WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A membership of a person, in any household.
#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub household_id: String,
    pub relation: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub end_reason: Option<String>,
}

pub async fn memberships_of(conn: &mut Conn, person_id: &str) -> Result<Vec<MembershipRow>> {
    Ok(sqlx::query_as(
        "SELECT household_id, relation, valid_from, valid_to, end_reason FROM household_members \
         WHERE person_id = $1 ORDER BY valid_from, household_id",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?)
}

/// Every household a person is or was a member of, oldest membership first.
pub async fn households_of(conn: &mut Conn, person_id: &str) -> Result<Vec<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT household_id, MIN(valid_from) AS since FROM household_members WHERE person_id = $1 \
         GROUP BY household_id ORDER BY since, household_id",
    )
    .bind(person_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, _)| id).collect())
}

/// The household, its latest trajectory and the access facts for one actor, in one query:
/// what every read of a file starts with.
#[derive(Debug, Clone, FromRow)]
pub struct FileHead {
    #[sqlx(flatten)]
    pub facts: AccessFacts,
    #[sqlx(flatten)]
    pub household: HouseholdRow,
    pub trajectory_id: Option<String>,
    pub trajectory_status: Option<String>,
    pub regisseur_username: Option<String>,
    pub regisseur_name: Option<String>,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub team_revision: Option<i64>,
}

/// The facts the gate decides on, as columns of a query over household `h` and its current
/// trajectory `t`, for the user bound at `user` at the time bound at `now`: one definition for
/// the file, search and every list that judges households.
pub(crate) fn access_fact_columns(user: &str, now: &str) -> String {
    format!(
        "CASE WHEN t.regisseur_id = {user} THEN 1 ELSE 0 END AS is_regisseur, \
         CASE WHEN t.regisseur_id = {user} OR EXISTS (SELECT 1 FROM trajectory_team tt WHERE tt.trajectory_id = t.id AND tt.user_id = {user}) \
              THEN 1 ELSE 0 END AS on_team, \
         CASE WHEN t.id IS NOT NULL AND t.closed_at IS NULL AND t.regisseur_id IS NULL \
               AND NOT EXISTS (SELECT 1 FROM trajectory_team tt WHERE tt.trajectory_id = t.id) THEN 1 ELSE 0 END AS unassigned, \
         CASE WHEN EXISTS (SELECT 1 FROM break_glass b WHERE b.household_id = h.id AND b.user_id = {user} AND b.expires_at > {now}) \
              THEN 1 ELSE 0 END AS break_glass"
    )
}

pub(crate) static FILE_HEAD_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT h.municipality_id, h.intake_team_id, {}, \
           h.id, m.name AS municipality_name, tm.name AS intake_team_name, h.street, h.house_number, h.postcode, h.city, \
           h.buurt_code, h.created_at, h.wijk_code, h.revision, \
           t.id AS trajectory_id, t.status AS trajectory_status, u.username AS regisseur_username, \
           u.display_name AS regisseur_name, t.opened_at, t.closed_at, t.team_revision \
         FROM households h \
           JOIN municipalities m ON m.id = h.municipality_id \
           JOIN teams tm ON tm.id = h.intake_team_id \
           LEFT JOIN trajectories t ON t.id = ( \
             SELECT t2.id FROM trajectories t2 WHERE t2.household_id = h.id \
             ORDER BY t2.closed_at IS NULL DESC, t2.opened_at DESC LIMIT 1) \
           LEFT JOIN users u ON u.id = t.regisseur_id \
         WHERE h.id = $1",
        access_fact_columns("$2", "$3")
    )
});

pub async fn file_head(
    conn: &mut Conn,
    household_id: &str,
    user_id: &str,
    now: i64,
) -> Result<Option<FileHead>> {
    Ok(sqlx::query_as(FILE_HEAD_SQL.as_str())
        .bind(household_id)
        .bind(user_id)
        .bind(now)
        .fetch_optional(conn)
        .await?)
}

/// What feedback to a referrer is made of: the registration, the first contact after it, and
/// how its trajectory ended.
#[derive(Debug, Clone, FromRow)]
pub struct FeedbackFacts {
    pub household_id: String,
    pub route: String,
    pub feedback_consent: i64,
    pub received_at: i64,
    pub first_contact: Option<String>,
    pub closed_at: Option<i64>,
    pub close_reason: Option<String>,
}

pub async fn feedback_facts(
    conn: &mut Conn,
    registration_id: &str,
) -> Result<Option<FeedbackFacts>> {
    Ok(sqlx::query_as(
        "SELECT r.household_id, r.route, r.feedback_consent, r.received_at, \
                (SELECT MIN(c.contact_date) FROM contacts c WHERE c.household_id = r.household_id AND c.created_at >= r.created_at) AS first_contact, \
                t.closed_at, t.close_reason \
         FROM registrations r JOIN trajectories t ON t.id = r.trajectory_id WHERE r.id = $1",
    )
    .bind(registration_id)
    .fetch_optional(conn)
    .await?)
}

/// Every household with its intake team (loading benchmark data).
pub async fn households_with_team(conn: &mut Conn) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT id, intake_team_id FROM households ORDER BY id")
            .fetch_all(conn)
            .await?,
    )
}
