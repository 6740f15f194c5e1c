//! The harness for Gevinst's cross-crate integration tests: a fresh, real database per test on
//! each backend (an SQLite file in a temporary folder; a new PostgreSQL database on the server
//! named by `GEVINST_TEST_POSTGRES_URL`, which `scripts/test.sh` starts, dropped again when the
//! test ends), the real server on a random port ([`TestStore::spawn_app`]), and the
//! [`both_backends!`] macro that turns one async test body into one test per backend.
//!
//! `TEST_LOG=1` shows the application's tracing output (filtered by `RUST_LOG`, default
//! `info`) in the test's captured output.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{Actor, EventMetadata, ProposalId, Role};
use gevinst_projections::ProposalService;
use gevinst_store::{Db, FixedClock, StoreConfig};

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
    cleanup: Arc<Cleanup>,
}

/// What a test leaves behind, removed when the last handle goes: the SQLite folder, or the
/// PostgreSQL database (dropped `WITH (FORCE)`, so servers a test spawned cannot keep it).
#[derive(Debug)]
pub enum Cleanup {
    /// The temporary folder holding the SQLite file.
    Sqlite(tempfile::TempDir),
    /// The database's name on the test server.
    Postgres(String),
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Cleanup::Postgres(name) = self else {
            return;
        };
        let name = name.clone();
        // Drop runs inside the test's runtime (or while a panic unwinds): a thread of its own
        // with its own small runtime can block on the statement without stalling that runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async move {
                use sqlx::Executor;
                let pool = sqlx::PgPool::connect(&postgres_admin_url()).await?;
                pool.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str())
                    .await?;
                pool.close().await;
                Ok::<_, sqlx::Error>(())
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

/// Turns on tracing output for the whole test binary when `TEST_LOG` is set.
fn init_test_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// The real server, bound to a random port on 127.0.0.1 and serving in the background.
#[derive(Debug, Clone)]
pub struct TestApp {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    /// A personal access token of the test's reader (`laeser`: controller and auditor for
    /// every proposal), which [`get`] and [`TestApp::client`] send.
    pub token: String,
}

/// The reader's token per server, so [`get`] can stand in for `reqwest::get`.
static TOKENS: std::sync::Mutex<std::collections::BTreeMap<String, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// `reqwest::get`, signed in as the reader of the test server the URL points at.
pub async fn get(url: impl AsRef<str>) -> reqwest::Result<reqwest::Response> {
    let url = url.as_ref();
    let token = TOKENS
        .lock()
        .expect("the token registry")
        .iter()
        .find(|(base, _)| url.starts_with(base.as_str()))
        .map(|(_, t)| t.clone());
    let request = reqwest::Client::new().get(url);
    match token {
        Some(t) => request.bearer_auth(t),
        None => request,
    }
    .send()
    .await
}

/// A client that does not follow redirects, to see a 303 and where it points.
#[must_use]
pub fn without_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// A client that signs in as the reader of the test server at `base` (see
/// [`TestStore::sign_in_reader`]).
#[must_use]
pub fn client(base: &str) -> reqwest::Client {
    let token = TOKENS
        .lock()
        .expect("the token registry")
        .get(base)
        .cloned()
        .unwrap_or_default();
    TestApp {
        base: base.to_string(),
        token,
    }
    .client()
}

impl TestApp {
    /// A client that sends the reader's token with every request.
    #[must_use]
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {}", self.token)
                .parse()
                .expect("a header value"),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("a client")
    }

    /// The URL of `path` on this server.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The body of `GET path` as the reader gets it, as JSON, whatever the status.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        self.client()
            .get(self.url(path))
            .send()
            .await
            .expect("the route answers")
            .json()
            .await
            .expect("a JSON body")
    }

    /// Proposal `id`'s events as `GET /api/proposals/{id}/events` answers the reader.
    pub async fn history(&self, id: &str) -> Vec<serde_json::Value> {
        self.json(&format!("/api/proposals/{id}/events")).await
    }

    /// The body of `GET path` as `client` (a [`TestApp::session`]) reads it, whatever the status.
    pub async fn page_as(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("the page answers")
            .text()
            .await
            .expect("the page as text")
    }

    /// Signs `login` (made by [`TestStore::user`]) in with its password over `POST /login`, as a
    /// browser's form would; a client that sends the session cookie.
    pub async fn session(&self, login: &str) -> reqwest::Client {
        let response = without_redirects()
            .post(self.url("/login"))
            .form(&[("login", login), ("password", &password_of(login))])
            .send()
            .await
            .expect("the login route answers");
        assert_eq!(response.status(), 303, "{login} signed in");
        let cookie = response.headers()[reqwest::header::SET_COOKIE]
            .to_str()
            .expect("a cookie")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_string();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::COOKIE,
            cookie.parse().expect("a header value"),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("a client")
    }
}

/// The local password [`TestStore::user`] gives `login`.
#[must_use]
pub fn password_of(login: &str) -> String {
    format!("{login}-password-1234")
}

/// Where the transcribed Budget 2025 appendix lives in the repository.
#[must_use]
pub fn budget_2025_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../baselines/budget-2025-bilag-7.toml")
}

/// The transcribed Budget 2025 appendix.
#[must_use]
pub fn budget_2025() -> Vec<u8> {
    std::fs::read(budget_2025_path()).expect("baselines/budget-2025-bilag-7.toml")
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

/// Creates an empty database on the test server; returns its URL and name.
pub async fn fresh_postgres_database() -> (String, String) {
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
    (format!("{base}/{name}"), name)
}

impl TestStore {
    /// A fresh, migrated store on `backend`, with a clock fixed at 2025-01-15 09:00 UTC.
    pub async fn new(backend: Backend) -> Self {
        init_test_log();
        let (config, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary folder");
                let path = dir.path().join("gevinst.sqlite");
                (StoreConfig::Sqlite(path), Cleanup::Sqlite(dir))
            }
            Backend::Postgres => {
                let (url, name) = fresh_postgres_database().await;
                (StoreConfig::Postgres(url), Cleanup::Postgres(name))
            }
        };
        let db = Db::open_and_migrate(&config)
            .await
            .expect("open the test store");
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
            cleanup: Arc::new(cleanup),
        }
    }

    /// A handle that keeps the SQLite folder or PostgreSQL database alive; the last handle
    /// removes it. Async test bodies capture only the fields they use (edition 2021 disjoint
    /// captures), so the store would otherwise be removed as soon as the body's future is
    /// created.
    #[must_use]
    pub fn keep_alive(&self) -> Arc<Cleanup> {
        self.cleanup.clone()
    }

    /// Switches the append-only guard of `event` and `command` off, as the schema's owner (or
    /// a superuser) can: what a tamper test needs before it rewrites history behind the
    /// application's back. Safe to call more than once.
    pub async fn unguard_history(&self) {
        let sql: &[&str] = match self.db {
            gevinst_store::Db::Postgres(_) => &[
                "ALTER TABLE event DISABLE TRIGGER USER",
                "ALTER TABLE command DISABLE TRIGGER USER",
            ],
            gevinst_store::Db::Sqlite(_) => &[
                "DROP TRIGGER IF EXISTS event_no_update",
                "DROP TRIGGER IF EXISTS event_no_delete",
                "DROP TRIGGER IF EXISTS command_no_update",
                "DROP TRIGGER IF EXISTS command_no_delete",
            ],
        };
        for s in sql {
            self.db.execute_raw(s).await.expect("switch the guard off");
        }
    }

    /// Starts the real application on 127.0.0.1:0 against this store, with the system clock,
    /// and serves it in the background for the rest of the test.
    pub async fn spawn_app(&self) -> TestApp {
        let (app, base) = self.bind_app().await;
        self.serve(app, base).await
    }

    /// The real application bound to 127.0.0.1:0 against this store (with the system clock),
    /// and its base URL, not yet serving: for a test that configures it further, e.g. with an
    /// OpenID provider that must first learn the address. [`TestStore::serve`] starts it.
    pub async fn bind_app(&self) -> (gevinst_api::startup::Application, String) {
        let app = gevinst_api::startup::Application::build_with_clock(
            &self.config,
            "127.0.0.1:0".parse().expect("a socket address"),
            Arc::new(gevinst_store::SystemClock),
        )
        .await
        .expect("the application starts");
        let addr = app.local_addr().expect("a bound address");
        (app, format!("http://{addr}"))
    }

    /// Serves a bound application in the background for the rest of the test, with the
    /// test's reader signed in (see [`TestStore::sign_in_reader`]).
    pub async fn serve(&self, app: gevinst_api::startup::Application, base: String) -> TestApp {
        // Not run_until_stopped: the test process keeps the default meaning of SIGTERM/SIGINT.
        tokio::spawn(app.run_until(std::future::pending()));
        let token = self.sign_in_reader(&base).await;
        TestApp { base, token }
    }

    /// Creates the test's reader `laeser` (controller and auditor for every proposal) and
    /// registers its token for the server at `base`, so [`get`] and [`client`] sign in there;
    /// returns the token.
    pub async fn sign_in_reader(&self, base: &str) -> String {
        let token = self
            .user("laeser", &[("controller", None), ("revisor", None)])
            .await;
        TOKENS
            .lock()
            .expect("the token registry")
            .insert(base.to_string(), token.clone());
        token
    }

    /// Creates the account `login` (once) with `grants` (role, and a proposal id for a
    /// projektejer or a committee code for a committee's controller), through the same access
    /// commands the CLI sends, and returns a fresh personal access token for it. The first
    /// call also creates the administrator `admin` from the console.
    pub async fn user(&self, login: &str, grants: &[(&str, Option<&str>)]) -> String {
        use gevinst_domain::access::{DisplayName, Grant, Login, Scope};
        use gevinst_projections::Operator;
        let access = self.service.access();
        let admin = Login::parse("admin").expect("a login");
        if !access
            .current()
            .await
            .expect("the access stream")
            .has_administrator()
        {
            access
                .add_account(
                    &Operator::Console,
                    &admin,
                    DisplayName::parse("Administrator").expect("a name"),
                    Some("administrator-password"),
                )
                .await
                .expect("the first administrator");
            access
                .grant(
                    &Operator::Console,
                    &admin,
                    Grant::new(Role::Administrator, Scope::All).expect("a grant"),
                    false,
                    gevinst_domain::Reason::parse("første administrator").expect("a reason"),
                )
                .await
                .expect("the administrator grant");
        }
        let current = access.current().await.expect("the access stream");
        let admin = current
            .accounts()
            .find(|a| a.active && a.grants.iter().any(|g| g.role() == Role::Administrator))
            .map_or(admin, |a| a.login.clone());
        let by = Operator::Account(admin);
        let who = Login::parse(login).expect("a login");
        let current = access.current().await.expect("the access stream");
        if current.account(&who).is_none() {
            access
                .add_account(
                    &by,
                    &who,
                    DisplayName::parse(login).expect("a name"),
                    Some(&password_of(login)),
                )
                .await
                .expect("the account");
        }
        for (role, on) in grants {
            let role: Role = role.parse().expect("a role");
            let scope = match (role, on) {
                (Role::ProjectOwner, Some(p)) => {
                    Scope::Proposal(ProposalId::parse(p).expect("a proposal"))
                }
                (_, Some(c)) => Scope::Committee(c.parse().expect("a committee")),
                (_, None) => Scope::All,
            };
            let grant = Grant::new(role, scope).expect("a valid grant");
            let has = access
                .current()
                .await
                .expect("the access stream")
                .account(&who)
                .is_some_and(|a| a.grants.contains(&grant));
            if !has {
                access
                    .grant(
                        &by,
                        &who,
                        grant,
                        false,
                        gevinst_domain::Reason::parse("test").expect("a reason"),
                    )
                    .await
                    .expect("the grant");
            }
        }
        access
            .create_token(&who, None)
            .await
            .expect("a token")
            .token
    }

    /// Imports the transcribed Budget 2025 appendix (12 proposals) through the command path.
    pub async fn import_budget_2025(&self) -> gevinst_projections::import::ImportReport {
        gevinst_projections::import::import_baseline(
            &self.service,
            "budget-2025-bilag-7.toml",
            &budget_2025(),
            &|_| {},
        )
        .await
        .expect("the Budget 2025 baseline imports")
    }

    /// Records, as a controller, that the budget agreement adopted `ids` on `decided_on`: test
    /// data for tests that judge proposals (the appendix does not say which were adopted, so
    /// the import never does this). Returns the recorded events' sequences.
    pub async fn adopt(&self, ids: &[&str], decided_on: chrono::NaiveDate) -> Vec<i64> {
        self.decide(ids, gevinst_domain::BudgetOutcome::Adopted, decided_on)
            .await
    }

    /// Records, as a controller, the budget agreement's `outcome` for `ids` on `decided_on`
    /// (see [`TestStore::adopt`]). Returns the recorded events' sequences.
    pub async fn decide(
        &self,
        ids: &[&str],
        outcome: gevinst_domain::BudgetOutcome,
        decided_on: chrono::NaiveDate,
    ) -> Vec<i64> {
        let mut sequences = Vec::new();
        for id in ids {
            let outcome = self
                .service
                .execute(
                    &proposal(id),
                    gevinst_domain::proposal::ProposalCommand::DecideBudget(
                        gevinst_domain::proposal::BudgetDecision {
                            outcome,
                            decided_on,
                            reference: gevinst_domain::EvidenceRef::parse(
                                "Budgetaftale (testdata)",
                            )
                            .expect("a reference"),
                            note: None,
                            role: Role::Controller,
                        },
                    ),
                    meta("carl@kk.dk", Role::Controller),
                )
                .await
                .unwrap_or_else(|e| panic!("{id}: the budget decision is recorded: {e}"));
            sequences.push(outcome.last_sequence);
        }
        sequences
    }

    /// Imports Budget 2025 and records that the budget agreement adopted all twelve on
    /// 2024-10-03 ([`TestStore::adopt`]): the state most report tests start from.
    pub async fn import_adopted_budget_2025(&self) {
        self.import_budget_2025().await;
        self.adopt(
            &Self::BUDGET_2025,
            chrono::NaiveDate::from_ymd_opt(2024, 10, 3).expect("a date"),
        )
        .await;
    }

    /// Runs `gevinst ARGS --format json` ([`TestStore::gevinst`]); panics unless it exits 0.
    pub async fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut argv = args.to_vec();
        argv.extend_from_slice(&["--format", "json"]);
        let (code, out) = self.gevinst(&argv).await;
        assert_eq!(code, 0, "{argv:?}: {out}");
        serde_json::from_str(&out).expect("JSON output")
    }

    /// The twelve proposals of Budget 2025.
    pub const BUDGET_2025: [&'static str; 12] = [
        "BC01", "BC02", "BC03", "BC04", "BC05", "BC07", "BC08", "BC09", "BC11", "BC12", "BC13",
        "BC14",
    ];

    /// The store as a `DATABASE_URL` (`sqlite:PATH` or `postgres://…`).
    #[must_use]
    pub fn database_url(&self) -> String {
        match &self.config {
            StoreConfig::Sqlite(path) => format!("sqlite:{}", path.display()),
            StoreConfig::Postgres(url) => url.clone(),
        }
    }

    /// Runs a `gevinst` command line in-process against this store; returns the exit code the
    /// binary would exit with (an error is 1 and its chain is appended to the output) and what
    /// it printed.
    pub async fn gevinst(&self, args: &[&str]) -> (u8, String) {
        if args.first() == Some(&"record") {
            Box::pin(self.people()).await;
        }
        let url = self.database_url();
        let argv = ["gevinst", "--database-url", url.as_str()]
            .into_iter()
            .chain(args.iter().copied());
        // As the binary: help and version print and exit 0; a usage error exits 2 (clap's code).
        let cli = match gevinst_api::cli::Cli::try_parse_danish_from(argv) {
            Ok(cli) => cli,
            Err(e) => {
                let code = u8::try_from(e.exit_code()).unwrap_or(2);
                let text =
                    gevinst_api::help::usage_error(&e).unwrap_or_else(|| e.render().to_string());
                return (code, text);
            }
        };
        let mut out = Vec::new();
        // Boxed: `run` is one large future (every subcommand's state), too large for a test
        // worker thread's stack when held inline.
        let code = match Box::pin(gevinst_api::cli::run(cli, &mut out)).await {
            Ok(exit) => exit.code(),
            Err(e) => {
                out.extend_from_slice(format!("gevinst: {e:#}").as_bytes());
                gevinst_api::cli::Exit::FAILURE.code()
            }
        };
        (code, String::from_utf8(out).expect("utf-8 output"))
    }

    /// The people the record tests write as (created once per store, before the first
    /// `gevinst record`): project owners `anna@kk.dk` and `bo@kk.dk` of BC01–BC14, and the
    /// controllers `carl@kk.dk` and `dora@kk.dk` of every proposal.
    pub async fn people(&self) {
        let exists = self
            .service
            .access()
            .current()
            .await
            .expect("the access stream")
            .account(&gevinst_domain::access::Login::parse("dora@kk.dk").expect("a login"))
            .is_some();
        if exists {
            return;
        }
        let ids: Vec<String> = (1..=14).map(|n| format!("BC{n:02}")).collect();
        let owner: Vec<(&str, Option<&str>)> = ids
            .iter()
            .map(|id| ("projektejer", Some(id.as_str())))
            .collect();
        self.user("anna@kk.dk", &owner).await;
        self.user("bo@kk.dk", &owner).await;
        self.user("carl@kk.dk", &[("controller", None)]).await;
        self.user("dora@kk.dk", &[("controller", None)]).await;
    }

    /// The next event of proposal `id`'s stream: a copy of its last one under the idempotency
    /// key `key`, as another instance would append it (e.g. to leave it unprojected).
    pub async fn next_copy(&self, id: &str, key: &str) -> Vec<cqrs_es::persist::SerializedEvent> {
        let kind = gevinst_projections::PROPOSAL;
        let last = self
            .service
            .store()
            .stream(kind, id)
            .await
            .expect("the stream")
            .pop()
            .expect("an event");
        let mut metadata = last.metadata;
        metadata[gevinst_domain::metadata::keys::IDEMPOTENCY_KEY] =
            serde_json::Value::String(key.to_string());
        vec![cqrs_es::persist::SerializedEvent {
            aggregate_id: id.to_string(),
            sequence: usize::try_from(last.sequence + 1).expect("a sequence"),
            aggregate_type: kind.to_string(),
            event_type: last.event_type,
            event_version: last.event_version,
            payload: last.payload,
            metadata,
        }]
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
                let _keep = store.keep_alive();
                ($body)(store).await;
            }
        }
    };
}
