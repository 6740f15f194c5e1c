//! `gevinst verify`: walks every stream, the global order and the command table and reports
//! where stored history no longer matches itself. It trusts nothing it reads:
//!
//! - each stream's hashes are recomputed from the row's fields, sequences must run 1, 2, 3 …
//!   and each `prev_hash` must be the previous event's hash;
//! - positions must run 1 … N without a gap;
//! - the columns the store copies out of the hashed metadata (`actor`, `role`,
//!   `effective_date`, `idempotency_key`) must still say what the metadata says, and
//!   `aggregate_type` must be the one the caller names: the hash does not cover those columns
//!   directly (the encoding is pinned, see `gevinst_domain::chain`), so this check is what
//!   makes a change to them visible;
//! - every `command` row must name exactly the events that carry its idempotency key (stream,
//!   sequence and position range, recorded time, fingerprint), and every event must have its
//!   command row: the command table is not hashed, it is checked against the events;
//! - with a decoder (the projections crate passes the domain's), every payload must still be
//!   readable by the current code.
//!
//! What no check inside the database can see: a consistent rewrite (rows changed and every hash
//! recomputed), a forged append with recomputed hashes, or the log's tail cut off. Those need an
//! anchor outside the database (a published checkpoint of the log's head).
//!
//! Each problem has a stable machine `kind` ([`ProblemKind::code`]) beside its
//! human text; the CLI prints proposal, sequence and kind, `/api/verify` returns them as JSON.

use std::fmt;

use gevinst_domain::chain::GENESIS_HASH;
use gevinst_domain::metadata::keys;

use super::repository::Walk;
use super::repository::{denormalised, meta_str, CommandRecord, StoredEvent};
use super::{EventStore, StoreError};
use futures::TryStreamExt as _;

/// What kind of problem was found: a stable code for machines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A stream's sequence skips a number (an event was removed).
    SequenceGap,
    /// A `prev_hash` is not the previous event's hash (an event before it was changed,
    /// removed, inserted or moved).
    ChainBreak,
    /// A row's hashed fields do not give its stored hash (its content was changed).
    HashMismatch,
    /// A column copied from the hashed metadata (or the aggregate type) says something else.
    ColumnMismatch,
    /// A row cannot be read, or its payload cannot be decoded by the current code.
    Unreadable,
    /// The global order has a gap.
    PositionGap,
    /// A command row does not match the events it names.
    CommandMismatch,
    /// Events carry an idempotency key that no command row records.
    CommandMissing,
}

impl ProblemKind {
    /// The stable code: `sequence_gap`, `chain_break`, `hash_mismatch`, `column_mismatch`,
    /// `unreadable`, `position_gap`, `command_mismatch`, `command_missing`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::SequenceGap => "sequence_gap",
            ProblemKind::ChainBreak => "chain_break",
            ProblemKind::HashMismatch => "hash_mismatch",
            ProblemKind::ColumnMismatch => "column_mismatch",
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::PositionGap => "position_gap",
            ProblemKind::CommandMismatch => "command_mismatch",
            ProblemKind::CommandMissing => "command_missing",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProblem {
    /// The proposal (stream), or `*` for the global order.
    pub stream_id: String,
    /// The sequence (or, for the global order, the position) where it is.
    pub sequence: i64,
    /// The machine-readable kind.
    pub kind: ProblemKind,
    /// What is wrong.
    pub what: String,
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stream_id == "*" {
            write!(
                f,
                "global rækkefølge ved position {}: {} [{}]",
                self.sequence, self.what, self.kind
            )
        } else {
            write!(
                f,
                "{} nr. {}: {} [{}]",
                self.stream_id, self.sequence, self.what, self.kind
            )
        }
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifyReport {
    /// Streams walked.
    pub streams: usize,
    /// Streams walked per aggregate type (`proposal`, `access`), by each stream's first
    /// readable event.
    pub stream_types: std::collections::BTreeMap<String, usize>,
    /// Events checked.
    pub events: usize,
    /// Commands checked.
    pub commands: usize,
    /// Highest position.
    pub last_position: i64,
    /// Each broken stream's first chain break and every row problem, by stream and sequence;
    /// then global-order problems; then command-table problems.
    pub problems: Vec<ChainProblem>,
}

impl VerifyReport {
    /// True when nothing is broken.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl VerifyReport {
    /// How many of the streams are proposals (the access stream is not).
    #[must_use]
    pub fn proposals(&self) -> usize {
        gevinst_verify::export::proposal_streams(self.streams, &self.stream_types)
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_ok() {
            write!(
                f,
                "i orden: {} hændelser i {}, position 1..{}, alle hashkæder er intakte",
                self.events,
                gevinst_verify::export::streams_text(self.streams, &self.stream_types),
                self.last_position
            )
        } else {
            writeln!(
                f,
                "BRUDT: {} fejl i {} hændelser i {}",
                self.problems.len(),
                self.events,
                gevinst_verify::export::streams_text(self.streams, &self.stream_types)
            )?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
            Ok(())
        }
    }
}

/// Reads a stored event with the current code; `Err` says why it cannot.
pub type Decoder<'a> = &'a (dyn Fn(&StoredEvent) -> Result<(), String> + Sync);

/// What the caller knows that the store does not: which aggregate type every row must have and
/// how to decode a payload.
#[derive(Clone, Copy, Default)]
pub struct Checks<'a> {
    /// Every row's `aggregate_type` must be one of these (unchecked when empty).
    pub aggregate_types: &'a [&'a str],
    /// Every event must decode with this (unchecked when `None`).
    pub decode: Option<Decoder<'a>>,
}

impl fmt::Debug for Checks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checks")
            .field("aggregate_types", &self.aggregate_types)
            .field("decode", &self.decode.is_some())
            .finish()
    }
}

/// Verifies the store with the checks that need no knowledge of the domain: chains, global
/// order, denormalised columns, command table. See [`verify_with`].
pub async fn verify(store: &EventStore) -> Result<VerifyReport, StoreError> {
    verify_with(store, &Checks::default()).await
}

/// Verifies every stream's chain, every row's columns (and, with `checks`, aggregate type and
/// payload), the global order and the command table.
pub async fn verify_with(
    store: &EventStore,
    checks: &Checks<'_>,
) -> Result<VerifyReport, StoreError> {
    let mut report = VerifyReport::default();
    let problem = |stream_id: &str, sequence: i64, kind: ProblemKind, what: String| ChainProblem {
        stream_id: stream_id.to_string(),
        sequence,
        kind,
        what,
    };
    let mut current: Option<String> = None;
    let mut expected_sequence = 1;
    let mut prev_hash = GENESIS_HASH.to_string();
    let mut broken = false;
    let mut typed = false;
    let mut positions = Vec::new();
    // One row at a time, as the store reads them: only the positions stay in memory (8 bytes
    // an event), never the log.
    let mut rows = store.rows(Walk::ByStream);
    while let Some(row) = rows.try_next().await? {
        report.events += 1;
        let (stream_id, sequence, position, hash) = match &row {
            Ok(e) => (&e.stream_id, e.sequence, e.position, &e.hash),
            Err(u) => (&u.stream_id, u.sequence, u.position, &u.hash),
        };
        positions.push(position);
        if current.as_deref() != Some(stream_id.as_str()) {
            current = Some(stream_id.clone());
            report.streams += 1;
            typed = false;
            expected_sequence = 1;
            prev_hash = GENESIS_HASH.to_string();
            broken = false;
        }
        let e = match &row {
            Ok(e) => e,
            Err(u) => {
                report.problems.push(problem(
                    stream_id,
                    sequence,
                    ProblemKind::Unreadable,
                    u.what.clone(),
                ));
                broken = true;
                expected_sequence = sequence + 1;
                prev_hash = hash.clone();
                continue;
            }
        };
        if !typed {
            typed = true;
            *report
                .stream_types
                .entry(e.aggregate_type.clone())
                .or_default() += 1;
        }
        if !broken {
            let chain = if e.sequence != expected_sequence {
                Some((
                    expected_sequence,
                    ProblemKind::SequenceGap,
                    format!(
                        "hændelse nr. {expected_sequence} mangler: strømmen springer fra {} til {}",
                        expected_sequence - 1,
                        e.sequence
                    ),
                ))
            } else if e.prev_hash != prev_hash {
                Some((
                    e.sequence,
                    ProblemKind::ChainBreak,
                    "prev_hash passer ikke med den forrige hændelses hash (en tidligere hændelse er ændret, fjernet eller indsat)".to_string(),
                ))
            } else if e.computed_hash() != e.hash {
                Some((
                    e.sequence,
                    ProblemKind::HashMismatch,
                    format!(
                        "den gemte {}-hændelse passer ikke med sin hash: indholdet er ændret, efter den blev registreret",
                        e.event_type
                    ),
                ))
            } else {
                None
            };
            if let Some((sequence, kind, what)) = chain {
                report
                    .problems
                    .push(problem(&e.stream_id, sequence, kind, what));
                broken = true;
            }
        }
        if let Some(what) = column_mismatches(e, checks.aggregate_types) {
            report.problems.push(problem(
                &e.stream_id,
                e.sequence,
                ProblemKind::ColumnMismatch,
                what,
            ));
        }
        if let Some(decode) = checks.decode {
            if let Err(why) = decode(e) {
                report.problems.push(problem(
                    &e.stream_id,
                    e.sequence,
                    ProblemKind::Unreadable,
                    format!(
                        "den gemte {} v{}-hændelse kan ikke læses af denne version af gevinst: {why}",
                        e.event_type, e.event_version
                    ),
                ));
            }
        }
        expected_sequence = e.sequence + 1;
        prev_hash = e.hash.clone();
    }
    drop(rows);
    positions.sort_unstable();
    report.last_position = positions.last().copied().unwrap_or(0);
    if let Some((i, p)) = positions
        .iter()
        .enumerate()
        .find(|(i, p)| i64::try_from(*i).map_or(true, |i| **p != i + 1))
    {
        report.problems.push(ChainProblem {
            stream_id: "*".to_string(),
            sequence: i64::try_from(i + 1).unwrap_or(i64::MAX),
            kind: ProblemKind::PositionGap,
            what: format!("position {} mangler (hul før {p})", i + 1),
        });
    }
    let walked = report.last_position;
    let (commands, problems) = check_commands(store, walked).await?;
    report.commands = commands;
    report.problems.extend(problems);
    Ok(report)
}

/// The denormalised columns that no longer say what the hashed metadata says.
fn column_mismatches(e: &StoredEvent, aggregate_types: &[&str]) -> Option<String> {
    let (actor, role, effective_date) = denormalised(&e.metadata);
    let key = meta_str(&e.metadata, keys::IDEMPOTENCY_KEY).unwrap_or_default();
    let show_date = |d: Option<chrono::NaiveDate>| d.map_or("ingen".to_string(), |d| d.to_string());
    let mut diffs = Vec::new();
    if e.actor != actor {
        diffs.push(format!("actor '{}' (metadata: '{actor}')", e.actor));
    }
    if e.role != role {
        diffs.push(format!("role '{}' (metadata: '{role}')", e.role));
    }
    if e.effective_date != effective_date {
        diffs.push(format!(
            "effective_date {} (metadata: {})",
            show_date(e.effective_date),
            show_date(effective_date)
        ));
    }
    if e.idempotency_key != key {
        diffs.push(format!(
            "idempotency_key '{}' (metadata: '{key}')",
            e.idempotency_key
        ));
    }
    if !aggregate_types.is_empty() && !aggregate_types.contains(&e.aggregate_type.as_str()) {
        diffs.push(format!(
            "aggregate_type '{}' (forventet '{}')",
            e.aggregate_type,
            aggregate_types.join("' eller '")
        ));
    }
    (!diffs.is_empty()).then(|| {
        format!(
            "de gemte kolonner siger noget andet end den hashede hændelse: {}",
            diffs.join(", ")
        )
    })
}

/// What the command table check needs of an event: its command key and where it stands.
struct CommandKey {
    aggregate_type: String,
    stream_id: String,
    idempotency_key: String,
    sequence: i64,
    position: i64,
    recorded_at: chrono::DateTime<chrono::Utc>,
    fingerprint: String,
}

impl CommandKey {
    fn of(e: &StoredEvent) -> Self {
        Self {
            aggregate_type: e.aggregate_type.clone(),
            stream_id: e.stream_id.clone(),
            idempotency_key: e.idempotency_key.clone(),
            sequence: e.sequence,
            position: e.position,
            recorded_at: e.recorded_at,
            fingerprint: meta_str(&e.metadata, keys::COMMAND_FINGERPRINT).unwrap_or_default(),
        }
    }

    fn key(&self) -> (&str, &str, &str) {
        (&self.aggregate_type, &self.stream_id, &self.idempotency_key)
    }
}

fn command_key(c: &CommandRecord) -> (&str, &str, &str) {
    (&c.aggregate_type, &c.stream_id, &c.idempotency_key)
}

/// Every command row against the events carrying its key, and every event against its command:
/// a merge of the events, read a second time with each command's events together, and the
/// command table, both in the same order. Only one command's events are held at a time (the
/// first walk's chains need the stream order, this check the key order).
///
/// Events appended after the first walk (position beyond `walked`) are not looked at; a command
/// without events is only reported if the log did not grow meanwhile or it names positions the
/// first walk saw (it may belong to an append that committed after it).
async fn check_commands(
    store: &EventStore,
    walked: i64,
) -> Result<(usize, Vec<ChainProblem>), StoreError> {
    let mut problems = Vec::new();
    let mut lonely = Vec::new();
    let mut rows = store.rows(Walk::ByCommand);
    // Started only when the first event row is read: its snapshot is then no older than the
    // events', so every command of an event read is in it.
    let mut commands = None;
    let mut next: Option<CommandRecord> = None;
    let mut seen = 0_usize;
    let mut group: Vec<CommandKey> = Vec::new();
    let mut done = false;
    while !done {
        let event = match rows.try_next().await? {
            Some(Ok(e)) if e.position <= walked => Some(CommandKey::of(&e)),
            // Unreadable rows are reported by the first walk; later appends are not checked.
            Some(_) => continue,
            None => {
                done = true;
                None
            }
        };
        let commands = match &mut commands {
            Some(commands) => commands,
            None => {
                let commands = commands.insert(store.commands());
                next = commands.try_next().await?;
                seen += usize::from(next.is_some());
                commands
            }
        };
        let same = match (&event, group.first()) {
            (Some(e), Some(g)) => e.key() == g.key(),
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if !same {
            // The group is whole: the commands ordered before it have no events, the one with
            // its key (if any) is compared with it.
            let mut matched = None;
            while let Some(c) = next.take() {
                let order = command_key(&c).cmp(&group[0].key());
                if order == std::cmp::Ordering::Greater {
                    next = Some(c);
                    break;
                }
                if order == std::cmp::Ordering::Equal {
                    matched = Some(c);
                } else {
                    lonely.push(c);
                }
                next = commands.try_next().await?;
                seen += usize::from(next.is_some());
                if matched.is_some() {
                    break;
                }
            }
            problems.extend(match matched {
                Some(c) => compare(&c, &mut group),
                None => Some(no_command(&group)),
            });
            group.clear();
        }
        if let Some(e) = event {
            group.push(e);
        }
    }
    drop(rows);
    // The commands after the last event's key have no events (a `None` ended the table).
    if let (Some(mut commands), Some(c)) = (commands, next) {
        lonely.push(c);
        while let Some(c) = commands.try_next().await? {
            seen += 1;
            lonely.push(c);
        }
    }
    // Commands committed after the first walk belong to events it did not see; they are left out
    // only if the log really grew meanwhile.
    let grew = store.last_position().await? != walked;
    let before = lonely.len();
    lonely.retain(|c| !grew || c.first_position <= walked);
    problems.extend(lonely.iter().map(|c| {
        mismatch(
            c,
            "ingen gemt hændelse har dens idempotensnøgle".to_string(),
        )
    }));
    Ok((seen - (before - lonely.len()), problems))
}

fn mismatch(c: &CommandRecord, what: String) -> ChainProblem {
    ChainProblem {
        stream_id: c.stream_id.clone(),
        sequence: c.first_sequence,
        kind: ProblemKind::CommandMismatch,
        what: format!(
            "kommando '{}' (hændelse {}..{}, position {}..{}): {what}",
            c.idempotency_key, c.first_sequence, c.last_sequence, c.first_position, c.last_position
        ),
    }
}

/// A command row against the events carrying its key.
fn compare(c: &CommandRecord, group: &mut [CommandKey]) -> Option<ChainProblem> {
    group.sort_by_key(|e| e.position);
    let mut diffs = Vec::new();
    let sequences: Vec<i64> = group.iter().map(|e| e.sequence).collect();
    let positions: Vec<i64> = group.iter().map(|e| e.position).collect();
    if sequences != (c.first_sequence..=c.last_sequence).collect::<Vec<_>>() {
        diffs.push(format!("dens hændelser har numrene {sequences:?}"));
    }
    if positions != (c.first_position..=c.last_position).collect::<Vec<_>>() {
        diffs.push(format!("dens hændelser har positionerne {positions:?}"));
    }
    if let Some(e) = group.iter().find(|e| e.recorded_at != c.recorded_at) {
        diffs.push(format!(
            "registreret {}, men hændelse {} {}",
            c.recorded_at.to_rfc3339(),
            e.sequence,
            e.recorded_at.to_rfc3339()
        ));
    }
    if let Some(e) = group.iter().find(|e| e.fingerprint != c.fingerprint) {
        diffs.push(format!(
            "fingeraftrykket afviger fra hændelse {}s metadata",
            e.sequence
        ));
    }
    (!diffs.is_empty()).then(|| mismatch(c, diffs.join("; ")))
}

/// Events carrying a key that no command row records.
fn no_command(group: &[CommandKey]) -> ChainProblem {
    let first = group.iter().map(|e| e.sequence).min().unwrap_or_default();
    let last = group.iter().map(|e| e.sequence).max().unwrap_or_default();
    ChainProblem {
        stream_id: group[0].stream_id.clone(),
        sequence: first,
        kind: ProblemKind::CommandMissing,
        what: format!(
            "hændelse {first}..{last} har idempotensnøglen '{}', men ingen kommandorække har den",
            group[0].idempotency_key
        ),
    }
}
