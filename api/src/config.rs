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
    /// Sign-in through the municipality's OpenID provider.
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Sign-in through the municipality's OpenID provider (authorization code + PKCE). Unset
/// issuer: local accounts and tokens only.
#[derive(Debug, Clone, Args)]
pub struct OidcArgs {
    /// The provider's issuer URL, e.g. https://login.microsoftonline.com/TENANT/v2.0.
    #[arg(long, env = "GEVINST_OIDC_ISSUER", requires = "oidc_client_id")]
    pub oidc_issuer: Option<String>,
    /// The client id Gevinst is registered with at the provider.
    #[arg(long, env = "GEVINST_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// The client secret (prefer the environment variable to the flag).
    #[arg(long, env = "GEVINST_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The ID token claim that holds the Gevinst login (Entra ID: preferred_username or upn).
    #[arg(long, env = "GEVINST_OIDC_LOGIN_CLAIM", default_value = "email")]
    pub oidc_login_claim: String,
    /// The provider's name on the login page's button.
    #[arg(long, env = "GEVINST_OIDC_NAME", default_value = "kommunens log ind")]
    pub oidc_name: String,
    /// Gevinst's address as browsers see it (the redirect URI is this plus
    /// /login/oidc/callback); default: http:// and the bound address.
    #[arg(long, env = "GEVINST_PUBLIC_URL")]
    pub public_url: Option<String>,
}

impl OidcArgs {
    /// The settings, if an issuer is configured; `bound` is the address actually listened on.
    #[must_use]
    pub fn settings(&self, bound: SocketAddr) -> Option<crate::http::oidc::OidcSettings> {
        let issuer = self.oidc_issuer.clone()?;
        Some(crate::http::oidc::OidcSettings {
            issuer,
            client_id: self.oidc_client_id.clone().unwrap_or_default(),
            client_secret: self.oidc_client_secret.clone(),
            login_claim: self.oidc_login_claim.clone(),
            public_url: self
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{bound}")),
            display_name: self.oidc_name.clone(),
        })
    }
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
