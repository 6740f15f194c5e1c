//! Every command over HTTP: one route per command under `/api/proposals/{id}/…`, whose JSON
//! body holds `gevinst record`'s flags in snake_case (the same [`RecordWhat`] the CLI parses,
//! through the same [`record::send`]).
//!
//! The order of checks is the contract: signed in (401), the CSRF token for a cookie sign-in
//! (403), the policy for this kind of command on this proposal (403, before the body is read),
//! `If-Match` against the proposal's version (412), then the body (400 when malformed, 422
//! when a rule or a plausibility check says no). `Idempotency-Key` makes a retry return the
//! first outcome with the same status. Success is 201 with the outcome and a `Location`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use gevinst_domain::access::Action;
use gevinst_domain::{IdempotencyKey, ProposalId};
use serde_json::{json, Value};

use super::auth::SignedIn;
use super::error::{ApiError, ApiPath, ApiResult};
use super::AppState;
use crate::record::{self, RecordError, RecordWhat};

/// One command route: its path segment, the `command` tag of [`RecordWhat`], and the action
/// the policy is asked about before the body is read (a correction is checked again against
/// the entry it corrects).
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// `/api/proposals/{id}/<segment>`.
    pub segment: &'static str,
    /// The [`RecordWhat`] variant, snake_case.
    pub command: &'static str,
    /// The action.
    pub action: Action,
    /// What it records, for the API description.
    pub summary: &'static str,
}

/// Every command route.
pub const ROUTES: &[Route] = &[
    Route {
        segment: "progress",
        command: "progress",
        action: Action::Record,
        summary: "Fremdrift på et opfølgningsmål",
    },
    Route {
        segment: "goal-achievements",
        command: "achieved",
        action: Action::Record,
        summary: "Et opfølgningsmål er opnået",
    },
    Route {
        segment: "goal-schedules",
        command: "scheduled",
        action: Action::Record,
        summary: "En dato for et mål uden fast tidspunkt",
    },
    Route {
        segment: "savings",
        command: "saving",
        action: Action::Record,
        summary: "En realiseret besparelse (negativt beløb)",
    },
    Route {
        segment: "costs",
        command: "cost",
        action: Action::Record,
        summary: "Afholdte implementeringsomkostninger",
    },
    Route {
        segment: "forecasts",
        command: "forecast",
        action: Action::Record,
        summary: "Den aktuelle forventning til et år",
    },
    Route {
        segment: "corrections",
        command: "correction",
        action: Action::Record,
        summary: "Tilbagefør eller erstat en tidligere registrering",
    },
    Route {
        segment: "compensating-actions",
        command: "compensating_action",
        action: Action::Record,
        summary: "Et kompenserende tiltag",
    },
    Route {
        segment: "milestones",
        command: "milestone_completed",
        action: Action::Record,
        summary: "En milepæl er nået",
    },
    Route {
        segment: "innovation-outcomes",
        command: "innovation_outcome",
        action: Action::Record,
        summary: "Læring fra et innovationsforslag eller en foranalyse",
    },
    Route {
        segment: "saving-verifications",
        command: "verify_saving",
        action: Action::Decide,
        summary: "Verificér en realiseret besparelse (controller, fire øjne)",
    },
    Route {
        segment: "budget-adjustments",
        command: "budget_adjustment",
        action: Action::Decide,
        summary: "Tilpasning af et udvalgs budgetramme (controller)",
    },
    Route {
        segment: "budget-decisions",
        command: "budget_decision",
        action: Action::Decide,
        summary: "Budgetaftalens beslutning om forslaget (controller)",
    },
    Route {
        segment: "plan-revisions",
        command: "revise_plan",
        action: Action::Decide,
        summary: "Ny plan med godkender (controller)",
    },
    Route {
        segment: "goal-cancellations",
        command: "cancel_goal",
        action: Action::Decide,
        summary: "Annullér et opfølgningsmål (controller)",
    },
];

/// The command routes.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for route in ROUTES {
        let r = *route;
        router = router.route(
            &format!("/api/proposals/{{id}}/{}", r.segment),
            post(
                move |state: State<AppState>,
                      user: SignedIn,
                      path: ApiPath<String>,
                      headers: HeaderMap,
                      body: Bytes| async move {
                    handle(r, state, user, path, headers, body).await
                },
            ),
        );
    }
    router
}

async fn handle(
    route: Route,
    State(state): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    user.check_csrf(&headers, None)?;
    let id = ProposalId::parse(&id).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let service = &state.service;
    service
        .authorize(&user.principal.login, &id, route.action)
        .await?;
    if let Some(expected) = headers.get(header::IF_MATCH) {
        let version = service.load(&id).await?.version();
        let current = format!("\"{version}\"");
        let matches = expected
            .to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.trim() == current || t.trim() == "*"));
        if !matches {
            return Err(ApiError::PreconditionFailed(format!(
                "forslaget er i version {version}, ikke {}",
                expected.to_str().unwrap_or("?")
            )));
        }
    }
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::BadRequest("Idempotency-Key er ikke tekst".into()))
                .and_then(|k| {
                    IdempotencyKey::parse(k)
                        .map_err(|e| ApiError::BadRequest(format!("Idempotency-Key: {e}")))
                })
        })
        .transpose()?;
    let mut value: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("kroppen er ikke JSON: {e}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(ApiError::BadRequest(
            "kroppen skal være et JSON-objekt".into(),
        ));
    };
    let confirm = match object.remove("confirm") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "confirm skal være true eller false".into(),
            ))
        }
    };
    object.insert("command".into(), json!(route.command));
    object.insert("proposal".into(), json!(id.as_str()));
    let what: RecordWhat = serde_json::from_value(value)
        .map_err(|e| ApiError::BadRequest(format!("kroppen passer ikke til kommandoen: {e}")))?;
    let (event, outcome) = record::send(&user.principal.login, what, key, confirm, service)
        .await
        .map_err(ApiError::from)?;
    let location = format!(
        "/api/proposals/{}/events/{}",
        outcome.proposal, outcome.last_sequence
    );
    let mut body = json!(outcome);
    body["event_type"] = json!(event);
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", outcome.last_sequence)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

impl From<RecordError> for ApiError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Command(c) => ApiError::Command(c),
            RecordError::Refused { proposal, error } => {
                ApiError::Command(gevinst_projections::CommandError::Rejected { proposal, error })
            }
            RecordError::Unconfirmed(warnings) => ApiError::Implausible(
                warnings
                    .iter()
                    .map(|w| format!("{}: {w}", w.code()))
                    .collect(),
            ),
            RecordError::Output(e) => ApiError::Internal(e.to_string()),
            other => ApiError::BadRequest(other.for_clients()),
        }
    }
}
