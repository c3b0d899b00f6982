//! "Ons plan": the household's one plan — reading it, changing it with the household, their
//! agreement, evaluating goals, the versions and what changed, and the paper version.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use spil_app::plan::*;
use spil_app::views::HouseholdView;
use spil_app::AppError;
use spil_domain::plan::{ActorKind, AgreementHow, AgreementState, NextStep, Outcome};
use spil_domain::FieldErrors;

use super::forms::{
    dutch_date, household_title, optional, remap_rows, text, FieldView, FormErrors,
};
use super::{render, Layout, PageError, WebUser};
use crate::AppState;

/// Empty rows offered below the existing goals and actions.
const EXTRA_GOALS: usize = 2;
const EXTRA_ACTIONS: usize = 3;

struct Row {
    index: usize,
    id: String,
    /// A new row with nothing filled in: it may stay empty.
    empty: bool,
    fields: Vec<FieldView>,
}

struct GoalCard {
    id: String,
    number: usize,
    text: String,
    result: String,
    who: String,
    evaluate_on: String,
    status: String,
    open: bool,
    next_evaluation: Option<String>,
    actions: Vec<String>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    layout: Layout,
    household_id: String,
    title: String,
    plan: Option<PlanView>,
    state_label: String,
    state_class: &'static str,
    goals: Vec<GoalCard>,
    loose_actions: Vec<String>,
    errors: Vec<(String, String)>,
    goal_rows: Vec<Row>,
    action_rows: Vec<Row>,
    agreements_text: String,
    agreement_fields: Vec<FieldView>,
    /// Who agreed to the current version, in words.
    agreed_by: Vec<String>,
    outcomes: Vec<(String, String)>,
    next_steps: Vec<(String, String)>,
    today: String,
    versions: Vec<VersionView>,
    evaluations: Vec<EvaluationView>,
    /// What someone else changed since the revision a refused save started from.
    conflict: Vec<String>,
}

fn member_options(household: &HouseholdView) -> Vec<(String, String)> {
    household
        .members
        .iter()
        .filter(|m| m.valid_to.is_none())
        .map(|m| {
            (
                m.person_id.clone(),
                format!("{} {}", m.given_name, m.family_name),
            )
        })
        .collect()
}

/// "Who does it": a member by name, or one of the other kinds.
fn who_options(household: &HouseholdView) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = member_options(household)
        .into_iter()
        .map(|(id, name)| (format!("member:{id}"), name))
        .collect();
    options.extend(
        ActorKind::ALL
            .iter()
            .filter(|k| **k != ActorKind::Member)
            .map(|k| (k.key().to_owned(), k.label().to_owned())),
    );
    options
}

fn in_row(empty: bool, fields: Vec<FieldView>) -> Vec<FieldView> {
    fields.into_iter().map(|f| f.in_row(empty)).collect()
}

/// The form's values as the plan input, with the form rows that were filled in.
fn to_input(values: &HashMap<String, String>) -> (PlanInput, Vec<usize>, Vec<usize>) {
    let rows = |prefix: &str| {
        (0..spil_app::views::MAX_FORM_ROWS)
            .take_while(|i| values.contains_key(&format!("{prefix}{i}_id")))
            .collect::<Vec<_>>()
    };
    let goal_rows: Vec<usize> = rows("g")
        .into_iter()
        .filter(|i| {
            ["text", "result", "evaluate_on"]
                .iter()
                .any(|f| !text(values, &format!("g{i}_{f}")).is_empty())
        })
        .collect();
    let action_rows: Vec<usize> = rows("a")
        .into_iter()
        .filter(|i| !text(values, &format!("a{i}_text")).is_empty())
        .collect();
    let input = PlanInput {
        goals: goal_rows
            .iter()
            .map(|i| GoalInput {
                id: optional(values, &format!("g{i}_id")),
                person_id: optional(values, &format!("g{i}_person")).filter(|p| p != WHOLE_FAMILY),
                text: text(values, &format!("g{i}_text")),
                result: text(values, &format!("g{i}_result")),
                evaluate_on: text(values, &format!("g{i}_evaluate_on")),
            })
            .collect(),
        actions: action_rows
            .iter()
            .map(|i| {
                let who = text(values, &format!("a{i}_who"));
                let (kind, reference) = match who.strip_prefix("member:") {
                    Some(person) => ("member".to_owned(), Some(person.to_owned())),
                    None => (who, optional(values, &format!("a{i}_ref"))),
                };
                ActionInput {
                    id: optional(values, &format!("a{i}_id")),
                    goal_id: optional(values, &format!("a{i}_goal")),
                    text: text(values, &format!("a{i}_text")),
                    actor: ActorInput { kind, reference },
                    due: optional(values, &format!("a{i}_due")),
                    status: optional(values, &format!("a{i}_status")),
                }
            })
            .collect(),
        agreements: values
            .get("agreements")
            .map(|a| {
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        revision: values.get("revision").and_then(|r| r.trim().parse().ok()),
    };
    (input, goal_rows, action_rows)
}

/// The "Voor wie" choice for a goal of the whole family (no person id in the plan).
const WHOLE_FAMILY: &str = "gezin";

/// Form field name for an error path of the plan input (after rows were mapped back).
fn form_name(path: &str) -> String {
    let row = |list: &str, short: &str| {
        path.strip_prefix(&format!("{list}["))
            .and_then(|r| r.split_once("]."))
            .map(|(n, field)| {
                let field = match field {
                    "person_id" => "person",
                    "goal_id" => "goal",
                    "actor.kind" => "who",
                    "actor.ref" => "ref",
                    other => other,
                };
                format!("{short}{n}_{field}")
            })
    };
    row("goals", "g")
        .or_else(|| row("actions", "a"))
        .unwrap_or_else(|| {
            if path.starts_with("agreements") {
                "agreements".into()
            } else {
                path.to_owned()
            }
        })
}

struct Loaded {
    household: HouseholdView,
    plan: Option<PlanView>,
    versions: Vec<VersionView>,
    evaluations: Vec<EvaluationView>,
}

async fn load(state: &AppState, user: &WebUser, id: &str) -> Result<Loaded, PageError> {
    let actor = &user.session.actor;
    let err = |e| user.household_error(id, e);
    Ok(Loaded {
        household: state.app.household(actor, id).await.map_err(err)?,
        plan: state.app.plan(actor, id).await.map_err(err)?,
        versions: state.app.plan_versions(actor, id).await.map_err(err)?,
        evaluations: state.app.evaluations(actor, id).await.map_err(err)?,
    })
}

/// The page; `submitted` re-fills the plan form after refused input, with its errors.
fn build(
    layout: Layout,
    loaded: Loaded,
    submitted: Option<(&HashMap<String, String>, &FieldErrors)>,
) -> PlanPage {
    let Loaded {
        household,
        plan,
        versions,
        evaluations,
    } = loaded;
    let members = member_options(&household);
    // "Voor wie" starts unchosen: the whole family is a choice, not a default.
    let mut for_options = vec![
        (String::new(), "Kies voor wie".to_owned()),
        (WHOLE_FAMILY.to_owned(), "Het hele gezin".to_owned()),
    ];
    for_options.extend(members.iter().cloned());
    let who = who_options(&household);
    let status_options: Vec<(String, String)> = spil_domain::plan::ActionStatus::ALL
        .iter()
        .map(|s| (s.key().to_owned(), s.label().to_owned()))
        .collect();

    // The saved plan as form values, unless refused input is shown again.
    let mut values: HashMap<String, String> = HashMap::new();
    let (goal_count, action_count) = match (submitted, &plan) {
        (Some((submitted, _)), _) => {
            values = submitted.clone();
            let count = |p: &str| {
                (0..spil_app::views::MAX_FORM_ROWS)
                    .take_while(|i| submitted.contains_key(&format!("{p}{i}_id")))
                    .count()
            };
            (count("g"), count("a"))
        }
        (None, Some(p)) => {
            for (i, g) in p.goals.iter().enumerate() {
                values.insert(format!("g{i}_id"), g.id.clone());
                values.insert(
                    format!("g{i}_person"),
                    g.person_id
                        .clone()
                        .unwrap_or_else(|| WHOLE_FAMILY.to_owned()),
                );
                values.insert(format!("g{i}_text"), g.text.clone());
                values.insert(format!("g{i}_result"), g.result.clone());
                values.insert(format!("g{i}_evaluate_on"), g.evaluate_on.clone());
            }
            for (i, a) in p.actions.iter().enumerate() {
                values.insert(format!("a{i}_id"), a.id.clone());
                values.insert(format!("a{i}_goal"), a.goal_id.clone().unwrap_or_default());
                values.insert(format!("a{i}_text"), a.text.clone());
                let (who, reference) = match (a.actor.kind, &a.actor.reference) {
                    (ActorKind::Member, Some(person)) => {
                        (format!("member:{person}"), String::new())
                    }
                    (kind, reference) => {
                        (kind.key().to_owned(), reference.clone().unwrap_or_default())
                    }
                };
                values.insert(format!("a{i}_who"), who);
                values.insert(format!("a{i}_ref"), reference);
                values.insert(format!("a{i}_due"), a.due.clone().unwrap_or_default());
                values.insert(format!("a{i}_status"), a.status.key().to_owned());
            }
            values.insert("agreements".into(), p.agreements.join("\n"));
            (p.goals.len() + EXTRA_GOALS, p.actions.len() + EXTRA_ACTIONS)
        }
        (None, None) => (EXTRA_GOALS + 1, EXTRA_ACTIONS + 1),
    };
    let form_errors = submitted
        .map(|(_, errors)| FormErrors::new(errors, form_name))
        .unwrap_or_default();
    // New goal rows get their id now, so an action can be linked to a goal written in the
    // same save; a row left empty is dropped and its id never used.
    let saved_ids: HashSet<String> = plan
        .iter()
        .flat_map(|p| p.goals.iter().map(|g| g.id.clone()))
        .collect();
    for i in 0..goal_count {
        let key = format!("g{i}_id");
        if values.get(&key).is_none_or(|v| v.is_empty()) {
            values.insert(key, spil_app::new_id());
        }
    }
    let row_empty = |prefix: &str, i: usize, fields: &[&str]| {
        let id = values
            .get(&format!("{prefix}{i}_id"))
            .cloned()
            .unwrap_or_default();
        (prefix != "g" || !saved_ids.contains(&id))
            && (prefix != "a" || id.is_empty())
            && fields.iter().all(|f| {
                values
                    .get(&format!("{prefix}{i}_{f}"))
                    .is_none_or(|v| v.trim().is_empty())
            })
    };
    let goal_options: Vec<(String, String)> =
        std::iter::once((String::new(), "Geen doel".to_owned()))
            .chain((0..goal_count).map(|i| {
                let id = values.get(&format!("g{i}_id")).cloned().unwrap_or_default();
                let text = values
                    .get(&format!("g{i}_text"))
                    .map(|t| t.trim())
                    .unwrap_or("");
                let label = if text.is_empty() {
                    format!("Doel {} (het doel dat u hierboven invult)", i + 1)
                } else {
                    format!("Doel {}: {text}", i + 1)
                };
                (id, label)
            }))
            .collect();
    let fill = |mut f: FieldView| {
        if let Some(v) = values.get(&f.name) {
            f.value = v.clone();
        }
        f.error = form_errors.of(&f.name);
        f
    };
    let goal_rows: Vec<Row> = (0..goal_count)
        .map(|i| (i, row_empty("g", i, &["text", "result", "evaluate_on"])))
        .map(|(i, empty)| Row {
            index: i,
            id: values.get(&format!("g{i}_id")).cloned().unwrap_or_default(),
            empty,
            fields: in_row(
                empty,
                vec![
                    fill(
                        FieldView::new(
                            format!("g{i}_text"),
                            "Het doel, in de woorden van het gezin",
                            "text",
                        )
                        .required(),
                    ),
                    fill(
                        FieldView::new(
                            format!("g{i}_result"),
                            "Zo weten we dat het gelukt is",
                            "text",
                        )
                        .required(),
                    ),
                    fill(
                        FieldView::new(format!("g{i}_person"), "Voor wie", "select")
                            .required()
                            .options(for_options.clone()),
                    ),
                    fill(
                        FieldView::new(format!("g{i}_evaluate_on"), "Samen terugkijken op", "date")
                            .required()
                            .hint("Kies een datum waarop u samen bekijkt of het doel bereikt is."),
                    ),
                ],
            ),
        })
        .collect();
    let action_rows: Vec<Row> = (0..action_count)
        .map(|i| (i, row_empty("a", i, &["text"])))
        .map(|(i, empty)| Row {
            index: i,
            id: values.get(&format!("a{i}_id")).cloned().unwrap_or_default(),
            empty,
            fields: in_row(
                empty,
                vec![
                    fill(FieldView::new(format!("a{i}_text"), "Wat gebeurt er", "text").required()),
                    fill(
                        FieldView::new(format!("a{i}_who"), "Wie doet het", "select")
                            .required()
                            .options(who.clone()),
                    ),
                    fill(
                        FieldView::new(format!("a{i}_ref"), "Naam of organisatie", "text")
                            .hint("Niet nodig als het iemand uit het gezin is."),
                    ),
                    fill(
                        FieldView::new(format!("a{i}_goal"), "Bij welk doel", "select")
                            .options(goal_options.clone()),
                    ),
                    fill(FieldView::new(format!("a{i}_due"), "Klaar op", "date")),
                    fill(
                        FieldView::new(format!("a{i}_status"), "Stand", "select")
                            .options(status_options.clone()),
                    ),
                ],
            ),
        })
        .collect();

    let today = spil_app::today().to_string();
    // Each member agrees once per version: those who did are not offered again.
    let agreed: Vec<&str> = plan
        .iter()
        .flat_map(|p| p.agreed_by.iter().map(|a| a.by_person_id.as_str()))
        .collect();
    let not_yet: Vec<(String, String)> = members
        .iter()
        .filter(|(id, _)| !agreed.contains(&id.as_str()))
        .cloned()
        .collect();
    let agreed_by: Vec<String> = plan
        .iter()
        .flat_map(|p| {
            p.agreed_by.iter().map(|a| {
                format!(
                    "{} op {} ({})",
                    a.by_name,
                    super::forms::dutch_date(&a.date),
                    a.how.label().to_lowercase()
                )
            })
        })
        .collect();
    let agreement_fields = vec![
        FieldView::new("by_person_id", "Wie gaf akkoord", "select")
            .required()
            .options(not_yet),
        FieldView::new("how", "Hoe", "select").required().options(
            AgreementHow::ALL
                .iter()
                .map(|h| (h.key().to_owned(), h.label().to_owned()))
                .collect(),
        ),
        {
            let mut f = FieldView::new("date", "Datum van het akkoord", "date").required();
            f.value = today.clone();
            f
        },
    ];

    let (state_label, state_class) = match &plan {
        None => ("Nog geen plan".to_owned(), "state-none"),
        Some(p) => match (p.state, &p.agreement, &p.previous_agreement) {
            (AgreementState::Agreed, Some(a), _) => (
                format!(
                    "Akkoord: {} op {} ({})",
                    a.by_name,
                    dutch_date(&a.date),
                    a.how.label().to_lowercase()
                ),
                "state-agreed",
            ),
            (AgreementState::ChangedSinceAgreement, _, Some(a)) => (
                format!(
                    "Gewijzigd na akkoord: versie {} is nog niet besproken (akkoord op versie {} door {})",
                    p.version, a.version, a.by_name
                ),
                "state-changed",
            ),
            (state, _, _) => (state.label().to_owned(), "state-open"),
        },
    };
    let goals = plan
        .iter()
        .flat_map(|p| {
            p.goals.iter().enumerate().map(|(n, g)| GoalCard {
                id: g.id.clone(),
                number: n + 1,
                text: g.text.clone(),
                result: g.result.clone(),
                who: g
                    .person_name
                    .clone()
                    .unwrap_or_else(|| "het hele gezin".into()),
                evaluate_on: dutch_date(&g.evaluate_on),
                status: g.status.label().to_owned(),
                open: g.status.key() == "open",
                next_evaluation: g.next_evaluation_on.as_deref().map(dutch_date),
                actions: p
                    .actions
                    .iter()
                    .filter(|a| a.goal_id.as_deref() == Some(g.id.as_str()))
                    .map(action_line)
                    .collect(),
            })
        })
        .collect();
    let loose_actions = plan
        .iter()
        .flat_map(|p| {
            p.actions
                .iter()
                .filter(|a| a.goal_id.is_none())
                .map(action_line)
        })
        .collect();
    let household_id = household.id.clone();
    PlanPage {
        layout,
        title: household_title(&household),
        household_id,
        state_label,
        state_class,
        goals,
        loose_actions,
        errors: form_errors.summary_in_order(
            goal_rows
                .iter()
                .flat_map(|r| {
                    r.fields.iter().map(move |f| {
                        (
                            f.name.as_str(),
                            format!("Doel {}, {}", r.index + 1, f.label),
                        )
                    })
                })
                .chain(action_rows.iter().flat_map(|r| {
                    r.fields.iter().map(move |f| {
                        (
                            f.name.as_str(),
                            format!("Actie {}, {}", r.index + 1, f.label),
                        )
                    })
                }))
                .collect::<Vec<_>>(),
        ),
        goal_rows,
        action_rows,
        agreements_text: values.get("agreements").cloned().unwrap_or_default(),
        agreement_fields,
        agreed_by,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.key().to_owned(), o.label().to_owned()))
            .collect(),
        next_steps: NextStep::ALL
            .iter()
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        today,
        versions: versions.into_iter().rev().collect(),
        evaluations,
        plan,
        conflict: Vec::new(),
    }
}

/// Template filters: `{{ date|nl_date }}` shows an ISO date day-first.
mod filters {
    pub fn nl_date<T: std::fmt::Display>(iso: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::dutch_date(&iso.to_string()))
    }
}

fn action_line(a: &ActionView) -> String {
    let due = a
        .due
        .as_deref()
        .map(|d| format!(", klaar op {}", dutch_date(d)))
        .unwrap_or_default();
    format!(
        "{}: {}{due} ({})",
        a.actor.name,
        a.text,
        a.status.label().to_lowercase()
    )
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::extract::Query(saved): axum::extract::Query<super::SavedQuery>,
) -> Result<Response, PageError> {
    let loaded = load(&state, &user, &id).await?;
    let layout = Layout {
        notice: saved.notice(),
        ..Layout::for_session(&user.session, "")
    };
    Ok(render(&build(layout, loaded, None))?.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_form(&values)?;
    let (input, goal_rows, action_rows) = to_input(&values);
    // A goal says for whom it is (a member, or the whole family) before anything is written.
    let mut unchosen = spil_domain::FieldErrors::new();
    for (n, i) in goal_rows.iter().enumerate() {
        if text(&values, &format!("g{i}_person")).is_empty() {
            unchosen.add(
                format!("goals[{n}].person_id"),
                spil_domain::FieldError::Required,
            );
        }
    }
    let saved = if unchosen.is_empty() {
        state.app.save_plan(&user.session.actor, &id, &input).await
    } else {
        Err(AppError::Invalid(unchosen))
    };
    match saved {
        Ok(_) => {
            Ok(Redirect::to(&format!("/huishoudens/{id}/plan?opgeslagen=plan")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors = remap_rows(
                remap_rows(errors, "goals", &goal_rows),
                "actions",
                &action_rows,
            );
            let loaded = load(&state, &user, &id).await?;
            let layout = Layout::for_session(&user.session, "");
            let page = render(&build(layout, loaded, Some((&values, &errors))))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict {
            code: "concurrent_change",
            ..
        }) => {
            let changes = match input.revision {
                Some(base) => state
                    .app
                    .plan_changes_since(&user.session.actor, &id, base)
                    .await
                    .map_err(|e| user.household_error(&id, e))?,
                None => Vec::new(),
            };
            let loaded = load(&state, &user, &id).await?;
            let layout = Layout::for_session(&user.session, "");
            let mut page = build(layout, loaded, Some((&values, &Default::default())));
            page.conflict = if changes.is_empty() {
                vec!["Het plan is opnieuw opgeslagen door iemand anders.".into()]
            } else {
                changes.into_iter().map(|c| c.text).collect()
            };
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(other) => Err(user.household_error(&id, other)),
    }
}

pub async fn agree(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    user.check_form(&values)?;
    let input = AgreementInput {
        date: text(&values, "date"),
        how: text(&values, "how"),
        by_person_id: text(&values, "by_person_id"),
        revision: values.get("revision").and_then(|r| r.trim().parse().ok()),
    };
    state
        .app
        .agree_plan(&user.session.actor, &id, &input)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    Ok(Redirect::to(&format!(
        "/huishoudens/{id}/plan?opgeslagen=akkoord#akkoord-stand"
    )))
}

pub async fn evaluate(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    user.check_form(&values)?;
    let input = EvaluationInput {
        goal_id: text(&values, "goal_id"),
        outcome: text(&values, "outcome"),
        next_step: text(&values, "next_step"),
        note: optional(&values, "note"),
        date: optional(&values, "date"),
        next_evaluate_on: optional(&values, "next_evaluate_on"),
    };
    let result = state
        .app
        .evaluate(&user.session.actor, &id, &input)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    // A new proposal after scaling is weighed on the intake page.
    Ok(Redirect::to(&match result.triage {
        Some(_) => format!("/huishoudens/{id}/uitvraag?opgeslagen=evaluatie#voorstel"),
        None => format!("/huishoudens/{id}/plan?opgeslagen=evaluatie#doelen"),
    }))
}

pub async fn pdf(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    crate::api::plan_pdf_response(&state, &user.session.actor, &id)
        .await
        .map_err(|e| user.household_error(&id, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_rows_are_skipped_and_who_splits_into_kind_and_reference() {
        let values: HashMap<String, String> = [
            ("g0_id", "g-a"),
            ("g0_text", ""),
            ("g0_result", ""),
            ("g0_evaluate_on", ""),
            ("g1_id", ""),
            ("g1_text", "Rust in huis"),
            ("a0_id", ""),
            ("a0_text", "Post openen"),
            ("a0_who", "member:p1"),
            ("a1_id", ""),
            ("a1_text", "Schuldhulp"),
            ("a1_who", "partner"),
            ("a1_ref", "Humanitas"),
            ("agreements", "Alles op papier\n\n  Elke maandag bellen "),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (input, goals, actions) = to_input(&values);
        assert_eq!(goals, vec![1]);
        assert_eq!(actions, vec![0, 1]);
        assert_eq!(input.actions[0].actor.kind, "member");
        assert_eq!(input.actions[0].actor.reference.as_deref(), Some("p1"));
        assert_eq!(
            input.actions[1].actor.reference.as_deref(),
            Some("Humanitas")
        );
        assert_eq!(
            input.agreements,
            vec!["Alles op papier", "Elke maandag bellen"]
        );
        assert_eq!(form_name("goals[1].evaluate_on"), "g1_evaluate_on");
        assert_eq!(form_name("actions[0].actor.kind"), "a0_who");
    }
}
