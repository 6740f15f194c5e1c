//! Opening a store: PostgreSQL when `DATABASE_URL` is a `postgres://` URL, otherwise an embedded
//! SQLite file. Both get their schema from `migrations/` at start-up and the durability settings
//! a committed command needs (SQLite: WAL + `synchronous=FULL`; PostgreSQL:
//! `synchronous_commit=on`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, PgPool, SqlitePool};

use super::StoreError;

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

impl Db {
    /// Opens (creating if needed) and migrates the store.
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
        db.migrate().await?;
        Ok(db)
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
            .max_connections(20)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
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
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Self::Sqlite(pool))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
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
