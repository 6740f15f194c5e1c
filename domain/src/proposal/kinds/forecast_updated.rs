//! The `ForecastUpdated` event, version 2: its stored shape, current version, Danish name and
//! business date (the read model keeps the fact whole; reports read its figures from it).

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::PlanLineId;
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::proposal::plan::PlanSection;
use crate::vocabulary::ControlArea;
use crate::vocabulary::Note;
use chrono::NaiveDate;

/// The owner's current expectation for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// The budget year forecast.
    pub year: i32,
    /// Savings (permanent change) or implementation cost.
    pub section: PlanSection,
    /// Expected amount for the year (sign as in the plan).
    pub amount: Amount,
    /// The price level.
    pub price_level: PriceLevel,
    /// The plan line, if one.
    pub plan_line: Option<PlanLineId>,
    /// The control area.
    pub control_area: ControlArea,
    /// When the forecast was made (business date).
    pub effective_on: NaiveDate,
    /// Why it changed.
    pub note: Option<Note>,
}

impl EventKind for Forecast {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Forventning";
}

impl FactKind for Forecast {
    fn effective_on(&self) -> NaiveDate {
        self.effective_on
    }

    fn budget_year(&self) -> Option<i32> {
        Some(self.year)
    }
}
