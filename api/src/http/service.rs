//! The service around the routes: what an operator needs to run Gevinst. Security headers on
//! every answer, limits on what a client may send and how long it may take, a request id and a
//! tracing span per request, Prometheus metrics at `/metrics`, readiness at `/readyz`, and a
//! server that stops accepting on SIGTERM or SIGINT and finishes the requests in flight.
//!
//! It is one function over the finished router ([`harden`]) and one server loop ([`serve`]), so
//! the handlers in `http/mod.rs` know nothing of it and every new route gets all of it.
//!
//! Decisions, and why:
//! - **Our own accept loop, not `axum::serve`.** axum 0.8's `serve` gives hyper's connection
//!   builder no timer, and without a timer hyper has no header read timeout: a client that sends
//!   half its headers holds a connection and a task for ever (slowloris). [`serve`] is the same
//!   loop with hyper's HTTP/1 builder given a timer, the header read timeout and a limit on the
//!   header size, and `hyper_util`'s graceful shutdown. The header read timeout also closes a
//!   kept-alive connection that sends nothing more.
//! - **Errors stay problem+json.** A body over the limit (tower-http answers plain text, and so
//!   do axum's body extractors) and a request past its time (tower's timeout, answered through
//!   `HandleErrorLayer`) become the house's RFC 9457 problems (`payload-too-large`, `timeout`).
//!   Hyper's own refusals happen before any service runs and stay bare: 431 for headers over the
//!   limit, and a closed connection (after a bare 408) for headers not sent in time.
//! - **A timeout is 503, not 408.** 408 says the client was too slow to send its request; our
//!   timeout mostly measures the server (the store, a catch-up), and 503 tells a client it may
//!   retry. Half-sent headers are the client's slowness and are hyper's 408 above.
//! - **The `prometheus` crate with one registry per application**, not the `metrics` facade:
//!   the facade records into one process-wide recorder, so the test binary's many applications
//!   (both backends in parallel) would count into each other, and a library would have to
//!   install global state. Routes are labelled by their pattern (`/api/proposals/{id}`), never
//!   by the raw path, so a scan of random addresses cannot grow the series without bound
//!   (anything that matched no route is `unmatched`).
//! - **Content-Security-Policy**: the pages use no script, no image, no font and nothing from
//!   elsewhere; each rendered page's inline `<style>` blocks are allowed by their SHA-256
//!   hashes, computed from the page as sent (`dashboard::HtmlTemplate`), so the policy needs no
//!   `'unsafe-inline'`. A style attribute (`style="…"`) would be refused; put the rule in the
//!   block.
//! - **Readiness** means the store answers and the read models are at the log's head as it was
//!   when the probe came: `/readyz` wakes the background projector and waits for a look that
//!   began after the probe (never an older one: the read models may have been reset since),
//!   within the request timeout. A catch-up commits in batches, so one that takes longer than
//!   the timeout still gets there over successive probes, and no request is sent to an
//!   instance whose first read would have to wait for the whole log. Nor before `serve`'s
//!   warm-up is over (`startup::warm_up`: today's portfolio, 9-10 s at 1,000,000 events on
//!   SQLite, which a first portfolio read would otherwise wait for). Read models ahead of the
//!   log are never ready. It also says whether this instance projects (`leading`).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Json, Router};
use base64::Engine as _;
use gevinst_projections::readmodel::ReadModelError;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use prometheus::{Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use super::error::{ApiError, ApiResult, PROBLEM_JSON};
use super::AppState;

/// Default largest request body: 1 MiB. Gevinst's requests are small (queries, forms); a
/// baseline file is imported from the command line, not over HTTP.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// Default largest request line plus headers: 16 KiB, room for a session cookie and a proxy's
/// forwarding headers (hyper's own limit is its read buffer, about 400 KiB).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 << 10;
/// Default seconds a client has to send its headers (hyper's own default).
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 30;
/// Default seconds a request may take.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;
/// Default seconds to wait for requests in flight after SIGTERM.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 30;
/// Default milliseconds between the background projector's looks at the log.
pub const DEFAULT_FOLLOW_INTERVAL_MS: u64 = 500;

/// The request id header, taken from the client (or a proxy) when it is sane, made otherwise.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Limits and timeouts of the HTTP service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceSettings {
    /// Largest request body in bytes; larger is 413 `payload-too-large`.
    pub max_body_bytes: usize,
    /// Largest request line and headers in bytes; larger is hyper's bare 431.
    pub max_header_bytes: usize,
    /// Time a client has to send a request's headers (and an idle kept-alive connection has
    /// before it is closed).
    pub header_read_timeout: Duration,
    /// Time a request may take from routing to answer; longer is 503 `timeout`.
    pub request_timeout: Duration,
    /// Time to wait for requests in flight after the stop signal before giving up on them.
    pub shutdown_grace: Duration,
    /// Time between the background projector's looks at the log, for what another process
    /// wrote (this process's commands project before they answer).
    pub follow_interval: Duration,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            header_read_timeout: Duration::from_secs(DEFAULT_HEADER_READ_TIMEOUT_SECS),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            shutdown_grace: Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_SECS),
            follow_interval: Duration::from_millis(DEFAULT_FOLLOW_INTERVAL_MS),
        }
    }
}

/// Wraps the application's routes in everything above and adds `/readyz` and `/metrics`.
///
/// Layer order, outermost first: a sane request id (kept from the client, or a new UUID) and
/// its echo on the answer; the request's tracing span, which carries that id; the metrics;
/// the security headers; the body limit, answered as problem+json. Inside the routing, each
/// route has the request timeout and is labelled with its pattern for the metrics. Everything
/// outside the routing sees every answer, a 404 or a 413 included. `warm` turns true when the
/// start's warm-up is over; `/readyz` waits for it.
pub fn harden(
    routes: Router,
    state: AppState,
    settings: &ServiceSettings,
    warm: tokio::sync::watch::Receiver<bool>,
) -> Router {
    let metrics = Metrics::new();
    let ops = Ops {
        app: state,
        metrics: metrics.clone(),
        warm,
    };
    let timeout = settings.request_timeout;
    let limit = settings.max_body_bytes;
    let per_route = ServiceBuilder::new()
        .layer(middleware::from_fn(label_route))
        .layer(axum::error_handling::HandleErrorLayer::new(
            move |error: BoxError| async move { timed_out(&error, timeout) },
        ))
        .timeout(timeout);
    // `Router::layer` calls, innermost first: each one turns its layer's answers back into
    // axum's, which tower-http's body types (limit, trace) need.
    routes
        .merge(
            Router::new()
                .route("/readyz", get(readyz))
                .route("/metrics", get(metrics_text))
                .with_state(ops),
        )
        .route_layer(per_route)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
        // axum's extractors have a limit of their own (2 MB): make it the same one.
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::map_response_with_state(
            limit,
            too_large_as_problem,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            content_security_policy(),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(middleware::from_fn_with_state(metrics, count))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span as fn(&Request) -> tracing::Span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(middleware::map_request(drop_insane_request_id))
}

/// Serves `app` on `listener` until `stop` completes, then stops accepting, lets every
/// connection finish the request it is in (idle ones close at once) and returns when all have
/// closed or `shutdown_grace` has passed.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    settings: &ServiceSettings,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_read_timeout)
        .max_header_size(settings.max_header_bytes);
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("no longer accepting; finishing the requests in flight");
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection closed; stopped"),
        () = tokio::time::sleep(settings.shutdown_grace) => tracing::warn!(
            grace = ?settings.shutdown_grace,
            "requests still in flight after the grace period; stopping anyway"
        ),
    }
    Ok(())
}

/// A future that completes on SIGTERM or SIGINT (Ctrl-C). The handlers are installed when this
/// is called, not when the future is first polled, so a signal that comes while the server
/// starts is not lost to the default action.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = terminate.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        tracing::info!(signal = name, "stopping");
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!(signal = "ctrl-c", "stopping");
    })
}

/// The policy for every answer that does not bring its own: nothing may load or run, no
/// framing by anyone (`frame-ancestors`), forms only to us. JSON needs nothing more; a page
/// brings its own policy ([`content_security_policy_for`]).
fn content_security_policy() -> HeaderValue {
    policy(&[])
}

/// The policy for one rendered page: the default, plus its own inline `<style>` blocks by
/// their SHA-256 hashes (so no `'unsafe-inline'`). Computed from what is sent, so a style
/// that holds template values (the printed committee status puts its date in the page
/// margins) is covered like a static one, and no list of templates must be kept in step.
pub(crate) fn content_security_policy_for(page: &str) -> HeaderValue {
    policy(&style_hashes(page))
}

fn policy(hashes: &[String]) -> HeaderValue {
    let styles: Vec<String> = hashes
        .iter()
        .map(|hash| format!("'sha256-{hash}'"))
        .collect();
    let style_src = if styles.is_empty() {
        String::new()
    } else {
        format!("style-src {}; ", styles.join(" "))
    };
    let policy = format!(
        "default-src 'none'; {style_src}form-action 'self'; base-uri 'none'; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("a policy of ASCII text")
}

/// The base64 SHA-256 of each `<style>` block's text in `html`, as CSP wants them.
fn style_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<style>") {
        let body = &rest[start + "<style>".len()..];
        let Some(end) = body.find("</style>") else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..end]);
        hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
        rest = &body[end..];
    }
    hashes.sort();
    hashes.dedup();
    hashes
}

/// Drops an incoming request id that is not 1 to 128 characters of letters, digits and `-_.:`
/// (a fresh one is made instead), so what a client sends cannot forge or flood the logs.
async fn drop_insane_request_id(mut request: Request) -> Request {
    let ids = request.headers().get_all(&REQUEST_ID);
    let mut count = 0;
    let mut sane = true;
    for id in ids {
        count += 1;
        let id = id.as_bytes();
        sane &= (1..=128).contains(&id.len())
            && id
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b));
    }
    if count > 1 || !sane {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// One span per request, named by method and path (not the query) and carrying the request id,
/// so everything a handler logs can be found by the id the client was given.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// A request past its time (or a failure of the layers, which cannot happen) as problem+json.
fn timed_out(error: &BoxError, timeout: Duration) -> Response {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::Timeout(timeout).into_response()
    } else {
        ApiError::Internal(error.to_string()).into_response()
    }
}

/// A 413 that is not yet problem+json (tower-http's, or an extractor's) made one.
async fn too_large_as_problem(State(limit): State<usize>, response: Response) -> Response {
    let problem = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !problem {
        return ApiError::TooLarge { limit }.into_response();
    }
    response
}

/// The route pattern a request matched, handed outwards on the answer for the metrics.
#[derive(Debug, Clone)]
struct RouteLabel(Arc<str>);

async fn label_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response
            .extensions_mut()
            .insert(RouteLabel(Arc::from(matched.as_str())));
    }
    response
}

/// The application's own metrics registry.
#[derive(Clone)]
struct Metrics {
    registry: prometheus::Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    in_flight: IntGauge,
    log_position: IntGauge,
    read_models_position: IntGauge,
    store_up: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    fn new() -> Self {
        let registry = prometheus::Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "gevinst_http_requests_total",
                "HTTP requests answered, by method, route pattern and status.",
            ),
            &["method", "route", "status"],
        )
        .expect("a valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "gevinst_http_request_duration_seconds",
                "Time from receiving a request's headers to its answer, by method and route.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["method", "route"],
        )
        .expect("a valid metric");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("a valid metric");
        let in_flight = gauge(
            "gevinst_http_requests_in_flight",
            "HTTP requests being answered now.",
        );
        let log_position = gauge(
            "gevinst_event_log_position",
            "Position of the newest event in the log (at the last scrape).",
        );
        let read_models_position = gauge(
            "gevinst_read_models_position",
            "Position the read models reflect (at the last scrape); the log's minus this is the lag.",
        );
        let store_up = gauge(
            "gevinst_store_up",
            "1 if the store answered the last scrape, 0 if not.",
        );
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(duration.clone()),
            Box::new(in_flight.clone()),
            Box::new(log_position.clone()),
            Box::new(read_models_position.clone()),
            Box::new(store_up.clone()),
        ] {
            registry.register(collector).expect("each metric once");
        }
        Self {
            registry,
            requests,
            duration,
            in_flight,
            log_position,
            read_models_position,
            store_up,
        }
    }
}

/// Counts a request while it is in flight and when it is answered. A request whose client
/// went away is no longer in flight, and is not counted as answered.
async fn count(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    struct InFlight(IntGauge);
    impl Drop for InFlight {
        fn drop(&mut self) {
            self.0.dec();
        }
    }
    let method = method_label(request.method());
    metrics.in_flight.inc();
    let _in_flight = InFlight(metrics.in_flight.clone());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or("unmatched", |r| &r.0);
    let status = response.status();
    metrics
        .requests
        .with_label_values(&[method, route, status.as_str()])
        .inc();
    metrics
        .duration
        .with_label_values(&[method, route])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The standard methods by name, anything else as `other` (bounded label values).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// What `/readyz` and `/metrics` reach.
#[derive(Clone, Debug)]
struct Ops {
    app: AppState,
    metrics: Metrics,
    /// True once the start's warm-up is over (see `startup::warm_up`).
    warm: tokio::sync::watch::Receiver<bool>,
}

/// Prometheus' text format, with the log's and the read models' positions read at the scrape.
async fn metrics_text(State(ops): State<Ops>) -> Response {
    let store = ops.app.service.store();
    let positions = async {
        let log = store.last_position().await.map_err(|e| e.to_string())?;
        let read = ops
            .app
            .service
            .projector()
            .checkpoint()
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((log, read))
    };
    match positions.await {
        Ok((log, read)) => {
            ops.metrics.log_position.set(log);
            ops.metrics.read_models_position.set(read);
            ops.metrics.store_up.set(1);
        }
        Err(error) => {
            tracing::warn!(%error, "the store did not answer the metrics scrape");
            ops.metrics.store_up.set(0);
        }
    }
    let mut text = Vec::new();
    let encoder = prometheus::TextEncoder::new();
    if let Err(error) = encoder.encode(&ops.metrics.registry.gather(), &mut text) {
        return ApiError::Internal(format!("encoding the metrics: {error}")).into_response();
    }
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static(prometheus::TEXT_FORMAT),
        )],
        text,
    )
        .into_response()
}

/// Ready when the store answers, the read models have caught up with the log's head as it
/// was when the probe came, and the start's warm-up is over (see the module doc); otherwise
/// 503 `not-ready` saying which, or 503 `timeout` when the wait outlasts the request. It
/// says whether this instance's background projector is the one projecting (`leading`) or
/// watches another (`following`); `inline` when none runs and each caller projects.
async fn readyz(State(ops): State<Ops>) -> ApiResult<Json<Value>> {
    let store = ops.app.service.store();
    let head = store.last_position().await.map_err(|error| {
        tracing::warn!(%error, "not ready: the store does not answer");
        ApiError::NotReady("the store does not answer".to_string())
    })?;
    let projector = ops.app.service.projector();
    let not_ready = |error: ReadModelError| match error {
        ReadModelError::AheadOfLog { .. } | ReadModelError::Stalled { .. } => {
            ApiError::NotReady(error.to_string())
        }
        error => {
            tracing::warn!(%error, "not ready: the read models cannot catch up");
            ApiError::NotReady("the read models cannot catch up with the log".to_string())
        }
    };
    // A fresh look, not the last one seen: the read models may have been reset since.
    let reached = projector.wait_for_fresh(head).await.map_err(not_ready)?;
    // Read models ahead of the log (a restored log) are never ready.
    projector.standing().await.map_err(not_ready)?;
    // The warm-up's sender gone (its task ended without saying) counts as over too.
    let _ = ops.warm.clone().wait_for(|over| *over).await;
    Ok(Json(json!({
        "status": "ready",
        "backend": store.db().backend(),
        "last_position": head,
        "read_models_position": reached,
        "projector": match (projector.following(), projector.leading()) {
            (false, _) => "inline",
            (true, true) => "leading",
            (true, false) => "following",
        },
    })))
}
