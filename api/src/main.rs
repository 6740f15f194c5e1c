//! The `gevinst` binary: parse the command line, run it, print the whole error chain on failure.

use std::process::ExitCode;

use gevinst_api::cli::{run, Cli};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse_danish();
    let mut stdout = std::io::stdout();
    match run(cli, &mut stdout).await {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("gevinst: {error:#}");
            gevinst_api::cli::Exit::FAILURE.into()
        }
    }
}
