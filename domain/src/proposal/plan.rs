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
}

impl Plan {
    /// Checks the plan's internal consistency; returns every problem, not just the first.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let years: BTreeSet<i32> = self.years.iter().copied().collect();
        if years.len() != self.years.len() {
            problems.push("the plan lists a year twice".to_string());
        }
        if let Some(y) = self.years.iter().find(|y| !(2000..=2100).contains(*y)) {
            problems.push(format!("plan year {y} is outside 2000–2100"));
        }
        let mut seen = BTreeSet::new();
        for line in &self.lines {
            if !seen.insert(line.id.as_str()) {
                problems.push(format!("plan line id {} is used twice", line.id));
            }
            for year in line.amounts.keys() {
                if !years.contains(year) {
                    problems.push(format!(
                        "plan line {} has an amount for {year}, which is not one of the plan's years",
                        line.id
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for goal in &self.goals {
            if !seen.insert(goal.id.as_str()) {
                problems.push(format!("goal id {} is used twice", goal.id));
            }
        }
        let mut seen = BTreeSet::new();
        for m in &self.milestones {
            if !seen.insert(m.id.as_str()) {
                problems.push(format!("milestone id {} is used twice", m.id));
            }
        }
        for phase in &self.phases {
            if phase.end < phase.start {
                problems.push(format!(
                    "phase '{}' ends ({}) before it starts ({})",
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

/// Where an imported baseline came from: the file's name and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineSource {
    /// File name (no machine path).
    pub file: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}
