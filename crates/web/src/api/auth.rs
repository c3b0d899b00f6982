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
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let issued = state
        .app
        .sign_in(&request.username, &request.password, SessionKind::Api)
        .await?;
    Ok(Json(TokenResponse {
        token: issued.token,
        expires_at: issued.expires_at,
    }))
}
