//! The goals report: every follow-up goal and milestone with its verbatim "when", the parsed and
//! resolved schedule, and its status as of a date, built from the read models. As of a date,
//! only entries effective on or before it count — also for the achievement date, the latest
//! note and the evidence shown (a goal-scheduled entry's date is the due date it sets, so it
//! counts whatever the date).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gevinst_domain::period::{parse_when, resolve, ResolvedSchedule};
use gevinst_domain::proposal::{Fact, GoalSection};
use serde::Serialize;

use super::status::{statuses, CheckpointStatus, GoalRecord, GoalStatus};
use crate::readmodel::{EntryRow, ReadModelError, ReadModels};

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

fn overall(checkpoints: &[CheckpointStatus]) -> GoalStatus {
    let has = |s: GoalStatus| checkpoints.iter().any(|c| c.status == s);
    for s in [
        GoalStatus::Cancelled,
        GoalStatus::Unscheduled,
        GoalStatus::Overdue,
        GoalStatus::Due,
        GoalStatus::Upcoming,
        GoalStatus::AchievedLate,
    ] {
        if has(s) {
            return s;
        }
    }
    GoalStatus::AchievedOnTime
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
    entries: &[EntryRow],
    as_of: NaiveDate,
) -> Result<BTreeMap<String, Recorded>, ReadModelError> {
    let mut by_subject: BTreeMap<String, Recorded> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.is_active()) {
        let Some(subject) = e.subject.clone() else {
            continue;
        };
        let fact = e.fact()?;
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
                    sequence: e.sequence,
                    note: None,
                    evidence: Some(f.evidence.to_string()),
                    at_risk: false,
                }));
            }
            Fact::MilestoneCompleted(f) => r.record.achieved_on = Some(f.completed_on),
            Fact::GoalCancelled(f) => r.record.cancelled_on = Some(f.cancelled_on),
            Fact::GoalScheduled(f) => r.record.scheduled_due = Some(f.due_on),
            Fact::GoalProgressReported(f) => {
                if !f.at_risk {
                    r.record.progress_ok.push(f.reported_on);
                }
                let newer = r
                    .latest
                    .as_ref()
                    .is_none_or(|l| (f.reported_on, e.sequence) >= (l.date, l.sequence));
                if newer {
                    r.latest = Some(Latest {
                        date: f.reported_on,
                        sequence: e.sequence,
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
        let Some(plan) = p.current()? else { continue };
        let entries = read.entries(Some(&p.proposal_id)).await?;
        let recorded = records(&entries, as_of)?;
        let ctx = plan.resolve_context();
        let mut push = |kind: &'static str,
                        id: String,
                        section: Option<String>,
                        text: String,
                        responsible: Option<String>,
                        when: String| {
            let resolved: ResolvedSchedule = resolve(&parse_when(&when), &ctx);
            let empty = Recorded::default();
            let r = recorded.get(&id).unwrap_or(&empty);
            let checkpoints = statuses(&resolved, &r.record, as_of);
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
    }
    Ok(rows)
}
