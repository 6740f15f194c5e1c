//! The `InnovationOutcomeRecorded` event, version 1: its stored shape, current version, Danish name
//! and business date (the read model keeps the fact whole; reports read its figures from it).

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::ids::ProposalId;
use crate::vocabulary::EvidenceRef;
use crate::vocabulary::Note;
use chrono::NaiveDate;

/// What an innovation proposal or pre-study taught, and whether it led to an investment case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationOutcome {
    /// When it was recorded (business date).
    pub recorded_on: NaiveDate,
    /// What was learnt.
    pub learning: Note,
    /// Whether it led to an investment case.
    pub led_to_investment_case: bool,
    /// The investment case it led to, if it has an id yet.
    pub investment_case: Option<ProposalId>,
    /// Evidence (e.g. the evaluation report), if any.
    pub evidence: Option<EvidenceRef>,
}

impl EventKind for InnovationOutcome {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Læring fra innovation eller foranalyse";
}

impl FactKind for InnovationOutcome {
    fn effective_on(&self) -> NaiveDate {
        self.recorded_on
    }
}
