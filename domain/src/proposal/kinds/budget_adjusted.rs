//! The `BudgetAdjusted` event, version 2: its stored shape, current version, Danish name, business
//! date and the columns the read model indexes it by.

use serde::{Deserialize, Serialize};

use super::{Columns, EventKind, FactKind};
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

    fn columns(&self) -> Columns {
        Columns {
            year: Some(self.year),
            amount: Some(self.amount),
            price_level: Some(self.price_level),
            control_area: Some(self.control_area),
            committee: Some(self.committee),
            ..Columns::default()
        }
    }
}
