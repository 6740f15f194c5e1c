//! The Danish words people read, in one place: proposal kinds, control areas, plan sections,
//! payback bases, finding kinds, late-list kinds, goal sections, committees' names and event
//! kinds, as the pages, exports and the CLI's tables show them. JSON keeps the stable English
//! codes; these functions turn a code into the word.
//!
//! The domain's own vocabulary carries the words its values are written with (`Role::danish`,
//! `ControlArea::danish` in lower case inside sentences, `Committee::name`), and the reports'
//! statuses theirs (`GoalStatus::danish`, `Category::danish`); this module is for the
//! presentation's words, which only the edges need.

use gevinst_domain::payback::Basis;
use gevinst_domain::proposal::PlanSection;
use gevinst_domain::{Committee, ControlArea, ProposalKind};

/// A proposal kind, as a heading says it.
#[must_use]
pub fn kind_label(k: ProposalKind) -> &'static str {
    match k {
        ProposalKind::Investment => "Investeringsforslag",
        ProposalKind::CrossCutting => "Tværgående investeringsforslag",
        ProposalKind::Innovation => "Innovationsforslag",
        ProposalKind::PreStudy => "Foranalyse",
    }
}

/// A control area, capitalised for a table cell.
#[must_use]
pub fn area_label(a: ControlArea) -> &'static str {
    match a {
        ControlArea::Service => "Service",
        ControlArea::Capital => "Anlæg",
        ControlArea::Transfers => "Overførsler",
        ControlArea::DemandDriven => "Efterspørgselsstyret",
        ControlArea::Financing => "Finansposter",
    }
}

/// A plan section.
#[must_use]
pub fn section_label(s: PlanSection) -> &'static str {
    match s {
        PlanSection::PermanentChange => "Varig ændring (effektiviseringer og driftsudgifter)",
        PlanSection::ImplementationCost => "Implementeringsomkostninger",
        PlanSection::LoanRepayment => "Tilbagebetaling af lån",
    }
}

/// What a payback is based on.
#[must_use]
pub fn basis_label(b: Basis) -> &'static str {
    match b {
        Basis::Service => "baseret på serviceeffektivisering",
        Basis::TotalEconomy => "baseret på totaløkonomi",
    }
}

/// A late-list kind (`goal`, `milestone`, `saving`, `missing_report`).
#[must_use]
pub fn late_kind_label(kind: &str) -> &'static str {
    match kind {
        "goal" => "mål",
        "milestone" => "milepæl",
        "saving" => "effektivisering",
        "missing_report" => "mangler indberetning",
        _ => "andet",
    }
}

/// A committee's full name ("Sundheds- og Omsorgsudvalget"); an unknown code as it is.
#[must_use]
pub fn committee_name(code: &str) -> String {
    code.parse::<Committee>()
        .map_or_else(|_| code.to_string(), |c| c.name().to_string())
}

/// A goal's section in Danish ("Implementering", "Realisering"); a milestone's phase as written.
#[must_use]
pub fn section_danish(section: Option<&str>) -> String {
    match section {
        Some("implementation") => "Implementering".to_string(),
        Some("realisation") => "Realisering".to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The Danish name of an event kind (its stable English code is shown beside it).
#[must_use]
pub fn event_label(event_type: &str) -> &'static str {
    match event_type {
        "ProposalRegistered" => "Forslaget oprettet",
        "BaselineAdopted" => "Planen indlæst fra bilaget",
        "PlanRevised" => "Planen revideret",
        "MilestoneCompleted" => "Milepæl nået",
        "GoalProgressReported" => "Fremdrift på opfølgningsmål",
        "GoalAchieved" => "Opfølgningsmål opnået",
        "GoalScheduled" => "Opfølgningsmål dateret",
        "GoalCancelled" => "Opfølgningsmål annulleret",
        "SavingRealised" => "Realiseret effektivisering",
        "ImplementationCostIncurred" => "Implementeringsomkostning",
        "ForecastUpdated" => "Forventning",
        "CompensatingActionRecorded" => "Kompenserende tiltag",
        "SavingVerified" => "Effektivisering verificeret",
        "BudgetAdjusted" => "Budgetramme tilpasset",
        "InnovationOutcomeRecorded" => "Læring fra innovation eller foranalyse",
        "BudgetDecided" => "Budgetbeslutning",
        "EntryReversed" => "Registrering tilbageført",
        "EntrySuperseded" => "Registrering erstattet",
        _ => "Anden hændelse",
    }
}

/// What Tabel 1 counts, and where the proposals stand with the budget decision: "Tabellen
/// tæller alle 12 indstillede forslag, som bilaget; vedtaget 0, afventer budgetbeslutning 12,
/// ikke vedtaget 0." One sentence for the terminal and the page.
#[must_use]
pub fn decisions(total: &gevinst_projections::reports::portfolio::CommitteeLine) -> String {
    format!(
        "Tabellen tæller alle {} indstillede forslag, som bilaget; vedtaget {}, afventer budgetbeslutning {}, ikke vedtaget {}.",
        total.proposals, total.adopted, total.awaiting_decision, total.not_adopted
    )
}
