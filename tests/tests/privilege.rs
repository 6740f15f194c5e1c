//! Least privilege on PostgreSQL: `gevinst migrate` runs as the schema's owner and grants the
//! application's role SELECT and INSERT on the history; connected as that role, the application
//! appends, reads and projects, and the database refuses every way to rewrite history (UPDATE,
//! DELETE, TRUNCATE, switching the append-only trigger off, DROP). Other commands do not
//! migrate a PostgreSQL store: on an unmigrated one they say to run `gevinst migrate`.
//!
//! PostgreSQL only: an SQLite file has no roles (its file permissions are its guard); the SQLite
//! test shows `migrate` saying so.

use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_projections::{verify_log, ProposalService};
use gevinst_store::{Db, StoreConfig, SystemClock};
use gevinst_tests::{fresh_postgres_database, postgres_admin_url, proposal, Cleanup};

/// Runs `gevinst` in-process; returns the exit code and what it printed.
async fn gevinst(args: &[&str]) -> (u8, String) {
    use clap::Parser;
    let argv = std::iter::once("gevinst").chain(args.iter().copied());
    let cli = gevinst_api::cli::Cli::try_parse_from(argv).expect("valid command line");
    let mut out = Vec::new();
    let code = match Box::pin(gevinst_api::cli::run(cli, &mut out)).await {
        Ok(exit) => exit.code(),
        Err(e) => {
            out.extend_from_slice(format!("gevinst: {e:#}").as_bytes());
            1
        }
    };
    (code, String::from_utf8(out).expect("utf-8"))
}

/// Drops the test database, then the (cluster-wide) role, however the test ends.
struct Guard {
    database: Option<Cleanup>,
    role: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        drop(self.database.take());
        let role = self.role.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                use sqlx::Executor;
                let pool = sqlx::PgPool::connect(&postgres_admin_url()).await?;
                pool.execute(format!("DROP ROLE IF EXISTS \"{role}\"").as_str())
                    .await?;
                pool.close().await;
                Ok::<_, sqlx::Error>(())
            })
        })
        .join();
    }
}

/// `url` with its user replaced by `role`.
fn as_role(url: &str, role: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{role}@{host}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_application_role_can_append_and_read_but_not_rewrite_history() {
    let (owner_url, name) = fresh_postgres_database().await;
    let role = format!("gevinst_app_{}", &name["gevinst_test_".len()..][..12]);
    let _guard = Guard {
        database: Some(Cleanup::Postgres(name)),
        role: role.clone(),
    };

    // Nothing but `migrate` creates the schema.
    let err = Db::open(&StoreConfig::Postgres(owner_url.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the store's schema is not ready: the database has no gevinst schema yet: run \
         `gevinst migrate` with the schema owner's DATABASE_URL"
    );
    let (code, out) = gevinst(&["--database-url", &owner_url, "verify"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("run `gevinst migrate`"), "{out}");

    // The owner migrates and grants; a role that does not exist is refused first.
    let (code, out) =
        gevinst(&["--database-url", &owner_url, "migrate", "--app-role", &role]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("role {role} does not exist: create it first")),
        "{out}"
    );
    let admin = sqlx::PgPool::connect(&postgres_admin_url()).await.unwrap();
    sqlx::query(&format!("CREATE ROLE \"{role}\" LOGIN"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    // Migrated but not yet granted: the role is told what to do.
    let (code, out) = gevinst(&["--database-url", &owner_url, "migrate"]).await;
    assert_eq!(code, 0, "{out}");
    let err = Db::open(&StoreConfig::Postgres(as_role(&owner_url, &role)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("this role may not read the schema's version")
            && err.contains("run `gevinst migrate --app-role ROLE`"),
        "{err}"
    );
    let (code, out) =
        gevinst(&["--database-url", &owner_url, "migrate", "--app-role", &role]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("migreret: postgres-skemaet er i version "),
        "{out}"
    );
    for line in [
        "  SELECT, INSERT on command\n",
        "  SELECT, INSERT on event\n",
        "  SELECT, INSERT, UPDATE, DELETE on rm_entry\n",
        "  SELECT, INSERT, UPDATE, DELETE on projection_checkpoint\n",
        "  SELECT on _sqlx_migrations\n",
    ] {
        assert!(out.contains(line), "{line:?} not in:\n{out}");
    }

    // As the application role: append through the normal path, read, project, verify.
    let app_url = as_role(&owner_url, &role);
    let db = Db::open(&StoreConfig::Postgres(app_url.clone()))
        .await
        .unwrap();
    let service = ProposalService::new(db.clone(), std::sync::Arc::new(SystemClock));
    let id = proposal("BC01");
    service
        .execute(
            &id,
            ProposalCommand::RegisterProposal {
                identity: examples::identity("BC01"),
            },
            gevinst_tests::system(),
        )
        .await
        .unwrap();
    let report = verify_log(service.store()).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.events, 1);
    let (code, out) = gevinst(&["--database-url", &app_url, "verify"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = gevinst(&["--database-url", &app_url, "projections", "rebuild"]).await;
    assert_eq!(
        (code, out.as_str()),
        (0, "læsemodellerne er genopbygget fra 1 hændelser\n")
    );

    // …and nothing that rewrites history.
    for sql in [
        "UPDATE event SET actor = 'mallory'",
        "DELETE FROM event",
        "TRUNCATE event",
        "ALTER TABLE event DISABLE TRIGGER USER",
        "DROP TABLE event",
        "UPDATE command SET fingerprint = 'x'",
        "DELETE FROM command",
        "TRUNCATE command",
        "ALTER TABLE command DISABLE TRIGGER USER",
        "DROP TABLE command",
        "CREATE TABLE shadow (x int)",
    ] {
        let err = db.execute_raw(sql).await.unwrap_err().to_string();
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{sql}: {err}"
        );
    }
    // Nor can it migrate or grant.
    let (code, out) = gevinst(&["--database-url", &app_url, "migrate", "--app-role", &role]).await;
    assert_eq!(code, 1, "{out}");
    db.close().await;
}

#[tokio::test]
async fn sqlite_migrates_on_open_and_has_no_roles() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("g.sqlite").display());
    // A writer creates the file (a reading command never does); opening migrates it.
    let (code, out) = gevinst(&[
        "--database-url",
        &url,
        "baseline",
        "import",
        gevinst_tests::budget_2025_path().to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = gevinst(&["--database-url", &url, "verify"]).await;
    assert_eq!(
        (code, out.trim()),
        (
            0,
            "i orden: 39 hændelser i 12 forslag og 1 strøm af typen 'price_index', position 1..39, alle hashkæder er intakte"
        )
    );
    let (code, out) = gevinst(&["--database-url", &url, "migrate", "--app-role", "app"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("SQLite has no roles: the file's permissions are its only guard"),
        "{out}"
    );
}
