//! Contacts with a household and basishulp time ("13–14 hours of support per resident").

use serde::{Deserialize, Serialize};
use spil_domain::access::{decide, Action, Actor, Category, Denial, Purpose, RecordFacts, Subject};
use spil_domain::contact::{parse_minutes, ContactKind};
use spil_domain::field::optional_text;
use spil_domain::person::BirthDate;
use spil_domain::{FieldError, FieldErrors};
use spil_store::contacts::{self, Grouping};
use spil_store::residents;
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::{new_id, now_micros, today, App, AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// huisbezoek, telefonisch, kantoor, online, school, overleg or mdo.
    #[serde(default)]
    pub kind: String,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub date: String,
    /// 0 up to 1440.
    #[serde(default)]
    pub minutes: i64,
    #[serde(default)]
    pub participants: Vec<String>,
    #[serde(default)]
    pub note: String,
    /// Only the regisseur and the author read a sensitive note.
    pub sensitive: Option<bool>,
    /// The members of the household who were present (person ids).
    #[serde(default)]
    pub present: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactView {
    pub id: String,
    pub kind: String,
    pub date: String,
    pub minutes: i64,
    pub participants: Vec<String>,
    /// The members of the household who were present (person ids).
    pub present: Vec<String>,
    /// Null when the note is sensitive and the caller is neither the regisseur nor its author.
    pub note: Option<String>,
    pub sensitive: bool,
    pub author: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MinutesRow {
    /// The team's name, the month (YYYY-MM), the municipality, the household id or the
    /// professional's name.
    pub key: String,
    /// Null when withheld: the cell counts fewer contacts than the policy's threshold.
    pub minutes: Option<i64>,
    pub hours: Option<f64>,
    pub contacts: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BasishulpReport {
    pub from: String,
    pub to: String,
    pub group_by: String,
    pub rows: Vec<MinutesRow>,
    /// The sum of the cells shown (withheld cells are left out, so they cannot be worked out).
    pub total_minutes: i64,
    pub total_hours: f64,
    /// Cells withheld because they count fewer contacts than this.
    pub suppression_threshold: i64,
    pub withheld: i64,
}

/// Hours to one decimal, as councils read them.
fn hours_of(minutes: i64) -> f64 {
    (minutes as f64 / 60.0 * 10.0).round() / 10.0
}

impl App {
    /// Record a contact and its minutes.
    pub async fn add_contact(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &ContactInput,
    ) -> AppResult<String> {
        self.precheck(actor, household_id, Action::Write).await?;
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", ContactKind::parse(&input.kind));
        let date = errors.check(
            "date",
            BirthDate::parse(&input.date, today()).map(|d| d.date()),
        );
        let minutes = errors.check("minutes", parse_minutes(input.minutes));
        if input.participants.len() > 20 {
            errors.add("participants", FieldError::TooLong { max: 20 });
        }
        for (i, p) in input.participants.iter().enumerate() {
            errors.check(format!("participants[{i}]"), optional_text(Some(p), 120));
        }
        let note = errors.check("note", optional_text(Some(&input.note), 4000));
        errors.into_result()?;
        let (Some(kind), Some(date), Some(minutes), Some(note)) = (kind, date, minutes, note)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let sensitive = input.sensitive.unwrap_or(false);
        let participants = serde_json::to_string(&input.participants)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let id = new_id();

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let household = residents::household(&mut tx, household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // Those present are members of this household (the contact is about them).
        let members = residents::members(&mut tx, household_id).await?;
        let mut errors = FieldErrors::new();
        for (i, person) in input.present.iter().enumerate() {
            if !members.iter().any(|m| m.person_id == *person) {
                errors.add(format!("present[{i}]"), FieldError::NotAMember);
            }
        }
        errors.into_result()?;
        // A contact cannot lie before the question that started the trajectory arrived.
        if let Some(started) = spil_store::trajectories::started_at(&mut tx, household_id).await? {
            let first_day = crate::micros_to_datetime(started).date_naive();
            if date < first_day {
                return Err(AppError::invalid_field(
                    "date",
                    FieldError::BeforeTrajectory,
                ));
            }
        }
        contacts::insert(
            &mut tx,
            &contacts::NewContact {
                id: &id,
                household_id,
                team_id: &household.intake_team_id,
                kind: kind.key(),
                date: &date.format("%Y-%m-%d").to_string(),
                minutes,
                participants: &participants,
                note: note.as_deref().unwrap_or_default(),
                sensitive,
                author_id: &actor.user_id,
                created_at: now_micros(),
            },
        )
        .await?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        let mut present: Vec<&str> = input.present.iter().map(String::as_str).collect();
        present.sort_unstable();
        present.dedup();
        contacts::insert_present(&mut tx, &id, &present).await?;
        // The note itself stays out of the journal: a sensitive note must not leak through the timeline.
        journal.add(
            "contact.added",
            format!("Contact: {} op {}, {minutes} minuten", kind.label().to_lowercase(), date.format("%d-%m-%Y")),
            serde_json::json!({ "contact_id": id, "kind": kind.key(), "minutes": minutes, "sensitive": sensitive }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(id)
    }

    /// A household's contacts, newest first; sensitive notes only for the regisseur and the author.
    pub async fn contacts(&self, actor: &Actor, household_id: &str) -> AppResult<Vec<ContactView>> {
        let mut conn = self.store().reader().await?;
        let facts = self.household_facts(&mut conn, actor, household_id).await?;
        let pass = match crate::gate::judge(actor, &facts, Action::Read, Purpose::Care) {
            Ok(pass) => pass,
            Err(denial) => {
                drop(conn);
                return Err(self.refuse(actor, household_id, Action::Read, denial).await);
            }
        };
        let rows = contacts::for_household(&mut conn, household_id).await?;
        let present = contacts::present_in(&mut conn, household_id).await?;
        drop(conn);
        self.admit(actor, household_id, &pass, "read_contacts")
            .await?;
        // A sensitive note has a rule of its own: its author and the regisseur.
        let may_read = |author_id: &str| {
            decide(
                actor,
                &Subject::Record(&RecordFacts {
                    household: facts.clone(),
                    category: Category::SensitiveNote,
                    actor_is_author: author_id == actor.user_id,
                }),
                Action::Read,
                Purpose::Care,
            )
            .is_allowed()
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let sensitive = r.sensitive == 1;
                let may_read_note = !sensitive || may_read(&r.author_id);
                ContactView {
                    present: present
                        .iter()
                        .filter(|(c, _)| *c == r.id)
                        .map(|(_, p)| p.clone())
                        .collect(),
                    id: r.id,
                    kind: r.kind,
                    date: r.contact_date,
                    minutes: r.minutes,
                    participants: serde_json::from_str(&r.participants).unwrap_or_default(),
                    note: may_read_note.then_some(r.note),
                    sensitive,
                    author: r.author,
                }
            })
            .collect())
    }

    /// Basishulp minutes in a period per team, per month, or (for a coordinator, own team only)
    /// per household.
    pub async fn basishulp_report(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
        group_by: &str,
    ) -> AppResult<BasishulpReport> {
        let mut errors = FieldErrors::new();
        let (from_date, to_date) = crate::period(&mut errors, from, to);
        let grouping = match group_by {
            "" | "team" => Some(Grouping::Team),
            "month" => Some(Grouping::Month),
            "household" => Some(Grouping::Household),
            "professional" => Some(Grouping::Professional),
            "municipality" => Some(Grouping::Municipality),
            _ => {
                errors.add(
                    "group_by",
                    FieldError::Unknown {
                        allowed: "team month municipality household professional",
                    },
                );
                None
            }
        };
        if let (Some(from), Some(to)) = (from_date, to_date) {
            if from > to {
                errors.add("to", FieldError::BeforeStart);
            }
        }
        errors.into_result()?;
        let (Some(from_date), Some(to_date), Some(grouping)) = (from_date, to_date, grouping)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let Some(municipality_id) = actor.municipality_id.as_deref() else {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        };
        // Per household or per professional is about identifiable people: the gate lets only
        // a coordinator count so, and only for their own team.
        let counted_by = match grouping {
            Grouping::Team => spil_domain::access::Grouping::Team,
            Grouping::Month => spil_domain::access::Grouping::Month,
            Grouping::Municipality => spil_domain::access::Grouping::Municipality,
            Grouping::Household => spil_domain::access::Grouping::Household,
            Grouping::Professional => spil_domain::access::Grouping::Professional,
        };
        self.authorize(
            actor,
            &Subject::Aggregate(counted_by),
            Action::Read,
            Purpose::Policy,
            "report_basishulp",
        )
        .await?;
        let only_team = if counted_by.identifies_people() {
            Some(
                actor
                    .team_id
                    .as_deref()
                    .ok_or(AppError::Forbidden(Denial::NotOnTeam))?,
            )
        } else {
            None
        };
        let mut conn = self.store().reader().await?;
        let rows = contacts::minutes_by(
            &mut conn,
            grouping,
            &from_date.to_string(),
            &to_date.to_string(),
            only_team,
            municipality_id,
            &actor.user_id,
        )
        .await?;
        // Per household and per professional stay within the coordinator's own team; every
        // other grouping leaves the team and withholds small cells.
        let threshold = self.policy_for(municipality_id).small_cell_threshold;
        let leaves_team = !matches!(grouping, Grouping::Household | Grouping::Professional);
        let rows: Vec<MinutesRow> = rows
            .into_iter()
            .map(|(key, minutes, contacts)| {
                let cases = if leaves_team {
                    spil_domain::disclosure::shown(contacts, threshold)
                } else {
                    Some(contacts)
                };
                MinutesRow {
                    key,
                    minutes: cases.map(|_| minutes),
                    hours: cases.map(|_| hours_of(minutes)),
                    contacts: cases,
                }
            })
            .collect();
        let total_minutes = rows.iter().filter_map(|r| r.minutes).sum();
        let withheld = rows.iter().filter(|r| r.contacts.is_none()).count() as i64;
        Ok(BasishulpReport {
            from: from_date.to_string(),
            to: to_date.to_string(),
            group_by: match grouping {
                Grouping::Team => "team",
                Grouping::Month => "month",
                Grouping::Household => "household",
                Grouping::Professional => "professional",
                Grouping::Municipality => "municipality",
            }
            .to_owned(),
            rows,
            total_minutes,
            total_hours: hours_of(total_minutes),
            suppression_threshold: threshold,
            withheld,
        })
    }
}
