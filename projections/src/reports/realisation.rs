//! Realisation against plan — the controllers' view. For each proposal and budget year: the
//! original baseline, the plan in force, what owners reported as realised (and what a
//! controller verified), the forecast, the variance and the realisation rate, also cumulated;
//! implementation costs against their budget; payback as planned and as now forecast; how far
//! revisions have moved the promise (baseline drift); and whether savings were actually taken
//! out of a committee's budget frame (cashable).
//!
//! # Why missing is not zero
//!
//! A year that has ended with nothing reported is *mangler indberetning*, not a year that saved
//! (or cost) nothing: read as zero, a missing cost report makes an investment look cheaper and
//! its payback shorter (BC02's 5 years became 1). So every year says whether its savings and its
//! costs rest on a report ([`ReportState`]), and the forecast payback says which figure each year
//! rests on ([`Source`]) and is withheld where a past year's cost is unreported.
//!
//! # Conventions (amounts in 1.000 kr. at the plan's price level; savings negative)
//!
//! - **variance** = realised − plan: positive means less was saved than planned (for a year
//!   with a missing report it is shown, but the committee status does not read it as a
//!   shortfall);
//! - **realisation rate** = realised ÷ plan (1 = as planned), absent when the plan is zero;
//! - **forecast** for a year = the sum of the latest forecast per plan line (or for the whole
//!   proposal) for that year; without one, the plan;
//! - **forecast payback** (the rule of `gevinst_domain::payback`) takes, per year and for costs
//!   and savings separately: before the as-of year the reported figure, or — for savings without
//!   a report — the forecast or the plan; from the as-of year on, the forecast or the plan. A past
//!   year with planned costs and neither a cost report nor a cost forecast makes it *kan ikke beregnes*: `forecast` is
//!   absent and `forecast_withheld` says why;
//! - **financing flows** (an internal loan's repayment, BC04) are obligations, listed in
//!   `obligations`, never part of payback: repaying a loan earns nothing back;
//! - an amount reported at another price level is converted with the price index
//!   (`gevinst_domain::price`); both values are kept, and an amount the index cannot convert is
//!   listed under `unconverted` and left out of the sums rather than guessed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use gevinst_domain::payback::{payback, plan_payback, Basis, Payback};
use gevinst_domain::price::PriceIndex;
use gevinst_domain::proposal::{Attribution, AttributionSource, Fact, Plan, PlanSection};
use gevinst_domain::{Amount, Committee, ControlArea, PriceLevel, ProposalKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::add;
use crate::readmodel::{Entry, ProposalRow, ReadModelError, ReadModels};
use std::sync::Arc;

/// Whether a year's figures rest on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Something was reported for the year.
    Reported,
    /// The year has ended, something was planned, nothing was reported.
    MissingReport,
    /// The year has not ended and nothing is reported yet.
    #[default]
    NotDue,
    /// The year has ended with nothing planned and nothing reported.
    NothingPlanned,
}

impl ReportState {
    fn of(reported: bool, ended: bool, planned: bool) -> ReportState {
        match (reported, ended, planned) {
            (true, _, _) => ReportState::Reported,
            (false, false, _) => ReportState::NotDue,
            (false, true, true) => ReportState::MissingReport,
            (false, true, false) => ReportState::NothingPlanned,
        }
    }

    /// The Danish label.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            ReportState::Reported => "indberettet",
            ReportState::MissingReport => "mangler indberetning",
            ReportState::NotDue => "ikke afsluttet",
            ReportState::NothingPlanned => "intet planlagt",
        }
    }
}

/// What a year's figure in the forecast payback rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Reported actuals.
    Reported,
    /// The owner's latest forecast.
    Forecast,
    /// The plan in force.
    #[default]
    Plan,
    /// Nothing reported for an ended year that planned something: the payback is withheld.
    Missing,
}

impl Source {
    /// The Danish label.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            Source::Reported => "indberettet",
            Source::Forecast => "prognose",
            Source::Plan => "plan",
            Source::Missing => "mangler indberetning",
        }
    }
}

/// The sources of one year of the forecast payback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearSource {
    /// The year.
    pub year: i32,
    /// Where its implementation cost comes from.
    pub cost: Source,
    /// Where its saving comes from.
    pub saving: Source,
}

/// A financing flow the proposal owes (outside payback), 1.000 kr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// The plan line.
    pub plan_line: String,
    /// What it is, as the plan names it.
    pub label: String,
    /// The year.
    pub year: i32,
    /// The amount as the plan states it.
    pub amount: Decimal,
}

/// A compensating action and what it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompensatingRef {
    /// Its sequence.
    pub sequence: i64,
    /// The goal it answers, if one.
    pub goal: Option<String>,
    /// The year whose shortfall it answers, if one.
    pub year: Option<i32>,
}

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
    /// Whether the savings rest on a report.
    pub savings_report: ReportState,
    /// Whether the implementation costs rest on a report.
    pub cost_report: ReportState,
    /// Some of the year's realised savings are verified: the committee status judges the
    /// verified figure.
    pub verified: bool,
    /// Where `forecast` comes from: a forecast event or the plan.
    pub forecast_source: Source,
}

impl YearFigures {
    /// The realised savings a controller judges the year by: the verified figure where the
    /// year has verified savings, else the reported one.
    #[must_use]
    pub fn judged(&self) -> Decimal {
        if self.verified {
            self.realised_verified
        } else {
            self.realised
        }
    }
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

/// One committee's share of a proposal, per year (1.000 kr., savings negative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeShare {
    /// Committee code.
    pub committee: String,
    /// The committee Tabel 1 books the proposal on.
    pub lead: bool,
    /// The planned share (måltalseffekt), per year.
    pub plan: BTreeMap<i32, Decimal>,
    /// The appropriation effect (bevillingsmæssig effekt), per year.
    pub appropriation_effect: BTreeMap<i32, Decimal>,
    /// Realised: the savings naming the committee, and its part of those naming none.
    pub realised: BTreeMap<i32, Decimal>,
    /// Of which verified.
    pub realised_verified: BTreeMap<i32, Decimal>,
}

impl CommitteeShare {
    /// Realised over all years; `None` if the sum overflows (shown as "–").
    #[must_use]
    pub fn realised_total(&self) -> Option<Decimal> {
        self.realised
            .values()
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))
    }
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
    /// From actuals to date and forecasts for the rest; absent when withheld.
    pub forecast: Option<Payback>,
    /// Why the forecast is withheld ("kan ikke beregnes: …"), if it is.
    pub forecast_withheld: Option<String>,
    /// What each year of the forecast rests on.
    pub forecast_sources: Vec<YearSource>,
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

/// One amount converted to the plan's price level, and the estimate that converted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// The entry's sequence.
    pub sequence: i64,
    /// The amount as reported (1.000 kr.).
    pub amount: Decimal,
    /// The price level it was reported at.
    pub price_level: i32,
    /// The amount at the plan's price level.
    pub converted: Decimal,
    /// The vintage's code.
    pub vintage: String,
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
    /// Confidential: only the public summary row is known.
    pub confidential: bool,
    /// The plan's price level.
    pub price_level: i32,
    /// Per year.
    pub years: Vec<YearFigures>,
    /// By plan line.
    pub by_plan_line: Vec<BreakdownRow>,
    /// By control area.
    pub by_control_area: Vec<BreakdownRow>,
    /// By committee: each committee's share (lead committee first), by the attribution rule of
    /// `gevinst_domain::proposal::attribution`.
    pub by_committee: Vec<CommitteeShare>,
    /// Where the committee shares come from (the document's tables, or the plan lines).
    pub attribution_source: AttributionSource,
    /// Where the appropriation effect comes from.
    pub appropriation_source: AttributionSource,
    /// The administrative effect of the whole proposal (Tabel 2's total row), per year.
    pub administrative_effect: BTreeMap<i32, Decimal>,
    /// Implementation cost per control area and year.
    pub costs: Vec<CostRow>,
    /// Payback, both bases.
    pub payback: Vec<PaybackView>,
    /// Baseline drift.
    pub drift: Drift,
    /// Amounts left out for want of a price index.
    pub unconverted: Vec<Unconverted>,
    /// Amounts reported at another price level, each with what it converted to and with which
    /// estimate.
    pub conversions: Vec<Conversion>,
    /// The price-index estimate in use as of the report's recorded cut-off, if any: the one
    /// every conversion here used.
    pub price_index: Option<super::price_level::IndexUsed>,
    /// Sequences of active compensating actions.
    pub compensating_actions: Vec<i64>,
    /// The same with what each names.
    pub compensating_targets: Vec<CompensatingRef>,
    /// Financing flows (loan repayment), outside payback.
    pub obligations: Vec<Obligation>,
    /// For innovation proposals: whether an outcome led to an investment case.
    pub led_to_investment_case: Option<bool>,
    /// Budget frame reductions per committee whose frame was reduced (all years).
    pub budget_removed_by_committee: BTreeMap<String, Decimal>,
    /// The budget decision as of the report's date (awaiting it until one is recorded).
    pub decision: super::decision::Decision,
}

/// Per committee: realised and, of that, verified, per year.
type RealisedByCommittee = BTreeMap<Committee, (BTreeMap<i32, Decimal>, BTreeMap<i32, Decimal>)>;

/// Every committee with a share (the lead first), then any other a saving named.
fn committee_shares(
    attribution: &gevinst_domain::proposal::Attribution,
    mut realised: RealisedByCommittee,
) -> Vec<CommitteeShare> {
    let mut committees = attribution.committees();
    let named: Vec<Committee> = realised
        .keys()
        .copied()
        .filter(|c| !committees.contains(c))
        .collect();
    committees.extend(named);
    committees
        .into_iter()
        .map(|c| {
            let (real, ver) = realised.remove(&c).unwrap_or_default();
            CommitteeShare {
                committee: c.code().to_string(),
                lead: c == attribution.lead,
                plan: attribution
                    .target_effect
                    .get(&c)
                    .cloned()
                    .unwrap_or_default(),
                appropriation_effect: attribution
                    .appropriation_effect
                    .get(&c)
                    .cloned()
                    .unwrap_or_default(),
                realised: real,
                realised_verified: ver,
            }
        })
        .collect()
}

impl Realisation {
    /// The committees with a share of the proposal, the lead committee first.
    #[must_use]
    pub fn committees(&self) -> Vec<String> {
        self.by_committee
            .iter()
            .map(|c| c.committee.clone())
            .collect()
    }

    /// The last year with a planned permanent change (full phase-in), if any.
    #[must_use]
    pub fn full_phase_in_year(&self) -> Option<i32> {
        self.years
            .iter()
            .filter(|y| !y.plan.is_zero())
            .map(|y| y.year)
            .max()
    }
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

/// Proposal `id`'s realisation as the read models hold it; `None` when there is no such
/// proposal.
pub async fn proposal_realisation(
    read: &ReadModels,
    id: &str,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Option<Realisation>, ReadModelError> {
    let Some(row) = read.proposal(id).await? else {
        return Ok(None);
    };
    let entries = read.decoded_entries(&row).await?;
    realisation(&row, entries.entries(), index, as_of).map(Some)
}

/// Computes the realisation of one proposal as of `as_of` (only entries effective by then).
pub fn realisation(
    row: &ProposalRow,
    entries: &[Arc<Entry>],
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Realisation, ReadModelError> {
    let sequence = entries.last().map_or(0, |e| e.row.sequence);
    Tally::of(row, entries, sequence, index, as_of)?.into_realisation(row, index, as_of)
}

/// A forecast's key: the latest forecast per section, year, plan line and control area counts.
type ForecastKey = (PlanSection, i32, Option<String>, ControlArea);

/// A forecast as it counts: its amount, price level, control area and sequence.
type ForecastFigure = (Amount, PriceLevel, ControlArea, i64);

/// What a proposal's realisation sums from its active facts, folded in sequence order, with
/// the amounts converted to the plan's price level on the way.
///
/// Why a type of its own: under writes, every portfolio read computes again each proposal the
/// writes changed, and folding all its facts again (converting every amount, splitting every
/// saving over the committees) made the read's cost grow with the stream. A kept tally takes
/// only the facts added since ([`Tally::extended`]); where adding cannot give what folding
/// everything again would (the plan or identity changed, a folded entry was corrected, a new
/// fact verifies a saving), it says so and the caller folds a new one. Only the sums are
/// kept: [`Tally::realisation`] works out the rest (years, payback, breakdowns) each time.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// The stream sequence the folded entries stood at.
    sequence: i64,
    /// The proposal row's `changed_position` (its identity and plans) when it was folded.
    plan_position: i64,
    /// Who shares the savings that name no committee.
    attribution: Arc<Attribution>,
    /// Sequences of the verified savings.
    verified: BTreeSet<i64>,
    realised: BTreeMap<i32, Decimal>,
    realised_verified: BTreeMap<i32, Decimal>,
    realised_service: BTreeMap<i32, Decimal>,
    incurred: BTreeMap<i32, Decimal>,
    incurred_by_area: BTreeMap<(String, i32), Decimal>,
    by_line: BTreeMap<String, BTreeMap<i32, Decimal>>,
    by_area: BTreeMap<String, BTreeMap<i32, Decimal>>,
    /// Per committee: realised and verified per year.
    by_committee: RealisedByCommittee,
    removed: BTreeMap<i32, Decimal>,
    removed_by_committee: BTreeMap<String, Decimal>,
    compensating: Vec<i64>,
    compensating_targets: Vec<CompensatingRef>,
    saving_reported: BTreeSet<i32>,
    cost_reported: BTreeSet<i32>,
    led_to_case: Option<bool>,
    /// The latest forecast per key, by (effective date, sequence).
    forecasts: BTreeMap<ForecastKey, (NaiveDate, i64, ForecastFigure)>,
    /// The last budget decision, with its sequence.
    decided: Option<(i64, Fact)>,
    converted: Converted,
}

/// Amounts converted to the plan's price level, and those the index could not convert.
#[derive(Debug, Clone)]
struct Converted {
    /// The plan's price level.
    to: PriceLevel,
    conversions: Vec<Conversion>,
    unconverted: Vec<Unconverted>,
}

impl Converted {
    /// `amount` at `level` converted to the plan's level, noted as a conversion when the levels
    /// differ; `None`, noted as unconverted, when the index cannot convert it.
    fn convert(
        &mut self,
        index: &PriceIndex,
        sequence: i64,
        amount: Amount,
        level: PriceLevel,
        area: ControlArea,
    ) -> Option<Decimal> {
        match index.convert(amount, level, self.to, area) {
            Ok(a) => {
                if let (true, Some(v)) = (level != self.to, index.in_use()) {
                    self.conversions.push(Conversion {
                        sequence,
                        amount: amount.value(),
                        price_level: level.year(),
                        converted: a.value(),
                        vintage: v.id.to_string(),
                    });
                }
                Some(a.value())
            }
            Err(e) => {
                self.unconverted.push(Unconverted {
                    sequence,
                    reason: e.to_string(),
                });
                None
            }
        }
    }
}

impl Tally {
    /// The tally of `row`'s `entries` (as they stood at stream sequence `sequence`) as of
    /// `as_of`, folded from the first.
    pub(crate) fn of(
        row: &ProposalRow,
        entries: &[Arc<Entry>],
        sequence: i64,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Self, ReadModelError> {
        let identity = row.identity()?;
        let current = row.current()?.unwrap_or_default();
        let mut tally = Tally {
            sequence,
            plan_position: row.changed_position,
            attribution: Arc::new(current.attribution(identity.committee)),
            verified: BTreeSet::new(),
            realised: BTreeMap::new(),
            realised_verified: BTreeMap::new(),
            realised_service: BTreeMap::new(),
            incurred: BTreeMap::new(),
            incurred_by_area: BTreeMap::new(),
            by_line: BTreeMap::new(),
            by_area: BTreeMap::new(),
            by_committee: RealisedByCommittee::new(),
            removed: BTreeMap::new(),
            removed_by_committee: BTreeMap::new(),
            compensating: Vec::new(),
            compensating_targets: Vec::new(),
            saving_reported: BTreeSet::new(),
            cost_reported: BTreeSet::new(),
            led_to_case: None,
            forecasts: BTreeMap::new(),
            decided: None,
            converted: Converted {
                to: identity.price_level,
                conversions: Vec::new(),
                unconverted: Vec::new(),
            },
        };
        tally.fold(entries, index, as_of)?;
        Ok(tally)
    }

    /// Whether it was folded from `row`'s identity and plans and its entries at `sequence`.
    pub(crate) fn stands_at(&self, row: &ProposalRow, sequence: i64) -> bool {
        self.sequence == sequence && self.plan_position == row.changed_position
    }

    /// This tally with what `row`'s `entries` (standing at stream sequence `sequence`) added
    /// since it was folded, the same as [`Tally::of`] them; `None` where adding cannot give
    /// that: the row's identity or plans changed since, the entries stand earlier, an entry
    /// already folded was corrected since, or a new one verifies a saving (which may be one
    /// already folded as unverified). `index` and `as_of` must be the ones it was folded with.
    pub(crate) fn extended(
        &self,
        row: &ProposalRow,
        entries: &[Arc<Entry>],
        sequence: i64,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Option<Self>, ReadModelError> {
        if row.changed_position != self.plan_position || sequence < self.sequence {
            return Ok(None);
        }
        let new = entries.partition_point(|e| e.row.sequence <= self.sequence);
        let corrected = entries[..new]
            .iter()
            .any(|e| e.row.corrected_by.is_some_and(|by| by > self.sequence));
        let verifies = entries[new..]
            .iter()
            .any(|e| matches!(e.fact, Fact::SavingVerified(_)));
        if corrected || verifies {
            return Ok(None);
        }
        let mut next = self.clone();
        next.fold(&entries[new..], index, as_of)?;
        next.sequence = sequence;
        Ok(Some(next))
    }

    /// Adds the active facts of `entries` effective by `as_of`, in sequence order.
    fn fold(
        &mut self,
        entries: &[Arc<Entry>],
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<(), ReadModelError> {
        let (facts, verified) = super::effective_facts(entries, as_of);
        self.verified.extend(verified);
        let attribution = self.attribution.clone();
        let mut splitter = attribution.splitter();
        for (sequence, fact) in facts {
            match fact {
                Fact::SavingRealised(s) => {
                    self.saving_reported.insert(s.year);
                    let Some(v) = self.converted.convert(
                        index,
                        sequence,
                        s.amount,
                        s.price_level,
                        s.control_area,
                    ) else {
                        continue;
                    };
                    let verified = self.verified.contains(&sequence);
                    add(
                        self.realised.entry(s.year).or_default(),
                        v,
                        "realiserede beløb",
                    )?;
                    if verified {
                        add(
                            self.realised_verified.entry(s.year).or_default(),
                            v,
                            "realiserede beløb",
                        )?;
                    }
                    if s.control_area == ControlArea::Service {
                        add(
                            self.realised_service.entry(s.year).or_default(),
                            v,
                            "realiserede beløb",
                        )?;
                    }
                    let line = s
                        .plan_line
                        .as_ref()
                        .map_or("—".to_string(), ToString::to_string);
                    add(
                        self.by_line
                            .entry(line)
                            .or_default()
                            .entry(s.year)
                            .or_default(),
                        v,
                        "realiserede beløb",
                    )?;
                    add(
                        self.by_area
                            .entry(s.control_area.code().to_string())
                            .or_default()
                            .entry(s.year)
                            .or_default(),
                        v,
                        "realiserede beløb",
                    )?;
                    let parts = match s.committee {
                        Some(c) => vec![(c, v)],
                        None => splitter.split(s.year, v).map_err(|_| {
                            ReadModelError::Overflow("realiserede beløb pr. udvalg")
                        })?,
                    };
                    for (c, part) in parts {
                        let (real, ver) = self.by_committee.entry(c).or_default();
                        add(real.entry(s.year).or_default(), part, "realiserede beløb")?;
                        if verified {
                            add(ver.entry(s.year).or_default(), part, "verificerede beløb")?;
                        }
                    }
                }
                Fact::ImplementationCostIncurred(c) => {
                    self.cost_reported.insert(c.year);
                    let Some(v) = self.converted.convert(
                        index,
                        sequence,
                        c.amount,
                        c.price_level,
                        c.control_area,
                    ) else {
                        continue;
                    };
                    add(
                        self.incurred.entry(c.year).or_default(),
                        v,
                        "afholdte omkostninger",
                    )?;
                    add(
                        self.incurred_by_area
                            .entry((c.control_area.code().to_string(), c.year))
                            .or_default(),
                        v,
                        "afholdte omkostninger",
                    )?;
                }
                Fact::BudgetAdjusted(b) => {
                    let Some(v) = self.converted.convert(
                        index,
                        sequence,
                        b.amount,
                        b.price_level,
                        b.control_area,
                    ) else {
                        continue;
                    };
                    add(
                        self.removed.entry(b.year).or_default(),
                        v,
                        "budgetreduktioner",
                    )?;
                    add(
                        self.removed_by_committee
                            .entry(b.committee.code().to_string())
                            .or_default(),
                        v,
                        "budgetreduktioner",
                    )?;
                }
                Fact::CompensatingActionRecorded(a) => {
                    self.compensating.push(sequence);
                    self.compensating_targets.push(CompensatingRef {
                        sequence,
                        goal: a.goal.as_ref().map(ToString::to_string),
                        year: a.year,
                    });
                }
                Fact::InnovationOutcomeRecorded(o) => {
                    self.led_to_case =
                        Some(self.led_to_case.unwrap_or(false) || o.led_to_investment_case);
                }
                Fact::ForecastUpdated(x) => {
                    let key = (
                        x.section,
                        x.year,
                        x.plan_line.as_ref().map(ToString::to_string),
                        x.control_area,
                    );
                    let later = self
                        .forecasts
                        .get(&key)
                        .is_none_or(|(d, s, _)| (x.effective_on, sequence) >= (*d, *s));
                    if later {
                        let figure = (x.amount, x.price_level, x.control_area, sequence);
                        self.forecasts
                            .insert(key, (x.effective_on, sequence, figure));
                    }
                }
                Fact::BudgetDecided(_) => self.decided = Some((sequence, fact.clone())),
                _ => {}
            }
        }
        Ok(())
    }

    /// The realisation of `row` as this tally sums its facts as of `as_of`.
    pub(crate) fn realisation(
        &self,
        row: &ProposalRow,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Realisation, ReadModelError> {
        self.clone().into_realisation(row, index, as_of)
    }

    /// [`Tally::realisation`], taking the sums with it.
    fn into_realisation(
        self,
        row: &ProposalRow,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Realisation, ReadModelError> {
        let identity = row.identity()?;
        let current = row.current()?.unwrap_or_default();
        let baseline = row.baseline()?.unwrap_or_default();
        let plan_level = identity.price_level;
        let innovation = matches!(
            identity.kind,
            ProposalKind::Innovation | ProposalKind::PreStudy
        );
        let Tally {
            attribution,
            realised,
            realised_verified,
            realised_service,
            incurred,
            incurred_by_area,
            by_line,
            by_area,
            by_committee,
            removed,
            removed_by_committee,
            compensating,
            compensating_targets,
            saving_reported,
            cost_reported,
            led_to_case,
            forecasts,
            decided,
            mut converted,
            ..
        } = self;
        let plan_by_year = permanent_by_year(&current);
        let baseline_by_year = permanent_by_year(&baseline);

        let mut forecast_saving: BTreeMap<i32, Decimal> = BTreeMap::new();
        let mut forecast_saving_service: BTreeMap<i32, Decimal> = BTreeMap::new();
        let mut forecast_cost: BTreeMap<i32, Decimal> = BTreeMap::new();
        for ((section, year, _, area), (_, _, (amount, level, _, seq))) in &forecasts {
            let Some(v) = converted.convert(index, *seq, *amount, *level, *area) else {
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
            let (forecast, forecast_source) = forecast_saving
                .get(y)
                .map_or((plan, Source::Plan), |f| (*f, Source::Forecast));
            let ended = *y < this_year;
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
                savings_report: ReportState::of(
                    saving_reported.contains(y),
                    ended,
                    !plan.is_zero(),
                ),
                cost_report: ReportState::of(
                    cost_reported.contains(y),
                    ended,
                    !cost_budget(*y).is_zero(),
                ),
                verified: realised_verified.contains_key(y),
                forecast_source,
            });
        }

        // Forecast payback: per year, reports before the as-of year, forecasts (or the plan) for
        // what is not reported and from the as-of year on; withheld if a past cost is missing.
        let service_plan = |y: i32| {
            current.computed_total(
                gevinst_domain::proposal::TotalKind::PermanentChange,
                Some(ControlArea::Service),
                y,
            )
        };
        let series = |basis: Basis| -> (Vec<(i32, Decimal)>, Vec<YearSource>) {
            let mut values = Vec::new();
            let mut sources = Vec::new();
            for y in &years {
                let past = *y < this_year;
                let (cost, cost_source) = if past && cost_reported.contains(y) {
                    (
                        incurred.get(y).copied().unwrap_or_default(),
                        Source::Reported,
                    )
                } else if let Some(f) = forecast_cost.get(y) {
                    (*f, Source::Forecast)
                } else if past && !cost_budget(*y).is_zero() {
                    (cost_budget(*y), Source::Missing)
                } else {
                    (cost_budget(*y), Source::Plan)
                };
                let (reported, forecast, planned) = match basis {
                    Basis::Service => (
                        realised_service.get(y).copied().unwrap_or_default(),
                        forecast_saving_service.get(y).copied(),
                        service_plan(*y),
                    ),
                    Basis::TotalEconomy => (
                        realised.get(y).copied().unwrap_or_default(),
                        forecast_saving.get(y).copied(),
                        plan_by_year.get(y).copied().unwrap_or_default(),
                    ),
                };
                let (saving, saving_source) = if past && saving_reported.contains(y) {
                    (reported, Source::Reported)
                } else if let Some(f) = forecast {
                    (f, Source::Forecast)
                } else {
                    (planned, Source::Plan)
                };
                values.push((*y, cost + saving));
                sources.push(YearSource {
                    year: *y,
                    cost: cost_source,
                    saving: saving_source,
                });
            }
            (values, sources)
        };
        let payback_views = [Basis::Service, Basis::TotalEconomy]
            .into_iter()
            .map(|basis| {
                let (values, sources) = series(basis);
                let missing: Vec<String> = sources
                    .iter()
                    .filter(|s| s.cost == Source::Missing)
                    .map(|s| s.year.to_string())
                    .collect();
                let withheld = (!missing.is_empty()).then(|| {
                    format!(
                    "kan ikke beregnes: implementeringsomkostningerne for {} er ikke indberettet",
                    missing.join(", ")
                )
                });
                PaybackView {
                    basis,
                    planned: plan_payback(&current, basis),
                    forecast: if withheld.is_some() {
                        None
                    } else {
                        payback(&values)
                    },
                    forecast_withheld: withheld,
                    forecast_sources: sources,
                }
            })
            .collect();
        let obligations = current
            .lines
            .iter()
            .filter(|l| l.section == PlanSection::LoanRepayment)
            .flat_map(|l| {
                l.amounts
                    .iter()
                    .filter(|(_, a)| !a.value().is_zero())
                    .map(|(year, a)| Obligation {
                        plan_line: l.id.to_string(),
                        label: l.label.clone(),
                        year: *year,
                        amount: a.value(),
                    })
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
            // From the decoded identity: the code as this version writes it, also from a row an
            // older version wrote.
            kind: identity.kind.code().to_string(),
            innovation,
            confidential: row.confidential,
            price_level: plan_level.year(),
            years: rows,
            by_plan_line: merge(plan_breakdown(&|l| l.id.to_string()), by_line),
            by_control_area: merge(
                plan_breakdown(&|l| l.control_area.code().to_string()),
                by_area,
            ),
            by_committee: committee_shares(&attribution, by_committee),
            attribution_source: attribution.source.clone(),
            appropriation_source: attribution.appropriation_source.clone(),
            administrative_effect: attribution.administrative_effect.clone(),
            costs,
            payback: payback_views,
            drift,
            unconverted: converted.unconverted,
            conversions: converted.conversions,
            price_index: super::price_level::IndexUsed::of(index),
            compensating_actions: compensating,
            compensating_targets,
            obligations,
            led_to_investment_case: led_to_case,
            budget_removed_by_committee: removed_by_committee,
            decision: super::decision::Decision::of(
                identity.recommendation,
                &decided.iter().map(|(s, f)| (*s, f)).collect::<Vec<_>>(),
            ),
        })
    }
}
