//! "Never a wrong figure": while `projections rebuild` runs, every answer of the real server
//! equals the answer it gave before (readers see the old read models or the new, never a
//! half-built one), and a projector whose checkpoint lies beyond the log's head refuses to go
//! on instead of silently skipping the next writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gevinst_tests::{both_backends, TestStore};

const OWNER: [&str; 2] = ["--as", "anna@kk.dk"];

/// The routes whose figures a rebuild must never disturb.
const ROUTES: &[&str] = &[
    "/api/portfolio?as_of=2026-12-31",
    "/api/late?as_of=2026-12-31",
    "/api/committee-status?as_of=2026-12-31",
    "/api/proposals/BC01/realisation?as_of=2026-12-31",
    "/api/goals?as_of=2026-12-31",
];

/// Records a realised saving on BC01's line l1 through the CLI.
async fn saving(t: &TestStore, year: &str, amount: &str) {
    let args: Vec<&str> = ["record"]
        .into_iter()
        .chain(OWNER)
        .chain([
            "saving",
            "BC01",
            "--year",
            year,
            "--amount",
            amount,
            "--price-level",
            "2025",
            "--control-area",
            "service",
            "--plan-line",
            "l1",
            "--committee",
            "ØU",
            "--date",
            "2024-12-31",
            "--evidence",
            "Kvantum-udtræk",
        ])
        .collect();
    let (code, out) = t.gevinst(&args).await;
    assert_eq!(code, 0, "{out}");
}

async fn answer(client: &reqwest::Client, url: &str) -> (u16, String) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

both_backends!(
    readers_see_the_old_or_the_new_read_models_during_a_rebuild,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        for (year, amount) in [("2024", "-40"), ("2025", "-100"), ("2026", "-250")] {
            saving(&t, year, amount).await;
        }
        let app = t.spawn_app().await;
        let client = app.client();
        let mut before = Vec::new();
        for route in ROUTES {
            let a = answer(&client, &app.url(route)).await;
            assert_eq!(a.0, 200, "{route}: {}", a.1);
            before.push(a);
        }

        // Rebuild over and over (as `gevinst projections rebuild` would, from another
        // projector than the server's) while reading every route from the real server.
        let stop = Arc::new(AtomicBool::new(false));
        let projector = t.service.projector().clone();
        let rebuilding = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut rebuilds = 0;
                while !stop.load(Ordering::Relaxed) && rebuilds < 60 {
                    projector.rebuild_with(&|_| {}).await.unwrap();
                    rebuilds += 1;
                }
                rebuilds
            })
        };
        let started = Instant::now();
        let (mut reads, mut wrong) = (0, Vec::new());
        while !rebuilding.is_finished() {
            for (route, expected) in ROUTES.iter().zip(&before) {
                let got = answer(&client, &app.url(route)).await;
                reads += 1;
                if &got != expected {
                    wrong.push(format!("{route}: {} {:.200}", got.0, got.1));
                }
            }
            if started.elapsed() > Duration::from_secs(20) {
                stop.store(true, Ordering::Relaxed);
            }
        }
        let rebuilds = rebuilding.await.unwrap();
        assert!(
            rebuilds >= 3 && reads >= 10,
            "{rebuilds} rebuilds, {reads} reads"
        );
        assert!(
            wrong.is_empty(),
            "{} of {reads} answers during {rebuilds} rebuilds differed from the answer before: {wrong:#?}",
            wrong.len()
        );
    }
);

both_backends!(
    a_checkpoint_beyond_the_logs_head_is_refused_not_skipped,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        // The people `record` writes as exist before the head is read.
        t.people().await;
        let app = t.spawn_app().await;
        let head = t.service.store().last_position().await.unwrap();
        // A log restored from an older backup: the read models claim 5 events it no longer has.
        t.db.execute_raw(&format!(
            "UPDATE projection_checkpoint SET position = {} WHERE projection = 'read_models'",
            head + 5
        ))
        .await
        .unwrap();
        let projector = t.service.projector();
        let error = projector.catch_up().await.unwrap_err();
        assert!(
            matches!(
                error,
                gevinst_projections::readmodel::ReadModelError::AheadOfLog { checkpoint, head: h }
                    if checkpoint == head + 5 && h == head
            ),
            "{error}"
        );
        // The next write is stored, and not silently skipped: every read refuses and names
        // both positions until someone rebuilds.
        saving(&t, "2025", "-100").await;
        let expected = format!(
            "læsemodellerne står ved position {}, men hændelsesloggen slutter ved position {}",
            head + 5,
            head + 1
        );
        let (code, out) = t
            .gevinst(&["report", "portfolio", "--format", "json"])
            .await;
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(&expected), "{out}");
        let r = gevinst_tests::get(app.url("/api/late?as_of=2026-12-31"))
            .await
            .unwrap();
        assert_eq!(r.status(), 503);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["type"], "urn:gevinst:problem:read-models-ahead-of-log");
        assert!(
            body["detail"].as_str().unwrap().contains(&expected),
            "{body}"
        );
        let page = gevinst_tests::get(app.url("/")).await.unwrap();
        assert_eq!(page.status(), 503);
        let html = page.text().await.unwrap();
        assert!(html.contains(&expected), "{html}");
        // A rebuild puts it right.
        let (code, out) = t.gevinst(&["projections", "rebuild"]).await;
        assert_eq!(code, 0, "{out}");
        assert_eq!(projector.catch_up().await.unwrap(), head + 1);
        let r = gevinst_tests::get(app.url("/api/proposals/BC01/realisation?as_of=2026-12-31"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("-100"));
    }
);

both_backends!(
    appends_during_rebuilds_end_in_the_read_models_a_rebuild_makes,
    |t: TestStore| async move {
        use gevinst_domain::proposal::{examples, ProposalCommand};
        use gevinst_domain::Role;
        use gevinst_projections::readmodel::ReadModels;
        use gevinst_tests::{meta, proposal};
        t.register_example("BC01").await;
        t.register_example("BC02").await;
        // Two writers project their savings inline while rebuilds run: each of their events
        // lands before a rebuild reads the log's head, between that and the rebuild holding
        // the checkpoint, or after (then it is left to the catch-up).
        let stop = Arc::new(AtomicBool::new(false));
        let saved = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut writers = tokio::task::JoinSet::new();
        for id in ["BC01", "BC02"] {
            let (service, stop, saved) = (t.service.clone(), stop.clone(), saved.clone());
            writers.spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let amount = i64::try_from(saved.load(Ordering::Relaxed) % 900).unwrap() + 1;
                    service
                        .execute(
                            &proposal(id),
                            ProposalCommand::RecordSaving(examples::saving(2025, -amount)),
                            meta("anna@kk.dk", Role::ProjectOwner),
                        )
                        .await
                        .unwrap();
                    saved.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        // At least 15 rebuilds, and on until 30 savings came in between them (SQLite's rebuild
        // holds the one write lock, so its writers get in only between rebuilds); the time
        // only bounds how long a broken store can keep the test waiting.
        let projector = t.service.projector().clone();
        let (started, mut rebuilds) = (Instant::now(), 0);
        while (rebuilds < 15 || saved.load(Ordering::Relaxed) < 30)
            && started.elapsed() < Duration::from_secs(60)
        {
            projector.rebuild_with(&|_| {}).await.unwrap();
            rebuilds += 1;
        }
        stop.store(true, Ordering::Relaxed);
        while let Some(w) = writers.join_next().await {
            w.unwrap();
        }
        let written = saved.load(Ordering::Relaxed);
        projector.catch_up().await.unwrap();
        let read = ReadModels::new(t.db.clone());
        let kept = read.dump().await.unwrap();
        assert!(
            written >= 30,
            "{written} savings written during {rebuilds} rebuilds"
        );
        assert_eq!(kept.entries.len(), written, "one entry a saving");
        for id in ["BC01", "BC02"] {
            let row = read.proposal(id).await.unwrap().unwrap();
            let last = t.service.load(&proposal(id)).await.unwrap().version();
            assert_eq!(u64::try_from(row.last_sequence).unwrap(), last, "{id}");
        }
        projector.rebuild_with(&|_| {}).await.unwrap();
        assert_eq!(read.dump().await.unwrap(), kept);
    }
);
