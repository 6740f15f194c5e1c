//! A plan at another year's price level, and which price-index estimate a report used.
//!
//! Every amount of a plan is stated at the plan's price level. A controller comparing it with
//! next year's budget wants it at that year's level: each line is converted on the series its
//! control area follows, with the estimate in use as of the read's recorded cut-off
//! (`ReadModels::price_index`), and the estimate is named. A year the estimate does not state
//! leaves the cells it touches unconverted, with the reason, never guessed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gevinst_domain::price::{IndexSeries, PriceIndex};
use gevinst_domain::PriceLevel;
use rust_decimal::Decimal;
use serde::Serialize;

use super::add;
use crate::readmodel::{ReadModelError, ReadModels};

/// The estimate a report converted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexUsed {
    /// Its code.
    pub vintage: String,
    /// Its name ("Økonomistyrelsen, pris- og lønforudsætninger juni 2024").
    pub name: String,
    /// When it was published.
    pub published: NaiveDate,
}

impl IndexUsed {
    /// The estimate in use in `index`, if any.
    #[must_use]
    pub fn of(index: &PriceIndex) -> Option<Self> {
        index.in_use().map(|v| Self {
            vintage: v.id.to_string(),
            name: v.name.to_string(),
            published: v.published,
        })
    }
}

/// One cell: the plan's amount and the same at the asked level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// At the plan's price level (1.000 kr.).
    pub stated: Decimal,
    /// At the asked price level, absent when the estimate cannot convert it.
    pub converted: Option<Decimal>,
}

/// One plan line at the asked level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineAtLevel {
    /// The line's id.
    pub line: String,
    /// Its label as written.
    pub label: String,
    /// Its section.
    pub section: gevinst_domain::proposal::PlanSection,
    /// Its control area code.
    pub control_area: String,
    /// The index series it is converted on.
    pub series: IndexSeries,
    /// Per year.
    pub years: BTreeMap<i32, Cell>,
}

/// A proposal's plan in force at another price level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanAtLevel {
    /// The proposal.
    pub proposal: String,
    /// The plan's own price level.
    pub from_level: i32,
    /// The level asked for.
    pub to_level: i32,
    /// The estimate used (none in use: nothing converts unless the levels are equal).
    pub index: Option<IndexUsed>,
    /// The lines.
    pub lines: Vec<LineAtLevel>,
    /// Per year, the sum of the converted cells; absent for a year with a cell not converted.
    pub totals: BTreeMap<i32, Option<Decimal>>,
    /// Why cells were left unconverted (each reason once).
    pub unconverted: Vec<String>,
}

/// Proposal `id`'s plan in force, converted to `to`; `None` when there is no such proposal.
pub async fn plan_at_level(
    read: &ReadModels,
    id: &str,
    index: &PriceIndex,
    to: PriceLevel,
) -> Result<Option<PlanAtLevel>, ReadModelError> {
    let Some(row) = read.proposal(id).await? else {
        return Ok(None);
    };
    let identity = row.identity()?;
    let plan = row.current()?.unwrap_or_default();
    let from = identity.price_level;
    let mut unconverted: Vec<String> = Vec::new();
    let mut totals: BTreeMap<i32, Option<Decimal>> = BTreeMap::new();
    let mut lines = Vec::new();
    for line in &plan.lines {
        let mut years = BTreeMap::new();
        for (year, amount) in line.amounts.iter() {
            let converted = match index.convert(*amount, from, to, line.control_area) {
                Ok(a) => Some(a.value()),
                Err(e) => {
                    let reason = e.to_string();
                    if !unconverted.contains(&reason) {
                        unconverted.push(reason);
                    }
                    None
                }
            };
            let total = totals.entry(*year).or_insert(Some(Decimal::ZERO));
            match (total.as_mut(), converted) {
                (Some(t), Some(c)) => add(t, c, "planen i andet prisniveau")?,
                _ => *total = None,
            }
            years.insert(
                *year,
                Cell {
                    stated: amount.value(),
                    converted,
                },
            );
        }
        lines.push(LineAtLevel {
            line: line.id.to_string(),
            label: line.label.clone(),
            section: line.section,
            control_area: line.control_area.code().to_string(),
            series: IndexSeries::for_area(line.control_area),
            years,
        });
    }
    Ok(Some(PlanAtLevel {
        proposal: row.proposal_id.clone(),
        from_level: from.year(),
        to_level: to.year(),
        index: IndexUsed::of(index),
        lines,
        totals,
        unconverted,
    }))
}
