//! Throughput of the write and read paths, measured (never asserted): `cargo bench -p
//! gevinst-tests --bench throughput [-- N]`. Runs on SQLite, and on PostgreSQL too when
//! `GEVINST_TEST_POSTGRES_URL` is set (scripts/test.sh prints how to start one). Each phase
//! prints its wall time and rate; a progress bar shows the long ones on a terminal.

use std::time::Instant;

use chrono::NaiveDate;
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{IdempotencyKey, PlanLineId, Role};
use gevinst_projections::import::import_baseline;
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_store::verify;
use gevinst_tests::{meta, proposal, Backend, TestStore};
use indicatif::{ProgressBar, ProgressStyle};

fn bar(len: u64, what: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec})")
    {
        b.set_style(style.progress_chars("=> "));
    }
    b.set_message(what.to_string());
    b
}

fn report(backend: Backend, phase: &str, n: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{backend:?}\t{phase:<28}\t{n:>6} in {secs:>8.3} s\t{:>10.1}/s",
        n as f64 / secs.max(1e-9)
    );
}

async fn run(backend: Backend, commands: usize) {
    let t = TestStore::new(backend).await;
    let _keep = t.keep_alive();
    let baseline = std::fs::read(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../baselines/budget-2025-bilag-7.toml"),
    )
    .expect("baseline file");
    let started = Instant::now();
    import_baseline(&t.service, "budget-2025-bilag-7.toml", &baseline, &|_| {})
        .await
        .expect("import");
    report(backend, "baseline import (events)", 24, started);

    let ids = ["BC01", "BC05", "BC09", "BC11", "BC12", "BC13"];
    let progress = bar(commands as u64, "commands");
    let started = Instant::now();
    for i in 0..commands {
        let id = ids[i % ids.len()];
        let mut saving = examples::saving(2025 + (i % 4) as i32, -1 - (i as i64 % 500));
        saving.plan_line = Some(PlanLineId::parse("l1").expect("l1"));
        saving.committee = None;
        let mut m = meta("bench@kk.dk", Role::ProjectOwner);
        m.idempotency_key = Some(IdempotencyKey::parse(&format!("bench-{i}")).expect("key"));
        t.service
            .execute(&proposal(id), ProposalCommand::RecordSaving(saving), m)
            .await
            .expect("command");
        progress.inc(1);
    }
    progress.finish_and_clear();
    report(backend, "commands (append+project)", commands, started);

    let events =
        usize::try_from(t.service.store().last_position().await.expect("position")).unwrap_or(0);
    let started = Instant::now();
    t.service
        .projector()
        .rebuild_with(&|_| {})
        .await
        .expect("rebuild");
    report(backend, "rebuild read models (events)", events, started);

    let started = Instant::now();
    let v = verify(t.service.store()).await.expect("verify");
    assert!(v.is_ok());
    report(backend, "verify (events)", events, started);

    let read = ReadModels::new(t.db.clone());
    let index =
        gevinst_domain::price::Seed::parse(include_str!("../../baselines/price-index.toml"))
            .and_then(|seed| seed.index())
            .expect("index");
    let started = Instant::now();
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
    for _ in 0..10 {
        reports::portfolio(&read, &index, as_of)
            .await
            .expect("portfolio");
    }
    report(backend, "portfolio report", 10, started);
}

fn main() {
    let commands: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(500);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(run(Backend::Sqlite, commands));
    if std::env::var("GEVINST_TEST_POSTGRES_URL").is_ok() {
        runtime.block_on(run(Backend::Postgres, commands));
    } else {
        println!("Postgres\tskipped: set GEVINST_TEST_POSTGRES_URL to measure PostgreSQL too");
    }
}
