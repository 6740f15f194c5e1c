//! The `MilestoneCompleted` event, version 1: its stored shape, current version, Danish name,
//! business date and the columns the read model indexes it by.

use serde::{Deserialize, Serialize};

use super::{Columns, EventKind, FactKind};
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

    fn columns(&self) -> Columns {
        Columns {
            subject: Some(self.milestone.to_string()),
            ..Columns::default()
        }
    }
}
