//! The Merkle tree over the global log, exactly as RFC 9162 (Certificate Transparency v2)
//! §2.1 defines it, so any CT tooling can check our proofs:
//!
//! - `MTH({})` = SHA-256 of the empty string;
//! - leaf hash = SHA-256(0x00 ‖ leaf data);
//! - node hash = SHA-256(0x01 ‖ left ‖ right), where the left subtree holds the largest power
//!   of two strictly smaller than the number of leaves.
//!
//! Gevinst's leaf data is the 32 raw bytes of an event's stored hash-chain value (`event.hash`,
//! which covers the whole event including its `prev_hash`), in global `position` order: leaf
//! index `i` is position `i + 1`, and a tree of size `n` covers positions `1..=n`.
//!
//! Proofs are generated from the leaf hashes (§2.1.3.1 `PATH`, §2.1.4.1 `PROOF`) and verified
//! with the algorithms of §2.1.3.2 and §2.1.4.2, which need only the proof and the roots.
//! A proof is the roots of a few disjoint leaf ranges (`inclusion_ranges`,
//! `consistency_ranges`); generation recomputes them from the leaves (O(n) per proof), and the
//! server does so while it reads the leaves one at a time ([`ProofBuilder`]), holding a few
//! dozen hashes: cheaper than keeping a node cache consistent with a log that can be restored.

use std::ops::Range;

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// `MTH({})`: the root of the empty tree.
#[must_use]
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// SHA-256(0x00 ‖ data): the hash of one leaf.
#[must_use]
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 ‖ left ‖ right): an interior node.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly smaller than `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// `MTH(D[n])` over already hashed leaves.
#[must_use]
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = usize::try_from(split(n as u64)).unwrap_or(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// `MTH` computed one leaf at a time, keeping only the roots of the perfect subtrees the tree
/// is made of (one per set bit of its size, largest first): how a log of millions of events is
/// signed without holding its leaves (32 bytes each) in memory.
#[derive(Debug, Clone, Default)]
pub struct RootBuilder {
    size: u64,
    /// Perfect subtree roots, left to right (sizes: the bits of `size`, largest first).
    subtrees: Vec<Hash>,
}

impl RootBuilder {
    /// An empty tree.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one leaf hash: it joins the subtrees of equal size to its left.
    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            let Some(left) = self.subtrees.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.subtrees.push(hash);
        self.size += 1;
    }

    /// Leaves pushed.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// `MTH` of the leaves pushed: the subtrees joined right to left (RFC 9162's left subtree
    /// is the largest power of two smaller than the size, which is the leftmost subtree).
    #[must_use]
    pub fn root(&self) -> Hash {
        let mut right_to_left = self.subtrees.iter().rev();
        match right_to_left.next() {
            None => empty_root(),
            Some(last) => right_to_left.fold(*last, |right, left| node_hash(left, &right)),
        }
    }
}

/// Why a proof cannot be made or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index lies outside the tree.
    #[error("blad {index} findes ikke i et træ med {size} blade")]
    IndexOutOfRange {
        /// The leaf index (0-based).
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof from a larger to a smaller tree was asked for.
    #[error("et træ med {from} blade kan ikke være begyndelsen af et træ med {to} blade")]
    Shrinking {
        /// The first (older) size.
        from: u64,
        /// The second (newer) size.
        to: u64,
    },
    /// The proof has the wrong number of hashes for the sizes.
    #[error("beviset har forkert længde")]
    WrongLength,
    /// The recomputed root differs from the expected one.
    #[error("beviset fører ikke til den forventede rod")]
    RootMismatch,
}

/// The audit path of leaf `index` in the tree of all `leaves` (RFC 9162 §2.1.3.1).
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError> {
    Ok(roots_of(
        leaves,
        &inclusion_ranges(index, leaves.len() as u64)?,
    ))
}

/// The consistency proof from the tree of the first `from` leaves to the tree of all `leaves`
/// (RFC 9162 §2.1.4.1). Empty when `from` is 0 or equals the size.
pub fn consistency_proof(leaves: &[Hash], from: u64) -> Result<Vec<Hash>, ProofError> {
    Ok(roots_of(
        leaves,
        &consistency_ranges(from, leaves.len() as u64)?,
    ))
}

fn roots_of(leaves: &[Hash], ranges: &[Range<u64>]) -> Vec<Hash> {
    let at = |i: u64| usize::try_from(i).unwrap_or(usize::MAX);
    ranges
        .iter()
        .map(|r| root(&leaves[at(r.start)..at(r.end)]))
        .collect()
}

/// The leaf ranges whose subtree roots make the audit path of leaf `index` in a tree of `size`
/// leaves, in proof order (RFC 9162 §2.1.3.1 `PATH`, with the subtrees named by their leaves).
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    fn path(m: u64, leaves: Range<u64>, out: &mut Vec<Range<u64>>) {
        let n = leaves.end - leaves.start;
        if n <= 1 {
            return;
        }
        let mid = leaves.start + split(n);
        if m < mid {
            path(m, leaves.start..mid, out);
            out.push(mid..leaves.end);
        } else {
            path(m, mid..leaves.end, out);
            out.push(leaves.start..mid);
        }
    }
    let mut out = Vec::new();
    path(index, 0..size, &mut out);
    Ok(out)
}

/// The leaf ranges whose subtree roots make the consistency proof from the tree of `from`
/// leaves to the tree of `to` leaves, in proof order (RFC 9162 §2.1.4.1 `SUBPROOF`).
pub fn consistency_ranges(from: u64, to: u64) -> Result<Vec<Range<u64>>, ProofError> {
    if from > to {
        return Err(ProofError::Shrinking { from, to });
    }
    fn subproof(m: u64, leaves: Range<u64>, complete: bool, out: &mut Vec<Range<u64>>) {
        let n = leaves.end - leaves.start;
        if m == n {
            if !complete {
                out.push(leaves);
            }
            return;
        }
        let k = split(n);
        let mid = leaves.start + k;
        if m <= k {
            subproof(m, leaves.start..mid, complete, out);
            out.push(mid..leaves.end);
        } else {
            subproof(m - k, mid..leaves.end, false, out);
            out.push(leaves.start..mid);
        }
    }
    let mut out = Vec::new();
    if from > 0 {
        subproof(from, 0..to, true, &mut out);
    }
    Ok(out)
}

/// A proof made while the leaves are read one at a time, in order, from the first: the
/// subtrees it needs are disjoint leaf ranges, each folded with its own [`RootBuilder`], so a
/// proof over a log of millions of events holds a few dozen hashes, not the leaves.
#[derive(Debug, Clone)]
pub struct ProofBuilder {
    /// The proof's subtrees in proof order, each with its root folded so far.
    parts: Vec<(Range<u64>, RootBuilder)>,
    /// Indices into `parts` by the start of their range.
    by_start: Vec<usize>,
    /// The next part (in `by_start`) a leaf can fall in.
    next: usize,
    /// The whole tree, and the root of its first `prefix` leaves once they are read.
    tree: RootBuilder,
    size: u64,
    prefix: u64,
    prefix_root: Option<Hash>,
}

/// What a [`ProofBuilder`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// The proof's hashes.
    pub hashes: Vec<Hash>,
    /// The root of the tree the proof is for.
    pub root: Hash,
    /// The root of the first `from` leaves (a consistency proof's older tree; for an inclusion
    /// proof the root of the whole tree again).
    pub prefix_root: Hash,
}

impl ProofBuilder {
    /// The inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion(index: u64, size: u64) -> Result<Self, ProofError> {
        Ok(Self::of(inclusion_ranges(index, size)?, size, size))
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves.
    pub fn consistency(from: u64, to: u64) -> Result<Self, ProofError> {
        Ok(Self::of(consistency_ranges(from, to)?, to, from))
    }

    fn of(ranges: Vec<Range<u64>>, size: u64, prefix: u64) -> Self {
        let mut by_start: Vec<usize> = (0..ranges.len()).collect();
        by_start.sort_by_key(|&i| ranges[i].start);
        Self {
            parts: ranges
                .into_iter()
                .map(|r| (r, RootBuilder::new()))
                .collect(),
            by_start,
            next: 0,
            tree: RootBuilder::new(),
            size,
            prefix,
            prefix_root: (prefix == 0).then(empty_root),
        }
    }

    /// Leaves the proof still needs.
    #[must_use]
    pub fn wanted(&self) -> u64 {
        self.size - self.tree.size()
    }

    /// Reads the next leaf; leaves beyond the tree's size are ignored.
    pub fn push(&mut self, leaf: Hash) {
        let index = self.tree.size();
        if index >= self.size {
            return;
        }
        self.tree.push(leaf);
        if self.tree.size() == self.prefix {
            self.prefix_root = Some(self.tree.root());
        }
        while let Some(&i) = self.by_start.get(self.next) {
            let (range, builder) = &mut self.parts[i];
            if index < range.start {
                break;
            }
            if index < range.end {
                builder.push(leaf);
                break;
            }
            self.next += 1;
        }
    }

    /// The proof, once the tree's every leaf was read.
    ///
    /// # Errors
    /// [`ProofError::WrongLength`] when fewer leaves were read than the tree holds.
    pub fn finish(self) -> Result<Proof, ProofError> {
        if self.tree.size() != self.size {
            return Err(ProofError::WrongLength);
        }
        let root = self.tree.root();
        Ok(Proof {
            hashes: self.parts.iter().map(|(_, b)| b.root()).collect(),
            prefix_root: self.prefix_root.unwrap_or(root),
            root,
        })
    }
}

/// Checks that `leaf` (a leaf hash) is leaf `index` of the tree of `size` with `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of size `from` with root `from_root` is a prefix of the tree of size
/// `to` with root `to_root` (RFC 9162 §2.1.4.2; equal sizes need equal roots and an empty
/// proof, and every tree extends the empty one).
pub fn verify_consistency(
    from: u64,
    to: u64,
    proof: &[Hash],
    from_root: &Hash,
    to_root: &Hash,
) -> Result<(), ProofError> {
    if from > to {
        return Err(ProofError::Shrinking { from, to });
    }
    if from == to {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if from_root == to_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if from == 0 {
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(ProofError::WrongLength)
        };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if from.is_power_of_two() {
        path.push(*from_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut fnode, mut snode) = (from - 1, to - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != from_root || &sr != to_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> Hash {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    /// Leaves 0x00, 0x01, … 0x07 (one byte each), hashed as leaves.
    fn leaves(n: u8) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&[i])).collect()
    }

    // Roots computed outside this code, in Python, straight from RFC 9162 §2.1.1 (hashlib;
    // `mth(D)` recursing on the largest power of two < n), for leaves bytes([0]) … bytes([7]).
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a",
        "3b6cccd7e3e023ff393006f030315ee7ad9eb111b022b41fba7e5b7a3973f688",
        "9bcd51240af4005168f033121ba85be5a6ed4f0e6a5fac262066729b8fbfdecb",
        "b855b42d6c30f5b087e05266783fbd6e394f7b926013ccaa67700a8b0c5a596f",
        "bb36e7d3d4cee5720cbd323d02fab15962e2ba1dadf5f8fc6eeef4fd6ad056a8",
        "3560191803028444b232018ac047fdb561c09c23a7a6876c85e08b5e4d48e9f3",
        "ef7f49b620f6c7ea9b963a214da34b5021c6ded8ed57734380a311ab726aa907",
    ];

    #[test]
    fn roots_are_the_known_answers() {
        assert_eq!(
            empty_root(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        for (n, expected) in ROOTS.iter().enumerate() {
            assert_eq!(root(&leaves(n as u8)), h(expected), "size {n}");
        }
    }

    #[test]
    fn proofs_are_the_known_answers() {
        let seven = leaves(7);
        assert_eq!(
            inclusion_proof(&seven, 2).unwrap(),
            vec![
                h("583c7dfb7b3055d99465544032a571e10a134b1b6f769422bbb71fd7fa167a5d"),
                h("a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a"),
                h("89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb"),
            ]
        );
        assert_eq!(
            consistency_proof(&seven, 3).unwrap(),
            vec![
                h("fcf0a6c700dd13e274b6fba8deea8dd9b26e4eedde3495717cac8408c9c5177f"),
                h("583c7dfb7b3055d99465544032a571e10a134b1b6f769422bbb71fd7fa167a5d"),
                h("a20bf9a7cc2dc8a08f5f415a71b19f6ac427bab54d24eec868b5d3103449953a"),
                h("89c929834ed1459b07f65b5e1a2143a8cf5d8efdf30f49ffffa328bb1d9133bb"),
            ]
        );
        assert_eq!(
            consistency_proof(&leaves(8), 4).unwrap(),
            vec![h(
                "c1fe42b33ebb8e8a7e4a90abc481c7434e2be02cff2f6a18d7ffab4f1e25891b"
            )]
        );
        verify_consistency(
            3,
            7,
            &consistency_proof(&seven, 3).unwrap(),
            &h(ROOTS[3]),
            &h(ROOTS[7]),
        )
        .unwrap();
    }

    #[test]
    fn bad_requests_are_refused() {
        let five = leaves(5);
        assert_eq!(
            inclusion_proof(&five, 5),
            Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
        );
        assert_eq!(
            consistency_proof(&five, 6),
            Err(ProofError::Shrinking { from: 6, to: 5 })
        );
        assert!(verify_inclusion(&five[0], 0, 0, &[], &root(&five)).is_err());
        assert!(verify_consistency(6, 5, &[], &root(&five), &root(&five)).is_err());
    }

    #[test]
    fn a_root_built_leaf_by_leaf_is_the_known_answer() {
        for (n, expected) in ROOTS.iter().enumerate() {
            let mut builder = RootBuilder::new();
            for leaf in leaves(u8::try_from(n).unwrap()) {
                builder.push(leaf);
            }
            assert_eq!(builder.size(), n as u64);
            assert_eq!(builder.root(), h(expected), "{n} leaves");
        }
    }

    proptest! {
        #[test]
        fn a_root_built_leaf_by_leaf_equals_the_whole_tree_root(size in 0usize..600) {
            let all: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let mut builder = RootBuilder::new();
            for leaf in &all {
                builder.push(*leaf);
            }
            prop_assert_eq!(builder.root(), root(&all));
        }

        #[test]
        fn every_inclusion_proof_verifies_and_no_other_leaf_does(
            size in 1u64..70, pick in any::<u64>(), other in any::<u64>()
        ) {
            let all: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let r = root(&all);
            let index = pick % size;
            let proof = inclusion_proof(&all, index).unwrap();
            prop_assert_eq!(verify_inclusion(&all[index as usize], index, size, &proof, &r), Ok(()));
            let wrong = other % size;
            if wrong != index {
                prop_assert!(verify_inclusion(&all[wrong as usize], index, size, &proof, &r).is_err());
                prop_assert!(verify_inclusion(&all[index as usize], wrong, size, &proof, &r).is_err());
            }
            let forged = leaf_hash(b"forged");
            prop_assert!(verify_inclusion(&forged, index, size, &proof, &r).is_err());
        }

        #[test]
        fn every_consistency_proof_verifies_and_a_changed_prefix_does_not(
            to in 1u64..70, pick in any::<u64>(), change in any::<u64>()
        ) {
            let all: Vec<Hash> = (0..to).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            let from = pick % (to + 1);
            let from_root = root(&all[..from as usize]);
            let to_root = root(&all);
            let proof = consistency_proof(&all, from).unwrap();
            prop_assert_eq!(verify_consistency(from, to, &proof, &from_root, &to_root), Ok(()));
            if from > 0 {
                // Rewrite one leaf inside the old prefix: no proof from the new log can
                // connect the old root to the new one.
                let mut tampered = all.clone();
                let at = (change % from) as usize;
                tampered[at] = leaf_hash(b"rewritten");
                let proof = consistency_proof(&tampered, from).unwrap();
                prop_assert!(
                    verify_consistency(from, to, &proof, &from_root, &root(&tampered)).is_err()
                );
            }
        }
    }

    /// The proofs a server makes reading one leaf at a time are the ones made from all
    /// leaves, for every leaf and every older size of every tree up to 70 leaves; a builder
    /// that read too few leaves makes none.
    #[test]
    fn proofs_built_leaf_by_leaf_are_the_proofs_from_all_leaves() {
        let fold = |mut b: ProofBuilder, leaves: &[Hash]| {
            for l in leaves {
                b.push(*l);
            }
            b
        };
        for size in 0u64..=70 {
            let all: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            // Leaves past the tree's size are read and ignored.
            let read: Vec<Hash> = (0..size + 3).map(|i| leaf_hash(&i.to_be_bytes())).collect();
            for index in 0..size {
                let built = fold(ProofBuilder::inclusion(index, size).unwrap(), &read);
                assert_eq!(
                    built.finish().unwrap(),
                    Proof {
                        hashes: inclusion_proof(&all, index).unwrap(),
                        root: root(&all),
                        prefix_root: root(&all),
                    },
                    "inclusion of {index} in {size}"
                );
            }
            for from in 0..=size {
                let built = fold(ProofBuilder::consistency(from, size).unwrap(), &read);
                assert_eq!(
                    built.finish().unwrap(),
                    Proof {
                        hashes: consistency_proof(&all, from).unwrap(),
                        root: root(&all),
                        prefix_root: root(&all[..from as usize]),
                    },
                    "consistency from {from} to {size}"
                );
            }
            if size > 0 {
                let short = fold(ProofBuilder::consistency(1, size).unwrap(), &all[1..]);
                assert_eq!(short.wanted(), 1);
                assert_eq!(short.finish(), Err(ProofError::WrongLength));
            }
        }
        assert!(ProofBuilder::inclusion(3, 3).is_err());
        assert!(ProofBuilder::consistency(4, 3).is_err());
    }
}
