//! The `EntryReversed` event, version 1: its stored shape, current version and Danish name (the
//! read models' statements for it are in `gevinst_projections::readmodel::apply`).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::vocabulary::Reason;

/// An earlier entry is void.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reversal {
    /// The corrected event's sequence in this proposal's stream.
    pub corrects: u64,
    /// Why.
    pub reason: Reason,
}

impl EventKind for Reversal {
    const VERSION: &'static str = "1";
    const LABEL: &'static str = "Registrering tilbageført";
}
