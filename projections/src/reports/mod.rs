//! Reports: what controllers, owners and auditors ask of the read models, as typed rows that
//! the edges render as tables (Danish), JSON or CSV.

pub mod goals;
pub mod portfolio;
pub mod proposal;
pub mod realisation;
pub mod status;
pub mod view;

pub use goals::{goals, GoalRow};
pub use portfolio::{
    committee_status, late, late_items, overview, portfolio, statuses, Category, CommitteeStatus,
    LateItem, Overview, Portfolio,
};
pub use proposal::{proposal_report, ProposalReport};
pub use realisation::{realisation, Realisation};
pub use status::{CheckpointStatus, GoalStatus};
pub use view::{KnownOn, KnownOnError, View};
