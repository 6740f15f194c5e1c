//! The `CompensatingActionRecorded` event, version 1: its stored shape, current version, Danish
//! name, business date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::GoalId;
use crate::vocabulary::EvidenceRef;
use crate::vocabulary::Note;
use chrono::NaiveDate;

/// What the owner does to make up for a delay or a shortfall (kompenserende handling): the
/// answer a committee gets when it asks "what are you doing about it?".
///
/// It answers what it names — a delayed goal, a year's shortfall, or both — and nothing else:
/// the committee status moves only the problem named. `year` was added after version 1 was
/// first stored; it is optional, defaults to none and is left out of the JSON when absent, so
/// stored events decode and hash exactly as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompensatingAction {
    /// The delayed goal it answers, if one; it must exist and not be cancelled.
    pub goal: Option<GoalId>,
    /// The budget year whose savings shortfall it answers, if one; within the plan's years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// When it was recorded (business date).
    pub recorded_on: NaiveDate,
    /// What is done.
    pub action: Note,
    /// What it is expected to achieve, if stated.
    pub expected_effect: Option<Note>,
    /// Evidence (e.g. a steering-group decision), if any.
    pub evidence: Option<EvidenceRef>,
}

impl EventKind for CompensatingAction {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Kompenserende tiltag";
}

impl FactKind for CompensatingAction {
    fn effective_on(&self) -> NaiveDate {
        self.recorded_on
    }

    fn subject(&self) -> Option<String> {
        self.goal.as_ref().map(ToString::to_string)
    }
}
