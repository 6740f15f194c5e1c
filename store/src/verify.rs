//! `gevinst verify`: walks every stream and the global order and reports where stored history
//! no longer matches its hash chain. It trusts nothing it reads: hashes are recomputed from the
//! row's fields, sequences must run 1, 2, 3 … and positions 1 … N without a gap.

use std::fmt;

use gevinst_domain::chain::GENESIS_HASH;

use super::{EventStore, StoreError};

/// One broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    /// The proposal (stream), or `*` for the global order.
    pub stream_id: String,
    /// The sequence (or, for the global order, the position) where it breaks.
    pub sequence: i64,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stream_id == "*" {
            write!(
                f,
                "global order at position {}: {}",
                self.sequence, self.what
            )
        } else {
            write!(
                f,
                "proposal {} at sequence {}: {}",
                self.stream_id, self.sequence, self.what
            )
        }
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Streams walked.
    pub streams: usize,
    /// Events checked.
    pub events: usize,
    /// Highest position.
    pub last_position: i64,
    /// The first broken link of each broken stream, then global-order problems.
    pub problems: Vec<ChainProblem>,
}

impl VerifyReport {
    /// True when nothing is broken.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            write!(
                f,
                "ok: {} events in {} proposals, positions 1..{}, every hash chain intact",
                self.events, self.streams, self.last_position
            )
        } else {
            writeln!(
                f,
                "BROKEN: {} problem(s) in {} events of {} proposals",
                self.problems.len(),
                self.events,
                self.streams
            )?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
            Ok(())
        }
    }
}

/// Verifies every stream's chain and the global order, reporting each stream's first break.
pub async fn verify(store: &EventStore) -> Result<VerifyReport, StoreError> {
    let events = store.all_by_stream().await?;
    let mut report = VerifyReport {
        events: events.len(),
        ..VerifyReport::default()
    };
    let mut current: Option<String> = None;
    let mut expected_sequence = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut broken = false;
    for e in &events {
        if current.as_deref() != Some(e.stream_id.as_str()) {
            current = Some(e.stream_id.clone());
            report.streams += 1;
            expected_sequence = 1;
            prev_hash = GENESIS_HASH.to_string();
            broken = false;
        }
        if !broken {
            let problem = if e.sequence != expected_sequence {
                Some((
                    expected_sequence,
                    format!(
                        "event {expected_sequence} is missing: the stream goes from {} to {}",
                        expected_sequence - 1,
                        e.sequence
                    ),
                ))
            } else if e.prev_hash != prev_hash {
                Some((
                    e.sequence,
                    "prev_hash does not match the previous event's hash (an event before it was changed, removed or inserted)".to_string(),
                ))
            } else if e.computed_hash() != e.hash {
                Some((
                    e.sequence,
                    format!(
                        "stored {} event does not match its hash: its content was changed after it was recorded",
                        e.event_type
                    ),
                ))
            } else {
                None
            };
            if let Some((sequence, what)) = problem {
                report.problems.push(ChainProblem {
                    stream_id: e.stream_id.clone(),
                    sequence,
                    what,
                });
                broken = true;
            }
        }
        expected_sequence = e.sequence + 1;
        prev_hash = e.hash.clone();
    }
    let positions = store.positions().await?;
    report.last_position = positions.last().copied().unwrap_or(0);
    if let Some((i, p)) = positions
        .iter()
        .enumerate()
        .find(|(i, p)| i64::try_from(*i).map_or(true, |i| **p != i + 1))
    {
        report.problems.push(ChainProblem {
            stream_id: "*".to_string(),
            sequence: i64::try_from(i + 1).unwrap_or(i64::MAX),
            what: format!("position {} is missing (gap before {p})", i + 1),
        });
    }
    Ok(report)
}
