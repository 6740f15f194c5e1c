//! Reports: what controllers, owners and auditors ask of the read models, as typed rows that
//! the edges render as tables (Danish), JSON or CSV.

pub mod goals;
pub mod proposal;
pub mod status;

pub use goals::{goals, GoalRow};
pub use proposal::{proposal_report, ProposalReport};
pub use status::{CheckpointStatus, GoalStatus};
