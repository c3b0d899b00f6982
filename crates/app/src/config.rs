//! What a server is configured with beyond its database and policy: the journal key and
//! where checkpoints go, and the limits that protect sign-in and look-ups.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rand::RngCore;
use spil_domain::journal::JournalKey;

use crate::{AppError, AppResult};

/// The security settings of an `App`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Keys the journal's MACs and signs its checkpoints. Never stored in the database.
    pub journal_key: JournalKey,
    /// Where signed checkpoints are appended (a file the database cannot change).
    pub checkpoint_file: Option<PathBuf>,
    /// How often a checkpoint is made (once per period across all servers).
    pub checkpoint_every: Duration,
    pub limits: Limits,
}

/// Throttles and bounds; shared by all servers through the database.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Password verifications running at once (each takes 19 MiB for argon2).
    pub hashing_slots: usize,
    /// Sign-ins that may wait for a slot; beyond this the answer is 503 with Retry-After.
    pub hashing_queue: usize,
    /// Failed sign-ins for an account before it is locked for a while.
    pub account_failures: i64,
    /// Failed sign-ins from one address before it is locked for a while.
    pub address_failures: i64,
    /// The first lock; each further failure doubles it, up to `max_lock`.
    pub first_lock: Duration,
    pub max_lock: Duration,
    /// Failures older than this are forgotten.
    pub forget_failures: Duration,
    /// Identity look-ups (duplicate checks) per account per minute.
    pub lookups_per_minute: i64,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Limits {
            hashing_slots: cores,
            hashing_queue: 4 * cores,
            account_failures: 5,
            address_failures: 20,
            first_lock: Duration::from_secs(30),
            max_lock: Duration::from_secs(15 * 60),
            forget_failures: Duration::from_secs(15 * 60),
            lookups_per_minute: 30,
        }
    }
}

impl Config {
    pub fn new(journal_key: JournalKey, checkpoint_file: Option<PathBuf>) -> Self {
        Config {
            journal_key,
            checkpoint_file,
            checkpoint_every: Duration::from_secs(600),
            limits: Limits::default(),
        }
    }

    /// Resolve the settings for a database. The journal key comes from `secret`
    /// (`SPIL_JOURNAL_KEY`); without one, an embedded SQLite database gets a key file beside it
    /// (`FILE.journal-key`, made on first use), and PostgreSQL refuses to start. Checkpoints go
    /// to `checkpoints` (`SPIL_JOURNAL_CHECKPOINTS`), by default `FILE.checkpoints` beside a
    /// SQLite database.
    pub fn resolve(
        database_url: &str,
        secret: Option<&str>,
        checkpoints: Option<PathBuf>,
    ) -> AppResult<Config> {
        let sqlite_file = sqlite_file(database_url);
        let key = match (secret.filter(|s| !s.trim().is_empty()), &sqlite_file) {
            (Some(secret), _) => JournalKey::from_secret(secret)
                .map_err(|e| AppError::Config(format!("SPIL_JOURNAL_KEY: {e}")))?,
            (None, Some(file)) => key_file(&with_suffix(file, "journal-key"))?,
            (None, None) => {
                return Err(AppError::Config(
                    "SPIL_JOURNAL_KEY is not set: a PostgreSQL installation needs a journal key of at least 32 characters from the configuration (keep it outside the database and its backups)".into(),
                ))
            }
        };
        let checkpoints =
            checkpoints.or_else(|| sqlite_file.map(|f| with_suffix(&f, "checkpoints")));
        Ok(Config::new(key, checkpoints))
    }

    /// From the environment (`SPIL_JOURNAL_KEY`, `SPIL_JOURNAL_CHECKPOINTS`, and
    /// `SPIL_LOOKUPS_PER_MINUTE` for the identity look-up limit).
    pub fn from_env(database_url: &str) -> AppResult<Config> {
        let mut config = Config::resolve(
            database_url,
            std::env::var("SPIL_JOURNAL_KEY").ok().as_deref(),
            std::env::var_os("SPIL_JOURNAL_CHECKPOINTS").map(PathBuf::from),
        )?;
        if let Ok(raw) = std::env::var("SPIL_LOOKUPS_PER_MINUTE") {
            config.limits.lookups_per_minute = raw
                .trim()
                .parse()
                .ok()
                .filter(|n: &i64| *n > 0)
                .ok_or_else(|| {
                    AppError::Config(format!(
                        "SPIL_LOOKUPS_PER_MINUTE: not a positive number: {raw:?}"
                    ))
                })?;
        }
        Ok(config)
    }
}

/// `sqlite://spil.db?mode=rwc` → `spil.db`; `None` for in-memory databases and PostgreSQL.
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// Read the key file, or make one with a new random key (readable by its owner only).
fn key_file(path: &Path) -> AppResult<JournalKey> {
    let read =
        |e: std::io::Error| AppError::Config(format!("journal key file {}: {e}", path.display()));
    let secret = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut bytes);
            let secret = hex::encode(bytes);
            write_private(path, &secret).map_err(read)?;
            tracing::warn!(file = %path.display(), "made a new journal key; keep it apart from the database's backups");
            secret
        }
        Err(e) => return Err(read(e)),
    };
    JournalKey::from_secret(&secret)
        .map_err(|e| AppError::Config(format!("journal key file {}: {e}", path.display())))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_files_are_found_in_urls() {
        assert_eq!(
            sqlite_file("sqlite://spil.db"),
            Some(PathBuf::from("spil.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:///tmp/x.db?mode=rwc"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[test]
    fn postgres_without_a_key_is_refused_and_a_short_key_too() {
        assert!(matches!(
            Config::resolve("postgres://u@h/db", None, None),
            Err(AppError::Config(_))
        ));
        assert!(matches!(
            Config::resolve("postgres://u@h/db", Some("short"), None),
            Err(AppError::Config(_))
        ));
        assert!(Config::resolve("postgres://u@h/db", Some(&"k".repeat(40)), None).is_ok());
    }

    #[test]
    fn a_sqlite_database_gets_a_key_file_that_is_reused() -> AppResult<()> {
        let dir = std::env::temp_dir().join(format!("spil-key-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.to_string()))?;
        let url = format!("sqlite://{}", dir.join("a.db").display());
        let first = Config::resolve(&url, None, None)?;
        let again = Config::resolve(&url, None, None)?;
        assert_eq!(first.journal_key, again.journal_key);
        assert_eq!(first.checkpoint_file, Some(dir.join("a.db.checkpoints")));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
