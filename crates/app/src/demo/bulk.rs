//! The demo's synthetic households, written in bulk: a thousand households per transaction in
//! multi-row inserts, so a million load in minutes instead of hours. They are what the front
//! door and the team's choices would have written — household, members, gezag per parent and
//! child, trajectory (open or closed in the past), team, registration, search terms and each
//! household's hash-chained journal — with the values checked by the same domain types. The
//! example household and the accounts still go through the use cases.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use spil_domain::household::Postcode;
use spil_domain::person::Bsn;
use spil_domain::registration::{Route, Urgency};
use spil_domain::trajectory::{CloseReason, TrajectoryStatus};
use spil_store::bulk::insert;
use spil_store::journal::NewEntry;

use super::names::{CLOSE_REASONS, FAMILY, GIVEN, QUESTIONS, ROUTES, STREETS, URGENCIES};
use crate::organisations::Area;
use crate::{new_id, App, AppError, AppResult};

mod rows;
use rows::{Rows, Texts};

/// Households per transaction.
pub(super) const BATCH: usize = 1_000;

const DAY: i64 = 86_400_000_000;

/// A team the synthetic households are spread over, with its professionals.
pub(super) struct BulkTeam {
    pub id: String,
    pub city: &'static str,
    pub pc4: &'static [u32],
    /// (user id, username, display name) of each professional.
    pub professionals: Vec<(String, String, String)>,
}

struct Person {
    id: String,
    given_name: &'static str,
    family_name: &'static str,
    birth_date: chrono::NaiveDate,
    bsn: String,
    relation: &'static str,
    gezag: bool,
}

struct Household {
    id: String,
    team: usize,
    registered_by: usize,
    street: &'static str,
    house_number: String,
    postcode: Postcode,
    area: Area,
    persons: Vec<Person>,
    trajectory_id: String,
    registration_id: String,
    route: Route,
    question: &'static str,
    urgency: Urgency,
    received_at: i64,
    /// The statuses it went through after `registered`, the last one current.
    path: Vec<TrajectoryStatus>,
    close: Option<(i64, CloseReason)>,
    regisseur: bool,
}

impl App {
    /// Synthetic households `from..to` (their number decides their team and their random
    /// draw, so a second run continues where the first stopped).
    pub(super) async fn seed_bulk(
        &self,
        teams: &[BulkTeam],
        from: usize,
        to: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> AppResult<()> {
        let mut areas: HashMap<String, Area> = HashMap::new();
        let mut start = from;
        while start < to {
            let end = (start + BATCH).min(to);
            let mut rng = StdRng::seed_from_u64(0x5e11 ^ start as u64);
            let now = crate::now_micros();
            let mut batch = Vec::with_capacity(end - start);
            for i in start..end {
                batch.push(self.draw(teams, i, now, &mut rng, &mut areas).await?);
            }
            self.write_batch(teams, &batch).await?;
            start = end;
            progress(end as u64);
        }
        Ok(())
    }

    async fn draw(
        &self,
        teams: &[BulkTeam],
        i: usize,
        now: i64,
        rng: &mut StdRng,
        areas: &mut HashMap<String, Area>,
    ) -> AppResult<Household> {
        let team_index = i % teams.len();
        let team = &teams[team_index];
        let postcode = Postcode::parse(&format!(
            "{} {}{}",
            team.pc4[rng.gen_range(0..team.pc4.len())],
            (b'A' + rng.gen_range(0..17)) as char,
            (b'A' + rng.gen_range(0..26)) as char
        ))
        .map_err(|e| AppError::Internal(format!("demo postcode: {e:?}")))?;
        let area = match areas.get(postcode.as_str()) {
            Some(area) => area.clone(),
            None => {
                let mut conn = self.store().reader().await?;
                let area = crate::organisations::area_of(&mut conn, &postcode).await?;
                areas.insert(postcode.as_str().to_owned(), area.clone());
                area
            }
        };
        // Three in four households came to the front door in earlier years and were closed;
        // of the open ones a few wait for a regisseur.
        let roll: f64 = rng.gen();
        let (received_at, path, close, regisseur) = if roll < 0.75 {
            let opened = now - rng.gen_range(60..2_000) * DAY;
            let closed = (opened + rng.gen_range(30..365) * DAY).min(now - DAY);
            let reason = CLOSE_REASONS[rng.gen_range(0..CLOSE_REASONS.len())];
            let steps = rng.gen_range(1..=4);
            let mut path = open_path(steps);
            path.push(TrajectoryStatus::Closed);
            (opened, path, Some((closed, reason)), true)
        } else if roll < 0.78 {
            (now - rng.gen_range(0..30) * DAY, Vec::new(), None, false)
        } else {
            let steps = rng.gen_range(0..=4);
            (
                now - rng.gen_range(1..540) * DAY,
                open_path(steps),
                None,
                true,
            )
        };
        let on = chrono::DateTime::from_timestamp_micros(received_at)
            .unwrap_or_default()
            .date_naive();
        let family = FAMILY[rng.gen_range(0..FAMILY.len())];
        let adults = rng.gen_range(1..=2);
        let children = rng.gen_range(0..=3);
        let mut persons = Vec::new();
        for a in 0..adults + children {
            let child = a >= adults;
            let (min, max) = if child { (0, 18) } else { (19, 90) };
            let birth_date = on - chrono::Duration::days(rng.gen_range(min * 365..max * 365));
            let bsn = super::random_bsn(rng);
            Bsn::parse(&bsn).map_err(|e| AppError::Internal(format!("demo BSN: {e:?}")))?;
            persons.push(Person {
                id: new_id(),
                given_name: GIVEN[rng.gen_range(0..GIVEN.len())],
                family_name: family,
                birth_date,
                bsn,
                relation: match (child, children > 0) {
                    (true, _) => "child",
                    (false, true) => "parent",
                    (false, false) => "partner",
                },
                gezag: !child && children > 0,
            });
        }
        let route = ROUTES[rng.gen_range(0..ROUTES.len())];
        let urgency = URGENCIES[rng.gen_range(0..URGENCIES.len())];
        Ok(Household {
            id: new_id(),
            team: team_index,
            registered_by: rng.gen_range(0..team.professionals.len().max(1)),
            street: STREETS[rng.gen_range(0..STREETS.len())],
            house_number: rng.gen_range(1..200).to_string(),
            postcode,
            area,
            persons,
            trajectory_id: new_id(),
            registration_id: new_id(),
            route,
            question: QUESTIONS[rng.gen_range(0..QUESTIONS.len())],
            urgency,
            received_at,
            path,
            close,
            regisseur,
        })
    }

    async fn write_batch(&self, teams: &[BulkTeam], batch: &[Household]) -> AppResult<()> {
        let texts = Texts::of(teams, batch);
        let rows = Rows::of(teams, batch, &texts);
        let mut tx = self.store().begin().await?;
        insert(
            &mut tx,
            "households",
            &[
                "id",
                "municipality_id",
                "intake_team_id",
                "street",
                "house_number",
                "postcode",
                "city",
                "buurt_code",
                "created_at",
                "wijk_code",
            ],
            &rows.households,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "persons",
            &[
                "id",
                "given_name",
                "family_name",
                "family_name_key",
                "birth_date",
                "bsn",
                "created_at",
                "gender",
                "interpreter",
            ],
            &rows.persons,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "household_members",
            &[
                "household_id",
                "person_id",
                "relation",
                "parental_authority",
                "valid_from",
            ],
            &rows.members,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "person_relations",
            &[
                "id",
                "person_id",
                "kind",
                "to_person_id",
                "gezag",
                "valid_from",
                "created_at",
                "created_by",
            ],
            &rows.relations,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "trajectories",
            &[
                "id",
                "household_id",
                "status",
                "regisseur_id",
                "opened_at",
                "closed_at",
                "close_reason",
                "team_revision",
            ],
            &rows.trajectories,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "trajectory_team",
            &["trajectory_id", "user_id", "role"],
            &rows.team,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "registrations",
            &[
                "id",
                "household_id",
                "trajectory_id",
                "route",
                "referrer_organisation",
                "question",
                "urgency",
                "received_at",
                "registered_by",
                "created_at",
                "feedback_consent",
            ],
            &rows.registrations,
            false,
        )
        .await?;
        insert(
            &mut tx,
            "household_terms",
            &["term", "household_id"],
            &rows.household_terms,
            true,
        )
        .await?;
        insert(
            &mut tx,
            "person_terms",
            &["term", "person_id"],
            &rows.person_terms,
            true,
        )
        .await?;
        let streams: Vec<(&str, Vec<NewEntry<'_>>)> = batch
            .iter()
            .zip(&texts.journal)
            .map(|(h, entries)| {
                let actor = Some(teams[h.team].professionals[h.registered_by].0.as_str());
                (
                    h.id.as_str(),
                    entries
                        .iter()
                        .map(|(at, kind, summary, payload)| NewEntry {
                            at: *at,
                            actor_id: actor,
                            household_id: Some(h.id.as_str()),
                            kind,
                            summary,
                            payload,
                        })
                        .collect(),
                )
            })
            .collect();
        spil_store::journal::start_streams(&mut tx, self.journal_key(), &streams).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }
}

/// The open statuses a taken-up trajectory passed, `steps` of them after registration.
fn open_path(steps: usize) -> Vec<TrajectoryStatus> {
    use TrajectoryStatus::*;
    [Exploring, Plan, Support, Waakvlam]
        .into_iter()
        .take(steps)
        .collect()
}
