//! The `PlanRevised` event, version 2: its stored shape, current version and Danish name (the read
//! models' statements for it are in `gevinst_projections::readmodel::apply`).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::proposal::plan::Plan;
use crate::vocabulary::Actor;
use crate::vocabulary::Reason;

/// The plan was re-baselined; the original baseline stays in history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRevision {
    /// 1 for the first revision, …
    pub revision: u32,
    /// The new plan in full.
    pub plan: Plan,
    /// Why.
    pub reason: Reason,
    /// Who approved it.
    pub approved_by: Actor,
}

impl EventKind for PlanRevision {
    const VERSION: &'static str = "2";
    const LABEL: &'static str = "Planen revideret";
}
