//! The coordinator's view of the team: the caseload per professional and the registrations
//! waiting for a regisseur (longest waiting first), each assignable from here.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use spil_app::views::TeamInput;
use spil_domain::listing::{ListFilter, RegisseurFilter, Sort};

use super::mine::waiting_words;
use super::{forms, render, Layout, PageError, WebUser};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/team", get(page))
        .route("/team/toewijzen", post(assign))
}

/// The queue shown at once; the rest is on "Mijn huishoudens" filtered on "Nog niet gekozen".
const QUEUE_PAGE: i64 = 100;

struct CaseloadRow {
    name: String,
    as_regisseur: i64,
    as_member: i64,
    urgent_or_unsafe: i64,
}

struct QueueRow {
    id: String,
    names: String,
    address: String,
    urgency: String,
    urgent: bool,
    waiting: String,
    revision: i64,
}

#[derive(Template)]
#[template(path = "team/page.html")]
struct TeamPage {
    layout: Layout,
    caseload: Vec<CaseloadRow>,
    /// (username, "name (n households)") for the assign choice.
    professionals: Vec<(String, String)>,
    queue: Vec<QueueRow>,
    queue_total: i64,
}

#[derive(Deserialize)]
struct TeamQuery {
    toegewezen: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<TeamQuery>,
) -> Result<Html<String>, PageError> {
    let actor = &user.session.actor;
    let caseload = state.app.caseload(actor).await?;
    let filter = ListFilter {
        regisseur: Some(RegisseurFilter::Unassigned),
        sort: Some(Sort::Oldest),
        ..ListFilter::default()
    };
    let (rows, queue_total) = state
        .app
        .my_households(actor, &filter, QUEUE_PAGE, 0)
        .await?;
    let professionals = caseload
        .iter()
        .map(|c| {
            (
                c.username.clone(),
                format!("{} ({} als regisseur)", c.display_name, c.as_regisseur),
            )
        })
        .collect();
    let queue = rows
        .into_iter()
        .map(|r| QueueRow {
            names: r.names.unwrap_or_else(|| "(zonder naam)".into()),
            address: r.address,
            urgency: forms::urgency_of(r.urgency.as_deref()).0,
            urgent: forms::urgency_of(r.urgency.as_deref()).1,
            waiting: r.waiting_days.map(waiting_words).unwrap_or_default(),
            revision: r.team_revision,
            id: r.id,
        })
        .collect();
    let mut layout = Layout::for_session(&user.session, "team");
    if q.toegewezen.is_some() {
        layout.notice =
            Some("De regisseur is toegewezen. Het huishouden staat nu bij hem of haar.".into());
    }
    render(&TeamPage {
        layout,
        caseload: caseload
            .into_iter()
            .map(|c| CaseloadRow {
                name: c.display_name,
                as_regisseur: c.as_regisseur,
                as_member: c.as_member,
                urgent_or_unsafe: c.urgent_or_unsafe,
            })
            .collect(),
        professionals,
        queue,
        queue_total,
    })
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    household_id: String,
    regisseur: String,
    revision: i64,
}

/// Name the regisseur of a household from the queue.
async fn assign(
    State(state): State<AppState>,
    user: WebUser,
    Form(form): Form<AssignForm>,
) -> Result<Redirect, PageError> {
    user.check_csrf(&form.csrf)?;
    let input = TeamInput {
        regisseur: form.regisseur,
        members: Vec::new(),
        revision: Some(form.revision),
    };
    state
        .app
        .set_team(&user.session.actor, &form.household_id, &input)
        .await
        .map_err(|e| user.household_error(&form.household_id, e))?;
    Ok(Redirect::to("/team?toegewezen=1"))
}
