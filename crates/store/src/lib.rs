//! Spil's storage: one schema on SQLite (embedded default) and PostgreSQL (production).
//!
//! All SQL is written once, in the dialect both databases share (`$1` parameters, BIGINT
//! times, TEXT ids, 0/1 flags), and runs through sqlx's `Any` driver; only the migrations
//! differ per backend, and both sets are run by the test suite. Functions take a
//! `&mut AnyConnection`, so the same function serves inside a use case's transaction and
//! on a plain read connection.

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod access_log;
pub mod bulk;
pub mod contacts;
pub mod file_body;
pub mod imports;
pub mod intake;
pub mod jobs;
pub mod journal;
pub mod lists;
pub mod org;
pub mod plans;
pub mod relations;
pub mod residents;
pub mod search;
pub mod sessions;
mod sql;
pub mod throttles;
pub mod trajectories;
pub mod waakvlam;
pub mod worklist;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use sqlx::AnyConnection as Conn;
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("a row with this key exists already")]
    Conflict,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StoreError {
    fn from_write(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            _ => StoreError::Database(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection pools to one database. SQLite gets one writer connection (it serialises
/// writes anyway, and one writer never meets `SQLITE_BUSY`) and several readers; PostgreSQL
/// uses one pool for both.
#[derive(Debug, Clone)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
}

/// Pool sizes; the defaults suit a small server.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    pub readers: u32,
    pub writers: u32,
}

impl Default for PoolSize {
    fn default() -> Self {
        PoolSize {
            readers: 8,
            writers: 16,
        }
    }
}

impl Store {
    /// Connect, creating a SQLite file when it does not exist, and run the migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::connect_with(url, PoolSize::default()).await
    }

    pub async fn connect_with(url: &str, size: PoolSize) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let store = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_creating(url);
                let options = AnyConnectOptions::from_str(&url)?;
                let write = sqlite_pool(1).connect_with(options.clone()).await?;
                // The schema must exist before readers connect.
                sqlx::migrate!("../../migrations/sqlite")
                    .run(&write)
                    .await?;
                let read = sqlite_pool(size.readers).connect_with(options).await?;
                Store {
                    read,
                    write,
                    backend,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(size.writers)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                sqlx::migrate!("../../migrations/postgres")
                    .run(&pool)
                    .await?;
                Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                }
            }
        };
        // Data written before the search index existed gets its terms once.
        let mut tx = store.begin().await?;
        search::index_missing(&mut tx).await?;
        tx.commit().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Start a write transaction: a use case's state change, journal and access log.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin().await?)
    }

    /// A read-only transaction that sees one consistent snapshot (for long reads such as
    /// verifying the whole journal while the server keeps writing).
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        let mut tx = self.read.begin().await?;
        if self.backend == Backend::Postgres {
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
        }
        Ok(tx)
    }

    /// A connection for reads that write nothing.
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max.max(1))
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // WAL lets readers work while the writer commits; FULL syncs the WAL at
                // every commit, so an acknowledged write survives a power loss too (NORMAL
                // would only survive a crash of the process). Cost: docs/performance.md.
                conn.execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                )
                .await?;
                Ok(())
            })
        })
}

/// `sqlite://spil.db` → `sqlite://spil.db?mode=rwc`, so a fresh machine gets a new file.
fn sqlite_url_creating(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Commit a use case's transaction.
pub async fn commit(tx: Tx) -> Result<()> {
    tx.commit().await.map_err(StoreError::from_write)
}

/// `($1, $2), ($3, $4)`: the VALUES of a multi-row insert of `rows` rows of `columns` values.
pub(crate) fn placeholders(rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * columns + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Convert a 0/1 column.
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_value() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }

    /// The two migration sets are one schema: they may differ only in how an auto-numbered
    /// key is spelled, and in the byte-order collation search terms need on PostgreSQL
    /// (SQLite compares bytes already).
    #[test]
    fn sqlite_and_postgres_migrations_describe_the_same_schema() {
        let dir = |backend: &str| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(backend)
        };
        let names = |backend: &str| {
            let mut names: Vec<String> = std::fs::read_dir(dir(backend))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names("sqlite"), names("postgres"));
        assert!(!names("sqlite").is_empty());
        for name in names("sqlite") {
            let read = |backend: &str| {
                std::fs::read_to_string(dir(backend).join(&name)).unwrap_or_default()
            };
            let postgres = read("postgres")
                .replace(
                    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                    "INTEGER PRIMARY KEY AUTOINCREMENT",
                )
                .replace("TEXT COLLATE \"C\"", "TEXT");
            assert_eq!(
                read("sqlite"),
                postgres,
                "{name} differs beyond identity columns"
            );
        }
    }

    /// A row of SQLite's `EXPLAIN QUERY PLAN`: id, parent, unused, what it does.
    type PlanRow = (i64, i64, i64, String);

    /// The steps of a plan that scan a table. A statement's own intermediate results
    /// (subqueries, the list's `page r`) may be scanned: they hold what the indexes found.
    fn table_scans(plan: &[PlanRow]) -> Vec<&str> {
        plan.iter()
            .map(|row| row.3.as_str())
            .filter(|d| d.starts_with("SCAN") && !d.starts_with("SCAN (subquery") && *d != "SCAN r")
            .collect()
    }

    /// The queries every read of a file runs must find rows through an index, not by scanning
    /// a table that grows with the region (found by the 100,000-household benchmark).
    #[tokio::test]
    async fn reading_a_file_or_a_worklist_never_scans_a_growing_table() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("spil-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let store = Store::connect(&format!("sqlite://{}", dir.join("plan.db").display())).await?;
        let mut conn = store.reader().await?;
        for (name, sql) in [
            ("file head", residents::FILE_HEAD_SQL.as_str()),
            ("current trajectory", trajectories::CURRENT_SQL),
        ] {
            let plan: Vec<PlanRow> = sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .bind("h")
                .bind("u")
                .bind(0i64)
                .fetch_all(&mut *conn)
                .await?;
            let scans = table_scans(&plan);
            assert!(scans.is_empty(), "{name} scans: {scans:?}");
        }
        // The worklist: whatever the region's size, it reads only the user's own trajectories.
        for (name, sql, params) in [("worklist", worklist::worklist_sql(), 2)] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query_as(&explain);
            for _ in 0..params {
                query = query.bind("u");
            }
            let plan: Vec<PlanRow> = query.fetch_all(&mut *conn).await?;
            let scans = table_scans(&plan);
            assert!(scans.is_empty(), "{name} scans: {scans:?}");
        }
        // Every start looks for journal entries from before keyed digests (found at a million
        // households: 1.9 s reading all 7 million entries).
        {
            let plan: Vec<PlanRow> = sqlx::query_as(
                "EXPLAIN QUERY PLAN SELECT DISTINCT stream FROM journal WHERE summary_digest = ''",
            )
            .fetch_all(&mut *conn)
            .await?;
            // Walking the partial index is walking the legacy entries alone.
            assert!(
                plan.iter().all(
                    |row| !row.3.starts_with("SCAN") || row.3.ends_with("INDEX journal_legacy")
                ),
                "legacy journal entries: {plan:?}"
            );
        }
        // The households a common name is looked for in (found at a million households: the
        // regisseur branch scanned every trajectory).
        {
            let explain = format!("EXPLAIN QUERY PLAN {}", search::reachable("$1", "$2", "$3"));
            let plan: Vec<PlanRow> = sqlx::query_as(&explain)
                .bind("t")
                .bind("u")
                .bind(0i64)
                .fetch_all(&mut *conn)
                .await?;
            let scans = table_scans(&plan);
            assert!(scans.is_empty(), "reach scans: {scans:?}");
        }
        // A common name's words are checked per member of a reachable household, from the
        // index alone (each term's row was read before).
        for (table, key) in [
            ("person_terms", "person_id"),
            ("household_terms", "household_id"),
        ] {
            let explain = format!(
                "EXPLAIN QUERY PLAN SELECT 1 FROM {table} w WHERE w.{key} = $1 AND w.term >= $2 AND w.term < $3"
            );
            let plan: Vec<PlanRow> = sqlx::query_as(&explain)
                .bind("p")
                .bind("jan")
                .bind("jao")
                .fetch_all(&mut *conn)
                .await?;
            assert!(
                plan.iter()
                    .any(|row| row.3.contains(&format!("COVERING INDEX {table}_"))),
                "{table} by {key}: {plan:?}"
            );
        }
        // "Mijn huishoudens", for a professional and for a coordinator (found at a million
        // households: one `OR` over three sources scanned every open trajectory).
        let filter = spil_domain::listing::ListFilter::default();
        for whole_teams in [false, true] {
            let (sql, b) = lists::mine_statement(&lists::MineQuery {
                user_id: "u",
                whole_teams,
                filter: &filter,
                regisseur_id: None,
                limit: 50,
                offset: 0,
            });
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let plan: Vec<PlanRow> = b
                .bind(sqlx::query_as(&explain))
                .fetch_all(&mut *conn)
                .await?;
            let scans = table_scans(&plan);
            assert!(
                scans.is_empty(),
                "mine (coordinator: {whole_teams}) scans: {scans:?}\n{plan:?}"
            );
            // The team's households come from the index alone, not row by row.
            assert!(
                plan.iter()
                    .any(|row| row.3.contains("COVERING INDEX households_team")),
                "mine (coordinator: {whole_teams}) reads the team's households row by row: {plan:?}"
            );
        }
        drop(conn);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    /// Search terms are back-filled once: a database from before the index gets them at the
    /// next start, and later starts no longer read every person (3.6 s at a million).
    #[tokio::test]
    async fn search_terms_are_back_filled_once_and_then_never_looked_for_again() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("spil-backfill-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let url = format!("sqlite://{}", dir.join("b.db").display());
        let terms_of = |id: &'static str| {
            format!("SELECT COUNT(*) FROM person_terms WHERE person_id = '{id}'")
        };
        let count = |store: Store, sql: String| async move {
            let mut conn = store.reader().await?;
            let (n,): (i64,) = sqlx::query_as(&sql).fetch_one(&mut *conn).await?;
            drop(conn);
            store.close().await;
            Ok::<i64, StoreError>(n)
        };
        let insert = |id: &'static str| {
            format!(
                "INSERT INTO persons (id, given_name, family_name, family_name_key, birth_date, created_at) \
                 VALUES ('{id}', 'Ilse', 'Wikkerink', 'wikkerink', '1980-01-01', 0)"
            )
        };
        let store = Store::connect(&url).await?;
        // A person written without terms, as before the index, and the back-fill not yet done.
        let mut tx = store.begin().await?;
        tx.execute(insert("p-old").as_str()).await?;
        tx.execute("DELETE FROM backfills").await?;
        commit(tx).await?;
        store.close().await;
        assert!(count(Store::connect(&url).await?, terms_of("p-old")).await? > 0);
        // Done now: a row without terms (which no use case writes) is not looked for again.
        let store = Store::connect(&url).await?;
        let mut tx = store.begin().await?;
        tx.execute(insert("p-new").as_str()).await?;
        commit(tx).await?;
        store.close().await;
        assert_eq!(
            count(Store::connect(&url).await?, terms_of("p-new")).await?,
            0
        );
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    #[test]
    fn sqlite_urls_create_missing_files() {
        assert_eq!(
            sqlite_url_creating("sqlite://spil.db"),
            "sqlite://spil.db?mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating("sqlite://x.db?cache=shared"),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlite_url_creating("sqlite://x.db?mode=ro"),
            "sqlite://x.db?mode=ro"
        );
    }
}
