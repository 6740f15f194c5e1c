//! Realisation against plan — the controllers' view. For each proposal and budget year: the
//! original baseline, the plan in force, what owners reported as realised (and what a
//! controller verified), the forecast, the variance and the realisation rate, also cumulated;
//! implementation costs against their budget; payback as planned and as now forecast; how far
//! revisions have moved the promise (baseline drift); and whether savings were actually taken
//! out of a committee's budget frame (cashable).
//!
//! Conventions (amounts in 1.000 kr. at the plan's price level; savings negative):
//! - **variance** = realised − plan: positive means less was saved than planned;
//! - **realisation rate** = realised ÷ plan (1 = as planned), absent when the plan is zero;
//! - **forecast** for a year = the sum of the latest forecast per plan line (or for the whole
//!   proposal) for that year; without one, the realised figure for a year that has ended and
//!   the plan for a year that has not;
//! - **forecast payback** uses actuals (realised savings, incurred costs) for years before the
//!   as-of year and forecasts (or the plan) from the as-of year on, with the payback rule of
//!   `gevinst_domain::payback`;
//! - an amount reported at another price level is converted with the price index
//!   (`gevinst_domain::price`); both values are kept, and an amount the index cannot convert is
//!   listed under `unconverted` and left out of the sums rather than guessed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use gevinst_domain::payback::{payback, plan_payback, Basis, Payback};
use gevinst_domain::price::PriceIndex;
use gevinst_domain::proposal::{Fact, Plan, PlanSection, ProposalIdentity};
use gevinst_domain::{ControlArea, PriceLevel, ProposalKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::add;
use crate::readmodel::{EntryRow, ProposalRow, ReadModelError};

/// One budget year of one proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct YearFigures {
    /// The year.
    pub year: i32,
    /// Permanent change in the original baseline.
    pub baseline: Decimal,
    /// Permanent change in the plan in force.
    pub plan: Decimal,
    /// Realised savings as reported (converted to the plan's price level).
    pub realised: Decimal,
    /// Of which verified by a controller.
    pub realised_verified: Decimal,
    /// Forecast for the year.
    pub forecast: Decimal,
    /// realised − plan.
    pub variance: Decimal,
    /// realised ÷ plan.
    pub rate: Option<Decimal>,
    /// Cumulative plan up to this year.
    pub cumulative_plan: Decimal,
    /// Cumulative realised up to this year.
    pub cumulative_realised: Decimal,
    /// Cumulative variance.
    pub cumulative_variance: Decimal,
    /// Cumulative rate.
    pub cumulative_rate: Option<Decimal>,
    /// Implementation cost budgeted (plan in force).
    pub cost_budget: Decimal,
    /// Implementation cost incurred (converted).
    pub cost_incurred: Decimal,
    /// Budget frame reductions recorded for the proposal's savings in this year.
    pub budget_removed: Decimal,
}

/// Plan and realised per year for one key of a breakdown (plan line, control area, committee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakdownRow {
    /// The key (plan line id, control area code or committee code; "—" when not given).
    pub key: String,
    /// Plan (in force) per year.
    pub plan: BTreeMap<i32, Decimal>,
    /// Realised per year.
    pub realised: BTreeMap<i32, Decimal>,
}

/// Implementation cost per control area and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostRow {
    /// Control area code.
    pub control_area: String,
    /// Year.
    pub year: i32,
    /// Budgeted.
    pub budget: Decimal,
    /// Incurred.
    pub incurred: Decimal,
}

/// Payback on one basis, planned and forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaybackView {
    /// Service or total economy.
    pub basis: Basis,
    /// From the plan in force.
    pub planned: Option<Payback>,
    /// From actuals to date and forecasts for the rest.
    pub forecast: Option<Payback>,
}

/// How far revisions moved the promise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Permanent change over all years, original baseline.
    pub baseline: Decimal,
    /// Permanent change over all years, plan in force.
    pub current: Decimal,
    /// current − baseline (positive: the promise was lowered).
    pub amount: Decimal,
    /// amount ÷ |baseline| × 100.
    pub percent: Option<Decimal>,
}

/// A realised amount that could not be converted to the plan's price level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unconverted {
    /// The entry's sequence.
    pub sequence: i64,
    /// Why.
    pub reason: String,
}

/// Everything about one proposal's realisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Realisation {
    /// `BC01` …
    pub proposal: String,
    /// Title.
    pub title: String,
    /// Committee code.
    pub committee: String,
    /// Kind code.
    pub kind: String,
    /// Innovation proposal or pre-study (judged on learning, not savings).
    pub innovation: bool,
    /// The plan's price level.
    pub price_level: i32,
    /// Per year.
    pub years: Vec<YearFigures>,
    /// By plan line.
    pub by_plan_line: Vec<BreakdownRow>,
    /// By control area.
    pub by_control_area: Vec<BreakdownRow>,
    /// By committee.
    pub by_committee: Vec<BreakdownRow>,
    /// Implementation cost per control area and year.
    pub costs: Vec<CostRow>,
    /// Payback, both bases.
    pub payback: Vec<PaybackView>,
    /// Baseline drift.
    pub drift: Drift,
    /// Amounts left out for want of a price index.
    pub unconverted: Vec<Unconverted>,
    /// Sequences of active compensating actions.
    pub compensating_actions: Vec<i64>,
    /// For innovation proposals: whether an outcome led to an investment case.
    pub led_to_investment_case: Option<bool>,
    /// Budget frame reductions per committee whose frame was reduced (all years).
    pub budget_removed_by_committee: BTreeMap<String, Decimal>,
}

fn permanent_by_year(plan: &Plan) -> BTreeMap<i32, Decimal> {
    plan.years
        .iter()
        .map(|y| {
            (
                *y,
                plan.computed_total(
                    gevinst_domain::proposal::TotalKind::PermanentChange,
                    None,
                    *y,
                ),
            )
        })
        .collect()
}

fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    (!denominator.is_zero()).then(|| (numerator / denominator).round_dp(4))
}

/// The latest active fact per key, by (effective date, sequence).
fn latest<K: Ord + Clone, T: Clone>(
    items: impl Iterator<Item = (K, NaiveDate, i64, T)>,
) -> BTreeMap<K, T> {
    let mut best: BTreeMap<K, (NaiveDate, i64, T)> = BTreeMap::new();
    for (k, d, s, v) in items {
        let replace = best.get(&k).is_none_or(|(bd, bs, _)| (d, s) >= (*bd, *bs));
        if replace {
            best.insert(k, (d, s, v));
        }
    }
    best.into_iter().map(|(k, (_, _, v))| (k, v)).collect()
}

/// Computes the realisation of one proposal as of `as_of` (only entries effective by then).
pub fn realisation(
    row: &ProposalRow,
    entries: &[EntryRow],
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Realisation, ReadModelError> {
    let identity: ProposalIdentity = row.identity()?;
    let current = row.current()?.unwrap_or_default();
    let baseline = row.baseline()?.unwrap_or_default();
    let plan_level = identity.price_level;
    let innovation = matches!(
        identity.kind,
        ProposalKind::Innovation | ProposalKind::PreStudy
    );

    let mut facts: Vec<(i64, Fact)> = Vec::new();
    for e in entries.iter().filter(|e| e.is_active()) {
        let fact = e.fact()?;
        if fact.effective_date() <= as_of {
            facts.push((e.sequence, fact));
        }
    }
    let verified: BTreeSet<i64> = facts
        .iter()
        .filter_map(|(_, f)| match f {
            Fact::SavingVerified(v) => i64::try_from(v.saving).ok(),
            _ => None,
        })
        .collect();

    let mut unconverted = Vec::new();
    let mut convert =
        |sequence: i64, amount: gevinst_domain::Amount, level: PriceLevel, area: ControlArea| {
            match index.convert(amount, level, plan_level, area) {
                Ok(a) => Some(a.value()),
                Err(e) => {
                    unconverted.push(Unconverted {
                        sequence,
                        reason: e.to_string(),
                    });
                    None
                }
            }
        };

    let plan_by_year = permanent_by_year(&current);
    let baseline_by_year = permanent_by_year(&baseline);
    let mut realised: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut realised_verified: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut realised_service: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut incurred: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut incurred_by_area: BTreeMap<(String, i32), Decimal> = BTreeMap::new();
    let mut by_line: BTreeMap<String, BTreeMap<i32, Decimal>> = BTreeMap::new();
    let mut by_area: BTreeMap<String, BTreeMap<i32, Decimal>> = BTreeMap::new();
    let mut by_committee: BTreeMap<String, BTreeMap<i32, Decimal>> = BTreeMap::new();
    let mut removed: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut removed_by_committee: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut compensating = Vec::new();
    let mut led_to_case = None;
    for (sequence, fact) in &facts {
        match fact {
            Fact::SavingRealised(s) => {
                let Some(v) = convert(*sequence, s.amount, s.price_level, s.control_area) else {
                    continue;
                };
                add(realised.entry(s.year).or_default(), v, "realiserede beløb")?;
                if verified.contains(sequence) {
                    add(
                        realised_verified.entry(s.year).or_default(),
                        v,
                        "realiserede beløb",
                    )?;
                }
                if s.control_area == ControlArea::Service {
                    add(
                        realised_service.entry(s.year).or_default(),
                        v,
                        "realiserede beløb",
                    )?;
                }
                let line = s
                    .plan_line
                    .as_ref()
                    .map_or("—".to_string(), ToString::to_string);
                add(
                    by_line.entry(line).or_default().entry(s.year).or_default(),
                    v,
                    "realiserede beløb",
                )?;
                add(
                    by_area
                        .entry(s.control_area.code().to_string())
                        .or_default()
                        .entry(s.year)
                        .or_default(),
                    v,
                    "realiserede beløb",
                )?;
                let committee = s.committee.unwrap_or(identity.committee).code().to_string();
                add(
                    by_committee
                        .entry(committee)
                        .or_default()
                        .entry(s.year)
                        .or_default(),
                    v,
                    "realiserede beløb",
                )?;
            }
            Fact::ImplementationCostIncurred(c) => {
                let Some(v) = convert(*sequence, c.amount, c.price_level, c.control_area) else {
                    continue;
                };
                add(
                    incurred.entry(c.year).or_default(),
                    v,
                    "afholdte omkostninger",
                )?;
                add(
                    incurred_by_area
                        .entry((c.control_area.code().to_string(), c.year))
                        .or_default(),
                    v,
                    "afholdte omkostninger",
                )?;
            }
            Fact::BudgetAdjusted(b) => {
                let Some(v) = convert(*sequence, b.amount, b.price_level, b.control_area) else {
                    continue;
                };
                add(removed.entry(b.year).or_default(), v, "budgetreduktioner")?;
                add(
                    removed_by_committee
                        .entry(b.committee.code().to_string())
                        .or_default(),
                    v,
                    "budgetreduktioner",
                )?;
            }
            Fact::CompensatingActionRecorded(_) => compensating.push(*sequence),
            Fact::InnovationOutcomeRecorded(o) => {
                led_to_case = Some(led_to_case.unwrap_or(false) || o.led_to_investment_case);
            }
            _ => {}
        }
    }

    // Forecasts: the latest per (section, year, plan line).
    let forecasts = latest(facts.iter().filter_map(|(seq, f)| match f {
        Fact::ForecastUpdated(x) => Some((
            (
                x.section,
                x.year,
                x.plan_line.as_ref().map(ToString::to_string),
                x.control_area,
            ),
            x.effective_on,
            *seq,
            (x.amount, x.price_level, x.control_area, *seq),
        )),
        _ => None,
    }));
    let mut forecast_saving: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut forecast_saving_service: BTreeMap<i32, Decimal> = BTreeMap::new();
    let mut forecast_cost: BTreeMap<i32, Decimal> = BTreeMap::new();
    for ((section, year, _, area), (amount, level, _, seq)) in &forecasts {
        let Some(v) = convert(*seq, *amount, *level, *area) else {
            continue;
        };
        match section {
            PlanSection::PermanentChange => {
                add(forecast_saving.entry(*year).or_default(), v, "prognoser")?;
                if *area == ControlArea::Service {
                    add(
                        forecast_saving_service.entry(*year).or_default(),
                        v,
                        "prognoser",
                    )?;
                }
            }
            PlanSection::ImplementationCost => {
                add(forecast_cost.entry(*year).or_default(), v, "prognoser")?;
            }
            PlanSection::LoanRepayment => {}
        }
    }

    let this_year = as_of.year();
    let years: BTreeSet<i32> = current
        .years
        .iter()
        .chain(baseline.years.iter())
        .copied()
        .chain(realised.keys().copied())
        .collect();
    let cost_budget = |y: i32| {
        current.computed_total(
            gevinst_domain::proposal::TotalKind::ImplementationCost,
            None,
            y,
        )
    };
    let mut rows = Vec::new();
    let (mut cum_plan, mut cum_real) = (Decimal::ZERO, Decimal::ZERO);
    for y in &years {
        let plan = plan_by_year.get(y).copied().unwrap_or_default();
        let real = realised.get(y).copied().unwrap_or_default();
        add(&mut cum_plan, plan, "planen")?;
        add(&mut cum_real, real, "de realiserede beløb")?;
        let forecast = forecast_saving
            .get(y)
            .copied()
            .unwrap_or(if *y < this_year { real } else { plan });
        rows.push(YearFigures {
            year: *y,
            baseline: baseline_by_year.get(y).copied().unwrap_or_default(),
            plan,
            realised: real,
            realised_verified: realised_verified.get(y).copied().unwrap_or_default(),
            forecast,
            variance: real - plan,
            rate: ratio(real, plan),
            cumulative_plan: cum_plan,
            cumulative_realised: cum_real,
            cumulative_variance: cum_real - cum_plan,
            cumulative_rate: ratio(cum_real, cum_plan),
            cost_budget: cost_budget(*y),
            cost_incurred: incurred.get(y).copied().unwrap_or_default(),
            budget_removed: removed.get(y).copied().unwrap_or_default(),
        });
    }

    // Forecast payback: actuals before the as-of year, forecasts (or plan) from it on.
    let service_plan = |y: i32| {
        current.computed_total(
            gevinst_domain::proposal::TotalKind::PermanentChange,
            Some(ControlArea::Service),
            y,
        )
    };
    let loan = |y: i32| -> Decimal {
        current
            .lines
            .iter()
            .filter(|l| l.section == PlanSection::LoanRepayment)
            .map(|l| l.amounts.get_or_zero(y).value())
            .sum()
    };
    let series = |basis: Basis| -> Vec<(i32, Decimal)> {
        years
            .iter()
            .map(|y| {
                let past = *y < this_year;
                let cost = if past {
                    incurred.get(y).copied().unwrap_or_default()
                } else {
                    forecast_cost
                        .get(y)
                        .copied()
                        .unwrap_or_else(|| cost_budget(*y))
                };
                let saving = match (basis, past) {
                    (Basis::Service, true) => realised_service.get(y).copied().unwrap_or_default(),
                    (Basis::Service, false) => forecast_saving_service
                        .get(y)
                        .copied()
                        .unwrap_or_else(|| service_plan(*y)),
                    (Basis::TotalEconomy, true) => realised.get(y).copied().unwrap_or_default(),
                    (Basis::TotalEconomy, false) => forecast_saving
                        .get(y)
                        .copied()
                        .unwrap_or_else(|| plan_by_year.get(y).copied().unwrap_or_default()),
                };
                let financing = if basis == Basis::TotalEconomy {
                    loan(*y)
                } else {
                    Decimal::ZERO
                };
                (*y, cost + saving + financing)
            })
            .collect()
    };
    let payback_views = [Basis::Service, Basis::TotalEconomy]
        .into_iter()
        .map(|basis| PaybackView {
            basis,
            planned: plan_payback(&current, basis),
            forecast: payback(&series(basis)),
        })
        .collect();

    let total = |m: &BTreeMap<i32, Decimal>| m.values().copied().sum::<Decimal>();
    let (b, c) = (total(&baseline_by_year), total(&plan_by_year));
    let drift = Drift {
        baseline: b,
        current: c,
        amount: c - b,
        percent: (!b.is_zero()).then(|| ((c - b) / b.abs() * Decimal::ONE_HUNDRED).round_dp(1)),
    };

    let plan_breakdown = |key: &dyn Fn(&gevinst_domain::proposal::PlanLine) -> String| {
        let mut m: BTreeMap<String, BTreeMap<i32, Decimal>> = BTreeMap::new();
        for l in current
            .lines
            .iter()
            .filter(|l| l.section == PlanSection::PermanentChange)
        {
            for (y, a) in l.amounts.iter() {
                *m.entry(key(l)).or_default().entry(*y).or_default() += a.value();
            }
        }
        m
    };
    let merge = |plan: BTreeMap<String, BTreeMap<i32, Decimal>>,
                 real: BTreeMap<String, BTreeMap<i32, Decimal>>| {
        let keys: BTreeSet<String> = plan.keys().chain(real.keys()).cloned().collect();
        keys.into_iter()
            .map(|k| BreakdownRow {
                plan: plan.get(&k).cloned().unwrap_or_default(),
                realised: real.get(&k).cloned().unwrap_or_default(),
                key: k,
            })
            .collect::<Vec<_>>()
    };
    let committee = identity.committee;
    let costs = {
        let mut keys: BTreeSet<(String, i32)> = incurred_by_area.keys().cloned().collect();
        for l in current
            .lines
            .iter()
            .filter(|l| l.section == PlanSection::ImplementationCost)
        {
            for y in l.amounts.keys() {
                keys.insert((l.control_area.code().to_string(), *y));
            }
        }
        keys.into_iter()
            .map(|(area, year)| CostRow {
                budget: current
                    .lines
                    .iter()
                    .filter(|l| {
                        l.section == PlanSection::ImplementationCost
                            && l.control_area.code() == area
                    })
                    .map(|l| l.amounts.get_or_zero(year).value())
                    .sum(),
                incurred: incurred_by_area
                    .get(&(area.clone(), year))
                    .copied()
                    .unwrap_or_default(),
                control_area: area,
                year,
            })
            .collect()
    };
    Ok(Realisation {
        proposal: row.proposal_id.clone(),
        title: row.title.clone(),
        committee: row.committee.clone(),
        kind: row.kind.clone(),
        innovation,
        price_level: plan_level.year(),
        years: rows,
        by_plan_line: merge(plan_breakdown(&|l| l.id.to_string()), by_line),
        by_control_area: merge(
            plan_breakdown(&|l| l.control_area.code().to_string()),
            by_area,
        ),
        by_committee: merge(
            plan_breakdown(&|l| l.committee.unwrap_or(committee).code().to_string()),
            by_committee,
        ),
        costs,
        payback: payback_views,
        drift,
        unconverted,
        compensating_actions: compensating,
        led_to_investment_case: led_to_case,
        budget_removed_by_committee: removed_by_committee,
    })
}
