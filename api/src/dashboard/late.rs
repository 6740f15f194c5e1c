//! `GET /late` ("Forsinket"): the whole late list, not only the overview's largest 20,
//! filterable by committee and by kind, as of a business date and as known at a recorded time
//! like every page. The overview links here.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use gevinst_projections::reports;
use serde::Deserialize;

use super::{
    committee_choices, internal, read_error, AsOf, CommitteeFilter, DashboardQuery, LateRow,
    PageDocuments, PageError, UserBar,
};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;
use crate::labels::late_kind_label;

/// `?kind=goal`, beside the date, the recorded time and the committee.
#[derive(Debug, Default, Deserialize)]
pub struct LateFilter {
    kind: Option<String>,
}

#[derive(Template)]
#[template(path = "late.html")]
struct LatePage {
    user: Option<UserBar>,
    docs: PageDocuments,
    as_of: chrono::NaiveDate,
    known_on: String,
    view: String,
    link: String,
    export: String,
    /// Which proposals the list leaves out and why, or "".
    not_followed: String,
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
    committee: Result<Query<CommitteeFilter>, QueryRejection>,
    filter: Result<Query<LateFilter>, QueryRejection>,
) -> Response {
    let page = late_page(&state, &user, query, committee, filter).await;
    super::respond(&user, page)
}

async fn late_page(
    state: &AppState,
    user: &SignedIn,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    committee: Result<Query<CommitteeFilter>, QueryRejection>,
    filter: Result<Query<LateFilter>, QueryRejection>,
) -> Result<LatePage, PageError> {
    let as_of = AsOf::parse(query)?;
    let Query(filter) = filter.unwrap_or_default();
    let kind = reports::late_kind(filter.kind.as_deref())
        .map_err(|e| PageError::BadRequest(crate::labels::unknown_late_kind(&e)))?;
    let read = state
        .read_as(user, None)
        .await
        .map_err(read_error)?
        .known_on(as_of.view().known_instant());
    let (read, docs) = PageDocuments::narrow(read, &committee).await?;
    let names = read.org_names().await.map_err(internal)?;
    let committee = CommitteeFilter::parse(committee, &names)?;
    let overview = reports::overview(
        &read,
        &read.price_index().await.map_err(internal)?,
        as_of.date,
    )
    .await
    .map_err(internal)?;
    let all = reports::late_items(&overview);
    let rows: Vec<LateRow> = all
        .iter()
        .filter(|i| committee.is_none_or(|c| i.committees.iter().any(|x| x == c.code())))
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .map(|i| LateRow::of(i, committee.as_ref().map(gevinst_domain::Committee::code)))
        .collect();
    let not_followed = crate::labels::not_followed_up(
        &overview,
        committee.as_ref().map(gevinst_domain::Committee::code),
    )
    .unwrap_or_default();
    // The files hold what the page shows: its date and recorded time, round, committee and
    // kind.
    let export = as_of.export_query(None, &docs.round, committee.as_ref())
        + &kind.map_or_else(String::new, |k| format!("&kind={k}"));
    Ok(LatePage {
        user: Some(UserBar::of(user)),
        docs,
        as_of: as_of.date,
        known_on: as_of.known_text(),
        view: as_of.view().danish(),
        link: as_of.suffix(),
        export,
        not_followed,
        committee: committee.map(|c| c.code().to_string()).unwrap_or_default(),
        kind: kind.unwrap_or_default().to_string(),
        committees: committee_choices(&names),
        kinds: reports::LATE_KINDS
            .iter()
            .map(|k| ((*k).to_string(), late_kind_label(k)))
            .collect(),
        total: all.len(),
        rows,
    })
}
