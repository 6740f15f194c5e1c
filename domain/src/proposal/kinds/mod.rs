//! One file per kind of proposal event. A kind's file holds what the house knows about it
//! apart from the rules that decide when it may happen (`super::aggregate`) and what the
//! reports make of it: its stored shape (the struct serde writes, whose aliases read older
//! versions: the upcasters, see `super::events`), its current version, its Danish name, and —
//! for a progress or money entry ([`FactKind`]) — its business date and what the read model
//! files it under. Every reader (the aggregate, the projector, `verify`, the history
//! pages) gets these through the one registration in `super::events`, so a new kind is its
//! file here and a line there; the compiler then names every `match` that must learn it.
//!
//! Why not a trait object registry: the events are a closed, serde-tagged enum (the persisted
//! contract, pinned by golden files), and an enum keeps exhaustive matches in the rules and
//! reports. The registration macro writes the enum and its dispatch from the list.

use chrono::NaiveDate;

mod baseline_adopted;
mod budget_adjusted;
mod budget_decided;
mod compensating_action_recorded;
mod entry_reversed;
mod entry_superseded;
mod forecast_updated;
mod goal_achieved;
mod goal_cancelled;
mod goal_progress_reported;
mod goal_scheduled;
mod implementation_cost_incurred;
mod innovation_outcome_recorded;
mod milestone_completed;
mod plan_revised;
mod proposal_registered;
mod saving_realised;
mod saving_verified;

pub use baseline_adopted::BaselineAdoption;
pub use budget_adjusted::BudgetAdjustment;
pub use budget_decided::BudgetDecision;
pub use compensating_action_recorded::CompensatingAction;
pub use entry_reversed::Reversal;
pub use entry_superseded::Supersession;
pub use forecast_updated::Forecast;
pub use goal_achieved::GoalAchievement;
pub use goal_cancelled::GoalCancellation;
pub use goal_progress_reported::GoalProgress;
pub use goal_scheduled::GoalSchedule;
pub use implementation_cost_incurred::IncurredCost;
pub use innovation_outcome_recorded::InnovationOutcome;
pub use milestone_completed::MilestoneCompletion;
pub use plan_revised::PlanRevision;
pub use proposal_registered::Registration;
pub use saving_realised::RealisedSaving;
pub use saving_verified::SavingVerification;

/// What every kind of proposal event declares about itself. Its stable type name is its name in
/// the registration (the enum variant serde tags it with), so the two cannot disagree.
pub trait EventKind {
    /// The version written on new rows. Every version from 1 up to it reads (see
    /// [`super::events::reads_version`]); raise it, and keep a golden file of the old shape,
    /// whenever the stored form changes.
    const VERSION: &'static str;
    /// Its name for people (history pages, receipts), in Danish; JSON keeps the type name.
    const LABEL: &'static str;
}

/// A progress or money entry: what a correction can reverse or supersede, filed in the read
/// model's entry table.
pub trait FactKind: EventKind {
    /// The business date it is effective from.
    fn effective_on(&self) -> NaiveDate;

    /// What it is about, as the read model files it (`rm_entry.subject`): a milestone, a goal,
    /// the verified saving's sequence, a decision's outcome; none by default.
    fn subject(&self) -> Option<String> {
        None
    }

    /// The budget year a money entry counts in; none for progress.
    fn budget_year(&self) -> Option<i32> {
        None
    }
}
