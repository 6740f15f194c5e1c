//! `GET /late` ("Forsinket"): the whole late list, not only the overview's largest 20,
//! filterable by committee and by kind, as of a business date and as known at a recorded time
//! like every page. The overview links here.

use std::str::FromStr as _;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use gevinst_domain::Committee;
use gevinst_projections::reports;
use serde::Deserialize;

use super::{
    internal, late_kind_label, read_error, AsOf, DashboardQuery, HtmlTemplate, LateRow, PageError,
    UserBar,
};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;

/// The kinds the late list holds, in the order the filter offers them.
const KINDS: [&str; 4] = ["saving", "missing_report", "goal", "milestone"];

/// `?committee=SUD&kind=goal`, beside the date and recorded time.
#[derive(Debug, Default, Deserialize)]
pub struct LateFilter {
    committee: Option<String>,
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "late.html")]
struct LatePage {
    user: Option<UserBar>,
    as_of: chrono::NaiveDate,
    known_on: String,
    view: String,
    link: String,
    committee: String,
    kind: String,
    committees: Vec<(String, String)>,
    kinds: Vec<(String, &'static str)>,
    rows: Vec<LateRow>,
    total: usize,
}

/// `GET /late`.
pub async fn late(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<LateFilter>, QueryRejection>,
) -> Response {
    match late_page(&state, &user, query, filter).await {
        Ok(page) => HtmlTemplate(page).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn late_page(
    state: &AppState,
    user: &SignedIn,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<LateFilter>, QueryRejection>,
) -> Result<LatePage, PageError> {
    let as_of = AsOf::parse(query)?;
    let Query(filter) = filter.unwrap_or_default();
    let committee = match filter.committee.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(Committee::from_str(code).map_err(|_| {
            PageError::BadRequest(format!(
                "«{code}» er ikke et udvalg. Brug en forkortelse som ØU, BIU, BUU, KFU, SUD, SOU eller TMU."
            ))
        })?),
    };
    let kind = match filter.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(*KINDS.iter().find(|x| **x == k).ok_or_else(|| {
            PageError::BadRequest(format!(
                "«{k}» er ikke en art på listen. Brug saving, missing_report, goal eller milestone."
            ))
        })?),
    };
    let read = state
        .read_as(user, None)
        .await
        .map_err(read_error)?
        .known_on(as_of.view().known_instant());
    let overview = reports::overview(&read, &state.index, as_of.date)
        .await
        .map_err(internal)?;
    let all = reports::late_items(&overview);
    let rows: Vec<LateRow> = all
        .iter()
        .filter(|i| committee.is_none_or(|c| i.committee == c.code()))
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .map(LateRow::from)
        .collect();
    Ok(LatePage {
        user: Some(UserBar::of(user)),
        as_of: as_of.date,
        known_on: as_of.known_text(),
        view: as_of.view().danish(),
        link: as_of.suffix(),
        committee: committee.map(|c| c.code().to_string()).unwrap_or_default(),
        kind: kind.unwrap_or_default().to_string(),
        committees: Committee::ALL
            .iter()
            .map(|c| (c.code().to_string(), c.name().to_string()))
            .collect(),
        kinds: KINDS
            .iter()
            .map(|k| ((*k).to_string(), late_kind_label(k)))
            .collect(),
        total: all.len(),
        rows,
    })
}
