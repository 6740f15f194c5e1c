//! `GET /mine` ("Mine forslag"): a project owner's start page. The proposals the person may
//! record on, each with its status to the committee, and what needs their hand now: goals and
//! milestones due in the current quarter, at risk, overdue or never reported, and the money the
//! late list misses (shortfalls, missing reports), each linking to the form that answers it.
//!
//! Why: a project owner's question is "what do I owe, and by when", not the portfolio; the
//! same figures as the overview (one [`reports::overview`] as of today) filtered by the grants.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use gevinst_domain::access::Action;
use gevinst_projections::reports::{self, GoalStatus};

use super::{internal, read_error, GoalView, LateRow, PageError, StatusRow, UserBar};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;

/// The statuses that ask the owner to act, most urgent first.
const NEEDS_ACTION: [GoalStatus; 4] = [
    GoalStatus::NotReported,
    GoalStatus::Overdue,
    GoalStatus::AtRisk,
    GoalStatus::Due,
];

struct Mine {
    status: StatusRow,
    todo: Vec<(GoalView, &'static str)>,
    late: Vec<LateRow>,
}

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage {
    user: Option<UserBar>,
    /// The budget documents of the person's proposals, for the header.
    org: String,
    today: String,
    proposals: Vec<Mine>,
}

/// `GET /mine`.
pub async fn mine(State(state): State<AppState>, PageUser(user): PageUser) -> Response {
    let page = mine_page(&state, &user).await;
    super::respond(&user, page)
}

async fn mine_page(state: &AppState, user: &SignedIn) -> Result<MinePage, PageError> {
    let read = state.read_as(user, None).await.map_err(read_error)?;
    let today = state.service.store().now().date_naive();
    let overview = reports::overview(&read, &read.price_index().await.map_err(internal)?, today)
        .await
        .map_err(internal)?;
    let late = reports::late_items(&overview);
    // The proposals this person may record on, in one read.
    let rows: Vec<_> = crate::http::targets(&read)
        .await
        .map_err(read_error)?
        .into_iter()
        .filter(|(_, target)| user.principal.decide(Action::Record, Some(target)).is_ok())
        .map(|(row, _)| row)
        .collect();
    let org = super::header_of(&rows)?;
    let mine: std::collections::BTreeSet<&str> =
        rows.iter().map(|row| row.proposal_id.as_str()).collect();
    let mut proposals = Vec::new();
    for status in reports::statuses(&overview) {
        if !mine.contains(status.proposal.as_str()) {
            continue;
        }
        let mut todo: Vec<_> = overview
            .goals
            .iter()
            .filter(|g| g.proposal == status.proposal)
            .filter_map(|g| {
                let urgency = NEEDS_ACTION.iter().position(|s| *s == g.status)?;
                let form = if g.kind == "milestone" {
                    "milestones"
                } else {
                    "progress"
                };
                Some((urgency, GoalView::from(g), form))
            })
            .collect();
        todo.sort_by_key(|(urgency, _, _)| *urgency);
        proposals.push(Mine {
            status: StatusRow::of(&status, None),
            todo: todo.into_iter().map(|(_, g, form)| (g, form)).collect(),
            late: late
                .iter()
                .filter(|i| {
                    i.proposal == status.proposal && i.kind != "goal" && i.kind != "milestone"
                })
                .map(|i| LateRow::of(i, None))
                .collect(),
        });
    }
    Ok(MinePage {
        user: Some(UserBar::of(user)),
        org,
        today: today.format("%d.%m.%Y").to_string(),
        proposals,
    })
}
