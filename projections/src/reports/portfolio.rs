//! The portfolio: the appendix's Tabel 1 (per committee: number of proposals, investment,
//! savings at full phase-in) rebuilt from the events, with realised-to-date and forecast
//! columns; what is late; and the status controllers report to committees.
//!
//! # Committee status (the municipality's categories for investment-pool proposals)
//! Evaluated as of a date, with the reasons listed:
//! - **rød**: a problem — an overdue goal, or an ended year whose realised savings fell short
//!   of the plan — and no compensating action recorded by the owner;
//! - **forsinket med kompenserende handlinger**: such a problem, and at least one compensating
//!   action recorded;
//! - **fuldt implementeret**: every goal achieved (or cancelled) and, once the full phase-in
//!   year has ended, its savings realised at least as planned;
//! - **følger plan**: otherwise.
//!
//! Innovation proposals and pre-studies (BC03, BC04) are judged on their learning goals and on
//! whether an outcome was recorded (and led to an investment case), never on savings: they are
//! *fuldt implementeret* once an outcome is recorded, and only overdue goals count as problems.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use gevinst_domain::price::PriceIndex;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::add;
use super::goals::{goals, GoalRow};
use super::realisation::{realisation, Realisation, YearFigures};
use super::status::GoalStatus;
use crate::readmodel::{ReadModelError, ReadModels};

/// One committee's line in the rebuilt Tabel 1 (amounts in 1.000 kr.; `_mio` in mio. kr. with
/// one decimal, rounded half away from zero as the appendix does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CommitteeLine {
    /// Committee code, or "I alt".
    pub committee: String,
    /// Number of proposals.
    pub proposals: usize,
    /// Of which innovation proposals and pre-studies.
    pub innovation_proposals: usize,
    /// Investment over all years.
    pub investment: Decimal,
    /// Investment, mio. kr.
    pub investment_mio: Decimal,
    /// Permanent change on service at full phase-in.
    pub savings_full_phase_in: Decimal,
    /// The same, mio. kr.
    pub savings_full_phase_in_mio: Decimal,
    /// Realised savings in years up to and including the as-of year.
    pub realised_to_date: Decimal,
    /// Of which verified.
    pub realised_to_date_verified: Decimal,
    /// Forecast for the full phase-in year.
    pub forecast_full_phase_in: Decimal,
    /// Savings actually taken out of this committee's budget frame (budget adjustments,
    /// negative): the cashable part, to compare with `realised_to_date`.
    pub budget_removed: Decimal,
    /// How many figures came from summaries already rounded to 0,1 mio. kr. (confidential).
    pub published_only: usize,
}

/// Goal status counts.
pub type StatusCounts = BTreeMap<GoalStatus, usize>;

/// The whole portfolio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    /// As of (business date).
    pub as_of: NaiveDate,
    /// Known on (recorded time): only events recorded by then; `None` for everything.
    pub known_on: Option<chrono::DateTime<chrono::Utc>>,
    /// Tabel 1, per committee.
    pub committees: Vec<CommitteeLine>,
    /// Tabel 1, "I alt".
    pub total: CommitteeLine,
    /// Per proposal.
    pub proposals: Vec<Realisation>,
    /// Goal status counts per proposal.
    pub goal_counts_by_proposal: BTreeMap<String, StatusCounts>,
    /// Goal status counts per committee.
    pub goal_counts_by_committee: BTreeMap<String, StatusCounts>,
    /// Goal status counts for the portfolio.
    pub goal_counts: StatusCounts,
}

fn mio(thousands: Decimal) -> Decimal {
    (thousands / Decimal::ONE_THOUSAND)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

fn full_phase_in_year(r: &Realisation) -> Option<i32> {
    r.years
        .iter()
        .filter(|y| !y.plan.is_zero())
        .map(|y| y.year)
        .max()
}

/// The portfolio together with every goal row it was built from: what the late list and the
/// committee status are derived from, so a page showing all three computes them once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The portfolio.
    pub portfolio: Portfolio,
    /// Every goal and milestone with its status as of the portfolio's date.
    pub goals: Vec<GoalRow>,
}

/// Builds the portfolio as of `as_of`.
pub async fn portfolio(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Portfolio, ReadModelError> {
    Ok(overview(read, index, as_of).await?.portfolio)
}

/// Ended years whose realised savings fell short of the plan (innovation proposals are not
/// judged on savings, but the late list shows any shortfall).
fn shortfalls(r: &Realisation, as_of: NaiveDate) -> impl Iterator<Item = &YearFigures> {
    r.years
        .iter()
        .filter(move |y| y.year < as_of.year() && y.plan < Decimal::ZERO && y.realised > y.plan)
}

/// Builds the portfolio and the goal rows as of `as_of`, reading each proposal once.
pub async fn overview(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Overview, ReadModelError> {
    let rows = read.proposals().await?;
    let goal_rows = goals(read, None, as_of).await?;
    let mut committees: BTreeMap<String, CommitteeLine> = BTreeMap::new();
    let mut proposals = Vec::new();
    for row in &rows {
        let entries = read.entries(Some(&row.proposal_id)).await?;
        let r = realisation(row, &entries, index, as_of)?;
        let plan = row.current()?.unwrap_or_default();
        let headline = plan.headline();
        let line = committees.entry(row.committee.clone()).or_default();
        line.committee = row.committee.clone();
        line.proposals += 1;
        line.innovation_proposals += usize::from(r.innovation);
        add(
            &mut line.investment,
            headline.investment_total(),
            "investeringer",
        )?;
        add(
            &mut line.savings_full_phase_in,
            headline.savings_service,
            "planlagte besparelser",
        )?;
        line.published_only += usize::from(headline.published_only);
        for y in r.years.iter().filter(|y| y.year <= as_of.year()) {
            add(&mut line.realised_to_date, y.realised, "realiserede beløb")?;
            add(
                &mut line.realised_to_date_verified,
                y.realised_verified,
                "verificerede beløb",
            )?;
        }
        if let Some(last) = full_phase_in_year(&r) {
            add(
                &mut line.forecast_full_phase_in,
                r.years
                    .iter()
                    .find(|y| y.year == last)
                    .map_or(Decimal::ZERO, |y| y.forecast),
                "prognoser",
            )?;
        } else if headline.published_only {
            add(
                &mut line.forecast_full_phase_in,
                headline.savings_service,
                "prognoser",
            )?;
        }
        for (committee, amount) in &r.budget_removed_by_committee {
            let line = committees.entry(committee.clone()).or_default();
            line.committee = committee.clone();
            add(&mut line.budget_removed, *amount, "budgetreduktioner")?;
        }
        proposals.push(r);
    }
    let mut total = CommitteeLine {
        committee: "I alt".to_string(),
        ..CommitteeLine::default()
    };
    let mut lines: Vec<CommitteeLine> = committees.into_values().collect();
    for l in &mut lines {
        l.investment_mio = mio(l.investment);
        l.savings_full_phase_in_mio = mio(l.savings_full_phase_in);
        total.proposals += l.proposals;
        total.innovation_proposals += l.innovation_proposals;
        add(&mut total.investment, l.investment, "investeringer")?;
        add(
            &mut total.savings_full_phase_in,
            l.savings_full_phase_in,
            "planlagte besparelser",
        )?;
        add(
            &mut total.realised_to_date,
            l.realised_to_date,
            "realiserede beløb",
        )?;
        add(
            &mut total.realised_to_date_verified,
            l.realised_to_date_verified,
            "verificerede beløb",
        )?;
        add(
            &mut total.forecast_full_phase_in,
            l.forecast_full_phase_in,
            "prognoser",
        )?;
        add(
            &mut total.budget_removed,
            l.budget_removed,
            "budgetreduktioner",
        )?;
        total.published_only += l.published_only;
    }
    total.investment_mio = mio(total.investment);
    total.savings_full_phase_in_mio = mio(total.savings_full_phase_in);

    let mut by_proposal: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut by_committee: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut all = StatusCounts::new();
    for g in &goal_rows {
        *by_proposal
            .entry(g.proposal.clone())
            .or_default()
            .entry(g.status)
            .or_default() += 1;
        *by_committee
            .entry(g.committee.clone())
            .or_default()
            .entry(g.status)
            .or_default() += 1;
        *all.entry(g.status).or_default() += 1;
    }
    Ok(Overview {
        portfolio: Portfolio {
            as_of,
            known_on: read.known_instant(),
            committees: lines,
            total,
            proposals,
            goal_counts_by_proposal: by_proposal,
            goal_counts_by_committee: by_committee,
            goal_counts: all,
        },
        goals: goal_rows,
    })
}

/// Something late: an overdue goal or milestone, or an ended year below plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateItem {
    /// Proposal.
    pub proposal: String,
    /// Committee.
    pub committee: String,
    /// "goal", "milestone" or "saving".
    pub kind: String,
    /// Goal/milestone id, or the year.
    pub what: String,
    /// A description.
    pub description: String,
    /// For savings: the shortfall (realised − plan), 1.000 kr.
    pub shortfall: Decimal,
    /// For goals: days past the end of the earliest overdue checkpoint.
    pub days_overdue: Option<i64>,
}

fn days_overdue(g: &GoalRow, as_of: NaiveDate) -> Option<i64> {
    g.checkpoints
        .iter()
        .filter(|c| c.status == GoalStatus::Overdue)
        .filter_map(|c| c.window.as_deref())
        .filter_map(|w| {
            let end = w.rsplit('–').next()?;
            end.parse::<gevinst_domain::period::Quarter>().ok()
        })
        .map(|q| (as_of - q.last_day()).num_days())
        .max()
}

/// Everything late as of `as_of`, largest first: shortfalls by amount, then goals by days.
pub async fn late(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Vec<LateItem>, ReadModelError> {
    Ok(late_items(&overview(read, index, as_of).await?))
}

/// The late list of an [`Overview`].
#[must_use]
pub fn late_items(o: &Overview) -> Vec<LateItem> {
    let as_of = o.portfolio.as_of;
    let mut items = Vec::new();
    for r in &o.portfolio.proposals {
        for y in shortfalls(r, as_of) {
            items.push(LateItem {
                proposal: r.proposal.clone(),
                committee: r.committee.clone(),
                kind: "saving".into(),
                what: y.year.to_string(),
                description: format!(
                    "realiseret {} mod plan {} (1.000 kr.)",
                    y.realised.normalize(),
                    y.plan.normalize()
                ),
                shortfall: y.realised - y.plan,
                days_overdue: None,
            });
        }
    }
    for g in o.goals.iter().filter(|g| g.status == GoalStatus::Overdue) {
        items.push(LateItem {
            days_overdue: days_overdue(g, as_of),
            proposal: g.proposal.clone(),
            committee: g.committee.clone(),
            kind: g.kind.to_string(),
            what: g.id.clone(),
            description: format!("{} (Hvornår: {})", g.text, g.when),
            shortfall: Decimal::ZERO,
        });
    }
    items.sort_by(|a, b| {
        b.shortfall
            .cmp(&a.shortfall)
            .then(b.days_overdue.cmp(&a.days_overdue))
            .then(a.proposal.cmp(&b.proposal))
            .then(a.what.cmp(&b.what))
    });
    items
}

/// The status categories reported to committees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Fuldt implementeret.
    FuldtImplementeret,
    /// Følger plan.
    FoelgerPlan,
    /// Forsinket med kompenserende handlinger.
    ForsinketMedKompenserendeHandlinger,
    /// Rød.
    Roed,
}

impl Category {
    /// The Danish label.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Category::FuldtImplementeret => "fuldt implementeret",
            Category::FoelgerPlan => "følger plan",
            Category::ForsinketMedKompenserendeHandlinger => {
                "forsinket med kompenserende handlinger"
            }
            Category::Roed => "rød",
        }
    }
}

/// A proposal's status for the committee, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeStatus {
    /// Proposal.
    pub proposal: String,
    /// Committee.
    pub committee: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: Category,
    /// The criteria that decided it.
    pub reasons: Vec<String>,
}

/// The committee status of every proposal as of `as_of`.
pub async fn committee_status(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Vec<CommitteeStatus>, ReadModelError> {
    Ok(statuses(&overview(read, index, as_of).await?))
}

/// The committee status of every proposal of an [`Overview`].
#[must_use]
pub fn statuses(o: &Overview) -> Vec<CommitteeStatus> {
    let as_of = o.portfolio.as_of;
    let goal_rows = &o.goals;
    let mut out = Vec::new();
    for r in &o.portfolio.proposals {
        let own: Vec<&GoalRow> = goal_rows
            .iter()
            .filter(|g| g.proposal == r.proposal)
            .collect();
        let mut problems = Vec::new();
        for g in own.iter().filter(|g| g.status == GoalStatus::Overdue) {
            problems.push(format!(
                "{} {} er overskredet ({})",
                g.kind_danish(),
                g.id,
                g.when
            ));
        }
        if !r.innovation {
            for y in shortfalls(r, as_of) {
                problems.push(format!(
                    "{}: realiseret {} mod plan {} (1.000 kr.)",
                    y.year,
                    y.realised.normalize(),
                    y.plan.normalize()
                ));
            }
        }
        let all_done = !own.is_empty()
            && own.iter().all(|g| {
                matches!(
                    g.status,
                    GoalStatus::AchievedOnTime | GoalStatus::AchievedLate | GoalStatus::Cancelled
                )
            });
        let phase_in_met = full_phase_in_year(r).is_some_and(|last| {
            last < as_of.year()
                && r.years
                    .iter()
                    .find(|y| y.year == last)
                    .is_some_and(|y| y.realised <= y.plan)
        });
        let (category, mut reasons) = if !problems.is_empty() {
            if r.compensating_actions.is_empty() {
                (Category::Roed, problems)
            } else {
                problems.push(format!(
                    "{} kompenserende handling(er) registreret",
                    r.compensating_actions.len()
                ));
                (Category::ForsinketMedKompenserendeHandlinger, problems)
            }
        } else if r.innovation && r.led_to_investment_case.is_some() {
            let led = r.led_to_investment_case == Some(true);
            (
                Category::FuldtImplementeret,
                vec![format!(
                    "læring dokumenteret; {}",
                    if led {
                        "førte til en investeringscase"
                    } else {
                        "førte ikke til en investeringscase"
                    }
                )],
            )
        } else if all_done && (r.innovation || phase_in_met) {
            (
                Category::FuldtImplementeret,
                vec![
                    "alle mål opnået, og effektiviseringen er realiseret ved fuld indfasning"
                        .into(),
                ],
            )
        } else {
            (
                Category::FoelgerPlan,
                vec!["ingen overskredne mål eller år under plan".into()],
            )
        };
        if r.innovation && category != Category::FuldtImplementeret {
            reasons.push(
                "innovationsforslag/foranalyse: vurderes på læringsmål, ikke effektiviseringer"
                    .into(),
            );
        }
        out.push(CommitteeStatus {
            proposal: r.proposal.clone(),
            committee: r.committee.clone(),
            title: r.title.clone(),
            category,
            reasons,
        });
    }
    out
}
