//! Signed checkpoints of the global log, and the check of the log against one.
//!
//! A hash chain shows a changed event, but not a log that was cut short at its end, nor a stream
//! rewritten with every hash recomputed: whoever can write the database can recompute a chain.
//! A checkpoint is the outside anchor: the RFC 9162 Merkle root over every event's stored
//! `hash` in position order (leaf `i` is position `i + 1`), with the tree size and the time,
//! signed with the log's Ed25519 key as a C2SP signed note (see `gevinst_verify::note`). Whoever
//! keeps a copy of a checkpoint can later prove, with a consistency proof, that the log still
//! begins with exactly the events it covered.
//!
//! - [`sign_checkpoint`] signs the current log and stores the note in the append-only
//!   `checkpoint` table (one row per key and size: signing an unchanged log again returns the
//!   stored checkpoint). A stored checkpoint of the same size whose root is not the log's
//!   means the log was cut and regrown, or changed, after it was signed: the key never signs
//!   a second tree of one size (that would be two views of one log, the equivocation RFC 9162
//!   monitors look for), and the caller gets [`StoreError::Forked`] instead of the old note.
//!   Nor does it sign a larger tree that does not begin with the newest stored checkpoint
//!   (changed: [`StoreError::Forked`]; cut: [`StoreError::Shortened`]): a signature over it
//!   would vouch for the change, and two signed trees that no consistency proof joins are
//!   that equivocation too. Appends then go on without receipts;
//! - [`verify_checkpoint`] checks a checkpoint against the log: signature, size, consistency
//!   proof. When the proof fails it narrows the change down with the stored checkpoints that
//!   still verify under the same key, and names the proposals concerned from the surviving
//!   events and the `command` table;
//! - [`load_or_create_signer`] reads the key file, or creates one (mode 0600) on first use.
//!
//! Roots and proofs come from `gevinst-verify`, the crate the offline verifier uses.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use gevinst_verify::{
    divergence_by, event_leaf, judge_consistency, merkle, Checkpoint, Consistency, Hash,
    NoteSigner, NoteVerifier, Problem, ProblemKind,
};

use super::db::Db;
use super::{EventStore, StoreError};

/// A checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredCheckpoint {
    /// The signing key's hash, hex.
    pub key_id: String,
    /// Positions covered: `1..=tree_size`.
    pub tree_size: i64,
    /// The Merkle root, hex.
    pub root_hash: String,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The signed note as issued.
    pub note: String,
}

/// One event's place in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// Global position.
    pub position: i64,
    /// The proposal.
    pub stream_id: String,
    /// The event's stored hash (hex).
    pub event_hash: String,
    /// The Merkle leaf hash.
    pub leaf: Hash,
}

impl Leaf {
    /// The leaf of a row `(position, stream_id, hash)` of the event table.
    fn of((position, stream_id, event_hash): (i64, String, String)) -> Self {
        Self {
            position,
            stream_id,
            leaf: leaf_of(&event_hash),
            event_hash,
        }
    }
}

/// The log's Merkle tree as a process last read it: the tree, the stored hash of its last
/// leaf (`None` for the empty tree), and whether the log it read contradicts a stored
/// checkpoint (then nothing is signed over it).
#[derive(Debug, Default)]
pub struct TreeHead {
    builder: merkle::RootBuilder,
    last: Option<String>,
    forked: Option<Fork>,
}

/// A stored checkpoint the log, as read, no longer begins with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fork {
    /// The checkpoint's tree size and root, hex.
    size: i64,
    signed_root: String,
    /// The log's root at that size, hex; `None` when the log is shorter than that now.
    log_root: Option<String>,
    /// Events in the log as read.
    log_size: u64,
}

impl Fork {
    fn error(&self) -> StoreError {
        match &self.log_root {
            Some(log_root) => StoreError::Forked {
                size: self.size,
                signed_root: self.signed_root.clone(),
                log_root: log_root.clone(),
            },
            None => StoreError::Shortened {
                size: self.size,
                log_size: self.log_size,
            },
        }
    }
}

/// The leaf of a stored event hash; a value that is not a hash still gets a leaf (over its
/// text), so a damaged row changes the root instead of stopping the check.
fn leaf_of(event_hash: &str) -> Hash {
    event_leaf(event_hash).unwrap_or_else(|| merkle::leaf_hash(event_hash.as_bytes()))
}

/// A receipt signed inside an append's transaction (see [`EventStore::receipt_after`]): the
/// checkpoint to store with the append, and the tree to keep once it has committed.
pub(crate) struct Receipt {
    pub(crate) checkpoint: StoredCheckpoint,
    pub(crate) tree: TreeHead,
}

pub(crate) const INSERT_CHECKPOINT: &str = "INSERT INTO checkpoint (key_id, tree_size, root_hash, \
    signed_at, note) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_id, tree_size) DO NOTHING";
const SELECT_CHECKPOINTS: &str =
    "SELECT key_id, tree_size, root_hash, signed_at, note FROM checkpoint";

impl EventStore {
    /// Every event's leaf, in position order: the whole log in memory, for tests and tools
    /// (signing, proofs and `verify --checkpoint` read one hash at a time).
    pub async fn leaves(&self) -> Result<Vec<Leaf>, StoreError> {
        let sql = "SELECT position, stream_id, hash FROM event ORDER BY position";
        let rows: Vec<(i64, String, String)> =
            on_backend!(self.db(), |pool, _cast| sqlx::query_as(sql)
                .fetch_all(pool)
                .await?);
        Ok(rows.into_iter().map(Leaf::of).collect())
    }

    /// The proof `builder` was made for, from the log's first `builder.wanted()` event hashes
    /// read one at a time in position order (see [`merkle::ProofBuilder`]): a proof over a
    /// log of millions of events holds a few dozen hashes, not the log.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] when the log holds fewer events than the tree asked for.
    pub async fn prove(
        &self,
        mut builder: merkle::ProofBuilder,
    ) -> Result<merkle::Proof, StoreError> {
        self.each_leaf(builder.wanted(), |leaf| builder.push(leaf))
            .await?;
        builder
            .finish()
            .map_err(|e| StoreError::Corrupt(format!("the log is shorter than the tree: {e}")))
    }

    /// Hands the leaf hashes of the log's first `limit` events to `each`, in position order,
    /// one at a time; how many there were.
    pub async fn each_leaf(
        &self,
        limit: u64,
        mut each: impl FnMut(Hash),
    ) -> Result<u64, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.each_hash(0, limit, |hash| each(leaf_of(&hash))).await
    }

    /// Hands the stored hashes of at most `limit` events after position `after` to `each`, in
    /// position order, one at a time; how many there were.
    async fn each_hash(
        &self,
        after: i64,
        limit: i64,
        mut each: impl FnMut(String),
    ) -> Result<u64, StoreError> {
        use futures::TryStreamExt as _;
        let sql = "SELECT hash FROM event WHERE position > $1 ORDER BY position LIMIT $2";
        let mut read = 0;
        on_backend!(self.db(), |pool, _cast| {
            let mut rows = sqlx::query_scalar::<_, String>(sql)
                .bind(after)
                .bind(limit)
                .fetch(pool);
            while let Some(hash) = rows.try_next().await? {
                each(hash);
                read += 1;
            }
        });
        Ok(read)
    }

    /// The streams (proposals, the access stream) with an event or a command at a position in
    /// `from..=to`, by name: what a tampered stretch of the log concerns.
    async fn streams_in(&self, from: u64, to: u64) -> Result<Vec<String>, StoreError> {
        let (from, to) = (
            i64::try_from(from).unwrap_or(i64::MAX),
            i64::try_from(to).unwrap_or(i64::MAX),
        );
        let sql = "SELECT stream_id FROM event WHERE position BETWEEN $1 AND $2 \
                   UNION SELECT stream_id FROM command \
                   WHERE first_position <= $2 AND last_position >= $1";
        let mut streams: Vec<String> = on_backend!(self.db(), |pool, _cast| {
            sqlx::query_scalar(sql)
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?
        });
        streams.sort();
        streams.dedup();
        Ok(streams)
    }

    /// Events in the log.
    async fn count(&self) -> Result<u64, StoreError> {
        let sql = "SELECT COUNT(*) FROM event";
        let n: i64 = on_backend!(self.db(), |pool, _cast| sqlx::query_scalar(sql)
            .fetch_one(pool)
            .await?);
        u64::try_from(n).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// The leaf of the event at `position`, if there is one.
    pub async fn leaf(&self, position: i64) -> Result<Option<Leaf>, StoreError> {
        let sql = "SELECT position, stream_id, hash FROM event WHERE position = $1";
        let row: Option<(i64, String, String)> = on_backend!(self.db(), |pool, _cast| {
            sqlx::query_as(sql)
                .bind(position)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Leaf::of))
    }

    /// The Merkle tree size and root of the log as it is now. The tree this process built last
    /// time is extended with the events after it, read one hash at a time (see
    /// [`merkle::RootBuilder`]): a receipt after each command costs the events since the last
    /// one, not the whole log. The tree is read again from the start when its last leaf is no
    /// longer what the log holds at that position (the log was cut or its tail changed), and a
    /// tree read from the start is checked against the newest stored checkpoint (see
    /// [`EventStore::signable_head`]); a change further back, made after this process read
    /// that part or in events another process appended, is left to `verify` and
    /// `verify --checkpoint`, which read the log afresh.
    pub async fn tree_head(&self) -> Result<(u64, Hash), StoreError> {
        let mut tree = self.tree.lock().await;
        self.read_into(&mut tree).await?;
        Ok((tree.builder.size(), tree.builder.root()))
    }

    /// As [`EventStore::tree_head`], for signing: refused when the log, as read, does not
    /// begin with what the newest stored checkpoint covered.
    ///
    /// # Errors
    /// [`StoreError::Forked`] or [`StoreError::Shortened`] then.
    pub async fn signable_head(&self) -> Result<(u64, Hash), StoreError> {
        let mut tree = self.tree.lock().await;
        self.read_into(&mut tree).await?;
        if let Some(fork) = &tree.forked {
            return Err(fork.error());
        }
        Ok((tree.builder.size(), tree.builder.root()))
    }

    /// Brings `tree` up to the log as committed (see [`EventStore::tree_head`]). A tree read
    /// from the start (a new process, or its end changed) is checked against the newest stored
    /// checkpoint: the log must still begin with what that covered. Its root covers every
    /// event up to its size, so a change anywhere before it, or a cut, shows there; older
    /// checkpoints were checked the same way before they were signed. Read first: a checkpoint
    /// is stored in the transaction of the events it covers, so the events read after it
    /// include them. A tree extended with the events after it is not checked again (one query
    /// less per receipt signed after the commit): what it had was checked, and checkpoints the
    /// process signed since extend it.
    async fn read_into(&self, tree: &mut TreeHead) -> Result<(), StoreError> {
        if let Some(last) = &tree.last {
            let at = i64::try_from(tree.builder.size())
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let stored = self.leaf(at).await?.map(|l| l.event_hash);
            if stored.as_ref() != Some(last) {
                *tree = TreeHead::default();
            }
        }
        let from =
            i64::try_from(tree.builder.size()).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let sql = "SELECT tree_size, root_hash FROM checkpoint WHERE tree_size > $1 \
                   ORDER BY tree_size DESC LIMIT 1";
        let newest: Option<(i64, String)> = if from == 0 {
            on_backend!(self.db(), |pool, _cast| {
                sqlx::query_as(sql).bind(from).fetch_optional(pool).await?
            })
        } else {
            None
        };
        let watched = newest
            .as_ref()
            .and_then(|(size, _)| u64::try_from(*size).ok());
        let mut root_there = None;
        self.each_hash(from, i64::MAX, |hash| {
            tree.builder.push(leaf_of(&hash));
            tree.last = Some(hash);
            if Some(tree.builder.size()) == watched {
                root_there = Some(hex::encode(tree.builder.root()));
            }
        })
        .await?;
        if let Some((size, signed_root)) = newest {
            if root_there.as_ref() != Some(&signed_root) {
                tree.forked = Some(Fork {
                    size,
                    signed_root,
                    log_root: root_there,
                    log_size: tree.builder.size(),
                });
            }
        }
        Ok(())
    }

    /// The receipt for `rows`, appended after the log's head `head` (whose event's stored hash
    /// is `head_hash`) by a transaction that has not committed yet, so that the receipt is
    /// stored with them: one commit, one fsync. `tree` (the process's tree, locked by the
    /// caller until the commit) is read up to the committed log when it does not end there
    /// already, and extended with `rows` on a copy, which the caller keeps once the append
    /// has committed. `None` when the tree still does not end at `head` (the log changed
    /// under this process): the command is then signed for after its commit, as before.
    pub(crate) async fn receipt_after(
        &self,
        tree: &mut TreeHead,
        head: i64,
        head_hash: Option<&str>,
        rows: &[crate::StoredEvent],
        signer: &NoteSigner,
    ) -> Result<Option<Receipt>, StoreError> {
        let ends_at_head = |t: &TreeHead| {
            i64::try_from(t.builder.size()).ok() == Some(head) && t.last.as_deref() == head_hash
        };
        if !ends_at_head(tree) {
            self.read_into(tree).await?;
            if !ends_at_head(tree) {
                return Ok(None);
            }
        }
        if let Some(fork) = &tree.forked {
            return Err(fork.error());
        }
        let mut extended = TreeHead {
            builder: tree.builder.clone(),
            last: tree.last.clone(),
            forked: None,
        };
        for row in rows {
            extended.builder.push(leaf_of(&row.hash));
            extended.last = Some(row.hash.clone());
        }
        Ok(Some(Receipt {
            checkpoint: signed(
                signer,
                extended.builder.size(),
                extended.builder.root(),
                self.now(),
            )?,
            tree: extended,
        }))
    }

    /// Stores a checkpoint unless one for the same key and size exists; returns the stored one.
    ///
    /// # Errors
    /// [`StoreError::Forked`] when the stored one has another root: the log no longer holds
    /// what that checkpoint covered, and nothing is stored.
    pub async fn save_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
    ) -> Result<StoredCheckpoint, StoreError> {
        let select = format!("{SELECT_CHECKPOINTS} WHERE key_id = $1 AND tree_size = $2");
        macro_rules! save {
            ($pool:expr) => {{
                sqlx::query(INSERT_CHECKPOINT)
                    .bind(&checkpoint.key_id)
                    .bind(checkpoint.tree_size)
                    .bind(&checkpoint.root_hash)
                    .bind(checkpoint.signed_at)
                    .bind(&checkpoint.note)
                    .execute($pool)
                    .await?;
                sqlx::query_as(&select)
                    .bind(&checkpoint.key_id)
                    .bind(checkpoint.tree_size)
                    .fetch_one($pool)
                    .await?
            }};
        }
        let stored: StoredCheckpoint = match self.db() {
            Db::Postgres(pool) => save!(pool),
            Db::Sqlite(pool) => save!(pool),
        };
        if stored.root_hash != checkpoint.root_hash {
            return Err(StoreError::Forked {
                size: stored.tree_size,
                signed_root: stored.root_hash,
                log_root: checkpoint.root_hash.clone(),
            });
        }
        Ok(stored)
    }

    /// Stored checkpoints, smallest first; only `key_id`'s when given.
    pub async fn checkpoints(
        &self,
        key_id: Option<&str>,
    ) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let sql = format!(
            "{SELECT_CHECKPOINTS} WHERE ($1 IS NULL OR key_id = $1) ORDER BY tree_size, key_id"
        );
        let sql = sql.as_str();
        Ok(match self.db() {
            Db::Postgres(pool) => {
                sqlx::query_as(&sql.replace("$1 IS NULL", "$1::text IS NULL"))
                    .bind(key_id)
                    .fetch_all(pool)
                    .await?
            }
            Db::Sqlite(pool) => sqlx::query_as(sql).bind(key_id).fetch_all(pool).await?,
        })
    }

    /// The largest stored checkpoint (of `key_id`'s, when given).
    pub async fn latest_checkpoint(
        &self,
        key_id: Option<&str>,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        Ok(self.checkpoints(key_id).await?.pop())
    }
}

/// The log checked against the newest checkpoint stored for `verifier`'s key (see
/// [`verify_checkpoint`]), with that checkpoint; `None` when the key has signed none. What a
/// server that signs can tell its auditors without a copy of their own: a change or cut of
/// anything it has signed. Only a checkpoint kept outside the database also shows a log whose
/// checkpoint rows were removed with the events.
pub async fn verify_newest(
    store: &EventStore,
    verifier: &NoteVerifier,
) -> Result<Option<(StoredCheckpoint, CheckpointReport)>, StoreError> {
    let Some(newest) = store.checkpoints(Some(&verifier.key_id())).await?.pop() else {
        return Ok(None);
    };
    let report = verify_checkpoint(store, &newest.note, verifier).await?;
    Ok(Some((newest, report)))
}

/// Signs a checkpoint of the whole log as it is now and stores it (see the module docs).
pub async fn sign_checkpoint(
    store: &EventStore,
    signer: &NoteSigner,
) -> Result<StoredCheckpoint, StoreError> {
    let (size, root) = store.signable_head().await?;
    store
        .save_checkpoint(&signed(signer, size, root, store.now())?)
        .await
}

/// The checkpoint of a log of `size` events with Merkle root `root`, signed by `signer` at
/// `signed_at`, as stored.
fn signed(
    signer: &NoteSigner,
    size: u64,
    root: Hash,
    signed_at: DateTime<Utc>,
) -> Result<StoredCheckpoint, StoreError> {
    let checkpoint = Checkpoint {
        origin: signer.name().to_string(),
        size,
        root,
        time: Some(signed_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    };
    let note = checkpoint
        .sign(signer)
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    Ok(StoredCheckpoint {
        key_id: signer.verifier().key_id(),
        tree_size: i64::try_from(size).map_err(|e| StoreError::Invalid(e.to_string()))?,
        root_hash: hex::encode(root),
        signed_at,
        note,
    })
}

/// The outcome of checking the log against one checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointReport {
    /// The checkpoint, if its signature held.
    pub checkpoint: Option<Checkpoint>,
    /// Events in the log now.
    pub log_size: u64,
    /// The log's Merkle root now, hex.
    pub log_root: String,
    /// Hashes in the consistency proof that verified.
    pub proof_length: usize,
    /// Positions after the newest stored checkpoint of this key, not anchored by any.
    pub unanchored: Option<(u64, u64)>,
    /// What is wrong; empty when the log still holds exactly what the checkpoint covered.
    pub problems: Vec<Problem>,
}

impl CheckpointReport {
    /// True when nothing is wrong.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for CheckpointReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.checkpoint, self.is_ok()) {
            (Some(c), true) => writeln!(
                f,
                "i orden: loggen rummer stadig præcis de {} hændelser, checkpointet dækkede \
                 (konsistensbevis på {} hashes fra størrelse {} til {} verificeret; roden nu {})",
                c.size, self.proof_length, c.size, self.log_size, self.log_root
            )?,
            _ => {
                writeln!(
                    f,
                    "BRUDT: loggen rummer ikke længere det, checkpointet dækkede ({} fejl)",
                    self.problems.len()
                )?;
                for p in &self.problems {
                    writeln!(f, "  {p}")?;
                }
            }
        }
        if let Some((from, to)) = self.unanchored {
            writeln!(
                f,
                "bemærk: position {from}..{to} er tilføjet efter det nyeste signerede checkpoint \
                 og er endnu ikke forankret i et checkpoint"
            )?;
        }
        Ok(())
    }
}

/// Checks the log against the signed checkpoint `note` (see the module docs). The log is read
/// once, one event hash at a time: its root, the roots of its prefixes at the sizes of the
/// checkpoint and of the stored checkpoints of the same key (to narrow a change down), and the
/// consistency proof from the checkpoint's tree are folded as the hashes pass.
pub async fn verify_checkpoint(
    store: &EventStore,
    note: &str,
    verifier: &NoteVerifier,
) -> Result<CheckpointReport, StoreError> {
    let opened = Checkpoint::open(note, verifier);
    let stored: Vec<Checkpoint> = match &opened {
        Ok(_) => store
            .checkpoints(Some(&verifier.key_id()))
            .await?
            .iter()
            .filter_map(|c| Checkpoint::open(&c.note, verifier).ok())
            .collect(),
        Err(_) => Vec::new(),
    };
    let mut anchors = stored.clone();
    anchors.extend(opened.as_ref().ok().cloned());
    let log_size = store.count().await?;
    let mut prefix_roots: std::collections::BTreeMap<u64, Option<Hash>> = anchors
        .iter()
        .filter(|c| c.size <= log_size)
        .map(|c| (c.size, None))
        .collect();
    let mut proof = opened
        .as_ref()
        .ok()
        .and_then(|c| merkle::ProofBuilder::consistency(c.size, log_size).ok());
    let mut tree = merkle::RootBuilder::new();
    if let Some(empty) = prefix_roots.get_mut(&0) {
        *empty = Some(merkle::empty_root());
    }
    let read = store
        .each_leaf(log_size, |leaf| {
            tree.push(leaf);
            if let Some(root) = prefix_roots.get_mut(&tree.size()) {
                *root = Some(tree.root());
            }
            if let Some(p) = &mut proof {
                p.push(leaf);
            }
        })
        .await?;
    if read != log_size {
        return Err(StoreError::Corrupt(format!(
            "the log held {log_size} events but {read} were read"
        )));
    }
    let log_root = tree.root();
    let mut report = CheckpointReport {
        checkpoint: None,
        log_size,
        log_root: hex::encode(log_root),
        proof_length: 0,
        unanchored: None,
        problems: Vec::new(),
    };
    let checkpoint = match opened {
        Ok(c) => c,
        Err(e) => {
            report
                .problems
                .push(Problem::general(ProblemKind::BadSignature, e.to_string()));
            return Ok(report);
        }
    };
    let proof = match proof.map(merkle::ProofBuilder::finish) {
        Some(Ok(p)) => p.hashes,
        _ => Vec::new(),
    };
    match judge_consistency(&checkpoint, log_size, proof, &log_root) {
        Consistency::Consistent { proof } => report.proof_length = proof.len(),
        Consistency::Truncated { log_size } => report.problems.push(Problem {
            kind: ProblemKind::Truncated,
            position: Some(log_size + 1),
            to_position: Some(checkpoint.size),
            proposals: store.streams_in(log_size + 1, checkpoint.size).await?,
            detail: format!(
                "loggen slutter ved position {log_size}, men kontrolpunktet dækker position \
                 1..{}: hændelser er fjernet fra dens ende",
                checkpoint.size
            ),
        }),
        Consistency::Rewritten => {
            let (from, to) = divergence_by(&anchors, log_size, |size| {
                prefix_roots.get(&size).copied().flatten()
            })
            .unwrap_or((1, checkpoint.size));
            report.problems.push(Problem {
                kind: ProblemKind::Rewritten,
                position: Some(from),
                to_position: Some(to),
                proposals: store.streams_in(from, to).await?,
                detail: format!(
                    "hændelserne på position {from}..{to} er ikke dem, de signerede kontrolpunkter \
                     dækkede: intet konsistensbevis forbinder kontrolpunktet ({} hændelser) med \
                     loggen ({} hændelser); en hændelse dér er ændret, fjernet, indsat eller \
                     forfalsket, også selv om dens hashkæde er regnet om{}",
                    checkpoint.size,
                    report.log_size,
                    if from > 1 {
                        format!(
                            "; position 1..{} passer stadig med et signeret kontrolpunkt",
                            from - 1
                        )
                    } else {
                        String::new()
                    }
                ),
            });
        }
    }
    let newest = anchors.iter().map(|c| c.size).max().unwrap_or(0);
    if newest < report.log_size {
        report.unanchored = Some((newest + 1, report.log_size));
    }
    report.checkpoint = Some(checkpoint);
    Ok(report)
}

/// Reads the signer key file at `path`, or creates it with a fresh key named `name` when it
/// does not exist. Returns the signer and whether it was created. The file holds one line,
/// `PRIVATE+KEY+…` (Go's note format); it is created readable by its owner only.
pub fn load_or_create_signer(path: &Path, name: &str) -> Result<(NoteSigner, bool), StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => NoteSigner::parse(&text)
            .map(|s| (s, false))
            .map_err(|e| StoreError::Config(format!("signeringsnøglen {}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok((create_signer(path, name)?, true))
        }
        Err(e) => Err(StoreError::Config(format!(
            "kan ikke læse signeringsnøglen {}: {e}",
            path.display()
        ))),
    }
}

/// Reads the signer key file at `path`.
pub fn load_signer(path: &Path) -> Result<NoteSigner, StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        StoreError::Config(format!(
            "kan ikke læse signeringsnøglen {}: {e}",
            path.display()
        ))
    })?;
    NoteSigner::parse(&text)
        .map_err(|e| StoreError::Config(format!("signeringsnøglen {}: {e}", path.display())))
}

/// Creates a new key file at `path` (refusing to overwrite one).
pub fn create_signer(path: &Path, name: &str) -> Result<NoteSigner, StoreError> {
    let config = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Config(format!("{what} {}: {e}", path.display()))
    };
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| config("ingen tilfældighed til", &e))?;
    let signer = NoteSigner::from_seed(name, seed).map_err(|e| config("nøglenavnet til", &e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| config("kan ikke oprette mappen til", &e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| config("kan ikke oprette signeringsnøglen", &e))?;
    writeln!(file, "{}", signer.to_skey())
        .and_then(|()| file.sync_all())
        .map_err(|e| config("kan ikke skrive signeringsnøglen", &e))?;
    Ok(signer)
}
