//! Read models: tables derived from the event log for controllers' and auditors' questions.
//! `apply` says how each event changes them, `projector` keeps them caught up (checkpoint in the
//! same transaction as the rows), and this module reads them back as typed rows.

pub mod apply;
pub mod projector;

pub use projector::{Progress, Projector, CLEAR_STATEMENTS, PROJECTION};

use gevinst_domain::proposal::{Fact, Plan, ProposalIdentity};

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
    /// The read models did not reach a position.
    #[error("read models reached position {reached}, not {position}")]
    Behind {
        /// Where they are.
        reached: i64,
        /// Where they were asked to be.
        position: i64,
    },
}

/// A proposal row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ProposalRow {
    /// `BC01` …
    pub proposal_id: String,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Committee code.
    pub committee: String,
    /// FORTROLIGT.
    pub confidential: bool,
    /// Separate political priority.
    pub political_priority: bool,
    /// Budget round.
    pub budget_round: String,
    /// Price level year.
    pub price_level: i32,
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
}

/// A plan amount row exactly as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlanAmountRow {
    /// Proposal.
    pub proposal_id: String,
    /// "baseline" or "current".
    pub plan: String,
    /// Line id.
    pub line_id: String,
    /// Year.
    pub year: i32,
    /// Section code.
    pub section: String,
    /// Control area code.
    pub control_area: String,
    /// Committee code.
    pub committee: Option<String>,
    /// Decimal text, 1.000 kr.
    pub amount: String,
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
    /// Budget year.
    pub year: Option<i32>,
    /// Decimal text.
    pub amount: Option<String>,
    /// Price level year.
    pub price_level: Option<i32>,
    /// Control area code.
    pub control_area: Option<String>,
    /// Plan line.
    pub plan_line: Option<String>,
    /// Committee code.
    pub committee: Option<String>,
    /// Section code.
    pub section: Option<String>,
    /// ISO date.
    pub effective_date: String,
    /// Note.
    pub note: Option<String>,
    /// Evidence.
    pub evidence: Option<String>,
    /// At risk.
    pub at_risk: bool,
    /// The fact as JSON.
    pub fact: String,
    /// Who.
    pub actor: String,
    /// Role.
    pub role: String,
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
}

impl ProposalRow {
    /// The identity.
    pub fn identity(&self) -> Result<ProposalIdentity, ReadModelError> {
        serde_json::from_str(&self.identity)
            .map_err(|e| ReadModelError::Unreadable(format!("{} identity: {e}", self.proposal_id)))
    }

    fn plan(&self, json: Option<&String>, which: &str) -> Result<Option<Plan>, ReadModelError> {
        json.map(|j| {
            serde_json::from_str(j).map_err(|e| {
                ReadModelError::Unreadable(format!("{} {which} plan: {e}", self.proposal_id))
            })
        })
        .transpose()
    }

    /// Where the adopted baseline came from (with its integrity findings).
    pub fn baseline_source(
        &self,
    ) -> Result<Option<gevinst_domain::proposal::BaselineSource>, ReadModelError> {
        self.baseline_source
            .as_ref()
            .map(|j| {
                serde_json::from_str(j).map_err(|e| {
                    ReadModelError::Unreadable(format!("{} baseline source: {e}", self.proposal_id))
                })
            })
            .transpose()
    }

    /// The plan as adopted.
    pub fn baseline(&self) -> Result<Option<Plan>, ReadModelError> {
        self.plan(self.baseline_plan.as_ref(), "baseline")
    }

    /// The plan in force.
    pub fn current(&self) -> Result<Option<Plan>, ReadModelError> {
        self.plan(self.current_plan.as_ref(), "current")
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
}

/// Every read-model row, in key order: what "rebuilt equals incrementally maintained" compares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Dump {
    /// Proposals.
    pub proposals: Vec<ProposalRow>,
    /// Plan amounts.
    pub plan_amounts: Vec<PlanAmountRow>,
    /// Entries.
    pub entries: Vec<EntryRow>,
}

const SELECT_PROPOSALS: &str = "SELECT proposal_id, title, kind, committee, confidential, \
    political_priority, budget_round, price_level, identity, baseline_plan, current_plan, \
    baseline_source, revision, last_sequence, last_position FROM rm_proposal";
const SELECT_PLAN_AMOUNTS: &str = "SELECT proposal_id, plan, line_id, year, section, \
    control_area, committee, amount FROM rm_plan_amount \
    ORDER BY proposal_id, plan, line_id, year";
const SELECT_ENTRIES: &str = "SELECT proposal_id, sequence, position, kind, subject, year, \
    amount, price_level, control_area, plan_line, committee, section, effective_date, note, \
    evidence, at_risk, fact, actor, role, recorded_at, corrects, corrected_by, \
    correction_reason, corrected_at FROM rm_entry";

macro_rules! fetch {
    ($db:expr, $sql:expr $(, $arg:expr)*) => {
        match $db {
            Db::Postgres(pool) => sqlx::query_as($sql)$(.bind($arg))*.fetch_all(pool).await?,
            Db::Sqlite(pool) => sqlx::query_as($sql)$(.bind($arg))*.fetch_all(pool).await?,
        }
    };
}

/// Reads the read models.
#[derive(Debug, Clone)]
pub struct ReadModels {
    db: Db,
}

impl ReadModels {
    /// Over `db`.
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// All proposals, by id.
    pub async fn proposals(&self) -> Result<Vec<ProposalRow>, ReadModelError> {
        Ok(fetch!(
            &self.db,
            &format!("{SELECT_PROPOSALS} ORDER BY proposal_id")
        ))
    }

    /// One proposal.
    pub async fn proposal(&self, id: &str) -> Result<Option<ProposalRow>, ReadModelError> {
        let rows: Vec<ProposalRow> = fetch!(
            &self.db,
            &format!("{SELECT_PROPOSALS} WHERE proposal_id = $1"),
            id
        );
        Ok(rows.into_iter().next())
    }

    /// Every entry (optionally of one proposal), by proposal and sequence.
    pub async fn entries(&self, proposal: Option<&str>) -> Result<Vec<EntryRow>, ReadModelError> {
        Ok(match proposal {
            Some(p) => fetch!(
                &self.db,
                &format!("{SELECT_ENTRIES} WHERE proposal_id = $1 ORDER BY proposal_id, sequence"),
                p
            ),
            None => fetch!(
                &self.db,
                &format!("{SELECT_ENTRIES} ORDER BY proposal_id, sequence")
            ),
        })
    }

    /// Every row of every read model.
    pub async fn dump(&self) -> Result<Dump, ReadModelError> {
        Ok(Dump {
            proposals: self.proposals().await?,
            plan_amounts: fetch!(&self.db, SELECT_PLAN_AMOUNTS),
            entries: self.entries(None).await?,
        })
    }
}
