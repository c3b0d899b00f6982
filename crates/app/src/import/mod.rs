//! Bulk import from a municipality's previous system: CSV files of households, persons,
//! relations, open trajectories (regisseur and team) and contacts of the past year. Every row goes through the
//! same use cases as the pages and the API (so the same rules, the gate, the journal), acting
//! as one named account; a refused row is reported with its file, line and reason and the good
//! rows are imported. Each household is written whole or not at all, and what was imported is
//! remembered by its id in the old system, so a second run of the same files changes nothing.
//! Column formats: docs/import.md.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate};
use spil_domain::access::Actor;
use spil_domain::trajectory::TrajectoryStatus;
use spil_store::{imports, org};

use crate::contacts::ContactInput;
use crate::views::{
    AddressInput, MemberInput, NewHouseholdInput, RegistrationInput, StatusInput, TeamInput,
    TeamMemberInput,
};
use crate::{now_micros, today, App, AppError, AppResult};

mod relations;
mod rows;

use relations::RELATION_COLUMNS;
use rows::{iso_date, reason, rows, Row};

/// The CSV texts of one import; relations, trajectories and contacts may be left out.
#[derive(Debug, Clone, Default)]
pub struct ImportFiles {
    pub households: String,
    pub persons: String,
    pub relations: Option<String>,
    pub trajectories: Option<String>,
    pub contacts: Option<String>,
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub file: &'static str,
    /// 1 is the header.
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub households: usize,
    pub relations: usize,
    pub trajectories: usize,
    pub contacts: usize,
    /// Rows imported by an earlier run, left as they are.
    pub already_imported: usize,
    pub refused: Vec<Refused>,
}

impl ImportReport {
    /// Count a row's outcome: 1 when it was imported now, else 0 (imported before, or refused
    /// and reported with its file and line).
    fn tally(&mut self, file: &'static str, line: u64, outcome: Result<bool, String>) -> usize {
        match outcome {
            Ok(true) => 1,
            Ok(false) => {
                self.already_imported += 1;
                0
            }
            Err(reason) => {
                self.refused.push(Refused { file, line, reason });
                0
            }
        }
    }
}

const HOUSEHOLD_COLUMNS: &[&str] = &[
    "household_id",
    "street",
    "house_number",
    "postcode",
    "city",
    "question",
    "urgency",
    "received_on",
];
const PERSON_COLUMNS: &[&str] = &[
    "household_id",
    "person_id",
    "given_name",
    "name_prefix",
    "family_name",
    "birth_date",
    "bsn",
    "relation",
    "parental_authority",
];
const TRAJECTORY_COLUMNS: &[&str] = &["household_id", "phase", "regisseur", "team"];
const CONTACT_COLUMNS: &[&str] = &[
    "contact_id",
    "household_id",
    "date",
    "kind",
    "minutes",
    "note",
];

fn registration_column(path: &str) -> String {
    let field = path.rsplit('.').next().unwrap_or(path);
    match field {
        "received_at" => "received_on".into(),
        "house_number" | "street" | "postcode" | "city" | "question" | "urgency" => field.into(),
        other => other.to_owned(),
    }
}

impl App {
    /// Import the files, acting as `username` (a coordinator or professional of the team the
    /// households belong to). `progress(done, total)` is called after every row.
    pub async fn import(
        &self,
        username: &str,
        files: &ImportFiles,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> AppResult<ImportReport> {
        let actor = self.importer(username).await?;
        let mut report = ImportReport::default();
        let households = rows("households.csv", &files.households, HOUSEHOLD_COLUMNS);
        let persons = rows("persons.csv", &files.persons, PERSON_COLUMNS);
        let relations = files
            .relations
            .as_deref()
            .map(|t| rows("relations.csv", t, RELATION_COLUMNS))
            .transpose();
        let trajectories = files
            .trajectories
            .as_deref()
            .map(|t| rows("trajectories.csv", t, TRAJECTORY_COLUMNS))
            .transpose();
        let contacts = files
            .contacts
            .as_deref()
            .map(|t| rows("contacts.csv", t, CONTACT_COLUMNS))
            .transpose();
        let (households, persons, relations, trajectories, contacts) =
            match (households, persons, relations, trajectories, contacts) {
                (Ok(h), Ok(p), Ok(r), Ok(t), Ok(c)) => (
                    h,
                    p,
                    r.unwrap_or_default(),
                    t.unwrap_or_default(),
                    c.unwrap_or_default(),
                ),
                (h, p, r, t, c) => {
                    // A wrong header refuses its file; nothing is imported from a set that
                    // does not read as one.
                    report.refused.extend(
                        [h.err(), p.err(), r.err(), t.err(), c.err()]
                            .into_iter()
                            .flatten(),
                    );
                    return Ok(report);
                }
            };
        let total =
            (households.len() + relations.len() + trajectories.len() + contacts.len()) as u64;
        let mut done = 0;
        let mut tick = || {
            done += 1;
            progress(done, total);
        };

        // Persons per household, each once.
        let mut members: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
        let mut seen_persons = HashSet::new();
        let known: HashSet<&str> = households.iter().map(|h| h.get("household_id")).collect();
        for p in &persons {
            let refuse = |reason: &str| Refused {
                file: "persons.csv",
                line: p.line,
                reason: reason.to_owned(),
            };
            if p.get("person_id").is_empty() {
                report.refused.push(refuse("person_id: required"));
            } else if !seen_persons.insert(p.get("person_id").to_owned()) {
                report
                    .refused
                    .push(refuse("duplicate row: this person_id came before"));
            } else if !known.contains(p.get("household_id")) {
                report
                    .refused
                    .push(refuse("household_id: not in households.csv"));
            } else {
                members
                    .entry(p.get("household_id").to_owned())
                    .or_default()
                    .push(p);
            }
        }

        let mut seen_households = HashSet::new();
        for h in &households {
            let source = h.get("household_id").to_owned();
            let outcome = if source.is_empty() {
                Err("household_id: required".to_owned())
            } else if !seen_households.insert(source.clone()) {
                Err("duplicate row: this household_id came before".to_owned())
            } else {
                let rows = members.get(&source).map(Vec::as_slice).unwrap_or_default();
                self.import_household(&actor, h, rows).await
            };
            let counted = report.tally("households.csv", h.line, outcome);
            report.households += counted;
            tick();
        }
        let mut seen_relations = HashSet::new();
        for r in &relations {
            let outcome = if !r.get("relation_id").is_empty()
                && !seen_relations.insert(r.get("relation_id").to_owned())
            {
                Err("duplicate row: this relation_id came before".to_owned())
            } else {
                self.import_relation(&actor, r).await
            };
            let counted = report.tally("relations.csv", r.line, outcome);
            report.relations += counted;
            tick();
        }
        for t in &trajectories {
            let counted = report.tally(
                "trajectories.csv",
                t.line,
                self.import_trajectory(&actor, t).await,
            );
            report.trajectories += counted;
            tick();
        }
        for c in &contacts {
            let counted =
                report.tally("contacts.csv", c.line, self.import_contact(&actor, c).await);
            report.contacts += counted;
            tick();
        }
        report
            .refused
            .sort_by(|a, b| (a.file, a.line).cmp(&(b.file, b.line)));
        Ok(report)
    }

    async fn importer(&self, username: &str) -> AppResult<Actor> {
        let mut conn = self.store().reader().await?;
        let user = org::user_by_username(&mut conn, username)
            .await?
            .filter(|u| u.active == 1)
            .ok_or(AppError::NotFound)?;
        crate::auth::actor_of(&mut conn, &user).await
    }

    /// Spil's id for what the old system called `source`, if an earlier run imported it. The
    /// error is the row's refusal reason, as every row importer reports it.
    async fn imported(&self, kind: &str, source: &str) -> Result<Option<String>, String> {
        let found = async {
            let mut conn = self.store().reader().await?;
            AppResult::Ok(imports::imported(&mut conn, kind, source).await?)
        };
        found.await.map_err(|e| e.to_string())
    }

    async fn remember(&self, kind: &str, source: &str, id: &str) -> Result<(), String> {
        let stored = async {
            let mut tx = self.store().begin().await?;
            imports::remember(&mut tx, kind, source, id, now_micros()).await?;
            AppResult::Ok(spil_store::commit(tx).await?)
        };
        stored.await.map_err(|e| e.to_string())
    }

    /// A household and its members as one registration (route `other`): all or nothing.
    /// `Ok(false)`: imported before.
    async fn import_household(
        &self,
        actor: &Actor,
        h: &Row,
        persons: &[&Row],
    ) -> Result<bool, String> {
        let source = h.get("household_id");
        if self.imported("household", source).await?.is_some() {
            return Ok(false);
        }
        if persons.is_empty() {
            return Err("no persons in persons.csv for this household".into());
        }
        let input = RegistrationInput {
            route: "other".into(),
            referrer: None,
            question: h.get("question").to_owned(),
            urgency: h.optional("urgency"),
            received_at: h.optional("received_on").map(|d| iso_date(&d)),
            feedback_consent: None,
            household_id: None,
            household: Some(NewHouseholdInput {
                address: AddressInput {
                    street: h.get("street").to_owned(),
                    house_number: h.get("house_number").to_owned(),
                    postcode: h.get("postcode").to_owned(),
                    city: h.get("city").to_owned(),
                    buurt_code: None,
                },
                members: persons
                    .iter()
                    .map(|p| MemberInput {
                        given_name: p.get("given_name").to_owned(),
                        name_prefix: p.optional("name_prefix"),
                        family_name: p.get("family_name").to_owned(),
                        birth_date: iso_date(p.get("birth_date")),
                        bsn: p.optional("bsn"),
                        relation: p.get("relation").to_owned(),
                        parental_authority: match p.get("parental_authority") {
                            "ja" | "yes" | "true" | "1" => Some(true),
                            "nee" | "no" | "false" | "0" => Some(false),
                            _ => None,
                        },
                        ..MemberInput::default()
                    })
                    .collect(),
            }),
        };
        let column_of = |path: &str| match path
            .trim_start_matches("household.")
            .strip_prefix("members[")
            .and_then(|r| r.split_once(']'))
        {
            Some((i, field)) => {
                let line = i
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| persons.get(i))
                    .map_or(0, |p| p.line);
                format!("persons.csv line {line} {}", field.trim_start_matches('.'))
            }
            None => registration_column(path),
        };
        let created = self
            .register(actor, &input)
            .await
            .map_err(|e| reason(&e, &column_of))?;
        self.remember("household", source, &created.household_id)
            .await?;
        // The members by their old ids, for relations.csv.
        for (p, id) in persons.iter().zip(&created.person_ids) {
            self.remember("person", p.get("person_id"), id).await?;
        }
        Ok(true)
    }

    /// The regisseur, team and phase of an imported household's open trajectory.
    async fn import_trajectory(&self, actor: &Actor, t: &Row) -> Result<bool, String> {
        let source = t.get("household_id");
        let Some(household_id) = self.imported("household", source).await? else {
            return Err("household_id: not imported (see households.csv)".into());
        };
        if self.imported("trajectory", source).await?.is_some() {
            return Ok(false);
        }
        let phase = TrajectoryStatus::parse(t.get("phase"))
            .map_err(|e| format!("phase: {} ({e})", e.code()))?;
        if phase == TrajectoryStatus::Closed {
            return Err("phase: only open trajectories are imported".into());
        }
        let mut members = Vec::new();
        for part in t
            .get("team")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (username, role) = part.split_once(':').unwrap_or((part, "member"));
            members.push(TeamMemberInput {
                username: username.trim().to_owned(),
                role: role.trim().to_owned(),
            });
        }
        let household = self
            .household(actor, &household_id)
            .await
            .map_err(|e| e.to_string())?;
        let revision = household.trajectory.as_ref().map(|tr| tr.team_revision);
        let team = TeamInput {
            regisseur: t.get("regisseur").to_owned(),
            members,
            revision,
        };
        let column_of = |path: &str| {
            if path.starts_with("members") {
                format!("team ({path})")
            } else {
                path.to_owned()
            }
        };
        self.set_team(actor, &household_id, &team)
            .await
            .map_err(|e| reason(&e, &column_of))?;
        // Walk the phases up to the one of the old system.
        let mut current = TrajectoryStatus::Registered;
        for next in TrajectoryStatus::ALL.iter().copied() {
            if current == phase {
                break;
            }
            if next != current && current.can_move_to(next) && next <= phase {
                self.set_status(
                    actor,
                    &household_id,
                    &StatusInput {
                        status: next.key().to_owned(),
                        close_reason: None,
                    },
                )
                .await
                .map_err(|e| format!("phase: {e}"))?;
                current = next;
            }
        }
        self.remember("trajectory", source, &household_id).await?;
        Ok(true)
    }

    /// A contact of the past year with an imported household.
    async fn import_contact(&self, actor: &Actor, c: &Row) -> Result<bool, String> {
        let source = c.get("contact_id");
        if source.is_empty() {
            return Err("contact_id: required".into());
        }
        if self.imported("contact", source).await?.is_some() {
            return Ok(false);
        }
        let Some(household_id) = self.imported("household", c.get("household_id")).await? else {
            return Err("household_id: not imported (see households.csv)".into());
        };
        let date = iso_date(c.get("date"));
        if NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .is_ok_and(|d| d < today() - Duration::days(366))
        {
            return Err(
                "date: older than a year (only the past year's contacts are imported)".into(),
            );
        }
        let minutes = c
            .get("minutes")
            .parse::<i64>()
            .map_err(|_| "minutes: not a whole number".to_owned())?;
        let input = ContactInput {
            kind: c.get("kind").to_owned(),
            date,
            minutes,
            participants: Vec::new(),
            note: c.get("note").to_owned(),
            sensitive: None,
            present: Vec::new(),
        };
        let added = self
            .add_contact(actor, &household_id, &input)
            .await
            .map_err(|e| reason(&e, &|p: &str| p.to_owned()))?;
        self.remember("contact", source, &added).await?;
        Ok(true)
    }
}
