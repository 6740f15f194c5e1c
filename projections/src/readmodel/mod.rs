//! Read models: tables derived from the event log for controllers' and auditors' questions.
//! `apply` says how each event changes them, `projector` keeps them caught up (checkpoint in the
//! same transaction as the rows), and this module reads them back as typed rows.
//!
//! Every row carries the recorded time of the event that made it (and of the correction that
//! voided it), so [`ReadModels::known_on`] can read the tables as the log stood at a recorded
//! time: the same rows a store holding only the events recorded by then would have.

pub mod apply;
pub mod entries;
pub mod follow;
pub mod projector;
pub mod proposal_rows;

pub use entries::{Entries, Entry, EntryCache, ReadCache, CACHED_ENTRIES};
pub use follow::{Look, PATIENCE, PROJECTOR_LOCK_KEY};
pub use projector::{
    InlineProjection, Progress, Projector, Standing, CLEAR_STATEMENTS, PROJECTION,
};
pub use proposal_rows::{ProposalRows, CACHED_PROPOSALS};

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};
use gevinst_domain::price::{PriceIndex, PriceIndexEvent};
use gevinst_domain::proposal::{BaselineSource, Fact, Plan, ProposalIdentity};

use gevinst_store::{Db, StoreError};

/// What can go wrong maintaining or reading the read models.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadModelError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// An event or row could not be read.
    #[error("unreadable: {0}")]
    Unreadable(String),
    /// The checkpoint lies beyond the log's last event: the log lost events (restored from an
    /// older backup or truncated), and going on would silently skip the next writes.
    #[error("læsemodellerne står ved position {checkpoint}, men hændelsesloggen slutter ved position {head}: loggen er gendannet eller afkortet; kør `gevinst projections rebuild`")]
    AheadOfLog {
        /// Where the read models are.
        checkpoint: i64,
        /// The log's last position.
        head: i64,
    },
    /// A report's sum overflowed (see `reports::add`).
    #[error("summen af {0} er for stor til at regne med: kontrollér de registrerede beløb")]
    Overflow(&'static str),
    /// The read models did not reach a position: the log does not hold it.
    #[error("read models reached position {reached}, not {position}")]
    Behind {
        /// Where they are.
        reached: i64,
        /// Where they were asked to be.
        position: i64,
    },
    /// The background projector did not reach a position within its patience (see
    /// [`follow::PATIENCE`]): it is slow, blocked, or no instance projects.
    #[error("læsemodellerne nåede ikke position {position} inden for {} s", waited.as_secs())]
    Stalled {
        /// The position waited for.
        position: i64,
        /// How long.
        waited: std::time::Duration,
    },
    /// The background projector's last look failed, for this reason.
    #[error("{0}")]
    Failed(String),
}

/// A proposal row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ProposalRow {
    /// `BC01` …
    pub proposal_id: String,
    /// Title.
    pub title: String,
    /// Committee code.
    pub committee: String,
    /// FORTROLIGT.
    pub confidential: bool,
    /// Identity JSON.
    pub identity: String,
    /// Baseline plan JSON.
    pub baseline_plan: Option<String>,
    /// Baseline source JSON (file, SHA-256, integrity findings).
    pub baseline_source: Option<String>,
    /// Current plan JSON.
    pub current_plan: Option<String>,
    /// 0 = baseline in force.
    pub revision: i32,
    /// Last applied sequence.
    pub last_sequence: i64,
    /// Last applied position.
    pub last_position: i64,
    /// When the proposal was registered (RFC 3339).
    pub registered_at: String,
    /// The registration's global position.
    pub registered_position: i64,
    /// The position of the last event that changed this row other than by moving
    /// `last_sequence` and `last_position` (its registration, baseline or latest revision): a
    /// read keeps the row's content while this is unchanged (`proposal_rows`).
    pub changed_position: i64,
    /// The JSON columns as decoded, each on first use, shared by the copies a read hands out
    /// of a kept row. Code that changes a JSON column must start it over
    /// ([`Decoded::default`]), as `proposal_at` does.
    #[sqlx(skip)]
    #[serde(skip)]
    pub decoded: Decoded,
}

/// A proposal row's identity, plans and baseline source as decoded from its JSON columns,
/// kept with the row so that each is decoded once while the row is unchanged, not once per
/// report that asks. Why: a profile of `gevinst bench`'s reads under eight writers
/// (PostgreSQL, 2026-12-06, frame pointers) had decoding the plans and the baseline source
/// at 14 % of Gevinst's CPU: every proposal a write had changed got its part of the
/// portfolio computed again, and each part decoded the same JSON five to seven times.
/// Errors are kept as their messages and reported again on every use.
#[derive(Debug, Clone, Default)]
pub struct Decoded(Arc<DecodedCells>);

#[derive(Debug, Default)]
struct DecodedCells {
    identity: OnceLock<Result<Arc<ProposalIdentity>, String>>,
    baseline: OnceLock<Result<Option<Arc<Plan>>, String>>,
    current: OnceLock<Result<Option<Arc<Plan>>, String>>,
    baseline_source: OnceLock<Result<Option<Arc<BaselineSource>>, String>>,
}

/// Derived from the columns beside it, so never what tells two rows apart.
impl PartialEq for Decoded {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Decoded {}

/// `json` decoded once into `cell` (when there is JSON), as the same `Arc` after that.
fn decoded<T: serde::de::DeserializeOwned>(
    cell: &OnceLock<Result<Option<Arc<T>>, String>>,
    json: Option<&String>,
    what: impl FnOnce() -> String,
) -> Result<Option<Arc<T>>, ReadModelError> {
    cell.get_or_init(|| {
        json.map(|j| {
            serde_json::from_str(j)
                .map(Arc::new)
                .map_err(|e| format!("{}: {e}", what()))
        })
        .transpose()
    })
    .clone()
    .map_err(ReadModelError::Unreadable)
}

/// One plan version exactly as stored: revision 0 is the adopted baseline.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlanVersionRow {
    /// Proposal.
    pub proposal_id: String,
    /// 0 = baseline, 1… revisions.
    pub revision: i32,
    /// The adopting or revising event's sequence.
    pub sequence: i64,
    /// Its global position.
    pub position: i64,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The plan JSON.
    pub plan: String,
    /// The baseline's source JSON (revision 0 only).
    pub source: Option<String>,
}

/// An entry row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct EntryRow {
    /// Proposal.
    pub proposal_id: String,
    /// The recording event's sequence.
    pub sequence: i64,
    /// Its global position.
    pub position: i64,
    /// Fact kind (event type name).
    pub kind: String,
    /// Goal or milestone id.
    pub subject: Option<String>,
    /// ISO date.
    pub effective_date: String,
    /// The fact as JSON.
    pub fact: String,
    /// Who.
    pub actor: String,
    /// When recorded (RFC 3339).
    pub recorded_at: String,
    /// The entry this one replaces.
    pub corrects: Option<i64>,
    /// The event that corrected this entry.
    pub corrected_by: Option<i64>,
    /// Why.
    pub correction_reason: Option<String>,
    /// When the correction was recorded.
    pub corrected_at: Option<String>,
    /// The correction's global position.
    pub corrected_position: Option<i64>,
}

impl ProposalRow {
    /// The identity.
    pub fn identity(&self) -> Result<Arc<ProposalIdentity>, ReadModelError> {
        self.decoded
            .0
            .identity
            .get_or_init(|| {
                serde_json::from_str(&self.identity)
                    .map(Arc::new)
                    .map_err(|e| format!("{} identity: {e}", self.proposal_id))
            })
            .clone()
            .map_err(ReadModelError::Unreadable)
    }

    /// The committees' and administrations' names its budget document declares, if recorded.
    pub fn org_names(&self) -> Result<Option<gevinst_domain::OrgNames>, ReadModelError> {
        Ok(self.baseline_source()?.and_then(|s| s.names.clone()))
    }

    /// The budget document it belongs to: its round, and the municipality its document names.
    pub fn budget_document(&self) -> Result<BudgetDocument, ReadModelError> {
        Ok(BudgetDocument::of(
            &*self.identity()?,
            self.org_names()?.as_ref(),
        ))
    }

    /// Where the adopted baseline came from (with its integrity findings).
    pub fn baseline_source(&self) -> Result<Option<Arc<BaselineSource>>, ReadModelError> {
        decoded(
            &self.decoded.0.baseline_source,
            self.baseline_source.as_ref(),
            || format!("{} baseline source", self.proposal_id),
        )
    }

    /// The plan as adopted.
    pub fn baseline(&self) -> Result<Option<Arc<Plan>>, ReadModelError> {
        decoded(
            &self.decoded.0.baseline,
            self.baseline_plan.as_ref(),
            || format!("{} baseline plan", self.proposal_id),
        )
    }

    /// The plan in force.
    pub fn current(&self) -> Result<Option<Arc<Plan>>, ReadModelError> {
        // Until a revision it is the baseline, stored twice: decoded and kept once.
        if self.revision == 0 {
            return self.baseline();
        }
        decoded(&self.decoded.0.current, self.current_plan.as_ref(), || {
            format!("{} current plan", self.proposal_id)
        })
    }
}

impl EntryRow {
    /// The fact.
    pub fn fact(&self) -> Result<Fact, ReadModelError> {
        serde_json::from_str(&self.fact).map_err(|e| {
            ReadModelError::Unreadable(format!("{} entry {}: {e}", self.proposal_id, self.sequence))
        })
    }

    /// Not reversed or superseded.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.corrected_by.is_none()
    }

    /// This row as it was before its correction: what a read standing before the correction
    /// sees.
    pub(crate) fn undo_correction(&mut self) {
        self.corrected_by = None;
        self.correction_reason = None;
        self.corrected_at = None;
        self.corrected_position = None;
    }
}

/// Every read-model row, in key order: what "rebuilt equals incrementally maintained" compares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dump {
    /// Proposals.
    pub proposals: Vec<ProposalRow>,
    /// Entries.
    pub entries: Vec<EntryRow>,
    /// Plan versions.
    pub plan_versions: Vec<PlanVersionRow>,
    /// Price-index events.
    pub price_index: Vec<PriceIndexRow>,
}

/// One price-index event exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PriceIndexRow {
    /// Its global position.
    pub position: i64,
    /// Its sequence in the `price-index` stream.
    pub sequence: i64,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The event (JSON).
    pub event: String,
}

const SELECT_PRICE_INDEX: &str =
    "SELECT position, sequence, recorded_at, event FROM rm_price_index ORDER BY position";

const SELECT_PROPOSALS: &str = "SELECT proposal_id, title, committee, confidential, identity, \
    baseline_plan, current_plan, baseline_source, revision, last_sequence, last_position, \
    registered_at, registered_position, changed_position FROM rm_proposal";
const SELECT_ENTRIES: &str = "SELECT proposal_id, sequence, position, kind, subject, \
    effective_date, fact, actor, recorded_at, corrects, corrected_by, correction_reason, \
    corrected_at, corrected_position FROM rm_entry";
const SELECT_PLAN_VERSIONS: &str = "SELECT proposal_id, revision, sequence, position, \
    recorded_at, plan, source FROM rm_plan_version";

macro_rules! fetch {
    ($db:expr, $sql:expr $(, $arg:expr)*) => {
        match $db {
            Db::Postgres(pool) => sqlx::query_as($sql)$(.bind($arg))*.fetch_all(pool).await?,
            Db::Sqlite(pool) => sqlx::query_as($sql)$(.bind($arg))*.fetch_all(pool).await?,
        }
    };
}
pub(crate) use fetch;

/// A budget document as the log knows it: its municipality (where its file names one) and
/// its budget round. Displays as a page's header writes it: "Københavns Kommune — Budget
/// 2025", or the round alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BudgetDocument {
    /// "Københavns Kommune".
    pub municipality: Option<String>,
    /// "Budget 2025".
    pub round: String,
}

impl BudgetDocument {
    /// A proposal's document: its round, and the municipality its document's names declare.
    #[must_use]
    pub fn of(identity: &ProposalIdentity, names: Option<&gevinst_domain::OrgNames>) -> Self {
        Self {
            municipality: names.and_then(|n| n.municipality.clone()).map(String::from),
            round: identity.budget_round.clone(),
        }
    }

    /// The distinct documents of `rows`, in order.
    pub fn of_rows<'a>(
        rows: impl IntoIterator<Item = &'a ProposalRow>,
    ) -> Result<Vec<BudgetDocument>, ReadModelError> {
        let mut documents = std::collections::BTreeSet::new();
        for row in rows {
            documents.insert(row.budget_document()?);
        }
        Ok(documents.into_iter().collect())
    }

    /// The distinct rounds of `documents`, in order.
    #[must_use]
    pub fn rounds(documents: &[BudgetDocument]) -> Vec<String> {
        let rounds: std::collections::BTreeSet<&String> =
            documents.iter().map(|d| &d.round).collect();
        rounds.into_iter().cloned().collect()
    }
}

impl std::fmt::Display for BudgetDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.municipality {
            Some(m) => write!(f, "{m} — {}", self.round),
            None => f.write_str(&self.round),
        }
    }
}

/// Reads the read models: everything recorded so far, or (after [`ReadModels::known_on`]) only
/// what the log held at a recorded time.
#[derive(Debug, Clone)]
pub struct ReadModels {
    db: Db,
    /// Each proposal's entries as last read, decoded, and the last overviews (shared by
    /// clones).
    cache: std::sync::Arc<ReadCache>,
    known_on: Option<DateTime<Utc>>,
    /// Only the proposals of this budget round (`ProposalIdentity::budget_round`), if set.
    round: Option<String>,
    /// The checkpoint as the reader found it just before reading (see
    /// [`ReadModels::standing_at`]).
    checkpoint: Option<i64>,
    /// The last price-index row's position as the reader found it with the checkpoint (see
    /// [`ReadModels::standing`]).
    price_index_position: Option<i64>,
    /// For one reader's request ([`ReadModels::standing_at`]): the proposal rows it has read
    /// by id, as stored, so the policy's look at a proposal and the answer read one row, once.
    read_once: Option<ReadOnce>,
}

/// The proposal rows one request has read, by id (see [`ReadModels::standing_at`]).
type ReadOnce = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, ProposalRow>>>;

/// Whether `recorded_at` (RFC 3339, as stored) is at or before `t`.
fn recorded_by(recorded_at: &str, t: DateTime<Utc>, what: &str) -> Result<bool, ReadModelError> {
    let at = DateTime::parse_from_rfc3339(recorded_at).map_err(|e| {
        ReadModelError::Unreadable(format!("{what} recorded at {recorded_at:?}: {e}"))
    })?;
    Ok(at.with_timezone(&Utc) <= t)
}

/// `entry` as it stood at `t`: `None` if recorded later; a correction recorded later undone.
fn entry_at(mut entry: EntryRow, t: DateTime<Utc>) -> Result<Option<EntryRow>, ReadModelError> {
    let what = || format!("{} entry {}", entry.proposal_id, entry.sequence);
    if !recorded_by(&entry.recorded_at, t, &what())? {
        return Ok(None);
    }
    if let Some(at) = &entry.corrected_at {
        if !recorded_by(at, t, &what())? {
            entry.undo_correction();
        }
    }
    Ok(Some(entry))
}

/// `row` as it stood at `t`, given its plan versions and its entries as they stood at `t`:
/// `None` if registered later; otherwise the baseline and the newest revision recorded by
/// then, and the last sequence and position among the events recorded by then.
fn proposal_at(
    mut row: ProposalRow,
    versions: &[PlanVersionRow],
    entries: &[EntryRow],
    t: DateTime<Utc>,
) -> Result<Option<ProposalRow>, ReadModelError> {
    if !recorded_by(&row.registered_at, t, &row.proposal_id)? {
        return Ok(None);
    }
    let mut known = Vec::new();
    for v in versions.iter().filter(|v| v.proposal_id == row.proposal_id) {
        if recorded_by(&v.recorded_at, t, &row.proposal_id)? {
            known.push(v);
        }
    }
    let baseline = known.iter().find(|v| v.revision == 0);
    let current = known.iter().max_by_key(|v| v.revision);
    row.baseline_plan = baseline.map(|v| v.plan.clone());
    row.baseline_source = baseline.and_then(|v| v.source.clone());
    row.current_plan = current.map(|v| v.plan.clone());
    // The JSON columns changed: decoded again from these.
    row.decoded = Decoded::default();
    row.revision = current.map_or(0, |v| v.revision);
    // Registration is the stream's first event (sequence 1); every later event left a plan
    // version, an entry, or a correction mark (reversals) behind.
    let mut last = (1, row.registered_position);
    let mut seen = |sequence: i64, position: i64| last = last.max((sequence, position));
    row.changed_position = row.registered_position;
    for v in &known {
        seen(v.sequence, v.position);
        row.changed_position = row.changed_position.max(v.position);
    }
    for e in entries.iter().filter(|e| e.proposal_id == row.proposal_id) {
        seen(e.sequence, e.position);
        if let (Some(sequence), Some(position)) = (e.corrected_by, e.corrected_position) {
            seen(sequence, position);
        }
    }
    (row.last_sequence, row.last_position) = last;
    Ok(Some(row))
}

impl ReadModels {
    /// Over `db`, with everything recorded so far.
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cache: std::sync::Arc::default(),
            known_on: None,
            round: None,
            checkpoint: None,
            price_index_position: None,
            read_once: None,
        }
    }

    /// The same tables, read by someone who found the checkpoint at `position` just before
    /// (a server's read, which asked [`Projector::standing`] first): [`ReadModels::position`]
    /// answers that without asking again. One request's reads: a proposal's row is read once
    /// for them all (and their clones), so the policy decides on the row the answer shows.
    #[must_use]
    pub fn standing_at(self, position: i64) -> Self {
        Self {
            checkpoint: Some(position),
            read_once: Some(std::sync::Arc::default()),
            ..self
        }
    }

    /// [`ReadModels::standing_at`] the standing's position, knowing the price index's last
    /// row too: [`ReadModels::price_index`] does not ask for it again.
    #[must_use]
    pub fn standing(self, standing: &Standing) -> Self {
        Self {
            price_index_position: Some(standing.price_index),
            ..self.standing_at(standing.position)
        }
    }

    /// The same tables, keeping decoded entries in `cache` (a process's one cache, see
    /// [`crate::readmodel::Projector::read_models`]).
    #[must_use]
    pub fn with_cache(self, cache: std::sync::Arc<ReadCache>) -> Self {
        Self { cache, ..self }
    }

    /// Brings the kept entries of the rows in `rows` up to each row's `last_sequence`, the
    /// changes of several proposals with one statement, as many as the cache holds (see
    /// [`entries::EntryCache::prefetch`]), so that [`ReadModels::decoded_entries`] then finds
    /// them kept: for reports over many proposals of which a few changed. Returns how many of
    /// `rows` it keeps.
    pub async fn decoded_entries_of(&self, rows: &[&ProposalRow]) -> Result<usize, ReadModelError> {
        let wanted: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r.proposal_id.as_str(), r.last_sequence))
            .collect();
        self.cache.entries.prefetch(&self.db, &wanted).await
    }

    /// Fetches and decodes the entries of every proposal, as many as the cache can keep:
    /// what `serve` does as it starts, so that the first reads find them kept instead of all
    /// fetching at once. Returns how many proposals it keeps.
    pub async fn warm(&self) -> Result<usize, ReadModelError> {
        let rows = self.proposals().await?;
        self.decoded_entries_of(&rows.iter().collect::<Vec<_>>())
            .await
    }

    /// Proposal `row`'s entries with their facts decoded, as they stood at the row's
    /// `last_sequence` (and, after [`ReadModels::known_on`], as recorded by then): what a
    /// report reads. Kept decoded between reads (see [`entries`]), so a report costs what
    /// changed since the last read, not the whole stream.
    pub async fn decoded_entries(
        &self,
        row: &ProposalRow,
    ) -> Result<std::sync::Arc<Entries>, ReadModelError> {
        let at = self
            .cache
            .entries
            .at(&self.db, &row.proposal_id, row.last_sequence)
            .await?;
        let Some(t) = self.known_on else {
            return Ok(at);
        };
        let mut known = Vec::with_capacity(at.entries().len());
        for e in at.entries() {
            if let Some(r) = entry_at(e.row.clone(), t)? {
                known.push(if r == e.row {
                    e.clone()
                } else {
                    std::sync::Arc::new(Entry {
                        row: r,
                        fact: e.fact.clone(),
                    })
                });
            }
        }
        Ok(std::sync::Arc::new(Entries::of(row.last_sequence, known)))
    }

    /// The same tables narrowed to the proposals of one budget round ("Budget 2026"), as its
    /// document names it: every list of proposals, and so every portfolio, status and late
    /// list, counts that round only. `None` reads every round loaded.
    #[must_use]
    pub fn in_round(self, round: Option<String>) -> Self {
        Self { round, ..self }
    }

    /// The budget round these reads are narrowed to, if any.
    #[must_use]
    pub fn round(&self) -> Option<&str> {
        self.round.as_deref()
    }

    /// Every budget document the log holds proposals of, in order, whatever `in_round` says:
    /// what a page's header says it shows, and the rounds a filter may choose.
    pub async fn budget_documents(&self) -> Result<Vec<BudgetDocument>, ReadModelError> {
        let all = Self {
            round: None,
            ..self.clone()
        };
        BudgetDocument::of_rows(&all.proposals().await?)
    }

    /// Every budget round the log holds proposals of, in order (whatever `in_round` says).
    pub async fn budget_rounds(&self) -> Result<Vec<String>, ReadModelError> {
        Ok(BudgetDocument::rounds(&self.budget_documents().await?))
    }

    /// The same tables read as the log stood at `known_on` (only events recorded at or before
    /// it); `None` reads everything recorded so far.
    #[must_use]
    pub fn known_on(self, known_on: Option<DateTime<Utc>>) -> Self {
        Self { known_on, ..self }
    }

    /// What these reads keep between requests.
    pub(crate) fn cache(&self) -> &ReadCache {
        &self.cache
    }

    /// The position the read models reflect (their checkpoint).
    pub async fn position(&self) -> Result<i64, ReadModelError> {
        match self.checkpoint {
            Some(position) => Ok(position),
            None => projector::checkpoint(&self.db).await,
        }
    }

    /// The recorded time these reads stand at, if any.
    #[must_use]
    pub fn known_instant(&self) -> Option<DateTime<Utc>> {
        self.known_on
    }

    async fn versions(
        &self,
        proposal: Option<&str>,
    ) -> Result<Vec<PlanVersionRow>, ReadModelError> {
        Ok(match proposal {
            Some(p) => fetch!(
                &self.db,
                &format!(
                    "{SELECT_PLAN_VERSIONS} WHERE proposal_id = $1 ORDER BY proposal_id, revision"
                ),
                p
            ),
            None => fetch!(
                &self.db,
                &format!("{SELECT_PLAN_VERSIONS} ORDER BY proposal_id, revision")
            ),
        })
    }

    /// Proposal rows (one or all) as they stood at `known_on`.
    async fn proposals_at(
        &self,
        rows: Vec<ProposalRow>,
        proposal: Option<&str>,
    ) -> Result<Vec<ProposalRow>, ReadModelError> {
        let Some(t) = self.known_on else {
            return Ok(rows);
        };
        let versions = self.versions(proposal).await?;
        let mut out = Vec::new();
        for row in rows {
            // The entries as stored at the row's sequence, as recorded by `t`.
            let known: Vec<EntryRow> = self
                .decoded_entries(&row)
                .await?
                .entries()
                .iter()
                .map(|e| e.row.clone())
                .collect();
            out.extend(proposal_at(row, &versions, &known, t)?);
        }
        Ok(out)
    }

    /// All proposals, by id.
    pub async fn proposals(&self) -> Result<Vec<ProposalRow>, ReadModelError> {
        let rows = self.cache.proposals.read(&self.db, None).await?;
        self.in_view(rows).await
    }

    /// `rows` (every proposal's) as this reader sees them: as they stood at `known_on`, and
    /// only those of its budget round.
    async fn in_view(&self, rows: Vec<ProposalRow>) -> Result<Vec<ProposalRow>, ReadModelError> {
        let rows = self.proposals_at(rows, None).await?;
        let Some(round) = &self.round else {
            return Ok(rows);
        };
        let mut kept = Vec::with_capacity(rows.len());
        for row in rows {
            if &row.identity()?.budget_round == round {
                kept.push(row);
            }
        }
        Ok(kept)
    }

    /// The committees' and administrations' names, as the budget documents of the proposals
    /// read declare them (recorded with each adoption): the one source of those names for
    /// pages and messages. A proposal adopted before documents declared names adds none.
    pub async fn org_names(&self) -> Result<gevinst_domain::OrgNames, ReadModelError> {
        let (mut names, undeclared) = self.names_declared().await?;
        // A proposal adopted before documents declared names still has its committees (the
        // lead, its lines' and its per-committee tables'), named by their codes, so filters
        // and choices keep working on an older log.
        for row in &undeclared {
            let plan = row.current()?.unwrap_or_default();
            let codes = std::iter::once(row.committee.clone())
                .chain(
                    plan.lines
                        .iter()
                        .filter_map(|l| l.committee.map(|c| c.to_string())),
                )
                .chain(
                    plan.committee_distributions
                        .iter()
                        .map(|d| d.committee.to_string()),
                );
            for code in codes {
                if let (Ok(c), Ok(n)) = (
                    code.parse::<gevinst_domain::Committee>(),
                    code.parse::<gevinst_domain::OrgName>(),
                ) {
                    names.committees.entry(c).or_insert(n);
                }
            }
        }
        Ok(names)
    }

    /// Only the names the budget documents declared (none for a log whose adoptions predate
    /// the declarations): what a check that refuses an undeclared committee reads, so an older
    /// log refuses nothing it accepted before.
    pub async fn declared_org_names(&self) -> Result<gevinst_domain::OrgNames, ReadModelError> {
        Ok(self.names_declared().await?.0)
    }

    /// The declared names merged, and the proposals whose adoption recorded none; each row's
    /// source decoded once.
    async fn names_declared(
        &self,
    ) -> Result<(gevinst_domain::OrgNames, Vec<ProposalRow>), ReadModelError> {
        let mut names = gevinst_domain::OrgNames::default();
        let mut undeclared = Vec::new();
        for row in self.proposals().await? {
            match row.org_names()? {
                Some(n) => names.merge(&n),
                None => undeclared.push(row),
            }
        }
        Ok((names, undeclared))
    }

    /// One proposal.
    pub async fn proposal(&self, id: &str) -> Result<Option<ProposalRow>, ReadModelError> {
        let once = self.read_once.as_ref();
        let read = once.and_then(|once| entries::lock(once).get(id).cloned());
        let rows = match read {
            Some(row) => vec![row],
            None => {
                let rows = self.cache.proposals.read(&self.db, Some(id)).await?;
                if let (Some(once), Some(row)) = (once, rows.first()) {
                    entries::lock(once).insert(id.to_string(), row.clone());
                }
                rows
            }
        };
        Ok(self.proposals_at(rows, Some(id)).await?.into_iter().next())
    }

    /// Every entry (optionally of one proposal), by proposal and sequence.
    pub async fn entries(&self, proposal: Option<&str>) -> Result<Vec<EntryRow>, ReadModelError> {
        let rows: Vec<EntryRow> = match proposal {
            Some(p) => fetch!(
                &self.db,
                &format!("{SELECT_ENTRIES} WHERE proposal_id = $1 ORDER BY proposal_id, sequence"),
                p
            ),
            None => fetch!(
                &self.db,
                &format!("{SELECT_ENTRIES} ORDER BY proposal_id, sequence")
            ),
        };
        let Some(t) = self.known_on else {
            return Ok(rows);
        };
        let mut out = Vec::new();
        for row in rows {
            out.extend(entry_at(row, t)?);
        }
        Ok(out)
    }

    /// Every plan version (0 = baseline), by proposal and revision.
    pub async fn plan_versions(&self) -> Result<Vec<PlanVersionRow>, ReadModelError> {
        let rows = self.versions(None).await?;
        let Some(t) = self.known_on else {
            return Ok(rows);
        };
        let mut out = Vec::new();
        for v in rows {
            if recorded_by(&v.recorded_at, t, &v.proposal_id)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The price-index events recorded by `known_on` (all without it), in log order.
    pub async fn price_index_rows(&self) -> Result<Vec<PriceIndexRow>, ReadModelError> {
        let rows: Vec<PriceIndexRow> = fetch!(&self.db, SELECT_PRICE_INDEX);
        let Some(t) = self.known_on else {
            return Ok(rows);
        };
        let mut out = Vec::new();
        for r in rows {
            if recorded_by(&r.recorded_at, t, "prisindekset")? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The price index as the log stood at `known_on` (now without it): every vintage, and
    /// the one in use then, which is the one a report read here converts with.
    pub async fn price_index(&self) -> Result<PriceIndex, ReadModelError> {
        // Rows are only ever added, in position order (a rebuild forgets the kept index), so
        // the last row's position says whether the kept index is this one.
        let last = match self.price_index_position {
            Some(last) => Some(last),
            None => {
                let sql = "SELECT MAX(position) FROM rm_price_index";
                match &self.db {
                    Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
                    Db::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await?,
                }
            }
        };
        let key = (last.unwrap_or(0), self.known_on);
        if let Some((kept, index)) = self.cache.price_index_slot().as_ref() {
            if *kept == key {
                return Ok(index.clone());
            }
        }
        let index = self.fold_price_index().await?;
        *self.cache.price_index_slot() = Some((key, index.clone()));
        Ok(index)
    }

    async fn fold_price_index(&self) -> Result<PriceIndex, ReadModelError> {
        let mut index = PriceIndex::default();
        for row in self.price_index_rows().await? {
            let event: PriceIndexEvent = serde_json::from_str(&row.event).map_err(|e| {
                ReadModelError::Unreadable(format!("price-index #{}: {e}", row.sequence))
            })?;
            index.fold(event);
        }
        Ok(index)
    }

    /// Every row of every read model (at `known_on`, if set).
    pub async fn dump(&self) -> Result<Dump, ReadModelError> {
        // The rows as stored, not as kept: a dump is what a rebuild is checked against.
        let stored = fetch!(
            &self.db,
            &format!("{SELECT_PROPOSALS} ORDER BY proposal_id")
        );
        let proposals = self.in_view(stored).await?;
        Ok(Dump {
            proposals,
            entries: self.entries(None).await?,
            plan_versions: self.plan_versions().await?,
            price_index: self.price_index_rows().await?,
        })
    }
}
