//! Spil's use cases. Each one authorises (through `spil_domain::access::decide`), validates
//! (input becomes domain types), changes state and writes its journal entry — all in one
//! transaction — and each read of personal data writes an access-log entry.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod access_log;
pub mod audit;
pub mod auth;
pub mod composition;
pub mod config;
pub mod contacts;
pub mod demo;
pub mod error;
pub mod gate;
pub mod households;
pub mod import;
pub mod intake;
pub mod jobs;
pub mod journal;
pub mod lists;
pub mod organisations;
pub mod persons;
pub mod plan;
pub mod registration;
pub mod search;
pub mod users;
pub mod views;
pub mod worklist;

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
    policies: PolicySet,
    config: std::sync::Arc<config::Config>,
    hashing: auth::HashingGate,
}

/// The region's policy and the municipalities' versions of it (region plus additions).
#[derive(Debug, Clone)]
pub struct PolicySet {
    pub region: std::sync::Arc<spil_domain::policy::Policy>,
    pub municipalities:
        std::collections::HashMap<String, std::sync::Arc<spil_domain::policy::Policy>>,
}

impl PolicySet {
    /// The policy that ships with Spil, for every municipality.
    pub fn default_policy() -> AppResult<PolicySet> {
        let region = spil_domain::policy::Policy::default_policy().map_err(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            AppError::Internal(format!(
                "the default policy is invalid: {}",
                errors.join("; ")
            ))
        })?;
        Ok(PolicySet {
            region: std::sync::Arc::new(region),
            municipalities: Default::default(),
        })
    }
}

impl App {
    /// Must be called within a Tokio runtime: it starts the access-log writer.
    pub fn new(store: Store, policies: PolicySet, config: config::Config) -> Self {
        let access_log = access_log::AccessLogWriter::start(store.clone());
        App {
            store,
            access_log,
            sessions: auth::SessionCache::new(),
            policies,
            hashing: auth::HashingGate::new(&config.limits),
            config: std::sync::Arc::new(config),
        }
    }

    /// Connect with the policy that ships with Spil, configured from the environment.
    pub async fn connect(url: &str) -> AppResult<Self> {
        Self::connect_with(url, PolicySet::default_policy()?).await
    }

    /// Connect with the region's policies, configured from the environment.
    pub async fn connect_with(url: &str, policies: PolicySet) -> AppResult<Self> {
        Self::connect_configured(url, policies, config::Config::from_env(url)?).await
    }

    /// Connect with the region's policies; every version is recorded, so that any triage can
    /// later be explained with the rules that were in force.
    pub async fn connect_configured(
        url: &str,
        policies: PolicySet,
        config: config::Config,
    ) -> AppResult<Self> {
        let store = Store::connect(url).await?;
        let mut tx = store.begin().await?;
        for policy in std::iter::once(&policies.region).chain(policies.municipalities.values()) {
            spil_store::intake::remember_policy(
                &mut tx,
                &policy.version,
                &policy.name,
                &policy.source,
                now_micros(),
            )
            .await?;
        }
        spil_store::commit(tx).await?;
        let app = App::new(store, policies, config);
        app.upgrade_legacy_journal().await?;
        Ok(app)
    }

    pub fn config(&self) -> &config::Config {
        &self.config
    }

    pub(crate) fn journal_key(&self) -> &spil_domain::journal::JournalKey {
        &self.config.journal_key
    }

    /// The policy in force for a municipality: the region's, with the municipality's additions.
    pub fn policy_for(&self, municipality_id: &str) -> std::sync::Arc<spil_domain::policy::Policy> {
        self.policies
            .municipalities
            .get(municipality_id)
            .unwrap_or(&self.policies.region)
            .clone()
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
/// A report's period: `from` is required, `to` defaults to today.
pub(crate) fn period(
    errors: &mut spil_domain::FieldErrors,
    from: &str,
    to: &str,
) -> (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>) {
    use spil_domain::field::date;
    let from = errors.check("from", date(from));
    let to = errors.check(
        "to",
        if to.trim().is_empty() {
            Ok(today())
        } else {
            date(to)
        },
    );
    (from, to)
}

/// A page of a list: `limit` from 1 to `max`, `offset` not negative.
pub(crate) fn page_bounds(limit: i64, offset: i64, max: i64) -> AppResult<()> {
    let mut errors = spil_domain::FieldErrors::new();
    if !(1..=max).contains(&limit) {
        errors.add("limit", spil_domain::FieldError::NotAllowed);
    }
    if offset < 0 {
        errors.add("offset", spil_domain::FieldError::NotAllowed);
    }
    Ok(errors.into_result()?)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub fn micros_to_datetime(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}
