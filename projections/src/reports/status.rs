//! Goal and milestone status as of a date. A follow-up goal's "Hvornår" resolves to one or more
//! checkpoints (quarter windows); each checkpoint gets a status from what the owner recorded and
//! the date asked about. The rules, so controllers and owners can predict them:
//!
//! - **cancelled**: an active cancellation effective on or before the date; nothing else counts.
//! - **unscheduled**: the "Hvornår" could not be resolved and no goal-scheduled event gave a date.
//!   A goal-scheduled event's date replaces the parsed schedule (the latest word is the owner's).
//! - For each checkpoint window `w` (first day `f`, last day `l`), as of date `D`:
//!   - **achieved on time**: the goal was achieved (or, for a goal with several checkpoints, a
//!     progress report not flagged at risk was dated inside `w`) on or before `l` and `D`;
//!   - otherwise **upcoming** if `D < f`, **due** if `f ≤ D ≤ l`;
//!   - after `l`: **achieved late** if achieved after `l` but on or before `D`, else **overdue**.
//!
//! Only effective dates count, and only entries not reversed or superseded.

use chrono::NaiveDate;
use gevinst_domain::period::{QuarterWindow, ResolvedSchedule};
use serde::Serialize;

/// The status of one checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// The checkpoint lies ahead.
    Upcoming,
    /// The date lies inside the checkpoint.
    Due,
    /// The checkpoint passed without achievement.
    Overdue,
    /// Achieved by the end of the checkpoint.
    AchievedOnTime,
    /// Achieved, but after the checkpoint.
    AchievedLate,
    /// Cancelled by a controller.
    Cancelled,
    /// No date could be resolved.
    Unscheduled,
}

impl GoalStatus {
    /// The Danish label used in tables.
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            GoalStatus::Upcoming => "kommende",
            GoalStatus::Due => "aktuel",
            GoalStatus::Overdue => "overskredet",
            GoalStatus::AchievedOnTime => "opnået rettidigt",
            GoalStatus::AchievedLate => "opnået for sent",
            GoalStatus::Cancelled => "annulleret",
            GoalStatus::Unscheduled => "uden dato",
        }
    }

    /// Whether this status counts as late.
    #[must_use]
    pub fn is_late(self) -> bool {
        matches!(self, GoalStatus::Overdue)
    }
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
    /// Dates of progress reports not flagged at risk.
    pub progress_ok: Vec<NaiveDate>,
}

/// One checkpoint with its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointStatus {
    /// The window, e.g. `2025Q3` (absent for cancelled/unscheduled goals without one).
    pub window: Option<String>,
    /// The status.
    pub status: GoalStatus,
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
    windows
        .iter()
        .map(|w| {
            let (first, last) = (w.first_day(), w.last_day());
            let reported_in_window = several
                && record
                    .progress_ok
                    .iter()
                    .any(|d| *d >= first && *d <= last && *d <= as_of);
            let status = if achieved.is_some_and(|d| d <= last) || reported_in_window {
                GoalStatus::AchievedOnTime
            } else if as_of < first {
                GoalStatus::Upcoming
            } else if as_of <= last {
                GoalStatus::Due
            } else if achieved.is_some() {
                GoalStatus::AchievedLate
            } else {
                GoalStatus::Overdue
            };
            CheckpointStatus {
                window: Some(w.to_string()),
                status,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gevinst_domain::period::{parse_when, resolve, ResolveContext};

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

    #[test]
    fn a_quarter_goal_walks_upcoming_due_overdue() {
        let none = GoalRecord::default();
        let when = "Tredje kvartal 2025";
        assert_eq!(of(when, &none, d(2025, 6, 30)), [GoalStatus::Upcoming]);
        assert_eq!(of(when, &none, d(2025, 7, 1)), [GoalStatus::Due]);
        assert_eq!(of(when, &none, d(2025, 9, 30)), [GoalStatus::Due]);
        assert_eq!(of(when, &none, d(2025, 10, 1)), [GoalStatus::Overdue]);
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
        assert_eq!(of(when, &late, d(2025, 10, 1)), [GoalStatus::Overdue]);
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
            [GoalStatus::Overdue]
        );
    }

    #[test]
    fn recurring_goals_have_one_status_per_checkpoint() {
        let reported = GoalRecord {
            progress_ok: vec![d(2025, 11, 1)],
            ..GoalRecord::default()
        };
        assert_eq!(
            of("Årligt, indtil fuld indfasning", &reported, d(2026, 2, 1)),
            [GoalStatus::AchievedOnTime, GoalStatus::Due]
        );
        assert_eq!(
            of("Årligt, indtil fuld indfasning", &reported, d(2027, 1, 1)),
            [GoalStatus::AchievedOnTime, GoalStatus::Overdue]
        );
        assert_eq!(
            of(
                "I 4. kvartal 2024 (baseline) og igen i 2. kvartal 2026.",
                &GoalRecord::default(),
                d(2025, 5, 1)
            ),
            [GoalStatus::Overdue, GoalStatus::Upcoming]
        );
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
        assert_eq!(of(when, &scheduled, d(2026, 1, 1)), [GoalStatus::Overdue]);
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
