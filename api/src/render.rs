//! Tables for people: Danish labels, Danish number formatting (`-1.234,5`), one fact per line.
//! Machines get JSON from the same report structs, spreadsheets CSV and XLSX from
//! [`crate::export`]; nothing here computes anything.

use std::io::{self, Write};

use chrono::NaiveDate;
use gevinst_domain::baseline::Finding;
use gevinst_domain::payback::Basis;
use gevinst_projections::import::ImportReport;
use gevinst_projections::reports::{
    CommitteeStatus, GoalRow, IndexUsed, LateItem, PlanAtLevel, Portfolio, ProposalReport,
    Realisation, ReportState,
};
use rust_decimal::Decimal;

use crate::format::{danish, danish_fixed};

fn pct(d: Option<Decimal>) -> String {
    d.map_or("–".to_string(), |v| {
        format!("{} %", danish_fixed(v * Decimal::ONE_HUNDRED, 0))
    })
}

/// The integrity check's findings grouped by root cause (place and kind), each group under a
/// heading that says what it means and which tables to look in; a count of both.
pub fn findings(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        return writeln!(
            out,
            "Ingen uoverensstemmelser: alle subtotaler, tabeller og tilbagebetalingstider stemmer."
        );
    }
    let causes = gevinst_domain::baseline::root_causes(findings);
    writeln!(
        out,
        "{} uoverensstemmelser i dokumentet, fra {} årsager:",
        findings.len(),
        causes.len()
    )?;
    for cause in &causes {
        writeln!(out)?;
        writeln!(out, "{}", cause.heading())?;
        for f in &cause.findings {
            writeln!(out, "  {f}")?;
        }
    }
    Ok(())
}

/// What an import did.
pub fn import(out: &mut dyn Write, r: &ImportReport) -> io::Result<()> {
    if r.is_noop() {
        writeln!(
            out,
            "{} (sha256 {}) er allerede importeret: intet tilføjet ({} forslag uændrede).",
            r.file,
            &r.sha256[..12],
            r.unchanged.len()
        )?;
    } else {
        writeln!(
            out,
            "Importerede {} (sha256 {}): {} forslag registreret, {} hændelser tilføjet; {} allerede importeret.",
            r.file,
            &r.sha256[..12],
            r.registered.len(),
            r.events_appended,
            r.unchanged.len()
        )?;
    }
    writeln!(
        out,
        "Integritetstjek: {} uoverensstemmelser (se `gevinst baseline check`).",
        r.findings.len()
    )
}

/// One proposal's plan.
pub fn proposal(out: &mut dyn Write, r: &ProposalReport) -> io::Result<()> {
    let id = &r.identity;
    writeln!(out, "{} {}", id.id, id.title)?;
    writeln!(
        out,
        "Udvalg: {}  Type: {}  Budgetrunde: {}  Prisniveau: {}{}{}",
        r.names
            .clone()
            .unwrap_or_default()
            .committee_named(id.committee),
        id.kind.danish(),
        id.budget_round,
        id.price_level,
        if id.confidential { "  FORTROLIGT" } else { "" },
        if r.revision > 0 {
            format!("  Revision: {}", r.revision)
        } else {
            String::new()
        }
    )?;
    writeln!(out, "1.000 kr. {}", id.price_level)?;
    let head: String = r.years.iter().map(|y| format!("{y:>12}")).collect();
    writeln!(out, "{:<60}{head}", "")?;
    for line in &r.lines {
        let cells: String = r
            .years
            .iter()
            .map(|y| format!("{:>12}", danish(line.amounts.get_or_zero(*y).value())))
            .collect();
        let label: String = format!(
            "{} {} ({})",
            line.id,
            line.label,
            crate::labels::area_name(r.names.as_ref(), line.control_area)
        )
        .chars()
        .take(59)
        .collect();
        writeln!(out, "{label:<60}{cells}")?;
    }
    for t in &r.totals {
        let cells: String = r
            .years
            .iter()
            .map(|y| {
                format!(
                    "{:>12}",
                    danish(t.computed.get(y).copied().unwrap_or_default())
                )
            })
            .collect();
        writeln!(out, "{:<60}{cells}", format!("= {}", t.label))?;
        if let Some(stated) = &t.stated {
            if !t.differs_in.is_empty() {
                let cells: String = r
                    .years
                    .iter()
                    .map(|y| format!("{:>12}", danish(stated.get(y).copied().unwrap_or_default())))
                    .collect();
                writeln!(out, "{:<60}{cells}", "  dokumentet angiver")?;
            }
        }
    }
    for p in &r.payback {
        let basis = match p.basis {
            Basis::Service => "serviceeffektivisering",
            Basis::TotalEconomy => "totaløkonomi",
        };
        let computed = p
            .computed
            .map_or("vender ikke i planens år".to_string(), |c| {
                format!("{} år (vender i {})", c.years, c.turns_in)
            });
        let stated = p
            .stated
            .map_or("ikke angivet".to_string(), |s| format!("{} år", danish(s)));
        writeln!(
            out,
            "Tilbagebetalingstid, {basis}: beregnet {computed}; dokumentet: {stated}"
        )?;
    }
    if let Some(front) = &r.front_matter {
        writeln!(
            out,
            "Bilagets forside, {}:",
            crate::labels::front_matter_table_label(front.table)
        )?;
        for f in &front.figures {
            let stated = crate::labels::front_matter_value(f.stated, f.unit, "ikke angivet");
            let rebuilt =
                crate::labels::front_matter_value(f.rebuilt, f.unit, "kan ikke genberegnes");
            writeln!(
                out,
                "  {}: {stated}{}",
                crate::labels::front_matter_figure_label(f.code),
                if f.differs || f.rebuilt.is_none() {
                    format!(" (genberegnet fra planen: {rebuilt})")
                } else {
                    String::new()
                }
            )?;
        }
    }
    if !r.findings.is_empty() {
        writeln!(out, "Uoverensstemmelser i dokumentet:")?;
        for f in &r.findings {
            writeln!(out, "  {f}")?;
        }
    }
    Ok(())
}

/// Goals and milestones with their status.
pub fn goals(out: &mut dyn Write, rows: &[GoalRow], as_of: NaiveDate) -> io::Result<()> {
    writeln!(out, "Opfølgningsmål og milepæle pr. {as_of}")?;
    for g in rows {
        let text: String = g.text.chars().take(70).collect();
        writeln!(
            out,
            "{} {:<4} {:<18} {:<24} {}",
            g.proposal,
            g.id,
            g.status.danish(),
            g.schedule.chars().take(24).collect::<String>(),
            text
        )?;
        writeln!(
            out,
            "          Hvornår: {}{}",
            g.when,
            g.responsible
                .as_ref()
                .map(|r| format!("  Ansvarlig: {r}"))
                .unwrap_or_default()
        )?;
        if !g.restates.is_empty() {
            writeln!(
                out,
                "          Gentager milepæl {} (tælles kun én gang)",
                g.restates.join(", ")
            )?;
        }
        if !g.before_decision.is_empty() {
            writeln!(
                out,
                "          Før budgetbeslutningen (tælles ikke): {}",
                g.before_decision.join(", ")
            )?;
        }
        if let Some(s) = &g.suspect_date {
            writeln!(out, "          Mistænkelig dato: {s}")?;
        }
        if let Some(d) = &g.dated_from {
            writeln!(out, "          Dateret efter {d}")?;
        }
        if let Some(h) = &g.handover {
            writeln!(out, "          Herefter: {h}")?;
        }
    }
    Ok(())
}

/// Tabel 1, per committee: the document's own figures first (rebuilt ones beside them where
/// they differ), with realised and forecast columns.
pub fn portfolio(out: &mut dyn Write, p: &Portfolio) -> io::Result<()> {
    writeln!(
        out,
        "Tabel 1. Investerings- og innovationsforslag fordelt på udvalg, pr. {}",
        p.as_of
    )?;
    writeln!(out, "Mio. kr. (planens prisniveau)")?;
    let rows: Vec<_> = p
        .committees
        .iter()
        .chain(std::iter::once(&p.total))
        .map(|l| (l, crate::labels::tabel_1_cells(l).map(|c| c.to_string())))
        .collect();
    let width = |i: usize, header: &str| {
        rows.iter()
            .map(|(_, c)| c[i].chars().count())
            .chain(std::iter::once(header.chars().count()))
            .max()
            .unwrap_or(0)
    };
    let headers = ["Antal (innov.)", "Investering", "Effekt. fuld ind."];
    let [w0, w1, w2] = [0, 1, 2].map(|i| width(i, headers[i]));
    writeln!(
        out,
        "{:<8} {:>w0$} {:>w1$} {:>w2$} {:>16} {:>18} {:>14}",
        "Udvalg",
        headers[0],
        headers[1],
        headers[2],
        "Realiseret t.d.",
        "Prognose fuld ind.",
        "Fjernet fra b."
    )?;
    for (l, [count, investment, savings]) in &rows {
        writeln!(
            out,
            "{:<8} {count:>w0$} {investment:>w1$} {savings:>w2$} {:>16} {:>18} {:>14}",
            l.committee,
            danish_fixed(l.realised_to_date / Decimal::ONE_THOUSAND, 1),
            danish_fixed(l.forecast_full_phase_in / Decimal::ONE_THOUSAND, 1),
            danish_fixed(l.budget_removed / Decimal::ONE_THOUSAND, 1),
        )?;
    }
    writeln!(out, "{}", crate::labels::TABEL_1_STATED)?;
    writeln!(out, "{}", crate::labels::decisions(p))?;
    writeln!(out)?;
    {
        let shares = &p.committee_shares;
        writeln!(
            out,
            "Fordeling på udvalg (1.000 kr.; hvert forslag tæller med sin andel efter sine udvalgstabeller)"
        )?;
        writeln!(
            out,
            "{:<8} {:>12} {:>12} {:>12} {:>12} {:>9}  Forslag (heraf ledet af andet udvalg)",
            "Udvalg", "Måltal fuld", "Bevilling", "Plan t.d.", "Realis. t.d.", "Grad"
        )?;
        for r in shares {
            writeln!(
                out,
                "{:<8} {:>12} {:>12} {:>12} {:>12} {:>9}  {}{}",
                r.committee,
                danish(r.target_effect_full_phase_in),
                danish(r.appropriation_effect_full_phase_in),
                danish(r.plan_to_date),
                danish(r.realised_to_date),
                pct(r.rate),
                r.proposals.join(", "),
                if r.shared.is_empty() {
                    String::new()
                } else {
                    format!(" (heraf {})", r.shared.join(", "))
                }
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "Mål og milepæle: {}", counts(&p.goal_counts))?;
    for (committee, c) in &p.goal_counts_by_committee {
        writeln!(out, "  {committee}: {}", counts(c))?;
    }
    Ok(())
}

fn counts(c: &gevinst_projections::reports::portfolio::StatusCounts) -> String {
    c.iter()
        .map(|(s, n)| format!("{} {n}", s.danish()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One proposal's realisation per year.
pub fn realisation(out: &mut dyn Write, r: &Realisation) -> io::Result<()> {
    writeln!(
        out,
        "{} {} — realisering mod plan (1.000 kr. {} p/l)",
        r.proposal, r.title, r.price_level
    )?;
    writeln!(out, "Budgetbeslutning: {}", r.decision.danish())?;
    writeln!(
        out,
        "{:>6} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>8} {:>11} {:>11}",
        "År",
        "Oprindelig",
        "Plan",
        "Realiseret",
        "Verificeret",
        "Prognose",
        "Afvigelse",
        "Grad",
        "Budget impl.",
        "Afholdt"
    )?;
    for y in &r.years {
        writeln!(
            out,
            "{:>6} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>8} {:>11} {:>11}",
            y.year,
            danish(y.baseline),
            danish(y.plan),
            danish(y.realised),
            danish(y.realised_verified),
            danish(y.forecast),
            danish(y.variance),
            pct(y.rate),
            danish(y.cost_budget),
            danish(y.cost_incurred),
        )?;
    }
    for p in &r.payback {
        let basis = match p.basis {
            Basis::Service => "serviceeffektivisering",
            Basis::TotalEconomy => "totaløkonomi",
        };
        let show = |x: Option<gevinst_domain::payback::Payback>| {
            x.map_or("vender ikke".to_string(), |p| {
                format!("{} år (vender i {})", p.years, p.turns_in)
            })
        };
        let forecast = p
            .forecast_withheld
            .clone()
            .unwrap_or_else(|| show(p.forecast));
        let sources: Vec<String> = p
            .forecast_sources
            .iter()
            .map(|s| {
                format!(
                    "{}: omk. {}, eff. {}",
                    s.year,
                    s.cost.danish(),
                    s.saving.danish()
                )
            })
            .collect();
        writeln!(
            out,
            "Tilbagebetalingstid, {basis}: plan {}; prognose {forecast}",
            show(p.planned),
        )?;
        writeln!(out, "  prognosen bygger på: {}", sources.join("; "))?;
    }
    writeln!(
        out,
        "Baseline-drift: oprindelig {} → nu {} ({}{})",
        danish(r.drift.baseline),
        danish(r.drift.current),
        danish(r.drift.amount),
        r.drift
            .percent
            .map(|p| format!(", {} %", danish(p)))
            .unwrap_or_default()
    )?;
    if r.by_committee.len() > 1 || !r.administrative_effect.is_empty() {
        let full = r.full_phase_in_year();
        let at = |m: &std::collections::BTreeMap<i32, Decimal>| {
            full.and_then(|y| m.get(&y).copied()).unwrap_or_default()
        };
        writeln!(
            out,
            "Fordeling på udvalg ({}; bevillingsmæssig effekt: {}), ved fuld indfasning{}:",
            r.attribution_source.danish(),
            r.appropriation_source.danish(),
            full.map(|y| format!(" ({y})")).unwrap_or_default()
        )?;
        for c in &r.by_committee {
            writeln!(
                out,
                "  {}{}: måltalseffekt {}, bevillingsmæssig effekt {}, realiseret i alt {}",
                c.committee,
                if c.lead { " (hovedudvalg)" } else { "" },
                danish(at(&c.plan)),
                danish(at(&c.appropriation_effect)),
                c.realised_total().map_or_else(|| "–".to_string(), danish)
            )?;
        }
        if !r.administrative_effect.is_empty() {
            writeln!(
                out,
                "  Administrativ effekt (Tabel 2, hele forslaget): {}",
                danish(at(&r.administrative_effect))
            )?;
        }
    }
    for o in &r.obligations {
        writeln!(
            out,
            "Finansiering (uden for tilbagebetalingstiden): {} {} {}",
            o.label,
            o.year,
            danish(o.amount)
        )?;
    }
    for y in r
        .years
        .iter()
        .filter(|y| y.savings_report == ReportState::MissingReport)
    {
        writeln!(out, "{}: effektiviseringer mangler indberetning", y.year)?;
    }
    for y in r
        .years
        .iter()
        .filter(|y| y.cost_report == ReportState::MissingReport)
    {
        writeln!(
            out,
            "{}: implementeringsomkostninger mangler indberetning",
            y.year
        )?;
    }
    for c in &r.conversions {
        writeln!(
            out,
            "Omregnet (hændelse {}): {} i {}-niveau = {} i {}-niveau med skønnet {}",
            c.sequence,
            danish(c.amount),
            c.price_level,
            danish(c.converted),
            r.price_level,
            c.vintage
        )?;
    }
    for u in &r.unconverted {
        writeln!(out, "Ikke omregnet (hændelse {}): {}", u.sequence, u.reason)?;
    }
    if !r.conversions.is_empty() || !r.unconverted.is_empty() {
        price_index_used(out, r.price_index.as_ref())?;
    }
    Ok(())
}

/// Which estimate converted the amounts, or that none is in use.
fn price_index_used(out: &mut dyn Write, used: Option<&IndexUsed>) -> io::Result<()> {
    match used {
        Some(u) => writeln!(
            out,
            "Prisindeks: {} ({}, udgivet {})",
            u.name,
            u.vintage,
            u.published.format("%d.%m.%Y")
        ),
        None => writeln!(out, "Prisindeks: intet skøn er i brug"),
    }
}

/// A plan at another year's price level: each line's cells as stated and converted.
pub fn plan_at_level(out: &mut dyn Write, p: &PlanAtLevel) -> io::Result<()> {
    writeln!(
        out,
        "{}: planen i {}-prisniveau (vedtaget i {}-niveau), 1.000 kr.",
        p.proposal, p.to_level, p.from_level
    )?;
    price_index_used(out, p.index.as_ref())?;
    let years: Vec<i32> = p.totals.keys().copied().collect();
    write!(out, "{:<6}{:<40}", "linje", "")?;
    for y in &years {
        write!(out, "{y:>12}")?;
    }
    writeln!(out)?;
    let cell = |v: Option<Decimal>| v.map_or_else(|| "ikke omregnet".to_string(), danish);
    for l in &p.lines {
        let label: String = l.label.chars().take(38).collect();
        write!(out, "{:<6}{label:<40}", l.line)?;
        for y in &years {
            let text = l
                .years
                .get(y)
                .map_or_else(String::new, |c| cell(c.converted));
            write!(out, "{text:>12}")?;
        }
        writeln!(out)?;
    }
    write!(out, "{:<46}", "I alt")?;
    for y in &years {
        write!(out, "{:>12}", cell(p.totals.get(y).copied().flatten()))?;
    }
    writeln!(out)?;
    for reason in &p.unconverted {
        writeln!(out, "Ikke omregnet: {reason}")?;
    }
    Ok(())
}

/// What is late, largest first.
pub fn late(out: &mut dyn Write, items: &[LateItem], as_of: NaiveDate) -> io::Result<()> {
    writeln!(out, "Forsinket pr. {as_of}: {} forhold", items.len())?;
    for i in items {
        let size = if i.shortfall.is_zero() {
            i.days_overdue
                .map(|d| format!("{d} dage"))
                .unwrap_or_default()
        } else {
            format!("mangler {}", danish(i.shortfall))
        };
        writeln!(
            out,
            "{} {:<4} {:<20} {:>16}  {}",
            i.proposal,
            i.what,
            crate::labels::late_kind_label(&i.kind),
            size,
            i.description
        )?;
    }
    Ok(())
}

/// Each proposal's committee status with reasons.
pub fn committee_status(
    out: &mut dyn Write,
    rows: &[CommitteeStatus],
    as_of: NaiveDate,
) -> io::Result<()> {
    writeln!(out, "Status til udvalgene pr. {as_of}")?;
    for r in rows {
        let category = match r.not_assessed {
            Some(why) => format!("{}: {}", r.category.danish(), why.danish()),
            None => r.category.danish().to_string(),
        };
        writeln!(
            out,
            "{} {:<5} {:<40} {}",
            r.proposal, r.committee, category, r.title
        )?;
        for reason in &r.reasons {
            writeln!(out, "            – {reason}")?;
        }
    }
    Ok(())
}
