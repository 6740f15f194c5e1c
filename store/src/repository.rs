//! Our own event repository behind cqrs-es' `PersistedEventRepository`. The stock postgres-es
//! and sqlite-es store neither a recorded time, an event id nor a global commit order, and they
//! cannot refuse a retried command; this one does all four, plus the hash chain, on both
//! backends with the same behaviour:
//!
//! 1. an append is one transaction that first serialises against every other append
//!    (PostgreSQL: a transaction-scoped advisory lock; SQLite: `BEGIN IMMEDIATE`);
//! 2. it checks the stream's last sequence (optimistic concurrency: a stale writer gets a
//!    retryable conflict) and the idempotency key (a replay appends nothing);
//! 3. it numbers the events `MAX(position)+1…` — gapless, and in commit order because the lock is
//!    held until commit — stamps `recorded_at` from the injected clock, chains the hashes, and
//!    records the command;
//! 4. given an [`Inline`] projection (the command path gives the read models'), and when the
//!    read models reflect everything before this append, it runs that projection's statements
//!    in the same transaction: the events and their read-model rows commit together, one commit
//!    instead of two. Otherwise (the read models behind, another projector at work, or its
//!    statements failing) the append commits alone and the background projector projects it.
//!
//! Steps 2 and 3 read what they need in one statement (the stream's last row, the key's
//! record, the log's head), for every append of a group at once, and insert every append's
//! events and command rows in one more (on SQLite one call of two statements); the inline
//! projection's claim moves the checkpoint and (PostgreSQL) queues the notification in one. A
//! group of appends is a handful of round trips whatever its size and the streams' length.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use futures::stream::BoxStream;
use gevinst_domain::chain::{event_hash, HashInput, GENESIS_HASH};
use gevinst_domain::metadata::keys;
use gevinst_verify::NoteSigner;
use serde_json::Value;
use uuid::Uuid;

use super::clock::Clock;
use super::db::Db;
use super::StoreError;
use crate::bind_all;
use crate::sql::{joined, multi_row, Placeholders, Stmt};

/// Key of PostgreSQL's advisory lock that serialises appends ("gevinst" in ASCII).
pub const APPEND_LOCK_KEY: i64 = 0x0067_6576_696e_7374;

/// The PostgreSQL channel every append notifies on, delivered at its commit: the leading
/// projector of any instance wakes on it (see `gevinst_projections::readmodel::follow`).
pub const APPENDED_CHANNEL: &str = "gevinst_appended";

/// An event row as stored, with everything the store added.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Global, gapless commit order.
    pub position: i64,
    /// Unique id.
    pub event_id: Uuid,
    /// "proposal".
    pub aggregate_type: String,
    /// The proposal id.
    pub stream_id: String,
    /// 1, 2, … within the stream.
    pub sequence: i64,
    /// Type name.
    pub event_type: String,
    /// Type version.
    pub event_version: String,
    /// The event's JSON.
    pub payload: Value,
    /// The command's metadata.
    pub metadata: Value,
    /// Who.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// Business date, where the event has one.
    pub effective_date: Option<NaiveDate>,
    /// The command's idempotency key.
    pub idempotency_key: String,
    /// When the store committed it (server clock, UTC).
    pub recorded_at: DateTime<Utc>,
    /// The previous event's hash in the stream.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl StoredEvent {
    /// The hash this row should have, recomputed from its fields.
    #[must_use]
    pub fn computed_hash(&self) -> String {
        event_hash(&HashInput {
            event_id: &self.event_id.to_string(),
            position: self.position,
            stream_id: &self.stream_id,
            sequence: self.sequence,
            event_type: &self.event_type,
            event_version: &self.event_version,
            payload: &self.payload,
            metadata: &self.metadata,
            recorded_at: self.recorded_at,
            prev_hash: &self.prev_hash,
        })
    }

    fn into_serialized(self) -> SerializedEvent {
        SerializedEvent {
            aggregate_id: self.stream_id,
            sequence: usize::try_from(self.sequence).unwrap_or_default(),
            aggregate_type: self.aggregate_type,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
            metadata: self.metadata,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    position: i64,
    event_id: String,
    aggregate_type: String,
    stream_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: String,
    metadata: String,
    actor: String,
    role: String,
    effective_date: Option<NaiveDate>,
    idempotency_key: String,
    recorded_at: DateTime<Utc>,
    prev_hash: String,
    hash: String,
}

/// What a projection reads of a stored event (see [`EventStore::logged_after`]): where it
/// sits, what it is, who recorded it when, and its payload as the stored JSON text, for the
/// reader to decode straight into the event (no `serde_json::Value` in between).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoggedEvent {
    /// Global, gapless commit order.
    pub position: i64,
    /// "proposal", "access" or "price_index".
    pub aggregate_type: String,
    /// The stream (a proposal's id).
    pub stream_id: String,
    /// 1, 2, … within the stream.
    pub sequence: i64,
    /// Type name.
    pub event_type: String,
    /// Type version.
    pub event_version: String,
    /// The event's JSON, as stored.
    pub payload: String,
    /// Who.
    pub actor: String,
    /// When the store committed it (server clock, UTC).
    pub recorded_at: DateTime<Utc>,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!(
                "event at position {} ({} #{}): {what}: {e}",
                row.position, row.stream_id, row.sequence
            ))
        };
        Ok(StoredEvent {
            position: row.position,
            event_id: Uuid::parse_str(&row.event_id).map_err(|e| corrupt("event_id", &e))?,
            payload: serde_json::from_str(&row.payload).map_err(|e| corrupt("payload", &e))?,
            metadata: serde_json::from_str(&row.metadata).map_err(|e| corrupt("metadata", &e))?,
            aggregate_type: row.aggregate_type,
            stream_id: row.stream_id,
            sequence: row.sequence,
            event_type: row.event_type,
            event_version: row.event_version,
            actor: row.actor,
            role: row.role,
            effective_date: row.effective_date,
            idempotency_key: row.idempotency_key,
            recorded_at: row.recorded_at,
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
    }
}

/// An event row whose stored fields cannot be parsed, with where it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableRow {
    /// Global position.
    pub position: i64,
    /// The proposal id.
    pub stream_id: String,
    /// Sequence in the stream.
    pub sequence: i64,
    /// The row's stored hash (the next event's `prev_hash` should be it).
    pub hash: String,
    /// What cannot be read.
    pub what: String,
}

/// One event row as read for verification: parsed, or why not.
pub type RowRead = Result<StoredEvent, UnreadableRow>;

/// What the store remembers of an accepted command.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CommandRecord {
    /// "proposal".
    pub aggregate_type: String,
    /// The proposal id.
    pub stream_id: String,
    /// The key.
    pub idempotency_key: String,
    /// SHA-256 of the command's canonical JSON.
    pub fingerprint: String,
    /// First event's sequence.
    pub first_sequence: i64,
    /// Last event's sequence.
    pub last_sequence: i64,
    /// First event's global position.
    pub first_position: i64,
    /// Last event's global position.
    pub last_position: i64,
    /// When it was committed.
    pub recorded_at: DateTime<Utc>,
}

/// The event store over either backend.
#[derive(Clone)]
pub struct EventStore {
    db: Db,
    clock: Arc<dyn Clock>,
    /// The projection every append runs in its own transaction, if any (see [`Inline`]).
    inline: Option<Arc<dyn Inline>>,
    /// This process's appends that commit together (shared by clones).
    group: Arc<Group>,
    /// The Merkle tree head of the log as this process last read it (shared by clones): a
    /// checkpoint reads only the events after it (see `checkpoint::EventStore::tree_head`).
    pub(crate) tree: Arc<tokio::sync::Mutex<crate::checkpoint::TreeHead>>,
}

impl std::fmt::Debug for EventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStore").field("db", &self.db).finish()
    }
}

/// The SELECT list shared by every event query; `{t}` casts to text on PostgreSQL.
pub(crate) fn select_events(text_cast: &str) -> String {
    format!(
        "SELECT position, event_id{t} AS event_id, aggregate_type, stream_id, sequence, \
         event_type, event_version, payload{t} AS payload, metadata{t} AS metadata, actor, role, \
         effective_date, idempotency_key, recorded_at, prev_hash, hash FROM event",
        t = text_cast
    )
}

/// The order [`EventStore::rows`] reads the log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// By aggregate type, stream and sequence: each stream's chain in order.
    ByStream,
    /// By aggregate type, stream, idempotency key (bytewise, as Rust compares strings) and
    /// sequence: each command's events together, in [`EventStore::commands`]' order.
    ByCommand,
}

/// The statement for a walk of the log on a backend (built once: a streamed query borrows it).
fn walk_sql(postgres: bool, order: Walk) -> &'static str {
    static SQL: std::sync::LazyLock<[String; 4]> = std::sync::LazyLock::new(|| {
        let by_stream = "ORDER BY aggregate_type, stream_id, sequence";
        // PostgreSQL sorts text by the database's collation unless told; the merge in `verify`
        // compares bytes, as SQLite's default collation does.
        let by_command = |c: &str| {
            format!("ORDER BY aggregate_type{c}, stream_id{c}, idempotency_key{c}, sequence")
        };
        [
            format!("{} {by_stream}", select_events("::text")),
            format!(
                "{} {}",
                select_events("::text"),
                by_command(" COLLATE \"C\"")
            ),
            format!("{} {by_stream}", select_events("")),
            format!("{} {}", select_events(""), by_command("")),
        ]
    });
    let i = usize::from(!postgres) * 2 + usize::from(order == Walk::ByCommand);
    &SQL[i]
}

const INSERT_EVENT_PG: &str = "INSERT INTO event (position, event_id, aggregate_type, stream_id, \
    sequence, event_type, event_version, payload, metadata, actor, role, effective_date, \
    idempotency_key, recorded_at, prev_hash, hash) VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, \
    $8::jsonb, $9::jsonb, $10, $11, $12, $13, $14, $15, $16)";
const INSERT_EVENT_SQLITE: &str = "INSERT INTO event (position, event_id, aggregate_type, \
    stream_id, sequence, event_type, event_version, payload, metadata, actor, role, \
    effective_date, idempotency_key, recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, \
    $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
const INSERT_COMMAND: &str = "INSERT INTO command (aggregate_type, stream_id, idempotency_key, \
    fingerprint, first_sequence, last_sequence, first_position, last_position, recorded_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
const SELECT_COMMAND: &str = "SELECT aggregate_type, stream_id, idempotency_key, fingerprint, \
    first_sequence, last_sequence, first_position, last_position, recorded_at FROM command \
    WHERE aggregate_type = $1 AND stream_id = $2 AND idempotency_key = $3";
/// What the appends of a group read before they write, in one round trip for all of them (see
/// [`Before`]): one row of `a` per append (its type, stream, key, the stream it was decided
/// on, and `i`, its place in the group), joined to the log's head, the stream's last row, the
/// key's command row and the decided-on stream's last sequence. On PostgreSQL the appends come
/// as arrays, so that one statement serves a group of any size, and each look-up is a
/// `LATERAL` subquery with a `LIMIT`, which PostgreSQL can only run as one step down an index
/// per append. The append's transaction asks for generic plans (`plan_cache_mode`), so the
/// statement is planned once per connection: left to choose, PostgreSQL planned it again at
/// every bind (0.3 ms of its CPU; a generic plan's guess of ten appends costs more than a
/// custom plan's one). Tried first and measured under `gevinst bench` with `auto_explain`: a
/// `VALUES` row per append, joined plainly, was re-planned at each bind (0.2–0.8 ms), and its
/// generic plans hashed the whole command table (so does a `LATERAL` subquery without a
/// `LIMIT`, which PostgreSQL flattens into a join), or walked each stream's every event when
/// the last one was asked as `sequence = (SELECT MAX(sequence) …)`.
const BEFORE_APPEND_PG: &str = "SELECT a.i, m.max_position, h.hash AS head_hash, \
    l.sequence AS last_sequence, l.hash AS last_hash, \
    c.fingerprint, c.first_sequence, c.last_sequence AS command_last, \
    c.first_position, c.last_position, c.recorded_at, d.sequence AS decided_on \
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) \
        AS a (t, s, k, dt, ds, i) \
    CROSS JOIN (SELECT COALESCE(MAX(position), 0) AS max_position FROM event) m \
    LEFT JOIN event h ON h.position = m.max_position \
    LEFT JOIN LATERAL (SELECT sequence, hash FROM event \
        WHERE aggregate_type = a.t AND stream_id = a.s ORDER BY sequence DESC LIMIT 1) l ON TRUE \
    LEFT JOIN LATERAL (SELECT * FROM command WHERE aggregate_type = a.t AND stream_id = a.s \
        AND idempotency_key = a.k LIMIT 1) c ON TRUE \
    LEFT JOIN LATERAL (SELECT sequence FROM event \
        WHERE aggregate_type = a.dt AND stream_id = a.ds ORDER BY sequence DESC LIMIT 1) d ON TRUE \
    ORDER BY a.i";
/// [`BEFORE_APPEND_PG`] for SQLite, which has neither arrays nor `LATERAL`: a `VALUES` row per
/// append (made as many rows long as the group by [`multi_row`]), and the stream's last row as
/// scalar subqueries. SQLite runs every join as a loop over the appends anyway, and plans a
/// statement in microseconds.
const BEFORE_APPEND_SQLITE: &str =
    "WITH asked (t, s, k, dt, ds, i) AS ( VALUES ($1, $2, $3, $4, $5, $6)) \
    SELECT a.i, m.max_position, h.hash AS head_hash, \
    (SELECT sequence FROM event WHERE aggregate_type = a.t AND stream_id = a.s \
        ORDER BY sequence DESC LIMIT 1) AS last_sequence, \
    (SELECT hash FROM event WHERE aggregate_type = a.t AND stream_id = a.s \
        ORDER BY sequence DESC LIMIT 1) AS last_hash, \
    c.fingerprint, c.first_sequence, c.last_sequence AS command_last, \
    c.first_position, c.last_position, c.recorded_at, \
    (SELECT sequence FROM event WHERE aggregate_type = a.dt AND stream_id = a.ds \
        ORDER BY sequence DESC LIMIT 1) AS decided_on \
    FROM asked a \
    CROSS JOIN (SELECT COALESCE(MAX(position), 0) AS max_position FROM event) m \
    LEFT JOIN event h ON h.position = m.max_position \
    LEFT JOIN command c ON c.aggregate_type = a.t AND c.stream_id = a.s \
        AND c.idempotency_key = a.k \
    ORDER BY a.i";

/// One append's look-ups in its group's read ([`BEFORE_APPEND_PG`]).
struct Ask<'a> {
    /// The append's place in its group.
    i: i64,
    aggregate_type: &'a str,
    stream_id: &'a str,
    key: &'a str,
    /// The stream the command was decided on (empty: none).
    decided_type: &'a str,
    decided_stream: &'a str,
}

/// The group's read on PostgreSQL: one [`Before`] per ask, in the asks' order.
async fn before_pg<'a>(
    conn: &mut sqlx::PgConnection,
    asks: &[Ask<'a>],
) -> Result<Vec<Before>, sqlx::Error> {
    let texts = |f: fn(&Ask<'a>) -> &'a str| asks.iter().map(f).collect::<Vec<&str>>();
    sqlx::query_as(BEFORE_APPEND_PG)
        .bind(texts(|a| a.aggregate_type))
        .bind(texts(|a| a.stream_id))
        .bind(texts(|a| a.key))
        .bind(texts(|a| a.decided_type))
        .bind(texts(|a| a.decided_stream))
        .bind(asks.iter().map(|a| a.i).collect::<Vec<i64>>())
        .fetch_all(conn)
        .await
}

/// The group's read on SQLite: one [`Before`] per ask, in the asks' order.
async fn before_sqlite(
    conn: &mut sqlx::SqliteConnection,
    asks: &[Ask<'_>],
) -> Result<Vec<Before>, sqlx::Error> {
    let sql = multi_row(BEFORE_APPEND_SQLITE, asks.len(), 0, Placeholders::Numbered);
    let mut query = sqlx::query_as(&sql);
    for a in asks {
        query = query
            .bind(a.aggregate_type)
            .bind(a.stream_id)
            .bind(a.key)
            .bind(a.decided_type)
            .bind(a.decided_stream)
            .bind(a.i);
    }
    query.fetch_all(conn).await
}

const LAST_IN_STREAM: &str = "SELECT sequence, hash FROM event WHERE aggregate_type = $1 AND \
    stream_id = $2 ORDER BY sequence DESC LIMIT 1";
const MAX_POSITION: &str = "SELECT COALESCE(MAX(position), 0) FROM event";

/// What an append reads inside its transaction before it writes: the log's head, the stream's
/// last sequence and hash, the record of a command with the same key, if any, and the last
/// sequence of the stream the command was decided on ([`DecidedOn`]), if it names one.
#[derive(sqlx::FromRow)]
struct Before {
    /// The append's place in its group.
    i: i64,
    max_position: i64,
    /// The stored hash of the event at `max_position` (none in an empty log).
    head_hash: Option<String>,
    last_sequence: Option<i64>,
    last_hash: Option<String>,
    fingerprint: Option<String>,
    first_sequence: Option<i64>,
    command_last: Option<i64>,
    first_position: Option<i64>,
    last_position: Option<i64>,
    recorded_at: Option<DateTime<Utc>>,
    decided_on: Option<i64>,
}

impl Before {
    fn last(&self) -> Option<(i64, String)> {
        self.last_sequence.zip(self.last_hash.clone())
    }

    /// The earlier command with the same key, when there is one.
    fn existing(&self, aggregate_type: &str, stream_id: &str, key: &str) -> Option<CommandRecord> {
        Some(CommandRecord {
            aggregate_type: aggregate_type.to_string(),
            stream_id: stream_id.to_string(),
            idempotency_key: key.to_string(),
            fingerprint: self.fingerprint.clone()?,
            first_sequence: self.first_sequence?,
            last_sequence: self.command_last?,
            first_position: self.first_position?,
            last_position: self.last_position?,
            recorded_at: self.recorded_at?,
        })
    }
}

/// A projection an append runs in its own transaction (see the module docs, step 4). The read
/// models implement it; the log knows only that it is statements.
pub trait Inline: Send + Sync {
    /// A statement that moves the projection from position `from` (the log's head before the
    /// append) to `to` (its last new event) when it stands at `from` and no other projector
    /// holds it, and holds it until the commit. It changes one row when it did; none
    /// otherwise (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so an append never waits), and then
    /// the append commits without projecting.
    fn claim(&self, from: i64, to: i64) -> Stmt;

    /// The statements that project `rows` (just appended, in order), run after a successful
    /// claim; `Err` says why it cannot (the append then commits without projecting).
    fn statements(&self, rows: &[StoredEvent]) -> Result<Vec<Stmt>, String>;
}

/// Another stream a command was decided on, as of the sequence it was read at: the accounts
/// and grants the policy applied, say. The append checks it in the same read that checks the
/// command's own stream and refuses with [`StoreError::Moved`] when that stream has grown
/// since, so a command may be decided on a state kept in memory without asking the log first:
/// the log still has the last word, in the transaction that commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedOn {
    /// The stream's aggregate type.
    pub aggregate_type: String,
    /// The stream.
    pub stream_id: String,
    /// Its last sequence as the command saw it (0: no events).
    pub sequence: i64,
}

/// What an accepted append stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The command's record, as stored.
    pub record: CommandRecord,
    /// Whether the inline projection committed with it (the read models reflect it already).
    pub projected: bool,
    /// The signed checkpoint stored with it, covering it, when the append asked for one
    /// ([`EventStore::append_signed`]) and the process's tree ended where the log did.
    pub receipt: Option<crate::checkpoint::StoredCheckpoint>,
}

impl DecidedOn {
    /// The refusal when the stream's last sequence now (`last`; none: no events) is not the
    /// one the command saw.
    fn moved(&self, last: Option<i64>) -> Option<StoreError> {
        let current = last.unwrap_or(0);
        (current != self.sequence).then(|| StoreError::Moved {
            stream_id: self.stream_id.clone(),
            decided_on: self.sequence,
            current,
        })
    }
}

/// One append of a group: its events and the stream it was decided on, if any.
type Batched<'a> = (&'a [SerializedEvent], Option<&'a DecidedOn>);

/// An append waiting for the next group to commit (see [`EventStore::append_with`]).
struct Waiting {
    events: Vec<SerializedEvent>,
    inline: Option<Arc<dyn Inline>>,
    signer: Option<Arc<NoteSigner>>,
    decided_on: Option<DecidedOn>,
    reply: tokio::sync::oneshot::Sender<Result<Appended, StoreError>>,
}

/// The appends of one process that commit together: those waiting, and whether a committer
/// is at work (it takes whatever waits, commits it, and looks again until nothing waits).
struct Group {
    queue: std::sync::Mutex<Queue>,
    /// Told of each append queued while a committer is at work, for [`EventStore::gather`].
    arrived: tokio::sync::Notify,
    /// How long a committer may hold its group for more appends ([`EventStore::gather`]).
    wait: std::time::Duration,
}

impl Group {
    fn new(wait: std::time::Duration) -> Self {
        Self {
            queue: std::sync::Mutex::default(),
            arrived: tokio::sync::Notify::new(),
            wait,
        }
    }
}

/// [`Group`]'s state, under one lock so that an append is never left waiting with no
/// committer: either the committer at work takes it, or the append starts one.
#[derive(Default)]
struct Queue {
    waiting: Vec<Waiting>,
    committing: bool,
    /// How many appends the last group held, and when it committed.
    last: Option<(usize, std::time::Instant)>,
}

/// The committer's hold on [`Queue::committing`] should it panic: released, so that the next
/// append starts a new one, and the appends still waiting dropped, their callers told so,
/// rather than waiting for an answer that would never come. (A committer that stops because
/// nothing waits releases it itself, under the lock that found nothing; releasing it again
/// here, later, could free it under a committer started meanwhile.)
struct Committing(Arc<Group>);

impl Drop for Committing {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Ok(mut queue) = self.0.queue.lock() {
                queue.committing = false;
                queue.waiting.clear();
            }
        }
    }
}

/// How long a committer may hold its group for more appends (see [`EventStore::gather`]).
/// Tokio's timer counts whole milliseconds: a shorter wait would be rounded up to one.
pub const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// How many of its waits ago the last group may have committed for a committer to wait for as
/// many appends again: a client that took longer than that over its next command is not one
/// whose command is worth holding a group for.
const RECENT_WAITS: u32 = 10;

fn no_answer() -> StoreError {
    StoreError::Invalid("an append's transaction gave no answer".to_string())
}

/// The type, stream, idempotency key and fingerprint of the command whose `events` these are.
fn command_of(events: &[SerializedEvent]) -> Option<(String, String, String, String)> {
    let first = events.first()?;
    let key = meta_str(&first.metadata, keys::IDEMPOTENCY_KEY)?;
    let fingerprint = meta_str(&first.metadata, keys::COMMAND_FINGERPRINT).unwrap_or_default();
    Some((
        first.aggregate_type.clone(),
        first.aggregate_id.clone(),
        key,
        fingerprint,
    ))
}

/// One row to insert, fully computed.
struct NewRow {
    stored: StoredEvent,
    payload_text: String,
    metadata_text: String,
}

pub(crate) fn meta_str(metadata: &Value, key: &str) -> Option<String> {
    metadata
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The columns an append copies out of the (hashed) metadata: who, in which role, the business
/// date. One function for the append and for `verify`, which checks the stored columns against
/// it, so the hash covers them through the metadata.
pub(crate) fn denormalised(metadata: &Value) -> (String, String, Option<NaiveDate>) {
    (
        meta_str(metadata, keys::ACTOR).unwrap_or_default(),
        meta_str(metadata, keys::ROLE).unwrap_or_default(),
        meta_str(metadata, keys::EFFECTIVE_DATE).and_then(|d| d.parse().ok()),
    )
}

/// Binds an event row's 16 columns, in `INSERT_EVENT_PG`'s and `INSERT_EVENT_SQLITE`'s order, to `$query`.
macro_rules! bind_event {
    ($query:expr, $row:expr) => {{
        let (row, e) = ($row, &$row.stored);
        $query
            .bind(e.position)
            .bind(e.event_id.to_string())
            .bind(&e.aggregate_type)
            .bind(&e.stream_id)
            .bind(e.sequence)
            .bind(&e.event_type)
            .bind(&e.event_version)
            .bind(&row.payload_text)
            .bind(&row.metadata_text)
            .bind(&e.actor)
            .bind(&e.role)
            .bind(e.effective_date)
            .bind(&e.idempotency_key)
            .bind(e.recorded_at)
            .bind(&e.prev_hash)
            .bind(&e.hash)
    }};
}

/// Binds a command row's 9 columns, in `INSERT_COMMAND`'s order, to `$query`.
macro_rules! bind_command {
    ($query:expr, $command:expr) => {{
        let c: &CommandRecord = $command;
        $query
            .bind(&c.aggregate_type)
            .bind(&c.stream_id)
            .bind(&c.idempotency_key)
            .bind(&c.fingerprint)
            .bind(c.first_sequence)
            .bind(c.last_sequence)
            .bind(c.first_position)
            .bind(c.last_position)
            .bind(c.recorded_at)
    }};
}

/// The insert half of a group: each append's events and its command row (`rows`, one append
/// after the other). On PostgreSQL (`together`) all of them in one statement (one round trip);
/// on SQLite, where a statement costs no round trip over a network, two statements in one call.
/// A group whose values would exceed [`GROUP_VALUES`] is inserted in several such statements,
/// an append never split between two.
macro_rules! insert_rows {
    ($tx:expr, $together:expr, $rows:expr) => {{
        for part in in_parts($rows) {
            let events: usize = part.iter().map(|(rows, _)| rows.len()).sum();
            let sql = $together(events, part.len());
            let mut query = sqlx::query(&sql);
            for row in part.iter().flat_map(|(rows, _)| rows) {
                query = bind_event!(query, row);
            }
            for (_, command) in part {
                query = bind_command!(query, command);
            }
            query.execute(&mut *$tx).await?;
        }
    }};
}

/// Values bound to one statement of a group's insert at most: within both backends' limits
/// (PostgreSQL 65,535, SQLite 32,766).
const GROUP_VALUES: usize = 30_000;

/// A group's appends cut into the parts its insert writes one statement each (see
/// [`insert_rows!`]).
fn in_parts(appends: &[(Vec<NewRow>, CommandRecord)]) -> Vec<&[(Vec<NewRow>, CommandRecord)]> {
    let event_values = INSERT_EVENT_PG.matches('$').count();
    let command_values = INSERT_COMMAND.matches('$').count();
    let mut parts = Vec::new();
    let (mut start, mut values) = (0, 0);
    for (i, (rows, _)) in appends.iter().enumerate() {
        let these = rows.len() * event_values + command_values;
        if i > start && values + these > GROUP_VALUES {
            parts.push(&appends[start..i]);
            (start, values) = (i, 0);
        }
        values += these;
    }
    if start < appends.len() {
        parts.push(&appends[start..]);
    }
    parts
}

/// PostgreSQL's insert of `rows` events and `commands` command rows as one statement: the
/// events in a data-modifying `WITH` (run whether referenced or not), then the commands.
fn insert_together_pg(rows: usize, commands: usize) -> String {
    let columns = INSERT_EVENT_PG.matches('$').count();
    format!(
        "WITH e AS ({}) {}",
        multi_row(INSERT_EVENT_PG, rows, 0, Placeholders::Numbered),
        multi_row(
            INSERT_COMMAND,
            commands,
            rows * columns,
            Placeholders::Numbered
        )
    )
}

/// SQLite's insert of `rows` events and `commands` command rows in one call: two statements,
/// their parameters anonymous so that the values run on from the first to the second (see
/// [`crate::sql::joined`]).
fn insert_together_sqlite(rows: usize, commands: usize) -> String {
    format!(
        "{};\n{}",
        multi_row(INSERT_EVENT_SQLITE, rows, 0, Placeholders::Anonymous),
        multi_row(INSERT_COMMAND, commands, 0, Placeholders::Anonymous)
    )
}

/// What the appends of a group accepted before this one wrote, in the same transaction (their
/// rows and command records, in order): the log's head, each stream's last sequence and hash,
/// each command's record. An append in a group is checked against this first and against what
/// the group read ([`Before`]) second, as it would be by reading again after the appends before
/// it. Read from the accepted appends themselves, newest first, rather than kept a second time.
struct Written<'a>(&'a [(Vec<NewRow>, CommandRecord)]);

impl Written<'_> {
    fn rows(&self) -> impl Iterator<Item = &StoredEvent> {
        self.0
            .iter()
            .rev()
            .flat_map(|(rows, _)| rows.iter().rev().map(|row| &row.stored))
    }

    fn position(&self) -> Option<i64> {
        self.rows().next().map(|e| e.position)
    }

    fn last(&self, aggregate_type: &str, stream_id: &str) -> Option<(i64, String)> {
        self.rows()
            .find(|e| e.aggregate_type == aggregate_type && e.stream_id == stream_id)
            .map(|e| (e.sequence, e.hash.clone()))
    }

    fn command(&self, aggregate_type: &str, stream_id: &str, key: &str) -> Option<CommandRecord> {
        self.0
            .iter()
            .rev()
            .map(|(_, command)| command)
            .find(|c| {
                c.aggregate_type == aggregate_type
                    && c.stream_id == stream_id
                    && c.idempotency_key == key
            })
            .cloned()
    }
}

impl EventStore {
    /// A store over `db`, stamping times from `clock`.
    #[must_use]
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            inline: None,
            group: Arc::new(Group::new(GATHER)),
            tree: Arc::default(),
        }
    }

    /// The same store, running `inline` in every append's transaction (see the module docs,
    /// step 4): the command path's store, so proposals, accounts and the price index all
    /// keep the read models current as they commit.
    #[must_use]
    pub fn with_inline(mut self, inline: Arc<dyn Inline>) -> Self {
        self.inline = Some(inline);
        self
    }

    /// The same store with a committer of its own that holds a group for up to `wait` for more
    /// appends (see [`EventStore::gather`]; [`GATHER`] unless set).
    #[must_use]
    pub fn gathering(mut self, wait: std::time::Duration) -> Self {
        self.group = Arc::new(Group::new(wait));
        self
    }

    /// Now, by the clock that stamps `recorded_at` (for checkpoints and plausibility checks
    /// relative to the server's time).
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The database.
    #[must_use]
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Appends one command's events atomically; see the module docs for the protocol.
    pub async fn append(&self, events: &[SerializedEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        self.appended(events).await.map(|_| ())
    }

    /// [`EventStore::append`] with this store's inline projection, if any, saying what it
    /// stored.
    pub async fn appended(&self, events: &[SerializedEvent]) -> Result<Appended, StoreError> {
        self.append_with(events, self.inline.clone()).await
    }

    /// [`EventStore::append`], projecting the events in the same transaction through `inline`
    /// when the projection reflects everything before them (see the module docs, step 4).
    ///
    /// Appends that arrive while another is committing wait for it and then commit together,
    /// in one transaction (group commit): one commit, one fsync, for all of them, each still
    /// checked, numbered and chained in the order it arrived, and each answered with its own
    /// outcome. A command refused in the group (a conflict, a replayed key) is left out of it
    /// and refused alone. The group is committed by a task of its own, so a caller that stops
    /// waiting (a dropped request) cannot leave the others without an answer.
    ///
    /// A failing inline statement rolls the group back, and it is committed again without its
    /// projection: the background projector then meets (and reports) the same failure, and
    /// no command is lost to a read-model fault. A group whose transaction fails otherwise is
    /// committed again one append at a time, so one append's fault is its own.
    pub async fn append_with(
        &self,
        events: &[SerializedEvent],
        inline: Option<Arc<dyn Inline>>,
    ) -> Result<Appended, StoreError> {
        self.append_signed(events, inline, None).await
    }

    /// [`EventStore::appended`], with a checkpoint of the log signed by `signer` stored in the
    /// same transaction as the receipt (one commit, one fsync, for the command and its
    /// receipt; see [`Appended::receipt`]), and for a command decided on `decided_on` as well
    /// as on its own stream, refused with [`StoreError::Moved`] if that stream has grown since.
    pub async fn appended_decided(
        &self,
        events: &[SerializedEvent],
        signer: Option<Arc<NoteSigner>>,
        decided_on: Option<DecidedOn>,
    ) -> Result<Appended, StoreError> {
        self.append_queued(events, self.inline.clone(), signer, decided_on)
            .await
    }

    /// [`EventStore::append_with`], signing a receipt in the transaction when `signer` is
    /// given. Appends that commit together under one key share one receipt.
    pub async fn append_signed(
        &self,
        events: &[SerializedEvent],
        inline: Option<Arc<dyn Inline>>,
        signer: Option<Arc<NoteSigner>>,
    ) -> Result<Appended, StoreError> {
        self.append_queued(events, inline, signer, None).await
    }

    /// Queues an append and waits for its answer. The first append to find no committer at
    /// work starts one (a task of its own); every other append is taken into the next group.
    ///
    /// Why a committer and not a turn that each append waits for: with a turn, an append whose
    /// answer had come with an earlier group still queued for the turn, and on getting it
    /// committed whatever had arrived meanwhile, one append at a time, while the appends
    /// behind it waited a whole commit each. Eight clients on eight proposals then committed
    /// in groups of one (measured: `gevinst bench`, PostgreSQL, 2026-12-06).
    async fn append_queued(
        &self,
        events: &[SerializedEvent],
        inline: Option<Arc<dyn Inline>>,
        signer: Option<Arc<NoteSigner>>,
        decided_on: Option<DecidedOn>,
    ) -> Result<Appended, StoreError> {
        if events.is_empty() {
            return Err(StoreError::Invalid("no events to append".to_string()));
        }
        let (reply, answer) = tokio::sync::oneshot::channel();
        let start = {
            let mut queue = self
                .group
                .queue
                .lock()
                .map_err(|_| StoreError::Invalid("the append queue is poisoned".to_string()))?;
            queue.waiting.push(Waiting {
                events: events.to_vec(),
                inline,
                signer,
                decided_on,
                reply,
            });
            !std::mem::replace(&mut queue.committing, true)
        };
        if start {
            let store = self.clone();
            tokio::spawn(async move { store.commit_waiting().await });
        } else {
            self.group.arrived.notify_one();
        }
        answer
            .await
            .map_err(|_| StoreError::Invalid("the append was dropped unanswered".to_string()))?
    }

    /// The committer: commits whatever waits as one group, again and again, until nothing
    /// waits.
    async fn commit_waiting(&self) {
        let _committing = Committing(Arc::clone(&self.group));
        loop {
            self.gather().await;
            let group = match self.group.queue.lock() {
                Ok(mut queue) if !queue.waiting.is_empty() => std::mem::take(&mut queue.waiting),
                // Nothing waits: stop, under the lock, so the next append starts a committer.
                Ok(mut queue) => {
                    queue.committing = false;
                    return;
                }
                Err(_) => return,
            };
            let size = group.len();
            self.commit_group(group).await;
            if let Ok(mut queue) = self.group.queue.lock() {
                queue.last = Some((size, std::time::Instant::now()));
            }
        }
    }

    /// Holds the group, for at most the group's wait ([`GATHER`]), until as many appends wait
    /// as the last group held, when that group committed a moment ago: its callers are likely
    /// to be back with their next commands.
    ///
    /// Why: without it, eight clients sending command after command committed in groups of
    /// seven and one, by turns. The eighth client's command arrived just after the committer
    /// had taken seven, so it committed alone, with an fsync of its own, while the seven were
    /// still on their way back with their next ones (seen in PostgreSQL's statement log under
    /// `gevinst bench`). Held for them, they commit as eight. A lone client is never held:
    /// its last group was one. Nor is the first command after a pause: its last group is
    /// not recent. PostgreSQL's `commit_delay` is the same idea inside the server.
    async fn gather(&self) {
        let started = std::time::Instant::now();
        let wait = self.group.wait;
        let recent = wait.saturating_mul(RECENT_WAITS);
        loop {
            let (waiting, expected) = match self.group.queue.lock() {
                Ok(queue) => (
                    queue.waiting.len(),
                    queue
                        .last
                        .filter(|(_, at)| at.elapsed() < recent)
                        .map_or(0, |(size, _)| size),
                ),
                Err(_) => return,
            };
            let left = wait.saturating_sub(started.elapsed());
            if waiting == 0 || waiting >= expected || left.is_zero() {
                return;
            }
            let _ = tokio::time::timeout(left, self.group.arrived.notified()).await;
        }
    }

    /// Commits `group` in one transaction and answers each append in it (see
    /// [`EventStore::append_with`] for what happens when that fails).
    async fn commit_group(&self, group: Vec<Waiting>) {
        let batch: Vec<Batched> = group
            .iter()
            .map(|w| (w.events.as_slice(), w.decided_on.as_ref()))
            .collect();
        // The group projects inline only when every append in it asked for the same projection.
        let first = group.first().and_then(|w| w.inline.clone());
        let same = group.iter().all(|w| match (&w.inline, &first) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        });
        let inline = if same { first } else { None };
        // And it signs a receipt only when every append in it asked for one by the same key.
        let signer = group
            .first()
            .and_then(|w| w.signer.clone())
            .filter(|first| {
                group
                    .iter()
                    .all(|w| w.signer.as_ref().is_some_and(|s| Arc::ptr_eq(s, first)))
            });
        let mut answers = match self
            .commit_once(&batch, inline.as_deref(), signer.as_deref())
            .await
        {
            Err(StoreError::Projection(why)) => {
                tracing::warn!(%why, "projecting inline failed; appending without it");
                self.commit_once(&batch, None, None).await
            }
            done => done,
        };
        if answers.is_err() && group.len() > 1 {
            let mut alone = Vec::with_capacity(group.len());
            for one in &batch {
                let answer = self.commit_once(&[*one], None, None).await;
                alone.push(answer.and_then(|mut one| one.pop().ok_or_else(no_answer)?));
            }
            answers = Ok(alone);
        }
        match answers {
            Ok(answers) => {
                for (waiting, answer) in group.into_iter().zip(answers) {
                    // A caller that stopped waiting needs no answer.
                    let _ = waiting.reply.send(answer);
                }
            }
            Err(error) => {
                let why = error.to_string();
                let mut error = Some(error);
                for waiting in group {
                    let this = error
                        .take()
                        .unwrap_or_else(|| StoreError::Invalid(why.clone()));
                    let _ = waiting.reply.send(Err(this));
                }
            }
        }
    }

    /// How many of this process's appends wait for the next group now.
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.group
            .queue
            .lock()
            .map_or(0, |queue| queue.waiting.len())
    }

    /// One transaction for `batch`: each append checked, numbered, chained and inserted in
    /// turn (a refused one left out, with its refusal as its answer), then the inline
    /// projection of everything inserted, then the commit. `Err` when the transaction failed
    /// (nothing of it is stored).
    async fn commit_once(
        &self,
        batch: &[Batched<'_>],
        inline: Option<&dyn Inline>,
        signer: Option<&NoteSigner>,
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        // The same steps on both backends, inside the transaction that serialises appends.
        macro_rules! append_in {
            ($tx:ident, $before:expr, $insert:expr, $in_one_call:expr, $sign_when_waiting:expr) => {{
                // What every append of the group reads, in one statement.
                let commands: Vec<_> = batch.iter().map(|(events, _)| command_of(events)).collect();
                let mut asks = Vec::with_capacity(batch.len());
                for (i, command) in commands.iter().enumerate() {
                    if let Some((aggregate_type, stream_id, key, _)) = command {
                        let decided_on = batch[i].1;
                        asks.push(Ask {
                            i: i64::try_from(i).map_err(|e| StoreError::Invalid(e.to_string()))?,
                            aggregate_type,
                            stream_id,
                            key,
                            decided_type: decided_on.map_or("", |d| d.aggregate_type.as_str()),
                            decided_stream: decided_on.map_or("", |d| d.stream_id.as_str()),
                        });
                    }
                }
                let mut befores: Vec<Option<Before>> = (0..batch.len()).map(|_| None).collect();
                if !asks.is_empty() {
                    for before in $before(&mut *$tx, &asks).await? {
                        let at = usize::try_from(before.i).ok();
                        if let Some(slot) = at.and_then(|i| befores.get_mut(i)) {
                            *slot = Some(before);
                        }
                    }
                }
                let first = befores.iter().flatten().next();
                let head = first.map(|b| b.max_position);
                let head_hash = first.and_then(|b| b.head_hash.clone());
                // Each append checked, numbered and chained in turn against what the group read
                // and what the appends before it in the group wrote.
                let mut answers = Vec::with_capacity(batch.len());
                let mut accepted = Vec::new();
                for (i, &(events, decided_on)) in batch.iter().enumerate() {
                    let (Some((aggregate_type, stream_id, key, fingerprint)), Some(before)) =
                        (&commands[i], &befores[i])
                    else {
                        answers.push(Err(StoreError::Invalid(
                            "every command needs an idempotency key".to_string(),
                        )));
                        continue;
                    };
                    let written = Written(&accepted);
                    let existing = written
                        .command(aggregate_type, stream_id, key)
                        .or_else(|| before.existing(aggregate_type, stream_id, key));
                    let decided_last = decided_on.and_then(|d| {
                        written
                            .last(&d.aggregate_type, &d.stream_id)
                            .map(|(sequence, _)| sequence)
                            .or(before.decided_on)
                    });
                    if let Some(moved) = decided_on.and_then(|d| d.moved(decided_last)) {
                        // A replay is a replay whatever moved since the first attempt.
                        answers.push(Err(match existing {
                            Some(record) => StoreError::DuplicateCommand(Box::new(record)),
                            None => moved,
                        }));
                        continue;
                    }
                    let last = written
                        .last(aggregate_type, stream_id)
                        .or_else(|| before.last());
                    let position = written.position().or(head).unwrap_or(0);
                    match self.prepare(events, last, existing, position, key, fingerprint) {
                        Ok((rows, command)) => {
                            answers.push(Ok(Appended {
                                record: command.clone(),
                                projected: false,
                                receipt: None,
                            }));
                            accepted.push((rows, command));
                        }
                        Err(refused) => answers.push(Err(refused)),
                    }
                }
                insert_rows!($tx, $insert, &accepted);
                let inserted: Vec<StoredEvent> = accepted
                    .into_iter()
                    .flat_map(|(rows, _)| rows.into_iter().map(|row| row.stored))
                    .collect();
                let last = inserted.last().map(|e| e.position);
                if let (Some(inline), Some(head), Some(last)) = (inline, head, last) {
                    match inline.statements(&inserted) {
                        Ok(stmts) => {
                            let stmts = $in_one_call(stmts);
                            let claim = inline.claim(head, last);
                            let claimed = bind_all!(sqlx::query(&claim.sql), &claim.args)
                                .execute(&mut *$tx)
                                .await?
                                .rows_affected()
                                == 1;
                            if claimed {
                                for s in &stmts {
                                    bind_all!(sqlx::query(&s.sql), &s.args)
                                        .execute(&mut *$tx)
                                        .await
                                        .map_err(|e| StoreError::Projection(e.to_string()))?;
                                }
                                for appended in answers.iter_mut().flatten() {
                                    appended.projected = true;
                                }
                            }
                        }
                        // Nothing of the projection ran: the events commit alone.
                        Err(why) => tracing::warn!(%why, "cannot project inline"),
                    }
                }
                // The receipt, stored with the events (see `EventStore::receipt_after`): one
                // commit and one fsync for both. When other appends wait for the next group, on
                // SQLite they are signed for after their commit instead, where they share one
                // receipt (`ProposalService::with_receipt`); on PostgreSQL here too. Measured,
                // not derived (`gevinst bench`, 2026-12-05, 8 writers): signing here whoever
                // waits took PostgreSQL from 693–710 to 843–900 commands/s and its portfolio
                // reads' p50 from 9.5–10.0 to 8.3–8.6 ms, but SQLite's portfolio reads' p50
                // from 3.5–4.4 to 8.2–9.3 ms, for no gain in its commands; why SQLite's
                // readers pay was not found. Again once groups formed (2026-12-06, two runs
                // each): SQLite's commands by 8 clients 1,288 / 1,216 → 3,198 / 3,466 per
                // second, but its portfolio reads' p50 3.7 / 2.8 → 22.4 / 22.6 ms. Left out.
                let mut receipt = None;
                let signer = signer.filter(|_| $sign_when_waiting || self.waiting() == 0);
                if let (Some(signer), Some(head), Some(_)) = (signer, head, last) {
                    let mut tree = self.tree.lock().await;
                    match self
                        .receipt_after(&mut tree, head, head_hash.as_deref(), &inserted, signer)
                        .await
                    {
                        Ok(Some(signed)) => {
                            let c = &signed.checkpoint;
                            let stored = sqlx::query(crate::checkpoint::INSERT_CHECKPOINT)
                                .bind(&c.key_id)
                                .bind(c.tree_size)
                                .bind(&c.root_hash)
                                .bind(c.signed_at)
                                .bind(&c.note)
                                .execute(&mut *$tx)
                                .await?
                                .rows_affected()
                                == 1;
                            // Another checkpoint of that size is stored already: the
                            // command is signed for after its commit (which tells a fork).
                            if stored {
                                receipt = Some((tree, signed));
                            }
                        }
                        Ok(None) => {}
                        Err(why) => tracing::warn!(%why, "cannot sign a receipt in the append"),
                    }
                }
                $tx.commit().await?;
                if let Some((mut tree, signed)) = receipt {
                    *tree = signed.tree;
                    for appended in answers.iter_mut().flatten() {
                        appended.receipt = Some(signed.checkpoint.clone());
                    }
                }
                Ok(answers)
            }};
        }
        match &self.db {
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // One round trip: take the append lock, queue the commit's notification, and
                // have this transaction's statements run on plans made once per connection
                // (see `BEFORE_APPEND_PG`).
                sqlx::query(
                    "SELECT pg_advisory_xact_lock($1), pg_notify($2, ''), \
                     set_config('plan_cache_mode', 'force_generic_plan', true)",
                )
                .bind(APPEND_LOCK_KEY)
                .bind(APPENDED_CHANNEL)
                .execute(&mut *tx)
                .await?;
                append_in!(
                    tx,
                    before_pg,
                    insert_together_pg,
                    std::convert::identity,
                    true
                )
            }
            Db::Sqlite(pool) => {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                // SQLite takes the projection's statements in one call.
                append_in!(
                    tx,
                    before_sqlite,
                    insert_together_sqlite,
                    |stmts: Vec<Stmt>| match stmts.len() {
                        0 | 1 => stmts,
                        _ => vec![joined(&stmts)],
                    },
                    false
                )
            }
        }
    }

    /// Checks concurrency and idempotency, then numbers, stamps and chains the new rows.
    fn prepare(
        &self,
        events: &[SerializedEvent],
        last: Option<(i64, String)>,
        existing: Option<CommandRecord>,
        max_position: i64,
        key: &str,
        fingerprint: &str,
    ) -> Result<(Vec<NewRow>, CommandRecord), StoreError> {
        if let Some(record) = existing {
            return Err(StoreError::DuplicateCommand(Box::new(record)));
        }
        let (last_sequence, mut prev_hash) = last.unwrap_or((0, GENESIS_HASH.to_string()));
        let recorded_at = self.clock.now();
        let mut rows = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let offset = i64::try_from(i).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let sequence =
                i64::try_from(event.sequence).map_err(|e| StoreError::Invalid(e.to_string()))?;
            if sequence != last_sequence + 1 + offset {
                return Err(StoreError::Conflict {
                    stream_id: event.aggregate_id.clone(),
                    expected: sequence,
                    current: last_sequence,
                });
            }
            let (actor, role, effective_date) = denormalised(&event.metadata);
            let mut stored = StoredEvent {
                position: max_position + 1 + offset,
                event_id: Uuid::new_v4(),
                aggregate_type: event.aggregate_type.clone(),
                stream_id: event.aggregate_id.clone(),
                sequence,
                event_type: event.event_type.clone(),
                event_version: event.event_version.clone(),
                payload: event.payload.clone(),
                metadata: event.metadata.clone(),
                actor,
                role,
                effective_date,
                idempotency_key: key.to_string(),
                recorded_at,
                prev_hash: prev_hash.clone(),
                hash: String::new(),
            };
            stored.hash = stored.computed_hash();
            prev_hash = stored.hash.clone();
            rows.push(NewRow {
                payload_text: serde_json::to_string(&stored.payload)?,
                metadata_text: serde_json::to_string(&stored.metadata)?,
                stored,
            });
        }
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Err(StoreError::Invalid("no events to append".to_string()));
        };
        let command = CommandRecord {
            aggregate_type: first.stored.aggregate_type.clone(),
            stream_id: first.stored.stream_id.clone(),
            idempotency_key: key.to_string(),
            fingerprint: fingerprint.to_string(),
            first_sequence: first.stored.sequence,
            last_sequence: last.stored.sequence,
            first_position: first.stored.position,
            last_position: last.stored.position,
            recorded_at,
        };
        Ok((rows, command))
    }

    /// A stream's events in sequence order.
    pub async fn stream(
        &self,
        aggregate_type: &str,
        stream_id: &str,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows: Vec<EventRow> = on_backend!(&self.db, |pool, cast| {
            sqlx::query_as(&format!(
                "{} WHERE aggregate_type = $1 AND stream_id = $2 ORDER BY sequence",
                select_events(cast)
            ))
            .bind(aggregate_type)
            .bind(stream_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(StoredEvent::try_from).collect()
    }

    /// One event of a stream by its sequence (one indexed row, whatever the stream's length).
    pub async fn event_at(
        &self,
        aggregate_type: &str,
        stream_id: &str,
        sequence: i64,
    ) -> Result<Option<StoredEvent>, StoreError> {
        let row: Option<EventRow> = on_backend!(&self.db, |pool, cast| {
            sqlx::query_as(&format!(
                "{} WHERE aggregate_type = $1 AND stream_id = $2 AND sequence = $3",
                select_events(cast)
            ))
            .bind(aggregate_type)
            .bind(stream_id)
            .bind(sequence)
            .fetch_optional(pool)
            .await?
        });
        row.map(StoredEvent::try_from).transpose()
    }

    /// The sequence of a stream's last event (0 for none).
    pub async fn last_sequence(
        &self,
        aggregate_type: &str,
        stream_id: &str,
    ) -> Result<i64, StoreError> {
        let last: Option<(i64, String)> = on_backend!(&self.db, |pool, _cast| {
            sqlx::query_as(LAST_IN_STREAM)
                .bind(aggregate_type)
                .bind(stream_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(last.map_or(0, |(sequence, _)| sequence))
    }

    /// Up to `limit` events after global position `after`, in commit order.
    pub async fn after_position(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let rows: Vec<EventRow> = on_backend!(&self.db, |pool, cast| {
            sqlx::query_as(&format!(
                "{} WHERE position > $1 ORDER BY position LIMIT $2",
                select_events(cast)
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(StoredEvent::try_from).collect()
    }

    /// Up to `limit` events after global position `after`, in commit order, with only what a
    /// projection reads ([`LoggedEvent`]): a rebuild or catch-up reads every event, and the
    /// metadata, hashes, event id and idempotency key are more than half of each row. On a
    /// 200,000-event PostgreSQL log `psql` read every row in 0.99–1.11 s with all the columns
    /// and 0.56–0.61 s with these.
    pub async fn logged_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        Ok(on_backend!(&self.db, |pool, cast| {
            sqlx::query_as(&format!(
                "SELECT position, aggregate_type, stream_id, sequence, event_type, \
                 event_version, payload{cast} AS payload, actor, recorded_at FROM event \
                 WHERE position > $1 ORDER BY position LIMIT $2"
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every event row in `order`, streamed as it is read: parsed or, where a stored field
    /// cannot be read (an event id that is no UUID, a payload or metadata that is no JSON), the
    /// reason. `verify` walks the log this way, reporting such a row instead of failing on it,
    /// without holding the log in memory.
    pub fn rows(&self, order: Walk) -> BoxStream<'_, Result<RowRead, StoreError>> {
        use futures::StreamExt as _;
        let read = |row: Result<EventRow, sqlx::Error>| {
            let row = row?;
            let (position, stream_id, sequence) =
                (row.position, row.stream_id.clone(), row.sequence);
            let hash = row.hash.clone();
            Ok(StoredEvent::try_from(row).map_err(|e| UnreadableRow {
                position,
                stream_id,
                sequence,
                hash,
                what: e.to_string(),
            }))
        };
        match &self.db {
            Db::Postgres(pool) => sqlx::query_as::<_, EventRow>(walk_sql(true, order))
                .fetch(pool)
                .map(read)
                .boxed(),
            Db::Sqlite(pool) => sqlx::query_as::<_, EventRow>(walk_sql(false, order))
                .fetch(pool)
                .map(read)
                .boxed(),
        }
    }

    /// Every recorded command, streamed in [`Walk::ByCommand`]'s order (aggregate type, stream,
    /// key; bytewise, as Rust compares strings), for `verify` to merge with the events.
    pub fn commands(&self) -> BoxStream<'_, Result<CommandRecord, StoreError>> {
        use futures::StreamExt as _;
        let read = |row: Result<CommandRecord, sqlx::Error>| Ok(row?);
        match &self.db {
            Db::Postgres(pool) => sqlx::query_as(
                "SELECT aggregate_type, stream_id, idempotency_key, fingerprint, \
                 first_sequence, last_sequence, first_position, last_position, recorded_at \
                 FROM command ORDER BY aggregate_type COLLATE \"C\", stream_id COLLATE \"C\", \
                 idempotency_key COLLATE \"C\"",
            )
            .fetch(pool)
            .map(read)
            .boxed(),
            Db::Sqlite(pool) => sqlx::query_as(
                "SELECT aggregate_type, stream_id, idempotency_key, fingerprint, \
                 first_sequence, last_sequence, first_position, last_position, recorded_at \
                 FROM command ORDER BY aggregate_type, stream_id, idempotency_key",
            )
            .fetch(pool)
            .map(read)
            .boxed(),
        }
    }

    /// The highest global position (0 for an empty store).
    pub async fn last_position(&self) -> Result<i64, StoreError> {
        Ok(on_backend!(&self.db, |pool, _cast| {
            sqlx::query_scalar(MAX_POSITION).fetch_one(pool).await?
        }))
    }

    /// The recorded outcome of a command, by its idempotency key.
    pub async fn command(
        &self,
        aggregate_type: &str,
        stream_id: &str,
        key: &str,
    ) -> Result<Option<CommandRecord>, StoreError> {
        Ok(on_backend!(&self.db, |pool, _cast| {
            sqlx::query_as(SELECT_COMMAND)
                .bind(aggregate_type)
                .bind(stream_id)
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }
}

impl PersistedEventRepository for EventStore {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        Ok(self
            .stream(A::TYPE, aggregate_id)
            .await?
            .into_iter()
            .map(StoredEvent::into_serialized)
            .collect())
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let last = i64::try_from(last_sequence).unwrap_or(i64::MAX);
        let rows: Vec<EventRow> = on_backend!(&self.db, |pool, cast| {
            sqlx::query_as(&format!(
                "{} WHERE aggregate_type = $1 AND stream_id = $2 AND sequence > $3 \
                 ORDER BY sequence",
                select_events(cast)
            ))
            .bind(A::TYPE)
            .bind(aggregate_id)
            .bind(last)
            .fetch_all(pool)
            .await
            .map_err(StoreError::from)?
        });
        rows.into_iter()
            .map(|row| StoredEvent::try_from(row).map(StoredEvent::into_serialized))
            .collect::<Result<_, _>>()
            .map_err(Into::into)
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        _aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        // Streams are short (tens of events per proposal): we replay, we do not snapshot.
        Ok(None)
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        _snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        Ok(self.append(events).await?)
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        let events = self.get_events::<A>(aggregate_id).await?;
        Ok(feed(events).await)
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        // Global commit order, unlike the stock repositories' per-aggregate order.
        let events: Vec<SerializedEvent> = self
            .after_position(0, i64::MAX)
            .await?
            .into_iter()
            .filter(|e| e.aggregate_type == A::TYPE)
            .map(StoredEvent::into_serialized)
            .collect();
        Ok(feed(events).await)
    }
}

async fn feed(events: Vec<SerializedEvent>) -> ReplayStream {
    let (mut feed, stream) = ReplayStream::new(events.len().max(1));
    for event in events {
        if feed.push(Ok(event)).await.is_err() {
            break;
        }
    }
    stream
}
