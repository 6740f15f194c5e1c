//! The auditor's pages: a proposal's history, and the verification of the whole log.
//!
//! - `GET /proposals/{id}/history` — every event of the proposal in the order it was recorded:
//!   who, in which role, when it was recorded, the business date it applies to, the reason,
//!   and its hash (with the previous one, so the chain can be followed by eye). A correction
//!   links to what it corrects and the corrected entry back to its correction; a verification
//!   links to the saving it verifies. `?known_on=` shows the history as it was known at a
//!   recorded time (the same reading as everywhere else). The policy's `ReadHistory` decides,
//!   as for `/api/proposals/{id}/events`.
//! - `GET /verify` — the chain, order and command checks of `gevinst verify`, and, when the
//!   server signs, the log held up against the newest checkpoint it signed (`gevinst verify
//!   --checkpoint` with the stored one: the walk alone passes a cut or a consistently
//!   rewritten stream), for auditors and administrators (`VerifyLog`, as `/api/verify`).
//!
//! Why a page and not only the API: an auditor reads a history, and a correction is only
//! understood next to what it corrects. The stored JSON of each event is shown as it is, under
//! the Danish summary, so nothing is hidden by the rendering.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Copenhagen;
use gevinst_domain::access::Action;
use gevinst_domain::proposal::ProposalEvent;
use gevinst_domain::Role;
use gevinst_projections::verify::decode_event;
use gevinst_projections::PROPOSAL;

use super::{internal, proposal_in_path, read_error, AsOf, DashboardQuery, PageError, UserBar};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;
use crate::labels::event_label;

/// One event as the history page shows it.
#[derive(Debug)]
struct HistoryRow {
    sequence: i64,
    position: i64,
    label: &'static str,
    event_type: String,
    actor: String,
    role: String,
    recorded: String,
    recorded_utc: String,
    effective: String,
    reason: String,
    /// The entry this one corrects or verifies, with the verb.
    refers_to: Option<(u64, &'static str)>,
    /// The entries that correct this one.
    corrected_by: Vec<i64>,
    hash: String,
    prev_hash: String,
    payload: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    user: Option<UserBar>,
    id: String,
    title: String,
    /// The budget document the proposal belongs to, in the header as on its own page.
    org: String,
    known_text: String,
    known_on: String,
    rows: Vec<HistoryRow>,
    corrections: usize,
}

/// A recorded instant as Copenhagen reads it, `02.12.2026 kl. 08:31:05`.
pub(super) fn copenhagen(t: DateTime<Utc>) -> String {
    t.with_timezone(&Copenhagen)
        .format("%d.%m.%Y kl. %H:%M:%S")
        .to_string()
}

/// `GET /proposals/{id}/history`.
pub async fn history(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Response {
    let page = history_page(&state, &user, id, query).await;
    super::respond(&user, page)
}

async fn history_page(
    state: &AppState,
    user: &SignedIn,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<HistoryPage, PageError> {
    let id = proposal_in_path(id)?;
    let as_of = AsOf::parse(query)?;
    let read = state
        .read_as(user, Some((&id, Action::ReadHistory)))
        .await
        .map_err(read_error)?;
    let row = read.proposal(id.as_str()).await.map_err(internal)?;
    let (title, org) = match row {
        Some(row) => {
            let org = row.budget_document().map_err(internal)?;
            (row.title, org.to_string())
        }
        None => (String::new(), String::new()),
    };
    let known = as_of.view().known_instant();
    let events: Vec<_> = state
        .service
        .store()
        .stream(PROPOSAL, id.as_str())
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|e| known.is_none_or(|t| e.recorded_at <= t))
        .collect();
    // Each row read as the aggregate reads it; a row that does not read (which `verify`
    // reports) is still shown, as stored, without the links a reading gives.
    let decoded: Vec<Option<ProposalEvent>> = events.iter().map(|e| decode_event(e).ok()).collect();
    // Which entries were corrected, and by which events.
    let mut corrected_by: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    for (e, event) in events.iter().zip(&decoded) {
        if let Some(n) = event.as_ref().and_then(ProposalEvent::corrects) {
            corrected_by.entry(n).or_default().push(e.sequence);
        }
    }
    let corrections = corrected_by.values().map(Vec::len).sum();
    let rows = events
        .into_iter()
        .zip(decoded)
        .map(|(e, event)| {
            let event = event.as_ref();
            let refers_to = event
                .and_then(ProposalEvent::corrects)
                .map(|n| (n, "retter"))
                .or_else(|| {
                    event
                        .and_then(ProposalEvent::verifies)
                        .map(|n| (n, "verificerer"))
                });
            HistoryRow {
                corrected_by: u64::try_from(e.sequence)
                    .ok()
                    .and_then(|s| corrected_by.get(&s).cloned())
                    .unwrap_or_default(),
                sequence: e.sequence,
                position: e.position,
                label: event_label(&e.event_type),
                // Why: the event's own reason, else the command's.
                reason: event
                    .and_then(ProposalEvent::reason)
                    .map(|r| r.as_str().to_string())
                    .or_else(|| e.metadata.get("reason")?.as_str().map(str::to_string))
                    .unwrap_or_default(),
                recorded: copenhagen(e.recorded_at),
                recorded_utc: e.recorded_at.to_rfc3339(),
                effective: e
                    .effective_date
                    .map_or_else(|| "–".to_string(), |d| d.format("%d.%m.%Y").to_string()),
                payload: serde_json::to_string_pretty(&e.payload).unwrap_or_default(),
                refers_to,
                event_type: e.event_type,
                actor: e.actor,
                // The stored code (`project_owner`) in the Danish word people use.
                role: e
                    .role
                    .parse::<Role>()
                    .map_or(e.role, |r| r.danish().to_string()),
                hash: e.hash,
                prev_hash: e.prev_hash,
            }
        })
        .collect();
    Ok(HistoryPage {
        user: Some(UserBar::of(user)),
        id: id.to_string(),
        title,
        org,
        known_text: match as_of.known_text() {
            k if k.is_empty() => "alt, der er registreret til nu".to_string(),
            k => format!("som kendt {k}"),
        },
        known_on: as_of
            .known
            .as_ref()
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        rows,
        corrections,
    })
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    user: Option<UserBar>,
    ok: bool,
    /// Everything found: the walk's problems and the checkpoint check's.
    found: usize,
    events: usize,
    proposals: usize,
    streams: usize,
    commands: usize,
    last_position: i64,
    checked_at: String,
    problems: Vec<(String, String, String, String)>,
    anchor: AnchorView,
}

/// The check against the newest stored checkpoint, as the page words it.
enum AnchorView {
    NoKey,
    NoneSigned,
    Checked {
        ok: bool,
        size: i64,
        signed_at: String,
        /// Positions added after it: "8–12".
        unanchored: Option<String>,
        /// Kind, positions, proposals, what.
        problems: Vec<(String, String, String, String)>,
    },
}

/// `GET /verify`: the whole log walked, and checked against the newest checkpoint the server
/// signed, for auditors and administrators.
pub async fn verify(State(state): State<AppState>, PageUser(user): PageUser) -> Response {
    let page = verify_page(&state, &user).await;
    super::respond(&user, page)
}

async fn verify_page(state: &AppState, user: &SignedIn) -> Result<VerifyPage, PageError> {
    user.may(Action::VerifyLog, None).map_err(read_error)?;
    let check = crate::audit::LogCheck::run(&state.service)
        .await
        .map_err(internal)?;
    let report = &check.walk;
    let anchor = match &check.anchor {
        crate::audit::Anchor::NoKey => AnchorView::NoKey,
        crate::audit::Anchor::NoneSigned => AnchorView::NoneSigned,
        crate::audit::Anchor::Checked(checked) => {
            let (stored, report) = checked.as_ref();
            AnchorView::Checked {
                ok: report.is_ok(),
                size: stored.tree_size,
                signed_at: copenhagen(stored.signed_at),
                unanchored: report
                    .unanchored
                    .map(|(from, to)| positions(from, Some(to))),
                problems: report
                    .problems
                    .iter()
                    .map(|p| {
                        (
                            p.kind.to_string(),
                            p.position.map_or_else(
                                || "–".to_string(),
                                |from| positions(from, p.to_position),
                            ),
                            p.proposals.join(", "),
                            p.detail.clone(),
                        )
                    })
                    .collect(),
            }
        }
    };
    Ok(VerifyPage {
        user: Some(UserBar::of(user)),
        ok: check.is_ok(),
        found: report.problems.len() + check.anchor_problems().len(),
        events: report.events,
        proposals: report.proposals(),
        streams: report.streams,
        commands: report.commands,
        last_position: report.last_position,
        checked_at: copenhagen(state.service.store().now()),
        problems: report
            .problems
            .iter()
            .map(|p| {
                (
                    p.stream_id.clone(),
                    p.sequence.to_string(),
                    p.kind.code().to_string(),
                    p.what.clone(),
                )
            })
            .collect(),
        anchor,
    })
}

/// Positions `from` to `to` as people read them: "8", or "8–12".
fn positions(from: u64, to: Option<u64>) -> String {
    match to {
        Some(to) if to != from => format!("{from}–{to}"),
        _ => from.to_string(),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn every_event_kind_has_a_danish_name() {
        use crate::labels::event_label;
        for (kind, _) in gevinst_domain::proposal::ProposalEvent::TYPES {
            assert_ne!(event_label(kind), "Anden hændelse", "{kind}");
        }
    }
}
