//! Proposal events: the persisted contract. Every variant has an explicit, stable type name and
//! version (see [`ProposalEvent::TYPES`]); the golden files under `tests/golden/events/` pin their
//! stored JSON, so a change that would make old history unreadable fails a test. A later shape
//! gets a new version and an upcaster — stored rows are never rewritten.
//!
//! # Versions
//! - **v1**: the first stored shape.
//! - **v2** (the types whose payload can carry a control area, a proposal kind or a risk level:
//!   `ProposalRegistered`, `BaselineAdopted`, `PlanRevised`, `SavingRealised`,
//!   `ImplementationCostIncurred`, `ForecastUpdated`, `BudgetAdjusted`, `EntrySuperseded`):
//!   the same shape, with the English machine codes (`capital`, `cross_cutting`, `high` …)
//!   instead of the transliterations v1 wrote (`anlaeg`, `tvaergaaende`, `hoej` …; see
//!   `crate::vocabulary`). The upcaster v1→v2 is the serde aliases on those words: a v1
//!   payload deserialises to the same value as its v2 form, and serialises as v2. Stored v1 rows
//!   are never rewritten: their hash covers the payload as stored (`crate::chain`, the store's
//!   `computed_hash`), so they keep verifying, and [`ProposalEvent::reads_version`] accepts
//!   their version. A log may hold both; the read models are written from decoded events, so
//!   they see only the new codes.
//!
//! Progress and money facts are separate structs ([`Fact`]) because a correction that supersedes
//! an entry carries a replacement of the same kind, and one definition should serve both.
//!
//! What controllers answer to committees is recorded the same way, as correctable entries: the
//! owner's compensating action for a delay, the four-eyes verification of a realised saving,
//! the budget-frame adjustment that makes a saving cashable, and an innovation project's outcome.
//! So is the budget decision ([`BudgetDecision`]): a proposal is imported as *indstillet* with
//! the document's recommendation (`ProposalIdentity::recommendation`), and only a controller's
//! `BudgetDecided` says whether the budget agreement adopted it.
//!
//! `BudgetDecided` (v1) came after the two generations above; `ProposalIdentity` gained the
//! optional `recommendation` at the same time without a new version of `ProposalRegistered`:
//! the field is omitted when absent, so every stored row reads as the same value and that value
//! serialises to the same bytes (pinned by the golden files, whose sample has none).

use chrono::NaiveDate;
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::plan::{BaselineSource, Plan, PlanSection, ProposalIdentity};
use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::money::{Amount, PriceLevel};
use crate::vocabulary::{
    Actor, BudgetOutcome, Committee, ControlArea, EvidenceRef, Note, Reason, Role,
};

/// A milestone was completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCompletion {
    /// Which milestone.
    pub milestone: MilestoneId,
    /// When it was completed (business date).
    pub completed_on: NaiveDate,
    /// Evidence, if any.
    pub evidence: Option<EvidenceRef>,
}

/// Progress on a goal, with a note and possibly evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalProgress {
    /// Which goal.
    pub goal: GoalId,
    /// The date the progress describes.
    pub reported_on: NaiveDate,
    /// What happened.
    pub note: Note,
    /// Evidence, if any.
    pub evidence: Option<EvidenceRef>,
    /// The owner flags the goal as at risk.
    pub at_risk: bool,
}

/// A goal was achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalAchievement {
    /// Which goal.
    pub goal: GoalId,
    /// When it was achieved (business date).
    pub achieved_on: NaiveDate,
    /// The evidence that it was.
    pub evidence: EvidenceRef,
}

/// A date was given to a goal whose "when" could not be resolved from the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalSchedule {
    /// Which goal.
    pub goal: GoalId,
    /// The date it is now due.
    pub due_on: NaiveDate,
    /// Why this date (e.g. "investeringsmidler frigivet 3. marts").
    pub note: Option<Note>,
}

/// A goal was cancelled (controllers only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalCancellation {
    /// Which goal.
    pub goal: GoalId,
    /// Effective date.
    pub cancelled_on: NaiveDate,
    /// Why.
    pub reason: Reason,
    /// The role of whoever cancelled; only controllers may.
    pub role: Role,
}

/// A saving was realised (negative amount, 1.000 kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RealisedSaving {
    /// The budget year it belongs to.
    pub year: i32,
    /// Negative: a saving.
    pub amount: Amount,
    /// The price level it is stated at.
    pub price_level: PriceLevel,
    /// The plan line it realises, if one.
    pub plan_line: Option<PlanLineId>,
    /// The committee whose budget it lands in, if known.
    pub committee: Option<Committee>,
    /// The control area.
    pub control_area: ControlArea,
    /// When it was realised/recognised.
    pub effective_on: NaiveDate,
    /// Evidence (e.g. a Kvantum extract).
    pub evidence: Option<EvidenceRef>,
}

/// Implementation cost was incurred (positive amount, 1.000 kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncurredCost {
    /// The budget year.
    pub year: i32,
    /// Positive: a cost.
    pub amount: Amount,
    /// The price level it is stated at.
    pub price_level: PriceLevel,
    /// The plan line it spends against, if one.
    pub plan_line: Option<PlanLineId>,
    /// The control area.
    pub control_area: ControlArea,
    /// When it was incurred.
    pub effective_on: NaiveDate,
    /// Evidence.
    pub evidence: Option<EvidenceRef>,
}

/// The owner's current expectation for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// The budget year forecast.
    pub year: i32,
    /// Savings (permanent change) or implementation cost.
    pub section: PlanSection,
    /// Expected amount for the year (sign as in the plan).
    pub amount: Amount,
    /// The price level.
    pub price_level: PriceLevel,
    /// The plan line, if one.
    pub plan_line: Option<PlanLineId>,
    /// The control area.
    pub control_area: ControlArea,
    /// When the forecast was made (business date).
    pub effective_on: NaiveDate,
    /// Why it changed.
    pub note: Option<Note>,
}

/// What the owner does to make up for a delay or a shortfall (kompenserende handling): the
/// answer a committee gets when it asks "what are you doing about it?".
///
/// It answers what it names — a delayed goal, a year's shortfall, or both — and nothing else:
/// the committee status moves only the problem named. `year` was added after version 1 was
/// first stored; it is optional, defaults to none and is left out of the JSON when absent, so
/// stored events decode and hash exactly as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompensatingAction {
    /// The delayed goal it answers, if one; it must exist and not be cancelled.
    pub goal: Option<GoalId>,
    /// The budget year whose savings shortfall it answers, if one; within the plan's years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// When it was recorded (business date).
    pub recorded_on: NaiveDate,
    /// What is done.
    pub action: Note,
    /// What it is expected to achieve, if stated.
    pub expected_effect: Option<Note>,
    /// Evidence (e.g. a steering-group decision), if any.
    pub evidence: Option<EvidenceRef>,
}

/// Four eyes on money: a controller confirms a realised saving that someone else recorded.
///
/// The aggregate cannot see event metadata, so the fact carries both people; the command path
/// (`ProposalService::execute`) fills `reported_by` from the stored saving's actor and
/// `verified_by` and `role` from the command's own metadata, so a client can set neither.
///
/// A verification counts only while the saving it names is in force: reversing or superseding a
/// verified saving is allowed and voids the verification (see
/// [`Proposal::verification_of`](super::aggregate::Proposal::verification_of)); the
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

/// A committee's budget frame was changed because of the proposal: the cashable check — a
/// saving is money only once a frame is actually reduced (controllers only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetAdjustment {
    /// Whose frame.
    pub committee: Committee,
    /// The budget year.
    pub year: i32,
    /// The control area of the frame.
    pub control_area: ControlArea,
    /// The change in 1.000 kr.; negative = the frame is reduced.
    pub amount: Amount,
    /// The price level the amount is stated at.
    pub price_level: PriceLevel,
    /// When the adjustment takes effect (business date).
    pub effective_on: NaiveDate,
    /// The decision it rests on (e.g. the budget agreement), if any.
    pub reference: Option<EvidenceRef>,
    /// Why, if stated.
    pub note: Option<Note>,
    /// The role of whoever recorded it; only controllers may.
    pub role: Role,
}

/// What an innovation proposal or pre-study taught, and whether it led to an investment case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationOutcome {
    /// When it was recorded (business date).
    pub recorded_on: NaiveDate,
    /// What was learnt.
    pub learning: Note,
    /// Whether it led to an investment case.
    pub led_to_investment_case: bool,
    /// The investment case it led to, if it has an id yet.
    pub investment_case: Option<ProposalId>,
    /// Evidence (e.g. the evaluation report), if any.
    pub evidence: Option<EvidenceRef>,
}

/// What the budget agreement decided about a proposal (controllers only). Until one is
/// recorded the proposal is *indstillet*: visible with its plan and the document's
/// recommendation, but not judged. Never inferred from the appendix, which does not say.
/// A wrong decision is corrected like any entry (superseded or reversed, with a reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetDecision {
    /// Adopted, adopted changed, or not adopted.
    pub outcome: BudgetOutcome,
    /// When it was decided (business date: the agreement's or the council's date).
    pub decided_on: NaiveDate,
    /// The decision it rests on (e.g. "Budgetaftale 2025").
    pub reference: EvidenceRef,
    /// What changed or why, if stated.
    pub note: Option<Note>,
    /// The role of whoever recorded it; only controllers may.
    pub role: Role,
}

/// A progress or money entry: what a correction can reverse or supersede.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// See [`MilestoneCompletion`].
    MilestoneCompleted(MilestoneCompletion),
    /// See [`GoalProgress`].
    GoalProgressReported(GoalProgress),
    /// See [`GoalAchievement`].
    GoalAchieved(GoalAchievement),
    /// See [`GoalSchedule`].
    GoalScheduled(GoalSchedule),
    /// See [`GoalCancellation`].
    GoalCancelled(GoalCancellation),
    /// See [`RealisedSaving`].
    SavingRealised(RealisedSaving),
    /// See [`IncurredCost`].
    ImplementationCostIncurred(IncurredCost),
    /// See [`Forecast`].
    ForecastUpdated(Forecast),
    /// See [`CompensatingAction`].
    CompensatingActionRecorded(CompensatingAction),
    /// See [`SavingVerification`].
    SavingVerified(SavingVerification),
    /// See [`BudgetAdjustment`].
    BudgetAdjusted(BudgetAdjustment),
    /// See [`InnovationOutcome`].
    InnovationOutcomeRecorded(InnovationOutcome),
    /// See [`BudgetDecision`].
    BudgetDecided(BudgetDecision),
}

impl Fact {
    /// The event type name of the event that records this fact.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::MilestoneCompleted(_) => "MilestoneCompleted",
            Fact::GoalProgressReported(_) => "GoalProgressReported",
            Fact::GoalAchieved(_) => "GoalAchieved",
            Fact::GoalScheduled(_) => "GoalScheduled",
            Fact::GoalCancelled(_) => "GoalCancelled",
            Fact::SavingRealised(_) => "SavingRealised",
            Fact::ImplementationCostIncurred(_) => "ImplementationCostIncurred",
            Fact::ForecastUpdated(_) => "ForecastUpdated",
            Fact::CompensatingActionRecorded(_) => "CompensatingActionRecorded",
            Fact::SavingVerified(_) => "SavingVerified",
            Fact::BudgetAdjusted(_) => "BudgetAdjusted",
            Fact::InnovationOutcomeRecorded(_) => "InnovationOutcomeRecorded",
            Fact::BudgetDecided(_) => "BudgetDecided",
        }
    }

    /// The business date the fact is effective from.
    #[must_use]
    pub fn effective_date(&self) -> NaiveDate {
        match self {
            Fact::MilestoneCompleted(f) => f.completed_on,
            Fact::GoalProgressReported(f) => f.reported_on,
            Fact::GoalAchieved(f) => f.achieved_on,
            Fact::GoalScheduled(f) => f.due_on,
            Fact::GoalCancelled(f) => f.cancelled_on,
            Fact::SavingRealised(f) => f.effective_on,
            Fact::ImplementationCostIncurred(f) => f.effective_on,
            Fact::ForecastUpdated(f) => f.effective_on,
            Fact::CompensatingActionRecorded(f) => f.recorded_on,
            Fact::SavingVerified(f) => f.verified_on,
            Fact::BudgetAdjusted(f) => f.effective_on,
            Fact::InnovationOutcomeRecorded(f) => f.recorded_on,
            Fact::BudgetDecided(f) => f.decided_on,
        }
    }
}

/// Everything that can happen to a proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProposalEvent {
    /// The proposal exists, with its identity.
    ProposalRegistered {
        /// Identity and flags.
        identity: ProposalIdentity,
    },
    /// The plan as decided by the budget round.
    BaselineAdopted {
        /// The plan.
        plan: Plan,
        /// The imported file, if imported.
        source: Option<BaselineSource>,
    },
    /// The plan was re-baselined; the original baseline stays in history.
    PlanRevised {
        /// 1 for the first revision, …
        revision: u32,
        /// The new plan in full.
        plan: Plan,
        /// Why.
        reason: Reason,
        /// Who approved it.
        approved_by: Actor,
    },
    /// See [`MilestoneCompletion`].
    MilestoneCompleted(MilestoneCompletion),
    /// See [`GoalProgress`].
    GoalProgressReported(GoalProgress),
    /// See [`GoalAchievement`].
    GoalAchieved(GoalAchievement),
    /// See [`GoalSchedule`].
    GoalScheduled(GoalSchedule),
    /// See [`GoalCancellation`].
    GoalCancelled(GoalCancellation),
    /// See [`RealisedSaving`].
    SavingRealised(RealisedSaving),
    /// See [`IncurredCost`].
    ImplementationCostIncurred(IncurredCost),
    /// See [`Forecast`].
    ForecastUpdated(Forecast),
    /// See [`CompensatingAction`].
    CompensatingActionRecorded(CompensatingAction),
    /// See [`SavingVerification`].
    SavingVerified(SavingVerification),
    /// See [`BudgetAdjustment`].
    BudgetAdjusted(BudgetAdjustment),
    /// See [`InnovationOutcome`].
    InnovationOutcomeRecorded(InnovationOutcome),
    /// See [`BudgetDecision`].
    BudgetDecided(BudgetDecision),
    /// An earlier entry is void.
    EntryReversed {
        /// The corrected event's sequence in this proposal's stream.
        corrects: u64,
        /// Why.
        reason: Reason,
    },
    /// An earlier entry is replaced by a new one of the same kind.
    EntrySuperseded {
        /// The corrected event's sequence in this proposal's stream.
        corrects: u64,
        /// Why.
        reason: Reason,
        /// The entry as it should have been.
        replacement: Fact,
    },
}

impl ProposalEvent {
    /// Every event type name with its current version.
    pub const TYPES: &'static [(&'static str, &'static str)] = &[
        ("ProposalRegistered", "2"),
        ("BaselineAdopted", "3"),
        ("PlanRevised", "2"),
        ("MilestoneCompleted", "1"),
        ("GoalProgressReported", "1"),
        ("GoalAchieved", "1"),
        ("GoalScheduled", "1"),
        ("GoalCancelled", "1"),
        ("SavingRealised", "2"),
        ("ImplementationCostIncurred", "2"),
        ("ForecastUpdated", "2"),
        ("CompensatingActionRecorded", "1"),
        ("SavingVerified", "1"),
        ("BudgetAdjusted", "2"),
        ("InnovationOutcomeRecorded", "1"),
        ("EntryReversed", "1"),
        ("EntrySuperseded", "2"),
        ("BudgetDecided", "1"),
    ];

    /// Whether a stored row of this event's type at `version` reads as this event: every
    /// version from 1 up to the current one does (the upcasters are serde aliases, see the
    /// module docs); a later or unknown version does not.
    #[must_use]
    pub fn reads_version(&self, version: &str) -> bool {
        reads_version(self, version)
    }

    /// The stable type name.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            ProposalEvent::ProposalRegistered { .. } => "ProposalRegistered",
            ProposalEvent::BaselineAdopted { .. } => "BaselineAdopted",
            ProposalEvent::PlanRevised { .. } => "PlanRevised",
            ProposalEvent::MilestoneCompleted(_) => "MilestoneCompleted",
            ProposalEvent::GoalProgressReported(_) => "GoalProgressReported",
            ProposalEvent::GoalAchieved(_) => "GoalAchieved",
            ProposalEvent::GoalScheduled(_) => "GoalScheduled",
            ProposalEvent::GoalCancelled(_) => "GoalCancelled",
            ProposalEvent::SavingRealised(_) => "SavingRealised",
            ProposalEvent::ImplementationCostIncurred(_) => "ImplementationCostIncurred",
            ProposalEvent::ForecastUpdated(_) => "ForecastUpdated",
            ProposalEvent::CompensatingActionRecorded(_) => "CompensatingActionRecorded",
            ProposalEvent::SavingVerified(_) => "SavingVerified",
            ProposalEvent::BudgetAdjusted(_) => "BudgetAdjusted",
            ProposalEvent::InnovationOutcomeRecorded(_) => "InnovationOutcomeRecorded",
            ProposalEvent::EntryReversed { .. } => "EntryReversed",
            ProposalEvent::EntrySuperseded { .. } => "EntrySuperseded",
            ProposalEvent::BudgetDecided(_) => "BudgetDecided",
        }
    }

    /// The fact this event records, for progress and money events.
    #[must_use]
    pub fn fact(&self) -> Option<Fact> {
        Some(match self {
            ProposalEvent::MilestoneCompleted(f) => Fact::MilestoneCompleted(f.clone()),
            ProposalEvent::GoalProgressReported(f) => Fact::GoalProgressReported(f.clone()),
            ProposalEvent::GoalAchieved(f) => Fact::GoalAchieved(f.clone()),
            ProposalEvent::GoalScheduled(f) => Fact::GoalScheduled(f.clone()),
            ProposalEvent::GoalCancelled(f) => Fact::GoalCancelled(f.clone()),
            ProposalEvent::SavingRealised(f) => Fact::SavingRealised(f.clone()),
            ProposalEvent::ImplementationCostIncurred(f) => {
                Fact::ImplementationCostIncurred(f.clone())
            }
            ProposalEvent::ForecastUpdated(f) => Fact::ForecastUpdated(f.clone()),
            ProposalEvent::CompensatingActionRecorded(f) => {
                Fact::CompensatingActionRecorded(f.clone())
            }
            ProposalEvent::SavingVerified(f) => Fact::SavingVerified(f.clone()),
            ProposalEvent::BudgetAdjusted(f) => Fact::BudgetAdjusted(f.clone()),
            ProposalEvent::InnovationOutcomeRecorded(f) => {
                Fact::InnovationOutcomeRecorded(f.clone())
            }
            ProposalEvent::BudgetDecided(f) => Fact::BudgetDecided(f.clone()),
            _ => return None,
        })
    }
}

impl From<Fact> for ProposalEvent {
    fn from(fact: Fact) -> Self {
        match fact {
            Fact::MilestoneCompleted(f) => ProposalEvent::MilestoneCompleted(f),
            Fact::GoalProgressReported(f) => ProposalEvent::GoalProgressReported(f),
            Fact::GoalAchieved(f) => ProposalEvent::GoalAchieved(f),
            Fact::GoalScheduled(f) => ProposalEvent::GoalScheduled(f),
            Fact::GoalCancelled(f) => ProposalEvent::GoalCancelled(f),
            Fact::SavingRealised(f) => ProposalEvent::SavingRealised(f),
            Fact::ImplementationCostIncurred(f) => ProposalEvent::ImplementationCostIncurred(f),
            Fact::ForecastUpdated(f) => ProposalEvent::ForecastUpdated(f),
            Fact::CompensatingActionRecorded(f) => ProposalEvent::CompensatingActionRecorded(f),
            Fact::SavingVerified(f) => ProposalEvent::SavingVerified(f),
            Fact::BudgetAdjusted(f) => ProposalEvent::BudgetAdjusted(f),
            Fact::InnovationOutcomeRecorded(f) => ProposalEvent::InnovationOutcomeRecorded(f),
            Fact::BudgetDecided(f) => ProposalEvent::BudgetDecided(f),
        }
    }
}

impl DomainEvent for ProposalEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        let name = self.type_name();
        ProposalEvent::TYPES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("1", |(_, v)| v)
            .to_string()
    }
}

/// The one rule for reading a stored row as an event, for every kind of event (proposals,
/// access): the version written on the row runs from 1 up to the event's current version
/// (older versions read through their upcasters, the serde aliases), with no leading zero; a
/// later or unknown version does not read, so an older binary never misreads a newer row.
#[must_use]
pub fn reads_version<E: DomainEvent>(event: &E, version: &str) -> bool {
    let current: u32 = event.event_version().parse().unwrap_or(1);
    version
        .parse::<u32>()
        .is_ok_and(|v| (1..=current).contains(&v) && version == v.to_string())
}

/// Whether `event`, decoded from a stored row, is what the row says it is: the row's type and
/// a version [`reads_version`] accepts; if not, the words every reader refuses it with. The
/// command path, the projector and `verify` all ask this, so a row that one of them refuses,
/// none of them reads.
pub fn stored_as<E: DomainEvent>(event: &E, event_type: &str, version: &str) -> Result<(), String> {
    if event.event_type() == event_type && reads_version(event, version) {
        return Ok(());
    }
    Err(format!(
        "the payload is a {} v{} event, the row says {event_type} v{version}",
        event.event_type(),
        event.event_version()
    ))
}
