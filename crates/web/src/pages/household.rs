//! The household page: members, registrations, trajectory, team and the journal's timeline.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use spil_app::views::*;
use spil_domain::trajectory::{CloseReason, TeamRole, TrajectoryStatus};

use super::forms::{
    dutch_date, dutch_datetime, route_label, status_label, team_role_label, urgency_label,
};
use super::{render, CsrfForm, ErrorContext, Layout, PageError, WebUser};
use crate::AppState;

struct MemberRow {
    name: String,
    birth_date: String,
    age: u32,
    relation: String,
    authority: &'static str,
    bsn: String,
    /// Communication needs, in words.
    communication: String,
}

struct RegistrationRow {
    received: String,
    route: String,
    referrer: Option<String>,
    urgency: String,
    question: String,
}

struct TimelineRow {
    iso: String,
    when: String,
    summary: String,
    who: Option<String>,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    layout: Layout,
    safety: Option<&'static str>,
    score_trends: Vec<(String, Vec<super::intake::Trend>)>,
    h: HouseholdView,
    title: String,
    access_note: String,
    status_label: String,
    team: Vec<String>,
    members: Vec<MemberRow>,
    registrations: Vec<RegistrationRow>,
    timeline: Vec<TimelineRow>,
    can_manage: bool,
    needs_regisseur: bool,
    regisseur_value: String,
    /// Colleagues who can be named: (username, name).
    colleagues: Vec<(String, String)>,
    /// The team rows: (username chosen, role chosen); a few empty ones to add to.
    team_rows: Vec<(String, String)>,
    team_roles: Vec<(String, String)>,
    next_statuses: Vec<(String, String)>,
    /// Where the plan stands, in words; `None` when there is no plan yet.
    plan_state: Option<String>,
    close_reasons: Vec<(String, String)>,
}

/// Empty rows offered to add colleagues to a household team.
const NEW_TEAM_ROWS: usize = 2;

#[derive(Deserialize)]
pub struct PageQuery {
    aangemeld: Option<String>,
    opgeslagen: Option<String>,
}

fn relation_label(key: &str) -> String {
    spil_domain::household::Relation::parse(key)
        .map(|r| r.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

fn communication_words(c: &CommunicationNeedsView) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(pace) = c
        .pace
        .as_deref()
        .and_then(|p| spil_domain::person::Pace::parse(p).ok())
    {
        parts.push(pace.label().to_owned());
    }
    if let Some(language) = &c.language {
        parts.push(format!("Taal: {language}"));
    }
    if c.interpreter {
        parts.push("Tolk nodig".into());
    }
    if let Some(note) = &c.note {
        parts.push(note.clone());
    }
    parts.join(". ")
}

fn masked_bsn(bsn: &Option<String>) -> String {
    match bsn {
        Some(b) if b.len() == 9 => format!("•••••{}", &b[5..]),
        Some(b) => b.clone(),
        None => "onbekend".into(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Html<String>, PageError> {
    let mut layout = Layout::for_session(&user.session, "");
    let actor = &user.session.actor;
    // One gate pass and one access-log entry for the whole page.
    let dossier = match state.app.dossier(actor, &id).await {
        Ok(d) => d,
        Err(error) => return Err(PageError::App(error, ErrorContext::boxed(layout, id))),
    };
    let Dossier {
        household: h,
        journal,
        assessments,
        intake,
        plan,
    } = dossier;
    // Safety first: what the intake recorded about safety heads the page.
    let safety = match intake.as_ref().map_or("", |intake| intake.intake.safety_level.as_str()) {
        "" => Some("nog niet beoordeeld. Leg in de brede uitvraag vast hoe het met de veiligheid staat."),
        "zorgen" => Some("Er zijn zorgen over de veiligheid in dit huishouden."),
        "onveilig" => Some("Dit huishouden is onveilig. Veiligheid gaat voor; volg de Meldcode."),
        "acuut_onveilig" => Some(
            "Acuut onveilig. Veiligheid gaat voor alles: handel nu volgens de crisisroute en de Meldcode.",
        ),
        _ => None,
    };
    let plan_state = plan.map(|p| {
        format!(
            "Versie {}: {}, {} doelen, {} acties",
            p.version,
            p.state.label().to_lowercase(),
            p.goals.len(),
            p.actions.len()
        )
    });
    let policy = state
        .app
        .policy_for(&actor.municipality_id.clone().unwrap_or_default());
    let mut trends = super::intake::trends_per_person(&policy, &assessments);
    let score_trends: Vec<(String, Vec<super::intake::Trend>)> = h
        .members
        .iter()
        .filter_map(|m| {
            trends
                .remove(&m.person_id)
                .map(|t| (format!("{} {}", m.given_name, m.family_name), t))
        })
        .collect();
    if query.aangemeld.is_some() {
        layout.notice = Some("De aanmelding is opgeslagen.".into());
    } else if query.opgeslagen.is_some() {
        layout.notice = Some("Opgeslagen.".into());
    }
    let title = super::forms::household_title(&h);
    let access_note = match h.access.as_str() {
        "break_glass" => "U ziet dit dossier met noodtoegang. Dit is vastgelegd.".to_owned(),
        "intake_queue" => {
            "Dit huishouden wacht op een regisseur in de wachtrij van uw team.".to_owned()
        }
        _ => String::new(),
    };
    // What the caller may do is the gate's decision, not the page's.
    let can_manage = h.permissions.manage_team;
    let mut colleagues = if can_manage {
        state
            .app
            .colleagues(actor, &h.municipality_id)
            .await
            .map_err(|e| user.household_error(&id, e))?
    } else {
        Vec::new()
    };
    let current = h.trajectory.as_ref().filter(|t| t.closed_at.is_none());
    // The colleagues offered are the caller's teams'; whoever is on the household's team now
    // stays choosable, so a save keeps them.
    if can_manage {
        for m in current.map(|t| t.team.as_slice()).unwrap_or_default() {
            if !colleagues
                .iter()
                .any(|(username, _)| *username == m.username)
            {
                colleagues.push((m.username.clone(), m.name.clone()));
            }
        }
        colleagues.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    }
    let next_statuses = match current.and_then(|t| TrajectoryStatus::parse(&t.status).ok()) {
        Some(status) if h.permissions.change_status => TrajectoryStatus::ALL
            .iter()
            .filter(|next| status.can_move_to(**next))
            .map(|s| (s.key().to_owned(), s.label().to_owned()))
            .collect(),
        _ => Vec::new(),
    };
    let page = HouseholdPage {
        close_reasons: CloseReason::ALL
            .iter()
            .map(|r| (r.key().to_owned(), r.label().to_owned()))
            .collect(),
        plan_state,
        safety,
        score_trends,
        status_label: h
            .trajectory
            .as_ref()
            .map(|t| status_label(&t.status))
            .unwrap_or_default(),
        team: h
            .trajectory
            .as_ref()
            .map(|t| {
                t.team
                    .iter()
                    .map(|m| format!("{} — {}", m.name, team_role_label(&m.role)))
                    .collect()
            })
            .unwrap_or_default(),
        needs_regisseur: current.is_some_and(|t| t.regisseur.is_none()),
        // Without a regisseur the choice starts empty ("Kies een collega"), not on whoever
        // happens to be looking.
        regisseur_value: current
            .and_then(|t| t.regisseur.clone())
            .unwrap_or_default(),
        team_rows: current
            .map(|t| {
                t.team
                    .iter()
                    .filter(|m| m.role != "regisseur")
                    .map(|m| (m.username.clone(), m.role.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .chain(std::iter::repeat_n(
                (String::new(), String::new()),
                NEW_TEAM_ROWS,
            ))
            .collect(),
        team_roles: TeamRole::ALL
            .iter()
            .filter(|r| **r != TeamRole::Regisseur)
            .map(|r| (r.key().to_owned(), r.label().to_owned()))
            .collect(),
        colleagues,
        members: h
            .members
            .iter()
            .map(|m| MemberRow {
                name: format!("{} {}", m.given_name, m.family_name),
                birth_date: dutch_date(&m.birth_date),
                age: m.age,
                relation: relation_label(&m.relation),
                authority: if m.parental_authority { "ja" } else { "nee" },
                bsn: masked_bsn(&m.bsn),
                communication: communication_words(&m.communication),
            })
            .collect(),
        registrations: h
            .registrations
            .iter()
            .map(|r| RegistrationRow {
                received: dutch_datetime(&r.received_at),
                route: route_label(&r.route),
                referrer: r.referrer.as_ref().map(|p| {
                    [p.name.clone(), p.organisation.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                urgency: urgency_label(&r.urgency).to_lowercase(),
                question: r.question.clone(),
            })
            .collect(),
        timeline: journal
            .into_iter()
            .rev()
            .map(|e| TimelineRow {
                iso: e.at.to_rfc3339(),
                when: dutch_datetime(&e.at),
                summary: e.summary,
                who: e.actor_name,
            })
            .collect(),
        title,
        access_note,
        can_manage,
        next_statuses,
        layout,
        h,
    };
    render(&page)
}

pub async fn set_team(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    user.check_form(&values)?;
    // Rows of (colleague, role); a row without a colleague is left out.
    let members = (0..spil_app::views::MAX_FORM_ROWS)
        .map_while(|i| {
            values
                .get(&format!("m{i}_user"))
                .map(|user| TeamMemberInput {
                    username: user.trim().to_owned(),
                    role: values
                        .get(&format!("m{i}_role"))
                        .map(|r| r.trim().to_owned())
                        .unwrap_or_default(),
                })
        })
        .filter(|m| !m.username.is_empty())
        .collect();
    let input = TeamInput {
        regisseur: values.get("regisseur").cloned().unwrap_or_default(),
        members,
        revision: values.get("revision").and_then(|r| r.trim().parse().ok()),
    };
    let still = state
        .app
        .set_team(&user.session.actor, &id, &input)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    Ok(if still {
        Redirect::to(&format!("/huishoudens/{id}?opgeslagen=1"))
    } else {
        // Handed over: the household is no longer the caller's to open.
        Redirect::to("/huishoudens?overgedragen=1")
    })
}

#[derive(Template)]
#[template(path = "close_confirm.html")]
struct CloseConfirmPage {
    layout: Layout,
    household_id: String,
    title: String,
    close_reason: String,
    close_reason_label: String,
}

/// Change the phase. Closing asks once more, on a page of its own, before anything is written.
pub async fn set_status(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    user.check_form(&values)?;
    let input = StatusInput {
        status: values.get("status").cloned().unwrap_or_default(),
        close_reason: values
            .get("close_reason")
            .cloned()
            .filter(|r| !r.is_empty()),
    };
    let closing = input.status == TrajectoryStatus::Closed.key();
    if closing && values.get("confirm").map(String::as_str) != Some("ja") {
        let household = state
            .app
            .household(&user.session.actor, &id)
            .await
            .map_err(|e| user.household_error(&id, e))?;
        let reason = input.close_reason.clone().unwrap_or_default();
        let page = CloseConfirmPage {
            layout: Layout::for_session(&user.session, ""),
            title: super::forms::household_title(&household),
            close_reason_label: CloseReason::parse(&reason)
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            close_reason: reason,
            household_id: id,
        };
        return Ok(render(&page)?.into_response());
    }
    state
        .app
        .set_status(&user.session.actor, &id, &input)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    Ok(Redirect::to(&format!("/huishoudens/{id}?opgeslagen=1")).into_response())
}

#[derive(Deserialize)]
pub struct BreakGlassForm {
    #[serde(flatten)]
    csrf: CsrfForm,
    #[serde(default)]
    reason: String,
}

pub async fn break_glass(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<BreakGlassForm>,
) -> Result<Redirect, PageError> {
    user.check_csrf(&form.csrf.csrf)?;
    let input = BreakGlassInput {
        reason: form.reason,
    };
    state
        .app
        .break_glass(&user.session.actor, &id, &input)
        .await
        .map_err(|e| user.household_error(&id, e))?;
    Ok(Redirect::to(&format!("/huishoudens/{id}")))
}
