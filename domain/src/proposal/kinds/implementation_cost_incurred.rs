//! The `ImplementationCostIncurred` event, version 2: its stored shape, current version, Danish
//! name and business date (the read model keeps the fact whole; reports read its figures from it).

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::PlanLineId;
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::vocabulary::ControlArea;
use crate::vocabulary::EvidenceRef;
use chrono::NaiveDate;

/// Implementation cost was incurred (positive amount, 1.000 kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncurredCost {
    /// The budget year.
    pub year: i32,
    /// Positive: a cost.
    pub amount: Amount,
    /// The price level it is stated at.
    pub price_level: PriceLevel,
    /// The plan line it spends against, if one.
    pub plan_line: Option<PlanLineId>,
    /// The control area.
    pub control_area: ControlArea,
    /// When it was incurred.
    pub effective_on: NaiveDate,
    /// Evidence.
    pub evidence: Option<EvidenceRef>,
}

impl EventKind for IncurredCost {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Implementeringsomkostning";
}

impl FactKind for IncurredCost {
    fn effective_on(&self) -> NaiveDate {
        self.effective_on
    }

    fn budget_year(&self) -> Option<i32> {
        Some(self.year)
    }
}
