//! Find anyone you may see: households and persons by name, birth date, BSN, postcode or
//! address. The store finds candidates within the asker's reach; the gate decides on every
//! one, and the search is logged once with the persons it showed.

use serde::Serialize;
use spil_domain::access::{decide, Action, Actor, Decision, Purpose, Subject};
use spil_domain::search::Query;
use spil_store::access_log::Access;
use spil_store::search::{self, Hit, Reach};
use utoipa::ToSchema;

use crate::gate::{entry, facts_of, judge, Outcome};
use crate::{now_micros, App, AppError, AppResult};

/// At most this many candidates are decided on; a query that finds more asks to be refined.
pub const CANDIDATES: i64 = 500;
/// The largest page.
pub const MAX_LIMIT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Household,
    Person,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub kind: HitKind,
    /// The person's id for a person, the household's for a household.
    pub id: String,
    pub household_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPage {
    pub results: Vec<SearchResult>,
    /// How many the asker may see (at most [`CANDIDATES`]).
    pub total: usize,
    /// More than [`CANDIDATES`] were found: the query should be narrowed.
    pub truncated: bool,
}

fn full_name(given: &str, prefix: Option<&str>, family: &str) -> String {
    match prefix.filter(|p| !p.is_empty()) {
        Some(prefix) => format!("{given} {prefix} {family}"),
        None => format!("{given} {family}"),
    }
}

fn result_of(hit: Hit) -> SearchResult {
    let address = format!(
        "{} {}, {} {}",
        hit.street, hit.house_number, hit.postcode, hit.city
    );
    match hit.person_id {
        Some(person_id) => SearchResult {
            kind: HitKind::Person,
            id: person_id,
            household_id: hit.household_id,
            name: full_name(
                hit.given_name.as_deref().unwrap_or(""),
                hit.name_prefix.as_deref(),
                hit.family_name.as_deref().unwrap_or(""),
            ),
            birth_date: hit.birth_date,
            address,
        },
        None => SearchResult {
            kind: HitKind::Household,
            id: hit.household_id.clone(),
            household_id: hit.household_id,
            name: hit.names.unwrap_or_default(),
            birth_date: None,
            address,
        },
    }
}

impl App {
    /// Search within the caller's rights. `limit` and `offset` page the results.
    pub async fn search(
        &self,
        actor: &Actor,
        raw: &str,
        limit: usize,
        offset: usize,
    ) -> AppResult<SearchPage> {
        let purpose = Purpose::Care;
        if let Decision::Deny(denial) = decide(actor, &Subject::OwnLists, Action::Read, purpose) {
            self.log_access(entry(
                actor,
                None,
                "search",
                Outcome::Denied(denial),
                Some(purpose),
            ))
            .await?;
            return Err(AppError::Forbidden(denial));
        }
        let query = Query::parse(raw).map_err(|e| AppError::invalid_field("q", e))?;
        let hits = {
            let mut conn = self.store().reader().await?;
            let reach = Reach {
                user_id: &actor.user_id,
                team_ids: &actor.teams,
                municipality_ids: &actor.municipalities,
                now: now_micros(),
            };
            search::candidates(&mut conn, &query, &reach, CANDIDATES + 1).await?
        };
        let truncated = hits.len() as i64 > CANDIDATES;
        let mut allowed: Vec<Hit> = hits
            .into_iter()
            .take(CANDIDATES as usize)
            .filter(|hit| judge(actor, &facts_of(&hit.facts), Action::Read, purpose).is_ok())
            .collect();
        let total = allowed.len();
        let page: Vec<Hit> = allowed
            .drain(..)
            .skip(offset)
            .take(limit.clamp(1, MAX_LIMIT))
            .collect();
        self.log_access(search_entry(actor, &page, total)).await?;
        Ok(SearchPage {
            results: page.into_iter().map(result_of).collect(),
            total,
            truncated,
        })
    }
}

/// One entry for the search: the persons it showed (every member of a household it showed
/// is resolved by the access-log writer only for household entries, so they are named here).
fn search_entry(actor: &Actor, page: &[Hit], total: usize) -> Access {
    let mut access = entry(
        actor,
        None,
        "search",
        Outcome::Allowed(spil_domain::access::Basis::OwnHouseholds),
        Some(Purpose::Care),
    );
    let mut persons: Vec<String> = page.iter().filter_map(|h| h.person_id.clone()).collect();
    persons.sort();
    persons.dedup();
    access.persons = persons;
    let households = page.iter().filter(|h| h.person_id.is_none()).count();
    access.reason = Some(format!(
        "{} getoond van {total}; {households} huishouden(s) op adres",
        page.len()
    ));
    access
}
