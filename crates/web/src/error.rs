//! The one place where use-case errors become HTTP responses: JSON with a stable code for
//! the API, a Dutch page for the browser.

use std::collections::BTreeMap;

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use spil_app::AppError;
use spil_domain::access::Denial;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable code.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
    /// Per invalid field (path such as `members[0].bsn`): its code.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// An error answered by the JSON API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub fields: BTreeMap<String, String>,
    /// Seconds, for 429 and 503 (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }
}

/// Dutch for "try again in …", for pages.
pub fn retry_in_dutch(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("over {seconds} seconden"),
        60..=119 => "over 1 minuut".into(),
        _ => format!("over {} minuten", seconds.div_ceil(60)),
    }
}

/// Dutch explanation of a refusal, for pages and API alike.
pub fn denial_message(denial: Denial) -> &'static str {
    match denial {
        Denial::RoleHasNoCaseAccess => "Met uw rol kunt u geen dossiers van huishoudens openen.",
        Denial::OtherMunicipality => "Dit huishouden hoort bij een andere gemeente.",
        Denial::NotOnTeam => "U staat niet in het team van dit huishouden.",
        Denial::NotRegisseur => "Alleen de regisseur of de coördinator kan dit doen.",
        Denial::BreakGlassIsReadOnly => "Met noodtoegang kunt u alleen lezen.",
        Denial::AlreadyHasAccess => "U heeft al toegang tot dit huishouden.",
        Denial::AwaitsConsent => {
            "U ziet hier nog niets: daarvoor is eerst toestemming van de inwoner nodig (of een wettelijke grond)."
        }
        Denial::PurposeNotAllowed => "Voor dit doel mogen deze gegevens niet worden gebruikt.",
        Denial::SensitiveRecord => {
            "Deze vertrouwelijke aantekening is alleen voor de schrijver en de regisseur."
        }
        Denial::IdentifiableAggregate => {
            "Cijfers per huishouden of per professional zijn alleen voor de coördinator, over het eigen team."
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Unauthenticated => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A valid bearer token is required.",
            ),
            AppError::BadCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "Wrong username or password.",
            ),
            AppError::Forbidden(denial) => {
                let mut e =
                    ApiError::new(StatusCode::FORBIDDEN, "forbidden", denial_message(denial));
                e.fields.insert("reason".into(), denial.key().to_owned());
                e
            }
            AppError::NotFound => ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found."),
            AppError::Conflict { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            AppError::Invalid(fields) => {
                let message = fields
                    .iter()
                    .map(|(path, e)| format!("{path}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "validation_failed".into(),
                    message,
                    fields: fields
                        .iter()
                        .map(|(path, e)| (path.clone(), e.code().to_owned()))
                        .collect(),
                    retry_after: None,
                }
            }
            AppError::Rule {
                code,
                field,
                message,
            } => {
                let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, message);
                e.fields.insert(field.into(), code.into());
                e
            }
            AppError::TooManyRequests { code, retry_after } => {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    code,
                    format!("Too many attempts; try again in {retry_after} seconds."),
                );
                e.retry_after = Some(retry_after);
                e
            }
            AppError::Busy { retry_after } => {
                let mut e = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    format!("The server is busy; try again in {retry_after} seconds."),
                );
                e.retry_after = Some(retry_after);
                e
            }
            AppError::Store(_) | AppError::Internal(_) | AppError::Config(_) => {
                tracing::error!(%error, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side.",
                )
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_json",
            _ => "malformed_json",
        };
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY
            || status == StatusCode::PAYLOAD_TOO_LARGE
            || status == StatusCode::UNSUPPORTED_MEDIA_TYPE
        {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(status, code, rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields: self.fields,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}
