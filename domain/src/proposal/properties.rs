//! Property tests of the aggregate itself: random command sequences against the rules.
//!
//! - The state folded event by event while commands are decided equals the state replayed from
//!   the stored form (every event through JSON, as the store keeps it) of the same history.
//! - No entry is corrected twice, and only progress or money entries are ever corrected.
//! - The run cannot pass vacuously: at least half of all commands are accepted, and every
//!   command kind is accepted at least once over the run (tallied and asserted at the end).
//!
//! The runner uses a fixed seed, so the coverage assertions cannot flake; `PROPTEST_CASES`
//! raises the number of histories.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use cqrs_es::Aggregate;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::examples::{self, achievement, identity, plan, saving};
use super::*;
use crate::ids::{GoalId, MilestoneId, PlanLineId};
use crate::money::Amount;
use crate::vocabulary::{Actor, ControlArea, EvidenceRef, Note, Reason, Role};

#[derive(Debug, Clone)]
enum Op {
    Saving { year: i32, amount: i64 },
    Cost { year: i32, amount: i64 },
    Forecast { year: i32, amount: i64 },
    Progress { goal: usize, at_risk: bool },
    Achieve { goal: usize, day: u32 },
    Milestone { day: u32 },
    Cancel { goal: usize },
    Verify { pick: u64 },
    Reverse { pick: u64 },
    Supersede { pick: u64, amount: i64 },
}

impl Op {
    fn kind(&self) -> &'static str {
        match self {
            Op::Saving { .. } => "saving",
            Op::Cost { .. } => "cost",
            Op::Forecast { .. } => "forecast",
            Op::Progress { .. } => "progress",
            Op::Achieve { .. } => "achieve",
            Op::Milestone { .. } => "milestone",
            Op::Cancel { .. } => "cancel",
            Op::Verify { .. } => "verify",
            Op::Reverse { .. } => "reverse",
            Op::Supersede { .. } => "supersede",
        }
    }
}

const KINDS: usize = 10;

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (2025..2029i32, 1..3000i64).prop_map(|(year, amount)| Op::Saving { year, amount }),
        1 => (2025..2027i32, 1..3000i64).prop_map(|(year, amount)| Op::Cost { year, amount }),
        1 => (2025..2029i32, -3000..0i64).prop_map(|(year, amount)| Op::Forecast { year, amount }),
        1 => (0..2usize, any::<bool>()).prop_map(|(goal, at_risk)| Op::Progress { goal, at_risk }),
        1 => (0..2usize, 1..28u32).prop_map(|(goal, day)| Op::Achieve { goal, day }),
        1 => (1..28u32).prop_map(|day| Op::Milestone { day }),
        1 => (0..2usize).prop_map(|goal| Op::Cancel { goal }),
        2 => (0..64u64).prop_map(|pick| Op::Verify { pick }),
        2 => (0..64u64).prop_map(|pick| Op::Reverse { pick }),
        2 => (0..64u64, 1..3000i64).prop_map(|(pick, amount)| Op::Supersede { pick, amount }),
    ]
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, day).unwrap()
}

/// The sequence a correction or verification aims at: mostly an uncorrected saving (so the
/// command is plausible), otherwise any sequence in the stream (so refusals are exercised).
fn target(state: &Proposal, pick: u64) -> u64 {
    let savings: Vec<u64> = state
        .active_entries()
        .filter(|(_, f)| matches!(f, Fact::SavingRealised(_)))
        .map(|(s, _)| s)
        .collect();
    if pick % 4 != 0 && !savings.is_empty() {
        savings[usize::try_from(pick).unwrap() % savings.len()]
    } else {
        pick % (state.version() + 1)
    }
}

fn command(op: &Op, state: &Proposal) -> ProposalCommand {
    let goal = |g: usize| GoalId::parse(["g1", "g2"][g]).unwrap();
    let reason = |s: &str| Reason::parse(s).unwrap();
    match op {
        Op::Saving { year, amount } => ProposalCommand::RecordSaving(saving(*year, -amount)),
        Op::Cost { year, amount } => ProposalCommand::RecordCost(IncurredCost {
            year: *year,
            amount: Amount::new((*amount).into()).unwrap(),
            price_level: examples::price_level(),
            plan_line: Some(PlanLineId::parse("l3").unwrap()),
            control_area: ControlArea::Service,
            effective_on: date(1),
            evidence: None,
        }),
        Op::Forecast { year, amount } => ProposalCommand::UpdateForecast(Forecast {
            year: *year,
            section: PlanSection::PermanentChange,
            amount: Amount::new((*amount).into()).unwrap(),
            price_level: examples::price_level(),
            plan_line: None,
            control_area: ControlArea::Service,
            effective_on: date(2),
            note: None,
        }),
        Op::Progress { goal: g, at_risk } => ProposalCommand::ReportGoalProgress(GoalProgress {
            goal: goal(*g),
            reported_on: date(3),
            note: Note::parse("status").unwrap(),
            evidence: None,
            at_risk: *at_risk,
        }),
        Op::Achieve { goal: g, day } => {
            ProposalCommand::AchieveGoal(achievement(["g1", "g2"][*g], date(*day)))
        }
        Op::Milestone { day } => ProposalCommand::CompleteMilestone(MilestoneCompletion {
            milestone: MilestoneId::parse("m1").unwrap(),
            completed_on: date(*day),
            evidence: Some(EvidenceRef::parse("referat").unwrap()),
        }),
        Op::Cancel { goal: g } => ProposalCommand::CancelGoal(GoalCancellation {
            goal: goal(*g),
            cancelled_on: date(4),
            reason: reason("bortfaldet"),
            role: Role::Controller,
        }),
        Op::Verify { pick } => ProposalCommand::VerifySaving(SavingVerification {
            saving: target(state, *pick),
            verified_on: date(5),
            verified_by: Actor::parse("carl@kk.dk").unwrap(),
            reported_by: Actor::parse("anna@kk.dk").unwrap(),
            role: Role::Controller,
            note: None,
        }),
        Op::Reverse { pick } => ProposalCommand::ReverseEntry {
            sequence: target(state, *pick),
            reason: reason("fejl"),
        },
        Op::Supersede { pick, amount } => ProposalCommand::SupersedeEntry {
            sequence: target(state, *pick),
            reason: reason("rettelse"),
            replacement: Fact::SavingRealised(saving(2025, -amount)),
        },
    }
}

/// Per command kind: (tried, accepted).
type Tally = BTreeMap<&'static str, (u32, u32)>;

fn run_history(ops: &[Op], tally: &mut Tally) -> Result<(), TestCaseError> {
    let mut folded = Proposal::default();
    let mut history: Vec<ProposalEvent> = Vec::new();
    let mut seed = vec![
        ProposalEvent::ProposalRegistered(Registration {
            identity: identity("BC01"),
        }),
        ProposalEvent::BaselineAdopted(BaselineAdoption {
            plan: plan(),
            source: None,
        }),
    ];
    for event in seed.drain(..) {
        folded.apply(event.clone());
        history.push(event);
    }
    for op in ops {
        let entry = tally.entry(op.kind()).or_default();
        entry.0 += 1;
        if let Ok(events) = folded.decide(command(op, &folded)) {
            entry.1 += 1;
            for event in events {
                folded.apply(event.clone());
                history.push(event);
            }
        }
    }

    // Replayed from the stored form equals folded.
    let mut replayed = Proposal::default();
    for event in &history {
        let stored = serde_json::to_string(event).unwrap();
        replayed.apply(serde_json::from_str(&stored).unwrap());
    }
    prop_assert_eq!(&replayed, &folded);
    prop_assert_eq!(folded.version(), u64::try_from(history.len()).unwrap());

    // No entry is corrected twice, and only entries are corrected.
    let mut corrected = BTreeSet::new();
    for event in &history {
        let corrects = match event {
            ProposalEvent::EntryReversed(Reversal { corrects, .. })
            | ProposalEvent::EntrySuperseded(Supersession { corrects, .. }) => *corrects,
            _ => continue,
        };
        prop_assert!(
            corrected.insert(corrects),
            "entry {} corrected twice",
            corrects
        );
        let index = usize::try_from(corrects - 1).unwrap();
        prop_assert!(
            history[index].fact().is_some()
                || matches!(
                    history[index],
                    ProposalEvent::EntrySuperseded(Supersession { .. })
                ),
            "event {} is not an entry but was corrected",
            corrects
        );
    }
    Ok(())
}

#[test]
fn replayed_state_equals_folded_state_and_no_entry_is_corrected_twice() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let tally = std::cell::RefCell::new(Tally::new());
    runner
        .run(&prop::collection::vec(op(), 1..40), |ops| {
            run_history(&ops, &mut tally.borrow_mut())
        })
        .unwrap();
    let tally = tally.into_inner();
    let (tried, accepted) = tally
        .values()
        .fold((0, 0), |(t, a), (kt, ka)| (t + kt, a + ka));
    println!("{accepted} of {tried} commands accepted: {tally:?}");
    assert_eq!(tally.len(), KINDS, "every kind was tried: {tally:?}");
    assert!(
        tally.values().all(|(_, a)| *a > 0),
        "every kind was accepted at least once: {tally:?}"
    );
    assert!(
        accepted * 2 >= tried,
        "at least half the commands were accepted ({accepted} of {tried}): {tally:?}"
    );
}
