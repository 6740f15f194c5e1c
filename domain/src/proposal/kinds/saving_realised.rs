//! The `SavingRealised` event, version 2: its stored shape, current version, Danish name and
//! business date (the read model keeps the fact whole; reports read its figures from it).

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::PlanLineId;
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::vocabulary::Committee;
use crate::vocabulary::ControlArea;
use crate::vocabulary::EvidenceRef;
use chrono::NaiveDate;

/// A saving was realised (negative amount, 1.000 kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealisedSaving {
    /// The budget year it belongs to.
    pub year: i32,
    /// Negative: a saving.
    pub amount: Amount,
    /// The price level it is stated at.
    pub price_level: PriceLevel,
    /// The plan line it realises, if one.
    pub plan_line: Option<PlanLineId>,
    /// The committee whose budget it lands in, if known.
    pub committee: Option<Committee>,
    /// The control area.
    pub control_area: ControlArea,
    /// When it was realised/recognised.
    pub effective_on: NaiveDate,
    /// Evidence (e.g. a Kvantum extract).
    pub evidence: Option<EvidenceRef>,
}

impl EventKind for RealisedSaving {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Realiseret effektivisering";
}

impl FactKind for RealisedSaving {
    fn effective_on(&self) -> NaiveDate {
        self.effective_on
    }

    fn budget_year(&self) -> Option<i32> {
        Some(self.year)
    }
}
