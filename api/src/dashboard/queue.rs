//! `GET /verification-queue` ("Til verificering"): the realised savings a controller may
//! verify, oldest first, each with a button that sends the verification form (see
//! [`super::forms`]) for that entry. A saving the signed-in person recorded is listed without
//! the button: four eyes, someone else must verify it. Only proposals the person may decide on
//! are listed, so a committee's controller sees their committee, and a confidential proposal
//! only those granted it.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use gevinst_domain::access::Action;
use gevinst_domain::ProposalId;
use gevinst_projections::reports;

use super::{internal, read_error, PageError, UserBar};
use crate::format::danish;
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;

#[derive(Debug)]
struct Row {
    proposal: String,
    title: String,
    sequence: i64,
    year: i32,
    amount: String,
    effective_on: String,
    reported_by: String,
    evidence: String,
    own: bool,
    key: String,
}

#[derive(Template)]
#[template(path = "verification_queue.html")]
struct QueuePage {
    user: Option<UserBar>,
    /// The budget documents of the proposals the person may verify on, for the header.
    org: String,
    csrf: String,
    today: String,
    saved: Option<String>,
    rows: Vec<Row>,
}

/// `?verificeret=BC01&nr=N` after a verification sent from the queue.
#[derive(Debug, serde::Deserialize)]
pub struct Verified {
    verificeret: Option<String>,
    nr: Option<u64>,
}

/// `GET /verification-queue`.
pub async fn queue(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Query(done): axum::extract::Query<Verified>,
) -> Response {
    let saved = match (done.verificeret, done.nr) {
        (Some(id), Some(n)) => ProposalId::parse(&id)
            .ok()
            .map(|id| format!("Verificeret: {id}, gemt som nr. {n} i historikken.")),
        _ => None,
    };
    let page = queue_page(&state, &user, saved).await;
    super::respond(&user, page)
}

async fn queue_page(
    state: &AppState,
    user: &SignedIn,
    saved: Option<String>,
) -> Result<QueuePage, PageError> {
    let read = state.read_as(user, None).await.map_err(read_error)?;
    let today = state.service.store().now().date_naive();
    let pending = reports::pending_verifications(&read, None, today)
        .await
        .map_err(internal)?;
    // The proposals this person may decide on, with their titles, in one read.
    let may_decide: Vec<_> = crate::http::targets(&read)
        .await
        .map_err(read_error)?
        .into_iter()
        .filter(|(_, target)| user.principal.decide(Action::Decide, Some(target)).is_ok())
        .map(|(row, _)| row)
        .collect();
    let org = super::header_of(&may_decide)?;
    let decidable: std::collections::BTreeMap<String, String> = may_decide
        .into_iter()
        .map(|row| (row.proposal_id, row.title))
        .collect();
    let mut rows = Vec::new();
    for p in pending {
        let Some(title) = decidable.get(&p.proposal).cloned() else {
            continue;
        };
        rows.push(Row {
            own: p.reported_by == user.principal.login.as_str(),
            proposal: p.proposal,
            title,
            sequence: p.sequence,
            year: p.year,
            amount: danish(p.amount),
            effective_on: p.effective_on.format("%d.%m.%Y").to_string(),
            reported_by: p.reported_by,
            evidence: p.evidence.unwrap_or_default(),
            key: uuid::Uuid::new_v4().to_string(),
        });
    }
    Ok(QueuePage {
        user: Some(UserBar::of(user)),
        org,
        csrf: user.csrf().to_string(),
        today: today.to_string(),
        saved,
        rows,
    })
}
