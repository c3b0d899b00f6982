//! The one error type of the use cases. The web crate maps each variant to a status and a
//! stable code (API) or a Dutch message (pages) in one place.

use spil_domain::access::Denial;
use spil_domain::FieldErrors;
use spil_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("not signed in")]
    Unauthenticated,
    /// Wrong username or password (deliberately not saying which).
    #[error("wrong username or password")]
    BadCredentials,
    #[error("access refused: {0:?}")]
    Forbidden(Denial),
    #[error("not found")]
    NotFound,
    /// The request conflicts with the current state; `code` is stable, `message` is Dutch.
    #[error("{code}: {message}")]
    Conflict { code: &'static str, message: String },
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Input that is well-formed but breaks a rule of the work (422 with its own code).
    #[error("{code}: {message}")]
    Rule {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// Too many attempts: try again after `retry_after` seconds (429).
    #[error("{code}: try again in {retry_after} s")]
    TooManyRequests {
        code: &'static str,
        retry_after: u64,
    },
    /// The server is at capacity for this kind of work: try again shortly (503).
    #[error("busy: try again in {retry_after} s")]
    Busy { retry_after: u64 },
    /// The configuration is incomplete or wrong (the server does not start).
    #[error("configuration: {0}")]
    Config(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_field(path: &str, error: spil_domain::FieldError) -> Self {
        let mut errors = FieldErrors::new();
        errors.add(path, error);
        AppError::Invalid(errors)
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

pub type AppResult<T> = Result<T, AppError>;
