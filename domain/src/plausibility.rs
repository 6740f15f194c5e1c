//! Plausibility warnings: input that is valid but probably wrong, such as kroner typed where
//! 1.000 kr. was meant (1000× too much), a realised saving dated in the future, a year the plan
//! does not cover, a price level the index cannot convert. Unlike a broken rule these are not
//! refused outright: the sender confirms them (`--confirm`, later a form checkbox), and the
//! confirmed warnings are stored in the event's metadata (`confirmed_warnings`) so an auditor
//! sees that someone looked.
//!
//! Pure: the caller supplies the plan, the proposal's price level, the price index and today's
//! date (the service clock), so the CLI, the HTTP API and forms share one check.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::{Amount, PriceLevel};
use crate::price::PriceIndex;
use crate::proposal::{Plan, ProposalCommand};
use crate::vocabulary::ControlArea;

/// How many times the plan line's largest yearly amount an entry may be before it is suspect.
pub const FAR_ABOVE_PLAN_FACTOR: i64 = 10;

/// One reason to ask "are you sure?".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A realised saving dated after today.
    FutureDate {
        /// The entry's date.
        date: NaiveDate,
        /// Today, by the service clock.
        today: NaiveDate,
    },
    /// A year outside the plan's years.
    YearOutsidePlan {
        /// The entry's year.
        year: i32,
        /// The plan's first year.
        first: i32,
        /// The plan's last year.
        last: i32,
    },
    /// More than [`FAR_ABOVE_PLAN_FACTOR`]× the plan line's largest yearly amount.
    FarAbovePlan {
        /// The entry's amount.
        amount: Amount,
        /// The plan line.
        line: String,
        /// Its largest yearly amount (absolute).
        largest: Amount,
    },
    /// The price index cannot convert the entry's price level to the proposal's.
    UnconvertiblePriceLevel {
        /// The entry's price level.
        from: PriceLevel,
        /// The proposal's.
        to: PriceLevel,
        /// Why not.
        problem: String,
    },
}

impl Warning {
    /// A stable code, for clients and the stored metadata.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Warning::FutureDate { .. } => "future-date",
            Warning::YearOutsidePlan { .. } => "year-outside-plan",
            Warning::FarAbovePlan { .. } => "far-above-plan",
            Warning::UnconvertiblePriceLevel { .. } => "unconvertible-price-level",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::FutureDate { date, today } => write!(
                f,
                "en realiseret besparelse dateret {date} ligger efter i dag ({today})"
            ),
            Warning::YearOutsidePlan { year, first, last } => {
                write!(f, "år {year} ligger uden for planens år {first}–{last}")
            }
            Warning::FarAbovePlan {
                amount,
                line,
                largest,
            } => write!(
                f,
                "beløbet {amount} (1.000 kr.) er mere end {FAR_ABOVE_PLAN_FACTOR} gange planlinje {line}s største årsbeløb ({largest}); er det skrevet i kr. i stedet for 1.000 kr.?"
            ),
            Warning::UnconvertiblePriceLevel { from, to, problem } => write!(
                f,
                "prisniveau {from} kan ikke omregnes til forslagets {to}: {problem}"
            ),
        }
    }
}

/// What a money entry says, for the checks.
struct Entry<'a> {
    year: i32,
    amount: Amount,
    price_level: PriceLevel,
    control_area: ControlArea,
    plan_line: Option<&'a crate::PlanLineId>,
    realised_saving_on: Option<NaiveDate>,
}

/// The warnings `command` raises against `plan` (the plan in force, stated at `plan_level`),
/// with `index` for price levels and `today` from the service clock. Commands without an
/// amount raise none.
#[must_use]
pub fn check(
    command: &ProposalCommand,
    plan: Option<&Plan>,
    plan_level: PriceLevel,
    index: &PriceIndex,
    today: NaiveDate,
) -> Vec<Warning> {
    let entry = match command {
        ProposalCommand::RecordSaving(s) => Entry {
            year: s.year,
            amount: s.amount,
            price_level: s.price_level,
            control_area: s.control_area,
            plan_line: s.plan_line.as_ref(),
            realised_saving_on: Some(s.effective_on),
        },
        ProposalCommand::RecordCost(c) => Entry {
            year: c.year,
            amount: c.amount,
            price_level: c.price_level,
            control_area: c.control_area,
            plan_line: c.plan_line.as_ref(),
            realised_saving_on: None,
        },
        _ => return Vec::new(),
    };
    let mut warnings = Vec::new();
    if let Some(date) = entry.realised_saving_on.filter(|d| *d > today) {
        warnings.push(Warning::FutureDate { date, today });
    }
    if let Some(plan) = plan {
        if let (Some(first), Some(last)) = (plan.years.iter().min(), plan.years.iter().max()) {
            if !plan.years.contains(&entry.year) {
                warnings.push(Warning::YearOutsidePlan {
                    year: entry.year,
                    first: *first,
                    last: *last,
                });
            }
        }
        if let Some(line) = entry.plan_line.and_then(|id| plan.line(id)) {
            let largest = line
                .amounts
                .as_map()
                .values()
                .map(|a| a.value().abs())
                .max()
                .unwrap_or(Decimal::ZERO);
            let limit = largest.checked_mul(Decimal::from(FAR_ABOVE_PLAN_FACTOR));
            if limit.is_some_and(|limit| entry.amount.value().abs() > limit) {
                warnings.push(Warning::FarAbovePlan {
                    amount: entry.amount,
                    line: line.id.to_string(),
                    largest: Amount::new(largest).unwrap_or(Amount::ZERO),
                });
            }
        }
    }
    if let Err(e) = index.convert(
        entry.amount,
        entry.price_level,
        plan_level,
        entry.control_area,
    ) {
        warnings.push(Warning::UnconvertiblePriceLevel {
            from: entry.price_level,
            to: plan_level,
            problem: e.to_string(),
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proposal::examples;

    fn index() -> PriceIndex {
        crate::price::Seed::parse(include_str!("../../baselines/price-index.toml"))
            .unwrap()
            .index()
            .unwrap()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
    }

    fn warnings(saving: crate::proposal::RealisedSaving) -> Vec<&'static str> {
        let plan = examples::plan();
        check(
            &ProposalCommand::RecordSaving(saving),
            Some(&plan),
            examples::price_level(),
            &index(),
            today(),
        )
        .iter()
        .map(Warning::code)
        .collect()
    }

    #[test]
    fn a_plausible_saving_raises_nothing() {
        assert_eq!(warnings(examples::saving(2025, -400)), Vec::<&str>::new());
    }

    #[test]
    fn each_implausibility_is_named() {
        let mut s = examples::saving(2025, -400);
        s.effective_on = NaiveDate::from_ymd_opt(2026, 1, 16).unwrap();
        assert_eq!(warnings(s), ["future-date"]);
        let mut s = examples::saving(2031, -400);
        s.effective_on = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(warnings(s), ["year-outside-plan"]);
        let largest = examples::plan()
            .line(&"l1".parse().unwrap())
            .unwrap()
            .amounts
            .as_map()
            .values()
            .map(|a| a.value().abs())
            .max()
            .unwrap();
        let ten_times = i64::try_from(largest * Decimal::from(10)).unwrap();
        assert_eq!(
            warnings(examples::saving(2025, -ten_times)),
            Vec::<&str>::new()
        );
        assert_eq!(
            warnings(examples::saving(2025, -ten_times - 1)),
            ["far-above-plan"]
        );
        let mut s = examples::saving(2025, -400);
        s.price_level = PriceLevel::new(2001).unwrap();
        assert_eq!(warnings(s), ["unconvertible-price-level"]);
    }
}
