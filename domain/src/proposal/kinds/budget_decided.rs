//! The `BudgetDecided` event, version 1: its stored shape, current version, Danish name, business
//! date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::vocabulary::BudgetOutcome;
use crate::vocabulary::EvidenceRef;
use crate::vocabulary::Note;
use crate::vocabulary::Role;
use chrono::NaiveDate;

/// What the budget agreement decided about a proposal (controllers only). Until one is
/// recorded the proposal is *indstillet*: visible with its plan and the document's
/// recommendation, but not judged. Never inferred from the appendix, which does not say.
/// A wrong decision is corrected like any entry (superseded or reversed, with a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetDecision {
    /// Adopted, adopted changed, or not adopted.
    pub outcome: BudgetOutcome,
    /// When it was decided (business date: the agreement's or the council's date).
    pub decided_on: NaiveDate,
    /// The decision it rests on (e.g. "Budgetaftale 2025").
    pub reference: EvidenceRef,
    /// What changed or why, if stated.
    pub note: Option<Note>,
    /// The role of whoever recorded it; only controllers may.
    pub role: Role,
}

impl EventKind for BudgetDecision {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Budgetbeslutning";
}

impl FactKind for BudgetDecision {
    fn effective_on(&self) -> NaiveDate {
        self.decided_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.outcome.code().to_string())
    }
}
