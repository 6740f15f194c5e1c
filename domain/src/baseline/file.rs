//! The TOML schema as serde structs (`Raw*`), mirroring `baselines/budget-2025-bilag-7.toml`
//! field for field, and their conversion into the typed [`BaselineFile`].
//!
//! Every struct refuses unknown fields: a misspelt field in a hand transcription would otherwise
//! be dropped silently. Amounts stay strings here and are parsed during conversion, so that an
//! error can name the proposal, the row and the year.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::statement::{Claim, Statement};
use super::{
    BaselineError, BaselineFile, BaselineProposal, CommitteeSummaryRow, DocumentInfo,
    InnovationPoolRow, InvestmentPoolRow, LoanRepayment,
};
use crate::ids::{GoalId, MilestoneId, PlanLineId, ProposalId};
use crate::money::{Amount, PriceLevel};
use crate::proposal::plan::{
    AdministrationEffect, AdministrationFigure, CommitteeDistribution, DistributionTotal,
    FutureInvestment, Goal, GoalSection, Milestone, Phase, Plan, PlanLine, PlanSection,
    ProposalIdentity, PublicSummary, Risk, StatedPayback, StatedTotal, TotalKind, UndatedPhase,
    UnratedRisk, YearlyAmounts,
};
use crate::vocabulary::{
    Administration, Committee, ControlArea, OrgName, OrgNames, ProposalKind, Recommendation,
    RiskLevel,
};

/// The schema version this loader reads.
pub(super) const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    schema_version: u32,
    document: RawDocument,
    #[serde(default)]
    summary: RawSummary,
    /// The committees the document names (`[[committee]] code = "ØU", name = "…"`).
    #[serde(default)]
    committee: Vec<RawOrg>,
    /// The administrations the document names (`[[administration]]`).
    #[serde(default)]
    administration: Vec<RawOrg>,
    /// The control areas' names as the document writes them (`[[control_area]]`), optional.
    #[serde(default)]
    control_area: Vec<RawOrg>,
    #[serde(default)]
    proposal: Vec<RawProposal>,
}

/// A committee or administration as the file declares it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    code: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    title: String,
    appendix: Option<String>,
    municipality: Option<String>,
    budget_round: String,
    unit: String,
    price_level: i32,
    source_file: Option<String>,
    recommendation: Option<String>,
    proposal_id_prefix: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSummary {
    #[serde(default)]
    committee_table: Vec<RawCommitteeRow>,
    #[serde(default)]
    investment_pool_row: Vec<RawInvestmentPoolRow>,
    #[serde(default)]
    innovation_pool_row: Vec<RawInnovationPoolRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommitteeRow {
    committee: String,
    note: Option<String>,
    proposals: u32,
    innovation_proposals: Option<u32>,
    investment_total: String,
    savings_full_phase_in_service: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInvestmentPoolRow {
    proposal: String,
    committee: Option<String>,
    title: Option<String>,
    footnote: Option<String>,
    investment_service: String,
    investment_capital: String,
    savings_service: String,
    savings_transfers: String,
    payback_years: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInnovationPoolRow {
    proposal: String,
    committee: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    innovation_pool_service: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProposal {
    id: String,
    approved_on: Option<String>,
    title: String,
    heading: Option<String>,
    kind: String,
    committee: String,
    presenting_administration: Option<String>,
    #[serde(default)]
    affected_administrations: Vec<String>,
    #[serde(default)]
    units: Vec<String>,
    budget_round: Option<String>,
    price_level: Option<i32>,
    price_level_note: Option<String>,
    confidential: bool,
    political_priority: bool,
    recommendation: Option<String>,
    from_innovation_proposal: Option<bool>,
    simplification_programme: Option<bool>,
    #[serde(default)]
    years: Vec<i32>,
    summary: Option<String>,
    #[serde(default)]
    plan_line: Vec<RawPlanLine>,
    #[serde(default)]
    stated_total: Vec<RawStatedTotal>,
    stated_payback: Option<RawStatedPayback>,
    #[serde(default)]
    committee_distribution: Vec<RawDistribution>,
    #[serde(default)]
    administration_effect: Vec<RawAdministrationEffect>,
    future_investment: Option<RawFutureInvestment>,
    #[serde(default)]
    loan_repayment: Vec<RawLoanRepayment>,
    #[serde(default)]
    phase: Vec<RawPhase>,
    #[serde(default)]
    milestone: Vec<RawMilestone>,
    #[serde(default)]
    goal: Vec<RawGoal>,
    #[serde(default)]
    risk: Vec<RawRisk>,
    public_summary: Option<RawPublicSummary>,
    #[serde(default)]
    statement: Vec<RawStatement>,
}

/// A figure the prose states (`[[proposal.statement]]`, see `super::statement`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    section: String,
    quote: String,
    claim: String,
    mio: Option<String>,
    control_area: Option<String>,
    from: Option<i32>,
    to: Option<i32>,
    line: Option<String>,
    year: Option<i32>,
    of_line: Option<String>,
    of_year: Option<i32>,
    fraction: Option<String>,
    reading: Option<String>,
}

impl RawStatement {
    /// The statement, with its lines and years checked against the plan's.
    fn convert(
        self,
        ctx: &str,
        years: &BTreeSet<i32>,
        lines: &[PlanLine],
    ) -> Result<Statement, BaselineError> {
        let need = |field: &str, value: Option<&str>| {
            value
                .map(str::to_string)
                .ok_or_else(|| invalid(ctx, format!("{} kræver {field}", self.claim)))
        };
        let mio_of = |v: Option<&String>| -> Result<Decimal, BaselineError> {
            mio(&format!("{ctx}, mio"), &need("mio", v.map(String::as_str))?)
        };
        let year_of = |field: &str, y: Option<i32>| -> Result<i32, BaselineError> {
            let y = y.ok_or_else(|| invalid(ctx, format!("{} kræver {field}", self.claim)))?;
            if years.contains(&y) {
                Ok(y)
            } else {
                Err(invalid(
                    ctx,
                    format!("{field} {y} er ikke et af forslagets år"),
                ))
            }
        };
        let line_of = |field: &str, l: Option<&String>| -> Result<PlanLineId, BaselineError> {
            let raw = need(field, l.map(String::as_str))?;
            let line: PlanLineId = id(&format!("{ctx}, {field}"), &raw)?;
            if lines.iter().any(|x| x.id == line) {
                Ok(line)
            } else {
                Err(invalid(
                    ctx,
                    format!("{field} {line} er ikke en linje i planen"),
                ))
            }
        };
        let claim = match self.claim.as_str() {
            "permanent_change_full_phase_in" => Claim::PermanentChangeAtFullPhaseIn {
                mio: mio_of(self.mio.as_ref())?,
            },
            "implementation_cost" => Claim::ImplementationCost {
                area: self
                    .control_area
                    .as_deref()
                    .map(|c| word::<ControlArea>(&format!("{ctx}, control_area"), c))
                    .transpose()?,
                mio: mio_of(self.mio.as_ref())?,
            },
            "total_impact" => {
                let (from, to) = (year_of("from", self.from)?, year_of("to", self.to)?);
                if to < from {
                    return Err(invalid(ctx, format!("to {to} ligger før from {from}")));
                }
                Claim::TotalImpact {
                    from,
                    to,
                    mio: mio_of(self.mio.as_ref())?,
                }
            }
            "share" => {
                let fraction = need("fraction", self.fraction.as_deref())?;
                let (numerator, denominator) = Claim::fraction(&fraction).ok_or_else(|| {
                    invalid(
                        ctx,
                        format!("«{fraction}» er ikke en brøk mellem 0 og 1 (skriv fx 2/3)"),
                    )
                })?;
                Claim::Share {
                    line: line_of("line", self.line.as_ref())?,
                    year: year_of("year", self.year)?,
                    of_line: line_of("of_line", self.of_line.as_ref())?,
                    of_year: year_of("of_year", self.of_year)?,
                    numerator,
                    denominator,
                }
            }
            other => {
                return Err(invalid(
                    ctx,
                    format!(
                        "«{other}» er ikke en slags udsagn: brug permanent_change_full_phase_in, \
                         implementation_cost, total_impact eller share"
                    ),
                ))
            }
        };
        Ok(Statement {
            section: self.section,
            quote: self.quote,
            claim,
            reading: self.reading,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlanLine {
    id: String,
    label: String,
    section: PlanSection,
    control_area: String,
    #[serde(default)]
    control_area_inferred: bool,
    committee: Option<String>,
    note: Option<String>,
    amounts: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatedTotal {
    label: String,
    kind: TotalKind,
    control_area: Option<String>,
    control_area_cell: Option<String>,
    note: Option<String>,
    amounts: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatedPayback {
    service_years: Option<String>,
    total_economy_years: Option<String>,
    service_cell: Option<String>,
    total_economy_cell: Option<String>,
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDistribution {
    table: String,
    caption: Option<String>,
    committee: Option<String>,
    committee_label: Option<String>,
    administration: Option<String>,
    unit: Option<String>,
    appropriation: Option<String>,
    control_area: Option<String>,
    basis: Option<String>,
    column: Option<String>,
    unit_of_amount: Option<String>,
    #[serde(default)]
    is_total: bool,
    amounts: Option<BTreeMap<String, String>>,
    total: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdministrationEffect {
    table: String,
    label: String,
    #[serde(default)]
    is_total: bool,
    note: Option<String>,
    amounts: BTreeMap<String, String>,
    /// On the total row: the Tabel 1 lines the table restates (a transcription call).
    restates_lines: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFutureInvestment {
    table: String,
    expense: String,
    expected_adoption: String,
    savings_potential: String,
    #[serde(default)]
    criteria: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLoanRepayment {
    year: i32,
    amount: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    name: String,
    what: Option<String>,
    how: Option<String>,
    start: Option<String>,
    end: Option<String>,
    when: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMilestone {
    id: String,
    name: String,
    text: String,
    when: String,
    when_as_written: Option<String>,
    phase: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGoal {
    id: String,
    section: GoalSection,
    phase: Option<String>,
    text: String,
    measure: String,
    responsible: String,
    when: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRisk {
    scope: String,
    level: Option<String>,
    level_as_written: Option<String>,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublicSummary {
    source: String,
    unit: String,
    investment_service: String,
    investment_capital: String,
    savings_service: String,
    savings_transfers: String,
    payback_years: Option<String>,
    footnote: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

/// Labels that mark a table's own total row rather than a committee, proposal or administration.
fn is_total_label(label: &str) -> bool {
    let l = label.trim().to_lowercase();
    l == "i alt" || l == "total" || l.ends_with(" i alt")
}

fn amount(context: &str, text: &str) -> Result<Amount, BaselineError> {
    Amount::parse(text).map_err(|source| BaselineError::Amount {
        context: context.to_string(),
        source,
    })
}

/// A front-matter figure in mio. kr.: a plain decimal with at most one decimal.
fn mio(context: &str, text: &str) -> Result<Decimal, BaselineError> {
    let refuse = || BaselineError::Mio {
        context: context.to_string(),
        value: text.to_string(),
    };
    let value = Decimal::from_str(text.trim()).map_err(|_| refuse())?;
    if value.normalize().scale() > 1 {
        return Err(refuse());
    }
    Ok(value)
}

/// A payback cell's number of years ("4", "1.5").
fn years_figure(context: &str, text: &str) -> Result<Decimal, BaselineError> {
    Decimal::from_str(text.trim()).map_err(|_| BaselineError::Invalid {
        context: context.to_string(),
        message: format!("«{text}» er ikke et antal år"),
    })
}

fn word<T: FromStr<Err = crate::vocabulary::VocabularyError>>(
    context: &str,
    text: &str,
) -> Result<T, BaselineError> {
    text.parse().map_err(|source| BaselineError::Vocabulary {
        context: context.to_string(),
        source,
    })
}

fn id<T: FromStr<Err = crate::ids::IdError>>(
    context: &str,
    text: &str,
) -> Result<T, BaselineError> {
    text.parse().map_err(|source| BaselineError::Id {
        context: context.to_string(),
        source,
    })
}

fn invalid(context: &str, message: impl Into<String>) -> BaselineError {
    BaselineError::Invalid {
        context: context.to_string(),
        message: message.into(),
    }
}

/// Parses an `amounts` table; its years must be exactly `years` (`exact`) or among them.
fn yearly(
    context: &str,
    raw: &BTreeMap<String, String>,
    years: &BTreeSet<i32>,
    exact: bool,
) -> Result<YearlyAmounts, BaselineError> {
    let mut out = YearlyAmounts::default();
    for (key, value) in raw {
        let year: i32 = key
            .trim()
            .parse()
            .map_err(|_| invalid(context, format!("«{key}» er ikke et år")))?;
        if !years.contains(&year) {
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            return Err(invalid(
                context,
                format!("{year} er ikke et af forslagets år ({})", list.join(", ")),
            ));
        }
        out.insert(year, amount(&format!("{context}, {year}"), value)?);
    }
    if exact {
        let missing: Vec<i32> = years
            .iter()
            .filter(|y| !out.as_map().contains_key(*y))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(invalid(
                context,
                format!("intet beløb for {missing:?}: hver række skal have alle forslagets år (skriv \"0\" for en tom celle)"),
            ));
        }
    }
    Ok(out)
}

fn date(context: &str, text: &str) -> Result<NaiveDate, BaselineError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(
            context,
            format!("«{text}» er ikke en dato (skriv ÅÅÅÅ-MM-DD)"),
        )
    })
}

impl RawFile {
    pub(super) fn convert(self) -> Result<BaselineFile, BaselineError> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(BaselineError::SchemaVersion(self.schema_version));
        }
        let d = self.document;
        let price_level =
            PriceLevel::new(d.price_level).map_err(|source| BaselineError::Amount {
                context: "document.price_level".into(),
                source,
            })?;
        let document = DocumentInfo {
            title: d.title,
            appendix: d.appendix,
            municipality: d.municipality,
            budget_round: d.budget_round,
            unit: d.unit,
            price_level,
            source_file: d.source_file,
            recommendation: d
                .recommendation
                .as_deref()
                .map(|r| word::<Recommendation>("document.recommendation", r))
                .transpose()?,
            proposal_id_prefix: d.proposal_id_prefix,
        };

        let names = OrgNames {
            municipality: document
                .municipality
                .as_deref()
                .map(|m| word::<OrgName>("document.municipality", m))
                .transpose()?,
            committees: declared(&self.committee, "committee", "udvalget")?,
            administrations: declared(&self.administration, "administration", "forvaltningen")?,
            control_areas: declared(&self.control_area, "control_area", "styringsområdet")?,
        };

        let mut proposals = Vec::new();
        let mut seen = BTreeSet::new();
        for raw in self.proposal {
            let p = raw.convert(&document)?;
            if !seen.insert(p.identity.id.clone()) {
                return Err(invalid(
                    p.identity.id.as_str(),
                    "the proposal appears twice in the file",
                ));
            }
            proposals.push(p);
        }

        let committee_table = self
            .summary
            .committee_table
            .into_iter()
            .map(|r| {
                let ctx = format!("summary.committee_table {}", r.committee);
                let committee = if is_total_label(&r.committee) {
                    None
                } else {
                    Some(word::<Committee>(
                        &format!("{ctx}, committee"),
                        &r.committee,
                    )?)
                };
                Ok(CommitteeSummaryRow {
                    committee,
                    label: r.committee.clone(),
                    note: r.note,
                    proposals: r.proposals,
                    innovation_proposals: r.innovation_proposals,
                    investment_total: mio(
                        &format!("{ctx}, investment_total"),
                        &r.investment_total,
                    )?,
                    savings_full_phase_in_service: mio(
                        &format!("{ctx}, savings_full_phase_in_service"),
                        &r.savings_full_phase_in_service,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let investment_pool = self
            .summary
            .investment_pool_row
            .into_iter()
            .map(|r| {
                let ctx = format!("summary.investment_pool_row {}", r.proposal);
                let proposal = summary_proposal(&ctx, &document, &r.proposal, &seen)?;
                Ok(InvestmentPoolRow {
                    proposal,
                    label: r.proposal.clone(),
                    committee: r
                        .committee
                        .as_deref()
                        .map(|c| word::<Committee>(&format!("{ctx}, committee"), c))
                        .transpose()?,
                    title: r.title,
                    footnote: r.footnote,
                    investment_service: mio(
                        &format!("{ctx}, investment_service"),
                        &r.investment_service,
                    )?,
                    investment_capital: mio(
                        &format!("{ctx}, investment_capital"),
                        &r.investment_capital,
                    )?,
                    savings_service: mio(&format!("{ctx}, savings_service"), &r.savings_service)?,
                    savings_transfers: mio(
                        &format!("{ctx}, savings_transfers"),
                        &r.savings_transfers,
                    )?,
                    payback_years: r
                        .payback_years
                        .as_deref()
                        .map(|t| years_figure(&format!("{ctx}, payback_years"), t))
                        .transpose()?,
                    note: r.note,
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let innovation_pool = self
            .summary
            .innovation_pool_row
            .into_iter()
            .map(|r| {
                let ctx = format!("summary.innovation_pool_row {}", r.proposal);
                let proposal = summary_proposal(&ctx, &document, &r.proposal, &seen)?;
                Ok(InnovationPoolRow {
                    proposal,
                    label: r.proposal.clone(),
                    committee: r
                        .committee
                        .as_deref()
                        .map(|c| word::<Committee>(&format!("{ctx}, committee"), c))
                        .transpose()?,
                    title: r.title,
                    kind: r.kind,
                    innovation_pool_service: mio(
                        &format!("{ctx}, innovation_pool_service"),
                        &r.innovation_pool_service,
                    )?,
                    note: r.note,
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let file = BaselineFile {
            schema_version: self.schema_version,
            document,
            names,
            committee_table,
            investment_pool,
            innovation_pool,
            proposals,
        };
        check_declared(&file)?;
        Ok(file)
    }
}

/// The file's declarations of one kind (`[[committee]]` …) as code → name; a code declared
/// twice is refused, naming it (`what`, Danish, definite: "udvalget").
fn declared<K: Ord + FromStr<Err = crate::vocabulary::VocabularyError>>(
    raws: &[RawOrg],
    table: &str,
    what: &str,
) -> Result<std::collections::BTreeMap<K, OrgName>, BaselineError> {
    let mut out = std::collections::BTreeMap::new();
    for (i, raw) in raws.iter().enumerate() {
        let ctx = format!("{table} {} ({})", i + 1, raw.code);
        let code = word::<K>(&format!("{ctx}, code"), &raw.code)?;
        let name = word::<OrgName>(&format!("{ctx}, name"), &raw.name)?;
        if out.insert(code, name).is_some() {
            return Err(invalid(&ctx, format!("{what} er erklæret to gange")));
        }
    }
    Ok(out)
}

/// Every committee and administration the file uses is one it declares: the codes are data, so
/// this is what catches a typo (`SUDD`) that would otherwise become a committee of its own.
fn check_declared(file: &BaselineFile) -> Result<(), BaselineError> {
    let names = &file.names;
    let committee = |ctx: &str, c: &Committee| {
        if names.committees.contains_key(c) {
            Ok(())
        } else {
            Err(invalid(
                ctx,
                format!(
                    "udvalget «{c}» er ikke erklæret i filen: tilføj [[committee]] code = \"{c}\", name = \"…\" (erklærede: {})",
                    names.committee_codes()
                ),
            ))
        }
    };
    let administration = |ctx: &str, a: &Administration| {
        if names.administrations.contains_key(a) {
            Ok(())
        } else {
            Err(invalid(
                ctx,
                format!(
                    "forvaltningen «{a}» er ikke erklæret i filen: tilføj [[administration]] code = \"{a}\", name = \"…\""
                ),
            ))
        }
    };
    for row in &file.committee_table {
        if let Some(c) = &row.committee {
            committee("summary.committee_table", c)?;
        }
    }
    for row in &file.investment_pool {
        if let Some(c) = &row.committee {
            committee("summary.investment_pool_row", c)?;
        }
    }
    for row in &file.innovation_pool {
        if let Some(c) = &row.committee {
            committee("summary.innovation_pool_row", c)?;
        }
    }
    for p in &file.proposals {
        let id = p.identity.id.as_str();
        committee(&format!("{id} committee"), &p.identity.committee)?;
        for a in p
            .identity
            .presenting_administration
            .iter()
            .chain(&p.identity.affected_administrations)
        {
            administration(&format!("{id} administrations"), a)?;
        }
        for l in &p.plan.lines {
            if let Some(c) = &l.committee {
                committee(&format!("{id} line {}", l.id), c)?;
            }
        }
        for d in &p.plan.committee_distributions {
            committee(&format!("{id} {}", d.table), &d.committee)?;
            if let Some(a) = &d.administration {
                administration(&format!("{id} {}", d.table), a)?;
            }
        }
        for f in &p.plan.administration_figures {
            if let Some(a) = &f.administration {
                administration(&format!("{id} {}", f.table), a)?;
            }
        }
    }
    Ok(())
}

/// A summary row's proposal: `None` for the "I alt" row; otherwise a proposal in the file.
fn summary_proposal(
    ctx: &str,
    document: &DocumentInfo,
    label: &str,
    known: &BTreeSet<ProposalId>,
) -> Result<Option<ProposalId>, BaselineError> {
    if is_total_label(label) {
        return Ok(None);
    }
    let pid: ProposalId = id(
        &format!("{ctx}, proposal"),
        &document.proposal_number(label),
    )?;
    if !known.contains(&pid) {
        return Err(invalid(
            ctx,
            format!("{pid} er ikke et forslag i denne fil"),
        ));
    }
    Ok(Some(pid))
}

impl RawProposal {
    fn convert(self, document: &DocumentInfo) -> Result<BaselineProposal, BaselineError> {
        let pid: ProposalId = id("proposal id", &document.proposal_number(&self.id))?;
        let p = pid.as_str().to_string();
        let years: BTreeSet<i32> = self.years.iter().copied().collect();

        let price_level = match self.price_level {
            Some(y) => PriceLevel::new(y).map_err(|source| BaselineError::Amount {
                context: format!("{p} price_level"),
                source,
            })?,
            None => document.price_level,
        };
        let identity = ProposalIdentity {
            id: pid.clone(),
            title: self.title,
            kind: word::<ProposalKind>(&format!("{p} kind"), &self.kind)?,
            committee: word::<Committee>(&format!("{p} committee"), &self.committee)?,
            presenting_administration: self
                .presenting_administration
                .as_deref()
                .map(|a| word::<Administration>(&format!("{p} presenting_administration"), a))
                .transpose()?,
            affected_administrations: self
                .affected_administrations
                .iter()
                .map(|a| word::<Administration>(&format!("{p} affected_administrations"), a))
                .collect::<Result<_, _>>()?,
            units: self.units,
            budget_round: self
                .budget_round
                .unwrap_or_else(|| document.budget_round.clone()),
            price_level,
            confidential: self.confidential,
            political_priority: self.political_priority,
            recommendation: match self.recommendation.as_deref() {
                Some(r) => Some(word::<Recommendation>(&format!("{p} recommendation"), r)?),
                None => document.recommendation,
            },
        };

        let lines = self
            .plan_line
            .iter()
            .map(|l| {
                let ctx = format!("{p} plan_line {}", l.id);
                Ok(PlanLine {
                    id: id::<PlanLineId>(&format!("{ctx}, id"), &l.id)?,
                    label: l.label.clone(),
                    section: l.section,
                    control_area: word::<ControlArea>(
                        &format!("{ctx}, control_area"),
                        &l.control_area,
                    )?,
                    committee: l
                        .committee
                        .as_deref()
                        .map(|c| word::<Committee>(&format!("{ctx}, committee"), c))
                        .transpose()?,
                    amounts: yearly(&format!("{ctx}, amounts"), &l.amounts, &years, true)?,
                    control_area_inferred: l.control_area_inferred,
                    note: l.note.clone(),
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let stated_totals = self
            .stated_total
            .iter()
            .map(|t| {
                let ctx = format!("{p} stated_total '{}'", t.label);
                Ok(StatedTotal {
                    label: t.label.clone(),
                    kind: t.kind,
                    control_area: t
                        .control_area
                        .as_deref()
                        .map(|c| word::<ControlArea>(&format!("{ctx}, control_area"), c))
                        .transpose()?,
                    amounts: yearly(&format!("{ctx}, amounts"), &t.amounts, &years, true)?,
                    control_area_cell: t.control_area_cell.clone(),
                    note: t.note.clone(),
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let stated_payback = self
            .stated_payback
            .map(|s| {
                let ctx = format!("{p} stated_payback");
                Ok::<_, BaselineError>(StatedPayback {
                    service_years: s
                        .service_years
                        .as_deref()
                        .map(|t| years_figure(&format!("{ctx}, service_years"), t))
                        .transpose()?,
                    total_economy_years: s
                        .total_economy_years
                        .as_deref()
                        .map(|t| years_figure(&format!("{ctx}, total_economy_years"), t))
                        .transpose()?,
                    text: s.text,
                    service_cell: s.service_cell,
                    total_economy_cell: s.total_economy_cell,
                })
            })
            .transpose()?;

        let mut committee_distributions = Vec::new();
        let mut distribution_totals = Vec::new();
        let mut administration_figures = Vec::new();
        for (i, d) in self.committee_distribution.iter().enumerate() {
            let ctx = format!("{p} committee_distribution {} ({})", i + 1, d.table);
            let control_area = d
                .control_area
                .as_deref()
                .map(|c| word::<ControlArea>(&format!("{ctx}, control_area"), c))
                .transpose()?;
            match (&d.amounts, &d.total) {
                (Some(raw), None) => {
                    let amounts = yearly(&format!("{ctx}, amounts"), raw, &years, false)?;
                    if d.is_total {
                        distribution_totals.push(DistributionTotal {
                            table: d.table.clone(),
                            caption: d.caption.clone(),
                            label: d
                                .committee_label
                                .clone()
                                .or_else(|| d.committee.clone())
                                .unwrap_or_else(|| "Total".into()),
                            control_area,
                            basis: d.basis.clone(),
                            amounts,
                        });
                    } else {
                        let committee = d.committee.as_deref().ok_or_else(|| {
                            invalid(
                                &ctx,
                                "a row with yearly amounts needs a committee (or is_total = true)",
                            )
                        })?;
                        committee_distributions.push(CommitteeDistribution {
                            table: d.table.clone(),
                            committee: word::<Committee>(&format!("{ctx}, committee"), committee)?,
                            administration: d
                                .administration
                                .as_deref()
                                .map(|a| {
                                    word::<Administration>(&format!("{ctx}, administration"), a)
                                })
                                .transpose()?,
                            control_area,
                            basis: d.basis.clone(),
                            amounts,
                            label: d.committee_label.clone(),
                            unit: d.unit.clone(),
                            appropriation: d.appropriation.clone(),
                            caption: d.caption.clone(),
                        });
                    }
                }
                (None, Some(total)) => {
                    let label = d
                        .administration
                        .clone()
                        .or_else(|| d.committee.clone())
                        .ok_or_else(|| {
                            invalid(&ctx, "a single-figure row needs an administration")
                        })?;
                    let administration = if d.is_total {
                        None
                    } else {
                        Some(word::<Administration>(
                            &format!("{ctx}, administration"),
                            &label,
                        )?)
                    };
                    let unit_as_written = d
                        .unit_of_amount
                        .clone()
                        .unwrap_or_else(|| "1.000 kr.".into());
                    let written = amount(&format!("{ctx}, total"), total)?;
                    let in_thousands = match unit_as_written.trim() {
                        "kr." | "kr" => Amount::new(written.value() / Decimal::ONE_THOUSAND)
                            .map_err(|source| BaselineError::Amount {
                                context: format!("{ctx}, total (kr. → 1.000 kr.)"),
                                source,
                            })?,
                        "1.000 kr." | "t. kr." => written,
                        other => {
                            return Err(invalid(
                                &ctx,
                                format!("unit_of_amount «{other}» er hverken kr. eller 1.000 kr."),
                            ))
                        }
                    };
                    administration_figures.push(AdministrationFigure {
                        table: d.table.clone(),
                        caption: d.caption.clone(),
                        label,
                        administration,
                        basis: d.basis.clone(),
                        column: d.column.clone(),
                        amount: in_thousands,
                        unit_as_written,
                        is_total: d.is_total,
                    });
                }
                _ => {
                    return Err(invalid(
                        &ctx,
                        "a row needs either yearly amounts or a single total, not both or neither",
                    ))
                }
            }
        }

        let administration_effects = self
            .administration_effect
            .iter()
            .map(|a| {
                let ctx = format!("{p} administration_effect '{}'", a.label);
                Ok(AdministrationEffect {
                    table: a.table.clone(),
                    label: a.label.clone(),
                    is_total: a.is_total,
                    amounts: yearly(&format!("{ctx}, amounts"), &a.amounts, &years, true)?,
                    note: a.note.clone(),
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let loan_repayment = self
            .loan_repayment
            .iter()
            .map(|l| {
                let ctx = format!("{p} loan_repayment {}", l.year);
                if !years.contains(&l.year) {
                    return Err(invalid(
                        &ctx,
                        format!("{} er ikke et af forslagets år", l.year),
                    ));
                }
                Ok(LoanRepayment {
                    year: l.year,
                    amount: amount(&format!("{ctx}, amount"), &l.amount)?,
                    note: l.note.clone(),
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;
        check_loan_repayment(&p, &lines, &loan_repayment)?;

        let mut phases = Vec::new();
        let mut undated_phases = Vec::new();
        for ph in self.phase {
            let ctx = format!("{p} phase '{}'", ph.name);
            match (&ph.start, &ph.end) {
                (Some(s), Some(e)) => phases.push(Phase {
                    start: date(&format!("{ctx}, start"), s)?,
                    end: date(&format!("{ctx}, end"), e)?,
                    name: ph.name,
                    what: ph.what,
                    how: ph.how,
                    when: ph.when,
                }),
                (None, None) => {
                    if ph.what.is_some() || ph.how.is_some() {
                        return Err(invalid(
                            &ctx,
                            "a phase without dates can hold only a name and 'when'",
                        ));
                    }
                    let when = ph.when.ok_or_else(|| {
                        invalid(&ctx, "a phase needs start and end dates, or a 'when'")
                    })?;
                    undated_phases.push(UndatedPhase {
                        name: ph.name,
                        when,
                    });
                }
                _ => return Err(invalid(&ctx, "give both start and end, or neither")),
            }
        }

        let milestones = self
            .milestone
            .into_iter()
            .map(|m| {
                Ok(Milestone {
                    id: id::<MilestoneId>(&format!("{p} milestone {}", m.id), &m.id)?,
                    name: m.name,
                    text: m.text,
                    when: m.when,
                    phase: m.phase,
                    when_as_written: m.when_as_written,
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let goals = self
            .goal
            .into_iter()
            .map(|g| {
                Ok(Goal {
                    id: id::<GoalId>(&format!("{p} goal {}", g.id), &g.id)?,
                    section: g.section,
                    phase: g.phase,
                    text: g.text,
                    measure: g.measure,
                    responsible: g.responsible,
                    when: g.when,
                })
            })
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let mut risks = Vec::new();
        let mut unrated_risks = Vec::new();
        for r in self.risk {
            match &r.level {
                Some(level) => risks.push(Risk {
                    level: word::<RiskLevel>(&format!("{p} risk '{}', level", r.scope), level)?,
                    scope: r.scope,
                    text: r.text,
                    level_as_written: r.level_as_written,
                }),
                None => {
                    if r.level_as_written.is_some() {
                        return Err(invalid(
                            &format!("{p} risk '{}'", r.scope),
                            "level_as_written er angivet, men level er ikke",
                        ));
                    }
                    unrated_risks.push(UnratedRisk {
                        scope: r.scope,
                        text: r.text,
                    });
                }
            }
        }

        let public_summary = self
            .public_summary
            .map(|s| {
                let ctx = format!("{p} public_summary");
                Ok::<_, BaselineError>(PublicSummary {
                    investment_service: mio(
                        &format!("{ctx}, investment_service"),
                        &s.investment_service,
                    )?,
                    investment_capital: mio(
                        &format!("{ctx}, investment_capital"),
                        &s.investment_capital,
                    )?,
                    savings_service: mio(&format!("{ctx}, savings_service"), &s.savings_service)?,
                    savings_transfers: mio(
                        &format!("{ctx}, savings_transfers"),
                        &s.savings_transfers,
                    )?,
                    payback_years: s
                        .payback_years
                        .as_deref()
                        .map(|t| years_figure(&format!("{ctx}, payback_years"), t))
                        .transpose()?,
                    source: s.source,
                    unit: s.unit,
                    footnote: s.footnote,
                })
            })
            .transpose()?;

        let future_investment = self.future_investment.map(|f| FutureInvestment {
            table: f.table,
            expense: f.expense,
            expected_adoption: f.expected_adoption,
            savings_potential: f.savings_potential,
            criteria: f.criteria,
        });

        let plan = Plan {
            years: self.years,
            lines,
            stated_totals,
            stated_payback,
            committee_distributions,
            phases,
            milestones,
            goals,
            risks,
            summary: self.summary,
            price_level_note: self.price_level_note,
            distribution_totals,
            administration_figures,
            administration_effects,
            future_investment,
            public_summary,
            undated_phases,
            unrated_risks,
        };
        let problems = plan.problems();
        if !problems.is_empty() {
            return Err(invalid(
                &p,
                format!("planen hænger ikke sammen: {}", problems.join("; ")),
            ));
        }

        // The Tabel 1 lines "Tabel 2. Varige ændringer, administration" restates, where the
        // transcription names them (on the table's total row).
        let mut administration_lines = Vec::new();
        for a in &self.administration_effect {
            let Some(restated) = &a.restates_lines else {
                continue;
            };
            let ctx = format!("{p} administration_effect '{}', restates_lines", a.label);
            if !a.is_total || !administration_lines.is_empty() {
                return Err(invalid(
                    &ctx,
                    "kun én totalrække kan nævne de linjer, den gentager",
                ));
            }
            for raw in restated {
                let line: PlanLineId = id(&ctx, raw)?;
                if !plan.lines.iter().any(|l| l.id == line) {
                    return Err(invalid(&ctx, format!("{line} er ikke en linje i planen")));
                }
                administration_lines.push(line);
            }
        }

        let statements = self
            .statement
            .into_iter()
            .enumerate()
            .map(|(i, st)| st.convert(&format!("{p} statement {}", i + 1), &years, &plan.lines))
            .collect::<Result<Vec<_>, BaselineError>>()?;

        let approved_on = self
            .approved_on
            .as_deref()
            .map(|d| date(&format!("{p} approved_on"), d))
            .transpose()?;

        Ok(BaselineProposal {
            identity,
            plan,
            statements,
            administration_lines,
            approved_on,
            heading: self.heading,
            from_innovation_proposal: self.from_innovation_proposal,
            simplification_programme: self.simplification_programme,
            loan_repayment,
        })
    }
}

/// The `[[proposal.loan_repayment]]` entries repeat the plan's loan-repayment row (BC04); the two
/// transcriptions of one row must agree year by year.
fn check_loan_repayment(
    p: &str,
    lines: &[PlanLine],
    entries: &[LoanRepayment],
) -> Result<(), BaselineError> {
    let mut from_lines: BTreeMap<i32, Decimal> = BTreeMap::new();
    for line in lines
        .iter()
        .filter(|l| l.section == PlanSection::LoanRepayment)
    {
        for (year, a) in line.amounts.iter() {
            *from_lines.entry(*year).or_default() += a.value();
        }
    }
    let mut from_entries: BTreeMap<i32, Decimal> = BTreeMap::new();
    for e in entries {
        *from_entries.entry(e.year).or_default() += e.amount.value();
    }
    if entries.is_empty() {
        return Ok(());
    }
    let years: BTreeSet<i32> = from_lines
        .keys()
        .chain(from_entries.keys())
        .copied()
        .collect();
    for year in years {
        let a = from_lines.get(&year).copied().unwrap_or_default();
        let b = from_entries.get(&year).copied().unwrap_or_default();
        if a != b {
            return Err(invalid(
                &format!("{p} loan_repayment"),
                format!("{year} is {b} in the loan_repayment entries but {a} in the plan's loan_repayment lines"),
            ));
        }
    }
    Ok(())
}
