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
    /// `postgres://bruger:kode@vært/db` for PostgreSQL, `sqlite:STI` for en SQLite-fil; uden:
    /// det indbyggede SQLite-lager i data/gevinst.sqlite.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
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
    /// Adressen, der lyttes på (port 0 vælger en ledig port).
    #[arg(
        long,
        env = "GEVINST_BIND",
        default_value = "127.0.0.1:8080",
        value_name = "ADRESSE"
    )]
    pub bind: SocketAddr,
    /// Sekunder mellem signerede kontrolpunkter af hændelsesloggen (0: ingen efter tidsplan).
    #[arg(
        long,
        env = "GEVINST_CHECKPOINT_INTERVAL",
        default_value_t = 300,
        value_name = "SEKUNDER"
    )]
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
    /// Udbyderens issuer-URL, fx https://login.microsoftonline.com/TENANT/v2.0.
    #[arg(
        long,
        env = "GEVINST_OIDC_ISSUER",
        requires = "oidc_client_id",
        value_name = "URL"
    )]
    pub oidc_issuer: Option<String>,
    /// Klient-id'et, Gevinst er registreret med hos udbyderen.
    #[arg(long, env = "GEVINST_OIDC_CLIENT_ID", value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// Klienthemmeligheden (brug hellere miljøvariablen end tilvalget).
    #[arg(
        long,
        env = "GEVINST_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "HEMMELIGHED"
    )]
    pub oidc_client_secret: Option<String>,
    /// Claim'et i ID-tokenet, der rummer Gevinst-login'et (Entra ID: preferred_username eller
    /// upn).
    #[arg(
        long,
        env = "GEVINST_OIDC_LOGIN_CLAIM",
        default_value = "email",
        value_name = "CLAIM"
    )]
    pub oidc_login_claim: String,
    /// Udbyderens navn på log ind-sidens knap.
    #[arg(
        long,
        env = "GEVINST_OIDC_NAME",
        default_value = "kommunens log ind",
        value_name = "NAVN"
    )]
    pub oidc_name: String,
    /// Gevinsts adresse, som browsere ser den (omdirigerings-URI'en er den plus
    /// /login/oidc/callback); standard: http:// og adressen, der lyttes på.
    #[arg(long, env = "GEVINST_PUBLIC_URL", value_name = "URL")]
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
    /// Største forespørgselskrop, der modtages, i bytes (større: 413).
    #[arg(
        long,
        env = "GEVINST_MAX_BODY_BYTES",
        default_value_t = service::DEFAULT_MAX_BODY_BYTES,
        value_name = "BYTES"
    )]
    pub max_body_bytes: usize,
    /// Største forespørgselslinje og headere, der modtages, i bytes (større: 431).
    #[arg(
        long,
        value_name = "BYTES",
        env = "GEVINST_MAX_HEADER_BYTES",
        default_value_t = service::DEFAULT_MAX_HEADER_BYTES,
        value_parser = clap::value_parser!(u32).range(1024..).map(|n| n as usize),
    )]
    pub max_header_bytes: usize,
    /// Sekunder en klient har til at sende en forespørgsels headere; en ubenyttet
    /// keep-alive-forbindelse lukkes efter lige så lang tid.
    #[arg(
        long,
        value_name = "SEKUNDER",
        env = "GEVINST_HEADER_READ_TIMEOUT",
        default_value_t = service::DEFAULT_HEADER_READ_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub header_read_timeout: u64,
    /// Sekunder en forespørgsel må tage, før den besvares med 503 (`timeout`).
    #[arg(
        long,
        value_name = "SEKUNDER",
        env = "GEVINST_REQUEST_TIMEOUT",
        default_value_t = service::DEFAULT_REQUEST_TIMEOUT_SECS,
        value_parser = clap::value_parser!(u64).range(1..),
    )]
    pub request_timeout: u64,
    /// Sekunder igangværende forespørgsler får til at blive færdige efter SIGTERM, før
    /// programmet alligevel afslutter.
    #[arg(
        long,
        env = "GEVINST_SHUTDOWN_GRACE",
        default_value_t = service::DEFAULT_SHUTDOWN_GRACE_SECS,
        value_name = "SEKUNDER"
    )]
    pub shutdown_grace: u64,
    /// Millisekunder mellem læsemodellernes kig efter hændelser, som en anden proces (en
    /// anden instans, kommandolinjen) har skrevet; egne kommandoer projiceres, før de svarer.
    #[arg(
        long,
        env = "GEVINST_FOLLOW_INTERVAL_MS",
        default_value_t = service::DEFAULT_FOLLOW_INTERVAL_MS,
        value_parser = clap::value_parser!(u64).range(10..),
        value_name = "MILLISEKUNDER"
    )]
    pub follow_interval_ms: u64,
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
            follow_interval: Duration::from_millis(self.follow_interval_ms),
        }
    }
}
