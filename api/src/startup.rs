//! Building the application the same way for production and tests: open (and migrate) the
//! store, bind the listener — port 0 gives a free port, which tests read back — and serve the
//! routes wrapped in the service layers (`http::service`: limits, timeouts, security headers,
//! request ids, metrics, readiness) until SIGTERM or SIGINT, then finish what is in flight.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use gevinst_projections::ProposalService;
use gevinst_store::{Clock, Db, StoreConfig, StoreError, SystemClock};
use tokio::net::TcpListener;

use gevinst_projections::import::{import_baseline, ImportError, ImportReport};

use crate::http::service::{self, ServiceSettings};
use crate::http::{router, AppState};

/// The adopted Budget 2025 appendix, built into the binary.
pub const BUNDLED_BASELINE: &[u8] = include_bytes!("../../baselines/budget-2025-bilag-7.toml");
/// The bundled price index table.
pub const BUNDLED_PRICE_INDEX: &str = include_str!("../../baselines/price-index.toml");
/// Its file name, as recorded in the events.
pub const BUNDLED_BASELINE_NAME: &str = "budget-2025-bilag-7.toml";

/// A bound, not yet serving, application.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    settings: ServiceSettings,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The store could not be opened.
    #[error("lageret kan ikke åbnes: {0}")]
    Store(#[from] StoreError),
    /// The address could not be bound.
    #[error("kan ikke lytte på {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
}

impl Application {
    /// Opens the store and binds `addr`, with the system clock.
    pub async fn build(store: &StoreConfig, addr: SocketAddr) -> Result<Self, StartupError> {
        Self::build_with_clock(store, addr, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with an injected clock.
    pub async fn build_with_clock(
        store: &StoreConfig,
        addr: SocketAddr,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        Self::build_on(Db::open(store).await?, addr, clock).await
    }

    /// As [`Application::build_with_clock`], on a store already opened (as the caller chose:
    /// `gevinst bench` opens its scratch file as one that must exist).
    pub async fn build_on(
        db: Db,
        addr: SocketAddr,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StartupError> {
        let service = ProposalService::new(db, clock);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr, source })?;
        Ok(Self {
            listener,
            state: AppState {
                service,
                oidc: None,
            },
            settings: ServiceSettings::default(),
        })
    }

    /// Signs a checkpoint after each command (the receipt) with `signer`.
    #[must_use]
    pub fn with_signer(mut self, signer: Arc<gevinst_verify::NoteSigner>) -> Self {
        self.state.service = self.state.service.with_signer(signer);
        self
    }

    /// Signs people in through the municipality's OpenID provider too (the settings are
    /// checked now; the provider is first asked at the first sign-in).
    pub fn with_oidc(
        mut self,
        settings: crate::http::oidc::OidcSettings,
    ) -> Result<Self, crate::http::oidc::OidcError> {
        self.state.oidc = Some(Arc::new(crate::http::oidc::Oidc::new(settings)?));
        Ok(self)
    }

    /// Serves with these limits and timeouts instead of the defaults.
    #[must_use]
    pub fn with_service_settings(mut self, settings: ServiceSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state (for tests and start-up tasks such as the baseline import).
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Records the bundled price index when the log has no price-index events yet (a store
    /// whose index a controller maintains is left as it is). Returns how many events.
    pub async fn seed_price_index_if_empty(
        &self,
    ) -> Result<usize, gevinst_projections::price_index::PriceIndexCommandError> {
        crate::price_index::seed_if_empty(&self.state.service).await
    }

    /// Imports the bundled Budget 2025 baseline when the store holds no events yet, so a new
    /// user sees the real proposals at once. Returns the import report if it imported.
    pub async fn import_bundled_baseline_if_empty(
        &self,
    ) -> Result<Option<ImportReport>, ImportError> {
        let store = self.state.service.store();
        let empty = store
            .last_position()
            .await
            .map_err(|e| ImportError::Command(e.into()))?
            == 0;
        if !empty {
            return Ok(None);
        }
        import_baseline(
            &self.state.service,
            BUNDLED_BASELINE_NAME,
            BUNDLED_BASELINE,
            &|_| {},
        )
        .await
        .map(Some)
    }

    /// Serves until SIGTERM or SIGINT (or the future is dropped), then stops accepting and
    /// finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stop = service::shutdown_signal()?;
        self.run_until(stop).await
    }

    /// Serves until `stop` completes (or the future is dropped), then stops accepting and
    /// finishes the requests in flight. Tests pass a future of their own, so the test process
    /// keeps the default meaning of its signals.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let projector = self.state.service.projector().clone();
        let every = self.settings.follow_interval;
        let read = projector.read_models();
        let follower = tokio::spawn(async move { projector.follow(every).await });
        // `/readyz` says ready only once the warm-up is over, whatever came of it.
        let (warmed, warm) = tokio::sync::watch::channel(false);
        let warming = tokio::spawn(async move {
            warm_up(read).await;
            let _ = warmed.send(true);
        });
        let app = service::harden(router(self.state.clone()), self.state, &self.settings, warm);
        let served = service::serve(self.listener, app, &self.settings, stop).await;
        follower.abort();
        warming.abort();
        served
    }
}

/// What `serve` does as it starts, beside serving: the proposals' entries fetched and decoded
/// (see `ReadModels::warm`) and today's portfolio computed, which the dashboard and
/// `/api/portfolio` show unless asked for another date. So the first reads after a start find
/// them instead of computing them: at 1,000,000 events the first portfolio read took 10 s on
/// SQLite. Reads that come meanwhile wait for the computation under way rather than repeat it
/// (see `reports::portfolio::Overviews`), and `/readyz` is not ready until it is over, so a
/// load balancer sends none there meanwhile. A failure is logged: the reads compute it then.
pub async fn warm_up(read: gevinst_projections::readmodel::ReadModels) {
    match read.warm().await {
        Ok(n) => tracing::info!(proposals = n, "read caches warmed"),
        Err(e) => tracing::warn!(error = %e, "warming the read caches failed"),
    }
    let today = gevinst_projections::reports::View::today();
    let computed = async {
        let index = read.price_index().await?;
        gevinst_projections::reports::overview(&read, &index, today).await
    };
    match computed.await {
        Ok(o) => tracing::info!(
            proposals = o.portfolio.proposals.len(),
            %today,
            "today's portfolio computed"
        ),
        Err(e) => tracing::warn!(error = %e, "computing today's portfolio failed"),
    }
}
