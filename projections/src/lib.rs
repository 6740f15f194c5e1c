//! What Gevinst builds on its event log (`gevinst-store`): the command path that decides and
//! appends, the baseline import, the read models the projector keeps, and the reports computed
//! from them.
//!
//! `gevinst-domain` stays pure and `gevinst-api` only translates between people and commands.
#![deny(missing_docs)]

pub mod aggregate_cache;
pub mod commands;
pub mod identity;
pub mod import;
pub mod price_index;
pub mod readmodel;
pub mod reports;
pub mod verify;

pub use commands::{CommandError, CommandOutcome, ProposalService, Request, PROPOSAL};
pub use identity::{AccessService, IdentityError, Operator};
pub use price_index::{PriceIndexService, PRICE_INDEX};
pub use verify::verify_log;
