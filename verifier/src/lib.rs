//! Gevinst's verifiable log, in a crate small enough to audit: the RFC 9162 Merkle tree
//! ([`merkle`]), signed checkpoints in the C2SP signed-note / tlog-checkpoint formats
//! ([`note`]), and the offline check of an audit export ([`export`]).
//!
//! The server (`gevinst-store`) computes roots and proofs with this crate, and the
//! `gevinst-verify` binary checks exports with it, so the two cannot disagree about what a root
//! or a proof is. It depends on no database, runtime or web crate: only hashing, Ed25519,
//! base64, hex and JSON.
#![deny(missing_docs)]

pub mod export;
pub mod merkle;
pub mod note;

use std::fmt;

pub use merkle::Hash;
pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier, DEFAULT_ORIGIN};

/// The leaf hash of an event: RFC 9162's leaf hash over the 32 raw bytes of the event's stored
/// hash-chain value (64 lower-case hex digits). `None` if the stored value is not such a hash.
#[must_use]
pub fn event_leaf(event_hash_hex: &str) -> Option<Hash> {
    let bytes: [u8; 32] = hex::decode(event_hash_hex).ok()?.try_into().ok()?;
    if hex::encode(bytes) != event_hash_hex {
        return None;
    }
    Some(merkle::leaf_hash(&bytes))
}

/// What kind of problem a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A file or line cannot be read.
    Unreadable,
    /// A checkpoint's signature is missing or invalid.
    BadSignature,
    /// Positions are not 1, 2, 3 … without a gap.
    PositionGap,
    /// An event's stored hash does not match its content.
    HashMismatch,
    /// An event's `prev_hash` or sequence does not follow its stream's previous event.
    ChainBroken,
    /// The log ends before what a signed checkpoint covered: events were removed from its end.
    Truncated,
    /// The log's first N events are not the N events a signed checkpoint covered: an event was
    /// rewritten, removed, inserted or replaced (even with recomputed hashes).
    Rewritten,
    /// There is no signed checkpoint to anchor the log to.
    NoCheckpoint,
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProblemKind::Unreadable => "ulæselig",
            ProblemKind::BadSignature => "ugyldig signatur",
            ProblemKind::PositionGap => "hul i positionerne",
            ProblemKind::HashMismatch => "forkert hash",
            ProblemKind::ChainBroken => "brudt kæde",
            ProblemKind::Truncated => "afkortet",
            ProblemKind::Rewritten => "omskrevet",
            ProblemKind::NoCheckpoint => "intet kontrolpunkt",
        })
    }
}

/// One problem, with where it is as precisely as the evidence allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The kind.
    pub kind: ProblemKind,
    /// The first global position concerned, if known.
    pub position: Option<u64>,
    /// The last position concerned, when it is a range.
    pub to_position: Option<u64>,
    /// The proposals (streams) concerned, if known.
    pub proposals: Vec<String>,
    /// What is wrong, in words.
    pub detail: String,
}

impl Problem {
    /// A problem at one position.
    #[must_use]
    pub fn at(kind: ProblemKind, position: u64, proposal: Option<&str>, detail: String) -> Self {
        Self {
            kind,
            position: Some(position),
            to_position: None,
            proposals: proposal.map(str::to_string).into_iter().collect(),
            detail,
        }
    }

    /// A problem without a position.
    #[must_use]
    pub fn general(kind: ProblemKind, detail: String) -> Self {
        Self {
            kind,
            position: None,
            to_position: None,
            proposals: Vec::new(),
            detail,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match (self.position, self.to_position) {
            (Some(a), Some(b)) if a != b => write!(f, " ved position {a}..{b}")?,
            (Some(a), _) => write!(f, " ved position {a}")?,
            _ => {}
        }
        if !self.proposals.is_empty() {
            write!(f, " (forslag {})", self.proposals.join(", "))?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// How the log's leaves stand against one signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consistency {
    /// The log still holds exactly the checkpoint's leaves as its first `size` leaves; a
    /// consistency proof from the checkpoint's tree to the log's tree verified.
    Consistent {
        /// The consistency proof checked (from the checkpoint's size to the log's).
        proof: Vec<Hash>,
    },
    /// The log has fewer leaves than the checkpoint covered.
    Truncated {
        /// The log's size.
        log_size: u64,
    },
    /// The proof does not connect the checkpoint's root to the log's root.
    Rewritten,
}

/// Checks `checkpoint` against the log's `leaves` through a consistency proof.
#[must_use]
pub fn check_consistency(checkpoint: &Checkpoint, leaves: &[Hash]) -> Consistency {
    let log_size = leaves.len() as u64;
    match merkle::consistency_proof(leaves, checkpoint.size) {
        Ok(proof) => judge_consistency(checkpoint, log_size, proof, &merkle::root(leaves)),
        Err(_) => Consistency::Truncated { log_size },
    }
}

/// How a log of `log_size` leaves with root `log_root` stands against `checkpoint`, given the
/// consistency proof made from the log's leaves (in memory, or as they were read one at a
/// time) from the checkpoint's size to the log's.
#[must_use]
pub fn judge_consistency(
    checkpoint: &Checkpoint,
    log_size: u64,
    proof: Vec<Hash>,
    log_root: &Hash,
) -> Consistency {
    if checkpoint.size > log_size {
        return Consistency::Truncated { log_size };
    }
    match merkle::verify_consistency(
        checkpoint.size,
        log_size,
        &proof,
        &checkpoint.root,
        log_root,
    ) {
        Ok(()) => Consistency::Consistent { proof },
        Err(_) => Consistency::Rewritten,
    }
}

/// Narrows down where the log differs from what signed checkpoints covered: given checkpoints
/// (already signature-checked) and the log's leaves, the positions `(first, last)` between the
/// largest checkpoint the log still matches and the smallest one it does not. `None` when the
/// log matches every checkpoint it is long enough for.
#[must_use]
pub fn divergence(checkpoints: &[Checkpoint], leaves: &[Hash]) -> Option<(u64, u64)> {
    divergence_by(checkpoints, leaves.len() as u64, |size| {
        usize::try_from(size)
            .ok()
            .and_then(|s| leaves.get(..s))
            .map(merkle::root)
    })
}

/// [`divergence`] for a log of `log_size` leaves that are not in memory: `root_at(size)` is the
/// root of the log's first `size` leaves, asked only for the checkpoints' sizes.
#[must_use]
pub fn divergence_by(
    checkpoints: &[Checkpoint],
    log_size: u64,
    root_at: impl Fn(u64) -> Option<Hash>,
) -> Option<(u64, u64)> {
    let mut sizes: Vec<&Checkpoint> = checkpoints.iter().filter(|c| c.size <= log_size).collect();
    sizes.sort_by_key(|c| c.size);
    let matches = |c: &Checkpoint| root_at(c.size) == Some(c.root);
    let bad = sizes.iter().find(|c| !matches(c))?;
    let good = sizes
        .iter()
        .filter(|c| c.size < bad.size && matches(c))
        .map(|c| c.size)
        .max()
        .unwrap_or(0);
    Some((good + 1, bad.size))
}
