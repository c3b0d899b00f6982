use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use spil_app::contacts::*;
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactCreated {
    id: String,
}

/// Record a contact with the household and the minutes spent.
#[utoipa::path(post, path = "/api/v1/households/{id}/contacts", tag = "contacts", params(("id" = String, Path)),
    request_body = ContactInput, security(("bearer" = [])),
    responses((status = 201, body = ContactCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<(StatusCode, Json<ContactCreated>), ApiError> {
    let id = state.app.add_contact(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(ContactCreated { id })))
}

/// The household's contacts, newest first; sensitive notes only for the regisseur and the author.
#[utoipa::path(get, path = "/api/v1/households/{id}/contacts", tag = "contacts", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [ContactView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<ContactView>>, ApiError> {
    Ok(Json(state.app.contacts(&session.actor, &id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    pub(crate) from: String,
    /// Last day, YYYY-MM-DD; default today.
    #[serde(default)]
    pub(crate) to: String,
    /// team (default), month, or — for coordinators, their own team — household or professional.
    #[serde(default)]
    pub(crate) group_by: String,
}

/// Basishulp minutes over a period, per team, month, household or professional.
#[utoipa::path(get, path = "/api/v1/reports/basishulp", tag = "contacts", params(ReportQuery), security(("bearer" = [])),
    responses((status = 200, body = BasishulpReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn basishulp(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(q): super::ApiQuery<ReportQuery>,
) -> Result<Json<BasishulpReport>, ApiError> {
    Ok(Json(
        state
            .app
            .basishulp_report(&session.actor, &q.from, &q.to, &q.group_by)
            .await?,
    ))
}

/// Keep-alive contact for the open trajectory: an interval and an end date.
#[utoipa::path(put, path = "/api/v1/households/{id}/waakvlam", tag = "contacts", params(("id" = String, Path)),
    request_body = spil_app::worklist::WaakvlamInput, security(("bearer" = [])),
    responses((status = 200, body = ContactCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn waakvlam(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<spil_app::worklist::WaakvlamInput>,
) -> Result<Json<ContactCreated>, ApiError> {
    state.app.set_waakvlam(&session.actor, &id, &input).await?;
    Ok(Json(ContactCreated { id }))
}

/// The caller's worklist: goal evaluations and keep-alive contacts due this week or overdue, and
/// plans the household has not agreed to (yet, or since they changed).
#[utoipa::path(get, path = "/api/v1/worklist", tag = "contacts", security(("bearer" = [])),
    responses((status = 200, body = spil_app::worklist::Worklist), (status = 403, body = ErrorBody)))]
pub async fn worklist(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<spil_app::worklist::Worklist>, ApiError> {
    Ok(Json(state.app.worklist(&session.actor).await?))
}
