//! A proposal's budget decision as of a business date.
//!
//! # Why
//! A budget appendix is a list of *applications* to the budget negotiations (Bilag 7 is "til
//! efterretning"; two proposals are "til godkendelse", one for separate political priority).
//! Which of them the budget agreement adopted is a fact the document does not state, so Gevinst
//! never infers it: a proposal is *indstillet* (awaiting the decision, with the document's
//! recommendation) until a controller records `BudgetDecided`. Until then it is visible
//! everywhere with its plan, but nothing judges it red or green and the late list leaves it out;
//! a proposal that was not adopted stays visible and is never followed up.
//!
//! The decision counts from its business date (`decided_on`): as of an earlier date the
//! proposal was still awaiting it. A wrong decision is corrected like any entry.

use chrono::NaiveDate;
use gevinst_domain::proposal::Fact;
use gevinst_domain::{BudgetOutcome, Recommendation};
use serde::Serialize;

/// Where a proposal stands with the budget decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    /// Indstillet: no decision recorded (effective by the date asked about).
    AwaitingDecision,
    /// Vedtaget.
    Adopted,
    /// Vedtaget med ændringer.
    AdoptedChanged,
    /// Ikke vedtaget.
    NotAdopted,
}

impl DecisionStatus {
    /// The Danish words.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            DecisionStatus::AwaitingDecision => "afventer budgetbeslutning",
            DecisionStatus::Adopted => BudgetOutcome::Adopted.danish(),
            DecisionStatus::AdoptedChanged => BudgetOutcome::AdoptedChanged.danish(),
            DecisionStatus::NotAdopted => BudgetOutcome::NotAdopted.danish(),
        }
    }

    /// Whether the proposal is followed up and judged (adopted, changed or not).
    #[must_use]
    pub fn followed_up(self) -> bool {
        matches!(
            self,
            DecisionStatus::Adopted | DecisionStatus::AdoptedChanged
        )
    }
}

impl From<BudgetOutcome> for DecisionStatus {
    fn from(o: BudgetOutcome) -> Self {
        match o {
            BudgetOutcome::Adopted => DecisionStatus::Adopted,
            BudgetOutcome::AdoptedChanged => DecisionStatus::AdoptedChanged,
            BudgetOutcome::NotAdopted => DecisionStatus::NotAdopted,
        }
    }
}

/// A proposal's decision as of a date: the status, the document's recommendation, and the
/// recorded decision (date, reference, the event's sequence) once there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Awaiting, adopted, adopted changed or not adopted.
    pub status: DecisionStatus,
    /// What the document asks (`for_information`, `for_approval`, `political_priority`), if
    /// it says.
    pub recommendation: Option<Recommendation>,
    /// When it was decided (business date).
    pub decided_on: Option<NaiveDate>,
    /// The decision it rests on ("Budgetaftale 2025").
    pub reference: Option<String>,
    /// The sequence of the `BudgetDecided` event in force.
    pub sequence: Option<i64>,
    /// What changed or why, as the controller recorded it ("investeringen halveret").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Decision {
    /// The decision among `facts` (the active facts effective by the date asked about).
    #[must_use]
    pub fn of(recommendation: Option<Recommendation>, facts: &[(i64, &Fact)]) -> Decision {
        let decided = facts.iter().rev().find_map(|(s, f)| match f {
            Fact::BudgetDecided(d) => Some((*s, d)),
            _ => None,
        });
        Decision {
            status: decided.map_or(DecisionStatus::AwaitingDecision, |(_, d)| d.outcome.into()),
            recommendation,
            decided_on: decided.map(|(_, d)| d.decided_on),
            reference: decided.map(|(_, d)| d.reference.to_string()),
            sequence: decided.map(|(s, _)| s),
            note: decided.and_then(|(_, d)| d.note.as_ref().map(ToString::to_string)),
        }
    }

    /// How a person reads it: "afventer budgetbeslutning (indstillet til efterretning)" or
    /// "vedtaget 2024-10-03 (Budgetaftale 2025)".
    #[must_use]
    pub fn danish(&self) -> String {
        match (self.status, self.decided_on, &self.reference) {
            (DecisionStatus::AwaitingDecision, ..) => match self.recommendation {
                Some(r) => format!("{} (indstillet {})", self.status.danish(), r.danish()),
                None => self.status.danish().to_string(),
            },
            (status, Some(on), Some(reference)) => match &self.note {
                Some(note) => format!("{} {on} ({reference}): {note}", status.danish()),
                None => format!("{} {on} ({reference})", status.danish()),
            },
            (status, ..) => status.danish().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gevinst_domain::proposal::BudgetDecision;
    use gevinst_domain::{EvidenceRef, Role};

    fn decided(outcome: BudgetOutcome) -> Fact {
        Fact::BudgetDecided(BudgetDecision {
            outcome,
            decided_on: NaiveDate::from_ymd_opt(2024, 10, 3).unwrap(),
            reference: EvidenceRef::parse("Budgetaftale 2025").unwrap(),
            note: None,
            role: Role::Controller,
        })
    }

    #[test]
    fn no_decision_is_awaiting_with_the_recommendation_and_is_not_followed_up() {
        let d = Decision::of(Some(Recommendation::ForInformation), &[]);
        assert_eq!(d.status, DecisionStatus::AwaitingDecision);
        assert!(!d.status.followed_up());
        assert_eq!(
            d.danish(),
            "afventer budgetbeslutning (indstillet til efterretning)"
        );
        assert_eq!(
            Decision::of(None, &[]).danish(),
            "afventer budgetbeslutning"
        );
    }

    #[test]
    fn a_recorded_decision_decides_and_says_when_and_on_what() {
        let d = Decision::of(
            Some(Recommendation::ForApproval),
            &[(3, &decided(BudgetOutcome::Adopted))],
        );
        assert_eq!(d.status, DecisionStatus::Adopted);
        assert!(d.status.followed_up());
        assert_eq!(d.sequence, Some(3));
        assert_eq!(d.danish(), "vedtaget 2024-10-03 (Budgetaftale 2025)");
        let d = Decision::of(None, &[(3, &decided(BudgetOutcome::NotAdopted))]);
        assert!(!d.status.followed_up());
        assert_eq!(d.danish(), "ikke vedtaget 2024-10-03 (Budgetaftale 2025)");
        assert!(DecisionStatus::AdoptedChanged.followed_up());
        // What changed is said with the decision.
        let changed = Fact::BudgetDecided(BudgetDecision {
            outcome: BudgetOutcome::AdoptedChanged,
            decided_on: NaiveDate::from_ymd_opt(2024, 10, 3).unwrap(),
            reference: EvidenceRef::parse("Budgetaftale 2025").unwrap(),
            note: Some(gevinst_domain::Note::parse("investeringen halveret").unwrap()),
            role: Role::Controller,
        });
        let d = Decision::of(None, &[(4, &changed)]);
        assert_eq!(d.note.as_deref(), Some("investeringen halveret"));
        assert_eq!(
            d.danish(),
            "vedtaget med ændringer 2024-10-03 (Budgetaftale 2025): investeringen halveret"
        );
    }
}
