//! The arguments of one `gevinst record …` (or one HTTP command body) turned into the proposal
//! and the one command to send: one arm per kind, so the compiler names this place when a
//! kind is added. What an argument is read as lives in [`super::input`].

use gevinst_domain::proposal::{
    BudgetAdjustment, BudgetDecision, CompensatingAction, Forecast, GoalAchievement,
    GoalCancellation, GoalProgress, GoalSchedule, IncurredCost, InnovationOutcome,
    MilestoneCompletion, PlanSection, ProposalCommand, RealisedSaving, SavingVerification,
};
use gevinst_domain::{
    Actor, Committee, EvidenceRef, GoalId, MilestoneId, Note, ProposalId, Reason, Role,
};
use gevinst_projections::ProposalService;

use super::input::{
    amount, load, parse, parse_date, parse_opt, parse_section, plan_file, price_level, proposal_id,
    with_amount, Money,
};
use super::{RecordError, RecordWhat};

/// Turns the arguments into the proposal and the one command to send. Loads the proposal only
/// where a default or a correction needs its current state.
pub(super) async fn command(
    what: RecordWhat,
    actor: &Actor,
    service: &ProposalService,
) -> Result<(ProposalId, ProposalCommand), RecordError> {
    let note = |s: Option<&String>| parse_opt::<Note>("--note", s);
    let evidence = |s: Option<&String>| parse_opt::<EvidenceRef>("--evidence", s);
    Ok(match what {
        RecordWhat::Progress {
            proposal,
            goal,
            date,
            note: text,
            evidence: ev,
            at_risk,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::ReportGoalProgress(GoalProgress {
                goal: parse::<GoalId>("--goal", &goal)?,
                reported_on: parse_date("--date", &date)?,
                note: parse("--note", &text)?,
                evidence: evidence(ev.as_ref())?,
                at_risk,
            }),
        ),
        RecordWhat::Achieved {
            proposal,
            goal,
            date,
            evidence: ev,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::AchieveGoal(GoalAchievement {
                goal: parse("--goal", &goal)?,
                achieved_on: parse_date("--date", &date)?,
                evidence: parse("--evidence", &ev)?,
            }),
        ),
        RecordWhat::Scheduled {
            proposal,
            goal,
            date,
            note: text,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::ScheduleGoal(GoalSchedule {
                goal: parse("--goal", &goal)?,
                due_on: parse_date("--date", &date)?,
                note: note(text.as_ref())?,
            }),
        ),
        RecordWhat::Saving {
            proposal,
            money,
            plan_line,
            committee,
            evidence: ev,
        } => {
            let id = proposal_id(&proposal)?;
            let committee = parse_opt::<Committee>("--committee", committee.as_ref())?;
            let evidence = evidence(ev.as_ref())?;
            let m = money.parse(service, &id, plan_line.as_ref()).await?;
            let saving = RealisedSaving {
                year: money.year,
                amount: m.amount,
                price_level: m.price_level,
                control_area: m.control_area,
                plan_line: m.plan_line,
                committee,
                effective_on: m.effective_on,
                evidence,
            };
            (id, ProposalCommand::RecordSaving(saving))
        }
        RecordWhat::Cost {
            proposal,
            money,
            plan_line,
            evidence: ev,
        } => {
            let id = proposal_id(&proposal)?;
            let evidence = evidence(ev.as_ref())?;
            let m = money.parse(service, &id, plan_line.as_ref()).await?;
            let cost = IncurredCost {
                year: money.year,
                amount: m.amount,
                price_level: m.price_level,
                control_area: m.control_area,
                plan_line: m.plan_line,
                effective_on: m.effective_on,
                evidence,
            };
            (id, ProposalCommand::RecordCost(cost))
        }
        RecordWhat::Forecast {
            proposal,
            money,
            section,
            plan_line,
            note: text,
        } => {
            let id = proposal_id(&proposal)?;
            let note = note(text.as_ref())?;
            let section = section.as_deref().map(parse_section).transpose()?;
            let m = money.parse(service, &id, plan_line.as_ref()).await?;
            let section = forecast_section(section, &m)?;
            let forecast = Forecast {
                year: money.year,
                section,
                amount: m.amount,
                price_level: m.price_level,
                control_area: m.control_area,
                plan_line: m.plan_line,
                effective_on: m.effective_on,
                note,
            };
            (id, ProposalCommand::UpdateForecast(forecast))
        }
        RecordWhat::Correction {
            proposal,
            sequence,
            reason,
            replace_amount,
        } => {
            let id = proposal_id(&proposal)?;
            let reason: Reason = parse("--reason", &reason)?;
            let command = correction(service, &id, sequence, reason, replace_amount).await?;
            (id, command)
        }
        RecordWhat::CompensatingAction {
            proposal,
            goal,
            year,
            date,
            action,
            expected_effect,
            evidence: ev,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::RecordCompensatingAction(CompensatingAction {
                goal: parse_opt("--goal", goal.as_ref())?,
                year,
                recorded_on: parse_date("--date", &date)?,
                action: parse("--action", &action)?,
                expected_effect: parse_opt("--expected-effect", expected_effect.as_ref())?,
                evidence: evidence(ev.as_ref())?,
            }),
        ),
        RecordWhat::VerifySaving {
            proposal,
            sequence,
            date,
            note: text,
        } => (
            proposal_id(&proposal)?,
            // The command path replaces both actors and the role from the metadata and the
            // stored saving; these are what the sender claims, never trusted.
            ProposalCommand::VerifySaving(SavingVerification {
                saving: sequence,
                verified_on: parse_date("--date", &date)?,
                verified_by: actor.clone(),
                reported_by: actor.clone(),
                role: Role::Controller,
                note: note(text.as_ref())?,
            }),
        ),
        RecordWhat::BudgetAdjustment {
            proposal,
            committee,
            money,
            reference,
            note: text,
        } => {
            let id = proposal_id(&proposal)?;
            let committee = parse("--committee", &committee)?;
            let amount = amount("--amount", &money.amount)?;
            let effective_on = parse_date("--date", &money.date)?;
            let reference = parse_opt("--reference", reference.as_ref())?;
            let note = note(text.as_ref())?;
            let control_area = money
                .control_area
                .as_ref()
                .ok_or(RecordError::MissingArgument(
                    "--control-area skal angives for en tilpasning af budgetrammen",
                ))
                .and_then(|area| parse("--control-area", area))?;
            let state = load(service, &id).await?;
            let adjustment = BudgetAdjustment {
                committee,
                year: money.year,
                control_area,
                amount,
                price_level: price_level(money.price_level, &state)?,
                effective_on,
                reference,
                note,
                role: Role::Controller,
            };
            (id, ProposalCommand::AdjustBudget(adjustment))
        }
        RecordWhat::BudgetDecision {
            proposal,
            outcome,
            date,
            reference,
            note: text,
        } => (
            proposal_id(&proposal)?,
            // The role is the sender's, stamped by the command path.
            ProposalCommand::DecideBudget(BudgetDecision {
                outcome: parse("--outcome", &outcome)?,
                decided_on: parse_date("--date", &date)?,
                reference: parse("--reference", &reference)?,
                note: note(text.as_ref())?,
                role: Role::Controller,
            }),
        ),
        RecordWhat::RevisePlan {
            proposal,
            file,
            plan,
            reason,
            approved_by,
        } => {
            let plan = match (plan, file) {
                (Some(plan), _) => *plan,
                (None, Some(file)) => plan_file(&file)?,
                (None, None) => {
                    return Err(RecordError::MissingArgument("--file (planen) skal angives"))
                }
            };
            (
                proposal_id(&proposal)?,
                ProposalCommand::RevisePlan {
                    reason: parse("--reason", &reason)?,
                    approved_by: parse("--approved-by", &approved_by)?,
                    plan,
                },
            )
        }
        RecordWhat::CancelGoal {
            proposal,
            goal,
            date,
            reason,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::CancelGoal(GoalCancellation {
                goal: parse("--goal", &goal)?,
                cancelled_on: parse_date("--date", &date)?,
                reason: parse("--reason", &reason)?,
                role: Role::Controller,
            }),
        ),
        RecordWhat::MilestoneCompleted {
            proposal,
            milestone,
            date,
            evidence: ev,
        } => (
            proposal_id(&proposal)?,
            ProposalCommand::CompleteMilestone(MilestoneCompletion {
                milestone: parse::<MilestoneId>("--milestone", &milestone)?,
                completed_on: parse_date("--date", &date)?,
                evidence: evidence(ev.as_ref())?,
            }),
        ),
        RecordWhat::InnovationOutcome {
            proposal,
            date,
            learning,
            led_to_investment_case,
            investment_case,
            evidence: ev,
        } => {
            let investment_case =
                parse_opt::<ProposalId>("--investment-case", investment_case.as_ref())?;
            (
                proposal_id(&proposal)?,
                ProposalCommand::RecordInnovationOutcome(InnovationOutcome {
                    recorded_on: parse_date("--date", &date)?,
                    learning: parse("--learning", &learning)?,
                    led_to_investment_case: led_to_investment_case || investment_case.is_some(),
                    investment_case,
                    evidence: evidence(ev.as_ref())?,
                }),
            )
        }
    })
}

/// A forecast's plan section: `--section`, or the section of the current plan's line that
/// `--plan-line` names.
fn forecast_section(given: Option<PlanSection>, m: &Money) -> Result<PlanSection, RecordError> {
    match given {
        Some(s) => Ok(s),
        None => m
            .plan_line
            .as_ref()
            .and_then(|l| m.state.current_plan()?.line(l))
            .map(|l| l.section)
            .ok_or(RecordError::MissingArgument(
                "--section skal angives, medmindre --plan-line peger på en linje i den gældende plan",
            )),
    }
}

/// A correction of the entry at `sequence`: a reversal, or with `--replace-amount` the same
/// entry again with the new amount (read from the proposal's current state, refused as the
/// aggregate would refuse it when there is no such entry to correct).
async fn correction(
    service: &ProposalService,
    id: &ProposalId,
    sequence: u64,
    reason: Reason,
    replace_amount: Option<String>,
) -> Result<ProposalCommand, RecordError> {
    let Some(new_amount) = replace_amount
        .map(|a| amount("--replace-amount", &a))
        .transpose()?
    else {
        return Ok(ProposalCommand::ReverseEntry { sequence, reason });
    };
    let state = load(service, id).await?;
    let fact = state
        .entry_to_correct(sequence)
        .map_err(|error| RecordError::Refused {
            proposal: id.to_string(),
            error,
        })?;
    Ok(ProposalCommand::SupersedeEntry {
        sequence,
        reason,
        replacement: with_amount(fact, new_amount, sequence)?,
    })
}
