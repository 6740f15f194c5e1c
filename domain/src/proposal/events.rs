//! Proposal events: the persisted contract. Each kind lives in its own file under
//! [`super::kinds`] (shape, version, Danish name, an entry's date and subject); this module
//! registers them once (`register!`) and holds the rule every reader of a stored row follows
//! ([`read_stored`]). Every variant has an explicit, stable type name and
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

pub use super::kinds::{
    BaselineAdoption, BudgetAdjustment, BudgetDecision, CompensatingAction, Forecast,
    GoalAchievement, GoalCancellation, GoalProgress, GoalSchedule, IncurredCost, InnovationOutcome,
    MilestoneCompletion, PlanRevision, RealisedSaving, Registration, Reversal, SavingVerification,
    Supersession,
};
use super::kinds::{EventKind, FactKind};
use crate::vocabulary::Reason;

/// Writes [`ProposalEvent`] and [`Fact`] and everything read off the list of kinds: the type
/// names (a variant's name is its stored type name), the versions and Danish names (from each
/// kind's [`EventKind`]), the business dates and subjects (from [`FactKind`]), and the
/// conversions between an event and its fact. The list is every kind, one line each, in the
/// order of [`ProposalEvent::TYPES`] (the golden files' order); `fact` marks an entry (a kind a
/// correction can reverse or supersede, filed in the read model's entry table).
macro_rules! register {
    // Sorts the list into every kind and the facts among them, then writes the code.
    (@sort [$($all:tt)*] [$($facts:tt)*]) => {
        register!(@write events { $($all)* } facts { $($facts)* });
    };
    (@sort [$($all:tt)*] [$($facts:tt)*] fact $kind:ident($ty:ty), $($rest:tt)*) => {
        register!(@sort [$($all)* $kind($ty),] [$($facts)* $kind($ty),] $($rest)*);
    };
    (@sort [$($all:tt)*] [$($facts:tt)*] $kind:ident($ty:ty), $($rest:tt)*) => {
        register!(@sort [$($all)* $kind($ty),] [$($facts)*] $($rest)*);
    };
    (
        @write
        events { $( $event:ident($event_ty:ty), )* }
        facts { $( $fact:ident($fact_ty:ty), )* }
    ) => {
        /// A progress or money entry: what a correction can reverse or supersede.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum Fact {
            $(
                #[doc = concat!("See [`", stringify!($fact_ty), "`].")]
                $fact($fact_ty),
            )*
        }

        impl Fact {
            /// The event type name of the event that records this fact.
            #[must_use]
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Fact::$fact(_) => stringify!($fact), )*
                }
            }

            /// The business date the fact is effective from.
            #[must_use]
            pub fn effective_date(&self) -> NaiveDate {
                match self {
                    $( Fact::$fact(f) => f.effective_on(), )*
                }
            }

            /// The budget year a money entry counts in; none for progress.
            #[must_use]
            pub fn budget_year(&self) -> Option<i32> {
                match self {
                    $( Fact::$fact(f) => f.budget_year(), )*
                }
            }

            /// What the read model files it under, besides its kind and date.
            #[must_use]
            pub fn subject(&self) -> Option<String> {
                match self {
                    $( Fact::$fact(f) => f.subject(), )*
                }
            }
        }

        /// Everything that can happen to a proposal.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        pub enum ProposalEvent {
            $(
                #[doc = concat!("See [`", stringify!($event_ty), "`].")]
                $event($event_ty),
            )*
        }

        impl ProposalEvent {
            /// Every event type name with its current version.
            pub const TYPES: &'static [(&'static str, &'static str)] = &[
                $( (stringify!($event), <$event_ty as EventKind>::VERSION), )*
            ];

            /// The stable type name.
            #[must_use]
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( ProposalEvent::$event(_) => stringify!($event), )*
                }
            }

            /// Its Danish name.
            #[must_use]
            pub fn label(&self) -> &'static str {
                match self {
                    $( ProposalEvent::$event(_) => <$event_ty as EventKind>::LABEL, )*
                }
            }

            /// The Danish name of a stored type, if it is a proposal event's.
            #[must_use]
            pub fn label_of(event_type: &str) -> Option<&'static str> {
                match event_type {
                    $( stringify!($event) => Some(<$event_ty as EventKind>::LABEL), )*
                    _ => None,
                }
            }

            /// The fact this event records, for progress and money events.
            #[must_use]
            pub fn fact(&self) -> Option<Fact> {
                match self {
                    $( ProposalEvent::$fact(f) => Some(Fact::$fact(f.clone())), )*
                    _ => None,
                }
            }
        }

        impl From<Fact> for ProposalEvent {
            fn from(fact: Fact) -> Self {
                match fact {
                    $( Fact::$fact(f) => ProposalEvent::$fact(f), )*
                }
            }
        }
    };
    ($($list:tt)*) => {
        register!(@sort [] [] $($list)*);
    };
}

register! {
    ProposalRegistered(Registration),
    BaselineAdopted(BaselineAdoption),
    PlanRevised(PlanRevision),
    fact MilestoneCompleted(MilestoneCompletion),
    fact GoalProgressReported(GoalProgress),
    fact GoalAchieved(GoalAchievement),
    fact GoalScheduled(GoalSchedule),
    fact GoalCancelled(GoalCancellation),
    fact SavingRealised(RealisedSaving),
    fact ImplementationCostIncurred(IncurredCost),
    fact ForecastUpdated(Forecast),
    fact CompensatingActionRecorded(CompensatingAction),
    fact SavingVerified(SavingVerification),
    fact BudgetAdjusted(BudgetAdjustment),
    fact InnovationOutcomeRecorded(InnovationOutcome),
    EntryReversed(Reversal),
    EntrySuperseded(Supersession),
    fact BudgetDecided(BudgetDecision),
}

impl ProposalEvent {
    /// Whether a stored row of this event's type at `version` reads as this event: every
    /// version from 1 up to the current one does (the upcasters are serde aliases, see the
    /// module docs); a later or unknown version does not.
    #[must_use]
    pub fn reads_version(&self, version: &str) -> bool {
        reads_version(self, version)
    }
}

impl ProposalEvent {
    /// The entry a correction (reversal or supersession) names, by its sequence.
    #[must_use]
    pub fn corrects(&self) -> Option<u64> {
        match self {
            ProposalEvent::EntryReversed(r) => Some(r.corrects),
            ProposalEvent::EntrySuperseded(s) => Some(s.corrects),
            _ => None,
        }
    }

    /// The saving a verification names, by its sequence.
    #[must_use]
    pub fn verifies(&self) -> Option<u64> {
        match self {
            ProposalEvent::SavingVerified(v) => Some(v.saving),
            _ => None,
        }
    }

    /// The reason the event itself gives (a correction, a plan revision, a cancelled goal).
    #[must_use]
    pub fn reason(&self) -> Option<&Reason> {
        match self {
            ProposalEvent::EntryReversed(r) => Some(&r.reason),
            ProposalEvent::EntrySuperseded(s) => Some(&s.reason),
            ProposalEvent::PlanRevised(p) => Some(&p.reason),
            ProposalEvent::GoalCancelled(g) => Some(&g.reason),
            _ => None,
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

/// A stored payload read as `E`: through its upcasters (the serde aliases on the kind's struct,
/// see the module docs) and refused unless it is what the row says ([`stored_as`]). The one
/// path from a stored row to an event: the command path's aggregates, the projector and
/// `verify` all read through it, so a read model is fed exactly what the aggregate is.
pub fn read_stored<E: DomainEvent>(
    payload: &serde_json::Value,
    event_type: &str,
    version: &str,
) -> Result<E, String> {
    // Read from the borrowed value: no copy of the payload per event (a rebuild reads them all).
    read_from(payload, event_type, version)
}

/// [`read_stored`] from the payload's stored JSON text, decoded straight into `E` (through the
/// same serde upcasters and the same [`stored_as`] rule): what the projector reads, which
/// never needs the payload as a `serde_json::Value`.
pub fn read_stored_text<E: DomainEvent>(
    payload: &str,
    event_type: &str,
    version: &str,
) -> Result<E, String> {
    let mut text = serde_json::Deserializer::from_str(payload);
    let event = read_from(&mut text, event_type, version)?;
    // Nothing but whitespace after the event's JSON, as `serde_json::from_str` requires.
    text.end().map_err(|e| format!("payload: {e}"))?;
    Ok(event)
}

/// The event `payload` holds, refused unless it is what the row says ([`stored_as`]).
fn read_from<'de, E: DomainEvent, D: serde::Deserializer<'de>>(
    payload: D,
    event_type: &str,
    version: &str,
) -> Result<E, String> {
    let event = E::deserialize(payload).map_err(|e| format!("payload: {e}"))?;
    stored_as(&event, event_type, version)?;
    Ok(event)
}
