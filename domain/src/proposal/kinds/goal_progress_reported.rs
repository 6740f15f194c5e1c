//! The `GoalProgressReported` event, version 1: its stored shape, current version, Danish name,
//! business date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::GoalId;
use crate::vocabulary::EvidenceRef;
use crate::vocabulary::Note;
use chrono::NaiveDate;

/// Progress on a goal, with a note and possibly evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalProgress {
    /// Which goal.
    pub goal: GoalId,
    /// The date the progress describes.
    pub reported_on: NaiveDate,
    /// What happened.
    pub note: Note,
    /// Evidence, if any.
    pub evidence: Option<EvidenceRef>,
    /// The owner flags the goal as at risk.
    pub at_risk: bool,
}

impl EventKind for GoalProgress {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Fremdrift på opfølgningsmål";
}

impl FactKind for GoalProgress {
    fn effective_on(&self) -> NaiveDate {
        self.reported_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.goal.to_string())
    }
}
