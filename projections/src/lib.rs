//! Gevinst's storage side: the event store on PostgreSQL or SQLite, the command path that
//! writes to it, and (later) the read models built from it.
//!
//! Everything that touches SQL lives here, so `gevinst-domain` stays pure and `gevinst-api`
//! only translates between people and commands.
#![deny(missing_docs)]

pub mod commands;
pub mod import;
pub mod readmodel;
pub mod reports;
pub mod store;

pub use commands::{CommandError, CommandOutcome, ProposalService, PROPOSAL};
