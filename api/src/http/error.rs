//! The API's one error type and its mapping to HTTP, decided in one place: a broken business
//! rule is the client's problem (422 with the rule's message), a concurrent change is retryable
//! (409 with the current sequence), bad input is 400, and anything else is a logged 500 whose
//! details never reach the client. The service's own limits answer the same way (see
//! `service.rs`): a body over the limit is 413, a request past its time and a `/readyz` that
//! is not ready are 503.
//!
//! Every error is `application/problem+json` (RFC 9457): a stable `type` a client can match on
//! (`urn:gevinst:problem:…`), a Danish `title` for people, the HTTP `status`, and a `detail`
//! that names what was wrong. The extractors [`ApiQuery`] and [`ApiPath`] send their rejections
//! through the same mapping, so a malformed query string never answers axum's plain text.

use crate::labels::refusal;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gevinst_projections::CommandError;
use gevinst_store::StoreError;
use serde::de::DeserializeOwned;
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
    /// Not signed in (no, a wrong, an expired or a revoked token or session).
    #[error("log ind, eller send en gyldig nøgle som Authorization: Bearer …")]
    Unauthenticated,
    /// A cookie-authenticated write without the session's CSRF token.
    #[error(
        "formularen mangler sin CSRF-nøgle (eller den er forkert): genindlæs siden og prøv igen"
    )]
    Csrf,
    /// The policy said no to a read.
    #[error("{0}")]
    Forbidden(String),
    /// `If-Match` names another version than the proposal's.
    #[error("{0}")]
    PreconditionFailed(String),
    /// Plausibility warnings the client did not confirm (send `"confirm": true`).
    #[error("intet er gemt, for indtastningen ser usandsynlig ud; send \"confirm\": true, hvis den er rigtig: {}", .0.join("; "))]
    Implausible(Vec<String>),
    /// A rule outside the proposals said no (the price index's).
    #[error("{0}")]
    Unprocessable(String),
    /// A command failed.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The read models lie beyond the event log (restored or truncated log): no figures until
    /// someone rebuilds them.
    #[error("{0}")]
    ReadModelsAhead(String),
    /// The request's body is larger than the server accepts (`--max-body-bytes`).
    #[error("forespørgslens indhold er større end de {limit} byte, serveren modtager")]
    TooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The answer took longer than the server allows (`--request-timeout`); retryable.
    #[error("intet svar inden for {} s", .0.as_secs_f64())]
    Timeout(std::time::Duration),
    /// The service cannot answer yet: the store does not answer or the read models cannot be
    /// brought up to date (`/readyz`).
    #[error("{0}")]
    NotReady(String),
    /// Something failed that the client cannot fix (logged, not shown).
    #[error("{0}")]
    Internal(String),
}

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl ApiError {
    /// The stable problem code (the last part of `type`), the status and the Danish title.
    fn kind(&self) -> (&'static str, StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => {
                ("bad-request", StatusCode::BAD_REQUEST, refusal::BAD_REQUEST)
            }
            ApiError::NotFound(_) => ("not-found", StatusCode::NOT_FOUND, refusal::NOT_FOUND),
            ApiError::Command(CommandError::Rejected {
                error: gevinst_domain::proposal::ProposalError::UnknownProposal,
                ..
            }) => ("not-found", StatusCode::NOT_FOUND, "Forslaget findes ikke"),
            ApiError::Unauthenticated => (
                "unauthenticated",
                StatusCode::UNAUTHORIZED,
                "Du er ikke logget ind",
            ),
            ApiError::Csrf => (
                "csrf",
                StatusCode::FORBIDDEN,
                "Formularen kan ikke godkendes",
            ),
            ApiError::Forbidden(_) | ApiError::Command(CommandError::Denied(_)) => {
                ("forbidden", StatusCode::FORBIDDEN, refusal::FORBIDDEN)
            }
            ApiError::PreconditionFailed(_) => (
                "precondition-failed",
                StatusCode::PRECONDITION_FAILED,
                "Forslaget er ændret siden den version, du så",
            ),
            ApiError::Implausible(_) => (
                "implausible",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Indtastningen ser usandsynlig ud",
            ),
            ApiError::Unprocessable(_) => (
                "rule-broken",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Reglerne tillader det ikke",
            ),
            ApiError::Command(CommandError::Approver { .. }) => (
                "rule-broken",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Reglerne tillader det ikke",
            ),
            ApiError::Command(CommandError::Rejected { .. }) => (
                "rule-broken",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Reglerne tillader det ikke",
            ),
            ApiError::Command(CommandError::Conflict { .. }) => (
                "conflict",
                StatusCode::CONFLICT,
                "Forslaget blev ændret samtidig; prøv igen",
            ),
            ApiError::Command(CommandError::IdempotencyKeyReused { .. }) => (
                "idempotency-key-reused",
                StatusCode::CONFLICT,
                "Nøglen er allerede brugt til en anden kommando",
            ),
            ApiError::ReadModelsAhead(_) => (
                "read-models-ahead-of-log",
                StatusCode::SERVICE_UNAVAILABLE,
                "Læsemodellerne er foran hændelsesloggen",
            ),
            ApiError::TooLarge { .. } => (
                "payload-too-large",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Forespørgslen er for stor",
            ),
            ApiError::Timeout(_) => (
                "timeout",
                StatusCode::SERVICE_UNAVAILABLE,
                "Svaret tog for lang tid; prøv igen",
            ),
            ApiError::NotReady(_) => (
                "not-ready",
                StatusCode::SERVICE_UNAVAILABLE,
                "Tjenesten er ikke klar",
            ),
            _ => ("internal", StatusCode::INTERNAL_SERVER_ERROR, "Intern fejl"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, status, title) = self.kind();
        let mut body = json!({
            "type": format!("urn:gevinst:problem:{code}"),
            "title": title,
            "status": status.as_u16(),
        });
        match &self {
            ApiError::Command(CommandError::Rejected {
                error: gevinst_domain::proposal::ProposalError::UnknownProposal,
                proposal,
            }) => {
                body["detail"] = json!(format!("forslag {proposal} findes ikke"));
                body["proposal"] = json!(proposal);
            }
            ApiError::Command(CommandError::Rejected { error, proposal }) => {
                body["detail"] = json!(error.to_string());
                body["proposal"] = json!(proposal);
            }
            ApiError::Command(CommandError::Conflict {
                proposal,
                current_sequence,
            }) => {
                body["detail"] = json!(self.to_string());
                body["proposal"] = json!(proposal);
                body["current_sequence"] = json!(current_sequence);
                body["retryable"] = json!(true);
            }
            ApiError::Timeout(_) => {
                body["detail"] = json!(self.to_string());
                body["retryable"] = json!(true);
            }
            _ if status == StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(error = %self, "request failed");
                body["detail"] = json!("Se serverens log.");
            }
            _ => body["detail"] = json!(self.to_string()),
        }
        if let ApiError::Implausible(warnings) = &self {
            body["warnings"] = json!(warnings);
        }
        let mut response = (status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match &self {
            ApiError::Unauthenticated => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"gevinst\""),
                );
            }
            ApiError::Command(CommandError::Conflict { .. }) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        response
    }
}

/// `Query<T>` whose rejection is a problem+json 400.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| ApiQuery(value))
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
    }
}

/// `Path<T>` whose rejection is a problem+json 400.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))
    }
}
