//! Goal status through the quarters, driven by recorded events on the real baseline, on both
//! backends: a quarter goal (upcoming → due → overdue), achieved on time vs late, a recurring
//! goal with one status per checkpoint, and a goal that is unscheduled until a goal-scheduled
//! event gives it a date.

use gevinst_tests::{both_backends, TestStore};
use serde_json::Value;

async fn goal(t: &TestStore, proposal: &str, id: &str, as_of: &str) -> Value {
    let (code, out) = t
        .gevinst(&[
            "report",
            "goals",
            "--proposal",
            proposal,
            "--as-of",
            as_of,
            "--format",
            "json",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    rows.into_iter().find(|r| r["id"] == id).unwrap()
}

async fn status(t: &TestStore, proposal: &str, id: &str, as_of: &str) -> String {
    goal(t, proposal, id, as_of).await["status"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn record(t: &TestStore, args: &[&str]) {
    let mut argv = vec!["record", "--as", "anna@kk.dk"];
    argv.extend_from_slice(args);
    let (code, out) = t.gevinst(&argv).await;
    assert_eq!(code, 0, "{out}");
}

both_backends!(goals_walk_through_the_quarters, |t: TestStore| async move {
    t.import_budget_2025().await;

    // BC01 g1, "Tredje kvartal 2025".
    assert_eq!(status(&t, "BC01", "g1", "2025-06-30").await, "upcoming");
    assert_eq!(status(&t, "BC01", "g1", "2025-07-01").await, "due");
    assert_eq!(status(&t, "BC01", "g1", "2025-10-01").await, "overdue");
    record(
        &t,
        &[
            "achieved",
            "BC01",
            "--goal",
            "g1",
            "--date",
            "2025-09-20",
            "--evidence",
            "Serviceportalen release 2025.3",
        ],
    )
    .await;
    assert_eq!(
        status(&t, "BC01", "g1", "2025-10-01").await,
        "achieved_on_time"
    );
    assert_eq!(
        status(&t, "BC01", "g1", "2025-09-01").await,
        "due",
        "not yet achieved on 1 September"
    );

    // BC01 g2, "Fjerde kvartal 2025", achieved in January.
    record(
        &t,
        &[
            "achieved",
            "BC01",
            "--goal",
            "g2",
            "--date",
            "2026-01-10",
            "--evidence",
            "Vedtaget i direktionen",
        ],
    )
    .await;
    assert_eq!(status(&t, "BC01", "g2", "2026-01-05").await, "overdue");
    assert_eq!(
        status(&t, "BC01", "g2", "2026-02-01").await,
        "achieved_late"
    );

    // BC11 g5, "Årligt, indtil fuld indfasning": one checkpoint per year.
    record(
        &t,
        &[
            "progress",
            "BC11",
            "--goal",
            "g5",
            "--date",
            "2025-11-15",
            "--note",
            "Årlig opfølgning gennemført",
        ],
    )
    .await;
    let g5 = goal(&t, "BC11", "g5", "2026-03-01").await;
    let checkpoints: Vec<(String, String)> = g5["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["window"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(checkpoints.len() >= 2, "{g5}");
    let of = |w: &str| {
        checkpoints
            .iter()
            .find(|(x, _)| x.starts_with(w))
            .map(|(_, s)| s.clone())
    };
    assert_eq!(of("2024Q1").as_deref(), Some("overdue"), "{checkpoints:?}");
    assert_eq!(
        of("2025Q1").as_deref(),
        Some("achieved_on_time"),
        "{checkpoints:?}"
    );
    assert_eq!(of("2026Q1").as_deref(), Some("due"), "{checkpoints:?}");
    assert_eq!(
        g5["status"], "overdue",
        "the goal is overdue while any checkpoint is"
    );

    // BC13 g1, "Ved frigivelse af investeringsmidler": unscheduled until a date is given.
    assert_eq!(status(&t, "BC13", "g1", "2025-05-01").await, "unscheduled");
    record(
        &t,
        &[
            "scheduled",
            "BC13",
            "--goal",
            "g1",
            "--date",
            "2025-11-15",
            "--note",
            "Midlerne frigives i november",
        ],
    )
    .await;
    assert_eq!(status(&t, "BC13", "g1", "2025-05-01").await, "upcoming");
    assert_eq!(status(&t, "BC13", "g1", "2025-10-01").await, "due");
    assert_eq!(status(&t, "BC13", "g1", "2026-01-01").await, "overdue");

    // A cancelled goal is cancelled from its date, whatever its schedule says.
    let (code, out) = t
        .gevinst(&[
            "record",
            "--as",
            "carl@kk.dk",
            "cancel-goal",
            "BC13",
            "--goal",
            "g1",
            "--date",
            "2025-12-01",
            "--reason",
            "Erstattet af nyt mål",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(status(&t, "BC13", "g1", "2026-01-01").await, "cancelled");
});
