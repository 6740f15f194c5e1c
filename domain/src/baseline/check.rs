//! The integrity check: every figure the document states is recomputed from the rows it states
//! it for, and every disagreement becomes a [`Finding`]. The data is never adjusted.
//!
//! # What is checked
//!
//! Per proposal (1.000 kr., exact — no tolerance):
//! * **Tabel 1 subtotals**, year by year: "Samlet varig ændring[, control area]" = the
//!   permanent-change rows (of that control area); "Samlede implementeringsomkostninger[, control
//!   area]" = the implementation-cost rows (of that control area); "Samlet økonomisk påvirkning" =
//!   permanent change + implementation costs (the document's definition; an internal loan's
//!   repayment is not part of it). Kind [`FindingKind::Sum`].
//! * **Payback**, both bases, by the rule in [`crate::payback`], against the stated years. Kind
//!   [`FindingKind::Payback`].
//! * **Internal loan**: the repayment rows must repay exactly the implementation costs the loan
//!   funded. Kind [`FindingKind::LoanRepayment`].
//! * **Committee distributions**: the rows of each table against the table's own total row, per
//!   year (Tabel 2.1.1, A, B, D …), and the per-administration single-figure tables (Tabel ii,
//!   BC02's Tabel 2) against their total row ([`FindingKind::Sum`]). "Tabel 2. Varige ændringer,
//!   administration": its rows against its total row.
//! * **Between tables** ([`FindingKind::BetweenTables`]): a table that includes implementation
//!   costs (caption "… inkl. implementeringsudgifter", BC01 Tabel 2.1.1) must equal, per committee
//!   and year, the committee's rows in the måltalseffekt table (Tabel A) plus its rows in the
//!   investment table (caption "… anlægsinvesteringer …", Tabel D). A table's total row must equal
//!   the matching Tabel 1 figure: a måltalseffekt table's total = the permanent change; an
//!   "inkl. implementeringsudgifter" table's total = the total impact; an investment table's
//!   total = the implementation costs on anlæg. Tables without such a relation (BC02 Tabel B,
//!   "bevillingsmæssig effekt", whose rows move money between committees and net to zero) are only
//!   checked against their own total. The per-administration tables have no years and other
//!   bases (Tabel ii is 2023 case data) and are checked only against their own total.
//!
//! The front matter (mio. kr., one decimal):
//! * **Tabel 1** per committee: "Antal" and "(innovationsforslag)" against the proposals in the
//!   file ([`FindingKind::Count`]); "Investering i alt" = all implementation costs, all years, all
//!   control areas, of the committee's proposals; "Effektiviseringer ved fuld indfasning, service"
//!   = the service permanent change in each proposal's **last plan year** (every proposal's
//!   permanent change is fully phased in by its last column, so "fuld indfasning" is that year's
//!   level; for BC05, whose change grows until 2029, it is 2029–2030's -6.110). The "I alt" row
//!   likewise over all proposals.
//! * **Tabel 2** per proposal: investment service / anlæg (implementation costs on that control
//!   area, all years), savings service / transfers (last plan year's permanent change on service /
//!   on overførsler and efterspørgselsstyrede), and the payback column against the proposal's own
//!   stated *service* payback (the column is single; BC11 shows it is the service figure: 1, not
//!   the total-economy 2), or the computed one where the proposal states none. Its "I alt" row.
//! * **Tabel 3**: innovation pool (service) = implementation costs on service; its "I alt" row.
//!
//! BC08 is confidential: its only figures are its public summary row, which enter the committee
//! and "I alt" sums as written. Its own Tabel 2 row is that same row and is not checked.
//!
//! # Rounding ([`MIO_TOLERANCE`])
//!
//! The computed value of a front-matter figure is the **exact** sum of the 1.000 kr. rows,
//! divided by 1.000 — never a sum of other rounded figures. A stated one-decimal figure *agrees*
//! with it when it is a rounding of it to one decimal: |stated − computed| ≤ 0,05 mio. kr. (a
//! tie is accepted either way, although the document itself rounds halves up: 4.250 → 4,3,
//! 4.750 → 4,8, 25.250 → 25,3). When BC08's published
//! figures (themselves rounded) enter a sum, the tolerance widens by 0,05 for each of them, since
//! its true amounts may lie up to 0,05 from what is printed. A difference within the tolerance is
//! **not** a finding. Beyond it the finding is [`FindingKind::Sign`] when the stated figure agrees
//! once its sign is flipped (front Tabel 2 "I alt" savings "93,7"), else [`FindingKind::Sum`].
//!
//! When a stated figure agrees with the exact value, the check also adds up the **printed rows**
//! it summarises (a committee's rows in Tabel 2/3; the committee rows of Tabel 1; the rows of
//! Tabel 2 or 3) as a reader of the document would. If they do not add up to the printed total,
//! that is reported as [`FindingKind::Rounding`]: the total is right, the rows are each rounded,
//! and their sum visibly differs. Those findings are the document's visible inconsistencies, not
//! errors in it; a report may group or hide them by kind.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::{BaselineFile, BaselineProposal};
use crate::ids::ProposalId;
use crate::money::danish_digits;
use crate::payback::{plan_payback, Basis};
use crate::proposal::plan::{
    CommitteeDistribution, Plan, PlanLine, PlanSection, ProposalIdentity, TotalKind,
};
use crate::vocabulary::{ControlArea, ProposalKind};

/// Half a unit of the front matter's last printed decimal: 0,05 mio. kr. (see the module docs).
pub const MIO_TOLERANCE: Decimal = Decimal::from_parts(5, 0, 0, false, 2);

/// What kind of disagreement a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A stated total is not the sum of the rows it totals.
    Sum,
    /// Printed rounded rows do not add up to a printed total that is itself right.
    Rounding,
    /// The stated figure is right but for its sign.
    Sign,
    /// The stated payback period differs from the payback rule's.
    Payback,
    /// Two tables of the document give different figures for the same thing.
    BetweenTables,
    /// A stated count of proposals differs from the proposals in the file.
    Count,
    /// An internal loan's repayment plan does not repay what was borrowed.
    LoanRepayment,
    /// A figure the prose states differs from the tables' (`super::statement`).
    Prose,
    /// Tabel 1 plans more effect in a year than the realisation goal that produces it allows.
    EffectBeforeGoal,
    /// A goal or milestone is due before the proposal was approved.
    DateBeforeProposal,
}

impl FindingKind {
    /// The Danish word a controller reads (JSON keeps the snake_case code).
    #[must_use]
    pub fn danish(self) -> &'static str {
        match self {
            FindingKind::Sum => "sum",
            FindingKind::Rounding => "afrunding",
            FindingKind::Sign => "fortegn",
            FindingKind::Payback => "tilbagebetalingstid",
            FindingKind::BetweenTables => "mellem tabeller",
            FindingKind::Count => "antal",
            FindingKind::LoanRepayment => "tilbagebetaling af lån",
            FindingKind::Prose => "tekst mod tabel",
            FindingKind::EffectBeforeGoal => "effekt før målet",
            FindingKind::DateBeforeProposal => "dato før forslaget",
        }
    }

    /// What this kind of disagreement means and what usually lies behind it, for the heading
    /// of a [`RootCause`].
    #[must_use]
    pub fn cause(self) -> &'static str {
        match self {
            FindingKind::Sum => {
                "rækkerne giver ikke tabellens total- eller subtotalrække (typisk afrundede rækker eller en tom subtotal)"
            }
            FindingKind::Rounding => {
                "trykte mio.-tal er afrundede hver for sig, så de ikke summer til den trykte total; totalen stemmer med de eksakte tal"
            }
            FindingKind::Sign => "et tal står med modsat fortegn af det, tabellen ellers bruger",
            FindingKind::Payback => {
                "tilbagebetalingstiden er talt på en anden måde end reglen (første år med virkning er år 1)"
            }
            FindingKind::BetweenTables => "to tabeller angiver forskellige tal for det samme",
            FindingKind::Count => "et angivet antal forslag stemmer ikke med forslagene",
            FindingKind::LoanRepayment => {
                "tilbagebetalingsplanen for det interne lån tilbagebetaler ikke det lånte"
            }
            FindingKind::Prose => {
                "teksten nævner et andet tal end tabellerne (tabellen er autoriteten; teksten er måske ikke rettet med)"
            }
            FindingKind::DateBeforeProposal => {
                "et opfølgningsmål har en frist, der ligger før forslaget blev godkendt (datoen er næppe den mente; den er mistænkelig, ikke overskredet)"
            }
            FindingKind::EffectBeforeGoal => {
                "Tabel 1 regner med effekt, før det første realiseringsmål er sat til at være nået (regnet derfra har højst resten af året effekt)"
            }
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.danish())
    }
}

/// The findings of one kind in one place (a proposal, or the front matter): one root cause,
/// however many cells it shows in. Bilag 7's findings come from far fewer of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootCause<'a> {
    /// The proposal; `None` for the front matter.
    pub proposal: Option<&'a ProposalId>,
    /// The kind of disagreement.
    pub kind: FindingKind,
    /// The findings, in the check's order.
    pub findings: Vec<&'a Finding>,
}

impl RootCause<'_> {
    /// Where to look in the document: the tables named, each once, in order.
    #[must_use]
    pub fn tables(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.findings {
            if !out.contains(&f.table.as_str()) {
                out.push(&f.table);
            }
        }
        out
    }

    /// The heading a controller reads: place, kind, what it means, how many cells and where.
    #[must_use]
    pub fn heading(&self) -> String {
        let place = self
            .proposal
            .map_or_else(|| "forsiden".to_string(), ToString::to_string);
        let n = self.findings.len();
        format!(
            "{place} · {}: {} ({n} {}; se {})",
            self.kind.danish(),
            self.kind.cause(),
            if n == 1 { "sted" } else { "steder" },
            self.tables().join(", ")
        )
    }
}

/// The findings grouped by root cause (place and kind), in the order each first appears.
#[must_use]
pub fn root_causes(findings: &[Finding]) -> Vec<RootCause<'_>> {
    let mut out: Vec<RootCause<'_>> = Vec::new();
    for f in findings {
        match out
            .iter_mut()
            .find(|c| c.proposal == f.proposal.as_ref() && c.kind == f.kind)
        {
            Some(cause) => cause.findings.push(f),
            None => out.push(RootCause {
                proposal: f.proposal.as_ref(),
                kind: f.kind,
                findings: vec![f],
            }),
        }
    }
    out
}

/// One place where the document disagrees with itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The proposal; `None` for the front matter.
    pub proposal: Option<ProposalId>,
    /// The table ("Tabel 1", "Tabel A", "Tabel 1 (forside)" …; "X vs Y" between tables).
    pub table: String,
    /// The row label as written.
    pub row: String,
    /// The column, where the table has several figures per row and no years.
    pub column: Option<String>,
    /// The year column, where the table has years.
    pub year: Option<i32>,
    /// The unit of `stated`, `computed` and `difference` ("1.000 kr.", "mio. kr.", "år",
    /// "antal").
    pub unit: String,
    /// The figure as the document states it.
    pub stated: Decimal,
    /// The figure recomputed from the rows (or, between tables, the other table's figure; for
    /// a [`FindingKind::Rounding`] finding, the sum of the printed rows). A payback the rule
    /// cannot find within the plan's years is 0, and the explanation says so.
    pub computed: Decimal,
    /// `stated − computed`.
    pub difference: Decimal,
    /// What kind of disagreement it is.
    pub kind: FindingKind,
    /// A short explanation in plain words.
    pub explanation: String,
}

impl fmt::Display for Finding {
    /// One line: `BC04 · Tabel 1 · Samlede implementeringsomkostninger · 2025: angivet 0,
    /// beregnet 1000 (1.000 kr.) [sum] …`; the front matter is "forsiden", as in the heading.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.proposal {
            Some(p) => write!(f, "{p} · ")?,
            None => f.write_str("forsiden · ")?,
        }
        write!(f, "{} · {}", self.table, self.row)?;
        if let Some(c) = &self.column {
            write!(f, " · {c}")?;
        }
        if let Some(y) = self.year {
            write!(f, " · {y}")?;
        }
        write!(
            f,
            ": angivet {}, beregnet {} ({}) [{}] {}",
            self.stated, self.computed, self.unit, self.kind, self.explanation
        )
    }
}

struct FindingDraft<'a> {
    proposal: Option<&'a ProposalId>,
    table: String,
    row: String,
    column: Option<String>,
    year: Option<i32>,
    unit: &'static str,
    stated: Decimal,
    computed: Decimal,
    kind: FindingKind,
    explanation: String,
}

/// A figure in a sentence people read: Danish digits, trailing zeros dropped.
fn n(value: Decimal) -> String {
    danish_digits(value.normalize())
}

/// A figure in mio. kr. shown with at least the one decimal the document prints.
fn mio_text(value: Decimal) -> Decimal {
    let mut d = value.normalize();
    if d.scale() < 1 {
        d.rescale(1);
    }
    d
}

impl FindingDraft<'_> {
    fn build(self) -> Finding {
        let shown = |d: Decimal| {
            if self.unit == MIO {
                mio_text(d)
            } else {
                d.normalize()
            }
        };
        let stated = shown(self.stated);
        let computed = shown(self.computed);
        Finding {
            proposal: self.proposal.cloned(),
            table: self.table,
            row: self.row,
            column: self.column,
            year: self.year,
            unit: self.unit.to_string(),
            stated,
            computed,
            difference: shown(stated - computed),
            kind: self.kind,
            explanation: self.explanation,
        }
    }
}

const THOUSANDS: &str = "1.000 kr.";
use super::FRONT_MATTER_UNIT as MIO;

/// Checks a loaded baseline file; returns every finding, per proposal in file order, then the
/// front matter's Tabel 1, 2 and 3. An empty list means the document agrees with itself.
#[must_use]
pub fn check(file: &BaselineFile) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &file.proposals {
        check_proposal(p, &mut out);
    }
    check_front_tabel_1(file, &mut out);
    check_front_tabel_2(file, &mut out);
    check_front_tabel_3(file, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Sums over plan lines
// ---------------------------------------------------------------------------------------------

fn line_sum_all_years(plan: &Plan, pred: impl Fn(&PlanLine) -> bool) -> Decimal {
    plan.lines
        .iter()
        .filter(|l| pred(l))
        .flat_map(|l| l.amounts.iter().map(|(_, a)| a.value()))
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Per proposal
// ---------------------------------------------------------------------------------------------

fn check_proposal(p: &BaselineProposal, out: &mut Vec<Finding>) {
    let plan = &p.plan;
    let pid = Some(&p.identity.id);

    // Tabel 1 subtotals.
    for st in &plan.stated_totals {
        for year in &plan.years {
            let stated = st.amounts.get_or_zero(*year).value();
            let computed = plan.computed_total(st.kind, st.control_area, *year);
            if stated != computed {
                let mut explanation = format!(
                    "rækkerne giver tilsammen {}, subtotalrækken angiver {}",
                    n(computed),
                    n(stated)
                );
                if let Some(note) = &st.note {
                    explanation.push_str(&format!("; bemærkning: {note}"));
                }
                out.push(
                    FindingDraft {
                        proposal: pid,
                        table: "Tabel 1".into(),
                        row: st.label.clone(),
                        column: None,
                        year: Some(*year),
                        unit: THOUSANDS,
                        stated,
                        computed,
                        kind: FindingKind::Sum,
                        explanation,
                    }
                    .build(),
                );
            }
        }
    }

    // Payback.
    if let Some(sp) = &plan.stated_payback {
        for (basis, stated, row) in [
            (
                Basis::Service,
                sp.service_years,
                "Tilbagebetalingstid baseret på serviceeffektivisering",
            ),
            (
                Basis::TotalEconomy,
                sp.total_economy_years,
                "Tilbagebetalingstid baseret på totaløkonomi",
            ),
        ] {
            let Some(stated) = stated else { continue };
            let computed = plan_payback(plan, basis);
            let computed_years = computed.map_or(Decimal::ZERO, |c| Decimal::from(c.years));
            if computed.is_none() || stated != computed_years {
                let explanation = match computed {
                    Some(c) => format!(
                        "den akkumulerede virkning når nul eller derunder i {}; regnet med det første år med virkning ({}) som år 1 giver det {} år, dokumentet angiver {} år",
                        c.turns_in,
                        i64::from(c.turns_in) - i64::from(c.years) + 1,
                        c.years,
                        n(stated)
                    ),
                    None => format!(
                        "den akkumulerede virkning når aldrig nul eller derunder inden for planens år (beregnet står som 0 for «ingen»); dokumentet angiver {} år",
                        n(stated)
                    ),
                };
                out.push(
                    FindingDraft {
                        proposal: pid,
                        table: "Tabel 1".into(),
                        row: row.into(),
                        column: None,
                        year: None,
                        unit: "år",
                        stated,
                        computed: computed_years,
                        kind: FindingKind::Payback,
                        explanation,
                    }
                    .build(),
                );
            }
        }
    }

    // Internal loan.
    let is_loan = |l: &PlanLine| l.section == PlanSection::LoanRepayment;
    if plan.lines.iter().any(is_loan) {
        let repaid = line_sum_all_years(plan, is_loan);
        let borrowed = line_sum_all_years(plan, |l| l.section == PlanSection::ImplementationCost);
        if repaid != -borrowed {
            let labels: Vec<&str> = plan
                .lines
                .iter()
                .filter(|l| is_loan(l))
                .map(|l| l.label.as_str())
                .collect();
            out.push(
                FindingDraft {
                    proposal: pid,
                    table: "Tabel 1".into(),
                    row: labels.join(" + "),
                    column: None,
                    year: None,
                    unit: THOUSANDS,
                    stated: repaid,
                    computed: -borrowed,
                    kind: FindingKind::LoanRepayment,
                    explanation: format!(
                        "tilbagebetalingsplanen tilbagebetaler i alt {}, de implementeringsomkostninger, den finansierer, er {}",
                        n(-repaid),
                        n(borrowed)
                    ),
                }
                .build(),
            );
        }
    }

    check_distributions(p, out);
    check_administration(p, out);
    check_administration_against_tabel_1(p, out);
    // The resolve context (phases, funding years …), built once for the two checks that date goals.
    let ctx = plan.resolve_context();
    check_effect_before_goal(p, &ctx, out);
    check_dates_before_proposal(p, &ctx, out);
    check_statements(p, out);
}

fn caption_has(caption: Option<&str>, needle: &str) -> bool {
    caption.is_some_and(|c| c.to_lowercase().contains(needle))
}

fn committee_row_label(d: &CommitteeDistribution) -> String {
    match &d.label {
        Some(l) if l != d.committee.code() => format!("{l} ({})", d.committee.code()),
        _ => d.committee.code().to_string(),
    }
}

fn check_distributions(p: &BaselineProposal, out: &mut Vec<Finding>) {
    let plan = &p.plan;
    let pid = Some(&p.identity.id);

    // Rows against each table's own total row.
    for dt in &plan.distribution_totals {
        let rows: Vec<&CommitteeDistribution> = plan
            .committee_distributions
            .iter()
            .filter(|d| d.table == dt.table && d.basis == dt.basis)
            .collect();
        for (year, total) in dt.amounts.iter() {
            let computed: Decimal = rows
                .iter()
                .map(|d| d.amounts.get_or_zero(*year).value())
                .sum();
            if computed != total.value() {
                out.push(
                    FindingDraft {
                        proposal: pid,
                        table: dt.table.clone(),
                        row: dt.label.clone(),
                        column: None,
                        year: Some(*year),
                        unit: THOUSANDS,
                        stated: total.value(),
                        computed,
                        kind: FindingKind::Sum,
                        explanation: format!(
                            "de {} udvalgsrækker giver tilsammen {}, tabellens totalrække angiver {}",
                            rows.len(),
                            n(computed),
                            n(total.value())
                        ),
                    }
                    .build(),
                );
            }
        }

        // The total row against Tabel 1.
        let relation = if crate::proposal::plan::basis_names(dt.basis.as_deref(), "måltalseffekt")
        {
            Some((
                TotalKind::PermanentChange,
                None,
                "den varige ændring (Samlet varig ændring)",
            ))
        } else if caption_has(dt.caption.as_deref(), "inkl. implementering") {
            Some((
                TotalKind::TotalImpact,
                None,
                "den samlede økonomiske påvirkning (Samlet økonomisk påvirkning)",
            ))
        } else if caption_has(dt.caption.as_deref(), "anlægsinvestering") {
            Some((
                TotalKind::ImplementationCost,
                Some(ControlArea::Capital),
                "implementeringsomkostningerne på anlæg",
            ))
        } else {
            None
        };
        if let Some((kind, area, what)) = relation {
            for (year, total) in dt.amounts.iter() {
                let computed = plan.computed_total(kind, area, *year);
                if computed != total.value() {
                    out.push(
                        FindingDraft {
                            proposal: pid,
                            table: format!("{} vs Tabel 1", dt.table),
                            row: dt.label.clone(),
                            column: None,
                            year: Some(*year),
                            unit: THOUSANDS,
                            stated: total.value(),
                            computed,
                            kind: FindingKind::BetweenTables,
                            explanation: format!(
                                "Tabel 1's rækker giver {} for {what}, tabellens totalrække angiver {}",
                                n(computed),
                                n(total.value())
                            ),
                        }
                        .build(),
                    );
                }
            }
        }
    }

    // An "inkl. implementeringsudgifter" table = måltalseffekt table + investment table.
    let inclusive: Vec<&CommitteeDistribution> = plan
        .committee_distributions
        .iter()
        .filter(|d| caption_has(d.caption.as_deref(), "inkl. implementering"))
        .collect();
    let permanent: Vec<&CommitteeDistribution> = plan
        .committee_distributions
        .iter()
        .filter(|d| d.is_target_effect())
        .collect();
    let investment: Vec<&CommitteeDistribution> = plan
        .committee_distributions
        .iter()
        .filter(|d| caption_has(d.caption.as_deref(), "anlægsinvestering"))
        .collect();
    if !inclusive.is_empty() && !permanent.is_empty() {
        let mut other_tables: Vec<&str> = Vec::new();
        for d in permanent.iter().chain(investment.iter()) {
            if !other_tables.contains(&d.table.as_str()) {
                other_tables.push(&d.table);
            }
        }
        let mut inc_tables: Vec<&str> = Vec::new();
        for d in &inclusive {
            if !inc_tables.contains(&d.table.as_str()) {
                inc_tables.push(&d.table);
            }
        }
        let table = format!("{} vs {}", inc_tables.join(" + "), other_tables.join(" + "));
        let mut committees = Vec::new();
        for d in &inclusive {
            if !committees.contains(&d.committee) {
                committees.push(d.committee);
            }
        }
        for committee in committees {
            let rows: Vec<&&CommitteeDistribution> = inclusive
                .iter()
                .filter(|d| d.committee == committee)
                .collect();
            let label = rows
                .first()
                .map(|d| committee_row_label(d))
                .unwrap_or_else(|| committee.code().to_string());
            let mut years: Vec<i32> = rows
                .iter()
                .flat_map(|d| d.amounts.keys().copied())
                .collect();
            years.sort_unstable();
            years.dedup();
            for year in years {
                let stated: Decimal = rows
                    .iter()
                    .map(|d| d.amounts.get_or_zero(year).value())
                    .sum();
                let from_permanent: Decimal = permanent
                    .iter()
                    .filter(|d| d.committee == committee)
                    .map(|d| d.amounts.get_or_zero(year).value())
                    .sum();
                let from_investment: Decimal = investment
                    .iter()
                    .filter(|d| d.committee == committee)
                    .map(|d| d.amounts.get_or_zero(year).value())
                    .sum();
                let computed = from_permanent + from_investment;
                if stated != computed {
                    out.push(
                        FindingDraft {
                            proposal: pid,
                            table: table.clone(),
                            row: label.clone(),
                            column: None,
                            year: Some(year),
                            unit: THOUSANDS,
                            stated,
                            computed,
                            kind: FindingKind::BetweenTables,
                            explanation: format!(
                                "{} angiver {}; udvalgets rækker i {} giver {} (varig ændring {} + investering {})",
                                inc_tables.join(" + "),
                                n(stated),
                                other_tables.join(" + "),
                                n(computed),
                                n(from_permanent),
                                n(from_investment)
                            ),
                        }
                        .build(),
                    );
                }
            }
        }
    }
}

/// The prose's figures against the tables (`super::statement`): a figure in mio. kr. agrees
/// when the tables' figure rounded as the prose writes it equals it; a share agrees when the
/// share of the one figure, to whole 1.000 kr., equals the other.
fn check_statements(p: &BaselineProposal, out: &mut Vec<Finding>) {
    use super::statement::Claim;
    let plan = &p.plan;
    let pid = Some(&p.identity.id);
    let sum = |kind: TotalKind, area: Option<ControlArea>, years: &mut dyn Iterator<Item = i32>| {
        // Bounded amounts (`Amount::MAX_ABS`) over a plan's few years: no overflow.
        years
            .map(|y| plan.computed_total(kind, area, y))
            .sum::<Decimal>()
    };
    for st in &p.statements {
        let table = format!("Teksten, {}", st.section);
        let reading = st
            .reading
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let in_mio = |stated: Decimal, thousands: Decimal, year: Option<i32>, what: String| {
            let exact = thousands / Decimal::ONE_THOUSAND;
            let rounded = exact
                .round_dp_with_strategy(stated.scale(), RoundingStrategy::MidpointAwayFromZero);
            (rounded != stated).then(|| {
                FindingDraft {
                    proposal: pid,
                    table: table.clone(),
                    row: st.quote.clone(),
                    column: None,
                    year,
                    unit: MIO,
                    stated,
                    computed: exact,
                    kind: FindingKind::Prose,
                    explanation: format!(
                        "teksten siger {} mio. kr.; {what} giver {} (1.000 kr.), afrundet {} mio. kr.{reading}",
                        n(stated),
                        n(thousands),
                        n(rounded)
                    ),
                }
                .build()
            })
        };
        let finding = match &st.claim {
            Claim::PermanentChangeAtFullPhaseIn { mio } => {
                plan.full_phase_in_year().and_then(|year| {
                    in_mio(
                        *mio,
                        plan.computed_total(TotalKind::PermanentChange, None, year),
                        Some(year),
                        format!("Tabel 1's varige ændring i {year}, året for fuld indfasning,"),
                    )
                })
            }
            Claim::ImplementationCost { area, mio } => in_mio(
                *mio,
                sum(
                    TotalKind::ImplementationCost,
                    *area,
                    &mut plan.years.iter().copied(),
                ),
                None,
                match area {
                    Some(a) => format!("Tabel 1's implementeringsomkostninger på {a} i alt"),
                    None => "Tabel 1's implementeringsomkostninger i alt".to_string(),
                },
            ),
            Claim::TotalImpact { from, to, mio } => in_mio(
                *mio,
                sum(TotalKind::TotalImpact, None, &mut (*from..=*to)),
                None,
                format!("Tabel 1's samlede økonomiske påvirkning {from}–{to}"),
            ),
            Claim::Share {
                line,
                year,
                of_line,
                of_year,
                numerator,
                denominator,
            } => {
                let amount = |id: &crate::ids::PlanLineId, y: i32| {
                    plan.lines
                        .iter()
                        .filter(|l| &l.id == id)
                        .map(|l| l.amounts.get_or_zero(y).value())
                        .sum::<Decimal>()
                        .abs()
                };
                let whole = amount(of_line, *of_year);
                let share = whole
                    .checked_mul(Decimal::from(*numerator))
                    .and_then(|v| v.checked_div(Decimal::from(*denominator)))
                    .unwrap_or_default();
                let actual = amount(line, *year);
                (share.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                    != actual)
                    .then(|| {
                        FindingDraft {
                            proposal: pid,
                            table: table.clone(),
                            row: st.quote.clone(),
                            column: None,
                            year: Some(*year),
                            unit: THOUSANDS,
                            stated: share.round_dp(1),
                            computed: actual,
                            kind: FindingKind::Prose,
                            explanation: format!(
                                "teksten siger {numerator}/{denominator}: af linje {of_line} i {of_year} ({}) er det {}; Tabel 1's linje {line} i {year} er {}{reading}",
                                n(whole),
                                n(share.round_dp(1)),
                                n(actual)
                            ),
                        }
                        .build()
                    })
            }
        };
        out.extend(finding);
    }
}

fn check_administration(p: &BaselineProposal, out: &mut Vec<Finding>) {
    let plan = &p.plan;
    let pid = Some(&p.identity.id);

    // Single-figure per-administration tables.
    let mut tables: Vec<&str> = Vec::new();
    for f in &plan.administration_figures {
        if !tables.contains(&f.table.as_str()) {
            tables.push(&f.table);
        }
    }
    for table in tables {
        let rows: Vec<_> = plan
            .administration_figures
            .iter()
            .filter(|f| f.table == table)
            .collect();
        let computed: Decimal = rows
            .iter()
            .filter(|f| !f.is_total)
            .map(|f| f.amount.value())
            .sum();
        for total in rows.iter().filter(|f| f.is_total) {
            if total.amount.value() != computed {
                let written_in = if total.unit_as_written.trim() == THOUSANDS {
                    String::new()
                } else {
                    format!(" (tabellen er skrevet i {})", total.unit_as_written)
                };
                out.push(
                    FindingDraft {
                        proposal: pid,
                        table: table.to_string(),
                        row: total.label.clone(),
                        column: total.basis.clone().or_else(|| total.column.clone()),
                        year: None,
                        unit: THOUSANDS,
                        stated: total.amount.value(),
                        computed,
                        kind: FindingKind::Sum,
                        explanation: format!(
                            "de {} forvaltningsrækker giver tilsammen {}, totalrækken angiver {}{written_in}",
                            rows.iter().filter(|f| !f.is_total).count(),
                            n(computed),
                            n(total.amount.value())
                        ),
                    }
                    .build(),
                );
            }
        }
    }

    // "Tabel 2. Varige ændringer, administration".
    let mut tables: Vec<&str> = Vec::new();
    for e in &plan.administration_effects {
        if !tables.contains(&e.table.as_str()) {
            tables.push(&e.table);
        }
    }
    for table in tables {
        let rows: Vec<_> = plan
            .administration_effects
            .iter()
            .filter(|e| e.table == table)
            .collect();
        for total in rows.iter().filter(|e| e.is_total) {
            for (year, stated) in total.amounts.iter() {
                let computed: Decimal = rows
                    .iter()
                    .filter(|e| !e.is_total)
                    .map(|e| e.amounts.get_or_zero(*year).value())
                    .sum();
                if computed != stated.value() {
                    out.push(
                        FindingDraft {
                            proposal: pid,
                            table: table.to_string(),
                            row: total.label.clone(),
                            column: None,
                            year: Some(*year),
                            unit: THOUSANDS,
                            stated: stated.value(),
                            computed,
                            kind: FindingKind::Sum,
                            explanation: format!(
                                "rækkerne giver tilsammen {}, totalrækken angiver {}",
                                n(computed),
                                n(stated.value())
                            ),
                        }
                        .build(),
                    );
                }
            }
        }
    }
}

/// Goals and milestones due before the proposal was approved ("Dato for godkendelse"): a
/// checkpoint that ended before the proposal existed in its final form is a suspect date (BC12's
/// "1. kvartal 2024" in a proposal approved on 27 June 2024), listed with the quarters.
fn check_dates_before_proposal(
    p: &BaselineProposal,
    ctx: &crate::period::ResolveContext,
    out: &mut Vec<Finding>,
) {
    use crate::period::{parse_when, resolve, ResolvedSchedule};
    let Some(approved) = p.approved_on else {
        return;
    };
    let plan = &p.plan;
    let items = plan
        .goals
        .iter()
        .map(|g| (g.id.to_string(), &g.text, &g.when))
        .chain(
            plan.milestones
                .iter()
                .map(|m| (m.id.to_string(), &m.text, &m.when)),
        );
    for (id, text, when) in items {
        let ResolvedSchedule::Checkpoints(windows) = resolve(&parse_when(when), ctx) else {
            continue;
        };
        let before: Vec<String> = windows
            .iter()
            .filter(|w| w.last_day() < approved)
            .map(ToString::to_string)
            .collect();
        if before.is_empty() {
            continue;
        }
        let count = Decimal::from(before.len());
        out.push(
            FindingDraft {
                proposal: Some(&p.identity.id),
                table: "Opfølgningsmål".to_string(),
                // The goal's id alone, so that reports can mark the goal (see `GoalRow`).
                row: id.clone(),
                column: Some(format!("Hvornår: {when}")),
                year: None,
                unit: "kontrolpunkter",
                stated: count,
                computed: Decimal::ZERO,
                kind: FindingKind::DateBeforeProposal,
                explanation: format!(
                    "«{text}»: {} af {} kontrolpunkter ({}) slutter før forslaget blev godkendt af Center for Økonomi den {approved}",
                    before.len(),
                    windows.len(),
                    before.join(", ")
                ),
            }
            .build(),
        );
    }
}

/// Effect planned before the goal that produces it: the earliest realisation goal's first
/// checkpoint starts in quarter q of year Y; counted from there, a year before Y can have no
/// effect and Y at most (5 − q)/4 of the full phase-in year's. Informational, like every
/// finding: the appendix may mean partial effect before a goal is met, and says so nowhere. BC01 plans −297 in 2025 and 78 % of its full effect in
/// 2026 while "Effektivisering 1 gennemført" is due in the second quarter of 2026; BC14 plans half
/// a year's parking income in 2026 while the income goal is due "Ultimo 2026/primo 2027".
fn check_effect_before_goal(
    p: &BaselineProposal,
    ctx: &crate::period::ResolveContext,
    out: &mut Vec<Finding>,
) {
    use crate::period::{parse_when, resolve, ResolvedSchedule};
    use crate::proposal::GoalSection;
    let plan = &p.plan;
    let first = plan
        .goals
        .iter()
        .filter(|g| g.section == GoalSection::Realisation)
        .filter_map(|g| match resolve(&parse_when(&g.when), ctx) {
            ResolvedSchedule::Checkpoints(w) => w.first().map(|w| (w.start(), g)),
            ResolvedSchedule::Unresolved { .. } => None,
        })
        .min_by_key(|(start, _)| *start);
    let (Some((start, goal)), Some(full_year)) = (first, plan.full_phase_in_year()) else {
        return;
    };
    let full = plan.computed_total(TotalKind::PermanentChange, None, full_year);
    if full >= Decimal::ZERO {
        return;
    }
    let goal_year = start.year.get();
    for year in plan.years.iter().copied().filter(|y| *y <= goal_year) {
        let planned = plan.computed_total(TotalKind::PermanentChange, None, year);
        let quarters = if year < goal_year {
            0
        } else {
            5 - start.quarter.number()
        };
        let most = full * Decimal::from(quarters) / Decimal::from(4);
        // Savings are negative: more effect than possible is below `most`.
        if planned < Decimal::ZERO && planned < most {
            out.push(
                FindingDraft {
                    proposal: Some(&p.identity.id),
                    table: "Tabel 1 vs opfølgningsmål".to_string(),
                    row: "Samlet varig ændring".to_string(),
                    column: None,
                    year: Some(year),
                    unit: THOUSANDS,
                    stated: planned,
                    computed: most,
                    kind: FindingKind::EffectBeforeGoal,
                    explanation: format!(
                        "Tabel 1 regner med {} i {year}; det første realiseringsmål ({} «{}», Hvornår: {}) er sat til {start}, så regnet derfra kan {year} højst have {quarters}/4 af den fulde effekt i {full_year} ({}): {}",
                        n(planned),
                        goal.id,
                        goal.text,
                        goal.when,
                        n(full),
                        n(most)
                    ),
                }
                .build(),
            );
        }
    }
}

/// "Tabel 2. Varige ændringer, administration" against the Tabel 1 lines it restates (where the
/// transcription names them): BC11's administrative lines give −45.200 in 2026, its Tabel 2
/// −43.700.
fn check_administration_against_tabel_1(p: &BaselineProposal, out: &mut Vec<Finding>) {
    if p.administration_lines.is_empty() {
        return;
    }
    let plan = &p.plan;
    let names: Vec<String> = p
        .administration_lines
        .iter()
        .map(ToString::to_string)
        .collect();
    for total in plan.administration_effects.iter().filter(|e| e.is_total) {
        for (year, stated) in total.amounts.iter() {
            // Bounded amounts over a handful of lines: no overflow.
            let computed: Decimal = plan
                .lines
                .iter()
                .filter(|l| p.administration_lines.contains(&l.id))
                .map(|l| l.amounts.get_or_zero(*year).value())
                .sum();
            if computed != stated.value() {
                out.push(
                    FindingDraft {
                        proposal: Some(&p.identity.id),
                        table: format!("{} vs Tabel 1", total.table),
                        row: total.label.clone(),
                        column: None,
                        year: Some(*year),
                        unit: THOUSANDS,
                        stated: stated.value(),
                        computed,
                        kind: FindingKind::BetweenTables,
                        explanation: format!(
                            "Tabel 1's administrative linjer ({}) giver {}, totalrækken angiver {}",
                            names.join(", "),
                            n(computed),
                            n(stated.value())
                        ),
                    }
                    .build(),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Front matter
// ---------------------------------------------------------------------------------------------

/// An exact figure in mio. kr. and how many already-rounded inputs went into it.
#[derive(Debug, Clone, Copy, Default)]
struct Exact {
    value: Decimal,
    rounded_inputs: u32,
}

impl std::ops::Add for Exact {
    type Output = Exact;
    fn add(self, other: Exact) -> Exact {
        Exact {
            value: self.value + other.value,
            rounded_inputs: self.rounded_inputs + other.rounded_inputs,
        }
    }
}

impl std::iter::Sum for Exact {
    fn sum<I: Iterator<Item = Exact>>(iter: I) -> Exact {
        iter.fold(Exact::default(), |a, b| a + b)
    }
}

/// A proposal's front-matter figures, exact from its 1.000 kr. rows, or (BC08) as published.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    investment_service: Exact,
    investment_capital: Exact,
    savings_service: Exact,
    savings_transfers: Exact,
}

impl Figures {
    fn investment_total(&self) -> Exact {
        self.investment_service + self.investment_capital
    }
}

fn figures(p: &BaselineProposal) -> Figures {
    let h = p.plan.headline();
    let figure = |thousands: Decimal| Exact {
        value: thousands / Decimal::ONE_THOUSAND,
        rounded_inputs: u32::from(h.published_only),
    };
    Figures {
        investment_service: figure(h.investment_service),
        investment_capital: figure(h.investment_capital),
        savings_service: figure(h.savings_service),
        savings_transfers: figure(h.savings_transfers),
    }
}

/// The sum of some printed rounded rows a stated figure summarises.
struct Printed {
    table: String,
    sum: Decimal,
    what: String,
}

struct MioCheck<'a> {
    table: &'a str,
    row: &'a str,
    column: &'a str,
    stated: Decimal,
    exact: Exact,
    printed: Vec<Printed>,
}

fn mio_check(c: MioCheck<'_>, out: &mut Vec<Finding>) {
    let tolerance = MIO_TOLERANCE * Decimal::from(1 + c.exact.rounded_inputs);
    let computed = c.exact.value;
    let published = if c.exact.rounded_inputs > 0 {
        format!(
            " (inkl. {} tal, der kun er offentliggjort i mio. kr. (fortroligt forslag), så tolerancen er {})",
            c.exact.rounded_inputs,
            n(tolerance)
        )
    } else {
        String::new()
    };
    if (c.stated - computed).abs() > tolerance {
        let sign = !c.stated.is_zero() && (c.stated + computed).abs() <= tolerance;
        let (kind, explanation) = if sign {
            (
                FindingKind::Sign,
                format!(
                    "rækkerne i 1.000 kr. giver {}{published}; det angivne {} stemmer kun med modsat fortegn",
                    danish_digits(mio_text(computed)),
                    danish_digits(mio_text(c.stated))
                ),
            )
        } else {
            (
                FindingKind::Sum,
                format!(
                    "rækkerne i 1.000 kr. giver {}{published}, som ikke afrundes til det angivne {}",
                    danish_digits(mio_text(computed)),
                    danish_digits(mio_text(c.stated))
                ),
            )
        };
        out.push(
            FindingDraft {
                proposal: None,
                table: c.table.to_string(),
                row: c.row.to_string(),
                column: Some(c.column.to_string()),
                year: None,
                unit: MIO,
                stated: c.stated,
                computed,
                kind,
                explanation,
            }
            .build(),
        );
        return;
    }
    for printed in c.printed {
        if printed.sum != c.stated {
            out.push(
                FindingDraft {
                    proposal: None,
                    table: printed.table,
                    row: c.row.to_string(),
                    column: Some(c.column.to_string()),
                    year: None,
                    unit: MIO,
                    stated: c.stated,
                    computed: printed.sum,
                    kind: FindingKind::Rounding,
                    explanation: format!(
                        "de trykte {} giver tilsammen {}; det angivne {} stemmer med de eksakte {} fra rækkerne i 1.000 kr. (tolerance {}{}), så forskellen skyldes sammenlægning af afrundede tal",
                        printed.what,
                        danish_digits(mio_text(printed.sum)),
                        danish_digits(mio_text(c.stated)),
                        danish_digits(mio_text(computed)),
                        n(tolerance),
                        if c.exact.rounded_inputs > 0 {
                            format!(", inkl. {} tal, der kun er offentliggjort i mio. kr. (fortroligt forslag)", c.exact.rounded_inputs)
                        } else {
                            String::new()
                        }
                    ),
                }
                .build(),
            );
        }
    }
}

fn is_innovation(identity: &ProposalIdentity) -> bool {
    matches!(
        identity.kind,
        ProposalKind::Innovation | ProposalKind::PreStudy
    )
}

const FRONT_1: &str = "Tabel 1 (forside)";
const FRONT_2: &str = "Tabel 2 (forside)";
const FRONT_3: &str = "Tabel 3 (forside)";
const COL_COUNT: &str = "Antal";
const COL_INNOVATION: &str = "(innovationsforslag)";
const COL_INVESTMENT: &str = "Investering i alt";
const COL_SAVINGS: &str = "Effektiviseringer ved fuld indfasning, service";

fn count_check(row: &str, column: &str, stated: u32, computed: usize, out: &mut Vec<Finding>) {
    let computed = Decimal::from(computed);
    let stated = Decimal::from(stated);
    if stated != computed {
        out.push(
            FindingDraft {
                proposal: None,
                table: FRONT_1.into(),
                row: row.into(),
                column: Some(column.into()),
                year: None,
                unit: "antal",
                stated,
                computed,
                kind: FindingKind::Count,
                explanation: format!(
                    "filen har {} sådanne forslag, tabellen angiver {}",
                    computed, stated
                ),
            }
            .build(),
        );
    }
}

fn check_front_tabel_1(file: &BaselineFile, out: &mut Vec<Finding>) {
    let t2_by_proposal: BTreeMap<&ProposalId, &super::InvestmentPoolRow> = file
        .investment_pool
        .iter()
        .filter_map(|r| r.proposal.as_ref().map(|p| (p, r)))
        .collect();
    let t3_by_proposal: BTreeMap<&ProposalId, &super::InnovationPoolRow> = file
        .innovation_pool
        .iter()
        .filter_map(|r| r.proposal.as_ref().map(|p| (p, r)))
        .collect();
    let committee_rows: Vec<_> = file
        .committee_table
        .iter()
        .filter(|r| r.committee.is_some())
        .collect();

    for row in &file.committee_table {
        let proposals: Vec<&BaselineProposal> = match row.committee {
            Some(c) => file
                .proposals
                .iter()
                .filter(|p| p.identity.committee == c)
                .collect(),
            None => file.proposals.iter().collect(),
        };
        count_check(&row.label, COL_COUNT, row.proposals, proposals.len(), out);
        if let Some(n) = row.innovation_proposals {
            let innovation = proposals
                .iter()
                .filter(|p| is_innovation(&p.identity))
                .count();
            count_check(&row.label, COL_INNOVATION, n, innovation, out);
        }

        let figs: Vec<Figures> = proposals.iter().map(|p| figures(p)).collect();
        let investment: Exact = figs.iter().map(Figures::investment_total).sum();
        let savings: Exact = figs.iter().map(|f| f.savings_service).sum();

        let (printed_investment, printed_savings) = match row.committee {
            Some(_) => {
                let inv: Decimal = proposals
                    .iter()
                    .map(|p| {
                        let t2 = t2_by_proposal
                            .get(&p.identity.id)
                            .map_or(Decimal::ZERO, |r| {
                                r.investment_service + r.investment_capital
                            });
                        let t3 = t3_by_proposal
                            .get(&p.identity.id)
                            .map_or(Decimal::ZERO, |r| r.innovation_pool_service);
                        t2 + t3
                    })
                    .sum();
                let sav: Decimal = proposals
                    .iter()
                    .filter_map(|p| t2_by_proposal.get(&p.identity.id))
                    .map(|r| r.savings_service)
                    .sum();
                let what = format!(
                    "rækker for udvalgets {} forslag i Tabel 2 og 3",
                    proposals.len()
                );
                (
                    vec![Printed {
                        table: format!("{FRONT_1} vs Tabel 2 + Tabel 3 (forside)"),
                        sum: inv,
                        what: what.clone(),
                    }],
                    vec![Printed {
                        table: format!("{FRONT_1} vs {FRONT_2}"),
                        sum: sav,
                        what,
                    }],
                )
            }
            None => {
                let mut inv = vec![Printed {
                    table: FRONT_1.into(),
                    sum: committee_rows.iter().map(|r| r.investment_total).sum(),
                    what: "udvalgsrækker".into(),
                }];
                let t2_total = file.investment_pool.iter().find(|r| r.proposal.is_none());
                let t3_total = file.innovation_pool.iter().find(|r| r.proposal.is_none());
                if let (Some(t2), Some(t3)) = (t2_total, t3_total) {
                    inv.push(Printed {
                        table: format!("{FRONT_1} vs Tabel 2 + Tabel 3 (forside)"),
                        sum: t2.investment_service
                            + t2.investment_capital
                            + t3.innovation_pool_service,
                        what: "«I alt»-rækker i Tabel 2 (service + anlæg) og Tabel 3".into(),
                    });
                }
                (
                    inv,
                    vec![Printed {
                        table: FRONT_1.into(),
                        sum: committee_rows
                            .iter()
                            .map(|r| r.savings_full_phase_in_service)
                            .sum(),
                        what: "udvalgsrækker".into(),
                    }],
                )
            }
        };
        mio_check(
            MioCheck {
                table: FRONT_1,
                row: &row.label,
                column: COL_INVESTMENT,
                stated: row.investment_total,
                exact: investment,
                printed: printed_investment,
            },
            out,
        );
        mio_check(
            MioCheck {
                table: FRONT_1,
                row: &row.label,
                column: COL_SAVINGS,
                stated: row.savings_full_phase_in_service,
                exact: savings,
                printed: printed_savings,
            },
            out,
        );
    }
}

fn check_front_tabel_2(file: &BaselineFile, out: &mut Vec<Finding>) {
    type Column = (
        &'static str,
        fn(&super::InvestmentPoolRow) -> Decimal,
        fn(&Figures) -> Exact,
    );
    let columns: [Column; 4] = [
        (
            "Investeringer, Service",
            |r| r.investment_service,
            |f| f.investment_service,
        ),
        (
            "Investeringer, Anlæg",
            |r| r.investment_capital,
            |f| f.investment_capital,
        ),
        (
            "Varige effektiviseringer, Service",
            |r| r.savings_service,
            |f| f.savings_service,
        ),
        (
            "Varige effektiviseringer, Overførsler mv.",
            |r| r.savings_transfers,
            |f| f.savings_transfers,
        ),
    ];
    let rows: Vec<(&super::InvestmentPoolRow, &BaselineProposal)> = file
        .investment_pool
        .iter()
        .filter_map(|r| {
            let pid = r.proposal.as_ref()?;
            file.proposal(pid).map(|p| (r, p))
        })
        .collect();

    for (row, p) in &rows {
        // A confidential proposal's row is its public summary: nothing to recompute.
        if p.plan.lines.is_empty() && p.plan.public_summary.is_some() {
            continue;
        }
        let f = figures(p);
        for (column, stated, computed) in &columns {
            mio_check(
                MioCheck {
                    table: FRONT_2,
                    row: &row.label,
                    column,
                    stated: stated(row),
                    exact: computed(&f),
                    printed: vec![],
                },
                out,
            );
        }
        if let Some(stated) = row.payback_years {
            let own = p.plan.stated_payback.as_ref().and_then(|s| s.service_years);
            let (computed, kind, explanation) = match own {
                Some(own) => (
                    own,
                    FindingKind::BetweenTables,
                    format!(
                        "the proposal's own Tabel 1 states {} år (service)",
                        own.normalize()
                    ),
                ),
                None => {
                    let c = plan_payback(&p.plan, Basis::Service);
                    (
                        c.map_or(Decimal::ZERO, |c| Decimal::from(c.years)),
                        FindingKind::Payback,
                        match c {
                            Some(c) => format!("the payback rule gives {} år (service)", c.years),
                            None => "the payback rule finds no payback within the plan's years (computed is 0 for 'none')".into(),
                        },
                    )
                }
            };
            if stated != computed {
                out.push(
                    FindingDraft {
                        proposal: Some(&p.identity.id),
                        table: FRONT_2.into(),
                        row: row.label.clone(),
                        column: Some("Tilbagebetalingstid, år".into()),
                        year: None,
                        unit: "år",
                        stated,
                        computed,
                        kind,
                        explanation,
                    }
                    .build(),
                );
            }
        }
    }

    for total in file.investment_pool.iter().filter(|r| r.proposal.is_none()) {
        for (column, stated, computed) in &columns {
            let exact: Exact = rows.iter().map(|(_, p)| computed(&figures(p))).sum();
            let printed: Decimal = rows.iter().map(|(r, _)| stated(r)).sum();
            mio_check(
                MioCheck {
                    table: FRONT_2,
                    row: &total.label,
                    column,
                    stated: stated(total),
                    exact,
                    printed: vec![Printed {
                        table: FRONT_2.into(),
                        sum: printed,
                        what: format!("{} forslagsrækker", rows.len()),
                    }],
                },
                out,
            );
        }
    }
}

fn check_front_tabel_3(file: &BaselineFile, out: &mut Vec<Finding>) {
    const COLUMN: &str = "Innovationspulje (service)";
    let rows: Vec<(&super::InnovationPoolRow, &BaselineProposal)> = file
        .innovation_pool
        .iter()
        .filter_map(|r| {
            let pid = r.proposal.as_ref()?;
            file.proposal(pid).map(|p| (r, p))
        })
        .collect();
    for (row, p) in &rows {
        mio_check(
            MioCheck {
                table: FRONT_3,
                row: &row.label,
                column: COLUMN,
                stated: row.innovation_pool_service,
                exact: figures(p).investment_service,
                printed: vec![],
            },
            out,
        );
    }
    for total in file.innovation_pool.iter().filter(|r| r.proposal.is_none()) {
        mio_check(
            MioCheck {
                table: FRONT_3,
                row: &total.label,
                column: COLUMN,
                stated: total.innovation_pool_service,
                exact: rows
                    .iter()
                    .map(|(_, p)| figures(p).investment_service)
                    .sum(),
                printed: vec![Printed {
                    table: FRONT_3.into(),
                    sum: rows.iter().map(|(r, _)| r.innovation_pool_service).sum(),
                    what: format!("{} forslagsrækker", rows.len()),
                }],
            },
            out,
        );
    }
}
