//! Proposal commands: what users ask for, already parsed into domain types at the edge (CLI,
//! HTTP, baseline import), so the aggregate only judges business rules.

use serde::{Deserialize, Serialize};

use super::events::{
    BudgetAdjustment, BudgetDecision, CompensatingAction, Fact, Forecast, GoalAchievement,
    GoalCancellation, GoalProgress, GoalSchedule, IncurredCost, InnovationOutcome,
    MilestoneCompletion, RealisedSaving, SavingVerification,
};
use super::plan::{BaselineSource, Plan, ProposalIdentity};
use crate::vocabulary::{Actor, Reason};

/// Everything one can ask of a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum ProposalCommand {
    /// Register a new proposal.
    RegisterProposal {
        /// Identity and flags.
        identity: ProposalIdentity,
    },
    /// Adopt the plan the budget round decided (once).
    AdoptBaseline {
        /// The plan.
        plan: Plan,
        /// The imported file, if any.
        source: Option<BaselineSource>,
    },
    /// Re-baseline: replace the current plan; the original stays readable.
    RevisePlan {
        /// The new plan.
        plan: Plan,
        /// Why.
        reason: Reason,
        /// Who approved it.
        approved_by: Actor,
    },
    /// Log a milestone's completion.
    CompleteMilestone(MilestoneCompletion),
    /// Report progress on a goal.
    ReportGoalProgress(GoalProgress),
    /// Mark a goal achieved.
    AchieveGoal(GoalAchievement),
    /// Give an unresolved goal a date.
    ScheduleGoal(GoalSchedule),
    /// Cancel a goal (controllers only).
    CancelGoal(GoalCancellation),
    /// Record a realised saving.
    RecordSaving(RealisedSaving),
    /// Record an incurred implementation cost.
    RecordCost(IncurredCost),
    /// Update the forecast for a year.
    UpdateForecast(Forecast),
    /// Record the owner's compensating action for a delay.
    RecordCompensatingAction(CompensatingAction),
    /// Verify a realised saving (controllers only, four eyes). The command path fills the two
    /// actors and the role from the metadata and the stored saving; see [`SavingVerification`].
    VerifySaving(SavingVerification),
    /// Record a change of a committee's budget frame (controllers only).
    AdjustBudget(BudgetAdjustment),
    /// Record what an innovation proposal or pre-study led to.
    RecordInnovationOutcome(InnovationOutcome),
    /// Record the budget agreement's decision on the proposal (controllers only, once; a
    /// wrong one is corrected).
    DecideBudget(BudgetDecision),
    /// Void an earlier entry.
    ReverseEntry {
        /// Sequence of the entry in this proposal's stream.
        sequence: u64,
        /// Why.
        reason: Reason,
    },
    /// Replace an earlier entry by a corrected one of the same kind.
    SupersedeEntry {
        /// Sequence of the entry in this proposal's stream.
        sequence: u64,
        /// Why.
        reason: Reason,
        /// The corrected entry.
        replacement: Fact,
    },
}

impl ProposalCommand {
    /// The business date the command is effective from, where it has one.
    #[must_use]
    pub fn effective_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            ProposalCommand::CompleteMilestone(f) => Some(f.completed_on),
            ProposalCommand::ReportGoalProgress(f) => Some(f.reported_on),
            ProposalCommand::AchieveGoal(f) => Some(f.achieved_on),
            ProposalCommand::ScheduleGoal(f) => Some(f.due_on),
            ProposalCommand::CancelGoal(f) => Some(f.cancelled_on),
            ProposalCommand::RecordSaving(f) => Some(f.effective_on),
            ProposalCommand::RecordCost(f) => Some(f.effective_on),
            ProposalCommand::UpdateForecast(f) => Some(f.effective_on),
            ProposalCommand::RecordCompensatingAction(f) => Some(f.recorded_on),
            ProposalCommand::VerifySaving(f) => Some(f.verified_on),
            ProposalCommand::AdjustBudget(f) => Some(f.effective_on),
            ProposalCommand::RecordInnovationOutcome(f) => Some(f.recorded_on),
            ProposalCommand::DecideBudget(f) => Some(f.decided_on),
            ProposalCommand::SupersedeEntry { replacement, .. } => {
                Some(replacement.effective_date())
            }
            _ => None,
        }
    }

    /// The reason the command gives, where it has one.
    #[must_use]
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            ProposalCommand::RevisePlan { reason, .. }
            | ProposalCommand::ReverseEntry { reason, .. }
            | ProposalCommand::SupersedeEntry { reason, .. } => Some(reason),
            ProposalCommand::CancelGoal(c) => Some(&c.reason),
            _ => None,
        }
    }
}
