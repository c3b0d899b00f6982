//! The household plan: saving versions, the household's agreement, and evaluations.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spil_domain::access::{Action, Actor};
use spil_domain::field::{date, optional_text, required_text};
use spil_domain::person::BirthDate;
use spil_domain::plan::{
    self, ActionStatus, ActorKind, AfterEvaluation, AgreementHow, AgreementState, Doer, Goal,
    GoalStatus, NextStep, Outcome, PlanContent, PlanContext, Save,
};
use spil_domain::{FieldError, FieldErrors};
use spil_store::plans::{self as store, SavedVersion};
use spil_store::residents;
use utoipa::ToSchema;

use crate::intake::TriageView;
use crate::journal::Entries;
use crate::{micros_to_datetime, new_id, now_micros, today, App, AppError, AppResult};

const MAX_GOALS: usize = 30;
const MAX_ACTIONS: usize = 100;
const MAX_AGREEMENTS: usize = 50;

// ---------- input ----------

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    #[serde(default)]
    pub goals: Vec<GoalInput>,
    #[serde(default)]
    pub actions: Vec<ActionInput>,
    /// Short written agreements (afspraken).
    #[serde(default)]
    pub agreements: Vec<String>,
    /// The revision this edit started from (required once a plan exists; or `If-Match`).
    /// A save from an older revision is refused with 409 `concurrent_change`.
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    /// Keep a goal's id to change it; a new goal gets one (or brings its own: letters, digits, - and _).
    pub id: Option<String>,
    /// The member the goal is for; absent for the whole household.
    pub person_id: Option<String>,
    /// The goal in the household's own words.
    #[serde(default)]
    pub text: String,
    /// The concrete result that shows the goal is reached.
    #[serde(default)]
    pub result: String,
    /// YYYY-MM-DD, not before the plan started.
    #[serde(default)]
    pub evaluate_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub id: Option<String>,
    /// A goal of this plan (its id), or absent.
    pub goal_id: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub actor: ActorInput,
    /// YYYY-MM-DD.
    pub due: Option<String>,
    /// open (default), done or dropped.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorInput {
    /// member, network, professional, partner or specialist.
    #[serde(default)]
    pub kind: String,
    /// For `member`: the member's person id (required). Otherwise a name or organisation.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// YYYY-MM-DD, not in the future.
    #[serde(default)]
    pub date: String,
    /// signed_paper, digital or verbal.
    #[serde(default)]
    pub how: String,
    /// The member who agreed.
    #[serde(default)]
    pub by_person_id: String,
    /// The revision the household saw and agrees to (required); 409 `plan_changed` when the
    /// plan changed since.
    pub revision: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    #[serde(default)]
    pub goal_id: String,
    /// reached, partly, not_reached or dropped.
    #[serde(default)]
    pub outcome: String,
    /// continue, scale_up, scale_down or close. Scaling re-runs the triage.
    #[serde(default)]
    pub next_step: String,
    pub note: Option<String>,
    /// The day of the evaluation, YYYY-MM-DD (default today); not before the plan started.
    pub date: Option<String>,
    /// When the goal stays open: the next evaluation (default six weeks on).
    pub next_evaluate_on: Option<String>,
}

// ---------- output ----------

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedPlan {
    pub version: i64,
    /// The plan's revision after this save (send it with the next change).
    pub revision: i64,
    /// not_agreed, changed_since_agreement or agreed.
    #[schema(value_type = String)]
    pub state: AgreementState,
    /// Whether this save changed anything.
    pub changed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementView {
    pub version: i64,
    /// The revision agreed to (null for agreements recorded before revisions existed).
    pub revision: Option<i64>,
    pub date: String,
    #[schema(value_type = String)]
    pub how: AgreementHow,
    pub by_person_id: String,
    pub by_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalView {
    pub id: String,
    pub person_id: Option<String>,
    /// The member's name, or null for the whole household.
    pub person_name: Option<String>,
    pub text: String,
    pub result: String,
    pub evaluate_on: String,
    #[schema(value_type = String)]
    pub status: GoalStatus,
    /// When the goal is evaluated next (null once closed).
    pub next_evaluation_on: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActorView {
    #[schema(value_type = String)]
    pub kind: ActorKind,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Who, in words: the member's name or the reference.
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionView {
    pub id: String,
    pub goal_id: Option<String>,
    pub text: String,
    pub actor: ActorView,
    pub due: Option<String>,
    #[schema(value_type = String)]
    pub status: ActionStatus,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub household_id: String,
    pub version: i64,
    /// Every saved change makes a new revision; send it back with the next change or agreement.
    pub revision: i64,
    pub started_on: String,
    #[schema(value_type = String)]
    pub state: AgreementState,
    /// The (first) agreement to the current version; null when not agreed (or changed since).
    pub agreement: Option<AgreementView>,
    /// Everyone who agreed to the current version, in the order they did.
    pub agreed_by: Vec<AgreementView>,
    /// The latest agreement to an earlier version, when the plan changed since.
    pub previous_agreement: Option<AgreementView>,
    pub goals: Vec<GoalView>,
    pub actions: Vec<ActionView>,
    pub agreements: Vec<String>,
    pub saved_at: String,
    pub saved_by: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeView {
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub created_on: String,
    pub saved_at: String,
    pub saved_by: String,
    pub agreement: Option<AgreementView>,
    /// What changed compared with the previous version.
    pub changes: Vec<ChangeView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationResult {
    pub id: String,
    #[schema(value_type = String)]
    pub goal_status: GoalStatus,
    pub next_evaluation_on: Option<String>,
    /// The new proposal when the next step scales up or down.
    pub triage: Option<TriageView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationView {
    pub id: String,
    pub goal_id: String,
    pub goal_text: String,
    pub date: String,
    #[schema(value_type = String)]
    pub outcome: Outcome,
    #[schema(value_type = String)]
    pub next_step: NextStep,
    pub note: String,
    pub triage_id: Option<String>,
    pub by: String,
}

// ---------- parsing ----------

/// The item's own id, or `None` when it came without one.
fn id(raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(id)
            if id.len() <= 64
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Ok(Some(id.to_owned()))
        }
        Some(_) => Err(FieldError::NotAllowed),
    }
}

/// Turn the input into plan content, or say what is wrong with each field. Items without an id
/// get a new one; those ids are returned beside the content.
pub fn parse_plan(input: &PlanInput) -> Result<(PlanContent, HashSet<String>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut generated = HashSet::new();
    let mut id = |raw: Option<&str>| {
        id(raw).map(|given| {
            given.unwrap_or_else(|| {
                let fresh = new_id();
                generated.insert(fresh.clone());
                fresh
            })
        })
    };
    if input.goals.len() > MAX_GOALS {
        errors.add("goals", FieldError::TooLong { max: MAX_GOALS });
    }
    if input.actions.len() > MAX_ACTIONS {
        errors.add("actions", FieldError::TooLong { max: MAX_ACTIONS });
    }
    if input.agreements.len() > MAX_AGREEMENTS {
        errors.add(
            "agreements",
            FieldError::TooLong {
                max: MAX_AGREEMENTS,
            },
        );
    }
    let mut content = PlanContent::default();
    for (i, g) in input.goals.iter().enumerate() {
        let id = errors.check(format!("goals[{i}].id"), id(g.id.as_deref()));
        let person_id = errors.check(
            format!("goals[{i}].person_id"),
            optional_text(g.person_id.as_deref(), 64),
        );
        let text = errors.check(format!("goals[{i}].text"), required_text(&g.text, 500));
        let result = errors.check(format!("goals[{i}].result"), required_text(&g.result, 500));
        let evaluate_on = errors.check(format!("goals[{i}].evaluate_on"), date(&g.evaluate_on));
        if let (Some(id), Some(person_id), Some(text), Some(result), Some(evaluate_on)) =
            (id, person_id, text, result, evaluate_on)
        {
            content.goals.push(Goal {
                id,
                person_id,
                text,
                result,
                evaluate_on,
            });
        }
    }
    for (i, a) in input.actions.iter().enumerate() {
        let id = errors.check(format!("actions[{i}].id"), id(a.id.as_deref()));
        let goal_id = errors.check(
            format!("actions[{i}].goal_id"),
            optional_text(a.goal_id.as_deref(), 64),
        );
        let text = errors.check(format!("actions[{i}].text"), required_text(&a.text, 500));
        let kind = errors.check(
            format!("actions[{i}].actor.kind"),
            ActorKind::parse(&a.actor.kind),
        );
        let reference = errors.check(
            format!("actions[{i}].actor.ref"),
            optional_text(a.actor.reference.as_deref(), 120),
        );
        let due = match a.due.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => errors
                .check(format!("actions[{i}].due"), date(raw))
                .map(Some),
        };
        let status = match a.status.as_deref().map(str::trim) {
            None | Some("") => Some(ActionStatus::Open),
            Some(raw) => errors.check(format!("actions[{i}].status"), ActionStatus::parse(raw)),
        };
        if let (
            Some(id),
            Some(goal_id),
            Some(text),
            Some(kind),
            Some(reference),
            Some(due),
            Some(status),
        ) = (id, goal_id, text, kind, reference, due, status)
        {
            content.actions.push(plan::Action {
                id,
                goal_id,
                text,
                doer: Doer { kind, reference },
                due,
                status,
            });
        }
    }
    for (i, a) in input.agreements.iter().enumerate() {
        if let Some(text) = errors.check(format!("agreements[{i}]"), required_text(a, 500)) {
            content.agreements.push(text);
        }
    }
    errors.into_result().map(|()| (content, generated))
}

fn content_of(json: &str) -> AppResult<PlanContent> {
    serde_json::from_str(json).map_err(|e| AppError::Internal(format!("plan content: {e}")))
}

fn agreement_view(row: store::AgreementRow) -> AgreementView {
    AgreementView {
        version: row.version,
        revision: row.revision,
        date: row.agreed_on,
        how: AgreementHow::parse(&row.how).unwrap_or(AgreementHow::Verbal),
        by_person_id: row.by_person_id,
        by_name: row.by_name,
    }
}

/// The plan moved on since the revision the edit started from.
fn stale_plan(current: i64, saved_by: &str, saved_at: i64) -> AppError {
    AppError::conflict(
        "concurrent_change",
        format!(
            "Het plan is intussen gewijzigd door {saved_by} ({}); het staat nu op revisie {current}. Bekijk wat er veranderde en breng uw wijziging opnieuw aan.",
            micros_to_datetime(saved_at).format("%d-%m-%Y %H:%M")
        ),
    )
}

/// The household would agree to content it did not see.
fn plan_changed(seen: i64, current: i64, saved_by: &str) -> AppError {
    AppError::conflict(
        "plan_changed",
        format!(
            "Het plan is gewijzigd sinds revisie {seen} (nu revisie {current}, door {saved_by}). Laat het gezin eerst de nieuwe tekst zien."
        ),
    )
}

fn is_current_member(m: &residents::MemberRow, today: NaiveDate) -> bool {
    m.valid_to
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .is_none_or(|to| to >= today)
}

impl App {
    /// Save the plan. Before the household agreed, the current version is edited; after, a
    /// change makes a new version. An unchanged plan is not saved again.
    pub async fn save_plan(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &PlanInput,
    ) -> AppResult<SavedPlan> {
        self.precheck(actor, household_id, Action::Write).await?;
        let (mut content, generated) = parse_plan(input)?;
        let today = today();
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let trajectory = open_trajectory(&mut tx, household_id).await?;
        let members: Vec<String> = residents::members(&mut tx, household_id)
            .await?
            .into_iter()
            .filter(|m| is_current_member(m, today))
            .map(|m| m.person_id)
            .collect();
        let current = store::current(&mut tx, &trajectory).await?;
        let old = current
            .as_ref()
            .map(|c| content_of(&c.content))
            .transpose()?;
        if let Some(old) = &old {
            plan::adopt_ids(&mut content, old, &generated);
        }
        let started_on = match &current {
            Some(c) => NaiveDate::parse_from_str(&c.started_on, "%Y-%m-%d").unwrap_or(today),
            None => today,
        };
        // Ids made up just now are new everywhere; only the others need looking up.
        let ids: Vec<&str> = content
            .goals
            .iter()
            .map(|g| g.id.as_str())
            .filter(|id| !generated.contains(*id))
            .collect();
        let states = store::goal_states(&mut tx, &ids).await?;
        let foreign: HashSet<String> = states
            .iter()
            .filter(|s| s.trajectory_id != trajectory)
            .map(|s| s.id.clone())
            .collect();
        plan::check(
            &content,
            &PlanContext {
                members: &members,
                started_on,
                foreign_goal_ids: &foreign,
            },
        )
        .into_result()?;

        let decision = plan::save(
            match (&current, &old) {
                (Some(c), Some(old)) => Some((old, c.version, c.agreed_version)),
                _ => None,
            },
            &content,
        );
        let version = match decision {
            Save::Unchanged => {
                let c = current.ok_or_else(|| AppError::Internal("plan vanished".into()))?;
                drop(tx);
                return Ok(SavedPlan {
                    version: c.version,
                    revision: c.revision,
                    state: AgreementState::of(c.version, c.agreed_version),
                    changed: false,
                });
            }
            Save::First => 1,
            Save::Replace(v) | Save::NewVersion(v) => v,
        };
        // A change must start from the revision that is current now.
        let revision = match (&current, input.revision) {
            (None, _) => 1,
            (Some(_), None) => {
                return Err(AppError::Rule {
                    code: "revision_required",
                    field: "revision",
                    message: "Geef de revisie mee waarop deze wijziging is gebaseerd (veld revision of If-Match).".into(),
                })
            }
            (Some(c), Some(base)) if base != c.revision => {
                drop(tx);
                return Err(stale_plan(c.revision, &c.saved_by, c.saved_at));
            }
            (Some(c), Some(_)) => c.revision + 1,
        };
        let json =
            serde_json::to_string(&content).map_err(|e| AppError::Internal(e.to_string()))?;
        let saved = SavedVersion {
            trajectory_id: &trajectory,
            household_id,
            version,
            revision,
            content: &json,
            today: &today.to_string(),
            by: &actor.user_id,
            at: now_micros(),
        };
        let written = match decision {
            Save::First => store::create(&mut tx, &saved).await,
            Save::NewVersion(_) => store::add_version(&mut tx, &saved).await,
            _ => store::replace_version(&mut tx, &saved).await,
        };
        if let Err(spil_store::StoreError::Conflict) = written {
            // Another save got there first (between our read and our write).
            drop(tx);
            return Err(AppError::conflict(
                "concurrent_change",
                "Het plan is zojuist door iemand anders gewijzigd. Laad het plan opnieuw en breng uw wijziging opnieuw aan.",
            ));
        }
        written?;

        // Goals' state: a new goal or a moved evaluation date sets the next evaluation.
        let before: HashMap<&str, &Goal> = old
            .iter()
            .flat_map(|o| o.goals.iter())
            .map(|g| (g.id.as_str(), g))
            .collect();
        let known: HashMap<&str, &store::GoalStateRow> =
            states.iter().map(|s| (s.id.as_str(), s)).collect();
        for goal in &content.goals {
            let evaluate_on = goal.evaluate_on.to_string();
            let (status, next) = match (known.get(goal.id.as_str()), before.get(goal.id.as_str())) {
                (Some(state), Some(prev)) if state.removed == 0 => {
                    let next = if prev.evaluate_on != goal.evaluate_on && state.status == "open" {
                        Some(evaluate_on.clone())
                    } else {
                        state.next_evaluation_on.clone()
                    };
                    (state.status.clone(), next)
                }
                (Some(state), _) if state.status != "open" => (state.status.clone(), None),
                _ => ("open".to_owned(), Some(evaluate_on.clone())),
            };
            store::upsert_goal(
                &mut tx,
                &store::GoalState {
                    id: &goal.id,
                    trajectory_id: &trajectory,
                    household_id,
                    person_id: goal.person_id.as_deref(),
                    text: &goal.text,
                    status: &status,
                    next_evaluation_on: next.as_deref(),
                },
            )
            .await?;
        }
        let kept: HashSet<&str> = content.goals.iter().map(|g| g.id.as_str()).collect();
        for goal in before.keys().filter(|id| !kept.contains(*id)) {
            store::mark_goal_removed(&mut tx, goal).await?;
        }

        let changes = old
            .as_ref()
            .map(|o| plan::diff(o, &content))
            .unwrap_or_default();
        let agreed_version = current.as_ref().and_then(|c| c.agreed_version);
        let state = AgreementState::of(version, agreed_version);
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "plan.saved",
            match decision {
                Save::First => format!(
                    "Plan gemaakt: {} doelen, {} acties",
                    content.goals.len(),
                    content.actions.len()
                ),
                Save::NewVersion(v) => format!(
                    "Plan gewijzigd na akkoord: versie {v} ({} wijzigingen)",
                    changes.len()
                ),
                _ => format!(
                    "Plan versie {version} aangepast ({} wijzigingen)",
                    changes.len()
                ),
            },
            serde_json::json!({ "version": version, "revision": revision, "changes": changes }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await.map_err(|e| match e {
            spil_store::StoreError::Conflict => AppError::conflict(
                "concurrent_change",
                "Het plan is zojuist door iemand anders gewijzigd. Laad het plan opnieuw en breng uw wijziging opnieuw aan.",
            ),
            other => other.into(),
        })?;
        Ok(SavedPlan {
            version,
            revision,
            state,
            changed: true,
        })
    }

    /// The household's current plan, or `None` when there is none yet.
    pub async fn plan(&self, actor: &Actor, household_id: &str) -> AppResult<Option<PlanView>> {
        let pass = self
            .authorize_read(actor, household_id, Action::Read, "read_plan")
            .await?;
        self.plan_of(&pass, household_id).await
    }

    /// The plan of one trajectory of the household, also a closed one.
    pub async fn plan_of_trajectory(
        &self,
        actor: &Actor,
        household_id: &str,
        trajectory_id: &str,
    ) -> AppResult<Option<PlanView>> {
        let pass = self
            .authorize_read(actor, household_id, Action::Read, "read_plan")
            .await?;
        let known = {
            let mut conn = self.store().reader().await?;
            spil_store::trajectories::of_household(&mut conn, household_id)
                .await?
                .into_iter()
                .any(|t| t.id == trajectory_id)
        };
        if !known {
            return Err(AppError::NotFound);
        }
        self.plan_in(&pass, household_id, Some(trajectory_id), None)
            .await
    }

    /// The plan of the latest trajectory, for a caller the gate let through.
    pub(crate) async fn plan_of(
        &self,
        pass: &crate::gate::Pass,
        household_id: &str,
    ) -> AppResult<Option<PlanView>> {
        self.plan_in(pass, household_id, None, None).await
    }

    /// The plan of `trajectory_id` (else the latest trajectory), with the household's members
    /// when the caller already read them.
    pub(crate) async fn plan_in(
        &self,
        _pass: &crate::gate::Pass,
        household_id: &str,
        trajectory_id: Option<&str>,
        known_members: Option<&[spil_store::residents::MemberRow]>,
    ) -> AppResult<Option<PlanView>> {
        let mut conn = self.store().reader().await?;
        let trajectory = match trajectory_id {
            Some(id) => Some(id.to_owned()),
            None => latest_trajectory(&mut conn, household_id).await?,
        };
        let Some(trajectory) = trajectory else {
            return Ok(None);
        };
        let Some(row) = store::current(&mut conn, &trajectory).await? else {
            return Ok(None);
        };
        let members = match known_members {
            Some(members) => std::borrow::Cow::Borrowed(members),
            None => std::borrow::Cow::Owned(residents::members(&mut conn, household_id).await?),
        };
        let states = store::goals_of(&mut conn, &trajectory).await?;
        let mut agreements = store::agreements(&mut conn, &trajectory).await?;
        drop(conn);

        let content = content_of(&row.content)?;
        let names: HashMap<&str, String> = members
            .iter()
            .map(|m| {
                (
                    m.person_id.as_str(),
                    format!("{} {}", m.given_name, m.family_name),
                )
            })
            .collect();
        let states: HashMap<&str, &store::GoalStateRow> =
            states.iter().map(|s| (s.id.as_str(), s)).collect();
        let state = AgreementState::of(row.version, row.agreed_version);
        let (agreed_by, agreement, previous_agreement) = match state {
            AgreementState::Agreed => {
                let current: Vec<AgreementView> = agreements
                    .into_iter()
                    .filter(|a| a.version == row.version)
                    .map(agreement_view)
                    .collect();
                (current.clone(), current.into_iter().next(), None)
            }
            _ => (Vec::new(), None, agreements.pop().map(agreement_view)),
        };
        Ok(Some(PlanView {
            household_id: household_id.to_owned(),
            version: row.version,
            revision: row.revision,
            started_on: row.started_on,
            state,
            agreement,
            agreed_by,
            previous_agreement,
            goals: content
                .goals
                .iter()
                .map(|g| {
                    let st = states.get(g.id.as_str());
                    GoalView {
                        id: g.id.clone(),
                        person_id: g.person_id.clone(),
                        person_name: g.person_id.as_deref().and_then(|p| names.get(p).cloned()),
                        text: g.text.clone(),
                        result: g.result.clone(),
                        evaluate_on: g.evaluate_on.to_string(),
                        status: st
                            .and_then(|s| GoalStatus::parse(&s.status).ok())
                            .unwrap_or(GoalStatus::Open),
                        next_evaluation_on: st.and_then(|s| s.next_evaluation_on.clone()),
                    }
                })
                .collect(),
            actions: content
                .actions
                .iter()
                .map(|a| ActionView {
                    id: a.id.clone(),
                    goal_id: a.goal_id.clone(),
                    text: a.text.clone(),
                    actor: ActorView {
                        kind: a.doer.kind,
                        reference: a.doer.reference.clone(),
                        name: match (a.doer.kind, a.doer.reference.as_deref()) {
                            (ActorKind::Member, Some(p)) => {
                                names.get(p).cloned().unwrap_or_else(|| p.to_owned())
                            }
                            (_, Some(r)) => r.to_owned(),
                            (kind, None) => kind.label().to_owned(),
                        },
                    },
                    due: a.due.map(|d| d.to_string()),
                    status: a.status,
                })
                .collect(),
            agreements: content.agreements,
            saved_at: micros_to_datetime(row.saved_at).to_rfc3339(),
            saved_by: row.saved_by,
        }))
    }

    /// What changed in the plan since `revision` (for someone whose save was refused because
    /// the plan moved on): the changes from that revision to the current one.
    pub async fn plan_changes_since(
        &self,
        actor: &Actor,
        household_id: &str,
        revision: i64,
    ) -> AppResult<Vec<ChangeView>> {
        self.authorize_read(actor, household_id, Action::Read, "read_plan_changes")
            .await?;
        let mut conn = self.store().reader().await?;
        let Some(trajectory) = latest_trajectory(&mut conn, household_id).await? else {
            return Ok(Vec::new());
        };
        let base = store::revision(&mut conn, &trajectory, revision).await?;
        let current = store::current(&mut conn, &trajectory).await?;
        drop(conn);
        let (Some(base), Some(current)) = (base, current) else {
            return Ok(Vec::new());
        };
        Ok(
            plan::diff(&content_of(&base.content)?, &content_of(&current.content)?)
                .into_iter()
                .map(|c| ChangeView {
                    kind: c.kind.to_owned(),
                    text: c.text,
                })
                .collect(),
        )
    }

    /// Every version with its agreement and what changed compared with the one before.
    pub async fn plan_versions(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Vec<VersionView>> {
        self.authorize_read(actor, household_id, Action::Read, "read_plan_versions")
            .await?;
        let mut conn = self.store().reader().await?;
        let Some(trajectory) = latest_trajectory(&mut conn, household_id).await? else {
            return Ok(Vec::new());
        };
        let rows = store::versions(&mut conn, &trajectory).await?;
        let agreements = store::agreements(&mut conn, &trajectory).await?;
        drop(conn);
        // The first agreement to each version (others may follow: each member agrees once).
        let mut agreements: HashMap<i64, AgreementView> =
            agreements
                .into_iter()
                .rev()
                .fold(HashMap::new(), |mut first, a| {
                    first.insert(a.version, agreement_view(a));
                    first
                });
        let mut previous = PlanContent::default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let content = content_of(&row.content)?;
            out.push(VersionView {
                version: row.version,
                created_on: row.created_on,
                saved_at: micros_to_datetime(row.saved_at).to_rfc3339(),
                saved_by: row.saved_by,
                agreement: agreements.remove(&row.version),
                changes: plan::diff(&previous, &content)
                    .into_iter()
                    .map(|c| ChangeView {
                        kind: c.kind.to_owned(),
                        text: c.text,
                    })
                    .collect(),
            });
            previous = content;
        }
        Ok(out)
    }

    /// Record that the household agreed to the current version.
    pub async fn agree_plan(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &AgreementInput,
    ) -> AppResult<AgreementView> {
        self.precheck(actor, household_id, Action::Write).await?;
        let today = today();
        let mut errors = FieldErrors::new();
        let date = errors.check(
            "date",
            BirthDate::parse(&input.date, today).map(|d| d.date()),
        );
        let how = errors.check("how", AgreementHow::parse(&input.how));
        if input.by_person_id.trim().is_empty() {
            errors.add("by_person_id", FieldError::Required);
        }
        if input.revision.is_none() {
            errors.add("revision", FieldError::Required);
        }
        errors.into_result()?;
        let (Some(date), Some(how)) = (date, how) else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let trajectory = open_trajectory(&mut tx, household_id).await?;
        let members = residents::members(&mut tx, household_id).await?;
        let Some(member) = members
            .iter()
            .find(|m| m.person_id == input.by_person_id.trim() && is_current_member(m, today))
        else {
            return Err(AppError::invalid_field(
                "by_person_id",
                FieldError::NotAMember,
            ));
        };
        let current = store::current(&mut tx, &trajectory).await?;
        let Some(current) = current.filter(|c| {
            content_of(&c.content)
                .map(|content| !content.is_empty())
                .unwrap_or(false)
        }) else {
            return Err(AppError::Rule {
                code: "plan_empty",
                field: "plan",
                message: "Er is nog geen plan met minstens één doel. Een leeg plan kan niet akkoord worden gegeven.".into(),
            });
        };
        // Every member may agree, each once per version (both parents, say).
        if current.agreed_version == Some(current.version)
            && store::agreements(&mut tx, &trajectory)
                .await?
                .iter()
                .any(|a| a.version == current.version && a.by_person_id == member.person_id)
        {
            return Err(AppError::conflict(
                "plan_already_agreed",
                format!(
                    "{} {} gaf al akkoord op versie {}.",
                    member.given_name, member.family_name, current.version
                ),
            ));
        }
        if date.to_string() < current.created_on {
            return Err(AppError::invalid_field("date", FieldError::BeforePlanStart));
        }
        let revision = input.revision.unwrap_or_default();
        if revision != current.revision {
            return Err(plan_changed(revision, current.revision, &current.saved_by));
        }
        let agreed = store::agree(
            &mut tx,
            &store::NewAgreement {
                trajectory_id: &trajectory,
                version: current.version,
                revision,
                agreed_on: &date.to_string(),
                how: how.key(),
                by_person_id: &member.person_id,
                recorded_by: &actor.user_id,
                recorded_at: now_micros(),
            },
        )
        .await;
        if let Err(spil_store::StoreError::Conflict) = agreed {
            return Err(plan_changed(revision, revision + 1, &current.saved_by));
        }
        agreed?;
        let by_name = format!("{} {}", member.given_name, member.family_name);
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "plan.agreed",
            format!(
                "Akkoord op plan versie {} (revisie {revision}) door {by_name} ({}, {})",
                current.version,
                how.label().to_lowercase(),
                date.format("%d-%m-%Y")
            ),
            serde_json::json!({ "version": current.version, "revision": revision, "how": how.key(), "date": date.to_string(), "by_person_id": member.person_id }),
        );
        // The agreed plan starts the support: the phase follows (once).
        if let Some(t) = spil_store::trajectories::open(&mut tx, household_id).await? {
            let from = spil_domain::trajectory::TrajectoryStatus::parse(&t.status).ok();
            if let (Some(from), Some(_)) = (from, t.regisseur_id.as_ref()) {
                if let Some(next) = from.after_plan_agreed() {
                    if spil_store::trajectories::set_status(
                        &mut tx,
                        &t.id,
                        from.key(),
                        next.key(),
                        None,
                        None,
                    )
                    .await?
                    {
                        journal.add(
                            "trajectory.status_changed",
                            format!("Status: {} → {} (plan akkoord)", from.label(), next.label()),
                            serde_json::json!({ "trajectory_id": t.id, "from": from.key(), "to": next.key(), "close_reason": null }),
                        );
                    }
                }
            }
        }
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(AgreementView {
            version: current.version,
            revision: Some(revision),
            date: date.to_string(),
            how,
            by_person_id: member.person_id.clone(),
            by_name,
        })
    }

    /// Evaluate a goal: record the outcome, close it or set the next evaluation, and on
    /// scaling up or down propose anew on the region's rules — all in one transaction.
    pub async fn evaluate(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &EvaluationInput,
    ) -> AppResult<EvaluationResult> {
        self.precheck(actor, household_id, Action::Write).await?;
        let today = today();
        let mut errors = FieldErrors::new();
        if input.goal_id.trim().is_empty() {
            errors.add("goal_id", FieldError::Required);
        }
        let outcome = errors.check("outcome", Outcome::parse(&input.outcome));
        let next_step = errors.check("next_step", NextStep::parse(&input.next_step));
        let note = errors.check("note", optional_text(input.note.as_deref(), 4000));
        let on = match input.date.as_deref().map(str::trim) {
            None | Some("") => Some(today),
            Some(raw) => errors.check("date", BirthDate::parse(raw, today).map(|d| d.date())),
        };
        let next_on = match input.next_evaluate_on.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => errors.check("next_evaluate_on", date(raw)).map(Some),
        };
        if let (Some(on), Some(Some(next))) = (on, next_on) {
            if next <= on {
                errors.add("next_evaluate_on", FieldError::NotAllowed);
            }
        }
        errors.into_result()?;
        let (Some(outcome), Some(next_step), Some(note), Some(on), Some(next_on)) =
            (outcome, next_step, note, on, next_on)
        else {
            return Err(AppError::Internal("validated fields missing".into()));
        };

        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::Write)
            .await?;
        let trajectory = open_trajectory(&mut tx, household_id).await?;
        let goal_id = input.goal_id.trim();
        let state = store::goal_states(&mut tx, &[goal_id])
            .await?
            .into_iter()
            .find(|s| s.trajectory_id == trajectory && s.removed == 0);
        let (Some(state), Some(current)) = (state, store::current(&mut tx, &trajectory).await?)
        else {
            return Err(AppError::invalid_field("goal_id", FieldError::UnknownGoal));
        };
        if state.status != GoalStatus::Open.key() {
            return Err(AppError::conflict(
                "goal_closed",
                "Dit doel is al afgesloten. Maak een nieuw doel in het plan als er weer iets te doen is.",
            ));
        }
        if on.to_string() < current.started_on {
            return Err(AppError::invalid_field("date", FieldError::BeforePlanStart));
        }
        let after = plan::after_evaluation(outcome, next_step, on, next_on);
        let (status, next) = match after {
            AfterEvaluation::Closed(status) => (status, None),
            AfterEvaluation::EvaluateAgain(d) => (GoalStatus::Open, Some(d.to_string())),
        };
        store::set_goal_state(&mut tx, goal_id, status.key(), next.as_deref()).await?;
        let triage = if plan::rescales(next_step) {
            let why = match next_step {
                NextStep::ScaleUp => "Opschalen na evaluatie, nieuw voorstel",
                _ => "Afschalen na evaluatie, nieuw voorstel",
            };
            Some(
                self.record_triage(&mut tx, actor, household_id, why)
                    .await?,
            )
        } else {
            None
        };
        let id = new_id();
        store::add_evaluation(
            &mut tx,
            &store::NewEvaluation {
                id: &id,
                trajectory_id: &trajectory,
                household_id,
                goal_id,
                evaluated_on: &on.to_string(),
                outcome: outcome.key(),
                next_step: next_step.key(),
                note: note.as_deref().unwrap_or_default(),
                triage_id: triage.as_ref().map(|t| t.id.as_str()),
                created_by: &actor.user_id,
                created_at: now_micros(),
            },
        )
        .await?;
        let goal_text = content_of(&current.content)?
            .goals
            .into_iter()
            .find(|g| g.id == goal_id)
            .map(|g| g.text)
            .unwrap_or_default();
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "goal.evaluated",
            format!(
                "Evaluatie \"{goal_text}\": {}, {}",
                outcome.label().to_lowercase(),
                next_step.label().to_lowercase()
            ),
            serde_json::json!({ "evaluation_id": id, "goal_id": goal_id, "outcome": outcome.key(), "next_step": next_step.key(), "date": on.to_string(), "next_evaluation_on": next }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(EvaluationResult {
            id,
            goal_status: status,
            next_evaluation_on: next,
            triage,
        })
    }

    /// The household's evaluations, newest first.
    pub async fn evaluations(
        &self,
        actor: &Actor,
        household_id: &str,
    ) -> AppResult<Vec<EvaluationView>> {
        self.authorize_read(actor, household_id, Action::Read, "read_evaluations")
            .await?;
        let mut conn = self.store().reader().await?;
        let Some(trajectory) = latest_trajectory(&mut conn, household_id).await? else {
            return Ok(Vec::new());
        };
        let rows = store::evaluations(&mut conn, &trajectory).await?;
        drop(conn);
        Ok(rows
            .into_iter()
            .map(|r| EvaluationView {
                id: r.id,
                goal_id: r.goal_id,
                goal_text: r.goal_text,
                date: r.evaluated_on,
                outcome: Outcome::parse(&r.outcome).unwrap_or(Outcome::Partly),
                next_step: NextStep::parse(&r.next_step).unwrap_or(NextStep::Continue),
                note: r.note,
                triage_id: r.triage_id,
                by: r.by_name,
            })
            .collect())
    }
}

/// The open trajectory a change of the plan belongs to.
async fn open_trajectory(conn: &mut spil_store::Conn, household_id: &str) -> AppResult<String> {
    spil_store::trajectories::open(conn, household_id)
        .await?
        .map(|t| t.id)
        .ok_or_else(crate::households::no_open_trajectory)
}

/// The trajectory whose plan a read shows: the open one, or else the latest closed one.
async fn latest_trajectory(
    conn: &mut spil_store::Conn,
    household_id: &str,
) -> AppResult<Option<String>> {
    Ok(spil_store::trajectories::current(conn, household_id)
        .await?
        .map(|t| t.id))
}
