//! `gevinst bench` reports every figure it promises, each ratio is the figure over the raw one
//! of the same run, and the configured store is left as it was. Speed itself is never asserted.

use gevinst_api::format::danish_fixed;
use gevinst_store::bench::Scratch;
use gevinst_store::{Db, StoreConfig};
use gevinst_tests::{both_backends, Backend, TestStore};
use serde_json::Value;

/// How many of the bench's scratch files (`gevinst-bench-*`) are in `dir`.
fn scratch_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .expect("the folder")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("gevinst-bench-")
        })
        .count()
}

fn number(report: &Value, key: &str) -> f64 {
    report[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {report:#}"))
}

fn latency(value: &Value, what: &str) {
    let p50 = value["p50_ms"].as_f64().expect("p50_ms");
    let p99 = value["p99_ms"].as_f64().expect("p99_ms");
    assert!(
        value["count"].as_u64().expect("count") > 0,
        "{what}: {value}"
    );
    assert!(p50 > 0.0 && p99 >= p50, "{what}: {value}");
}

/// A ratio as printed: the figure over the raw figure, to three decimals.
fn assert_ratio(report: &Value, ratio: &str, figure: &str, raw: &str) {
    let expected = number(report, figure) / number(report, raw);
    let printed = number(report, ratio);
    assert!(
        (printed - expected).abs() < 0.0015,
        "{ratio} = {printed}, but {figure} / {raw} = {expected}"
    );
}

both_backends!(
    bench_reports_every_figure_beside_its_raw_figure_and_leaves_the_store_alone,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let before = t.service.store().last_position().await.expect("position");

        let (code, out) = t.gevinst(&["bench", "--quick", "--format", "json"]).await;
        assert_eq!(code, 0, "{out}");
        let report: Value = serde_json::from_str(&out).expect("JSON");

        assert_eq!(report["backend"], t.db.backend());
        assert_eq!(report["quick"], true);
        for key in [
            "raw_insert_1_client_per_s",
            "raw_insert_8_clients_per_s",
            "commands_1_client_per_s",
            "commands_8_clients_per_s",
            "raw_full_read_events_per_s",
            "rebuild_events_per_s",
        ] {
            assert!(number(&report, key) > 0.0, "{key}: {report:#}");
        }
        assert_ratio(
            &report,
            "commands_1_client_ratio_to_raw",
            "commands_1_client_per_s",
            "raw_insert_1_client_per_s",
        );
        assert_ratio(
            &report,
            "commands_8_clients_ratio_to_raw",
            "commands_8_clients_per_s",
            "raw_insert_8_clients_per_s",
        );
        // Each phase's units timed one by one, all of them: the quick run's 200 raw rows and
        // 100 and 200 commands per phase.
        for (key, units) in [
            ("raw_insert_1_client_latency", 200),
            ("raw_insert_8_clients_latency", 200),
            ("commands_1_client_latency", 100),
            ("commands_8_clients_latency", 200),
        ] {
            latency(&report[key], key);
            assert_eq!(report[key]["count"], units, "{key}: {report:#}");
        }
        assert_ratio(
            &report,
            "rebuild_ratio_to_raw_read",
            "rebuild_events_per_s",
            "raw_full_read_events_per_s",
        );

        // Latency at three stream lengths, the quick ones; the streams really were that long
        // (the rebuild replayed them all).
        let lengths: Vec<u64> = report["command_latency"]
            .as_array()
            .expect("command_latency")
            .iter()
            .map(|l| {
                latency(l, "command");
                l["stream_length"].as_u64().expect("stream_length")
            })
            .collect();
        assert_eq!(lengths, [10, 100, 1_000]);
        assert!(number(&report, "rebuild_events") > 1_100.0, "{report:#}");
        let first = &report["command_latency"][0]["p99_ms"];
        let last = &report["command_latency"][2]["p99_ms"];
        let expected = last.as_f64().expect("p99") / first.as_f64().expect("p99");
        assert!(
            (number(&report, "command_p99_ratio_longest_to_shortest") - expected).abs() < 0.0015
        );
        assert_eq!(report["as_of_report_stream_length"], 1_000);
        latency(&report["as_of_report"], "as-of report");

        let http = &report["http_reads"];
        assert_eq!(http["writers"], 8);
        assert!(http["writes"].as_u64().expect("writes") > 0, "{http}");
        latency(&http["proposal"], "proposal reads");
        latency(&http["portfolio"], "portfolio reads");
        let sent = http["proposal"]["count"].as_u64().expect("count")
            + http["portfolio"]["count"].as_u64().expect("count");
        assert_eq!(
            sent,
            http["rate_per_s"].as_u64().expect("rate") * http["seconds"].as_u64().expect("s")
        );
        assert!(http["errors"].as_u64().expect("errors") < sent, "{http}");
        assert!(
            http["answered_per_s"].as_f64().expect("answered") > 0.0,
            "{http}"
        );

        // Only asked for, the large log.
        assert!(report["large_log"].is_null(), "{report:#}");

        // The configured store was not written, and on SQLite no scratch file is left beside it.
        let after = t.service.store().last_position().await.expect("position");
        assert_eq!(before, after);
        if let StoreConfig::Sqlite(path) = &t.config {
            let left = scratch_files(path.parent().expect("a folder"));
            assert_eq!(left, 0, "scratch files left behind");
        }

        // People read it in Danish.
        let (code, table) = t.gevinst(&["bench", "--quick"]).await;
        assert_eq!(code, 0, "{table}");
        for words in [
            "kommandoer/s, 1 klient",
            "kommandoer/s, 8 klienter",
            "kommando, 8 klienter",
            "råt, 1 klient",
            "genopbygning, hændelser/s (median af 3)",
            "ved 1.000 hændelser i strømmen",
            "realisering pr. dato, forslag med 1.000 hændelser",
            "HTTP portefølje, 50 læsninger/s",
            "det konfigurerede lager er ikke rørt",
        ] {
            assert!(table.contains(words), "missing '{words}' in\n{table}");
        }
        // Counts the Danish way, thousands grouped: the HTTP phase's writers store 1,400–1,800
        // commands in a quick run with the machine to themselves (fewer beside other tests).
        let writes = table
            .lines()
            .find_map(|l| l.strip_prefix("HTTP: 8 klienter skrev "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or_else(|| panic!("no HTTP line in\n{table}"));
        let written: Option<u64> = writes.replace('.', "").parse().ok();
        assert_eq!(
            written.map(|n| danish_fixed(n.into(), 0)).as_deref(),
            Some(writes),
            "{writes} is not a Danish count in\n{table}"
        );
    }
);

/// Runs the `gevinst` binary itself (the large log starts `gevinst verify` and `gevinst serve`
/// beside it, as processes of their own): exit code and output. It runs in an empty folder
/// with an operator's signing key configured there, and must leave both alone: a benchmark
/// signs its scratch log with a key of its own and writes nothing beside where it runs.
async fn gevinst_binary(t: &TestStore, args: &[&str]) -> (i32, String) {
    let url = t.database_url();
    let cwd = tempfile::tempdir().expect("a folder");
    let operator_key = cwd.path().join("operator.key");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_gevinst-under-test"))
        .args(["--database-url", url.as_str()])
        .args(args)
        .current_dir(cwd.path())
        .env("GEVINST_SIGNING_KEY", &operator_key)
        .stderr(std::process::Stdio::null())
        .output()
        .await
        .expect("gevinst runs");
    let left: Vec<_> = std::fs::read_dir(cwd.path())
        .expect("the folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    assert!(left.is_empty(), "gevinst {args:?} left {left:?}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

both_backends!(
    bench_measures_a_large_log_with_the_processes_an_auditor_and_a_server_run,
    |t: TestStore| async move {
        let _keep = t.keep_alive();
        t.import_budget_2025().await;
        let before = t.service.store().last_position().await.expect("position");
        let (code, out) = gevinst_binary(
            &t,
            &[
                "bench",
                "--quick",
                "--large-log",
                "6000",
                "--format",
                "json",
            ],
        )
        .await;
        assert_eq!(code, 0, "{out}");
        let report: Value = serde_json::from_str(&out).expect("JSON");

        // Grown to what was asked in proposals of 1,000 events, rebuilt, checked
        // by `gevinst verify` and served by `gevinst serve`, each as its own process.
        let large = &report["large_log"];
        let events = large["events"].as_u64().expect("events");
        assert!((6_000..6_100).contains(&events), "{large:#}");
        let proposals = large["proposals"].as_u64().expect("proposals");
        assert!(proposals > 12 && proposals < 12 + 6, "{large:#}");
        for key in [
            "fill_seconds",
            "raw_full_read_events_per_s",
            "rebuild_seconds",
            "rebuild_events_per_s",
            "verify_seconds",
            "verify_peak_rss_mb",
            "verify_checkpoint_seconds",
            "verify_checkpoint_peak_rss_mb",
            "serve_rss_mb_started",
            "serve_first_portfolio_ms",
            "serve_rss_mb_after_reads",
            "serve_proofs_ms",
            "serve_peak_rss_mb",
        ] {
            assert!(number(large, key) > 0.0, "{key}: {large:#}");
        }
        assert_ratio(
            large,
            "rebuild_ratio_to_raw_read",
            "rebuild_events_per_s",
            "raw_full_read_events_per_s",
        );
        let rebuilt = number(large, "rebuild_events_per_s") * number(large, "rebuild_seconds");
        #[allow(clippy::cast_precision_loss)]
        let off = (rebuilt - events as f64).abs() / events as f64;
        assert!(off < 0.2, "rebuild rate × seconds ≈ events: {large:#}");

        let after = t.service.store().last_position().await.expect("position");
        assert_eq!(before, after);

        // People read it in Danish.
        let (code, table) = gevinst_binary(&t, &["bench", "--quick", "--large-log", "5000"]).await;
        assert_eq!(code, 0, "{table}");
        for words in [
            "Stor log: 5.",
            "genopbygning: ",
            "gevinst verify: ",
            "gevinst verify --checkpoint: ",
            "gevinst serve: ",
            "efter at have læst porteføljen og hvert forslag",
        ] {
            assert!(table.contains(words), "missing '{words}' in\n{table}");
        }
    }
);

/// A PostgreSQL scratch database is created on the configured server and dropped afterwards.
#[tokio::test]
async fn a_postgres_scratch_database_is_dropped_afterwards() {
    let t = TestStore::new(Backend::Postgres).await;
    let _keep = t.keep_alive();
    let scratch = Scratch::create(&t.config)
        .await
        .expect("a scratch database");
    let StoreConfig::Postgres(url) = scratch.config().clone() else {
        panic!("PostgreSQL stays PostgreSQL");
    };
    let name = url.rsplit('/').next().expect("a name").to_string();
    assert!(name.starts_with("gevinst_bench_"), "{name}");
    let Db::Postgres(pool) = t.db.clone() else {
        panic!("a PostgreSQL store")
    };
    let exists = |name: String| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(&pool)
                .await
                .expect("pg_database")
        }
    };
    let db = Db::open_and_migrate(scratch.config()).await.expect("opens");
    db.close().await;
    assert_eq!(exists(name.clone()).await, 1);
    scratch.remove().await.expect("dropped");
    assert_eq!(exists(name).await, 0);
}

/// Stopped by SIGTERM as it sets up, `gevinst bench` still removes its scratch store.
#[cfg(unix)]
#[tokio::test]
async fn a_bench_stopped_at_once_removes_its_scratch_store() {
    stopped_after(std::time::Duration::ZERO).await;
}

/// Stopped by SIGTERM halfway, with connections busy, it still removes its scratch store.
#[cfg(unix)]
#[tokio::test]
async fn a_bench_stopped_halfway_removes_its_scratch_store() {
    stopped_after(std::time::Duration::from_secs(3)).await;
}

/// Starts `gevinst bench --quick` on a SQLite store, sends SIGTERM `after` its scratch store
/// appeared, and checks it exits 1 saying it was stopped, leaving no scratch file behind.
#[cfg(unix)]
async fn stopped_after(after: std::time::Duration) {
    let folder = tempfile::tempdir().expect("a folder");
    let store = format!("sqlite:{}", folder.path().join("gevinst.sqlite").display());
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_gevinst-under-test"))
        .args(["--database-url", &store, "bench", "--quick"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("gevinst starts");
    let scratch = || scratch_files(folder.path());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while scratch() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no scratch store appeared"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(after).await;
    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("waited")
        .expect("it stops");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("målingen blev afbrudt"), "{said}");
    assert_eq!(scratch(), 0, "the scratch store is left behind");
    assert!(
        !folder.path().join("gevinst.sqlite").exists(),
        "the configured store was made"
    );
}
