//! A small, valid proposal for tests and documentation: two saving lines, one investment line,
//! two goals and a milestone over 2025–2028. Shared by the aggregate tests and the cross-crate
//! integration tests so both exercise the same plan.

use chrono::NaiveDate;

use super::events::{GoalAchievement, RealisedSaving};
use super::plan::{
    Goal, GoalSection, Milestone, Phase, Plan, PlanLine, PlanSection, ProposalIdentity,
    YearlyAmounts,
};
use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::money::{Amount, PriceLevel};
use crate::vocabulary::{Committee, ControlArea, EvidenceRef, ProposalKind};

fn amounts(values: &[(i32, i64)]) -> YearlyAmounts {
    values
        .iter()
        .map(|(y, v)| (*y, Amount::new((*v).into()).unwrap_or(Amount::ZERO)))
        .collect()
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    match s.parse() {
        Ok(v) => v,
        Err(e) => unreachable!("example id {s} is valid: {e:?}"),
    }
}

/// 2025 price level.
#[must_use]
pub fn price_level() -> PriceLevel {
    match PriceLevel::new(2025) {
        Ok(p) => p,
        Err(e) => unreachable!("{e}"),
    }
}

/// An identity for `proposal` (e.g. "BC01").
#[must_use]
pub fn identity(proposal: &str) -> ProposalIdentity {
    ProposalIdentity {
        id: id::<ProposalId>(proposal),
        title: format!("Eksempelforslag {proposal}"),
        kind: ProposalKind::Investment,
        committee: Committee::parse("SUD").expect("a valid code"),
        presenting_administration: None,
        affected_administrations: vec![],
        units: vec![],
        budget_round: "Budget 2025".into(),
        price_level: price_level(),
        confidential: false,
        political_priority: false,
        recommendation: None,
    }
}

/// A valid plan: lines `l1` (saving), `l2` (saving), `l3` (investment); goals `g1`, `g2`;
/// milestone `m1`; years 2025–2028.
#[must_use]
pub fn plan() -> Plan {
    Plan {
        years: vec![2025, 2026, 2027, 2028],
        lines: vec![
            PlanLine {
                id: id::<PlanLineId>("l1"),
                label: "Effektivisering".into(),
                section: PlanSection::PermanentChange,
                control_area: ControlArea::Service,
                committee: Some(Committee::parse("SUD").expect("a valid code")),
                amounts: amounts(&[(2025, -500), (2026, -1500), (2027, -1500), (2028, -1500)]),
                control_area_inferred: false,
                note: None,
            },
            PlanLine {
                id: id::<PlanLineId>("l2"),
                label: "Øget drift".into(),
                section: PlanSection::PermanentChange,
                control_area: ControlArea::Service,
                committee: None,
                amounts: amounts(&[(2025, 100), (2026, 100), (2027, 100), (2028, 100)]),
                control_area_inferred: false,
                note: None,
            },
            PlanLine {
                id: id::<PlanLineId>("l3"),
                label: "Implementeringsomkostninger".into(),
                section: PlanSection::ImplementationCost,
                control_area: ControlArea::Service,
                committee: None,
                amounts: amounts(&[(2025, 2000), (2026, 500)]),
                control_area_inferred: false,
                note: None,
            },
        ],
        stated_totals: vec![],
        stated_payback: None,
        committee_distributions: vec![],
        phases: vec![Phase {
            name: "Gennemførselsfase".into(),
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
            what: None,
            how: None,
            when: None,
        }],
        milestones: vec![Milestone {
            id: id::<MilestoneId>("m1"),
            name: "Milepæl 1".into(),
            text: "System i drift".into(),
            when: "Q2 2025".into(),
            phase: None,
            when_as_written: None,
        }],
        goals: vec![
            Goal {
                id: id::<GoalId>("g1"),
                section: GoalSection::Implementation,
                phase: None,
                text: "Løsningen er implementeret".into(),
                measure: "Statusrapport".into(),
                responsible: "SOF".into(),
                when: "Tredje kvartal 2025".into(),
            },
            Goal {
                id: id::<GoalId>("g2"),
                section: GoalSection::Realisation,
                phase: None,
                text: "Effektiviseringen er realiseret".into(),
                measure: "Budgetopfølgning".into(),
                responsible: "SOF".into(),
                when: "Ultimo 2026".into(),
            },
        ],
        risks: vec![],
        ..Plan::default()
    }
}

/// A realised saving of `amount` (1.000 kr.) on line `l1` in `year`.
#[must_use]
pub fn saving(year: i32, amount: i64) -> RealisedSaving {
    RealisedSaving {
        year,
        amount: Amount::new(amount.into()).unwrap_or(Amount::ZERO),
        price_level: price_level(),
        plan_line: Some(id::<PlanLineId>("l1")),
        committee: Some(Committee::parse("SUD").expect("a valid code")),
        control_area: ControlArea::Service,
        effective_on: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
        evidence: Some(id::<EvidenceRef>("Kvantum-udtræk 2025-12")),
    }
}

/// Goal `goal` achieved on `date`.
#[must_use]
pub fn achievement(goal: &str, date: NaiveDate) -> GoalAchievement {
    GoalAchievement {
        goal: id::<GoalId>(goal),
        achieved_on: date,
        evidence: id::<EvidenceRef>("Statusrapport"),
    }
}
