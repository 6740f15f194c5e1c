//! A proposal's entries kept decoded in memory between reads, so a report does not fetch and
//! decode every entry of a proposal on every request.
//!
//! Why: the reports sum money in `rust_decimal` (amounts are stored as exact decimal text,
//! which SQLite's `SUM` would turn into floating point), so they read a proposal's entries
//! and decode each fact. Done per request that cost grew with the stream: 10,000 entries took
//! 75–330 ms to fetch and decode, and a portfolio read held a core while it did, so reads at a
//! few hundred a second queued behind one another for seconds.
//!
//! Now each proposal's entries are kept with the stream sequence they reflect (the proposal
//! row's `last_sequence`, moved in the same transaction as the rows). A read that finds the
//! proposal further on fetches only what changed since: entries after that sequence and
//! entries a later event corrected, two indexed look-ups that find a handful of rows. A read
//! that stands earlier (a row read just before the projector moved) derives that state from
//! the kept one without the database: entries after its sequence left out, corrections after
//! it undone. So the rows a report sees are exactly the rows stored at its sequence, whichever
//! instance projected them; `tests/tests/projections.rs` checks that against a fresh read.
//!
//! A portfolio read after a few writes finds a handful of proposals further on. It fetches
//! what changed in all of them with one statement ([`EntryCache::prefetch`]), and only one
//! fetch runs at a time: measured with timings per step under `gevinst bench`'s writers, the
//! portfolio's time on PostgreSQL went to one round trip after another per changed proposal,
//! and on SQLite to several readers at once each fetching and decoding every proposal's
//! entries after a start. `serve` warms the cache as it starts ([`super::ReadModels::warm`]).
//!
//! The read models are the truth and this is only their copy: a rebuild forgets it
//! ([`EntryCache::clear`]), and it is bounded ([`CACHED_ENTRIES`] entries in all, least
//! recently read proposal out first), so a server for many budget rounds keeps its memory
//! flat while the busy proposals stay fast.

use std::sync::{Arc, Mutex};

use gevinst_domain::price::PriceIndex;
use gevinst_domain::proposal::Fact;
use hashlink::LruCache;

use super::{EntryRow, ReadModelError, SELECT_ENTRIES};
use gevinst_store::Db;

/// How many entries the cache keeps in all. A kept entry is 600–1,000 bytes (the row's
/// strings and the decoded fact), so this bounds the cache to some tens of megabytes.
pub const CACHED_ENTRIES: usize = 50_000;

/// One entry as stored, with its fact decoded once.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The row as stored, except its fact's JSON (`row.fact` is empty): the fact is kept
    /// decoded only, which makes a kept entry about a quarter smaller.
    pub row: EntryRow,
    /// Its fact.
    pub fact: Fact,
}

impl Entry {
    fn of(mut row: EntryRow) -> Result<Self, ReadModelError> {
        let fact = row.fact()?;
        row.fact = String::new();
        Ok(Self { row, fact })
    }

    /// This entry as it stood once event `sequence` of its stream was projected: `None` if
    /// it came later; a correction that came later undone.
    fn at(self: &Arc<Self>, sequence: i64) -> Option<Arc<Self>> {
        if self.row.sequence > sequence {
            return None;
        }
        match self.row.corrected_by {
            Some(by) if by > sequence => {
                let mut undone = Entry::clone(self);
                undone.row.undo_correction();
                Some(Arc::new(undone))
            }
            _ => Some(self.clone()),
        }
    }
}

/// A proposal's entries at one sequence of its stream, by sequence.
#[derive(Debug, Default)]
pub struct Entries {
    sequence: i64,
    entries: Vec<Arc<Entry>>,
}

impl Entries {
    pub(crate) fn of(sequence: i64, entries: Vec<Arc<Entry>>) -> Self {
        Self { sequence, entries }
    }

    /// The stream sequence they reflect.
    #[must_use]
    pub fn sequence(&self) -> i64 {
        self.sequence
    }

    /// The entries as they stood at `sequence` (at most the kept one's).
    fn at(self: &Arc<Self>, sequence: i64) -> Arc<Self> {
        if sequence >= self.sequence {
            return self.clone();
        }
        Arc::new(Self {
            sequence,
            entries: self.entries.iter().filter_map(|e| e.at(sequence)).collect(),
        })
    }

    /// The entries, by sequence.
    #[must_use]
    pub fn entries(&self) -> &[Arc<Entry>] {
        &self.entries
    }
}

/// What a process's reads keep between requests, shared by the clones of a
/// [`super::ReadModels`]: each proposal's entries and row, and the last portfolio overviews.
#[derive(Debug, Default)]
pub struct ReadCache {
    pub(crate) entries: EntryCache,
    pub(crate) proposals: super::ProposalRows,
    pub(crate) overviews: crate::reports::portfolio::Overviews,
    /// The price index as last folded, by the last price-index row's position and the
    /// recorded time it was read at: every report converts with it, and it changes a few
    /// times a year.
    pub(crate) price_index: Mutex<Option<(PriceIndexKey, PriceIndex)>>,
}

/// The last price-index row's position and the recorded time the rows were read at.
pub(crate) type PriceIndexKey = (i64, Option<chrono::DateTime<chrono::Utc>>);

impl ReadCache {
    /// A cache keeping at most `limit` entries (see [`EntryCache::with_limit`]).
    #[must_use]
    pub fn with_entry_limit(limit: usize) -> Self {
        Self {
            entries: EntryCache::with_limit(limit),
            ..Self::default()
        }
    }

    /// Forgets everything (after a rebuild).
    pub fn clear(&self) {
        self.entries.clear();
        self.proposals.clear();
        self.overviews.clear();
        *self.price_index_slot() = None;
    }

    pub(crate) fn price_index_slot(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<(PriceIndexKey, PriceIndex)>> {
        lock(&self.price_index)
    }
}

/// Locks one of the read caches. A panic while holding the lock leaves a consistent cache
/// (every change is one insert, removal or replacement), so a poisoned lock is still usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Each proposal's entries as last read.
#[derive(Debug)]
pub struct EntryCache {
    seen: Mutex<Kept>,
    /// Held while a statement fetches (see [`EntryCache::fetch_stale`]).
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Kept {
    proposals: LruCache<String, Arc<Entries>>,
    /// Entries kept in all.
    count: usize,
    limit: usize,
}

impl Default for EntryCache {
    fn default() -> Self {
        Self::with_limit(CACHED_ENTRIES)
    }
}

impl EntryCache {
    /// A cache keeping at most `limit` entries (the last proposal read is kept whatever its
    /// size).
    #[must_use]
    pub fn with_limit(limit: usize) -> Self {
        Self {
            seen: Mutex::new(Kept {
                proposals: LruCache::new_unbounded(),
                count: 0,
                limit,
            }),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// How many entries it keeps at most.
    #[must_use]
    pub fn limit(&self) -> usize {
        self.lock().limit
    }

    /// Forgets everything (after a rebuild).
    pub fn clear(&self) {
        let mut kept = self.lock();
        kept.proposals.clear();
        kept.count = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        lock(&self.seen)
    }

    /// Proposal `id`'s entries as stored once event `sequence` of its stream was projected.
    pub(crate) async fn at(
        &self,
        db: &Db,
        id: &str,
        sequence: i64,
    ) -> Result<Arc<Entries>, ReadModelError> {
        let (found, stale) = self.look(&[(id, sequence)]);
        if let Some(Some(kept)) = found.into_iter().next() {
            return Ok(kept.at(sequence));
        }
        let mut fresh = std::collections::HashMap::new();
        self.fetch_stale(db, &stale, &mut fresh, true).await?;
        // Fetched, or found kept once another reader had fetched it.
        Ok(fresh.get(id).cloned().unwrap_or_default().at(sequence))
    }

    /// Brings the kept entries of `wanted` up to their sequences as [`EntryCache::at`] does,
    /// the changes of several proposals with one statement, but only as many proposals as the
    /// cache can hold (counted in events since what is kept), and holding nothing beyond the
    /// cache: a report over many proposals fetches the changes of those it can keep at once,
    /// and the rest one by one as it comes to them (fetching more would evict the first
    /// before the report reads them, and hold all). Returns how many of `wanted` are kept at
    /// their sequence afterwards (unless other reads evicted them since).
    pub(crate) async fn prefetch(
        &self,
        db: &Db,
        wanted: &[(&str, i64)],
    ) -> Result<usize, ReadModelError> {
        let (_, stale) = self.look(wanted);
        let limit = i64::try_from(self.limit()).unwrap_or(i64::MAX);
        let mut events = 0i64;
        let (fits, left): (Vec<Stale<'_>>, Vec<Stale<'_>>) =
            stale.into_iter().partition(|(_, to, kept)| {
                events = events.saturating_add(to - kept.as_ref().map_or(0, |k| k.sequence));
                events <= limit
            });
        let mut fresh = std::collections::HashMap::new();
        self.fetch_stale(db, &fits, &mut fresh, false).await?;
        let left: std::collections::HashSet<&str> = left.iter().map(|(id, _, _)| *id).collect();
        Ok(wanted.iter().filter(|(id, _)| !left.contains(id)).count())
    }

    /// Fetches `stale` a statement at a time, into the cache and, if `hold`, into `fresh`.
    async fn fetch_stale<'a>(
        &self,
        db: &Db,
        stale: &[Stale<'a>],
        fresh: &mut std::collections::HashMap<&'a str, Arc<Entries>>,
        hold: bool,
    ) -> Result<(), ReadModelError> {
        for batch in statements(stale) {
            // One statement at a time: readers that find the same proposals stale (a
            // portfolio read by many at once, or the first reads after a start) wait for the
            // one fetching and then find them kept, instead of each fetching and decoding
            // them; and a reader with many to fetch lets the others in between statements.
            let _turn = self.fetching.lock().await;
            let asked: Vec<(&str, i64)> = batch.iter().map(|(id, to, _)| (*id, *to)).collect();
            let (meanwhile, still) = self.look(&asked);
            for ((id, _), kept) in asked.iter().zip(meanwhile) {
                if let Some(kept) = kept {
                    fresh.insert(id, kept);
                }
            }
            self.fetch(db, &still, fresh).await?;
            if !hold {
                fresh.clear();
            }
        }
        Ok(())
    }

    /// For each of `wanted`, its entries if they are kept at or after its sequence; and the
    /// proposals that are not, each once with the furthest sequence asked for and what is kept.
    fn look<'a>(&self, wanted: &[(&'a str, i64)]) -> (Vec<Option<Arc<Entries>>>, Vec<Stale<'a>>) {
        let mut stale: Vec<Stale<'a>> = Vec::new();
        let mut found = Vec::with_capacity(wanted.len());
        let mut kept = self.lock();
        for &(id, sequence) in wanted {
            let k = kept.proposals.get(id).cloned();
            if let Some(k) = k.as_ref().filter(|k| k.sequence >= sequence) {
                found.push(Some(k.clone()));
                continue;
            }
            found.push(None);
            match stale.iter_mut().find(|(s, _, _)| *s == id) {
                Some(s) => s.1 = s.1.max(sequence),
                None => stale.push((id, sequence, k)),
            }
        }
        (found, stale)
    }

    /// Fetches what changed in `batch`'s proposals with one statement, and keeps them.
    async fn fetch<'a>(
        &self,
        db: &Db,
        batch: &[Stale<'a>],
        fresh: &mut std::collections::HashMap<&'a str, Arc<Entries>>,
    ) -> Result<(), ReadModelError> {
        if batch.is_empty() {
            return Ok(());
        }
        let ranges: Vec<(&str, i64, i64)> = batch
            .iter()
            .map(|(id, to, k)| (*id, k.as_ref().map_or(0, |k| k.sequence), *to))
            .collect();
        let mut changed = changed(db, &ranges).await?;
        for (id, sequence, k) in batch {
            let mut entries = k.as_ref().map(|k| k.entries.clone()).unwrap_or_default();
            for row in changed.remove(*id).unwrap_or_default() {
                let Some(entry) = Arc::new(Entry::of(row)?).at(*sequence) else {
                    continue;
                };
                match entries.binary_search_by_key(&entry.row.sequence, |e| e.row.sequence) {
                    Ok(i) => entries[i] = entry,
                    Err(i) => entries.insert(i, entry),
                }
            }
            let read = Arc::new(Entries {
                sequence: *sequence,
                entries,
            });
            self.keep(id, &read);
            fresh.insert(id, read);
        }
        Ok(())
    }

    /// Keeps `read` unless a newer state of the proposal is kept already, then drops the least
    /// recently read proposals until the kept entries fit the limit.
    fn keep(&self, id: &str, read: &Arc<Entries>) {
        let mut kept = self.lock();
        let old = kept
            .proposals
            .get(id)
            .map(|k| (k.sequence, k.entries.len()));
        if old.is_some_and(|(sequence, _)| sequence >= read.sequence) {
            return;
        }
        kept.count -= old.map_or(0, |(_, len)| len);
        kept.count += read.entries.len();
        kept.proposals.insert(id.to_string(), read.clone());
        while kept.count > kept.limit && kept.proposals.len() > 1 {
            if let Some((_, gone)) = kept.proposals.remove_lru() {
                kept.count -= gone.entries.len();
            }
        }
    }
}

/// A proposal whose kept entries stand before the sequence asked for: its id, that sequence,
/// and what is kept of it.
type Stale<'a> = (&'a str, i64, Option<Arc<Entries>>);

/// How many proposals' changes one statement fetches at most (three parameters each).
const PROPOSALS_PER_STATEMENT: usize = 64;

/// About how many rows one statement fetches at most: a proposal read afresh (thousands of
/// events at a first read) gets a statement of its own, so the rows held at once stay those of
/// one proposal, as when each was fetched alone.
const EVENTS_PER_STATEMENT: i64 = 2_000;

/// `stale` in runs for one statement each: at most [`PROPOSALS_PER_STATEMENT`] proposals
/// whose events since the kept sequence add up to at most [`EVENTS_PER_STATEMENT`] (or one
/// proposal with more).
fn statements<'s, 'a>(stale: &'s [Stale<'a>]) -> impl Iterator<Item = &'s [Stale<'a>]> {
    let mut rest = stale;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut events = 0;
        let mut n = 0;
        for (_, to, kept) in rest.iter().take(PROPOSALS_PER_STATEMENT) {
            events += to - kept.as_ref().map_or(0, |k| k.sequence);
            if n > 0 && events > EVENTS_PER_STATEMENT {
                break;
            }
            n += 1;
        }
        let (run, after) = rest.split_at(n);
        rest = after;
        Some(run)
    })
}

/// The rows of each `(id, from, to)` that changed after event `from` of its stream, up to
/// `to`: those recorded then, and earlier ones a correction then marked; one statement, two
/// indexed look-ups per proposal. By proposal.
async fn changed(
    db: &Db,
    ranges: &[(&str, i64, i64)],
) -> Result<std::collections::HashMap<String, Vec<EntryRow>>, ReadModelError> {
    let sql = ranges
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let (id, from, to) = (3 * i + 1, 3 * i + 2, 3 * i + 3);
            format!(
                "{SELECT_ENTRIES} WHERE proposal_id = ${id} AND sequence > ${from} \
                 AND sequence <= ${to} UNION ALL \
                 {SELECT_ENTRIES} WHERE proposal_id = ${id} AND corrected_by > ${from} \
                 AND sequence <= ${from}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    macro_rules! bound {
        ($query:expr) => {{
            let mut query = $query;
            for (id, from, to) in ranges {
                query = query.bind(*id).bind(*from).bind(*to);
            }
            query
        }};
    }
    let rows: Vec<EntryRow> = match db {
        Db::Postgres(pool) => bound!(sqlx::query_as(&sql)).fetch_all(pool).await?,
        Db::Sqlite(pool) => bound!(sqlx::query_as(&sql)).fetch_all(pool).await?,
    };
    let mut by_proposal: std::collections::HashMap<String, Vec<EntryRow>> =
        std::collections::HashMap::new();
    for row in rows {
        by_proposal
            .entry(row.proposal_id.clone())
            .or_default()
            .push(row);
    }
    for rows in by_proposal.values_mut() {
        rows.sort_by_key(|r| r.sequence);
    }
    Ok(by_proposal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every stale proposal is fetched once, in order; a statement holds at most
        /// PROPOSALS_PER_STATEMENT proposals and, unless it holds one, at most
        /// EVENTS_PER_STATEMENT events.
        #[test]
        fn statements_cover_the_stale_proposals_in_bounded_runs(
            spans in proptest::collection::vec((0i64..3_000, 0i64..3_000), 0..200)
        ) {
            let ids: Vec<String> = (0..spans.len()).map(|i| format!("P{i}")).collect();
            let stale: Vec<Stale<'_>> = ids
                .iter()
                .zip(&spans)
                .map(|(id, (kept, more))| {
                    let k = (*kept > 0).then(|| Arc::new(Entries::of(*kept, Vec::new())));
                    (id.as_str(), kept + more, k)
                })
                .collect();
            let runs: Vec<&[Stale<'_>]> = statements(&stale).collect();
            let flat: Vec<&str> = runs.iter().flat_map(|r| r.iter().map(|s| s.0)).collect();
            prop_assert_eq!(flat, ids.iter().map(String::as_str).collect::<Vec<_>>());
            for run in runs {
                prop_assert!(!run.is_empty() && run.len() <= PROPOSALS_PER_STATEMENT);
                let events: i64 = run
                    .iter()
                    .map(|(_, to, k)| to - k.as_ref().map_or(0, |k| k.sequence))
                    .sum();
                prop_assert!(run.len() == 1 || events <= EVENTS_PER_STATEMENT, "{events}");
            }
        }
    }
}
