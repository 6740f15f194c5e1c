//! Proposal rows kept between reads, so a read fetches the plans' JSON only when it changed.
//!
//! Why: a proposal row holds its registration, its adopted baseline and its current plan as
//! JSON, some kilobytes each (compressed by PostgreSQL), and every command moves only the two
//! small columns of how far its stream is projected. Reading every row whole on every request
//! made each portfolio read fetch, decompress and check the UTF-8 of all the plans: a profile of
//! `gevinst bench`'s reads under eight writers had PostgreSQL's decompression alone at about
//! 7 % of the database server's CPU, and with a thousand proposals a portfolio read moved
//! megabytes.
//!
//! Now a read fetches the small columns of the rows it wants, with `changed_position` (the
//! position of the last event that changed anything else in the row, set by the projection in
//! `apply`), and takes the rest from the row kept at that position; only rows not kept, or
//! changed since, are fetched whole (one statement for them all). The result is the row as
//! stored: kept content is unchanged while `changed_position` is, and the columns that move
//! come from this read. The read models stay the truth: a rebuild forgets the kept rows
//! ([`super::ReadCache::clear`]), and at most [`CACHED_PROPOSALS`] are kept (least recently
//! read out first).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gevinst_store::Db;
use hashlink::LruCache;

use super::entries::lock;
use super::{ProposalRow, ReadModelError, SELECT_PROPOSALS};

/// How many proposal rows are kept: a row is mostly its plans' JSON, some kilobytes, so this
/// bounds the copy to some tens of megabytes while every proposal of a large installation
/// stays kept.
pub const CACHED_PROPOSALS: usize = 4_096;

/// Rows fetched whole in one statement at most (SQLite allows 32,766 parameters).
const FETCH_AT_ONCE: usize = 500;

/// What a read fetches of every row it wants.
const SELECT_HEADS: &str =
    "SELECT proposal_id, changed_position, last_sequence, last_position FROM rm_proposal";

#[derive(Debug, sqlx::FromRow)]
struct Head {
    proposal_id: String,
    changed_position: i64,
    last_sequence: i64,
    last_position: i64,
}

/// Proposal rows as last fetched whole.
#[derive(Debug)]
pub struct ProposalRows {
    seen: Mutex<LruCache<String, Arc<ProposalRow>>>,
}

impl Default for ProposalRows {
    fn default() -> Self {
        Self {
            seen: Mutex::new(LruCache::new(CACHED_PROPOSALS)),
        }
    }
}

impl ProposalRows {
    /// Forgets every kept row (after a rebuild).
    pub fn clear(&self) {
        lock(&self.seen).clear();
    }

    /// The rows of every proposal (by id), or of proposal `id`, as stored.
    pub(crate) async fn read(
        &self,
        db: &Db,
        id: Option<&str>,
    ) -> Result<Vec<ProposalRow>, ReadModelError> {
        let heads: Vec<Head> = match id {
            Some(id) => super::fetch!(db, &format!("{SELECT_HEADS} WHERE proposal_id = $1"), id),
            None => super::fetch!(db, &format!("{SELECT_HEADS} ORDER BY proposal_id")),
        };
        let mut rows: Vec<Option<ProposalRow>> = Vec::with_capacity(heads.len());
        let mut missing: Vec<usize> = Vec::new();
        {
            let mut seen = lock(&self.seen);
            for (i, head) in heads.iter().enumerate() {
                match seen.get(&head.proposal_id) {
                    Some(kept) if kept.changed_position == head.changed_position => {
                        let mut row = ProposalRow::clone(kept);
                        row.last_sequence = head.last_sequence;
                        row.last_position = head.last_position;
                        rows.push(Some(row));
                    }
                    _ => {
                        rows.push(None);
                        missing.push(i);
                    }
                }
            }
        }
        for chunk in missing.chunks(FETCH_AT_ONCE) {
            let ids: Vec<&str> = chunk
                .iter()
                .map(|&i| heads[i].proposal_id.as_str())
                .collect();
            let mut whole: HashMap<String, ProposalRow> = fetch_whole(db, &ids)
                .await?
                .into_iter()
                .map(|row| (row.proposal_id.clone(), row))
                .collect();
            for &i in chunk {
                // A row gone since its head was read is left out, as a read a moment later
                // would leave it out (only a rebuild removes rows, and it puts them back in the
                // same transaction, so this is a safeguard).
                if let Some(row) = whole.remove(&heads[i].proposal_id) {
                    self.keep(&row);
                    rows[i] = Some(row);
                }
            }
        }
        Ok(rows.into_iter().flatten().collect())
    }

    fn keep(&self, row: &ProposalRow) {
        lock(&self.seen).insert(row.proposal_id.clone(), Arc::new(row.clone()));
    }
}

/// Rows `ids`, whole, in one statement.
async fn fetch_whole(db: &Db, ids: &[&str]) -> Result<Vec<ProposalRow>, ReadModelError> {
    let marks = (1..=ids.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("{SELECT_PROPOSALS} WHERE proposal_id IN ({marks})");
    Ok(match db {
        Db::Postgres(pool) => {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        }
        Db::Sqlite(pool) => {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        }
    })
}
