//! The Proposal aggregate in the cqrs-es shape: commands, events, errors, plan, aggregate — each
//! in its own module, so the persisted contract (events) is reviewed apart from the rules.

pub mod aggregate;
pub mod attribution;
pub mod commands;
pub mod error;
pub mod events;
pub mod examples;
pub mod kinds;
pub mod plan;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use aggregate::{Entry, Proposal, YEAR_MARGIN};
pub use attribution::{Attribution, AttributionError, AttributionSource};
pub use commands::ProposalCommand;
pub use error::ProposalError;
pub use events::{read_stored, read_stored_text, reads_version, stored_as};
pub use events::{Fact, ProposalEvent};
pub use kinds::{
    BaselineAdoption, BudgetAdjustment, BudgetDecision, CompensatingAction, EventKind, FactKind,
    Forecast, GoalAchievement, GoalCancellation, GoalProgress, GoalSchedule, IncurredCost,
    InnovationOutcome, MilestoneCompletion, PlanRevision, RealisedSaving, Registration, Reversal,
    SavingVerification, Supersession,
};
pub use plan::{
    BaselineSource, CommitteeDistribution, FrontMatter, Goal, GoalSection, Milestone, Phase, Plan,
    PlanLine, PlanSection, PoolRow, ProposalIdentity, Risk, StatedPayback, StatedTotal, TotalKind,
    YearlyAmounts,
};
