//! The proposal report: identity, plan lines per year, the subtotals computed from the lines
//! next to the subtotals the document states, payback on both bases (computed with the rule in
//! `gevinst_domain::payback`, and as stated), and what the integrity check found.

use std::collections::BTreeMap;

use gevinst_domain::baseline::Finding;
use gevinst_domain::payback::{plan_payback, Basis, Payback};
use gevinst_domain::proposal::{FrontMatter, Plan, PlanLine, PoolRow, ProposalIdentity, TotalKind};
use gevinst_domain::ControlArea;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::readmodel::{ReadModelError, ReadModels};

/// One subtotal row: computed from the plan lines, and as the document states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalRow {
    /// What it sums.
    pub kind: TotalKind,
    /// Within one control area, or all.
    pub control_area: Option<ControlArea>,
    /// Danish label.
    pub label: String,
    /// Per year, from the lines.
    pub computed: BTreeMap<i32, Decimal>,
    /// Per year, as stated (where the document has this row).
    pub stated: Option<BTreeMap<i32, Decimal>>,
    /// The years where stated and computed differ.
    pub differs_in: Vec<i32>,
}

/// Payback on one basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaybackRow {
    /// Service or total economy.
    pub basis: Basis,
    /// From the plan, by the documented rule.
    pub computed: Option<Payback>,
    /// As the document states it, in years.
    pub stated: Option<Decimal>,
}

/// The proposal's row in the front matter (Tabel 2 or 3) as the document states it, each figure
/// beside the same figure rebuilt from the plan: the figures the politicians read first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontMatterRow {
    /// `investment_pool` (Tabel 2) or `innovation_pool` (Tabel 3).
    pub table: &'static str,
    /// The figures in the table's column order.
    pub figures: Vec<FrontMatterFigure>,
}

/// One figure of a [`FrontMatterRow`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrontMatterFigure {
    /// `investment`, `savings_service`, `savings_transfers`, `payback_years` or
    /// `innovation_pool_service`.
    pub code: &'static str,
    /// `mio. kr.` or `år`.
    pub unit: &'static str,
    /// As written; `None` where the cell is blank.
    pub stated: Option<Decimal>,
    /// From the plan, rounded as the document rounds (one decimal in mio. kr.); `None` where
    /// the plan cannot give it (no payback within the plan's years).
    pub rebuilt: Option<Decimal>,
    /// Both are there and differ.
    pub differs: bool,
}

impl FrontMatterFigure {
    fn new(
        code: &'static str,
        unit: &'static str,
        stated: Option<Decimal>,
        rebuilt: Option<Decimal>,
    ) -> Self {
        let differs = matches!((stated, rebuilt), (Some(s), Some(r)) if s != r);
        Self {
            code,
            unit,
            stated,
            rebuilt,
            differs,
        }
    }
}

/// The front-matter row of a plan adopted with one (`BaselineAdopted` v3), rebuilt beside it.
fn front_matter_row(front: &FrontMatter, plan: &Plan) -> Option<FrontMatterRow> {
    let h = plan.headline();
    let mio = |thousands: Decimal| Some(super::mio(thousands));
    const MIO: &str = gevinst_domain::baseline::FRONT_MATTER_UNIT;
    Some(match front.pool_row.as_ref()? {
        PoolRow::Investment(r) => FrontMatterRow {
            table: "investment_pool",
            figures: vec![
                FrontMatterFigure::new(
                    "investment",
                    MIO,
                    Some(r.investment_service + r.investment_capital),
                    mio(h.investment_total()),
                ),
                FrontMatterFigure::new(
                    "savings_service",
                    MIO,
                    Some(r.savings_service),
                    mio(h.savings_service),
                ),
                FrontMatterFigure::new(
                    "savings_transfers",
                    MIO,
                    Some(r.savings_transfers),
                    mio(h.savings_transfers),
                ),
                FrontMatterFigure::new(
                    "payback_years",
                    "år",
                    r.payback_years,
                    plan_payback(plan, Basis::Service).map(|p| Decimal::from(p.years)),
                ),
            ],
        },
        PoolRow::Innovation(r) => FrontMatterRow {
            table: "innovation_pool",
            figures: vec![FrontMatterFigure::new(
                "innovation_pool_service",
                MIO,
                Some(r.innovation_pool_service),
                mio(h.investment_service),
            )],
        },
    })
}

/// Everything about one proposal's plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalReport {
    /// Identity and flags.
    pub identity: ProposalIdentity,
    /// 0 while the adopted baseline is in force.
    pub revision: i32,
    /// The plan's years.
    pub years: Vec<i32>,
    /// The plan lines in force.
    pub lines: Vec<PlanLine>,
    /// Subtotals, computed and stated.
    pub totals: Vec<TotalRow>,
    /// Payback on both bases.
    pub payback: Vec<PaybackRow>,
    /// What the integrity check found when the baseline was imported.
    pub findings: Vec<Finding>,
    /// Its row in the document's front matter, with the rebuilt figures beside it (adopted
    /// with `BaselineAdopted` v3 from a document that has one).
    pub front_matter: Option<FrontMatterRow>,
    /// The names its document declares (municipality, committees, administrations, control
    /// areas' words), as recorded with its adoption; `None` for an adoption without them.
    pub names: Option<gevinst_domain::OrgNames>,
}

fn label(kind: TotalKind, area: Option<ControlArea>) -> String {
    let base = match kind {
        TotalKind::PermanentChange => "Samlet varig ændring",
        TotalKind::ImplementationCost => "Samlede implementeringsomkostninger",
        TotalKind::TotalImpact => "Samlet økonomisk påvirkning",
    };
    match area {
        Some(a) => format!("{base}, {}", a.danish()),
        None => base.to_string(),
    }
}

fn totals(plan: &Plan) -> Vec<TotalRow> {
    let mut wanted: Vec<(TotalKind, Option<ControlArea>)> =
        vec![(TotalKind::PermanentChange, None)];
    let mut areas: Vec<ControlArea> = plan
        .lines
        .iter()
        .filter(|l| l.section == gevinst_domain::proposal::PlanSection::ImplementationCost)
        .map(|l| l.control_area)
        .collect();
    areas.sort();
    areas.dedup();
    wanted.extend(
        areas
            .into_iter()
            .map(|a| (TotalKind::ImplementationCost, Some(a))),
    );
    wanted.push((TotalKind::ImplementationCost, None));
    for st in &plan.stated_totals {
        if !wanted.contains(&(st.kind, st.control_area)) {
            wanted.push((st.kind, st.control_area));
        }
    }
    wanted.push((TotalKind::TotalImpact, None));
    wanted.dedup();
    wanted
        .into_iter()
        .map(|(kind, area)| {
            let computed: BTreeMap<i32, Decimal> = plan
                .years
                .iter()
                .map(|y| (*y, plan.computed_total(kind, area, *y)))
                .collect();
            let stated = plan
                .stated_totals
                .iter()
                .find(|s| s.kind == kind && s.control_area == area)
                .map(|s| {
                    plan.years
                        .iter()
                        .map(|y| (*y, s.amounts.get_or_zero(*y).value()))
                        .collect::<BTreeMap<_, _>>()
                });
            let differs_in = stated
                .as_ref()
                .map(|s| {
                    plan.years
                        .iter()
                        .filter(|y| s.get(y) != computed.get(y))
                        .copied()
                        .collect()
                })
                .unwrap_or_default();
            TotalRow {
                kind,
                control_area: area,
                label: label(kind, area),
                computed,
                stated,
                differs_in,
            }
        })
        .collect()
}

/// The report for `id`, or `None` if it is not registered.
pub async fn proposal_report(
    read: &ReadModels,
    id: &str,
) -> Result<Option<ProposalReport>, ReadModelError> {
    let Some(row) = read.proposal(id).await? else {
        return Ok(None);
    };
    let identity = row.identity()?;
    let plan = row.current()?.unwrap_or_default();
    let source = row.baseline_source()?;
    let front_matter = source
        .as_ref()
        .and_then(|s| s.front_matter.as_deref())
        .and_then(|f| front_matter_row(f, &plan));
    let names = source.as_ref().and_then(|s| s.names.clone());
    let findings = source.map(|s| s.findings.clone()).unwrap_or_default();
    let stated = plan.stated_payback.clone().unwrap_or_default();
    Ok(Some(ProposalReport {
        identity: ProposalIdentity::clone(&identity),
        revision: row.revision,
        years: plan.years.clone(),
        totals: totals(&plan),
        payback: vec![
            PaybackRow {
                basis: Basis::Service,
                computed: plan_payback(&plan, Basis::Service),
                stated: stated.service_years,
            },
            PaybackRow {
                basis: Basis::TotalEconomy,
                computed: plan_payback(&plan, Basis::TotalEconomy),
                stated: stated.total_economy_years,
            },
        ],
        lines: plan.lines.clone(),
        findings,
        front_matter,
        names,
    }))
}
