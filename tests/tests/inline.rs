//! An append projects its own events in its own transaction (`gevinst_store::Inline`): the
//! command's events and their read-model rows commit together when the read models reflect
//! everything before them; otherwise, or when the projection fails, the events commit alone
//! and the catch-up projects them. Either way the read models end as a rebuild makes them.

use std::sync::Arc;
use std::time::Duration;

use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::Role;
use gevinst_projections::readmodel::{InlineProjection, ReadModels};
use gevinst_store::sql::Stmt;
use gevinst_store::{verify, Db, Inline, StoredEvent};
use gevinst_tests::{both_backends, meta, proposal, TestStore};

/// The read models' projection with statements that fail: the database's (a table that does
/// not exist) or its own (`Err`).
struct Failing {
    inline: Arc<dyn Inline>,
    in_database: bool,
}

impl Inline for Failing {
    fn claim(&self, from: i64, to: i64) -> Stmt {
        self.inline.claim(from, to)
    }

    fn statements(&self, _rows: &[StoredEvent]) -> Result<Vec<Stmt>, String> {
        if self.in_database {
            Ok(vec![Stmt {
                sql: "INSERT INTO no_such_table (position) VALUES ($1)".into(),
                args: vec![1i64.into()],
            }])
        } else {
            Err("cannot project".to_string())
        }
    }
}

both_backends!(
    an_append_projects_its_own_events_only_when_the_read_models_are_current,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        t.service
            .execute(
                &proposal("BC01"),
                ProposalCommand::RecordSaving(examples::saving(2025, -400)),
                meta("anna@kk.dk", Role::ProjectOwner),
            )
            .await
            .expect("a saving");
        let (store, projector) = (t.service.store(), t.service.projector());
        let inline: Arc<dyn Inline> = Arc::new(InlineProjection::on(&t.db));
        let read = ReadModels::new(t.db.clone());
        let checkpoint = || async { projector.checkpoint().await.expect("the checkpoint") };
        assert_eq!(checkpoint().await, 3);

        // Current: the events and their rows commit together.
        let appended = store
            .append_with(&t.next_copy("BC01", "inline-1").await, Some(inline.clone()))
            .await
            .expect("appended");
        assert!(appended.projected);
        assert_eq!(appended.record.last_position, 4);
        assert_eq!(
            checkpoint().await,
            4,
            "projected in the append's transaction"
        );
        let entries = read.entries(Some("BC01")).await.expect("entries");
        assert_eq!(
            entries.iter().map(|e| e.position).collect::<Vec<_>>(),
            [3, 4]
        );
        let row = read.proposal("BC01").await.expect("a row").expect("BC01");
        assert_eq!(row.last_sequence, 4);

        // Behind (an event appended without projecting it): the next append leaves its own
        // events to the catch-up too, rather than project past an event it did not.
        store
            .append_with(&t.next_copy("BC01", "plain").await, None)
            .await
            .expect("appended");
        let behind = store
            .append_with(&t.next_copy("BC01", "inline-2").await, Some(inline.clone()))
            .await
            .expect("appended");
        assert!(!behind.projected);
        assert_eq!(checkpoint().await, 4);
        assert_eq!(projector.catch_up().await.expect("caught up"), 6);

        // A projection that fails, in the database or before it, costs the append nothing:
        // the events commit alone, the read models stay where they were.
        for (i, in_database) in [true, false].into_iter().enumerate() {
            let failing: Arc<dyn Inline> = Arc::new(Failing {
                inline: inline.clone(),
                in_database,
            });
            let key = format!("failing-{i}");
            let appended = store
                .append_with(&t.next_copy("BC01", &key).await, Some(failing))
                .await
                .expect("appended without its projection");
            assert!(!appended.projected, "{key}");
            assert_eq!(appended.record.last_position, 7 + i64::try_from(i).unwrap());
            assert_eq!(checkpoint().await, 6, "{key}");
        }
        assert_eq!(store.last_position().await.expect("the head"), 8);
        let report = verify(store).await.expect("verified");
        assert!(report.is_ok(), "{report}");

        // What was projected inline, by the catch-up, or both, is what a rebuild makes.
        assert_eq!(projector.catch_up().await.expect("caught up"), 8);
        let incremental = read.dump().await.expect("the rows");
        assert_eq!(incremental.entries.len(), 6);
        projector.rebuild_with(&|_| {}).await.expect("rebuilt");
        assert_eq!(read.dump().await.expect("the rows"), incremental);
    }
);

both_backends!(
    an_append_never_waits_for_another_projector,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let (store, projector) = (t.service.store(), t.service.projector());
        let inline: Arc<dyn Inline> = Arc::new(InlineProjection::on(&t.db));
        // On PostgreSQL, a catch-up batch or a rebuild holds the checkpoint row until it
        // commits; here another transaction does. (SQLite runs one writer at a time: there
        // is nothing to wait for.)
        let Db::Postgres(pool) = &t.db else {
            return;
        };
        let mut holder = pool.begin().await.expect("a transaction");
        sqlx::query(
            "SELECT position FROM projection_checkpoint WHERE projection = 'read_models' \
             FOR UPDATE",
        )
        .fetch_one(&mut *holder)
        .await
        .expect("the checkpoint row held");
        let appended = tokio::time::timeout(
            Duration::from_secs(60),
            store.append_with(
                &t.next_copy("BC01", "while-held").await,
                Some(inline.clone()),
            ),
        )
        .await
        .expect("the append did not wait for the checkpoint row")
        .expect("appended");
        assert!(!appended.projected);
        holder.commit().await.expect("released");
        assert_eq!(projector.checkpoint().await.expect("the checkpoint"), 2);
        assert_eq!(projector.catch_up().await.expect("caught up"), 3);
    }
);
