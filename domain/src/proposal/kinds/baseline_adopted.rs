//! The `BaselineAdopted` event, version 3: its stored shape, current version and Danish name (the
//! read models' statements for it are in `gevinst_projections::readmodel::apply`).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::proposal::plan::BaselineSource;
use crate::proposal::plan::Plan;

/// The plan as decided by the budget round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineAdoption {
    /// The plan.
    pub plan: Plan,
    /// The imported file, if imported.
    pub source: Option<BaselineSource>,
}

impl EventKind for BaselineAdoption {
    const VERSION: &'static str = "3";
    const LABEL: &'static str = "Planen indlæst fra bilaget";
}
