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
        }
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
        let kept = self.lock().proposals.get(id).cloned();
        let from = match &kept {
            Some(k) if k.sequence >= sequence => return Ok(k.at(sequence)),
            Some(k) => k.sequence,
            None => 0,
        };
        let mut entries = kept.as_ref().map(|k| k.entries.clone()).unwrap_or_default();
        for row in changed(db, id, from, sequence).await? {
            let entry = Arc::new(Entry::of(row)?).at(sequence);
            let Some(entry) = entry else { continue };
            match entries.binary_search_by_key(&entry.row.sequence, |e| e.row.sequence) {
                Ok(i) => entries[i] = entry,
                Err(i) => entries.insert(i, entry),
            }
        }
        let read = Arc::new(Entries { sequence, entries });
        self.keep(id, &read);
        Ok(read)
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

/// The rows of proposal `id` that changed after event `from` of its stream, up to `to`: those
/// recorded then, and earlier ones a correction then marked. By sequence.
async fn changed(db: &Db, id: &str, from: i64, to: i64) -> Result<Vec<EntryRow>, ReadModelError> {
    let added = format!(
        "{SELECT_ENTRIES} WHERE proposal_id = $1 AND sequence > $2 AND sequence <= $3 \
         ORDER BY sequence"
    );
    let corrected = format!(
        "{SELECT_ENTRIES} WHERE proposal_id = $1 AND corrected_by > $2 AND sequence <= $2 \
         ORDER BY sequence"
    );
    let mut rows: Vec<EntryRow> = super::fetch!(db, &added, id, from, to);
    if from > 0 {
        let marked: Vec<EntryRow> = super::fetch!(db, &corrected, id, from);
        rows.extend(marked);
    }
    Ok(rows)
}
