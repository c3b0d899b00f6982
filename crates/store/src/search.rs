//! The search index (folded terms per person and per household) and the candidates a query
//! finds. Which candidates the asker may see is not decided here: every row carries the
//! access facts of its household, and the gate decides on each.

use spil_domain::search::{address_terms, person_terms, prefix_upper, Query};
use sqlx::FromRow;

use crate::residents::AccessFacts;
use crate::sql::Builder;
use crate::{placeholders, Conn, Result, StoreError};

/// Replace the terms a person is found by.
pub async fn index_person(
    conn: &mut Conn,
    person_id: &str,
    given_name: &str,
    name_prefix: Option<&str>,
    family_name: &str,
) -> Result<()> {
    let terms = person_terms(given_name, name_prefix, family_name);
    replace_terms(conn, "person_terms", "person_id", person_id, &terms).await
}

/// Replace the terms a household is found by.
pub async fn index_household(
    conn: &mut Conn,
    household_id: &str,
    street: &str,
    city: &str,
) -> Result<()> {
    let terms = address_terms(street, city);
    replace_terms(
        conn,
        "household_terms",
        "household_id",
        household_id,
        &terms,
    )
    .await
}

async fn replace_terms(
    conn: &mut Conn,
    table: &str,
    key: &str,
    id: &str,
    terms: &[String],
) -> Result<()> {
    sqlx::query(&format!("DELETE FROM {table} WHERE {key} = $1"))
        .bind(id)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    if terms.is_empty() {
        return Ok(());
    }
    // Another instance indexing the same row at start writes the same terms: no conflict.
    let sql = format!(
        "INSERT INTO {table} (term, {key}) VALUES {} ON CONFLICT DO NOTHING",
        placeholders(terms.len(), 2)
    );
    let mut query = sqlx::query(&sql);
    for term in terms {
        query = query.bind(term.as_str()).bind(id);
    }
    query
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

#[derive(Debug, FromRow)]
struct Unindexed {
    id: String,
    a: String,
    b: Option<String>,
    c: String,
}

/// The name under which [`index_missing`] records that it is done.
const TERMS_BACKFILL: &str = "search_terms";

/// Index what an older database holds without terms, once: every later write indexes its
/// own rows, so the back-fill records itself as done (reading every person to find none took
/// 3.6 s at a million households, on every start). Returns how many persons and households
/// were indexed.
pub async fn index_missing(conn: &mut Conn) -> Result<(usize, usize)> {
    let done: Option<(i64,)> = sqlx::query_as("SELECT done_at FROM backfills WHERE name = $1")
        .bind(TERMS_BACKFILL)
        .fetch_optional(&mut *conn)
        .await?;
    if done.is_some() {
        return Ok((0, 0));
    }
    let persons: Vec<Unindexed> = sqlx::query_as(
        "SELECT p.id, p.given_name AS a, p.name_prefix AS b, p.family_name AS c FROM persons p \
         WHERE NOT EXISTS (SELECT 1 FROM person_terms t WHERE t.person_id = p.id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for p in &persons {
        index_person(conn, &p.id, &p.a, p.b.as_deref(), &p.c).await?;
    }
    let households: Vec<Unindexed> = sqlx::query_as(
        "SELECT h.id, h.street AS a, NULL AS b, h.city AS c FROM households h \
         WHERE NOT EXISTS (SELECT 1 FROM household_terms t WHERE t.household_id = h.id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    for h in &households {
        index_household(conn, &h.id, &h.a, &h.c).await?;
    }
    // Another instance starting at the same time records the same.
    sqlx::query("INSERT INTO backfills (name, done_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(TERMS_BACKFILL)
        .bind(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
                .unwrap_or_default(),
        )
        .execute(&mut *conn)
        .await
        .map_err(StoreError::from_write)?;
    Ok((persons.len(), households.len()))
}

/// Where the asker could possibly have access: the municipalities they serve, and any
/// household that is at their team's front door, has them as regisseur or team member, or
/// holds their break-the-glass grant. The gate decides on each row; this only keeps the
/// candidates to those worth deciding on.
pub struct Reach<'a> {
    pub user_id: &'a str,
    pub team_ids: &'a [String],
    pub municipality_ids: &'a [String],
    pub now: i64,
}

/// One household or person found, with the access facts of its household.
#[derive(Debug, Clone, FromRow)]
pub struct Hit {
    pub person_id: Option<String>,
    pub household_id: String,
    pub given_name: Option<String>,
    pub name_prefix: Option<String>,
    pub family_name: Option<String>,
    pub birth_date: Option<String>,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    /// The household's members' names (for a household hit).
    pub names: Option<String>,
    /// What the gate decides on, for the household.
    #[sqlx(flatten)]
    pub facts: AccessFacts,
}

/// Terms of `table` that begin with each word, all for the same `key`.
fn words_clause(b: &mut Builder, table: &str, key: &str, words: &[String]) -> String {
    let mut sql = String::new();
    for (i, word) in words.iter().enumerate() {
        let low = b.text(word.as_str());
        let high = b.text(prefix_upper(word));
        if i == 0 {
            sql.push_str(&format!(
                "SELECT DISTINCT t0.{key} AS id FROM {table} t0 WHERE t0.term >= {low} AND t0.term < {high}"
            ));
        } else {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM {table} t{i} WHERE t{i}.{key} = t0.{key} AND t{i}.term >= {low} AND t{i}.term < {high})"
            ));
        }
    }
    sql
}

/// A word that begins more index terms than this is common ("jansen" in a region): its
/// candidates are then looked for within the asker's reach (a team's households, some
/// thousands) instead of among every match in the region (tens of thousands).
const COMMON_WORD: i64 = 2_000;

/// How many terms of `table` begin with `word`, counted up to `limit`.
async fn terms_beginning(conn: &mut Conn, table: &str, word: &str, limit: i64) -> Result<i64> {
    let (count,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE term >= $1 AND term < $2 LIMIT $3) x"
    ))
    .bind(word)
    .bind(prefix_upper(word))
    .bind(limit)
    .fetch_one(conn)
    .await?;
    Ok(count)
}

/// Rows of `table` for `key` = `outer` whose terms begin with every word.
fn every_word(b: &mut Builder, table: &str, key: &str, outer: &str, words: &[String]) -> String {
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let low = b.text(word.as_str());
            let high = b.text(prefix_upper(word));
            format!(
                "EXISTS (SELECT 1 FROM {table} w{i} WHERE w{i}.{key} = {outer} AND w{i}.term >= {low} AND w{i}.term < {high})"
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The households the user can reach at all, over the placeholders of their teams, their
/// id and the time: the front door of their teams, their own open trajectories as regisseur,
/// their team memberships (a regisseur is always on the team, so closed trajectories come
/// through it: the index on regisseurs holds open trajectories only) and break-the-glass.
pub(crate) fn reachable(teams: &str, user: &str, now: &str) -> String {
    format!(
        "SELECT h.id FROM households h WHERE h.intake_team_id IN ({teams}) \
         UNION SELECT t.household_id FROM trajectories t WHERE t.regisseur_id = {user} AND t.closed_at IS NULL \
         UNION SELECT t.household_id FROM trajectory_team tt JOIN trajectories t ON t.id = tt.trajectory_id WHERE tt.user_id = {user} \
         UNION SELECT g.household_id FROM break_glass g WHERE g.user_id = {user} AND g.expires_at > {now}"
    )
}

/// A membership that has not ended (`mb` is `household_members`).
const CURRENT_MEMBER: &str = "mb.valid_to IS NULL";

/// The persons and households whose terms begin with every word: from the words' matches in
/// the region, or (`common`) from the households the asker can reach (placeholders `teams`,
/// `user`, `now`).
fn words_hits(
    b: &mut Builder,
    words: &[String],
    common: bool,
    teams: &str,
    user: &str,
    now: &str,
) -> String {
    let current = CURRENT_MEMBER;
    if common {
        // The outer query keeps only those the rule may allow; the gate decides.
        let reachable = reachable(teams, user, now);
        let persons = every_word(b, "person_terms", "person_id", "mb.person_id", words);
        let households = every_word(b, "household_terms", "household_id", "r.id", words);
        format!(
            "SELECT mb.person_id, mb.household_id FROM ({reachable}) r JOIN household_members mb ON mb.household_id = r.id AND {current} \
             WHERE {persons} \
             UNION ALL SELECT NULL AS person_id, r.id AS household_id FROM ({reachable}) r WHERE {households}"
        )
    } else {
        let persons = words_clause(b, "person_terms", "person_id", words);
        let households = words_clause(b, "household_terms", "household_id", words);
        format!(
            "SELECT mb.person_id, mb.household_id FROM ({persons}) pw JOIN household_members mb ON mb.person_id = pw.id AND {current} \
             UNION ALL SELECT NULL AS person_id, hw.id AS household_id FROM ({households}) hw"
        )
    }
}

/// Where a name search starts: from the words' matches in the whole region, or from the
/// households the asker can reach. Both find the same candidates; which is faster depends on
/// how common the words are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Chosen by how many terms begin with the longest word.
    Auto,
    TermsFirst,
    ReachFirst,
}

/// The persons and households a query finds within the asker's reach, at most `cap`,
/// persons before households, ordered by name.
pub async fn candidates(
    conn: &mut Conn,
    query: &Query,
    reach: &Reach<'_>,
    cap: i64,
) -> Result<Vec<Hit>> {
    candidates_by(conn, query, reach, cap, Strategy::Auto).await
}

/// [`candidates`], starting where `strategy` says.
pub async fn candidates_by(
    conn: &mut Conn,
    query: &Query,
    reach: &Reach<'_>,
    cap: i64,
    strategy: Strategy,
) -> Result<Vec<Hit>> {
    let mut b = Builder::default();
    let user = b.text(reach.user_id);
    let now = b.int(reach.now);
    let teams = b.list(reach.team_ids);
    let municipalities = b.list(reach.municipality_ids);
    let current = CURRENT_MEMBER;
    let hits = match query {
        Query::Bsn(bsn) => format!(
            "SELECT mb.person_id, mb.household_id FROM persons p JOIN household_members mb ON mb.person_id = p.id AND {current} \
             WHERE p.bsn = {}",
            b.text(bsn.as_str())
        ),
        Query::BirthDate(date) => format!(
            "SELECT mb.person_id, mb.household_id FROM persons p JOIN household_members mb ON mb.person_id = p.id AND {current} \
             WHERE p.birth_date = {}",
            b.text(date.format("%Y-%m-%d").to_string())
        ),
        Query::Postcode {
            postcode,
            house_number,
        } => {
            let mut sql = format!(
                "SELECT NULL AS person_id, h0.id AS household_id FROM households h0 WHERE h0.postcode = {}",
                b.text(postcode.as_str())
            );
            if let Some(number) = house_number {
                sql.push_str(&format!(" AND h0.house_number = {}", b.text(number.as_str())));
            }
            sql
        }
        Query::Words(words) => {
            let longest = words.iter().max_by_key(|w| w.len()).map(String::as_str).unwrap_or("");
            let common = match strategy {
                Strategy::TermsFirst => false,
                Strategy::ReachFirst => true,
                Strategy::Auto => {
                    terms_beginning(conn, "person_terms", longest, COMMON_WORD).await?
                        + terms_beginning(conn, "household_terms", longest, COMMON_WORD).await?
                        >= COMMON_WORD
                }
            };
            words_hits(&mut b, words, common, &teams, &user, &now)
        }
    };
    let cap = b.int(cap);
    let facts = crate::residents::access_fact_columns(&user, &now);
    let sql = format!(
        "SELECT hits.person_id, h.id AS household_id, p.given_name, p.name_prefix, p.family_name, p.birth_date, \
                h.street, h.house_number, h.postcode, h.city, \
                CASE WHEN hits.person_id IS NULL THEN (SELECT MIN(p2.given_name || ' ' || p2.family_name) FROM household_members m2 \
                     JOIN persons p2 ON p2.id = m2.person_id WHERE m2.household_id = h.id AND m2.valid_to IS NULL) END AS names, \
                h.municipality_id, h.intake_team_id, \
                {facts} \
         FROM ({hits}) hits \
           JOIN households h ON h.id = hits.household_id \
           LEFT JOIN persons p ON p.id = hits.person_id \
           LEFT JOIN trajectories t ON t.id = ( \
             SELECT t2.id FROM trajectories t2 WHERE t2.household_id = h.id \
             ORDER BY t2.closed_at IS NULL DESC, t2.opened_at DESC LIMIT 1) \
         WHERE h.municipality_id IN ({municipalities}) \
           AND (h.intake_team_id IN ({teams}) OR t.regisseur_id = {user} \
                OR EXISTS (SELECT 1 FROM trajectory_team tt WHERE tt.trajectory_id = t.id AND tt.user_id = {user}) \
                OR EXISTS (SELECT 1 FROM break_glass g WHERE g.household_id = h.id AND g.user_id = {user} AND g.expires_at > {now})) \
         ORDER BY hits.person_id IS NULL, p.family_name, p.given_name, h.street, h.house_number \
         LIMIT {cap}"
    );
    Ok(b.bind(sqlx::query_as::<_, Hit>(&sql))
        .fetch_all(conn)
        .await?)
}
