//! The `GoalAchieved` event, version 1: its stored shape, current version, Danish name, business
//! date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::GoalId;
use crate::vocabulary::EvidenceRef;
use chrono::NaiveDate;

/// A goal was achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalAchievement {
    /// Which goal.
    pub goal: GoalId,
    /// When it was achieved (business date).
    pub achieved_on: NaiveDate,
    /// The evidence that it was.
    pub evidence: EvidenceRef,
}

impl EventKind for GoalAchievement {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Opfølgningsmål opnået";
}

impl FactKind for GoalAchievement {
    fn effective_on(&self) -> NaiveDate {
        self.achieved_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.goal.to_string())
    }
}
