//! The audit export and its offline check.
//!
//! `gevinst audit export DIR` writes:
//!
//! | file | holds |
//! |---|---|
//! | `events.jsonl` | every event, one JSON object per line, in global position order ([`ExportedEvent`]) |
//! | `checkpoints/<size>.txt` | every signed checkpoint the log has issued (signed notes) |
//! | `public-key.txt` | the log's verifier key, `<name>+<key hash>+<key>` |
//!
//! [`verify_dir`] trusts nothing in it: it recomputes every event's hash from its fields (the
//! canonical encoding `gevinst_domain::chain` documents, implemented here once as
//! [`HashedEvent`], which the store's chain uses too, so the verifier needs no other Gevinst
//! crate and the two cannot disagree; a known-answer test pins it), checks each stream's
//! sequence and `prev_hash` chain and the gapless positions, checks every checkpoint's signature
//! and that the log is consistent with it (RFC 9162 consistency proof), and that at least one
//! checkpoint covers the log. A hash chain alone cannot show a truncated log or a consistently
//! rewritten stream; the signed checkpoints can. The public key in the export is only as
//! trustworthy as the export: pass the key obtained out of band (`--key`) to pin it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{
    check_consistency, divergence, event_leaf, Checkpoint, Consistency, Hash, NoteVerifier,
    Problem, ProblemKind,
};

/// The events file's name.
pub const EVENTS_FILE: &str = "events.jsonl";
/// The checkpoints folder's name.
pub const CHECKPOINTS_DIR: &str = "checkpoints";
/// The public key file's name.
pub const PUBLIC_KEY_FILE: &str = "public-key.txt";

/// The `prev_hash` of a stream's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as exported: every stored column. `recorded_at` is written exactly as it is
/// hashed (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedEvent {
    /// Global position.
    pub position: u64,
    /// The event's UUID.
    pub event_id: String,
    /// "proposal".
    pub aggregate_type: String,
    /// The proposal.
    pub stream_id: String,
    /// Sequence in the stream.
    pub sequence: u64,
    /// Type name.
    pub event_type: String,
    /// Type version.
    pub event_version: String,
    /// The stored payload.
    pub payload: Value,
    /// The stored metadata.
    pub metadata: Value,
    /// Who (denormalised from the metadata; not hashed separately).
    pub actor: String,
    /// In which role (denormalised).
    pub role: String,
    /// Business date (denormalised).
    pub effective_date: Option<String>,
    /// The command's idempotency key (denormalised).
    pub idempotency_key: String,
    /// When the store committed it.
    pub recorded_at: String,
    /// The previous event's hash in the stream.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// Canonical JSON: keys sorted by their UTF-8 bytes at every depth, no white space, strings
/// escaped as `serde_json` escapes them.
#[must_use]
pub fn canonical_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(value, &mut out);
    // Every piece written is UTF-8 (serde_json's own output and ASCII punctuation).
    String::from_utf8(out).unwrap_or_default()
}

/// [`canonical_json`] written into `out`, without building a copy of the value or a string per
/// key: it runs for every event a command stores and every event `verify` checks.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|(a, _), (b, _)| a.as_bytes().cmp(b.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(key, out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        scalar => write_scalar(scalar, out),
    }
}

/// A string, number, boolean or null exactly as `serde_json` writes it (`Value`'s `Display`
/// is the same serializer).
fn write_scalar<T: Serialize + ?Sized>(scalar: &T, out: &mut Vec<u8>) {
    // Writing into a `Vec` cannot fail, and a string, number, boolean or null always serializes.
    let _ = serde_json::to_writer(&mut *out, scalar);
}

/// Everything an event's hash covers, borrowed (see `gevinst_domain::chain` for the encoding).
#[derive(Debug, Clone, Copy)]
pub struct HashedEvent<'a> {
    /// The event's UUID, lower-case hyphenated.
    pub event_id: &'a str,
    /// Type name, as stored.
    pub event_type: &'a str,
    /// Type version, as stored.
    pub event_version: &'a str,
    /// The stored metadata.
    pub metadata: &'a Value,
    /// The stored payload.
    pub payload: &'a Value,
    /// Global position.
    pub position: i128,
    /// The previous event's hash in the stream.
    pub prev_hash: &'a str,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub recorded_at: &'a str,
    /// Sequence in the stream.
    pub sequence: i128,
    /// The stream.
    pub stream_id: &'a str,
}

impl HashedEvent<'_> {
    /// The canonical JSON of the object holding these fields, written field by field in the
    /// keys' byte order without building the object (which copied the payload and metadata),
    /// the nested values by [`canonical_json`]'s rule. A property test holds it to the object's
    /// canonical JSON.
    #[must_use]
    pub fn canonical(&self) -> Vec<u8> {
        /// A field's value: written as a JSON string, as canonical JSON, or as an integer.
        enum Field<'a> {
            Text(&'a str),
            Json(&'a Value),
            Integer(i128),
        }
        use Field::{Integer, Json, Text};
        let fields = [
            ("event_id", Text(self.event_id)),
            ("event_type", Text(self.event_type)),
            ("event_version", Text(self.event_version)),
            ("metadata", Json(self.metadata)),
            ("payload", Json(self.payload)),
            ("position", Integer(self.position)),
            ("prev_hash", Text(self.prev_hash)),
            ("recorded_at", Text(self.recorded_at)),
            ("sequence", Integer(self.sequence)),
            ("stream_id", Text(self.stream_id)),
        ];
        let mut out = Vec::with_capacity(512);
        for (i, (key, value)) in fields.into_iter().enumerate() {
            out.push(if i == 0 { b'{' } else { b',' });
            write_scalar(key, &mut out);
            out.push(b':');
            match value {
                Text(text) => write_scalar(text, &mut out),
                Json(json) => write_canonical(json, &mut out),
                Integer(n) => write_scalar(&n, &mut out),
            }
        }
        out.push(b'}');
        out
    }

    /// The event's hash: lower-case hex of SHA-256 over [`HashedEvent::canonical`].
    #[must_use]
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.canonical()))
    }
}

impl ExportedEvent {
    /// The hash this event should have, recomputed from its fields.
    #[must_use]
    pub fn computed_hash(&self) -> String {
        HashedEvent {
            event_id: &self.event_id,
            event_type: &self.event_type,
            event_version: &self.event_version,
            metadata: &self.metadata,
            payload: &self.payload,
            position: i128::from(self.position),
            prev_hash: &self.prev_hash,
            recorded_at: &self.recorded_at,
            sequence: i128::from(self.sequence),
            stream_id: &self.stream_id,
        }
        .hash()
    }
}

/// What the offline check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Events read.
    pub events: u64,
    /// Streams seen.
    pub streams: usize,
    /// Streams per aggregate type (`proposal`, `access`), by each stream's first event.
    pub stream_types: BTreeMap<String, usize>,
    /// The Merkle root of all events.
    pub root: String,
    /// Signed checkpoints checked, by size.
    pub checkpoints: Vec<u64>,
    /// The verifier key used.
    pub key: String,
    /// Everything wrong; empty when the export is sound.
    pub problems: Vec<Problem>,
}

impl ExportReport {
    /// True when nothing is wrong.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for ExportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_ok() {
            let last = self.checkpoints.last().copied().unwrap_or(0);
            writeln!(
                f,
                "i orden: {} hændelser i {}, alle hashkæder er intakte; {} signerede checkpoints \
                 af {} verificeret, det seneste dækker position 1..{last}; rod {}",
                self.events,
                streams_text(self.streams, &self.stream_types),
                self.checkpoints.len(),
                self.key,
                self.root
            )?;
            if last < self.events {
                writeln!(
                    f,
                    "bemærk: position {}..{} er tilføjet efter det seneste checkpoint og er \
                     kun dækket af hashkæderne",
                    last + 1,
                    self.events
                )?;
            }
            Ok(())
        } else {
            writeln!(
                f,
                "BRUDT: {} fejl i {} hændelser",
                self.problems.len(),
                self.events
            )?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
            Ok(())
        }
    }
}

/// Why the export could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be read.
    #[error("kan ikke læse {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The key is unusable.
    #[error(transparent)]
    Key(#[from] crate::NoteError),
}

fn read(path: &Path) -> Result<String, ExportError> {
    std::fs::read_to_string(path).map_err(|source| ExportError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// How many of `streams` are proposals: all but those `by_type` names with another type.
#[must_use]
pub fn proposal_streams(streams: usize, by_type: &BTreeMap<String, usize>) -> usize {
    let others: usize = by_type
        .iter()
        .filter(|(t, _)| t.as_str() != "proposal")
        .map(|(_, n)| n)
        .sum();
    streams.saturating_sub(others)
}

/// "12 proposals", and the other streams by aggregate type ("12 proposals and 1 access
/// stream"): accounts and grants are a stream of their own, not a proposal. `streams` counts
/// every stream, `by_type` those whose type is known.
#[must_use]
pub fn streams_text(streams: usize, by_type: &BTreeMap<String, usize>) -> String {
    let mut text = format!("{} forslag", proposal_streams(streams, by_type));
    for (t, n) in by_type.iter().filter(|(t, _)| t.as_str() != "proposal") {
        let plural = if *n == 1 { "" } else { "me" };
        if t == "access" {
            text.push_str(&format!(" og {n} adgangsstrøm{plural}"));
        } else {
            text.push_str(&format!(" og {n} strøm{plural} af typen '{t}'"));
        }
    }
    text
}

/// Checks the exported events: hashes, chains, positions. Returns the leaves (one per readable
/// line; a bad hash still gives a leaf of its stored value, so checkpoints can be checked too)
/// and each position's stream, and each stream's aggregate type.
#[must_use]
pub fn check_events(
    lines: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<Hash>, Vec<String>, BTreeMap<String, String>) {
    let mut leaves = Vec::new();
    let mut streams: Vec<String> = Vec::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut last: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for (i, line) in lines.lines().enumerate() {
        let expected_position = i as u64 + 1;
        let e: ExportedEvent = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                problems.push(Problem::at(
                    ProblemKind::Unreadable,
                    expected_position,
                    None,
                    format!("linje {expected_position} i {EVENTS_FILE} er ikke en hændelse: {err}"),
                ));
                continue;
            }
        };
        streams.push(e.stream_id.clone());
        types
            .entry(e.stream_id.clone())
            .or_insert_with(|| e.aggregate_type.clone());
        let at = |kind, detail| Problem::at(kind, e.position, Some(&e.stream_id), detail);
        if e.position != expected_position {
            problems.push(at(
                ProblemKind::PositionGap,
                format!(
                    "linje {expected_position} har position {}: positionerne skal løbe 1, 2, 3 … \
                     uden huller",
                    e.position
                ),
            ));
        }
        let (prev_seq, prev_hash) = last
            .get(&e.stream_id)
            .cloned()
            .unwrap_or((0, GENESIS_HASH.to_string()));
        if e.sequence != prev_seq + 1 {
            problems.push(at(
                ProblemKind::ChainBroken,
                format!(
                    "nr. {} følger efter nr. {prev_seq} i forslagets strøm",
                    e.sequence
                ),
            ));
        } else if e.prev_hash != prev_hash {
            problems.push(at(
                ProblemKind::ChainBroken,
                format!(
                    "hændelse {} ({}) angiver en prev_hash, der ikke er hashen af strømmens \
                     forrige hændelse",
                    e.sequence, e.event_type
                ),
            ));
        }
        if e.computed_hash() != e.hash {
            problems.push(at(
                ProblemKind::HashMismatch,
                format!(
                    "hændelse {} ({}) passer ikke med sin hash: indholdet er ændret",
                    e.sequence, e.event_type
                ),
            ));
        }
        match event_leaf(&e.hash) {
            Some(leaf) => leaves.push(leaf),
            None => problems.push(at(
                ProblemKind::Unreadable,
                format!(
                    "den gemte hash «{}» er ikke 64 hexcifre med små bogstaver",
                    e.hash
                ),
            )),
        }
        last.insert(e.stream_id.clone(), (e.sequence, e.hash.clone()));
    }
    (leaves, streams, types)
}

/// Checks signed checkpoint notes against the log's leaves. `streams[i]` is the proposal of
/// position `i + 1` (to name proposals). Returns the sizes of the valid checkpoints.
pub fn check_checkpoints(
    notes: &[(String, String)],
    verifier: &NoteVerifier,
    leaves: &[Hash],
    streams: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<u64> {
    let mut valid = Vec::new();
    for (name, note) in notes {
        match Checkpoint::open(note, verifier) {
            Ok(c) => valid.push(c),
            Err(e) => problems.push(Problem::general(
                ProblemKind::BadSignature,
                format!("kontrolpunkt {name}: {e}"),
            )),
        }
    }
    valid.sort_by_key(|c| c.size);
    let proposals_in = |from: u64, to: u64| -> Vec<String> {
        let mut p: Vec<String> = streams
            .iter()
            .skip(usize::try_from(from.saturating_sub(1)).unwrap_or(usize::MAX))
            .take(usize::try_from(to.saturating_sub(from) + 1).unwrap_or(usize::MAX))
            .cloned()
            .collect();
        p.sort();
        p.dedup();
        p
    };
    let log_size = leaves.len() as u64;
    let mut rewritten = false;
    for c in &valid {
        match check_consistency(c, leaves) {
            Consistency::Consistent { .. } => {}
            Consistency::Truncated { log_size } => problems.push(Problem {
                kind: ProblemKind::Truncated,
                position: Some(log_size + 1),
                to_position: Some(c.size),
                proposals: Vec::new(),
                detail: format!(
                    "loggen slutter ved position {log_size}, men et signeret kontrolpunkt dækker \
                     position 1..{}: hændelser er fjernet fra dens ende",
                    c.size
                ),
            }),
            Consistency::Rewritten => rewritten = true,
        }
    }
    if rewritten {
        if let Some((from, to)) = divergence(&valid, leaves) {
            problems.push(Problem {
                kind: ProblemKind::Rewritten,
                position: Some(from),
                to_position: Some(to),
                proposals: proposals_in(from, to),
                detail: format!(
                    "hændelserne på position {from}..{to} er ikke dem, det signerede \
                     kontrolpunkt med {to} hændelser dækkede (et konsistensbevis til loggens {log_size} \
                     hændelser fejler){}",
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
    valid.iter().map(|c| c.size).collect()
}

/// Checks the export in `dir`; `key` overrides the export's own `public-key.txt`.
pub fn verify_dir(dir: &Path, key: Option<&str>) -> Result<ExportReport, ExportError> {
    let vkey = match key {
        Some(k) => k.to_string(),
        None => read(&dir.join(PUBLIC_KEY_FILE))?,
    };
    let verifier = NoteVerifier::parse(&vkey)?;
    let events = read(&dir.join(EVENTS_FILE))?;
    let mut problems = Vec::new();
    let (leaves, streams, types) = check_events(&events, &mut problems);
    let mut notes = Vec::new();
    let cp_dir = dir.join(CHECKPOINTS_DIR);
    let entries = std::fs::read_dir(&cp_dir).map_err(|source| ExportError::Io {
        path: cp_dir.display().to_string(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| ExportError::Io {
                path: cp_dir.display().to_string(),
                source,
            })?
            .path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        notes.push((name, read(&path)?));
    }
    notes.sort();
    let checkpoints = check_checkpoints(&notes, &verifier, &leaves, &streams, &mut problems);
    if checkpoints.is_empty() {
        problems.push(Problem::general(
            ProblemKind::NoCheckpoint,
            format!(
                "intet gyldigt kontrolpunkt signeret af {} i {CHECKPOINTS_DIR}/: intet forankrer loggen",
                verifier.to_vkey()
            ),
        ));
    }
    let mut stream_types: BTreeMap<String, usize> = BTreeMap::new();
    for t in types.values() {
        *stream_types.entry(t.clone()).or_default() += 1;
    }
    Ok(ExportReport {
        events: streams.len() as u64,
        streams: types.len(),
        stream_types,
        root: hex::encode(crate::merkle::root(&leaves)),
        checkpoints,
        key: verifier.to_vkey(),
        problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_access_stream_is_not_counted_as_a_proposal() {
        let none = BTreeMap::new();
        assert_eq!(streams_text(12, &none), "12 forslag");
        let mut types = BTreeMap::from([("proposal".to_string(), 12), ("access".to_string(), 1)]);
        assert_eq!(proposal_streams(13, &types), 12);
        assert_eq!(streams_text(13, &types), "12 forslag og 1 adgangsstrøm");
        types.insert("other".to_string(), 2);
        assert_eq!(
            streams_text(15, &types),
            "12 forslag og 1 adgangsstrøm og 2 strømme af typen 'other'"
        );
    }

    /// The encoding as first written, plainly: the event's object built, every key sorted and
    /// every scalar written by `Value`'s `Display`. The writer that builds no copies must give
    /// the same bytes, or every stored hash would stop matching.
    fn reference(value: &Value) -> String {
        match value {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
                let items: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}:{}", Value::String((*k).clone()), reference(&map[*k])))
                    .collect();
                format!("{{{}}}", items.join(","))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(reference).collect();
                format!("[{}]", items.join(","))
            }
            scalar => scalar.to_string(),
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[\\\\\"\\x00-\\x1f\\x7f a-zæøå]{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn an_events_encoding_is_the_canonical_json_of_its_object(
            metadata in json_value(),
            payload in json_value(),
            texts in prop::array::uniform5(any::<String>()),
            position in any::<i64>(),
            sequence in any::<u64>(),
        ) {
            let [event_id, event_type, event_version, prev_hash, stream_id] = &texts;
            let event = HashedEvent {
                event_id,
                event_type,
                event_version,
                metadata: &metadata,
                payload: &payload,
                position: i128::from(position),
                prev_hash,
                recorded_at: "2025-03-01T12:00:00.000000Z",
                sequence: i128::from(sequence),
                stream_id,
            };
            let object = serde_json::json!({
                "event_id": event_id, "event_type": event_type,
                "event_version": event_version, "metadata": metadata, "payload": payload,
                "position": position, "prev_hash": prev_hash,
                "recorded_at": "2025-03-01T12:00:00.000000Z", "sequence": sequence,
                "stream_id": stream_id,
            });
            prop_assert_eq!(String::from_utf8(event.canonical()).unwrap(), reference(&object));
            prop_assert_eq!(canonical_json(&payload), reference(&payload));
        }
    }

    #[test]
    fn event_hash_is_the_chain_known_answer() {
        // The same known answer as gevinst_domain::chain's test: both encodings must agree.
        let e = ExportedEvent {
            position: 1,
            event_id: "00000000-0000-4000-8000-000000000001".into(),
            aggregate_type: "proposal".into(),
            stream_id: "BC01".into(),
            sequence: 1,
            event_type: "SavingRealised".into(),
            event_version: "1".into(),
            payload: serde_json::json!({"SavingRealised": {"amount": "-100", "year": 2025}}),
            metadata: serde_json::json!({"actor": "anna", "role": "project_owner"}),
            actor: "anna".into(),
            role: "project_owner".into(),
            effective_date: None,
            idempotency_key: "k".into(),
            recorded_at: "2025-03-01T12:00:00.000000Z".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        assert_eq!(
            e.computed_hash(),
            "fadb8984e0ada2cca7be59f4896c98f1e59ddfcd2a3623b7692ef4333416e704"
        );
    }
}
