//! The Danish words people read, in one place: proposal kinds, control areas, plan sections,
//! payback bases, finding kinds, late-list kinds, goal sections and event kinds, as the pages,
//! exports and the CLI's tables show them. JSON keeps the stable English codes; these functions
//! turn a code into the word.
//!
//! The domain's own vocabulary carries the words its values are written with (`Role::danish`,
//! `ControlArea::danish` in lower case inside sentences), and the reports' statuses theirs
//! (`GoalStatus::danish`, `Category::danish`); this module is for the presentation's words,
//! which only the edges need. Committees' and administrations' names are not here: they are
//! data, declared by each budget document (`OrgNames`, read with `ReadModels::org_names`).

use gevinst_domain::access::AccessEvent;
use gevinst_domain::payback::Basis;
use gevinst_domain::price::PriceIndexEvent;
use gevinst_domain::proposal::{PlanSection, ProposalEvent};
use gevinst_domain::{ControlArea, ProposalKind};

/// Why a chosen budget round cannot be shown: the log holds no proposal of it (the message
/// names the `rounds` it holds); `None` when it can, or when none is chosen.
#[must_use]
pub fn unknown_round(chosen: Option<&str>, rounds: &[String]) -> Option<String> {
    let round = chosen?;
    if rounds.iter().any(|r| r == round) {
        return None;
    }
    if rounds.is_empty() {
        return Some(format!(
            "«{round}» er ikke en budgetrunde i loggen; loggen rummer ingen budgetrunde endnu"
        ));
    }
    let rounds: Vec<&str> = rounds.iter().map(String::as_str).collect();
    Some(format!(
        "«{round}» er ikke en budgetrunde i loggen; brug {}",
        or_list(&rounds)
    ))
}

/// The committee `raw` names (blank: none), if a budget document in the log declares it; else
/// the Danish refusal naming the committees that are declared. The one reading of a committee
/// filter, for the pages and the downloads.
pub fn declared_committee(
    raw: Option<&str>,
    names: &gevinst_domain::OrgNames,
) -> Result<Option<gevinst_domain::Committee>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => code
            .parse::<gevinst_domain::Committee>()
            .ok()
            .filter(|c| names.committees.contains_key(c))
            .map(Some)
            .ok_or_else(|| {
                let codes: Vec<&str> = names.committees.keys().map(|c| c.code()).collect();
                format!(
                    "«{code}» er ikke et udvalg. Brug en forkortelse som {}.",
                    or_list(&codes)
                )
            }),
    }
}

/// A Danish list of alternatives: "ØU", "ØU eller SUD", "BIU, SUD eller ØU".
#[must_use]
pub fn or_list(items: &[&str]) -> String {
    joined(items, "eller")
}

/// A Danish list: "Budget 2025", "Budget 2025 og Budget 2026", "A, B og C".
#[must_use]
pub fn and_list(items: &[&str]) -> String {
    joined(items, "og")
}

fn joined(items: &[&str], word: &str) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} {word} {last}", rest.join(", ")),
    }
}

/// A command's field, by its JSON name, as a page calls it where no form field carries it
/// (a form's own fields have their labels beside them).
#[must_use]
pub fn command_field_label(name: &str) -> Option<&'static str> {
    Some(match name {
        "control_area" => "Styringsområde",
        "section" => "Del af planen",
        "price_level" => "Prisniveau",
        "plan_line" => "Linje i planen",
        _ => return None,
    })
}

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

/// A control area as the proposal's document writes it, where it declares the word, else
/// [`area_label`].
#[must_use]
pub fn area_name(names: Option<&gevinst_domain::OrgNames>, a: ControlArea) -> String {
    names
        .and_then(|n| n.control_area(a))
        .unwrap_or_else(|| area_label(a))
        .to_string()
}

/// A control area in Gevinst's own words, capitalised for a table cell.
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

/// The heading of a refusal, the same wherever a person meets it: an error page, a refused
/// download's page in a browser, and a problem's `title` for clients. One kind, one wording.
pub mod refusal {
    /// 400: the request cannot be read (a bad date, an unknown kind, …).
    pub const BAD_REQUEST: &str = "Ugyldig forespørgsel";
    /// 404: no such proposal, page or file.
    pub const NOT_FOUND: &str = "Findes ikke";
    /// 403: signed in, but no role that allows it.
    pub const FORBIDDEN: &str = "Ingen adgang";
}

/// What a late list leaves out, and why, for people: only adopted proposals are followed up,
/// and a controller looking for one should not have to guess. "Kun vedtagne forslag følges
/// op. Ikke med her: 10 forslag (9 afventer budgetbeslutning, 1 ikke vedtaget)."; `None` when
/// every proposal (of `committee`, if given) is followed up. One sentence for the page and the
/// terminal.
#[must_use]
pub fn not_followed_up(
    overview: &gevinst_projections::reports::Overview,
    committee: Option<&str>,
) -> Option<String> {
    let mut absent: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for r in overview.portfolio.proposals.iter().filter(|r| {
        !r.decision.status.followed_up()
            && committee.is_none_or(|c| r.committees().iter().any(|x| x == c))
    }) {
        *absent.entry(r.decision.status.danish()).or_default() += 1;
    }
    if absent.is_empty() {
        return None;
    }
    let n: usize = absent.values().sum();
    let why: Vec<String> = absent.iter().map(|(s, k)| format!("{k} {s}")).collect();
    Some(format!(
        "Kun vedtagne forslag følges op. Ikke med her: {n} forslag ({}).",
        why.join(", ")
    ))
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

/// Why a late list's kind filter was refused, in Danish, naming each kind there is with its
/// label: "«xyz» er ikke en art på listen. Brug saving (effektivisering), …".
#[must_use]
pub fn unknown_late_kind(refused: &gevinst_projections::reports::UnknownLateKind) -> String {
    let kinds: Vec<String> = gevinst_projections::reports::LATE_KINDS
        .iter()
        .map(|k| format!("{k} ({})", late_kind_label(k)))
        .collect();
    // LATE_KINDS is a fixed list of four: "a, b, c eller d".
    let listed = match kinds.split_last() {
        Some((last, first)) => format!("{} eller {last}", first.join(", ")),
        None => String::new(),
    };
    format!("«{}» er ikke en art på listen. Brug {listed}.", refused.0)
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

/// The Danish name of an event kind (its stable English code is shown beside it), as the kind
/// declares it: a proposal event's in its file under `gevinst_domain::proposal::kinds`, a price
/// index's or an access event's beside its enum.
#[must_use]
pub fn event_label(event_type: &str) -> &'static str {
    ProposalEvent::label_of(event_type)
        .or_else(|| PriceIndexEvent::label_of(event_type))
        .or_else(|| AccessEvent::label_of(event_type))
        .unwrap_or("Anden hændelse")
}

/// What Tabel 1 counts, and where the proposals stand with the budget decision: "Tabellen
/// tæller alle 12 indstillede forslag, som bilaget; vedtaget 0, afventer budgetbeslutning 12,
/// ikke vedtaget 0." One sentence for the terminal and the page.
#[must_use]
pub fn decisions(p: &gevinst_projections::reports::portfolio::Portfolio) -> String {
    let total = &p.total;
    let rounds: Vec<&str> = p.budget_rounds.iter().map(String::as_str).collect();
    let from = if rounds.is_empty() {
        String::new()
    } else {
        format!(" fra {}", and_list(&rounds))
    };
    format!(
        "Tabellen tæller alle {} indstillede forslag{from}, som bilaget; vedtaget {}, afventer budgetbeslutning {}, ikke vedtaget {}.",
        total.proposals, total.adopted, total.awaiting_decision, total.not_adopted
    )
}

/// A Tabel 1 cell as people read it: the document's own figure first, and a note where the
/// figure rebuilt from the plans differs ("genberegnet 56,7") or where the document states
/// none for the line, so the figure shown is rebuilt ("genberegnet").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedFirst {
    /// The figure shown: the document's, else the rebuilt one.
    pub shown: String,
    /// What to say beside it, if anything.
    pub note: Option<String>,
    /// The document states a figure and the rebuilt one differs from it.
    pub differs: bool,
}

impl std::fmt::Display for StatedFirst {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.note {
            Some(note) => write!(f, "{} ({note})", self.shown),
            None => f.write_str(&self.shown),
        }
    }
}

/// The document's figure first; see [`StatedFirst`].
#[must_use]
pub fn stated_first(stated: Option<String>, rebuilt: String) -> StatedFirst {
    match stated {
        Some(shown) if shown == rebuilt => StatedFirst {
            shown,
            note: None,
            differs: false,
        },
        Some(shown) => StatedFirst {
            shown,
            note: Some(format!("genberegnet {rebuilt}")),
            differs: true,
        },
        None => StatedFirst {
            shown: rebuilt,
            note: Some("genberegnet".to_string()),
            differs: false,
        },
    }
}

/// A Tabel 1 line's three stated-first cells: number of proposals (with innovation proposals
/// in brackets where the document counts them), investment and savings at full phase-in, in
/// mio. kr.
#[must_use]
pub fn tabel_1_cells(
    l: &gevinst_projections::reports::portfolio::CommitteeLine,
) -> [StatedFirst; 3] {
    use crate::format::danish_fixed;
    let count = |n: usize, innovation: Option<usize>| match innovation {
        Some(i) if i > 0 => format!("{n} ({i})"),
        _ => n.to_string(),
    };
    let stated = l.stated.as_ref();
    // The rebuilt count shows innovation proposals only where the document counts them too.
    let innovation = match stated {
        Some(s) => s.innovation_proposals.map(|_| l.innovation_proposals),
        None => Some(l.innovation_proposals),
    };
    let to_usize = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    [
        stated_first(
            stated.map(|s| count(to_usize(s.proposals), s.innovation_proposals.map(to_usize))),
            count(l.proposals, innovation),
        ),
        stated_first(
            stated.map(|s| danish_fixed(s.investment_mio, 1)),
            danish_fixed(l.investment_mio, 1),
        ),
        stated_first(
            stated.map(|s| danish_fixed(s.savings_full_phase_in_mio, 1)),
            danish_fixed(l.savings_full_phase_in_mio, 1),
        ),
    ]
}

/// What Tabel 1's figures are, under the table.
pub const TABEL_1_STATED: &str = "Antal, investering og effektiviseringer er bilagets egne tal (dets Tabel 1, som forelagt); hvor tallene genberegnet fra forslagenes planer afviger, står de ved siden af. Bilaget afrunder hver række for sig, så en genberegnet sum kan afvige med 0,1.";

/// A front-matter table of a proposal's row, by its code (`FrontMatterRow::table`).
#[must_use]
pub fn front_matter_table_label(code: &str) -> &'static str {
    match code {
        "investment_pool" => "Tabel 2. Indkomne ansøgninger til investeringspuljen",
        "innovation_pool" => "Tabel 3. Indkomne ansøgninger til innovationspuljen",
        _ => "Bilagets forside",
    }
}

/// A front-matter figure, by its code (`FrontMatterFigure::code`).
#[must_use]
pub fn front_matter_figure_label(code: &str) -> &'static str {
    match code {
        "investment" => "Investeringer (service og anlæg)",
        "savings_service" => "Varige effektiviseringer, service",
        "savings_transfers" => "Varige effektiviseringer, overførsler mv.",
        "payback_years" => "Tilbagebetalingstid",
        "innovation_pool_service" => "Innovationspulje (service)",
        _ => "Tal",
    }
}

/// A front-matter figure's value with its unit, the Danish way ("4,3 mio. kr.", "4 år"), or
/// what stands in its place.
#[must_use]
pub fn front_matter_value(
    value: Option<rust_decimal::Decimal>,
    unit: &str,
    missing: &str,
) -> String {
    value.map_or_else(
        || missing.to_string(),
        |v| {
            if unit == "år" {
                format!("{} år", crate::format::danish(v))
            } else {
                format!("{} {unit}", crate::format::danish_fixed(v, 1))
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_read_as_danish_lists() {
        assert_eq!(or_list(&[]), "");
        assert_eq!(or_list(&["ØU"]), "ØU");
        assert_eq!(or_list(&["KEU", "ÆU"]), "KEU eller ÆU");
        assert_eq!(or_list(&["BIU", "SUD", "ØU"]), "BIU, SUD eller ØU");
        assert_eq!(
            and_list(&["Budget 2025", "Budget 2026"]),
            "Budget 2025 og Budget 2026"
        );
        let rounds = ["Budget 2025".to_string(), "Budget 2026".to_string()];
        assert_eq!(unknown_round(None, &rounds), None);
        assert_eq!(unknown_round(Some("Budget 2026"), &rounds), None);
        assert_eq!(
            unknown_round(Some("Budget 2030"), &rounds).unwrap(),
            "«Budget 2030» er ikke en budgetrunde i loggen; brug Budget 2025 eller Budget 2026"
        );
    }
}
