//! Two times: `as_of` (business date) and `known_on` (recorded time), on both backends.
//!
//! The property: every report read `known_on` T from the full store equals the same report
//! computed from a fresh store holding only the events recorded up to T (the same commands
//! re-executed up to T with the same clock). Then the edges: CLI `--known-on`, the API's
//! `known_on` (and its 400 problem), the dashboard's `?known_on=` and the audit trail.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use gevinst_domain::price::PriceIndex;
use gevinst_domain::proposal::{examples, ProposalCommand};
use gevinst_domain::{IdempotencyKey, Reason, Role};
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports;
use gevinst_tests::{both_backends, meta, proposal, Backend, TestStore};
use proptest::prelude::*;

use crate::projections::{command, op, Op, Tally, KINDS};

const IDS: [&str; 3] = ["BC01", "BC09", "BC13"];

fn index() -> PriceIndex {
    gevinst_domain::price::Seed::parse(gevinst_api::startup::BUNDLED_PRICE_INDEX)
        .unwrap()
        .index()
        .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// When op `i` is recorded: two ops share each hour, so "recorded at T" includes a sibling.
fn recorded_time(base: DateTime<Utc>, i: usize) -> DateTime<Utc> {
    base + Duration::hours(i64::try_from(i / 2 + 1).unwrap())
}

/// Runs `ops` (only those recorded by `until`, if given) on `t`; returns how many were accepted.
async fn run(
    t: &TestStore,
    ops: &[(usize, Op)],
    until: Option<DateTime<Utc>>,
    tally: Option<&mut Tally>,
) -> u32 {
    let base = Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap();
    t.clock.set(base);
    t.import_budget_2025().await;
    let mut tally = tally;
    let mut accepted = 0;
    for (i, (which, op)) in ops.iter().enumerate() {
        let at = recorded_time(base, i);
        if until.is_some_and(|u| at > u) {
            break;
        }
        t.clock.set(at);
        let id = IDS[*which];
        let state = t.service.load(&proposal(id)).await.unwrap();
        let (cmd, mut m) = command(op, &state);
        m.idempotency_key = Some(IdempotencyKey::parse(&format!("op-{i}")).unwrap());
        let ok = t.service.execute(&proposal(id), cmd, m).await.is_ok();
        accepted += u32::from(ok);
        if let Some(tally) = tally.as_deref_mut() {
            let counts = tally.entry(op.kind()).or_default();
            counts.0 += 1;
            counts.1 += u32::from(ok);
        }
    }
    accepted
}

/// What the cut changed, to show the property did not hold vacuously.
#[derive(Debug, Default)]
struct Effects {
    cases: u32,
    /// The full store at T differed from the full store now.
    cut_something: u32,
    /// A correction recorded after T was undone at T.
    undid_a_correction: u32,
    /// A plan revision recorded after T was not in force at T.
    older_plan: u32,
}

async fn known_on_equals_replay_up_to(
    backend: Backend,
    ops: Vec<(usize, Op)>,
    cut: prop::sample::Index,
    tally: &mut Tally,
    effects: &mut Effects,
) {
    let full = TestStore::new(backend).await;
    let _keep_full = full.keep_alive();
    run(&full, &ops, None, Some(tally)).await;
    // T: the import's time or one of the ops' recorded times.
    let base = Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap();
    let times: Vec<DateTime<Utc>> = std::iter::once(base)
        .chain((0..ops.len()).map(|i| recorded_time(base, i)))
        .collect();
    let t = times[cut.index(times.len())];

    let part = TestStore::new(backend).await;
    let _keep_part = part.keep_alive();
    run(&part, &ops, Some(t), None).await;

    let now = ReadModels::new(full.db.clone());
    // As the server reads: one cache for the reads of now and of any recorded time, the rows
    // kept (with what was decoded of them) by a read of now before the one known on T.
    let index = index();
    for id in IDS {
        reports::proposal_report(&now, id).await.unwrap();
    }
    reports::overview(&now, &index, day(2027, 12, 31))
        .await
        .unwrap();
    let then = now.clone().known_on(Some(t));
    let replayed = ReadModels::new(part.db.clone()).known_on(Some(t));
    let (now_dump, then_dump) = (now.dump().await.unwrap(), then.dump().await.unwrap());
    assert_eq!(
        then_dump,
        replayed.dump().await.unwrap(),
        "rows known on {t}"
    );
    assert_eq!(
        ReadModels::new(part.db.clone()).dump().await.unwrap(),
        then_dump,
        "reading a store known on a time after all it holds changes nothing"
    );

    for as_of in [day(2025, 6, 15), day(2027, 12, 31)] {
        let a = reports::overview(&then, &index, as_of).await.unwrap();
        let b = reports::overview(&replayed, &index, as_of).await.unwrap();
        assert_eq!(a, b, "overview as of {as_of}, known on {t}");
        assert_eq!(a.portfolio.known_on, Some(t));
        assert_eq!(reports::late_items(&a), reports::late_items(&b));
        assert_eq!(reports::statuses(&a), reports::statuses(&b));
        for id in IDS {
            assert_eq!(
                reports::goals(&then, Some(id), as_of).await.unwrap(),
                reports::goals(&replayed, Some(id), as_of).await.unwrap()
            );
        }
    }
    for id in IDS {
        assert_eq!(
            reports::proposal_report(&then, id).await.unwrap(),
            reports::proposal_report(&replayed, id).await.unwrap(),
            "proposal {id} known on {t}"
        );
    }

    effects.cases += 1;
    effects.cut_something += u32::from(now_dump != then_dump);
    effects.undid_a_correction += u32::from(then_dump.entries.iter().any(|e| {
        e.corrected_by.is_none()
            && now_dump.entries.iter().any(|n| {
                n.sequence == e.sequence
                    && n.proposal_id == e.proposal_id
                    && n.corrected_by.is_some()
            })
    }));
    effects.older_plan += u32::from(
        then_dump
            .proposals
            .iter()
            .zip(&now_dump.proposals)
            .any(|(a, b)| a.revision < b.revision),
    );
    full.db.close().await;
    part.db.close().await;
}

/// A fixed seed (the coverage assertions cannot flake) and a modest number of histories (each
/// creates two databases); `PROPTEST_CASES` raises it.
fn reports_known_on_equal_reports_of_the_log_up_to_then(backend: Backend) {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(12);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let tally = std::cell::RefCell::new(Tally::new());
    let effects = std::cell::RefCell::new(Effects::default());
    runner
        .run(
            &(
                prop::collection::vec((0..3usize, op()), 8..25),
                any::<prop::sample::Index>(),
            ),
            |(ops, cut)| {
                runtime.block_on(known_on_equals_replay_up_to(
                    backend,
                    ops,
                    cut,
                    &mut tally.borrow_mut(),
                    &mut effects.borrow_mut(),
                ));
                Ok(())
            },
        )
        .unwrap();
    let (tally, effects) = (tally.into_inner(), effects.into_inner());
    let (tried, accepted) = tally
        .values()
        .fold((0, 0), |(t, a), (kt, ka)| (t + kt, a + ka));
    println!("{backend:?}: {accepted} of {tried} commands accepted: {tally:?}; {effects:?}");
    assert_eq!(tally.len(), KINDS, "every kind was tried: {tally:?}");
    assert!(
        tally.values().all(|(_, a)| *a > 0),
        "every kind was accepted at least once: {tally:?}"
    );
    assert!(accepted >= 60, "at least 60 commands accepted: {tally:?}");
    assert!(
        effects.cut_something * 2 >= effects.cases,
        "at least half of the cuts hid something: {effects:?}"
    );
    assert!(effects.undid_a_correction > 0, "{effects:?}");
    assert!(effects.older_plan > 0, "{effects:?}");
}

#[test]
fn reports_known_on_equal_reports_of_the_log_up_to_then_sqlite() {
    reports_known_on_equal_reports_of_the_log_up_to_then(Backend::Sqlite);
}

#[test]
fn reports_known_on_equal_reports_of_the_log_up_to_then_postgres() {
    reports_known_on_equal_reports_of_the_log_up_to_then(Backend::Postgres);
}

fn owner() -> gevinst_domain::EventMetadata {
    meta("anna@kk.dk", Role::ProjectOwner)
}

/// BC01's goal g1 as the CLI's goals report shows it.
async fn g1(t: &TestStore, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["report", "goals", "--proposal", "BC01", "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out) = t.gevinst(&args).await;
    assert_eq!(code, 0, "{out}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    rows.into_iter().find(|r| r["id"] == "g1").expect("g1")
}

both_backends!(
    as_of_and_known_on_on_every_edge,
    |t: TestStore| async move {
        t.clock
            .set(Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0).unwrap());
        t.import_budget_2025().await;
        // Achieved 2026-02-01, recorded 2026-03-10 10:00 UTC (11:00 in Copenhagen).
        t.clock
            .set(Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap());
        let achieved = t
            .service
            .execute(
                &proposal("BC01"),
                ProposalCommand::AchieveGoal(examples::achievement("g1", day(2026, 2, 1))),
                owner(),
            )
            .await
            .unwrap();
        // Reversed, recorded 2026-04-01.
        t.clock
            .set(Utc.with_ymd_and_hms(2026, 4, 1, 8, 0, 0).unwrap());
        t.service
            .execute(
                &proposal("BC01"),
                ProposalCommand::ReverseEntry {
                    sequence: u64::try_from(achieved.last_sequence).unwrap(),
                    reason: Reason::parse("forkert mål").unwrap(),
                },
                owner(),
            )
            .await
            .unwrap();

        // as_of: nothing effective later is shown, also when known.
        let g = g1(&t, &["--as-of", "2025-06-30", "--known-on", "2026-03-15"]).await;
        assert_eq!(g["achieved_on"], serde_json::Value::Null, "{g}");
        assert_eq!(g["evidence"], serde_json::Value::Null, "{g}");
        // known_on: what the log held then (a date is the end of that day in Copenhagen).
        let as_of = ["--as-of", "2026-06-30"];
        let at = |k: &'static str| [as_of[0], as_of[1], "--known-on", k];
        assert_eq!(
            g1(&t, &at("2026-03-09")).await["achieved_on"],
            serde_json::Value::Null
        );
        assert_eq!(
            g1(&t, &at("2026-03-10T09:59:59Z")).await["achieved_on"],
            serde_json::Value::Null
        );
        assert_eq!(
            g1(&t, &at("2026-03-10T11:00:00+01:00")).await["achieved_on"],
            "2026-02-01"
        );
        assert_eq!(g1(&t, &at("2026-03-10")).await["achieved_on"], "2026-02-01");
        // The reversal recorded on 2026-04-01 has not happened on 2026-03-31 …
        assert_eq!(g1(&t, &at("2026-03-31")).await["achieved_on"], "2026-02-01");
        // … and has now.
        assert_eq!(g1(&t, &as_of).await["achieved_on"], serde_json::Value::Null);
        // A table says which recorded time it shows.
        let (code, out) = t
            .gevinst(&[
                "report",
                "late",
                "--as-of",
                "2026-06-30",
                "--known-on",
                "2026-03-31",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.starts_with(
                "pr. 2026-06-30 (forretningsdato), som kendt 2026-03-31 (registreringstid)"
            ),
            "{out}"
        );
        // Bad input is a Danish error naming it.
        use clap::Parser;
        let e = gevinst_api::cli::Cli::try_parse_from([
            "gevinst",
            "report",
            "portfolio",
            "--known-on",
            "i går",
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("«i går» er ikke en gyldig registreringstid"),
            "{e}"
        );

        let base = t.spawn_app().await.base;
        let get = |path: String| {
            let url = format!("{base}{path}");
            async move { gevinst_tests::get(url).await.unwrap() }
        };
        let r = get("/api/goals?proposal=BC01&as_of=2026-06-30&known_on=2026-03-31".into()).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["gevinst-as-of"], "2026-06-30");
        assert_eq!(
            r.headers()["gevinst-known-on"],
            "2026-03-31T21:59:59.999999999Z"
        );
        let rows: Vec<serde_json::Value> = r.json().await.unwrap();
        let g = rows.iter().find(|r| r["id"] == "g1").unwrap();
        assert_eq!(g["achieved_on"], "2026-02-01");
        let p: serde_json::Value =
            get("/api/portfolio?as_of=2026-06-30&known_on=2026-03-31".into())
                .await
                .json()
                .await
                .unwrap();
        assert_eq!(p["known_on"], "2026-03-31T21:59:59.999999999Z");
        let now: serde_json::Value = get("/api/portfolio?as_of=2026-06-30".into())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(now["known_on"], serde_json::Value::Null);
        assert_ne!(
            p["goal_counts_by_proposal"]["BC01"], now["goal_counts_by_proposal"]["BC01"],
            "the achievement counts on 2026-03-31, not after its reversal"
        );
        // Before the baseline was recorded nothing existed.
        let r = get("/api/proposals/BC01?known_on=2025-01-14".into()).await;
        assert_eq!(r.status(), 404);
        let r = get("/api/late?known_on=yesterday".into()).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let problem: serde_json::Value = r.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains("«yesterday»"),
            "{problem}"
        );

        // The audit trail: recorded by known_on, effective by as_of (where an event has a date).
        let trail = |q: &'static str| async move {
            let r = get(format!("/api/proposals/BC01/events{q}")).await;
            assert_eq!(r.status(), 200);
            let rows: Vec<serde_json::Value> = r.json().await.unwrap();
            rows.iter()
                .map(|e| e["event_type"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let all = trail("").await;
        assert_eq!(all.len(), 4, "{all:?}");
        assert_eq!(trail("?known_on=2026-03-31").await, all[..3]);
        assert_eq!(trail("?known_on=2026-03-09").await, all[..2]);
        assert_eq!(
            trail("?as_of=2026-01-31").await,
            [&all[..2], &all[3..]].concat()
        );
        assert_eq!(
            get("/api/proposals/BC01/events?known_on=2026-99-01".into())
                .await
                .status(),
            400
        );

        // The page says which times it shows, and its links keep both.
        let r = get("/proposals/BC01?as_of=2026-06-30&known_on=2026-03-31".into()).await;
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(
                "pr. 2026-06-30 (forretningsdato), som kendt 2026-03-31 (registreringstid)"
            ),
            "{html}"
        );
        assert!(
            html.contains("href=\"/?as_of=2026-06-30&#38;known_on=2026-03-31\""),
            "{html}"
        );
        let html = get("/?as_of=2026-06-30&known_on=2026-03-10T11:00:00%2B01:00".into())
            .await
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("som kendt 2026-03-10T11:00:00+01:00 (registreringstid)"),
            "{html}"
        );
        assert!(html.contains("href=\"/proposals/BC01?as_of=2026-06-30&#38;known_on=2026-03-10T11:00:00%2B01:00\""), "{html}");
        let r = get("/?known_on=2026-02-30".into()).await;
        assert_eq!(r.status(), 400);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("ikke en gyldig registreringstid"));
    }
);
