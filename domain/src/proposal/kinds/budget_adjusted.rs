//! The `BudgetAdjusted` event, version 2: its stored shape, current version, Danish name and
//! business date (the read model keeps the fact whole; reports read its figures from it).

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::money::Amount;
use crate::money::PriceLevel;
use crate::vocabulary::Committee;
use crate::vocabulary::ControlArea;
use crate::vocabulary::EvidenceRef;
use crate::vocabulary::Note;
use crate::vocabulary::Role;
use chrono::NaiveDate;

/// A committee's budget frame was changed because of the proposal: the cashable check — a
/// saving is money only once a frame is actually reduced (controllers only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetAdjustment {
    /// Whose frame.
    pub committee: Committee,
    /// The budget year.
    pub year: i32,
    /// The control area of the frame.
    pub control_area: ControlArea,
    /// The change in 1.000 kr.; negative = the frame is reduced.
    pub amount: Amount,
    /// The price level the amount is stated at.
    pub price_level: PriceLevel,
    /// When the adjustment takes effect (business date).
    pub effective_on: NaiveDate,
    /// The decision it rests on (e.g. the budget agreement), if any.
    pub reference: Option<EvidenceRef>,
    /// Why, if stated.
    pub note: Option<Note>,
    /// The role of whoever recorded it; only controllers may.
    pub role: Role,
}

impl EventKind for BudgetAdjustment {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Budgetramme tilpasset";
}

impl FactKind for BudgetAdjustment {
    fn effective_on(&self) -> NaiveDate {
        self.effective_on
    }

    fn budget_year(&self) -> Option<i32> {
        Some(self.year)
    }
}
