//! The event log: the only place that writes history. It knows events only as serialized
//! rows (type, version, payload, metadata), so the rules stay in `gevinst-domain` and the read
//! models in `gevinst-projections`; both backends share one append protocol.
//!
//! See `repository` for the append protocol, `verify` for the tamper check, `db` for opening
//! either backend (and migrating it), `clock` for the injectable recorded-time source, `checkpoint` for the signed checkpoints that
//! anchor the log (Merkle tree and formats from `gevinst-verify`).
#![deny(missing_docs)]

/// Runs `$body` with `$pool` bound to the backend's pool and `$cast` to its text cast (the
/// same SQL runs on both: both accept `$n` placeholders), so a query is written once.
macro_rules! on_backend {
    ($db:expr, |$pool:ident, $cast:ident| $body:expr) => {
        match $db {
            Db::Postgres($pool) => {
                let $cast = "::text";
                $body
            }
            Db::Sqlite($pool) => {
                let $cast = "";
                $body
            }
        }
    };
}

pub mod bench;
pub mod checkpoint;
pub mod clock;
pub mod credentials;
pub mod db;
pub mod repository;
pub mod sql;
pub mod verify;

pub use checkpoint::{
    sign_checkpoint, verify_checkpoint, verify_newest, CheckpointReport, StoredCheckpoint,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use credentials::{Credentials, SessionRow, StreamHead, TokenRow};
pub use db::{Db, OpenMode, StoreConfig, ALIVE_WITHOUT_ASKING, DEFAULT_SQLITE_PATH};
pub use repository::{
    Appended, CommandRecord, DecidedOn, EventStore, Inline, LoggedEvent, RowRead, StoredEvent,
    UnreadableRow, Walk, APPENDED_CHANNEL, APPEND_LOCK_KEY, GATHER,
};
pub use verify::{verify, verify_with, ChainProblem, Checks, Decoder, ProblemKind, VerifyReport};

use cqrs_es::persist::PersistenceError;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The configuration does not name a usable store.
    #[error("store configuration: {0}")]
    Config(String),
    /// The PostgreSQL server is older than this build runs on ([`db::OLDEST_POSTGRES`]).
    #[error(
        "PostgreSQL {0} er for gammel: Gevinst kræver PostgreSQL {oldest} eller nyere",
        oldest = db::OLDEST_POSTGRES / 10_000
    )]
    UnsupportedPostgres(String),
    /// A reading command found no store at the configured path.
    #[error("der er ingen database i {}: kør kommandoen fra den rigtige mappe eller angiv --database-url (kun `gevinst serve`, `baseline import` og `record` opretter en ny)", .0.display())]
    Missing(std::path::PathBuf),
    /// The database said no.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// The PostgreSQL schema is not (or not exactly) what this build expects; only its owner
    /// can migrate it.
    #[error("the store's schema is not ready: {0}")]
    NotMigrated(String),
    /// A migration failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Another command was appended to the stream first.
    #[error("forslag {stream_id} blev ændret samtidig: kommandoen ville skrive hændelse {expected}, men forslaget er ved hændelse {current}; hent det igen, og prøv igen")]
    Conflict {
        /// The stream.
        stream_id: String,
        /// The sequence this append wanted to write.
        expected: i64,
        /// The stream's last stored sequence.
        current: i64,
    },
    /// A stream the command was decided on (its grants, say) grew before the command committed:
    /// decide it again on what the log says now (see [`repository::DecidedOn`]).
    #[error("{stream_id} blev ændret, mens kommandoen blev afgjort (den så hændelse {decided_on}, nu er den ved {current}); prøv igen")]
    Moved {
        /// The stream.
        stream_id: String,
        /// Its last sequence when the command was decided.
        decided_on: i64,
        /// Its last sequence now.
        current: i64,
    },
    /// A command with this idempotency key was already accepted.
    #[error("en kommando med idempotensnøglen «{}» er allerede modtaget for {}", .0.idempotency_key, .0.stream_id)]
    DuplicateCommand(Box<CommandRecord>),
    /// A stored row cannot be read.
    #[error("stored history is unreadable: {0}")]
    Corrupt(String),
    /// The caller handed the store something it cannot store.
    #[error("invalid append: {0}")]
    Invalid(String),
    /// An append's inline projection failed (the append is then retried without it).
    #[error("projecting inline: {0}")]
    Projection(String),
    /// JSON encoding failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored checkpoint of this size has another root than the log has there now: the log
    /// was cut and regrown, or changed, after it was signed. Nothing is signed over it: not a
    /// second tree of the same size, nor a larger one that does not begin with what was signed.
    #[error("loggen er ændret efter den blev signeret: checkpointet for de første {size} hændelser har roden {signed_root}, men loggen har nu roden {log_root} der; der signeres intet, der modsiger et signeret checkpoint (kør gevinst verify --checkpoint med det gemte checkpoint for at se hvad der er ændret)")]
    Forked {
        /// The tree size both cover.
        size: i64,
        /// The stored checkpoint's root, hex.
        signed_root: String,
        /// The log's root now, hex.
        log_root: String,
    },
    /// A stored checkpoint covers more events than the log holds now: the log was cut after
    /// it was signed. Nothing is signed over it.
    #[error("loggen er afkortet efter den blev signeret: et checkpoint dækker de første {size} hændelser, men loggen rummer nu kun {log_size}; der signeres intet, der modsiger et signeret checkpoint (kør gevinst verify --checkpoint med det gemte checkpoint for at se hvad der mangler)")]
    Shortened {
        /// The tree size the checkpoint covers.
        size: i64,
        /// Events in the log now.
        log_size: u64,
    },
}

impl From<StoreError> for PersistenceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict { .. } | StoreError::Moved { .. } => {
                PersistenceError::OptimisticLockError
            }
            StoreError::Database(e @ (sqlx::Error::PoolTimedOut | sqlx::Error::Io(_))) => {
                PersistenceError::ConnectionError(Box::new(e))
            }
            StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                PersistenceError::OptimisticLockError
            }
            other => PersistenceError::UnknownError(Box::new(other)),
        }
    }
}
