//! A controller's plan revision (genbudgettering) in the browser:
//! `GET /proposals/{id}/plan-revision` shows the current plan's economic table with every
//! yearly amount in a field, and `POST` sends the revised table with its reason and approver.
//!
//! Why it looks like this:
//! - **The table, not a JSON file.** What a controller revises is the yearly amounts of the
//!   plan's lines (an implementation a year late, a saving phased in later). The page starts
//!   from the current plan, so everything else in it (goals, milestones, phases, stated totals)
//!   is carried over unchanged, and the result is the same whole plan the CLI's `--file` and the
//!   API's `plan` send.
//! - **One command path.** The revised plan goes through [`record::send`] as
//!   [`RecordWhat::RevisePlan`], so the policy (`Decide`), the aggregate's plan checks, the
//!   idempotency key and the recorded reason and approver are the API's and the CLI's.
//! - **Amounts as the reader takes them back.** A cell shows its amount with a decimal comma
//!   and no thousands separator (`-1234,5`, `1250`): "1.250" would be refused as ambiguous (a
//!   thousand two hundred and fifty, or one and a quarter), so an untouched table could not be
//!   sent.
//! - **What was typed is kept.** A refusal re-renders the table (422) with every value as typed
//!   and the message beside the cell or field it names; nothing is stored.
//! - **An unchanged table is refused**, by the aggregate: a revision that revises nothing
//!   would only add noise to the history an auditor reads.

use askama::Template;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use gevinst_domain::access::Action;
use gevinst_domain::proposal::{Plan, Proposal};
use gevinst_domain::{Amount, IdempotencyKey, ProposalId};
use gevinst_projections::readmodel::BudgetDocument;
use serde::Deserialize;

use super::{proposal_in_path, read_error, value_of, HtmlTemplate, PageError, UserBar};
use crate::format::decimal_comma;
use crate::http::auth::{PageUser, SignedIn};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::labels::{area_name, section_label};
use crate::record::{self, parse_amount, RecordWhat};

/// One cell of the table: a line's amount in one year.
#[derive(Debug)]
struct Cell {
    year: i32,
    name: String,
    value: String,
    error: Option<String>,
}

/// One line of the table.
#[derive(Debug)]
struct Row {
    id: String,
    label: String,
    section: &'static str,
    area: String,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "revision.html")]
struct RevisionPage {
    user: Option<UserBar>,
    /// The proposal's document, for the header, as on the proposal's page.
    org: String,
    csrf: String,
    key: String,
    id: String,
    title: String,
    price_level: String,
    revision: u32,
    saved: Option<String>,
    years: Vec<i32>,
    rows: Vec<Row>,
    reason: String,
    approved_by: String,
    error: Option<String>,
    field: Option<String>,
}

/// `?gemt=N` after a saved revision.
#[derive(Debug, Deserialize)]
pub struct Saved {
    gemt: Option<u64>,
}

/// A cell's form name: `l1:2026`.
fn cell_name(line: &str, year: i32) -> String {
    format!("{line}:{year}")
}

/// What was typed, and why it was refused: the message and the field or cell it names.
struct Typed<'a> {
    form: &'a [(String, String)],
    message: String,
    field: Option<String>,
}

/// The proposal's state, once the policy has said that `user` may decide on it (one load of
/// its stream for both).
async fn allowed(
    state: &AppState,
    user: &SignedIn,
    id: &ProposalId,
) -> Result<std::sync::Arc<Proposal>, PageError> {
    state
        .service
        .authorized(&user.principal.login, id, Action::Decide)
        .await
        .map(|(_, proposal)| proposal)
        .map_err(|e| read_error(ApiError::Command(e)))
}

fn page(
    user: &SignedIn,
    id: &ProposalId,
    proposal: &Proposal,
    saved: Option<String>,
    typed: Option<Typed<'_>>,
) -> Result<RevisionPage, PageError> {
    let (Some(identity), Some(plan)) = (proposal.identity(), proposal.current_plan()) else {
        return Err(PageError::NotFound(format!(
            "{id} har endnu ingen plan at revidere."
        )));
    };
    let typed_value = |name: &str| typed.as_ref().and_then(|t| value_of(t.form, name));
    let field = typed.as_ref().and_then(|t| t.field.clone());
    let rows = plan
        .lines
        .iter()
        .map(|line| Row {
            id: line.id.to_string(),
            label: line.label.clone(),
            section: section_label(line.section),
            area: area_name(
                proposal.baseline_source().and_then(|s| s.names.as_ref()),
                line.control_area,
            ),
            cells: plan
                .years
                .iter()
                .map(|&year| {
                    let name = cell_name(line.id.as_str(), year);
                    Cell {
                        year,
                        value: typed_value(&name).map_or_else(
                            || {
                                line.amounts
                                    .as_map()
                                    .get(&year)
                                    .map(|a| decimal_comma((*a).into()))
                                    .unwrap_or_default()
                            },
                            str::to_string,
                        ),
                        error: typed
                            .as_ref()
                            .filter(|_| field.as_deref() == Some(name.as_str()))
                            .map(|t| t.message.clone()),
                        name,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(RevisionPage {
        user: Some(UserBar::of(user)),
        org: BudgetDocument::of(
            identity,
            proposal.baseline_source().and_then(|s| s.names.as_ref()),
        )
        .to_string(),
        csrf: user.csrf().to_string(),
        key: uuid::Uuid::new_v4().to_string(),
        id: id.to_string(),
        title: identity.title.clone(),
        price_level: identity.price_level.to_string(),
        revision: proposal.revisions(),
        saved,
        years: plan.years.clone(),
        rows,
        reason: typed_value("reason").unwrap_or_default().to_string(),
        approved_by: typed_value("approved_by").unwrap_or_default().to_string(),
        error: typed.as_ref().map(|t| t.message.clone()),
        field,
    })
}

/// `GET /proposals/{id}/plan-revision`.
pub async fn form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    id: Result<Path<String>, PathRejection>,
    Query(saved): Query<Saved>,
) -> Response {
    let result = async {
        let id = proposal_in_path(id)?;
        let proposal = allowed(&state, &user, &id).await?;
        let note = saved.gemt.map(|n| {
            format!(
                "Gemt: planrevision nr. {} som nr. {n} i historikken.",
                proposal.revisions()
            )
        });
        page(&user, &id, &proposal, note, None)
    }
    .await;
    super::respond(&user, result)
}

/// The current plan with the form's amounts in place of its lines' amounts; an amount that
/// cannot be read is refused naming its cell. An empty cell means no amount that year.
fn revised(plan: &Plan, form: &[(String, String)]) -> Result<Plan, (String, String)> {
    let mut revised = plan.clone();
    for line in &mut revised.lines {
        let mut amounts = gevinst_domain::proposal::YearlyAmounts::default();
        for &year in &plan.years {
            let name = cell_name(line.id.as_str(), year);
            let raw = value_of(form, &name).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            let amount: Amount = parse_amount(raw)
                .map_err(|e| (format!("{} {year}: {e}", line.id), name.clone()))?;
            amounts.insert(year, amount);
        }
        line.amounts = amounts;
    }
    Ok(revised)
}

/// `POST /proposals/{id}/plan-revision`: checks the CSRF token and the policy, sends the
/// revised plan, and answers 303 to the page with a receipt, or the table again with the
/// refusal and what was typed (422).
pub async fn send(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    headers: HeaderMap,
    Path(raw): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let result = async {
        super::check_form_csrf(&user, &headers, &form)?;
        let id = proposal_in_path(Ok(Path(raw)))?;
        let proposal = allowed(&state, &user, &id).await?;
        let Some(plan) = proposal.current_plan() else {
            return Err(PageError::NotFound(format!(
                "{id} har endnu ingen plan at revidere."
            )));
        };
        let refused = |message: String, field: Option<String>| {
            let typed = Typed {
                form: &form,
                message,
                field,
            };
            page(&user, &id, &proposal, None, Some(typed))
                .map(|page| (StatusCode::UNPROCESSABLE_ENTITY, HtmlTemplate(page)).into_response())
        };
        let plan = match revised(plan, &form) {
            Ok(plan) => plan,
            Err((message, cell)) => return refused(message, Some(cell)),
        };
        let what = RecordWhat::RevisePlan {
            proposal: id.to_string(),
            file: None,
            plan: Some(Box::new(plan)),
            reason: value_of(&form, "reason").unwrap_or_default().to_string(),
            approved_by: value_of(&form, "approved_by")
                .unwrap_or_default()
                .to_string(),
        };
        let key = value_of(&form, "idempotency_key").and_then(|k| IdempotencyKey::parse(k).ok());
        match record::send(&user.principal.login, what, key, false, &state.service).await {
            Ok((_, outcome)) => Ok(Redirect::to(&format!(
                "/proposals/{id}/plan-revision?gemt={}",
                outcome.last_sequence
            ))
            .into_response()),
            // The forms' reading of a refusal (`--approved-by` is the field `approved_by`).
            Err(e) => {
                let refusal = super::forms::refusal(e, |_| None)?;
                refused(refusal.message, refusal.field)
            }
        }
    }
    .await;
    result.unwrap_or_else(|e| e.answer(Some(UserBar::of(&user))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gevinst_domain::proposal::examples;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn the_table_replaces_the_lines_amounts_and_keeps_the_rest_of_the_plan() {
        let plan = examples::plan();
        let line = plan.lines[0].id.to_string();
        let year = plan.years[0];
        let typed = form(&[(&cell_name(&line, year), "-1.234,5")]);
        let revised = revised(&plan, &typed).unwrap();
        assert_eq!(
            revised.lines[0].amounts.as_map().get(&year),
            Some(&Amount::parse("-1234.5").unwrap())
        );
        // Empty cells are no amount; nothing but the amounts changes.
        assert!(revised
            .lines
            .iter()
            .skip(1)
            .all(|l| l.amounts.as_map().is_empty()));
        assert_eq!(revised.goals, plan.goals);
        assert_eq!(revised.years, plan.years);
        assert_eq!(revised.stated_totals, plan.stated_totals);
    }

    #[test]
    fn every_amount_the_page_shows_reads_back_as_itself() {
        for text in ["1250", "-1234.5", "0.5", "-1500", "1000000", "0"] {
            let amount = Amount::parse(text).unwrap();
            let shown = decimal_comma(amount.into());
            assert_eq!(parse_amount(&shown).unwrap(), amount, "{shown}");
        }
    }

    #[test]
    fn an_amount_that_cannot_be_read_is_refused_naming_its_cell() {
        let plan = examples::plan();
        let name = cell_name(plan.lines[0].id.as_str(), plan.years[0]);
        let (message, cell) = revised(&plan, &form(&[(&name, "mange")])).unwrap_err();
        assert_eq!(cell, name);
        assert!(message.contains("«mange»"), "{message}");
        assert!(message.starts_with(&format!("{} {}", plan.lines[0].id, plan.years[0])));
    }
}
