//! The `SavingRealised` event, version 2: its stored shape, current version, Danish name, business
//! date and the columns the read model indexes it by.

use serde::{Deserialize, Serialize};

use super::{Columns, EventKind, FactKind};
use crate::ids::PlanLineId;
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::proposal::plan::PlanSection;
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

    fn columns(&self) -> Columns {
        Columns {
            year: Some(self.year),
            amount: Some(self.amount),
            price_level: Some(self.price_level),
            control_area: Some(self.control_area),
            plan_line: self.plan_line.clone(),
            committee: self.committee,
            section: Some(PlanSection::PermanentChange),
            ..Columns::default()
        }
    }
}
