//! Aggregates kept in memory between commands, so a command's latency does not grow with its
//! stream. cqrs-es' `PersistedEventStore` replays the whole stream on every load (we keep no
//! snapshots); this store remembers each aggregate with the sequence it reflects and, on the
//! next load, reads and applies only the events after that sequence — one indexed query that
//! finds nothing unless another process wrote meanwhile. The log stays the only truth: the
//! cache is checked against it on every load, a failed commit leaves the cache as it was, and
//! an append still refuses a stale sequence (the store's optimistic concurrency).
//!
//! The cache is bounded ([`CACHED_AGGREGATES`], least recently used out first): a server for
//! many municipalities and budget rounds holds thousands of proposals, and an aggregate not
//! kept is only a full replay away, so memory stays flat while the busy ones stay fast.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    EventStoreAggregateContext, PersistedEventRepository, PersistedEventStore, SerializedEvent,
};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope};
use gevinst_store::{Appended, DecidedOn, EventStore, StoreError};
use hashlink::LruCache;

/// An aggregate as last seen: the sequence it reflects and its state, shared with readers
/// ([`CachedEventStore::read`]) so that reading it copies nothing.
type Seen<A> = (usize, Arc<A>);

/// How many aggregates a cache keeps. A proposal with its plan and a few years of entries is
/// tens of kilobytes, so this bounds the cache to some tens of megabytes.
pub const CACHED_AGGREGATES: usize = 1_024;

/// A cqrs-es event store over our log that keeps every aggregate it loaded or committed.
/// Clones share the cache.
pub struct CachedEventStore<A: Aggregate> {
    inner: Arc<PersistedEventStore<EventStore, A>>,
    repo: EventStore,
    seen: Arc<Mutex<LruCache<String, Seen<A>>>>,
}

impl<A: Aggregate> Clone for CachedEventStore<A> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            repo: self.repo.clone(),
            seen: self.seen.clone(),
        }
    }
}

impl<A: Aggregate + Clone> CachedEventStore<A> {
    /// A store over `repo` with an empty cache of [`CACHED_AGGREGATES`].
    #[must_use]
    pub fn new(repo: EventStore) -> Self {
        Self::with_capacity(repo, CACHED_AGGREGATES)
    }

    /// A store over `repo` keeping at most `capacity` aggregates (at least one).
    #[must_use]
    pub fn with_capacity(repo: EventStore, capacity: usize) -> Self {
        Self {
            inner: Arc::new(PersistedEventStore::new_event_store(repo.clone())),
            repo,
            seen: Arc::new(Mutex::new(LruCache::new(capacity.max(1)))),
        }
    }

    /// How many aggregates are kept now.
    #[must_use]
    pub fn kept(&self) -> usize {
        self.seen.lock().map_or(0, |seen| seen.len())
    }

    /// The state kept for `id` and the sequence it reflects, as it is, without asking the log
    /// whether it is still the newest (see [`Self::take_trusted`]).
    #[must_use]
    pub fn as_kept(&self, id: &str) -> Option<Seen<A>> {
        self.seen.lock().ok()?.get(id).cloned()
    }

    /// The state kept (if any), taken out of the cache.
    fn taken(&self, id: &str) -> Option<(usize, A)> {
        let kept = self.seen.lock().ok().and_then(|mut seen| seen.remove(id));
        kept.map(|(sequence, shared)| {
            // Owned without a copy unless a reader still holds it.
            (
                sequence,
                Arc::try_unwrap(shared).unwrap_or_else(|a| (*a).clone()),
            )
        })
    }

    /// Keeps `shared` at `sequence` unless a newer state is already kept; the least recently
    /// used aggregate goes when the cache is full.
    fn keep(&self, id: &str, sequence: usize, shared: Arc<A>) {
        if let Ok(mut seen) = self.seen.lock() {
            let newer = seen.get(id).is_some_and(|(kept, _)| *kept > sequence);
            if !newer {
                seen.insert(id.to_string(), (sequence, shared));
            }
        }
    }
}

impl<A: Aggregate + Clone> CachedEventStore<A> {
    /// The aggregate brought up to date from the log: from `kept` (the sequence it reflects and
    /// its state; default for none), reading and applying only the newer events.
    async fn catch_up(
        &self,
        aggregate_id: &str,
        kept: (usize, A),
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>> {
        let newer = self.repo.get_last_events::<A>(aggregate_id, kept.0).await?;
        Self::applied(aggregate_id, kept, newer)
    }

    /// `kept` with `newer` (the events after its sequence, as read from the log) applied.
    fn applied(
        aggregate_id: &str,
        kept: (usize, A),
        newer: Vec<SerializedEvent>,
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>> {
        let (mut sequence, mut aggregate) = kept;
        for serialized in newer {
            // The one read path (the projector's and `verify`'s too): the upcasters, and a row
            // read only as what it says.
            let event: A::Event = gevinst_domain::proposal::read_stored(
                &serialized.payload,
                &serialized.event_type,
                &serialized.event_version,
            )
            .map_err(|e| {
                AggregateError::DeserializationError(
                    format!("{aggregate_id} #{}: {e}", serialized.sequence).into(),
                )
            })?;
            sequence = serialized.sequence;
            aggregate.apply(event);
        }
        Ok(EventStoreAggregateContext {
            aggregate_id: aggregate_id.to_string(),
            aggregate,
            current_sequence: sequence,
            current_snapshot: None,
        })
    }

    /// The aggregate for a command, *moved* out of the cache rather than copied (a copy costs
    /// time in proportion to the stream): the command path hands it back with
    /// [`Self::put_back`] when the command is refused, and [`cqrs_es::EventStore::commit`]
    /// keeps the state after the command. A command that fails otherwise (a conflict, the
    /// store) leaves it out, and the next load replays the stream.
    pub async fn take(
        &self,
        aggregate_id: &str,
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>> {
        let kept = self.taken(aggregate_id).unwrap_or_default();
        self.catch_up(aggregate_id, kept).await
    }

    /// [`Self::take`] without asking the log whether the kept state is still the newest: one
    /// query less per command, where a process that writes alone is always right. The log
    /// still has the last word: the append refuses a sequence that another process has moved
    /// past, and the caller then decides the command again on a [`Self::take`]. Read from the
    /// log when nothing is kept. Says whether the state was taken unchecked.
    pub async fn take_trusted(
        &self,
        aggregate_id: &str,
    ) -> Result<(EventStoreAggregateContext<A>, bool), AggregateError<A::Error>> {
        match self.taken(aggregate_id) {
            Some((sequence, aggregate)) => Ok((
                EventStoreAggregateContext {
                    aggregate_id: aggregate_id.to_string(),
                    aggregate,
                    current_sequence: sequence,
                    current_snapshot: None,
                },
                true,
            )),
            None => Ok((self.catch_up(aggregate_id, (0, A::default())).await?, false)),
        }
    }

    /// The aggregate brought up to date, with the sequence it reflects, shared with the cache:
    /// nothing is copied unless another process wrote since it was kept (then it is caught up,
    /// from the events already read, and kept anew).
    pub async fn read(
        &self,
        aggregate_id: &str,
    ) -> Result<(usize, Arc<A>), AggregateError<A::Error>> {
        let mut newer = None;
        if let Some((sequence, shared)) = self.as_kept(aggregate_id) {
            let events = self
                .repo
                .get_last_events::<A>(aggregate_id, sequence)
                .await?;
            if events.is_empty() {
                return Ok((sequence, shared));
            }
            newer = Some((sequence, events));
        }
        let kept = self.taken(aggregate_id).unwrap_or_default();
        let context = match newer {
            // Still where it was when the newer events were read: apply those.
            Some((sequence, events)) if kept.0 == sequence => {
                Self::applied(aggregate_id, kept, events)?
            }
            _ => self.catch_up(aggregate_id, kept).await?,
        };
        let shared = Arc::new(context.aggregate);
        self.keep(aggregate_id, context.current_sequence, shared.clone());
        Ok((context.current_sequence, shared))
    }

    /// Appends a command's `events` (the event sink has already applied them to `context`'s
    /// aggregate: it is the state after them) through the store's append, with its inline
    /// projection, and keeps that state. What cqrs-es' `commit` does, but handing back what the store
    /// appended (its record, and whether the read models took it in the same transaction)
    /// instead of reading it again. A failed append keeps nothing: the next load replays.
    /// With `signer`, the append stores a signed checkpoint as the command's receipt; with
    /// `decided_on`, it is refused if that stream has grown since the command was decided.
    pub async fn append(
        &self,
        events: Vec<A::Event>,
        context: EventStoreAggregateContext<A>,
        metadata: &HashMap<String, String>,
        signer: Option<Arc<gevinst_verify::NoteSigner>>,
        decided_on: Option<DecidedOn>,
    ) -> Result<Appended, StoreError> {
        let EventStoreAggregateContext {
            aggregate_id,
            aggregate,
            current_sequence,
            ..
        } = context;
        let serialized = events
            .into_iter()
            .zip(current_sequence + 1..)
            .map(|(payload, sequence)| {
                SerializedEvent::try_from(&EventEnvelope::<A> {
                    aggregate_id: aggregate_id.clone(),
                    sequence,
                    payload,
                    metadata: metadata.clone(),
                })
                .map_err(|e| StoreError::Invalid(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let appended = self
            .repo
            .appended_decided(&serialized, signer, decided_on)
            .await?;
        let last = usize::try_from(appended.record.last_sequence)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.keep(&aggregate_id, last, Arc::new(aggregate));
        Ok(appended)
    }

    /// Keeps a taken aggregate that nothing changed (its command was refused before any
    /// event was written).
    pub fn put_back(&self, context: EventStoreAggregateContext<A>) {
        self.keep(
            &context.aggregate_id,
            context.current_sequence,
            Arc::new(context.aggregate),
        );
    }
}

impl<A: Aggregate + Clone> cqrs_es::EventStore<A> for CachedEventStore<A> {
    type AC = EventStoreAggregateContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        self.inner.load_events(aggregate_id).await
    }

    /// A copy of the aggregate, brought up to date ([`CachedEventStore::read`]); the cache keeps
    /// the shared one. For readers: a command takes it instead ([`CachedEventStore::take`]).
    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<EventStoreAggregateContext<A>, AggregateError<A::Error>> {
        let (sequence, shared) = self.read(aggregate_id).await?;
        Ok(EventStoreAggregateContext {
            aggregate_id: aggregate_id.to_string(),
            aggregate: (*shared).clone(),
            current_sequence: sequence,
            current_snapshot: None,
        })
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: EventStoreAggregateContext<A>,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        // cqrs-es' event sink has already applied the new events to the context's aggregate
        // while the command was handled: it is the state after them. It is moved, not copied:
        // with the log as the source of truth (no snapshots), committing reads only the
        // context's id and sequence.
        let mut context = context;
        let id = context.aggregate_id.clone();
        let after = std::mem::take(&mut context.aggregate);
        let committed = self.inner.commit(events, context, metadata).await?;
        if let Some(last) = committed.last().map(|e| e.sequence) {
            self.keep(&id, last, Arc::new(after));
        }
        Ok(committed)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use cqrs_es::EventStore as _;
    use gevinst_domain::proposal::{examples, Proposal, ProposalCommand};
    use gevinst_store::{Db, StoreConfig, SystemClock};

    fn meta(key: &str) -> HashMap<String, String> {
        let mut m = gevinst_domain::EventMetadata::new(
            gevinst_domain::Actor::parse("system:test").expect("an actor"),
            gevinst_domain::Role::System,
        );
        m.idempotency_key = Some(gevinst_domain::IdempotencyKey::parse(key).expect("a key"));
        m.to_map()
    }

    /// Proposal `id` replayed from the whole log, as JSON: what every cached state must equal.
    pub(crate) async fn replayed(repo: &EventStore, id: &str) -> serde_json::Value {
        let full = PersistedEventStore::<EventStore, Proposal>::new_event_store(repo.clone());
        let context = full.load_aggregate(id).await.expect("replays");
        serde_json::to_value(&context.aggregate).expect("json")
    }

    /// A store in a folder of its own, removed with its `-wal` and `-shm` files when the
    /// returned folder is dropped.
    async fn store() -> (EventStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("gevinst.sqlite");
        let db = Db::open_and_migrate(&StoreConfig::Sqlite(path))
            .await
            .expect("a store");
        (EventStore::new(db, Arc::new(SystemClock)), dir)
    }

    /// The cached load equals a full replay, also after another writer (a second cache over
    /// the same log, as a second process) appended behind its back.
    #[tokio::test]
    async fn a_cached_aggregate_equals_a_full_replay_whoever_wrote() {
        let (repo, dir) = store().await;
        // Two writers, each with its cache (as two processes), and a reader that only loads.
        let one_cache = CachedEventStore::<Proposal>::new(repo.clone());
        let other_cache = CachedEventStore::<Proposal>::new(repo.clone());
        let one = cqrs_es::CqrsFramework::new(one_cache.clone(), vec![], ());
        let other = cqrs_es::CqrsFramework::new(other_cache.clone(), vec![], ());
        let full = PersistedEventStore::<EventStore, Proposal>::new_event_store(repo.clone());
        let cached = CachedEventStore::<Proposal>::new(repo.clone());
        // What a writer's cache holds right after its own commit equals a full replay.
        let same_as_replay = |store: CachedEventStore<Proposal>, full_state: serde_json::Value| async move {
            let seen = store.as_kept("BC01").expect("remembered").1;
            assert_eq!(serde_json::to_value(&*seen).expect("json"), full_state);
        };
        let register = ProposalCommand::RegisterProposal {
            identity: examples::identity("BC01"),
        };
        one.execute_with_metadata("BC01", register, meta("r0"))
            .await
            .expect("registered");
        let adopt = ProposalCommand::AdoptBaseline {
            plan: examples::plan(),
            source: None,
        };
        other
            .execute_with_metadata("BC01", adopt, meta("r1"))
            .await
            .expect("adopted");
        let writers = [
            (&one, &one_cache),
            (&other, &other_cache),
            (&one, &one_cache),
            (&one, &one_cache),
            (&other, &other_cache),
        ];
        for (i, (framework, writer)) in writers.into_iter().enumerate() {
            let before = cached
                .load_aggregate("BC01")
                .await
                .expect("loads")
                .aggregate;
            let replayed = full
                .load_aggregate("BC01")
                .await
                .expect("replays")
                .aggregate;
            assert_eq!(
                serde_json::to_value(&before).expect("json"),
                serde_json::to_value(&replayed).expect("json"),
                "after {i} commands"
            );
            let amount = -1 - i64::try_from(i).expect("small");
            framework
                .execute_with_metadata(
                    "BC01",
                    ProposalCommand::RecordSaving(examples::saving(2025, amount)),
                    meta(&format!("k{i}")),
                )
                .await
                .expect("a saving");
            let replayed = full
                .load_aggregate("BC01")
                .await
                .expect("replays")
                .aggregate;
            same_as_replay(
                writer.clone(),
                serde_json::to_value(&replayed).expect("json"),
            )
            .await;
        }
        let replayed = full.load_aggregate("BC01").await.expect("replays");
        let loaded = cached.load_aggregate("BC01").await.expect("loads");
        assert_eq!(loaded.current_sequence, replayed.current_sequence);
        assert_eq!(
            serde_json::to_value(&loaded.aggregate).expect("json"),
            serde_json::to_value(&replayed.aggregate).expect("json")
        );
        drop(dir);
    }

    /// A full cache lets the least recently used aggregate go; loading it again replays its
    /// stream and gives the same state, and the cache never holds more than its bound.
    #[tokio::test]
    async fn a_full_cache_lets_the_least_recently_used_go_and_replays_it_when_asked() {
        let (repo, dir) = store().await;
        let cache = CachedEventStore::<Proposal>::with_capacity(repo.clone(), 2);
        let framework = cqrs_es::CqrsFramework::new(cache.clone(), vec![], ());
        let full = PersistedEventStore::<EventStore, Proposal>::new_event_store(repo.clone());
        for id in ["BC01", "BC02", "BC03"] {
            for (n, command) in [
                ProposalCommand::RegisterProposal {
                    identity: examples::identity(id),
                },
                ProposalCommand::AdoptBaseline {
                    plan: examples::plan(),
                    source: None,
                },
            ]
            .into_iter()
            .enumerate()
            {
                framework
                    .execute_with_metadata(id, command, meta(&format!("{id}-{n}")))
                    .await
                    .expect("accepted");
            }
            assert!(cache.kept() <= 2, "{id}: {} kept", cache.kept());
        }
        assert_eq!(cache.kept(), 2);
        assert!(
            cache.as_kept("BC01").is_none(),
            "the least recently used went"
        );
        assert!(cache.as_kept("BC03").is_some());
        // BC01 loads by replaying its whole stream, as a fresh process would.
        let loaded = cache.load_aggregate("BC01").await.expect("loads");
        let replayed = full.load_aggregate("BC01").await.expect("replays");
        assert_eq!(loaded.current_sequence, 2);
        assert_eq!(
            serde_json::to_value(&loaded.aggregate).expect("json"),
            serde_json::to_value(&replayed.aggregate).expect("json")
        );
        // Kept again now, and BC02, the least recently used since, went in its place.
        assert!(cache.as_kept("BC01").is_some());
        assert!(cache.as_kept("BC02").is_none());
        assert_eq!(cache.kept(), 2);
        drop(dir);
    }
}
