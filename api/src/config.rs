//! Configuration, layered: built-in defaults, then environment variables, then command-line
//! flags (clap reads both, flags win). Nothing machine-specific is baked in: the embedded store
//! defaults to `data/gevinst.sqlite` relative to the working directory.

use std::net::SocketAddr;
use std::time::Duration;

use clap::builder::TypedValueParser as _;
use clap::Args;
use gevinst_store::StoreConfig;

use crate::http::service::{self, ServiceSettings};

/// Where the store is.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// `postgres://user:pass@host/db` for PostgreSQL, `sqlite:PATH` for an SQLite file; unset:
    /// the embedded SQLite store at data/gevinst.sqlite.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

impl StoreArgs {
    /// The store configuration these arguments name.
    pub fn store_config(&self) -> Result<StoreConfig, gevinst_store::StoreError> {
        StoreConfig::from_url(self.database_url.as_deref())
    }
}

/// How to serve.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "GEVINST_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Seconds between signed checkpoints of the log (0: none on a schedule).
    #[arg(long, env = "GEVINST_CHECKPOINT_INTERVAL", default_value_t = 300)]
    pub checkpoint_interval: u64,
    /// The log's signing key (checkpoints on a schedule and as each command's receipt).
    #[command(flatten)]
    pub signing: crate::audit::SigningArgs,
    /// Limits and timeouts of the HTTP service.
    #[command(flatten)]
    pub service: ServiceArgs,
}

/// Limits and timeouts of the HTTP service (see `http::service` for why these defaults).
#[derive(Debug, Clone, Args)]
pub struct ServiceArgs {
    /// Largest request body accepted, in bytes (larger: 413).
    #[arg(long, env = "GEVINST_MAX_BODY_BYTES", default_value_t = service::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Largest request line and headers accepted, in bytes (larger: 431).
    #[arg(
        long,
        env = "GEVINST_MAX_HEADER_BYTES",
        default_value_t = service::DEFAULT_MAX_HEADER_BYTES,
        value_parser = clap::value_parser!(u32).range(1024..).map(|n| n as usize),
    )]
    pub max_header_bytes: usize,
    /// Seconds a client has to send a request's headers; an idle kept-alive connection is
    /// closed after as long.
    #[arg(
        long,
        env = "GEVINST_HEADER_READ_TIMEOUT",
        default_value_t = service::DEFAULT_HEADER_READ_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub header_read_timeout: u64,
    /// Seconds a request may take before it is answered 503 (`timeout`).
    #[arg(
        long,
        env = "GEVINST_REQUEST_TIMEOUT",
        default_value_t = service::DEFAULT_REQUEST_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub request_timeout: u64,
    /// Seconds to let requests in flight finish after SIGTERM before exiting anyway.
    #[arg(long, env = "GEVINST_SHUTDOWN_GRACE", default_value_t = service::DEFAULT_SHUTDOWN_GRACE_SECS)]
    pub shutdown_grace: u64,
}

impl ServiceArgs {
    /// The settings these arguments name.
    #[must_use]
    pub fn settings(&self) -> ServiceSettings {
        ServiceSettings {
            max_body_bytes: self.max_body_bytes,
            max_header_bytes: self.max_header_bytes,
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            request_timeout: Duration::from_secs(self.request_timeout),
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
        }
    }
}
