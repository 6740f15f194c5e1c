//! The HTTP API. Handlers translate requests into commands and queries; they hold no rules.

pub mod error;

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use gevinst_domain::price::PriceIndex;
use gevinst_domain::ProposalId;
use gevinst_projections::readmodel::ReadModelError;
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_projections::{ProposalService, PROPOSAL};
use gevinst_store::verify;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::dashboard;
use error::{ApiError, ApiPath, ApiQuery, ApiResult};

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The command path and event store.
    pub service: ProposalService,
    /// The price index for converting amounts between price levels.
    pub index: Arc<PriceIndex>,
}

impl AppState {
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

/// `?as_of=YYYY-MM-DD` (default today) and, for goals, `&proposal=BC01`.
#[derive(Debug, Deserialize)]
pub struct AsOf {
    as_of: Option<NaiveDate>,
    proposal: Option<String>,
}

impl AsOf {
    fn date(&self) -> NaiveDate {
        self.as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }
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
        .route("/healthz", get(healthz))
        .route("/api/portfolio", get(portfolio))
        .route("/api/goals", get(goals))
        .route("/api/late", get(late))
        .route("/api/committee-status", get(committee_status))
        .route("/api/verify", get(verify_chain))
        .route("/api/proposals/{id}", get(proposal))
        .route("/api/proposals/{id}/realisation", get(realisation))
        .route("/api/proposals/{id}/events", get(events))
        .with_state(state)
}

async fn portfolio(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<Value>> {
    let p = reports::portfolio(&s.read().await?, &s.index, q.date())
        .await
        .map_err(internal)?;
    Ok(Json(json!(p)))
}

async fn goals(State(s): State<AppState>, ApiQuery(q): ApiQuery<AsOf>) -> ApiResult<Json<Value>> {
    let id = q.proposal.as_deref().map(proposal_id).transpose()?;
    let rows = reports::goals(
        &s.read().await?,
        id.as_ref().map(ProposalId::as_str),
        q.date(),
    )
    .await
    .map_err(internal)?;
    Ok(Json(json!(rows)))
}

async fn late(State(s): State<AppState>, ApiQuery(q): ApiQuery<AsOf>) -> ApiResult<Json<Value>> {
    let items = reports::late(&s.read().await?, &s.index, q.date())
        .await
        .map_err(internal)?;
    Ok(Json(json!(items)))
}

async fn committee_status(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<Value>> {
    let rows = reports::committee_status(&s.read().await?, &s.index, q.date())
        .await
        .map_err(internal)?;
    Ok(Json(json!(rows)))
}

async fn proposal(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = proposal_id(&id)?;
    let report = reports::proposal_report(&s.read().await?, id.as_str())
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::NotFound(format!("unknown proposal {id}")))?;
    Ok(Json(json!(report)))
}

async fn realisation(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<AsOf>,
) -> ApiResult<Json<Value>> {
    let id = proposal_id(&id)?;
    let read = s.read().await?;
    let row = read
        .proposal(id.as_str())
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::NotFound(format!("unknown proposal {id}")))?;
    let entries = read.entries(Some(id.as_str())).await.map_err(internal)?;
    let r = reports::realisation(&row, &entries, &s.index, q.date()).map_err(internal)?;
    Ok(Json(json!(r)))
}

/// The audit trail of one proposal: every stored event with who, when, why and its hashes.
async fn events(State(s): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Json<Value>> {
    let id = proposal_id(&id)?;
    let events = s.service.store().stream(PROPOSAL, id.as_str()).await?;
    if events.is_empty() {
        return Err(ApiError::NotFound(format!("unknown proposal {id}")));
    }
    let rows: Vec<Value> = events
        .into_iter()
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
    Ok(Json(Value::Array(rows)))
}

async fn verify_chain(State(s): State<AppState>) -> ApiResult<Json<Value>> {
    let report = verify(s.service.store()).await?;
    Ok(Json(json!({
        "ok": report.is_ok(),
        "events": report.events,
        "proposals": report.streams,
        "last_position": report.last_position,
        "problems": report.problems.iter().map(|p| json!({
            "proposal": p.stream_id, "sequence": p.sequence, "what": p.what,
        })).collect::<Vec<_>>(),
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
