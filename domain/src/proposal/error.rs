//! The business rules a command can break. Each variant's message is written for the person who
//! sent the command: it names the thing and says what to do instead.

use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::vocabulary::{Actor, ProposalKind, Role};

/// A command was refused by the proposal's rules. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProposalError {
    /// The stream has no registration.
    #[error("unknown proposal: nothing is registered under this id")]
    UnknownProposal,
    /// Registered twice.
    #[error("proposal {0} is already registered")]
    AlreadyRegistered(ProposalId),
    /// The registration names another id than the stream.
    #[error("the registration is for {found}, but the command was sent to {expected}")]
    IdMismatch {
        /// Stream id.
        expected: String,
        /// Id in the registration.
        found: ProposalId,
    },
    /// A baseline can be adopted once.
    #[error("the baseline is already adopted; change the plan with a plan revision (reason and approver required)")]
    BaselineAlreadyAdopted,
    /// Progress or money before a plan.
    #[error("the proposal has no adopted plan yet")]
    NoPlan,
    /// The plan itself is inconsistent.
    #[error("the plan is not consistent: {}", .0.join("; "))]
    InvalidPlan(Vec<String>),
    /// No such goal in the current plan.
    #[error("unknown goal {0}: the current plan has no such follow-up goal")]
    UnknownGoal(GoalId),
    /// No such plan line in the current plan.
    #[error("unknown plan line {0}: the current plan has no such line")]
    UnknownPlanLine(PlanLineId),
    /// No such milestone in the current plan.
    #[error("unknown milestone {0}: the current plan has no such milestone")]
    UnknownMilestone(MilestoneId),
    /// Achieved already.
    #[error("goal {goal} is already achieved (event {sequence}); correct that entry instead")]
    GoalAlreadyAchieved {
        /// The goal.
        goal: GoalId,
        /// The achieving event.
        sequence: u64,
    },
    /// Completed already.
    #[error(
        "milestone {milestone} is already completed (event {sequence}); correct that entry instead"
    )]
    MilestoneAlreadyCompleted {
        /// The milestone.
        milestone: MilestoneId,
        /// The completing event.
        sequence: u64,
    },
    /// Cancelled goals take no progress.
    #[error("goal {goal} is cancelled (event {sequence}); reverse the cancellation first")]
    GoalCancelled {
        /// The goal.
        goal: GoalId,
        /// The cancelling event.
        sequence: u64,
    },
    /// A year far from the plan.
    #[error("year {year} is outside the plan's years ± 10 ({min}–{max})")]
    YearOutOfRange {
        /// The year given.
        year: i32,
        /// Earliest allowed.
        min: i32,
        /// Latest allowed.
        max: i32,
    },
    /// The plan has no years at all (e.g. a confidential proposal).
    #[error("the plan has no years, so no amounts can be recorded against it")]
    PlanHasNoYears,
    /// Savings are negative by convention.
    #[error("a realised saving must be negative (savings are negative in 1.000 kr.); got {0}")]
    SavingNotNegative(String),
    /// A line that plans a new running cost is realised as a positive amount.
    #[error("plan line {line} plans a new running cost (positive amounts), so what is realised on it is positive too; got {got}")]
    RunningCostNotPositive {
        /// The line.
        line: PlanLineId,
        /// The amount given.
        got: String,
    },
    /// Costs are positive by convention.
    #[error("an implementation cost must be positive; got {0}; to undo a cost, correct its entry")]
    CostNotPositive(String),
    /// A plan line of the wrong section.
    #[error("plan line {line} is a {found} line, not a {expected} line")]
    WrongPlanSection {
        /// The line.
        line: PlanLineId,
        /// What the command needs.
        expected: &'static str,
        /// What the line is.
        found: &'static str,
    },
    /// Correction of an event that is not there.
    #[error("there is no event {0} in this proposal's history")]
    CorrectionTargetMissing(u64),
    /// Correction of an event that is not a progress or money entry.
    #[error("event {sequence} ({event_type}) cannot be corrected: only progress and money entries can; revise the plan instead")]
    NotCorrectable {
        /// Its sequence.
        sequence: u64,
        /// Its type.
        event_type: String,
    },
    /// Correction of an event already corrected.
    #[error("event {sequence} was already corrected by event {by}; correct that one instead")]
    AlreadyCorrected {
        /// The target.
        sequence: u64,
        /// The correcting event.
        by: u64,
    },
    /// A replacement of another kind than the original.
    #[error(
        "event {sequence} is a {expected} entry; its replacement must be one too, not {found}"
    )]
    ReplacementKindMismatch {
        /// The target.
        sequence: u64,
        /// Its kind.
        expected: &'static str,
        /// The replacement's kind.
        found: &'static str,
    },
    /// The role may not do this.
    #[error("a {role} may not {action}; only a controller may")]
    NotPermitted {
        /// The role that tried.
        role: Role,
        /// What it tried.
        action: &'static str,
    },
    /// Verification of an event that is not there.
    #[error("there is no event {0} in this proposal's history to verify")]
    VerificationTargetMissing(u64),
    /// Verification of an event that is not a realised saving.
    #[error("event {sequence} ({kind}) is not a realised saving; only a SavingRealised entry, or the EntrySuperseded that replaced one, can be verified")]
    NotASaving {
        /// The target.
        sequence: u64,
        /// What it is instead.
        kind: String,
    },
    /// Verification of a saving that a correction has voided.
    #[error("saving {sequence} was corrected by event {by} and no longer counts; verify the entry in force instead")]
    SavingCorrected {
        /// The saving.
        sequence: u64,
        /// The correcting event.
        by: u64,
    },
    /// A saving is verified once.
    #[error(
        "saving {saving} is already verified (event {sequence}); correct that verification instead"
    )]
    SavingAlreadyVerified {
        /// The saving.
        saving: u64,
        /// The verifying event.
        sequence: u64,
    },
    /// Four eyes: whoever recorded a saving cannot verify it.
    #[error("four eyes: {actor} recorded saving {saving} and may not also verify it; another controller must")]
    FourEyes {
        /// The saving.
        saving: u64,
        /// The person who both recorded and tried to verify it.
        actor: Actor,
    },
    /// Innovation outcomes belong to innovation proposals and pre-studies.
    #[error("an innovation outcome can only be recorded for an innovation proposal or a pre-study (innovation, foranalyse); this proposal is of kind {kind}")]
    NotAnInnovation {
        /// The proposal's kind.
        kind: ProposalKind,
    },
    /// An investment case named by an outcome that says it led to none.
    #[error("the outcome names investment case {0} but says it led to no investment case; mark that it did, or leave the case out")]
    InvestmentCaseInconsistent(ProposalId),
}
