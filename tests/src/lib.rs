//! The harness for Gevinst's cross-crate integration tests: a fresh, real database per test on
//! each backend (an SQLite file in a temporary folder; a new PostgreSQL database on the server
//! named by `GEVINST_TEST_POSTGRES_URL`, which `scripts/test.sh` starts), and the
//! [`both_backends!`] macro that turns one async test body into one test per backend.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{Actor, EventMetadata, ProposalId, Role};
use gevinst_projections::store::{Db, FixedClock, StoreConfig};
use gevinst_projections::ProposalService;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// A fresh store for one test, removed (SQLite) or abandoned in the throwaway cluster
/// (PostgreSQL) afterwards.
pub struct TestStore {
    /// The backend.
    pub backend: Backend,
    /// How to open it again (e.g. to check durability after reopening).
    pub config: StoreConfig,
    /// The open database.
    pub db: Db,
    /// The clock the service stamps events with.
    pub clock: Arc<FixedClock>,
    /// The command path.
    pub service: ProposalService,
    dir: Option<Arc<tempfile::TempDir>>,
}

/// The admin URL of the test PostgreSQL server.
pub fn postgres_admin_url() -> String {
    std::env::var("GEVINST_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "PostgreSQL tests need GEVINST_TEST_POSTGRES_URL (an admin URL). \
             Run scripts/test.sh, which installs and starts a throwaway server."
        )
    })
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres_url() -> String {
    use sqlx::Executor;
    let admin = postgres_admin_url();
    let name = format!("gevinst_test_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL server");
    pool.execute(format!("CREATE DATABASE \"{name}\"").as_str())
        .await
        .expect("create a test database");
    pool.close().await;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

impl TestStore {
    /// A fresh, migrated store on `backend`, with a clock fixed at 2025-01-15 09:00 UTC.
    pub async fn new(backend: Backend) -> Self {
        let (config, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("gevinst.sqlite");
                (StoreConfig::Sqlite(path), Some(Arc::new(dir)))
            }
            Backend::Postgres => (StoreConfig::Postgres(fresh_postgres_url().await), None),
        };
        let db = Db::open(&config).await.expect("open the test store");
        let clock = Arc::new(FixedClock::new(
            Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap(),
        ));
        let service = ProposalService::new(db.clone(), clock.clone());
        Self {
            backend,
            config,
            db,
            clock,
            service,
            dir,
        }
    }

    /// A handle that keeps the SQLite folder alive. Async test bodies capture only the fields
    /// they use (edition 2021 disjoint captures), so the folder would otherwise be deleted as
    /// soon as the body's future is created.
    #[must_use]
    pub fn keep_alive(&self) -> Option<Arc<tempfile::TempDir>> {
        self.dir.clone()
    }

    /// The store as a `DATABASE_URL` (`sqlite:PATH` or `postgres://…`).
    #[must_use]
    pub fn database_url(&self) -> String {
        match &self.config {
            StoreConfig::Sqlite(path) => format!("sqlite:{}", path.display()),
            StoreConfig::Postgres(url) => url.clone(),
        }
    }

    /// Runs a `gevinst` command line in-process against this store; returns exit code and output.
    pub async fn gevinst(&self, args: &[&str]) -> (u8, String) {
        use clap::Parser;
        let url = self.database_url();
        let argv = ["gevinst", "--database-url", url.as_str()]
            .into_iter()
            .chain(args.iter().copied());
        let cli = gevinst_api::cli::Cli::try_parse_from(argv).expect("valid command line");
        let mut out = Vec::new();
        let code = match gevinst_api::cli::run(cli, &mut out).await {
            Ok(code) => {
                if code == std::process::ExitCode::SUCCESS {
                    0
                } else {
                    2
                }
            }
            Err(e) => {
                out.extend_from_slice(format!("gevinst: {e:#}").as_bytes());
                1
            }
        };
        (code, String::from_utf8(out).expect("utf-8 output"))
    }

    /// Registers `id` with the example identity and adopts the example plan.
    pub async fn register_example(&self, id: &str) {
        self.register_with(examples::identity(id)).await;
    }

    /// Registers `identity` and adopts the example plan.
    pub async fn register_with(&self, identity: gevinst_domain::proposal::ProposalIdentity) {
        let pid = identity.id.clone();
        self.service
            .execute(
                &pid,
                ProposalCommand::RegisterProposal { identity },
                system(),
            )
            .await
            .expect("register");
        self.service
            .execute(
                &pid,
                ProposalCommand::AdoptBaseline {
                    plan: examples::plan(),
                    source: None,
                },
                system(),
            )
            .await
            .expect("adopt baseline");
    }
}

/// Parses a proposal id.
pub fn proposal(id: &str) -> ProposalId {
    ProposalId::parse(id).expect("valid proposal id")
}

/// Metadata for `actor` in `role`.
pub fn meta(actor: &str, role: Role) -> EventMetadata {
    EventMetadata::new(Actor::parse(actor).expect("actor"), role)
}

/// Metadata of the baseline importer.
pub fn system() -> EventMetadata {
    meta("system:test", Role::System)
}

/// Runs one async test body on each backend: `both_backends!(name, |store| async move { … })`
/// makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let store = $crate::TestStore::new($crate::Backend::Sqlite).await;
                let _keep = store.keep_alive();
                ($body)(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let store = $crate::TestStore::new($crate::Backend::Postgres).await;
                ($body)(store).await;
            }
        }
    };
}
