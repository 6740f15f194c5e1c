//! `gevinst bench`: how fast Gevinst is on this server and database, for the operator who sizes
//! them. Every Gevinst figure is measured in the same run as the database's own raw figure for
//! the same work (`gevinst_store::bench`), and reported as a ratio to it: a ratio survives a
//! move to other hardware, where a bare events-per-second figure does not.
//!
//! It runs on a scratch store beside the configured one (a new database on the same
//! PostgreSQL server, a new SQLite file in the same folder) with the bundled Budget 2025
//! baseline, and removes it afterwards, also when stopped by Ctrl-C or SIGTERM (a job's
//! timeout): the configured store is never written. A stopped measurement is dropped, then
//! every connection to the scratch store is closed and awaited, and only then is the store
//! removed, so no closing SQLite connection can write a file back after the removal. Speed
//! is measured here and never asserted in a test; the tests only check that every figure is
//! there.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use cqrs_es::persist::SerializedEvent;
use gevinst_domain::access::{DisplayName, Grant, Login, Scope};
use gevinst_domain::metadata::keys;
use gevinst_domain::proposal::{examples, Proposal, ProposalCommand};
use gevinst_domain::{IdempotencyKey, ProposalId, Reason, Role};
use gevinst_projections::commands::{ProposalService, Request};
use gevinst_projections::reports::realisation::proposal_realisation;
use gevinst_projections::Operator;
use gevinst_store::bench::{prepare_raw, raw_full_read, raw_inserts, Scratch};
use gevinst_store::{Db, OpenMode, StoreConfig, SystemClock};
use rust_decimal::prelude::FromPrimitive as _;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::cli::{progress_bar, Exit};
use crate::format::danish_fixed;
use crate::startup::Application;

/// How to measure.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Små størrelser, færdig på langt under et minut: til at prøve målingen, ikke til at
    /// dimensionere en server.
    #[arg(long)]
    pub quick: bool,
    /// Uddata: en tabel på dansk, eller JSON med hvert tal og dets forhold til råtallet.
    #[arg(long, value_enum, default_value = "table")]
    pub format: BenchFormat,
    /// Mål også på en stor log: fyld den midlertidige database op til så mange hændelser (i
    /// forslag på 1.000 hændelser hver), og mål genopbygningen, `gevinst verify` og
    /// `gevinst serve`s hukommelse på den (fx 1000000).
    #[arg(long, value_name = "HÆNDELSER")]
    pub large_log: Option<u64>,
}

/// Output of `gevinst bench`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    /// En tabel til mennesker, på dansk.
    Table,
    /// JSON til maskiner: hvert tal og dets forhold (`…ratio…`) til råtallet.
    Json,
}

/// How much of each kind of work a run does.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Raw rows per client count.
    raw_rows: usize,
    /// Commands by one client.
    commands_one: usize,
    /// Commands by eight clients together.
    commands_eight: usize,
    /// Stream lengths at which command latency is measured.
    lengths: [usize; 3],
    /// Commands measured at each length.
    per_length: usize,
    /// Runs of the as-of report.
    report_runs: usize,
    /// HTTP reads per second.
    http_rate: u32,
    /// Seconds of HTTP reads.
    http_seconds: u64,
}

const FULL: Sizes = Sizes {
    raw_rows: 2_000,
    commands_one: 1_000,
    commands_eight: 2_000,
    lengths: [10, 1_000, 10_000],
    // A thousand, not a hundred: the p99 of 100 is the second slowest command, and on SQLite
    // about one command in 60 copies the log into the file (a checkpoint, 3–6 ms), so a
    // hundred samples held one or two of them by chance and the ratio swung from 1.4 to 3.2.
    per_length: 1_000,
    report_runs: 200,
    http_rate: 500,
    http_seconds: 10,
};

const QUICK: Sizes = Sizes {
    raw_rows: 200,
    commands_one: 100,
    commands_eight: 200,
    lengths: [10, 100, 1_000],
    per_length: 20,
    report_runs: 50,
    http_rate: 50,
    http_seconds: 3,
};

/// Writers: the "8 clients".
const CLIENTS: usize = 8;

/// The proposals the command benchmarks write to: one per writer, then one per stream length
/// (Budget 2025's proposals whose plan line `l1` takes a realised saving).
const WRITERS: [&str; CLIENTS] = [
    "BC01", "BC02", "BC03", "BC04", "BC05", "BC07", "BC09", "BC14",
];
const LONG_STREAMS: [&str; 3] = ["BC11", "BC12", "BC13"];

/// The day the as-of report is asked about.
const AS_OF: (i32, u32, u32) = (2025, 12, 31);

/// Latency percentiles of a sample, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    /// Number of measurements.
    pub count: usize,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile (nearest rank).
    pub p99_ms: f64,
}

impl Latency {
    fn of(mut sample: Vec<Duration>) -> Self {
        sample.sort_unstable();
        let rank = |p: f64| -> f64 {
            nearest_rank(&sample, p).map_or(0.0, |d| round(d.as_secs_f64() * 1_000.0, 3))
        };
        Self {
            count: sample.len(),
            p50_ms: rank(0.50),
            p99_ms: rank(0.99),
        }
    }
}

/// The `p` quantile (0–1) of `sorted` by nearest rank; `None` for no sample.
fn nearest_rank(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    #[allow(clippy::cast_sign_loss)]
    let at = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[at])
}

/// Command latency at one stream length.
#[derive(Debug, Clone, Serialize)]
pub struct AtLength {
    /// Events in the stream before the measured commands.
    pub stream_length: usize,
    /// The commands' latency.
    #[serde(flatten)]
    pub latency: Latency,
}

/// HTTP read latency under load.
#[derive(Debug, Clone, Serialize)]
pub struct HttpReads {
    /// Requests started per second (open loop: a slow answer does not slow the next request).
    pub rate_per_s: u32,
    /// Seconds of load.
    pub seconds: u64,
    /// Clients writing at the same time.
    pub writers: usize,
    /// Commands they completed meanwhile.
    pub writes: u64,
    /// `GET /api/proposals/{id}`, timed from when it was due.
    pub proposal: Latency,
    /// `GET /api/portfolio`, timed from when it was due.
    pub portfolio: Latency,
    /// Answers other than 200, and requests that failed.
    pub errors: u64,
    /// Successful answers per second, from the first request to the last answer: what the
    /// server sustained when the rate asked was more than it could serve.
    pub answered_per_s: f64,
}

/// Everything one run measured. Rates are per second; ratios compare with the raw figure of
/// the same run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// `postgres` or `sqlite`.
    pub backend: &'static str,
    /// The durability settings both Gevinst and the raw figures ran with.
    pub durability: &'static str,
    /// Small sizes (`--quick`).
    pub quick: bool,
    /// Raw durable inserts, one transaction per row, one client.
    pub raw_insert_1_client_per_s: f64,
    /// The same, eight clients.
    pub raw_insert_8_clients_per_s: f64,
    /// Full command path (policy, rules, hash chain, global order, projection), one client.
    pub commands_1_client_per_s: f64,
    /// `commands_1_client_per_s / raw_insert_1_client_per_s`.
    pub commands_1_client_ratio_to_raw: f64,
    /// Full command path, eight clients on eight proposals.
    pub commands_8_clients_per_s: f64,
    /// `commands_8_clients_per_s / raw_insert_8_clients_per_s`.
    pub commands_8_clients_ratio_to_raw: f64,
    /// Each raw insert's latency, one client.
    pub raw_insert_1_client_latency: Latency,
    /// Each raw insert's latency, eight clients.
    pub raw_insert_8_clients_latency: Latency,
    /// Each command's latency, one client (sent, answered and its read models reflecting it).
    pub commands_1_client_latency: Latency,
    /// Each command's latency, eight clients: what sharing a commit costs the one waiting.
    pub commands_8_clients_latency: Latency,
    /// Command latency by stream length.
    pub command_latency: Vec<AtLength>,
    /// p99 at the longest stream / p99 at the shortest.
    pub command_p99_ratio_longest_to_shortest: f64,
    /// Events in the log when rebuilt.
    pub rebuild_events: u64,
    /// Raw full read of the event table, rows per second (the median of three reads).
    pub raw_full_read_events_per_s: f64,
    /// Projection rebuild, events per second (the median of three rebuilds, each just after
    /// one of the raw reads).
    pub rebuild_events_per_s: f64,
    /// `rebuild_events_per_s / raw_full_read_events_per_s`.
    pub rebuild_ratio_to_raw_read: f64,
    /// Events in the proposal the as-of report reads.
    pub as_of_report_stream_length: usize,
    /// The as-of report (realisation as of a business date) of that proposal.
    pub as_of_report: Latency,
    /// HTTP reads while eight clients write.
    pub http_reads: HttpReads,
    /// The large log, with `--large-log` (else `null`).
    pub large_log: Option<LargeLog>,
}

/// A log grown to `--large-log` events, and what the auditor's and the server's commands cost
/// on it. Memory is read from `/proc` (Linux; `null` elsewhere): a child's peak resident set
/// (`VmHWM`), sampled every 50 ms while it runs, and the server's resident set (`VmRSS`).
#[derive(Debug, Clone, Serialize)]
pub struct LargeLog {
    /// Events in the log.
    pub events: u64,
    /// Proposals they are in (Budget 2025's and the added ones).
    pub proposals: usize,
    /// Seconds to grow the log (commands and batch appends through the store).
    pub fill_seconds: f64,
    /// Raw full read of the event table, rows per second.
    pub raw_full_read_events_per_s: f64,
    /// Seconds to rebuild every read model from the log.
    pub rebuild_seconds: f64,
    /// Projection rebuild, events per second.
    pub rebuild_events_per_s: f64,
    /// `rebuild_events_per_s / raw_full_read_events_per_s`.
    pub rebuild_ratio_to_raw_read: f64,
    /// Seconds `gevinst verify` took (a process of its own, as the auditor runs it).
    pub verify_seconds: f64,
    /// Its peak resident memory, MB.
    pub verify_peak_rss_mb: Option<f64>,
    /// Seconds `gevinst verify --checkpoint` took against a checkpoint signed just before
    /// (the chains again, and the log proved to extend the checkpoint).
    pub verify_checkpoint_seconds: f64,
    /// Its peak resident memory, MB.
    pub verify_checkpoint_peak_rss_mb: Option<f64>,
    /// `gevinst serve`'s resident memory once it answers, MB.
    pub serve_rss_mb_started: Option<f64>,
    /// Its first `GET /api/portfolio`, ms.
    pub serve_first_portfolio_ms: f64,
    /// Its resident memory after reading the portfolio and every proposal once, MB.
    pub serve_rss_mb_after_reads: Option<f64>,
    /// Then an inclusion proof of the first event and a consistency proof from it to the
    /// whole log, ms for both.
    pub serve_proofs_ms: f64,
    /// Its peak resident memory until then (start-up's checkpoint signing and the proofs
    /// included), MB.
    pub serve_peak_rss_mb: Option<f64>,
}

/// What went wrong in a run (the scratch store is removed either way where possible).
type Outcome<T> = anyhow::Result<T>;

/// Runs `gevinst bench` against the store `configured` names, printing to `out`.
pub async fn run(
    configured: &StoreConfig,
    args: &BenchArgs,
    out: &mut (dyn Write + Send),
) -> anyhow::Result<Exit> {
    let sizes = if args.quick { QUICK } else { FULL };
    // Listening from the start: a signal during the set-up stops the measurement at once.
    let stop = crate::http::service::shutdown_signal()?;
    let scratch = Scratch::create(configured)
        .await
        .context("den midlertidige måledatabase kunne ikke oprettes")?;
    let measured = measure(scratch.config(), sizes, args, stop).await;
    let removed = scratch.remove().await;
    let report = measured?;
    removed.context("den midlertidige måledatabase kunne ikke fjernes")?;
    match args.format {
        BenchFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        BenchFormat::Table => write_table(out, &report)?,
    }
    Ok(Exit::SUCCESS)
}

/// Measures on the scratch store `config` until done or `stop`, and closes every connection
/// to it afterwards (awaited: the pool's close waits for the connections a dropped
/// measurement still held).
async fn measure(
    config: &StoreConfig,
    sizes: Sizes,
    args: &BenchArgs,
    stop: impl std::future::Future<Output = ()>,
) -> Outcome<BenchReport> {
    // The scratch store is ours: migrated as its owner, as `gevinst migrate` would.
    Db::open_and_migrate(config).await?.close().await;
    // Opened as a file that must exist: an SQLite connection a stop cuts off as it opens goes
    // on opening in its own worker thread, and allowed to create the file it made it again
    // after the scratch store was removed (the SIGTERM-at-once test, once in a full run).
    let db = Db::open_with(config, OpenMode::MustExist).await?;
    // Signing a receipt after each command, as `serve` does, with a key of the run's own.
    let app = Application::build_on(db, "127.0.0.1:0".parse()?, Arc::new(SystemClock))
        .await?
        .with_signer(Arc::new(bench_signer()?));
    let db = app.state().service.store().db().clone();
    let measured = tokio::select! {
        measured = measure_on(app, config, sizes, args) => measured,
        () = stop => Err(anyhow::anyhow!("målingen blev afbrudt")),
    };
    db.close().await;
    measured
}

/// A signing key for one run, thrown away afterwards.
fn bench_signer() -> Outcome<gevinst_verify::NoteSigner> {
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    seed[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    Ok(gevinst_verify::NoteSigner::from_seed(
        "gevinst.bench/log",
        seed,
    )?)
}

/// The background projector `serve` runs, for the measurements outside the served part; it
/// stops when dropped (also when a stopped measurement is).
fn follow(service: &ProposalService) -> Following {
    let projector = service.projector().clone();
    let every = crate::http::service::ServiceSettings::default().follow_interval;
    Following(tokio::spawn(async move { projector.follow(every).await }))
}

/// A running background projector, stopped on drop.
struct Following(tokio::task::JoinHandle<()>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn measure_on(
    app: Application,
    config: &StoreConfig,
    sizes: Sizes,
    args: &BenchArgs,
) -> Outcome<BenchReport> {
    app.import_bundled_baseline_if_empty().await?;
    let service = app.state().service.clone();
    let db = service.store().db().clone();
    let login = bench_account(&service).await?;

    let payload = sample_payload(&service, &login).await?;
    prepare_raw(&db).await?;
    let raw_one = raw_rate(&db, &payload, sizes.raw_rows, 1, 0).await?;
    let raw_eight = raw_rate(&db, &payload, sizes.raw_rows, CLIENTS, sizes.raw_rows).await?;

    // Commands run as `serve` runs them: answered once the background projector reflects them.
    let following = follow(&service);
    let commands_one = command_rate(&service, &login, sizes.commands_one, 1).await?;
    let commands_eight = command_rate(&service, &login, sizes.commands_eight, CLIENTS).await?;
    drop(following);

    // Before the long streams: the reads see Budget 2025 with the entries written so far, the
    // portfolio a municipality has, not three proposals of 10,000 events each.
    let http_reads = http_reads(app, &login, sizes).await?;

    let following = follow(&service);
    let mut command_latency = Vec::new();
    for (length, id) in sizes.lengths.into_iter().zip(LONG_STREAMS) {
        command_latency.push(latency_at(&service, &login, id, length, sizes.per_length).await?);
    }
    drop(following);
    let longest = *sizes.lengths.last().unwrap_or(&0);
    let report_id = LONG_STREAMS[sizes.lengths.len() - 1];
    let as_of_report = as_of_report(&service, report_id, sizes.report_runs).await?;

    let (rebuild_events, raw_read, rebuild) = rebuild_rates(&service, REBUILDS).await?;
    let large_log = match args.large_log {
        Some(events) => Some(large_log(&service, &login, config, events).await?),
        None => None,
    };

    let ratio = ratio;
    let p99 = |i: usize| command_latency.get(i).map_or(0.0, |l| l.latency.p99_ms);
    Ok(BenchReport {
        backend: db.backend(),
        durability: match db {
            Db::Postgres(_) => "synchronous_commit=on",
            Db::Sqlite(_) => "journal_mode=WAL, synchronous=FULL",
        },
        quick: args.quick,
        raw_insert_1_client_per_s: raw_one.per_s,
        raw_insert_8_clients_per_s: raw_eight.per_s,
        commands_1_client_per_s: commands_one.per_s,
        commands_1_client_ratio_to_raw: ratio(commands_one.per_s, raw_one.per_s),
        commands_8_clients_per_s: commands_eight.per_s,
        commands_8_clients_ratio_to_raw: ratio(commands_eight.per_s, raw_eight.per_s),
        raw_insert_1_client_latency: raw_one.latency,
        raw_insert_8_clients_latency: raw_eight.latency,
        commands_1_client_latency: commands_one.latency,
        commands_8_clients_latency: commands_eight.latency,
        command_p99_ratio_longest_to_shortest: ratio(p99(command_latency.len() - 1), p99(0)),
        command_latency,
        rebuild_events,
        raw_full_read_events_per_s: raw_read,
        rebuild_events_per_s: rebuild,
        rebuild_ratio_to_raw_read: ratio(rebuild, raw_read),
        as_of_report_stream_length: longest,
        as_of_report,
        http_reads,
        large_log,
    })
}

/// A figure over its raw figure, to three decimals (0 when there is no raw figure).
fn ratio(figure: f64, raw: f64) -> f64 {
    if raw > 0.0 {
        round(figure / raw, 3)
    } else {
        0.0
    }
}

/// Rounds a measured figure for printing and JSON.
fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn per_second(count: usize, elapsed: Duration) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let count = count as f64;
    round(count / elapsed.as_secs_f64().max(1e-9), 1)
}

/// The account the benchmark writes and reads as: a controller of every proposal, created
/// through the same access commands as `gevinst user add` and `gevinst grant`.
async fn bench_account(service: &ProposalService) -> Outcome<Login> {
    let access = service.access();
    let admin = Login::parse("bench-admin")?;
    let login = Login::parse("bench")?;
    let reason = Reason::parse("gevinst bench")?;
    access
        .add_account(
            &Operator::Console,
            &admin,
            DisplayName::parse("Måling, administrator")?,
            None,
        )
        .await?;
    access
        .grant(
            &Operator::Console,
            &admin,
            Grant::new(Role::Administrator, Scope::All)?,
            false,
            reason.clone(),
        )
        .await?;
    let by = Operator::Account(admin);
    access
        .add_account(&by, &login, DisplayName::parse("Måling")?, None)
        .await?;
    access
        .grant(
            &by,
            &login,
            Grant::new(Role::Controller, Scope::All)?,
            false,
            reason,
        )
        .await?;
    Ok(login)
}

/// A rate and the latency of the units that made it.
struct Rate {
    /// Units per second, all clients together.
    per_s: f64,
    /// Each unit's time from its start to its answer.
    latency: Latency,
}

/// Runs `clients` clients at once, each doing `per` units of `work(client, unit)` one after
/// the other; returns units per second and each unit's latency. The latency is what a rate
/// costs the one waiting: a committer that holds appends to share a commit (see
/// `gevinst_store::GATHER`) changes both, and only the two together tell whether it pays.
async fn rate<F, Fut>(what: &str, clients: usize, per: usize, work: F) -> Outcome<Rate>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Outcome<()>> + Send,
{
    let bar = progress_bar(u64::try_from(per * clients)?, what);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..clients {
        let (work, bar) = (work.clone(), bar.clone());
        tasks.spawn(async move {
            let mut took = Vec::with_capacity(per);
            for unit in 0..per {
                let started = Instant::now();
                work(client, unit).await?;
                took.push(started.elapsed());
                bar.inc(1);
            }
            Ok::<_, anyhow::Error>(took)
        });
    }
    let mut sample = Vec::with_capacity(per * clients);
    while let Some(done) = tasks.join_next().await {
        sample.extend(done??);
    }
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    Ok(Rate {
        per_s: per_second(per * clients, elapsed),
        latency: Latency::of(sample),
    })
}

/// Raw inserts per second with `clients` clients, `rows` rows in all, ids from `first`.
async fn raw_rate(
    db: &Db,
    payload: &str,
    rows: usize,
    clients: usize,
    first: usize,
) -> Outcome<Rate> {
    let per = rows / clients;
    let (db, payload) = (db.clone(), Arc::new(payload.to_string()));
    rate(
        &format!("råt, {clients} kl."),
        clients,
        per,
        move |client, unit| {
            let (db, payload) = (db.clone(), payload.clone());
            async move {
                let id = i64::try_from(first + client * per + unit)?;
                raw_inserts(&db, id, 1, &payload).await?;
                Ok(())
            }
        },
    )
    .await
}

/// Sends one saving to proposal `id` through the command path and returns the event it stored.
async fn written_saving(
    service: &ProposalService,
    login: &Login,
    id: &str,
) -> Outcome<gevinst_store::StoredEvent> {
    command(service, login, &ProposalId::parse(id)?).await?;
    let stream = service
        .store()
        .stream(<Proposal as cqrs_es::Aggregate>::TYPE, id)
        .await?;
    stream
        .into_iter()
        .last()
        .context("the stream has its saving")
}

/// The stored text of a realised saving (payload and metadata) written by the command path:
/// what a raw insert carries, so both write rows of the same size.
async fn sample_payload(service: &ProposalService, login: &Login) -> Outcome<String> {
    let event = written_saving(service, login, WRITERS[0]).await?;
    Ok(format!("{}{}", event.payload, event.metadata))
}

/// A realised saving of 1.000 kr. in 2025 on no particular plan line, split by the plan's
/// committee shares.
fn saving_command() -> ProposalCommand {
    let mut saving = examples::saving(2025, -1);
    saving.plan_line = None;
    saving.committee = None;
    ProposalCommand::RecordSaving(saving)
}

/// Sends one saving through the full command path as `login`, with a fresh key.
async fn command(service: &ProposalService, login: &Login, id: &ProposalId) -> Outcome<Duration> {
    let request = Request {
        idempotency_key: Some(IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string())?),
        confirmed_warnings: Vec::new(),
    };
    let started = Instant::now();
    service
        .execute_as(login, id, saving_command(), request)
        .await
        .with_context(|| format!("kommandoen på {id} blev afvist"))?;
    Ok(started.elapsed())
}

/// Commands per second by `clients` clients, each on its own proposal, `count` in all.
async fn command_rate(
    service: &ProposalService,
    login: &Login,
    count: usize,
    clients: usize,
) -> Outcome<Rate> {
    let ids = WRITERS
        .iter()
        .take(clients)
        .map(|id| ProposalId::parse(id))
        .collect::<Result<Vec<_>, _>>()?;
    let (service, login) = (service.clone(), login.clone());
    let what = format!("kommandoer, {clients} kl.");
    rate(&what, clients, count / clients, move |client, _| {
        let (service, login, id) = (service.clone(), login.clone(), ids[client].clone());
        async move { command(&service, &login, &id).await.map(|_| ()) }
    })
    .await
}

/// Grows proposal `id`'s stream to `length` events, then measures `count` commands on it.
/// The growth copies a real saving event (written by the command path) in batches of one
/// command each, so a long stream costs seconds, not the hours of one command per event.
async fn latency_at(
    service: &ProposalService,
    login: &Login,
    id: &str,
    length: usize,
    count: usize,
) -> Outcome<AtLength> {
    let proposal = ProposalId::parse(id)?;
    let template = written_saving(service, login, id).await?;
    let bar = progress_bar(u64::try_from(length)?, &format!("strøm {length}"));
    grow(service, &template, length, &|n| bar.set_position(n)).await?;
    service.projector().catch_up().await?;
    bar.finish_and_clear();
    let bar = progress_bar(u64::try_from(count)?, &format!("latens {length}"));
    let mut sample = Vec::with_capacity(count);
    for _ in 0..count {
        sample.push(command(service, login, &proposal).await?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(AtLength {
        stream_length: length,
        latency: Latency::of(sample),
    })
}

/// Grows `template`'s stream to `length` events with copies of it, 500 events (one command) to
/// an append, telling `progress` the stream's length after each.
async fn grow(
    service: &ProposalService,
    template: &gevinst_store::StoredEvent,
    length: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome<()> {
    let store = service.store();
    let id = &template.stream_id;
    let mut sequence = usize::try_from(template.sequence)?;
    let mut batch_no = 0;
    while sequence < length {
        let batch_end = (sequence + 500).min(length);
        let mut metadata = template.metadata.clone();
        metadata[keys::IDEMPOTENCY_KEY] =
            serde_json::Value::String(format!("bench-fill-{id}-{batch_no}"));
        let events: Vec<SerializedEvent> = (sequence + 1..=batch_end)
            .map(|seq| SerializedEvent {
                aggregate_id: id.clone(),
                sequence: seq,
                aggregate_type: template.aggregate_type.clone(),
                event_type: template.event_type.clone(),
                event_version: template.event_version.clone(),
                payload: template.payload.clone(),
                metadata: metadata.clone(),
            })
            .collect();
        store.append(&events).await?;
        sequence = batch_end;
        batch_no += 1;
        progress(u64::try_from(sequence)?);
    }
    Ok(())
}

/// Events in each proposal the large log adds.
const LARGE_LOG_STREAM: u64 = 1_000;

/// Grows the log to `events` events in proposals of [`LARGE_LOG_STREAM`] events (registered,
/// given the example plan and a saving through the command path, then grown by copies), and
/// measures the rebuild, `gevinst verify` and `gevinst serve` on it.
async fn large_log(
    service: &ProposalService,
    login: &Login,
    config: &StoreConfig,
    events: u64,
) -> Outcome<LargeLog> {
    let store = service.store();
    let started = Instant::now();
    let bar = progress_bar(events, "stor log");
    let mut position = u64::try_from(store.last_position().await?)?;
    let mut ids: Vec<String> = service
        .projector()
        .read_models()
        .proposals()
        .await?
        .into_iter()
        .map(|p| p.proposal_id)
        .collect();
    let mut added = 0;
    let system = || -> Outcome<gevinst_domain::EventMetadata> {
        let mut m = gevinst_domain::EventMetadata::new(
            gevinst_domain::Actor::parse("system:bench")?,
            Role::System,
        );
        m.reason = Some(Reason::parse("gevinst bench --large-log")?);
        Ok(m)
    };
    while position < events {
        added += 1;
        let id = format!("STOR-{added:05}");
        let proposal = ProposalId::parse(&id)?;
        service
            .execute(
                &proposal,
                ProposalCommand::RegisterProposal {
                    identity: examples::identity(&id),
                },
                system()?,
            )
            .await?;
        service
            .execute(
                &proposal,
                ProposalCommand::AdoptBaseline {
                    plan: examples::plan(),
                    source: None,
                },
                system()?,
            )
            .await?;
        let template = written_saving(service, login, &id).await?;
        let left = events.saturating_sub(u64::try_from(store.last_position().await?)?);
        let length = u64::try_from(template.sequence)?
            .saturating_add(left)
            .min(LARGE_LOG_STREAM);
        let before = position;
        grow(service, &template, usize::try_from(length)?, &|n| {
            bar.set_position(before + n);
        })
        .await?;
        position = u64::try_from(store.last_position().await?)?;
        bar.set_position(position);
        ids.push(id);
    }
    service.projector().catch_up().await?;
    bar.finish_and_clear();
    let fill_seconds = round(started.elapsed().as_secs_f64(), 1);

    let (rebuilt, raw_read, rebuild) = rebuild_rates(service, 1).await?;
    #[allow(clippy::cast_precision_loss)]
    let rebuild_seconds = round(rebuilt as f64 / rebuild.max(1e-9), 1);

    let url = match config {
        StoreConfig::Postgres(url) => url.clone(),
        StoreConfig::Sqlite(path) => format!("sqlite:{}", path.display()),
    };
    let exe = std::env::current_exe()?;
    let bar = progress_bar(1, "gevinst verify");
    let (verify_seconds, verify_peak) = measured(&exe, &["--database-url", &url, "verify"]).await?;
    bar.finish_and_clear();

    // The auditor's checkpoint and the server's signing: a key of the run's own, in a folder
    // removed afterwards (never the operator's configured key, nor a new one beside the store).
    let dir = std::env::temp_dir().join(format!("gevinst-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let key = dir.join("log.key").display().to_string();
    let note = dir.join("checkpoint.txt").display().to_string();
    let processes = async {
        let bar = progress_bar(1, "gevinst verify --checkpoint");
        let sign = [
            "--database-url",
            &url,
            "checkpoint",
            "--signing-key",
            &key,
            "--out",
            &note,
        ];
        measured(&exe, &sign).await?;
        let check = [
            "--database-url",
            &url,
            "verify",
            "--checkpoint",
            &note,
            "--signing-key",
            &key,
        ];
        let checked = measured(&exe, &check).await?;
        bar.finish_and_clear();
        let bar = progress_bar(1, "gevinst serve");
        let serve = serve_reads(&exe, &url, &key, service, login, &ids).await?;
        bar.finish_and_clear();
        Ok::<_, anyhow::Error>((checked, serve))
    }
    .await;
    std::fs::remove_dir_all(&dir)?;
    let ((verify_checkpoint_seconds, verify_checkpoint_peak), serve) = processes?;
    Ok(LargeLog {
        events: u64::try_from(store.last_position().await?)?,
        proposals: ids.len(),
        fill_seconds,
        raw_full_read_events_per_s: raw_read,
        rebuild_seconds,
        rebuild_events_per_s: rebuild,
        rebuild_ratio_to_raw_read: ratio(rebuild, raw_read),
        verify_seconds,
        verify_peak_rss_mb: verify_peak,
        verify_checkpoint_seconds,
        verify_checkpoint_peak_rss_mb: verify_checkpoint_peak,
        serve_rss_mb_started: serve.started_rss,
        serve_first_portfolio_ms: serve.first_portfolio_ms,
        serve_rss_mb_after_reads: serve.after_rss,
        serve_proofs_ms: serve.proofs_ms,
        serve_peak_rss_mb: serve.peak_rss,
    })
}

/// Runs `gevinst ARGS` as a process of its own until it ends, which must be with success:
/// (seconds, its peak resident memory in MB, sampled every 50 ms).
async fn measured(exe: &std::path::Path, args: &[&str]) -> Outcome<(f64, Option<f64>)> {
    let started = Instant::now();
    let child = tokio::process::Command::new(exe)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id();
    let output = tokio::spawn(child.wait_with_output());
    let mut peak = None;
    while !output.is_finished() {
        if let Some(hwm) = pid.and_then(|pid| memory_mb(pid, "VmHWM")) {
            peak = Some(hwm);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = output.await??;
    let seconds = round(started.elapsed().as_secs_f64(), 1);
    anyhow::ensure!(
        output.status.success(),
        "gevinst {} fandt fejl i den store log: {}{}",
        args.get(2..).unwrap_or_default().join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((seconds, peak))
}

/// A process's memory figure `field` (`VmHWM`, `VmRSS`) from `/proc`, in MB.
fn memory_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(round(kb / 1024.0, 1))
}

/// What [`serve_reads`] measured.
struct ServeReads {
    started_rss: Option<f64>,
    first_portfolio_ms: f64,
    after_rss: Option<f64>,
    proofs_ms: f64,
    peak_rss: Option<f64>,
}

/// Starts `gevinst serve` on the store, reads the portfolio and then every proposal once as
/// `login`, then asks for two proofs over the whole log.
async fn serve_reads(
    exe: &std::path::Path,
    url: &str,
    signing_key: &str,
    service: &ProposalService,
    login: &Login,
    ids: &[String],
) -> Outcome<ServeReads> {
    use tokio::io::AsyncBufReadExt as _;
    let mut child = tokio::process::Command::new(exe)
        .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
        .args(["--signing-key", signing_key])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().context("gevinst serve startede ikke")?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().context("stdout")?).lines();
    let mut base = None;
    while let Some(line) = lines.next_line().await? {
        if let Some(rest) = line.strip_prefix("gevinst kører på ") {
            base = rest.split_whitespace().next().map(str::to_string);
            break;
        }
    }
    let base = base.context("gevinst serve sagde ikke, hvor den kører")?;
    let token = service.access().create_token(login, None).await?.token;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()?;
    let get = |path: String| {
        let request = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send();
        async move {
            let answer = request.await?;
            anyhow::ensure!(answer.status().is_success(), "{path}: {}", answer.status());
            answer.bytes().await?;
            Ok::<_, anyhow::Error>(())
        }
    };
    let started_rss = memory_mb(pid, "VmRSS");
    let started = Instant::now();
    get("/api/portfolio".to_string()).await?;
    let first_portfolio_ms = round(started.elapsed().as_secs_f64() * 1000.0, 1);
    for id in ids {
        get(format!("/api/proposals/{id}")).await?;
    }
    let after_rss = memory_mb(pid, "VmRSS");
    // What an auditor's client asks of the whole log: the first event's inclusion proof and
    // the consistency proof from the first event's tree.
    let started = Instant::now();
    get("/api/proofs/inclusion?position=1".to_string()).await?;
    get("/api/proofs/consistency?from=1".to_string()).await?;
    let proofs_ms = round(started.elapsed().as_secs_f64() * 1000.0, 1);
    let peak_rss = memory_mb(pid, "VmHWM");
    child.kill().await?;
    Ok(ServeReads {
        started_rss,
        first_portfolio_ms,
        after_rss,
        proofs_ms,
        peak_rss,
    })
}

/// The realisation of proposal `id` as of 2025-12-31, `runs` times.
async fn as_of_report(service: &ProposalService, id: &str, runs: usize) -> Outcome<Latency> {
    let read = service.projector().read_models();
    let index = read.price_index().await?;
    let as_of = NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).context("a date")?;
    let bar = progress_bar(u64::try_from(runs)?, "rapport");
    let mut sample = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        proposal_realisation(&read, id, &index, as_of)
            .await?
            .context("the proposal is there")?;
        sample.push(started.elapsed());
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(Latency::of(sample))
}

/// How often the standard run reads and rebuilds its log. One rebuild of its ~24,000 events
/// takes a few tenths of a second and swung the ratio by ±15 points from run to run (PostgreSQL
/// 41–55 % in six runs of one build); the median of three, each raw read just before its
/// rebuild, is a steadier figure to size a server by. The large log is rebuilt once.
const REBUILDS: usize = 3;

/// `runs` times a raw full read of the event table, then a rebuild of every read model:
/// (events, raw rows/s, rebuilt events/s), the rates at the median duration of each.
async fn rebuild_rates(service: &ProposalService, runs: usize) -> Outcome<(u64, f64, f64)> {
    let db = service.store().db();
    let (mut reads, mut rebuilds) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    let (mut rows, mut events) = (0, 0);
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        rows = raw_full_read(db).await?;
        reads.push(started.elapsed());
        let bar = progress_bar(rows, "genopbygning");
        let started = Instant::now();
        events = service
            .projector()
            .rebuild_with(&|p| bar.set_position(u64::try_from(p.position).unwrap_or(0)))
            .await?;
        rebuilds.push(started.elapsed());
        bar.finish_and_clear();
    }
    let median = |mut d: Vec<Duration>| {
        d.sort_unstable();
        nearest_rank(&d, 0.5).unwrap_or_default()
    };
    Ok((
        u64::try_from(events)?,
        per_second(usize::try_from(rows)?, median(reads)),
        per_second(usize::try_from(events)?, median(rebuilds)),
    ))
}

/// Serves `app` on its random port and reads a proposal and the portfolio at a fixed rate
/// while eight clients write through the same service.
async fn http_reads(app: Application, login: &Login, sizes: Sizes) -> Outcome<HttpReads> {
    let service = app.state().service.clone();
    let token = service.access().create_token(login, None).await?.token;
    let base = format!("http://{}", app.local_addr()?);
    // Measured as a started server answers: with its read caches warmed as `serve` warms
    // them when it starts, not during the warm-up.
    crate::startup::warm_up(service.projector().read_models()).await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stop_rx.await;
    }));

    let writing = Arc::new(AtomicBool::new(true));
    let writes = Arc::new(AtomicU64::new(0));
    let mut writers = tokio::task::JoinSet::new();
    for id in WRITERS {
        let (service, login) = (service.clone(), login.clone());
        let (writing, writes) = (writing.clone(), writes.clone());
        let id = ProposalId::parse(id)?;
        writers.spawn(async move {
            while writing.load(Ordering::Relaxed) {
                command(&service, &login, &id).await?;
                writes.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, anyhow::Error>(())
        });
    }

    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()?;
    let total = u64::from(sizes.http_rate) * sizes.http_seconds;
    let bar = progress_bar(total, "HTTP");
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / sizes.http_rate.max(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut reads = tokio::task::JoinSet::new();
    let started = Instant::now();
    for n in 0..total {
        let due = ticks.tick().await;
        let path = if n % 2 == 0 {
            "/api/proposals/BC01".to_string()
        } else {
            format!(
                "/api/portfolio?as_of={:04}-{:02}-{:02}",
                AS_OF.0, AS_OF.1, AS_OF.2
            )
        };
        let request = client
            .get(format!("{base}{path}"))
            .bearer_auth(&token)
            .send();
        let bar = bar.clone();
        reads.spawn(async move {
            let ok = matches!(request.await, Ok(r) if r.status().is_success());
            bar.inc(1);
            (n % 2 == 0, ok, due.elapsed())
        });
    }
    let (mut proposal, mut portfolio, mut errors) = (Vec::new(), Vec::new(), 0u64);
    while let Some(done) = reads.join_next().await {
        let (is_proposal, ok, took) = done?;
        if !ok {
            errors += 1;
        }
        if is_proposal {
            proposal.push(took);
        } else {
            portfolio.push(took);
        }
    }
    let answered = per_second(
        proposal.len() + portfolio.len() - usize::try_from(errors)?,
        started.elapsed(),
    );
    bar.finish_and_clear();
    writing.store(false, Ordering::Relaxed);
    while let Some(done) = writers.join_next().await {
        done??;
    }
    let _ = stop_tx.send(());
    server.await??;
    Ok(HttpReads {
        rate_per_s: sizes.http_rate,
        seconds: sizes.http_seconds,
        writers: CLIENTS,
        writes: writes.load(Ordering::Relaxed),
        proposal: Latency::of(proposal),
        portfolio: Latency::of(portfolio),
        errors,
        answered_per_s: answered,
    })
}

/// A measured figure the Danish way.
fn tal(value: f64, decimals: u32) -> String {
    Decimal::from_f64(value).map_or_else(|| value.to_string(), |d| danish_fixed(d, decimals))
}

/// A count the Danish way (`10.000`).
fn count(n: impl Into<Decimal>) -> String {
    danish_fixed(n.into(), 0)
}

fn latency_row(out: &mut (dyn Write + Send), label: &str, l: &Latency) -> std::io::Result<()> {
    writeln!(
        out,
        "{label:<50} {:>12} {:>12}",
        tal(l.p50_ms, 1),
        tal(l.p99_ms, 1)
    )
}

fn percent(ratio: f64) -> String {
    format!("{} %", tal(ratio * 100.0, 0))
}

fn write_table(out: &mut (dyn Write + Send), r: &BenchReport) -> std::io::Result<()> {
    let backend = match r.backend {
        "postgres" => "PostgreSQL (en midlertidig database på samme server)",
        _ => "SQLite (en midlertidig fil i samme mappe)",
    };
    writeln!(out, "Måling på {backend}, {}", r.durability)?;
    if r.quick {
        writeln!(
            out,
            "Små størrelser (--quick): til at prøve, ikke til at dimensionere."
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<50} {:>12} {:>12} {:>8}",
        "", "Gevinst", "råt", "forhold"
    )?;
    for (what, ours, raw, ratio) in [
        (
            "kommandoer/s, 1 klient",
            r.commands_1_client_per_s,
            r.raw_insert_1_client_per_s,
            r.commands_1_client_ratio_to_raw,
        ),
        (
            "kommandoer/s, 8 klienter",
            r.commands_8_clients_per_s,
            r.raw_insert_8_clients_per_s,
            r.commands_8_clients_ratio_to_raw,
        ),
        (
            "genopbygning, hændelser/s (median af 3)",
            r.rebuild_events_per_s,
            r.raw_full_read_events_per_s,
            r.rebuild_ratio_to_raw_read,
        ),
    ] {
        writeln!(
            out,
            "{what:<50} {:>12} {:>12} {:>8}",
            tal(ours, 0),
            tal(raw, 0),
            percent(ratio)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<50} {:>12} {:>12}",
        "kommandolatens", "p50 ms", "p99 ms"
    )?;
    for (what, latency) in [
        ("kommando, 1 klient", &r.commands_1_client_latency),
        ("kommando, 8 klienter", &r.commands_8_clients_latency),
        ("råt, 1 klient", &r.raw_insert_1_client_latency),
        ("råt, 8 klienter", &r.raw_insert_8_clients_latency),
    ] {
        latency_row(out, what, latency)?;
    }
    for at in &r.command_latency {
        let label = format!("ved {} hændelser i strømmen", count(at.stream_length));
        latency_row(out, &label, &at.latency)?;
    }
    let label = format!(
        "realisering pr. dato, forslag med {} hændelser",
        count(r.as_of_report_stream_length)
    );
    latency_row(out, &label, &r.as_of_report)?;
    let h = &r.http_reads;
    for (what, latency) in [("forslag", &h.proposal), ("portefølje", &h.portfolio)] {
        let label = format!("HTTP {what}, {} læsninger/s", h.rate_per_s);
        latency_row(out, &label, latency)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "p99 ved den længste strøm / p99 ved den korteste: {}",
        tal(r.command_p99_ratio_longest_to_shortest, 2)
    )?;
    writeln!(
        out,
        "HTTP: {} klienter skrev {} kommandoer imens; {} læsninger fejlede; {} svar/s.",
        h.writers,
        count(h.writes),
        count(h.errors),
        tal(h.answered_per_s, 1)
    )?;
    if let Some(l) = &r.large_log {
        write_large_log(out, l)?;
    }
    writeln!(
        out,
        "Den midlertidige måledatabase er fjernet; det konfigurerede lager er ikke rørt."
    )?;
    Ok(())
}

/// Memory the Danish way, or that it could not be read.
fn megabytes(mb: Option<f64>) -> String {
    mb.map_or_else(|| "ukendt".to_string(), |mb| format!("{} MB", tal(mb, 0)))
}

fn write_large_log(out: &mut (dyn Write + Send), l: &LargeLog) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Stor log: {} hændelser i {} forslag (fyldt på {} s)",
        count(l.events),
        count(l.proposals),
        tal(l.fill_seconds, 1)
    )?;
    writeln!(
        out,
        "{:<50} {:>12} {:>12} {:>8}",
        "genopbygning, hændelser/s (mod fuld læsning)",
        tal(l.rebuild_events_per_s, 0),
        tal(l.raw_full_read_events_per_s, 0),
        percent(l.rebuild_ratio_to_raw_read)
    )?;
    writeln!(out, "genopbygning: {} s", tal(l.rebuild_seconds, 1))?;
    writeln!(
        out,
        "gevinst verify: {} s, højst {} hukommelse",
        tal(l.verify_seconds, 1),
        megabytes(l.verify_peak_rss_mb)
    )?;
    writeln!(
        out,
        "gevinst verify --checkpoint: {} s, højst {} hukommelse",
        tal(l.verify_checkpoint_seconds, 1),
        megabytes(l.verify_checkpoint_peak_rss_mb)
    )?;
    writeln!(
        out,
        "gevinst serve: {} hukommelse efter start, første portefølje på {} ms, \
         {} efter at have læst porteføljen og hvert forslag, to beviser over hele loggen på {} ms, \
         højst {}",
        megabytes(l.serve_rss_mb_started),
        tal(l.serve_first_portfolio_ms, 1),
        megabytes(l.serve_rss_mb_after_reads),
        tal(l.serve_proofs_ms, 1),
        megabytes(l.serve_peak_rss_mb)
    )?;
    writeln!(out)
}
