//! The verifiable log end to end, on both backends: signed checkpoints, `gevinst verify
//! --checkpoint` against the three kinds of tampering a hash chain cannot see (truncation of the
//! log's end, a forged event with a recomputed hash, a stream rewritten consistently), command
//! receipts, the proof endpoints, and `gevinst audit export` checked by the offline verifier's
//! library (its binary is run on exports in `verifier/tests/offline.rs`).
//!
//! To tamper, tests disable the append-only triggers as `store.rs` does, then write rows whose
//! hash chains they recompute, so plain `gevinst verify` finds nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gevinst_domain::chain::format_recorded_at;
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{IdempotencyKey, Role};
use gevinst_store::{Db, StoreError, StoredEvent};
use gevinst_tests::{both_backends, meta, proposal, TestStore};
use gevinst_verify::{merkle, Checkpoint, NoteSigner, NoteVerifier};

fn key_path(dir: &Path) -> String {
    dir.join("log.key").display().to_string()
}

/// `gevinst audit export EXPORT` with the key in `dir`: its exit code and output.
async fn audit_export(t: &TestStore, dir: &Path, export: &Path) -> (u8, String) {
    t.gevinst(&[
        "audit",
        "export",
        &export.display().to_string(),
        "--signing-key",
        &key_path(dir),
    ])
    .await
}

/// `gevinst checkpoint` with the key in `dir`, writing the note to `dir/NAME`.
async fn checkpoint(t: &TestStore, dir: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    let (code, text) = t
        .gevinst(&[
            "checkpoint",
            "--signing-key",
            &key_path(dir),
            "--out",
            &out.display().to_string(),
        ])
        .await;
    assert_eq!(code, 0, "{text}");
    out
}

async fn verify_against(t: &TestStore, dir: &Path, cp: &Path) -> (u8, String) {
    t.gevinst(&[
        "verify",
        "--checkpoint",
        &cp.display().to_string(),
        "--signing-key",
        &key_path(dir),
    ])
    .await
}

async fn record_saving(t: &TestStore, id: &str, key: &str) {
    let mut m = meta("anna@kk.dk", Role::ProjectOwner);
    m.idempotency_key = Some(IdempotencyKey::parse(key).unwrap());
    t.service
        .execute(
            &proposal(id),
            ProposalCommand::RecordSaving(examples::saving(2025, -400)),
            m,
        )
        .await
        .unwrap();
}

async fn tamper(t: &TestStore, sql: &[String]) {
    t.unguard_history().await;
    for s in sql {
        t.db.execute_raw(s).await.unwrap();
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// SQL that writes `e` as the row at its position, every column a literal.
fn insert_sql(db: &Db, e: &StoredEvent) -> String {
    let (json, uuid, time) = match db {
        Db::Postgres(_) => ("::jsonb", "::uuid", "::timestamptz"),
        Db::Sqlite(_) => ("", "", ""),
    };
    format!(
        "INSERT INTO event (position, event_id, aggregate_type, stream_id, sequence, event_type, \
         event_version, payload, metadata, actor, role, effective_date, idempotency_key, \
         recorded_at, prev_hash, hash) VALUES ({}, {}{uuid}, {}, {}, {}, {}, {}, {}{json}, \
         {}{json}, {}, {}, NULL, {}, {}{time}, {}, {})",
        e.position,
        quote(&e.event_id.to_string()),
        quote(&e.aggregate_type),
        quote(&e.stream_id),
        e.sequence,
        quote(&e.event_type),
        quote(&e.event_version),
        quote(&e.payload.to_string()),
        quote(&e.metadata.to_string()),
        quote(&e.actor),
        quote(&e.role),
        quote(&e.idempotency_key),
        quote(&format_recorded_at(e.recorded_at)),
        quote(&e.prev_hash),
        quote(&e.hash),
    )
}

/// A forged copy of `e`: changed metadata, its hash recomputed.
fn forged(mut e: StoredEvent) -> StoredEvent {
    e.metadata["reason"] = "forged".into();
    // A careful forger keeps the denormalised columns in step with the hashed metadata, which
    // plain `verify` checks: the row is inserted without an effective date, so none is hashed.
    if let Some(m) = e.metadata.as_object_mut() {
        m.remove(gevinst_domain::metadata::keys::EFFECTIVE_DATE);
    }
    e.event_id = uuid::Uuid::new_v4();
    e.effective_date = None;
    e.hash = e.computed_hash();
    e
}

async fn last_event(t: &TestStore) -> StoredEvent {
    let last = t.service.store().last_position().await.unwrap();
    t.service
        .store()
        .after_position(last - 1, 1)
        .await
        .unwrap()
        .remove(0)
}

both_backends!(
    a_checkpoint_anchors_the_log_and_the_table_is_append_only,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        let cp = checkpoint(&t, dir.path(), "cp.txt").await;
        let size = t.service.store().last_position().await.unwrap();
        let note = std::fs::read_to_string(&cp).unwrap();
        assert!(
            note.starts_with(&format!("gevinst.kk.dk/log\n{size}\n")),
            "{note}"
        );
        assert!(note.contains("\n\n— gevinst.kk.dk/log "), "{note}");
        let (code, out) = verify_against(&t, dir.path(), &cp).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains(&format!(
                "i orden: loggen rummer stadig præcis de {size} hændelser"
            )),
            "{out}"
        );
        // Growing the log keeps it consistent with the old checkpoint.
        record_saving(&t, "BC01", "more").await;
        let (code, out) = verify_against(&t, dir.path(), &cp).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains(&format!("fra størrelse {size} til {}", size + 1)),
            "{out}"
        );
        // A checkpoint signed by another key is refused.
        let (code, out) = t
            .gevinst(&[
                "verify",
                "--checkpoint",
                &cp.display().to_string(),
                "--public-key",
                &NoteSigner::from_seed("gevinst.kk.dk/log", [9; 32])
                    .unwrap()
                    .verifier()
                    .to_vkey(),
            ])
            .await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("ugyldig signatur"), "{out}");
        // The table refuses changes.
        for sql in [
            "UPDATE checkpoint SET tree_size = 1",
            "DELETE FROM checkpoint",
        ] {
            let refused = t.db.execute_raw(sql).await;
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.to_string().contains("append-only")),
                "{sql}: {refused:?}"
            );
        }
    }
);

both_backends!(
    verify_checkpoint_detects_a_truncated_log,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        record_saving(&t, "BC02", "last").await;
        let cp = checkpoint(&t, dir.path(), "cp.txt").await;
        let size = t.service.store().last_position().await.unwrap();
        // The event and its command row go together, so the log is consistent in itself.
        tamper(
            &t,
            &[
                format!("DELETE FROM event WHERE position = {size}"),
                format!("DELETE FROM command WHERE first_position = {size}"),
            ],
        )
        .await;
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "the hash chains alone cannot see it: {out}");
        let (code, out) = verify_against(&t, dir.path(), &cp).await;
        assert_eq!(code, 2, "{out}");
        assert!(
            // With its command row gone too, nothing left in the store names the proposal.
            out.contains(&format!("afkortet ved position {size}:")),
            "{out}"
        );
        assert!(out.contains("hændelser er fjernet fra dens ende"), "{out}");
    }
);

both_backends!(
    verify_checkpoint_detects_a_forged_event_with_a_recomputed_hash,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        checkpoint(&t, dir.path(), "before.txt").await;
        record_saving(&t, "BC02", "genuine").await;
        let cp = checkpoint(&t, dir.path(), "cp.txt").await;
        // The genuine last event is replaced by a forged one, chained and hashed correctly.
        let genuine = last_event(&t).await;
        let position = genuine.position;
        let fake = forged(genuine);
        tamper(
            &t,
            &[
                format!("DELETE FROM event WHERE position = {position}"),
                insert_sql(&t.db, &fake),
            ],
        )
        .await;
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "the hash chains alone cannot see it: {out}");
        let (code, out) = verify_against(&t, dir.path(), &cp).await;
        assert_eq!(code, 2, "{out}");
        assert!(
            out.contains(&format!("omskrevet ved position {position} (forslag BC02)")),
            "{out}"
        );
        // A forged event appended after the newest checkpoint is not covered by any: the
        // report says so (it cannot prove more), and the next checkpoint would include it.
        let mut beyond = forged(last_event(&t).await);
        beyond.position += 1;
        beyond.sequence += 1;
        beyond.prev_hash = fake.hash.clone();
        beyond.hash = beyond.computed_hash();
        tamper(&t, &[insert_sql(&t.db, &beyond)]).await;
        let (_, out) = verify_against(&t, dir.path(), &cp).await;
        assert!(
            out.contains(&format!(
                "bemærk: position {0}..{0} er tilføjet efter det nyeste signerede checkpoint",
                position + 1
            )),
            "{out}"
        );
    }
);

both_backends!(
    verify_checkpoint_detects_a_consistently_rewritten_stream,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        let first = checkpoint(&t, dir.path(), "first.txt").await;
        record_saving(&t, "BC05", "later").await;
        // Rewrite BC01 from its first event on, recomputing every hash of the stream.
        let stream = t.service.store().stream("proposal", "BC01").await.unwrap();
        let mut prev = gevinst_domain::chain::GENESIS_HASH.to_string();
        let mut sql = Vec::new();
        for (i, mut e) in stream.into_iter().enumerate() {
            if i == 0 {
                e.metadata["reason"] = "rewritten".into();
            }
            e.prev_hash = prev.clone();
            e.hash = e.computed_hash();
            prev = e.hash.clone();
            sql.push(format!(
                "UPDATE event SET metadata = {}{}, prev_hash = '{}', hash = '{}' \
                 WHERE position = {}",
                quote(&e.metadata.to_string()),
                if matches!(t.db, Db::Postgres(_)) {
                    "::jsonb"
                } else {
                    ""
                },
                e.prev_hash,
                e.hash,
                e.position
            ));
        }
        tamper(&t, &sql).await;
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "the hash chains alone cannot see it: {out}");
        let (code, out) = verify_against(&t, dir.path(), &first).await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("omskrevet ved position"), "{out}");
        assert!(out.contains("BC01"), "{out}");
        assert!(
            out.contains("også selv om dens hashkæde er regnet om"),
            "{out}"
        );
    }
);

/// The leaves of the log as stored, read afresh (as the offline verifier would).
async fn leaves_of(store: &gevinst_store::EventStore) -> Vec<gevinst_verify::Hash> {
    store
        .leaves()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.leaf)
        .collect()
}

both_backends!(
    each_command_gets_a_signed_checkpoint_as_receipt,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let signer = Arc::new(NoteSigner::from_seed("gevinst.kk.dk/log", [3; 32]).unwrap());
        let service = t.service.clone().with_signer(signer.clone());
        let mut m = meta("anna@kk.dk", Role::ProjectOwner);
        m.idempotency_key = Some(IdempotencyKey::parse("r-1").unwrap());
        let command = || ProposalCommand::RecordSaving(examples::saving(2025, -400));
        let outcome = service
            .execute(&proposal("BC01"), command(), m.clone())
            .await
            .unwrap();
        let receipt = outcome.receipt.expect("a receipt");
        let c = Checkpoint::open(&receipt, &signer.verifier()).unwrap();
        assert_eq!(c.size, 3);
        let leaves = leaves_of(t.service.store()).await;
        assert_eq!(c.root, merkle::root(&leaves));
        // The retry gets the stored outcome with the same receipt (the log did not grow).
        let again = service
            .execute(&proposal("BC01"), command(), m)
            .await
            .unwrap();
        assert!(again.replayed);
        assert_eq!(again.receipt.as_deref(), Some(receipt.as_str()));
        // Without a key there is no receipt.
        t.register_example("BC02").await;
        let stored = t.service.store().checkpoints(None).await.unwrap();
        assert_eq!(stored.len(), 1, "only the signed command left a checkpoint");
    }
);

both_backends!(
    commands_answered_together_get_receipts_that_cover_each_of_them,
    |t: TestStore| async move {
        let ids = [
            "BC01", "BC02", "BC03", "BC04", "BC05", "BC07", "BC09", "BC14",
        ];
        for id in ids {
            t.register_example(id).await;
        }
        let signer = Arc::new(NoteSigner::from_seed("gevinst.kk.dk/log", [5; 32]).unwrap());
        let service = t.service.clone().with_signer(signer.clone());
        // Eight writers at once, each on its own proposal, three commands each.
        let mut sent = tokio::task::JoinSet::new();
        for id in ids {
            let service = service.clone();
            sent.spawn(async move {
                let mut outcomes = Vec::new();
                for round in 0..3 {
                    let mut m = meta("anna@kk.dk", Role::ProjectOwner);
                    m.idempotency_key =
                        Some(IdempotencyKey::parse(&format!("together-{id}-{round}")).unwrap());
                    let command = ProposalCommand::RecordSaving(examples::saving(2025, -1));
                    outcomes.push(service.execute(&proposal(id), command, m).await.unwrap());
                }
                outcomes
            });
        }
        let mut outcomes = Vec::new();
        while let Some(done) = sent.join_next().await {
            outcomes.extend(done.unwrap());
        }
        let leaves = leaves_of(t.service.store()).await;
        let stored = t.service.store().checkpoints(None).await.unwrap();
        let mut answered = 0;
        for outcome in outcomes {
            let note = outcome.receipt.expect("a receipt");
            // Every receipt handed out is stored.
            assert!(stored.iter().any(|c| c.note == note), "{note}");
            let c = Checkpoint::open(&note, &signer.verifier()).unwrap();
            // The receipt covers the command's events, and it is the log as it was at its size.
            let size = usize::try_from(c.size).unwrap();
            assert!(c.size >= u64::try_from(outcome.last_position).unwrap());
            assert_eq!(
                c.root,
                merkle::root(&leaves[..size]),
                "receipt of size {size}"
            );
            answered += 1;
        }
        assert_eq!(answered, 3 * ids.len());
        assert!(
            !stored.is_empty() && stored.len() <= answered,
            "{}",
            stored.len()
        );
    }
);

both_backends!(
    an_append_stores_its_receipt_in_its_own_transaction_and_signs_the_log_as_it_is,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let signer = Arc::new(NoteSigner::from_seed("gevinst.kk.dk/log", [6; 32]).unwrap());
        let store = t.service.store().clone();
        let fresh_root = || {
            let store = store.clone();
            async move { merkle::root(&leaves_of(&store).await) }
        };
        // Signed with the append: the receipt is the log just after it, and it is stored.
        let signed = |key: &'static str| {
            let (t, store, signer) = (&t, store.clone(), signer.clone());
            async move {
                let events = t.next_copy("BC01", key).await;
                let appended = store
                    .append_signed(&events, None, Some(signer))
                    .await
                    .unwrap();
                let receipt = appended.receipt.expect("a receipt from the append");
                assert_eq!(receipt.tree_size, appended.record.last_position, "{key}");
                receipt
            }
        };
        let first = signed("signed-1").await;
        assert_eq!(first.root_hash, hex::encode(fresh_root().await));
        let stored = store.checkpoints(None).await.unwrap();
        assert_eq!(stored, std::slice::from_ref(&first));
        // An append this process did not sign for (as another process's would be): the next
        // receipt covers it too.
        store
            .append_with(&t.next_copy("BC01", "unsigned").await, None)
            .await
            .unwrap();
        let second = signed("signed-2").await;
        assert_eq!(second.root_hash, hex::encode(fresh_root().await));
        // The log's last event changed behind the process's back, one the second receipt
        // covered: the process reads the log again, finds it does not begin with what it
        // signed, and signs nothing over it (a receipt now would vouch for the change). The
        // append itself is stored, without a receipt.
        t.unguard_history().await;
        t.db.execute_raw(
            "UPDATE event SET hash = CASE WHEN substr(hash, 1, 2) = 'ab' THEN 'cd' ELSE 'ab' END || substr(hash, 3) \
             WHERE position = (SELECT MAX(position) FROM event)",
        )
        .await
        .unwrap();
        let changed_root = fresh_root().await;
        let unsigned = store
            .append_signed(
                &t.next_copy("BC01", "signed-3").await,
                None,
                Some(signer.clone()),
            )
            .await
            .unwrap();
        assert!(unsigned.receipt.is_none());
        assert_eq!(unsigned.record.last_position, second.tree_size + 1);
        assert_eq!(
            store.checkpoints(None).await.unwrap(),
            [first, second.clone()]
        );
        let refused = gevinst_store::sign_checkpoint(&store, &signer).await;
        match refused {
            Err(StoreError::Forked {
                size,
                signed_root,
                log_root,
            }) => {
                assert_eq!((size, signed_root), (second.tree_size, second.root_hash));
                assert_eq!(log_root, hex::encode(changed_root));
            }
            other => panic!("expected Forked, got {other:?}"),
        }
        // Cut back below the second receipt: the same, as a shortened log.
        t.db.execute_raw("DELETE FROM event WHERE position >= 3")
            .await
            .unwrap();
        let cut = gevinst_store::sign_checkpoint(&store, &signer).await;
        assert!(
            matches!(cut, Err(StoreError::Shortened { size, log_size: 2 }) if size == second.tree_size),
            "{cut:?}"
        );
    }
);

both_backends!(
    proofs_and_the_latest_checkpoint_over_http,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        let base = t.spawn_app().await.base;
        let none = gevinst_tests::get(format!("{base}/api/checkpoint"))
            .await
            .unwrap();
        assert_eq!(none.status(), 404);
        assert_eq!(none.headers()["content-type"], "application/problem+json");
        checkpoint(&t, dir.path(), "cp.txt").await;
        let response = gevinst_tests::get(format!("{base}/api/checkpoint"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let note = response.text().await.unwrap();
        let (_, vkey) = t
            .gevinst(&[
                "checkpoint",
                "public-key",
                "--signing-key",
                &key_path(dir.path()),
            ])
            .await;
        let verifier = NoteVerifier::parse(&vkey).unwrap();
        let c = Checkpoint::open(&note, &verifier).unwrap();
        record_saving(&t, "BC01", "after").await;

        let hash = |v: &serde_json::Value| -> merkle::Hash {
            hex::decode(v.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        };
        let proof = |v: &serde_json::Value| -> Vec<merkle::Hash> {
            v.as_array().unwrap().iter().map(hash).collect()
        };
        // Event 5 is in the tree the checkpoint signed.
        let url = format!(
            "{base}/api/proofs/inclusion?position=5&tree_size={}",
            c.size
        );
        let body: serde_json::Value = gevinst_tests::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(body["root_hash"], hex::encode(c.root));
        let event_hash = body["event_hash"].as_str().unwrap();
        let leaf = gevinst_verify::event_leaf(event_hash).unwrap();
        merkle::verify_inclusion(&leaf, 4, c.size, &proof(&body["proof"]), &c.root).unwrap();
        assert!(
            merkle::verify_inclusion(&leaf, 5, c.size, &proof(&body["proof"]), &c.root).is_err()
        );
        // The log now extends the signed tree.
        let url = format!("{base}/api/proofs/consistency?from={}", c.size);
        let body: serde_json::Value = gevinst_tests::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(body["to"], c.size + 1);
        merkle::verify_consistency(
            c.size,
            c.size + 1,
            &proof(&body["proof"]),
            &c.root,
            &hash(&body["to_root"]),
        )
        .unwrap();
        assert_eq!(body["from_root"], hex::encode(c.root));
        // The last event is in the whole log's tree, whose root the consistency proof gave.
        let url = format!("{base}/api/proofs/inclusion?position={}", c.size + 1);
        let last: serde_json::Value = gevinst_tests::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(last["tree_size"], c.size + 1);
        assert_eq!(last["root_hash"], body["to_root"]);
        let leaf = gevinst_verify::event_leaf(last["event_hash"].as_str().unwrap()).unwrap();
        merkle::verify_inclusion(
            &leaf,
            c.size,
            c.size + 1,
            &proof(&last["proof"]),
            &hash(&body["to_root"]),
        )
        .unwrap();
        // Bad input is a problem+json, never a 500.
        for (query, status) in [
            ("inclusion?position=0", 400),
            ("inclusion?position=abc", 400),
            ("inclusion", 400),
            ("inclusion?position=1&tree_size=99999", 404),
            ("consistency?from=9&to=3", 400),
        ] {
            let r = gevinst_tests::get(format!("{base}/api/proofs/{query}"))
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{query}");
            assert_eq!(
                r.headers()["content-type"],
                "application/problem+json",
                "{query}"
            );
        }
    }
);

both_backends!(
    an_audit_export_verifies_offline_and_a_tampered_one_fails,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.import_budget_2025().await;
        checkpoint(&t, dir.path(), "cp.txt").await;
        record_saving(&t, "BC05", "export").await;
        let export = dir.path().join("export");
        let (code, out) = audit_export(&t, dir.path(), &export).await;
        assert_eq!(code, 0, "{out}");
        let size = t.service.store().last_position().await.unwrap();
        assert!(
            out.contains(&format!(
                "eksporterede {size} hændelser og 2 signerede checkpoints"
            )),
            "{out}"
        );
        let report = gevinst_verify::export::verify_dir(&export, None).unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!(report.events, size as u64);
        assert_eq!(report.checkpoints, vec![size as u64 - 1, size as u64]);

        // A changed amount in the export.
        let events_file = export.join("events.jsonl");
        let original = std::fs::read_to_string(&events_file).unwrap();
        let lines: Vec<&str> = original.lines().collect();
        let last = lines.last().unwrap();
        assert!(last.contains("\"-400\""), "{last}");
        let changed = original.replacen(last, &last.replace("\"-400\"", "\"-4000\""), 1);
        std::fs::write(&events_file, changed).unwrap();
        let report = gevinst_verify::export::verify_dir(&export, None).unwrap();
        assert!(
            report
                .to_string()
                .contains(&format!("forkert hash ved position {size} (forslag BC05)")),
            "{report}"
        );
        // The export's last event dropped.
        let cut: String = lines[..lines.len() - 1]
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&events_file, cut).unwrap();
        let report = gevinst_verify::export::verify_dir(&export, None).unwrap();
        assert!(
            report
                .to_string()
                .contains(&format!("afkortet ved position {size}")),
            "{report}"
        );
    }
);

both_backends!(
    a_changed_log_is_exported_without_a_new_checkpoint_and_fails_offline,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.register_example("BC01").await;
        record_saving(&t, "BC01", "before").await;
        checkpoint(&t, dir.path(), "cp.txt").await;
        let signed = t.service.store().last_position().await.unwrap();
        // An event the checkpoint covers changed behind the application's back, and the log
        // grew after it.
        t.unguard_history().await;
        t.db.execute_raw(&format!(
            "UPDATE event SET hash = CASE WHEN substr(hash, 1, 2) = 'ab' THEN 'cd' ELSE 'ab' END || substr(hash, 3) WHERE position = {signed}"
        ))
        .await
        .unwrap();
        record_saving(&t, "BC01", "after").await;
        let export = dir.path().join("export");
        let (code, out) = audit_export(&t, dir.path(), &export).await;
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("Udtrækket får intet nyt checkpoint"), "{out}");
        assert!(
            out.contains(&format!(
                "eksporterede {} hændelser og 1 signerede checkpoints",
                signed + 1
            )),
            "{out}"
        );
        let report = gevinst_verify::export::verify_dir(&export, None).unwrap();
        assert_eq!(report.checkpoints, vec![signed as u64]);
        assert!(!report.is_ok(), "{report}");
    }
);

both_backends!(
    the_server_schedule_signs_checkpoints_as_the_log_grows,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let signer = Arc::new(NoteSigner::from_seed("gevinst.kk.dk/log", [5; 32]).unwrap());
        gevinst_api::audit::spawn_schedule(
            t.service.clone(),
            signer.clone(),
            std::time::Duration::from_millis(50),
        );
        let key = signer.verifier().key_id();
        let newest = || async {
            t.service
                .store()
                .latest_checkpoint(Some(&key))
                .await
                .unwrap()
                .map_or(0, |c| c.tree_size)
        };
        for expected in [2, 3] {
            let mut waited = 0;
            while newest().await != expected {
                assert!(waited < 200, "no scheduled checkpoint of size {expected}");
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                waited += 1;
            }
            if expected == 2 {
                record_saving(&t, "BC01", "scheduled").await;
            }
        }
        // An idle log adds no rows: one checkpoint per size.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(
            t.service
                .store()
                .checkpoints(Some(&key))
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

both_backends!(
    receipts_extend_the_tree_the_process_read_and_start_again_when_its_end_changed,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let signer = Arc::new(NoteSigner::from_seed("gevinst.kk.dk/log", [4; 32]).unwrap());
        let service = t.service.clone().with_signer(signer.clone());
        let store = t.service.store().clone();
        // The root of the log read afresh, as the offline verifier would.
        let fresh = || {
            let store = store.clone();
            async move {
                let leaves = leaves_of(&store).await;
                (leaves.len() as u64, merkle::root(&leaves))
            }
        };
        let opened = |note: &str| Checkpoint::open(note, &signer.verifier()).unwrap();
        for n in 1..=5 {
            let mut m = meta("anna@kk.dk", Role::ProjectOwner);
            m.idempotency_key = Some(IdempotencyKey::parse(&format!("tree-{n}")).unwrap());
            let outcome = service
                .execute(
                    &proposal("BC01"),
                    ProposalCommand::RecordSaving(examples::saving(2025, -n)),
                    m,
                )
                .await
                .unwrap();
            let c = opened(&outcome.receipt.expect("a receipt"));
            assert_eq!((c.size, c.root), fresh().await, "after command {n}");
        }
        // The log's end cut off behind the process's back: the next checkpoint is of the log
        // as it is, not of the tree it had read.
        t.unguard_history().await;
        t.db.execute_raw("DELETE FROM event WHERE position = (SELECT MAX(position) FROM event)")
            .await
            .unwrap();
        assert_eq!(store.tree_head().await.unwrap(), fresh().await);
        assert_eq!(fresh().await.0, 6);
        // The last event's hash changed: the same.
        t.db.execute_raw(
            "UPDATE event SET hash = CASE WHEN substr(hash, 1, 2) = 'ab' THEN 'cd' ELSE 'ab' END || substr(hash, 3) \
             WHERE position = (SELECT MAX(position) FROM event)",
        )
        .await
        .unwrap();
        assert_eq!(store.tree_head().await.unwrap(), fresh().await);
        // And it grows again from there.
        let mut m = meta("anna@kk.dk", Role::ProjectOwner);
        m.idempotency_key = Some(IdempotencyKey::parse("tree-after").unwrap());
        service
            .execute(
                &proposal("BC02"),
                ProposalCommand::RegisterProposal {
                    identity: examples::identity("BC02"),
                },
                m,
            )
            .await
            .unwrap();
        assert_eq!(store.tree_head().await.unwrap(), fresh().await);
    }
);

/// Registers proposal `id` (one event) through `service`; its outcome.
async fn register_one(
    service: &gevinst_projections::ProposalService,
    id: &str,
) -> gevinst_projections::CommandOutcome {
    let mut m = meta("anna@kk.dk", Role::ProjectOwner);
    m.idempotency_key = Some(IdempotencyKey::parse(&format!("register-{id}")).unwrap());
    service
        .execute(
            &proposal(id),
            ProposalCommand::RegisterProposal {
                identity: examples::identity(id),
            },
            m,
        )
        .await
        .unwrap()
}

both_backends!(
    a_log_cut_and_regrown_gets_no_second_checkpoint_of_the_same_size,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        t.register_example("BC01").await;
        record_saving(&t, "BC01", "signed").await;
        let first = checkpoint(&t, dir.path(), "first.txt").await;
        let note = std::fs::read_to_string(&first).unwrap();
        // Signing the same log again hands out the same checkpoint.
        let again = checkpoint(&t, dir.path(), "again.txt").await;
        assert_eq!(std::fs::read_to_string(&again).unwrap(), note);
        // The last event and its command row cut off, and another command appended in their
        // place: a log of the same size with another root.
        let store = t.service.store().clone();
        let size = store.last_position().await.unwrap();
        let cut = [
            format!("DELETE FROM event WHERE position = {size}"),
            format!("DELETE FROM command WHERE first_position = {size}"),
        ];
        tamper(&t, &cut).await;
        register_one(&t.service, "BC02").await;
        assert_eq!(store.last_position().await.unwrap(), size);
        let (code, out) = t
            .gevinst(&["checkpoint", "--signing-key", &key_path(dir.path())])
            .await;
        assert_ne!(code, 0, "{out}");
        assert!(
            out.contains(&format!(
                "loggen er ændret efter den blev signeret: checkpointet for de første {size} \
                 hændelser"
            )),
            "{out}"
        );
        assert!(
            !out.contains(&note),
            "the old note is not handed out: {out}"
        );
        // Nothing was stored, and the checkpoint still shows what changed.
        let stored = store.checkpoints(None).await.unwrap();
        assert_eq!(
            stored.iter().map(|c| c.note.as_str()).collect::<Vec<_>>(),
            [note.as_str()]
        );
        let (code, out) = verify_against(&t, dir.path(), &first).await;
        assert_eq!(code, 2, "{out}");
        // A command's receipt is not the old note either: the command is kept, without one.
        let signer = gevinst_store::checkpoint::load_signer(&dir.path().join("log.key")).unwrap();
        let service = t.service.clone().with_signer(Arc::new(signer));
        tamper(&t, &cut).await;
        let outcome = register_one(&service, "BC03").await;
        assert_eq!(outcome.receipt, None);
        assert_eq!(store.last_position().await.unwrap(), size);
    }
);
