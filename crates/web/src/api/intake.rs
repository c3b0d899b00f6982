use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use spil_app::intake::*;
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// The active regional policy: version, life domains, levels, routes, rules and glossary.
#[utoipa::path(get, path = "/api/v1/policy", tag = "intake", security(("bearer" = [])),
    responses((status = 200, body = PolicyView), (status = 401, body = ErrorBody)))]
pub async fn policy(State(state): State<AppState>, ApiUser(session): ApiUser) -> Json<PolicyView> {
    Json(state.app.policy_view(&session.actor))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    ok: bool,
}

/// Save the broad intake of the household's open trajectory.
#[utoipa::path(put, path = "/api/v1/households/{id}/intake", tag = "intake", params(("id" = String, Path)),
    request_body = IntakeInput, security(("bearer" = [])),
    responses((status = 200, body = Saved), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_intake(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<IntakeInput>,
) -> Result<Json<Saved>, ApiError> {
    state.app.save_intake(&session.actor, &id, &input).await?;
    Ok(Json(Saved { ok: true }))
}

/// The broad intake of the open trajectory (null when none was saved yet).
#[utoipa::path(get, path = "/api/v1/households/{id}/intake", tag = "intake", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Option<IntakeView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_intake(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Option<IntakeView>>, ApiError> {
    Ok(Json(state.app.intake(&session.actor, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    id: String,
}

/// Record a life-domain assessment of one member.
#[utoipa::path(post, path = "/api/v1/households/{id}/assessments", tag = "intake", params(("id" = String, Path)),
    request_body = AssessmentInput, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn add_assessment(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AssessmentInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = state
        .app
        .add_assessment(&session.actor, &id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// All assessments of the household, newest first.
#[utoipa::path(get, path = "/api/v1/households/{id}/assessments", tag = "intake", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [AssessmentView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_assessments(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AssessmentView>>, ApiError> {
    Ok(Json(state.app.assessments(&session.actor, &id).await?))
}

/// Run the region's bandwidth rules: a proposed level and route with the reasons.
#[utoipa::path(post, path = "/api/v1/households/{id}/triage", tag = "intake", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = TriageView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn triage(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<TriageView>, ApiError> {
    Ok(Json(state.app.triage(&session.actor, &id).await?))
}

/// Decide: confirm the proposal, or deviate with a reason (422 `deviation_reason_required` without one).
#[utoipa::path(post, path = "/api/v1/households/{id}/triage/decision", tag = "intake", params(("id" = String, Path)),
    request_body = TriageDecisionInput, security(("bearer" = [])),
    responses((status = 201, body = TriageDecisionView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TriageDecisionInput>,
) -> Result<(StatusCode, Json<TriageDecisionView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.decide_triage(&session.actor, &id, &input).await?),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    from: String,
    /// Last day, YYYY-MM-DD; default today.
    #[serde(default)]
    to: String,
}

/// Deviations from the triage proposals per rule and per team (small numbers withheld).
#[utoipa::path(get, path = "/api/v1/reports/triage-deviations", tag = "intake", params(Period), security(("bearer" = [])),
    responses((status = 200, body = DeviationReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deviations(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(period): super::ApiQuery<Period>,
) -> Result<Json<DeviationReport>, ApiError> {
    Ok(Json(
        state
            .app
            .deviation_report(&session.actor, &period.from, &period.to)
            .await?,
    ))
}
