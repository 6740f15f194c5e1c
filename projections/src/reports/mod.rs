//! Reports: what controllers, owners and auditors ask of the read models, as typed rows that
//! the edges render as tables (Danish), JSON or CSV.

pub mod committee;
pub mod decision;
pub mod goals;
pub mod portfolio;
pub mod price_level;
pub mod proposal;
pub mod realisation;
pub mod status;
pub mod verification;
pub mod view;

pub use committee::{Category, Materiality, NotAssessed, StatusRules, RULES};
pub use decision::{Decision, DecisionStatus};
pub use goals::{goals, GoalRow};
pub use portfolio::{
    committee_status, kept_overview, late, late_items, late_kind, overview, portfolio, statuses,
    statuses_with, CommitteeRealisation, CommitteeStatus, LateItem, Overview, Portfolio,
    UnknownLateKind, LATE_KINDS,
};
pub use price_level::{plan_at_level, IndexUsed, PlanAtLevel};
pub use proposal::{proposal_report, ProposalReport};
pub use realisation::{proposal_realisation, realisation, Realisation, ReportState, Source};
pub use status::{CheckpointStatus, GoalStatus};
pub use verification::{pending_verifications, Pending};
pub use view::{KnownOn, KnownOnError, View};

use std::collections::BTreeSet;

use gevinst_domain::proposal::Fact;
use rust_decimal::Decimal;

use crate::readmodel::ReadModelError;

/// Active facts with their sequences, and the sequences of the verified savings among them.
pub(crate) type EffectiveFacts<'a> = (Vec<(i64, &'a Fact)>, BTreeSet<i64>);

/// The active facts of `entries` effective on or before `as_of`, with their sequences, and the
/// sequences of the savings among them that a controller verified (as of the same date).
pub(crate) fn effective_facts(
    entries: &[std::sync::Arc<crate::readmodel::Entry>],
    as_of: chrono::NaiveDate,
) -> EffectiveFacts<'_> {
    let facts: Vec<(i64, &Fact)> = entries
        .iter()
        .filter(|e| e.row.is_active() && e.fact.effective_date() <= as_of)
        .map(|e| (e.row.sequence, &e.fact))
        .collect();
    let verified = facts
        .iter()
        .filter_map(|(_, f)| match f {
            Fact::SavingVerified(v) => i64::try_from(v.saving).ok(),
            _ => None,
        })
        .collect();
    (facts, verified)
}

/// 1.000 kr. as mio. kr. with one decimal, rounded half away from zero and always written with
/// its decimal ("-2.0", not "-2"), as the appendix writes its front matter.
pub(crate) fn mio(thousands: Decimal) -> Decimal {
    let mut m = (thousands / Decimal::ONE_THOUSAND)
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    m.rescale(1);
    m
}

/// Adds `v` to `acc`, checked: an overflow is [`ReadModelError::Overflow`] naming `what`, never
/// a panic. With amounts bounded by `Amount::MAX_ABS` it takes some 10^16 entries to get
/// there, but a report must not be one bad row away from taking a page down.
pub(crate) fn add(acc: &mut Decimal, v: Decimal, what: &'static str) -> Result<(), ReadModelError> {
    *acc = acc.checked_add(v).ok_or(ReadModelError::Overflow(what))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overflowing_sum_is_a_clear_error_not_a_panic() {
        let mut acc = Decimal::MAX;
        let error = add(&mut acc, Decimal::ONE, "realiserede beløb").unwrap_err();
        assert_eq!(
            error.to_string(),
            "summen af realiserede beløb er for stor til at regne med: kontrollér de registrerede beløb"
        );
        assert_eq!(acc, Decimal::MAX, "the sum is left as it was");
        let mut acc = Decimal::ONE;
        add(&mut acc, Decimal::TWO, "x").unwrap();
        assert_eq!(acc, Decimal::from(3));
    }
}
