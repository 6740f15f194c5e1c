//! The portfolio: the appendix's Tabel 1 (per committee: number of proposals, investment,
//! savings at full phase-in) rebuilt from the events, beside the figures the document itself
//! states (kept with each adoption, so they are known as of any date), with realised-to-date
//! and forecast columns; what is late; and the status controllers report to committees.
//!
//! # Committee status (the municipality's categories for investment-pool proposals)
//! Evaluated as of a date with the rule table of [`super::committee`] (written down there, as
//! data): this module gathers each proposal's findings — overdue and unreported goals, undated
//! goals, ended years short of plan (judged on verified figures where they exist, weighed
//! against the materiality threshold) or without a report, compensating actions and what they
//! name — and the table decides. A goal that restates milestones is left out (its milestones
//! are counted), so a late milestone counts once.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use gevinst_domain::baseline::CommitteeSummaryRow;
use gevinst_domain::price::PriceIndex;
use gevinst_domain::proposal::BaselineSource;
use rust_decimal::Decimal;
use serde::Serialize;

use super::committee::{judge, Findings, Materiality, NotAssessed, Problem, Subject};
pub use super::committee::{Category, StatusRules};
use super::decision::DecisionStatus;
use super::goals::{self, GoalRow};
use super::realisation::{Realisation, ReportState, Tally, YearFigures};
use super::status::GoalStatus;
use super::{add, mio};
use crate::readmodel::{Entries, ReadModelError, ReadModels};

/// One committee's line in the rebuilt Tabel 1 (amounts in 1.000 kr.; `_mio` in mio. kr. with
/// one decimal, rounded half away from zero as the appendix does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CommitteeLine {
    /// Committee code, or "I alt".
    pub committee: String,
    /// Number of proposals.
    pub proposals: usize,
    /// Of which innovation proposals and pre-studies.
    pub innovation_proposals: usize,
    /// Investment over all years.
    pub investment: Decimal,
    /// Investment, mio. kr.
    pub investment_mio: Decimal,
    /// Permanent change on service at full phase-in.
    pub savings_full_phase_in: Decimal,
    /// The same, mio. kr.
    pub savings_full_phase_in_mio: Decimal,
    /// Realised savings in years up to and including the as-of year.
    pub realised_to_date: Decimal,
    /// Of which verified.
    pub realised_to_date_verified: Decimal,
    /// Forecast for the full phase-in year.
    pub forecast_full_phase_in: Decimal,
    /// Savings actually taken out of this committee's budget frame (budget adjustments,
    /// negative): the cashable part, to compare with `realised_to_date`.
    pub budget_removed: Decimal,
    /// How many figures came from summaries already rounded to 0,1 mio. kr. (confidential).
    pub published_only: usize,
    /// Of `proposals`: adopted (changed or not) as of the date.
    pub adopted: usize,
    /// Of `proposals`: no budget decision recorded by the date (indstillet).
    pub awaiting_decision: usize,
    /// Of `proposals`: not adopted.
    pub not_adopted: usize,
    /// Investment of the adopted proposals only.
    pub investment_adopted: Decimal,
    /// Permanent change on service at full phase-in of the adopted proposals only.
    pub savings_full_phase_in_adopted: Decimal,
    /// What the document itself states for this line (its Tabel 1, as adopted), when every
    /// proposal on the line was adopted from a document that states it; the figures above are
    /// rebuilt from the plans. Reports show these first and the rebuilt ones beside them where
    /// they differ.
    pub stated: Option<StatedLine>,
}

/// A line of Tabel 1 as the document states it (mio. kr. with one decimal, as written), summed
/// over the documents the line's proposals come from (one per budget round), and where the
/// figures rebuilt from the plans differ from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct StatedLine {
    /// The documents, by file name.
    pub documents: Vec<String>,
    /// "Antal".
    pub proposals: u32,
    /// "(innovationsforslag)", where every document writes it (not on "I alt").
    pub innovation_proposals: Option<u32>,
    /// "Investering i alt", mio. kr.
    pub investment_mio: Decimal,
    /// "Effektiviseringer ved fuld indfasning, service", mio. kr.
    pub savings_full_phase_in_mio: Decimal,
    /// The line's fields whose rebuilt value differs from the stated one, by their JSON names
    /// (`proposals`, `innovation_proposals`, `investment_mio`, `savings_full_phase_in_mio`).
    pub differs: Vec<&'static str>,
}

/// The Tabel 1 rows a line's proposals were adopted with, one per document (SHA-256), or
/// `None` once a proposal on the line has none: then the document's figure does not describe
/// the line.
#[derive(Debug)]
struct StatedRows(Option<BTreeMap<String, (String, CommitteeSummaryRow)>>);

impl Default for StatedRows {
    /// No proposal yet, so nothing missing.
    fn default() -> Self {
        Self(Some(BTreeMap::new()))
    }
}

impl StatedRows {
    fn add(&mut self, source: Option<&BaselineSource>, row: Option<&CommitteeSummaryRow>) {
        match (source, row, self.0.as_mut()) {
            (Some(source), Some(row), Some(rows)) => {
                rows.entry(source.sha256.clone())
                    .or_insert_with(|| (source.file.clone(), row.clone()));
            }
            _ => self.0 = None,
        }
    }

    /// The stated line, compared with the rebuilt `line`.
    fn stated(self, line: &CommitteeLine) -> Result<Option<StatedLine>, ReadModelError> {
        let Some(rows) = self.0.filter(|rows| !rows.is_empty()) else {
            return Ok(None);
        };
        let mut s = StatedLine {
            innovation_proposals: Some(0),
            ..StatedLine::default()
        };
        for (file, row) in rows.into_values() {
            s.documents.push(file);
            s.proposals = s
                .proposals
                .checked_add(row.proposals)
                .ok_or(ReadModelError::Overflow("antal forslag i bilagets Tabel 1"))?;
            s.innovation_proposals = s
                .innovation_proposals
                .zip(row.innovation_proposals)
                .and_then(|(a, b)| a.checked_add(b));
            add(
                &mut s.investment_mio,
                row.investment_total,
                "bilagets investeringer",
            )?;
            add(
                &mut s.savings_full_phase_in_mio,
                row.savings_full_phase_in_service,
                "bilagets effektiviseringer",
            )?;
        }
        let count = |n: usize| u32::try_from(n).ok();
        if count(line.proposals) != Some(s.proposals) {
            s.differs.push("proposals");
        }
        if s.innovation_proposals
            .is_some_and(|n| count(line.innovation_proposals) != Some(n))
        {
            s.differs.push("innovation_proposals");
        }
        if line.investment_mio != s.investment_mio {
            s.differs.push("investment_mio");
        }
        if line.savings_full_phase_in_mio != s.savings_full_phase_in_mio {
            s.differs.push("savings_full_phase_in_mio");
        }
        s.investment_mio.rescale(1);
        s.savings_full_phase_in_mio.rescale(1);
        Ok(Some(s))
    }
}

impl CommitteeLine {
    /// One unit, one form: 1.000 kr. amounts without trailing zeros, so a committee holding a
    /// confidential proposal (whose published mio. kr. figure times 1.000 carries a scale of
    /// one decimal) reads "56650", like its neighbours' "11170", not "56650.0". The mio. kr.
    /// columns keep their one decimal: that is their stated precision.
    fn normalise(&mut self) {
        for v in [
            &mut self.investment,
            &mut self.savings_full_phase_in,
            &mut self.realised_to_date,
            &mut self.realised_to_date_verified,
            &mut self.forecast_full_phase_in,
            &mut self.budget_removed,
            &mut self.investment_adopted,
            &mut self.savings_full_phase_in_adopted,
        ] {
            *v = v.normalize();
        }
    }
}

/// Goal status counts.
pub type StatusCounts = BTreeMap<GoalStatus, usize>;

/// The whole portfolio. Tabel 1's columns (`proposals`, `investment`,
/// `savings_full_phase_in`) count **every proposal put forward**, as the appendix does,
/// whatever the budget decision; `adopted`, `investment_adopted` and
/// `savings_full_phase_in_adopted` count the adopted ones only, and `awaiting_decision` /
/// `not_adopted` say how many are not (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portfolio {
    /// As of (business date).
    pub as_of: NaiveDate,
    /// Known on (recorded time): only events recorded by then; `None` for everything.
    pub known_on: Option<chrono::DateTime<chrono::Utc>>,
    /// The budget rounds whose proposals are counted, in order: one when the reads are
    /// narrowed to a round (`ReadModels::in_round`), else every round loaded.
    pub budget_rounds: Vec<String>,
    /// Tabel 1, per committee.
    pub committees: Vec<CommitteeLine>,
    /// Tabel 1, "I alt".
    pub total: CommitteeLine,
    /// Per proposal (each shared with the proposal's kept part: an overview of a thousand
    /// proposals copied megabytes of realisations otherwise).
    pub proposals: Vec<Arc<Realisation>>,
    /// Goal status counts per proposal.
    pub goal_counts_by_proposal: BTreeMap<String, StatusCounts>,
    /// Goal status counts per committee.
    pub goal_counts_by_committee: BTreeMap<String, StatusCounts>,
    /// Goal status counts for the portfolio.
    pub goal_counts: StatusCounts,
    /// Each committee's own share (the attribution rule): Tabel 1 books a proposal on one
    /// committee, as the appendix does; here it counts on every committee with a share.
    pub committee_shares: Vec<CommitteeRealisation>,
}

/// The portfolio together with every goal row it was built from: what the late list and the
/// committee status are derived from, so a page showing all three computes them once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    /// The portfolio.
    pub portfolio: Portfolio,
    /// Every goal and milestone with its status as of the portfolio's date.
    pub goals: Vec<GoalRow>,
}

/// Builds the portfolio as of `as_of`.
pub async fn portfolio(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Portfolio, ReadModelError> {
    Ok(overview(read, index, as_of).await?.portfolio.clone())
}

/// What an overview was computed from besides the price index: the read models' checkpoint
/// and how they were read.
type OverviewKey = (
    i64,
    NaiveDate,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<String>,
);

/// How many overviews a process keeps (a few dates and rounds asked about at once).
const KEPT_OVERVIEWS: usize = 16;

/// The last overviews computed, by what they were computed from.
///
/// Why: the portfolio, the late list and the committee status all come from one overview of
/// every proposal, and a server is asked for them far more often than anything is written. An
/// overview is a function of the read models at a checkpoint, the date, the recorded time,
/// the budget round and the price index, so one computed for the same five is the same
/// overview. The key takes the checkpoint read *before* the rows, so a kept overview reflects
/// at least that position: a read that waited for a position (read-your-writes) never gets an
/// older one. Any write moves the checkpoint, and the next read computes afresh: once, however
/// many reads ask for it meanwhile (they wait for the one computing, instead of each
/// computing the same overview while writes keep coming).
#[derive(Debug)]
pub struct Overviews {
    kept: ByIndex<OverviewKey, Slot>,
    /// Each proposal's part of the last overviews: after a write, the next overview computes
    /// only the proposals it changed.
    parts: ByIndex<PartKey, Arc<Part>>,
    /// Each proposal's realisation sums as of a date, for the present (not at a recorded
    /// time): a part computed after a write adds the new facts to them (see [`Tally`]).
    tallies: ByIndex<(String, NaiveDate), Arc<Tally>>,
}

/// Values kept by key, each with the price index it was computed with: asked with another
/// index, it is not there.
#[derive(Debug)]
struct ByIndex<K: std::hash::Hash + Eq, V>(
    std::sync::Mutex<hashlink::LruCache<K, (PriceIndex, V)>>,
);

impl<K: std::hash::Hash + Eq, V: Clone> ByIndex<K, V> {
    fn new(capacity: usize) -> Self {
        Self(std::sync::Mutex::new(hashlink::LruCache::new(capacity)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, hashlink::LruCache<K, (PriceIndex, V)>> {
        crate::readmodel::entries::lock(&self.0)
    }

    fn get(&self, key: &K, index: &PriceIndex) -> Option<V> {
        match self.lock().get(key) {
            Some((kept, value)) if kept == index => Some(value.clone()),
            _ => None,
        }
    }

    fn insert(&self, key: K, index: &PriceIndex, value: V) {
        self.lock().insert(key, (index.clone(), value));
    }

    /// The kept value, or `new()` kept and returned, in one lock: two callers get the same.
    fn get_or_insert_with(&self, key: K, index: &PriceIndex, new: impl FnOnce() -> V) -> V {
        let mut kept = self.lock();
        if let Some((kept_index, value)) = kept.get(&key) {
            if kept_index == index {
                return value.clone();
            }
        }
        let value = new();
        kept.insert(key, (index.clone(), value.clone()));
        value
    }
}

/// A proposal as of a date: its id and the stream sequence its row and entries reflect, the
/// date, and the recorded time they were read at.
type PartKey = (
    String,
    i64,
    NaiveDate,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// How many proposals' parts a process keeps (a few dates of a few thousand proposals).
const KEPT_PARTS: usize = 8_192;

/// What an overview takes from one proposal: everything computed from its row and entries.
#[derive(Debug)]
struct Part {
    round: String,
    source: Option<Arc<BaselineSource>>,
    headline: gevinst_domain::proposal::plan::Headline,
    goal_rows: Vec<GoalRow>,
    /// Shared with every overview built from this part, not copied into each.
    realisation: Arc<Realisation>,
}

impl Part {
    fn of(
        row: &crate::readmodel::ProposalRow,
        entries: &Entries,
        realisation: Realisation,
        as_of: NaiveDate,
    ) -> Result<Self, ReadModelError> {
        Ok(Self {
            round: row.identity()?.budget_round.clone(),
            source: row.baseline_source()?,
            headline: row.current()?.unwrap_or_default().headline(),
            goal_rows: goals::goal_rows(row, entries.entries(), as_of)?,
            realisation: Arc::new(realisation),
        })
    }
}

/// What a proposal's part is kept by: the proposal, its stream's sequence, the day and the
/// recorded time read at.
fn part_key(read: &ReadModels, row: &crate::readmodel::ProposalRow, as_of: NaiveDate) -> PartKey {
    (
        row.proposal_id.clone(),
        row.last_sequence,
        as_of,
        read.known_instant(),
    )
}

/// One overview, computed by the first read that asks for it.
type Slot = Arc<tokio::sync::OnceCell<Arc<Overview>>>;

impl Default for Overviews {
    fn default() -> Self {
        Self {
            kept: ByIndex::new(KEPT_OVERVIEWS),
            parts: ByIndex::new(KEPT_PARTS),
            tallies: ByIndex::new(KEPT_PARTS),
        }
    }
}

impl Overviews {
    /// Forgets every overview.
    pub fn clear(&self) {
        self.kept.lock().clear();
        self.parts.lock().clear();
        self.tallies.lock().clear();
    }

    /// Proposal `row`'s part as of `as_of`, computed unless the same part is kept.
    async fn part(
        &self,
        read: &ReadModels,
        row: &crate::readmodel::ProposalRow,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Arc<Part>, ReadModelError> {
        let key = part_key(read, row, as_of);
        if let Some(part) = self.parts.get(&key, index) {
            return Ok(part);
        }
        let entries = read.decoded_entries(row).await?;
        let tally = self.tally(read, row, &entries, index, as_of)?;
        let realisation = tally.realisation(row, index, as_of)?;
        let part = Arc::new(Part::of(row, &entries, realisation, as_of)?);
        self.parts.insert(key, index, part.clone());
        Ok(part)
    }

    /// Fetches what changed in the entries of every row in `rows` whose part is not kept,
    /// several proposals a statement ([`ReadModels::decoded_entries_of`]): those are the
    /// proposals written to since the last read, and [`part`] then finds their entries kept
    /// instead of asking the database for each.
    ///
    /// [`part`]: Overviews::part
    async fn fetch_changed(
        &self,
        read: &ReadModels,
        rows: &[crate::readmodel::ProposalRow],
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<(), ReadModelError> {
        let changed: Vec<&crate::readmodel::ProposalRow> = rows
            .iter()
            .filter(|row| self.parts.get(&part_key(read, row, as_of), index).is_none())
            .collect();
        if !changed.is_empty() {
            read.decoded_entries_of(&changed).await?;
        }
        Ok(())
    }

    /// Proposal `row`'s realisation sums as of `as_of` over `entries`: the kept ones if they
    /// stand there, else the kept ones with the facts added since if that gives the same (see
    /// [`Tally::extended`]), else folded from the first; kept for the next write. A read at a
    /// recorded time folds them from the first and keeps nothing.
    fn tally(
        &self,
        read: &ReadModels,
        row: &crate::readmodel::ProposalRow,
        entries: &Entries,
        index: &PriceIndex,
        as_of: NaiveDate,
    ) -> Result<Arc<Tally>, ReadModelError> {
        let fresh =
            || Tally::of(row, entries.entries(), entries.sequence(), index, as_of).map(Arc::new);
        if read.known_instant().is_some() {
            return fresh();
        }
        let key = (row.proposal_id.clone(), as_of);
        let tally = match self.tallies.get(&key, index) {
            Some(kept) if kept.stands_at(row, entries.sequence()) => return Ok(kept),
            Some(kept) => {
                match kept.extended(row, entries.entries(), entries.sequence(), index, as_of)? {
                    Some(next) => Arc::new(next),
                    None => fresh()?,
                }
            }
            None => fresh()?,
        };
        self.tallies.insert(key, index, tally.clone());
        Ok(tally)
    }

    /// The slot of the overview computed from `key` and `index`, new if there is none.
    fn slot(&self, key: OverviewKey, index: &PriceIndex) -> Slot {
        self.kept.get_or_insert_with(key, index, Slot::default)
    }
}

/// Ended, reported years whose savings fell short of the plan, with the figure judged: the
/// verified one where the year has verified savings, else the reported one (innovation
/// proposals are not judged on savings, but the late list shows any shortfall). A year with
/// nothing reported is not a shortfall: see [`missing_reports`].
fn shortfalls(r: &Realisation, as_of: NaiveDate) -> impl Iterator<Item = (&YearFigures, Decimal)> {
    r.years
        .iter()
        .filter(move |y| {
            y.year < as_of.year()
                && y.plan < Decimal::ZERO
                && y.savings_report == ReportState::Reported
        })
        .filter_map(|y| (y.judged() > y.plan).then_some((y, y.judged())))
}

/// Ended years that planned savings and have nothing reported.
fn missing_reports(r: &Realisation) -> impl Iterator<Item = &YearFigures> {
    r.years
        .iter()
        .filter(|y| y.savings_report == ReportState::MissingReport)
}

/// The portfolio and the goal rows as of `as_of`, reading each proposal once; the same
/// overview as the last read at the same checkpoint, date, recorded time, round and price
/// index, if one is kept (see [`Overviews`]).
pub async fn overview(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Arc<Overview>, ReadModelError> {
    let key = overview_key(read, as_of).await?;
    // A failed computation leaves the slot empty: the next read tries again.
    read.cache()
        .overviews
        .slot(key, index)
        .get_or_try_init(|| async { compute_overview(read, index, as_of).await.map(Arc::new) })
        .await
        .cloned()
}

/// The overview [`overview`] would answer, if it is computed and kept, without computing it:
/// what a server's warm-up has done shows here (`gevinst serve` computes today's as it starts).
pub async fn kept_overview(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Option<Arc<Overview>>, ReadModelError> {
    let key = overview_key(read, as_of).await?;
    Ok(read
        .cache()
        .overviews
        .kept
        .get(&key, index)
        .and_then(|slot| slot.get().cloned()))
}

/// What an overview as of `as_of` is kept by: the checkpoint read before the rows (see
/// [`Overviews`]), the date, the recorded time and the budget round read.
async fn overview_key(read: &ReadModels, as_of: NaiveDate) -> Result<OverviewKey, ReadModelError> {
    Ok((
        read.position().await?,
        as_of,
        read.known_instant(),
        read.round().map(String::from),
    ))
}

/// Builds the portfolio and the goal rows as of `as_of`, reading each proposal once.
async fn compute_overview(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Overview, ReadModelError> {
    let rows = read.proposals().await?;
    read.cache()
        .overviews
        .fetch_changed(read, &rows, index, as_of)
        .await?;
    let mut goal_rows = Vec::new();
    let mut committees: BTreeMap<String, CommitteeLine> = BTreeMap::new();
    let mut stated: BTreeMap<String, StatedRows> = BTreeMap::new();
    let mut stated_total = StatedRows::default();
    let mut proposals = Vec::new();
    let mut rounds = std::collections::BTreeSet::new();
    for row in &rows {
        let part = read.cache().overviews.part(read, row, index, as_of).await?;
        rounds.insert(part.round.clone());
        let source = part.source.as_deref();
        let front = source.and_then(|s| s.front_matter.as_ref());
        stated.entry(row.committee.clone()).or_default().add(
            source,
            front
                .and_then(|f| f.committee_row.as_ref())
                .filter(|r| r.committee.is_some_and(|c| c.code() == row.committee)),
        );
        stated_total.add(source, front.and_then(|f| f.total_row.as_ref()));
        goal_rows.extend(part.goal_rows.iter().cloned());
        let r = part.realisation.clone();
        let headline = part.headline;
        let line = committees.entry(row.committee.clone()).or_default();
        line.committee = row.committee.clone();
        line.proposals += 1;
        line.innovation_proposals += usize::from(r.innovation);
        add(
            &mut line.investment,
            headline.investment_total(),
            "investeringer",
        )?;
        add(
            &mut line.savings_full_phase_in,
            headline.savings_service,
            "planlagte besparelser",
        )?;
        line.published_only += usize::from(headline.published_only);
        match r.decision.status {
            DecisionStatus::AwaitingDecision => line.awaiting_decision += 1,
            DecisionStatus::NotAdopted => line.not_adopted += 1,
            DecisionStatus::Adopted | DecisionStatus::AdoptedChanged => {
                line.adopted += 1;
                add(
                    &mut line.investment_adopted,
                    headline.investment_total(),
                    "investeringer",
                )?;
                add(
                    &mut line.savings_full_phase_in_adopted,
                    headline.savings_service,
                    "planlagte besparelser",
                )?;
            }
        }
        for y in r.years.iter().filter(|y| y.year <= as_of.year()) {
            add(&mut line.realised_to_date, y.realised, "realiserede beløb")?;
            add(
                &mut line.realised_to_date_verified,
                y.realised_verified,
                "verificerede beløb",
            )?;
        }
        if let Some(last) = r.full_phase_in_year() {
            add(
                &mut line.forecast_full_phase_in,
                r.years
                    .iter()
                    .find(|y| y.year == last)
                    .map_or(Decimal::ZERO, |y| y.forecast),
                "prognoser",
            )?;
        } else if headline.published_only {
            add(
                &mut line.forecast_full_phase_in,
                headline.savings_service,
                "prognoser",
            )?;
        }
        for (committee, amount) in &r.budget_removed_by_committee {
            let line = committees.entry(committee.clone()).or_default();
            line.committee = committee.clone();
            add(&mut line.budget_removed, *amount, "budgetreduktioner")?;
        }
        proposals.push(r);
    }
    let mut total = CommitteeLine {
        committee: "I alt".to_string(),
        ..CommitteeLine::default()
    };
    let mut lines: Vec<CommitteeLine> = committees.into_values().collect();
    for l in &mut lines {
        l.investment_mio = mio(l.investment);
        l.savings_full_phase_in_mio = mio(l.savings_full_phase_in);
        total.proposals += l.proposals;
        total.innovation_proposals += l.innovation_proposals;
        add(&mut total.investment, l.investment, "investeringer")?;
        add(
            &mut total.savings_full_phase_in,
            l.savings_full_phase_in,
            "planlagte besparelser",
        )?;
        add(
            &mut total.realised_to_date,
            l.realised_to_date,
            "realiserede beløb",
        )?;
        add(
            &mut total.realised_to_date_verified,
            l.realised_to_date_verified,
            "verificerede beløb",
        )?;
        add(
            &mut total.forecast_full_phase_in,
            l.forecast_full_phase_in,
            "prognoser",
        )?;
        add(
            &mut total.budget_removed,
            l.budget_removed,
            "budgetreduktioner",
        )?;
        total.published_only += l.published_only;
        total.adopted += l.adopted;
        total.awaiting_decision += l.awaiting_decision;
        total.not_adopted += l.not_adopted;
        add(
            &mut total.investment_adopted,
            l.investment_adopted,
            "investeringer",
        )?;
        add(
            &mut total.savings_full_phase_in_adopted,
            l.savings_full_phase_in_adopted,
            "planlagte besparelser",
        )?;
    }
    total.investment_mio = mio(total.investment);
    total.savings_full_phase_in_mio = mio(total.savings_full_phase_in);
    for l in &mut lines {
        l.stated = stated
            .remove(&l.committee)
            .map_or(Ok(None), |rows| rows.stated(l))?;
    }
    total.stated = stated_total.stated(&total)?;
    for l in lines.iter_mut().chain(std::iter::once(&mut total)) {
        l.normalise();
    }

    let mut by_proposal: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut by_committee: BTreeMap<String, StatusCounts> = BTreeMap::new();
    let mut all = StatusCounts::new();
    for g in goal_rows.iter().filter(|g| g.restates.is_empty()) {
        *by_proposal
            .entry(g.proposal.clone())
            .or_default()
            .entry(g.status)
            .or_default() += 1;
        *by_committee
            .entry(g.committee.clone())
            .or_default()
            .entry(g.status)
            .or_default() += 1;
        *all.entry(g.status).or_default() += 1;
    }
    let mut portfolio = Portfolio {
        as_of,
        known_on: read.known_instant(),
        budget_rounds: rounds.into_iter().collect(),
        committees: lines,
        total,
        proposals,
        goal_counts_by_proposal: by_proposal,
        goal_counts_by_committee: by_committee,
        goal_counts: all,
        committee_shares: Vec::new(),
    };
    portfolio.committee_shares = committee_realisation(&portfolio)?;
    Ok(Overview {
        portfolio,
        goals: goal_rows,
    })
}

/// How a shortfall reads: the figure judged, and whether it is verified.
fn shortfall_text(y: &YearFigures, judged: Decimal) -> String {
    format!(
        "{} {} mod plan {} (1.000 kr.)",
        if y.verified {
            "verificeret"
        } else {
            "realiseret (indberettet, ikke verificeret)"
        },
        judged.normalize(),
        y.plan.normalize()
    )
}

/// The kinds of [`LateItem`] (its `kind`), in the order a list offers them as a filter.
pub const LATE_KINDS: [&str; 4] = ["saving", "missing_report", "goal", "milestone"];

/// A kind filter that names none of [`LATE_KINDS`], as written (trimmed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{0}» is not a kind of late item")]
pub struct UnknownLateKind(pub String);

/// A late list's kind filter as a user wrote it: none (absent or empty) or one of
/// [`LATE_KINDS`]; anything else is refused (the edges say so in Danish, naming the kinds there
/// are with their labels).
pub fn late_kind(written: Option<&str>) -> Result<Option<&'static str>, UnknownLateKind> {
    match written.map(str::trim) {
        None | Some("") => Ok(None),
        Some(k) => LATE_KINDS
            .iter()
            .find(|x| **x == k)
            .copied()
            .map(Some)
            .ok_or_else(|| UnknownLateKind(k.to_string())),
    }
}

/// Something late: an overdue or unreported goal or milestone, an ended year below plan, or an
/// ended year with no report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateItem {
    /// Proposal.
    pub proposal: String,
    /// Committee.
    pub committee: String,
    /// "goal", "milestone" or "saving".
    pub kind: String,
    /// Goal/milestone id, or the year.
    pub what: String,
    /// A description.
    pub description: String,
    /// For savings: the shortfall (realised − plan), 1.000 kr.
    pub shortfall: Decimal,
    /// For goals: days past the end of the earliest overdue checkpoint.
    pub days_overdue: Option<i64>,
    /// The committees with a share of the proposal (the lead committee first): the late list
    /// of each shows the item.
    pub committees: Vec<String>,
    /// For savings: each committee's own part of the shortfall (its realised share − its
    /// planned share), by the attribution rule.
    pub shortfall_by_committee: BTreeMap<String, Decimal>,
}

fn days_overdue(g: &GoalRow, as_of: NaiveDate) -> Option<i64> {
    g.checkpoints
        .iter()
        .filter(|c| matches!(c.status, GoalStatus::Overdue | GoalStatus::NotReported))
        .filter_map(|c| c.window.as_deref())
        .filter_map(|w| {
            let end = w.rsplit('–').next()?;
            end.parse::<gevinst_domain::period::Quarter>().ok()
        })
        .map(|q| (as_of - q.last_day()).num_days())
        .max()
}

/// Everything late as of `as_of`, largest first: shortfalls by amount, then goals by days.
/// Only adopted proposals are followed up: one awaiting its budget decision, or not adopted,
/// owes nothing yet (see `super::decision`).
pub async fn late(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Vec<LateItem>, ReadModelError> {
    Ok(late_items(&*overview(read, index, as_of).await?))
}

/// The late list of an [`Overview`].
#[must_use]
pub fn late_items(o: &Overview) -> Vec<LateItem> {
    let as_of = o.portfolio.as_of;
    let mut items = Vec::new();
    let followed_up: BTreeMap<&str, Vec<String>> = o
        .portfolio
        .proposals
        .iter()
        .filter(|r| r.decision.status.followed_up())
        .map(|r| (r.proposal.as_str(), r.committees()))
        .collect();
    for r in o
        .portfolio
        .proposals
        .iter()
        .filter(|r| r.decision.status.followed_up())
    {
        let committees = &followed_up[r.proposal.as_str()];
        for (y, judged) in shortfalls(r, as_of) {
            let shortfall_by_committee = r
                .by_committee
                .iter()
                .map(|c| {
                    let real = if y.verified {
                        &c.realised_verified
                    } else {
                        &c.realised
                    };
                    let part = |m: &BTreeMap<i32, Decimal>| m.get(&y.year).copied();
                    (
                        c.committee.clone(),
                        part(real).unwrap_or_default() - part(&c.plan).unwrap_or_default(),
                    )
                })
                .filter(|(_, v)| !v.is_zero())
                .collect();
            items.push(LateItem {
                proposal: r.proposal.clone(),
                committee: r.committee.clone(),
                kind: "saving".into(),
                what: y.year.to_string(),
                description: shortfall_text(y, judged),
                shortfall: judged - y.plan,
                days_overdue: None,
                committees: committees.clone(),
                shortfall_by_committee,
            });
        }
        for y in missing_reports(r) {
            let year_end = NaiveDate::from_ymd_opt(y.year, 12, 31).unwrap_or(as_of);
            items.push(LateItem {
                proposal: r.proposal.clone(),
                committee: r.committee.clone(),
                kind: "missing_report".into(),
                what: y.year.to_string(),
                description: format!(
                    "mangler indberetning af realiserede effektiviseringer (plan {} 1.000 kr.)",
                    y.plan.normalize()
                ),
                shortfall: Decimal::ZERO,
                days_overdue: Some((as_of - year_end).num_days()),
                committees: committees.clone(),
                shortfall_by_committee: BTreeMap::new(),
            });
        }
    }
    for g in o.goals.iter().filter(|g| {
        g.restates.is_empty()
            && followed_up.contains_key(g.proposal.as_str())
            && matches!(g.status, GoalStatus::Overdue | GoalStatus::NotReported)
    }) {
        items.push(LateItem {
            days_overdue: days_overdue(g, as_of),
            proposal: g.proposal.clone(),
            committee: g.committee.clone(),
            kind: g.kind.to_string(),
            what: g.id.clone(),
            description: format!("{} (Hvornår: {}; {})", g.text, g.when, g.status.danish()),
            shortfall: Decimal::ZERO,
            committees: followed_up
                .get(g.proposal.as_str())
                .cloned()
                .unwrap_or_default(),
            shortfall_by_committee: BTreeMap::new(),
        });
    }
    items.sort_by(|a, b| {
        b.shortfall
            .cmp(&a.shortfall)
            .then(b.days_overdue.cmp(&a.days_overdue))
            .then(a.proposal.cmp(&b.proposal))
            .then(a.what.cmp(&b.what))
    });
    items
}

/// A proposal's status for the committee, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeStatus {
    /// Proposal.
    pub proposal: String,
    /// Committee.
    pub committee: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: Category,
    /// The code of the rule that decided it (see `super::committee::RULES`).
    pub rule: &'static str,
    /// For "ikke vurderet": why.
    pub not_assessed: Option<NotAssessed>,
    /// The criteria that decided it, and every finding.
    pub reasons: Vec<String>,
    /// The committees with a share of the proposal (the lead committee first): each committee's
    /// status report lists it.
    pub committees: Vec<String>,
    /// Each committee's planned share at full phase-in (måltalseffekt, 1.000 kr.).
    pub shares: BTreeMap<String, Decimal>,
}

/// The committee status of every proposal as of `as_of`, with the default rules.
pub async fn committee_status(
    read: &ReadModels,
    index: &PriceIndex,
    as_of: NaiveDate,
) -> Result<Vec<CommitteeStatus>, ReadModelError> {
    Ok(statuses(&*overview(read, index, as_of).await?))
}

/// The committee status of every proposal of an [`Overview`], with the default rules.
#[must_use]
pub fn statuses(o: &Overview) -> Vec<CommitteeStatus> {
    statuses_with(o, &StatusRules::default())
}

/// What the rules look at for one proposal.
fn findings(
    r: &Realisation,
    own: &[&GoalRow],
    as_of: NaiveDate,
    materiality: &Materiality,
) -> Findings {
    let answered_by = |subject: &Subject| -> Vec<i64> {
        r.compensating_targets
            .iter()
            .filter(|a| match subject {
                Subject::Goal(g) => a.goal.as_deref() == Some(g.as_str()),
                Subject::Year(y) => a.year == Some(*y),
            })
            .map(|a| a.sequence)
            .collect()
    };
    let mut f = Findings {
        awaiting_decision: r.decision.status == DecisionStatus::AwaitingDecision,
        not_adopted: r.decision.status == DecisionStatus::NotAdopted,
        confidential: r.confidential,
        innovation: r.innovation,
        outcome: r.led_to_investment_case,
        ..Findings::default()
    };
    for g in own {
        let subject = Subject::Goal(g.id.clone());
        match g.status {
            GoalStatus::Overdue => f.problems.push(Problem {
                text: format!("{} {} er overskredet ({})", g.kind_danish(), g.id, g.when),
                material: true,
                answered_by: answered_by(&subject),
                subject,
            }),
            GoalStatus::NotReported => f.missing.push(format!(
                "{} {} er ikke rapporteret ({})",
                g.kind_danish(),
                g.id,
                g.when
            )),
            GoalStatus::Unscheduled => f.undated.push(format!(
                "{} {} er ikke vurderet: uden dato ({})",
                g.kind_danish(),
                g.id,
                g.when
            )),
            GoalStatus::AtRisk => {
                f.notes
                    .push(format!("{} {} er i risiko", g.kind_danish(), g.id));
            }
            GoalStatus::PartiallyAchieved => {
                f.notes
                    .push(format!("{} {} er delvist opnået", g.kind_danish(), g.id));
            }
            _ => {}
        }
    }
    if !r.innovation {
        for (y, judged) in shortfalls(r, as_of) {
            let subject = Subject::Year(y.year);
            f.problems.push(Problem {
                text: format!("{}: {}", y.year, shortfall_text(y, judged)),
                material: materiality.is_material(y.plan, judged - y.plan),
                answered_by: answered_by(&subject),
                subject,
            });
        }
    }
    // Missing savings reports count for proposals judged on savings; missing cost reports for
    // every proposal (the pool's money was spent on all of them).
    for y in &r.years {
        for (state, judged, what) in [
            (
                y.savings_report,
                !r.innovation,
                "realiserede effektiviseringer",
            ),
            (y.cost_report, true, "implementeringsomkostninger"),
        ] {
            if judged && state == ReportState::MissingReport {
                f.missing
                    .push(format!("{}: mangler indberetning af {what}", y.year));
            }
        }
    }
    for a in r
        .compensating_targets
        .iter()
        .filter(|a| a.goal.is_none() && a.year.is_none())
    {
        f.notes.push(format!(
            "kompenserende handling (hændelse {}) nævner hverken mål eller år og flytter intet",
            a.sequence
        ));
    }
    f.all_done = !own.is_empty() && own.iter().all(|g| g.status.is_done());
    f.phase_in_met = r.full_phase_in_year().is_some_and(|last| {
        last < as_of.year()
            && r.years
                .iter()
                .find(|y| y.year == last)
                .is_some_and(|y| y.savings_report == ReportState::Reported && y.judged() <= y.plan)
    });
    f
}

/// The committee status of every proposal of an [`Overview`] under `rules`.
#[must_use]
pub fn statuses_with(o: &Overview, rules: &StatusRules) -> Vec<CommitteeStatus> {
    let as_of = o.portfolio.as_of;
    let mut out = Vec::new();
    for r in &o.portfolio.proposals {
        let own: Vec<&GoalRow> = o
            .goals
            .iter()
            .filter(|g| g.proposal == r.proposal && g.restates.is_empty())
            .collect();
        let f = findings(r, &own, as_of, &rules.materiality);
        let (rule, reasons) = judge(&f);
        out.push(CommitteeStatus {
            proposal: r.proposal.clone(),
            committee: r.committee.clone(),
            title: r.title.clone(),
            category: rule.category,
            rule: rule.code,
            not_assessed: rule.not_assessed,
            reasons,
            committees: r.committees(),
            shares: r
                .full_phase_in_year()
                .map(|year| {
                    r.by_committee
                        .iter()
                        .map(|c| {
                            let plan = c.plan.get(&year).copied().unwrap_or_default();
                            (c.committee.clone(), plan)
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    out
}

/// One committee's realisation to date: its own share of the plan and of what was realised
/// (reported, and of that verified) over the proposals' years up to and including the year of
/// the as-of date, by the attribution rule (`gevinst_domain::proposal::attribution`): BC01
/// counts on seven committees, each with its måltalseffekt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeRealisation {
    /// Committee code.
    pub committee: String,
    /// The proposals with a share here (lead or not).
    pub proposals: Vec<String>,
    /// Of those, the ones another committee leads (Tabel 1 books them there).
    pub shared: Vec<String>,
    /// The planned share at each proposal's full phase-in (måltalseffekt, 1.000 kr.).
    pub target_effect_full_phase_in: Decimal,
    /// The appropriation effect at each proposal's full phase-in (bevillingsmæssig effekt).
    pub appropriation_effect_full_phase_in: Decimal,
    /// The plan to date (1.000 kr.; savings negative).
    pub plan_to_date: Decimal,
    /// Reported realised to date.
    pub realised_to_date: Decimal,
    /// Of which verified.
    pub verified_to_date: Decimal,
    /// Realised / plan, when there is a plan to date.
    pub rate: Option<Decimal>,
    /// Verified / plan, when there is a plan to date.
    pub verified_rate: Option<Decimal>,
}

/// The realisation rate to date per committee: the portfolio's (Tabel 1) committees first, then
/// any other committee with a share, in code order. Each proposal counts on every committee
/// with a share, with that share. Sums are checked (an overflow is an error, never a panic).
fn committee_realisation(p: &Portfolio) -> Result<Vec<CommitteeRealisation>, ReadModelError> {
    let year = p.as_of.year();
    let line = |committee: &str| CommitteeRealisation {
        committee: committee.to_string(),
        proposals: Vec::new(),
        shared: Vec::new(),
        target_effect_full_phase_in: Decimal::ZERO,
        appropriation_effect_full_phase_in: Decimal::ZERO,
        plan_to_date: Decimal::ZERO,
        realised_to_date: Decimal::ZERO,
        verified_to_date: Decimal::ZERO,
        rate: None,
        verified_rate: None,
    };
    let mut out: Vec<CommitteeRealisation> =
        p.committees.iter().map(|c| line(&c.committee)).collect();
    let mut others: BTreeMap<String, CommitteeRealisation> = BTreeMap::new();
    for r in &p.proposals {
        let full = r.full_phase_in_year();
        for share in &r.by_committee {
            let l = match out.iter_mut().find(|c| c.committee == share.committee) {
                Some(l) => l,
                None => others
                    .entry(share.committee.clone())
                    .or_insert_with(|| line(&share.committee)),
            };
            l.proposals.push(r.proposal.clone());
            if !share.lead {
                l.shared.push(r.proposal.clone());
            }
            if let Some(full) = full {
                let at = |m: &BTreeMap<i32, Decimal>| m.get(&full).copied().unwrap_or_default();
                super::add(
                    &mut l.target_effect_full_phase_in,
                    at(&share.plan),
                    "måltalseffekter",
                )?;
                super::add(
                    &mut l.appropriation_effect_full_phase_in,
                    at(&share.appropriation_effect),
                    "bevillingsmæssige effekter",
                )?;
            }
            let to_date = |m: &BTreeMap<i32, Decimal>| -> Result<Decimal, ReadModelError> {
                let mut sum = Decimal::ZERO;
                for v in m.range(..=year).map(|(_, v)| *v) {
                    super::add(&mut sum, v, "beløb til dato")?;
                }
                Ok(sum)
            };
            super::add(
                &mut l.plan_to_date,
                to_date(&share.plan)?,
                "planlagte beløb",
            )?;
            super::add(
                &mut l.realised_to_date,
                to_date(&share.realised)?,
                "realiserede beløb",
            )?;
            super::add(
                &mut l.verified_to_date,
                to_date(&share.realised_verified)?,
                "verificerede beløb",
            )?;
        }
    }
    out.extend(others.into_values());
    for line in &mut out {
        let rate = |part: Decimal| {
            (!line.plan_to_date.is_zero())
                .then(|| part.checked_div(line.plan_to_date))
                .flatten()
        };
        line.rate = rate(line.realised_to_date);
        line.verified_rate = rate(line.verified_to_date);
        line.target_effect_full_phase_in = line.target_effect_full_phase_in.normalize();
        line.appropriation_effect_full_phase_in =
            line.appropriation_effect_full_phase_in.normalize();
    }
    Ok(out)
}
