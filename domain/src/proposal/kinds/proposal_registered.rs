//! The `ProposalRegistered` event, version 2: its stored shape, current version and Danish name
//! (the read models' statements for it are in `gevinst_projections::readmodel::apply`).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::proposal::plan::ProposalIdentity;

/// The proposal exists, with its identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Identity and flags.
    pub identity: ProposalIdentity,
}

impl EventKind for Registration {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Forslaget oprettet";
}
