//! Tables for people: Danish labels, Danish number formatting (`-1.234,5`), one fact per line.
//! Machines get JSON from the same report structs; nothing here computes anything.

use std::io::{self, Write};

use chrono::NaiveDate;
use gevinst_domain::baseline::Finding;
use gevinst_domain::payback::Basis;
use gevinst_projections::import::ImportReport;
use gevinst_projections::reports::{GoalRow, ProposalReport};

use crate::format::danish;

/// The integrity check's findings, one per line, and a count.
pub fn findings(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        return writeln!(
            out,
            "Ingen uoverensstemmelser: alle subtotaler, tabeller og tilbagebetalingstider stemmer."
        );
    }
    writeln!(out, "{} uoverensstemmelser i dokumentet:", findings.len())?;
    for f in findings {
        writeln!(out, "  {f}")?;
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
        id.committee,
        id.kind,
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
        let label: String = format!("{} {} ({})", line.id, line.label, line.control_area.code())
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
    }
    Ok(())
}
