//! The dashboard: server-rendered HTML pages in Danish for controllers, served next to the JSON
//! API by `gevinst serve`.
//!
//! - `GET /` — the portfolio overview: Tabel 1 per committee (the document's figures first),
//!   goal status counts, each proposal's committee status with its reasons, and the 20 largest
//!   late items;
//! - `GET /proposals/{id}` — one proposal: identity, plan lines per year, computed against
//!   stated subtotals, payback, the integrity findings, realisation per year, and goals and
//!   milestones with schedule and status;
//! - `GET /committee-status` — "status til udvalgene", the report controllers send the
//!   committees: each committee's proposals with category and reasons, laid out to print (a
//!   print stylesheet: A4 pages, one committee a page, the report's name and as-of date in the
//!   page header, "Side N af M" in the footer).
//!
//! - `GET /proposals/{id}/history` and `GET /verify` — the auditor's pages (see [`history`]).
//!
//! Both take `?as_of=YYYY-MM-DD` (the business date, default today) and `?known_on=` (the
//! recorded time: a date, meaning the end of that day in Copenhagen, or an RFC 3339 instant;
//! default everything recorded); links keep both, and each page says which times it shows.
//! Each page links its reports as Excel and CSV downloads (`/exports/…`, see
//! [`crate::http::exports`]) for the date and recorded time it shows.
//! Handlers are thin: the figures come from
//! `gevinst_projections::reports`; this module only turns them into display rows (Danish labels
//! and number formatting), which askama templates under `api/templates/` lay out and escape.
//! A bad request or an unknown proposal answers with an HTML page in Danish (400/404); anything
//! else is logged and answered with a 500 page that shows no details.

use askama::Template;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use gevinst_domain::baseline::Finding;
use gevinst_domain::payback::Payback;
use gevinst_domain::proposal::PlanSection;
use gevinst_domain::{OrgNames, ProposalId, Role};
use gevinst_projections::readmodel::BudgetDocument;
use gevinst_projections::reports::portfolio::{CommitteeLine, CommitteeRealisation, StatusCounts};
use gevinst_projections::reports::{
    self, Category, CommitteeStatus, Decision, GoalRow, GoalStatus, LateItem, ProposalReport,
    Realisation,
};
use gevinst_projections::reports::{KnownOn, View};
use rust_decimal::Decimal;
use serde::Deserialize;

mod forms;
mod history;
mod late;
mod mine;
mod prices;
mod queue;
mod revision;

pub use forms::{register, send as send_form};
pub use history::{history, verify};
pub use late::late;
pub use mine::mine;
pub use prices::{send as send_price_index, show as price_index};
pub use queue::queue as verification_queue;
pub use revision::{form as plan_revision, send as send_plan_revision};

use crate::format::{danish, danish_fixed};
use crate::http::auth::{PageUser, SignedIn};
use crate::http::AppState;
use crate::labels::refusal;
use crate::labels::{
    area_name, basis_label, kind_label, late_kind_label, section_danish, section_label, StatedFirst,
};
use gevinst_domain::access::Action;

/// How many late items the overview lists.
const LATE_SHOWN: usize = 20;

/// Renders an askama template as an HTML response (`text/html; charset=utf-8`) with the
/// Content-Security-Policy that allows exactly its inline styles (see `http::service`). A
/// template that fails to render is logged and answered with a bare 500 page without details.
#[derive(Debug, Clone)]
pub struct HtmlTemplate<T>(pub T);

impl<T: Template> IntoResponse for HtmlTemplate<T> {
    fn into_response(self) -> Response {
        match self.0.render() {
            Ok(html) => (
                [(
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    crate::http::service::content_security_policy_for(&html),
                )],
                Html(html),
            )
                .into_response(),
            Err(err) => {
                tracing::error!(error = %err, "rendering a dashboard page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html(
                        "<!DOCTYPE html><html lang=\"da\"><head><meta charset=\"utf-8\">\
                         <title>Intern fejl · Gevinst</title></head><body><h1>Intern fejl</h1>\
                         <p>Siden kunne ikke vises. Fejlen er logget på serveren.</p>\
                         <p><a href=\"/\">Til porteføljeoverblikket</a></p></body></html>",
                    ),
                )
                    .into_response()
            }
        }
    }
}

/// Who is signed in, for the page header: the login, the roles the grants give, and the
/// token the logout form must carry (empty for a bearer token, which has no session to end).
#[derive(Debug, Clone)]
pub(crate) struct UserBar {
    pub(crate) login: String,
    pub(crate) roles: String,
    pub(crate) csrf: String,
    /// Has a grant to record on some proposal (a project owner or a controller): the menu
    /// offers "Mine forslag".
    pub(crate) records: bool,
    /// Has a controller's grant: the menu offers "Til verificering".
    pub(crate) decides: bool,
    /// May walk the whole log (an auditor or an administrator, as the policy's `VerifyLog`):
    /// the menu offers "Kontrol af loggen".
    pub(crate) verifies: bool,
}

impl UserBar {
    pub(crate) fn of(user: &SignedIn) -> Self {
        let principal = &user.principal;
        let account = principal.access.account(&principal.login);
        let grants: Vec<String> = account
            .map(|a| a.grants.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        let holds = |roles: &[Role]| {
            account.is_some_and(|a| a.grants.iter().any(|g| roles.contains(&g.role())))
        };
        Self {
            records: holds(&[Role::ProjectOwner, Role::Controller]),
            decides: holds(&[Role::Controller]),
            verifies: user.may(Action::VerifyLog, None).is_ok(),
            login: principal.login.to_string(),
            roles: if grants.is_empty() {
                "ingen roller".to_string()
            } else {
                grants.join(", ")
            },
            csrf: user.csrf().to_string(),
        }
    }
}

/// The dashboard's query string: `?as_of=YYYY-MM-DD&known_on=…`.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    as_of: Option<String>,
    known_on: Option<String>,
}

/// `?committee=SUD&budget_round=Budget 2025`: a page narrowed to one committee and/or one
/// budget round.
#[derive(Debug, Default, Deserialize)]
pub struct CommitteeFilter {
    committee: Option<String>,
    budget_round: Option<String>,
}

/// Which budget documents a list page shows, for its heading, its printed header and its
/// round filter: read from the log, never assumed.
#[derive(Debug, Clone, Default)]
struct PageDocuments {
    /// "Københavns Kommune — Budget 2025" (several joined by " · ").
    documents: String,
    /// The rounds counted: "Budget 2025", or "Budget 2025 og Budget 2026".
    rounds: String,
    /// The round chosen (empty: all).
    round: String,
    /// Every round in the log, for the filter (shown when there is more than one).
    round_choices: Vec<String>,
}

impl PageDocuments {
    /// `read` narrowed to the round the filter chooses, and what the page says it shows; a
    /// round the log holds no proposal of is the user's error, in Danish.
    async fn narrow(
        read: gevinst_projections::readmodel::ReadModels,
        filter: &Result<Query<CommitteeFilter>, QueryRejection>,
    ) -> Result<(gevinst_projections::readmodel::ReadModels, Self), PageError> {
        let chosen = filter
            .as_ref()
            .ok()
            .and_then(|Query(f)| f.budget_round.as_deref())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        let documents = read.budget_documents().await.map_err(internal)?;
        let round_choices = BudgetDocument::rounds(&documents);
        if let Some(message) = crate::labels::unknown_round(chosen.as_deref(), &round_choices) {
            return Err(PageError::BadRequest(format!("{message}.")));
        }
        let shown: Vec<&BudgetDocument> = documents
            .iter()
            .filter(|d| chosen.as_ref().is_none_or(|r| &d.round == r))
            .collect();
        let rounds: Vec<&str> = match &chosen {
            Some(r) => vec![r.as_str()],
            None => round_choices.iter().map(String::as_str).collect(),
        };
        let page = Self {
            documents: header(shown),
            rounds: crate::labels::and_list(&rounds),
            round: chosen.clone().unwrap_or_default(),
            round_choices,
        };
        Ok((read.in_round(chosen), page))
    }
}

/// Budget documents as a page's header names them: "Fjordby Kommune — Budget 2026 ·
/// Københavns Kommune — Budget 2025".
fn header<'a>(documents: impl IntoIterator<Item = &'a BudgetDocument>) -> String {
    documents
        .into_iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The header of a page listing `rows`: the documents those proposals belong to, each once.
fn header_of<'a>(
    rows: impl IntoIterator<Item = &'a gevinst_projections::readmodel::ProposalRow>,
) -> Result<String, PageError> {
    Ok(header(&BudgetDocument::of_rows(rows).map_err(internal)?))
}

impl CommitteeFilter {
    /// The committee named, if any. A code no budget document declares is the user's error,
    /// in Danish, naming the ones that are.
    fn parse(
        filter: Result<Query<CommitteeFilter>, QueryRejection>,
        names: &OrgNames,
    ) -> Result<Option<gevinst_domain::Committee>, PageError> {
        let Query(filter) = filter.unwrap_or_default();
        crate::labels::declared_committee(filter.committee.as_deref(), names)
            .map_err(PageError::BadRequest)
    }
}

/// Every declared committee as a filter's choices: code and name.
fn committee_choices(names: &OrgNames) -> Vec<(String, String)> {
    names
        .committees
        .iter()
        .map(|(c, n)| (c.code().to_string(), n.as_str().to_string()))
        .collect()
}

/// The date a page is computed as of, and whether the user chose it (then links keep it), and
/// the recorded time it reads the log at, if chosen.
#[derive(Debug, Clone)]
struct AsOf {
    date: NaiveDate,
    chosen: bool,
    known: Option<KnownOn>,
}

impl AsOf {
    fn parse(query: Result<Query<DashboardQuery>, QueryRejection>) -> Result<Self, PageError> {
        let Query(q) = query.map_err(|_| {
            PageError::BadRequest(
                "Adressens parametre kunne ikke læses. Brug ?as_of=ÅÅÅÅ-MM-DD, fx ?as_of=2025-10-01."
                    .to_string(),
            )
        })?;
        let known = q
            .known_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|raw| KnownOn::parse(raw).map_err(|e| PageError::BadRequest(e.to_string())))
            .transpose()?;
        match q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(Self {
                date: View::today(),
                chosen: false,
                known,
            }),
            Some(raw) => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|date| Self {
                    date,
                    chosen: true,
                    known,
                })
                .map_err(|_| {
                    PageError::BadRequest(format!(
                        "«{raw}» er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, fx 2025-10-01."
                    ))
                }),
        }
    }

    /// Both times, for the reports and the page's heading.
    fn view(&self) -> View {
        View {
            as_of: self.date,
            known_on: self.known.clone(),
        }
    }

    /// The chosen recorded time as the user wrote it (for the form), or "".
    fn known_text(&self) -> String {
        self.known
            .as_ref()
            .map_or_else(String::new, |k| k.as_str().to_string())
    }

    /// The query string of the page's downloads (`/exports/…`): always the date the page shows,
    /// so the file holds the same figures even when it is opened the next day, the recorded
    /// time if chosen, the proposal for a proposal's own reports, and the budget round and the
    /// committee a list page is narrowed to (`round`, empty for all; `committee`), so the file
    /// counts what the page counts.
    fn export_query(
        &self,
        proposal: Option<&ProposalId>,
        round: &str,
        committee: Option<&gevinst_domain::Committee>,
    ) -> String {
        let mut parts = vec![format!("as_of={}", self.date)];
        parts.extend(self.known_param());
        parts.extend(proposal.map(|p| format!("proposal={p}")));
        if !round.is_empty() {
            parts.extend(serde_urlencoded::to_string([("budget_round", round)]).ok());
        }
        if let Some(c) = committee {
            parts.extend(serde_urlencoded::to_string([("committee", c.code())]).ok());
        }
        format!("?{}", parts.join("&"))
    }

    /// What links append to keep the chosen times (`?as_of=…&known_on=…`), or nothing.
    fn suffix(&self) -> String {
        let mut parts = Vec::new();
        if self.chosen {
            parts.push(format!("as_of={}", self.date));
        }
        parts.extend(self.known_param());
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// `known_on=…` if a recorded time was chosen. A parsed date or RFC 3339 instant holds
    /// only digits, letters T/Z, `-:.` and a `+` offset; `+` alone needs escaping in a query.
    fn known_param(&self) -> Option<String> {
        self.known
            .as_ref()
            .map(|k| format!("known_on={}", k.as_str().replace('+', "%2B")))
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
enum PageError {
    /// The request is malformed (400), with a Danish message.
    BadRequest(String),
    /// Nothing at that address (404), with a Danish message.
    NotFound(String),
    /// The policy said no (403), with its Danish reason.
    Forbidden(String),
    /// The read models lie beyond the event log (503), with the message naming both positions.
    Unavailable(String),
    /// Something failed that the user cannot fix (500; logged, not shown).
    Internal(String),
}

/// The read models, or the page that says why not.
fn read_error(e: crate::http::error::ApiError) -> PageError {
    use crate::http::error::ApiError;
    use gevinst_projections::CommandError;
    match e {
        ApiError::ReadModelsAhead(m) => PageError::Unavailable(m),
        ApiError::Forbidden(m) => PageError::Forbidden(m),
        ApiError::Command(CommandError::Denied(d)) => PageError::Forbidden(d.to_string()),
        ApiError::Command(CommandError::Rejected { proposal, .. }) => {
            PageError::NotFound(format!("Forslag {proposal} findes ikke i Gevinst."))
        }
        e => internal(e),
    }
}

/// The proposal a page's address names, or the page that says why it names none.
fn proposal_in_path(id: Result<Path<String>, PathRejection>) -> Result<ProposalId, PageError> {
    let Path(raw) = id.map_err(|_| {
        PageError::BadRequest("Adressen indeholder ikke et læsbart forslagsnummer.".to_string())
    })?;
    ProposalId::parse(&raw).map_err(|_| {
        PageError::BadRequest(format!(
            "«{raw}» er ikke et forslagsnummer. Et forslagsnummer er 2–20 tegn A–Z, 0–9 eller '-', begyndende med et bogstav, fx BC01."
        ))
    })
}

/// The value of the field `name` of a posted form.
fn value_of<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A posted form's CSRF token checked against the session, or the page that says it is missing.
fn check_form_csrf(
    user: &SignedIn,
    headers: &axum::http::HeaderMap,
    form: &[(String, String)],
) -> Result<(), PageError> {
    user.check_csrf(headers, value_of(form, "csrf"))
        .map_err(|_| {
            PageError::Forbidden(
            "Formularen mangler sin sikkerhedsnøgle (CSRF): hent siden igen, og send den derfra."
                .into(),
        )
        })
}

fn internal(e: impl std::fmt::Display) -> PageError {
    PageError::Internal(e.to_string())
}

/// A page, or the error page that says why not, both with the signed-in person's bar (name,
/// roles, sign-out), so a refusal still shows who is asking.
fn respond<T: Template>(user: &SignedIn, page: Result<T, PageError>) -> Response {
    match page {
        Ok(page) => HtmlTemplate(page).into_response(),
        Err(e) => e.answer(Some(UserBar::of(user))),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.answer(None)
    }
}

impl PageError {
    /// The error page, with the person's bar where the request was signed in.
    fn answer(self, user: Option<UserBar>) -> Response {
        let (status, heading, message) = match self {
            PageError::BadRequest(m) => (StatusCode::BAD_REQUEST, refusal::BAD_REQUEST, m),
            PageError::NotFound(m) => (StatusCode::NOT_FOUND, refusal::NOT_FOUND, m),
            PageError::Forbidden(m) => (StatusCode::FORBIDDEN, refusal::FORBIDDEN, m),
            PageError::Unavailable(m) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Læsemodellerne er foran hændelsesloggen",
                m,
            ),
            PageError::Internal(details) => {
                tracing::error!(error = %details, "dashboard request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Intern fejl",
                    "Siden kunne ikke vises på grund af en intern fejl. Fejlen er logget på serveren."
                        .to_string(),
                )
            }
        };
        let page = ErrorPage {
            user,
            status: status.as_u16(),
            heading: heading.to_string(),
            message,
        };
        (status, HtmlTemplate(page)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    user: Option<UserBar>,
    status: u16,
    heading: String,
    message: String,
}

/// The error page for a refusal the API states as a problem (its Danish title and detail), for
/// a browser that followed a link to it (see `http::exports::refusals_as_pages`).
pub(crate) fn problem_page(
    status: StatusCode,
    user: Option<&SignedIn>,
    title: String,
    detail: String,
) -> Response {
    let page = ErrorPage {
        user: user.map(UserBar::of),
        status: status.as_u16(),
        heading: title,
        message: detail,
    };
    (status, HtmlTemplate(page)).into_response()
}

// ---------------------------------------------------------------------------------------------
// Shared display helpers.

/// Thousands of kroner as mio. kr. with one decimal, Danish style.
fn mio(thousands: Decimal) -> String {
    danish_fixed(thousands / Decimal::ONE_THOUSAND, 1)
}

fn percent(rate: Option<Decimal>) -> String {
    rate.map_or_else(
        || "–".to_string(),
        |r| format!("{} %", danish_fixed(r * Decimal::ONE_HUNDRED, 0)),
    )
}

fn category_class(c: Category) -> &'static str {
    match c {
        Category::Roed => "kat-roed",
        Category::ForsinketMedKompenserendeHandlinger => "kat-forsinket",
        Category::FoelgerPlan => "kat-plan",
        Category::FuldtImplementeret => "kat-fuldt",
        Category::IkkeVurderet => "kat-ikke-vurderet",
    }
}

/// Goal statuses in the order the overview lists them: what needs attention first.
const STATUS_ORDER: [GoalStatus; 10] = GoalStatus::ALL;

fn status_class(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Overdue => "st-overskredet",
        GoalStatus::Due
        | GoalStatus::NotReported
        | GoalStatus::AtRisk
        | GoalStatus::PartiallyAchieved => "st-aktuel",
        GoalStatus::Upcoming => "st-kommende",
        GoalStatus::AchievedOnTime | GoalStatus::AchievedLate => "st-opnaaet",
        GoalStatus::Cancelled | GoalStatus::Unscheduled => "st-neutral",
    }
}

fn payback_text(p: Option<Payback>) -> String {
    p.map_or_else(
        || "vender ikke i planens år".to_string(),
        |p| format!("{} år (vender i {})", p.years, p.turns_in),
    )
}

// ---------------------------------------------------------------------------------------------
// `/`: the portfolio overview.

struct Tabel1Row {
    committee: String,
    /// Number, investment, savings: the document's figures first (see `labels::StatedFirst`).
    stated: [StatedFirst; 3],
    realised: String,
    verified: String,
    forecast: String,
    removed: String,
    published_only: bool,
}

impl From<&CommitteeLine> for Tabel1Row {
    fn from(l: &CommitteeLine) -> Self {
        Self {
            committee: l.committee.clone(),
            stated: crate::labels::tabel_1_cells(l),
            realised: mio(l.realised_to_date),
            verified: mio(l.realised_to_date_verified),
            forecast: mio(l.forecast_full_phase_in),
            removed: mio(l.budget_removed),
            published_only: l.published_only > 0,
        }
    }
}

/// A row of the portfolio's "Fordeling på udvalg": a committee's own share (1.000 kr.).
struct ShareRow {
    committee: String,
    proposals: String,
    target: String,
    appropriation: String,
    plan: String,
    realised: String,
    verified: String,
    rate: String,
}

impl From<&CommitteeRealisation> for ShareRow {
    fn from(r: &CommitteeRealisation) -> Self {
        let proposals = if r.shared.is_empty() {
            r.proposals.join(", ")
        } else {
            format!("{} (heraf {})", r.proposals.join(", "), r.shared.join(", "))
        };
        Self {
            committee: r.committee.clone(),
            proposals,
            target: danish(r.target_effect_full_phase_in),
            appropriation: danish(r.appropriation_effect_full_phase_in),
            plan: danish(r.plan_to_date),
            realised: danish(r.realised_to_date),
            verified: danish(r.verified_to_date),
            rate: percent(r.rate),
        }
    }
}

struct CountRow {
    label: String,
    counts: Vec<usize>,
    total: usize,
}

fn count_row(label: &str, c: &StatusCounts) -> CountRow {
    let counts: Vec<usize> = STATUS_ORDER
        .iter()
        .map(|s| c.get(s).copied().unwrap_or(0))
        .collect();
    CountRow {
        label: label.to_string(),
        total: counts.iter().sum(),
        counts,
    }
}

struct StatusHeader {
    label: &'static str,
    class: &'static str,
}

struct CategoryCount {
    label: &'static str,
    class: &'static str,
    count: usize,
}

struct StatusRow {
    proposal: String,
    committee: String,
    /// Seen from a committee that shares the proposal but does not lead it: its share.
    share: String,
    title: String,
    category: &'static str,
    class: &'static str,
    reasons: Vec<String>,
}

impl StatusRow {
    /// The row as committee `seen_from` reads it (`None`: the whole portfolio).
    fn of(s: &CommitteeStatus, seen_from: Option<&str>) -> Self {
        let share = match seen_from {
            Some(c) if c != s.committee => match s.shares.get(c) {
                Some(v) => format!(
                    "{c}'s andel: {} (1.000 kr. ved fuld indfasning); hovedudvalg {}",
                    danish(*v),
                    s.committee
                ),
                None => format!("{c} har en andel; hovedudvalg {}", s.committee),
            },
            _ => String::new(),
        };
        Self {
            proposal: s.proposal.clone(),
            committee: s.committee.clone(),
            share,
            title: s.title.clone(),
            category: s.category.danish(),
            class: category_class(s.category),
            reasons: s.reasons.clone(),
        }
    }
}

struct LateRow {
    proposal: String,
    committee: String,
    kind: &'static str,
    what: String,
    size: String,
    description: String,
}

impl LateRow {
    /// The row as committee `seen_from` reads it (`None`: the whole portfolio): a shortfall
    /// shows that committee's own part where the proposal is split over committees.
    fn of(i: &LateItem, seen_from: Option<&str>) -> Self {
        // A shared proposal's shortfall, seen from one of its committees: that committee's
        // part, zero where its share of the year is met or it has none that year.
        let own = seen_from
            .filter(|c| {
                i.kind == "saving" && i.committees.len() > 1 && i.committees.iter().any(|x| x == c)
            })
            .map(|c| {
                let part = i.shortfall_by_committee.get(c).copied().unwrap_or_default();
                (c, part)
            });
        let size = if let Some((c, part)) = own {
            format!(
                "{c}'s andel: mangler {} af {} (1.000 kr.)",
                danish(part),
                danish(i.shortfall)
            )
        } else if i.shortfall.is_zero() {
            i.days_overdue
                .map(|d| format!("{d} dage"))
                .unwrap_or_else(|| "–".to_string())
        } else {
            format!("mangler {} (1.000 kr.)", danish(i.shortfall))
        };
        Self {
            proposal: i.proposal.clone(),
            committee: i.committee.clone(),
            kind: late_kind_label(&i.kind),
            what: i.what.clone(),
            size,
            description: i.description.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    user: Option<UserBar>,
    docs: PageDocuments,
    as_of: NaiveDate,
    known_on: String,
    view: String,
    link: String,
    export: String,
    committees: Vec<Tabel1Row>,
    total: Tabel1Row,
    any_published_only: bool,
    tabel_1_stated: &'static str,
    /// What Tabel 1 counts and the proposals' budget decisions.
    decisions: String,
    status_headers: Vec<StatusHeader>,
    goal_counts: Vec<CountRow>,
    goal_total: CountRow,
    categories: Vec<CategoryCount>,
    statuses: Vec<StatusRow>,
    /// The realisation rate per committee, drawn.
    /// The committee the page is narrowed to (empty: all).
    committee: String,
    /// The filter's choices.
    committee_choices: Vec<(String, String)>,
    rate_chart: crate::charts::Chart,
    shares: Vec<ShareRow>,
    late: Vec<LateRow>,
    late_total: usize,
}

/// `GET /?as_of=YYYY-MM-DD`: the portfolio overview.
pub async fn portfolio(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<CommitteeFilter>, QueryRejection>,
) -> Response {
    let page = portfolio_page(&state, &user, query, filter).await;
    respond(&user, page)
}

async fn portfolio_page(
    state: &AppState,
    user: &SignedIn,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<CommitteeFilter>, QueryRejection>,
) -> Result<PortfolioPage, PageError> {
    let as_of = AsOf::parse(query)?;
    let read = state
        .read_as(user, None)
        .await
        .map_err(read_error)?
        .known_on(as_of.view().known_instant());
    let (read, docs) = PageDocuments::narrow(read, &filter).await?;
    let names = read.org_names().await.map_err(internal)?;
    let only = CommitteeFilter::parse(filter, &names)?;
    let chosen = |code: &str| only.is_none_or(|c| c.code() == code);
    // One overview serves the table, the statuses and the late list.
    let overview = reports::overview(
        &read,
        &read.price_index().await.map_err(internal)?,
        as_of.date,
    )
    .await
    .map_err(internal)?;
    let mut statuses = reports::statuses(&overview);
    // A committee sees every proposal it has a share of, not only those it leads.
    statuses.retain(|s| s.committees.iter().any(|c| chosen(c)));
    let mut late = reports::late_items(&overview);
    late.retain(|i| i.committees.iter().any(|c| chosen(c)));
    let seen_from = only.as_ref().map(gevinst_domain::Committee::code);
    let p = &overview.portfolio;
    let rates = &p.committee_shares;
    let rate_chart = crate::charts::rate_bars(
        "udvalg-diagram",
        &format!(
            "Realiseringsgrad pr. udvalg til og med {} (indberettet mod plan)",
            as_of.date.year()
        ),
        &rates
            .iter()
            .map(|r| (r.committee.clone(), r.rate))
            .collect::<Vec<_>>(),
    );

    let categories = Category::ALL
        .into_iter()
        .map(|c| CategoryCount {
            label: c.danish(),
            class: category_class(c),
            count: statuses.iter().filter(|s| s.category == c).count(),
        })
        .collect();
    Ok(PortfolioPage {
        user: Some(UserBar::of(user)),
        export: as_of.export_query(None, &docs.round, only.as_ref()),
        docs,
        as_of: as_of.date,
        known_on: as_of.known_text(),
        view: as_of.view().danish(),
        link: as_of.suffix(),
        committees: p.committees.iter().map(Tabel1Row::from).collect(),
        total: Tabel1Row::from(&p.total),
        any_published_only: p.total.published_only > 0,
        tabel_1_stated: crate::labels::TABEL_1_STATED,
        decisions: crate::labels::decisions(p),
        status_headers: STATUS_ORDER
            .iter()
            .map(|s| StatusHeader {
                label: s.danish(),
                class: status_class(*s),
            })
            .collect(),
        goal_counts: p
            .goal_counts_by_committee
            .iter()
            .map(|(c, counts)| count_row(c, counts))
            .collect(),
        goal_total: count_row("I alt", &p.goal_counts),
        categories,
        statuses: statuses
            .iter()
            .map(|s| StatusRow::of(s, seen_from))
            .collect(),
        rate_chart,
        shares: rates.iter().map(ShareRow::from).collect(),
        committee: only.map(|c| c.code().to_string()).unwrap_or_default(),
        committee_choices: committee_choices(&names),
        late: late
            .iter()
            .take(LATE_SHOWN)
            .map(|i| LateRow::of(i, seen_from))
            .collect(),
        late_total: late.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// `/committee-status`: status til udvalgene, to print.

/// How many of `rows` fall in each category, in [`Category::ALL`].
fn category_counts(label: &str, rows: &[&CommitteeStatus]) -> CountRow {
    CountRow {
        label: label.to_string(),
        counts: Category::ALL
            .iter()
            .map(|c| rows.iter().filter(|r| r.category == *c).count())
            .collect(),
        total: rows.len(),
    }
}

struct CommitteeSection {
    code: String,
    name: String,
    rows: Vec<StatusRow>,
}

#[derive(Template)]
#[template(path = "committee_status.html")]
struct CommitteeStatusPage {
    user: Option<UserBar>,
    docs: PageDocuments,
    as_of: NaiveDate,
    known_on: String,
    view: String,
    /// For the printed page header: "pr. 2025-12-31" and the recorded time if chosen.
    print_as_of: String,
    link: String,
    export: String,
    headers: Vec<StatusHeader>,
    summary: Vec<CountRow>,
    summary_total: CountRow,
    committees: Vec<CommitteeSection>,
    /// The committee the report is narrowed to (empty: all).
    committee: String,
    /// The filter's choices.
    committee_choices: Vec<(String, String)>,
}

/// `GET /committee-status?as_of=YYYY-MM-DD`: status til udvalgene, per committee, to print.
pub async fn committee_status(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<CommitteeFilter>, QueryRejection>,
) -> Response {
    let page = committee_status_page(&state, &user, query, filter).await;
    respond(&user, page)
}

async fn committee_status_page(
    state: &AppState,
    user: &SignedIn,
    query: Result<Query<DashboardQuery>, QueryRejection>,
    filter: Result<Query<CommitteeFilter>, QueryRejection>,
) -> Result<CommitteeStatusPage, PageError> {
    let as_of = AsOf::parse(query)?;
    let read = state
        .read_as(user, None)
        .await
        .map_err(read_error)?
        .known_on(as_of.view().known_instant());
    let (read, docs) = PageDocuments::narrow(read, &filter).await?;
    let names = read.org_names().await.map_err(internal)?;
    let only = CommitteeFilter::parse(filter, &names)?;
    let mut statuses = reports::committee_status(
        &read,
        &read.price_index().await.map_err(internal)?,
        as_of.date,
    )
    .await
    .map_err(internal)?;
    // Each committee's section lists every proposal it has a share of (BC01 under all seven),
    // and the summary counts it there; "I alt" counts each proposal once.
    statuses.retain(|s| only.is_none_or(|c| s.committees.iter().any(|x| x == c.code())));
    let mut by_committee: std::collections::BTreeMap<&str, Vec<&CommitteeStatus>> =
        std::collections::BTreeMap::new();
    for s in &statuses {
        for c in s
            .committees
            .iter()
            .filter(|c| only.is_none_or(|o| o.code() == c.as_str()))
        {
            by_committee.entry(c.as_str()).or_default().push(s);
        }
    }
    let all: Vec<&CommitteeStatus> = statuses.iter().collect();
    let print_as_of = match &as_of.known {
        Some(k) => format!("Opgjort pr. {}, som kendt {}", as_of.date, k.as_str()),
        None => format!("Opgjort pr. {}", as_of.date),
    };
    Ok(CommitteeStatusPage {
        user: Some(UserBar::of(user)),
        export: as_of.export_query(None, &docs.round, only.as_ref()),
        docs,
        as_of: as_of.date,
        known_on: as_of.known_text(),
        view: as_of.view().danish(),
        print_as_of,
        link: as_of.suffix(),
        headers: Category::ALL
            .iter()
            .map(|c| StatusHeader {
                label: c.danish(),
                class: category_class(*c),
            })
            .collect(),
        summary: by_committee
            .iter()
            .map(|(code, rows)| category_counts(code, rows))
            .collect(),
        summary_total: category_counts("I alt", &all),
        committee: only.map(|c| c.code().to_string()).unwrap_or_default(),
        committee_choices: committee_choices(&names),
        committees: by_committee
            .iter()
            .map(|(code, rows)| CommitteeSection {
                code: (*code).to_string(),
                name: names.committee(code),
                rows: rows.iter().map(|s| StatusRow::of(s, Some(code))).collect(),
            })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// `/proposals/{id}`: one proposal.

struct Fact {
    label: &'static str,
    value: String,
}

struct LineRow {
    id: String,
    label: String,
    area: String,
    committee: String,
    note: String,
    cells: Vec<String>,
}

struct LineGroup {
    name: &'static str,
    lines: Vec<LineRow>,
}

struct Cell {
    text: String,
    differs: bool,
}

struct TotalView {
    label: String,
    computed: Vec<Cell>,
    stated: Option<Vec<Cell>>,
    differs_in: String,
}

struct PaybackLine {
    basis: &'static str,
    computed: String,
    stated: String,
    forecast: String,
    differs: bool,
}

/// The proposal's row of the document's front matter, each figure as stated and rebuilt.
struct FrontMatterView {
    table: &'static str,
    rows: Vec<FrontMatterLine>,
}

struct FrontMatterLine {
    label: &'static str,
    stated: String,
    rebuilt: String,
    differs: bool,
}

impl From<&reports::proposal::FrontMatterRow> for FrontMatterView {
    fn from(f: &reports::proposal::FrontMatterRow) -> Self {
        use crate::labels::{
            front_matter_figure_label, front_matter_table_label, front_matter_value,
        };
        Self {
            table: front_matter_table_label(f.table),
            rows: f
                .figures
                .iter()
                .map(|x| FrontMatterLine {
                    label: front_matter_figure_label(x.code),
                    stated: front_matter_value(x.stated, x.unit, "ikke angivet"),
                    rebuilt: front_matter_value(x.rebuilt, x.unit, "kan ikke genberegnes"),
                    differs: x.differs,
                })
                .collect(),
        }
    }
}

struct FindingRow {
    place: String,
    stated: String,
    computed: String,
    difference: String,
    unit: String,
    kind: &'static str,
    explanation: String,
}

impl From<&Finding> for FindingRow {
    fn from(f: &Finding) -> Self {
        let mut place = format!("{} · {}", f.table, f.row);
        if let Some(c) = &f.column {
            place.push_str(&format!(" · {c}"));
        }
        if let Some(y) = f.year {
            place.push_str(&format!(" · {y}"));
        }
        Self {
            place,
            stated: danish(f.stated),
            computed: danish(f.computed),
            difference: danish(f.difference),
            unit: f.unit.clone(),
            kind: f.kind.danish(),
            explanation: f.explanation.clone(),
        }
    }
}

struct YearRow {
    year: i32,
    baseline: String,
    plan: String,
    realised: String,
    verified: String,
    forecast: String,
    variance: String,
    rate: String,
    cost_budget: String,
    cost_incurred: String,
    below_plan: bool,
    /// The correction of an entry of this year (the latest), linked to the history.
    corrected: Option<i64>,
}

struct GoalView {
    id: String,
    kind: &'static str,
    section: String,
    text: String,
    responsible: String,
    when: String,
    schedule: String,
    status: &'static str,
    class: &'static str,
    checkpoints: String,
    achieved_on: String,
    note: String,
    evidence: String,
    at_risk: bool,
    /// Who owns the benefit after the project (from the text), if stated.
    handover: String,
    /// Checkpoints before the budget decision, left out.
    before_decision: String,
    /// "finansieringsårene 2025–2026 (…)", where a phase-relative goal was dated from them.
    dated_from: String,
    /// Why the deadline is suspect (before the proposal was approved), if it is.
    suspect_date: String,
    /// The correction of a report on this goal (the latest), linked to the history.
    corrected: Option<i64>,
}

impl From<&GoalRow> for GoalView {
    fn from(g: &GoalRow) -> Self {
        let section = section_danish(g.section.as_deref());
        let checkpoints = if g.checkpoints.len() > 1 {
            g.checkpoints
                .iter()
                .map(|c| match &c.window {
                    Some(w) => format!("{w}: {}", c.status.danish()),
                    None => c.status.danish().to_string(),
                })
                .collect::<Vec<_>>()
                .join("; ")
        } else {
            String::new()
        };
        Self {
            id: g.id.clone(),
            kind: g.kind_danish(),
            section,
            text: g.text.clone(),
            responsible: g.responsible.clone().unwrap_or_default(),
            when: g.when.clone(),
            schedule: g.schedule.clone(),
            status: g.status.danish(),
            class: status_class(g.status),
            checkpoints,
            achieved_on: g.achieved_on.map(|d| d.to_string()).unwrap_or_default(),
            note: g.latest_note.clone().unwrap_or_default(),
            evidence: g.evidence.clone().unwrap_or_default(),
            at_risk: g.at_risk,
            handover: g.handover.clone().unwrap_or_default(),
            before_decision: g.before_decision.join(", "),
            dated_from: g.dated_from.clone().unwrap_or_default(),
            suspect_date: g.suspect_date.clone().unwrap_or_default(),
            corrected: None,
        }
    }
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    user: Option<UserBar>,
    /// The proposal's document, for the header: "Københavns Kommune — Budget 2025".
    org: String,
    /// Whether the grants allow recording or deciding here (then the page links the forms).
    may_register: bool,
    as_of: NaiveDate,
    known_on: String,
    view: String,
    link: String,
    export: String,
    id: String,
    title: String,
    facts: Vec<Fact>,
    category: Option<StatusRow>,
    price_level: String,
    years: Vec<i32>,
    line_groups: Vec<LineGroup>,
    totals: Vec<TotalView>,
    any_total_differs: bool,
    payback: Vec<PaybackLine>,
    front_matter: Option<FrontMatterView>,
    findings: Vec<FindingRow>,
    realisation: Vec<YearRow>,
    /// Plan, realised, verified and forecast, cumulative per year, drawn.
    realisation_chart: Option<crate::charts::Chart>,
    /// The goals' and milestones' checkpoints on a quarter axis, coloured by status.
    goal_chart: Option<crate::charts::Chart>,
    drift: String,
    realisation_notes: Vec<String>,
    /// "Fordeling på udvalg": one row per committee with a share (lead first), when more than
    /// one committee has one.
    shares: Vec<ProposalShareRow>,
    /// Where the shares come from ("Tabel A", "planens linjer").
    share_source: String,
    goals: Vec<GoalView>,
}

/// One committee's share of a proposal, as its page shows it (1.000 kr.).
struct ProposalShareRow {
    committee: String,
    lead: bool,
    /// The planned share (måltalseffekt) per year of the plan, in the plan's year order.
    plan: Vec<String>,
    /// The appropriation effect at full phase-in.
    appropriation: String,
    /// Realised over all years.
    realised: String,
}

/// `GET /proposals/{id}?as_of=YYYY-MM-DD`: one proposal.
pub async fn proposal(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Response {
    let page = proposal_page(&state, &user, id, query).await;
    respond(&user, page)
}

async fn proposal_page(
    state: &AppState,
    user: &SignedIn,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<ProposalPage, PageError> {
    let id = proposal_in_path(id)?;
    let as_of = AsOf::parse(query)?;
    let read = state
        .read_as(user, Some((&id, Action::ReadDetails)))
        .await
        .map_err(read_error)?
        .known_on(as_of.view().known_instant());
    let not_found = || PageError::NotFound(format!("Forslag {id} findes ikke i Gevinst."));
    let report = reports::proposal_report(&read, id.as_str())
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    // The status needs the whole overview; the proposal's realisation and goals come from it.
    let overview = reports::overview(
        &read,
        &read.price_index().await.map_err(internal)?,
        as_of.date,
    )
    .await
    .map_err(internal)?;
    let realisation = overview
        .portfolio
        .proposals
        .iter()
        .find(|r| r.proposal == id.as_str())
        .cloned()
        .ok_or_else(not_found)?;
    let goals: Vec<_> = overview
        .goals
        .iter()
        .filter(|g| g.proposal == id.as_str())
        .cloned()
        .collect();
    let category = reports::statuses(&overview)
        .iter()
        .find(|s| s.proposal == id.as_str())
        .map(|s| StatusRow::of(s, None));
    let target = crate::http::target(&read, &id).await.map_err(read_error)?;
    let may = |action| user.principal.decide(action, Some(&target)).is_ok();
    // Figures that rest on a corrected entry carry a mark linking to the correction.
    let mut corrected_years = std::collections::BTreeMap::new();
    let mut corrected_goals = std::collections::BTreeMap::new();
    for e in read.entries(Some(id.as_str())).await.map_err(internal)? {
        let Some(by) = e.corrected_by else { continue };
        if let Some(year) = e.fact().map_err(internal)?.budget_year() {
            corrected_years.insert(year, by);
        }
        if let Some(subject) = e.subject {
            corrected_goals.insert(subject, by);
        }
    }
    let mut page = ProposalPage {
        user: Some(UserBar::of(user)),
        may_register: may(Action::Record) || may(Action::Decide),
        ..build_proposal_page(as_of, &report, &realisation, &goals, category)
    };
    for y in &mut page.realisation {
        y.corrected = corrected_years.get(&y.year).copied();
    }
    for g in &mut page.goals {
        g.corrected = corrected_goals.get(&g.id).copied();
    }
    Ok(page)
}

/// A goal status's colour in the timeline (the badges' hues).
fn status_colour(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::AchievedOnTime => "#2e7d32",
        GoalStatus::AchievedLate => "#7cb342",
        GoalStatus::Overdue => "#b3261e",
        GoalStatus::NotReported => "#e07b00",
        GoalStatus::Due | GoalStatus::AtRisk | GoalStatus::PartiallyAchieved => "#f2b01e",
        GoalStatus::Upcoming => "#9aa5b1",
        GoalStatus::Cancelled | GoalStatus::Unscheduled => "#d5dbe3",
    }
}

/// The goals' and milestones' planned quarters against their status, as of `as_of` (no chart
/// when no goal has a dated checkpoint; the goals table says it all).
fn goal_chart(goals: &[GoalRow], as_of: NaiveDate) -> Option<crate::charts::Chart> {
    use gevinst_domain::period::Quarter;
    let window = |w: &str| -> Option<(Quarter, Quarter)> {
        let (a, b) = w.split_once('–').unwrap_or((w, w));
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    let windows: Vec<(Quarter, Quarter)> = goals
        .iter()
        .flat_map(|g| g.checkpoints.iter())
        .filter_map(|c| c.window.as_deref().and_then(window))
        .collect();
    let first = windows.iter().map(|w| w.0).min()?;
    let last = windows.iter().map(|w| w.1).max()?;
    let mut columns = vec![first];
    while let Some(next) = columns.last().copied().and_then(Quarter::next) {
        if next > last || columns.len() >= 48 {
            break;
        }
        columns.push(next);
    }
    let column = |q: Quarter| columns.iter().position(|c| *c == q);
    let rows: Vec<crate::charts::TimelineRow> = goals
        .iter()
        .map(|g| crate::charts::TimelineRow {
            label: g.id.clone(),
            spans: g
                .checkpoints
                .iter()
                .filter_map(|c| {
                    let w = c.window.as_deref()?;
                    let (a, b) = window(w)?;
                    let end = column(b).unwrap_or(columns.len() - 1);
                    Some((
                        column(a)?,
                        end,
                        status_colour(c.status),
                        format!("{w} {}", c.status.danish()),
                    ))
                })
                .collect(),
        })
        .collect();
    let now = column(Quarter::containing(as_of));
    Some(crate::charts::timeline(
        "maal-diagram",
        "Mål og milepæle: planlagte kvartaler og status",
        &columns.iter().map(ToString::to_string).collect::<Vec<_>>(),
        &rows,
        now,
    ))
}

/// The proposal's realisation drawn: plan, realised, verified and forecast, cumulative per
/// year (no chart if a running sum overflows; the table beside it still says it all).
fn realisation_chart(real: &Realisation) -> Option<crate::charts::Chart> {
    use crate::charts::{grouped_bars, Series};
    let mut running = [Decimal::ZERO; 2];
    let mut verified = Vec::new();
    let mut forecast = Vec::new();
    for y in &real.years {
        running[0] = running[0].checked_add(y.realised_verified)?;
        running[1] = running[1].checked_add(y.forecast)?;
        verified.push(running[0]);
        forecast.push(running[1]);
    }
    let series = [
        Series {
            name: "Plan",
            colour: "#9aa5b1",
            values: real.years.iter().map(|y| y.cumulative_plan).collect(),
        },
        Series {
            name: "Realiseret",
            colour: "#1d4f91",
            values: real.years.iter().map(|y| y.cumulative_realised).collect(),
        },
        Series {
            name: "Heraf verificeret",
            colour: "#2e7d32",
            values: verified,
        },
        Series {
            name: "Prognose",
            colour: "#c77700",
            values: forecast,
        },
    ];
    let years: Vec<String> = real.years.iter().map(|y| y.year.to_string()).collect();
    Some(grouped_bars(
        "realisering-diagram",
        "Akkumuleret pr. år: plan, realiseret, verificeret og prognose",
        "1.000 kr., vist som beløb uden fortegn",
        &years,
        &series,
    ))
}

fn identity_facts(r: &ProposalReport, decision: &Decision) -> Vec<Fact> {
    let i = &r.identity;
    let names = r.names.clone().unwrap_or_default();
    let join = |items: Vec<String>| {
        if items.is_empty() {
            "–".to_string()
        } else {
            items.join(", ")
        }
    };
    let yes_no = |b: bool| if b { "ja" } else { "nej" }.to_string();
    let mut facts = vec![
        Fact {
            label: "Forslag",
            value: i.id.to_string(),
        },
        Fact {
            label: "Type",
            value: kind_label(i.kind).to_string(),
        },
        Fact {
            label: "Udvalg",
            value: names.committee_named(i.committee),
        },
        Fact {
            label: "Forelagt af",
            value: i
                .presenting_administration
                .map_or_else(|| "–".to_string(), |a| names.administration_named(a)),
        },
        Fact {
            label: "Berørte forvaltninger",
            value: join(
                i.affected_administrations
                    .iter()
                    .map(|a| names.administration_named(*a))
                    .collect(),
            ),
        },
        Fact {
            label: "Enheder",
            value: join(i.units.clone()),
        },
        Fact {
            label: "Budgetrunde",
            value: i.budget_round.clone(),
        },
        Fact {
            label: "Prisniveau",
            value: i.price_level.to_string(),
        },
        Fact {
            label: "Fortroligt",
            value: yes_no(i.confidential),
        },
        Fact {
            label: "Politisk prioritering",
            value: yes_no(i.political_priority),
        },
        Fact {
            label: "Indstilling",
            value: i
                .recommendation
                .map_or_else(|| "ikke angivet".to_string(), |x| x.danish().to_string()),
        },
        Fact {
            label: "Budgetbeslutning",
            value: decision.danish(),
        },
    ];
    facts.push(Fact {
        label: "Plan",
        value: if r.revision > 0 {
            format!("revision {}", r.revision)
        } else {
            "baselinen fra bilaget".to_string()
        },
    });
    facts
}

fn build_proposal_page(
    as_of: AsOf,
    r: &ProposalReport,
    real: &Realisation,
    goals: &[GoalRow],
    category: Option<StatusRow>,
) -> ProposalPage {
    let years = r.years.clone();
    let line_groups = [
        PlanSection::PermanentChange,
        PlanSection::ImplementationCost,
        PlanSection::LoanRepayment,
    ]
    .into_iter()
    .map(|section| LineGroup {
        name: section_label(section),
        lines: r
            .lines
            .iter()
            .filter(|l| l.section == section)
            .map(|l| LineRow {
                id: l.id.to_string(),
                label: l.label.clone(),
                area: format!(
                    "{}{}",
                    area_name(r.names.as_ref(), l.control_area),
                    if l.control_area_inferred {
                        " (udledt)"
                    } else {
                        ""
                    }
                ),
                committee: l
                    .committee
                    .map(|c| c.code().to_string())
                    .unwrap_or_default(),
                note: l.note.clone().unwrap_or_default(),
                cells: years
                    .iter()
                    .map(|y| danish(l.amounts.get_or_zero(*y).value()))
                    .collect(),
            })
            .collect(),
    })
    .filter(|g| !g.lines.is_empty())
    .collect();

    let totals: Vec<TotalView> = r
        .totals
        .iter()
        .map(|t| {
            let cells = |m: &std::collections::BTreeMap<i32, Decimal>| -> Vec<Cell> {
                years
                    .iter()
                    .map(|y| Cell {
                        text: danish(m.get(y).copied().unwrap_or_default()),
                        differs: t.differs_in.contains(y),
                    })
                    .collect()
            };
            TotalView {
                label: t.label.clone(),
                computed: cells(&t.computed),
                stated: t.stated.as_ref().map(cells),
                differs_in: t
                    .differs_in
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let any_total_differs = r.totals.iter().any(|t| !t.differs_in.is_empty());

    let payback = r
        .payback
        .iter()
        .map(|p| {
            let forecast = real
                .payback
                .iter()
                .find(|v| v.basis == p.basis)
                .map_or_else(
                    || "–".to_string(),
                    |v| {
                        v.forecast_withheld
                            .clone()
                            .unwrap_or_else(|| payback_text(v.forecast))
                    },
                );
            PaybackLine {
                basis: basis_label(p.basis),
                computed: payback_text(p.computed),
                stated: p.stated.map_or_else(
                    || "ikke angivet".to_string(),
                    |s| format!("{} år", danish(s)),
                ),
                forecast,
                differs: p
                    .stated
                    .is_some_and(|s| p.computed.map(|c| Decimal::from(c.years)) != Some(s)),
            }
        })
        .collect();

    let realisation = real
        .years
        .iter()
        .map(|y| YearRow {
            year: y.year,
            baseline: danish(y.baseline),
            plan: danish(y.plan),
            realised: danish(y.realised),
            verified: danish(y.realised_verified),
            forecast: danish(y.forecast),
            variance: danish(y.variance),
            rate: percent(y.rate),
            cost_budget: danish(y.cost_budget),
            cost_incurred: danish(y.cost_incurred),
            below_plan: !real.innovation
                && y.year < as_of.date.year()
                && y.plan < Decimal::ZERO
                && y.realised > y.plan,
            corrected: None,
        })
        .collect();
    let drift = format!(
        "Oprindelig baseline {} → plan nu {} (ændring {}{}) 1.000 kr.",
        danish(real.drift.baseline),
        danish(real.drift.current),
        danish(real.drift.amount),
        real.drift
            .percent
            .map(|p| format!(", {} %", danish_fixed(p, 1)))
            .unwrap_or_default()
    );
    let mut realisation_notes = Vec::new();
    if real.innovation {
        realisation_notes.push(
            "Innovationsforslag/foranalyse: vurderes på læringsmål, ikke på effektiviseringer."
                .to_string(),
        );
    }
    if !real.compensating_actions.is_empty() {
        realisation_notes.push(format!(
            "{} kompenserende handling(er) registreret.",
            real.compensating_actions.len()
        ));
    }
    let full = real.full_phase_in_year();
    if !real.administrative_effect.is_empty() {
        realisation_notes.push(format!(
            "Administrativ effekt (Tabel 2, hele forslaget) ved fuld indfasning: {} (1.000 kr.).",
            danish(
                full.and_then(|y| real.administrative_effect.get(&y).copied())
                    .unwrap_or_default()
            )
        ));
    }
    let shares: Vec<ProposalShareRow> = if real.by_committee.len() > 1 {
        real.by_committee
            .iter()
            .map(|c| ProposalShareRow {
                committee: c.committee.clone(),
                lead: c.lead,
                plan: years
                    .iter()
                    .map(|y| danish(c.plan.get(y).copied().unwrap_or_default()))
                    .collect(),
                appropriation: danish(
                    full.and_then(|y| c.appropriation_effect.get(&y).copied())
                        .unwrap_or_default(),
                ),
                realised: c.realised_total().map_or_else(|| "–".to_string(), danish),
            })
            .collect()
    } else {
        Vec::new()
    };
    for (committee, amount) in &real.budget_removed_by_committee {
        realisation_notes.push(format!(
            "Fjernet fra {committee}'s budgetramme: {} (1.000 kr.).",
            danish(*amount)
        ));
    }
    for c in &real.conversions {
        realisation_notes.push(format!(
            "Omregnet til planens prisniveau (hændelse {}): {} i {}-niveau er {} i {}-niveau med skønnet {}.",
            c.sequence,
            danish(c.amount),
            c.price_level,
            danish(c.converted),
            real.price_level,
            c.vintage
        ));
    }
    for u in &real.unconverted {
        realisation_notes.push(format!(
            "Ikke omregnet til planens prisniveau (hændelse {}): {}",
            u.sequence, u.reason
        ));
    }
    if !real.conversions.is_empty() || !real.unconverted.is_empty() {
        realisation_notes.push(real.price_index.as_ref().map_or_else(
            || "Prisindeks: intet skøn er i brug (se Prisindeks).".to_string(),
            |u| format!("Prisindeks i brug: {} ({}).", u.name, u.vintage),
        ));
    }

    ProposalPage {
        may_register: false,
        user: None,
        org: BudgetDocument::of(&r.identity, r.names.as_ref()).to_string(),
        as_of: as_of.date,
        known_on: as_of.known_text(),
        view: as_of.view().danish(),
        link: as_of.suffix(),
        export: as_of.export_query(Some(&r.identity.id), "", None),
        id: r.identity.id.to_string(),
        title: r.identity.title.clone(),
        facts: identity_facts(r, &real.decision),
        category,
        price_level: r.identity.price_level.to_string(),
        years,
        line_groups,
        totals,
        any_total_differs,
        payback,
        front_matter: r.front_matter.as_ref().map(FrontMatterView::from),
        findings: r.findings.iter().map(FindingRow::from).collect(),
        realisation,
        realisation_chart: realisation_chart(real),
        goal_chart: goal_chart(goals, as_of.date),
        drift,
        realisation_notes,
        shares,
        share_source: real.attribution_source.danish(),
        goals: goals.iter().map(GoalView::from).collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_kind_of_late_item_reads_in_danish() {
        for (kind, label) in [
            ("goal", "mål"),
            ("milestone", "milepæl"),
            ("saving", "effektivisering"),
            ("missing_report", "mangler indberetning"),
        ] {
            assert_eq!(late_kind_label(kind), label, "{kind}");
        }
    }

    use super::*;

    async fn body_of(response: Response) -> (StatusCode, String, String) {
        let status = response.status();
        let content_type = response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn error_pages_are_danish_html_with_their_status_and_escape_input() {
        let response =
            PageError::BadRequest("«<script>alert(1)</script>» er ikke et forslagsnummer".into())
                .into_response();
        let (status, content_type, body) = body_of(response).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(content_type, "text/html; charset=utf-8");
        assert!(body.contains("<html lang=\"da\">"), "{body}");
        assert!(body.contains("Ugyldig forespørgsel"), "{body}");
        assert!(body.contains("&#60;script&#62;alert(1)"), "escaped: {body}");
        assert!(!body.contains("<script>"), "{body}");
    }

    #[tokio::test]
    async fn internal_errors_show_no_details() {
        let response =
            PageError::Internal("connection refused to db-secret-host".into()).into_response();
        let (status, _, body) = body_of(response).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("Intern fejl"), "{body}");
        assert!(!body.contains("db-secret-host"), "{body}");
    }

    #[test]
    fn as_of_defaults_to_today_and_rejects_impossible_dates() {
        let q = |s: Option<&str>| {
            Ok(Query(DashboardQuery {
                as_of: s.map(str::to_string),
                known_on: None,
            }))
        };
        let chosen = AsOf::parse(q(Some("2025-10-01"))).unwrap();
        assert!(chosen.chosen);
        assert_eq!(chosen.suffix(), "?as_of=2025-10-01");
        for missing in [None, Some(""), Some("  ")] {
            let before = chrono::Utc::now().date_naive();
            let default = AsOf::parse(q(missing)).unwrap();
            let after = chrono::Utc::now().date_naive();
            assert!(!default.chosen);
            assert!(
                default.date == before || default.date == after,
                "{missing:?} means today ({before}), not {}",
                default.date
            );
            assert_eq!(default.suffix(), "");
        }
        assert!(matches!(
            AsOf::parse(q(Some("2025-13-01"))),
            Err(PageError::BadRequest(m)) if m.contains("2025-13-01")
        ));
    }

    #[test]
    fn amounts_are_shown_in_mio_with_one_decimal_and_rates_in_percent() {
        assert_eq!(mio(Decimal::new(-6_050, 0)), "-6,1");
        assert_eq!(mio(Decimal::new(122_480, 0)), "122,5");
        assert_eq!(percent(Some(Decimal::new(675, 3))), "68 %");
        assert_eq!(percent(None), "–");
    }
}
