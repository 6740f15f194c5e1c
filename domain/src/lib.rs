//! Gevinst's domain: the event-sourced Proposal and the value types its rules speak in.
//!
//! This crate does no IO and knows nothing of HTTP or SQL: the store (in `gevinst-projections`)
//! and the edges (in `gevinst-api`) depend on it, never the other way round. What can be checked
//! without the outside world is checked here, once — ids, amounts, words from the glossary, the
//! proposal's business rules and the hash chain's canonical encoding.
#![deny(missing_docs)]

pub mod access;
pub mod baseline;
pub mod chain;
pub mod ids;
pub mod metadata;
pub mod money;
pub mod payback;
pub mod period;
pub mod plausibility;
pub mod price;
pub mod proposal;
pub mod vocabulary;

pub use access::{Access, Login};
pub use ids::{GoalId, IdError, MilestoneId, PlanLineId, ProposalId};
pub use metadata::EventMetadata;
pub use money::{Amount, MoneyError, PriceLevel};
pub use vocabulary::{
    Actor, Administration, BudgetOutcome, Committee, ControlArea, EvidenceRef, IdempotencyKey,
    Note, OrgName, OrgNames, ProposalKind, Reason, Recommendation, RiskLevel, Role,
    VocabularyError,
};
