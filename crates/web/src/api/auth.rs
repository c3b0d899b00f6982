use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use spil_app::auth::SessionKind;
use utoipa::ToSchema;

use super::ApiJson;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// Exchange a username and password for a bearer token.
/// Failed attempts are throttled per account and per address: 429 with `Retry-After` while
/// locked; 503 with `Retry-After` when too many sign-ins wait at once.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(crate::listener::Peer(peer)): axum::extract::ConnectInfo<
        crate::listener::Peer,
    >,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let issued = state
        .app
        .sign_in(
            &request.username,
            &request.password,
            SessionKind::Api,
            Some(peer.ip()),
        )
        .await?;
    Ok(Json(TokenResponse {
        token: issued.token,
        expires_at: issued.expires_at,
    }))
}

/// Revoke the bearer token this request carries.
#[utoipa::path(delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    super::ApiUser(_session): super::ApiUser,
    headers: axum::http::HeaderMap,
) -> Result<axum::http::StatusCode, ApiError> {
    let token = super::bearer(&headers).ok_or(spil_app::AppError::Unauthenticated)?;
    state.app.revoke(token).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
