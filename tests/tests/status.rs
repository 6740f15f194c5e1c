//! Goal status through the quarters, driven by recorded events on the real baseline, on both
//! backends: a quarter goal (upcoming → due → not reported, and overdue only once the owner has
//! reported), at risk, achieved on time vs late, a recurring goal with one status per checkpoint
//! that a bare note does not tick off but evidence does, a goal that is unscheduled until a
//! goal-scheduled event gives it a date, and a goal that restates milestones.

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
    assert_eq!(
        status(&t, "BC01", "g1", "2025-10-01").await,
        "not_reported",
        "nothing reported is not a known miss"
    );
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
    assert_eq!(status(&t, "BC01", "g2", "2026-01-05").await, "not_reported");
    assert_eq!(
        status(&t, "BC01", "g2", "2026-02-01").await,
        "achieved_late"
    );

    // BC01 g3, "Fjerde kvartal 2026": the owner flags it at risk; once the quarter has passed
    // with that report made inside it, the miss is known: overdue.
    record(
        &t,
        &[
            "progress",
            "BC01",
            "--goal",
            "g3",
            "--date",
            "2026-10-15",
            "--note",
            "Leverandøren er forsinket",
            "--at-risk",
        ],
    )
    .await;
    assert_eq!(status(&t, "BC01", "g3", "2026-09-01").await, "upcoming");
    assert_eq!(status(&t, "BC01", "g3", "2026-11-01").await, "at_risk");
    assert_eq!(status(&t, "BC01", "g3", "2027-01-02").await, "overdue");

    // BC11 g5, "Årligt, indtil fuld indfasning": one checkpoint per year; a bare note is a
    // report, not an achievement.
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
    assert_eq!(
        of("2024Q1").as_deref(),
        Some("not_reported"),
        "{checkpoints:?}"
    );
    assert_eq!(
        of("2025Q1").as_deref(),
        Some("overdue"),
        "a note without evidence does not achieve: {checkpoints:?}"
    );
    assert_eq!(of("2026Q1").as_deref(), Some("due"), "{checkpoints:?}");
    assert_eq!(
        g5["status"], "overdue",
        "the goal is overdue while any checkpoint is"
    );
    record(
        &t,
        &[
            "progress",
            "BC11",
            "--goal",
            "g5",
            "--date",
            "2025-11-20",
            "--note",
            "Årlig opfølgning forelagt direktionen",
            "--evidence",
            "Direktionsreferat 2025-11-20",
        ],
    )
    .await;
    let g5 = goal(&t, "BC11", "g5", "2026-03-01").await;
    let window_2025 = g5["checkpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["window"].as_str().unwrap().starts_with("2025Q1"))
        .unwrap()
        .clone();
    assert_eq!(window_2025["status"], "achieved_on_time", "{g5}");
    assert_eq!(
        g5["status"], "not_reported",
        "2024 is still unreported, and nothing is known to be missed"
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
    assert_eq!(status(&t, "BC13", "g1", "2026-01-01").await, "not_reported");

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

both_backends!(
    a_goal_restating_milestones_takes_their_status_and_is_counted_once,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        // BC03 g6: "Milepæl 1 – Q2 2025 Milepæl 2 – Q3 2025 …": m1–m6.
        let g6 = goal(&t, "BC03", "g6", "2025-10-01").await;
        assert_eq!(
            g6["restates"],
            serde_json::json!(["m1", "m2", "m3", "m4", "m5", "m6"]),
            "{g6}"
        );
        assert_eq!(
            g6["status"], "not_reported",
            "m1 and m2 are unreported: {g6}"
        );
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "anna@kk.dk",
                "milestone-completed",
                "BC03",
                "--milestone",
                "m1",
                "--date",
                "2025-06-20",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let statuses: Vec<String> = goal(&t, "BC03", "g6", "2025-10-01").await["checkpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            statuses[..3],
            ["achieved_on_time", "not_reported", "upcoming"],
            "{statuses:?}"
        );

        // The portfolio counts BC03's goals and milestones without g6: m2 is counted once.
        let (code, out) = t
            .gevinst(&[
                "report",
                "portfolio",
                "--as-of",
                "2025-10-01",
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let json: Value = serde_json::from_str(&out).unwrap();
        let bc03 = &json["goal_counts_by_proposal"]["BC03"];
        let total: u64 = bc03
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(total, 11, "6 goals and 6 milestones, less g6: {bc03}");
    }
);
