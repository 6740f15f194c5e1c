//! The price index over HTTP: read it (any signed-in person), change it (a controller for the
//! whole municipality, by the policy's [`Action::MaintainPriceIndex`]), and see a plan at
//! another year's price level.
//!
//! A change's body is one JSON object tagged by `command`, in the words of
//! `gevinst price-index …`; its fields are parsed into the domain's types (400 when malformed),
//! then the index's rules decide (422). Checks run in the commands' order: signed in (401), the
//! CSRF token for a cookie sign-in (403), the policy (403) before the body is read.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use gevinst_domain::access::Action;
use gevinst_domain::price::{PriceIndexCommand, Rate, SourceText, VintageId, VintageName};
use gevinst_domain::{PriceLevel, Reason};
use gevinst_projections::price_index::PriceIndexCommandError;
use gevinst_projections::reports;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::auth::SignedIn;
use super::error::{ApiError, ApiPath, ApiQuery, ApiResult};
use super::{internal, known_on, proposal_id, AppState};

/// `?known_on=…`: the index as the log stood then.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndexQuery {
    /// Only events recorded by then: a date (its end) or an RFC 3339 instant.
    known_on: Option<String>,
}

/// The price index: every estimate (vintage) with its rates and their sources, and the one in
/// use for conversions.
#[utoipa::path(get, path = "/api/price-index", params(IndexQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Every vintage with its rates and sources, and the one in use", body = Object)))]
pub(crate) async fn show(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<IndexQuery>,
) -> ApiResult<impl IntoResponse> {
    let known = known_on(q.known_on.as_deref())?;
    let read = s
        .read_as(&user, None)
        .await?
        .known_on(known.as_ref().map(reports::KnownOn::instant));
    let index = read.price_index().await.map_err(internal)?;
    Ok(Json(json!(index)))
}

/// The price index's audit trail: every event of the `price-index` stream with who, when, why
/// and its hashes (with `known_on`, only those recorded by then). People's logins are history,
/// so the policy's `ReadHistory` decides, as for a proposal's trail.
#[utoipa::path(get, path = "/api/price-index/events", params(IndexQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "Every price-index event with who, when, why and its hashes", body = Vec<Object>)))]
pub(crate) async fn events(
    State(s): State<AppState>,
    user: SignedIn,
    ApiQuery(q): ApiQuery<IndexQuery>,
) -> ApiResult<impl IntoResponse> {
    user.may(Action::ReadHistory, None)?;
    let known = known_on(q.known_on.as_deref())?;
    let rows: Vec<serde_json::Value> = trail(&s, known.as_ref().map(reports::KnownOn::instant))
        .await?
        .into_iter()
        .map(super::trail_row)
        .collect();
    Ok(Json(rows))
}

/// The `price-index` stream's events, recorded by `known` if given.
pub(crate) async fn trail(
    s: &AppState,
    known: Option<chrono::DateTime<chrono::Utc>>,
) -> ApiResult<Vec<gevinst_store::StoredEvent>> {
    let events = s
        .service
        .store()
        .stream(
            gevinst_projections::PRICE_INDEX,
            gevinst_domain::price::PRICE_INDEX_STREAM,
        )
        .await?;
    Ok(events
        .into_iter()
        .filter(|e| known.is_none_or(|t| e.recorded_at <= t))
        .collect())
}

/// `?price_level=2026&known_on=…`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The price level (year) to show the plan at.
    #[param(minimum = 2000, maximum = 2100)]
    price_level: i32,
    /// Only events recorded by then (the plan in force and the index in use then).
    known_on: Option<String>,
}

/// A proposal's plan in force converted to another year's price level, line by line, with the
/// estimate that converted it; cells the estimate cannot convert are `null` with the reason.
#[utoipa::path(get, path = "/api/proposals/{id}/plan", params(super::ProposalPath, PlanQuery), security(("bearer" = []), ("session" = [])), responses((status = 200, description = "The plan at the asked price level", body = Object)))]
pub(crate) async fn plan(
    State(s): State<AppState>,
    user: SignedIn,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<impl IntoResponse> {
    let id = proposal_id(&id)?;
    let level = PriceLevel::new(q.price_level)
        .map_err(|e| ApiError::BadRequest(format!("price_level: {e}")))?;
    let known = known_on(q.known_on.as_deref())?;
    let read = s
        .read_as(&user, Some((&id, Action::ReadDetails)))
        .await?
        .known_on(known.as_ref().map(reports::KnownOn::instant));
    let index = read.price_index().await.map_err(internal)?;
    let plan = reports::plan_at_level(&read, id.as_str(), &index, level)
        .await
        .map_err(internal)?
        .ok_or_else(|| ApiError::NotFound(format!("ukendt forslag {id}")))?;
    Ok(Json(json!(plan)))
}

/// A change to the price index, as `gevinst price-index …` takes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    /// Register a published estimate.
    Vintage {
        /// Its code, e.g. `kl-2025-06`.
        #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,47}$")]
        vintage: String,
        /// Its name.
        name: String,
        /// When it was published.
        published: NaiveDate,
        /// Who published it.
        publisher: String,
    },
    /// State one yearly rate.
    Rate {
        /// The vintage.
        #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,47}$")]
        vintage: String,
        /// `service`, `wages`, `prices` or `capital`.
        #[schema(pattern = "^(service|wages|prices|capital)$")]
        series: String,
        /// The year the change leads to.
        #[schema(minimum = 2000, maximum = 2100)]
        year: i32,
        /// The change in per cent, e.g. `"2,8"`.
        #[schema(pattern = "^-?[0-9]{1,2}([.,][0-9]{1,2})?$")]
        rate: String,
        /// Where it was read.
        source: String,
    },
    /// Correct a stated rate.
    Correct {
        /// The vintage.
        #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,47}$")]
        vintage: String,
        /// The series.
        #[schema(pattern = "^(service|wages|prices|capital)$")]
        series: String,
        /// The year.
        #[schema(minimum = 2000, maximum = 2100)]
        year: i32,
        /// The right rate.
        #[schema(pattern = "^-?[0-9]{1,2}([.,][0-9]{1,2})?$")]
        rate: String,
        /// Where it was read.
        source: String,
        /// Why.
        reason: String,
    },
    /// Take a vintage into use.
    Use {
        /// The vintage.
        #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,47}$")]
        vintage: String,
        /// Why.
        reason: Option<String>,
    },
}

fn field<T, E: std::fmt::Display>(name: &str, r: Result<T, E>) -> ApiResult<T> {
    r.map_err(|e| ApiError::BadRequest(format!("{name}: {e}")))
}

impl Change {
    /// The domain command (and the reason it records), or 400 naming the field.
    pub(crate) fn command(self) -> ApiResult<(PriceIndexCommand, Option<Reason>)> {
        let rate = |series: &str, year: i32, rate: &str, source: &str| {
            Ok::<_, ApiError>((
                field("series", series.parse())?,
                field("year", PriceLevel::new(year))?,
                field("rate", Rate::parse(rate))?,
                field("source", SourceText::parse(source))?,
            ))
        };
        Ok(match self {
            Change::Vintage {
                vintage,
                name,
                published,
                publisher,
            } => (
                PriceIndexCommand::RegisterVintage {
                    vintage: field("vintage", VintageId::parse(&vintage))?,
                    name: field("name", VintageName::parse(&name))?,
                    published,
                    publisher: field("publisher", SourceText::parse(&publisher))?,
                },
                None,
            ),
            Change::Rate {
                vintage,
                series,
                year,
                rate: r,
                source,
            } => {
                let (series, year, rate, source) = rate(&series, year, &r, &source)?;
                (
                    PriceIndexCommand::StateRate {
                        vintage: field("vintage", VintageId::parse(&vintage))?,
                        series,
                        year,
                        rate,
                        source,
                    },
                    None,
                )
            }
            Change::Correct {
                vintage,
                series,
                year,
                rate: r,
                source,
                reason,
            } => {
                let (series, year, rate, source) = rate(&series, year, &r, &source)?;
                let reason = field("reason", Reason::parse(&reason))?;
                (
                    PriceIndexCommand::CorrectRate {
                        vintage: field("vintage", VintageId::parse(&vintage))?,
                        series,
                        year,
                        rate,
                        source,
                        reason: reason.clone(),
                    },
                    Some(reason),
                )
            }
            Change::Use { vintage, reason } => (
                PriceIndexCommand::UseVintage {
                    vintage: field("vintage", VintageId::parse(&vintage))?,
                },
                reason
                    .as_deref()
                    .map(|r| field("reason", Reason::parse(r)))
                    .transpose()?,
            ),
        })
    }
}

/// Change the price index (controllers for the whole municipality). 201 with the event's
/// sequence in the `price-index` stream and a global position to send as `Gevinst-Position`.
#[utoipa::path(post, path = "/api/price-index", request_body(content = Change, content_type = "application/json"), security(("bearer" = []), ("session" = [])), responses((status = 201, description = "Recorded", body = Object)))]
pub(crate) async fn change(
    State(s): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    user.check_csrf(&headers, None)?;
    user.may(Action::MaintainPriceIndex, None)?;
    let change: Change = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("kroppen passer ikke til en ændring: {e}")))?;
    let (command, reason) = change.command()?;
    let outcome = s
        .service
        .price_index()
        .execute_as(&user.principal.login, command, reason)
        .await
        .map_err(ApiError::from)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "stream": gevinst_domain::price::PRICE_INDEX_STREAM,
            "sequence": outcome.sequence,
            "position": outcome.position,
        })),
    ))
}

impl From<PriceIndexCommandError> for ApiError {
    fn from(e: PriceIndexCommandError) -> Self {
        match e {
            PriceIndexCommandError::Refused(r) => ApiError::Unprocessable(r.to_string()),
            PriceIndexCommandError::Seed(r) => ApiError::Unprocessable(r.to_string()),
            PriceIndexCommandError::Identity(gevinst_projections::IdentityError::Denied(d)) => {
                ApiError::Forbidden(d.to_string())
            }
            PriceIndexCommandError::Store(s) => ApiError::Store(s),
            other => ApiError::Internal(other.to_string()),
        }
    }
}
