//! Sign-in: argon2id password hashes, and session tokens of which only a SHA-256 is stored.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use spil_domain::access::Actor;
use spil_domain::org::Role;
use spil_store::org::UserRow;
use spil_store::{org, sessions, throttles, StoreError};

use crate::{now_micros, App, AppError, AppResult};

/// Browser sessions and API tokens differ only in lifetime and in how they travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Web,
    Api,
}

impl SessionKind {
    fn key(self) -> &'static str {
        match self {
            SessionKind::Web => "web",
            SessionKind::Api => "api",
        }
    }

    fn lifetime_micros(self) -> i64 {
        const HOUR: i64 = 3_600_000_000;
        match self {
            SessionKind::Web => 8 * HOUR,
            SessionKind::Api => 12 * HOUR,
        }
    }
}

/// Recently authenticated sessions, keyed by token hash, so that a busy API client does not
/// cost a database lookup per request. Entries live a few seconds: signing out here removes
/// the entry at once; on other servers, and for a deactivated account, it takes at most
/// `SESSION_CACHE_SECONDS`.
#[derive(Clone)]
pub(crate) struct SessionCache(moka::sync::Cache<String, (SessionKind, Session)>);

pub const SESSION_CACHE_SECONDS: u64 = 5;

impl SessionCache {
    pub(crate) fn new() -> Self {
        SessionCache(
            moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(std::time::Duration::from_secs(SESSION_CACHE_SECONDS))
                .build(),
        )
    }
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionCache({} entries)", self.0.entry_count())
    }
}

/// Bounds the password verifications running at once: each costs argon2's 19 MiB, so an
/// unbounded number of parallel sign-ins would exhaust memory. A fixed set of threads (one per
/// slot) does the hashing, so memory stays bounded by the slots — also the memory the
/// allocator keeps after a hash, which is per thread — and a short queue waits for them;
/// beyond it the answer is "busy, try again".
#[derive(Debug, Clone)]
pub(crate) struct HashingGate {
    jobs: std::sync::mpsc::SyncSender<HashJob>,
}

type HashJob = (String, String, tokio::sync::oneshot::Sender<bool>);

impl HashingGate {
    pub(crate) fn new(limits: &crate::config::Limits) -> Self {
        let (jobs, receiver) = std::sync::mpsc::sync_channel::<HashJob>(limits.hashing_queue);
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        for i in 0..limits.hashing_slots.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("spil-hash-{i}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job.
                    let job = match receiver.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok((password, hash, reply)) = job else {
                        return; // the App is gone
                    };
                    let _ = reply.send(verify_password(&password, &hash));
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password-hashing thread");
            }
        }
        HashingGate { jobs }
    }

    /// Verify a password within the bound.
    async fn verify(&self, password: String, hash: String) -> AppResult<bool> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        match self.jobs.try_send((password, hash, reply)) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(_)) => {
                return Err(AppError::Busy { retry_after: 1 })
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                return Err(AppError::Internal("password hashing stopped".into()))
            }
        }
        answer
            .await
            .map_err(|_| AppError::Internal("password hashing stopped".into()))
    }
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub display_name: String,
    /// The synchroniser token that every form of this session must carry.
    pub csrf_token: String,
}

/// What sign-in hands out: the secret goes to the client and is never stored.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub session: Session,
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The principal behind an account: its kind, role, teams and the municipalities they serve.
pub(crate) async fn actor_of(conn: &mut spil_store::Conn, user: &UserRow) -> AppResult<Actor> {
    let corrupt = |what: &str, value: &str| {
        AppError::Store(StoreError::Corrupt(format!(
            "user {} has unknown {what} {value}",
            user.id
        )))
    };
    let role = Role::parse(&user.role).map_err(|_| corrupt("role", &user.role))?;
    let kind = spil_domain::org::PrincipalKind::parse(&user.principal_kind)
        .map_err(|_| corrupt("kind", &user.principal_kind))?;
    let mut teams: Vec<String> = Vec::new();
    let mut municipalities: Vec<String> = Vec::new();
    for (team, municipality) in spil_store::org::scope_of(conn, &user.id).await? {
        if !teams.contains(&team) {
            teams.push(team);
        }
        if !municipalities.contains(&municipality) {
            municipalities.push(municipality);
        }
    }
    // Those without a team belong to one municipality (privacy officer, policy staff).
    if let Some(own) = &user.municipality_id {
        if !municipalities.contains(own) {
            municipalities.push(own.clone());
        }
    }
    Ok(Actor {
        user_id: user.id.clone(),
        username: user.username.clone(),
        kind,
        role,
        municipality_id: user
            .municipality_id
            .clone()
            .or_else(|| municipalities.first().cloned()),
        team_id: user.team_id.clone(),
        teams,
        municipalities,
        organisation_id: user.organisation_id.clone(),
        person_id: user.person_id.clone(),
    })
}

impl App {
    /// Check the password and open a session. Unknown users cost the same time as known
    /// ones, so the answer does not tell which usernames exist.
    ///
    /// Failed attempts are counted per account and per source address in the database (so
    /// every server sees them); past the limits the account or address is locked for a
    /// growing while, and a locked sign-in is refused before any password is checked.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        source: Option<std::net::IpAddr>,
    ) -> AppResult<Issued> {
        let username = username.trim().to_lowercase();
        let keys = throttle::Keys::new(&username, source);
        let now = now_micros();
        {
            let mut conn = self.store().reader().await?;
            if let Some(until) = throttles::locked_until(&mut conn, &keys.all(), now).await? {
                return Err(throttle::locked(until, now));
            }
        }
        let user = {
            let mut conn = self.store().reader().await?;
            org::user_by_username(&mut conn, &username).await?
        };
        let stored_hash = user
            .as_ref()
            .filter(|u| u.active == 1)
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_owned());
        let valid = self
            .hashing
            .verify(password.to_owned(), stored_hash)
            .await?;
        let user = match user {
            Some(user) if valid && user.active == 1 => user,
            _ => {
                self.count_failure(&keys, user.as_ref()).await?;
                return Err(AppError::BadCredentials);
            }
        };
        let actor = {
            let mut conn = self.store().reader().await?;
            actor_of(&mut conn, &user).await?
        };
        let token = random_token();
        let csrf_token = random_token();
        let now = now_micros();
        let expires_at = now + kind.lifetime_micros();
        let mut tx = self.store().begin().await?;
        throttles::clear(&mut tx, &keys.account).await?;
        sessions::insert(
            &mut tx,
            &token_hash(&token),
            &user.id,
            kind.key(),
            &csrf_token,
            now,
            expires_at,
        )
        .await?;
        spil_store::commit(tx).await?;
        Ok(Issued {
            token,
            expires_at: crate::micros_to_datetime(expires_at),
            session: Session {
                actor,
                display_name: user.display_name,
                csrf_token,
            },
        })
    }

    /// Count a failed sign-in for the account and the address; lock them once past the limit,
    /// and log the lock for the privacy officer.
    async fn count_failure(&self, keys: &throttle::Keys, user: Option<&UserRow>) -> AppResult<()> {
        let limits = &self.config().limits;
        let now = now_micros();
        let forget = limits.forget_failures.as_micros() as i64;
        let mut tx = self.store().begin().await?;
        let mut locks = Vec::new();
        for (key, free) in [
            (&keys.account, limits.account_failures),
            (&keys.address, limits.address_failures),
        ] {
            let failures = throttles::fail(&mut tx, key, now, forget).await?;
            if let Some(lock) = throttle::lock_for(failures, free, limits) {
                let until = now + lock.as_micros() as i64;
                throttles::lock(&mut tx, key, until).await?;
                locks.push((key.clone(), failures, lock));
            }
        }
        spil_store::commit(tx).await?;
        for (key, failures, lock) in locks {
            tracing::warn!(%key, failures, seconds = lock.as_secs(), "sign-in locked after failed attempts");
            self.log_access(spil_store::access_log::Access {
                at: now,
                user_id: user.map(|u| u.id.clone()),
                household_id: None,
                action: "sign_in".into(),
                outcome: "denied".into(),
                basis: "too_many_attempts".into(),
                reason: Some(format!(
                    "{key}: {failures} mislukte pogingen, {} s geblokkeerd",
                    lock.as_secs()
                )),
                purpose: None,
                persons: Vec::new(),
            })
            .await?;
        }
        Ok(())
    }

    /// The sign-in form's token for a pre-session value: a MAC under the server's key.
    pub fn login_form_token(&self, pre_session: &str) -> String {
        self.journal_key().tag("login form", pre_session)
    }

    /// Revoke a token (API sign-out).
    pub async fn revoke(&self, token: &str) -> AppResult<()> {
        self.sign_out(token).await
    }

    /// The account behind a token, or `Unauthenticated`.
    pub async fn authenticate(&self, token: &str, kind: SessionKind) -> AppResult<Session> {
        if token.len() != 64 {
            return Err(AppError::Unauthenticated);
        }
        let hash = token_hash(token);
        if let Some((cached_kind, session)) = self.sessions.0.get(&hash) {
            return if cached_kind == kind {
                Ok(session)
            } else {
                Err(AppError::Unauthenticated)
            };
        }
        let mut conn = self.store().reader().await?;
        let found = sessions::find(&mut conn, &hash, kind.key(), now_micros()).await?;
        let found = found.ok_or(AppError::Unauthenticated)?;
        let session = Session {
            actor: actor_of(&mut conn, &found.user).await?,
            display_name: found.user.display_name,
            csrf_token: found.csrf_token,
        };
        self.sessions.0.insert(hash, (kind, session.clone()));
        Ok(session)
    }

    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        let hash = token_hash(token);
        self.sessions.0.invalidate(&hash);
        let mut tx = self.store().begin().await?;
        sessions::delete(&mut tx, &hash).await?;
        spil_store::commit(tx).await?;
        Ok(())
    }

    /// Remove expired sessions; run periodically by the server.
    pub async fn purge_sessions(&self) -> AppResult<u64> {
        let mut tx = self.store().begin().await?;
        let n = sessions::purge_expired(&mut tx, now_micros()).await?;
        spil_store::commit(tx).await?;
        Ok(n)
    }
}

/// A hash of a random password, verified against when the username is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// The sign-in throttle's rule: keys and lock lengths.
mod throttle {
    use std::time::Duration;

    use crate::config::Limits;
    use crate::AppError;

    pub(super) struct Keys {
        pub account: String,
        pub address: String,
    }

    impl Keys {
        pub fn new(username: &str, source: Option<std::net::IpAddr>) -> Self {
            Keys {
                account: format!("sign_in:account:{username}"),
                address: format!(
                    "sign_in:address:{}",
                    source
                        .map(|a| a.to_string())
                        .unwrap_or_else(|| "unknown".into())
                ),
            }
        }

        pub fn all(&self) -> [&str; 2] {
            [&self.account, &self.address]
        }
    }

    /// After `free` failures in a row the lock starts at `first_lock` and doubles with every
    /// further failure, up to `max_lock`.
    pub fn lock_for(failures: i64, free: i64, limits: &Limits) -> Option<Duration> {
        if failures < free {
            return None;
        }
        let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
        Some(
            limits
                .first_lock
                .saturating_mul(2u32.saturating_pow(doublings))
                .min(limits.max_lock),
        )
    }

    pub fn locked(until: i64, now: i64) -> AppError {
        let seconds = (until - now).max(0) as u64 / 1_000_000 + 1;
        AppError::TooManyRequests {
            code: "too_many_attempts",
            retry_after: seconds,
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn locks_start_after_the_free_failures_and_double_up_to_the_maximum() {
            let limits = Limits::default();
            assert_eq!(lock_for(4, 5, &limits), None);
            assert_eq!(lock_for(5, 5, &limits), Some(Duration::from_secs(30)));
            assert_eq!(lock_for(6, 5, &limits), Some(Duration::from_secs(60)));
            assert_eq!(lock_for(8, 5, &limits), Some(Duration::from_secs(240)));
            assert_eq!(lock_for(50, 5, &limits), Some(Duration::from_secs(900)));
            assert_eq!(
                lock_for(i64::MAX, 5, &limits),
                Some(Duration::from_secs(900))
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() -> AppResult<()> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("Correct horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
        Ok(())
    }

    #[test]
    fn the_dummy_hash_parses_so_unknown_users_cost_a_full_verification() {
        assert!(PasswordHash::new(dummy_hash()).is_ok());
        assert!(!verify_password("demo", dummy_hash()));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_ne!(token_hash(&a), a);
    }
}
