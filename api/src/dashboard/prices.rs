//! The price index in the browser: `GET /price-index` shows every estimate (vintage) with its
//! yearly rates, where each was read and which estimate conversions use; a controller for the
//! whole municipality also gets the forms, and `POST /price-index` sends one change.
//!
//! Why it looks like this:
//! - **One command path.** A form is read into the same `Change` the API takes
//!   (`http::price_index`), so the policy, the parsing and the index's rules are the API's and
//!   the CLI's; a refusal shows the page again (422) with the message and what was typed.
//! - **Sources beside figures.** A rate without its source is worth little to an auditor, so
//!   every cell's source is listed under the table, and a corrected rate shows what it replaced.
//! - **Rates as publishers print them**: one decimal at least, decimal comma (`4,0`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use gevinst_domain::access::Action;
use gevinst_domain::price::{IndexSeries, PriceIndex, PriceIndexEvent, Vintage};
use gevinst_domain::{PriceLevel, ProposalId};
use gevinst_projections::reports;
use serde::Deserialize;

use super::{check_form_csrf, internal, read_error, value_of, HtmlTemplate, PageError, UserBar};
use crate::format::{danish, percent};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::error::ApiError;
use crate::http::price_index::Change;
use crate::http::AppState;

struct SeriesRow {
    series: &'static str,
    cells: Vec<String>,
}

struct SourceLine {
    what: String,
    source: String,
    corrected: Option<String>,
}

struct VintageView {
    id: String,
    name: String,
    published: String,
    publisher: String,
    in_use: bool,
    years: Vec<i32>,
    rows: Vec<SeriesRow>,
    sources: Vec<SourceLine>,
    /// Whether any rate was corrected (marked `*`).
    corrected: bool,
}

/// One line of a plan shown at another price level.
struct PlanLineView {
    line: String,
    label: String,
    cells: Vec<String>,
}

/// A plan at another price level, as the page shows it.
struct PlanView {
    proposal: String,
    from_level: i32,
    to_level: i32,
    index: String,
    years: Vec<i32>,
    lines: Vec<PlanLineView>,
    totals: Vec<String>,
    unconverted: Vec<String>,
}

impl PlanView {
    fn of(p: &reports::PlanAtLevel) -> Self {
        let years: Vec<i32> = p.totals.keys().copied().collect();
        let cell = |v: Option<rust_decimal::Decimal>| v.map_or_else(|| "–".to_string(), danish);
        Self {
            proposal: p.proposal.clone(),
            from_level: p.from_level,
            to_level: p.to_level,
            index: p.index.as_ref().map_or_else(
                || "intet skøn er i brug".to_string(),
                |u| format!("{} ({})", u.name, u.vintage),
            ),
            lines: p
                .lines
                .iter()
                .map(|l| PlanLineView {
                    line: l.line.clone(),
                    label: l.label.clone(),
                    cells: years
                        .iter()
                        .map(|y| {
                            l.years
                                .get(y)
                                .map_or_else(String::new, |c| cell(c.converted))
                        })
                        .collect(),
                })
                .collect(),
            totals: years
                .iter()
                .map(|y| cell(p.totals.get(y).copied().flatten()))
                .collect(),
            years,
            unconverted: p.unconverted.clone(),
        }
    }
}

/// One event of the index's history, as an auditor reads it.
struct TrailRow {
    position: i64,
    recorded: String,
    actor: String,
    role: String,
    what: &'static str,
    detail: String,
    reason: String,
}

impl TrailRow {
    fn of(e: &gevinst_store::StoredEvent) -> Self {
        let event: Option<PriceIndexEvent> = serde_json::from_value(e.payload.clone()).ok();
        let detail = match event {
            Some(PriceIndexEvent::VintageRegistered {
                vintage,
                name,
                published,
                ..
            }) => {
                format!(
                    "{vintage}: {name}, udgivet {}",
                    published.format("%d.%m.%Y")
                )
            }
            Some(PriceIndexEvent::RateStated {
                vintage,
                series,
                year,
                rate,
                ..
            }) => format!(
                "{vintage}: {} {} = {} %",
                series.danish(),
                year.year(),
                percent(rate.percent())
            ),
            Some(PriceIndexEvent::RateCorrected {
                vintage,
                series,
                year,
                rate,
                replaces,
                ..
            }) => {
                format!(
                    "{vintage}: {} {} = {} % (var {} %)",
                    series.danish(),
                    year.year(),
                    percent(rate.percent()),
                    percent(replaces.percent())
                )
            }
            Some(PriceIndexEvent::VintageTakenIntoUse { vintage, replaces }) => match replaces {
                Some(old) => format!("{vintage} i stedet for {old}"),
                None => vintage.to_string(),
            },
            None => String::new(),
        };
        Self {
            position: e.position,
            recorded: super::history::copenhagen(e.recorded_at),
            actor: e.actor.clone(),
            role: e.role.clone(),
            what: crate::labels::event_label(&e.event_type),
            detail,
            reason: e.metadata["reason"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "price_index.html")]
struct PriceIndexPage {
    user: Option<UserBar>,
    csrf: String,
    in_use: Option<String>,
    vintages: Vec<VintageView>,
    may_maintain: bool,
    saved: Option<String>,
    error: Option<String>,
    /// The form that was refused, and what was typed in it.
    typed_command: String,
    typed: Vec<(String, String)>,
    series: Vec<(&'static str, &'static str)>,
    /// The plan asked for at another price level, if any, and the form's values.
    plan: Option<PlanView>,
    plan_proposal: String,
    plan_level: String,
    /// The index's events, for those who may read history (auditors, controllers, owners).
    trail: Option<Vec<TrailRow>>,
}

impl PriceIndexPage {
    /// What was typed in field `name` of the refused form, if that form is `command`.
    fn typed(&self, command: &str, name: &str) -> String {
        if self.typed_command != command {
            return String::new();
        }
        value_of(&self.typed, name).unwrap_or_default().to_string()
    }
}

fn view(v: &Vintage, in_use: bool) -> VintageView {
    let years: Vec<i32> = v
        .rates
        .values()
        .flat_map(|r| r.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = IndexSeries::ALL
        .iter()
        .filter_map(|s| v.rates.get(s).map(|r| (s, r)))
        .map(|(s, rates)| SeriesRow {
            series: s.danish(),
            cells: years
                .iter()
                .map(|y| {
                    rates.get(y).map_or_else(
                        || "–".to_string(),
                        |r| {
                            let mark = if r.corrects.is_some() { " *" } else { "" };
                            format!("{}{mark}", percent(r.rate.percent()))
                        },
                    )
                })
                .collect(),
        })
        .collect();
    let sources: Vec<SourceLine> = IndexSeries::ALL
        .iter()
        .flat_map(|s| {
            v.rates
                .get(s)
                .into_iter()
                .flatten()
                .map(move |(y, r)| SourceLine {
                    what: format!("{} {y}", s.danish()),
                    source: r.source.to_string(),
                    corrected: r.corrects.map(|c| percent(c.percent())),
                })
        })
        .collect();
    let corrected = sources.iter().any(|s| s.corrected.is_some());
    VintageView {
        corrected,
        id: v.id.to_string(),
        name: v.name.to_string(),
        published: v.published.format("%d.%m.%Y").to_string(),
        publisher: v.publisher.to_string(),
        in_use,
        years,
        rows,
        sources,
    }
}

fn page(
    user: &SignedIn,
    index: &PriceIndex,
    saved: Option<String>,
    refused: Option<(String, Vec<(String, String)>)>,
) -> PriceIndexPage {
    let in_use = index.in_use().map(|v| v.id.clone());
    let mut vintages: Vec<VintageView> = index
        .vintages()
        .into_iter()
        .map(|v| view(v, in_use.as_ref() == Some(&v.id)))
        .collect();
    vintages.sort_by_key(|v| !v.in_use);
    let (error, typed) = refused.map_or((None, Vec::new()), |(e, t)| (Some(e), t));
    PriceIndexPage {
        user: Some(UserBar::of(user)),
        csrf: user.csrf().to_string(),
        in_use: index.in_use().map(|v| format!("{} ({})", v.name, v.id)),
        vintages,
        may_maintain: user.may(Action::MaintainPriceIndex, None).is_ok(),
        saved,
        error,
        typed_command: value_of(&typed, "command").unwrap_or_default().to_string(),
        typed,
        series: IndexSeries::ALL
            .iter()
            .map(|s| (s.code(), s.danish()))
            .collect(),
        plan: None,
        plan_proposal: String::new(),
        plan_level: String::new(),
        trail: None,
    }
}

/// `?gemt=N` after a saved change; `?proposal=BC01&price_level=2026` for a plan at another
/// price level.
#[derive(Debug, Deserialize)]
pub struct Saved {
    gemt: Option<u64>,
    proposal: Option<String>,
    price_level: Option<String>,
}

/// The index as the log says now, read from its stream (a few dozen events) rather than the
/// read models, so the page after a saved change shows it without waiting for the projector.
/// Reports still convert with the read models' index, as of their recorded cut-off.
async fn current(state: &AppState, user: &SignedIn) -> Result<PriceIndex, PageError> {
    user.may(Action::ReadDetails, None).map_err(read_error)?;
    state
        .service
        .price_index()
        .current()
        .await
        .map_err(internal)
}

/// `GET /price-index`.
pub async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(saved): Query<Saved>,
) -> Response {
    let result = async {
        let index = current(&state, &user).await?;
        let note = saved
            .gemt
            .map(|n| format!("Gemt som hændelse nr. {n} i prisindeksets historik."));
        let mut page = page(&user, &index, note, None);
        if user.may(Action::ReadHistory, None).is_ok() {
            let events = crate::http::price_index::trail(&state, None)
                .await
                .map_err(read_error)?;
            page.trail = Some(events.iter().rev().map(TrailRow::of).collect());
        }
        let asked = saved
            .proposal
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(raw) = asked {
            page.plan_proposal = raw.to_string();
            page.plan_level = saved.price_level.clone().unwrap_or_default();
            page.plan = Some(plan_at(&state, &user, raw, &page.plan_level).await?);
        }
        Ok(page)
    }
    .await;
    super::respond(&user, result)
}

/// Proposal `raw`'s plan at price level `level`, as the reports compute it (the read models'
/// index), if the policy lets `user` read the proposal.
async fn plan_at(
    state: &AppState,
    user: &SignedIn,
    raw: &str,
    level: &str,
) -> Result<PlanView, PageError> {
    let id = ProposalId::parse(raw).map_err(|e| PageError::BadRequest(e.to_string()))?;
    let level = level
        .trim()
        .parse::<i32>()
        .ok()
        .and_then(|y| PriceLevel::new(y).ok())
        .ok_or_else(|| {
            PageError::BadRequest(format!(
                "Prisniveauet «{level}» er ikke et år mellem 2000 og 2100."
            ))
        })?;
    let read = state
        .read_as(user, Some((&id, Action::ReadDetails)))
        .await
        .map_err(read_error)?;
    let index = read.price_index().await.map_err(internal)?;
    let plan = reports::plan_at_level(&read, id.as_str(), &index, level)
        .await
        .map_err(internal)?
        .ok_or_else(|| PageError::NotFound(format!("Forslag {id} findes ikke i Gevinst.")))?;
    Ok(PlanView::of(&plan))
}

/// The form as the API's `Change` (its fields are the API's; `year` is a number there).
fn change(form: &[(String, String)]) -> Result<Change, String> {
    let mut object = serde_json::Map::new();
    for (k, v) in form {
        if matches!(k.as_str(), "csrf") || (k == "reason" && v.trim().is_empty()) {
            continue;
        }
        let value = if k == "year" {
            serde_json::Value::from(
                v.trim()
                    .parse::<i32>()
                    .map_err(|_| format!("året «{v}» er ikke et årstal"))?,
            )
        } else {
            serde_json::Value::from(v.clone())
        };
        object.insert(k.clone(), value);
    }
    serde_json::from_value(serde_json::Value::Object(object))
        .map_err(|e| format!("formularen kunne ikke læses: {e}"))
}

/// `POST /price-index`: checks the CSRF token and the policy, sends the change, and answers
/// 303 to the page with a receipt, or the page again with the refusal and what was typed (422).
pub async fn send(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result: Result<Response, PageError> = async {
        check_form_csrf(&user, &headers, &form)?;
        user.may(Action::MaintainPriceIndex, None)
            .map_err(read_error)?;
        let refused = |message: String, index: &PriceIndex| {
            let page = page(&user, index, None, Some((message, form.clone())));
            (StatusCode::UNPROCESSABLE_ENTITY, HtmlTemplate(page)).into_response()
        };
        let refusal = match change(&form) {
            Err(message) => message,
            Ok(change) => match change.command() {
                Err(e) => e.to_string(),
                Ok((command, reason)) => match state
                    .service
                    .price_index()
                    .execute_as(&user.principal.login, command, reason)
                    .await
                {
                    Ok(outcome) => {
                        return Ok(
                            Redirect::to(&format!("/price-index?gemt={}", outcome.sequence))
                                .into_response(),
                        )
                    }
                    Err(e) => match ApiError::from(e) {
                        ApiError::Unprocessable(m) => m,
                        ApiError::Forbidden(m) => return Err(PageError::Forbidden(m)),
                        other => return Err(internal(other)),
                    },
                },
            },
        };
        Ok(refused(refusal, &current(&state, &user).await?))
    }
    .await;
    result.unwrap_or_else(|e| e.answer(Some(UserBar::of(&user))))
}
