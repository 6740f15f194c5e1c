//! The business rules a command can break. Each variant's message is written for the person who
//! sent the command: it names the thing and says what to do instead.

use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::vocabulary::{Actor, ProposalKind, Role};

/// A command was refused by the proposal's rules. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProposalError {
    /// The stream has no registration.
    #[error("ukendt forslag: intet er registreret under dette nummer")]
    UnknownProposal,
    /// Registered twice.
    #[error("forslag {0} er allerede registreret")]
    AlreadyRegistered(ProposalId),
    /// The registration names another id than the stream.
    #[error("registreringen gælder {found}, men kommandoen blev sendt til {expected}")]
    IdMismatch {
        /// Stream id.
        expected: String,
        /// Id in the registration.
        found: ProposalId,
    },
    /// A baseline can be adopted once.
    #[error("baselinen er allerede indlæst; ændr planen med en planrevision (begrundelse og godkender kræves)")]
    BaselineAlreadyAdopted,
    /// Progress or money before a plan.
    #[error("forslaget har endnu ingen plan")]
    NoPlan,
    /// A revision that revises nothing.
    #[error("den reviderede plan er den samme som den gældende: intet er gemt")]
    PlanUnchanged,
    /// The plan itself is inconsistent.
    #[error("planen hænger ikke sammen: {}", .0.join("; "))]
    InvalidPlan(Vec<String>),
    /// No such goal in the current plan.
    #[error("ukendt opfølgningsmål {0}: den gældende plan har ikke det mål")]
    UnknownGoal(GoalId),
    /// No such plan line in the current plan.
    #[error("ukendt planlinje {0}: den gældende plan har ikke den linje")]
    UnknownPlanLine(PlanLineId),
    /// No such milestone in the current plan.
    #[error("ukendt milepæl {0}: den gældende plan har ikke den milepæl")]
    UnknownMilestone(MilestoneId),
    /// Achieved already.
    #[error(
        "målet {goal} er allerede opnået (hændelse {sequence}); ret den registrering i stedet"
    )]
    GoalAlreadyAchieved {
        /// The goal.
        goal: GoalId,
        /// The achieving event.
        sequence: u64,
    },
    /// Completed already.
    #[error("milepælen {milestone} er allerede nået (hændelse {sequence}); ret den registrering i stedet")]
    MilestoneAlreadyCompleted {
        /// The milestone.
        milestone: MilestoneId,
        /// The completing event.
        sequence: u64,
    },
    /// Cancelled goals take no progress.
    #[error("målet {goal} er annulleret (hændelse {sequence}); tilbagefør annulleringen først")]
    GoalCancelled {
        /// The goal.
        goal: GoalId,
        /// The cancelling event.
        sequence: u64,
    },
    /// A year far from the plan.
    #[error("året {year} ligger uden for planens år ± 10 ({min}–{max})")]
    YearOutOfRange {
        /// The year given.
        year: i32,
        /// Earliest allowed.
        min: i32,
        /// Latest allowed.
        max: i32,
    },
    /// The plan has no years at all (e.g. a confidential proposal).
    #[error("planen har ingen år, så der kan ikke registreres beløb på den")]
    PlanHasNoYears,
    /// Savings are negative by convention.
    #[error("en realiseret effektivisering skal være negativ (effektiviseringer er negative i 1.000 kr.); fik {0}")]
    SavingNotNegative(String),
    /// A line that plans a new running cost is realised as a positive amount.
    #[error("planlinje {line} planlægger en ny driftsudgift (positive beløb), så det realiserede på den er også positivt; fik {got}")]
    RunningCostNotPositive {
        /// The line.
        line: PlanLineId,
        /// The amount given.
        got: String,
    },
    /// Costs are positive by convention.
    #[error("en implementeringsomkostning skal være positiv; fik {0}; ret registreringen for at fortryde en omkostning")]
    CostNotPositive(String),
    /// A plan line of the wrong section.
    #[error("planlinje {line} hører under {found}, ikke under {expected}")]
    WrongPlanSection {
        /// The line.
        line: PlanLineId,
        /// What the command needs.
        expected: &'static str,
        /// What the line is.
        found: &'static str,
    },
    /// Correction of an event that is not there.
    #[error("der er ingen hændelse {0} i forslagets historik")]
    CorrectionTargetMissing(u64),
    /// Correction of an event that is not a progress or money entry.
    #[error("hændelse {sequence} ({event_type}) kan ikke rettes: kun fremdrift og beløb kan; revidér planen i stedet")]
    NotCorrectable {
        /// Its sequence.
        sequence: u64,
        /// Its type.
        event_type: String,
    },
    /// Correction of an event already corrected.
    #[error("hændelse {sequence} er allerede rettet af hændelse {by}; ret den i stedet")]
    AlreadyCorrected {
        /// The target.
        sequence: u64,
        /// The correcting event.
        by: u64,
    },
    /// A replacement of another kind than the original.
    #[error("hændelse {sequence} er en {expected}-registrering; erstatningen skal være det samme, ikke {found}")]
    ReplacementKindMismatch {
        /// The target.
        sequence: u64,
        /// Its kind.
        expected: &'static str,
        /// The replacement's kind.
        found: &'static str,
    },
    /// The role may not do this.
    #[error("en {} må ikke {action}; kun en controller må", .role.danish())]
    NotPermitted {
        /// The role that tried.
        role: Role,
        /// What it tried.
        action: &'static str,
    },
    /// Verification of an event that is not there.
    #[error("der er ingen hændelse {0} i forslagets historik at verificere")]
    VerificationTargetMissing(u64),
    /// Verification of an event that is not a realised saving.
    #[error("hændelse {sequence} ({kind}) er ikke en realiseret effektivisering; kun en SavingRealised-registrering eller den EntrySuperseded, der erstattede en, kan verificeres")]
    NotASaving {
        /// The target.
        sequence: u64,
        /// What it is instead.
        kind: String,
    },
    /// Verification of a saving that a correction has voided.
    #[error("effektivisering {sequence} er rettet af hændelse {by} og tæller ikke længere; verificér den gældende registrering i stedet")]
    SavingCorrected {
        /// The saving.
        sequence: u64,
        /// The correcting event.
        by: u64,
    },
    /// A saving is verified once.
    #[error("effektivisering {saving} er allerede verificeret (hændelse {sequence}); ret den verificering i stedet")]
    SavingAlreadyVerified {
        /// The saving.
        saving: u64,
        /// The verifying event.
        sequence: u64,
    },
    /// Four eyes: whoever recorded a saving cannot verify it.
    #[error("fire øjne: {actor} registrerede effektivisering {saving} og må ikke også verificere den; en anden controller skal")]
    FourEyes {
        /// The saving.
        saving: u64,
        /// The person who both recorded and tried to verify it.
        actor: Actor,
    },
    /// Innovation outcomes belong to innovation proposals and pre-studies.
    #[error("læring kan kun registreres for et innovationsforslag eller en foranalyse; dette forslag er et {}", kind.danish())]
    NotAnInnovation {
        /// The proposal's kind.
        kind: ProposalKind,
    },
    /// A budget decision is already in force.
    #[error("budgetbeslutningen er allerede registreret (hændelse {sequence}: {outcome}); ret den registrering i stedet")]
    BudgetAlreadyDecided {
        /// The decision in force.
        sequence: u64,
        /// Its outcome, in Danish.
        outcome: &'static str,
    },
    /// A committee the proposal's budget document does not declare.
    #[error("«{committee}» er ikke et udvalg i forslagets budgetdokument; brug et af: {declared}")]
    UndeclaredCommittee {
        /// The committee named.
        committee: crate::vocabulary::Committee,
        /// The declared committees' codes.
        declared: String,
    },
    /// An investment case named by an outcome that says it led to none.
    #[error("læringen nævner business casen {0}, men siger, at den ikke førte til en business case; markér, at den gjorde, eller udelad casen")]
    InvestmentCaseInconsistent(ProposalId),
}
