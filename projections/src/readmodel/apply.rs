//! How each event changes the read-model tables, as plain statements (SQL text plus values).
//! Writing the translation once, as data, keeps the two backends identical: only the executor
//! that binds the values is per backend. Every statement is idempotent — an upsert, a delete
//! of what is about to be re-inserted, or an update to the same value — so applying an event
//! twice changes nothing.

use chrono::{DateTime, Utc};
use gevinst_domain::chain::format_recorded_at;
use gevinst_domain::price::PriceIndexEvent;
use gevinst_domain::proposal::{
    BaselineAdoption, Fact, PlanRevision, ProposalEvent, Registration, Reversal, Supersession,
};

use gevinst_store::sql::multi_row;
pub use gevinst_store::sql::{Placeholders, Stmt, Val};
use gevinst_store::{LoggedEvent, StoredEvent};

/// What an event is and where and by whom it was recorded: what its rows carry besides the
/// event itself, from a [`StoredEvent`] an append hands over or a [`LoggedEvent`] a catch-up
/// reads.
#[derive(Debug, Clone, Copy)]
pub struct Stamp<'a> {
    /// "proposal", "access" or "price_index".
    pub aggregate_type: &'a str,
    /// The event's type name.
    pub event_type: &'a str,
    /// The stream (a proposal's id).
    pub stream_id: &'a str,
    /// Its sequence in the stream.
    pub sequence: i64,
    /// Its global position.
    pub position: i64,
    /// Who.
    pub actor: &'a str,
    /// When the store committed it.
    pub recorded_at: DateTime<Utc>,
}

/// The stamp of each row type that has those fields by those names.
macro_rules! stamp_of {
    ($($row:ty),*) => {$(
        impl<'a> From<&'a $row> for Stamp<'a> {
            fn from(e: &'a $row) -> Self {
                Self {
                    aggregate_type: &e.aggregate_type,
                    event_type: &e.event_type,
                    stream_id: &e.stream_id,
                    sequence: e.sequence,
                    position: e.position,
                    actor: &e.actor,
                    recorded_at: e.recorded_at,
                }
            }
        }
    )*};
}
stamp_of!(StoredEvent, LoggedEvent);

fn stmt(sql: &'static str, args: Vec<Val>) -> Stmt {
    Stmt {
        sql: sql.into(),
        args,
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

const UPSERT_PROPOSAL: &str = "INSERT INTO rm_proposal (proposal_id, title, committee, \
    confidential, identity, baseline_plan, baseline_source, current_plan, revision, \
    last_sequence, last_position, registered_at, registered_position, changed_position) \
    VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, 0, 0, 0, $6, $7, $7) \
    ON CONFLICT (proposal_id) DO UPDATE SET title = excluded.title, \
    committee = excluded.committee, confidential = excluded.confidential, \
    identity = excluded.identity, registered_at = excluded.registered_at, \
    registered_position = excluded.registered_position, \
    changed_position = excluded.changed_position";
const SET_BASELINE: &str = "UPDATE rm_proposal SET baseline_plan = $2, current_plan = $2, \
    baseline_source = $3, changed_position = $4 WHERE proposal_id = $1";
/// [`SET_BASELINE`] for several proposals in one statement, as [`ADVANCE_PROPOSALS`] is for
/// [`ADVANCE_PROPOSAL`]: each row `(proposal, plan, source, position)`.
const SET_BASELINES: &str = "UPDATE rm_proposal SET baseline_plan = v.column2, \
    current_plan = v.column2, baseline_source = v.column3, changed_position = v.column4 \
    FROM ( VALUES ($1, $2, $3, $4)) AS v WHERE rm_proposal.proposal_id = v.column1";
const SET_REVISION: &str = "UPDATE rm_proposal SET current_plan = $2, revision = $3, \
    changed_position = $4 WHERE proposal_id = $1";
const INSERT_ENTRY: &str = "INSERT INTO rm_entry (proposal_id, sequence, position, kind, subject, \
    effective_date, fact, actor, recorded_at, corrects, corrected_by, correction_reason, \
    corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL) \
    ON CONFLICT (proposal_id, sequence) DO NOTHING";
const MARK_CORRECTED: &str = "UPDATE rm_entry SET corrected_by = $3, correction_reason = $4, \
    corrected_at = $5, corrected_position = $6 WHERE proposal_id = $1 AND sequence = $2";
const UPSERT_PLAN_VERSION: &str = "INSERT INTO rm_plan_version (proposal_id, revision, sequence, \
    position, recorded_at, plan, source) VALUES ($1, $2, $3, $4, $5, $6, $7) \
    ON CONFLICT (proposal_id, revision) DO UPDATE SET sequence = excluded.sequence, \
    position = excluded.position, recorded_at = excluded.recorded_at, plan = excluded.plan, \
    source = excluded.source";
const ADVANCE_PROPOSAL: &str = "UPDATE rm_proposal SET last_sequence = $2, last_position = $3 \
    WHERE proposal_id = $1 AND last_sequence < $2";
/// [`ADVANCE_PROPOSAL`] for several proposals in one statement (made for `n` with `multi_row`):
/// the same guard, each row `(proposal, sequence, position)`. `UPDATE … FROM (VALUES …)` is
/// read alike by PostgreSQL and SQLite (3.33 on), and both name a `VALUES` list's columns
/// `column1`, `column2`, …. (The space in `( VALUES` is where `multi_row` finds the row.)
const ADVANCE_PROPOSALS: &str = "UPDATE rm_proposal SET last_sequence = v.column2, \
    last_position = v.column3 FROM ( VALUES ($1, $2, $3)) AS v \
    WHERE rm_proposal.proposal_id = v.column1 AND rm_proposal.last_sequence < v.column2";

fn entry_row(e: &Stamp, fact: &Fact, corrects: Option<i64>) -> Stmt {
    stmt(
        INSERT_ENTRY,
        vec![
            e.stream_id.into(),
            e.sequence.into(),
            e.position.into(),
            fact.kind().into(),
            // What the kind says it is about (its `FactKind::subject`).
            fact.subject().into(),
            fact.effective_date().to_string().into(),
            json(fact).into(),
            e.actor.into(),
            recorded(e.recorded_at).into(),
            corrects.into(),
        ],
    )
}

/// One plan version (0 = the adopted baseline), kept so a report can take the plan in force at
/// a recorded time. `plan` is the plan as JSON, made once for this row and the proposal's.
fn plan_version(e: &Stamp, revision: i64, plan: String, source: Option<String>) -> Stmt {
    stmt(
        UPSERT_PLAN_VERSION,
        vec![
            e.stream_id.into(),
            revision.into(),
            e.sequence.into(),
            e.position.into(),
            recorded(e.recorded_at).into(),
            plan.into(),
            source.into(),
        ],
    )
}

fn recorded(at: DateTime<Utc>) -> String {
    format_recorded_at(at)
}

const INSERT_PRICE_INDEX: &str = "INSERT INTO rm_price_index (position, sequence, recorded_at, \
    event) VALUES ($1, $2, $3, $4)";

/// A batch's statements with each proposal's advance run once, after the rest: an advance
/// records only the proposal's last sequence and position (its guard `last_sequence < $2` keeps
/// them monotonic), so within one transaction only the batch's last advance per proposal has an
/// effect, and it must come after the row exists. Halves the statements of a catch-up or a
/// rebuild, whose events are mostly one entry and one advance each; the advances of several
/// proposals are then one statement (see `advances_together`). Consecutive entry inserts are
/// joined too, with `placeholders` (see `entries_together`).
#[must_use]
pub fn coalesce(stmts: Vec<Stmt>, placeholders: Placeholders) -> Vec<Stmt> {
    entries_together(advances_last(stmts, placeholders), placeholders)
}

/// `stmts` with each proposal's advance run once, after the rest, the advances of several
/// proposals joined (see [`coalesce`]).
fn advances_last(stmts: Vec<Stmt>, placeholders: Placeholders) -> Vec<Stmt> {
    let (mut out, advances) = without_advances(stmts);
    out.extend(advances_together(advances, placeholders));
    out
}

/// `stmts` without their advances, in order, and each proposal's last advance, in the order
/// the proposals first advanced.
fn without_advances(stmts: Vec<Stmt>) -> (Vec<Stmt>, Vec<Stmt>) {
    let mut out = Vec::with_capacity(stmts.len());
    let mut advances: Vec<Stmt> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for s in stmts {
        let proposal = match (s.sql == ADVANCE_PROPOSAL, s.args.first()) {
            (true, Some(Val::Text(Some(p)))) => p.clone(),
            _ => {
                out.push(s);
                continue;
            }
        };
        match index.get(&proposal) {
            Some(&i) => advances[i] = s,
            None => {
                index.insert(proposal, advances.len());
                advances.push(s);
            }
        }
    }
    (out, advances)
}

/// Advances moved in one statement, at most this many (3 values each). A rebuild's batch of
/// 2,000 events moves dozens of proposals, each its own round trip before (about 0.8 ms each on
/// PostgreSQL); a command's own catch-up moves one, which stays the one-row statement.
const ADVANCES_PER_UPDATE: usize = 1_000;

/// `advances` ([`ADVANCE_PROPOSAL`]s of distinct proposals) as [`ADVANCE_PROPOSALS`]
/// statements (see [`in_chunks`]).
fn advances_together(advances: Vec<Stmt>, placeholders: Placeholders) -> Vec<Stmt> {
    in_chunks(
        ADVANCE_PROPOSALS,
        advances,
        ADVANCES_PER_UPDATE,
        placeholders,
    )
}

/// `rows` (statements of one row each, in `one`'s shape) as statements of up to `per` rows
/// each, in order; a chunk of a single row stays the statement it was. The values are moved,
/// not copied: a baseline's is its whole plan.
fn in_chunks(one: &str, rows: Vec<Stmt>, per: usize, placeholders: Placeholders) -> Vec<Stmt> {
    let per = per.max(1);
    let mut out = Vec::with_capacity(rows.len().div_ceil(per));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Stmt> = rows.by_ref().take(per).collect();
        out.push(match <[Stmt; 1]>::try_from(chunk) {
            Ok([single]) => single,
            Err(many) => join_rows(one, many, placeholders),
        });
    }
    out
}

/// The rows of several one-row statements in `one`'s shape as one statement: `one` made for
/// that many rows by `multi_row`, the values one row after the other.
fn join_rows(one: &str, rows: Vec<Stmt>, placeholders: Placeholders) -> Stmt {
    Stmt {
        sql: multi_row(one, rows.len(), 0, placeholders).into(),
        args: rows.into_iter().flat_map(|r| r.args).collect(),
    }
}

/// Entries inserted in one statement, at most this many (10 values each: 5,000 parameters, well
/// under PostgreSQL's 65,535 and SQLite's 32,766). 500 rather than 100 took a PostgreSQL
/// rebuild of 200,000 events from 42,944 to 49,196 events/s (`gevinst bench --large-log`).
const ENTRIES_PER_INSERT: usize = 500;

/// `stmts` with each run of consecutive entry inserts made into multi-row inserts of up to
/// [`ENTRIES_PER_INSERT`] rows, in the same order: a catch-up or rebuild is mostly one entry
/// per event, and one round trip per entry was most of its time on PostgreSQL. Only
/// consecutive inserts are joined, so a correction still comes after the entry it marks.
///
/// On SQLite ([`Placeholders::Anonymous`]) the joined insert's parameters are plain `?`s.
fn entries_together(stmts: Vec<Stmt>, placeholders: Placeholders) -> Vec<Stmt> {
    let mut out: Vec<Stmt> = Vec::with_capacity(stmts.len());
    for run in runs(stmts) {
        match run {
            Run::Entries(rows) => {
                out.extend(in_chunks(
                    INSERT_ENTRY,
                    rows,
                    ENTRIES_PER_INSERT,
                    placeholders,
                ));
            }
            Run::Other(s) => out.push(s),
        }
    }
    out
}

/// A run of consecutive entry inserts, or any other statement.
enum Run {
    Entries(Vec<Stmt>),
    Other(Stmt),
}

/// `stmts` in order, each run of consecutive entry inserts gathered: what a catch-up joins into
/// multi-row inserts ([`entries_together`]).
fn runs(stmts: Vec<Stmt>) -> Vec<Run> {
    let mut out = Vec::new();
    for s in stmts {
        match (s.sql == INSERT_ENTRY, out.last_mut()) {
            (true, Some(Run::Entries(rows))) => rows.push(s),
            (true, _) => out.push(Run::Entries(vec![s])),
            (false, _) => out.push(Run::Other(s)),
        }
    }
    out
}

/// What a rebuild on PostgreSQL writes, in order: statements, and runs of entries copied in.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A statement with its values.
    Stmt(Stmt),
    /// Entry rows in `COPY`'s text format, for [`COPY_ENTRIES`].
    Entries(String),
}

/// How a rebuild on PostgreSQL writes a run of entries: the columns of [`INSERT_ENTRY`]'s
/// values, in its order (the correction columns start empty, as there).
pub const COPY_ENTRIES: &str = "COPY rm_entry (proposal_id, sequence, position, kind, subject, \
    effective_date, fact, actor, recorded_at, corrects) FROM STDIN";

/// A rebuild's batch on PostgreSQL: as [`coalesce`], each proposal's last advance at the end,
/// but its entries are `COPY`s instead of multi-row inserts: the server parses no statement
/// and evaluates no expression per row. A rebuild of 200,015 events (`gevinst projections
/// rebuild`, PostgreSQL with fsync on) took 4.6 s with 500-row inserts and 2.9 s with this.
/// Only a rebuild may: it writes into a table it cleared in the same transaction, one entry per event at most, so no
/// row can meet an existing one, and `COPY` has no `ON CONFLICT`.
///
/// The rest is written by layer (see [`layers`]): the rows of one kind that several proposals
/// make at the same step are one statement (or one `COPY`), not one each. The standard
/// benchmark's rebuild went from 36 statements for the proposals' registrations, baselines and
/// plan versions to 3, and a log of 3,000 proposals rebuilt in 6.6 s instead of 9.4 s
/// (`docs/benchmarks.md`).
#[must_use]
pub fn copied(stmts: Vec<Stmt>) -> Vec<Write> {
    let (rest, advances) = without_advances(stmts);
    let mut out = Vec::new();
    for layer in layers(rest) {
        for group in layer {
            match group.kind {
                Some((INSERT_ENTRY, _)) => out.push(Write::Entries(group.rows.iter().fold(
                    String::new(),
                    |mut text, s| {
                        copy_row(&mut text, &s.args);
                        text
                    },
                ))),
                Some((_, joined)) => out.extend(
                    in_chunks(
                        joined,
                        group.rows,
                        ROWS_PER_STATEMENT,
                        Placeholders::Numbered,
                    )
                    .into_iter()
                    .map(Write::Stmt),
                ),
                None => out.extend(group.rows.into_iter().map(Write::Stmt)),
            }
        }
    }
    out.extend(
        advances_together(advances, Placeholders::Numbered)
            .into_iter()
            .map(Write::Stmt),
    );
    out
}

/// The statements a rebuild joins across proposals at one layer (see [`layers`]), each beside
/// the one-row form `multi_row` makes the joined statement of: the statement itself, or for an
/// update its `UPDATE … FROM (VALUES …)` form. Each makes or sets one row of its proposal, so
/// the rows of distinct proposals are one statement of many rows (the entries one `COPY`).
const JOINABLE: &[(&str, &str)] = &[
    (INSERT_ENTRY, INSERT_ENTRY),
    (UPSERT_PROPOSAL, UPSERT_PROPOSAL),
    (SET_BASELINE, SET_BASELINES),
    (UPSERT_PLAN_VERSION, UPSERT_PLAN_VERSION),
];

/// The statements that write a proposal's rows, which name the proposal first.
const OF_A_PROPOSAL: &[&str] = &[
    UPSERT_PROPOSAL,
    SET_BASELINE,
    SET_REVISION,
    INSERT_ENTRY,
    MARK_CORRECTED,
    UPSERT_PLAN_VERSION,
];

/// Rows joined in one statement by a rebuild, at most this many (7 values each at most).
const ROWS_PER_STATEMENT: usize = 1_000;

/// Statements of one kind at one layer (`kind`: one of [`JOINABLE`]), or one statement of
/// another kind (`kind` `None`).
#[derive(Debug)]
struct Group {
    kind: Option<(&'static str, &'static str)>,
    rows: Vec<Stmt>,
}

/// A rebuild's statements (its advances taken out) in layers, in the order to write them.
///
/// Why: a rebuild clears the tables and writes every event's rows in one transaction. The log
/// interleaves the proposals (BC01 registered, its baseline, its plan version, then BC02's, …),
/// so written in the log's order no two neighbours share a kind, and each is a round trip of
/// its own: 36 of the 47 statements of the standard benchmark's rebuild on PostgreSQL, each
/// waiting 0.7–2 ms for the busy cores (`docs/benchmarks.md`).
///
/// The rule: a statement only touches its own proposal's rows (and the price index, its own
/// table), so only the order within each proposal matters. Each proposal's statements are a
/// chain of steps, a run of consecutive entries being one step, and layer `n` holds every
/// chain's step `n`; the statements of no proposal (the price index) are one chain of their
/// own. Written layer after layer, every statement still comes after every earlier statement
/// of its proposal. Within a layer each proposal has one step at most, so the steps of one
/// [`JOINABLE`] kind become one group (no two of its rows share a key, which a multi-row
/// upsert refuses); the others stay one statement each, in the log's order. The entries of a
/// layer are one `COPY`: a log whose proposals each correct an entry now and then makes about
/// as many `COPY`s as its most corrected proposal has corrections in the batch, not as many as
/// the batch has; one whose proposals start their entries at different steps (some registered
/// in the batch, some before) makes one for each such step where the log's order made one.
fn layers(stmts: Vec<Stmt>) -> Vec<Vec<Group>> {
    use std::collections::HashMap;
    // Per chain: its next step's layer, and whether its last step is a run of entries.
    let mut chains: HashMap<Option<String>, (usize, bool)> = HashMap::new();
    // Per layer: its groups, and where each joinable kind's group is.
    let mut out: Vec<(Vec<Group>, HashMap<&'static str, usize>)> = Vec::new();
    for s in stmts {
        let of_a_proposal = OF_A_PROPOSAL.iter().find(|k| s.sql == **k).copied();
        let chain = match (of_a_proposal, s.args.first()) {
            (Some(_), Some(Val::Text(Some(p)))) => Some(p.clone()),
            _ => None,
        };
        let entry = of_a_proposal == Some(INSERT_ENTRY);
        let (next, in_entries) = chains.entry(chain).or_insert((0, false));
        let layer = if entry && *in_entries {
            *next - 1
        } else {
            *next += 1;
            *next - 1
        };
        *in_entries = entry;
        if out.len() <= layer {
            out.resize_with(layer + 1, Default::default);
        }
        let (groups, joinable) = &mut out[layer];
        let kind = of_a_proposal.and_then(|k| JOINABLE.iter().find(|(one, _)| *one == k));
        match kind {
            Some(&(one, joined)) => match joinable.get(one) {
                Some(&i) => groups[i].rows.push(s),
                None => {
                    joinable.insert(one, groups.len());
                    groups.push(Group {
                        kind: Some((one, joined)),
                        rows: vec![s],
                    });
                }
            },
            None => groups.push(Group {
                kind: None,
                rows: vec![s],
            }),
        }
    }
    out.into_iter().map(|(groups, _)| groups).collect()
}

/// One row of `COPY … FROM STDIN` in PostgreSQL's text format: values separated by tabs, the
/// row ended by a newline, NULL as `\N`, and in text a backslash, tab, newline and carriage
/// return escaped by a backslash (what the format requires; with the backslash escaped no value
/// can read as `\N` or the end marker `\.`). Written here rather than with the `csv` crate:
/// PostgreSQL's CSV tells NULL from the empty string only by quoting, which `csv` does not let
/// a caller choose per value.
fn copy_row(out: &mut String, values: &[Val]) {
    use std::fmt::Write as _;
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        match v {
            Val::Text(None) | Val::Int(None) => out.push_str("\\N"),
            Val::Int(Some(n)) => {
                let _ = write!(out, "{n}");
            }
            Val::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            Val::Text(Some(text)) => {
                // The text between escapes is pushed whole (the four are ASCII, so a byte
                // index at one is a char boundary).
                let mut from = 0;
                for (at, byte) in text.bytes().enumerate() {
                    let escaped = match byte {
                        b'\\' => "\\\\",
                        b'\t' => "\\t",
                        b'\n' => "\\n",
                        b'\r' => "\\r",
                        _ => continue,
                    };
                    out.push_str(&text[from..at]);
                    out.push_str(escaped);
                    from = at + 1;
                }
                out.push_str(&text[from..]);
            }
        }
    }
    out.push('\n');
}

/// The row a price-index event makes: the event itself, with its recorded time (see
/// `ReadModels::price_index`).
#[must_use]
pub fn price_index_row(stored: &Stamp, event: &PriceIndexEvent) -> Stmt {
    stmt(
        INSERT_PRICE_INDEX,
        vec![
            stored.position.into(),
            stored.sequence.into(),
            recorded(stored.recorded_at).into(),
            json(event).into(),
        ],
    )
}

/// The statements that apply `event` (stored as `stored`) to the read models.
#[must_use]
pub fn statements(stored: &Stamp, event: &ProposalEvent) -> Vec<Stmt> {
    let p = stored.stream_id;
    let mut out = Vec::new();
    match event {
        ProposalEvent::ProposalRegistered(Registration { identity }) => out.push(stmt(
            UPSERT_PROPOSAL,
            vec![
                p.into(),
                identity.title.as_str().into(),
                identity.committee.code().into(),
                identity.confidential.into(),
                json(identity).into(),
                recorded(stored.recorded_at).into(),
                stored.position.into(),
            ],
        )),
        ProposalEvent::BaselineAdopted(BaselineAdoption { plan, source }) => {
            let (plan, source) = (json(plan), source.as_ref().map(json));
            out.push(stmt(
                SET_BASELINE,
                vec![
                    p.into(),
                    plan.as_str().into(),
                    source.clone().into(),
                    stored.position.into(),
                ],
            ));
            out.push(plan_version(stored, 0, plan, source));
        }
        ProposalEvent::PlanRevised(PlanRevision { revision, plan, .. }) => {
            let plan = json(plan);
            out.push(stmt(
                SET_REVISION,
                vec![
                    p.into(),
                    plan.as_str().into(),
                    i64::from(*revision).into(),
                    stored.position.into(),
                ],
            ));
            out.push(plan_version(stored, i64::from(*revision), plan, None));
        }
        ProposalEvent::EntryReversed(Reversal { corrects, reason }) => out.push(stmt(
            MARK_CORRECTED,
            vec![
                p.into(),
                i64::try_from(*corrects).unwrap_or(i64::MAX).into(),
                stored.sequence.into(),
                reason.as_str().into(),
                recorded(stored.recorded_at).into(),
                stored.position.into(),
            ],
        )),
        ProposalEvent::EntrySuperseded(Supersession {
            corrects,
            reason,
            replacement,
        }) => {
            let corrects = i64::try_from(*corrects).unwrap_or(i64::MAX);
            out.push(stmt(
                MARK_CORRECTED,
                vec![
                    p.into(),
                    corrects.into(),
                    stored.sequence.into(),
                    reason.as_str().into(),
                    recorded(stored.recorded_at).into(),
                    stored.position.into(),
                ],
            ));
            out.push(entry_row(stored, replacement, Some(corrects)));
        }
        other => {
            if let Some(fact) = other.fact() {
                out.push(entry_row(stored, &fact, None));
            }
        }
    }
    out.push(stmt(
        ADVANCE_PROPOSAL,
        vec![p.into(), stored.sequence.into(), stored.position.into()],
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advance(p: &str, sequence: i64, position: i64) -> Stmt {
        stmt(
            ADVANCE_PROPOSAL,
            vec![p.into(), sequence.into(), position.into()],
        )
    }

    fn entry(p: &str, sequence: i64) -> Stmt {
        let mut s = about(INSERT_ENTRY, p.into(), 10);
        s.args[1] = sequence.into();
        s
    }

    fn mark(p: &str, sequence: i64) -> Stmt {
        stmt(MARK_CORRECTED, vec![p.into(), sequence.into()])
    }

    #[test]
    fn consecutive_entries_are_one_insert_with_their_parameters_renumbered_in_order() {
        let joined = join_rows(
            INSERT_ENTRY,
            vec![entry("BC01", 3), entry("BC09", 1)],
            Placeholders::Numbered,
        );
        assert_eq!(joined.args.len(), 20);
        assert_eq!(joined.args[10], Val::from("BC09"));
        assert!(joined
            .sql
            .starts_with("INSERT INTO rm_entry (proposal_id, sequence, position,"));
        assert!(
            joined.sql.contains(" VALUES ($1, $2, $3, "),
            "{}",
            joined.sql
        );
        assert!(
            joined.sql.contains("$10, NULL, NULL, NULL), ($11, $12, "),
            "{}",
            joined.sql
        );
        assert!(
            joined
                .sql
                .contains("$20, NULL, NULL, NULL) ON CONFLICT (proposal_id, sequence) DO NOTHING"),
            "{}",
            joined.sql
        );
        assert_eq!(joined.sql.matches('$').count(), 20);
        // SQLite's: the same rows and values, with `?` in order.
        let plain = join_rows(
            INSERT_ENTRY,
            vec![entry("BC01", 3), entry("BC09", 1)],
            Placeholders::Anonymous,
        );
        assert_eq!(plain.args, joined.args);
        assert_eq!(plain.sql.matches('?').count(), 20);
        assert!(!plain.sql.contains('$'), "{}", plain.sql);
        assert_eq!(
            plain.sql.replace('?', ""),
            joined
                .sql
                .split('$')
                .enumerate()
                .map(|(i, part)| if i == 0 {
                    part
                } else {
                    part.trim_start_matches(|c: char| c.is_ascii_digit())
                })
                .collect::<String>()
        );

        // A correction between entries keeps its place; a long run is cut into chunks.
        let mut batch = vec![entry("BC01", 3), mark("BC01", 3), entry("BC01", 4)];
        let chunk = i64::try_from(ENTRIES_PER_INSERT).unwrap();
        let end = 4 + 2 * chunk + 51; // entries 4 ..= end - 1: two full chunks and 51
        batch.extend((5..end).map(|s| entry("BC01", s)));
        let out = coalesce(batch, Placeholders::Numbered);
        let rows: Vec<usize> = out.iter().map(|s| s.args.len() / 10).collect();
        assert_eq!(out[0], entry("BC01", 3));
        assert_eq!(out[1], mark("BC01", 3));
        assert_eq!(rows[2..], [ENTRIES_PER_INSERT, ENTRIES_PER_INSERT, 51]);
        assert_eq!(out[2].args[1], Val::from(4i64));
        assert_eq!(out[4].args[out[4].args.len() - 9], Val::from(end - 1));
    }

    /// A statement of `sql` about `p` (for the price index, a position), its other values
    /// empty: `width` values in all.
    fn about(sql: &'static str, p: Val, width: usize) -> Stmt {
        let mut args = vec![p];
        args.resize(width, Val::Int(None));
        stmt(sql, args)
    }

    fn registered(p: &str) -> Stmt {
        about(UPSERT_PROPOSAL, p.into(), 7)
    }

    fn baseline(p: &str) -> Stmt {
        about(SET_BASELINE, p.into(), 4)
    }

    fn plan_version(p: &str, revision: i64) -> Stmt {
        let mut s = about(UPSERT_PLAN_VERSION, p.into(), 7);
        s.args[1] = revision.into();
        s
    }

    #[test]
    fn a_rebuild_writes_the_same_step_of_several_proposals_as_one_statement_per_kind() {
        let batch = vec![
            registered("BC01"),
            advance("BC01", 1, 1),
            baseline("BC01"),
            plan_version("BC01", 0),
            advance("BC01", 2, 2),
            registered("BC02"),
            advance("BC02", 1, 3),
            baseline("BC02"),
            plan_version("BC02", 0),
            advance("BC02", 2, 4),
            about(INSERT_PRICE_INDEX, 5i64.into(), 4),
            entry("BC01", 3),
            entry("BC02", 3),
            about(SET_REVISION, "BC02".into(), 4),
            plan_version("BC02", 1),
            entry("BC02", 5),
            mark("BC01", 3),
            advance("BC01", 4, 10),
            advance("BC02", 5, 9),
        ];
        let joined = |one: &str, rows: &[Stmt]| {
            Write::Stmt(join_rows(one, rows.to_vec(), Placeholders::Numbered))
        };
        let copy = |rows: &[(&str, i64)]| {
            Write::Entries(rows.iter().fold(String::new(), |mut text, (p, s)| {
                copy_row(&mut text, &entry(p, *s).args);
                text
            }))
        };
        assert_eq!(
            copied(batch),
            vec![
                // Layer 0: the registrations, and the price index (a chain of its own).
                joined(UPSERT_PROPOSAL, &[registered("BC01"), registered("BC02")]),
                Write::Stmt(about(INSERT_PRICE_INDEX, 5i64.into(), 4)),
                // 1: the baselines.
                joined(SET_BASELINES, &[baseline("BC01"), baseline("BC02")]),
                // 2: their plan versions.
                joined(
                    UPSERT_PLAN_VERSION,
                    &[plan_version("BC01", 0), plan_version("BC02", 0)]
                ),
                // 3: the first entries of each.
                copy(&[("BC01", 3), ("BC02", 3)]),
                // 4: BC02's revision and BC01's correction, each its own statement.
                Write::Stmt(about(SET_REVISION, "BC02".into(), 4)),
                Write::Stmt(mark("BC01", 3)),
                // 5, 6: the rest of BC02's chain; a single row stays the one-row statement.
                Write::Stmt(plan_version("BC02", 1)),
                copy(&[("BC02", 5)]),
                // Then each proposal's last advance.
                joined(
                    ADVANCE_PROPOSALS,
                    &[advance("BC01", 4, 10), advance("BC02", 5, 9)]
                ),
            ]
        );
        // The registration's position is one value used twice in its row.
        let Write::Stmt(two) = joined(UPSERT_PROPOSAL, &[registered("BC01"), registered("BC02")])
        else {
            panic!("a statement")
        };
        assert!(two
            .sql
            .contains("($8, $9, $10, $11, $12, NULL, NULL, NULL, 0, 0, 0, $13, $14, $14)"));
        assert_eq!(two.args.len(), 14);
    }

    #[test]
    fn a_rebuild_on_postgresql_copies_the_entries_of_each_layer_and_keeps_each_proposals_order() {
        let mut odd = entry("BC01", 4);
        odd.args[4] = Val::from("a\\b\tc\nd\re \\N \\. æ");
        odd.args[5] = Val::Text(None);
        let batch = vec![
            entry("BC01", 3),
            advance("BC01", 3, 10),
            mark("BC01", 3),
            odd,
            advance("BC01", 4, 11),
            entry("BC09", 1),
        ];
        let out = copied(batch);
        let copy = |p: &str, s: i64, subject: &str, date: &str| {
            format!("{p}\t{s}\t\\N\t\\N\t{subject}\t{date}\t\\N\t\\N\t\\N\t\\N\n")
        };
        // BC09's entry joins BC01's first run, the first step of each; BC01's second run
        // stays after its correction.
        assert_eq!(
            out,
            vec![
                Write::Entries(copy("BC01", 3, "\\N", "\\N") + &copy("BC09", 1, "\\N", "\\N")),
                Write::Stmt(mark("BC01", 3)),
                Write::Entries(copy("BC01", 4, "a\\\\b\\tc\\nd\\re \\\\N \\\\. æ", "\\N")),
                Write::Stmt(advance("BC01", 4, 11)),
            ]
        );
        // Every value of a row, in INSERT_ENTRY's order, and nothing else.
        let Write::Entries(rows) = &out[2] else {
            panic!("entries")
        };
        assert!(rows.lines().all(|row| row.split('\t').count() == 10));
        assert_eq!(copied(Vec::new()), Vec::new());
    }

    #[test]
    fn a_batch_keeps_every_other_statement_in_order_and_each_proposals_last_advance_at_the_end() {
        let batch = vec![
            entry("BC01", 3),
            advance("BC01", 3, 10),
            entry("BC09", 1),
            advance("BC09", 1, 11),
            entry("BC01", 4),
            advance("BC01", 4, 12),
            entry("BC01", 5),
            advance("BC01", 5, 13),
        ];
        assert_eq!(
            coalesce(batch, Placeholders::Numbered),
            vec![
                join_rows(
                    INSERT_ENTRY,
                    vec![
                        entry("BC01", 3),
                        entry("BC09", 1),
                        entry("BC01", 4),
                        entry("BC01", 5),
                    ],
                    Placeholders::Numbered
                ),
                Stmt {
                    sql: "UPDATE rm_proposal SET last_sequence = v.column2, last_position = \
                          v.column3 FROM ( VALUES ($1, $2, $3), ($4, $5, $6)) AS v WHERE \
                          rm_proposal.proposal_id = v.column1 AND rm_proposal.last_sequence \
                          < v.column2"
                        .into(),
                    args: vec![
                        "BC01".into(),
                        5i64.into(),
                        13i64.into(),
                        "BC09".into(),
                        1i64.into(),
                        11i64.into()
                    ],
                },
            ]
        );
        assert_eq!(coalesce(Vec::new(), Placeholders::Numbered), Vec::new());
        // One proposal moved: its own statement, as a command's catch-up always ran it.
        assert_eq!(
            coalesce(
                vec![advance("BC01", 3, 10), advance("BC01", 4, 11)],
                Placeholders::Anonymous
            ),
            vec![advance("BC01", 4, 11)]
        );
        // Many: cut into statements of at most ADVANCES_PER_UPDATE rows, every one kept.
        let many: Vec<Stmt> = (0..=ADVANCES_PER_UPDATE)
            .map(|i| advance(&format!("P{i}"), 1, i64::try_from(i).unwrap()))
            .collect();
        let out = coalesce(many, Placeholders::Anonymous);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].args.len(), 3 * ADVANCES_PER_UPDATE);
        assert_eq!(out[0].sql.matches('?').count(), 3 * ADVANCES_PER_UPDATE);
        let last = i64::try_from(ADVANCES_PER_UPDATE).unwrap();
        assert_eq!(out[1], advance(&format!("P{ADVANCES_PER_UPDATE}"), 1, last));
    }
}
