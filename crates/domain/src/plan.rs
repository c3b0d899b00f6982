//! One household plan (één gezin, één plan): goals in the household's own words, who does
//! what, written agreements; versions once the household agreed, and the evaluation cycle.

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::closed_set;
use crate::{FieldError, FieldErrors};

closed_set! {
    /// Where a goal stands. Evaluations move it; the plan itself does not.
    GoalStatus {
        Open => "open", "Loopt nog";
        Reached => "reached", "Bereikt";
        Partly => "partly", "Deels bereikt";
        NotReached => "not_reached", "Niet bereikt";
        Dropped => "dropped", "Vervallen";
    }
}

closed_set! {
    /// Where an action stands.
    ActionStatus {
        Open => "open", "Nog te doen";
        Done => "done", "Gedaan";
        Dropped => "dropped", "Vervallen";
    }
}

closed_set! {
    /// Who does an action: the household and its network come first.
    ActorKind {
        Member => "member", "Iemand uit het gezin";
        Network => "network", "Iemand uit het netwerk";
        Professional => "professional", "Iemand van het team";
        Partner => "partner", "Een partnerorganisatie";
        Specialist => "specialist", "Een specialist";
    }
}

closed_set! {
    /// How the household agreed to the plan.
    AgreementHow {
        SignedPaper => "signed_paper", "Op papier ondertekend";
        Digital => "digital", "Digitaal akkoord";
        Verbal => "verbal", "Mondeling akkoord";
    }
}

closed_set! {
    /// What an evaluation found.
    Outcome {
        Reached => "reached", "Bereikt";
        Partly => "partly", "Deels bereikt";
        NotReached => "not_reached", "Niet bereikt";
        Dropped => "dropped", "Vervallen";
    }
}

closed_set! {
    /// What happens after an evaluation.
    NextStep {
        Continue => "continue", "Doorgaan";
        ScaleUp => "scale_up", "Opschalen";
        ScaleDown => "scale_down", "Afschalen";
        Close => "close", "Doel afsluiten";
    }
}

/// Days until the next evaluation when an evaluation continues a goal without naming a date.
pub const DEFAULT_EVALUATION_INTERVAL_DAYS: i64 = 42;

/// Who does an action; `reference` names the person (a member's id, or a name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doer {
    pub kind: ActorKind,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: String,
    /// None: the goal is for the whole household.
    pub person_id: Option<String>,
    /// In the household's own words.
    pub text: String,
    /// The concrete result that shows the goal is reached.
    pub result: String,
    pub evaluate_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub id: String,
    pub goal_id: Option<String>,
    pub text: String,
    pub doer: Doer,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
}

/// The content of one plan version: what the household agrees to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub goals: Vec<Goal>,
    pub actions: Vec<Action>,
    pub agreements: Vec<String>,
}

impl PlanContent {
    /// A plan without goals has nothing to agree to.
    pub fn is_empty(&self) -> bool {
        self.goals.is_empty()
    }
}

/// Items sent without an id keep the id of an unclaimed item of the current version with the
/// same content, so sending the same plan twice changes nothing. `generated` holds the ids
/// made up for items that came without one.
pub fn adopt_ids(new: &mut PlanContent, old: &PlanContent, generated: &HashSet<String>) {
    let mut claimed: HashSet<String> = new
        .goals
        .iter()
        .map(|g| g.id.clone())
        .filter(|id| !generated.contains(id))
        .collect();
    for goal in new.goals.iter_mut().filter(|g| generated.contains(&g.id)) {
        if let Some(same) = old.goals.iter().find(|o| {
            !claimed.contains(&o.id)
                && o.text == goal.text
                && o.result == goal.result
                && o.person_id == goal.person_id
        }) {
            goal.id = same.id.clone();
            claimed.insert(same.id.clone());
        }
    }
    let mut claimed: HashSet<String> = new
        .actions
        .iter()
        .map(|a| a.id.clone())
        .filter(|id| !generated.contains(id))
        .collect();
    for action in new.actions.iter_mut().filter(|a| generated.contains(&a.id)) {
        if let Some(same) = old.actions.iter().find(|o| {
            !claimed.contains(&o.id)
                && o.text == action.text
                && o.doer == action.doer
                && o.goal_id == action.goal_id
        }) {
            action.id = same.id.clone();
            claimed.insert(same.id.clone());
        }
    }
}

/// What a plan is checked against.
pub struct PlanContext<'a> {
    /// Current members of the household.
    pub members: &'a [String],
    /// The plan's first day (today for a new plan).
    pub started_on: NaiveDate,
    /// Goal ids that belong to another household (ids are global).
    pub foreign_goal_ids: &'a HashSet<String>,
}

/// The rules that span fields: goals for members only, evaluation dates from the start, unique
/// ids, and actions only for goals of this plan. Field paths match the API input.
pub fn check(content: &PlanContent, ctx: &PlanContext<'_>) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let mut goal_ids = HashSet::new();
    for (i, goal) in content.goals.iter().enumerate() {
        if ctx.foreign_goal_ids.contains(&goal.id) || !goal_ids.insert(goal.id.as_str()) {
            errors.add(format!("goals[{i}].id"), FieldError::NotAllowed);
        }
        if let Some(person) = &goal.person_id {
            if !ctx.members.contains(person) {
                errors.add(format!("goals[{i}].person_id"), FieldError::NotAMember);
            }
        }
        if goal.evaluate_on < ctx.started_on {
            errors.add(
                format!("goals[{i}].evaluate_on"),
                FieldError::BeforePlanStart,
            );
        }
    }
    let mut action_ids = HashSet::new();
    for (i, action) in content.actions.iter().enumerate() {
        if !action_ids.insert(action.id.as_str()) {
            errors.add(format!("actions[{i}].id"), FieldError::NotAllowed);
        }
        if let Some(goal) = &action.goal_id {
            if !goal_ids.contains(goal.as_str()) {
                errors.add(format!("actions[{i}].goal_id"), FieldError::UnknownGoal);
            }
        }
        if action.doer.kind == ActorKind::Member {
            match &action.doer.reference {
                Some(person) if ctx.members.contains(person) => {}
                _ => errors.add(format!("actions[{i}].actor.ref"), FieldError::NotAMember),
            }
        }
        if let Some(due) = action.due {
            if due < ctx.started_on {
                errors.add(format!("actions[{i}].due"), FieldError::BeforePlanStart);
            }
        }
    }
    errors
}

/// Where the household's agreement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementState {
    NotAgreed,
    ChangedSinceAgreement,
    Agreed,
}

impl AgreementState {
    pub fn of(current_version: i64, agreed_version: Option<i64>) -> Self {
        match agreed_version {
            None => AgreementState::NotAgreed,
            Some(v) if v < current_version => AgreementState::ChangedSinceAgreement,
            Some(_) => AgreementState::Agreed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AgreementState::NotAgreed => "Nog niet akkoord",
            AgreementState::ChangedSinceAgreement => "Gewijzigd na akkoord",
            AgreementState::Agreed => "Akkoord",
        }
    }
}

/// What saving a plan does to its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    /// Nothing changed.
    Unchanged,
    /// The first version.
    First,
    /// The version is not agreed yet: it is edited in place.
    Replace(i64),
    /// The household agreed to the current version: a change makes a new one.
    NewVersion(i64),
}

pub fn save(current: Option<(&PlanContent, i64, Option<i64>)>, new: &PlanContent) -> Save {
    match current {
        None => Save::First,
        Some((old, _, _)) if old == new => Save::Unchanged,
        Some((_, version, Some(agreed))) if agreed >= version => Save::NewVersion(version + 1),
        Some((_, version, _)) => Save::Replace(version),
    }
}

/// One difference between two versions, in plain Dutch for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `goal_added`, `goal_removed`, `goal_changed`, `action_added`, ... `agreement_removed`.
    pub kind: &'static str,
    pub text: String,
}

/// What changed from `old` to `new`: goals and actions matched by id, agreements by text.
pub fn diff(old: &PlanContent, new: &PlanContent) -> Vec<Change> {
    let mut changes = Vec::new();
    let old_goals: BTreeMap<&str, &Goal> = old.goals.iter().map(|g| (g.id.as_str(), g)).collect();
    let new_goal_ids: HashSet<&str> = new.goals.iter().map(|g| g.id.as_str()).collect();
    for goal in &new.goals {
        match old_goals.get(goal.id.as_str()) {
            None => changes.push(Change {
                kind: "goal_added",
                text: format!("Nieuw doel: {}", goal.text),
            }),
            Some(before) => {
                if before.text != goal.text {
                    changes.push(Change {
                        kind: "goal_changed",
                        text: format!("Doel \"{}\" heet nu \"{}\"", before.text, goal.text),
                    });
                }
                if before.result != goal.result {
                    changes.push(Change {
                        kind: "goal_changed",
                        text: format!(
                            "Doel \"{}\": resultaat was \"{}\", is nu \"{}\"",
                            goal.text, before.result, goal.result
                        ),
                    });
                }
                if before.evaluate_on != goal.evaluate_on {
                    changes.push(Change {
                        kind: "goal_changed",
                        text: format!(
                            "Doel \"{}\": evaluatie was {}, is nu {}",
                            goal.text,
                            dutch_date(before.evaluate_on),
                            dutch_date(goal.evaluate_on)
                        ),
                    });
                }
                if before.person_id != goal.person_id {
                    changes.push(Change {
                        kind: "goal_changed",
                        text: format!("Doel \"{}\" is nu voor iemand anders", goal.text),
                    });
                }
            }
        }
    }
    for goal in old
        .goals
        .iter()
        .filter(|g| !new_goal_ids.contains(g.id.as_str()))
    {
        changes.push(Change {
            kind: "goal_removed",
            text: format!("Doel weggehaald: {}", goal.text),
        });
    }

    let old_actions: BTreeMap<&str, &Action> =
        old.actions.iter().map(|a| (a.id.as_str(), a)).collect();
    let new_action_ids: HashSet<&str> = new.actions.iter().map(|a| a.id.as_str()).collect();
    for action in &new.actions {
        match old_actions.get(action.id.as_str()) {
            None => changes.push(Change {
                kind: "action_added",
                text: format!("Nieuwe actie: {}", action.text),
            }),
            Some(before) => {
                if before.text != action.text {
                    changes.push(Change {
                        kind: "action_changed",
                        text: format!("Actie \"{}\" heet nu \"{}\"", before.text, action.text),
                    });
                }
                if before.doer != action.doer {
                    changes.push(Change {
                        kind: "action_changed",
                        text: format!(
                            "Actie \"{}\": nu gedaan door {}",
                            action.text,
                            action.doer.kind.label().to_lowercase()
                        ),
                    });
                }
                if before.due != action.due {
                    changes.push(Change {
                        kind: "action_changed",
                        text: format!(
                            "Actie \"{}\": klaar op {}",
                            action.text,
                            action
                                .due
                                .map(dutch_date)
                                .unwrap_or_else(|| "geen datum".into())
                        ),
                    });
                }
                if before.status != action.status {
                    changes.push(Change {
                        kind: "action_changed",
                        text: format!(
                            "Actie \"{}\": {}",
                            action.text,
                            action.status.label().to_lowercase()
                        ),
                    });
                }
                if before.goal_id != action.goal_id {
                    changes.push(Change {
                        kind: "action_changed",
                        text: format!("Actie \"{}\" hoort nu bij een ander doel", action.text),
                    });
                }
            }
        }
    }
    for action in old
        .actions
        .iter()
        .filter(|a| !new_action_ids.contains(a.id.as_str()))
    {
        changes.push(Change {
            kind: "action_removed",
            text: format!("Actie weggehaald: {}", action.text),
        });
    }

    for agreement in new
        .agreements
        .iter()
        .filter(|a| !old.agreements.contains(a))
    {
        changes.push(Change {
            kind: "agreement_added",
            text: format!("Nieuwe afspraak: {agreement}"),
        });
    }
    for agreement in old
        .agreements
        .iter()
        .filter(|a| !new.agreements.contains(a))
    {
        changes.push(Change {
            kind: "agreement_removed",
            text: format!("Afspraak weggehaald: {agreement}"),
        });
    }
    changes
}

/// What an evaluation does to its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterEvaluation {
    /// The goal is finished with this status.
    Closed(GoalStatus),
    /// The goal stays open and is evaluated again on this date.
    EvaluateAgain(NaiveDate),
}

/// A goal closes when the next step says so, or when it was reached or dropped; otherwise it
/// is evaluated again (by default six weeks on).
pub fn after_evaluation(
    outcome: Outcome,
    next_step: NextStep,
    evaluated_on: NaiveDate,
    next_evaluation: Option<NaiveDate>,
) -> AfterEvaluation {
    let closes =
        next_step == NextStep::Close || matches!(outcome, Outcome::Reached | Outcome::Dropped);
    if closes {
        AfterEvaluation::Closed(match outcome {
            Outcome::Reached => GoalStatus::Reached,
            Outcome::Partly => GoalStatus::Partly,
            Outcome::NotReached => GoalStatus::NotReached,
            Outcome::Dropped => GoalStatus::Dropped,
        })
    } else {
        AfterEvaluation::EvaluateAgain(
            next_evaluation
                .unwrap_or(evaluated_on + Duration::days(DEFAULT_EVALUATION_INTERVAL_DAYS)),
        )
    }
}

/// Whether the next step asks for a new triage proposal.
pub fn rescales(next_step: NextStep) -> bool {
    matches!(next_step, NextStep::ScaleUp | NextStep::ScaleDown)
}

/// The Sunday that ends `today`'s week.
pub fn end_of_week(today: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()))
}

/// Due this week (Monday to Sunday of `today`'s week) or earlier.
pub fn due_by_end_of_week(date: NaiveDate, today: NaiveDate) -> bool {
    date <= end_of_week(today)
}

/// 3 maart 2027.
pub fn dutch_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn goal(id: &str, text: &str) -> Goal {
        Goal {
            id: id.into(),
            person_id: None,
            text: text.into(),
            result: "Resultaat".into(),
            evaluate_on: d(2027, 3, 1),
        }
    }

    fn action(id: &str, goal_id: Option<&str>, kind: ActorKind, reference: Option<&str>) -> Action {
        Action {
            id: id.into(),
            goal_id: goal_id.map(Into::into),
            text: "Bellen".into(),
            doer: Doer {
                kind,
                reference: reference.map(Into::into),
            },
            due: None,
            status: ActionStatus::Open,
        }
    }

    fn plan() -> PlanContent {
        PlanContent {
            goals: vec![goal("g1", "Rust in huis")],
            actions: vec![action("a1", Some("g1"), ActorKind::Member, Some("p1"))],
            agreements: vec!["We bellen elke maandag".into()],
        }
    }

    #[test]
    fn check_refuses_foreign_goals_unknown_members_and_dates_before_the_start() {
        let members = vec!["p1".to_owned()];
        let foreign: HashSet<String> = ["other".to_owned()].into();
        let ctx = PlanContext {
            members: &members,
            started_on: d(2027, 1, 1),
            foreign_goal_ids: &foreign,
        };
        assert!(check(&plan(), &ctx).is_empty());

        let mut bad = plan();
        bad.goals.push(Goal {
            person_id: Some("stranger".into()),
            evaluate_on: d(2026, 12, 31),
            ..goal("other", "Werk")
        });
        bad.actions
            .push(action("a2", Some("elsewhere"), ActorKind::Member, None));
        bad.actions
            .push(action("a2", None, ActorKind::Partner, Some("Humanitas")));
        let errors = check(&bad, &ctx);
        let codes: Vec<(&str, &str)> = errors.iter().map(|(p, e)| (p.as_str(), e.code())).collect();
        assert_eq!(
            codes,
            vec![
                ("actions[1].actor.ref", "not_a_member"),
                ("actions[1].goal_id", "unknown_goal"),
                ("actions[2].id", "not_allowed"),
                ("goals[1].evaluate_on", "before_plan_start"),
                ("goals[1].id", "not_allowed"),
                ("goals[1].person_id", "not_a_member"),
            ]
        );
    }

    #[test]
    fn versions_are_replaced_until_agreed_and_added_after() {
        let old = plan();
        let mut new = plan();
        new.agreements.push("Oma haalt Fenna op".into());
        assert_eq!(save(None, &new), Save::First);
        assert_eq!(save(Some((&old, 1, None)), &old), Save::Unchanged);
        assert_eq!(save(Some((&old, 1, None)), &new), Save::Replace(1));
        assert_eq!(save(Some((&old, 1, Some(1))), &new), Save::NewVersion(2));
        // Changed after agreement (version 2 not agreed yet): edit version 2 in place.
        assert_eq!(save(Some((&old, 2, Some(1))), &new), Save::Replace(2));
        assert_eq!(
            AgreementState::of(2, Some(1)),
            AgreementState::ChangedSinceAgreement
        );
        assert_eq!(AgreementState::of(2, Some(2)), AgreementState::Agreed);
        assert_eq!(AgreementState::of(1, None), AgreementState::NotAgreed);
    }

    #[test]
    fn items_without_ids_keep_the_ids_of_the_same_items() {
        let old = plan();
        let mut new = plan();
        new.actions[0].id = "fresh".into();
        new.actions.push(action(
            "fresh2",
            None,
            ActorKind::Partner,
            Some("Humanitas"),
        ));
        let generated: HashSet<String> = ["fresh".to_owned(), "fresh2".to_owned()].into();
        adopt_ids(&mut new, &old, &generated);
        assert_eq!(new.actions[0].id, "a1", "same action, same id");
        assert_eq!(new.actions[1].id, "fresh2", "a new action keeps its new id");
    }

    #[test]
    fn diff_names_what_was_added_changed_and_removed() {
        let old = plan();
        let mut new = plan();
        new.goals[0].evaluate_on = d(2027, 4, 1);
        new.goals.push(goal("g2", "Werk vinden"));
        new.actions.clear();
        new.agreements = vec!["Oma haalt Fenna op".into()];
        let kinds: Vec<&str> = diff(&old, &new).iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            vec![
                "goal_changed",
                "goal_added",
                "action_removed",
                "agreement_added",
                "agreement_removed"
            ]
        );
        let texts: Vec<String> = diff(&old, &new).into_iter().map(|c| c.text).collect();
        assert!(texts[0].contains("1 maart 2027") && texts[0].contains("1 april 2027"));
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn an_evaluation_closes_or_continues_the_goal() {
        let on = d(2028, 1, 18);
        assert_eq!(
            after_evaluation(Outcome::Reached, NextStep::ScaleDown, on, None),
            AfterEvaluation::Closed(GoalStatus::Reached)
        );
        assert_eq!(
            after_evaluation(Outcome::Partly, NextStep::Close, on, None),
            AfterEvaluation::Closed(GoalStatus::Partly)
        );
        // Six weeks on, across February of a leap year.
        assert_eq!(
            after_evaluation(Outcome::Partly, NextStep::Continue, on, None),
            AfterEvaluation::EvaluateAgain(d(2028, 2, 29))
        );
        assert_eq!(
            after_evaluation(
                Outcome::NotReached,
                NextStep::ScaleUp,
                on,
                Some(d(2028, 2, 1))
            ),
            AfterEvaluation::EvaluateAgain(d(2028, 2, 1))
        );
        assert!(rescales(NextStep::ScaleUp) && !rescales(NextStep::Continue));
    }

    #[test]
    fn due_this_week_runs_to_sunday_across_month_and_year_ends() {
        // Wednesday 30 December 2026: the week ends Sunday 3 January 2027.
        let today = d(2026, 12, 30);
        assert!(due_by_end_of_week(d(2027, 1, 3), today));
        assert!(!due_by_end_of_week(d(2027, 1, 4), today));
        assert!(due_by_end_of_week(d(2026, 11, 1), today), "overdue counts");
        // Sunday 28 February 2027 is itself the last day of its week.
        assert!(due_by_end_of_week(d(2027, 2, 28), d(2027, 2, 28)));
        assert!(!due_by_end_of_week(d(2027, 3, 1), d(2027, 2, 28)));
        assert_eq!(dutch_date(d(2028, 2, 29)), "29 februari 2028");
    }
}
