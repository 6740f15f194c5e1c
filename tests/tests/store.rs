//! The event store on both backends: metadata and recorded time, idempotency, append-only,
//! tamper detection, concurrency and the global order.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use cqrs_es::persist::{PersistedEventRepository, ReplayStream, SerializedEvent};
use gevinst_domain::metadata::keys;
use gevinst_domain::proposal::{examples, Proposal, ProposalCommand};
use gevinst_domain::{IdempotencyKey, Role};
use gevinst_projections::{CommandError, PROPOSAL};
use gevinst_store::{verify, Db, EventStore, StoreError};
use gevinst_tests::{both_backends, meta, proposal, TestStore};

fn saving_command(year: i32, amount: i64) -> ProposalCommand {
    ProposalCommand::RecordSaving(examples::saving(year, amount))
}

fn keyed(key: &str) -> gevinst_domain::EventMetadata {
    let mut m = meta("anna@kk.dk", Role::ProjectOwner);
    m.idempotency_key = Some(IdempotencyKey::parse(key).unwrap());
    m
}

async fn count(store: &EventStore) -> usize {
    store.after_position(0, i64::MAX).await.unwrap().len()
}

both_backends!(
    events_carry_metadata_recorded_time_and_chain,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let at = Utc.with_ymd_and_hms(2026, 2, 3, 10, 11, 12).unwrap()
            + chrono::Duration::microseconds(345_678);
        t.clock.set(at);
        let outcome = t
            .service
            .execute(&proposal("BC01"), saving_command(2025, -400), keyed("k-1"))
            .await
            .unwrap();
        assert_eq!((outcome.first_sequence, outcome.first_position), (3, 3));
        assert!(!outcome.replayed);
        let events = t.service.store().stream(PROPOSAL, "BC01").await.unwrap();
        assert_eq!(events.len(), 3);
        let e = &events[2];
        assert_eq!(e.event_type, "SavingRealised");
        assert_eq!(e.event_version, "2");
        assert_eq!(e.actor, "anna@kk.dk");
        assert_eq!(e.role, "project_owner");
        assert_eq!(e.idempotency_key, "k-1");
        assert_eq!(
            e.recorded_at, at,
            "recorded_at is the server clock's, to the microsecond"
        );
        assert_eq!(
            e.effective_date,
            NaiveDate::from_ymd_opt(2025, 12, 31),
            "business date"
        );
        assert_eq!(e.prev_hash, events[1].hash);
        assert_eq!(e.hash, e.computed_hash());
        assert_eq!(e.payload["SavingRealised"]["amount"], "-400");
        let ids: BTreeSet<_> = events.iter().map(|e| e.event_id).collect();
        assert_eq!(ids.len(), 3, "event ids are unique");
        let report = verify(t.service.store()).await.unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(
            (report.events, report.streams, report.last_position),
            (3, 1, 3)
        );
    }
);

both_backends!(
    a_retried_command_returns_the_first_outcome,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let first = t
            .service
            .execute(
                &proposal("BC01"),
                saving_command(2025, -400),
                keyed("retry-1"),
            )
            .await
            .unwrap();
        t.clock.advance(chrono::Duration::hours(1));
        let again = t
            .service
            .execute(
                &proposal("BC01"),
                saving_command(2025, -400),
                keyed("retry-1"),
            )
            .await
            .unwrap();
        assert!(again.replayed);
        assert_eq!(
            (again.first_sequence, again.last_position, again.recorded_at),
            (first.first_sequence, first.last_position, first.recorded_at)
        );
        assert_eq!(
            count(t.service.store()).await,
            3,
            "the retry appended nothing"
        );

        let err = t
            .service
            .execute(
                &proposal("BC01"),
                saving_command(2025, -999),
                keyed("retry-1"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, CommandError::IdempotencyKeyReused { .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "idempotensnøglen «retry-1» er allerede brugt til en anden kommando på BC01"
        );
        // The same key on another proposal is another command.
        t.register_example("BC02").await;
        let other = t
            .service
            .execute(
                &proposal("BC02"),
                saving_command(2025, -400),
                keyed("retry-1"),
            )
            .await
            .unwrap();
        assert!(!other.replayed);
        assert_eq!(count(t.service.store()).await, 6);
    }
);

both_backends!(
    a_rejected_command_stores_nothing,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let err = t
            .service
            .execute(&proposal("BC01"), saving_command(2060, -1), keyed("bad"))
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "BC01: året 2060 ligger uden for planens år ± 10 (2015–2038)"
        );
        let err = t
            .service
            .execute(&proposal("BC09"), saving_command(2025, -1), keyed("bad"))
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "BC09: ukendt forslag: intet er registreret under dette nummer"
        );
        let err = t
            .service
            .execute(
                &proposal("BC09"),
                ProposalCommand::RegisterProposal {
                    identity: examples::identity("BC01"),
                },
                keyed("bad"),
            )
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "BC09: registreringen gælder BC01, men kommandoen blev sendt til BC09"
        );
        assert_eq!(count(t.service.store()).await, 2);
        // The key of a rejected command is free: nothing was accepted under it.
        let ok = t
            .service
            .execute(&proposal("BC01"), saving_command(2025, -1), keyed("bad"))
            .await
            .unwrap();
        assert!(!ok.replayed);
    }
);

fn tamper_sql(db: &Db) -> (&'static [&'static str], &'static str, &'static str) {
    match db {
        Db::Postgres(_) => (
            &["ALTER TABLE event DISABLE TRIGGER USER"],
            "UPDATE event SET payload = jsonb_set(payload, '{SavingRealised,amount}', '\"-999\"') \
             WHERE stream_id = 'BC01' AND sequence = 3",
            "DELETE FROM event WHERE stream_id = 'BC02' AND sequence = 2",
        ),
        Db::Sqlite(_) => (
            &[
                "DROP TRIGGER event_no_update",
                "DROP TRIGGER event_no_delete",
            ],
            "UPDATE event SET payload = json_set(payload, '$.SavingRealised.amount', '-999') \
             WHERE stream_id = 'BC01' AND sequence = 3",
            "DELETE FROM event WHERE stream_id = 'BC02' AND sequence = 2",
        ),
    }
}

both_backends!(
    history_is_append_only_and_tampering_is_detected,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        t.register_example("BC02").await;
        for (p, k) in [("BC01", "a"), ("BC02", "b")] {
            t.service
                .execute(&proposal(p), saving_command(2025, -400), keyed(k))
                .await
                .unwrap();
        }
        // The database itself refuses to change history.
        for sql in [
            "UPDATE event SET actor = 'mallory' WHERE position = 1",
            "DELETE FROM event WHERE position = 2",
            "UPDATE command SET fingerprint = 'x'",
            "DELETE FROM command",
        ] {
            let err = t.db.execute_raw(sql).await.unwrap_err().to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
        assert!(verify(t.service.store()).await.unwrap().is_ok());
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(
            (code, out.trim()),
            (
                0,
                "i orden: 6 hændelser i 2 forslag, position 1..6, alle hashkæder er intakte"
            )
        );

        // A superuser can switch the guard off; then the chain still shows what was done.
        let (disable, change_amount, delete_middle) = tamper_sql(&t.db);
        for sql in disable {
            t.db.execute_raw(sql).await.unwrap();
        }
        assert_eq!(t.db.execute_raw(change_amount).await.unwrap(), 1);
        let report = verify(t.service.store()).await.unwrap();
        assert!(!report.is_ok());
        assert_eq!(report.problems.len(), 1, "{report}");
        let p = &report.problems[0];
        assert_eq!((p.stream_id.as_str(), p.sequence), ("BC01", 3));
        assert!(p.what.contains("passer ikke med sin hash"), "{}", p.what);

        assert_eq!(t.db.execute_raw(delete_middle).await.unwrap(), 1);
        let report = verify(t.service.store()).await.unwrap();
        let found: Vec<_> = report
            .problems
            .iter()
            .map(|p| (p.stream_id.as_str(), p.sequence))
            .collect();
        // The command row of BC02's event 2 now names an event that is gone.
        assert_eq!(
            found,
            vec![("BC01", 3), ("BC02", 2), ("*", 4), ("BC02", 2)],
            "{report}"
        );
        assert!(
            report.problems[1].what.contains("hændelse nr. 2 mangler"),
            "{report}"
        );
        assert!(report.to_string().contains("BC02 nr. 2"), "{report}");

        // The auditor's command says the same and fails.
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 2, "{out}");
        assert!(out.starts_with("BRUDT: 4 fejl"), "{out}");
        assert!(
            out.contains("BC01 nr. 3: den gemte SavingRealised-hændelse passer ikke med sin hash"),
            "{out}"
        );
        assert!(
            out.contains("BC02 nr. 2: hændelse nr. 2 mangler: strømmen springer fra 1 til 3"),
            "{out}"
        );
    }
);

both_backends!(sixteen_writers_on_one_proposal, |t: TestStore| async move {
    t.register_example("BC01").await;
    let mut tasks = Vec::new();
    for i in 0..16i64 {
        let service = t.service.clone();
        tasks.push(tokio::spawn(async move {
            let r = service
                .execute(
                    &proposal("BC01"),
                    saving_command(2025, -(i + 1)),
                    keyed(&format!("w{i}")),
                )
                .await;
            (i, r)
        }));
    }
    let mut won = BTreeSet::new();
    let mut conflicts = 0;
    for task in tasks {
        let (i, r) = task.await.unwrap();
        match r {
            Ok(o) => {
                assert!(!o.replayed);
                won.insert(-(i + 1));
            }
            Err(CommandError::Conflict {
                current_sequence, ..
            }) => {
                // The stream's head as the store has it: past registration and adoption.
                assert!(current_sequence >= 3, "{current_sequence}");
                conflicts += 1;
            }
            Err(e) => panic!("writer {i}: unexpected error {e}"),
        }
    }
    assert!(!won.is_empty());
    assert_eq!(won.len() + conflicts, 16);
    let events = t.service.store().stream(PROPOSAL, "BC01").await.unwrap();
    let sequences: Vec<i64> = events.iter().map(|e| e.sequence).collect();
    assert_eq!(sequences, (1..=events.len() as i64).collect::<Vec<_>>());
    let stored: BTreeSet<i64> = events[2..]
        .iter()
        .map(|e| {
            e.payload["SavingRealised"]["amount"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(
        stored, won,
        "exactly the successful commands' events, none lost or doubled"
    );
    assert_eq!(events.len(), 2 + won.len());
    assert!(verify(t.service.store()).await.unwrap().is_ok());
});

both_backends!(
    sixteen_writers_on_sixteen_proposals_share_one_gapless_order,
    |t: TestStore| async move {
        let store = t.service.store().clone();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // A reader that follows the global order while the writers run must see every event exactly
        // once: a position committed behind its cursor would be lost to it.
        let reader = {
            let store = store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut cursor = 0;
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let batch = store.after_position(cursor, 1000).await.unwrap();
                    for e in &batch {
                        seen.push(e.position);
                        cursor = e.position;
                    }
                    if finished && batch.is_empty() {
                        return seen;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
            })
        };
        // So must `verify` while the log grows under it: it reads the events, then the command
        // table, which may already hold commands whose events it did not read.
        let verifier = {
            let store = store.clone();
            let done = done.clone();
            tokio::spawn(async move {
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let report = verify(&store).await.unwrap();
                    assert!(report.is_ok(), "while the writers append: {report}");
                    if finished {
                        return;
                    }
                }
            })
        };
        let mut writers = Vec::new();
        for n in 1..=16 {
            let service = t.service.clone();
            writers.push(tokio::spawn(async move {
                let id = format!("BC{n:02}");
                let p = proposal(&id);
                service
                    .execute(
                        &p,
                        ProposalCommand::RegisterProposal {
                            identity: examples::identity(&id),
                        },
                        gevinst_tests::system(),
                    )
                    .await
                    .unwrap();
                service
                    .execute(
                        &p,
                        ProposalCommand::AdoptBaseline {
                            plan: examples::plan(),
                            source: None,
                        },
                        gevinst_tests::system(),
                    )
                    .await
                    .unwrap();
                for year in [2025, 2026, 2027] {
                    service
                        .execute(
                            &p,
                            saving_command(year, -100),
                            keyed(&format!("{id}-{year}")),
                        )
                        .await
                        .unwrap();
                }
            }));
        }
        for w in writers {
            w.await.unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        let seen = reader.await.unwrap();
        verifier.await.unwrap();
        assert_eq!(
            seen,
            (1..=80).collect::<Vec<i64>>(),
            "the follower saw 1..80 in order, once each"
        );
        let all = store.after_position(0, i64::MAX).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.position).collect::<Vec<_>>(),
            (1..=80).collect::<Vec<i64>>()
        );
        let report = verify(&store).await.unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.streams, 16);
    }
);

both_backends!(
    committed_events_survive_reopening_the_store,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        t.service
            .execute(
                &proposal("BC01"),
                saving_command(2026, -7),
                keyed("durable"),
            )
            .await
            .unwrap();
        t.db.close().await;
        let db = Db::open(&t.config).await.unwrap();
        let store = EventStore::new(db, t.clock.clone());
        let events = store.stream(PROPOSAL, "BC01").await.unwrap();
        assert_eq!(events.len(), 3);
        assert!(verify(&store).await.unwrap().is_ok());
    }
);

both_backends!(
    one_append_of_several_events_is_numbered_chained_and_recorded_once,
    |t: TestStore| async move {
        // No command of today's domain emits more than one event, but the append protocol takes
        // a command's events as one slice: they must get consecutive sequences and positions,
        // one chain, one recorded time and one command row, or nothing at all.
        t.register_example("BC01").await;
        t.register_example("BC02").await;
        t.service
            .execute(&proposal("BC01"), saving_command(2025, -400), keyed("one"))
            .await
            .unwrap();
        let store = t.service.store();
        let saving = store.stream(PROPOSAL, "BC01").await.unwrap().pop().unwrap();
        assert_eq!((saving.sequence, saving.position), (3, 5));
        let command = |first_sequence: usize, key: &str| -> Vec<SerializedEvent> {
            (0..2)
                .map(|i| {
                    let mut metadata = saving.metadata.clone();
                    metadata[keys::IDEMPOTENCY_KEY] = key.into();
                    metadata[keys::COMMAND_FINGERPRINT] = format!("fingerprint of {key}").into();
                    let mut payload = saving.payload.clone();
                    payload["SavingRealised"]["amount"] = format!("-{}", 10 + i).into();
                    SerializedEvent {
                        aggregate_id: "BC01".to_string(),
                        sequence: first_sequence + i,
                        aggregate_type: PROPOSAL.to_string(),
                        event_type: saving.event_type.clone(),
                        event_version: saving.event_version.clone(),
                        payload,
                        metadata,
                    }
                })
                .collect()
        };
        store.append(&command(4, "pair")).await.unwrap();
        let events = store.stream(PROPOSAL, "BC01").await.unwrap();
        let pair = &events[3..];
        assert_eq!(
            pair.iter()
                .map(|e| (e.sequence, e.position))
                .collect::<Vec<_>>(),
            vec![(4, 6), (5, 7)]
        );
        assert_eq!(pair[0].prev_hash, saving.hash);
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[0].recorded_at, pair[1].recorded_at);
        assert_eq!(pair[1].payload["SavingRealised"]["amount"], "-11");
        let record = store
            .command(PROPOSAL, "BC01", "pair")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                record.first_sequence,
                record.last_sequence,
                record.first_position,
                record.last_position
            ),
            (4, 5, 6, 7)
        );
        assert_eq!(
            (record.fingerprint.as_str(), record.recorded_at),
            ("fingerprint of pair", pair[0].recorded_at)
        );

        // A writer that read the stream before the pair was appended is refused.
        let stale = store.append(&command(4, "stale")).await.unwrap_err();
        assert!(
            matches!(
                stale,
                StoreError::Conflict {
                    expected: 4,
                    current: 5,
                    ..
                }
            ),
            "{stale}"
        );
        // A slice whose second event skips a sequence is refused as a whole.
        let mut holed = command(6, "holed");
        holed[1].sequence = 8;
        let holed = store.append(&holed).await.unwrap_err();
        assert!(
            matches!(
                holed,
                StoreError::Conflict {
                    expected: 8,
                    current: 5,
                    ..
                }
            ),
            "{holed}"
        );
        assert_eq!(
            count(store).await,
            7,
            "neither refused append stored anything"
        );
        assert_eq!(
            store.command(PROPOSAL, "BC01", "holed").await.unwrap(),
            None
        );
        let report = verify(store).await.unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!((report.events, report.commands), (7, 6));
    }
);

/// Every event a replay stream yields: (proposal, sequence).
async fn replayed(mut stream: ReplayStream) -> Vec<(String, usize)> {
    let mut seen = Vec::new();
    while let Some(event) = stream.next::<Proposal>(&[]).await {
        let event = event.unwrap();
        seen.push((event.aggregate_id, event.sequence));
    }
    seen
}

both_backends!(
    the_replay_interface_reads_streams_and_the_global_order,
    |t: TestStore| async move {
        // Gevinst loads aggregates with `get_events` only; the rest of cqrs-es' repository
        // interface (what `QueryReplay` and snapshotting stores call) must still answer truly.
        t.register_example("BC01").await;
        t.register_example("BC02").await;
        t.service
            .execute(&proposal("BC01"), saving_command(2025, -400), keyed("k"))
            .await
            .unwrap();
        let store = t.service.store();
        let pairs = |events: Vec<SerializedEvent>| -> Vec<(String, usize)> {
            events
                .into_iter()
                .map(|e| (e.aggregate_id, e.sequence))
                .collect()
        };
        let bc01 = |n: usize| ("BC01".to_string(), n);
        let bc02 = |n: usize| ("BC02".to_string(), n);
        assert_eq!(
            pairs(store.get_events::<Proposal>("BC01").await.unwrap()),
            vec![bc01(1), bc01(2), bc01(3)]
        );
        assert_eq!(
            pairs(store.get_last_events::<Proposal>("BC01", 2).await.unwrap()),
            vec![bc01(3)],
            "the events after sequence 2"
        );
        assert_eq!(
            pairs(store.get_last_events::<Proposal>("BC01", 0).await.unwrap()).len(),
            3
        );
        assert!(store
            .get_snapshot::<Proposal>("BC01")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            replayed(store.stream_events::<Proposal>("BC02").await.unwrap()).await,
            vec![bc02(1), bc02(2)]
        );
        assert_eq!(
            replayed(store.stream_all_events::<Proposal>().await.unwrap()).await,
            vec![bc01(1), bc01(2), bc02(1), bc02(2), bc01(3)],
            "the global commit order, not stream by stream"
        );
    }
);

both_backends!(
    one_event_and_a_streams_last_sequence_are_read_without_reading_the_stream,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        t.service
            .execute(&proposal("BC01"), saving_command(2025, -5), keyed("s1"))
            .await
            .unwrap();
        let store = t.service.store();
        let whole = store.stream(PROPOSAL, "BC01").await.unwrap();
        for e in &whole {
            let one = store
                .event_at(PROPOSAL, "BC01", e.sequence)
                .await
                .unwrap()
                .expect("there");
            assert_eq!(&one, e, "#{}", e.sequence);
        }
        let after = i64::try_from(whole.len()).unwrap() + 1;
        assert_eq!(store.event_at(PROPOSAL, "BC01", after).await.unwrap(), None);
        assert_eq!(store.event_at(PROPOSAL, "BC02", 1).await.unwrap(), None);
        assert_eq!(
            store.last_sequence(PROPOSAL, "BC01").await.unwrap(),
            whole.last().unwrap().sequence
        );
        assert_eq!(store.last_sequence(PROPOSAL, "BC02").await.unwrap(), 0);
    }
);

/// On PostgreSQL, how many transactions wrote the events after `head` (each stamps its rows
/// with its own id, `xmin`); `None` on SQLite, which keeps no such id.
async fn transactions_after(db: &Db, head: i64) -> Option<i64> {
    let Db::Postgres(pool) = db else {
        return None;
    };
    let sql = "SELECT count(DISTINCT xmin::text) FROM event WHERE position > $1";
    Some(
        sqlx::query_scalar(sql)
            .bind(head)
            .fetch_one(pool)
            .await
            .unwrap(),
    )
}

/// Registers `ids`, records a saving on the first with idempotency `key`, and returns the
/// store, that saving as stored, and the log's head after it.
async fn with_a_saving(
    t: &TestStore,
    ids: &[&str],
    key: &str,
) -> (EventStore, gevinst_store::StoredEvent, i64) {
    for id in ids {
        t.register_example(id).await;
    }
    t.service
        .execute(&proposal(ids[0]), saving_command(2025, -400), keyed(key))
        .await
        .unwrap();
    let store = t.service.store().clone();
    let saving = store.stream(PROPOSAL, ids[0]).await.unwrap().pop().unwrap();
    let head = store.last_position().await.unwrap();
    (store, saving, head)
}

/// `saving` copied as one command on `id`, an event at each of `sequences`, with idempotency
/// `key`.
fn copies(
    saving: &gevinst_store::StoredEvent,
    id: &str,
    sequences: std::ops::Range<usize>,
    key: &str,
) -> Vec<SerializedEvent> {
    let mut metadata = saving.metadata.clone();
    metadata[keys::IDEMPOTENCY_KEY] = key.into();
    sequences
        .map(|sequence| SerializedEvent {
            aggregate_id: id.to_string(),
            sequence,
            aggregate_type: PROPOSAL.to_string(),
            event_type: saving.event_type.clone(),
            event_version: saving.event_version.clone(),
            payload: saving.payload.clone(),
            metadata: metadata.clone(),
        })
        .collect()
}

/// Returns once `waiting` appends of `store` wait for the next group.
async fn until_waiting(store: &EventStore, waiting: usize) {
    while store.waiting() < waiting {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Another session's hold on PostgreSQL's append lock, so that appends queue behind a first
/// one that waits for it, and commit as one group once it is let go.
struct HeldAppendLock {
    holder: sqlx::pool::PoolConnection<sqlx::Postgres>,
    pool: sqlx::PgPool,
}

impl HeldAppendLock {
    /// Takes the lock on PostgreSQL; `None` on SQLite, which has no lock another session holds.
    async fn take(db: &Db) -> Option<Self> {
        let Db::Postgres(pool) = db else {
            return None;
        };
        let mut holder = pool.acquire().await.unwrap();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(gevinst_store::APPEND_LOCK_KEY)
            .execute(&mut *holder)
            .await
            .unwrap();
        Some(Self {
            holder,
            pool: pool.clone(),
        })
    }

    /// Returns once an append waits for the lock.
    async fn until_an_append_waits(&self) {
        let blocked = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
        while sqlx::query_scalar::<_, i64>(blocked)
            .fetch_one(&self.pool)
            .await
            .unwrap()
            == 0
        {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Lets go once `waiting` appends of `store` wait for the next group.
    async fn release_once(mut self, store: &EventStore, waiting: usize) {
        until_waiting(store, waiting).await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(gevinst_store::APPEND_LOCK_KEY)
            .execute(&mut *self.holder)
            .await
            .unwrap();
    }
}

/// The log verifies, and a rebuild of the read models gives the rows the commands left.
async fn intact_and_rebuilt_the_same(t: &TestStore) {
    assert!(verify(t.service.store()).await.unwrap().is_ok());
    let read = gevinst_projections::readmodel::ReadModels::new(t.db.clone());
    let incremental = read.dump().await.unwrap();
    t.service.projector().rebuild_with(&|_| {}).await.unwrap();
    assert_eq!(read.dump().await.unwrap(), incremental);
}

both_backends!(
    appends_that_wait_commit_together_and_each_is_answered_as_its_own,
    |t: TestStore| async move {
        let ids = ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06"];
        let (store, saving, head) = with_a_saving(&t, &ids, "done").await;
        // A copy of that saving as the command on `id` at `sequence` with idempotency `key`.
        let events =
            |id: &str, sequence: usize, key: &str| copies(&saving, id, sequence..sequence + 1, key);
        let append = |id: &str, sequence: usize, key: &str| {
            let (store, events) = (store.clone(), events(id, sequence, key));
            tokio::spawn(async move { store.appended(&events).await })
        };
        // The same, decided on BC03 as it stood before the group (2 events).
        let decided = |id: &str, sequence: usize, key: &str| {
            let (store, events) = (store.clone(), events(id, sequence, key));
            let on = gevinst_store::DecidedOn {
                aggregate_type: PROPOSAL.to_string(),
                stream_id: "BC03".to_string(),
                sequence: 2,
            };
            tokio::spawn(async move { store.appended_decided(&events, None, Some(on)).await })
        };
        // On PostgreSQL another session holds the append lock while a first append waits for
        // it, so every later one queues behind that one and they must commit as one group.
        let held = HeldAppendLock::take(&t.db).await;
        let first = append("BC06", 3, "first");
        // Without the held lock (SQLite) nothing orders the first append before the rest, and
        // BC06's decided command builds on it (sequence 4): let it commit before they start.
        if held.is_none() {
            while !first.is_finished() {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
        if let Some(held) = &held {
            held.until_an_append_waits().await;
        }
        // One each on BC02..BC05; two on BC01 at the same sequence (one must lose); one
        // retrying the key of a command already stored.
        let mut rest = Vec::new();
        for id in &ids[1..5] {
            rest.push((id.to_string(), append(id, 3, &format!("group-{id}"))));
        }
        rest.push(("BC01 a".to_string(), append("BC01", 4, "group-a")));
        rest.push(("BC01 b".to_string(), append("BC01", 4, "group-b")));
        rest.push(("retry".to_string(), append("BC01", 4, "done")));
        // A retry of BC02's command at the same time (one of the two is stored), and a command
        // on BC06 decided on BC03 as it stood before BC03's append in the group (refused when
        // it comes after that append, stored when before): whichever order they arrive in,
        // the group answers as if each had committed alone in that order.
        rest.push(("BC02 again".to_string(), append("BC02", 3, "group-BC02")));
        rest.push(("BC06 decided".to_string(), decided("BC06", 4, "decided")));
        let grouped = held.is_some();
        if let Some(held) = held {
            held.release_once(&store, rest.len()).await;
        }
        let first = first.await.unwrap().expect("the first append");
        if grouped {
            assert_eq!(first.record.first_position, head + 1);
        }
        let mut won = vec![("first".to_string(), first.record.first_position)];
        let mut lost = Vec::new();
        for (what, task) in rest {
            match task.await.unwrap() {
                Ok(appended) => {
                    assert!(appended.projected, "{what}: the group projected inline");
                    won.push((what, appended.record.first_position));
                }
                Err(StoreError::Conflict { current, .. }) if what.starts_with("BC01") => {
                    assert_eq!(current, 4, "{what}");
                    lost.push(what);
                }
                Err(StoreError::DuplicateCommand(record)) if what == "retry" => {
                    assert_eq!(record.idempotency_key, "done");
                    lost.push(what);
                }
                Err(StoreError::DuplicateCommand(record)) if what.starts_with("BC02") => {
                    assert_eq!(
                        (record.idempotency_key.as_str(), record.first_sequence),
                        ("group-BC02", 3)
                    );
                    lost.push(what);
                }
                Err(StoreError::Moved {
                    stream_id, current, ..
                }) if what == "BC06 decided" => {
                    assert_eq!((stream_id.as_str(), current), ("BC03", 3));
                    lost.push(what);
                }
                Err(e) => panic!("{what}: {e}"),
            }
        }
        // BC02's command once; BC06's decided one stored exactly when it came before BC03's.
        let at = |name: &str| won.iter().find(|(w, _)| w == name).map(|(_, p)| *p);
        let bc02 = [at("BC02"), at("BC02 again")];
        assert_eq!(bc02.iter().flatten().count(), 1, "{won:?}");
        let bc03 = at("BC03").expect("BC03's append");
        let decided_first = at("BC06 decided").is_some_and(|p| p < bc03);
        assert_eq!(
            decided_first,
            !lost.iter().any(|l| l == "BC06 decided"),
            "{won:?} {lost:?}"
        );
        let stored = 6 + usize::from(decided_first);
        assert_eq!(won.len(), stored, "{won:?}");
        assert_eq!(lost.len(), 10 - stored, "{lost:?}");
        let stored = i64::try_from(stored).unwrap();
        // Gapless, each append its own position.
        let mut positions: Vec<i64> = won.iter().map(|(_, p)| *p).collect();
        positions.sort_unstable();
        assert_eq!(positions, (head + 1..=head + stored).collect::<Vec<_>>());
        assert_eq!(store.last_position().await.unwrap(), head + stored);
        if let Some(transactions) = transactions_after(&t.db, head).await {
            assert_eq!(transactions, 2, "the first alone, then the group in one");
        }
        assert_eq!(
            t.service.projector().checkpoint().await.unwrap(),
            head + stored
        );
        intact_and_rebuilt_the_same(&t).await;
    }
);

both_backends!(
    eight_clients_sending_command_after_command_commit_in_groups,
    |t: TestStore| async move {
        // Eight clients, each sending its next command on its own proposal as soon as the
        // last is answered (as `gevinst bench` and busy project owners do): while one group
        // commits, the others' next commands arrive and must wait for the next group, not
        // each commit alone behind appends already answered.
        let ids = [
            "BC01", "BC02", "BC03", "BC04", "BC05", "BC07", "BC08", "BC09",
        ];
        for id in ids {
            t.register_example(id).await;
        }
        let head = t.service.store().last_position().await.unwrap();
        const EACH: usize = 8;
        let mut clients = tokio::task::JoinSet::new();
        for id in ids {
            let service = t.service.clone();
            clients.spawn(async move {
                for n in 0..EACH {
                    let key = format!("{id}-{n}");
                    service
                        .execute(&proposal(id), saving_command(2025, -1), keyed(&key))
                        .await
                        .unwrap_or_else(|e| panic!("{key}: {e}"));
                }
            });
        }
        while let Some(done) = clients.join_next().await {
            done.unwrap();
        }
        let commands = ids.len() * EACH;
        let store = t.service.store();
        assert_eq!(
            store.last_position().await.unwrap(),
            head + i64::try_from(commands).unwrap(),
            "every command stored, gapless"
        );
        for id in ids {
            let mut saved = store.stream(PROPOSAL, id).await.unwrap();
            saved.retain(|e| e.position > head);
            assert_eq!(saved.len(), EACH, "{id}");
        }
        if let Some(transactions) = transactions_after(&t.db, head).await {
            assert!(
                usize::try_from(transactions).unwrap() * 2 <= commands,
                "{commands} commands in {transactions} transactions: they did not group"
            );
        }
        intact_and_rebuilt_the_same(&t).await;
    }
);

/// Another connection's hold on the log's writer lock (PostgreSQL's append lock, SQLite's
/// write lock), so that the append a committer has taken waits for it and later ones queue.
enum HeldWriter {
    Postgres(HeldAppendLock),
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
}

impl HeldWriter {
    async fn take(db: &Db) -> Self {
        match db {
            Db::Postgres(_) => Self::Postgres(HeldAppendLock::take(db).await.unwrap()),
            Db::Sqlite(pool) => {
                let mut writer = pool.acquire().await.unwrap();
                sqlx::query("BEGIN IMMEDIATE")
                    .execute(&mut *writer)
                    .await
                    .unwrap();
                Self::Sqlite(writer)
            }
        }
    }

    /// Lets go once `waiting` appends of `store` wait for the next group.
    async fn release_once(self, store: &EventStore, waiting: usize) {
        match self {
            Self::Postgres(held) => held.release_once(store, waiting).await,
            Self::Sqlite(mut writer) => {
                until_waiting(store, waiting).await;
                sqlx::query("COMMIT").execute(&mut *writer).await.unwrap();
            }
        }
    }
}

both_backends!(
    a_committer_holds_its_group_for_as_many_appends_as_the_last_one_held,
    |t: TestStore| async move {
        let ids = ["BC01", "BC02", "BC03", "BC04"];
        let (store, saving, head) = with_a_saving(&t, &ids, "seed").await;
        // A committer that may hold a group for a minute: a group held when it should not be
        // shows as an append not answered in 30 seconds, not as one slower by a millisecond.
        let store = store.gathering(std::time::Duration::from_secs(60));
        let append = |id: &str, sequence: usize, key: &str| {
            let events = copies(&saving, id, sequence..sequence + 1, key);
            let store = store.clone();
            tokio::spawn(async move { store.appended(&events).await })
        };
        type Task = tokio::task::JoinHandle<Result<gevinst_store::Appended, StoreError>>;
        let answered = |task: Task| async move {
            tokio::time::timeout(std::time::Duration::from_secs(30), task)
                .await
                .expect("answered without waiting for appends that never come")
                .unwrap()
                .expect("stored")
        };

        // A lone client: its last group was one, so its next append is not held.
        answered(append("BC02", 3, "lone-1")).await;
        answered(append("BC02", 4, "lone-2")).await;

        // A group of three: the first append waits for the held writer lock, three more
        // queue behind it, and commit together once it is let go.
        let held = HeldWriter::take(&t.db).await;
        let polled = Arc::new(AtomicBool::new(false));
        let first = {
            let (store, polled) = (store.clone(), Arc::clone(&polled));
            let events = copies(&saving, "BC01", 4..5, "first");
            // The append queues in its first poll, right after the flag is set.
            tokio::spawn(async move {
                polled.store(true, Ordering::SeqCst);
                store.appended(&events).await
            })
        };
        match &held {
            HeldWriter::Postgres(lock) => lock.until_an_append_waits().await,
            HeldWriter::Sqlite(_) => {
                while !polled.load(Ordering::SeqCst) || store.waiting() > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        assert_eq!(
            store.waiting(),
            0,
            "the first append taken by the committer"
        );
        assert!(!first.is_finished(), "and waiting for the held lock");
        let three = [
            append("BC02", 5, "three-a"),
            append("BC03", 3, "three-b"),
            append("BC04", 3, "three-c"),
        ];
        held.release_once(&store, 3).await;
        answered(first).await;
        for task in three {
            answered(task).await;
        }
        let before = store.last_position().await.unwrap();
        assert_eq!(before, head + 6);

        // Now a single append is held for two more, as the three clients' next commands.
        let next = append("BC01", 5, "next-a");
        for _ in 0..20 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            assert_eq!(store.waiting(), 1, "held in the queue, not taken alone");
        }
        assert!(!next.is_finished());
        let more = [append("BC02", 6, "next-b"), append("BC03", 4, "next-c")];
        let mut positions = vec![answered(next).await.record.first_position];
        for task in more {
            positions.push(answered(task).await.record.first_position);
        }
        positions.sort_unstable();
        assert_eq!(positions, vec![before + 1, before + 2, before + 3]);
        if let Some(transactions) = transactions_after(&t.db, before).await {
            assert_eq!(transactions, 1, "the three in one transaction");
        }
        intact_and_rebuilt_the_same(&t).await;
    }
);

both_backends!(
    appends_too_large_to_share_one_statement_still_commit_as_one_group,
    |t: TestStore| async move {
        // Four appends of 1,100 events each, grouped: 70,436 values to bind in all, more than
        // either backend takes in one statement (PostgreSQL 65,535; SQLite 32,766). The group's
        // insert is cut between appends, and the group still commits in one transaction.
        let ids = ["BC01", "BC02", "BC03", "BC04", "BC05"];
        let (store, saving, head) = with_a_saving(&t, &ids, "seed").await;
        const EVENTS: usize = 1_100;
        let append = |id: &'static str, from: usize| {
            let events = copies(&saving, id, from..from + EVENTS, &format!("large-{id}"));
            let store = store.clone();
            tokio::spawn(async move { store.appended(&events).await })
        };
        // On PostgreSQL another session holds the append lock while a first append (BC01's)
        // waits for it, until the other four wait behind that one: they form one group.
        let held = HeldAppendLock::take(&t.db).await;
        let first = append("BC01", 4);
        if let Some(held) = &held {
            held.until_an_append_waits().await;
        }
        let mut tasks = vec![first];
        for id in &ids[1..] {
            tasks.push(append(id, 3));
        }
        if let Some(held) = held {
            held.release_once(&store, ids.len() - 1).await;
        }
        for task in tasks {
            let appended = task.await.unwrap().expect("a large append in a group");
            assert_eq!(
                appended.record.last_sequence - appended.record.first_sequence + 1,
                i64::try_from(EVENTS).unwrap()
            );
        }
        let stored = i64::try_from(ids.len() * EVENTS).unwrap();
        assert_eq!(store.last_position().await.unwrap(), head + stored);
        if let Some(transactions) = transactions_after(&t.db, head).await {
            assert_eq!(
                transactions, 2,
                "the first alone, then the four in one group"
            );
        }
        assert!(verify(&store).await.unwrap().is_ok());
    }
);

/// `verify` merges the events, read by command key, with the command table in the same order,
/// comparing keys bytewise. A database that sorts text by Danish rules ("aa" is "å", after
/// "z"; case after letter) must not change what it finds: nothing, in an intact log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_what_is_wrong_and_only_that_whatever_the_database_collation() {
    use sqlx::Executor as _;
    let admin_url = gevinst_tests::postgres_admin_url();
    let name = format!("gevinst_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    admin
        .execute(
            format!(
                "CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu \
                 ICU_LOCALE 'da-DK' LOCALE 'C.UTF-8'"
            )
            .as_str(),
        )
        .await
        .unwrap();
    admin.close().await;
    let _cleanup = gevinst_tests::Cleanup::Postgres(name.clone());
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);

    let keys = [
        "aa-1", "Ab-2", "B-3", "z-4", "æ-5", "å-6", "Å-7", "b-8", "AA-9",
    ];
    // The database's own order of the keys is not the bytes' order.
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let danish: Vec<String> =
        sqlx::query_scalar("SELECT k FROM unnest($1::text[]) AS k ORDER BY k")
            .bind(keys)
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    let mut bytewise = danish.clone();
    bytewise.sort();
    assert_ne!(danish, bytewise, "the database should sort by Danish rules");

    let db = Db::open_and_migrate(&gevinst_store::StoreConfig::Postgres(url))
        .await
        .unwrap();
    let service = gevinst_projections::ProposalService::new(
        db.clone(),
        std::sync::Arc::new(gevinst_store::FixedClock::new(
            Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap(),
        )),
    );
    for id in ["BC01", "BC02"] {
        let p = proposal(id);
        service
            .execute(
                &p,
                ProposalCommand::RegisterProposal {
                    identity: examples::identity(id),
                },
                gevinst_tests::system(),
            )
            .await
            .unwrap();
        service
            .execute(
                &p,
                ProposalCommand::AdoptBaseline {
                    plan: examples::plan(),
                    source: None,
                },
                gevinst_tests::system(),
            )
            .await
            .unwrap();
        for (i, key) in keys.iter().enumerate() {
            let amount = -1 - i64::try_from(i).unwrap();
            service
                .execute(&p, saving_command(2025, amount), keyed(key))
                .await
                .unwrap();
        }
    }
    let report = verify(service.store()).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.commands, 2 * (2 + keys.len()), "{report}");

    // A command row removed where the two orders disagree is found as just that.
    let gone = danish
        .windows(2)
        .find(|w| w[1] < w[0])
        .map(|w| w[0].clone())
        .unwrap();
    db.execute_raw("ALTER TABLE command DISABLE TRIGGER USER")
        .await
        .unwrap();
    db.execute_raw(&format!(
        "DELETE FROM command WHERE stream_id = 'BC01' AND idempotency_key = '{gone}'"
    ))
    .await
    .unwrap();
    let report = verify(service.store()).await.unwrap();
    let found: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.stream_id.as_str(), p.kind.code()))
        .collect();
    assert_eq!(found, [("BC01", "command_missing")], "{report}");
    assert!(
        report.problems[0].what.contains(&format!("'{gone}'")),
        "{report}"
    );
    db.close().await;
}

/// A pooled PostgreSQL connection that the server ended while it lay idle is not handed out:
/// used a moment ago, a connection is taken to be alive without asking (one round trip less
/// per query); idle for longer than `ALIVE_WITHOUT_ASKING`, it is asked first and, gone, left
/// for another.
#[tokio::test]
async fn a_postgres_connection_ended_while_idle_is_not_handed_out() {
    use gevinst_tests::{postgres_admin_url, Backend};
    let t = TestStore::new(Backend::Postgres).await;
    let _keep = t.keep_alive();
    t.register_example("BC01").await;
    let url = t.database_url();
    let name = url.rsplit('/').next().expect("a database name");
    let admin = sqlx::PgPool::connect(&postgres_admin_url())
        .await
        .expect("connect as the test server's admin");
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = $1) AS ended",
    )
    .bind(name)
    .fetch_one(&admin)
    .await
    .expect("end the store's connections");
    admin.close().await;
    assert!(ended > 0, "the store's pool held connections to end");
    tokio::time::sleep(gevinst_store::ALIVE_WITHOUT_ASKING + std::time::Duration::from_millis(300))
        .await;
    let store = t.service.store();
    assert_eq!(
        store
            .last_position()
            .await
            .expect("read on a live connection"),
        2
    );
    assert_eq!(
        store
            .stream(PROPOSAL, "BC01")
            .await
            .expect("read again")
            .len(),
        2
    );
}
