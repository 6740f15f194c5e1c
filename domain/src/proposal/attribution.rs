//! Committee attribution: which committees' budget frames a proposal's savings land in.
//!
//! # Why
//!
//! The appendix's Tabel 1 books each proposal on one committee, but a saving can land in
//! several committees' frames: BC01 (holiday administration in Serviceportalen) saves in all
//! seven, BC02 (rent) in four. The appendix says how, in per-committee tables: the
//! *måltalseffekt* (each committee's contribution to its efficiency target) and the
//! *bevillingsmæssig effekt* (the change of each committee's appropriation). Read as 100 % on
//! the lead committee, ØU answers for KFU's savings and KFU never sees its own. So every
//! committee-level figure goes through [`Attribution`].
//!
//! # The rule
//!
//! - A committee's **planned share** of a year is the sum of its måltalseffekt rows for that
//!   year (ØU has two in BC01: Økonomiudvalget and Koncernservice under it). A proposal without
//!   a måltalseffekt table has its permanent change on its plan lines' committees, the lead
//!   committee where a line names none.
//! - The **appropriation effect** is the bevillingsmæssig-effekt rows where the document has
//!   them (BC02 Tabel B moves 483 t.kr. out of ØU and back to three committees, net zero),
//!   else the planned share.
//! - The **administrative effect** (Tabel 2, "Varige ændringer, administration") belongs to the
//!   whole proposal: the appendix does not split it by committee, and neither do we.
//! - A **realised saving** that names its committee counts there in full. One that names none
//!   is split by the year's planned shares (the full phase-in year's shares for a year that
//!   plans nothing), to whole kroner (0,001 t.kr., an amount's precision); the rounding
//!   remainder goes to the largest share, so the parts add up to the amount exactly. With no
//!   shares at all it stays with the lead committee.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use thiserror::Error;

use super::plan::{Plan, PlanSection};
use crate::vocabulary::Committee;

/// Per year, 1.000 kr. (savings negative).
pub type ByYear = BTreeMap<i32, Decimal>;

/// Where a proposal's committee shares come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "tables", rename_all = "snake_case")]
pub enum AttributionSource {
    /// The document's per-committee tables, by name ("Tabel A").
    Tables(Vec<String>),
    /// No per-committee table: the plan lines' committees (the lead committee where a line
    /// names none).
    PlanLines,
}

impl AttributionSource {
    /// The Danish description ("Tabel A", "planens linjer").
    #[must_use]
    pub fn danish(&self) -> String {
        match self {
            AttributionSource::Tables(t) => t.join(" og "),
            AttributionSource::PlanLines => "planens linjer".to_string(),
        }
    }
}

/// A split that cannot be computed exactly.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AttributionError {
    /// A sum or share over- or underflowed.
    #[error(
        "fordelingen på udvalg af {amount} t.kr. i {year} kan ikke beregnes: tallene er for store"
    )]
    Overflow {
        /// The year.
        year: i32,
        /// The amount split.
        amount: Decimal,
    },
}

/// How one proposal's savings are attributed to committees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// The committee Tabel 1 books the proposal on.
    pub lead: Committee,
    /// Where the planned shares come from.
    pub source: AttributionSource,
    /// Where the appropriation effect comes from.
    pub appropriation_source: AttributionSource,
    /// Planned share (måltalseffekt) per committee and year.
    pub target_effect: BTreeMap<Committee, ByYear>,
    /// Appropriation effect (bevillingsmæssig effekt) per committee and year.
    pub appropriation_effect: BTreeMap<Committee, ByYear>,
    /// The administrative effect of the whole proposal (Tabel 2's total row), per year.
    pub administrative_effect: ByYear,
    /// The year whose shares split a saving in a year that plans nothing.
    full_phase_in_year: Option<i32>,
}

fn add_into(map: &mut ByYear, year: i32, amount: Decimal) -> Option<()> {
    let slot = map.entry(year).or_default();
    *slot = slot.checked_add(amount)?;
    Some(())
}

impl Plan {
    /// The plan's committee attribution, with `lead` the committee Tabel 1 books it on. Sums
    /// that overflow are left at what they reached; [`Attribution::split`] reports overflow.
    #[must_use]
    pub fn attribution(&self, lead: Committee) -> Attribution {
        let tables = |rows: &mut dyn Iterator<Item = &super::CommitteeDistribution>| {
            let mut by: BTreeMap<Committee, ByYear> = BTreeMap::new();
            let mut names: Vec<String> = Vec::new();
            for d in rows {
                if !names.contains(&d.table) {
                    names.push(d.table.clone());
                }
                let entry = by.entry(d.committee).or_default();
                for (year, amount) in d.amounts.iter() {
                    let _ = add_into(entry, *year, amount.value());
                }
            }
            (by, names)
        };
        let (target, target_tables) = tables(
            &mut self
                .committee_distributions
                .iter()
                .filter(|d| d.is_target_effect()),
        );
        let (target_effect, source) = if target.is_empty() {
            let mut by: BTreeMap<Committee, ByYear> = BTreeMap::new();
            for l in self
                .lines
                .iter()
                .filter(|l| l.section == PlanSection::PermanentChange)
            {
                let entry = by.entry(l.committee.unwrap_or(lead)).or_default();
                for (year, amount) in l.amounts.iter() {
                    let _ = add_into(entry, *year, amount.value());
                }
            }
            (by, AttributionSource::PlanLines)
        } else {
            (target, AttributionSource::Tables(target_tables))
        };
        let (appropriation, appropriation_tables) = tables(
            &mut self
                .committee_distributions
                .iter()
                .filter(|d| d.is_appropriation_effect()),
        );
        let (appropriation_effect, appropriation_source) = if appropriation.is_empty() {
            (target_effect.clone(), source.clone())
        } else {
            (
                appropriation,
                AttributionSource::Tables(appropriation_tables),
            )
        };
        let administrative_effect = self
            .administration_effects
            .iter()
            .filter(|a| a.is_total)
            .flat_map(|a| a.amounts.iter().map(|(y, v)| (*y, v.value())))
            .collect();
        Attribution {
            lead,
            source,
            appropriation_source,
            target_effect,
            appropriation_effect,
            administrative_effect,
            full_phase_in_year: self.full_phase_in_year(),
        }
    }
}

impl Attribution {
    /// The committees with a share: the lead committee first, then every other committee with a
    /// non-zero planned share or appropriation effect in some year, in code order.
    #[must_use]
    pub fn committees(&self) -> Vec<Committee> {
        let mut out = vec![self.lead];
        for (c, years) in self.target_effect.iter().chain(&self.appropriation_effect) {
            if !out.contains(c) && years.values().any(|v| !v.is_zero()) {
                out.push(*c);
            }
        }
        out
    }

    /// Whether `committee` has a share (or leads).
    #[must_use]
    pub fn touches(&self, committee: Committee) -> bool {
        self.committees().contains(&committee)
    }

    /// The planned share of `committee` in `year` (zero where it has none).
    #[must_use]
    pub fn planned(&self, committee: Committee, year: i32) -> Decimal {
        self.target_effect
            .get(&committee)
            .and_then(|y| y.get(&year))
            .copied()
            .unwrap_or_default()
    }

    /// The non-zero planned shares of `year`, with their (non-zero) sum.
    fn shares(&self, year: i32) -> Option<(Vec<(Committee, Decimal)>, Decimal)> {
        let shares: Vec<(Committee, Decimal)> = self
            .target_effect
            .iter()
            .filter_map(|(c, y)| y.get(&year).filter(|v| !v.is_zero()).map(|v| (*c, *v)))
            .collect();
        let mut total = Decimal::ZERO;
        for (_, v) in &shares {
            total = total.checked_add(*v)?;
        }
        (!total.is_zero()).then_some((shares, total))
    }

    /// Splits `amount` of `year` over the committees by the planned shares (see the module
    /// doc): the parts are whole kroner and add up to `amount` exactly. Every committee with a
    /// share gets a part, also a zero one.
    pub fn split(
        &self,
        year: i32,
        amount: Decimal,
    ) -> Result<Vec<(Committee, Decimal)>, AttributionError> {
        self.splitter().split(year, amount)
    }

    /// [`Attribution::split`] for many amounts, each year's shares and ratios worked out once.
    #[must_use]
    pub fn splitter(&self) -> Splitter<'_> {
        Splitter {
            attribution: self,
            years: Vec::new(),
        }
    }
}

/// Splits amounts as [`Attribution::split`] does, with the same result for each, keeping each
/// year's ratios (share / total, per committee) as worked out the first time. Why: a
/// proposal's realisation splits every saving recorded, and a profile of `gevinst bench`'s
/// reads under eight writers had `split` at 7–9 % of Gevinst's CPU, most of it collecting the
/// year's shares and dividing them, the same for every saving of the year.
#[derive(Debug)]
pub struct Splitter<'a> {
    attribution: &'a Attribution,
    /// Per year asked: `None` when it splits by no shares (all to the lead committee).
    years: Vec<(i32, Option<Ratios>)>,
}

/// One year's ratios, and which committee takes the rounding remainder.
#[derive(Debug)]
struct Ratios {
    /// Per committee, `share / total` (`None` when that division overflows).
    ratios: Vec<(Committee, Option<Decimal>)>,
    /// The committee with the largest share (the last of equals).
    largest: usize,
}

impl Splitter<'_> {
    fn ratios(&mut self, year: i32) -> Option<&Ratios> {
        let at = match self.years.iter().position(|(y, _)| *y == year) {
            Some(at) => at,
            None => {
                let a = self.attribution;
                let ratios = a
                    .shares(year)
                    .or_else(|| a.full_phase_in_year.and_then(|y| a.shares(y)))
                    .map(|(shares, total)| Ratios {
                        largest: shares
                            .iter()
                            .enumerate()
                            .max_by_key(|(_, (_, s))| s.abs())
                            .map_or(0, |(i, _)| i),
                        ratios: shares
                            .iter()
                            .map(|(c, share)| (*c, share.checked_div(total)))
                            .collect(),
                    });
                self.years.push((year, ratios));
                self.years.len() - 1
            }
        };
        self.years[at].1.as_ref()
    }

    /// As [`Attribution::split`].
    pub fn split(
        &mut self,
        year: i32,
        amount: Decimal,
    ) -> Result<Vec<(Committee, Decimal)>, AttributionError> {
        let overflow = || AttributionError::Overflow { year, amount };
        let lead = self.attribution.lead;
        let Some(ratios) = self.ratios(year) else {
            return Ok(vec![(lead, amount)]);
        };
        let mut parts = Vec::with_capacity(ratios.ratios.len());
        let mut sum = Decimal::ZERO;
        for (c, ratio) in &ratios.ratios {
            let part = ratio
                .and_then(|ratio| amount.checked_mul(ratio))
                .ok_or_else(overflow)?
                .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
            sum = sum.checked_add(part).ok_or_else(overflow)?;
            parts.push((*c, part));
        }
        let remainder = amount.checked_sub(sum).ok_or_else(overflow)?;
        if !remainder.is_zero() {
            let part = &mut parts[ratios.largest].1;
            *part = part.checked_add(remainder).ok_or_else(overflow)?;
        }
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_year(pairs: &[(i32, i64)]) -> ByYear {
        pairs.iter().map(|(y, v)| (*y, Decimal::from(*v))).collect()
    }

    fn attribution(target: &[(Committee, &[(i32, i64)])]) -> Attribution {
        let target_effect: BTreeMap<Committee, ByYear> =
            target.iter().map(|(c, y)| (*c, by_year(y))).collect();
        Attribution {
            lead: Committee::parse("ØU").unwrap(),
            source: AttributionSource::Tables(vec!["Tabel A".into()]),
            appropriation_source: AttributionSource::Tables(vec!["Tabel A".into()]),
            appropriation_effect: target_effect.clone(),
            target_effect,
            administrative_effect: ByYear::new(),
            full_phase_in_year: Some(2027),
        }
    }

    #[test]
    fn an_unnamed_saving_is_split_by_the_years_planned_shares_to_whole_kroner() {
        let a = attribution(&[
            (
                Committee::parse("ØU").unwrap(),
                &[(2026, -712), (2027, -783)],
            ),
            (
                Committee::parse("KFU").unwrap(),
                &[(2026, -58), (2027, -93)],
            ),
            (
                Committee::parse("SUD").unwrap(),
                &[(2026, -107), (2027, -172)],
            ),
        ]);
        // 877 planned in 2026; 100 realised: ØU 712/877, KFU 58/877, SUD 107/877.
        let parts = a.split(2026, Decimal::from(-100)).unwrap();
        assert_eq!(
            parts,
            vec![
                (Committee::parse("KFU").unwrap(), Decimal::new(-6_613, 3)),
                (Committee::parse("SUD").unwrap(), Decimal::new(-12_201, 3)),
                (Committee::parse("ØU").unwrap(), Decimal::new(-81_186, 3)),
            ]
        );
        assert_eq!(
            parts.iter().map(|(_, v)| *v).sum::<Decimal>(),
            Decimal::from(-100)
        );
    }

    #[test]
    fn a_year_without_a_plan_is_split_by_the_full_phase_in_shares_and_without_shares_stays_on_the_lead(
    ) {
        let a = attribution(&[
            (Committee::parse("ØU").unwrap(), &[(2027, -75)]),
            (Committee::parse("KFU").unwrap(), &[(2027, -25)]),
        ]);
        assert_eq!(
            a.split(2025, Decimal::from(-8)).unwrap(),
            vec![
                (Committee::parse("KFU").unwrap(), Decimal::from(-2)),
                (Committee::parse("ØU").unwrap(), Decimal::from(-6)),
            ]
        );
        let none = attribution(&[]);
        assert_eq!(
            none.split(2025, Decimal::from(-8)).unwrap(),
            vec![(Committee::parse("ØU").unwrap(), Decimal::from(-8))]
        );
        assert_eq!(none.committees(), vec![Committee::parse("ØU").unwrap()]);
    }

    #[test]
    fn the_committees_are_the_lead_first_then_every_committee_with_a_share() {
        let a = attribution(&[
            (Committee::parse("SUD").unwrap(), &[(2026, -1)]),
            (Committee::parse("KFU").unwrap(), &[(2026, 0)]),
            (Committee::parse("ØU").unwrap(), &[(2026, -5)]),
        ]);
        assert_eq!(
            a.committees(),
            vec![
                Committee::parse("ØU").unwrap(),
                Committee::parse("SUD").unwrap()
            ]
        );
        assert!(!a.touches(Committee::parse("KFU").unwrap()));
    }

    #[test]
    fn a_split_that_overflows_is_an_error_not_a_panic() {
        let a = attribution(&[
            (Committee::parse("ØU").unwrap(), &[(2026, 1)]),
            (Committee::parse("SUD").unwrap(), &[(2026, -3)]),
        ]);
        let huge = Decimal::MAX;
        assert!(matches!(
            a.split(2026, huge),
            Err(AttributionError::Overflow { year: 2026, .. })
        ));
    }

    proptest! {
        /// A splitter kept over many amounts of several years splits each as a fresh split
        /// does: what it keeps per year is that year's, also for years planning nothing (split
        /// by the full phase-in year's shares) and before the first amount of a year.
        #[test]
        fn a_kept_splitter_splits_as_a_fresh_split(
            shares in prop::collection::vec(prop::collection::vec(-5_000i64..5_000, 4), 1..5),
            amounts in prop::collection::vec((2024i32..2030, -10_000_000i64..10_000_000), 1..40),
        ) {
            let committees: Vec<Committee> = ["BIU", "KFU", "SUD", "ØU"]
                .iter()
                .map(|c| Committee::parse(c).unwrap())
                .collect();
            let target: Vec<(Committee, Vec<(i32, i64)>)> = shares
                .iter()
                .zip(committees.iter())
                .map(|(by_year, c)| (*c, (2025..).zip(by_year.iter().copied()).collect()))
                .collect();
            let target: Vec<(Committee, &[(i32, i64)])> =
                target.iter().map(|(c, y)| (*c, y.as_slice())).collect();
            let a = attribution(&target);
            let mut kept = a.splitter();
            for (year, amount) in amounts {
                let amount = Decimal::new(amount, 1);
                prop_assert_eq!(kept.split(year, amount), a.splitter().split(year, amount));
            }
        }

        /// Whatever the shares (same sign, as måltalseffekt rows are) and the amount, the parts
        /// are whole kroner, add up to the amount exactly, and each is within a few kroner of
        /// its exact proportional share (the largest takes the rounding remainder).
        #[test]
        fn parts_add_up_exactly_and_stay_proportional(
            shares in prop::collection::vec(1i64..5_000_000, 1..8),
            amount in -1_000_000_000_000i64..1_000_000_000_000,
            scale in 0u32..=3,
        ) {
            let committees: Vec<Committee> = ["BIU", "BUU", "KFU", "SOU", "SUD", "TMU", "ØU"]
                .iter()
                .map(|c| Committee::parse(c).unwrap())
                .collect();
            let target: Vec<(Committee, Vec<(i32, i64)>)> = shares
                .iter()
                .zip(committees.iter())
                .map(|(s, c)| (*c, vec![(2026, -*s)]))
                .collect();
            let target: Vec<(Committee, &[(i32, i64)])> =
                target.iter().map(|(c, y)| (*c, y.as_slice())).collect();
            let a = attribution(&target);
            let amount = Decimal::new(amount, scale);
            let parts = a.split(2026, amount).unwrap();
            prop_assert_eq!(parts.iter().map(|(_, v)| *v).sum::<Decimal>(), amount);
            let total: i64 = shares.iter().sum();
            for ((_, part), share) in parts.iter().zip(&shares) {
                prop_assert!(part.scale() <= 3);
                let exact = amount * Decimal::from(*share) / Decimal::from(total);
                prop_assert!((*part - exact).abs() <= Decimal::new(5, 3), "{} vs {}", part, exact);
            }
        }
    }
}
