//! Keep-alive contact and the worklist: who is due, and who is overdue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use spil_domain::access::{Action, Actor};
use spil_domain::plan::AgreementState;
use spil_domain::waakvlam::{due_this_week, next_due};
use spil_domain::{FieldError, FieldErrors};
use spil_store::{trajectories, waakvlam, worklist};
use utoipa::ToSchema;

use crate::journal::Entries;
use crate::{now_micros, today, App, AppError, AppResult};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaakvlamInput {
    /// Days between contacts: 1 to 365.
    #[serde(default)]
    pub interval_days: i64,
    /// Last day of keep-alive contact, YYYY-MM-DD, today or later.
    #[serde(default)]
    pub until: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaakvlamDue {
    pub household_id: String,
    pub address: String,
    pub due_on: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvaluationDue {
    pub household_id: String,
    pub address: String,
    pub goal_id: String,
    pub goal: String,
    pub due_on: String,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanNotAgreed {
    pub household_id: String,
    pub address: String,
    pub version: i64,
    /// not_agreed or changed_since_agreement.
    #[schema(value_type = String)]
    pub state: AgreementState,
}

/// What the caller should do soon.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Worklist {
    /// Goal evaluations due this week (up to Sunday) or overdue, oldest first.
    pub evaluations_due: Vec<EvaluationDue>,
    /// Keep-alive contacts due this week or overdue, most urgent first.
    pub waakvlam_due: Vec<WaakvlamDue>,
    /// Plans whose current version the household has not agreed to.
    pub plans_not_agreed: Vec<PlanNotAgreed>,
}

impl App {
    /// Set (or change) keep-alive contact for the open trajectory; a contact restarts the interval.
    pub async fn set_waakvlam(
        &self,
        actor: &Actor,
        household_id: &str,
        input: &WaakvlamInput,
    ) -> AppResult<()> {
        // Steering the trajectory is for its regisseur and coordinator.
        self.precheck(actor, household_id, Action::ChangeStatus)
            .await?;
        let today = today();
        let mut errors = FieldErrors::new();
        if !(1..=365).contains(&input.interval_days) {
            errors.add("interval_days", FieldError::NotAllowed);
        }
        let until = errors.check(
            "until",
            spil_domain::field::date(&input.until).and_then(|d| {
                if d < today {
                    Err(FieldError::NotAllowed)
                } else {
                    Ok(d)
                }
            }),
        );
        errors.into_result()?;
        let Some(until) = until else {
            return Err(AppError::Internal("validated fields missing".into()));
        };
        let tx = self.store().begin().await?;
        let (mut tx, _) = self
            .authorize_write(tx, actor, household_id, Action::ChangeStatus)
            .await?;
        let trajectory = trajectories::open(&mut tx, household_id)
            .await?
            .ok_or_else(crate::households::no_open_trajectory)?;
        waakvlam::set(
            &mut tx,
            &trajectory.id,
            household_id,
            input.interval_days,
            &today.to_string(),
            &until.to_string(),
            &actor.user_id,
            now_micros(),
        )
        .await?;
        let mut journal = Entries::household(&actor.user_id, household_id);
        journal.add(
            "waakvlam.set",
            format!("Waakvlamcontact: elke {} dagen, tot {}", input.interval_days, until.format("%d-%m-%Y")),
            serde_json::json!({ "trajectory_id": trajectory.id, "interval_days": input.interval_days, "until": until.to_string() }),
        );
        journal.write(&mut tx, self.journal_key()).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }

    /// The caller's worklist.
    pub async fn worklist(&self, actor: &Actor) -> AppResult<Worklist> {
        self.authorize(
            actor,
            &spil_domain::access::Subject::OwnLists,
            spil_domain::access::Action::Read,
            spil_domain::access::Purpose::Care,
            "read_worklist",
        )
        .await?;
        let today = today();
        let week_end = spil_domain::plan::end_of_week(today);
        let rows = {
            let mut conn = self.store().reader().await?;
            worklist::for_user(&mut conn, &actor.user_id, &week_end.to_string()).await?
        };
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let today_text = today.to_string();
        let mut list = Worklist {
            evaluations_due: Vec::new(),
            waakvlam_due: Vec::new(),
            plans_not_agreed: Vec::new(),
        };
        for r in rows {
            let address = format!("{} {}, {}", r.street, r.house_number, r.city);
            match r.kind.as_str() {
                "goal" => {
                    let due_on = r.due.unwrap_or_default();
                    list.evaluations_due.push(EvaluationDue {
                        address,
                        overdue: due_on < today_text,
                        household_id: r.household_id,
                        goal_id: r.goal_id.unwrap_or_default(),
                        goal: r.text.unwrap_or_default(),
                        due_on,
                    });
                }
                "plan" => {
                    let version = r.version.unwrap_or_default();
                    list.plans_not_agreed.push(PlanNotAgreed {
                        address,
                        household_id: r.household_id,
                        version,
                        state: AgreementState::of(version, r.agreed_version),
                    });
                }
                _ => {
                    let next = (|| {
                        next_due(
                            date(r.starts_on.as_deref()?)?,
                            r.last_contact.as_deref().and_then(date),
                            r.interval_days?,
                            date(r.until.as_deref()?)?,
                            today,
                        )
                    })();
                    if let Some(next) = next.filter(|n| due_this_week(*n, today)) {
                        list.waakvlam_due.push(WaakvlamDue {
                            address,
                            household_id: r.household_id,
                            due_on: next.due_on.to_string(),
                            overdue: next.overdue,
                        });
                    }
                }
            }
        }
        // Goals and plans come in order; a keep-alive's due date is computed here.
        list.waakvlam_due.sort_by(|a, b| a.due_on.cmp(&b.due_on));
        Ok(list)
    }
}
