//! Persons across households, their relations, household composition, moves, organisations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use spil_app::composition::{EndMembershipInput, MoveInput, MovedView, NewMemberInput};
use spil_app::organisations::{OrganisationInput, OrganisationView};
use spil_app::persons::{PersonAccessView, PersonView, RelationInput, RelationView};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationQuery {
    /// Only organisations of this kind.
    kind: Option<String>,
}

/// The register of organisations, by name.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(OrganisationQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [OrganisationView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_organisations(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(query): super::ApiQuery<OrganisationQuery>,
) -> Result<Json<Vec<OrganisationView>>, ApiError> {
    Ok(Json(
        state
            .app
            .organisations(&session.actor, query.kind.as_deref())
            .await?,
    ))
}

/// Add an organisation (a school, a huisarts practice, a gecertificeerde instelling, ...).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrganisationInput,
    security(("bearer" = [])),
    responses((status = 201, body = OrganisationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_organisation(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<(StatusCode, Json<OrganisationView>), ApiError> {
    let created = state.app.add_organisation(&session.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A person across the households the caller may open: relations, representation, scores.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "persons", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PersonView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(state.app.person(&session.actor, &id).await?))
}

/// Record who the other is to this person (ouder, voogd, bewindvoerder, ...), with gezag per pair.
#[utoipa::path(post, path = "/api/v1/persons/{id}/relations", tag = "persons", params(("id" = String, Path)),
    request_body = RelationInput, security(("bearer" = [])),
    responses((status = 201, body = RelationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_relation(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RelationInput>,
) -> Result<(StatusCode, Json<RelationView>), ApiError> {
    let created = state.app.add_relation(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Who looked at this person, in any of their households (for the regisseur or coordinator).
#[utoipa::path(get, path = "/api/v1/persons/{id}/access-log", tag = "persons", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = [PersonAccessView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn person_access_log(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<PersonAccessView>>, ApiError> {
    Ok(Json(
        state.app.person_access_log(&session.actor, &id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberAdded {
    person_id: String,
}

/// Someone joins the household (a known person, or a new one).
#[utoipa::path(post, path = "/api/v1/households/{id}/members", tag = "households", params(("id" = String, Path)),
    request_body = NewMemberInput, security(("bearer" = [])),
    responses((status = 201, body = MemberAdded), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewMemberInput>,
) -> Result<(StatusCode, Json<MemberAdded>), ApiError> {
    let person_id = state.app.add_member(&session.actor, &id, &input).await?;
    Ok((StatusCode::CREATED, Json(MemberAdded { person_id })))
}

/// End a membership (moved out, deceased) with a date; the history stays.
#[utoipa::path(put, path = "/api/v1/households/{id}/members/{person_id}", tag = "households",
    params(("id" = String, Path), ("person_id" = String, Path)),
    request_body = EndMembershipInput, security(("bearer" = [])),
    responses((status = 204, description = "Ended"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn end_membership(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path((id, person_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<EndMembershipInput>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .end_membership(&session.actor, &id, &person_id, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    /// The municipality now responsible (the controller).
    municipality_id: String,
}

/// The household moves; to another municipality of the region the controller changes.
#[utoipa::path(put, path = "/api/v1/households/{id}/address", tag = "households", params(("id" = String, Path)),
    request_body = MoveInput, security(("bearer" = [])),
    responses((status = 200, body = Moved), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_household(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<Moved>, ApiError> {
    let municipality_id = state
        .app
        .move_household(&session.actor, &id, &input)
        .await?;
    Ok(Json(Moved { municipality_id }))
}

/// Households that moved from the caller's teams to another municipality (last 90 days).
#[utoipa::path(get, path = "/api/v1/moves", tag = "households", security(("bearer" = [])),
    responses((status = 200, body = [MovedView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn moves(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
) -> Result<Json<Vec<MovedView>>, ApiError> {
    Ok(Json(state.app.moved_away(&session.actor).await?))
}
