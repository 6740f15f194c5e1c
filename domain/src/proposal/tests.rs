//! Given/when/then tests of every command and every rule, in the cqrs-es `TestFramework` style.

use chrono::NaiveDate;
use cqrs_es::test::TestFramework;

use super::examples::{self, achievement, identity, plan, saving};
use super::*;
use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::money::Amount;
use crate::vocabulary::{
    Actor, BudgetOutcome, Committee, ControlArea, EvidenceRef, Note, ProposalKind, Reason,
    Recommendation, Role,
};

type Fw = TestFramework<Proposal>;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn reason(s: &str) -> Reason {
    Reason::parse(s).unwrap()
}
fn registered() -> ProposalEvent {
    ProposalEvent::ProposalRegistered(Registration {
        identity: identity("BC01"),
    })
}
fn adopted() -> ProposalEvent {
    ProposalEvent::BaselineAdopted(BaselineAdoption {
        plan: plan(),
        source: None,
    })
}
fn given_plan() -> Vec<ProposalEvent> {
    vec![registered(), adopted()]
}
fn progress(goal: &str) -> GoalProgress {
    GoalProgress {
        goal: GoalId::parse(goal).unwrap(),
        reported_on: date(2025, 5, 1),
        note: Note::parse("Udbud afsluttet").unwrap(),
        evidence: Some(EvidenceRef::parse("sag 2025-123").unwrap()),
        at_risk: true,
    }
}
fn cost(year: i32, amount: i64) -> IncurredCost {
    IncurredCost {
        year,
        amount: Amount::new(amount.into()).unwrap(),
        price_level: examples::price_level(),
        plan_line: Some(PlanLineId::parse("l3").unwrap()),
        control_area: ControlArea::Service,
        effective_on: date(year, 6, 30),
        evidence: None,
    }
}
fn forecast(year: i32, amount: i64) -> Forecast {
    Forecast {
        year,
        section: PlanSection::PermanentChange,
        amount: Amount::new(amount.into()).unwrap(),
        price_level: examples::price_level(),
        plan_line: Some(PlanLineId::parse("l1").unwrap()),
        control_area: ControlArea::Service,
        effective_on: date(2025, 9, 1),
        note: None,
    }
}
fn cancellation(goal: &str, role: Role) -> GoalCancellation {
    GoalCancellation {
        goal: GoalId::parse(goal).unwrap(),
        cancelled_on: date(2025, 10, 1),
        reason: reason("Målet er bortfaldet"),
        role,
    }
}

// ---- registration and plan ----

#[test]
fn register_a_new_proposal() {
    Fw::with(())
        .given_no_previous_events()
        .when(ProposalCommand::RegisterProposal {
            identity: identity("BC01"),
        })
        .then_expect_events(vec![registered()]);
}

#[test]
fn registering_twice_is_refused() {
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::RegisterProposal {
            identity: identity("BC01"),
        })
        .then_expect_error_message("forslag BC01 er allerede registreret");
}

#[test]
fn commands_on_an_unknown_proposal_are_refused() {
    for cmd in [
        ProposalCommand::AdoptBaseline {
            plan: plan(),
            source: None,
        },
        ProposalCommand::RecordSaving(saving(2025, -100)),
        ProposalCommand::ReverseEntry {
            sequence: 1,
            reason: reason("x"),
        },
    ] {
        Fw::with(())
            .given_no_previous_events()
            .when(cmd)
            .then_expect_error(ProposalError::UnknownProposal);
    }
}

#[test]
fn adopt_the_baseline_once() {
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::AdoptBaseline {
            plan: plan(),
            source: None,
        })
        .then_expect_events(vec![adopted()]);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::AdoptBaseline {
            plan: plan(),
            source: None,
        })
        .then_expect_error_message(
            "baselinen er allerede indlæst; ændr planen med en planrevision (begrundelse og godkender kræves)",
        );
}

#[test]
fn an_inconsistent_plan_is_refused_with_every_problem() {
    let mut bad = plan();
    bad.lines[1].id = bad.lines[0].id.clone();
    bad.goals[1].id = bad.goals[0].id.clone();
    bad.lines[0].amounts.insert(2040, Amount::ZERO);
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::AdoptBaseline {
            plan: bad,
            source: None,
        })
        .then_expect_error_message(
            "planen hænger ikke sammen: planlinje l1 har et beløb i 2040, som ikke er et af planens år; planlinjen l1 findes to gange; opfølgningsmålet g1 findes to gange",
        );
}

#[test]
fn revise_the_plan_keeps_the_baseline() {
    let mut lowered = plan();
    lowered.lines[0]
        .amounts
        .insert(2026, Amount::new((-1000).into()).unwrap());
    let revised = ProposalEvent::PlanRevised(PlanRevision {
        revision: 1,
        plan: lowered.clone(),
        reason: reason("Udbud forsinket"),
        approved_by: Actor::parse("økonomichef").unwrap(),
    });
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RevisePlan {
            plan: lowered.clone(),
            reason: reason("Udbud forsinket"),
            approved_by: Actor::parse("økonomichef").unwrap(),
        })
        .then_expect_events(vec![revised.clone()]);

    let mut state = Proposal::default();
    for e in [registered(), adopted(), revised] {
        cqrs_es::Aggregate::apply(&mut state, e);
    }
    assert_eq!(state.baseline(), Some(&plan()));
    assert_eq!(state.current_plan(), Some(&lowered));
}

#[test]
fn a_revision_that_revises_nothing_is_refused() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RevisePlan {
            plan: plan(),
            reason: reason("Ingen ændring"),
            approved_by: Actor::parse("økonomichef").unwrap(),
        })
        .then_expect_error_message(
            "den reviderede plan er den samme som den gældende: intet er gemt",
        );
}

#[test]
fn revising_before_a_baseline_is_refused() {
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::RevisePlan {
            plan: plan(),
            reason: reason("x"),
            approved_by: Actor::parse("chef").unwrap(),
        })
        .then_expect_error_message("forslaget har endnu ingen plan");
}

#[test]
fn revision_requires_reason_and_approver() {
    // Both are types that cannot be empty: the command cannot even be built without them.
    assert_eq!(
        Reason::parse("").unwrap_err().to_string(),
        "begrundelsen må ikke være tom"
    );
    assert_eq!(
        Actor::parse(" ").unwrap_err().to_string(),
        "navnet må ikke være tomt"
    );
    let json = serde_json::json!({
        "command": "revise_plan", "plan": plan(), "reason": "", "approved_by": "chef"
    });
    let err = serde_json::from_value::<ProposalCommand>(json).unwrap_err();
    assert!(
        err.to_string().contains("begrundelsen må ikke være tom"),
        "{err}"
    );
    let json = serde_json::json!({"command": "revise_plan", "plan": plan(), "reason": "x"});
    let err = serde_json::from_value::<ProposalCommand>(json).unwrap_err();
    assert!(err.to_string().contains("approved_by"), "{err}");
}

// ---- progress ----

#[test]
fn complete_a_milestone_once() {
    let done = MilestoneCompletion {
        milestone: MilestoneId::parse("m1").unwrap(),
        completed_on: date(2025, 6, 1),
        evidence: None,
    };
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::CompleteMilestone(done.clone()))
        .then_expect_events(vec![ProposalEvent::MilestoneCompleted(done.clone())]);
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::MilestoneCompleted(done.clone())])
        .when(ProposalCommand::CompleteMilestone(done))
        .then_expect_error_message(
            "milepælen m1 er allerede nået (hændelse 3); ret den registrering i stedet",
        );
}

#[test]
fn unknown_milestone_is_refused() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::CompleteMilestone(MilestoneCompletion {
            milestone: MilestoneId::parse("m9").unwrap(),
            completed_on: date(2025, 6, 1),
            evidence: None,
        }))
        .then_expect_error_message("ukendt milepæl m9: den gældende plan har ikke den milepæl");
}

#[test]
fn report_goal_progress() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::ReportGoalProgress(progress("g1")))
        .then_expect_events(vec![ProposalEvent::GoalProgressReported(progress("g1"))]);
}

#[test]
fn unknown_goal_is_refused() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::ReportGoalProgress(progress("g7")))
        .then_expect_error_message("ukendt opfølgningsmål g7: den gældende plan har ikke det mål");
}

#[test]
fn progress_before_a_plan_is_refused() {
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::ReportGoalProgress(progress("g1")))
        .then_expect_error(ProposalError::NoPlan);
}

#[test]
fn achieve_a_goal_once() {
    let a = achievement("g1", date(2025, 9, 15));
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::AchieveGoal(a.clone()))
        .then_expect_events(vec![ProposalEvent::GoalAchieved(a.clone())]);
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::GoalAchieved(a.clone())])
        .when(ProposalCommand::AchieveGoal(achievement(
            "g1",
            date(2025, 10, 1),
        )))
        .then_expect_error_message(
            "målet g1 er allerede opnået (hændelse 3); ret den registrering i stedet",
        );
}

#[test]
fn a_reversed_achievement_can_be_achieved_again() {
    let a = achievement("g1", date(2025, 9, 15));
    Fw::with(())
        .given(given_plan())
        .and(vec![
            ProposalEvent::GoalAchieved(a.clone()),
            ProposalEvent::EntryReversed(Reversal {
                corrects: 3,
                reason: reason("forkert mål"),
            }),
        ])
        .when(ProposalCommand::AchieveGoal(a.clone()))
        .then_expect_events(vec![ProposalEvent::GoalAchieved(a)]);
}

#[test]
fn schedule_a_goal() {
    let s = GoalSchedule {
        goal: GoalId::parse("g2").unwrap(),
        due_on: date(2026, 3, 31),
        note: Some(Note::parse("Investeringsmidler frigivet").unwrap()),
    };
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::ScheduleGoal(s.clone()))
        .then_expect_events(vec![ProposalEvent::GoalScheduled(s)]);
}

#[test]
fn controllers_cancel_goals_and_cancelled_goals_take_nothing() {
    let c = cancellation("g1", Role::Controller);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::CancelGoal(c.clone()))
        .then_expect_events(vec![ProposalEvent::GoalCancelled(c.clone())]);
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::GoalCancelled(c.clone())])
        .when(ProposalCommand::AchieveGoal(achievement(
            "g1",
            date(2025, 11, 1),
        )))
        .then_expect_error_message(
            "målet g1 er annulleret (hændelse 3); tilbagefør annulleringen først",
        );
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::GoalCancelled(c)])
        .when(ProposalCommand::ReportGoalProgress(progress("g1")))
        .then_expect_error_message(
            "målet g1 er annulleret (hændelse 3); tilbagefør annulleringen først",
        );
}

#[test]
fn only_controllers_cancel_goals() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::CancelGoal(cancellation(
            "g1",
            Role::ProjectOwner,
        )))
        .then_expect_error_message(
            "en projektejer må ikke annullere et opfølgningsmål; kun en controller må",
        );
}

// ---- money ----

#[test]
fn record_a_realised_saving() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(saving(2025, -400)))
        .then_expect_events(vec![ProposalEvent::SavingRealised(saving(2025, -400))]);
}

#[test]
fn savings_are_negative_and_costs_positive() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(saving(2025, 400)))
        .then_expect_error_message(
            "en realiseret effektivisering skal være negativ (effektiviseringer er negative i 1.000 kr.); fik 400",
        );
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCost(cost(2025, -5)))
        .then_expect_error_message(
            "en implementeringsomkostning skal være positiv; fik -5; ret registreringen for at fortryde en omkostning",
        );
}

#[test]
fn a_running_cost_line_is_realised_as_a_positive_amount() {
    // l2 ("Øget drift") plans +100 a year: money spent on new running costs.
    let mut on_l2 = saving(2025, 100);
    on_l2.plan_line = Some(PlanLineId::parse("l2").unwrap());
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(on_l2.clone()))
        .then_expect_events(vec![ProposalEvent::SavingRealised(on_l2.clone())]);
    on_l2.amount = Amount::new((-100).into()).unwrap();
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(on_l2))
        .then_expect_error_message(
            "planlinje l2 planlægger en ny driftsudgift (positive beløb), så det realiserede på den er også positivt; fik -100",
        );
}

#[test]
fn years_must_lie_within_the_plan_years_plus_minus_ten() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(saving(2039, -1)))
        .then_expect_error_message("året 2039 ligger uden for planens år ± 10 (2015–2038)");
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(saving(2038, -1)))
        .then_expect_events(vec![ProposalEvent::SavingRealised(saving(2038, -1))]);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCost(cost(2014, 1)))
        .then_expect_error_message("året 2014 ligger uden for planens år ± 10 (2015–2038)");
}

#[test]
fn a_plan_without_years_takes_no_amounts() {
    Fw::with(())
        .given(vec![
            registered(),
            ProposalEvent::BaselineAdopted(BaselineAdoption {
                plan: Plan::default(),
                source: None,
            }),
        ])
        .when(ProposalCommand::RecordSaving(saving(2025, -1)))
        .then_expect_error(ProposalError::PlanHasNoYears);
}

#[test]
fn amounts_with_more_than_three_decimals_are_refused() {
    let err = Amount::parse("-12.3456").unwrap_err();
    assert_eq!(
        err.to_string(),
        "beløbet -12.3456 har mere end 3 decimaler: beløb er i 1.000 kr., så 3 decimaler er én krone"
    );
    let mut json = serde_json::to_value(ProposalCommand::RecordSaving(saving(2025, -1))).unwrap();
    json["amount"] = serde_json::json!("-0.0001");
    assert!(serde_json::from_value::<ProposalCommand>(json).is_err());
}

#[test]
fn unknown_plan_line_and_wrong_section_are_refused() {
    let mut s = saving(2025, -10);
    s.plan_line = Some(PlanLineId::parse("l9").unwrap());
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(s))
        .then_expect_error_message("ukendt planlinje l9: den gældende plan har ikke den linje");
    let mut s = saving(2025, -10);
    s.plan_line = Some(PlanLineId::parse("l3").unwrap());
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordSaving(s))
        .then_expect_error_message(
            "planlinje l3 hører under implementeringsomkostninger, ikke under varig ændring",
        );
}

#[test]
fn record_an_implementation_cost() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCost(cost(2025, 1800)))
        .then_expect_events(vec![ProposalEvent::ImplementationCostIncurred(cost(
            2025, 1800,
        ))]);
}

#[test]
fn update_a_forecast() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::UpdateForecast(forecast(2026, -1200)))
        .then_expect_events(vec![ProposalEvent::ForecastUpdated(forecast(2026, -1200))]);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::UpdateForecast(forecast(2050, -1200)))
        .then_expect_error_message("året 2050 ligger uden for planens år ± 10 (2015–2038)");
}

// ---- corrections ----

#[test]
fn reverse_an_entry_with_a_reason() {
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::SavingRealised(saving(2025, -400))])
        .when(ProposalCommand::ReverseEntry {
            sequence: 3,
            reason: reason("dobbeltregistrering"),
        })
        .then_expect_events(vec![ProposalEvent::EntryReversed(Reversal {
            corrects: 3,
            reason: reason("dobbeltregistrering"),
        })]);
}

#[test]
fn supersede_an_entry_with_one_of_the_same_kind() {
    let replacement = Fact::SavingRealised(saving(2025, -350));
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::SavingRealised(saving(2025, -400))])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("tastefejl"),
            replacement: replacement.clone(),
        })
        .then_expect_events(vec![ProposalEvent::EntrySuperseded(Supersession {
            corrects: 3,
            reason: reason("tastefejl"),
            replacement,
        })]);
}

#[test]
fn superseding_an_achievement_changes_its_date() {
    let a = achievement("g1", date(2025, 9, 15));
    let fixed = Fact::GoalAchieved(achievement("g1", date(2025, 9, 1)));
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::GoalAchieved(a)])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("forkert dato"),
            replacement: fixed.clone(),
        })
        .then_expect_events(vec![ProposalEvent::EntrySuperseded(Supersession {
            corrects: 3,
            reason: reason("forkert dato"),
            replacement: fixed,
        })]);
}

#[test]
fn a_replacement_obeys_the_same_rules() {
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::SavingRealised(saving(2025, -400))])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("tastefejl"),
            replacement: Fact::SavingRealised(saving(2025, 400)),
        })
        .then_expect_error_message(
            "en realiseret effektivisering skal være negativ (effektiviseringer er negative i 1.000 kr.); fik 400",
        );
}

#[test]
fn correcting_a_missing_event_is_refused() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::ReverseEntry {
            sequence: 9,
            reason: reason("x"),
        })
        .then_expect_error_message("der er ingen hændelse 9 i forslagets historik");
}

#[test]
fn correcting_a_plan_event_is_refused() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::ReverseEntry {
            sequence: 2,
            reason: reason("x"),
        })
        .then_expect_error_message(
            "hændelse 2 (BaselineAdopted) kan ikke rettes: kun fremdrift og beløb kan; revidér planen i stedet",
        );
}

#[test]
fn correcting_twice_is_refused() {
    let given = vec![
        ProposalEvent::SavingRealised(saving(2025, -400)),
        ProposalEvent::EntryReversed(Reversal {
            corrects: 3,
            reason: reason("dobbelt"),
        }),
    ];
    Fw::with(())
        .given(given_plan())
        .and(given.clone())
        .when(ProposalCommand::ReverseEntry {
            sequence: 3,
            reason: reason("igen"),
        })
        .then_expect_error_message("hændelse 3 er allerede rettet af hændelse 4; ret den i stedet");
    Fw::with(())
        .given(given_plan())
        .and(given)
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("igen"),
            replacement: Fact::SavingRealised(saving(2025, -1)),
        })
        .then_expect_error_message("hændelse 3 er allerede rettet af hændelse 4; ret den i stedet");
}

#[test]
fn a_superseding_entry_can_itself_be_corrected() {
    Fw::with(())
        .given(given_plan())
        .and(vec![
            ProposalEvent::SavingRealised(saving(2025, -400)),
            ProposalEvent::EntrySuperseded(Supersession {
                corrects: 3,
                reason: reason("tastefejl"),
                replacement: Fact::SavingRealised(saving(2025, -350)),
            }),
        ])
        .when(ProposalCommand::ReverseEntry {
            sequence: 4,
            reason: reason("alligevel ikke realiseret"),
        })
        .then_expect_events(vec![ProposalEvent::EntryReversed(Reversal {
            corrects: 4,
            reason: reason("alligevel ikke realiseret"),
        })]);
}

#[test]
fn a_replacement_of_another_kind_is_refused() {
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::SavingRealised(saving(2025, -400))])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("x"),
            replacement: Fact::ImplementationCostIncurred(cost(2025, 10)),
        })
        .then_expect_error_message(
            "hændelse 3 er en SavingRealised-registrering; erstatningen skal være det samme, ikke ImplementationCostIncurred",
        );
}

#[test]
fn correction_requires_a_reason() {
    let json = serde_json::json!({"command": "reverse_entry", "sequence": 3, "reason": "  "});
    let err = serde_json::from_value::<ProposalCommand>(json).unwrap_err();
    assert!(
        err.to_string().contains("begrundelsen må ikke være tom"),
        "{err}"
    );
}

#[test]
fn active_entries_exclude_corrected_ones() {
    let mut state = Proposal::default();
    for e in given_plan().into_iter().chain([
        ProposalEvent::SavingRealised(saving(2025, -400)),
        ProposalEvent::EntrySuperseded(Supersession {
            corrects: 3,
            reason: reason("tastefejl"),
            replacement: Fact::SavingRealised(saving(2025, -350)),
        }),
    ]) {
        cqrs_es::Aggregate::apply(&mut state, e);
    }
    let active: Vec<_> = state.active_entries().map(|(s, _)| s).collect();
    assert_eq!(active, vec![4]);
    assert_eq!(state.version(), 4);
}

// ---- what controllers answer to committees ----

fn actor(s: &str) -> Actor {
    Actor::parse(s).unwrap()
}
fn compensating(goal: Option<&str>) -> CompensatingAction {
    CompensatingAction {
        goal: goal.map(|g| GoalId::parse(g).unwrap()),
        year: None,
        recorded_on: date(2025, 10, 15),
        action: Note::parse("Ekstra ressourcer til udrulning i Q4").unwrap(),
        expected_effect: Some(Note::parse("Målet nås i 1. kvartal 2026").unwrap()),
        evidence: Some(EvidenceRef::parse("Styregruppereferat 2025-10-14").unwrap()),
    }
}
fn verification(saving: u64, by: &str, reported_by: &str, role: Role) -> SavingVerification {
    SavingVerification {
        saving,
        verified_on: date(2026, 1, 20),
        verified_by: actor(by),
        reported_by: actor(reported_by),
        role,
        note: Some(Note::parse("Afstemt mod Kvantum").unwrap()),
    }
}
fn adjustment(year: i32, amount: i64, role: Role) -> BudgetAdjustment {
    BudgetAdjustment {
        committee: Committee::parse("SUD").unwrap(),
        year,
        control_area: ControlArea::Service,
        amount: Amount::new(amount.into()).unwrap(),
        price_level: examples::price_level(),
        effective_on: date(year, 1, 1),
        reference: Some(EvidenceRef::parse("Budget 2026, budgetaftalen").unwrap()),
        note: None,
        role,
    }
}
fn outcome(led_to: bool, case: Option<&str>) -> InnovationOutcome {
    InnovationOutcome {
        recorded_on: date(2026, 6, 30),
        learning: Note::parse("Sensorer virker på plejecentre, ikke i eget hjem").unwrap(),
        led_to_investment_case: led_to,
        investment_case: case.map(|c| ProposalId::parse(c).unwrap()),
        evidence: None,
    }
}
fn given_kind(kind: ProposalKind) -> Vec<ProposalEvent> {
    let mut identity = identity("BC01");
    identity.kind = kind;
    vec![
        ProposalEvent::ProposalRegistered(Registration { identity }),
        adopted(),
    ]
}
/// The plan, then a saving at sequence 3.
fn given_saving() -> Vec<ProposalEvent> {
    let mut events = given_plan();
    events.push(ProposalEvent::SavingRealised(saving(2025, -400)));
    events
}
fn apply_all(events: Vec<ProposalEvent>) -> Proposal {
    let mut state = Proposal::default();
    for e in events {
        cqrs_es::Aggregate::apply(&mut state, e);
    }
    state
}

#[test]
fn record_a_compensating_action_for_a_goal_or_the_whole_proposal() {
    for goal in [Some("g1"), None] {
        Fw::with(())
            .given(given_plan())
            .when(ProposalCommand::RecordCompensatingAction(compensating(
                goal,
            )))
            .then_expect_events(vec![ProposalEvent::CompensatingActionRecorded(
                compensating(goal),
            )]);
    }
}

#[test]
fn a_compensating_action_needs_a_known_goal_that_is_not_cancelled() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCompensatingAction(compensating(
            Some("g9"),
        )))
        .then_expect_error_message("ukendt opfølgningsmål g9: den gældende plan har ikke det mål");
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::GoalCancelled(cancellation(
            "g1",
            Role::Controller,
        ))])
        .when(ProposalCommand::RecordCompensatingAction(compensating(
            Some("g1"),
        )))
        .then_expect_error_message(
            "målet g1 er annulleret (hændelse 3); tilbagefør annulleringen først",
        );
    Fw::with(())
        .given(vec![registered()])
        .when(ProposalCommand::RecordCompensatingAction(compensating(
            None,
        )))
        .then_expect_error(ProposalError::NoPlan);
}

#[test]
fn a_compensating_action_may_name_a_plan_year_and_only_one() {
    let for_year = |year| CompensatingAction {
        year: Some(year),
        ..compensating(None)
    };
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCompensatingAction(for_year(2026)))
        .then_expect_events(vec![ProposalEvent::CompensatingActionRecorded(for_year(
            2026,
        ))]);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::RecordCompensatingAction(for_year(1990)))
        .then_expect_error_message("året 1990 ligger uden for planens år ± 10 (2015–2038)");
}

#[test]
fn a_compensating_action_without_a_year_is_stored_as_before() {
    // Version 1 as first stored (no `year`): it decodes, and encodes to the same bytes, so
    // the hash chain over stored events is unchanged.
    let stored = r#"{"goal":"g1","recorded_on":"2025-10-15","action":"Ekstra ressourcer","expected_effect":null,"evidence":null}"#;
    let decoded: CompensatingAction = serde_json::from_str(stored).unwrap();
    assert_eq!(decoded.year, None);
    assert_eq!(serde_json::to_string(&decoded).unwrap(), stored);
    let with_year = CompensatingAction {
        year: Some(2026),
        ..decoded
    };
    assert!(serde_json::to_string(&with_year)
        .unwrap()
        .contains(r#""year":2026"#));
}

#[test]
fn a_controller_verifies_a_saving_someone_else_recorded() {
    let v = verification(3, "carl", "anna", Role::Controller);
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(v.clone()))
        .then_expect_events(vec![ProposalEvent::SavingVerified(v.clone())]);
    let mut events = given_saving();
    events.push(ProposalEvent::SavingVerified(v.clone()));
    assert_eq!(apply_all(events).verification_of(3), Some((4, &v)));
}

#[test]
fn a_superseding_saving_can_be_verified() {
    let v = verification(4, "carl", "anna", Role::Controller);
    Fw::with(())
        .given(given_saving())
        .and(vec![ProposalEvent::EntrySuperseded(Supersession {
            corrects: 3,
            reason: reason("tastefejl"),
            replacement: Fact::SavingRealised(saving(2025, -350)),
        })])
        .when(ProposalCommand::VerifySaving(v.clone()))
        .then_expect_events(vec![ProposalEvent::SavingVerified(v)]);
}

#[test]
fn only_controllers_verify_savings() {
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(verification(
            3,
            "carl",
            "anna",
            Role::ProjectOwner,
        )))
        .then_expect_error_message(
            "en projektejer må ikke verificere en effektivisering; kun en controller må",
        );
}

#[test]
fn four_eyes_the_one_who_recorded_a_saving_cannot_verify_it() {
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(verification(
            3,
            "anna",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message(
            "fire øjne: anna registrerede effektivisering 3 og må ikke også verificere den; en anden controller skal",
        );
}

#[test]
fn verifying_a_missing_event_is_refused() {
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(verification(
            9,
            "carl",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message("der er ingen hændelse 9 i forslagets historik at verificere");
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(verification(
            0,
            "carl",
            "anna",
            Role::Controller,
        )))
        .then_expect_error(ProposalError::VerificationTargetMissing(0));
}

#[test]
fn only_savings_can_be_verified() {
    Fw::with(())
        .given(given_saving())
        .when(ProposalCommand::VerifySaving(verification(
            2,
            "carl",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message(
            "hændelse 2 (BaselineAdopted) er ikke en realiseret effektivisering; kun en SavingRealised-registrering eller den EntrySuperseded, der erstattede en, kan verificeres",
        );
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::ImplementationCostIncurred(cost(
            2025, 10,
        ))])
        .when(ProposalCommand::VerifySaving(verification(
            3,
            "carl",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message(
            "hændelse 3 (ImplementationCostIncurred) er ikke en realiseret effektivisering; kun en SavingRealised-registrering eller den EntrySuperseded, der erstattede en, kan verificeres",
        );
}

#[test]
fn a_corrected_saving_cannot_be_verified() {
    Fw::with(())
        .given(given_saving())
        .and(vec![ProposalEvent::EntryReversed(Reversal {
            corrects: 3,
            reason: reason("dobbelt"),
        })])
        .when(ProposalCommand::VerifySaving(verification(
            3,
            "carl",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message(
            "effektivisering 3 er rettet af hændelse 4 og tæller ikke længere; verificér den gældende registrering i stedet",
        );
}

#[test]
fn a_saving_is_verified_once() {
    Fw::with(())
        .given(given_saving())
        .and(vec![ProposalEvent::SavingVerified(verification(
            3,
            "carl",
            "anna",
            Role::Controller,
        ))])
        .when(ProposalCommand::VerifySaving(verification(
            3,
            "dora",
            "anna",
            Role::Controller,
        )))
        .then_expect_error_message(
            "effektivisering 3 er allerede verificeret (hændelse 4); ret den verificering i stedet",
        );
}

#[test]
fn a_verification_can_be_corrected_and_then_given_again() {
    let v = verification(3, "carl", "anna", Role::Controller);
    let mut fixed = v.clone();
    fixed.verified_on = date(2026, 1, 21);
    Fw::with(())
        .given(given_saving())
        .and(vec![ProposalEvent::SavingVerified(v.clone())])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 4,
            reason: reason("forkert dato"),
            replacement: Fact::SavingVerified(fixed.clone()),
        })
        .then_expect_events(vec![ProposalEvent::EntrySuperseded(Supersession {
            corrects: 4,
            reason: reason("forkert dato"),
            replacement: Fact::SavingVerified(fixed),
        })]);
    Fw::with(())
        .given(given_saving())
        .and(vec![
            ProposalEvent::SavingVerified(v.clone()),
            ProposalEvent::EntryReversed(Reversal {
                corrects: 4,
                reason: reason("verificeret for tidligt"),
            }),
        ])
        .when(ProposalCommand::VerifySaving(v.clone()))
        .then_expect_events(vec![ProposalEvent::SavingVerified(v)]);
}

#[test]
fn correcting_a_verified_saving_is_allowed_and_voids_the_verification() {
    let v = verification(3, "carl", "anna", Role::Controller);
    let mut verified = given_saving();
    verified.push(ProposalEvent::SavingVerified(v.clone()));
    Fw::with(())
        .given(verified.clone())
        .when(ProposalCommand::ReverseEntry {
            sequence: 3,
            reason: reason("alligevel ikke realiseret"),
        })
        .then_expect_events(vec![ProposalEvent::EntryReversed(Reversal {
            corrects: 3,
            reason: reason("alligevel ikke realiseret"),
        })]);
    let superseded = ProposalEvent::EntrySuperseded(Supersession {
        corrects: 3,
        reason: reason("tastefejl"),
        replacement: Fact::SavingRealised(saving(2025, -350)),
    });
    Fw::with(())
        .given(verified.clone())
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("tastefejl"),
            replacement: Fact::SavingRealised(saving(2025, -350)),
        })
        .then_expect_events(vec![superseded.clone()]);

    let mut after = verified;
    after.push(superseded);
    let state = apply_all(after.clone());
    assert_eq!(state.verification_of(3), None, "the correction voids it");
    assert_eq!(
        state.verification_of(5),
        None,
        "the replacement is not verified yet"
    );
    let v5 = verification(5, "carl", "anna", Role::Controller);
    Fw::with(())
        .given(after)
        .when(ProposalCommand::VerifySaving(v5.clone()))
        .then_expect_events(vec![ProposalEvent::SavingVerified(v5)]);
}

#[test]
fn a_controller_records_a_budget_adjustment() {
    let a = adjustment(2026, -1500, Role::Controller);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::AdjustBudget(a.clone()))
        .then_expect_events(vec![ProposalEvent::BudgetAdjusted(a)]);
}

#[test]
fn only_controllers_adjust_budget_frames() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::AdjustBudget(adjustment(
            2026,
            -1500,
            Role::ProjectOwner,
        )))
        .then_expect_error_message(
            "en projektejer må ikke tilpasse en budgetramme; kun en controller må",
        );
}

#[test]
fn budget_adjustment_years_lie_within_the_plan_years_plus_minus_ten() {
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::AdjustBudget(adjustment(
            2039,
            -1,
            Role::Controller,
        )))
        .then_expect_error_message("året 2039 ligger uden for planens år ± 10 (2015–2038)");
}

fn decision(outcome: BudgetOutcome, role: Role) -> BudgetDecision {
    BudgetDecision {
        outcome,
        decided_on: date(2024, 10, 3),
        reference: EvidenceRef::parse("Budgetaftale 2025").unwrap(),
        note: None,
        role,
    }
}

#[test]
fn a_controller_records_the_budget_decision_once_and_corrects_it_by_superseding() {
    let adopted = decision(BudgetOutcome::Adopted, Role::Controller);
    Fw::with(())
        .given(given_plan())
        .when(ProposalCommand::DecideBudget(adopted.clone()))
        .then_expect_events(vec![ProposalEvent::BudgetDecided(adopted.clone())]);

    let mut decided = given_plan();
    decided.push(ProposalEvent::BudgetDecided(adopted.clone()));
    let sequence = u64::try_from(decided.len()).unwrap();
    assert_eq!(
        apply_all(decided.clone()).budget_decision(),
        Some((sequence, &adopted))
    );
    assert_eq!(apply_all(given_plan()).budget_decision(), None);
    Fw::with(())
        .given(decided.clone())
        .when(ProposalCommand::DecideBudget(decision(
            BudgetOutcome::NotAdopted,
            Role::Controller,
        )))
        .then_expect_error_message(&format!(
            "budgetbeslutningen er allerede registreret (hændelse {sequence}: vedtaget); ret den registrering i stedet"
        ));
    let not_adopted = decision(BudgetOutcome::NotAdopted, Role::Controller);
    let reason = Reason::parse("Forkert forslag registreret").unwrap();
    Fw::with(())
        .given(decided)
        .when(ProposalCommand::SupersedeEntry {
            sequence,
            reason: reason.clone(),
            replacement: Fact::BudgetDecided(not_adopted.clone()),
        })
        .then_expect_events(vec![ProposalEvent::EntrySuperseded(Supersession {
            corrects: sequence,
            reason,
            replacement: Fact::BudgetDecided(not_adopted),
        })]);
}

#[test]
fn only_controllers_record_budget_decisions() {
    for role in [Role::ProjectOwner, Role::Auditor, Role::System] {
        Fw::with(())
            .given(given_plan())
            .when(ProposalCommand::DecideBudget(decision(
                BudgetOutcome::Adopted,
                role,
            )))
            .then_expect_error_message(&format!(
                "en {} må ikke registrere en budgetbeslutning; kun en controller må",
                role.danish()
            ));
    }
    assert_eq!(
        ProposalCommand::DecideBudget(decision(BudgetOutcome::Adopted, Role::Controller))
            .effective_date(),
        Some(date(2024, 10, 3))
    );
}

#[test]
fn budget_words_parse_in_danish_and_as_codes() {
    for (text, want) in [
        ("vedtaget", BudgetOutcome::Adopted),
        ("Vedtaget med ændringer", BudgetOutcome::AdoptedChanged),
        ("adopted_changed", BudgetOutcome::AdoptedChanged),
        ("ikke vedtaget", BudgetOutcome::NotAdopted),
    ] {
        assert_eq!(text.parse::<BudgetOutcome>(), Ok(want), "{text}");
    }
    assert_eq!(
        "forkastet".parse::<BudgetOutcome>().unwrap_err().to_string(),
        "«forkastet» er ikke et budgetudfald; brug en af: vedtaget, vedtaget med ændringer, ikke vedtaget"
    );
    for (text, want) in [
        ("til efterretning", Recommendation::ForInformation),
        ("til godkendelse", Recommendation::ForApproval),
        (
            "særskilt politisk prioritering",
            Recommendation::PoliticalPriority,
        ),
        ("political_priority", Recommendation::PoliticalPriority),
    ] {
        assert_eq!(text.parse::<Recommendation>(), Ok(want), "{text}");
    }
    assert!(!BudgetOutcome::NotAdopted.adopted() && BudgetOutcome::AdoptedChanged.adopted());
}

#[test]
fn innovation_proposals_and_pre_studies_record_their_outcome() {
    for kind in [ProposalKind::Innovation, ProposalKind::PreStudy] {
        for o in [
            outcome(true, Some("BC12")),
            outcome(true, None),
            outcome(false, None),
        ] {
            Fw::with(())
                .given(given_kind(kind))
                .when(ProposalCommand::RecordInnovationOutcome(o.clone()))
                .then_expect_events(vec![ProposalEvent::InnovationOutcomeRecorded(o)]);
        }
    }
}

#[test]
fn other_proposals_record_no_innovation_outcome() {
    Fw::with(())
        .given(given_kind(ProposalKind::Investment))
        .when(ProposalCommand::RecordInnovationOutcome(outcome(false, None)))
        .then_expect_error_message(
            "læring kan kun registreres for et innovationsforslag eller en foranalyse; dette forslag er et investeringsforslag",
        );
    Fw::with(())
        .given(given_kind(ProposalKind::CrossCutting))
        .when(ProposalCommand::RecordInnovationOutcome(outcome(
            false, None,
        )))
        .then_expect_error(ProposalError::NotAnInnovation {
            kind: ProposalKind::CrossCutting,
        });
}

#[test]
fn an_outcome_naming_an_investment_case_must_say_it_led_to_one() {
    Fw::with(())
        .given(given_kind(ProposalKind::Innovation))
        .when(ProposalCommand::RecordInnovationOutcome(outcome(
            false,
            Some("BC12"),
        )))
        .then_expect_error_message(
            "læringen nævner business casen BC12, men siger, at den ikke førte til en business case; markér, at den gjorde, eller udelad casen",
        );
}

#[test]
fn the_new_entries_are_correctable_like_the_others() {
    let cases: Vec<(ProposalEvent, Fact)> = vec![
        (
            ProposalEvent::CompensatingActionRecorded(compensating(Some("g1"))),
            Fact::CompensatingActionRecorded(compensating(Some("g2"))),
        ),
        (
            ProposalEvent::BudgetAdjusted(adjustment(2026, -1500, Role::Controller)),
            Fact::BudgetAdjusted(adjustment(2026, -1200, Role::Controller)),
        ),
        (
            ProposalEvent::InnovationOutcomeRecorded(outcome(false, None)),
            Fact::InnovationOutcomeRecorded(outcome(true, Some("BC12"))),
        ),
    ];
    for (original, replacement) in cases {
        let given = || {
            let mut g = given_kind(ProposalKind::Innovation);
            g.push(original.clone());
            g
        };
        Fw::with(())
            .given(given())
            .when(ProposalCommand::ReverseEntry {
                sequence: 3,
                reason: reason("fejl"),
            })
            .then_expect_events(vec![ProposalEvent::EntryReversed(Reversal {
                corrects: 3,
                reason: reason("fejl"),
            })]);
        Fw::with(())
            .given(given())
            .when(ProposalCommand::SupersedeEntry {
                sequence: 3,
                reason: reason("rettelse"),
                replacement: replacement.clone(),
            })
            .then_expect_events(vec![ProposalEvent::EntrySuperseded(Supersession {
                corrects: 3,
                reason: reason("rettelse"),
                replacement,
            })]);
    }
    // A replacement obeys the same rules: an owner cannot supersede a controller's adjustment.
    Fw::with(())
        .given(given_plan())
        .and(vec![ProposalEvent::BudgetAdjusted(adjustment(
            2026,
            -1500,
            Role::Controller,
        ))])
        .when(ProposalCommand::SupersedeEntry {
            sequence: 3,
            reason: reason("rettelse"),
            replacement: Fact::BudgetAdjusted(adjustment(2026, -1, Role::ProjectOwner)),
        })
        .then_expect_error_message(
            "en projektejer må ikke tilpasse en budgetramme; kun en controller må",
        );
}

#[test]
fn entry_to_correct_gives_the_fact_or_the_correction_error() {
    let state = apply_all(given_saving());
    assert_eq!(
        state.entry_to_correct(3),
        Ok(&Fact::SavingRealised(saving(2025, -400)))
    );
    assert_eq!(
        state.entry_to_correct(9),
        Err(ProposalError::CorrectionTargetMissing(9))
    );
    assert!(matches!(
        state.entry_to_correct(2),
        Err(ProposalError::NotCorrectable { sequence: 2, .. })
    ));
    assert_eq!(
        Proposal::default().entry_to_correct(1),
        Err(ProposalError::UnknownProposal)
    );
}

#[test]
fn new_commands_carry_their_business_date() {
    assert_eq!(
        ProposalCommand::VerifySaving(verification(3, "carl", "anna", Role::Controller))
            .effective_date(),
        Some(date(2026, 1, 20))
    );
    assert_eq!(
        ProposalCommand::AdjustBudget(adjustment(2026, -1, Role::Controller)).effective_date(),
        Some(date(2026, 1, 1))
    );
    assert_eq!(
        ProposalCommand::RecordCompensatingAction(compensating(None)).effective_date(),
        Some(date(2025, 10, 15))
    );
    assert_eq!(
        ProposalCommand::RecordInnovationOutcome(outcome(false, None)).effective_date(),
        Some(date(2026, 6, 30))
    );
}

#[test]
fn the_state_remembers_the_identity_and_where_the_baseline_came_from() {
    // Killed mutants: Proposal::identity -> None, Proposal::baseline_source -> None.
    let source = BaselineSource {
        file: "budget-2025-bilag-7.toml".into(),
        sha256: "ab".repeat(32),
        findings: vec![],
        front_matter: None,
        names: None,
    };
    let mut state = Proposal::default();
    assert!(state.identity().is_none());
    cqrs_es::Aggregate::apply(&mut state, registered());
    cqrs_es::Aggregate::apply(
        &mut state,
        ProposalEvent::BaselineAdopted(BaselineAdoption {
            plan: plan(),
            source: Some(source.clone()),
        }),
    );
    assert_eq!(state.identity().map(|i| i.id.as_str()), Some("BC01"));
    assert_eq!(state.baseline_source(), Some(&source));
    assert_eq!(state.baseline(), Some(&plan()));
}

/// The committees a document declares (issue 10 item 8): `codes` named after themselves.
fn declared(codes: &[&str]) -> crate::vocabulary::OrgNames {
    crate::vocabulary::OrgNames {
        municipality: None,
        committees: codes
            .iter()
            .map(|c| (c.parse().unwrap(), format!("Udvalget {c}").parse().unwrap()))
            .collect(),
        administrations: std::collections::BTreeMap::new(),
        control_areas: std::collections::BTreeMap::new(),
    }
}

fn adopted_from(names: Option<crate::vocabulary::OrgNames>) -> Vec<ProposalEvent> {
    vec![
        registered(),
        ProposalEvent::BaselineAdopted(BaselineAdoption {
            plan: plan(),
            source: Some(BaselineSource {
                file: "fjordby-budget-2026.toml".into(),
                sha256: "cd".repeat(32),
                findings: vec![],
                front_matter: None,
                names,
            }),
        }),
    ]
}

#[test]
fn a_fact_may_name_only_a_committee_its_document_declares() {
    // The example saving names SUD: refused where the document declares only ÆU and KEU, with
    // the declared codes in the message; accepted where it declares SUD.
    Fw::with(())
        .given(adopted_from(Some(declared(&["ÆU", "KEU"]))))
        .when(ProposalCommand::RecordSaving(saving(2025, -100)))
        .then_expect_error_message(
            "«SUD» er ikke et udvalg i forslagets budgetdokument; brug et af: KEU, ÆU",
        );
    Fw::with(())
        .given(adopted_from(Some(declared(&["ÆU", "KEU"]))))
        .when(ProposalCommand::AdjustBudget(adjustment(
            2026,
            -10,
            Role::Controller,
        )))
        .then_expect_error_message(
            "«SUD» er ikke et udvalg i forslagets budgetdokument; brug et af: KEU, ÆU",
        );
    Fw::with(())
        .given(adopted_from(Some(declared(&["SUD"]))))
        .when(ProposalCommand::RecordSaving(saving(2025, -100)))
        .then_expect_events(vec![ProposalEvent::SavingRealised(saving(2025, -100))]);
    // A saving naming no committee is split by the plan's shares: nothing to check.
    let unnamed = RealisedSaving {
        committee: None,
        ..saving(2025, -100)
    };
    Fw::with(())
        .given(adopted_from(Some(declared(&["ÆU"]))))
        .when(ProposalCommand::RecordSaving(unnamed.clone()))
        .then_expect_events(vec![ProposalEvent::SavingRealised(unnamed)]);
    // An adoption recorded before documents declared names is not checked.
    Fw::with(())
        .given(adopted_from(None))
        .when(ProposalCommand::RecordSaving(saving(2025, -100)))
        .then_expect_events(vec![ProposalEvent::SavingRealised(saving(2025, -100))]);
}

#[test]
fn an_event_names_the_entry_it_corrects_or_verifies_and_its_own_reason() {
    let reversal = ProposalEvent::EntryReversed(Reversal {
        corrects: 7,
        reason: reason("tastefejl"),
    });
    assert_eq!(reversal.corrects(), Some(7));
    assert_eq!(reversal.verifies(), None);
    assert_eq!(reversal.reason().map(Reason::as_str), Some("tastefejl"));
    let verified = ProposalEvent::SavingVerified(verification(5, "carl", "anna", Role::Controller));
    assert_eq!(verified.verifies(), Some(5));
    assert_eq!(verified.corrects(), None);
    assert_eq!(verified.reason(), None);
    assert_eq!(registered().corrects(), None);
}

#[test]
fn a_stored_payload_reads_the_same_from_its_text_as_from_its_json_value() {
    use cqrs_es::DomainEvent as _;
    let events = [
        registered(),
        adopted(),
        ProposalEvent::SavingRealised(saving(2025, -1_250)),
        ProposalEvent::GoalAchieved(achievement("g1", date(2025, 6, 30))),
    ];
    for event in events {
        let (kind, version) = (event.event_type(), event.event_version());
        let text = serde_json::to_string(&event).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let from_value: ProposalEvent = read_stored(&value, &kind, &version).unwrap();
        let from_text: ProposalEvent = read_stored_text(&text, &kind, &version).unwrap();
        assert_eq!(from_text, from_value);
        assert_eq!(from_text, event);
        // Refused alike: a row that says it is something else, and text that is more than
        // one JSON value.
        let wrong = read_stored_text::<ProposalEvent>(&text, "ProposalWithdrawn", &version);
        assert_eq!(
            wrong.unwrap_err(),
            read_stored::<ProposalEvent>(&value, "ProposalWithdrawn", &version).unwrap_err()
        );
        let trailing = read_stored_text::<ProposalEvent>(&format!("{text} {{}}"), &kind, &version);
        assert!(trailing
            .unwrap_err()
            .starts_with("payload: trailing characters"));
        assert!(read_stored_text::<ProposalEvent>(&format!(" {text}\n"), &kind, &version).is_ok());
    }
}
