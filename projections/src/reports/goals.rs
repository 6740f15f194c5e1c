//! The goals report: every follow-up goal and milestone with its verbatim "when", the parsed and
//! resolved schedule, and its status as of a date, built from the read models. As of a date,
//! only entries effective on or before it count — also for the achievement date, the latest
//! note and the evidence shown (a goal-scheduled entry's date is the due date it sets, so it
//! counts whatever the date).
//!
//! Two links are made here because the status rules need them (`super::status`):
//! - a **realisation goal** is linked to the money: the proposal's verified savings per year
//!   against the plan's permanent change for that year. The amounts are compared as recorded
//!   (this report has no price index; a saving recorded at another price level differs by the
//!   index step, a few per cent, which the realisation report converts exactly);
//! - a goal whose "Hvornår" **restates milestones** ("Milepæl 1 – Q2 2025 Milepæl 2 – …", BC03
//!   g6) takes its status from those milestones and lists them in `restates`; the portfolio
//!   counts and the committee status skip it, so a late milestone is counted once.
//!
//! **Phases read from the funding years.** A proposal without a phase table (BC04, BC05) has its
//! phase-relative goals ("I afslutningsfasen", "Ved projektafslutning") dated from the years its
//! implementation money is spent in (`gevinst_domain::period`); `dated_from` says so.
//!
//! **No checkpoint before the budget decision.** Once a proposal's `BudgetDecided` is effective,
//! a checkpoint that ended before the decision date cannot have been owed: unless the goal is
//! achieved, it is left out of the goal's schedule and listed in `before_decision` (a goal left
//! with none is "ikke fastlagt", not assessed). Before a decision the proposal is not judged at
//! all (`super::decision`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gevinst_domain::baseline::FindingKind;
use gevinst_domain::period::{parse_when, resolve, ResolvedSchedule};
use gevinst_domain::proposal::{Fact, GoalSection, Plan, TotalKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::add;
use super::status::{
    overall, statuses, CheckpointStatus, GoalRecord, GoalStatus, ProgressReport, YearSavings,
};
use crate::readmodel::{Entry, ProposalRow, ReadModelError, ReadModels};
use std::sync::Arc;

/// One goal or milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoalRow {
    /// `BC01` …
    pub proposal: String,
    /// The proposal's committee.
    pub committee: String,
    /// "goal" or "milestone".
    pub kind: &'static str,
    /// `g1`, `m1` …
    pub id: String,
    /// "implementation" / "realisation" for goals; the phase for milestones.
    pub section: Option<String>,
    /// What must be true.
    pub text: String,
    /// Hvem er ansvarlig.
    pub responsible: Option<String>,
    /// Hvornår, verbatim.
    pub when: String,
    /// A deadline that falls before the proposal was approved, as the baseline check found it
    /// ("dato før forslaget"): a suspect date, shown as such and never owed. A goal whose every
    /// checkpoint is suspect is "ikke vurderet" until someone gives it a date; once the budget
    /// decision is recorded (after the approval), `before_decision` lists them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspect_date: Option<String>,
    /// Checkpoints that ended before the budget decision, left out (`2024Q1` …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub before_decision: Vec<String>,
    /// Who owns the benefit after the project, where the "Hvornår" says ("Efterfølgende har
    /// centerledelserne ansvaret …"): kept from the text, no checkpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handover: Option<String>,
    /// Where a phase-relative "Hvornår" of a proposal without a phase table was dated from
    /// ("finansieringsårene 2025–2026"): said beside the schedule, never silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dated_from: Option<String>,
    /// The resolved schedule (`2025Q3`, `2024Q4; 2026Q2`, `unresolved: …`).
    pub schedule: String,
    /// One status per checkpoint.
    pub checkpoints: Vec<CheckpointStatus>,
    /// The goal's overall status: overdue if any checkpoint is, else due, else upcoming, else
    /// achieved (late if any was late).
    pub status: GoalStatus,
    /// Achieved / completed on.
    pub achieved_on: Option<NaiveDate>,
    /// The latest progress note.
    pub latest_note: Option<String>,
    /// The latest evidence reference.
    pub evidence: Option<String>,
    /// The latest progress report flagged the goal at risk.
    pub at_risk: bool,
    /// The milestones this goal restates (its status is theirs; it is not counted twice).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restates: Vec<String>,
}

impl GoalRow {
    /// "mål" or "milepæl".
    #[must_use]
    pub fn kind_danish(&self) -> &'static str {
        if self.kind == "milestone" {
            "milepæl"
        } else {
            "mål"
        }
    }
}

/// The latest report on a goal.
#[derive(Clone)]
struct Latest {
    date: NaiveDate,
    sequence: i64,
    note: Option<String>,
    evidence: Option<String>,
    at_risk: bool,
}

#[derive(Default)]
struct Recorded {
    record: GoalRecord,
    latest: Option<Latest>,
}

fn records(
    entries: &[Arc<Entry>],
    as_of: NaiveDate,
) -> Result<BTreeMap<String, Recorded>, ReadModelError> {
    let mut by_subject: BTreeMap<String, Recorded> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.row.is_active()) {
        let Some(subject) = e.row.subject.clone() else {
            continue;
        };
        let fact = &e.fact;
        // A schedule's date is the due date it sets, not when something happened: it counts
        // whatever the date asked about (a goal due later is "upcoming", not "unscheduled").
        if fact.effective_date() > as_of && !matches!(fact, Fact::GoalScheduled(_)) {
            continue;
        }
        let r = by_subject.entry(subject).or_default();
        match fact {
            Fact::GoalAchieved(f) => {
                r.record.achieved_on = Some(f.achieved_on);
                r.latest = r.latest.take().or(Some(Latest {
                    date: f.achieved_on,
                    sequence: e.row.sequence,
                    note: None,
                    evidence: Some(f.evidence.to_string()),
                    at_risk: false,
                }));
            }
            Fact::MilestoneCompleted(f) => r.record.achieved_on = Some(f.completed_on),
            Fact::GoalCancelled(f) => r.record.cancelled_on = Some(f.cancelled_on),
            Fact::GoalScheduled(f) => r.record.scheduled_due = Some(f.due_on),
            Fact::GoalProgressReported(f) => {
                r.record.progress.push(ProgressReport {
                    on: f.reported_on,
                    at_risk: f.at_risk,
                    evidenced: f.evidence.is_some(),
                });
                let newer = r
                    .latest
                    .as_ref()
                    .is_none_or(|l| (f.reported_on, e.row.sequence) >= (l.date, l.sequence));
                if newer {
                    r.latest = Some(Latest {
                        date: f.reported_on,
                        sequence: e.row.sequence,
                        note: Some(f.note.to_string()),
                        evidence: f.evidence.as_ref().map(ToString::to_string),
                        at_risk: f.at_risk,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(by_subject)
}

/// The plan's permanent change and the verified realised savings per year (as recorded, see
/// the module docs), effective on or before `as_of`.
fn verified_savings(
    (facts, verified): &super::EffectiveFacts,
    plan: &Plan,
) -> Result<BTreeMap<i32, YearSavings>, ReadModelError> {
    let mut out: BTreeMap<i32, YearSavings> = plan
        .years
        .iter()
        .map(|y| {
            (
                *y,
                YearSavings {
                    planned: plan.computed_total(TotalKind::PermanentChange, None, *y),
                    verified: Decimal::ZERO,
                },
            )
        })
        .collect();
    for (sequence, fact) in facts {
        if let Fact::SavingRealised(s) = fact {
            if verified.contains(sequence) {
                let year = out.entry(s.year).or_default();
                add(&mut year.verified, s.amount.value(), "verificerede beløb")?;
            }
        }
    }
    Ok(out)
}

/// The milestones a goal's "Hvornår" names ("Milepæl 1 – Q2 2025 Milepæl 2 – …"), by the
/// number in their names; empty when it names none or a number matches no milestone.
fn restated_milestones(when: &str, plan: &Plan) -> Vec<String> {
    let lower = when.to_lowercase();
    let mut numbers = Vec::new();
    for (i, _) in lower.match_indices("milepæl") {
        let digits: String = lower[i + "milepæl".len()..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            numbers.push(digits);
        }
    }
    let mut ids = Vec::new();
    for n in numbers {
        let name = format!("milepæl {n}");
        match plan
            .milestones
            .iter()
            .find(|m| m.name.trim().to_lowercase() == name)
        {
            Some(m) => ids.push(m.id.to_string()),
            None => return Vec::new(),
        }
    }
    ids
}

/// Every goal and milestone of `proposal` (or of all proposals), with status as of `as_of`.
pub async fn goals(
    read: &ReadModels,
    proposal: Option<&str>,
    as_of: NaiveDate,
) -> Result<Vec<GoalRow>, ReadModelError> {
    let mut rows = Vec::new();
    let proposals = match proposal {
        Some(p) => read.proposal(p).await?.into_iter().collect(),
        None => read.proposals().await?,
    };
    for p in proposals {
        let entries = read.decoded_entries(&p).await?;
        rows.extend(goal_rows(&p, entries.entries(), as_of)?);
    }
    Ok(rows)
}

/// Proposal `p`'s goal and milestone rows as of `as_of`, from its read-model `entries` (for a
/// caller that has read them already, such as the portfolio).
pub(crate) fn goal_rows(
    p: &ProposalRow,
    entries: &[Arc<Entry>],
    as_of: NaiveDate,
) -> Result<Vec<GoalRow>, ReadModelError> {
    let mut rows = Vec::new();
    let Some(plan) = p.current()? else {
        return Ok(rows);
    };
    let recorded = records(entries, as_of)?;
    // Decoded once: the verified savings and the budget decision both read it.
    let effective = super::effective_facts(entries, as_of);
    let savings = verified_savings(&effective, &plan)?;
    let ctx = plan.resolve_context();
    // The baseline check's suspect dates, stored with the adopted baseline.
    // goal id → (how many of its checkpoints are suspect, why).
    let source = p.baseline_source()?;
    let suspect: BTreeMap<String, (Decimal, String)> = source
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| f.kind == FindingKind::DateBeforeProposal)
        .map(|f| (f.row.clone(), (f.stated, f.explanation.clone())))
        .collect();
    let decided_on = super::decision::Decision::of(None, &effective.0).decided_on;
    let mut push = |kind: &'static str,
                    id: String,
                    section: Option<String>,
                    text: String,
                    responsible: Option<String>,
                    when: String| {
        let schedule = parse_when(&when);
        let dated_from = ctx
            .dates_from_funding_years(&schedule)
            .then_some(ctx.funding_years)
            .flatten()
            .map(|(first, last)| {
                if first == last {
                    format!("finansieringsåret {first} (forslaget har ingen fasetabel)")
                } else {
                    format!("finansieringsårene {first}–{last} (forslaget har ingen fasetabel)")
                }
            });
        let mut resolved: ResolvedSchedule = resolve(&schedule, &ctx);
        let empty = Recorded::default();
        let r = recorded.get(&id).unwrap_or(&empty);
        // An achievement is an achievement, whenever its checkpoint lay; only what is
        // still owed loses the checkpoints that ended before the decision.
        let achieved = r.record.achieved_on.is_some_and(|d| d <= as_of);
        let mut before_decision = Vec::new();
        if let (ResolvedSchedule::Checkpoints(windows), Some(decided), false) =
            (&mut resolved, decided_on, achieved)
        {
            windows.retain(|w| {
                let owed = w.last_day() >= decided;
                if !owed {
                    before_decision.push(w.to_string());
                }
                owed
            });
        }
        // Every checkpoint suspect, and no decision to trim them yet: not judged.
        if let (Some((count, why)), ResolvedSchedule::Checkpoints(w), true) =
            (suspect.get(&id), &resolved, before_decision.is_empty())
        {
            if !achieved && *count >= Decimal::from(w.len()) {
                resolved = ResolvedSchedule::Unresolved {
                    reason: format!("mistænkelig dato: {why}"),
                };
            }
        }
        if matches!(&resolved, ResolvedSchedule::Checkpoints(w) if w.is_empty())
            && !before_decision.is_empty()
        {
            resolved = ResolvedSchedule::Unresolved {
                reason: format!(
                    "alle kontrolpunkter ({}) ligger før budgetbeslutningen",
                    before_decision.join(", ")
                ),
            };
        }
        let mut record = r.record.clone();
        if section.as_deref() == Some("realisation") {
            record.savings.clone_from(&savings);
        }
        let checkpoints = statuses(&resolved, &record, as_of);
        let latest = r.latest.clone();
        rows.push(GoalRow {
            proposal: p.proposal_id.clone(),
            committee: p.committee.clone(),
            kind,
            section,
            text,
            responsible,
            schedule: resolved.to_string(),
            status: overall(&checkpoints),
            checkpoints,
            achieved_on: r.record.achieved_on,
            latest_note: latest.as_ref().and_then(|l| l.note.clone()),
            evidence: latest.as_ref().and_then(|l| l.evidence.clone()),
            at_risk: latest.as_ref().is_some_and(|l| l.at_risk),
            restates: Vec::new(),
            handover: gevinst_domain::period::handover(&when).map(str::to_string),
            before_decision,
            dated_from,
            suspect_date: suspect.get(&id).map(|(_, why)| why.clone()),
            when,
            id,
        });
    };
    for g in &plan.goals {
        push(
            "goal",
            g.id.to_string(),
            Some(
                match g.section {
                    GoalSection::Implementation => "implementation",
                    GoalSection::Realisation => "realisation",
                }
                .to_string(),
            ),
            g.text.clone(),
            Some(g.responsible.clone()),
            g.when.clone(),
        );
    }
    for m in &plan.milestones {
        push(
            "milestone",
            m.id.to_string(),
            m.phase.clone(),
            format!("{}: {}", m.name, m.text),
            None,
            m.when.clone(),
        );
    }
    // A goal that restates milestones takes their checkpoints and status.
    for g in &plan.goals {
        let restates = restated_milestones(&g.when, &plan);
        if restates.is_empty() {
            continue;
        }
        let checkpoints: Vec<CheckpointStatus> = rows[..]
            .iter()
            .filter(|r| r.kind == "milestone" && restates.contains(&r.id))
            .flat_map(|r| r.checkpoints.clone())
            .collect();
        if let Some(row) = rows[..]
            .iter_mut()
            .find(|r| r.kind == "goal" && r.id == g.id.as_str())
        {
            row.status = overall(&checkpoints);
            row.checkpoints = checkpoints;
            row.restates = restates;
        }
    }
    Ok(rows)
}
