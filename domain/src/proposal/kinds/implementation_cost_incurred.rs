//! The `ImplementationCostIncurred` event, version 2: its stored shape, current version, Danish
//! name, business date and the columns the read model indexes it by.

use serde::{Deserialize, Serialize};

use super::{Columns, EventKind, FactKind};
use crate::ids::PlanLineId;
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::proposal::plan::PlanSection;
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

    fn columns(&self) -> Columns {
        Columns {
            year: Some(self.year),
            amount: Some(self.amount),
            price_level: Some(self.price_level),
            control_area: Some(self.control_area),
            plan_line: self.plan_line.clone(),
            section: Some(PlanSection::ImplementationCost),
            ..Columns::default()
        }
    }
}
