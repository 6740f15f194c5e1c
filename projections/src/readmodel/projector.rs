//! The catch-up projector: reads events after its checkpoint in global-position order and
//! applies them to the read models, writing the new checkpoint in the same transaction as the
//! rows. A crash at any point leaves rows and checkpoint together; on the next run it simply
//! continues from the checkpoint. Positions are gapless and commit-ordered (see the store), so
//! "everything after N" never skips an event that commits later. A checkpoint beyond the log's
//! head means the log lost events (restored from an older backup, truncated): the projector
//! refuses to go on ([`ReadModelError::AheadOfLog`]) instead of silently skipping the next
//! writes, until someone rebuilds.
//!
//! A rebuild runs in one transaction (clear, replay, checkpoint, commit), so readers see the old
//! read models or the new ones, never a half-built state. We chose that over building shadow
//! tables and renaming them in: the database's own isolation (PostgreSQL MVCC, SQLite WAL
//! snapshots) gives the atomic swap; the tables stay exactly the ones the migrations define (a
//! column added by a later migration needs no second definition to keep in step); and no
//! query has to know about generations. The price is one long transaction: on SQLite it holds
//! the single write lock for the rebuild's length, so appends wait (up to the 30 s busy
//! timeout); on PostgreSQL appends go on and only other projectors wait. At our volume
//! (hundreds of events a day) a rebuild of years of history takes seconds.

use std::sync::Arc;

use gevinst_domain::price::PriceIndexEvent;
use gevinst_domain::proposal::{read_stored_text, ProposalEvent};
use tokio::sync::{mpsc, Mutex};

use super::apply::{
    coalesce, copied, price_index_row, statements, Placeholders, Stamp, Stmt, Val, Write,
    COPY_ENTRIES,
};
use super::follow::{Background, PROJECTED_CHANNEL};
use super::ReadModelError;
use gevinst_store::bind_all;
use gevinst_store::{Db, EventStore, Inline, LoggedEvent, StoredEvent};

/// The read models' name in `projection_checkpoint`.
pub const PROJECTION: &str = "read_models";

/// Events per transaction.
const BATCH: i64 = 500;

/// Events a rebuild reads at a time (all in its one transaction): fewer, larger reads.
const REBUILD_BATCH: i64 = 2_000;

/// What a rebuild runs to clear every read-model table.
pub const CLEAR_STATEMENTS: &[&str] = &[
    "DELETE FROM rm_entry",
    "DELETE FROM rm_plan_version",
    "DELETE FROM rm_proposal",
    "DELETE FROM rm_price_index",
];

/// Keeps the read models up to date with the event store.
#[derive(Clone, Debug)]
pub struct Projector {
    store: EventStore,
    running: Arc<Mutex<()>>,
    /// This process's background projector, if one runs (see `follow`).
    pub(super) background: Arc<Background>,
    /// The entries its read models' readers keep decoded (see `entries`).
    cache: Arc<super::ReadCache>,
}

/// The read models' position against the log's head when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The position the read models reflect.
    pub position: i64,
    /// The log's last position.
    pub head: i64,
    /// The last price-index row's position (what says whether a kept price index is current;
    /// see [`crate::readmodel::ReadModels::price_index`]).
    pub price_index: i64,
}

/// Progress of a long run, for a terminal display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Position applied so far.
    pub position: i64,
    /// Position to reach.
    pub target: i64,
}

/// An event as the projector meets it: handed over by an append ([`StoredEvent`]) or read
/// back from the log by a catch-up or rebuild ([`LoggedEvent`], its payload as text).
trait Projectable {
    fn stamp(&self) -> Stamp<'_>;
    /// The payload through the same rule as the command path and `verify`: a row whose payload
    /// is not what it says is refused, never projected.
    fn event<E: cqrs_es::DomainEvent>(&self) -> Result<E, String>;
}

impl Projectable for StoredEvent {
    fn stamp(&self) -> Stamp<'_> {
        Stamp::from(self)
    }
    fn event<E: cqrs_es::DomainEvent>(&self) -> Result<E, String> {
        crate::verify::decode_payload(self)
    }
}

impl Projectable for LoggedEvent {
    fn stamp(&self) -> Stamp<'_> {
        Stamp::from(self)
    }
    fn event<E: cqrs_es::DomainEvent>(&self) -> Result<E, String> {
        read_stored_text(&self.payload, &self.event_type, &self.event_version)
    }
}

/// The read models are about proposals and the price index their reports convert with; the
/// access stream (accounts and grants) advances the checkpoint but feeds no read model.
fn projected(e: &impl Projectable) -> bool {
    let kind = e.stamp().aggregate_type;
    kind == crate::PROPOSAL || kind == crate::PRICE_INDEX
}

/// [`Projectable::event`], refused with where the event sits.
fn decode<E: cqrs_es::DomainEvent>(e: &impl Projectable) -> Result<E, ReadModelError> {
    e.event().map_err(|error| {
        let at = e.stamp();
        ReadModelError::Unreadable(format!(
            "{} #{} ({}): {error}",
            at.stream_id, at.sequence, at.event_type
        ))
    })
}

/// The statements one projected event makes, by its aggregate type.
fn statements_of(e: &impl Projectable) -> Result<Vec<Stmt>, ReadModelError> {
    let stamp = e.stamp();
    if stamp.aggregate_type == crate::PRICE_INDEX {
        Ok(vec![price_index_row(
            &stamp,
            &decode::<PriceIndexEvent>(e)?,
        )])
    } else {
        Ok(statements(&stamp, &decode::<ProposalEvent>(e)?))
    }
}

/// The position the read models reflect, as a row.
const CHECKPOINT_ROW: &str = "SELECT position FROM projection_checkpoint WHERE projection = $1";

/// The read models as an append's inline projection (see `gevinst_store::Inline`): the events
/// of a command (an access change or a price index too, which only move the checkpoint) and
/// their rows commit in one transaction when the read models reflect everything before them,
/// the same statements a catch-up makes. The claim moves and holds the checkpoint row for the
/// append's transaction; on PostgreSQL it skips a row another projector holds (a catch-up batch or a
/// rebuild in progress), so an append never waits for one and leaves its events to the
/// background projector instead. It knows only the backend: the store that holds it is the
/// projector's own.
#[derive(Debug, Clone, Copy)]
pub struct InlineProjection {
    postgres: bool,
}

impl InlineProjection {
    /// The read models' inline projection on `db`'s backend.
    #[must_use]
    pub fn on(db: &Db) -> Self {
        Self {
            postgres: matches!(db, Db::Postgres(_)),
        }
    }

    /// How the read models' generated statements name their parameters on this backend.
    fn placeholders(self) -> Placeholders {
        if self.postgres {
            Placeholders::Numbered
        } else {
            Placeholders::Anonymous
        }
    }

    /// A rebuild's batch as it is written on this backend: PostgreSQL copies its entries in
    /// (see [`copied`]); SQLite inserts them as a catch-up does.
    fn rebuilding(self, stmts: Vec<Stmt>) -> Vec<Write> {
        if self.postgres {
            copied(stmts)
        } else {
            coalesce(stmts, self.placeholders())
                .into_iter()
                .map(Write::Stmt)
                .collect()
        }
    }

    /// `stmts` as one projection step from checkpoint `from` to `to`: first the checkpoint's
    /// compare-and-set (the guard [`Projector::run`] checks), then the rows, then (PostgreSQL)
    /// the notification that the read models moved.
    fn moving(self, stmts: Vec<Stmt>, from: i64, to: i64) -> Vec<Stmt> {
        let mut all = vec![Stmt {
            sql: "UPDATE projection_checkpoint SET position = $2 WHERE projection = $1 \
                  AND position = $3"
                .into(),
            args: vec![Val::from(PROJECTION), Val::from(to), Val::from(from)],
        }];
        all.extend(stmts);
        all.extend(self.projected());
        all
    }

    /// On PostgreSQL, the statement that tells every instance the read models moved (at the
    /// commit of the transaction it runs in).
    fn projected(self) -> Option<Stmt> {
        self.postgres.then(|| Stmt {
            sql: "SELECT pg_notify($1, '')".into(),
            args: vec![Val::from(PROJECTED_CHANNEL)],
        })
    }
}

impl Inline for InlineProjection {
    fn claim(&self, from: i64, to: i64) -> Stmt {
        let mut args = vec![Val::from(PROJECTION), Val::from(to), Val::from(from)];
        let sql = if self.postgres {
            // Held by another projector: the row does not match, at once. Moved: the
            // notification that the read models moved goes out at the commit.
            args.push(Val::from(PROJECTED_CHANNEL));
            "UPDATE projection_checkpoint SET position = $2 WHERE projection = $1 \
             AND position = $3 AND ctid = (SELECT ctid FROM projection_checkpoint \
             WHERE projection = $1 FOR UPDATE SKIP LOCKED) RETURNING pg_notify($4, '')"
        } else {
            "UPDATE projection_checkpoint SET position = $2 WHERE projection = $1 \
             AND position = $3"
        };
        Stmt {
            sql: sql.into(),
            args,
        }
    }

    fn statements(&self, rows: &[StoredEvent]) -> Result<Vec<Stmt>, String> {
        let mut stmts = Vec::new();
        for stored in rows.iter().filter(|e| projected(*e)) {
            stmts.extend(statements_of(stored).map_err(|e| e.to_string())?);
        }
        Ok(coalesce(stmts, self.placeholders()))
    }
}

/// The position the read models in `db` reflect (0 before the first projection).
pub(crate) async fn checkpoint(db: &Db) -> Result<i64, ReadModelError> {
    let sql = CHECKPOINT_ROW;
    let found: Option<i64> = match db {
        Db::Postgres(pool) => {
            sqlx::query_scalar(sql)
                .bind(PROJECTION)
                .fetch_optional(pool)
                .await?
        }
        Db::Sqlite(pool) => {
            sqlx::query_scalar(sql)
                .bind(PROJECTION)
                .fetch_optional(pool)
                .await?
        }
    };
    Ok(found.unwrap_or(0))
}

impl Projector {
    /// A projector over `store`.
    #[must_use]
    pub fn new(store: EventStore) -> Self {
        Self {
            store,
            running: Arc::new(Mutex::new(())),
            background: Arc::default(),
            cache: Arc::default(),
        }
    }

    /// The read models it maintains, read through this process's one cache of decoded
    /// entries: what a server's every read uses, so one read's work serves the next.
    #[must_use]
    pub fn read_models(&self) -> super::ReadModels {
        super::ReadModels::new(self.store.db().clone()).with_cache(self.cache.clone())
    }

    /// The event store it reads.
    #[must_use]
    pub fn store(&self) -> &EventStore {
        &self.store
    }

    /// The position the read models reflect.
    pub async fn checkpoint(&self) -> Result<i64, ReadModelError> {
        checkpoint(self.store.db()).await
    }

    /// Where the read models stand against the log, without applying anything and without
    /// waiting for a catch-up in progress: a read asks this, so it never queues behind a write.
    /// A checkpoint beyond the log's head is [`ReadModelError::AheadOfLog`], as for a catch-up.
    pub async fn standing(&self) -> Result<Standing, ReadModelError> {
        // Both in one statement, so from one snapshot: a checkpoint commits after the events it
        // covers, so one beyond the head is a log that lost events (a restore or a
        // truncation), never a race with a writer. The price index's last row comes with them,
        // so a report's read asks no more to know whether its kept index is current. One round
        // trip per read, not three.
        let sql = "SELECT COALESCE((SELECT position FROM projection_checkpoint \
            WHERE projection = $1), 0), COALESCE((SELECT MAX(position) FROM event), 0), \
            COALESCE((SELECT MAX(position) FROM rm_price_index), 0)";
        let (position, head, price_index): (i64, i64, i64) = match self.store.db() {
            Db::Postgres(pool) => sqlx::query_as(sql).bind(PROJECTION).fetch_one(pool).await?,
            Db::Sqlite(pool) => sqlx::query_as(sql).bind(PROJECTION).fetch_one(pool).await?,
        };
        if position > head {
            return Err(ReadModelError::AheadOfLog {
                checkpoint: position,
                head,
            });
        }
        Ok(Standing {
            position,
            head,
            price_index,
        })
    }

    /// Applies every event after the checkpoint; returns the new checkpoint.
    pub async fn catch_up(&self) -> Result<i64, ReadModelError> {
        self.catch_up_with(&|_| {}).await
    }

    /// As [`Projector::catch_up`], reporting progress after each batch.
    pub async fn catch_up_with(
        &self,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<i64, ReadModelError> {
        let _running = self.running.lock().await;
        let Standing {
            mut position,
            head: target,
            ..
        } = self.standing().await?;
        while position < target {
            let events = self.store.logged_after(position, BATCH).await?;
            let Some(last) = events.last().map(|e| e.position) else {
                break;
            };
            let mut stmts = Vec::new();
            for stored in events.iter().filter(|e| projected(*e)) {
                stmts.extend(statements_of(stored)?);
            }
            let stmts = coalesce(stmts, self.inline().placeholders());
            if self.commit(stmts, position, last).await? {
                position = last;
            } else {
                // Another projector (e.g. a second process) moved the checkpoint: continue
                // from where it got to.
                position = self.checkpoint().await?;
            }
            progress(Progress { position, target });
        }
        Ok(position)
    }

    /// Replays the whole log into the read models in one transaction: it clears every read
    /// model, applies every event up to the log's head as it was when the rebuild began, and
    /// sets the checkpoint to that head, and only the commit makes any of it visible. Readers
    /// meanwhile see the old read models (see the module doc for why one transaction rather
    /// than shadow tables). Events appended during the rebuild are applied by the next
    /// catch-up.
    pub async fn rebuild_with(
        &self,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<i64, ReadModelError> {
        let _running = self.running.lock().await;
        // A run of entries copied in (PostgreSQL's `COPY`; see `apply::copied`).
        macro_rules! copy_in {
            ($tx:expr, $rows:expr) => {{
                let mut copy = $tx.copy_in_raw(COPY_ENTRIES).await?;
                copy.send($rows.as_bytes()).await?;
                copy.finish().await?;
            }};
        }
        // SQLite has no `COPY`, and its batches never hold one (`InlineProjection::rebuilding`).
        macro_rules! no_copy {
            ($tx:expr, $rows:expr) => {{
                let _ = $rows;
                return Err(ReadModelError::Unreadable(
                    "COPY asked of SQLite in a rebuild".into(),
                ));
            }};
        }
        macro_rules! rebuild_in {
            ($tx:expr, $lock:expr, $copy:ident) => {{
                // The events are read from here on while the tables are cleared. One appended
                // before the checkpoint row is held but after `target` may be projected by its
                // append; it is cleared with the rest and, the checkpoint being set to
                // `target`, applied again by the next catch-up.
                let target = self.store.last_position().await?;
                let mut batches = self.read_ahead(target);
                let mut tx = $tx;
                // The checkpoint row first: an append then sees it held and leaves its events
                // to the next catch-up instead of writing rows this rebuild is replacing.
                sqlx::query(&format!("{CHECKPOINT_ROW} {}", $lock))
                    .bind(PROJECTION)
                    .fetch_optional(&mut *tx)
                    .await?;
                for sql in CLEAR_STATEMENTS {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                let mut position = 0;
                while let Some(batch) = batches.recv().await {
                    let (writes, last) = batch?;
                    for write in writes {
                        match write {
                            Write::Stmt(s) => {
                                bind_all!(sqlx::query(&s.sql), &s.args)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            Write::Entries(rows) => $copy!(tx, rows),
                        }
                    }
                    position = last;
                    progress(Progress { position, target });
                }
                // The reader ends at the target; one that ended before it (the log shrank under
                // it, or the task died) leaves the old read models in place.
                if position < target {
                    return Err(ReadModelError::Behind {
                        reached: position,
                        position: target,
                    });
                }
                sqlx::query("UPDATE projection_checkpoint SET position = $2 WHERE projection = $1")
                    .bind(PROJECTION)
                    .bind(position)
                    .execute(&mut *tx)
                    .await?;
                if let Some(notify) = self.inline().projected() {
                    bind_all!(sqlx::query(&notify.sql), &notify.args)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                // The rows are the same for the same events, but a rebuild is also how an
                // operator recovers from a restored log: the copy starts over with them.
                self.cache.clear();
                Ok(position)
            }};
        }
        match self.store.db() {
            Db::Postgres(pool) => rebuild_in!(pool.begin().await?, "FOR UPDATE", copy_in),
            Db::Sqlite(pool) => {
                rebuild_in!(pool.begin_with("BEGIN IMMEDIATE").await?, "", no_copy)
            }
        }
    }

    /// A rebuild's statements, batch by batch up to `target`, read and made ahead of the
    /// writing: a task of its own reads the next events (through another connection than the
    /// rebuild's: they are committed and immutable) and turns them into statements while the
    /// rebuild's transaction writes the batch before. Done one after the other, each side
    /// waited for the other: a rebuild on PostgreSQL kept the two cores about half idle (`perf`).
    /// Two batches are kept ready at most; the task stops when the receiver is dropped.
    fn read_ahead(&self, target: i64) -> mpsc::Receiver<Result<(Vec<Write>, i64), ReadModelError>> {
        let (send, receive) = mpsc::channel(2);
        let store = self.store.clone();
        let inline = self.inline();
        tokio::spawn(async move {
            let mut position = 0;
            while position < target {
                let batch = async {
                    let events = store.logged_after(position, REBUILD_BATCH).await?;
                    let Some(last) = events.last().map(|e| e.position) else {
                        return Ok(None);
                    };
                    let mut stmts = Vec::new();
                    for stored in events.iter().filter(|e| projected(*e)) {
                        stmts.extend(statements_of(stored)?);
                    }
                    Ok::<_, ReadModelError>(Some((inline.rebuilding(stmts), last)))
                }
                .await;
                let Some(next) = batch.transpose() else {
                    return;
                };
                let failed = match &next {
                    Ok((_, last)) => {
                        position = *last;
                        false
                    }
                    Err(_) => true,
                };
                if send.send(next).await.is_err() || failed {
                    return;
                }
            }
        });
        receive
    }

    fn inline(&self) -> InlineProjection {
        InlineProjection::on(self.store.db())
    }

    /// Applies `stmts` and moves the checkpoint from `from` to `to` in one transaction, unless
    /// the checkpoint is no longer at `from` (then nothing is applied and it returns false).
    async fn commit(&self, stmts: Vec<Stmt>, from: i64, to: i64) -> Result<bool, ReadModelError> {
        self.run(&self.inline().moving(stmts, from, to)).await
    }

    /// Runs statements in one transaction; when the first statement changes no row, rolls
    /// back and returns false (used as the checkpoint guard; clearing never hits that case).
    async fn run(&self, stmts: &[Stmt]) -> Result<bool, ReadModelError> {
        macro_rules! in_tx {
            ($tx:expr) => {{
                let mut tx = $tx;
                for (i, s) in stmts.iter().enumerate() {
                    let done = bind_all!(sqlx::query(&s.sql), &s.args)
                        .execute(&mut *tx)
                        .await?;
                    let guard = i == 0 && s.sql.starts_with("UPDATE projection_checkpoint");
                    if guard && done.rows_affected() == 0 {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                }
                tx.commit().await?;
            }};
        }
        match self.store.db() {
            Db::Postgres(pool) => in_tx!(pool.begin().await?),
            Db::Sqlite(pool) => in_tx!(pool.begin_with("BEGIN IMMEDIATE").await?),
        }
        Ok(true)
    }
}
