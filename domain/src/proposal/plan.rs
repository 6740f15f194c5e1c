//! A proposal's identity and plan, as adopted by the budget round (the baseline) or as revised
//! later. The plan keeps the document's *stated* figures (subtotals, payback) next to the rows
//! they should add up to: we never derive one from the other on import, so the integrity check can
//! show where the source document disagrees with itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::money::{Amount, PriceLevel};
use crate::period::{self, Quarter, QuarterOfYear, Year};
use crate::vocabulary::{Administration, Committee, ControlArea, ProposalKind, RiskLevel};

/// Who and what a proposal is; fixed at registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalIdentity {
    /// `BC01` …
    pub id: ProposalId,
    /// Title as written in the appendix.
    pub title: String,
    /// Investment, cross-cutting, innovation or pre-study.
    pub kind: ProposalKind,
    /// The committee (udvalg) that owns it.
    pub committee: Committee,
    /// The administration that presents it.
    pub presenting_administration: Option<Administration>,
    /// Other administrations it touches.
    pub affected_administrations: Vec<Administration>,
    /// Named units (Koncernservice, KIT, KEJD …).
    pub units: Vec<String>,
    /// The decision that adopted it, e.g. "Budget 2025" or "OFS 2022-2023".
    pub budget_round: String,
    /// The price level its amounts are stated at.
    pub price_level: PriceLevel,
    /// Details withheld (FORTROLIGT).
    pub confidential: bool,
    /// Put forward for separate political priority.
    pub political_priority: bool,
    /// What the document asks the council to do with it (til efterretning / til godkendelse /
    /// særskilt politisk prioritering), where the document says. Omitted when absent, so
    /// identities stored before the field existed read and serialise unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<crate::vocabulary::Recommendation>,
}

/// Which part of the economic table a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanSection {
    /// Savings and new running costs (varig ændring).
    PermanentChange,
    /// The investment (implementeringsomkostninger).
    ImplementationCost,
    /// Repayment of an internal loan (innovation pool).
    LoanRepayment,
}

/// What a stated subtotal claims to sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalKind {
    /// Samlet varig ændring.
    PermanentChange,
    /// Samlede implementeringsomkostninger (optionally per control area).
    ImplementationCost,
    /// Samlet økonomisk påvirkning.
    TotalImpact,
}

/// Amounts per budget year, in 1.000 kr. at the plan's price level.
///
/// Stored as a JSON object keyed by the year as text (`{"2025": "-500"}`). Deserialisation goes
/// through string keys explicitly because serde cannot read integer map keys inside internally
/// tagged enums (commands are tagged), and a plan must read back the same everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YearlyAmounts(BTreeMap<i32, Amount>);

impl YearlyAmounts {
    /// Wraps a map.
    #[must_use]
    pub fn new(map: BTreeMap<i32, Amount>) -> Self {
        Self(map)
    }
    /// The map.
    #[must_use]
    pub fn as_map(&self) -> &BTreeMap<i32, Amount> {
        &self.0
    }
    /// The amount for `year`, zero when absent.
    #[must_use]
    pub fn get_or_zero(&self, year: i32) -> Amount {
        self.0.get(&year).copied().unwrap_or(Amount::ZERO)
    }
    /// Sets the amount for `year`.
    pub fn insert(&mut self, year: i32, amount: Amount) {
        self.0.insert(year, amount);
    }
    /// The years with an amount.
    pub fn keys(&self) -> impl Iterator<Item = &i32> {
        self.0.keys()
    }
    /// Year and amount pairs in year order.
    pub fn iter(&self) -> impl Iterator<Item = (&i32, &Amount)> {
        self.0.iter()
    }
}

impl FromIterator<(i32, Amount)> for YearlyAmounts {
    fn from_iter<T: IntoIterator<Item = (i32, Amount)>>(iter: T) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Serialize for YearlyAmounts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let as_text: BTreeMap<String, Amount> =
            self.0.iter().map(|(y, a)| (y.to_string(), *a)).collect();
        as_text.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for YearlyAmounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let as_text = BTreeMap::<String, Amount>::deserialize(deserializer)?;
        as_text
            .into_iter()
            .map(|(y, a)| {
                y.trim()
                    .parse::<i32>()
                    .map(|y| (y, a))
                    .map_err(|_| serde::de::Error::custom(format!("'{y}' is not a year")))
            })
            .collect()
    }
}

/// One row of the proposal's economic table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    /// `l1` …
    pub id: PlanLineId,
    /// Row label as written.
    pub label: String,
    /// Saving/running cost, investment or loan repayment.
    pub section: PlanSection,
    /// Service, Anlæg, …
    pub control_area: ControlArea,
    /// The committee, where the row names one.
    pub committee: Option<Committee>,
    /// Amount per year.
    pub amounts: YearlyAmounts,
    /// The Styringsområde cell is blank and `control_area` was inferred (from the subtotal the
    /// row adds up to, or from its siblings).
    #[serde(default, skip_serializing_if = "is_false")]
    pub control_area_inferred: bool,
    /// A transcription remark (blank row, inferred year placement …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A subtotal row exactly as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedTotal {
    /// Row label as written.
    pub label: String,
    /// What it claims to sum.
    pub kind: TotalKind,
    /// Per control area, where it is.
    pub control_area: Option<ControlArea>,
    /// Amount per year as written.
    pub amounts: YearlyAmounts,
    /// The text of the Styringsområde cell, where the subtotal row has one ("Service").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_area_cell: Option<String>,
    /// A transcription remark; "rækken er tom i dokumentet" tells a blank row (stored as 0)
    /// from a written zero.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The payback periods the document states.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatedPayback {
    /// "baseret på serviceeffektivisering", in years.
    pub service_years: Option<Decimal>,
    /// "baseret på totaløkonomi", in years.
    pub total_economy_years: Option<Decimal>,
    /// The sentence, verbatim.
    pub text: Option<String>,
    /// The service payback cell as written ("4 år (2028)", "1 år", "5").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_cell: Option<String>,
    /// The total-economy payback cell as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_economy_cell: Option<String>,
}

/// How a saving lands in one committee's budget frame (Tabel 2.1.1, Tabel A/B …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeDistribution {
    /// Source table name.
    pub table: String,
    /// The committee.
    pub committee: Committee,
    /// The administration, where given.
    pub administration: Option<Administration>,
    /// Control area, where given.
    pub control_area: Option<ControlArea>,
    /// "måltalseffekt", "bevillingsmæssig effekt" …
    pub basis: Option<String>,
    /// Per year.
    pub amounts: YearlyAmounts,
    /// The row label as written ("Økonomiudvalget", "Koncernservice").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A unit under the committee (Koncernservice, Københavns Ejendomme), where the row is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The appropriation cell ("Bevilling, profitcenter"), where the table has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appropriation: Option<String>,
    /// The table's caption as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

impl CommitteeDistribution {
    /// A row of a måltalseffekt table (Tabel A): the committee's contribution to its efficiency
    /// target, the share [`Plan::attribution`] splits savings by.
    #[must_use]
    pub fn is_target_effect(&self) -> bool {
        basis_names(self.basis.as_deref(), "måltalseffekt")
    }

    /// A row of a bevillingsmæssig-effekt table (BC01 Tabel A, BC02 Tabel B): the change of
    /// the committee's appropriation.
    #[must_use]
    pub fn is_appropriation_effect(&self) -> bool {
        basis_names(self.basis.as_deref(), "bevillingsmæssig")
    }
}

/// Whether a distribution table's basis ("måltalseffekt og bevillingsmæssig effekt") names
/// `what`: the one reading of the basis cell, for attribution and the baseline checks alike.
#[must_use]
pub fn basis_names(basis: Option<&str>, what: &str) -> bool {
    basis.is_some_and(|b| b.to_lowercase().contains(what))
}

/// The stated total row of a per-committee table (Tabel 2.1.1, Tabel A … "Total"), kept so that
/// the rows can be checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionTotal {
    /// Source table name.
    pub table: String,
    /// The table's caption as written.
    pub caption: Option<String>,
    /// The row label as written ("Total").
    pub label: String,
    /// Control area, where given.
    pub control_area: Option<ControlArea>,
    /// "måltalseffekt" …, where given.
    pub basis: Option<String>,
    /// Per year, as written.
    pub amounts: YearlyAmounts,
}

/// One figure of a per-administration table without years (BC01 Tabel ii "Økonomisk effekt
/// (t. kr.)", BC02 Tabel 2 "Effektiviseringer pr. forvaltning"), converted to 1.000 kr.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdministrationFigure {
    /// Source table name.
    pub table: String,
    /// The table's caption as written.
    pub caption: Option<String>,
    /// The row label as written (the administration code, "Total", "Forvaltninger i alt").
    pub label: String,
    /// The administration; `None` on the table's own total row.
    pub administration: Option<Administration>,
    /// What the figure is ("Økonomisk effekt (t. kr.)"), where given.
    pub basis: Option<String>,
    /// The column title, where given.
    pub column: Option<String>,
    /// The figure in 1.000 kr. (figures written in kr. are divided by 1.000, exactly).
    pub amount: Amount,
    /// The unit the document writes the figure in ("kr.", "1.000 kr.").
    pub unit_as_written: String,
    /// This is the table's own total row.
    pub is_total: bool,
}

/// A row of "Tabel 2. Varige ændringer, administration".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdministrationEffect {
    /// Source table name.
    pub table: String,
    /// Row label as written.
    pub label: String,
    /// This is the table's total row ("Varige ændringer totalt, administration").
    pub is_total: bool,
    /// Per year.
    pub amounts: YearlyAmounts,
    /// A transcription remark (blank row, inferred year placement).
    pub note: Option<String>,
}

/// BC03/BC04 "Tabel 2. Kriterier til prioritering": the investment case expected to follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FutureInvestment {
    /// Source table name.
    pub table: String,
    /// The "Udgift" cell as written.
    pub expense: String,
    /// When the follow-up case is expected to be adopted, as written.
    pub expected_adoption: String,
    /// The savings potential as written ("-1.000 til -2.500").
    pub savings_potential: String,
    /// The ticked criteria.
    pub criteria: Vec<String>,
}

/// The public summary row of a confidential proposal (BC08), in **mio. kr.** with one decimal
/// as the front table writes it — not 1.000 kr., so these are not [`Amount`]s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSummary {
    /// The table it comes from.
    pub source: String,
    /// "mio. kr.".
    pub unit: String,
    /// Investment, service (mio. kr.).
    pub investment_service: Decimal,
    /// Investment, anlæg (mio. kr.).
    pub investment_capital: Decimal,
    /// Saving at full phase-in, service (mio. kr.).
    pub savings_service: Decimal,
    /// Saving at full phase-in, transfers (mio. kr.).
    pub savings_transfers: Decimal,
    /// Payback period in years, as stated.
    pub payback_years: Option<Decimal>,
    /// The footnote, where the row has one.
    pub footnote: Option<String>,
}

/// A phase the document names without dates (BC07's "Tidsplan": "Forår 2025").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndatedPhase {
    /// The phase as written.
    pub name: String,
    /// When, verbatim.
    pub when: String,
}

/// A risk the document describes without rating it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnratedRisk {
    /// The risk's name.
    pub scope: String,
    /// The explanation, verbatim.
    pub text: String,
}

/// A project phase with dates (BC03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phase {
    /// "Analysefase" …
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// The "Hvad" cell, where the phase table has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// The "Hvordan" cell, where the phase table has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// The dates as written ("01.01.25-31.03.25").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// A milestone (milepæl) with its verbatim "when".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// `m1` …
    pub id: MilestoneId,
    /// "Milepæl 1".
    pub name: String,
    /// What must be done.
    pub text: String,
    /// When, verbatim ("Q2 2025").
    pub when: String,
    /// The phase it belongs to, where stated.
    pub phase: Option<String>,
    /// The whole fragment as written ("Milepæl 5- Q3 2026").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_as_written: Option<String>,
}

/// The two sections of the follow-up table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalSection {
    /// "Implementering og anvendelse af investeringsmidler".
    Implementation,
    /// "Realisering af effektiviseringer".
    Realisation,
}

/// A follow-up goal (opfølgningsmål).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// `g1` …
    pub id: GoalId,
    /// Implementation or realisation.
    pub section: GoalSection,
    /// "Fase i projektet", where the table has it.
    pub phase: Option<String>,
    /// What must be true.
    pub text: String,
    /// Hvordan måles.
    pub measure: String,
    /// Hvem er ansvarlig.
    pub responsible: String,
    /// Hvornår, verbatim; parsed into a schedule by `crate::period`.
    pub when: String,
}

/// One risk assessment line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    /// "overall" or the risk's name.
    pub scope: String,
    /// Lav / middel / høj.
    pub level: RiskLevel,
    /// The explanation, verbatim.
    pub text: String,
    /// The rating as written, where it differs from the level's code ("Middel.", "mellem").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_as_written: Option<String>,
}

/// A plan: the economic table, distributions, phases, milestones, goals and risks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// The table's column years.
    pub years: Vec<i32>,
    /// The table's rows.
    pub lines: Vec<PlanLine>,
    /// The table's subtotal rows as written.
    pub stated_totals: Vec<StatedTotal>,
    /// The stated payback periods.
    pub stated_payback: Option<StatedPayback>,
    /// Per-committee distributions.
    pub committee_distributions: Vec<CommitteeDistribution>,
    /// Phases with dates.
    pub phases: Vec<Phase>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Follow-up goals.
    pub goals: Vec<Goal>,
    /// Risk assessments.
    pub risks: Vec<Risk>,
    /// The proposal's summary (resumé), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A remark on the price level (BC07: drawn up in 2025 p/l, allotted in 2024 p/l).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_level_note: Option<String>,
    /// The total rows of the per-committee tables, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distribution_totals: Vec<DistributionTotal>,
    /// Per-administration figures without years (Tabel ii, BC02 Tabel 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administration_figures: Vec<AdministrationFigure>,
    /// "Tabel 2. Varige ændringer, administration".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub administration_effects: Vec<AdministrationEffect>,
    /// The follow-up investment a pre-study or innovation proposal expects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future_investment: Option<FutureInvestment>,
    /// A confidential proposal's public summary row (mio. kr.), its only figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_summary: Option<PublicSummary>,
    /// Phases named without dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undated_phases: Vec<UndatedPhase>,
    /// Risks described without a rating.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrated_risks: Vec<UnratedRisk>,
}

impl Plan {
    /// Checks the plan's internal consistency; returns every problem, not just the first.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let years: BTreeSet<i32> = self.years.iter().copied().collect();
        if years.len() != self.years.len() {
            problems.push("planen nævner et år to gange".to_string());
        }
        if let Some(y) = self.years.iter().find(|y| !(2000..=2100).contains(*y)) {
            problems.push(format!("planåret {y} ligger uden for 2000–2100"));
        }
        let mut seen = BTreeSet::new();
        for line in &self.lines {
            if !seen.insert(line.id.as_str()) {
                problems.push(format!("planlinjen {} findes to gange", line.id));
            }
            for year in line.amounts.keys() {
                if !years.contains(year) {
                    problems.push(format!(
                        "planlinje {} har et beløb i {year}, som ikke er et af planens år",
                        line.id
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for goal in &self.goals {
            if !seen.insert(goal.id.as_str()) {
                problems.push(format!("opfølgningsmålet {} findes to gange", goal.id));
            }
        }
        let mut seen = BTreeSet::new();
        for m in &self.milestones {
            if !seen.insert(m.id.as_str()) {
                problems.push(format!("milepælen {} findes to gange", m.id));
            }
        }
        for phase in &self.phases {
            if phase.end < phase.start {
                problems.push(format!(
                    "fasen «{}» slutter ({}), før den begynder ({})",
                    phase.name, phase.end, phase.start
                ));
            }
        }
        problems
    }

    /// The plan years' range widened by `margin` years; `None` for a plan with no years.
    #[must_use]
    pub fn year_range(&self, margin: i32) -> Option<(i32, i32)> {
        let min = self.years.iter().min()?;
        let max = self.years.iter().max()?;
        Some((min - margin, max + margin))
    }

    /// The context [`period::resolve`] needs for a plan's goals and milestones: its dated phases,
    /// the first year its permanent change reaches its final level (full phase-in), its first
    /// quarter (where recurring goals without a start begin) and its last quarter (the horizon for
    /// open-ended ones). The release date of funds is not in a baseline and stays unknown.
    #[must_use]
    pub fn resolve_context(&self) -> period::ResolveContext {
        let plan = self;
        let phases = plan
            .phases
            .iter()
            .map(|p| period::Phase {
                kind_or_name: period::PhaseKind::from_danish(&p.name),
                start: p.start,
                end: p.end,
            })
            .collect();
        let quarter = |year: Option<&i32>, q: QuarterOfYear| {
            year.and_then(|y| Year::new(*y).ok())
                .map(|y| Quarter::new(y, q))
        };
        period::ResolveContext {
            phases,
            full_phase_in_year: plan.full_phase_in_year().and_then(|y| Year::new(y).ok()),
            funds_released: None,
            plan_start: quarter(plan.years.iter().min(), QuarterOfYear::Q1),
            horizon: quarter(plan.years.iter().max(), QuarterOfYear::Q4),
            funding_years: plan.funding_years(),
        }
    }

    /// The first and last year with implementation cost in the plan (the years the investment
    /// funds are spent in), if any.
    #[must_use]
    pub fn funding_years(&self) -> Option<(Year, Year)> {
        let years: Vec<i32> = self
            .years
            .iter()
            .copied()
            .filter(|y| {
                self.lines
                    .iter()
                    .filter(|l| l.section == PlanSection::ImplementationCost)
                    .any(|l| !l.amounts.get_or_zero(*y).value().is_zero())
            })
            .collect();
        let first = Year::new(*years.iter().min()?).ok()?;
        let last = Year::new(*years.iter().max()?).ok()?;
        Some((first, last))
    }

    /// The first year from which the plan's total permanent change stays at its last year's level
    /// ("fuld indfasning"); `None` for a plan without permanent-change lines.
    #[must_use]
    pub fn full_phase_in_year(&self) -> Option<i32> {
        let plan = self;
        if !plan
            .lines
            .iter()
            .any(|l| l.section == PlanSection::PermanentChange)
        {
            return None;
        }
        let mut years = plan.years.clone();
        years.sort_unstable();
        let total = |year: i32| -> Decimal {
            plan.lines
                .iter()
                .filter(|l| l.section == PlanSection::PermanentChange)
                .map(|l| l.amounts.get_or_zero(year).value())
                .sum()
        };
        let last = total(*years.last()?);
        let mut first = *years.last()?;
        for year in years.iter().rev() {
            if total(*year) == last {
                first = *year;
            } else {
                break;
            }
        }
        Some(first)
    }

    /// The sum of this plan's rows that a subtotal of `kind` covers in `year`, optionally
    /// within one control area. Total impact is implementation costs plus permanent change; a
    /// loan repayment is financing, outside all three subtotals (as in the document's tables).
    #[must_use]
    pub fn computed_total(
        &self,
        kind: TotalKind,
        area: Option<ControlArea>,
        year: i32,
    ) -> rust_decimal::Decimal {
        self.lines
            .iter()
            .filter(|l| {
                let section = match kind {
                    TotalKind::PermanentChange => l.section == PlanSection::PermanentChange,
                    TotalKind::ImplementationCost => l.section == PlanSection::ImplementationCost,
                    TotalKind::TotalImpact => matches!(
                        l.section,
                        PlanSection::PermanentChange | PlanSection::ImplementationCost
                    ),
                };
                section && area.is_none_or(|a| l.control_area == a)
            })
            .map(|l| l.amounts.get_or_zero(year).value())
            .sum()
    }

    /// The figures the appendix's summary tables show for this proposal, in 1.000 kr.: the
    /// investment (all years) on service and on anlæg, and the permanent change at full
    /// phase-in (the last plan year) on service and on transfers. A confidential proposal has
    /// no rows; then its published summary (mio. kr.) is used and `published_only` is set, so
    /// callers know the figures were rounded to 0,1 mio. kr. before they got them.
    #[must_use]
    pub fn headline(&self) -> Headline {
        if self.lines.is_empty() {
            if let Some(s) = &self.public_summary {
                let k = rust_decimal::Decimal::ONE_THOUSAND;
                return Headline {
                    investment_service: s.investment_service * k,
                    investment_capital: s.investment_capital * k,
                    savings_service: s.savings_service * k,
                    savings_transfers: s.savings_transfers * k,
                    published_only: true,
                };
            }
        }
        let all_years = |pred: &dyn Fn(&PlanLine) -> bool| -> rust_decimal::Decimal {
            self.lines
                .iter()
                .filter(|l| l.section == PlanSection::ImplementationCost && pred(l))
                .flat_map(|l| l.amounts.iter().map(|(_, a)| a.value()))
                .sum()
        };
        let last_year = self.years.iter().max().copied();
        let full_phase_in = |pred: &dyn Fn(&PlanLine) -> bool| -> rust_decimal::Decimal {
            last_year.map_or(rust_decimal::Decimal::ZERO, |y| {
                self.lines
                    .iter()
                    .filter(|l| l.section == PlanSection::PermanentChange && pred(l))
                    .map(|l| l.amounts.get_or_zero(y).value())
                    .sum()
            })
        };
        Headline {
            // Implementation costs outside service and anlæg (none in Budget 2025) count as
            // service: the summary tables have only those two investment columns.
            investment_service: all_years(&|l| l.control_area != ControlArea::Capital),
            investment_capital: all_years(&|l| l.control_area == ControlArea::Capital),
            savings_service: full_phase_in(&|l| l.control_area == ControlArea::Service),
            savings_transfers: full_phase_in(&|l| {
                matches!(
                    l.control_area,
                    ControlArea::Transfers | ControlArea::DemandDriven
                )
            }),
            published_only: false,
        }
    }

    /// Looks up a plan line.
    #[must_use]
    pub fn line(&self, id: &PlanLineId) -> Option<&PlanLine> {
        self.lines.iter().find(|l| &l.id == id)
    }

    /// Looks up a goal.
    #[must_use]
    pub fn goal(&self, id: &GoalId) -> Option<&Goal> {
        self.goals.iter().find(|g| &g.id == id)
    }

    /// Looks up a milestone.
    #[must_use]
    pub fn milestone(&self, id: &MilestoneId) -> Option<&Milestone> {
        self.milestones.iter().find(|m| &m.id == id)
    }
}

/// A proposal's summary-table figures, in 1.000 kr. (see [`Plan::headline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Headline {
    /// Investment, service (all years).
    pub investment_service: rust_decimal::Decimal,
    /// Investment, anlæg (all years).
    pub investment_capital: rust_decimal::Decimal,
    /// Permanent change at full phase-in, service.
    pub savings_service: rust_decimal::Decimal,
    /// Permanent change at full phase-in, transfers.
    pub savings_transfers: rust_decimal::Decimal,
    /// The figures come from a published summary rounded to 0,1 mio. kr.
    pub published_only: bool,
}

impl Headline {
    /// Investment on both control areas.
    #[must_use]
    pub fn investment_total(&self) -> rust_decimal::Decimal {
        self.investment_service + self.investment_capital
    }
}

/// Where an imported baseline came from: the file's name and SHA-256, and what the integrity
/// check found in it for this proposal (the document's own disagreements, kept as found).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSource {
    /// File name (no machine path).
    pub file: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The integrity check's findings that concern this proposal.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<crate::baseline::Finding>,
    /// What the document's front matter states about this proposal (from `BaselineAdopted` v3;
    /// older adoptions have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub front_matter: Option<Box<FrontMatter>>,
    /// The committees and administrations the document declares, with their names (recorded
    /// since the baseline files declare them; older adoptions have none and pages show codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<crate::vocabulary::OrgNames>,
}

/// What an appendix's front matter states about one proposal, as written: the row of Tabel 1
/// for the committee the proposal is counted on and Tabel 1's "I alt", and the proposal's own
/// row of Tabel 2 (investment pool) or Tabel 3 (innovation pool).
///
/// Why it is kept with the adoption: these are the figures the politicians read and adopted.
/// The document rounds every row to 0,1 mio. kr. by itself, so a sum rebuilt from the plan
/// can differ from it (Bilag 7: SUD 56,6 stated, 56,7 rebuilt). Reports show the stated
/// figure first and the rebuilt one beside it where the two differ; they need the stated one
/// in the log, as known when it was recorded, to do so as of any date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter {
    /// The front matter's unit as written ("mio. kr.", one decimal), not the plan's 1.000 kr.
    pub unit: String,
    /// The price level of its figures.
    pub price_level: PriceLevel,
    /// Tabel 1: the row of the committee the proposal is counted on.
    pub committee_row: Option<crate::baseline::CommitteeSummaryRow>,
    /// Tabel 1: the "I alt" row.
    pub total_row: Option<crate::baseline::CommitteeSummaryRow>,
    /// Tabel 2 or 3: the proposal's own row.
    pub pool_row: Option<PoolRow>,
}

/// A proposal's row in the front matter's pool tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolRow {
    /// Tabel 2, "Indkomne ansøgninger til investeringspuljen".
    Investment(crate::baseline::InvestmentPoolRow),
    /// Tabel 3, "Indkomne ansøgninger til innovationspuljen".
    Innovation(crate::baseline::InnovationPoolRow),
}
