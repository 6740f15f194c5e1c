//! Downloads of the controllers' reports as CSV and XLSX: `GET /exports/{report}.{csv|xlsx}`
//! with the reports' usual `?as_of=…&known_on=…&budget_round=…` (and `&proposal=BC01` where a
//! report is about one proposal; `&committee=SUD` narrows the late list and the committee
//! status to the proposals that committee has a share of, as their pages do, and `&kind=goal`
//! the late list to one kind, as its page does), the files the dashboard links to and the
//! command line writes with `--format csv|xlsx --output FILE` — both from [`crate::export`].
//!
//! | File | Report | `proposal` |
//! |---|---|---|
//! | `portfolio` | Tabel 1 per committee with realised and forecast | — |
//! | `goals` | goals and milestones with status | optional |
//! | `late` | what is late, largest first | — |
//! | `committee-status` | status til udvalgene | — |
//! | `realisation` | one proposal's realisation per year | required |
//! | `proposal` | one proposal's plan lines and subtotals | required |
//!
//! The file comes as an attachment named in Danish with its date (`portefolje-2025-12-31.xlsx`),
//! with the `Gevinst-As-Of`/`Gevinst-Known-On` headers the JSON reports carry. One route, so
//! a sign-in can be put in front of all of them at once.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gevinst_domain::ProposalId;
use gevinst_projections::reports;
use gevinst_projections::reports::View;
use serde::Deserialize;

use super::error::{ApiError, ApiPath, ApiQuery, ApiResult, PROBLEM_JSON};
use super::{internal, proposal_id, view_headers, AppState, AsOf};
use crate::export::{self, Sheet, CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE};

/// A download's query: the reports' times, proposal and round ([`AsOf`]), the committee
/// a list page was narrowed to (the late list and the committee status keep the proposals it
/// has a share of; the other files do not list by committee), and the late list's kind.
#[derive(Debug, Deserialize)]
pub struct Download {
    #[serde(flatten)]
    q: AsOf,
    committee: Option<String>,
    kind: Option<String>,
}

/// The reports one can download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    Portfolio,
    Goals,
    Late,
    CommitteeStatus,
    Realisation,
    Proposal,
}

impl Report {
    fn parse(stem: &str) -> Option<Self> {
        Some(match stem {
            "portfolio" => Report::Portfolio,
            "goals" => Report::Goals,
            "late" => Report::Late,
            "committee-status" => Report::CommitteeStatus,
            "realisation" => Report::Realisation,
            "proposal" => Report::Proposal,
            _ => return None,
        })
    }

    /// The attachment's name without date and extension.
    fn danish_stem(self, proposal: Option<&ProposalId>) -> String {
        let one = |stem: &str| match proposal {
            Some(p) => format!("{stem}-{p}"),
            None => stem.to_string(),
        };
        match self {
            Report::Portfolio => "portefolje".into(),
            Report::Goals => one("maal-og-milepaele"),
            Report::Late => "forsinket".into(),
            Report::CommitteeStatus => "status-til-udvalgene".into(),
            Report::Realisation => one("realisering"),
            Report::Proposal => one("plan"),
        }
    }
}

/// A download refused to a browser is a page, not a problem document: a link followed from a
/// page asks for `text/html` first and gets the Danish error page with the problem's title
/// and detail (and its status); a client that asks for anything else gets the problem+json as
/// before; a browser that is not signed in goes to the login page and back to the file, as
/// every page does. Only refusals change: a file is a file. A browser's user is signed in here,
/// once (the download finds them in the request), so the page says who is signed in, as every
/// page does.
pub async fn refusals_as_pages(
    axum::extract::State(state): axum::extract::State<super::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let browser = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|accept| accept.split(',').next())
        .is_some_and(|first| first.trim().starts_with("text/html"));
    let uri = request.uri().clone();
    let (mut parts, body) = request.into_parts();
    // Not signed in (or the store failing): the download's own sign-in says so, as before.
    let user = if browser {
        super::auth::sign_in(&parts, &state).await.ok()
    } else {
        None
    };
    if let Some(user) = &user {
        parts.extensions.insert(user.clone());
    }
    let response = next.run(Request::from_parts(parts, body)).await;
    // Signed out: to the login page and back to the file, as a page would.
    if browser && response.status() == axum::http::StatusCode::UNAUTHORIZED {
        return super::auth::to_login(&uri);
    }
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == PROBLEM_JSON);
    if !browser || !problem {
        return response;
    }
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let problem: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let text = |key: &str| problem[key].as_str().unwrap_or_default().to_string();
    crate::dashboard::problem_page(status, user.as_ref(), text("title"), text("detail"))
}

/// `GET /exports/{file}`: one report as CSV or XLSX.
pub async fn download(
    State(s): State<AppState>,
    user: super::auth::SignedIn,
    ApiPath(file): ApiPath<String>,
    ApiQuery(query): ApiQuery<Download>,
) -> ApiResult<impl IntoResponse> {
    let unknown = || {
        ApiError::NotFound(format!(
            "der er ingen download ved navn «{file}»; der er portfolio, goals, late, \
             committee-status, realisation og proposal, som .csv eller .xlsx"
        ))
    };
    let (stem, extension) = file.rsplit_once('.').ok_or_else(unknown)?;
    let report = Report::parse(stem).ok_or_else(unknown)?;
    let xlsx = match extension {
        "xlsx" => true,
        "csv" => false,
        _ => return Err(unknown()),
    };
    let view = query.q.view()?;
    let proposal = query.q.proposal.as_deref().map(proposal_id).transpose()?;
    let sheet = sheet(&s, &user, &query, report, &view, proposal.as_ref()).await?;
    let (bytes, content_type) = if xlsx {
        (
            export::xlsx(std::slice::from_ref(&sheet)),
            XLSX_CONTENT_TYPE,
        )
    } else {
        (export::csv(&sheet), CSV_CONTENT_TYPE)
    };
    let bytes = bytes.map_err(internal)?;
    let name = export::file_name(
        &report.danish_stem(proposal.as_ref()),
        view.as_of,
        extension,
    );
    Ok((
        view_headers(&view),
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    ))
}

/// The report as a sheet, read as `view` says.
async fn sheet(
    s: &AppState,
    user: &super::auth::SignedIn,
    query: &Download,
    report: Report,
    view: &View,
    proposal: Option<&ProposalId>,
) -> ApiResult<Sheet> {
    let on = proposal.map(|id| (id, gevinst_domain::access::Action::ReadDetails));
    let read = query
        .q
        .narrow(s.read_as(user, on).await?.known_on(view.known_instant()))
        .await?;
    let required = || {
        proposal.ok_or_else(|| {
            ApiError::BadRequest(
                "denne download handler om ét forslag: tilføj ?proposal=BC01".into(),
            )
        })
    };
    let unknown = |id: &ProposalId| ApiError::NotFound(format!("ukendt forslag {id}"));
    // A committee sees every proposal it has a share of, as on the pages.
    let names = read.org_names().await.map_err(internal)?;
    let only = crate::labels::declared_committee(query.committee.as_deref(), &names)
        .map_err(ApiError::BadRequest)?;
    let shared =
        |committees: &[String]| only.is_none_or(|c| committees.iter().any(|x| x == c.code()));
    Ok(match report {
        Report::Portfolio => {
            let p = reports::portfolio(
                &read,
                &read.price_index().await.map_err(internal)?,
                view.as_of,
            )
            .await
            .map_err(internal)?;
            export::portfolio(&p, view)
        }
        Report::Goals => {
            let rows = reports::goals(&read, proposal.map(ProposalId::as_str), view.as_of)
                .await
                .map_err(internal)?;
            export::goals(&rows, view)
        }
        Report::Late => {
            let items = reports::late(
                &read,
                &read.price_index().await.map_err(internal)?,
                view.as_of,
            )
            .await
            .map_err(internal)?;
            let kind = reports::late_kind(query.kind.as_deref())
                .map_err(|e| ApiError::BadRequest(crate::labels::unknown_late_kind(&e)))?;
            let items: Vec<_> = items
                .into_iter()
                .filter(|i| shared(&i.committees) && kind.is_none_or(|k| i.kind == k))
                .collect();
            export::late(&items, view).map_err(internal)?
        }
        Report::CommitteeStatus => {
            let rows = reports::committee_status(
                &read,
                &read.price_index().await.map_err(internal)?,
                view.as_of,
            )
            .await
            .map_err(internal)?;
            let rows: Vec<_> = rows.into_iter().filter(|r| shared(&r.committees)).collect();
            export::committee_status(&rows, view)
        }
        Report::Realisation => {
            let id = required()?;
            let r = reports::proposal_realisation(
                &read,
                id.as_str(),
                &read.price_index().await.map_err(internal)?,
                view.as_of,
            )
            .await
            .map_err(internal)?
            .ok_or_else(|| unknown(id))?;
            export::realisation(&r, view).map_err(internal)?
        }
        Report::Proposal => {
            let id = required()?;
            let r = reports::proposal_report(&read, id.as_str())
                .await
                .map_err(internal)?
                .ok_or_else(|| unknown(id))?;
            export::proposal(&r)
        }
    })
}
