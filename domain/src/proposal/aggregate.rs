//! The Proposal aggregate: one event stream per proposal (`BC01` …). It keeps just enough state
//! to judge commands — the identity, the baseline and current plan, and every progress or money
//! entry by its sequence with whether it has been corrected. Corrections never change an entry:
//! they mark it corrected and, when superseding, add the replacement as a new entry.
//!
//! A verification names the saving it confirms by sequence and counts only while that saving is
//! in force, so correcting a verified saving needs no extra event: the correction itself voids
//! the verification ([`Proposal::verification_of`]).
//!
//! Why the facts and event type names are shared (`Arc`): the command path keeps aggregates in
//! memory and clones one per command (`projections::aggregate_cache`); a deep copy of a stream
//! of 10.000 events took 2,3 ms, so a command's latency grew with its stream. Shared, a clone
//! copies the entries' index only.

use std::collections::BTreeMap;
use std::sync::Arc;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use super::commands::ProposalCommand;
use super::error::ProposalError;
use super::events::{Fact, ProposalEvent};
use super::kinds::{
    BaselineAdoption, PlanRevision, Registration, Reversal, SavingVerification, Supersession,
};
use super::plan::{Plan, PlanSection, ProposalIdentity};
use crate::ids::PlanLineId;
use crate::vocabulary::{Committee, ProposalKind, Role};

/// How far outside the plan's years an amount may be recorded.
pub const YEAR_MARGIN: i32 = 10;

/// A progress or money entry as the aggregate remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The fact (for a superseding event: the replacement). Shared, not copied, when the
    /// aggregate is cloned: see [`Proposal`].
    pub fact: Arc<Fact>,
    /// The sequence of the event that corrected this entry, if any.
    pub corrected_by: Option<u64>,
}

/// A proposal's decision state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    identity: Option<ProposalIdentity>,
    baseline: Option<Plan>,
    baseline_source: Option<super::plan::BaselineSource>,
    current_plan: Option<Plan>,
    revisions: u32,
    /// Number of events applied = the sequence of the last event.
    version: u64,
    /// Event type of every event by sequence (for correction messages).
    event_types: Vec<Arc<str>>,
    entries: BTreeMap<u64, Entry>,
}

impl Proposal {
    /// Identity, once registered.
    #[must_use]
    pub fn identity(&self) -> Option<&ProposalIdentity> {
        self.identity.as_ref()
    }

    /// The plan as originally adopted.
    #[must_use]
    pub fn baseline(&self) -> Option<&Plan> {
        self.baseline.as_ref()
    }

    /// The budget decision in force (its sequence), if one is recorded: until then the
    /// proposal is *indstillet* (see `ProposalIdentity::recommendation`).
    #[must_use]
    pub fn budget_decision(&self) -> Option<(u64, &super::events::BudgetDecision)> {
        self.active_entries().find_map(|(s, f)| match f {
            Fact::BudgetDecided(d) => Some((s, d)),
            _ => None,
        })
    }

    /// Where the baseline was imported from, if it was.
    #[must_use]
    pub fn baseline_source(&self) -> Option<&super::plan::BaselineSource> {
        self.baseline_source.as_ref()
    }

    /// The plan in force (the baseline or its latest revision).
    #[must_use]
    pub fn current_plan(&self) -> Option<&Plan> {
        self.current_plan.as_ref()
    }

    /// How many times the plan has been revised (0: the baseline is the current plan).
    #[must_use]
    pub fn revisions(&self) -> u32 {
        self.revisions
    }

    /// How many events the stream holds.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Entries that are not corrected, by sequence.
    pub fn active_entries(&self) -> impl Iterator<Item = (u64, &Fact)> {
        self.entries
            .iter()
            .filter(|(_, e)| e.corrected_by.is_none())
            .map(|(s, e)| (*s, e.fact.as_ref()))
    }

    /// The entry at `sequence` as a correction would see it: an uncorrected progress or money
    /// entry, or the error a correction of it would be refused with.
    pub fn entry_to_correct(&self, sequence: u64) -> Result<&Fact, ProposalError> {
        if self.identity.is_none() {
            return Err(ProposalError::UnknownProposal);
        }
        self.correction_target(sequence).map(|e| e.fact.as_ref())
    }

    /// The verification of the saving at `saving`, if one is in force: both the verification
    /// and the saving it names are uncorrected. Correcting a verified saving thus voids its
    /// verification; the replacement entry needs a verification of its own.
    #[must_use]
    pub fn verification_of(&self, saving: u64) -> Option<(u64, &SavingVerification)> {
        let target = self.entries.get(&saving)?;
        if target.corrected_by.is_some() || !matches!(*target.fact, Fact::SavingRealised(_)) {
            return None;
        }
        self.active_entries().find_map(|(s, f)| match f {
            Fact::SavingVerified(v) if v.saving == saving => Some((s, v)),
            _ => None,
        })
    }

    fn plan(&self) -> Result<&Plan, ProposalError> {
        if self.identity.is_none() {
            return Err(ProposalError::UnknownProposal);
        }
        self.current_plan.as_ref().ok_or(ProposalError::NoPlan)
    }

    fn check_year(plan: &Plan, year: i32) -> Result<(), ProposalError> {
        let (min, max) = plan
            .year_range(YEAR_MARGIN)
            .ok_or(ProposalError::PlanHasNoYears)?;
        if (min..=max).contains(&year) {
            Ok(())
        } else {
            Err(ProposalError::YearOutOfRange { year, min, max })
        }
    }

    fn check_line(
        plan: &Plan,
        line: Option<&PlanLineId>,
        section: PlanSection,
    ) -> Result<(), ProposalError> {
        let Some(id) = line else { return Ok(()) };
        let line = plan
            .line(id)
            .ok_or_else(|| ProposalError::UnknownPlanLine(id.clone()))?;
        if line.section == section {
            Ok(())
        } else {
            Err(ProposalError::WrongPlanSection {
                line: id.clone(),
                expected: section_name(section),
                found: section_name(line.section),
            })
        }
    }

    /// Checks a progress or money fact against the rules, ignoring the entry at `replacing`
    /// (the one a supersede command replaces).
    /// A committee named by a fact is one the proposal's budget document declares. Committees
    /// are data (each document declares its own), so this is where a mistyped or another
    /// municipality's committee is refused; a proposal adopted before documents declared their
    /// committees has no list and is not checked.
    fn check_committee(&self, committee: Option<Committee>) -> Result<(), ProposalError> {
        let declared = self
            .baseline_source
            .as_ref()
            .and_then(|s| s.names.as_ref())
            .filter(|n| !n.committees.is_empty());
        match (committee, declared) {
            (Some(c), Some(names)) if !names.committees.contains_key(&c) => {
                Err(ProposalError::UndeclaredCommittee {
                    committee: c,
                    declared: names.committee_codes(),
                })
            }
            _ => Ok(()),
        }
    }

    fn check_fact(&self, fact: &Fact, replacing: Option<u64>) -> Result<(), ProposalError> {
        let plan = self.plan()?;
        let others = || {
            self.active_entries()
                .filter(move |(s, _)| Some(*s) != replacing)
        };
        let goal_state = |goal: &crate::ids::GoalId| -> Result<(), ProposalError> {
            if plan.goal(goal).is_none() {
                return Err(ProposalError::UnknownGoal(goal.clone()));
            }
            if let Some((sequence, _)) =
                others().find(|(_, f)| matches!(f, Fact::GoalCancelled(c) if &c.goal == goal))
            {
                return Err(ProposalError::GoalCancelled {
                    goal: goal.clone(),
                    sequence,
                });
            }
            Ok(())
        };
        match fact {
            Fact::MilestoneCompleted(m) => {
                if plan.milestone(&m.milestone).is_none() {
                    return Err(ProposalError::UnknownMilestone(m.milestone.clone()));
                }
                if let Some((sequence, _)) = others().find(
                    |(_, f)| matches!(f, Fact::MilestoneCompleted(o) if o.milestone == m.milestone),
                ) {
                    return Err(ProposalError::MilestoneAlreadyCompleted {
                        milestone: m.milestone.clone(),
                        sequence,
                    });
                }
            }
            Fact::GoalProgressReported(p) => goal_state(&p.goal)?,
            Fact::GoalScheduled(s) => goal_state(&s.goal)?,
            Fact::GoalAchieved(a) => {
                goal_state(&a.goal)?;
                if let Some((sequence, _)) =
                    others().find(|(_, f)| matches!(f, Fact::GoalAchieved(o) if o.goal == a.goal))
                {
                    return Err(ProposalError::GoalAlreadyAchieved {
                        goal: a.goal.clone(),
                        sequence,
                    });
                }
            }
            Fact::GoalCancelled(c) => {
                if c.role != Role::Controller {
                    return Err(ProposalError::NotPermitted {
                        role: c.role,
                        action: "annullere et opfølgningsmål",
                    });
                }
                goal_state(&c.goal)?;
            }
            Fact::SavingRealised(s) => {
                Self::check_year(plan, s.year)?;
                self.check_committee(s.committee)?;
                Self::check_line(plan, s.plan_line.as_ref(), PlanSection::PermanentChange)?;
                // A permanent-change line that plans a new running cost (positive amounts, e.g.
                // money handed back to the units) is realised as a positive amount; every
                // other realised permanent change is a saving, negative.
                let running_cost_line = s
                    .plan_line
                    .as_ref()
                    .and_then(|id| plan.line(id))
                    .filter(|l| l.amounts.iter().any(|(_, a)| !a.value().is_zero()))
                    .filter(|l| l.amounts.iter().all(|(_, a)| !a.is_negative()));
                match running_cost_line {
                    Some(line) if !s.amount.is_positive() => {
                        return Err(ProposalError::RunningCostNotPositive {
                            line: line.id.clone(),
                            got: s.amount.to_string(),
                        });
                    }
                    None if !s.amount.is_negative() => {
                        return Err(ProposalError::SavingNotNegative(s.amount.to_string()));
                    }
                    _ => {}
                }
            }
            Fact::ImplementationCostIncurred(c) => {
                Self::check_year(plan, c.year)?;
                if !c.amount.is_positive() {
                    return Err(ProposalError::CostNotPositive(c.amount.to_string()));
                }
                Self::check_line(plan, c.plan_line.as_ref(), PlanSection::ImplementationCost)?;
            }
            Fact::ForecastUpdated(f) => {
                Self::check_year(plan, f.year)?;
                Self::check_line(plan, f.plan_line.as_ref(), f.section)?;
            }
            Fact::CompensatingActionRecorded(a) => {
                if let Some(goal) = &a.goal {
                    goal_state(goal)?;
                }
                if let Some(year) = a.year {
                    Self::check_year(plan, year)?;
                }
            }
            Fact::SavingVerified(v) => {
                if v.role != Role::Controller {
                    return Err(ProposalError::NotPermitted {
                        role: v.role,
                        action: "verificere en effektivisering",
                    });
                }
                self.verification_target(v.saving)?;
                if let Some((sequence, _)) = others()
                    .find(|(_, f)| matches!(f, Fact::SavingVerified(o) if o.saving == v.saving))
                {
                    return Err(ProposalError::SavingAlreadyVerified {
                        saving: v.saving,
                        sequence,
                    });
                }
                if v.verified_by == v.reported_by {
                    return Err(ProposalError::FourEyes {
                        saving: v.saving,
                        actor: v.verified_by.clone(),
                    });
                }
            }
            Fact::BudgetAdjusted(b) => {
                if b.role != Role::Controller {
                    return Err(ProposalError::NotPermitted {
                        role: b.role,
                        action: "tilpasse en budgetramme",
                    });
                }
                Self::check_year(plan, b.year)?;
                self.check_committee(Some(b.committee))?;
            }
            Fact::BudgetDecided(d) => {
                if d.role != Role::Controller {
                    return Err(ProposalError::NotPermitted {
                        role: d.role,
                        action: "registrere en budgetbeslutning",
                    });
                }
                if let Some((sequence, Fact::BudgetDecided(o))) =
                    others().find(|(_, f)| matches!(f, Fact::BudgetDecided(_)))
                {
                    return Err(ProposalError::BudgetAlreadyDecided {
                        sequence,
                        outcome: o.outcome.danish(),
                    });
                }
            }
            Fact::InnovationOutcomeRecorded(o) => {
                let kind = self
                    .identity
                    .as_ref()
                    .ok_or(ProposalError::UnknownProposal)?
                    .kind;
                if !matches!(kind, ProposalKind::Innovation | ProposalKind::PreStudy) {
                    return Err(ProposalError::NotAnInnovation { kind });
                }
                if let (false, Some(case)) = (o.led_to_investment_case, &o.investment_case) {
                    return Err(ProposalError::InvestmentCaseInconsistent(case.clone()));
                }
            }
        }
        Ok(())
    }

    /// Checks that `sequence` names a saving entry in force, the only thing one can verify.
    fn verification_target(&self, sequence: u64) -> Result<(), ProposalError> {
        if sequence == 0 || sequence > self.version {
            return Err(ProposalError::VerificationTargetMissing(sequence));
        }
        match self.entries.get(&sequence) {
            Some(e) if matches!(*e.fact, Fact::SavingRealised(_)) => match e.corrected_by {
                None => Ok(()),
                Some(by) => Err(ProposalError::SavingCorrected { sequence, by }),
            },
            Some(other) => Err(ProposalError::NotASaving {
                sequence,
                kind: other.fact.kind().to_string(),
            }),
            None => {
                let index = usize::try_from(sequence - 1).unwrap_or(usize::MAX);
                Err(ProposalError::NotASaving {
                    sequence,
                    kind: self
                        .event_types
                        .get(index)
                        .map_or_else(|| "unknown".to_string(), ToString::to_string),
                })
            }
        }
    }

    fn correction_target(&self, sequence: u64) -> Result<&Entry, ProposalError> {
        if sequence == 0 || sequence > self.version {
            return Err(ProposalError::CorrectionTargetMissing(sequence));
        }
        let entry = self.entries.get(&sequence).ok_or_else(|| {
            let index = usize::try_from(sequence - 1).unwrap_or(usize::MAX);
            ProposalError::NotCorrectable {
                sequence,
                event_type: self
                    .event_types
                    .get(index)
                    .map_or_else(|| "unknown".to_string(), ToString::to_string),
            }
        })?;
        if let Some(by) = entry.corrected_by {
            return Err(ProposalError::AlreadyCorrected { sequence, by });
        }
        Ok(entry)
    }

    /// Decides which events a command produces, or why it is refused.
    pub fn decide(&self, command: ProposalCommand) -> Result<Vec<ProposalEvent>, ProposalError> {
        if !matches!(command, ProposalCommand::RegisterProposal { .. }) && self.identity.is_none() {
            return Err(ProposalError::UnknownProposal);
        }
        let event = match command {
            ProposalCommand::RegisterProposal { identity } => {
                if let Some(existing) = &self.identity {
                    return Err(ProposalError::AlreadyRegistered(existing.id.clone()));
                }
                ProposalEvent::ProposalRegistered(Registration { identity })
            }
            ProposalCommand::AdoptBaseline { plan, source } => {
                if self.baseline.is_some() {
                    return Err(ProposalError::BaselineAlreadyAdopted);
                }
                let problems = plan.problems();
                if !problems.is_empty() {
                    return Err(ProposalError::InvalidPlan(problems));
                }
                ProposalEvent::BaselineAdopted(BaselineAdoption { plan, source })
            }
            ProposalCommand::RevisePlan {
                plan,
                reason,
                approved_by,
            } => {
                if self.plan()? == &plan {
                    return Err(ProposalError::PlanUnchanged);
                }
                let problems = plan.problems();
                if !problems.is_empty() {
                    return Err(ProposalError::InvalidPlan(problems));
                }
                ProposalEvent::PlanRevised(PlanRevision {
                    revision: self.revisions + 1,
                    plan,
                    reason,
                    approved_by,
                })
            }
            ProposalCommand::CompleteMilestone(f) => Fact::MilestoneCompleted(f).into(),
            ProposalCommand::ReportGoalProgress(f) => Fact::GoalProgressReported(f).into(),
            ProposalCommand::AchieveGoal(f) => Fact::GoalAchieved(f).into(),
            ProposalCommand::ScheduleGoal(f) => Fact::GoalScheduled(f).into(),
            ProposalCommand::CancelGoal(f) => Fact::GoalCancelled(f).into(),
            ProposalCommand::RecordSaving(f) => Fact::SavingRealised(f).into(),
            ProposalCommand::RecordCost(f) => Fact::ImplementationCostIncurred(f).into(),
            ProposalCommand::UpdateForecast(f) => Fact::ForecastUpdated(f).into(),
            ProposalCommand::RecordCompensatingAction(f) => {
                Fact::CompensatingActionRecorded(f).into()
            }
            ProposalCommand::VerifySaving(f) => Fact::SavingVerified(f).into(),
            ProposalCommand::AdjustBudget(f) => Fact::BudgetAdjusted(f).into(),
            ProposalCommand::DecideBudget(f) => Fact::BudgetDecided(f).into(),
            ProposalCommand::RecordInnovationOutcome(f) => {
                Fact::InnovationOutcomeRecorded(f).into()
            }
            ProposalCommand::ReverseEntry { sequence, reason } => {
                self.correction_target(sequence)?;
                ProposalEvent::EntryReversed(Reversal {
                    corrects: sequence,
                    reason,
                })
            }
            ProposalCommand::SupersedeEntry {
                sequence,
                reason,
                replacement,
            } => {
                let target = self.correction_target(sequence)?;
                if target.fact.kind() != replacement.kind() {
                    return Err(ProposalError::ReplacementKindMismatch {
                        sequence,
                        expected: target.fact.kind(),
                        found: replacement.kind(),
                    });
                }
                self.check_fact(&replacement, Some(sequence))?;
                ProposalEvent::EntrySuperseded(Supersession {
                    corrects: sequence,
                    reason,
                    replacement,
                })
            }
        };
        if let Some(fact) = event.fact() {
            self.check_fact(&fact, None)?;
        }
        Ok(vec![event])
    }
}

/// A plan section's Danish name, as the refusals say it.
fn section_name(section: PlanSection) -> &'static str {
    match section {
        PlanSection::PermanentChange => "varig ændring",
        PlanSection::ImplementationCost => "implementeringsomkostninger",
        PlanSection::LoanRepayment => "tilbagebetaling af lån",
    }
}

impl Aggregate for Proposal {
    const TYPE: &'static str = "proposal";
    type Command = ProposalCommand;
    type Event = ProposalEvent;
    type Error = ProposalError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        let sequence = self.version;
        self.event_types.push(Arc::from(event.type_name()));
        if let Some(fact) = event.fact() {
            self.entries.insert(
                sequence,
                Entry {
                    fact: Arc::new(fact),
                    corrected_by: None,
                },
            );
            return;
        }
        match event {
            ProposalEvent::ProposalRegistered(Registration { identity }) => {
                self.identity = Some(identity)
            }
            ProposalEvent::BaselineAdopted(BaselineAdoption { plan, source }) => {
                self.baseline = Some(plan.clone());
                self.baseline_source = source;
                self.current_plan = Some(plan);
            }
            ProposalEvent::PlanRevised(PlanRevision { revision, plan, .. }) => {
                self.revisions = revision;
                self.current_plan = Some(plan);
            }
            ProposalEvent::EntryReversed(Reversal { corrects, .. }) => {
                if let Some(entry) = self.entries.get_mut(&corrects) {
                    entry.corrected_by = Some(sequence);
                }
            }
            ProposalEvent::EntrySuperseded(Supersession {
                corrects,
                replacement,
                ..
            }) => {
                if let Some(entry) = self.entries.get_mut(&corrects) {
                    entry.corrected_by = Some(sequence);
                }
                self.entries.insert(
                    sequence,
                    Entry {
                        fact: Arc::new(replacement),
                        corrected_by: None,
                    },
                );
            }
            _ => {}
        }
    }
}
