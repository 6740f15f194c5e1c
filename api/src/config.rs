//! Configuration, layered: built-in defaults, then environment variables, then command-line
//! flags (clap reads both, flags win). Nothing machine-specific is baked in: the embedded store
//! defaults to `data/gevinst.sqlite` relative to the working directory.

use std::net::SocketAddr;

use clap::Args;
use gevinst_store::StoreConfig;

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
}
