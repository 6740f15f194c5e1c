//! The `GoalScheduled` event, version 1: its stored shape, current version, Danish name, business
//! date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::GoalId;
use crate::vocabulary::Note;
use chrono::NaiveDate;

/// A date was given to a goal whose "when" could not be resolved from the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalSchedule {
    /// Which goal.
    pub goal: GoalId,
    /// The date it is now due.
    pub due_on: NaiveDate,
    /// Why this date (e.g. "investeringsmidler frigivet 3. marts").
    pub note: Option<Note>,
}

impl EventKind for GoalSchedule {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Opfølgningsmål dateret";
}

impl FactKind for GoalSchedule {
    fn effective_on(&self) -> NaiveDate {
        self.due_on
    }

    fn subject(&self) -> Option<String> {
        Some(self.goal.to_string())
    }
}
