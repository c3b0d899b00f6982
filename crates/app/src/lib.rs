//! Spil's use cases. Each one authorises (through `spil_domain::access::decide`), validates
//! (input becomes domain types), changes state and writes its journal entry — all in one
//! transaction — and each read of personal data writes an access-log entry.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod access_log;
pub mod audit;
pub mod auth;
pub mod demo;
pub mod error;
pub mod households;
pub mod intake;
pub mod journal;
pub mod registration;
pub mod users;
pub mod views;

use spil_store::Store;

pub use error::{AppError, AppResult};
pub use spil_domain::access::Actor;

/// The application: a store and the active policy, and nothing else, so that any number of
/// stateless servers can run against one database.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    access_log: access_log::AccessLogWriter,
    sessions: auth::SessionCache,
    policy: std::sync::Arc<spil_domain::policy::Policy>,
}

impl App {
    /// Must be called within a Tokio runtime: it starts the access-log writer.
    pub fn new(store: Store, policy: spil_domain::policy::Policy) -> Self {
        let access_log = access_log::AccessLogWriter::start(store.clone());
        App {
            store,
            access_log,
            sessions: auth::SessionCache::new(),
            policy: std::sync::Arc::new(policy),
        }
    }

    /// Connect with the policy that ships with Spil.
    pub async fn connect(url: &str) -> AppResult<Self> {
        let policy = spil_domain::policy::Policy::default_policy().map_err(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            AppError::Internal(format!(
                "the default policy is invalid: {}",
                errors.join("; ")
            ))
        })?;
        Ok(App::new(Store::connect(url).await?, policy))
    }

    /// The active regional policy.
    pub fn policy(&self) -> std::sync::Arc<spil_domain::policy::Policy> {
        self.policy.clone()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Microseconds since the Unix epoch: how Spil stores instants.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A new, time-ordered identifier (UUIDv7): unguessable, and kind to B-tree indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn micros_to_datetime(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}
