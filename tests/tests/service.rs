//! The service an operator runs (`api/src/http/service.rs`), on both backends: security headers
//! on pages and on JSON, the body and header limits, the request id, the Prometheus metrics,
//! readiness, a request past its time, a connection that never finishes its headers, and the
//! real `gevinst serve` process finishing a request in flight after SIGTERM and exiting 0, and
//! two real `serve` processes on one PostgreSQL of which exactly one projects, the other
//! taking over when it is killed; and the binary as an operator runs it, with no log lines it
//! need not print (a notice on `migrate`, an error when a pipe's reader stops reading).
//!
//! "Slow" is made, never measured: a request is held by a lock the test takes on the read
//! models (the read models are put behind the log first, so the next read must write), and
//! the test releases it when it has seen what it waits for. No assertion is about speed; the
//! timeouts only bound how long a broken server can keep a test waiting.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use gevinst_api::http::service::{ServiceSettings, DEFAULT_MAX_BODY_BYTES};
use gevinst_api::startup::Application;
use gevinst_store::Db;
use gevinst_tests::{both_backends, Backend, TestStore};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a broken server may keep a test waiting before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

/// The application on this store with `settings`, bound, not yet serving.
async fn app_with(t: &TestStore, settings: ServiceSettings) -> Application {
    Application::build_with_clock(
        &t.config,
        "127.0.0.1:0".parse().expect("a socket address"),
        Arc::new(gevinst_store::SystemClock),
    )
    .await
    .expect("the application starts")
    .with_service_settings(settings)
}

/// The application on this store with `settings`, serving in the background; its base URL.
async fn spawn_with(t: &TestStore, settings: ServiceSettings) -> String {
    let app = app_with(t, settings).await;
    let addr = app.local_addr().expect("a bound address");
    tokio::spawn(app.run_until(std::future::pending()));
    let base = format!("http://{addr}");
    t.sign_in_reader(&base).await;
    base
}

/// `host:port` of a base URL.
fn authority(base: &str) -> &str {
    base.trim_start_matches("http://")
}

/// Sends `request` as raw bytes on a new connection and reads until the server closes it.
async fn raw(base: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(authority(base)).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .expect("read the answer");
    String::from_utf8(answer).expect("an answer in UTF-8")
}

/// Asserts a problem+json answer of `kind` with `status`; returns its body.
async fn assert_problem(response: reqwest::Response, status: u16, kind: &str) -> serde_json::Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["type"], format!("urn:gevinst:problem:{kind}"));
    assert_eq!(body["status"], status);
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    body
}

/// A lock on the read models, taken by the test: a read that must bring them up to date waits
/// for it (SQLite: the one write lock; PostgreSQL: the checkpoint's table in EXCLUSIVE mode,
/// which lets reads through and holds writers).
enum ReadModelLock {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

/// Puts the read models behind the log (empty, checkpoint 0, as before a first catch-up) and
/// locks them, so the next read that catches up waits until [`ReadModelLock::release`].
async fn hold_read_models_behind(t: &TestStore) -> ReadModelLock {
    for sql in gevinst_projections::readmodel::CLEAR_STATEMENTS {
        t.db.execute_raw(sql).await.expect("clear a read model");
    }
    t.db.execute_raw("UPDATE projection_checkpoint SET position = 0")
        .await
        .expect("reset the checkpoint");
    match &t.db {
        Db::Sqlite(pool) => {
            let mut connection = pool.acquire().await.expect("a connection");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut *connection)
                .await
                .expect("take the write lock");
            ReadModelLock::Sqlite(connection)
        }
        Db::Postgres(pool) => {
            let mut connection = pool.acquire().await.expect("a connection");
            sqlx::query("BEGIN")
                .execute(&mut *connection)
                .await
                .expect("begin");
            sqlx::query("LOCK TABLE projection_checkpoint IN EXCLUSIVE MODE")
                .execute(&mut *connection)
                .await
                .expect("lock the checkpoint");
            ReadModelLock::Postgres(connection)
        }
    }
}

impl ReadModelLock {
    async fn release(self) {
        match self {
            ReadModelLock::Sqlite(mut c) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut *c)
                    .await
                    .expect("unlock");
            }
            ReadModelLock::Postgres(mut c) => {
                sqlx::query("ROLLBACK")
                    .execute(&mut *c)
                    .await
                    .expect("unlock");
            }
        }
    }
}

/// The value of the first sample of `name` whose labels include all of `labels`
/// (`key="value"`), or 0 when there is none yet.
fn sample(metrics: &str, name: &str, labels: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            let bare = series.split('{').next() == Some(name);
            bare && labels.iter().all(|l| series.contains(l))
        })
        .map_or(0.0, |(_, value)| value.parse().expect("a number"))
}

async fn metrics(base: &str) -> String {
    let response = gevinst_tests::get(format!("{base}/metrics"))
        .await
        .expect("/metrics");
    assert_eq!(response.status(), 200);
    let kind = response.headers()["content-type"]
        .to_str()
        .expect("ASCII")
        .to_string();
    assert!(
        kind.starts_with("text/plain; version=0.0.4"),
        "Prometheus' text format, not {kind}"
    );
    response.text().await.expect("the metrics")
}

both_backends!(
    security_headers_on_pages_and_json,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let base = t.spawn_app().await.base;
        for path in ["/", "/proposals/BC01", "/api/portfolio", "/no-such-page"] {
            let response = gevinst_tests::get(format!("{base}{path}")).await.unwrap();
            let headers = response.headers();
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
            let csp = headers["content-security-policy"].to_str().unwrap();
            for directive in [
                "default-src 'none'",
                "frame-ancestors 'none'",
                "base-uri 'none'",
            ] {
                assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
            }
            assert!(!csp.contains("unsafe-inline"), "{csp}");
        }
        // The page's inline style is allowed by exactly its hash, and it uses nothing the
        // policy refuses (scripts, style attributes, other origins).
        let response = gevinst_tests::get(format!("{base}/")).await.unwrap();
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let page = response.text().await.unwrap();
        let style = page
            .split_once("<style>")
            .and_then(|(_, rest)| rest.split_once("</style>"))
            .map(|(style, _)| style)
            .expect("the page has its inline style");
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style));
        assert!(
            csp.contains(&format!("style-src 'sha256-{hash}'")),
            "{csp} does not allow the page's style (sha256-{hash})"
        );
        for refused in ["<script", " style=", "src=\"http", "href=\"http"] {
            assert!(!page.contains(refused), "the page uses {refused}");
        }
    }
);

both_backends!(
    body_over_the_limit_is_413_problem,
    |t: TestStore| async move {
        let base = t.spawn_app().await.base;
        // Declared larger than the limit: refused before anything reads it.
        let answer = raw(
            &base,
            &format!(
                "GET /api/portfolio HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
                DEFAULT_MAX_BODY_BYTES + 1
            ),
        )
        .await;
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        assert!(head.starts_with("HTTP/1.1 413"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase().contains("x-request-id: "),
            "{head}"
        );
        let problem: serde_json::Value = serde_json::from_str(body).expect("a JSON problem");
        assert_eq!(problem["type"], "urn:gevinst:problem:payload-too-large");
        assert_eq!(problem["status"], 413);
        assert_eq!(problem["title"], "Forespørgslen er for stor");
        // A body within the limit passes.
        let small = gevinst_tests::client(&base)
            .get(format!("{base}/api/portfolio"))
            .body(vec![b'x'; 1000])
            .send()
            .await
            .unwrap();
        assert_eq!(small.status(), 200);
    }
);

both_backends!(headers_over_the_limit_are_431, |t: TestStore| async move {
    let base = t.spawn_app().await.base;
    let big = reqwest::Client::new()
        .get(format!("{base}/healthz"))
        .header("x-filler", "a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 431);
    let normal = gevinst_tests::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(normal.status(), 200);
});

both_backends!(
    request_id_is_made_or_kept_and_returned,
    |t: TestStore| async move {
        let base = t.spawn_app().await.base;
        let client = reqwest::Client::new();
        let made = client.get(format!("{base}/healthz")).send().await.unwrap();
        let id = made.headers()["x-request-id"].to_str().unwrap();
        uuid::Uuid::parse_str(id).expect("a new request id is a UUID");
        let second = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_ne!(
            second.headers()["x-request-id"],
            made.headers()["x-request-id"]
        );
        // A proxy's id is kept, on problems too.
        for path in ["/healthz", "/api/proposals/nope"] {
            let kept = client
                .get(format!("{base}{path}"))
                .header("x-request-id", "lb-7f3a.2025:01_a")
                .send()
                .await
                .unwrap();
            assert_eq!(
                kept.headers()["x-request-id"],
                "lb-7f3a.2025:01_a",
                "{path}"
            );
        }
        // One that could forge log lines, or is too long, is replaced.
        for insane in ["two words", "a\"b", &"x".repeat(129)] {
            let replaced = client
                .get(format!("{base}/healthz"))
                .header("x-request-id", insane)
                .send()
                .await
                .unwrap();
            let id = replaced.headers()["x-request-id"].to_str().unwrap();
            uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("{insane:?} kept as {id:?}"));
        }
    }
);

both_backends!(
    metrics_count_requests_in_prometheus_format,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let base = t.spawn_app().await.base;
        let portfolio = [
            "method=\"GET\"",
            "route=\"/api/portfolio\"",
            "status=\"200\"",
        ];
        let pattern = ["route=\"/api/proposals/{id}\"", "status=\"200\""];
        let unmatched = ["route=\"unmatched\"", "status=\"404\""];
        let total = "gevinst_http_requests_total";
        let before = metrics(&base).await;
        for path in ["/api/portfolio", "/api/proposals/BC01", "/no-such-page"] {
            gevinst_tests::get(format!("{base}{path}")).await.unwrap();
        }
        gevinst_tests::get(format!("{base}/api/proposals/BC02"))
            .await
            .unwrap();
        let after = metrics(&base).await;
        assert_eq!(
            sample(&after, total, &portfolio),
            sample(&before, total, &portfolio) + 1.0
        );
        assert_eq!(
            sample(&after, total, &pattern),
            sample(&before, total, &pattern) + 2.0,
            "labelled by the route's pattern, not its path"
        );
        assert_eq!(
            sample(&after, total, &unmatched),
            sample(&before, total, &unmatched) + 1.0
        );
        assert!(after.contains("# TYPE gevinst_http_requests_total counter"));
        assert!(after.contains("# TYPE gevinst_http_request_duration_seconds histogram"));
        assert!(
            sample(
                &after,
                "gevinst_http_request_duration_seconds_count",
                &["route=\"/api/portfolio\""]
            ) >= 1.0
        );
        // The one in flight is the scrape itself.
        assert_eq!(sample(&after, "gevinst_http_requests_in_flight", &[]), 1.0);
        let head = t.service.store().last_position().await.unwrap();
        assert_eq!(
            sample(&after, "gevinst_event_log_position", &[]),
            head as f64
        );
        assert_eq!(sample(&after, "gevinst_store_up", &[]), 1.0);
    }
);

both_backends!(
    readyz_catches_up_and_refuses_read_models_ahead,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let base = t.spawn_app().await.base;
        let head = t.service.store().last_position().await.unwrap();
        // Behind (as after a restore of the read models): the probe brings them up to date.
        hold_read_models_behind(&t).await.release().await;
        assert_eq!(t.service.projector().checkpoint().await.unwrap(), 0);
        let response = gevinst_tests::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ready");
        assert_eq!(body["last_position"], head);
        assert_eq!(body["read_models_position"], head);
        assert_eq!(t.service.projector().checkpoint().await.unwrap(), head);
        // Ahead of the log (a log restored from an older backup): never ready.
        t.db.execute_raw(&format!(
            "UPDATE projection_checkpoint SET position = {}",
            head + 10
        ))
        .await
        .unwrap();
        let response = gevinst_tests::get(format!("{base}/readyz")).await.unwrap();
        assert_problem(response, 503, "not-ready").await;
        let healthz = gevinst_tests::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(healthz.status(), 200, "alive, only not ready");
    }
);

/// `/readyz` is not ready while `serve`'s warm-up (today's portfolio) is under way, so a load
/// balancer sends no reads to an instance whose first portfolio read would wait for it; ready
/// once it is over, with today's portfolio then kept. PostgreSQL only: a table lock holds the
/// warm-up's first read there, where SQLite lets every reader through its locks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readyz_waits_for_the_warm_up() {
    use gevinst_projections::reports::kept_overview;
    let t = TestStore::new(Backend::Postgres).await;
    let _keep = t.keep_alive();
    t.import_adopted_budget_2025().await;
    let Db::Postgres(pool) = &t.db else {
        panic!("a PostgreSQL store")
    };
    let mut lock = pool.acquire().await.expect("a connection");
    for sql in ["BEGIN", "LOCK TABLE rm_proposal IN ACCESS EXCLUSIVE MODE"] {
        sqlx::query(sql).execute(&mut *lock).await.expect(sql);
    }
    // Served with no request but the probes (a sign-in would append, and its projection would
    // wait for the lock too).
    let app = app_with(
        &t,
        ServiceSettings {
            request_timeout: Duration::from_secs(2),
            ..ServiceSettings::default()
        },
    )
    .await;
    let base = format!("http://{}", app.local_addr().expect("a bound address"));
    let read = app.state().service.projector().read_models();
    tokio::spawn(app.run_until(std::future::pending()));
    // The read models are at the log's head; only the warm-up is not over.
    let response = gevinst_tests::get(format!("{base}/readyz")).await.unwrap();
    assert_problem(response, 503, "timeout").await;
    sqlx::query("ROLLBACK")
        .execute(&mut *lock)
        .await
        .expect("unlock");
    drop(lock);
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let response = gevinst_tests::get(format!("{base}/readyz")).await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not ready long after the lock went"
        );
    }
    let index = read.price_index().await.unwrap();
    let today = gevinst_projections::reports::View::today();
    assert!(
        kept_overview(&read, &index, today).await.unwrap().is_some(),
        "ready before today's portfolio was computed"
    );
}

both_backends!(
    request_past_its_time_is_503_problem,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let base = spawn_with(
            &t,
            ServiceSettings {
                request_timeout: Duration::from_secs(5),
                ..ServiceSettings::default()
            },
        )
        .await;
        let lock = hold_read_models_behind(&t).await;
        // A read waits only when it names a write it must see (reads never run the projector
        // otherwise): this one names the log's head, which cannot be projected while locked.
        let head = t.service.store().last_position().await.unwrap();
        let response = tokio::time::timeout(
            PATIENCE,
            gevinst_tests::client(&base)
                .get(format!("{base}/api/portfolio"))
                .header(gevinst_api::http::POSITION_HEADER, head.to_string())
                .send(),
        )
        .await
        .expect("an answer once the timeout passes")
        .unwrap();
        assert!(response.headers().contains_key("x-request-id"));
        let problem = assert_problem(response, 503, "timeout").await;
        assert_eq!(problem["retryable"], true);
        lock.release().await;
        // The cancelled catch-up left nothing in the way: the read models catch up, and the
        // server answers (a generous timeout: how fast is not the question here).
        assert_eq!(t.service.projector().catch_up().await.unwrap(), head);
        let response = gevinst_tests::get(format!("{base}/readyz")).await.unwrap();
        assert_eq!(response.status(), 200, "answers again once the store does");
    }
);

both_backends!(
    connection_that_never_finishes_its_headers_is_closed,
    |t: TestStore| async move {
        let base = spawn_with(
            &t,
            ServiceSettings {
                header_read_timeout: Duration::from_millis(500),
                ..ServiceSettings::default()
            },
        )
        .await;
        // Half a request, then nothing: the server must hang up (a bare 408 first is fine).
        let mut stream = TcpStream::connect(authority(&base)).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nX-Slow: ")
            .await
            .unwrap();
        let mut answer = Vec::new();
        let closed = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer)).await;
        assert!(closed.is_ok(), "the connection is still open");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
        // A connection that says nothing at all is closed too.
        let mut silent = TcpStream::connect(authority(&base)).await.unwrap();
        let mut nothing = Vec::new();
        let closed = tokio::time::timeout(PATIENCE, silent.read_to_end(&mut nothing)).await;
        assert!(closed.is_ok(), "the silent connection is still open");
        // The server goes on serving whole requests.
        let whole = raw(
            &base,
            "GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(whole.starts_with("HTTP/1.1 200"), "{whole}");
    }
);

/// The `gevinst` binary, built by this package from the same `api/src/main.rs` (a test can
/// only name its own package's binaries).
const GEVINST: &str = env!("CARGO_BIN_EXE_gevinst-under-test");

both_backends!(
    the_binary_run_as_an_operator_runs_it_logs_nothing_it_need_not,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let url = t.database_url();
        let run = |args: &[&str], reader_stops: bool| {
            let mut child = std::process::Command::new(GEVINST)
                .args(["--database-url", url.as_str()])
                .args(args)
                .env_remove("RUST_LOG")
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("gevinst starts");
            if reader_stops {
                // `gevinst report … | head` where head has already had enough.
                drop(child.stdout.take());
            }
            let out = child.wait_with_output().expect("gevinst ends");
            (
                out.status,
                String::from_utf8(out.stdout).unwrap(),
                String::from_utf8(out.stderr).unwrap(),
            )
        };
        // On a migrated store: it says so, with no log line (PostgreSQL's notice that the
        // migrations' table exists was logged at every run).
        let (status, out, err) = run(&["migrate"], false);
        assert!(status.success(), "{out}{err}");
        assert!(out.starts_with("migreret: "), "{out}");
        assert_eq!(err, "", "migrate logged");
        // A report whose reader stops reading: the output it wanted was written; no error.
        let report = ["report", "portfolio", "--as-of", "2025-12-31"];
        let (status, _, err) = run(&report, true);
        assert!(status.success(), "{status}: {err}");
        assert_eq!(err, "", "a reader that stopped reading was reported");
        // The same report read whole: its table, nothing on stderr.
        let (status, out, err) = run(&report, false);
        assert!(status.success() && err.is_empty(), "{status}: {err}");
        assert!(out.contains("BC01"), "{out}");
    }
);

/// A `gevinst serve` process on the test's store, with `args` added.
struct Served {
    child: std::process::Child,
    base: String,
    log: std::path::PathBuf,
}

/// Starts `gevinst serve` on the test's store (on a free port, its key and log in `folder`)
/// and waits until it says where it listens.
async fn serve_process(t: &TestStore, folder: &std::path::Path, args: &[&str]) -> Served {
    let log = folder.join(format!("serve-{}.log", uuid::Uuid::new_v4()));
    let mut child = std::process::Command::new(GEVINST)
        .args(["--database-url", &t.database_url(), "serve"])
        .args(["--bind", "127.0.0.1:0", "--checkpoint-interval", "0"])
        .arg("--signing-key")
        .arg(folder.join("gevinst-log.key"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("gevinst starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(addr) = line.split("kører på ").nth(1) {
                let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let base = tokio::task::spawn_blocking(move || rx.recv_timeout(PATIENCE))
        .await
        .unwrap()
        .unwrap_or_else(|_| {
            panic!(
                "serve never said where it listens:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
    t.sign_in_reader(&base).await;
    Served { child, base, log }
}

both_backends!(
    sigterm_lets_the_request_in_flight_finish_and_exits_0,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let folder = tempfile::tempdir().unwrap();
        let Served {
            mut child,
            base,
            log,
        } = serve_process(&t, folder.path(), &[]).await;
        let server_log = || std::fs::read_to_string(&log).unwrap_or_default();

        // A request in flight, held by the read models' lock: it names the log's head, so it
        // waits until that is projected.
        let lock = hold_read_models_behind(&t).await;
        let head = t.service.store().last_position().await.unwrap();
        let in_flight = tokio::spawn(
            gevinst_tests::client(&base)
                .get(format!("{base}/api/portfolio"))
                .header(gevinst_api::http::POSITION_HEADER, head.to_string())
                .send(),
        );
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while sample(
            &metrics(&base).await,
            "gevinst_http_requests_in_flight",
            &[],
        ) < 2.0
        {
            assert!(tokio::time::Instant::now() < deadline, "never in flight");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let killed = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        // Stopped accepting: a new connection is refused, while the request is still held.
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while TcpStream::connect(authority(&base)).await.is_ok() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "still accepting after SIGTERM:\n{}",
                server_log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            !in_flight.is_finished(),
            "answered before the lock was released"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "exited with a request in flight"
        );

        lock.release().await;
        let response = tokio::time::timeout(PATIENCE, in_flight)
            .await
            .expect("the request in flight is answered")
            .unwrap()
            .expect("an answer, not a dropped connection");
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert!(body.is_object(), "the whole portfolio: {body}");

        let status = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + PATIENCE;
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    return Some(status);
                }
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    return None;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
        .await
        .unwrap();
        let status = status.unwrap_or_else(|| panic!("still running:\n{}", server_log()));
        assert!(status.success(), "{status}:\n{}", server_log());
        let said = server_log();
        assert!(said.contains("SIGTERM"), "{said}");
    }
);

/// What `/readyz` says of an instance's projector (`leading` or `following`).
async fn projector_of(base: &str) -> String {
    let ready: serde_json::Value = gevinst_tests::get(format!("{base}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ready["projector"].as_str().unwrap_or_default().to_string()
}

/// Records a saving of 3 t.kr. on BC01 through `base`; returns its position.
async fn save_through(base: &str, token: &str, key: &str) -> i64 {
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/proposals/BC01/savings"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(&serde_json::json!({
            "year": 2025, "amount": "-3", "plan_line": "l1", "date": "2025-06-30"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201, "{key} through {base}");
    let outcome: serde_json::Value = answer.json().await.unwrap();
    outcome["last_position"].as_i64().expect("a position")
}

/// BC01's realised 2025 through `base`, read once `position` is projected.
async fn realised_through(base: &str, position: i64) -> String {
    let answer = gevinst_tests::client(base)
        .get(format!(
            "{base}/api/proposals/BC01/realisation?as_of=2025-12-31"
        ))
        .header(gevinst_api::http::POSITION_HEADER, position.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    let year = body["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2025)
        .cloned()
        .unwrap();
    year["realised"].as_str().unwrap_or_default().to_string()
}

/// Several `gevinst serve` processes on one PostgreSQL: exactly one projects the read models
/// for all (it holds the projector lock), the others follow, and each serves its own and the
/// other's writes. Killed with SIGKILL, the projecting one is replaced by the other, which
/// then projects. (PostgreSQL only: SQLite is one machine's embedded store.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_instance_projects_for_all_and_another_takes_over_when_it_is_killed() {
    let t = TestStore::new(Backend::Postgres).await;
    let _keep = t.keep_alive();
    t.import_budget_2025().await;
    let folder = tempfile::tempdir().unwrap();
    let fast = ["--follow-interval-ms", "100"];
    let first = serve_process(&t, folder.path(), &fast).await;
    let second = serve_process(&t, folder.path(), &fast).await;
    let logs = |served: &Served| std::fs::read_to_string(&served.log).unwrap_or_default();
    const LEADS: &str = "this instance projects the read models for every instance";

    let mut roles = (String::new(), String::new());
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        roles = (
            projector_of(&first.base).await,
            projector_of(&second.base).await,
        );
        if roles.0 != roles.1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (mut leader, mut follower) = match (roles.0.as_str(), roles.1.as_str()) {
        ("leading", "following") => (first, second),
        ("following", "leading") => (second, first),
        other => panic!("exactly one instance projects: {other:?}"),
    };
    let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;

    // A write through the follower is projected by the leader: both serve it, and only the
    // leader ever said it projects.
    let position = save_through(&follower.base, &anna, "through-the-follower").await;
    assert_eq!(realised_through(&follower.base, position).await, "-3");
    assert_eq!(realised_through(&leader.base, position).await, "-3");
    let position = save_through(&leader.base, &anna, "through-the-leader").await;
    assert_eq!(realised_through(&follower.base, position).await, "-6");
    // Their reports agree, the whole portfolio included.
    let portfolio = |base: String| async move {
        let answer = gevinst_tests::client(&base)
            .get(format!("{base}/api/portfolio?as_of=2025-12-31"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        answer.text().await.unwrap()
    };
    let shown = portfolio(leader.base.clone()).await;
    assert!(shown.contains("\"realised_to_date\""), "{shown}");
    assert_eq!(portfolio(follower.base.clone()).await, shown);
    assert!(logs(&leader).contains(LEADS), "{}", logs(&leader));
    assert!(!logs(&follower).contains(LEADS), "{}", logs(&follower));

    // The leader is killed outright: its lock goes with its connection, and the other takes
    // over at its next look.
    leader.child.kill().unwrap();
    leader.child.wait().unwrap();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while projector_of(&follower.base).await != "leading" {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no instance took over:\n{}",
            logs(&follower)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(logs(&follower).contains(LEADS), "{}", logs(&follower));
    let position = save_through(&follower.base, &anna, "after-the-take-over").await;
    assert_eq!(realised_through(&follower.base, position).await, "-9");
    follower.child.kill().unwrap();
    follower.child.wait().unwrap();
}
