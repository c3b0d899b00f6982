//! "Brede uitvraag": the intake conversation, the life-domain scores with their trends, and
//! the triage proposal next to the decision — one calm page per household.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use spil_app::intake::*;
use spil_app::AppError;
use spil_domain::policy::DomainFor;

use super::charts::score_trend;
use super::forms::{dutch_date, household_title, text};
use super::{render, Layout, PageError, WebUser};
use crate::AppState;

const NETWORK_ROWS: usize = 3;

/// Per domain, (date, score) from old to new.
type ScoreHistory<'a> = BTreeMap<&'a str, Vec<(String, i64)>>;

struct PersonForm {
    index: usize,
    person_id: String,
    name: String,
    legend: String,
    question: String,
    result: String,
    norm: &'static str,
    norm_why: String,
    slow: &'static str,
    slow_why: String,
}

struct NetworkRow {
    index: usize,
    number: usize,
    name: String,
    relation: String,
    help: String,
}

pub struct Trend {
    pub domain: String,
    pub svg: String,
    pub change: String,
}

/// Per person, per domain: the scores over time as a chart, and what changed since the
/// previous assessment.
pub fn trends_per_person(
    policy: &spil_domain::policy::Policy,
    assessments: &[AssessmentView],
) -> HashMap<String, Vec<Trend>> {
    let mut history: HashMap<&str, ScoreHistory> = HashMap::new();
    for a in assessments.iter().rev() {
        for (domain, score) in &a.scores {
            history
                .entry(a.person_id.as_str())
                .or_default()
                .entry(domain.as_str())
                .or_default()
                .push((dutch_date(&a.date), *score));
        }
    }
    history
        .into_iter()
        .map(|(person, per_domain)| {
            let trends = per_domain
                .iter()
                .map(|(domain, scores)| {
                    let name = policy
                        .domain(domain)
                        .map_or_else(|| (*domain).to_owned(), |d| d.name.clone());
                    let change = match scores.as_slice() {
                        [.., (_, before), (_, now)] if now > before => {
                            format!("beter: {before} → {now}")
                        }
                        [.., (_, before), (_, now)] if now < before => {
                            format!("slechter: {before} → {now}")
                        }
                        [.., (_, _), (_, now)] => format!("gelijk: {now}"),
                        _ => "eerste score".to_owned(),
                    };
                    Trend {
                        svg: score_trend(&name, scores),
                        domain: name,
                        change,
                    }
                })
                .collect();
            (person.to_owned(), trends)
        })
        .collect()
}

struct ScoreForm {
    /// The person's place in the form's `sc{index}_…` fields.
    index: usize,
    person_id: String,
    name: String,
    legend: String,
    domains: Vec<(String, String)>,
    trends: Vec<Trend>,
}

struct TriageBox {
    level: String,
    route: String,
    level_label: String,
    route_label: String,
    reasons: Vec<(String, String)>,
    /// Plain words for what nobody had recorded when this was proposed.
    unknown: Option<String>,
    decision: Option<String>,
}

/// "Er zijn nog geen scores en de veiligheid is niet beoordeeld": what a proposal could not weigh.
fn unknown_sentence(unknown: &[String]) -> Option<String> {
    let parts: Vec<&str> = unknown
        .iter()
        .filter_map(|u| match u.as_str() {
            "scores" => Some("er zijn nog geen scores op de leefgebieden"),
            "safety" => Some("de veiligheid is nog niet beoordeeld"),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "Let op: {}. Dit voorstel rust daarom op onvolledige gegevens. Vul de uitvraag aan en maak daarna een nieuw voorstel.",
        parts.join(" en ")
    ))
}

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage {
    layout: Layout,
    household_id: String,
    title: String,
    today: String,
    persons: Vec<PersonForm>,
    network: Vec<NetworkRow>,
    causes: String,
    maintaining: String,
    connections: String,
    safety: String,
    safety_options: Vec<(String, String)>,
    /// The saved intake's revision, sent back with the form.
    revision: Option<i64>,
    modules: Vec<ModuleView>,
    score_forms: Vec<ScoreForm>,
    policy_name: String,
    triage: Option<TriageBox>,
    levels: Vec<(String, String)>,
    routes: Vec<(String, String)>,
}

/// A yes/no radio pair: "ja", "nee", or not answered (no radio chosen).
fn answer(values: &HashMap<String, String>, name: &str) -> Option<bool> {
    match text(values, name).as_str() {
        "ja" => Some(true),
        "nee" => Some(false),
        _ => None,
    }
}

fn yes_no(applies: Option<bool>) -> &'static str {
    match applies {
        Some(true) => "ja",
        Some(false) => "nee",
        None => "",
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::extract::Query(confirm): axum::extract::Query<super::SavedQuery>,
) -> Result<Html<String>, PageError> {
    let actor = &user.session.actor;
    let household = state
        .app
        .household(actor, &id)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    let intake = state
        .app
        .intake(actor, &id)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    let assessments = state
        .app
        .assessments(actor, &id)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    let triage = state
        .app
        .latest_triage(actor, &id)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    let policy = state
        .app
        .policy_for(actor.municipality_id.as_deref().unwrap_or_default());
    let saved = intake.as_ref().map(|i| &i.intake);

    let persons = household
        .members
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let p = saved.and_then(|s| s.persons.iter().find(|p| p.person_id == m.person_id));
            PersonForm {
                index,
                person_id: m.person_id.clone(),
                name: m.given_name.clone(),
                legend: format!("{} ({} jaar)", m.given_name, m.age),
                question: p.map(|p| p.question.clone()).unwrap_or_default(),
                result: p.map(|p| p.desired_result.clone()).unwrap_or_default(),
                norm: yes_no(p.and_then(|p| p.normalising.applies)),
                norm_why: p.map(|p| p.normalising.why.clone()).unwrap_or_default(),
                slow: yes_no(p.and_then(|p| p.slow_down_and_bear.applies)),
                slow_why: p
                    .map(|p| p.slow_down_and_bear.why.clone())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let network = (0..NETWORK_ROWS.max(saved.map_or(0, |s| s.network.len())))
        .map(|index| {
            let n = saved.and_then(|s| s.network.get(index));
            NetworkRow {
                index,
                number: index + 1,
                name: n.map(|n| n.name.clone()).unwrap_or_default(),
                relation: n.map(|n| n.relation.clone()).unwrap_or_default(),
                help: n.map(|n| n.can_help_with.clone()).unwrap_or_default(),
            }
        })
        .collect();

    let mut trends = trends_per_person(&policy, &assessments);
    let score_forms = household
        .members
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let child = m.age < 18;
            let domains = policy
                .domains
                .iter()
                .filter(|d| match d.applies_to {
                    DomainFor::All => true,
                    DomainFor::Children => child,
                    DomainFor::Adults => !child,
                })
                .map(|d| (d.key.clone(), d.name.clone()))
                .collect();
            let trends = trends.remove(&m.person_id).unwrap_or_default();
            ScoreForm {
                index,
                person_id: m.person_id.clone(),
                name: m.given_name.clone(),
                legend: format!("{} {} ({} jaar)", m.given_name, m.family_name, m.age),
                domains,
                trends,
            }
        })
        .collect();

    let label = |list: &[spil_domain::policy::Named], key: &str| {
        list.iter()
            .find(|n| n.key == key)
            .map_or_else(|| key.to_owned(), |n| n.name.clone())
    };
    let triage = triage.map(|t| TriageBox {
        unknown: unknown_sentence(&t.proposal.unknown),
        level_label: label(&policy.levels, &t.proposal.level),
        route_label: label(&policy.routes, &t.proposal.route),
        reasons: t
            .proposal
            .reasons
            .iter()
            .map(|r| (r.rule.clone(), r.text.clone()))
            .collect(),
        decision: match (&t.decided_level, &t.decided_route) {
            (Some(level), Some(route)) => Some(match &t.deviation_reason {
                Some(reason) => format!(
                    "Besloten: {} — {}, afwijkend van het voorstel. Reden: {reason}",
                    label(&policy.levels, level),
                    label(&policy.routes, route)
                ),
                None => format!(
                    "Besloten: voorstel bevestigd ({} — {}).",
                    label(&policy.levels, level),
                    label(&policy.routes, route)
                ),
            }),
            _ => None,
        },
        level: t.proposal.level,
        route: t.proposal.route,
    });
    let title = household_title(&household);
    render(&IntakePage {
        layout: Layout {
            notice: confirm.notice(),
            ..Layout::for_session(&user.session, "")
        },
        household_id: id,
        title,
        today: spil_app::today().format("%Y-%m-%d").to_string(),
        persons,
        network,
        causes: saved.map(|s| s.analysis.causes.clone()).unwrap_or_default(),
        maintaining: saved
            .map(|s| s.analysis.maintaining.clone())
            .unwrap_or_default(),
        connections: saved
            .map(|s| s.analysis.connections.clone())
            .unwrap_or_default(),
        // Nothing is chosen until someone chose: not assessed is its own state.
        safety: saved.map(|s| s.safety_level.clone()).unwrap_or_default(),
        safety_options: vec![
            ("geen_zorgen".into(), "Geen zorgen over veiligheid".into()),
            ("zorgen".into(), "Zorgen over veiligheid".into()),
            ("onveilig".into(), "Onveilig".into()),
            ("acuut_onveilig".into(), "Acuut onveilig".into()),
        ],
        revision: intake.as_ref().map(|i| i.revision),
        modules: intake.map(|i| i.modules).unwrap_or_default(),
        score_forms,
        policy_name: policy.name.clone(),
        triage,
        levels: policy
            .levels
            .iter()
            .map(|l| (l.key.clone(), l.name.clone()))
            .collect(),
        routes: policy
            .routes
            .iter()
            .map(|r| (r.key.clone(), r.name.clone()))
            .collect(),
    })
}

/// The page is one form, so nothing typed in one part is lost when another part's button is
/// pressed: every button saves the conversation (an unchanged intake writes nothing) and the
/// scores filled in, then does what it says — make a proposal, or record the decision.
pub async fn save(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    user.check_form(&values)?;
    let actor = &user.session.actor;
    let fail = |e| user.household_error(&id, e);
    // Read every part before anything is written, so a wrong score writes nothing.
    let mut scores = Vec::new();
    for i in (0..spil_app::views::MAX_FORM_ROWS)
        .take_while(|i| values.contains_key(&format!("sc{i}_person_id")))
    {
        scores.extend(scores_of(&values, i).map_err(fail)?);
    }
    state
        .app
        .save_intake(actor, &id, &intake_of(&values))
        .await
        .map_err(fail)?;
    for input in &scores {
        state
            .app
            .add_assessment(actor, &id, input)
            .await
            .map_err(fail)?;
    }
    let scored = !scores.is_empty();
    let (saved, anchor) = match values.get("daarna").map(String::as_str) {
        Some("voorstel") => {
            state.app.triage(actor, &id).await.map_err(fail)?;
            ("voorstel", "voorstel")
        }
        Some("besluit") => {
            let reason = text(&values, "deviation_reason");
            let input = TriageDecisionInput {
                level: text(&values, "level"),
                route: text(&values, "route"),
                deviation_reason: (!reason.is_empty()).then_some(reason),
            };
            state
                .app
                .decide_triage(actor, &id, &input)
                .await
                .map_err(fail)?;
            ("besluit", "voorstel")
        }
        _ if scored => ("uitvraag_scores", "scores"),
        _ => ("uitvraag", "scores"),
    };
    Ok(Redirect::to(&format!(
        "/huishoudens/{id}/uitvraag?opgeslagen={saved}#{anchor}"
    )))
}

/// The conversation part of the page.
fn intake_of(values: &HashMap<String, String>) -> IntakeInput {
    let persons = (0..spil_app::views::MAX_FORM_ROWS)
        .take_while(|i| values.contains_key(&format!("p{i}_person_id")))
        .map(|i| IntakePerson {
            person_id: text(values, &format!("p{i}_person_id")),
            question: text(values, &format!("p{i}_question")),
            desired_result: text(values, &format!("p{i}_result")),
            normalising: YesNoWhy {
                applies: answer(values, &format!("p{i}_norm")),
                why: text(values, &format!("p{i}_norm_why")),
            },
            slow_down_and_bear: YesNoWhy {
                applies: answer(values, &format!("p{i}_slow")),
                why: text(values, &format!("p{i}_slow_why")),
            },
        })
        .collect();
    let network = (0..spil_app::views::MAX_FORM_ROWS)
        .filter(|i| !text(values, &format!("n{i}_name")).is_empty())
        .map(|i| NetworkPerson {
            name: text(values, &format!("n{i}_name")),
            relation: text(values, &format!("n{i}_relation")),
            can_help_with: text(values, &format!("n{i}_help")),
        })
        .collect();
    IntakeInput {
        persons,
        network,
        analysis: Analysis {
            causes: text(values, "causes"),
            maintaining: text(values, "maintaining"),
            connections: text(values, "connections"),
        },
        safety_level: text(values, "safety_level"),
        revision: values.get("revision").and_then(|r| r.trim().parse().ok()),
    }
}

/// Person `i`'s new scores, when any score or strength was filled in.
fn scores_of(
    values: &HashMap<String, String>,
    i: usize,
) -> Result<Option<AssessmentInput>, AppError> {
    let prefix = format!("sc{i}_s_");
    let mut scores = BTreeMap::new();
    for (name, value) in values {
        if let (Some(domain), false) = (name.strip_prefix(&prefix), value.is_empty()) {
            let score = value.parse::<i64>().map_err(|_| {
                AppError::invalid_field(
                    &format!("scores.{domain}"),
                    spil_domain::FieldError::NotAllowed,
                )
            })?;
            scores.insert(domain.to_owned(), score);
        }
    }
    let strengths = text(values, &format!("sc{i}_strengths"));
    if scores.is_empty() && strengths.is_empty() {
        return Ok(None);
    }
    Ok(Some(AssessmentInput {
        person_id: text(values, &format!("sc{i}_person_id")),
        date: text(values, &format!("sc{i}_date")),
        scores,
        strengths: Some(strengths),
        notes: BTreeMap::new(),
    }))
}
