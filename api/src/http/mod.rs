//! The HTTP API. Handlers translate requests into commands and queries; they hold no rules.

pub mod auth;
pub mod commands;
pub mod error;
pub mod exports;
pub mod oidc;
pub mod proofs;
pub mod service;

use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, SecondsFormat};
use gevinst_domain::price::PriceIndex;
use gevinst_domain::ProposalId;
use gevinst_projections::readmodel::ReadModelError;
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_projections::reports::{KnownOn, View};
use gevinst_projections::{ProposalService, PROPOSAL};
use serde::Deserialize;
use serde_json::{json, Value};

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
    /// The price index for converting amounts between price levels.
    pub index: Arc<PriceIndex>,
    /// Sign-in through the municipality's OpenID provider, when configured.
    pub oidc: Option<Arc<oidc::Oidc>>,
}

impl AppState {
    /// The query layer's door: catches the read models up and asks the policy whether `user`
    /// may read — a proposal's details or history when `on` names one (the proposal as the
    /// read models hold it; unknown is 404), otherwise anything a signed-in person may read —
    /// then hands out the read models. Every read handler comes through here.
    pub(crate) async fn read_as(
        &self,
        user: &SignedIn,
        on: Option<(&ProposalId, Action)>,
    ) -> ApiResult<ReadModels> {
        let read = self.read().await?;
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

    /// Read models, caught up with the log (another process may have written).
    pub(crate) async fn read(&self) -> ApiResult<ReadModels> {
        self.service
            .projector()
            .catch_up()
            .await
            .map_err(|e| match e {
                ReadModelError::AheadOfLog { .. } => ApiError::ReadModelsAhead(e.to_string()),
                e => ApiError::Internal(e.to_string()),
            })?;
        Ok(ReadModels::new(self.service.store().db().clone()))
    }
}

/// `?as_of=YYYY-MM-DD` (default today), `&known_on=` (a date or an RFC 3339 instant; default:
/// everything recorded) and, for goals, `&proposal=BC01`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    as_of: Option<NaiveDate>,
    known_on: Option<String>,
    proposal: Option<String>,
}

impl AsOf {
    fn date(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Both times; a `known_on` that cannot be read is a 400 problem naming it.
    fn view(&self) -> ApiResult<View> {
        Ok(View {
            as_of: self.date(),
            known_on: known_on(self.known_on.as_deref())?,
        })
    }
}

/// `known_on` if given (blank counts as not given).
fn known_on(raw: Option<&str>) -> ApiResult<Option<KnownOn>> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| KnownOn::parse(s).map_err(|e| ApiError::BadRequest(format!("known_on: {e}"))))
        .transpose()
}

/// A report's body, with headers saying which times it was computed at (`Gevinst-As-Of`, and
/// `Gevinst-Known-On` as an RFC 3339 instant, or `now` for everything recorded).
fn viewed(view: &View, body: Value) -> impl IntoResponse {
    (view_headers(view), Json(body))
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
    Ok(Target {
        proposal: id.clone(),
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
        .route("/verification-queue", get(dashboard::verification_queue))
        .route("/mine", get(dashboard::mine))
        .route("/late", get(dashboard::late))
        .route(
            "/proposals/{id}/register/{segment}",
            axum::routing::post(dashboard::send_form),
        )
        .route("/healthz", get(healthz))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/login/oidc", get(auth::oidc_start))
        .route(oidc::CALLBACK_PATH, get(auth::oidc_callback))
        .route("/logout", axum::routing::post(auth::logout))
        .route("/api/me", get(me))
        .route("/api/portfolio", get(portfolio))
        .route("/api/goals", get(goals))
        .route("/api/late", get(late))
        .route("/api/committee-status", get(committee_status))
        .route("/api/verify", get(verify_chain))
        .route("/api/proposals/{id}", get(proposal))
        .route("/api/proposals/{id}/realisation", get(realisation))
        .route("/api/proposals/{id}/events", get(events))
        .route("/api/proofs/inclusion", get(proofs::inclusion))
        .route("/api/proofs/consistency", get(proofs::consistency))
        .route("/api/checkpoint", get(proofs::checkpoint))
        .merge(commands::router())
        // Status til udvalgene to print, and downloads (CSV, XLSX) of the reports.
        .route("/committee-status", get(dashboard::committee_status))
        .route("/exports/{file}", get(exports::download))
        .with_state(state)
}

async fn portfolio(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = s.read_as(&user, None).await?.known_on(view.known_instant());
    let p = reports::portfolio(&read, &s.index, view.as_of)
        .await
        .map_err(internal)?;
    Ok(viewed(&view, json!(p)))
}

async fn goals(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let id = q.proposal.as_deref().map(proposal_id).transpose()?;
    let on = id.as_ref().map(|id| (id, Action::ReadDetails));
    let rows = reports::goals(
        &s.read_as(&user, on).await?.known_on(view.known_instant()),
        id.as_ref().map(ProposalId::as_str),
        view.as_of,
    )
    .await
    .map_err(internal)?;
    Ok(viewed(&view, json!(rows)))
}

async fn late(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = s.read_as(&user, None).await?.known_on(view.known_instant());
    let items = reports::late(&read, &s.index, view.as_of)
        .await
        .map_err(internal)?;
    Ok(viewed(&view, json!(items)))
}

async fn committee_status(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let read = s.read_as(&user, None).await?.known_on(view.known_instant());
    let rows = reports::committee_status(&read, &s.index, view.as_of)
        .await
        .map_err(internal)?;
    Ok(viewed(&view, json!(rows)))
}

async fn proposal(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
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
        .ok_or_else(|| ApiError::NotFound(format!("unknown proposal {id}")))?;
    Ok(viewed(&view, json!(report)))
}

async fn realisation(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<impl IntoResponse> {
    let view = q.view()?;
    let id = proposal_id(&id)?;
    let read = s
        .read_as(&user, Some((&id, Action::ReadDetails)))
        .await?
        .known_on(view.known_instant());
    let r = reports::proposal_realisation(&read, id.as_str(), &s.index, view.as_of)
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::NotFound(format!("unknown proposal {id}")))?;
    Ok(viewed(&view, json!(r)))
}

/// `?as_of=YYYY-MM-DD&known_on=…` for the audit trail: both optional, and only applied when
/// given (the trail shows everything by default).
#[derive(Debug, Deserialize)]
pub struct TrailQuery {
    as_of: Option<NaiveDate>,
    known_on: Option<String>,
}

/// The audit trail of one proposal: every stored event with who, when, why and its hashes;
/// with `known_on` only events recorded by then, with `as_of` only events effective by then
/// (events without a business date, such as registrations and corrections, are kept).
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
        return Err(ApiError::NotFound(format!("unknown proposal {id}")));
    }
    let known_instant = known.as_ref().map(KnownOn::instant);
    let rows: Vec<Value> = events
        .into_iter()
        .filter(|e| known_instant.is_none_or(|t| e.recorded_at <= t))
        .filter(|e| match (q.as_of, e.effective_date) {
            (Some(as_of), Some(effective)) => effective <= as_of,
            _ => true,
        })
        .map(|e| {
            json!({
                "position": e.position, "event_id": e.event_id, "sequence": e.sequence,
                "event_type": e.event_type, "event_version": e.event_version,
                "actor": e.actor, "role": e.role, "effective_date": e.effective_date,
                "recorded_at": e.recorded_at, "payload": e.payload, "metadata": e.metadata,
                "prev_hash": e.prev_hash, "hash": e.hash,
            })
        })
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
async fn verify_chain(State(s): State<AppState>, user: SignedIn) -> ApiResult<Json<Value>> {
    user.may(Action::VerifyLog, None)?;
    let report = gevinst_projections::verify_log(s.service.store()).await?;
    Ok(Json(json!({
        "ok": report.is_ok(),
        "events": report.events,
        "proposals": report.proposals(),
        "streams": report.streams,
        "commands": report.commands,
        "last_position": report.last_position,
        "problems": report.problems.iter().map(|p| json!({
            "proposal": p.stream_id, "sequence": p.sequence, "kind": p.kind.code(), "what": p.what,
        })).collect::<Vec<_>>(),
    })))
}

/// Who is signed in: login, name, grants, and for a browser session the CSRF token its writes
/// must send as `x-csrf-token`.
async fn me(user: SignedIn) -> ApiResult<Json<Value>> {
    let account = user
        .principal
        .access
        .active(&user.principal.login)
        .map_err(|e| ApiError::Forbidden(e.to_string()))?;
    Ok(Json(json!({
        "login": account.login,
        "name": account.name,
        "grants": account.grants,
        "csrf_token": (!user.csrf().is_empty()).then(|| user.csrf()),
    })))
}

async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let store = state.service.store();
    Ok(Json(json!({
        "status": "ok",
        "backend": store.db().backend(),
        "last_position": store.last_position().await?,
    })))
}
