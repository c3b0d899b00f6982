//! A person across all their households: who they are, how to talk with them, their
//! relations and who represents them, their score history, and who looked at them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spil_domain::access::Action;
use spil_domain::org::OrganisationKind;
use spil_domain::person::BirthDate;
use spil_domain::relation::{self, Existing, NewRelation, Other, Period, RelationKind};
use spil_domain::{field, FieldError, FieldErrors};
use spil_store::relations::{self as store, RelationRow};
use spil_store::{intake, org, residents};
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::{micros_to_datetime, new_id, now_micros, today, Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationInput {
    /// What the other is to this person: ouder, stiefouder, pleegouder, voogd, grootouder,
    /// broer_zus, partner, curator, mentor, bewindvoerder, clientondersteuner,
    /// informele_steun, other.
    #[serde(default)]
    pub kind: String,
    /// The other person, or else
    pub to_person_id: Option<String>,
    /// the organisation (a gecertificeerde instelling as voogd, a bewindvoerder's office).
    pub to_organisation_id: Option<String>,
    /// The other holds gezag over this person (a minor).
    pub gezag: Option<bool>,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub valid_from: String,
    /// YYYY-MM-DD, not before `valid_from`; none while it lasts.
    pub valid_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelationView {
    pub id: String,
    pub kind: String,
    pub person_id: String,
    pub person_name: String,
    pub to_person_id: Option<String>,
    pub to_person_name: Option<String>,
    pub to_organisation_id: Option<String>,
    pub to_organisation_name: Option<String>,
    pub gezag: bool,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Valid today.
    pub current: bool,
}

/// Who represents the person today, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepresentativeView {
    /// `gezag` (over a minor), or curator, mentor, bewindvoerder.
    pub basis: String,
    pub person_id: Option<String>,
    pub organisation_id: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonHouseholdView {
    pub household_id: String,
    pub relation: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonScoreView {
    pub household_id: String,
    pub assessed_on: String,
    pub scores: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: String,
    pub given_name: String,
    pub name_prefix: Option<String>,
    pub family_name: String,
    pub initials: Option<String>,
    pub birth_date: String,
    pub age: u32,
    /// iStandaarden code: 0 unknown, 1 male, 2 female.
    pub gender: String,
    pub communication: crate::views::CommunicationNeedsView,
    /// The households the caller may open that the person is or was a member of.
    pub households: Vec<PersonHouseholdView>,
    /// How many more households the person belongs to that the caller may not open.
    pub other_households: usize,
    /// Who is what to this person.
    pub relations: Vec<RelationView>,
    /// What this person is to others.
    pub related_to: Vec<RelationView>,
    pub representation: Vec<RepresentativeView>,
    /// One score history across the households the caller may open, oldest first.
    pub scores: Vec<PersonScoreView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonAccessView {
    pub at: chrono::DateTime<chrono::Utc>,
    pub username: Option<String>,
    pub household_id: Option<String>,
    pub action: String,
    pub outcome: String,
    pub basis: String,
    pub purpose: Option<String>,
}

fn relation_view(r: RelationRow, today: NaiveDate) -> RelationView {
    let period = period_of(&r);
    RelationView {
        current: period.is_some_and(|p| p.contains(today)),
        id: r.id,
        kind: r.kind,
        person_id: r.person_id,
        person_name: r.person_name,
        to_person_id: r.to_person_id,
        to_person_name: r.to_person_name,
        to_organisation_id: r.to_organisation_id,
        to_organisation_name: r.to_organisation_name,
        gezag: r.gezag == 1,
        valid_from: r.valid_from,
        valid_to: r.valid_to,
    }
}

fn period_of(r: &RelationRow) -> Option<Period> {
    let from = NaiveDate::parse_from_str(&r.valid_from, "%Y-%m-%d").ok()?;
    let to = match &r.valid_to {
        Some(t) => Some(NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?),
        None => None,
    };
    Some(Period { from, to })
}

/// Who represents a person born on `birth` today: gezag-holders while a minor, and a curator,
/// mentor or bewindvoerder.
fn representation(
    relations: &[RelationRow],
    birth: NaiveDate,
    today: NaiveDate,
) -> Vec<RepresentativeView> {
    relations
        .iter()
        .filter_map(|r| {
            let period = period_of(r)?;
            let kind = RelationKind::parse(&r.kind).ok()?;
            let basis = if relation::holds_gezag_on(r.gezag == 1, &period, birth, today) {
                "gezag".to_owned()
            } else if kind.represents_adult() && period.contains(today) {
                kind.key().to_owned()
            } else {
                return None;
            };
            Some(RepresentativeView {
                basis,
                person_id: r.to_person_id.clone(),
                organisation_id: r.to_organisation_id.clone(),
                name: r
                    .to_person_name
                    .clone()
                    .or_else(|| r.to_organisation_name.clone())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

impl App {
    /// A person across every household the caller may open: one gate pass, one entry in the
    /// access log about the person.
    pub async fn person(&self, actor: &Actor, person_id: &str) -> AppResult<PersonView> {
        let (_, readable) = self
            .authorize_person(actor, person_id, Action::Read, "read_person")
            .await?;
        let mut conn = self.store().reader().await?;
        let p = residents::person_details(&mut conn, person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let memberships = residents::memberships_of(&mut conn, person_id).await?;
        let relations = store::of_person(&mut conn, person_id).await?;
        let related_to = store::to_person(&mut conn, person_id).await?;
        let scores = intake::assessments_of_person(&mut conn, person_id).await?;
        drop(conn);
        let today = today();
        let birth = NaiveDate::parse_from_str(&p.birth_date, "%Y-%m-%d").unwrap_or_default();
        let all: std::collections::HashSet<&str> = memberships
            .iter()
            .map(|m| m.household_id.as_str())
            .collect();
        let households: Vec<PersonHouseholdView> = memberships
            .iter()
            .filter(|m| readable.contains(&m.household_id))
            .map(|m| PersonHouseholdView {
                household_id: m.household_id.clone(),
                relation: m.relation.clone(),
                valid_from: m.valid_from.clone(),
                valid_to: m.valid_to.clone(),
                end_reason: m.end_reason.clone(),
            })
            .collect();
        Ok(PersonView {
            age: BirthDate::parse(&p.birth_date, today)
                .map(|b| b.age_on(today))
                .unwrap_or_default(),
            other_households: all
                .iter()
                .filter(|h| !readable.iter().any(|r| r == *h))
                .count(),
            representation: representation(&relations, birth, today),
            relations: relations
                .into_iter()
                .map(|r| relation_view(r, today))
                .collect(),
            related_to: related_to
                .into_iter()
                .map(|r| relation_view(r, today))
                .collect(),
            scores: scores
                .into_iter()
                .filter(|(h, _)| readable.contains(h))
                .map(|(household_id, a)| PersonScoreView {
                    household_id,
                    assessed_on: a.assessed_on,
                    scores: serde_json::from_str(&a.scores).unwrap_or_default(),
                })
                .collect(),
            households,
            communication: crate::views::CommunicationNeedsView {
                language: p.language,
                interpreter: p.interpreter == 1,
                pace: p.pace,
                note: p.communication_note,
            },
            id: p.id,
            given_name: p.given_name,
            name_prefix: p.name_prefix,
            family_name: p.family_name,
            initials: p.initials,
            birth_date: p.birth_date,
            gender: p.gender,
        })
    }

    /// Record a relation of a person: who the other is to them, with gezag per pair.
    pub async fn add_relation(
        &self,
        actor: &Actor,
        person_id: &str,
        input: &RelationInput,
    ) -> AppResult<RelationView> {
        self.authorize_person(actor, person_id, Action::Write, "add_relation")
            .await?;
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", RelationKind::parse(&input.kind));
        let from = errors.check("valid_from", field::date(&input.valid_from));
        let to = match input.valid_to.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(t) => errors.check("valid_to", field::date(t)).map(Some),
            None => Some(None),
        };
        let to_person = input
            .to_person_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let to_org = input
            .to_organisation_id
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if to_person.is_some() == to_org.is_some() {
            errors.add("to_person_id", FieldError::OneOfTwo);
        }
        errors.into_result()?;
        let (Some(kind), Some(from), Some(to)) = (kind, from, to) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };

        let mut tx = self.store().begin().await?;
        let subject = residents::person(&mut tx, person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let birth_date = NaiveDate::parse_from_str(&subject.birth_date, "%Y-%m-%d")
            .map_err(|_| AppError::Internal("stored birth date unreadable".into()))?;
        let other = match (to_person, to_org) {
            (Some(other_id), _) => {
                // The other person must be someone the caller may see (or the person itself,
                // which the rule refuses with its own message).
                if other_id != person_id {
                    drop(tx);
                    let readable = self
                        .authorize_person(actor, other_id, Action::Read, "read_person")
                        .await
                        .is_ok();
                    if !readable {
                        return Err(AppError::invalid_field(
                            "to_person_id",
                            FieldError::NotAllowed,
                        ));
                    }
                    tx = self.store().begin().await?;
                }
                let other = residents::person(&mut tx, other_id).await?.ok_or_else(|| {
                    AppError::invalid_field(
                        "to_person_id",
                        FieldError::Unknown {
                            allowed: "an existing person",
                        },
                    )
                })?;
                Other::Person {
                    id: other.id,
                    birth_date: NaiveDate::parse_from_str(&other.birth_date, "%Y-%m-%d")
                        .unwrap_or_default(),
                }
            }
            (None, Some(org_id)) => {
                let o = org::organisation(&mut tx, org_id).await?.ok_or_else(|| {
                    AppError::invalid_field(
                        "to_organisation_id",
                        FieldError::Unknown {
                            allowed: "an existing organisation",
                        },
                    )
                })?;
                Other::Organisation {
                    id: o.id,
                    kind: OrganisationKind::parse(&o.kind).unwrap_or(OrganisationKind::Other),
                }
            }
            (None, None) => {
                return Err(AppError::invalid_field(
                    "to_person_id",
                    FieldError::OneOfTwo,
                ))
            }
        };
        let existing: Vec<Existing> = store::of_person(&mut tx, person_id)
            .await?
            .iter()
            .filter_map(|r| {
                Some(Existing {
                    period: period_of(r)?,
                    to_person_id: r.to_person_id.clone(),
                    to_organisation_id: r.to_organisation_id.clone(),
                    gezag: r.gezag == 1,
                })
            })
            .collect();
        let new = NewRelation {
            person_id: person_id.to_owned(),
            birth_date,
            kind,
            other: other.clone(),
            gezag: input.gezag.unwrap_or(false),
            period: Period { from, to },
        };
        relation::check(&new, &existing)?;
        let id = new_id();
        let (to_person_id, to_organisation_id) = match &other {
            Other::Person { id, .. } => (Some(id.as_str()), None),
            Other::Organisation { id, .. } => (None, Some(id.as_str())),
        };
        store::insert(
            &mut tx,
            &store::NewRelation {
                id: &id,
                person_id,
                kind: kind.key(),
                to_person_id,
                to_organisation_id,
                gezag: new.gezag,
                valid_from: &from.to_string(),
                valid_to: to.map(|t| t.to_string()).as_deref(),
                created_at: now_micros(),
                created_by: &actor.user_id,
            },
        )
        .await?;
        // Journalled on every household the person is a member of.
        for household_id in residents::households_of(&mut tx, person_id).await? {
            let mut journal = Entries::household(&actor.user_id, &household_id);
            journal.add(
                "person.relation_added",
                format!(
                    "Relatie vastgelegd voor {}: {}{}",
                    subject.given_name,
                    kind.label().to_lowercase(),
                    if new.gezag { ", met gezag" } else { "" }
                ),
                serde_json::json!({ "relation_id": id, "person_id": person_id, "kind": kind.key(), "gezag": new.gezag,
                                    "to_person_id": to_person_id, "to_organisation_id": to_organisation_id,
                                    "valid_from": from.to_string(), "valid_to": to.map(|t| t.to_string()) }),
            );
            journal.write(&mut tx, self.journal_key()).await?;
        }
        let row = store::of_person(&mut tx, person_id)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound)?;
        spil_store::commit(tx).await?;
        Ok(relation_view(row, today()))
    }

    /// Who looked at a person, in any of their households: for the regisseur or coordinator
    /// of one of them, so that they can answer the person who asks.
    pub async fn person_access_log(
        &self,
        actor: &Actor,
        person_id: &str,
    ) -> AppResult<Vec<PersonAccessView>> {
        self.authorize_person(
            actor,
            person_id,
            Action::ReadAccessLog,
            "read_person_access_log",
        )
        .await?;
        let mut conn = self.store().reader().await?;
        let rows = spil_store::access_log::for_person(&mut conn, person_id, 1000).await?;
        Ok(rows
            .into_iter()
            .map(|r| PersonAccessView {
                at: micros_to_datetime(r.at),
                username: r.username,
                household_id: r.household_id,
                action: r.action,
                outcome: r.outcome,
                basis: r.basis,
                purpose: r.purpose,
            })
            .collect())
    }
}
