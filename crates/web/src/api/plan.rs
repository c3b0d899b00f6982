use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use spil_app::plan::*;

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// Save the household's plan. Before the household agreed, the current version is edited;
/// after, a change makes a new version.
#[utoipa::path(put, path = "/api/v1/households/{id}/plan", tag = "plan", params(("id" = String, Path)),
    request_body = PlanInput, security(("bearer" = [])),
    responses((status = 200, body = SavedPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn put_plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PlanInput>,
) -> Result<Json<SavedPlan>, ApiError> {
    Ok(Json(
        state.app.save_plan(&session.actor, &id, &input).await?,
    ))
}

/// The current plan with its version and the household's agreement (null when not agreed).
#[utoipa::path(get, path = "/api/v1/households/{id}/plan", tag = "plan", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PlanView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PlanView>, ApiError> {
    match state.app.plan(&session.actor, &id).await? {
        Some(plan) => Ok(Json(plan)),
        None => Err(spil_app::AppError::NotFound.into()),
    }
}

/// Every version, with its agreement and what changed since the version before.
#[utoipa::path(get, path = "/api/v1/households/{id}/plan/versions", tag = "plan", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [VersionView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn versions(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<VersionView>>, ApiError> {
    Ok(Json(state.app.plan_versions(&session.actor, &id).await?))
}

/// Record that the household agreed to the current version: who, when and how.
#[utoipa::path(post, path = "/api/v1/households/{id}/plan/agreement", tag = "plan", params(("id" = String, Path)),
    request_body = AgreementInput, security(("bearer" = [])),
    responses((status = 201, body = AgreementView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn agree(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> Result<(StatusCode, Json<AgreementView>), ApiError> {
    let agreement = state.app.agree_plan(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(agreement)))
}

/// Evaluate a goal. Scaling up or down re-runs the triage and returns the new proposal.
#[utoipa::path(post, path = "/api/v1/households/{id}/evaluations", tag = "plan", params(("id" = String, Path)),
    request_body = EvaluationInput, security(("bearer" = [])),
    responses((status = 201, body = EvaluationResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn evaluate(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Result<(StatusCode, Json<EvaluationResult>), ApiError> {
    let result = state.app.evaluate(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(result)))
}

/// The household's evaluations, newest first.
#[utoipa::path(get, path = "/api/v1/households/{id}/evaluations", tag = "plan", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [EvaluationView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn evaluations(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<EvaluationView>>, ApiError> {
    Ok(Json(state.app.evaluations(&session.actor, &id).await?))
}

/// The plan on paper (PDF, plain Dutch) for the household to read and sign.
#[utoipa::path(get, path = "/api/v1/households/{id}/plan.pdf", tag = "plan", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn pdf(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(plan_pdf_response(&state, &session.actor, &id).await?)
}

/// One PDF answer for the API and the pages.
pub(crate) async fn plan_pdf_response(
    state: &AppState,
    actor: &spil_domain::access::Actor,
    household_id: &str,
) -> Result<Response, spil_app::AppError> {
    let plan = state
        .app
        .plan(actor, household_id)
        .await?
        .ok_or(spil_app::AppError::NotFound)?;
    let household = state.app.household(actor, household_id).await?;
    let bytes = crate::pdf::plan_pdf(&household, &plan)
        .map_err(|e| spil_app::AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"plan-versie-{}.pdf\"", plan.version),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
