//! The tamper-evidence of stored history: every event row carries the SHA-256 of the previous
//! event of its stream and its own SHA-256 over a canonical encoding of the fields listed below.
//!
//! What the chain alone shows: a change to any hashed field, and a row removed, inserted or
//! moved *inside* a stream, unless whoever did it also recomputed the hashes of that event and
//! every later one in its stream. What it does not cover by itself:
//!
//! - the columns copied out of the metadata (`actor`, `role`, `effective_date`,
//!   `idempotency_key`) and `aggregate_type`: `gevinst verify` checks them against the hashed
//!   metadata (and the expected type) row by row;
//! - the `command` table: `verify` checks every command row against the events it names;
//! - a stream's or the log's last events removed, a forged event appended with a correct hash,
//!   or a stream rewritten with every hash recomputed: the chain is then consistent again. Only
//!   an anchor outside the database (a checkpoint of the log's head, kept elsewhere) shows those.
//!   A removed event that is not the log's last leaves a gap in the global positions, which
//!   `verify` reports.
//!
//! # Canonical encoding (stable; changing it would invalidate every stored hash)
//! The hash input is the UTF-8 bytes of a JSON object with exactly these keys, written with keys
//! sorted by their UTF-8 bytes at every depth, no insignificant white space, strings escaped as
//! `serde_json` escapes them, numbers as integers (the payload holds no floats: amounts are
//! decimal strings):
//!
//! | key | value |
//! |---|---|
//! | `event_id` | the event's UUID, lower-case hyphenated |
//! | `event_type`, `event_version` | as stored |
//! | `metadata` | the stored metadata object |
//! | `payload` | the stored payload |
//! | `position` | the global position (integer) |
//! | `prev_hash` | the previous event's `hash` in the stream; 64 zeros for the first |
//! | `recorded_at` | UTC, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds) |
//! | `sequence` | the sequence in the stream (integer) |
//! | `stream_id` | the proposal id |
//!
//! The hash is lower-case hex of SHA-256 over those bytes.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The `prev_hash` of a stream's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything the hash covers.
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// The event's UUID.
    pub event_id: &'a str,
    /// Global position.
    pub position: i64,
    /// Proposal id.
    pub stream_id: &'a str,
    /// Sequence in the stream.
    pub sequence: i64,
    /// Event type name.
    pub event_type: &'a str,
    /// Event version.
    pub event_version: &'a str,
    /// Stored payload.
    pub payload: &'a Value,
    /// Stored metadata.
    pub metadata: &'a Value,
    /// Recorded time.
    pub recorded_at: DateTime<Utc>,
    /// Previous event's hash.
    pub prev_hash: &'a str,
}

/// The recorded time as hashed (and as SQLite stores it).
#[must_use]
pub fn format_recorded_at(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Canonical JSON (keys sorted by their UTF-8 bytes at every depth, no white space): the one
/// implementation lives in the offline verifier, so the log and its outside check cannot
/// disagree on the encoding.
pub use gevinst_verify::export::canonical_json;

/// The event's hash, lower-case hex.
#[must_use]
pub fn event_hash(input: &HashInput<'_>) -> String {
    gevinst_verify::export::HashedEvent {
        event_id: input.event_id,
        event_type: input.event_type,
        event_version: input.event_version,
        metadata: input.metadata,
        payload: input.payload,
        position: i128::from(input.position),
        prev_hash: input.prev_hash,
        recorded_at: &format_recorded_at(input.recorded_at),
        sequence: i128::from(input.sequence),
        stream_id: input.stream_id,
    }
    .hash()
}

/// SHA-256 of bytes, lower-case hex (used for baseline files and command fingerprints).
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": "æ"}], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"z":[1,{"x":"æ","y":2}]},"b":1}"#
        );
    }

    #[test]
    fn hash_is_the_known_answer_and_sensitive_to_every_field() {
        let payload = json!({"SavingRealised": {"amount": "-100", "year": 2025}});
        let metadata = json!({"actor": "anna", "role": "project_owner"});
        let at = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
        let input = HashInput {
            event_id: "00000000-0000-4000-8000-000000000001",
            position: 1,
            stream_id: "BC01",
            sequence: 1,
            event_type: "SavingRealised",
            event_version: "1",
            payload: &payload,
            metadata: &metadata,
            recorded_at: at,
            prev_hash: GENESIS_HASH,
        };
        let h = event_hash(&input);
        // A known answer, computed outside this code from the documented encoding (Python:
        // `hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"),
        // ensure_ascii=False).encode()).hexdigest()`), so the encoding cannot drift silently.
        assert_eq!(
            canonical_json(&serde_json::json!({
                "event_id": input.event_id, "event_type": "SavingRealised",
                "event_version": "1", "metadata": metadata, "payload": payload,
                "position": 1, "prev_hash": GENESIS_HASH,
                "recorded_at": "2025-03-01T12:00:00.000000Z", "sequence": 1, "stream_id": "BC01",
            })),
            r#"{"event_id":"00000000-0000-4000-8000-000000000001","event_type":"SavingRealised","event_version":"1","metadata":{"actor":"anna","role":"project_owner"},"payload":{"SavingRealised":{"amount":"-100","year":2025}},"position":1,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","recorded_at":"2025-03-01T12:00:00.000000Z","sequence":1,"stream_id":"BC01"}"#
        );
        assert_eq!(
            h,
            "fadb8984e0ada2cca7be59f4896c98f1e59ddfcd2a3623b7692ef4333416e704"
        );
        let changed = json!({"SavingRealised": {"amount": "-101", "year": 2025}});
        let other_meta = json!({"actor": "Anna", "role": "project_owner"});
        let variants = [
            HashInput {
                event_id: "00000000-0000-4000-8000-000000000002",
                ..input
            },
            HashInput {
                position: 2,
                ..input
            },
            HashInput {
                stream_id: "BC02",
                ..input
            },
            HashInput {
                sequence: 2,
                ..input
            },
            HashInput {
                event_type: "SavingVerified",
                ..input
            },
            HashInput {
                event_version: "2",
                ..input
            },
            HashInput {
                payload: &changed,
                ..input
            },
            HashInput {
                metadata: &other_meta,
                ..input
            },
            HashInput {
                recorded_at: at + chrono::Duration::microseconds(1),
                ..input
            },
            HashInput {
                prev_hash: &h,
                ..input
            },
        ];
        for (i, variant) in variants.iter().enumerate() {
            assert_ne!(h, event_hash(variant), "field {i} is not covered");
        }
    }
}
