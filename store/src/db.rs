//! Opening a store: PostgreSQL when `DATABASE_URL` is a `postgres://` URL, otherwise an embedded
//! SQLite file, with the durability settings a committed command needs (SQLite: WAL +
//! `synchronous=FULL`; PostgreSQL: `synchronous_commit=on`).
//!
//! Least privilege on PostgreSQL: whoever owns the tables can switch the append-only triggers
//! off, so the application must not connect as the owner. [`Db::open`] therefore never runs DDL
//! on PostgreSQL; it only checks that the schema is migrated and otherwise says to run
//! `gevinst migrate`. [`Db::open_and_migrate`] (used by `gevinst migrate`, with the owner's URL)
//! migrates, and [`Db::grant_app_role`] gives the application's role exactly what it needs:
//! SELECT and INSERT on history, full DML on the read models, nothing it could rewrite
//! history with (no ownership, so no ALTER, TRUNCATE, DROP or trigger switch).
//!
//! SQLite migrates on open: a file has no roles; whoever can write the file can change it, so
//! the file's permissions are its only guard.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, SqlitePool};

use super::StoreError;

/// How recently a pooled PostgreSQL connection must have been used to be handed out without
/// first asking the server whether it is still there (see `open_postgres`).
pub const ALIVE_WITHOUT_ASKING: Duration = Duration::from_millis(500);

/// The oldest PostgreSQL this build runs on (`server_version_num`): an append's transaction
/// asks for generic plans (`plan_cache_mode`, see `repository`), a setting PostgreSQL 12
/// brought. On an older server every append would fail with "unrecognized configuration
/// parameter"; opening the store says so at once instead.
pub const OLDEST_POSTGRES: i32 = 120_000;

/// Where the embedded store lives when nothing else is configured.
pub const DEFAULT_SQLITE_PATH: &str = "data/gevinst.sqlite";

/// Which database to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A PostgreSQL URL.
    Postgres(String),
    /// An SQLite file (created with its folder on first use).
    Sqlite(PathBuf),
}

impl StoreConfig {
    /// From an optional `DATABASE_URL`: `postgres://…`/`postgresql://…`, `sqlite:PATH`, or
    /// nothing (the default SQLite file).
    pub fn from_url(url: Option<&str>) -> Result<Self, StoreError> {
        match url.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(Self::Sqlite(PathBuf::from(DEFAULT_SQLITE_PATH))),
            Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
                Ok(Self::Postgres(u.to_string()))
            }
            Some(u) if u.starts_with("sqlite:") => {
                let path = u
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                Ok(Self::Sqlite(PathBuf::from(path)))
            }
            Some(u) => Err(StoreError::Config(format!(
                "DATABASE_URL '{u}' is neither postgres://… nor sqlite:PATH"
            ))),
        }
    }
}

/// Whether opening may create the store. Only writers (`serve`, `baseline import`, `record`,
/// migrating) create one; a reading command run from the wrong folder must not silently create
/// an empty store and report "ok" about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the SQLite file (and its folder) when it is missing.
    CreateIfMissing,
    /// The store must exist; a missing SQLite file is [`StoreError::Missing`].
    MustExist,
}

/// An open database, either backend.
#[derive(Debug, Clone)]
pub enum Db {
    /// PostgreSQL.
    Postgres(PgPool),
    /// SQLite.
    Sqlite(SqlitePool),
}

/// Whether a PostgreSQL server of `number` (`server_version_num`, e.g. 150018) is new enough;
/// `version` (e.g. "15.18") names it in the error.
fn supported_postgres(number: i32, version: &str) -> Result<(), StoreError> {
    if number < OLDEST_POSTGRES {
        return Err(StoreError::UnsupportedPostgres(version.to_string()));
    }
    Ok(())
}

impl Db {
    /// Opens the store as the application: SQLite is created if needed and migrated; a
    /// PostgreSQL schema must already be migrated (by `gevinst migrate`, as its owner), and is
    /// only checked.
    pub async fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        Self::open_with(config, OpenMode::CreateIfMissing).await
    }

    /// Opens and migrates the store; with [`OpenMode::MustExist`] a missing SQLite file is an
    /// error naming its path (a missing PostgreSQL database already is one).
    pub async fn open_with(config: &StoreConfig, mode: OpenMode) -> Result<Self, StoreError> {
        let db = match config {
            StoreConfig::Postgres(url) => Self::open_postgres(url).await?,
            StoreConfig::Sqlite(path) => {
                if mode == OpenMode::MustExist && !path.is_file() {
                    return Err(StoreError::Missing(path.clone()));
                }
                Self::open_sqlite(path, mode == OpenMode::CreateIfMissing).await?
            }
        };
        match &db {
            Db::Postgres(pool) => check_migrated(pool).await?,
            Db::Sqlite(_) => db.migrate().await?,
        }
        Ok(db)
    }

    /// Opens (creating an SQLite file if needed) and migrates the store: the owner's path
    /// (`gevinst migrate`, the test harness).
    pub async fn open_and_migrate(config: &StoreConfig) -> Result<Self, StoreError> {
        let db = match config {
            StoreConfig::Postgres(url) => Self::open_postgres(url).await?,
            StoreConfig::Sqlite(path) => Self::open_sqlite(path, true).await?,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// The newest schema version this build knows.
    #[must_use]
    pub fn schema_version(&self) -> i64 {
        let migrator = match self {
            Db::Postgres(_) => postgres_migrator(),
            Db::Sqlite(_) => sqlite_migrator(),
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Gives PostgreSQL role `role` what the application needs and nothing more, replacing
    /// whatever it had on this schema's tables: USAGE on the schema; SELECT and INSERT on the
    /// history (`event`, `command`, and every other table not named below, so a new table is
    /// append-only for the application until someone decides otherwise); SELECT, INSERT, UPDATE
    /// and DELETE on the read models (`rm_*`, `projection_checkpoint`); SELECT on
    /// `_sqlx_migrations` (to check the schema version). Returns one line per grant.
    ///
    /// Refuses a role that does not exist, is a superuser, or is the connected (owning) role: it
    /// could rewrite history whatever the grants say. SQLite has no roles.
    pub async fn grant_app_role(&self, role: &str) -> Result<Vec<String>, StoreError> {
        let Db::Postgres(pool) = self else {
            return Err(StoreError::Config(
                "SQLite has no roles: the file's permissions are its only guard".to_string(),
            ));
        };
        let valid = !role.is_empty()
            && role.len() <= 63
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && !role.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(StoreError::Config(format!(
                "role name '{role}' must be 1-63 characters of a-z, 0-9 and _, not starting with a digit"
            )));
        }
        let mut tx = pool.begin().await?;
        let found: Option<(bool,)> =
            sqlx::query_as("SELECT rolsuper FROM pg_roles WHERE rolname = $1")
                .bind(role)
                .fetch_optional(&mut *tx)
                .await?;
        match found {
            None => {
                return Err(StoreError::Config(format!(
                    "role {role} does not exist: create it first (CREATE ROLE {role} LOGIN PASSWORD '…')"
                )))
            }
            Some((true,)) => {
                return Err(StoreError::Config(format!(
                    "role {role} is a superuser: it could rewrite history whatever it is granted"
                )))
            }
            Some((false,)) => {}
        }
        let owners: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = current_schema() \
             UNION SELECT current_user::text",
        )
        .fetch_all(&mut *tx)
        .await?;
        if owners.iter().any(|(o,)| o == role) {
            return Err(StoreError::Config(format!(
                "role {role} owns the schema (or is the role running the migration): the \
                 application needs a role of its own"
            )));
        }
        let tables: Vec<(String,)> = sqlx::query_as(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             ORDER BY tablename",
        )
        .fetch_all(&mut *tx)
        .await?;
        let schema = sqlx::query_scalar::<_, String>("SELECT current_schema()::text")
            .fetch_one(&mut *tx)
            .await?
            .replace('"', "\"\"");
        let mut done = Vec::new();
        let mut run = Vec::new();
        run.push(format!(
            "REVOKE ALL ON ALL TABLES IN SCHEMA \"{schema}\" FROM \"{role}\""
        ));
        run.push(format!("GRANT USAGE ON SCHEMA \"{schema}\" TO \"{role}\""));
        for (table,) in &tables {
            let privileges = if table == "_sqlx_migrations" {
                "SELECT"
            } else if table.starts_with("rm_")
                || table.starts_with("auth_")
                || table == "projection_checkpoint"
            {
                "SELECT, INSERT, UPDATE, DELETE"
            } else {
                "SELECT, INSERT"
            };
            run.push(format!("GRANT {privileges} ON \"{table}\" TO \"{role}\""));
            done.push(format!("{privileges} on {table}"));
        }
        run.push(format!(
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA \"{schema}\" TO \"{role}\""
        ));
        for statement in run {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(20)
            // sqlx's own test pings every connection before every use: one more round trip
            // for each command's look-ups and transaction and each read's query. A connection
            // used a moment ago is taken to be alive, as HikariCP does (its
            // `aliveBypassWindowMs`); one idle for longer is asked first, and a dead one
            // (server restarted, connection ended) is dropped and another taken.
            .test_before_acquire(false)
            .before_acquire(|connection, meta| {
                Box::pin(async move {
                    if meta.idle_for > ALIVE_WITHOUT_ASKING {
                        sqlx::Connection::ping(connection).await?;
                    }
                    Ok(true)
                })
            })
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        let (number, version): (i32, String) = sqlx::query_as(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version')",
        )
        .fetch_one(&pool)
        .await?;
        supported_postgres(number, &version)?;
        Ok(Self::Postgres(pool))
    }

    async fn open_sqlite(path: &Path, create: bool) -> Result<Self, StoreError> {
        if let Some(dir) = path
            .parent()
            .filter(|d| create && !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Config(format!("cannot create {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        // WAL is a property of the file: switch it on once, from one connection. Letting every
        // pooled connection switch it while others are opening fails under load
        // ("unable to open database file").
        {
            use sqlx::ConnectOptions;
            let first = options
                .clone()
                .journal_mode(SqliteJournalMode::Wal)
                .connect()
                .await?;
            sqlx::Connection::close(first).await?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A file opened in this process cannot drop away as a server's connection can:
            // no ping (one more hand-over to the connection's thread) before each use.
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Self::Sqlite(pool))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Postgres(pool) => postgres_migrator().run(pool).await?,
            Db::Sqlite(pool) => sqlite_migrator().run(pool).await?,
        }
        Ok(())
    }

    /// "postgres" or "sqlite".
    #[must_use]
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Postgres(_) => "postgres",
            Db::Sqlite(_) => "sqlite",
        }
    }

    /// Runs one raw SQL statement (for administration and tests).
    pub async fn execute_raw(&self, sql: &str) -> Result<u64, StoreError> {
        Ok(match self {
            Db::Postgres(pool) => pool.execute(sql).await?.rows_affected(),
            Db::Sqlite(pool) => pool.execute(sql).await?.rows_affected(),
        })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Db::Postgres(pool) => pool.close().await,
            Db::Sqlite(pool) => pool.close().await,
        }
    }
}

fn postgres_migrator() -> Migrator {
    sqlx::migrate!("../migrations/postgres")
}

fn sqlite_migrator() -> Migrator {
    sqlx::migrate!("../migrations/sqlite")
}

/// Checks, without changing anything, that every migration of this build was applied
/// unchanged and none unknown to it.
async fn check_migrated(pool: &PgPool) -> Result<(), StoreError> {
    const RUN: &str = "run `gevinst migrate` with the schema owner's DATABASE_URL";
    let applied: Vec<(i64, Vec<u8>)> = match sqlx::query_as(
        "SELECT version, checksum FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(rows) => rows,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => {
            return Err(StoreError::NotMigrated(format!(
                "the database has no gevinst schema yet: {RUN}"
            )))
        }
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501") => {
            return Err(StoreError::NotMigrated(format!(
                "this role may not read the schema's version ({}): run `gevinst migrate \
                 --app-role ROLE` with the schema owner's DATABASE_URL",
                e.message()
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let migrator = postgres_migrator();
    let known: Vec<_> = migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    for m in &known {
        match applied.iter().find(|(v, _)| *v == m.version) {
            None => {
                return Err(StoreError::NotMigrated(format!(
                    "migration {} ({}) is not applied: {RUN}",
                    m.version, m.description
                )))
            }
            Some((_, checksum)) if checksum.as_slice() != &*m.checksum => {
                return Err(StoreError::NotMigrated(format!(
                    "migration {} ({}) was applied from a different file than this gevinst's",
                    m.version, m.description
                )))
            }
            Some(_) => {}
        }
    }
    if let Some((v, _)) = applied
        .iter()
        .find(|(v, _)| !known.iter().any(|m| m.version == *v))
    {
        return Err(StoreError::NotMigrated(format!(
            "the schema has migration {v}, which this gevinst does not know: it is older than the database"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_older_than_12_is_refused_by_name_and_12_on_is_not() {
        let refused = supported_postgres(110_022, "11.22").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "PostgreSQL 11.22 er for gammel: Gevinst kræver PostgreSQL 12 eller nyere"
        );
        assert!(supported_postgres(119_999, "11.99").is_err());
        for (number, version) in [(120_000, "12.0"), (150_018, "15.18"), (170_002, "17.2")] {
            assert!(supported_postgres(number, version).is_ok(), "{version}");
        }
    }
}
