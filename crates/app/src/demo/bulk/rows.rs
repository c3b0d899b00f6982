//! The rows and journal texts of one batch of synthetic households.

use std::collections::HashMap;

use spil_domain::person::Gender;
use spil_domain::registration::Route;
use spil_domain::relation::{is_minor_on, RelationKind};
use spil_domain::search::{address_terms, person_terms};
use spil_domain::trajectory::{CloseReason, TeamRole, TrajectoryStatus};
use spil_store::bulk::Value;
use spil_store::residents::family_name_key;

use super::super::names::FAMILY;
use super::{BulkTeam, Household};
use crate::new_id;

/// The strings a batch's rows borrow: dates, terms and the journal's texts.
pub(super) struct Texts {
    pub(super) birth_dates: Vec<Vec<String>>,
    pub(super) valid_from: Vec<String>,
    pub(super) referrers: Vec<Option<String>>,
    pub(super) relation_ids: Vec<Vec<String>>,
    pub(super) household_terms: Vec<Vec<String>>,
    pub(super) person_terms: Vec<Vec<Vec<String>>>,
    /// Per household: (at, kind, summary, payload).
    pub(super) journal: Vec<Vec<(i64, &'static str, String, String)>>,
}

impl Texts {
    pub(super) fn of(teams: &[BulkTeam], batch: &[Household]) -> Texts {
        let mut texts = Texts {
            birth_dates: Vec::new(),
            valid_from: Vec::new(),
            referrers: Vec::new(),
            relation_ids: Vec::new(),
            household_terms: Vec::new(),
            person_terms: Vec::new(),
            journal: Vec::new(),
        };
        for h in batch {
            let on = date_of(h.received_at);
            texts
                .birth_dates
                .push(h.persons.iter().map(|p| p.birth_date.to_string()).collect());
            texts.valid_from.push(on.to_string());
            texts.referrers.push(
                (!matches!(h.route, Route::SelfReferral | Route::Outreach))
                    .then(|| format!("Demo-{}", h.route.key())),
            );
            let pairs = children_and_parents(h).count();
            texts
                .relation_ids
                .push((0..pairs).map(|_| new_id()).collect());
            texts
                .household_terms
                .push(address_terms(h.street, h.team_city(teams)));
            texts.person_terms.push(
                h.persons
                    .iter()
                    .map(|p| person_terms(p.given_name, None, p.family_name))
                    .collect(),
            );
            texts.journal.push(journal_of(teams, h));
        }
        texts
    }
}

impl Household {
    fn team_city(&self, teams: &[BulkTeam]) -> &'static str {
        teams[self.team].city
    }

    fn status(&self) -> TrajectoryStatus {
        self.path
            .last()
            .copied()
            .unwrap_or(TrajectoryStatus::Registered)
    }
}

fn date_of(micros: i64) -> chrono::NaiveDate {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .date_naive()
}

/// (child index, parent index) for every child and parent of the household.
fn children_and_parents(h: &Household) -> impl Iterator<Item = (usize, usize)> + '_ {
    let parents: Vec<usize> = (0..h.persons.len())
        .filter(|&i| h.persons[i].relation == "parent")
        .collect();
    (0..h.persons.len())
        .filter(|&i| h.persons[i].relation == "child")
        .flat_map(move |c| parents.clone().into_iter().map(move |p| (c, p)))
}

/// The household's journal as the use cases would have written it.
fn journal_of(teams: &[BulkTeam], h: &Household) -> Vec<(i64, &'static str, String, String)> {
    let on = date_of(h.received_at);
    let names: Vec<String> = h
        .persons
        .iter()
        .map(|p| {
            let age = spil_domain::person::BirthDate::parse(&p.birth_date.to_string(), on)
                .map(|b| b.age_on(on))
                .unwrap_or_default();
            format!("{} ({age})", p.given_name)
        })
        .collect();
    let at = h.received_at;
    // Later steps are spread between registration and closing (or today).
    let end = h
        .close
        .map(|c| c.0)
        .unwrap_or_else(crate::now_micros)
        .max(at);
    let step_at = |k: usize, of: usize| at + (end - at) / (of as i64 + 1) * (k as i64 + 1);
    let via = match h.route {
        Route::SelfReferral | Route::Outreach => h.route.label().to_owned(),
        route => format!("{} (Demo-{})", route.label(), route.key()),
    };
    let mut entries = vec![
        (
            at,
            "household.created",
            format!(
                "Huishouden vastgelegd: {} {}, {}; leden: {}",
                h.street,
                h.house_number,
                h.team_city(teams),
                names.join(", ")
            ),
            serde_json::json!({ "members": h.persons.len(), "possible_duplicates": 0, "bsn_known_confirmed": [] })
                .to_string(),
        ),
        (
            at,
            "trajectory.opened",
            "Traject geopend; wacht op een regisseur".to_owned(),
            serde_json::json!({ "trajectory_id": h.trajectory_id }).to_string(),
        ),
        (
            at,
            "registration.created",
            format!(
                "Aanmelding via {via}, urgentie {}: {}",
                h.urgency.label().to_lowercase(),
                h.question
            ),
            serde_json::json!({
                "registration_id": h.registration_id,
                "route": h.route.key(),
                "urgency": h.urgency.key(),
                "feedback_consent": false,
            })
            .to_string(),
        ),
    ];
    let team = &teams[h.team];
    let steps = h.path.len() + 1;
    if h.regisseur {
        let (_, username, name) = &team.professionals[h.registered_by];
        entries.push((
            step_at(0, steps),
            "trajectory.team_set",
            format!("Regisseur: {name}"),
            serde_json::json!({ "trajectory_id": h.trajectory_id, "regisseur": username, "members": [] })
                .to_string(),
        ));
    }
    let mut from = TrajectoryStatus::Registered;
    for (step, to) in h.path.iter().enumerate() {
        let at = match (to, h.close) {
            (TrajectoryStatus::Closed, Some((closed, _))) => closed,
            _ => step_at(step + 1, steps),
        };
        let reason = h
            .close
            .filter(|_| *to == TrajectoryStatus::Closed)
            .map(|c| c.1);
        let summary = match reason {
            Some(reason) => format!(
                "Status: {} → {} ({})",
                from.label(),
                to.label(),
                reason.label().to_lowercase()
            ),
            None => format!("Status: {} → {}", from.label(), to.label()),
        };
        entries.push((
            at,
            "trajectory.status_changed",
            summary,
            serde_json::json!({ "trajectory_id": h.trajectory_id, "from": from.key(), "to": to.key(), "close_reason": reason.map(CloseReason::key) })
                .to_string(),
        ));
        from = *to;
    }
    entries
}

/// The rows of one batch, per table.
pub(super) struct Rows<'a> {
    pub(super) households: Vec<Vec<Value<'a>>>,
    pub(super) persons: Vec<Vec<Value<'a>>>,
    pub(super) members: Vec<Vec<Value<'a>>>,
    pub(super) relations: Vec<Vec<Value<'a>>>,
    pub(super) trajectories: Vec<Vec<Value<'a>>>,
    pub(super) team: Vec<Vec<Value<'a>>>,
    pub(super) registrations: Vec<Vec<Value<'a>>>,
    pub(super) household_terms: Vec<Vec<Value<'a>>>,
    pub(super) person_terms: Vec<Vec<Value<'a>>>,
}

impl<'a> Rows<'a> {
    pub(super) fn of(teams: &'a [BulkTeam], batch: &'a [Household], texts: &'a Texts) -> Rows<'a> {
        let mut rows = Rows {
            households: Vec::new(),
            persons: Vec::new(),
            members: Vec::new(),
            relations: Vec::new(),
            trajectories: Vec::new(),
            team: Vec::new(),
            registrations: Vec::new(),
            household_terms: Vec::new(),
            person_terms: Vec::new(),
        };
        for (n, h) in batch.iter().enumerate() {
            let team = &teams[h.team];
            let registered_by = team.professionals[h.registered_by].0.as_str();
            rows.households.push(vec![
                (&h.id).into(),
                (&h.area.municipality_id).into(),
                (&team.id).into(),
                h.street.into(),
                (&h.house_number).into(),
                h.postcode.as_str().into(),
                team.city.into(),
                h.area.buurt_code.as_deref().into(),
                h.received_at.into(),
                h.area.wijk_code.as_deref().into(),
            ]);
            let valid_from = texts.valid_from[n].as_str();
            for (k, p) in h.persons.iter().enumerate() {
                rows.persons.push(vec![
                    (&p.id).into(),
                    p.given_name.into(),
                    p.family_name.into(),
                    Value::Text(leak_free_key(p.family_name)),
                    (&texts.birth_dates[n][k]).into(),
                    (&p.bsn).into(),
                    h.received_at.into(),
                    Gender::Unknown.key().into(),
                    false.into(),
                ]);
                rows.members.push(vec![
                    (&h.id).into(),
                    (&p.id).into(),
                    p.relation.into(),
                    p.gezag.into(),
                    valid_from.into(),
                ]);
                for term in &texts.person_terms[n][k] {
                    rows.person_terms.push(vec![term.into(), (&p.id).into()]);
                }
            }
            let on = date_of(h.received_at);
            for ((child, parent), id) in children_and_parents(h).zip(&texts.relation_ids[n]) {
                let c = &h.persons[child];
                rows.relations.push(vec![
                    id.into(),
                    (&c.id).into(),
                    RelationKind::Ouder.key().into(),
                    Some(h.persons[parent].id.as_str()).into(),
                    (h.persons[parent].gezag && is_minor_on(c.birth_date, on)).into(),
                    valid_from.into(),
                    h.received_at.into(),
                    Some(registered_by).into(),
                ]);
            }
            rows.trajectories.push(vec![
                (&h.trajectory_id).into(),
                (&h.id).into(),
                h.status().key().into(),
                h.regisseur.then_some(registered_by).into(),
                h.received_at.into(),
                h.close.map(|c| c.0).into(),
                h.close.map(|c| c.1.key()).into(),
                (if h.regisseur { 2 } else { 1 }).into(),
            ]);
            if h.regisseur {
                rows.team.push(vec![
                    (&h.trajectory_id).into(),
                    registered_by.into(),
                    TeamRole::Regisseur.key().into(),
                ]);
            }
            rows.registrations.push(vec![
                (&h.registration_id).into(),
                (&h.id).into(),
                (&h.trajectory_id).into(),
                h.route.key().into(),
                texts.referrers[n].as_deref().into(),
                h.question.into(),
                h.urgency.key().into(),
                h.received_at.into(),
                registered_by.into(),
                h.received_at.into(),
                false.into(),
            ]);
            for term in &texts.household_terms[n] {
                rows.household_terms.push(vec![term.into(), (&h.id).into()]);
            }
        }
        rows
    }
}

/// The family-name key of one of the demo's fixed names (computed once per name).
fn leak_free_key(family_name: &'static str) -> &'static str {
    static KEYS: std::sync::LazyLock<HashMap<&'static str, String>> =
        std::sync::LazyLock::new(|| {
            FAMILY
                .iter()
                .map(|name| (*name, family_name_key(name)))
                .collect()
        });
    KEYS.get(family_name).map(String::as_str).unwrap_or("")
}
