//! The process's one background projector, and how everything else waits for it.
//!
//! Why: a command that projected its own events ran a second transaction inside the command
//! path and queued behind a process-wide lock, and a read that had to see a write ran the
//! projector itself. With several `serve` instances on one PostgreSQL every instance did the
//! same work on the same rows. Now:
//!
//! - **One projector for all instances.** On PostgreSQL the instance that holds a session-level
//!   advisory lock ([`PROJECTOR_LOCK_KEY`]) projects ("leading"); the others only watch the
//!   checkpoint ("following") and try to take the lock at every look. The lock belongs to a
//!   connection the leader keeps open, so when that process dies (kill -9 included) its
//!   connection closes, PostgreSQL releases the lock, and the next follower to look takes over.
//!   On SQLite (one machine, embedded) each process projects what it sees.
//! - **Woken, not polling.** Every append sends `NOTIFY gevinst_appended` in its own
//!   transaction (delivered at commit), and every projection batch `NOTIFY gevinst_projected`:
//!   the leader projects as soon as anyone, anywhere, appends, and followers learn at once when
//!   the read models moved; the leader ignores projections and followers ignore appends, so a
//!   command costs one look, not two. Without notifications (SQLite, a listener that could not
//!   connect) a waiter wakes the projector itself. A look every `every` covers a lost
//!   notification and what another SQLite process wrote.
//! - **Waiting is watching.** What the projector last saw is published on a `watch` channel
//!   ([`Look`]). A command waits there until its position is projected (read-your-writes) and so
//!   does a read that sends a position token; neither runs the projector nor takes its lock.
//!
//! If two projectors ever overlap (a leader whose lock connection just died, a command-line
//! process), nothing breaks: each batch moves the checkpoint by compare-and-set (see
//! [`Projector`]), so the slower one applies nothing and continues from where the other got.
//!
//! A process with no background projector running (the command line, a test's service)
//! projects inline instead, exactly as before: [`Projector::wait_for`] catches up itself.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgListener;
use tokio::sync::{watch, Notify};

use super::projector::Projector;
use super::ReadModelError;
use gevinst_store::Db;

/// Key of PostgreSQL's session-level advisory lock held by the leading projector
/// ("gevproj" in ASCII; the append lock is "gevinst").
pub const PROJECTOR_LOCK_KEY: i64 = 0x0067_6576_7072_6f6a;

pub use gevinst_store::APPENDED_CHANNEL;

/// The channel every projection batch notifies on.
pub const PROJECTED_CHANNEL: &str = "gevinst_projected";

/// How long a command or a read waits for the background projector before it gives up.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// What the background projector saw at its last look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Look {
    /// The position the read models reflected.
    pub position: i64,
    /// How many looks have finished (a waiter knows a look is newer than its own request).
    pub count: u64,
    /// Why the last look failed, if it did.
    pub error: Option<String>,
}

/// The state a process's background projector shares with the waiters.
#[derive(Debug)]
pub(crate) struct Background {
    look: watch::Sender<Look>,
    /// Looks begun (one more than `look.count` while a look is in progress).
    begun: AtomicU64,
    wake: Notify,
    /// Background projectors running in this process (0: project inline).
    running: AtomicUsize,
    leading: AtomicBool,
    /// PostgreSQL's notifications reach this process (then a waiter need not wake anyone).
    listening: AtomicBool,
}

impl Default for Background {
    fn default() -> Self {
        Self {
            look: watch::Sender::new(Look::default()),
            begun: AtomicU64::new(0),
            wake: Notify::new(),
            running: AtomicUsize::new(0),
            leading: AtomicBool::new(false),
            listening: AtomicBool::new(false),
        }
    }
}

/// Counts a running background projector for as long as it lives (a dropped or aborted task
/// ends it, and the process goes back to projecting inline).
struct Running(Arc<Background>);

impl Running {
    fn start(background: &Arc<Background>) -> Self {
        background.running.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(background))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.leading.store(false, Ordering::SeqCst);
        self.0.listening.store(false, Ordering::SeqCst);
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether this process may project: on PostgreSQL, while it holds the projector lock on a
/// connection of its own; on SQLite, always.
enum Leadership {
    Always,
    Postgres {
        pool: sqlx::PgPool,
        held: Option<sqlx::PgConnection>,
        checked: Instant,
    },
}

impl Leadership {
    fn new(db: &Db) -> Self {
        match db {
            Db::Postgres(pool) => Self::Postgres {
                pool: pool.clone(),
                held: None,
                checked: Instant::now(),
            },
            Db::Sqlite(_) => Self::Always,
        }
    }

    /// Whether this process leads now: it checks a held lock's connection at most once per
    /// `every` (a lock is lost only with its connection), and tries to take a free lock.
    async fn hold(&mut self, every: Duration) -> bool {
        let Self::Postgres {
            pool,
            held,
            checked,
        } = self
        else {
            return true;
        };
        if let Some(connection) = held {
            if checked.elapsed() < every {
                return true;
            }
            *checked = Instant::now();
            if sqlx::query("SELECT 1")
                .execute(&mut *connection)
                .await
                .is_ok()
            {
                return true;
            }
            tracing::warn!("the projector lock's connection was lost; following");
            *held = None;
        }
        let Ok(mut connection) = pool.acquire().await else {
            return false;
        };
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(PROJECTOR_LOCK_KEY)
            .fetch_one(&mut *connection)
            .await
            .unwrap_or(false);
        if taken {
            tracing::info!("this instance projects the read models for every instance");
            *held = Some(connection.detach());
            *checked = Instant::now();
        }
        taken
    }
}

/// What PostgreSQL told this process, forwarded by a task of its own (so waiting for it in a
/// `select!` never cancels a read from the listener's connection half-way).
#[derive(Default)]
struct Heard {
    appended: Notify,
    projected: Notify,
}

/// Listens on both channels until dropped; `None` (and a warning) when it cannot listen.
async fn listen(pool: &sqlx::PgPool, heard: Arc<Heard>, every: Duration) -> Option<AbortOnDrop> {
    let listening = async {
        let mut l = PgListener::connect_with(pool).await?;
        l.listen_all([APPENDED_CHANNEL, PROJECTED_CHANNEL]).await?;
        Ok::<_, sqlx::Error>(l)
    };
    let mut listener = match listening.await {
        Ok(l) => l,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for appends; looking every interval");
            return None;
        }
    };
    Some(AbortOnDrop(tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) if n.channel() == APPENDED_CHANNEL => heard.appended.notify_one(),
                Ok(Some(_)) => heard.projected.notify_one(),
                // The connection was lost: reconnected on the next call; meanwhile the looks
                // every interval go on.
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "no notifications from PostgreSQL; looking every interval");
                    tokio::time::sleep(every).await;
                }
            }
        }
    })))
}

/// A task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Projector {
    /// Runs this process's background projector until the future is dropped: it looks at
    /// once, then whenever woken (an append anywhere, a projection by the leader, a command
    /// here) and at least every `every`. While it runs, [`Projector::wait_for`] watches it
    /// instead of projecting inline. See the module doc.
    pub async fn follow(&self, every: Duration) {
        let background = Arc::clone(&self.background);
        let _running = Running::start(&background);
        let mut leadership = Leadership::new(self.store().db());
        let heard = Arc::new(Heard::default());
        let _listening = match self.store().db() {
            Db::Postgres(pool) => listen(pool, Arc::clone(&heard), every).await,
            Db::Sqlite(_) => None,
        };
        background
            .listening
            .store(_listening.is_some(), Ordering::SeqCst);
        loop {
            background.begun.fetch_add(1, Ordering::SeqCst);
            let leading = leadership.hold(every).await;
            background.leading.store(leading, Ordering::SeqCst);
            let seen = if leading {
                self.catch_up().await
            } else {
                self.checkpoint().await
            };
            if let Err(error) = &seen {
                tracing::warn!(%error, "the read models cannot follow the log");
            }
            background.look.send_modify(|look| {
                look.count += 1;
                match seen {
                    Ok(position) => {
                        look.position = position;
                        look.error = None;
                    }
                    Err(error) => look.error = Some(error.to_string()),
                }
            });
            // The leader looks when anyone appends, a follower when the leader projected; the
            // other kind of notification does not concern it (the leader's own batches would
            // wake it for nothing).
            let concerns = if leading {
                &heard.appended
            } else {
                &heard.projected
            };
            tokio::select! {
                () = background.wake.notified() => {}
                () = concerns.notified() => {}
                () = tokio::time::sleep(every) => {}
            }
        }
    }

    /// Tells this process's waiters that an append projected up to `position` in its own
    /// transaction (see `gevinst_store::Inline`): a read holding that position as its token need not wait
    /// for the background projector's next look.
    pub fn projected_inline(&self, position: i64) {
        self.background.look.send_if_modified(|look| {
            let newer = look.position < position;
            if newer {
                look.position = position;
            }
            newer
        });
    }

    /// Whether a background projector runs in this process.
    #[must_use]
    pub fn following(&self) -> bool {
        self.background.running.load(Ordering::SeqCst) > 0
    }

    /// Whether this process's background projector is the one that projects (PostgreSQL: it
    /// holds the projector lock; SQLite: whenever it runs).
    #[must_use]
    pub fn leading(&self) -> bool {
        self.following() && self.background.leading.load(Ordering::SeqCst)
    }

    /// Waits until the read models reflect at least `position` (read-your-writes). With a
    /// background projector running it wakes it and watches, at most [`PATIENCE`]; without
    /// one it catches up itself. [`ReadModelError::Behind`] when a look that began after the
    /// call (by the projector that projects) did not reach the position, so the log does not
    /// hold it; [`ReadModelError::Stalled`] when the patience ran out first.
    pub async fn wait_for(&self, position: i64) -> Result<i64, ReadModelError> {
        if !self.following() {
            let reached = self.catch_up().await?;
            if reached < position {
                return Err(ReadModelError::Behind { reached, position });
            }
            return Ok(reached);
        }
        self.watch_until(position, false).await
    }

    /// As [`Projector::wait_for`], but only a look that began after this call counts: for a
    /// caller that has just read the checkpoint below what the last look saw (read models
    /// reset behind the projector's back, as a restore or a test does), and for readiness.
    pub async fn wait_for_fresh(&self, position: i64) -> Result<i64, ReadModelError> {
        if !self.following() {
            return self.wait_for(position).await;
        }
        self.watch_until(position, true).await
    }

    /// Watches the background projector's looks until one reflects `position` (with
    /// `fresh_only`, one that began after this call), waking it where nothing else will.
    async fn watch_until(&self, position: i64, fresh_only: bool) -> Result<i64, ReadModelError> {
        let background = &self.background;
        let mut looks = background.look.subscribe();
        // A look in progress began before this call: a wake makes the one after it.
        let fresh = background.begun.load(Ordering::SeqCst) + 1;
        let reached =
            |look: &Look| look.position >= position && (!fresh_only || look.count >= fresh);
        if reached(&looks.borrow_and_update()) {
            return Ok(looks.borrow().position);
        }
        // A command's write was notified by its own append (the leader looks) and will be by
        // the leader's batch (a follower looks): waking as well would only add a second look
        // to every command. Without notifications, or when only a fresh look counts, wake.
        if fresh_only || !background.listening.load(Ordering::SeqCst) {
            background.wake.notify_one();
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if tokio::time::timeout_at(deadline, looks.changed())
                .await
                .is_err()
            {
                return Err(ReadModelError::Stalled {
                    position,
                    waited: PATIENCE,
                });
            }
            let look = looks.borrow_and_update().clone();
            if reached(&look) {
                return Ok(look.position);
            }
            if look.count < fresh {
                continue;
            }
            if let Some(error) = look.error {
                return Err(ReadModelError::Failed(error));
            }
            // The projector looked after the position was asked for and did not reach it: the
            // log does not hold it. A follower waits for the leader instead.
            if background.leading.load(Ordering::SeqCst) {
                return Err(ReadModelError::Behind {
                    reached: look.position,
                    position,
                });
            }
        }
    }
}
