use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use spil_app::views::*;
use spil_domain::listing::{ListFilter, RawFilter};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// Register a question or worry, for a new household or an existing one.
#[utoipa::path(post, path = "/api/v1/registrations", tag = "registrations", request_body = RegistrationInput,
    security(("bearer" = [])),
    responses((status = 201, body = RegistrationCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> Result<(StatusCode, Json<RegistrationCreated>), ApiError> {
    let created = state.app.register(&session.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Known persons that may be the same as the members of a registration, before registering it.
#[utoipa::path(post, path = "/api/v1/registrations/duplicates", tag = "registrations", request_body = RegistrationInput,
    security(("bearer" = [])), responses((status = 200, body = [DuplicateView]), (status = 401, body = ErrorBody)))]
pub async fn duplicates(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<RegistrationInput>,
) -> Result<Json<Vec<DuplicateView>>, ApiError> {
    Ok(Json(
        state
            .app
            .possible_duplicates(&session.actor, &input)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only `true` is supported: the caller's own households and team queue.
    mine: Option<bool>,
    /// Rows per page, 1 to 500 (default 100).
    limit: Option<i64>,
    /// Rows to skip (default 0). The whole (filtered) list's size is in `X-Total-Count`.
    offset: Option<i64>,
    /// Only this phase: registered, exploring, plan, support, waakvlam.
    phase: Option<String>,
    /// Only this urgency of the latest registration: normal, soon, urgent.
    urgency: Option<String>,
    /// Only this safety level of the intake: not_assessed, geen_zorgen, zorgen, onveilig, acuut_onveilig.
    safety: Option<String>,
    /// `none` (waiting for a regisseur), `me`, or a colleague's username.
    regisseur: Option<String>,
    /// `true`: only households with a goal evaluation due this week or overdue.
    due: Option<String>,
    /// priority (default: unsafe and urgent first), newest, oldest (longest waiting), address.
    sort: Option<String>,
}

impl ListQuery {
    /// The filters, parsed (each wrong one named).
    pub fn filter(&self) -> Result<ListFilter, spil_app::AppError> {
        let week_end = spil_domain::plan::end_of_week(spil_app::today()).to_string();
        Ok(ListFilter::parse(
            &RawFilter {
                phase: self.phase.as_deref(),
                urgency: self.urgency.as_deref(),
                safety: self.safety.as_deref(),
                regisseur: self.regisseur.as_deref(),
                due: self.due.as_deref(),
                sort: self.sort.as_deref(),
            },
            &week_end,
        )?)
    }
}

/// "Mijn huishoudens": where the caller is regisseur or team member, and the team's unassigned registrations; filtered and ordered.
#[utoipa::path(get, path = "/api/v1/households", tag = "households", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = [HouseholdSummary], headers(("X-Total-Count" = i64, description = "Rows in the whole list"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(query): super::ApiQuery<ListQuery>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if query.mine != Some(true) {
        // Nobody may list all households of a region; only one's own.
        return Err(
            spil_app::AppError::invalid_field("mine", spil_domain::FieldError::Required).into(),
        );
    }
    let filter = query.filter()?;
    let (page, total) = state
        .app
        .my_households(
            &session.actor,
            &filter,
            query.limit.unwrap_or(100),
            query.offset.unwrap_or(0),
        )
        .await?;
    Ok(([("x-total-count", total.to_string())], Json(page)).into_response())
}

/// A coordinator's view of the team: per professional the open households they carry.
#[utoipa::path(get, path = "/api/v1/team/caseload", tag = "households", security(("bearer" = [])),
    responses((status = 200, body = [CaseloadView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn caseload(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<CaseloadView>>, ApiError> {
    Ok(Json(state.app.caseload(&session.actor).await?))
}

/// One household's file.
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = HouseholdView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<HouseholdView>, ApiError> {
    Ok(Json(state.app.household(&session.actor, &id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    ok: bool,
}

/// Name the regisseur and the household team. Answers the file when the caller still has
/// access; 204 when the caller handed the household over and no longer has access.
#[utoipa::path(put, path = "/api/v1/households/{id}/team", tag = "households", params(("id" = String, Path)),
    request_body = TeamInput, security(("bearer" = [])),
    responses((status = 200, body = HouseholdView), (status = 204, description = "Saved; the caller handed the household over"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_team(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TeamInput>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    if state.app.set_team(&session.actor, &id, &input).await? {
        Ok(Json(state.app.household(&session.actor, &id).await?).into_response())
    } else {
        Ok(StatusCode::NO_CONTENT.into_response())
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    status: String,
}

/// Move the trajectory to another status.
#[utoipa::path(put, path = "/api/v1/households/{id}/status", tag = "households", params(("id" = String, Path)),
    request_body = StatusInput, security(("bearer" = [])),
    responses((status = 200, body = StatusView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<StatusView>, ApiError> {
    let status = state.app.set_status(&session.actor, &id, &input).await?;
    Ok(Json(StatusView { status }))
}

/// The household's journal, oldest first.
#[utoipa::path(get, path = "/api/v1/households/{id}/journal", tag = "households", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [JournalEntryView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn journal(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<JournalEntryView>>, ApiError> {
    Ok(Json(
        state.app.household_journal(&session.actor, &id).await?,
    ))
}

/// Who read this household's file (for the regisseur and coordinator, to answer the resident).
#[utoipa::path(get, path = "/api/v1/households/{id}/access-log", tag = "households", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [AccessLogView]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn access_log(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<AccessLogView>>, ApiError> {
    Ok(Json(
        state.app.household_access_log(&session.actor, &id).await?,
    ))
}

/// Emergency read access to a household one is not on the team of, with a written reason.
#[utoipa::path(post, path = "/api/v1/households/{id}/break-glass", tag = "households", params(("id" = String, Path)),
    request_body = BreakGlassInput, security(("bearer" = [])),
    responses((status = 201, body = Done), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn break_glass(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<BreakGlassInput>,
) -> Result<(StatusCode, Json<Done>), ApiError> {
    state.app.break_glass(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(Done { ok: true })))
}

/// Break-the-glass grants and refused attempts, for the privacy officer.
#[utoipa::path(get, path = "/api/v1/audit/access", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = [AccessLogView]), (status = 403, body = ErrorBody)))]
pub async fn access_review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<AccessLogView>>, ApiError> {
    Ok(Json(state.app.access_review(&session.actor).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// YYYY-MM-DD (default 30 days ago).
    #[serde(default)]
    from: String,
    /// YYYY-MM-DD (default today).
    #[serde(default)]
    to: String,
    /// Rows per page, 1 to 200 (default 50).
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Every break-the-glass grant for the privacy officer's municipality in a period, newest
/// first, paged: a complete list that refused attempts cannot push out of sight.
#[utoipa::path(get, path = "/api/v1/audit/break-glass", tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = spil_app::audit::BreakGlassList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn break_glass_review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(q): super::ApiQuery<AuditQuery>,
) -> Result<Json<spil_app::audit::BreakGlassList>, ApiError> {
    Ok(Json(
        state
            .app
            .break_glass_review(&session.actor, &q.from, &q.to, q.limit, q.offset)
            .await?,
    ))
}

/// Refused accesses about or by the privacy officer's municipality, counted per account,
/// day and reason.
#[utoipa::path(get, path = "/api/v1/audit/refusals", tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = [spil_app::audit::RefusalCount]), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refusal_review(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(q): super::ApiQuery<AuditQuery>,
) -> Result<Json<Vec<spil_app::audit::RefusalCount>>, ApiError> {
    Ok(Json(
        state
            .app
            .refusal_review(&session.actor, &q.from, &q.to)
            .await?,
    ))
}

/// Feedback for the referrer: received, contact made, closed — only with the household's consent.
#[utoipa::path(get, path = "/api/v1/registrations/{id}/feedback", tag = "registrations", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [FeedbackEvent]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn feedback(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<FeedbackEvent>>, ApiError> {
    Ok(Json(
        state.app.referrer_feedback(&session.actor, &id).await?,
    ))
}
