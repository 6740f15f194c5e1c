//! [`Schedule`] + [`ResolveContext`] → checkpoints: the phases, the funding years, the release
//! of funds and the plan start / horizon applied to what the parser left relative or open.

use chrono::NaiveDate;

use super::{
    funding_phase, Anchor, Phase, PhaseKind, Quarter, QuarterOfYear, QuarterWindow, Recurrence,
    RecurrenceEnd, ResolveContext, ResolvedSchedule, Schedule, Year,
};

/// Applies the proposal's context to a schedule: phases for relative schedules, the full
/// phase-in year, the release date of funds, and the plan start / horizon that bound recurring
/// goals. Never fails: what the context lacks is [`ResolvedSchedule::Unresolved`].
pub fn resolve(schedule: &Schedule, ctx: &ResolveContext) -> ResolvedSchedule {
    let result = match schedule {
        Schedule::Windows { windows } if windows.is_empty() => {
            Err("tidsplanen har ingen perioder".to_string())
        }
        Schedule::Windows { windows } => {
            let mut windows = windows.clone();
            windows.sort();
            windows.dedup();
            Ok(windows)
        }
        Schedule::Recurring { every, from, until } => resolve_recurring(*every, *from, *until, ctx),
        Schedule::Relative { anchor } => resolve_anchor(anchor, ctx),
        Schedule::Unresolved { reason } => Err(reason.clone()),
    };
    match result {
        Ok(windows) => ResolvedSchedule::Checkpoints(windows),
        Err(reason) => ResolvedSchedule::Unresolved { reason },
    }
}

fn resolve_recurring(
    every: Recurrence,
    from: Option<Quarter>,
    until: RecurrenceEnd,
    ctx: &ResolveContext,
) -> Result<Vec<QuarterWindow>, String> {
    let from = from.or(ctx.plan_start).ok_or_else(|| {
        "gentaget opfølgning uden start, og planens start kendes ikke".to_string()
    })?;
    let until = match until {
        RecurrenceEnd::Quarter(q) => q,
        RecurrenceEnd::FullPhaseIn => ctx
            .full_phase_in_year
            .map(|y| Quarter::new(y, QuarterOfYear::Q4))
            .ok_or_else(|| {
                "gentages til fuld indfasning, men året for fuld indfasning kendes ikke".to_string()
            })?,
        RecurrenceEnd::Open => ctx.horizon.ok_or_else(|| {
            "løbende opfølgning uden slutdato, og ingen horisont at stoppe ved".to_string()
        })?,
    };
    if until < from {
        return Err(format!(
            "gentaget opfølgning begynder i {from}, men slutter før, i {until}"
        ));
    }
    let span = QuarterWindow::new(from, until).map_err(|e| e.to_string())?;
    Ok(match every {
        Recurrence::Yearly => (from.year.get()..=until.year.get())
            .filter_map(|y| Year::new(y).ok())
            .filter_map(|y| {
                let year = QuarterWindow::year(y);
                QuarterWindow::new(year.start().max(from), year.end().min(until)).ok()
            })
            .collect(),
        Recurrence::Quarterly => span
            .quarters()
            .into_iter()
            .map(QuarterWindow::single)
            .collect(),
        // No cadence stated: one checkpoint over the whole period, none invented inside it.
        Recurrence::Ongoing => vec![span],
    })
}

fn resolve_anchor(anchor: &Anchor, ctx: &ResolveContext) -> Result<Vec<QuarterWindow>, String> {
    let single = |q: Quarter| vec![QuarterWindow::single(q)];
    match anchor {
        Anchor::PhaseStart(kind) => {
            let phase = find_phase(ctx, kind)?;
            Ok(single(date_quarter(phase.start)?))
        }
        Anchor::PhaseEnd(kind) => {
            let phase = find_phase(ctx, kind)?;
            Ok(single(date_quarter(phase.end)?))
        }
        Anchor::InPhase(kind) => Ok(vec![phase_window(&find_phase(ctx, kind)?)?]),
        Anchor::PhaseTransition { from, to } => {
            let entered = date_quarter(find_phase(ctx, to)?.start)?;
            let left = match from {
                Some(from) => date_quarter(find_phase(ctx, from)?.end)?,
                None => entered,
            };
            let window = QuarterWindow::new(left.min(entered), left.max(entered))
                .map_err(|e| e.to_string())?;
            Ok(vec![window])
        }
        Anchor::ProjectStart => Ok(single(project_span(ctx)?.start())),
        Anchor::ProjectEnd => Ok(single(project_span(ctx)?.end())),
        // "Løbende i projektet": the ongoing rule, over the project.
        Anchor::ThroughoutProject => Ok(vec![project_span(ctx)?]),
        Anchor::FundsReleased => {
            let date = ctx.funds_released.ok_or_else(|| {
                "afhænger af frigivelsen af investeringsmidler, og ingen frigivelsesdato kendes"
                    .to_string()
            })?;
            Ok(single(date_quarter(date)?))
        }
        Anchor::FullPhaseIn => ctx
            .full_phase_in_year
            .map(|y| vec![QuarterWindow::year(y)])
            .ok_or_else(|| {
                "ved fuld indfasning, men året for fuld indfasning kendes ikke".to_string()
            }),
    }
}

fn date_quarter(date: NaiveDate) -> Result<Quarter, String> {
    Quarter::try_containing(date).map_err(|e| format!("date {date}: {e}"))
}

fn find_phase(ctx: &ResolveContext, kind: &PhaseKind) -> Result<Phase, String> {
    if ctx.phases.is_empty() {
        return match ctx.funding_years {
            Some(years) => funding_phase(kind, years).ok_or_else(|| {
                format!(
                    "knyttet til {kind}, men forslaget har ingen faser, og kun den indledende \
                     fase, gennemførselsfasen og afslutningsfasen kan læses af finansieringsårene"
                )
            }),
            None => Err("knyttet til en fase, men forslaget har ingen faser".to_string()),
        };
    }
    ctx.phases
        .iter()
        .find(|p| &p.kind_or_name == kind)
        .cloned()
        .ok_or_else(|| {
            let known: Vec<String> = ctx
                .phases
                .iter()
                .map(|p| p.kind_or_name.to_string())
                .collect();
            format!(
                "knyttet til {kind}, men forslaget har ingen sådan fase (det har: {})",
                known.join(", ")
            )
        })
}

fn phase_window(phase: &Phase) -> Result<QuarterWindow, String> {
    let start = date_quarter(phase.start)?;
    let end = date_quarter(phase.end)?;
    QuarterWindow::new(start, end).map_err(|_| {
        format!(
            "{} slutter ({}), før den begynder ({})",
            phase.kind_or_name, phase.end, phase.start
        )
    })
}

fn project_span(ctx: &ResolveContext) -> Result<QuarterWindow, String> {
    if ctx.phases.is_empty() {
        if let Some((first, last)) = ctx.funding_years {
            return QuarterWindow::new(
                QuarterWindow::year(first).start(),
                QuarterWindow::year(last).end(),
            )
            .map_err(|e| e.to_string());
        }
    }
    let start = ctx.phases.iter().map(|p| p.start).min();
    let end = ctx.phases.iter().map(|p| p.end).max();
    let (Some(start), Some(end)) = (start, end) else {
        return Err(
            "knyttet til projektet, men forslaget har ingen faser, så dets start og slutning kendes ikke"
                .to_string(),
        );
    };
    QuarterWindow::new(date_quarter(start)?, date_quarter(end)?).map_err(|e| e.to_string())
}
