//! The `GoalCancelled` event, version 1: its stored shape, current version, Danish name, business
//! date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::GoalId;
use crate::vocabulary::Reason;
use crate::vocabulary::Role;
use chrono::NaiveDate;

/// A goal was cancelled (controllers only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalCancellation {
    /// Which goal.
    pub goal: GoalId,
    /// Effective date.
    pub cancelled_on: NaiveDate,
    /// Why.
    pub reason: Reason,
    /// The role of whoever cancelled; only controllers may.
    pub role: Role,
}

impl EventKind for GoalCancellation {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Opfølgningsmål annulleret";
}

impl FactKind for GoalCancellation {
    fn effective_on(&self) -> NaiveDate {
        self.cancelled_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.goal.to_string())
    }
}
