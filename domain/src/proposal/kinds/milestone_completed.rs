//! The `MilestoneCompleted` event, version 1: its stored shape, current version, Danish name,
//! business date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::MilestoneId;
use crate::vocabulary::EvidenceRef;
use chrono::NaiveDate;

/// A milestone was completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCompletion {
    /// Which milestone.
    pub milestone: MilestoneId,
    /// When it was completed (business date).
    pub completed_on: NaiveDate,
    /// Evidence, if any.
    pub evidence: Option<EvidenceRef>,
}

impl EventKind for MilestoneCompletion {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Milepæl nået";
}

impl FactKind for MilestoneCompletion {
    fn effective_on(&self) -> NaiveDate {
        self.completed_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.milestone.to_string())
    }
}
