//! The broad intake (one conversation for all domains), life-domain assessments, and triage on
//! the region's bandwidth rules — the professional decides, deviations are kept.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spil_domain::access::{Action, Actor, Denial};
use spil_domain::field::{optional_text, required_text};
use spil_domain::person::BirthDate;
use spil_domain::rules::{Facts, SAFETY_LEVELS, URGENCIES};
use spil_domain::triage::{propose, Reason, Unknown};
use spil_domain::{FieldError, FieldErrors};
use spil_store::{intake as store, residents, trajectories};
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::{micros_to_datetime, new_id, now_micros, today, App, AppError, AppResult};

// ---------- input and output ----------

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YesNoWhy {
    /// Yes or no; absent or null while the question was not answered (never stored as "no").
    #[serde(default)]
    pub applies: Option<bool>,
    #[serde(default)]
    pub why: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakePerson {
    #[serde(default)]
    pub person_id: String,
    /// The question in the person's own words.
    #[serde(default)]
    pub question: String,
    /// The result the person wants.
    #[serde(default)]
    pub desired_result: String,
    /// Does it fit normalising (everyday problem, fits the development phase, temporary)?
    #[serde(default)]
    pub normalising: YesNoWhy,
    /// Is "vertragen en verdragen" appropriate?
    #[serde(default)]
    pub slow_down_and_bear: YesNoWhy,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkPerson {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub can_help_with: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// What caused the problems.
    #[serde(default)]
    pub causes: String,
    /// What keeps them going.
    #[serde(default)]
    pub maintaining: String,
    /// How they connect.
    #[serde(default)]
    pub connections: String,
}

/// The broad intake of a household: per person and for the household.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeInput {
    #[serde(default)]
    pub persons: Vec<IntakePerson>,
    #[serde(default)]
    pub network: Vec<NetworkPerson>,
    #[serde(default)]
    pub analysis: Analysis,
    /// geen_zorgen, zorgen, onveilig or acuut_onveilig; empty while safety was not assessed.
    #[serde(default)]
    pub safety_level: String,
    /// The revision this change started from (required once an intake exists); an older one
    /// gets 409 `concurrent_change`. Not part of the stored content.
    #[serde(default, skip_serializing)]
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IntakeView {
    #[serde(flatten)]
    pub intake: IntakeInput,
    /// Send it back with the next `PUT …/intake`.
    pub revision: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Deepening modules of the policy whose condition holds for this household now.
    pub modules: Vec<ModuleView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModuleView {
    pub key: String,
    pub name: String,
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    #[serde(default)]
    pub person_id: String,
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub date: String,
    /// Per domain key a score from 1 (acuut probleem) to 5 (volledig zelfredzaam).
    #[serde(default)]
    pub scores: BTreeMap<String, i64>,
    pub strengths: Option<String>,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentView {
    pub id: String,
    pub person_id: String,
    pub date: String,
    pub scores: BTreeMap<String, i64>,
    pub strengths: Option<String>,
    pub notes: BTreeMap<String, String>,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonView {
    pub rule: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriageView {
    pub id: String,
    pub policy_version: String,
    pub level: String,
    pub route: String,
    pub reasons: Vec<ReasonView>,
    /// Facts nobody had recorded when this was proposed: `scores`, `safety`.
    pub unknown: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageDecisionInput {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub route: String,
    /// Required when the decision differs from the proposal.
    pub deviation_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriageDecisionView {
    pub triage_id: String,
    pub level: String,
    pub route: String,
    pub deviated: bool,
}

/// Per rule or per team: how often the professional confirmed the proposal and how often
/// they deviated. Counts below the suppression threshold are withheld (null).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviationCount {
    pub key: String,
    pub decisions: Option<i64>,
    pub deviations: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeviationReport {
    pub from: String,
    pub to: String,
    pub suppression_threshold: i64,
    pub per_rule: Vec<DeviationCount>,
    /// The teams of the asker's own municipality.
    pub per_team: Vec<DeviationCount>,
    /// The region's municipalities, for comparison (never its teams).
    pub per_municipality: Vec<DeviationCount>,
}

fn safety_index(key: &str) -> Result<i64, FieldError> {
    SAFETY_LEVELS
        .iter()
        .position(|l| *l == key)
        .map(|i| i as i64)
        .ok_or(if key.is_empty() {
            FieldError::Required
        } else {
            FieldError::Unknown {
                allowed: "geen_zorgen zorgen onveilig acuut_onveilig",
            }
        })
}

fn parse_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    BirthDate::parse(raw, today).map(|d| d.date())
}

impl App {
    /// The household's members (for checks), after authorising `action`.
    async fn household_persons(
        &self,
        actor: &Actor,
        household_id: &str,
        action: Action,
    ) -> AppResult<(Vec<residents::MemberRow>, String, String, crate::gate::Pass)> {
        let mut conn = self.store().reader().await?;
        let pass = match self
            .decide_on(&mut conn, actor, household_id, action)
            .await?
        {
            Ok(pass) => pass,
            Err(denial) => {
                drop(conn);
                return Err(self.refuse(actor, household_id, action, denial).await);
            }
        };
        let members = residents::members(&mut conn, household_id).await?;
        let trajectory = trajectories::open(&mut conn, household_id)
            .await?
            .ok_or_else(crate::households::no_open_trajectory)?;
        let municipality = residents::household(&mut conn, household_id)
            .await?
            .ok_or(AppError::NotFound)?
            .municipality_id;
        Ok((members, trajectory.id, municipality, pass))
    }

    /// Save the broad intake of the open trajectory (replacing the previous version; the
    /// journal keeps every version).
    pub async fn save_intake(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &IntakeInput,
    ) -> AppResult<()> {
        let (members, trajectory_id, _, _) = self
            .household_persons(actor, household_id, Action::Write)
            .await?;
        let mut errors = FieldErrors::new();
        let mut seen = std::collections::HashSet::new();
        for (i, p) in input.persons.iter().enumerate() {
            if !members.iter().any(|m| m.person_id == p.person_id) {
                errors.add(
                    format!("persons[{i}].person_id"),
                    FieldError::Unknown {
                        allowed: "a member of this household",
                    },
                );
            } else if !seen.insert(p.person_id.clone()) {
                errors.add(format!("persons[{i}].person_id"), FieldError::NotAllowed);
            }
            errors.check(
                format!("persons[{i}].question"),
                optional_text(Some(&p.question), 4000),
            );
            errors.check(
                format!("persons[{i}].desired_result"),
                optional_text(Some(&p.desired_result), 4000),
            );
            errors.check(
                format!("persons[{i}].normalising.why"),
                optional_text(Some(&p.normalising.why), 2000),
            );
            errors.check(
                format!("persons[{i}].slow_down_and_bear.why"),
                optional_text(Some(&p.slow_down_and_bear.why), 2000),
            );
        }
        for (i, n) in input.network.iter().enumerate() {
            errors.check(format!("network[{i}].name"), required_text(&n.name, 120));
            errors.check(
                format!("network[{i}].relation"),
                optional_text(Some(&n.relation), 120),
            );
            errors.check(
                format!("network[{i}].can_help_with"),
                optional_text(Some(&n.can_help_with), 500),
            );
        }
        for (field, text) in [
            ("causes", &input.analysis.causes),
            ("maintaining", &input.analysis.maintaining),
            ("connections", &input.analysis.connections),
        ] {
            errors.check(format!("analysis.{field}"), optional_text(Some(text), 4000));
        }
        let safety = if input.safety_level.is_empty() {
            None
        } else {
            errors.check("safety_level", safety_index(&input.safety_level))
        };
        errors.into_result()?;
        let content =
            serde_json::to_string(input).map_err(|e| AppError::Internal(e.to_string()))?;

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let current = store::intake(&mut tx, &trajectory_id).await?;
        let base = match (&current, input.revision) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(AppError::Rule {
                    code: "revision_required",
                    field: "revision",
                    message: "Geef de revisie mee waarop deze wijziging is gebaseerd.".into(),
                })
            }
            (Some(row), Some(base)) if base != row.revision => {
                return Err(AppError::conflict(
                    "concurrent_change",
                    "De uitvraag is intussen door iemand anders gewijzigd. Laad de pagina opnieuw en breng uw wijziging opnieuw aan.",
                ))
            }
            (Some(_), Some(base)) => Some(base),
        };
        // Saving what is stored already (the page saves the conversation with every button)
        // writes nothing: no new revision, no journal entry.
        if current.as_ref().is_some_and(|row| row.content == content) {
            return Ok(());
        }
        let saved = store::save_intake(
            &mut tx,
            base,
            &store::IntakeRecord {
                trajectory_id: &trajectory_id,
                household_id,
                content: &content,
                safety_level: &input.safety_level,
                network_size: input.network.len() as i64,
                updated_at: now_micros(),
                updated_by: &actor.user_id,
            },
        )
        .await;
        if let Err(spil_store::StoreError::Conflict) = saved {
            return Err(AppError::conflict(
                "concurrent_change",
                "De uitvraag is zojuist door iemand anders gewijzigd. Laad de pagina opnieuw.",
            ));
        }
        saved?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "intake.saved",
            format!(
                "Brede uitvraag vastgelegd: {} personen, netwerk van {}, veiligheid: {}",
                input.persons.len(),
                input.network.len(),
                if input.safety_level.is_empty() {
                    "niet beoordeeld".to_owned()
                } else {
                    input.safety_level.replace('_', " ")
                }
            ),
            serde_json::json!({ "trajectory_id": trajectory_id, "safety_level": input.safety_level, "safety": safety }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }

    /// The intake of the open trajectory, with the deepening modules that apply now.
    pub async fn intake(&self, actor: &Actor, household_id: &str) -> AppResult<Option<IntakeView>> {
        let pass = self
            .authorize_read(actor, household_id, Action::Read, "read_intake")
            .await?;
        self.intake_of(&pass, household_id).await
    }

    /// The intake of the latest trajectory (the open one, or else the last closed one), for
    /// a caller the gate let through.
    pub(crate) async fn intake_of(
        &self,
        pass: &crate::gate::Pass,
        household_id: &str,
    ) -> AppResult<Option<IntakeView>> {
        self.intake_in(pass, household_id, None).await
    }

    /// [`Self::intake_of`], with what the caller already read of the file.
    pub(crate) async fn intake_in(
        &self,
        _pass: &crate::gate::Pass,
        household_id: &str,
        known: Option<&crate::households::Known<'_>>,
    ) -> AppResult<Option<IntakeView>> {
        let mut conn = self.store().reader().await?;
        let (members, trajectory_id, municipality) = match known {
            Some(known) => {
                let Some(trajectory_id) = known.trajectory_id else {
                    return Ok(None);
                };
                (
                    std::borrow::Cow::Borrowed(known.members),
                    trajectory_id.to_owned(),
                    known.municipality_id.to_owned(),
                )
            }
            None => {
                let members = residents::members(&mut conn, household_id).await?;
                let Some(trajectory) = trajectories::current(&mut conn, household_id).await? else {
                    return Ok(None);
                };
                let municipality = residents::household(&mut conn, household_id)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .municipality_id;
                (
                    std::borrow::Cow::Owned(members),
                    trajectory.id,
                    municipality,
                )
            }
        };
        let Some(row) = store::intake(&mut conn, &trajectory_id).await? else {
            return Ok(None);
        };
        let intake: IntakeInput =
            serde_json::from_str(&row.content).map_err(|e| AppError::Internal(e.to_string()))?;
        let facts = self
            .facts(&mut conn, household_id, &members, Some(&row))
            .await?;
        let policy = self.policy_for(&municipality);
        let modules = policy
            .modules
            .iter()
            .filter(|m| m.condition.eval(&facts))
            .map(|m| ModuleView {
                key: m.key.clone(),
                name: m.name.clone(),
                questions: m.questions.clone(),
            })
            .collect();
        Ok(Some(IntakeView {
            intake,
            revision: row.revision,
            updated_at: micros_to_datetime(row.updated_at),
            modules,
        }))
    }

    /// Record a life-domain assessment of one member; every assessment is kept.
    pub async fn add_assessment(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &AssessmentInput,
    ) -> AppResult<String> {
        let (members, _, municipality, _) = self
            .household_persons(actor, household_id, Action::Write)
            .await?;
        let policy = self.policy_for(&municipality);
        let today = today();
        let mut errors = FieldErrors::new();
        if !members.iter().any(|m| m.person_id == input.person_id) {
            errors.add(
                "person_id",
                FieldError::Unknown {
                    allowed: "a member of this household",
                },
            );
        }
        let date = errors.check("date", parse_date(&input.date, today));
        if input.scores.is_empty() {
            errors.add("scores", FieldError::Empty);
        }
        for (domain, score) in &input.scores {
            if policy.domain(domain).is_none() {
                errors.add(
                    format!("scores.{domain}"),
                    FieldError::Unknown {
                        allowed: "a domain key of the policy",
                    },
                );
            } else if !(1..=5).contains(score) {
                errors.add(format!("scores.{domain}"), FieldError::NotAllowed);
            }
        }
        for (domain, note) in &input.notes {
            if policy.domain(domain).is_none() {
                errors.add(
                    format!("notes.{domain}"),
                    FieldError::Unknown {
                        allowed: "a domain key of the policy",
                    },
                );
            }
            errors.check(format!("notes.{domain}"), optional_text(Some(note), 2000));
        }
        let strengths = errors.check("strengths", optional_text(input.strengths.as_deref(), 4000));
        errors.into_result()?;
        let (Some(date), Some(strengths)) = (date, strengths) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let id = new_id();
        let scores =
            serde_json::to_string(&input.scores).map_err(|e| AppError::Internal(e.to_string()))?;
        let notes =
            serde_json::to_string(&input.notes).map_err(|e| AppError::Internal(e.to_string()))?;
        let name = members
            .iter()
            .find(|m| m.person_id == input.person_id)
            .map(|m| m.given_name.clone())
            .unwrap_or_default();

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        store::add_assessment(
            &mut tx,
            &store::AssessmentRecord {
                id: &id,
                household_id,
                person_id: &input.person_id,
                assessed_on: &date.format("%Y-%m-%d").to_string(),
                scores: &scores,
                strengths: strengths.as_deref(),
                notes: &notes,
                created_at: now_micros(),
                created_by: &actor.user_id,
            },
        )
        .await?;
        let lowest = input.scores.values().min().copied().unwrap_or(5);
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "assessment.added",
            format!("Leefgebieden gescoord voor {name} ({} leefgebieden, laagste score {lowest})", input.scores.len()),
            serde_json::json!({ "assessment_id": id, "person_id": input.person_id, "scores": input.scores }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(id)
    }

    /// All assessments of the household, newest first.
    pub async fn assessments(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Vec<AssessmentView>> {
        let pass = self
            .authorize_read(actor, household_id, Action::Read, "read_assessments")
            .await?;
        self.assessments_of(&pass, household_id).await
    }

    /// All assessments of the household, newest first, for a caller the gate let through.
    pub(crate) async fn assessments_of(
        &self,
        _pass: &crate::gate::Pass,
        household_id: &str,
    ) -> AppResult<Vec<AssessmentView>> {
        let mut conn = self.store().reader().await?;
        let rows = store::assessments(&mut conn, household_id).await?;
        Ok(rows
            .into_iter()
            .map(|r| AssessmentView {
                scores: serde_json::from_str(&r.scores).unwrap_or_default(),
                notes: serde_json::from_str(&r.notes).unwrap_or_default(),
                id: r.id,
                person_id: r.person_id,
                date: r.assessed_on,
                strengths: r.strengths,
                by: r.created_by,
            })
            .collect())
    }

    /// What the rules look at: each member's latest scores, the intake's safety level and
    /// network, the urgency of the latest registration, the members' ages.
    async fn facts(
        &self,
        conn: &mut spil_store::Conn,
        household_id: &str,
        members: &[residents::MemberRow],
        intake: Option<&store::IntakeRow>,
    ) -> AppResult<Facts> {
        let mut latest: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
        for a in store::assessments(conn, household_id).await? {
            // Newest first: the first seen per person is the latest.
            latest
                .entry(a.person_id)
                .or_insert_with(|| serde_json::from_str(&a.scores).unwrap_or_default());
        }
        let mut scores: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for person_scores in latest.values() {
            for (domain, score) in person_scores {
                scores
                    .entry(domain.clone())
                    .or_default()
                    .push((*score).clamp(1, 5) as u8);
            }
        }
        let registrations = residents::registrations(conn, household_id).await?;
        let urgency = registrations
            .first()
            .and_then(|r| URGENCIES.iter().position(|u| *u == r.urgency))
            .unwrap_or(0) as i64;
        let today = today();
        Ok(Facts {
            scores,
            safety: intake
                .and_then(|i| safety_index(&i.safety_level).ok())
                .unwrap_or(0),
            safety_assessed: intake.is_some_and(|i| safety_index(&i.safety_level).is_ok()),
            urgency,
            network_size: intake.map_or(0, |i| i.network_size),
            ages: members
                .iter()
                .filter(|m| m.valid_to.is_none())
                .filter_map(|m| BirthDate::parse(&m.birth_date, today).ok())
                .map(|b| b.age_on(today))
                .collect(),
        })
    }

    /// Run the region's rules on the household now and record the proposal.
    pub async fn triage(&self, actor: &Actor, household_id: &str) -> AppResult<TriageView> {
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let view = self
            .record_triage(&mut tx, actor, household_id, "Voorstel")
            .await?;
        spil_store::commit(tx).await?;
        Ok(view)
    }

    /// Propose on the household's current facts and record the proposal and its journal entry
    /// inside the caller's (already authorised) transaction. `why` opens the journal summary.
    pub(crate) async fn record_triage(
        &self,
        tx: &mut spil_store::Tx,
        actor: &Actor,
        household_id: &str,
        why: &str,
    ) -> AppResult<TriageView> {
        let members = residents::members(tx, household_id).await?;
        let trajectory = trajectories::open(tx, household_id)
            .await?
            .ok_or_else(crate::households::no_open_trajectory)?;
        let household = residents::household(tx, household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let policy = self.policy_for(&household.municipality_id);
        let intake = store::intake(tx, &trajectory.id).await?;
        let facts = self
            .facts(tx, household_id, &members, intake.as_ref())
            .await?;
        let proposal = propose(&policy, &facts);
        let reasons = serde_json::to_string(&proposal.reasons)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let unknown = serde_json::to_string(&proposal.unknown)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let id = new_id();
        store::remember_policy(
            tx,
            &policy.version,
            &policy.name,
            &policy.source,
            now_micros(),
        )
        .await?;
        store::add_triage(
            tx,
            &store::TriageRecord {
                id: &id,
                household_id,
                trajectory_id: &trajectory.id,
                team_id: &household.intake_team_id,
                policy_version: &policy.version,
                proposed_level: &proposal.level,
                proposed_route: &proposal.route,
                reasons: &reasons,
                unknown: &unknown,
                created_at: now_micros(),
                created_by: &actor.user_id,
            },
        )
        .await?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "triage.proposed",
            format!(
                "{why}: {} via {} (regels: {})",
                proposal.level,
                proposal.route.replace('_', " "),
                proposal.reasons.iter().map(|r| r.rule.as_str()).collect::<Vec<_>>().join(", ")
            ),
            serde_json::json!({ "triage_id": id, "policy_version": policy.version, "level": proposal.level, "route": proposal.route, "reasons": proposal.reasons, "unknown": proposal.unknown }),
        );
        journal.write(tx, self.journal_key()).await?;
        Ok(TriageView {
            id,
            policy_version: proposal.policy_version,
            level: proposal.level,
            route: proposal.route,
            reasons: proposal
                .reasons
                .into_iter()
                .map(|Reason { rule, text }| ReasonView { rule, text })
                .collect(),
            unknown: proposal
                .unknown
                .iter()
                .map(|u| u.key().to_owned())
                .collect(),
        })
    }

    /// The professional decides: confirm the proposal, or deviate with a reason.
    pub async fn decide_triage(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &TriageDecisionInput,
    ) -> AppResult<TriageDecisionView> {
        let (_, trajectory_id, municipality, _) = self
            .household_persons(actor, household_id, Action::Write)
            .await?;
        let policy = self.policy_for(&municipality);
        let mut errors = FieldErrors::new();
        if policy.level_index(&input.level).is_none() {
            errors.add(
                "level",
                if input.level.is_empty() {
                    FieldError::Required
                } else {
                    FieldError::Unknown {
                        allowed: "a level of the policy",
                    }
                },
            );
        }
        if policy.route_index(&input.route).is_none() {
            errors.add(
                "route",
                if input.route.is_empty() {
                    FieldError::Required
                } else {
                    FieldError::Unknown {
                        allowed: "a route of the policy",
                    }
                },
            );
        }
        let reason = errors.check(
            "deviation_reason",
            optional_text(input.deviation_reason.as_deref(), 2000),
        );
        errors.into_result()?;
        let reason = reason.flatten();

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let triage = store::latest_triage(&mut tx, &trajectory_id)
            .await?
            .filter(|t| t.decided_level.is_none())
            .ok_or_else(|| {
                AppError::conflict(
                    "no_open_proposal",
                    "Er is geen voorstel om over te beslissen. Maak eerst een voorstel.",
                )
            })?;
        let deviated = triage.proposed_level != input.level || triage.proposed_route != input.route;
        if deviated && reason.is_none() {
            return Err(AppError::Rule {
                code: "deviation_reason_required",
                field: "deviation_reason",
                message: "U wijkt af van het voorstel. Schrijf op waarom; daar leert de regio van."
                    .into(),
            });
        }
        if !store::decide_triage(
            &mut tx,
            &triage.id,
            &input.level,
            &input.route,
            reason.as_deref().filter(|_| deviated),
            &actor.user_id,
            now_micros(),
        )
        .await?
        {
            return Err(AppError::conflict(
                "concurrent_change",
                "Over dit voorstel is intussen al beslist.",
            ));
        }
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "triage.decided",
            if deviated {
                format!(
                    "Besluit: {} via {}, afwijkend van het voorstel ({} via {}): {}",
                    input.level,
                    input.route.replace('_', " "),
                    triage.proposed_level,
                    triage.proposed_route.replace('_', " "),
                    reason.as_deref().unwrap_or_default()
                )
            } else {
                format!("Besluit: voorstel bevestigd ({} via {})", input.level, input.route.replace('_', " "))
            },
            serde_json::json!({ "triage_id": triage.id, "level": input.level, "route": input.route, "deviated": deviated, "deviation_reason": reason }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(TriageDecisionView {
            triage_id: triage.id,
            level: input.level.clone(),
            route: input.route.clone(),
            deviated,
        })
    }

    /// Deviations from the proposals per rule and per team over a period, with small numbers
    /// withheld: how the region learns where its bandwidths do not fit practice.
    pub async fn deviation_report(
        &self,
        actor: &Actor,
        from: &str,
        to: &str,
    ) -> AppResult<DeviationReport> {
        // Aggregates with small numbers withheld: for everyone who works in a municipality,
        // not for system administrators.
        if actor.municipality_id.is_none() || actor.role == spil_domain::org::Role::Admin {
            return Err(AppError::Forbidden(Denial::RoleHasNoCaseAccess));
        }
        let mut errors = FieldErrors::new();
        let (from_date, to_date) = crate::period(&mut errors, from, to);
        errors.into_result()?;
        let (Some(from_date), Some(to_date)) = (from_date, to_date) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let micros = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map_or(0, |dt| dt.and_utc().timestamp_micros())
        };
        let municipality_id = actor.municipality_id.clone().unwrap_or_default();
        let threshold = self.policy_for(&municipality_id).small_cell_threshold;
        let mut conn = self.store().reader().await?;
        let rows = store::decisions_between(
            &mut conn,
            micros(from_date),
            micros(to_date.succ_opt().unwrap_or(to_date)),
            &municipality_id,
        )
        .await?;
        let mut per_rule: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut per_team: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut per_municipality: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for row in rows {
            let cell = per_municipality
                .entry(row.municipality.clone())
                .or_default();
            cell.0 += 1;
            cell.1 += row.deviated;
            if row.municipality_id != municipality_id {
                continue;
            }
            let reasons: Vec<Reason> = serde_json::from_str(&row.reasons).unwrap_or_default();
            for r in reasons {
                let cell = per_rule.entry(r.rule).or_default();
                cell.0 += 1;
                cell.1 += row.deviated;
            }
            let cell = per_team.entry(row.team).or_default();
            cell.0 += 1;
            cell.1 += row.deviated;
        }
        use spil_domain::disclosure::shown;
        let suppress = |(key, (decisions, deviations)): (String, (i64, i64))| DeviationCount {
            key,
            decisions: (decisions >= threshold).then_some(decisions),
            deviations: (decisions >= threshold)
                .then(|| shown(deviations, threshold))
                .flatten(),
        };
        Ok(DeviationReport {
            from: from_date.to_string(),
            to: to_date.to_string(),
            suppression_threshold: threshold,
            per_rule: per_rule.into_iter().map(suppress).collect(),
            per_team: per_team.into_iter().map(suppress).collect(),
            per_municipality: per_municipality.into_iter().map(suppress).collect(),
        })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyDomainView {
    pub key: String,
    pub name: String,
    /// adults, children or all.
    #[serde(rename = "for")]
    pub applies_to: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedView {
    pub key: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    pub id: String,
    pub text: String,
    /// The condition, in the policy's rule language.
    pub when: String,
    pub level: String,
    pub route: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GlossaryView {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyView {
    pub version: String,
    pub name: String,
    pub domains: Vec<PolicyDomainView>,
    pub levels: Vec<NamedView>,
    pub routes: Vec<NamedView>,
    pub rules: Vec<RuleView>,
    pub glossary: Vec<GlossaryView>,
}

impl App {
    /// The active policy, for every signed-in user: it is the region's public agreement.
    pub fn policy_view(&self, actor: &Actor) -> PolicyView {
        let p = self.policy_for(actor.municipality_id.as_deref().unwrap_or_default());
        let named = |list: &[spil_domain::policy::Named]| {
            list.iter()
                .map(|n| NamedView {
                    key: n.key.clone(),
                    name: n.name.clone(),
                })
                .collect()
        };
        PolicyView {
            version: p.version.clone(),
            name: p.name.clone(),
            domains: p
                .domains
                .iter()
                .map(|d| PolicyDomainView {
                    key: d.key.clone(),
                    name: d.name.clone(),
                    applies_to: match d.applies_to {
                        spil_domain::policy::DomainFor::Adults => "adults",
                        spil_domain::policy::DomainFor::Children => "children",
                        spil_domain::policy::DomainFor::All => "all",
                    }
                    .to_owned(),
                })
                .collect(),
            levels: named(&p.levels),
            routes: named(&p.routes),
            rules: p
                .rules
                .iter()
                .map(|r| RuleView {
                    id: r.id.clone(),
                    text: r.text.clone(),
                    when: r.when.clone(),
                    level: p
                        .levels
                        .get(r.level)
                        .map(|l| l.key.clone())
                        .unwrap_or_default(),
                    route: p
                        .routes
                        .get(r.route)
                        .map(|x| x.key.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            glossary: p
                .glossary
                .iter()
                .map(|g| GlossaryView {
                    term: g.term.clone(),
                    definition: g.definition.clone(),
                })
                .collect(),
        }
    }
}

/// The latest proposal of the open trajectory and, when taken, its decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TriageStateView {
    pub proposal: TriageView,
    pub decided_level: Option<String>,
    pub decided_route: Option<String>,
    pub deviation_reason: Option<String>,
}

impl App {
    pub async fn latest_triage(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Option<TriageStateView>> {
        let (_, trajectory_id, _, pass) = self
            .household_persons(actor, household_id, Action::Read)
            .await?;
        self.admit(actor, household_id, &pass, "read_triage")
            .await?;
        let mut conn = self.store().reader().await?;
        let Some(row) = store::latest_triage(&mut conn, &trajectory_id).await? else {
            return Ok(None);
        };
        let reasons: Vec<Reason> = serde_json::from_str(&row.reasons).unwrap_or_default();
        Ok(Some(TriageStateView {
            proposal: TriageView {
                id: row.id,
                policy_version: row.policy_version,
                level: row.proposed_level,
                route: row.proposed_route,
                unknown: serde_json::from_str::<Vec<Unknown>>(&row.unknown)
                    .unwrap_or_default()
                    .iter()
                    .map(|u| u.key().to_owned())
                    .collect(),
                reasons: reasons
                    .into_iter()
                    .map(|Reason { rule, text }| ReasonView { rule, text })
                    .collect(),
            },
            decided_level: row.decided_level,
            decided_route: row.decided_route,
            deviation_reason: row.deviation_reason,
        }))
    }
}
