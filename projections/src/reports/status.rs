//! Goal and milestone status as of a date. A follow-up goal's "Hvornår" resolves to one or more
//! checkpoints (quarter windows); each checkpoint gets a status from what the owner recorded and
//! the date asked about.
//!
//! # Why these statuses
//!
//! A controller must be able to tell "the owner says it is late" from "nobody has said anything",
//! and "we cannot judge this" from "this is on plan". So a missing report is never read as a
//! missed goal (**ikke rapporteret**, not **overskredet**), an undated goal is never read as on
//! plan (**ikke vurderet**), and a bare note never ticks a goal off: achievement needs evidence.
//!
//! # The rules, so controllers and owners can predict them
//!
//! - **annulleret** (`cancelled`): an active cancellation effective on or before the date;
//!   nothing else counts.
//! - **ikke vurderet: uden dato** (`unscheduled`): the "Hvornår" could not be resolved and no
//!   goal-scheduled event gave a date. A goal-scheduled event's date replaces the parsed schedule
//!   (the latest word is the owner's).
//! - For each checkpoint window `w` (first day `f`, last day `l`), as of date `D`:
//!   - **opnået rettidigt** (`achieved_on_time`): the goal was achieved (an achievement always
//!     carries evidence) on or before `l` and `D`; or, for a goal with several checkpoints, a
//!     progress report *with evidence* and not flagged at risk is dated inside `w`; or, for a
//!     realisation goal, the proposal's *verified* savings for `w`'s last year cover that year's
//!     plan (the linked verified saving). A progress note without evidence never achieves.
//!   - **delvist opnået** (`partially_achieved`): a realisation goal whose window has ended with
//!     verified savings for its year that cover only part of the plan.
//!   - otherwise, before the window ends: **i risiko** (`at_risk`) if the owner's latest report
//!     (on or before `D`) flags the goal at risk, else **kommende** (`upcoming`) if `D < f` or
//!     **aktuel** (`due`) if `f ≤ D ≤ l`;
//!   - after `l`: **opnået for sent** (`achieved_late`) if achieved after `l` but on or before
//!     `D`; else **overskredet** (`overdue`) if the owner has reported on the checkpoint (a
//!     progress report dated on or after `f` — inside `w` for a goal with several checkpoints),
//!     so the miss is known; else **ikke rapporteret** (`not_reported`).
//!
//! Only effective dates count, and only entries not reversed or superseded.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use gevinst_domain::period::{QuarterWindow, ResolvedSchedule};
use rust_decimal::Decimal;
use serde::Serialize;

/// The status of one checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// The checkpoint lies ahead.
    Upcoming,
    /// The date lies inside the checkpoint.
    Due,
    /// The checkpoint has not ended, and the owner's latest report flags the goal at risk.
    AtRisk,
    /// The checkpoint passed without achievement, and the owner has reported on it since it
    /// opened: the miss is known.
    Overdue,
    /// The checkpoint passed and nothing was reported on it: the system does not know.
    NotReported,
    /// A realisation goal whose year's verified savings cover only part of the plan.
    PartiallyAchieved,
    /// Achieved by the end of the checkpoint.
    AchievedOnTime,
    /// Achieved, but after the checkpoint.
    AchievedLate,
    /// Cancelled by a controller.
    Cancelled,
    /// No date could be resolved: not assessed.
    Unscheduled,
}

impl GoalStatus {
    /// Every status, in the order the overview lists them: what needs attention first.
    pub const ALL: [GoalStatus; 10] = [
        GoalStatus::Overdue,
        GoalStatus::NotReported,
        GoalStatus::AtRisk,
        GoalStatus::PartiallyAchieved,
        GoalStatus::Due,
        GoalStatus::Upcoming,
        GoalStatus::AchievedOnTime,
        GoalStatus::AchievedLate,
        GoalStatus::Unscheduled,
        GoalStatus::Cancelled,
    ];

    /// The Danish label used in tables.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            GoalStatus::Upcoming => "kommende",
            GoalStatus::Due => "aktuel",
            GoalStatus::AtRisk => "i risiko",
            GoalStatus::Overdue => "overskredet",
            GoalStatus::NotReported => "ikke rapporteret",
            GoalStatus::PartiallyAchieved => "delvist opnået",
            GoalStatus::AchievedOnTime => "opnået rettidigt",
            GoalStatus::AchievedLate => "opnået for sent",
            GoalStatus::Cancelled => "annulleret",
            GoalStatus::Unscheduled => "ikke vurderet: uden dato",
        }
    }

    /// Whether this status counts as late (a known miss).
    #[must_use]
    pub fn is_late(self) -> bool {
        matches!(self, GoalStatus::Overdue)
    }

    /// Whether the goal is done with (achieved or cancelled).
    #[must_use]
    pub fn is_done(self) -> bool {
        matches!(
            self,
            GoalStatus::AchievedOnTime | GoalStatus::AchievedLate | GoalStatus::Cancelled
        )
    }
}

/// One progress report on a goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressReport {
    /// The date the report describes.
    pub on: NaiveDate,
    /// The owner flagged the goal at risk.
    pub at_risk: bool,
    /// The report carries an evidence reference.
    pub evidenced: bool,
}

/// A realisation goal's year: the plan's saving and the part of it a controller verified
/// (1.000 kr., savings negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearSavings {
    /// The plan's permanent change for the year.
    pub planned: Decimal,
    /// Verified realised savings for the year.
    pub verified: Decimal,
}

/// What the owner and controllers recorded for one goal (active entries only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalRecord {
    /// Achieved (or milestone completed) on.
    pub achieved_on: Option<NaiveDate>,
    /// Cancelled on.
    pub cancelled_on: Option<NaiveDate>,
    /// A date given by a goal-scheduled event.
    pub scheduled_due: Option<NaiveDate>,
    /// Progress reports, in any order.
    pub progress: Vec<ProgressReport>,
    /// For realisation goals: the proposal's planned and verified savings per year, the link
    /// between a realisation goal and the money. Empty for implementation goals and milestones.
    pub savings: BTreeMap<i32, YearSavings>,
}

impl GoalRecord {
    /// The latest progress report on or before `as_of` flags the goal at risk.
    fn at_risk(&self, as_of: NaiveDate) -> bool {
        self.progress
            .iter()
            .filter(|p| p.on <= as_of)
            .max_by_key(|p| p.on)
            .is_some_and(|p| p.at_risk)
    }
}

/// One checkpoint with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointStatus {
    /// The window, e.g. `2025Q3` (absent for cancelled/unscheduled goals without one).
    pub window: Option<String>,
    /// The status.
    pub status: GoalStatus,
}

/// The linked verified saving's verdict on a window: covered, partly covered or nothing.
fn savings_cover(record: &GoalRecord, w: &QuarterWindow) -> Option<bool> {
    let year = w.end().year.get();
    let s = record.savings.get(&year)?;
    if s.planned >= Decimal::ZERO || s.verified >= Decimal::ZERO {
        return None;
    }
    Some(s.verified <= s.planned)
}

/// The statuses of a goal's checkpoints as of `as_of`.
#[must_use]
pub fn statuses(
    schedule: &ResolvedSchedule,
    record: &GoalRecord,
    as_of: NaiveDate,
) -> Vec<CheckpointStatus> {
    if record.cancelled_on.is_some_and(|d| d <= as_of) {
        return vec![CheckpointStatus {
            window: None,
            status: GoalStatus::Cancelled,
        }];
    }
    let windows: Vec<QuarterWindow> = match (record.scheduled_due, schedule) {
        (Some(due), _) => vec![QuarterWindow::single(
            gevinst_domain::period::Quarter::containing(due),
        )],
        (None, ResolvedSchedule::Checkpoints(w)) if !w.is_empty() => w.clone(),
        _ => {
            return vec![CheckpointStatus {
                window: None,
                status: GoalStatus::Unscheduled,
            }]
        }
    };
    let several = windows.len() > 1;
    let achieved = record.achieved_on.filter(|d| *d <= as_of);
    let at_risk = record.at_risk(as_of);
    windows
        .iter()
        .map(|w| {
            let (first, last) = (w.first_day(), w.last_day());
            let evidenced_in_window = several
                && record.progress.iter().any(|p| {
                    p.evidenced && !p.at_risk && p.on >= first && p.on <= last && p.on <= as_of
                });
            // Verified savings for a year are known once the year's figures are: judge them
            // after the window's year has begun (the money cannot be verified before).
            let cover = (as_of.year() >= w.end().year.get())
                .then(|| savings_cover(record, w))
                .flatten();
            // A report on this checkpoint: inside its window when the goal has several (a
            // report on next year's is not one on this year's), on or after it opened otherwise.
            let reported_on_it = record
                .progress
                .iter()
                .any(|p| p.on >= first && p.on <= as_of && (!several || p.on <= last));
            let status = if achieved.is_some_and(|d| d <= last)
                || evidenced_in_window
                || cover == Some(true)
            {
                GoalStatus::AchievedOnTime
            } else if as_of <= last {
                if at_risk {
                    GoalStatus::AtRisk
                } else if as_of < first {
                    GoalStatus::Upcoming
                } else {
                    GoalStatus::Due
                }
            } else if achieved.is_some() {
                GoalStatus::AchievedLate
            } else if cover == Some(false) {
                GoalStatus::PartiallyAchieved
            } else if reported_on_it {
                GoalStatus::Overdue
            } else {
                GoalStatus::NotReported
            };
            CheckpointStatus {
                window: Some(w.to_string()),
                status,
            }
        })
        .collect()
}

/// A goal's overall status from its checkpoints: the first of cancelled, unscheduled, overdue,
/// not reported, partially achieved, at risk, due, upcoming and achieved late that any
/// checkpoint has; otherwise achieved on time.
#[must_use]
pub fn overall(checkpoints: &[CheckpointStatus]) -> GoalStatus {
    let has = |s: GoalStatus| checkpoints.iter().any(|c| c.status == s);
    for s in [
        GoalStatus::Cancelled,
        GoalStatus::Unscheduled,
        GoalStatus::Overdue,
        GoalStatus::NotReported,
        GoalStatus::PartiallyAchieved,
        GoalStatus::AtRisk,
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

#[cfg(test)]
mod tests {
    use super::*;
    use gevinst_domain::period::{parse_when, resolve, ResolveContext};
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn of(when: &str, record: &GoalRecord, as_of: NaiveDate) -> Vec<GoalStatus> {
        let ctx = ResolveContext {
            plan_start: "2025Q1".parse().ok(),
            horizon: "2027Q4".parse().ok(),
            full_phase_in_year: gevinst_domain::period::Year::new(2026).ok(),
            ..ResolveContext::default()
        };
        statuses(&resolve(&parse_when(when), &ctx), record, as_of)
            .into_iter()
            .map(|c| c.status)
            .collect()
    }

    fn report(on: NaiveDate, at_risk: bool, evidenced: bool) -> ProgressReport {
        ProgressReport {
            on,
            at_risk,
            evidenced,
        }
    }

    #[test]
    fn a_quarter_goal_walks_upcoming_due_and_then_not_reported() {
        let none = GoalRecord::default();
        let when = "Tredje kvartal 2025";
        assert_eq!(of(when, &none, d(2025, 6, 30)), [GoalStatus::Upcoming]);
        assert_eq!(of(when, &none, d(2025, 7, 1)), [GoalStatus::Due]);
        assert_eq!(of(when, &none, d(2025, 9, 30)), [GoalStatus::Due]);
        assert_eq!(
            of(when, &none, d(2025, 10, 1)),
            [GoalStatus::NotReported],
            "silence is not a miss"
        );
    }

    #[test]
    fn overdue_only_when_the_owner_has_reported_since_the_window_opened() {
        let when = "Tredje kvartal 2025";
        let before = GoalRecord {
            progress: vec![report(d(2025, 6, 1), false, false)],
            ..GoalRecord::default()
        };
        assert_eq!(of(when, &before, d(2025, 10, 1)), [GoalStatus::NotReported]);
        let inside = GoalRecord {
            progress: vec![report(d(2025, 8, 1), false, false)],
            ..GoalRecord::default()
        };
        assert_eq!(of(when, &inside, d(2025, 10, 1)), [GoalStatus::Overdue]);
        assert!(GoalStatus::Overdue.is_late() && !GoalStatus::NotReported.is_late());
    }

    #[test]
    fn a_report_on_one_yearly_checkpoint_is_not_one_on_the_year_before() {
        let reported_2025 = GoalRecord {
            progress: vec![report(d(2025, 11, 15), false, false)],
            ..GoalRecord::default()
        };
        let ctx = ResolveContext {
            plan_start: "2024Q1".parse().ok(),
            horizon: "2026Q4".parse().ok(),
            ..ResolveContext::default()
        };
        let got: Vec<GoalStatus> = statuses(
            &resolve(&parse_when("Årligt"), &ctx),
            &reported_2025,
            d(2026, 2, 1),
        )
        .into_iter()
        .map(|c| c.status)
        .collect();
        assert_eq!(
            got,
            [
                GoalStatus::NotReported,
                GoalStatus::Overdue,
                GoalStatus::Due
            ]
        );
    }

    #[test]
    fn at_risk_until_the_window_ends() {
        let when = "Tredje kvartal 2025";
        let risky = GoalRecord {
            progress: vec![report(d(2025, 5, 1), true, false)],
            ..GoalRecord::default()
        };
        assert_eq!(of(when, &risky, d(2025, 4, 30)), [GoalStatus::Upcoming]);
        assert_eq!(of(when, &risky, d(2025, 5, 1)), [GoalStatus::AtRisk]);
        assert_eq!(of(when, &risky, d(2025, 8, 1)), [GoalStatus::AtRisk]);
        // A later report without the flag lifts it.
        let lifted = GoalRecord {
            progress: vec![
                report(d(2025, 5, 1), true, false),
                report(d(2025, 7, 2), false, false),
            ],
            ..GoalRecord::default()
        };
        assert_eq!(of(when, &lifted, d(2025, 8, 1)), [GoalStatus::Due]);
        // After the window: the at-risk report was before it opened, so nothing was reported.
        assert_eq!(of(when, &risky, d(2025, 10, 1)), [GoalStatus::NotReported]);
    }

    #[test]
    fn achievement_is_on_time_or_late() {
        let on_time = GoalRecord {
            achieved_on: Some(d(2025, 9, 30)),
            ..GoalRecord::default()
        };
        let late = GoalRecord {
            achieved_on: Some(d(2025, 10, 2)),
            ..GoalRecord::default()
        };
        let when = "Tredje kvartal 2025";
        assert_eq!(
            of(when, &on_time, d(2026, 1, 1)),
            [GoalStatus::AchievedOnTime]
        );
        assert_eq!(of(when, &late, d(2025, 10, 1)), [GoalStatus::NotReported]);
        assert_eq!(of(when, &late, d(2025, 10, 2)), [GoalStatus::AchievedLate]);
        // Achieved before the window opens: on time, even while it is still upcoming.
        let early = GoalRecord {
            achieved_on: Some(d(2025, 2, 1)),
            ..GoalRecord::default()
        };
        assert_eq!(
            of(when, &early, d(2025, 3, 1)),
            [GoalStatus::AchievedOnTime]
        );
    }

    #[test]
    fn a_medio_window_spans_two_quarters() {
        let none = GoalRecord::default();
        assert_eq!(of("Medio 2025", &none, d(2025, 4, 1)), [GoalStatus::Due]);
        assert_eq!(of("Medio 2025", &none, d(2025, 9, 30)), [GoalStatus::Due]);
        assert_eq!(
            of("Medio 2025", &none, d(2025, 10, 1)),
            [GoalStatus::NotReported]
        );
    }

    #[test]
    fn a_bare_note_never_ticks_off_a_recurring_goal_evidence_does() {
        let when = "Årligt, indtil fuld indfasning";
        let bare = GoalRecord {
            progress: vec![report(d(2025, 11, 1), false, false)],
            ..GoalRecord::default()
        };
        assert_eq!(
            of(when, &bare, d(2026, 2, 1)),
            [GoalStatus::Overdue, GoalStatus::Due],
            "reported but not shown: a known miss"
        );
        let evidenced = GoalRecord {
            progress: vec![report(d(2025, 11, 1), false, true)],
            ..GoalRecord::default()
        };
        assert_eq!(
            of(when, &evidenced, d(2026, 2, 1)),
            [GoalStatus::AchievedOnTime, GoalStatus::Due]
        );
        assert_eq!(
            of(when, &evidenced, d(2027, 1, 1)),
            [GoalStatus::AchievedOnTime, GoalStatus::NotReported]
        );
        // Evidence flagged at risk does not achieve either.
        let risky = GoalRecord {
            progress: vec![report(d(2025, 11, 1), true, true)],
            ..GoalRecord::default()
        };
        assert_eq!(
            of(when, &risky, d(2026, 2, 1)),
            [GoalStatus::Overdue, GoalStatus::AtRisk]
        );
        assert_eq!(
            of(
                "I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.",
                &GoalRecord::default(),
                d(2025, 5, 1)
            ),
            [GoalStatus::NotReported, GoalStatus::Upcoming]
        );
    }

    #[test]
    fn a_realisation_goal_is_achieved_by_its_years_verified_saving() {
        let when = "Andet kvartal 2026";
        let with = |verified: Decimal| GoalRecord {
            savings: BTreeMap::from([(
                2026,
                YearSavings {
                    planned: dec!(-1144),
                    verified,
                },
            )]),
            ..GoalRecord::default()
        };
        assert_eq!(
            of(when, &with(dec!(-1144)), d(2026, 5, 1)),
            [GoalStatus::AchievedOnTime]
        );
        assert_eq!(
            of(when, &with(dec!(-1200)), d(2026, 7, 1)),
            [GoalStatus::AchievedOnTime]
        );
        assert_eq!(
            of(when, &with(dec!(-600)), d(2026, 5, 1)),
            [GoalStatus::Due],
            "partly covered while the window is open: still due"
        );
        assert_eq!(
            of(when, &with(dec!(-600)), d(2026, 7, 1)),
            [GoalStatus::PartiallyAchieved]
        );
        assert_eq!(
            of(when, &with(Decimal::ZERO), d(2026, 7, 1)),
            [GoalStatus::NotReported],
            "nothing verified is no link"
        );
    }

    #[test]
    fn the_overall_status_puts_known_misses_before_silence() {
        let c = |status| CheckpointStatus {
            window: None,
            status,
        };
        assert_eq!(
            overall(&[c(GoalStatus::NotReported), c(GoalStatus::Overdue)]),
            GoalStatus::Overdue
        );
        assert_eq!(
            overall(&[c(GoalStatus::AchievedOnTime), c(GoalStatus::NotReported)]),
            GoalStatus::NotReported
        );
        assert_eq!(
            overall(&[c(GoalStatus::AchievedOnTime), c(GoalStatus::AchievedLate)]),
            GoalStatus::AchievedLate
        );
        assert_eq!(
            overall(&[c(GoalStatus::AchievedOnTime)]),
            GoalStatus::AchievedOnTime
        );
        assert_eq!(GoalStatus::ALL.len(), 10);
        assert!(GoalStatus::Cancelled.is_done() && !GoalStatus::PartiallyAchieved.is_done());
        assert_eq!(GoalStatus::Unscheduled.danish(), "ikke vurderet: uden dato");
    }

    #[test]
    fn unscheduled_until_a_goal_scheduled_event_gives_a_date() {
        let when = "Ved frigivelse af investeringsmidler";
        assert_eq!(
            of(when, &GoalRecord::default(), d(2025, 5, 1)),
            [GoalStatus::Unscheduled]
        );
        let scheduled = GoalRecord {
            scheduled_due: Some(d(2025, 11, 15)),
            ..GoalRecord::default()
        };
        assert_eq!(of(when, &scheduled, d(2025, 5, 1)), [GoalStatus::Upcoming]);
        assert_eq!(of(when, &scheduled, d(2025, 10, 1)), [GoalStatus::Due]);
        assert_eq!(
            of(when, &scheduled, d(2026, 1, 1)),
            [GoalStatus::NotReported]
        );
    }

    #[test]
    fn cancellation_wins_from_its_date() {
        let cancelled = GoalRecord {
            cancelled_on: Some(d(2025, 8, 1)),
            ..GoalRecord::default()
        };
        assert_eq!(
            of("Tredje kvartal 2025", &cancelled, d(2025, 7, 15)),
            [GoalStatus::Due]
        );
        assert_eq!(
            of("Tredje kvartal 2025", &cancelled, d(2025, 8, 1)),
            [GoalStatus::Cancelled]
        );
    }
}
