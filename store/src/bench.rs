//! What `gevinst bench` measures Gevinst against: the same database doing the least that the
//! log must do, with the same durability settings (`synchronous_commit=on`, SQLite
//! `synchronous=FULL`), in the same run. A ratio to these figures says how much of the disk's
//! and the database's speed Gevinst's own work leaves, which a bare events-per-second figure
//! cannot say across machines.
//!
//! Everything here runs on a scratch store ([`Scratch`]) beside the configured one: a new
//! PostgreSQL database on the same server, or a new SQLite file in the same folder (the same
//! disk), removed afterwards. The configured store is never written.

use std::path::PathBuf;

use futures::TryStreamExt;
use sqlx::{Connection, Executor};

use super::db::{Db, StoreConfig};
use super::repository::{select_events, EventRow};
use super::StoreError;

/// A throwaway store on the configured store's server or disk.
#[derive(Debug)]
pub struct Scratch {
    config: StoreConfig,
    /// The configured server's URL and the scratch database's name (PostgreSQL).
    postgres: Option<(String, String)>,
}

impl Scratch {
    /// Creates an empty scratch store beside `configured`: a database `gevinst_bench_<pid>` on
    /// the same PostgreSQL server (the configured role needs CREATEDB), or a file
    /// `gevinst-bench-<pid>.sqlite` in the configured file's folder.
    pub async fn create(configured: &StoreConfig) -> Result<Self, StoreError> {
        let tag = format!("{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
        match configured {
            StoreConfig::Postgres(url) => {
                let name = format!("gevinst_bench_{tag}");
                let mut conn = sqlx::PgConnection::connect(url).await?;
                conn.execute(format!("CREATE DATABASE \"{name}\"").as_str())
                    .await
                    .map_err(|e| {
                        StoreError::Config(format!(
                            "kan ikke oprette en midlertidig database til målingen \
                             (rollen skal have CREATEDB): {e}"
                        ))
                    })?;
                conn.close().await?;
                Ok(Self {
                    config: StoreConfig::Postgres(with_database(url, &name)?),
                    postgres: Some((url.clone(), name)),
                })
            }
            StoreConfig::Sqlite(path) => {
                let dir = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), PathBuf::from);
                Ok(Self {
                    config: StoreConfig::Sqlite(dir.join(format!("gevinst-bench-{tag}.sqlite"))),
                    postgres: None,
                })
            }
        }
    }

    /// The scratch store's configuration.
    #[must_use]
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Removes the scratch store (close every pool on it first).
    pub async fn remove(self) -> Result<(), StoreError> {
        match (&self.config, &self.postgres) {
            (StoreConfig::Postgres(_), Some((url, name))) => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await?;
                conn.close().await?;
            }
            (StoreConfig::Sqlite(path), _) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    match std::fs::remove_file(&file) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                            return Err(StoreError::Config(format!(
                                "{} kunne ikke slettes: {e}",
                                PathBuf::from(file).display()
                            )))
                        }
                        _ => {}
                    }
                }
            }
            (StoreConfig::Postgres(_), None) => {}
        }
        Ok(())
    }
}

/// `url` with its database (the path) replaced by `name`.
fn with_database(url: &str, name: &str) -> Result<String, StoreError> {
    let mut parsed =
        url::Url::parse(url).map_err(|e| StoreError::Config(format!("DATABASE_URL: {e}")))?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.into())
}

/// Creates the raw figure's table on a scratch store.
pub async fn prepare_raw(db: &Db) -> Result<(), StoreError> {
    db.execute_raw(
        "CREATE TABLE IF NOT EXISTS bench_raw (id BIGINT PRIMARY KEY, stream_id TEXT NOT NULL, \
         payload TEXT NOT NULL, recorded_at TEXT NOT NULL)",
    )
    .await?;
    Ok(())
}

/// Inserts rows `first..first + count` into the scratch table, one transaction per row (an
/// autocommitted INSERT), each carrying `payload`: the raw durable insert.
pub async fn raw_inserts(db: &Db, first: i64, count: i64, payload: &str) -> Result<(), StoreError> {
    const INSERT: &str =
        "INSERT INTO bench_raw (id, stream_id, payload, recorded_at) VALUES ($1, $2, $3, $4)";
    for id in first..first + count {
        let now = chrono::Utc::now().to_rfc3339();
        on_backend!(db, |pool, _cast| {
            sqlx::query(INSERT)
                .bind(id)
                .bind("BENCH")
                .bind(payload)
                .bind(&now)
                .execute(pool)
                .await?;
        });
    }
    Ok(())
}

/// Reads every event row in global order, each decoded into its columns as the store reads
/// it (no JSON parsing): the raw full read. Returns the number of rows.
pub async fn raw_full_read(db: &Db) -> Result<u64, StoreError> {
    let sql = |cast: &str| format!("{} ORDER BY position", select_events(cast));
    let mut rows = 0u64;
    on_backend!(db, |pool, cast| {
        let sql = sql(cast);
        let mut stream = sqlx::query_as::<_, EventRow>(&sql).fetch(pool);
        while let Some(row) = stream.try_next().await? {
            std::hint::black_box(&row);
            rows += 1;
        }
    });
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_database_is_on_the_same_server_with_the_same_settings() {
        assert_eq!(
            with_database(
                "postgres://u:p@db.example:5433/gevinst?sslmode=require",
                "b1"
            )
            .expect("a url"),
            "postgres://u:p@db.example:5433/b1?sslmode=require"
        );
        assert_eq!(
            with_database("postgres://u@localhost", "b2").expect("a url"),
            "postgres://u@localhost/b2"
        );
    }

    #[tokio::test]
    async fn a_sqlite_scratch_file_sits_beside_the_store_and_goes_afterwards() {
        let dir = std::env::temp_dir().join(format!("gevinst-scratch-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a folder");
        let configured = StoreConfig::Sqlite(dir.join("gevinst.sqlite"));
        let scratch = Scratch::create(&configured).await.expect("a scratch store");
        let StoreConfig::Sqlite(path) = scratch.config().clone() else {
            panic!("SQLite stays SQLite");
        };
        assert_eq!(path.parent(), Some(dir.as_path()));
        let db = Db::open_and_migrate(scratch.config()).await.expect("opens");
        prepare_raw(&db).await.expect("table");
        raw_inserts(&db, 0, 3, "{}").await.expect("inserts");
        assert_eq!(raw_full_read(&db).await.expect("reads"), 0);
        db.close().await;
        assert!(path.is_file());
        scratch.remove().await.expect("removed");
        assert!(!path.exists());
        assert!(
            !dir.join("gevinst.sqlite").exists(),
            "the configured store was made"
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
