//! The API's one error type and its mapping to HTTP, decided in one place: a broken business
//! rule is the client's problem (422 with the rule's message), a concurrent change is retryable
//! (409 with the current sequence), bad input is 400, and anything else is a logged 500 whose
//! details never reach the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gevinst_projections::CommandError;
use gevinst_store::StoreError;
use serde_json::json;

/// Result alias for handlers.
pub type ApiResult<T, E = ApiError> = Result<T, E>;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request itself is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Nothing at that address.
    #[error("{0}")]
    NotFound(String),
    /// A command failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something failed that the client cannot fix (logged, not shown).
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::BadRequest(m) => (StatusCode::BAD_REQUEST, json!({"error": m})),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!({"error": m})),
            ApiError::Command(CommandError::Rejected { error, proposal }) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"error": error.to_string(), "proposal": proposal}),
            ),
            ApiError::Command(CommandError::Conflict {
                proposal,
                current_sequence,
            }) => (
                StatusCode::CONFLICT,
                json!({"error": self.to_string(), "proposal": proposal,
                       "current_sequence": current_sequence, "retryable": true}),
            ),
            ApiError::Command(CommandError::IdempotencyKeyReused { .. }) => {
                (StatusCode::CONFLICT, json!({"error": self.to_string()}))
            }
            other => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "internal error; see the server log"}),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
