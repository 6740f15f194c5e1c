//! The `gevinst` binary: parse the command line, run it, print the whole error chain on failure.

use std::process::ExitCode;

use gevinst_api::cli::{run, Cli, Command};

/// mimalloc rather than glibc's allocator: a rebuild or a first portfolio read allocates and
/// frees millions of small JSON values and strings, where glibc spent about a quarter of the
/// rebuild's time (`perf`, 200,000 events) and kept freed memory in per-thread arenas. Built
/// without its transparent huge pages (the workspace's `no_thp`): with them, 45 MB of a
/// server's 137 MB were huge pages (`AnonHugePages`), each resident whole however little of
/// it was in use, and the peak varied by 15 MB from one start to the next; without them
/// `gevinst bench`'s HTTP p99 was lower too (a fault on a huge page clears 2 MiB at once).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse_danish();
    // A benchmark's thousands of requests would drown its progress in request logs (and the
    // logging would be measured too): it logs warnings only, unless RUST_LOG says otherwise,
    // and not sqlx's warnings about slow statements, which it measures itself. Otherwise
    // PostgreSQL's notices are left out below a warning (`migrate` on a migrated store drew
    // "relation … already exists, skipping" on every run).
    let default = if matches!(cli.command, Command::Bench(_)) {
        "warn,sqlx::query=error"
    } else {
        "info,sqlx::postgres::notice=warn"
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default)),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut stdout = std::io::stdout();
    match run(cli, &mut stdout).await {
        Ok(exit) => exit.into(),
        // A reader that stopped reading (`gevinst report … | head`) is not a failure: the
        // output it wanted was written; end quietly as the other tools in such a pipe do.
        Err(error) if stopped_reading(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gevinst: {error:#}");
            gevinst_api::cli::Exit::FAILURE.into()
        }
    }
}

/// Whether `error` comes from writing to a pipe whose reader has gone.
fn stopped_reading(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
