//! A household changes after registration: someone joins, someone leaves (moved out,
//! deceased) with a date, the household moves — to another municipality too, which changes
//! the controller. Each change is journalled and the history is kept.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spil_domain::access::Action;
use spil_domain::household::{parse_house_number, Postcode, Relation};
use spil_domain::relation::{self, Member, MembershipEnd};
use spil_domain::{field, FieldError, FieldErrors};
use spil_store::relations as store;
use spil_store::{org, residents, trajectories, StoreError};
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::views::MemberInput;
use crate::{new_id, now_micros, today, Actor, App, AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberInput {
    /// A person Spil knows already (one the caller may see), or else
    pub person_id: Option<String>,
    /// a new person (its `relation` is ignored; the one below counts).
    pub person: Option<MemberInput>,
    /// parent, child, partner or other.
    #[serde(default)]
    pub relation: String,
    /// YYYY-MM-DD, up to today.
    #[serde(default)]
    pub valid_from: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndMembershipInput {
    /// The last day the person lived here, YYYY-MM-DD.
    #[serde(default)]
    pub valid_to: String,
    /// moved_out, deceased or other.
    #[serde(default)]
    pub reason: String,
    /// Where the children live now, when the last adult leaves: a household the caller may
    /// add to. The children's memberships here end on the same day.
    pub children_household_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    #[serde(default)]
    pub street: String,
    #[serde(default)]
    pub house_number: String,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    /// YYYY-MM-DD, up to today.
    #[serde(default)]
    pub moved_on: String,
    /// The team (id) whose front door takes the household up in the new municipality; needed
    /// only where more than one team serves it.
    pub team_id: Option<String>,
    /// The household's revision this change is based on (from `GET /households/{id}`).
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovedView {
    pub household_id: String,
    pub moved_on: String,
    pub to_municipality: String,
    pub to_team: String,
}

fn not_in_future(raw: &str) -> Result<NaiveDate, FieldError> {
    let d = field::date(raw)?;
    if d > today() {
        Err(FieldError::DateInFuture)
    } else {
        Ok(d)
    }
}

impl App {
    /// Add a member to a household (someone moves in, a child also lives here).
    pub async fn add_member(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &NewMemberInput,
    ) -> AppResult<String> {
        self.precheck(actor, household_id, Action::Write).await?;
        let mut errors = FieldErrors::new();
        let relation = errors.check("relation", Relation::parse(&input.relation));
        let from = errors.check("valid_from", not_in_future(&input.valid_from));
        let known = input
            .person_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let new = match (known, &input.person) {
            (Some(_), None) => None,
            (None, Some(person)) => {
                let mut person = person.clone();
                person.person_id = None;
                person.relation = input.relation.clone();
                crate::registration::parse_new_person(&mut errors, "person", &person, today())
            }
            _ => {
                errors.add("person_id", FieldError::OneOfTwo);
                None
            }
        };
        errors.into_result()?;
        let (Some(relation), Some(from)) = (relation, from) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        if let Some(id) = known {
            // Only someone the caller may see can be added (as at the front door).
            if self
                .authorize_person(actor, id, Action::Read, "read_person")
                .await
                .is_err()
            {
                return Err(AppError::invalid_field("person_id", FieldError::NotAllowed));
            }
        }
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let (person_id, name) = match (known, new) {
            (Some(id), _) => {
                let p = residents::person(&mut tx, id).await?.ok_or_else(|| {
                    AppError::invalid_field(
                        "person_id",
                        FieldError::Unknown {
                            allowed: "an existing person",
                        },
                    )
                })?;
                (p.id, p.given_name)
            }
            (None, Some(new)) => {
                let id = new_id();
                crate::registration::insert_new_person(&mut tx, &id, &new, now_micros()).await?;
                (id, new.given_name.clone())
            }
            (None, None) => return Err(AppError::invalid_field("person", FieldError::Required)),
        };
        let current = residents::members(&mut tx, household_id).await?;
        if current
            .iter()
            .any(|m| m.person_id == person_id && m.valid_to.is_none())
        {
            return Err(AppError::conflict(
                "already_a_member",
                "Deze persoon hoort al bij dit huishouden.",
            ));
        }
        match residents::insert_member(
            &mut tx,
            household_id,
            &person_id,
            relation.key(),
            false,
            &from.to_string(),
        )
        .await
        {
            Err(StoreError::Conflict) => {
                return Err(AppError::conflict(
                    "already_a_member",
                    "Deze persoon was op deze datum al lid van dit huishouden.",
                ))
            }
            other => other?,
        }
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "household.member_added",
            format!("{name} hoort bij het huishouden vanaf {} ({})", from.format("%d-%m-%Y"), relation.label().to_lowercase()),
            serde_json::json!({ "person_id": person_id, "relation": relation.key(), "valid_from": from.to_string() }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(person_id)
    }

    /// End a membership (moved out, deceased) with a date. When the last adult leaves and
    /// children stay, the caller says where the children live now.
    pub async fn end_membership(
        &self,
        actor: &Actor,
        household_id: &str,
        person_id: &str,
        input: &EndMembershipInput,
    ) -> AppResult<()> {
        self.precheck(actor, household_id, Action::Write).await?;
        let mut errors = FieldErrors::new();
        let to = errors.check("valid_to", not_in_future(&input.valid_to));
        let reason = errors.check("reason", MembershipEnd::parse(&input.reason));
        errors.into_result()?;
        let (Some(to), Some(reason)) = (to, reason) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let children_home = input
            .children_household_id
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty() && *h != household_id);
        if let Some(home) = children_home {
            // The children go to a household the caller may add to.
            if let Err(AppError::Forbidden(_) | AppError::NotFound) =
                self.precheck(actor, home, Action::Write).await
            {
                return Err(AppError::invalid_field(
                    "children_household_id",
                    FieldError::NotAllowed,
                ));
            }
        }
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let members = residents::members(&mut tx, household_id).await?;
        let current: Vec<Member> = members
            .iter()
            .filter(|m| m.valid_to.is_none())
            .filter_map(|m| {
                Some(Member {
                    person_id: m.person_id.clone(),
                    birth_date: NaiveDate::parse_from_str(&m.birth_date, "%Y-%m-%d").ok()?,
                })
            })
            .collect();
        let Some(leaving) = members
            .iter()
            .find(|m| m.person_id == person_id && m.valid_to.is_none())
        else {
            return Err(AppError::NotFound);
        };
        if to.to_string() < leaving.valid_from {
            return Err(AppError::invalid_field("valid_to", FieldError::BeforeStart));
        }
        let alone = relation::leaves_children_alone(&current, person_id, to);
        let children: Vec<&Member> = if alone {
            current
                .iter()
                .filter(|m| m.person_id != person_id && relation::is_minor_on(m.birth_date, to))
                .collect()
        } else {
            Vec::new()
        };
        if alone && children_home.is_none() {
            return Err(AppError::invalid_field(
                "children_household_id",
                FieldError::ChildrenNeedHome,
            ));
        }
        store::end_membership(
            &mut tx,
            household_id,
            person_id,
            &to.to_string(),
            reason.key(),
        )
        .await?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "household.member_left",
            format!("{} hoort niet meer bij het huishouden sinds {} ({})", leaving.given_name, to.format("%d-%m-%Y"), reason.label().to_lowercase()),
            serde_json::json!({ "person_id": person_id, "valid_to": to.to_string(), "reason": reason.key() }),
        );
        if let Some(home) = children_home {
            let mut there = Entries::household(&actor.user_id, home);
            for child in &children {
                store::end_membership(
                    &mut tx,
                    household_id,
                    &child.person_id,
                    &to.to_string(),
                    MembershipEnd::MovedOut.key(),
                )
                .await?;
                if !residents::members(&mut tx, home)
                    .await?
                    .iter()
                    .any(|m| m.person_id == child.person_id && m.valid_to.is_none())
                {
                    residents::insert_member(
                        &mut tx,
                        home,
                        &child.person_id,
                        Relation::Child.key(),
                        false,
                        &to.to_string(),
                    )
                    .await?;
                }
                journal.add(
                    "household.member_left",
                    "Een kind woont nu in een ander huishouden".to_owned(),
                    serde_json::json!({ "person_id": child.person_id, "valid_to": to.to_string(), "reason": MembershipEnd::MovedOut.key(), "to_household_id": home }),
                );
                there.add(
                    "household.member_added",
                    "Een kind woont nu ook hier".to_owned(),
                    serde_json::json!({ "person_id": child.person_id, "relation": Relation::Child.key(), "valid_from": to.to_string(), "from_household_id": household_id }),
                );
            }
            there.write(&mut tx, self.journal_key()).await?;
        }
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }

    /// The household moves. Within the municipality it is an address change; to another
    /// municipality of the region the controller changes: the household goes to a front-door
    /// team there, its trajectory waits in that team's queue, and the old team sees the move
    /// (without names) in its list. Outside the region: refused.
    pub async fn move_household(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &MoveInput,
    ) -> AppResult<String> {
        self.precheck(actor, household_id, Action::Write).await?;
        let mut errors = FieldErrors::new();
        let street = errors.check("street", field::required_text(&input.street, 120));
        let house_number = errors.check("house_number", parse_house_number(&input.house_number));
        let postcode = errors.check("postcode", Postcode::parse(&input.postcode));
        let city = errors.check("city", field::required_text(&input.city, 80));
        let moved_on = errors.check("moved_on", not_in_future(&input.moved_on));
        errors.into_result()?;
        let (Some(street), Some(house_number), Some(postcode), Some(city), Some(moved_on)) =
            (street, house_number, postcode, city, moved_on)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let household = residents::household(&mut tx, household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let Some(base) = input.revision else {
            return Err(AppError::Rule {
                code: "revision_required",
                field: "revision",
                message:
                    "Geef de revisie van het huishouden mee waarop deze wijziging is gebaseerd."
                        .into(),
            });
        };
        let area = crate::organisations::area_of(&mut tx, &postcode)
            .await
            .map_err(|_| AppError::invalid_field("postcode", FieldError::OutsideRegion))?;
        let other_municipality = area.municipality_id != household.municipality_id;
        let team_id = if other_municipality {
            // Handing over to another controller is the regisseur's or coordinator's call.
            let (t, _) = self
                .authorize_write(tx, actor, household_id, Action::ChangeStatus)
                .await?;
            tx = t;
            let serving = org::teams_serving(&mut tx, &area.municipality_id).await?;
            match input
                .team_id
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                Some(chosen) if serving.iter().any(|t| t.id == chosen) => chosen.to_owned(),
                Some(_) => return Err(AppError::invalid_field("team_id", FieldError::NotServed)),
                None if serving.len() == 1 => serving[0].id.clone(),
                None => return Err(AppError::invalid_field("team_id", FieldError::Required)),
            }
        } else {
            household.intake_team_id.clone()
        };
        let moved = store::move_household(
            &mut tx,
            &store::NewMove {
                id: &new_id(),
                household_id,
                moved_on: &moved_on.to_string(),
                from_municipality_id: &household.municipality_id,
                to_municipality_id: &area.municipality_id,
                from_team_id: &household.intake_team_id,
                to_team_id: &team_id,
                recorded_at: now_micros(),
                recorded_by: &actor.user_id,
            },
            &store::NewAddress {
                street: &street,
                house_number: &house_number,
                postcode: postcode.as_str(),
                city: &city,
                municipality_id: &area.municipality_id,
                wijk_code: area.wijk_code.as_deref(),
                buurt_code: area.buurt_code.as_deref(),
                intake_team_id: &team_id,
            },
            base,
        )
        .await;
        match moved {
            Err(StoreError::Conflict) => {
                return Err(AppError::conflict(
                    "concurrent_change",
                    "Het huishouden is intussen door iemand anders gewijzigd. Laad het opnieuw.",
                ))
            }
            other => other?,
        }
        let mut journal = Entries::household(&actor.user_id, household_id);
        if other_municipality {
            if let Some(open) = trajectories::open(&mut tx, household_id).await? {
                store::release_team(&mut tx, &open.id).await?;
            }
            let to = org::municipality(&mut tx, &area.municipality_id)
                .await?
                .map(|m| m.name)
                .unwrap_or_default();
            journal.add(
                "household.moved",
                format!("Verhuisd naar {street} {house_number}, {city} ({to}) op {}; de gemeente {to} is nu verantwoordelijk en het team daar neemt het over", moved_on.format("%d-%m-%Y")),
                serde_json::json!({ "moved_on": moved_on.to_string(), "from_municipality_id": household.municipality_id,
                                    "to_municipality_id": area.municipality_id, "from_team_id": household.intake_team_id, "to_team_id": team_id }),
            );
        } else {
            journal.add(
                "household.moved",
                format!("Verhuisd naar {street} {house_number}, {city} op {}", moved_on.format("%d-%m-%Y")),
                serde_json::json!({ "moved_on": moved_on.to_string(), "municipality_id": area.municipality_id }),
            );
        }
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(area.municipality_id)
    }

    /// Households that moved from one of my teams to another municipality in the last 90
    /// days: the fact, not the people.
    pub async fn moved_away(&self, actor: &Actor) -> AppResult<Vec<MovedView>> {
        self.authorize(
            actor,
            &spil_domain::access::Subject::OwnLists,
            Action::Read,
            spil_domain::access::Purpose::Coordination,
            "read_moves",
        )
        .await?;
        let since = today() - chrono::Duration::days(90);
        let mut conn = self.store().reader().await?;
        let rows =
            store::moved_from_teams_of(&mut conn, &actor.user_id, &since.to_string()).await?;
        Ok(rows
            .into_iter()
            .map(|r| MovedView {
                household_id: r.household_id,
                moved_on: r.moved_on,
                to_municipality: r.to_municipality,
                to_team: r.to_team,
            })
            .collect())
    }
}
