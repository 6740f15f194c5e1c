//! The `EntrySuperseded` event, version 2: its stored shape, current version and Danish name (the
//! read models' statements for it are in `gevinst_projections::readmodel::apply`).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::proposal::events::Fact;
use crate::vocabulary::Reason;

/// An earlier entry is replaced by a new one of the same kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersession {
    /// The corrected event's sequence in this proposal's stream.
    pub corrects: u64,
    /// Why.
    pub reason: Reason,
    /// The entry as it should have been.
    pub replacement: Fact,
}

impl EventKind for Supersession {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Registrering erstattet";
}
