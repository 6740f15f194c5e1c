//! The HTTP API. Handlers translate requests into commands and queries; they hold no rules.

pub mod auth;
pub mod commands;
pub mod error;
pub mod exports;
pub mod oidc;
pub mod openapi;
pub mod price_index;
pub mod proofs;
pub mod service;

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, SecondsFormat};
use gevinst_domain::ProposalId;
use gevinst_projections::readmodel::ReadModelError;
use gevinst_projections::readmodel::{ReadModels, Standing};
use gevinst_projections::reports;
use gevinst_projections::reports::{KnownOn, View};
use gevinst_projections::{ProposalService, PROPOSAL};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::dashboard;
use auth::SignedIn;
use error::{ApiError, ApiPath, ApiQuery, ApiResult};
use gevinst_domain::access::{Action, Target};
use gevinst_domain::proposal::ProposalError;
use gevinst_projections::CommandError;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The command path and event store.
    pub service: ProposalService,
    /// Sign-in through the municipality's OpenID provider, when configured.
    pub oidc: Option<Arc<oidc::Oidc>>,
}

impl AppState {
    /// The query layer's door: takes the read models as they stand (as read with the sign-in,
    /// or now) and asks the policy whether `user` may read — a proposal's details or history
    /// when `on` names one (the proposal as the read models hold it; unknown is 404), otherwise
    /// anything a signed-in person may read — then hands out the read models. Every read
    /// handler comes through here.
    pub(crate) async fn read_as(
        &self,
        user: &SignedIn,
        on: Option<(&ProposalId, Action)>,
    ) -> ApiResult<ReadModels> {
        let read = self.read(user.standing).await?;
        let target = match on {
            Some((id, _)) => Some(target(&read, id).await?),
            None => None,
        };
        user.may(
            on.map_or(Action::ReadDetails, |(_, action)| action),
            target.as_ref(),
        )?;
        Ok(read)
    }

    /// The read models as they stand: a read never runs the projector and never waits for it
    /// (the background projector, `startup::follow`, keeps them following the log; a read
    /// that must see a given write sends its position, see [`read_your_writes`]). Read models
    /// beyond the log's head are refused, never shown. `known` is a standing already asked
    /// for this request (with its sign-in); without it, it is asked now.
    async fn read(&self, known: Option<Standing>) -> ApiResult<ReadModels> {
        let projector = self.service.projector();
        let standing = match known {
            Some(standing) => standing,
            None => projector.standing().await.map_err(read_model_error)?,
        };
        Ok(projector.read_models().standing(&standing))
    }
}

fn read_model_error(e: ReadModelError) -> ApiError {
    match e {
        ReadModelError::AheadOfLog { .. } => ApiError::ReadModelsAhead(e.to_string()),
        e => ApiError::Internal(e.to_string()),
    }
}

/// The position token: a request carrying `Gevinst-Position: N`, the `last_position` a
/// command answered (on any instance), is served only once the read models reflect position
/// N. A process's commands answer once the read models reflect them, so only a client reading
/// from another instance than it wrote to needs it.
pub const POSITION_HEADER: &str = "gevinst-position";

/// Waits, for a request that names a position, until the read models reflect it: it wakes the
/// background projector and watches it, never projecting itself (`readmodel::follow`). Only a
/// signed-in request waits: anyone else gets 401 at once, before the header is even read, so no
/// one unknown can hold the server's connections. A position that is no whole number, or that
/// the log does not hold, is a 400 problem; one the projector does not reach within its
/// patience is a 503.
async fn read_your_writes(
    State(s): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !request.headers().contains_key(POSITION_HEADER) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let user = match auth::identify(&parts, &s).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let Some(position) = parts
        .headers
        .get(POSITION_HEADER)
        .and_then(|raw| raw.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|p| *p >= 0)
    else {
        return ApiError::BadRequest(format!(
            "{POSITION_HEADER}: forventer en global position (et helt tal, 0 eller mere)"
        ))
        .into_response();
    };
    let projector = s.service.projector();
    // A standing that already reflects the position is the one the read then uses, as a
    // sign-in's would be (one question to the database, not two); one that had to be waited
    // past is from before, so the read asks again.
    let reads = auth::reads(&parts);
    let (waited, known) = match projector.standing().await {
        Ok(standing) if standing.position >= position => (Ok(()), reads.then_some(standing)),
        Ok(standing) if standing.head < position => (
            Err(ReadModelError::Behind {
                reached: standing.head,
                position,
            }),
            None,
        ),
        // The checkpoint just read is below the position: only a look from now on counts.
        Ok(_) => (projector.wait_for_fresh(position).await.map(|_| ()), None),
        Err(e) => (Err(e), None),
    };
    parts.extensions.insert(auth::SignedIn {
        standing: known,
        ..user
    });
    let request = axum::extract::Request::from_parts(parts, body);
    match waited {
        Ok(()) => next.run(request).await,
        Err(ReadModelError::Behind { reached, position }) => ApiError::BadRequest(format!(
            "{POSITION_HEADER}: position {position} findes ikke i hændelsesloggen (den sidste er {reached})"
        ))
        .into_response(),
        Err(e @ ReadModelError::Stalled { .. }) => {
            ApiError::NotReady(e.to_string()).into_response()
        }
        Err(e) => read_model_error(e).into_response(),
    }
}

/// `?as_of=YYYY-MM-DD` (default today), `&known_on=` (a date or an RFC 3339 instant; default:
/// everything recorded) and, for goals and the exports, `&proposal=BC01`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// The business date the report is computed at, e.g. 2025-12-31 (default: today).
    as_of: Option<NaiveDate>,
    /// Only what was recorded by then: a date (its end) or an RFC 3339 instant (default:
    /// everything recorded).
    known_on: Option<String>,
    /// Only this proposal, e.g. BC01.
    #[param(pattern = "^[A-Za-z][A-Za-z0-9-]{0,18}[A-Za-z0-9]$", example = "BC01")]
    proposal: Option<String>,
    /// Only the proposals of this budget round, as its document writes it, e.g. "Budget 2025"
    /// (default: every round loaded).
    #[param(example = "Budget 2025")]
    budget_round: Option<String>,
}

impl AsOf {
    /// Both times; a `known_on` that cannot be read is a 400 problem naming it.
    fn view(&self) -> ApiResult<View> {
        view(self.as_of, self.known_on.as_deref())
    }

    /// `read` narrowed to the chosen round (see [`in_round`]).
    async fn narrow(&self, read: ReadModels) -> ApiResult<ReadModels> {
        in_round(read, self.budget_round.clone()).await
    }
}

/// `?as_of=YYYY-MM-DD&known_on=…` for the reports that take no proposal filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The business date the report is computed at, e.g. 2025-12-31 (default: today).
    as_of: Option<NaiveDate>,
    /// Only what was recorded by then: a date (its end) or an RFC 3339 instant (default:
    /// everything recorded).
    known_on: Option<String>,
}

impl ReportQuery {
    fn view(&self) -> ApiResult<View> {
        view(self.as_of, self.known_on.as_deref())
    }
}

/// `?as_of=&known_on=&budget_round=` for the lists over every proposal (portfolio, late list,
/// committee status): the two times, and optionally one budget round.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// The business date the report is computed at, e.g. 2025-12-31 (default: today).
    as_of: Option<NaiveDate>,
    /// Only what was recorded by then: a date (its end) or an RFC 3339 instant (default:
    /// everything recorded).
    known_on: Option<String>,
    /// Only the proposals of this budget round, as its document writes it, e.g. "Budget 2025"
    /// (default: every round loaded).
    #[param(example = "Budget 2025")]
    budget_round: Option<String>,
}

impl ListQuery {
    fn view(&self) -> ApiResult<View> {
        view(self.as_of, self.known_on.as_deref())
    }

    /// `read` narrowed to the chosen round (see [`in_round`]).
    async fn narrow(&self, read: ReadModels) -> ApiResult<ReadModels> {
        in_round(read, self.budget_round.clone()).await
    }
}

/// `read` narrowed to budget round `round` (`None`: every round); a round the log holds no
/// proposal of is a 400 problem naming the rounds it holds.
async fn in_round(read: ReadModels, round: Option<String>) -> ApiResult<ReadModels> {
    let read = read.in_round(round);
    let rounds = read.budget_rounds().await.map_err(internal)?;
    match crate::labels::unknown_round(read.round(), &rounds) {
        Some(message) => Err(ApiError::BadRequest(message)),
        None => Ok(read),
    }
}

/// The view at `as_of` (default today) as known on `known_on`; a `known_on` that cannot be
/// read is a 400 problem naming it.
fn view(as_of: Option<NaiveDate>, known: Option<&str>) -> ApiResult<View> {
    Ok(View {
        as_of: as_of.unwrap_or_else(View::today),
        known_on: known_on(known)?,
    })
}

/// `known_on` if given (blank counts as not given).
fn known_on(raw: Option<&str>) -> ApiResult<Option<KnownOn>> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| KnownOn::parse(s).map_err(|e| ApiError::BadRequest(format!("known_on: {e}"))))
        .transpose()
}

/// A report's body, with headers saying which times it was computed at (`Gevinst-As-Of`, and
/// `Gevinst-Known-On` as an RFC 3339 instant, or `now` for everything recorded). A report is
/// serialised straight from its rows (not through a `Value`, which costs a map per object).
fn viewed(view: &View, body: impl serde::Serialize) -> axum::response::Response {
    (view_headers(view), Json(body)).into_response()
}

/// The `Gevinst-As-Of` and `Gevinst-Known-On` headers of a report computed as `view` says.
fn view_headers(view: &View) -> [(&'static str, String); 2] {
    let known = view.known_instant().map_or_else(
        || "now".to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    );
    [
        ("gevinst-as-of", view.as_of.to_string()),
        ("gevinst-known-on", known),
    ]
}

/// What the policy needs to know of proposal `id`, from its read-model row.
pub(crate) async fn target(read: &ReadModels, id: &ProposalId) -> ApiResult<Target> {
    let unknown = || {
        ApiError::Command(CommandError::Rejected {
            proposal: id.to_string(),
            error: ProposalError::UnknownProposal,
        })
    };
    let row = read
        .proposal(id.as_str())
        .await
        .map_err(internal)?
        .ok_or_else(unknown)?;
    target_of(&row)
}

/// Every proposal's read-model row with what the policy needs of it, in one read (for the
/// pages that list proposals and ask the policy about each).
pub(crate) async fn targets(
    read: &ReadModels,
) -> ApiResult<Vec<(gevinst_projections::readmodel::ProposalRow, Target)>> {
    let rows = read.proposals().await.map_err(internal)?;
    rows.into_iter()
        .map(|row| target_of(&row).map(|t| (row, t)))
        .collect()
}

fn target_of(row: &gevinst_projections::readmodel::ProposalRow) -> ApiResult<Target> {
    Ok(Target {
        proposal: ProposalId::parse(&row.proposal_id).map_err(internal)?,
        committee: row.committee.parse().map_err(internal)?,
        confidential: row.confidential,
    })
}

fn proposal_id(raw: &str) -> ApiResult<ProposalId> {
    ProposalId::parse(raw).map_err(|e| ApiError::BadRequest(e.to_string()))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(dashboard::portfolio))
        .route("/proposals/{id}", get(dashboard::proposal))
        .route("/proposals/{id}/history", get(dashboard::history))
        .route("/verify", get(dashboard::verify))
        .route("/proposals/{id}/register", get(dashboard::register))
        .route(
            "/proposals/{id}/plan-revision",
            get(dashboard::plan_revision).post(dashboard::send_plan_revision),
        )
        .route("/verification-queue", get(dashboard::verification_queue))
        .route("/mine", get(dashboard::mine))
        .route("/late", get(dashboard::late))
        .route(
            "/price-index",
            get(dashboard::price_index).post(dashboard::send_price_index),
        )
        .route(
            "/proposals/{id}/register/{segment}",
            axum::routing::post(dashboard::send_form),
        )
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/login/oidc", get(auth::oidc_start))
        .route(oidc::CALLBACK_PATH, get(auth::oidc_callback))
        .route("/logout", axum::routing::post(auth::logout))
        .merge(openapi::router())
        // Status til udvalgene to print, and downloads (CSV, XLSX) of the reports.
        .route("/committee-status", get(dashboard::committee_status))
        .route(
            "/exports/{file}",
            get(exports::download).layer(axum::middleware::from_fn_with_state(
                state.clone(),
                exports::refusals_as_pages,
            )),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            read_your_writes,
        ))
        .with_state(state)
}

#[utoipa::path(get, path = "/api/portfolio", params(ListQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Tabel 1: every proposal with its plan, realisation and status", body = Object)))]
async fn portfolio(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = q
        .narrow(s.read_as(&user, None).await?.known_on(view.known_instant()))
        .await?;
    let o = reports::overview(
        &read,
        &read.price_index().await.map_err(internal)?,
        view.as_of,
    )
    .await
    .map_err(internal)?;
    Ok(viewed(&view, &o.portfolio))
}

#[utoipa::path(get, path = "/api/goals", params(AsOf), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Every follow-up goal and milestone with its status", body = Vec<Object>)))]
async fn goals(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let id = q.proposal.as_deref().map(proposal_id).transpose()?;
    let on = id.as_ref().map(|id| (id, Action::ReadDetails));
    let rows = reports::goals(
        &q.narrow(s.read_as(&user, on).await?.known_on(view.known_instant()))
            .await?,
        id.as_ref().map(ProposalId::as_str),
        view.as_of,
    )
    .await
    .map_err(internal)?;
    Ok(viewed(&view, json!(rows)))
}

#[utoipa::path(get, path = "/api/late", params(ListQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "What is overdue or below plan", body = Vec<Object>)))]
async fn late(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = q
        .narrow(s.read_as(&user, None).await?.known_on(view.known_instant()))
        .await?;
    let items = reports::late(
        &read,
        &read.price_index().await.map_err(internal)?,
        view.as_of,
    )
    .await
    .map_err(internal)?;
    Ok(viewed(&view, json!(items)))
}

#[utoipa::path(get, path = "/api/committee-status", params(ListQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Each proposal's category for Status til udvalgene, with the rule and reasons", body = Vec<Object>)))]
async fn committee_status(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = q
        .narrow(s.read_as(&user, None).await?.known_on(view.known_instant()))
        .await?;
    let rows = reports::committee_status(
        &read,
        &read.price_index().await.map_err(internal)?,
        view.as_of,
    )
    .await
    .map_err(internal)?;
    Ok(viewed(&view, json!(rows)))
}

#[utoipa::path(get, path = "/api/proposals/{id}", params(ReportQuery, ProposalPath), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "One proposal: plan, totals, payback, findings", body = Object)))]
async fn proposal(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let id = proposal_id(&id)?;
    let read = s
        .read_as(&user, Some((&id, Action::ReadDetails)))
        .await?
        .known_on(view.known_instant());
    let report = reports::proposal_report(&read, id.as_str())
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::NotFound(format!("ukendt forslag {id}")))?;
    Ok(viewed(&view, json!(report)))
}

#[utoipa::path(get, path = "/api/proposals/{id}/realisation", params(ReportQuery, ProposalPath), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "One proposal's realisation against its plan per year", body = Object)))]
async fn realisation(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let id = proposal_id(&id)?;
    let read = s
        .read_as(&user, Some((&id, Action::ReadDetails)))
        .await?
        .known_on(view.known_instant());
    let r = reports::proposal_realisation(
        &read,
        id.as_str(),
        &read.price_index().await.map_err(internal)?,
        view.as_of,
    )
    .await
    .map_err(internal)?
    .ok_or_else(|| ApiError::NotFound(format!("ukendt forslag {id}")))?;
    Ok(viewed(&view, json!(r)))
}

/// One stored event as an audit trail shows it: who, when, why, what, and its hashes.
pub(crate) fn trail_row(e: gevinst_store::StoredEvent) -> Value {
    json!({
        "position": e.position, "event_id": e.event_id, "sequence": e.sequence,
        "event_type": e.event_type, "event_version": e.event_version,
        "actor": e.actor, "role": e.role, "effective_date": e.effective_date,
        "recorded_at": e.recorded_at, "payload": e.payload, "metadata": e.metadata,
        "prev_hash": e.prev_hash, "hash": e.hash,
    })
}

/// `?as_of=YYYY-MM-DD&known_on=…` for the audit trail: both optional, and only applied when
/// given (the trail shows everything by default).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrailQuery {
    /// Only events effective by this date (events without a business date are kept).
    as_of: Option<NaiveDate>,
    /// Only events recorded by then: a date (its end) or an RFC 3339 instant.
    known_on: Option<String>,
}

/// `{id}` in a proposal's path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProposalPath {
    /// The proposal, e.g. BC01.
    #[param(pattern = "^[A-Za-z][A-Za-z0-9-]{0,18}[A-Za-z0-9]$", example = "BC01")]
    #[allow(dead_code)]
    // read through `ApiPath<String>`; this names it for the API description
    id: String,
}

/// The audit trail of one proposal: every stored event with who, when, why and its hashes;
/// with `known_on` only events recorded by then, with `as_of` only events effective by then
/// (events without a business date, such as registrations and corrections, are kept).
#[utoipa::path(get, path = "/api/proposals/{id}/events", params(TrailQuery, ProposalPath), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "The proposal's audit trail: every stored event with who, when, why and its hashes", body = Vec<Object>)))]
async fn events(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<TrailQuery>,
) -> ApiResult<impl IntoResponse> {
    let id = proposal_id(&id)?;
    s.read_as(&user, Some((&id, Action::ReadHistory))).await?;
    let known = known_on(q.known_on.as_deref())?;
    let events = s.service.store().stream(PROPOSAL, id.as_str()).await?;
    if events.is_empty() {
        return Err(ApiError::NotFound(format!("ukendt forslag {id}")));
    }
    let known_instant = known.as_ref().map(KnownOn::instant);
    let rows: Vec<Value> = events
        .into_iter()
        .filter(|e| known_instant.is_none_or(|t| e.recorded_at <= t))
        .filter(|e| match (q.as_of, e.effective_date) {
            (Some(as_of), Some(effective)) => effective <= as_of,
            _ => true,
        })
        .map(trail_row)
        .collect();
    let known = known_instant.map_or_else(
        || "now".to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    );
    let as_of = q.as_of.map_or_else(|| "all".to_string(), |d| d.to_string());
    Ok((
        [("gevinst-as-of", as_of), ("gevinst-known-on", known)],
        Json(Value::Array(rows)),
    ))
}

/// Walks the whole log: for auditors and administrators only.
#[utoipa::path(get, path = "/api/verify", security(("bearer" = []), ("session" = [])), responses((status = 200, description = "What the walk over the whole log found", body = Verified)))]
async fn verify_chain(State(s): State<AppState>, user: SignedIn) -> ApiResult<Json<Verified>> {
    user.may(Action::VerifyLog, None)?;
    let check = crate::audit::LogCheck::run(&s.service).await?;
    let report = &check.walk;
    Ok(Json(Verified {
        ok: check.is_ok(),
        events: report.events,
        proposals: report.proposals(),
        streams: report.streams,
        commands: report.commands,
        last_position: report.last_position,
        problems: report
            .problems
            .iter()
            .map(|p| ChainProblem {
                proposal: p.stream_id.clone(),
                sequence: p.sequence,
                kind: p.kind.code(),
                what: p.what.clone(),
            })
            .collect(),
        checkpoint: match &check.anchor {
            crate::audit::Anchor::Checked(checked) => {
                let (stored, report) = checked.as_ref();
                Some(AgainstCheckpoint {
                    tree_size: stored.tree_size,
                    signed_at: stored.signed_at,
                    ok: report.is_ok(),
                    unanchored: report.unanchored.map(|(from, to)| [from, to]),
                    problems: report
                        .problems
                        .iter()
                        .map(|p| CheckpointProblem {
                            kind: p.kind,
                            position: p.position,
                            to_position: p.to_position,
                            proposals: p.proposals.clone(),
                            what: p.detail.clone(),
                        })
                        .collect(),
                })
            }
            _ => None,
        },
    }))
}

/// `GET /api/verify`: what the walk over the whole log found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verified {
    /// Nothing found: every hash chain, column and command row intact, and the log still
    /// begins with what the newest checkpoint covered (when there is one).
    ok: bool,
    /// Events checked.
    events: usize,
    /// Proposal streams walked.
    proposals: usize,
    /// Streams walked (the proposals and the access stream).
    streams: usize,
    /// Command rows checked.
    commands: usize,
    /// The log's highest position.
    last_position: i64,
    /// What is broken, by stream and sequence.
    problems: Vec<ChainProblem>,
    /// The log checked against the newest checkpoint this server signed and stored; null
    /// when it has no signing key or has signed none. Only a checkpoint kept outside the
    /// database (`gevinst verify --checkpoint FILE`) also shows a log cut together with its
    /// checkpoint rows.
    checkpoint: Option<AgainstCheckpoint>,
}

/// The log checked against a stored checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgainstCheckpoint {
    /// The events it covers: positions 1 to this.
    tree_size: i64,
    /// When it was signed.
    signed_at: chrono::DateTime<chrono::Utc>,
    /// The log still begins with exactly the events it covered.
    ok: bool,
    /// Positions appended after it, first and last: not anchored by any checkpoint yet.
    unanchored: Option<[u64; 2]>,
    /// What no longer holds.
    problems: Vec<CheckpointProblem>,
}

/// One thing the check against a checkpoint found.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointProblem {
    /// The kind, machine-readable (`truncated`, `rewritten`, `bad-signature` …).
    #[schema(value_type = String)]
    kind: gevinst_verify::ProblemKind,
    /// The first position concerned, if known.
    position: Option<u64>,
    /// The last position concerned, when it is a range.
    to_position: Option<u64>,
    /// The proposals concerned, if known.
    proposals: Vec<String>,
    /// What is wrong.
    what: String,
}

/// One thing `GET /api/verify` found broken.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainProblem {
    /// The stream (a proposal, or `*` for the global order).
    proposal: String,
    /// The sequence (for the global order, the position).
    sequence: i64,
    /// The kind, machine-readable.
    kind: &'static str,
    /// What is wrong.
    what: String,
}

/// Who is signed in: login, name, grants, and for a browser session the CSRF token its writes
/// must send as `x-csrf-token`.
#[utoipa::path(get, path = "/api/me", security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Who is signed in", body = Me)))]
async fn me(user: SignedIn) -> ApiResult<Json<Me>> {
    let account = user
        .principal
        .access
        .active(&user.principal.login)
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    Ok(Json(Me {
        login: account.login.to_string(),
        name: account.name.as_str().to_string(),
        grants: account.grants.iter().map(|g| json!(g)).collect(),
        csrf_token: (!user.csrf().is_empty()).then(|| user.csrf().to_string()),
    }))
}

/// `GET /api/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The login, e.g. anna@kk.dk.
    login: String,
    /// The name shown.
    name: String,
    /// The account's grants: a role, on a proposal, a committee or everything.
    #[schema(value_type = Vec<Object>)]
    grants: Vec<Value>,
    /// For a browser session: the CSRF token its writes must send as `x-csrf-token`.
    csrf_token: Option<String>,
}

/// `GET /healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    status: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// The log's last global position (0 when empty).
    last_position: i64,
}

/// Alive: the store answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The store answers", body = Health)))]
async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let store = state.service.store();
    Ok(Json(Health {
        status: "ok",
        backend: store.db().backend(),
        last_position: store.last_position().await?,
    }))
}

/// The JSON API's routes, each registered with its description (see [`openapi`]): a route and
/// its description cannot drift apart. The command routes come from [`commands::ROUTES`].
pub(crate) fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(me))
        .routes(routes!(portfolio))
        .routes(routes!(goals))
        .routes(routes!(late))
        .routes(routes!(committee_status))
        .routes(routes!(verify_chain))
        .routes(routes!(proposal))
        .routes(routes!(realisation))
        .routes(routes!(events))
        .routes(routes!(proofs::inclusion))
        .routes(routes!(proofs::consistency))
        .routes(routes!(proofs::checkpoint))
        .routes(routes!(price_index::show, price_index::change))
        .routes(routes!(price_index::plan))
        .routes(routes!(price_index::events))
}
