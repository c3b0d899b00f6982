//! `GET /api/v1/search`: households and persons the caller may see.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use spil_app::search::SearchPage;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::AppState;

use super::ApiUser;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A name (with or without name prefix; case and diacritics do not matter), a birth date
    /// (`dd-mm-jjjj` or `jjjj-mm-dd`), a BSN, a postcode with or without house number, or
    /// words of a street. At least two letters or digits; `*` and `%` are not wildcards.
    q: String,
    /// Results per page, 1 to 100 (default 20).
    limit: Option<usize>,
    /// Results to skip (default 0); `total` says how many there are (at most 500).
    offset: Option<usize>,
}

/// Find households and persons by name, birth date, BSN, postcode or address, within the
/// caller's rights only. Each search is logged with the persons it showed.
#[utoipa::path(get, path = "/api/v1/search", tag = "households", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, body = SearchPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    ApiUser(session): ApiUser,
    super::ApiQuery(query): super::ApiQuery<SearchQuery>,
) -> Result<Json<SearchPage>, ApiError> {
    Ok(Json(
        state
            .app
            .search(
                &session.actor,
                &query.q,
                query.limit.unwrap_or(20),
                query.offset.unwrap_or(0),
            )
            .await?,
    ))
}
