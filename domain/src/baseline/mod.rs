//! The baseline file: a budget appendix transcribed as TOML (`baselines/*.toml`), loaded into
//! the identities and plans that the `RegisterProposal` and `AdoptBaseline` commands take, plus
//! the appendix's front-matter summary tables; and the integrity check ([`check`]) that recomputes
//! every figure the document states from the rows it states them for.
//!
//! # Why it is built this way
//!
//! * **Pure.** [`parse`] takes the file's text, [`source`] its bytes: reading files is the CLI's
//!   business, so every rule here is testable without a disk.
//! * **As written, never corrected.** The transcription keeps the document's own subtotals,
//!   payback periods and summary tables next to the rows they should add up to
//!   (`baselines/README.md`). The loader moves them into the plan untouched; the check reports
//!   where they disagree. Nothing is derived on import and nothing is adjusted.
//! * **Strict about form, silent about content.** The loader refuses what cannot be a correct
//!   transcription — an amount that is not a plain decimal ("1,5"), more than 3 decimals in
//!   1.000 kr. or more than 1 in mio. kr., an unknown committee or control-area code, a year that
//!   is not one of the proposal's columns, a missing or unknown field — with a message naming the
//!   proposal, row and field. It accepts whatever the document *says*, however inconsistent:
//!   that is the check's job, and its findings are data, not errors.
//! * **Every fact the plan can hold goes in.** Plan lines (BC04's loan repayment as
//!   [`PlanSection::LoanRepayment`] lines), stated totals with their "blank row" notes, stated
//!   payback with the cells as written, committee distributions with their total rows,
//!   per-administration figures, administration effects, phases (dated or not), milestones,
//!   goals with verbatim `when`, risks (rated or not), the summary text and, for the
//!   confidential BC08, only its public summary row. What the plan has no place for (the page
//!   heading, the programme flags) stays on [`BaselineProposal`].
//!
//! # Units
//!
//! Proposal tables are in 1.000 kr. ([`Amount`]); figures the document writes in kr. (BC02's
//! "Tabel 2") are divided by 1.000 exactly. The front-matter tables and BC08's public summary are
//! mio. kr. with one decimal and stay [`Decimal`]s in mio. kr.: converting "11,2" to 11.200
//! (1.000 kr.) would claim a precision the document does not have.
//!
//! [`PlanSection::LoanRepayment`]: crate::proposal::plan::PlanSection::LoanRepayment

mod check;
mod file;
pub mod statement;
#[cfg(test)]
mod tests;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use check::{check, root_causes, Finding, FindingKind, RootCause, MIO_TOLERANCE};

use crate::ids::{IdError, ProposalId};
use crate::money::{Amount, MoneyError, PriceLevel};
use crate::proposal::commands::ProposalCommand;
use crate::proposal::plan::{BaselineSource, FrontMatter, Plan, PoolRow, ProposalIdentity};
use crate::vocabulary::{Committee, VocabularyError};

/// Why a baseline file was refused. Every message names where in the file the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// Not TOML, or not this schema: a syntax error, a missing required field, an unknown field,
    /// a value of the wrong type. The message includes the line and column.
    #[error("baselinefilen følger ikke skemaet: {0}")]
    Schema(String),
    /// A `schema_version` this loader does not read.
    #[error("schema_version {0} kan ikke læses: denne version af Gevinst læser schema_version 1")]
    SchemaVersion(u32),
    /// An amount in 1.000 kr. that is not a plain decimal with at most 3 decimals.
    #[error("{context}: {source}")]
    Amount {
        /// Proposal, row and field.
        context: String,
        /// What was wrong with it.
        source: MoneyError,
    },
    /// A front-matter figure in mio. kr. that is not a plain decimal with at most 1 decimal.
    #[error("{context}: «{value}» er ikke et tal i mio. kr.: skriv et decimaltal med højst én decimal, fx -1.5")]
    Mio {
        /// Table, row and column.
        context: String,
        /// The refused text.
        value: String,
    },
    /// A code that is not in the glossary's word lists (committee, control area …).
    #[error("{context}: {source}")]
    Vocabulary {
        /// Proposal, row and field.
        context: String,
        /// The vocabulary's message, listing the accepted codes.
        source: VocabularyError,
    },
    /// A malformed proposal, line, goal or milestone id.
    #[error("{context}: {source}")]
    Id {
        /// Where.
        context: String,
        /// What was wrong with it.
        source: IdError,
    },
    /// Anything else that cannot be a correct transcription (a year outside the proposal's
    /// columns, a phase with one date, duplicate ids …).
    #[error("{context}: {message}")]
    Invalid {
        /// Where.
        context: String,
        /// What is wrong.
        message: String,
    },
}

/// The appendix a baseline file transcribes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentInfo {
    /// The appendix's title.
    pub title: String,
    /// "Bilag 7".
    pub appendix: Option<String>,
    /// "Københavns Kommune".
    pub municipality: Option<String>,
    /// "Budget 2025"; inherited by proposals that do not name their own.
    pub budget_round: String,
    /// The proposal tables' unit as written ("1.000 kr.").
    pub unit: String,
    /// The price level; inherited by proposals that do not name their own.
    pub price_level: PriceLevel,
    /// The source text's file name.
    pub source_file: Option<String>,
    /// What the document asks of every proposal it does not mark otherwise (Bilag 7: "til
    /// efterretning", its title); inherited by proposals that do not name their own.
    pub recommendation: Option<crate::vocabulary::Recommendation>,
    /// Put before every proposal number of the file ("B26-" makes the document's BC01 the
    /// proposal B26-BC01), for a round whose document numbers its proposals as an earlier
    /// round's did: ids are unique in the log, so two documents' BC01 cannot both be BC01.
    pub proposal_id_prefix: Option<String>,
}

impl DocumentInfo {
    /// The proposal id the document's number `number` becomes (with the file's prefix).
    #[must_use]
    pub fn proposal_number(&self, number: &str) -> String {
        match &self.proposal_id_prefix {
            Some(prefix) => format!("{prefix}{}", number.trim()),
            None => number.to_string(),
        }
    }
}

/// The unit of the front matter's tables (Tabel 1, 2 and 3): mio. kr. with one decimal.
pub const FRONT_MATTER_UNIT: &str = "mio. kr.";

/// A row of the front matter's Tabel 1 "Investerings og innovationsforslag fordelt på udvalg"
/// (mio. kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeSummaryRow {
    /// The committee; `None` on the "I alt" row.
    pub committee: Option<Committee>,
    /// The row label as in the file ("BIU", "I alt").
    pub label: String,
    /// A remark ("tværgående").
    pub note: Option<String>,
    /// "Antal": number of proposals.
    pub proposals: u32,
    /// "(innovationsforslag)": how many of them are innovation proposals or pre-studies; not
    /// written on the "I alt" row.
    pub innovation_proposals: Option<u32>,
    /// "Investering i alt", mio. kr.
    pub investment_total: Decimal,
    /// "Effektiviseringer ved fuld indfasning, service", mio. kr.
    pub savings_full_phase_in_service: Decimal,
}

/// A row of the front matter's Tabel 2 "Indkomne ansøgninger til investeringspuljen" (mio. kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvestmentPoolRow {
    /// The proposal; `None` on the "I alt" row.
    pub proposal: Option<ProposalId>,
    /// The row label as in the file ("BC01", "I alt").
    pub label: String,
    /// The committee column.
    pub committee: Option<Committee>,
    /// The title as written.
    pub title: Option<String>,
    /// The `*`/`**` footnote.
    pub footnote: Option<String>,
    /// "Investeringer, Service".
    pub investment_service: Decimal,
    /// "Investeringer, Anlæg".
    pub investment_capital: Decimal,
    /// "Varige effektiviseringer, Service".
    pub savings_service: Decimal,
    /// "Varige effektiviseringer, Overførsler mv.".
    pub savings_transfers: Decimal,
    /// "Tilbagebetalingstid, år"; blank on the "I alt" row.
    pub payback_years: Option<Decimal>,
    /// A transcription remark.
    pub note: Option<String>,
}

/// A row of the front matter's Tabel 3 "Indkomne ansøgninger til innovationspuljen" (mio. kr.).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnovationPoolRow {
    /// The proposal; `None` on the "I alt" row.
    pub proposal: Option<ProposalId>,
    /// The row label as in the file.
    pub label: String,
    /// The committee column.
    pub committee: Option<Committee>,
    /// The title as written.
    pub title: Option<String>,
    /// "Innovationsforslag" / "Foranalyse".
    pub kind: Option<String>,
    /// "Innovationspulje (service)".
    pub innovation_pool_service: Decimal,
    /// A transcription remark.
    pub note: Option<String>,
}

/// One entry of an internal loan's repayment plan, as transcribed next to the plan line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoanRepayment {
    /// The year.
    pub year: i32,
    /// The repayment (negative), 1.000 kr.
    pub amount: Amount,
    /// A transcription remark.
    pub note: Option<String>,
}

/// One proposal of the file: what registration and adoption need, and what the plan cannot hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineProposal {
    /// For `RegisterProposal`.
    pub identity: ProposalIdentity,
    /// For `AdoptBaseline`.
    pub plan: Plan,
    /// The heading on the proposal's own page, as written (may differ from the title).
    pub heading: Option<String>,
    /// "Er forslaget udarbejdet på baggrund af et innovationsforslag?", where answered.
    pub from_innovation_proposal: Option<bool>,
    /// Part of the simplification programme (forenklingsprogrammet), where stated.
    pub simplification_programme: Option<bool>,
    /// The loan-repayment entries (they repeat the plan's loan-repayment lines; the loader
    /// refuses a file where the two disagree).
    pub loan_repayment: Vec<LoanRepayment>,
    /// Figures the prose states, checked against the tables (never used as figures).
    pub statements: Vec<statement::Statement>,
    /// The Tabel 1 lines its "Tabel 2. Varige ændringer, administration" restates (empty where
    /// the transcription does not say), so that the check can hold the two tables together.
    pub administration_lines: Vec<crate::ids::PlanLineId>,
    /// When Center for Økonomi approved the proposal in its final form ("Hvem er hørt?", "Dato
    /// for godkendelse"), where the document gives a date: a deadline before it cannot have
    /// been written as one.
    pub approved_on: Option<chrono::NaiveDate>,
}

impl BaselineProposal {
    /// The `RegisterProposal` command for this proposal.
    #[must_use]
    pub fn register_command(&self) -> ProposalCommand {
        ProposalCommand::RegisterProposal {
            identity: self.identity.clone(),
        }
    }

    /// The `AdoptBaseline` command for this proposal, recording where the plan came from.
    #[must_use]
    pub fn adopt_command(&self, source: Option<BaselineSource>) -> ProposalCommand {
        ProposalCommand::AdoptBaseline {
            plan: self.plan.clone(),
            source,
        }
    }
}

/// A loaded baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselineFile {
    /// The file's schema version (1).
    pub schema_version: u32,
    /// The appendix.
    pub document: DocumentInfo,
    /// The committees and administrations the document declares, with their names.
    pub names: crate::vocabulary::OrgNames,
    /// Front matter Tabel 1, rows in file order (the "I alt" row included).
    pub committee_table: Vec<CommitteeSummaryRow>,
    /// Front matter Tabel 2, rows in file order (the "I alt" row included).
    pub investment_pool: Vec<InvestmentPoolRow>,
    /// Front matter Tabel 3, rows in file order (the "I alt" row included).
    pub innovation_pool: Vec<InnovationPoolRow>,
    /// The proposals in file order.
    pub proposals: Vec<BaselineProposal>,
}

impl BaselineFile {
    /// The proposals in file order.
    #[must_use]
    pub fn proposals(&self) -> &[BaselineProposal] {
        &self.proposals
    }

    /// Looks up a proposal.
    #[must_use]
    pub fn proposal(&self, id: &ProposalId) -> Option<&BaselineProposal> {
        self.proposals.iter().find(|p| &p.identity.id == id)
    }

    /// The source recorded with one proposal's adoption: the file, what its front matter
    /// states about the proposal, and the names of the committees and administrations the file
    /// declares.
    #[must_use]
    pub fn proposal_source(&self, p: &BaselineProposal, file: &BaselineSource) -> BaselineSource {
        BaselineSource {
            front_matter: self.front_matter(p).map(Box::new),
            names: Some(self.names.clone()),
            ..file.clone()
        }
    }

    /// Per proposal, in file order, the commands that import it: `RegisterProposal`, then
    /// `AdoptBaseline` carrying `source` with what the front matter states about it.
    #[must_use]
    pub fn import_commands(
        &self,
        source: Option<&BaselineSource>,
    ) -> Vec<(ProposalId, Vec<ProposalCommand>)> {
        self.proposals
            .iter()
            .map(|p| {
                let source = source.map(|s| self.proposal_source(p, s));
                (
                    p.identity.id.clone(),
                    vec![p.register_command(), p.adopt_command(source)],
                )
            })
            .collect()
    }

    /// What the front matter states about `p`: Tabel 1's row of the committee it is counted on
    /// and Tabel 1's "I alt", and its own row of Tabel 2 or 3, as written; `None` when the
    /// file states none of them.
    #[must_use]
    pub fn front_matter(&self, p: &BaselineProposal) -> Option<FrontMatter> {
        let id = &p.identity.id;
        let committee_row = self
            .committee_table
            .iter()
            .find(|r| r.committee == Some(p.identity.committee))
            .cloned();
        let total_row = self
            .committee_table
            .iter()
            .find(|r| r.committee.is_none())
            .cloned();
        let pool_row = self
            .investment_pool
            .iter()
            .find(|r| r.proposal.as_ref() == Some(id))
            .cloned()
            .map(PoolRow::Investment)
            .or_else(|| {
                self.innovation_pool
                    .iter()
                    .find(|r| r.proposal.as_ref() == Some(id))
                    .cloned()
                    .map(PoolRow::Innovation)
            });
        (committee_row.is_some() || total_row.is_some() || pool_row.is_some()).then(|| {
            FrontMatter {
                unit: FRONT_MATTER_UNIT.to_string(),
                price_level: self.document.price_level,
                committee_row,
                total_row,
                pool_row,
            }
        })
    }
}

/// Loads a baseline file from its text. Never panics; see [`BaselineError`] for what is refused.
pub fn parse(text: &str) -> Result<BaselineFile, BaselineError> {
    let raw: file::RawFile = toml::from_str(text)
        .map_err(|e| BaselineError::Schema(e.to_string().trim().to_string()))?;
    raw.convert()
}

/// The [`BaselineSource`] of a file: its name (any directories are dropped, so no machine path
/// is recorded) and the SHA-256 of its bytes.
#[must_use]
pub fn source(file_name: &str, bytes: &[u8]) -> BaselineSource {
    let name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .to_string();
    BaselineSource {
        file: name,
        sha256: crate::chain::sha256_hex(bytes),
        findings: Vec::new(),
        front_matter: None,
        names: None,
    }
}
