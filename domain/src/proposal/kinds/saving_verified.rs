//! The `SavingVerified` event, version 1: its stored shape, current version, Danish name, business
//! date and the subject the read model files it under.

use serde::{Deserialize, Serialize};

use super::{EventKind, FactKind};
use crate::vocabulary::Actor;
use crate::vocabulary::Note;
use crate::vocabulary::Role;
use chrono::NaiveDate;

/// Four eyes on money: a controller confirms a realised saving that someone else recorded.
///
/// The aggregate cannot see event metadata, so the fact carries both people; the command path
/// (`ProposalService::execute`) fills `reported_by` from the stored saving's actor and
/// `verified_by` and `role` from the command's own metadata, so a client can set neither.
///
/// A verification counts only while the saving it names is in force: reversing or superseding a
/// verified saving is allowed and voids the verification (see
/// [`Proposal::verification_of`](crate::proposal::aggregate::Proposal::verification_of)); the
/// replacement entry needs a verification of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavingVerification {
    /// Sequence of the verified entry: a `SavingRealised` event, or an `EntrySuperseded` whose
    /// replacement is a saving.
    pub saving: u64,
    /// When it was verified (business date).
    pub verified_on: NaiveDate,
    /// The controller who verified it.
    pub verified_by: Actor,
    /// Who recorded the saving; must differ from `verified_by`.
    pub reported_by: Actor,
    /// The role of whoever verified; only controllers may.
    pub role: Role,
    /// What was checked, if stated.
    pub note: Option<Note>,
}

impl EventKind for SavingVerification {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Effektivisering verificeret";
}

impl FactKind for SavingVerification {
    fn effective_on(&self) -> NaiveDate {
        self.verified_on
    }

    fn subject(&self) -> Option<String> {
        // The verified saving's sequence: a report joins on it, and treats the verification
        // as void once that saving's row is corrected.
        Some(self.saving.to_string())
    }
}
