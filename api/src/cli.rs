//! The `gevinst` command line. Every subcommand is a thin layer over the same library calls the
//! HTTP API uses; output goes to a writer so tests can run commands in-process and read it.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use gevinst_projections::store::{verify, Db, EventStore, SystemClock};

use crate::config::{ServeArgs, StoreArgs};
use crate::startup::Application;

/// Gevinst: benefit-realisation tracking for approved investment proposals.
#[derive(Debug, Parser)]
#[command(name = "gevinst", version, about)]
pub struct Cli {
    /// Where the store is.
    #[command(flatten)]
    pub store: StoreArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and dashboard.
    Serve(ServeArgs),
    /// Walk every proposal's hash chain and the global order; exit 2 if anything is broken.
    Verify,
}

/// Runs a parsed command line, writing human output to `out`.
pub async fn run(cli: Cli, out: &mut (dyn Write + Send)) -> anyhow::Result<ExitCode> {
    let store_config = cli.store.store_config()?;
    match cli.command {
        Command::Serve(args) => {
            let app = Application::build(&store_config, args.bind)
                .await
                .context("starting gevinst")?;
            let addr = app.local_addr()?;
            writeln!(
                out,
                "gevinst serving on http://{addr} ({} store)",
                app.state().service.store().db().backend()
            )?;
            out.flush()?;
            app.run_until_stopped().await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let db = Db::open(&store_config).await.context("opening the store")?;
            let store = EventStore::new(db, std::sync::Arc::new(SystemClock));
            let report = verify(&store).await.context("reading the event store")?;
            write!(out, "{report}")?;
            if report.is_ok() {
                writeln!(out)?;
                Ok(ExitCode::SUCCESS)
            } else {
                Ok(ExitCode::from(2))
            }
        }
    }
}
