//! The tamper test: sixteen ways to change stored history behind the application's back, each
//! on both backends, each on a fresh store holding the same small history. For each kind the
//! test says what `gevinst verify` reports (proposal, sequence and kind), or — for the three
//! kinds that leave the log consistent with itself — that plain `verify` cannot see it.
//!
//! Those three (the log's tail cut off, a forged append with recomputed hashes, a whole stream
//! rewritten with recomputed hashes) need an anchor outside the database. Their tests sign a
//! checkpoint of the genuine history first, show that plain `verify` passes after the tampering,
//! and that `verify --checkpoint` then detects the cut and the rewrite. A forged event appended
//! after the newest checkpoint is beyond what any checkpoint covers: `verify --checkpoint` names
//! those positions as not anchored (and `audit::verify_checkpoint_detects_a_forged_event_…`
//! shows a forged event in place of an anchored one detected).
//!
//! The history (positions in brackets):
//! BC01: 1 registered [1], 2 baseline [2], 3 saving key `a` [5], 4 saving key `c` [7];
//! BC02: 1 registered [3], 2 baseline [4], 3 saving key `b` [6].
//! Each command after the registrations is recorded an hour after the previous one.

use chrono::Duration;
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{IdempotencyKey, Role};
use gevinst_projections::{verify_log, PROPOSAL};
use gevinst_store::{verify, CommandRecord, Db, StoredEvent};
use gevinst_tests::{both_backends, meta, proposal, TestStore};

fn keyed(key: &str) -> gevinst_domain::EventMetadata {
    let mut m = meta("anna@kk.dk", Role::ProjectOwner);
    m.idempotency_key = Some(IdempotencyKey::parse(key).unwrap());
    m
}

/// The history above, verified clean.
async fn history(t: &TestStore) {
    t.register_example("BC01").await;
    t.register_example("BC02").await;
    for (p, key, amount) in [
        ("BC01", "a", -400),
        ("BC02", "b", -500),
        ("BC01", "c", -600),
    ] {
        t.clock.advance(Duration::hours(1));
        t.service
            .execute(
                &proposal(p),
                ProposalCommand::RecordSaving(examples::saving(2025, amount)),
                keyed(key),
            )
            .await
            .unwrap();
    }
    let report = verify_log(t.service.store()).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.events, report.commands), (7, 7));
}

/// Runs tampering statements with the guard off; each must touch exactly one row.
async fn tamper(t: &TestStore, statements: &[&str]) {
    t.unguard_history().await;
    for s in statements {
        assert_eq!(t.db.execute_raw(s).await.unwrap(), 1, "{s}");
    }
}

/// PostgreSQL's or SQLite's spelling of one statement.
fn per_backend<'a>(t: &TestStore, postgres: &'a str, sqlite: &'a str) -> &'a str {
    match t.db {
        Db::Postgres(_) => postgres,
        Db::Sqlite(_) => sqlite,
    }
}

/// What the full `verify` finds: (proposal, sequence, kind), sorted.
async fn found(t: &TestStore) -> Vec<(String, i64, &'static str)> {
    let report = verify_log(t.service.store()).await.unwrap();
    let mut found: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.stream_id.clone(), p.sequence, p.kind.code()))
        .collect();
    found.sort();
    found
}

async fn assert_found(t: &TestStore, expected: &[(&str, i64, &'static str)]) {
    let mut expected: Vec<_> = expected
        .iter()
        .map(|(s, n, k)| ((*s).to_string(), *n, *k))
        .collect();
    expected.sort();
    let report = verify_log(t.service.store()).await.unwrap();
    assert_eq!(found(t).await, expected, "{report}");
    // The auditor's command says the same and fails.
    let (code, out) = t.gevinst(&["verify"]).await;
    assert_eq!(code, 2, "{out}");
    for (stream, sequence, kind) in &expected {
        let place = if stream == "*" {
            format!("global rækkefølge ved position {sequence}: ")
        } else {
            format!("{stream} nr. {sequence}: ")
        };
        assert!(
            out.lines()
                .any(|l| l.contains(&place) && l.ends_with(&format!("[{kind}]"))),
            "{place} … [{kind}] not in:\n{out}"
        );
    }
}

/// Plain `verify` passes: only an outside anchor (`verify --checkpoint`) can show this kind.
async fn assert_only_a_checkpoint_sees_it(t: &TestStore, events: usize) {
    let report = verify_log(t.service.store()).await.unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.events, events);
    let (code, out) = t.gevinst(&["verify"]).await;
    assert_eq!(code, 0, "{out}");
}

/// A checkpoint of the log as it is now, signed with a key in `dir`, kept outside the store.
async fn anchor(t: &TestStore, dir: &std::path::Path) -> String {
    let cp = dir.join("checkpoint.txt").to_string_lossy().into_owned();
    let key = dir.join("log.key").to_string_lossy().into_owned();
    let (code, out) = t
        .gevinst(&["checkpoint", "--out", &cp, "--signing-key", &key])
        .await;
    assert_eq!(code, 0, "{out}");
    cp
}

/// The key signs nothing over the changed log (a checkpoint now would vouch for the change):
/// `gevinst checkpoint` with it fails, saying `says`, and stores nothing.
async fn assert_the_key_refuses(t: &TestStore, dir: &std::path::Path, says: &str) {
    let key = dir.join("log.key").to_string_lossy().into_owned();
    let stored = t.service.store().checkpoints(None).await.unwrap();
    let (code, out) = t.gevinst(&["checkpoint", "--signing-key", &key]).await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains(says), "{out}");
    assert_eq!(t.service.store().checkpoints(None).await.unwrap(), stored);
}

/// `gevinst verify --checkpoint` against the anchor: its exit code and output.
async fn verify_against(t: &TestStore, dir: &std::path::Path, cp: &str) -> (u8, String) {
    let key = dir.join("log.key").to_string_lossy().into_owned();
    t.gevinst(&["verify", "--checkpoint", cp, "--signing-key", &key])
        .await
}

/// Writes a row as the store would (the guard must be off to replace one).
async fn insert_event(db: &Db, e: &StoredEvent) {
    macro_rules! run {
        ($pool:expr, $sql:expr) => {
            sqlx::query($sql)
                .bind(e.position)
                .bind(e.event_id.to_string())
                .bind(&e.aggregate_type)
                .bind(&e.stream_id)
                .bind(e.sequence)
                .bind(&e.event_type)
                .bind(&e.event_version)
                .bind(e.payload.to_string())
                .bind(e.metadata.to_string())
                .bind(&e.actor)
                .bind(&e.role)
                .bind(e.effective_date)
                .bind(&e.idempotency_key)
                .bind(e.recorded_at)
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .execute($pool)
                .await
                .unwrap()
                .rows_affected()
        };
    }
    const COLUMNS: &str = "INSERT INTO event (position, event_id, aggregate_type, stream_id, \
        sequence, event_type, event_version, payload, metadata, actor, role, effective_date, \
        idempotency_key, recorded_at, prev_hash, hash) VALUES ";
    match db {
        Db::Postgres(pool) => run!(
            pool,
            &format!(
                "{COLUMNS}($1, $2::uuid, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, \
                 $12, $13, $14, $15, $16)"
            )
        ),
        Db::Sqlite(pool) => run!(
            pool,
            &format!(
                "{COLUMNS}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
            )
        ),
    };
}

async fn insert_command(db: &Db, c: &CommandRecord) {
    const SQL: &str = "INSERT INTO command (aggregate_type, stream_id, idempotency_key, \
        fingerprint, first_sequence, last_sequence, first_position, last_position, recorded_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    macro_rules! run {
        ($pool:expr) => {
            sqlx::query(SQL)
                .bind(&c.aggregate_type)
                .bind(&c.stream_id)
                .bind(&c.idempotency_key)
                .bind(&c.fingerprint)
                .bind(c.first_sequence)
                .bind(c.last_sequence)
                .bind(c.first_position)
                .bind(c.last_position)
                .bind(c.recorded_at)
                .execute($pool)
                .await
                .unwrap()
                .rows_affected()
        };
    }
    match db {
        Db::Postgres(pool) => run!(pool),
        Db::Sqlite(pool) => run!(pool),
    };
}

/// Replaces stored rows by `rewritten`, every hash of the stream recomputed from its first
/// changed event on: the consistent rewrite an attacker with write access can do.
async fn rewrite_stream(t: &TestStore, stream: &str, change: impl Fn(&mut StoredEvent)) {
    let mut events = t.service.store().stream(PROPOSAL, stream).await.unwrap();
    t.unguard_history().await;
    let mut prev = gevinst_domain::chain::GENESIS_HASH.to_string();
    for e in &mut events {
        change(e);
        e.prev_hash = prev.clone();
        e.hash = e.computed_hash();
        prev = e.hash.clone();
        t.db.execute_raw(&format!(
            "DELETE FROM event WHERE position = {}",
            e.position
        ))
        .await
        .unwrap();
        insert_event(&t.db, e).await;
    }
}

// 1–9: one field changed on BC01's saving (sequence 3, position 5).

both_backends!(payload_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &[per_backend(
            &t,
            "UPDATE event SET payload = jsonb_set(payload, '{SavingRealised,amount}', '\"-999\"') \
             WHERE position = 5",
            "UPDATE event SET payload = json_set(payload, '$.SavingRealised.amount', '-999') \
             WHERE position = 5",
        )],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "hash_mismatch")]).await;
});

both_backends!(metadata_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &[per_backend(
            &t,
            "UPDATE event SET metadata = jsonb_set(metadata, '{reason}', '\"backdated\"') \
             WHERE position = 5",
            "UPDATE event SET metadata = json_set(metadata, '$.reason', 'backdated') \
             WHERE position = 5",
        )],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "hash_mismatch")]).await;
});

both_backends!(recorded_at_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &[
            "UPDATE event SET recorded_at = (SELECT recorded_at FROM event WHERE position = 1) \
           WHERE position = 5",
        ],
    )
    .await;
    assert_found(
        &t,
        &[
            ("BC01", 3, "hash_mismatch"),
            ("BC01", 3, "command_mismatch"),
        ],
    )
    .await;
});

both_backends!(event_type_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET event_type = 'SavingVerified' WHERE position = 5"],
    )
    .await;
    assert_found(
        &t,
        &[("BC01", 3, "hash_mismatch"), ("BC01", 3, "unreadable")],
    )
    .await;
});

/// A row that is not what it says (its type or version changed) is read by nobody: `verify`
/// reports it, and the projector and the command path refuse it with the same words, rather
/// than projecting it or deciding a command on it.
async fn refused_everywhere(t: &TestStore, statement: &str, says: &str) {
    history(t).await;
    tamper(t, &[statement]).await;
    let found = found(t).await;
    assert!(
        found.contains(&("BC01".to_string(), 4, "unreadable")),
        "{found:?}"
    );
    let rebuilt = t.service.projector().rebuild_with(&|_| {}).await;
    let error = rebuilt
        .expect_err("the projector refuses the row")
        .to_string();
    assert!(error.contains(says), "{error}");
    // A service that has not met BC01 yet (a process started after the tampering).
    let fresh = gevinst_projections::ProposalService::new(t.db.clone(), t.clock.clone());
    let refused = fresh
        .execute(
            &proposal("BC01"),
            ProposalCommand::RecordSaving(examples::saving(2025, -1)),
            keyed("after-the-tampering"),
        )
        .await
        .expect_err("the command path refuses the row")
        .to_string();
    assert!(refused.contains(says), "{refused}");
}

both_backends!(
    a_row_of_another_type_is_refused_everywhere,
    |t: TestStore| async move {
        refused_everywhere(
            &t,
            "UPDATE event SET event_type = 'SavingVerified' WHERE position = 7",
            "the payload is a SavingRealised v2 event, the row says SavingVerified v2",
        )
        .await;
    }
);

both_backends!(
    a_row_of_a_later_version_is_refused_everywhere,
    |t: TestStore| async move {
        refused_everywhere(
            &t,
            "UPDATE event SET event_version = '9' WHERE position = 7",
            "the payload is a SavingRealised v2 event, the row says SavingRealised v9",
        )
        .await;
    }
);

both_backends!(event_id_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET event_id = '00000000-0000-4000-8000-000000000099' WHERE position = 5"],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "hash_mismatch")]).await;
});

both_backends!(actor_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET actor = 'mallory' WHERE position = 5"],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "column_mismatch")]).await;
    let (_, out) = t.gevinst(&["verify"]).await;
    assert!(
        out.contains(
            "BC01 nr. 3: de gemte kolonner siger noget andet end den hashede hændelse: \
             actor 'mallory' (metadata: 'anna@kk.dk') [column_mismatch]"
        ),
        "{out}"
    );
    // The HTTP API names the kind too.
    let app = t.spawn_app().await;
    let json: serde_json::Value = gevinst_tests::get(app.url("/api/verify"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(
        json["problems"][0],
        serde_json::json!({
            "proposal": "BC01", "sequence": 3, "kind": "column_mismatch",
            "what": "de gemte kolonner siger noget andet end den hashede hændelse: actor 'mallory' (metadata: 'anna@kk.dk')",
        })
    );
});

both_backends!(role_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET role = 'controller' WHERE position = 5"],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "column_mismatch")]).await;
});

both_backends!(effective_date_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET effective_date = '2024-01-01' WHERE position = 5"],
    )
    .await;
    assert_found(&t, &[("BC01", 3, "column_mismatch")]).await;
});

both_backends!(idempotency_key_changed, |t: TestStore| async move {
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET idempotency_key = 'forged' WHERE position = 5"],
    )
    .await;
    assert_found(
        &t,
        &[
            ("BC01", 3, "column_mismatch"),
            ("BC01", 3, "command_mismatch"),
            ("BC01", 3, "command_missing"),
        ],
    )
    .await;
});

// 10–13: rows removed or moved.

both_backends!(middle_event_deleted, |t: TestStore| async move {
    history(&t).await;
    tamper(&t, &["DELETE FROM event WHERE position = 4"]).await;
    assert_found(
        &t,
        &[
            ("BC02", 2, "sequence_gap"),
            ("BC02", 2, "command_mismatch"),
            ("*", 4, "position_gap"),
        ],
    )
    .await;
});

both_backends!(stream_tail_deleted, |t: TestStore| async move {
    history(&t).await;
    // BC02's last event and its command row: the stream's chain is whole again, but a later
    // event (position 7) shows the hole in the global order.
    tamper(
        &t,
        &[
            "DELETE FROM event WHERE position = 6",
            "DELETE FROM command WHERE stream_id = 'BC02' AND idempotency_key = 'b'",
        ],
    )
    .await;
    assert_found(&t, &[("*", 6, "position_gap")]).await;
});

both_backends!(log_truncated, |t: TestStore| async move {
    history(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let cp = anchor(&t, dir.path()).await;
    // The log's last command removed with its command row: what remains is a complete,
    // consistent log of six events. Only `verify --checkpoint` against a head recorded
    // elsewhere sees that position 7 existed.
    tamper(
        &t,
        &[
            "DELETE FROM event WHERE position = 7",
            "DELETE FROM command WHERE stream_id = 'BC01' AND idempotency_key = 'c'",
        ],
    )
    .await;
    assert_only_a_checkpoint_sees_it(&t, 6).await;
    let (code, out) = verify_against(&t, dir.path(), &cp).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("afkortet ved position 7"), "{out}");
    assert_the_key_refuses(
        &t,
        dir.path(),
        "et checkpoint dækker de første 7 hændelser, men loggen rummer nu kun 6",
    )
    .await;
});

both_backends!(events_reordered, |t: TestStore| async move {
    history(&t).await;
    // BC01's two savings swap places in the stream.
    tamper(
        &t,
        &[
            "UPDATE event SET sequence = 1000 WHERE position = 5",
            "UPDATE event SET sequence = 3 WHERE position = 7",
            "UPDATE event SET sequence = 4 WHERE position = 5",
        ],
    )
    .await;
    assert_found(
        &t,
        &[
            ("BC01", 3, "chain_break"),
            ("BC01", 3, "command_mismatch"),
            ("BC01", 4, "command_mismatch"),
        ],
    )
    .await;
});

both_backends!(
    log_tail_deleted_without_its_command,
    |t: TestStore| async move {
        history(&t).await;
        // The log's last event removed but its command row left: unlike `log_truncated`, the
        // command table still names position 7, and plain `verify` sees it (the log did not grow
        // while it ran, so a command beyond the events it read is not a concurrent append).
        tamper(&t, &["DELETE FROM event WHERE position = 7"]).await;
        assert_found(&t, &[("BC01", 4, "command_mismatch")]).await;
    }
);

// 14–15: consistent forgeries.

both_backends!(forged_append, |t: TestStore| async move {
    history(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let cp = anchor(&t, dir.path()).await;
    // A fifth BC01 event with a correct hash and a matching command row, written straight into
    // the tables. Only `verify --checkpoint` sees that the head moved without the application.
    let store = t.service.store();
    let last = store.stream(PROPOSAL, "BC01").await.unwrap().pop().unwrap();
    let mut forged = last.clone();
    forged.position = 8;
    forged.sequence = 5;
    forged.event_id = uuid::Uuid::new_v4();
    forged.payload["SavingRealised"]["amount"] = "-9999".into();
    forged.metadata["idempotency_key"] = "forged".into();
    forged.idempotency_key = "forged".into();
    forged.recorded_at = last.recorded_at + Duration::hours(1);
    forged.prev_hash = last.hash.clone();
    forged.hash = forged.computed_hash();
    let mut command = store.command(PROPOSAL, "BC01", "c").await.unwrap().unwrap();
    command.idempotency_key = "forged".into();
    (command.first_sequence, command.last_sequence) = (5, 5);
    (command.first_position, command.last_position) = (8, 8);
    command.recorded_at = forged.recorded_at;
    insert_event(&t.db, &forged).await;
    insert_command(&t.db, &command).await;
    assert_only_a_checkpoint_sees_it(&t, 8).await;
    // No checkpoint covers what came after it: the check says so instead of vouching for it.
    let (_, out) = verify_against(&t, dir.path(), &cp).await;
    assert!(
        out.contains("position 8..8 er tilføjet efter det nyeste signerede checkpoint"),
        "{out}"
    );
});

both_backends!(stream_rewritten_consistently, |t: TestStore| async move {
    history(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let cp = anchor(&t, dir.path()).await;
    // BC02 rewritten from its first event on: another title, another saving, every hash
    // recomputed. Only `verify --checkpoint` sees that the head's hashes changed.
    rewrite_stream(&t, "BC02", |e| {
        if let Some(title) = e.payload.pointer_mut("/ProposalRegistered/identity/title") {
            *title = "Forged title".into();
        }
        if let Some(amount) = e.payload.pointer_mut("/SavingRealised/amount") {
            *amount = "-1".into();
        }
    })
    .await;
    let events = t.service.store().stream(PROPOSAL, "BC02").await.unwrap();
    assert_eq!(
        events[0].payload["ProposalRegistered"]["identity"]["title"],
        "Forged title"
    );
    assert_eq!(events[2].payload["SavingRealised"]["amount"], "-1");
    assert_only_a_checkpoint_sees_it(&t, 7).await;
    let (code, out) = verify_against(&t, dir.path(), &cp).await;
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("omskrevet ved position"), "{out}");
    // With one checkpoint the change is narrowed down to the range it covered.
    assert!(out.contains("BC02"), "{out}");
    // The log grows past the checkpoint: a larger tree that does not begin with it.
    t.service
        .execute(
            &proposal("BC01"),
            ProposalCommand::RecordSaving(examples::saving(2025, -700)),
            keyed("d"),
        )
        .await
        .unwrap();
    assert_the_key_refuses(
        &t,
        dir.path(),
        "checkpointet for de første 7 hændelser har roden",
    )
    .await;
});

// 16: the command table.

both_backends!(command_table_edited, |t: TestStore| async move {
    history(&t).await;
    // A changed fingerprint and range, a removed row and a forged row.
    tamper(
        &t,
        &[
            "UPDATE command SET fingerprint = 'x', last_sequence = 4, last_position = 6 \
             WHERE stream_id = 'BC01' AND idempotency_key = 'a'",
            "DELETE FROM command WHERE stream_id = 'BC02' AND idempotency_key = 'b'",
        ],
    )
    .await;
    let mut forged = t
        .service
        .store()
        .command(PROPOSAL, "BC01", "c")
        .await
        .unwrap()
        .unwrap();
    forged.idempotency_key = "ghost".into();
    (forged.first_sequence, forged.last_sequence) = (9, 9);
    insert_command(&t.db, &forged).await;
    assert_found(
        &t,
        &[
            ("BC01", 3, "command_mismatch"),
            ("BC02", 3, "command_missing"),
            ("BC01", 9, "command_mismatch"),
        ],
    )
    .await;
});

// Beyond the sixteen: what only the domain knows.

both_backends!(aggregate_type_changed, |t: TestStore| async move {
    history(&t).await;
    // Every BC02 row moved to another aggregate type, with its command rows: the store's own
    // checks see a consistent log; the full verify knows every row must be a proposal.
    tamper(
        &t,
        &[
            "UPDATE event SET aggregate_type = 'other' WHERE position = 3",
            "UPDATE event SET aggregate_type = 'other' WHERE position = 4",
            "UPDATE event SET aggregate_type = 'other' WHERE position = 6",
        ],
    )
    .await;
    t.db.execute_raw("UPDATE command SET aggregate_type = 'other' WHERE stream_id = 'BC02'")
        .await
        .unwrap();
    assert!(verify(t.service.store()).await.unwrap().is_ok());
    assert_found(
        &t,
        &[
            ("BC02", 1, "column_mismatch"),
            ("BC02", 2, "column_mismatch"),
            ("BC02", 3, "column_mismatch"),
        ],
    )
    .await;
});

both_backends!(an_unreadable_event_is_reported, |t: TestStore| async move {
    history(&t).await;
    // A payload this version cannot decode, hashed correctly: the chain is intact, but replaying
    // BC02 would fail, so verify must not pass.
    rewrite_stream(&t, "BC02", |e| {
        if e.sequence == 3 {
            e.payload = serde_json::json!({"SavingRealised": {"amount": "a lot"}});
        }
    })
    .await;
    assert!(verify(t.service.store()).await.unwrap().is_ok());
    assert_found(&t, &[("BC02", 3, "unreadable")]).await;
});

/// A row whose stored fields cannot even be parsed (SQLite keeps the event id as text; a
/// PostgreSQL `uuid` column cannot hold this) is reported, not a reason for `verify` to fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unparsable_row_is_reported_sqlite() {
    let t = TestStore::new(gevinst_tests::Backend::Sqlite).await;
    let _keep = t.keep_alive();
    history(&t).await;
    tamper(
        &t,
        &["UPDATE event SET event_id = 'not-a-uuid' WHERE position = 5"],
    )
    .await;
    let report = verify_log(t.service.store()).await.unwrap();
    let p = &report.problems[0];
    assert_eq!(
        (p.stream_id.as_str(), p.sequence, p.kind.code()),
        ("BC01", 3, "unreadable"),
        "{report}"
    );
    assert!(p.what.contains("event_id"), "{report}");
    assert_found(
        &t,
        &[
            ("BC01", 3, "unreadable"),
            // Its command's event can no longer be read either.
            ("BC01", 3, "command_mismatch"),
        ],
    )
    .await;
}
