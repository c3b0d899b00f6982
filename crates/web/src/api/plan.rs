use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use spil_app::plan::*;

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// The revision named by `If-Match: "N"`, if any.
fn if_match(headers: &axum::http::HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse().ok())
        .map(Some)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_if_match",
                "If-Match takes the plan's revision as an entity tag, e.g. \"3\".",
            )
        })
}

fn etag(revision: i64) -> [(header::HeaderName, String); 1] {
    [(header::ETAG, format!("\"{revision}\""))]
}

/// Save the household's plan. Before the household agreed, the current version is edited;
/// after, a change makes a new version. Once a plan exists, send the revision the change
/// started from (`revision` in the body, or `If-Match: "N"`); an older one gets 409
/// `concurrent_change`, so no one's edit is silently lost.
#[utoipa::path(put, path = "/api/v1/households/{id}/plan", tag = "plan", params(("id" = String, Path),
        ("If-Match" = Option<String>, Header, description = "The revision the change started from, e.g. \"3\"")),
    request_body = PlanInput, security(("bearer" = [])),
    responses((status = 200, body = SavedPlan, headers(("ETag" = String, description = "The new revision"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(mut input): ApiJson<PlanInput>,
) -> Result<Response, ApiError> {
    if let Some(revision) = if_match(&headers)? {
        if input.revision.is_some_and(|r| r != revision) {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "revision_mismatch",
                "The body's revision and If-Match differ.",
            ));
        }
        input.revision = Some(revision);
    }
    let saved = state.app.save_plan(&session.actor, &id, &input).await?;
    Ok((etag(saved.revision), Json(saved)).into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The plan of an earlier trajectory of this household (default: the open one, or else
    /// the latest).
    trajectory_id: Option<String>,
}

/// The current plan with its version and the household's agreement (null when not agreed).
#[utoipa::path(get, path = "/api/v1/households/{id}/plan", tag = "plan", params(("id" = String, Path), PlanQuery),
    security(("bearer" = [])),
    responses((status = 200, body = PlanView, headers(("ETag" = String, description = "The plan's revision"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    super::ApiQuery(query): super::ApiQuery<PlanQuery>,
) -> Result<Response, ApiError> {
    let plan = match query.trajectory_id.as_deref() {
        Some(trajectory) => {
            state
                .app
                .plan_of_trajectory(&session.actor, &id, trajectory)
                .await?
        }
        None => state.app.plan(&session.actor, &id).await?,
    };
    match plan {
        Some(plan) => Ok((etag(plan.revision), Json(plan)).into_response()),
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
