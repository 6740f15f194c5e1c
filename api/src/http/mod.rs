//! The HTTP API. Handlers translate requests into commands and queries; they hold no rules.

pub mod error;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use gevinst_projections::ProposalService;
use serde_json::{json, Value};

use error::ApiResult;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The command path and event store.
    pub service: ProposalService,
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let store = state.service.store();
    Ok(Json(json!({
        "status": "ok",
        "backend": store.db().backend(),
        "last_position": store.last_position().await?,
    })))
}
