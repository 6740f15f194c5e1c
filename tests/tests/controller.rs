//! A Danish controller's reading of Budget 2025 on both backends (issue 10): the portfolio and
//! the committee status as of 2025-12-31 with nothing reported — where silence must read as
//! "ikke rapporteret" / "mangler indberetning", never as a miss or a zero — and then with a
//! realistic year of reports, read on 2025-12-31 and again once the year has closed
//! (2026-01-31). The expected status of every proposal is written out with its rule; the
//! reasons that decide it are checked word for word.

use std::collections::BTreeMap;

use gevinst_tests::{both_backends, TestStore};
use serde_json::Value;

/// Records as `who`; the role (the second argument, kept for reading) comes from their grants.
async fn rec(t: &TestStore, who: &str, _role: &str, args: &[&str]) -> String {
    let mut argv = vec!["record", "--as", who, "--confirm"];
    argv.extend_from_slice(args);
    let (code, out) = t.gevinst(&argv).await;
    assert_eq!(code, 0, "{argv:?}: {out}");
    out
}

async fn owner(t: &TestStore, args: &[&str]) -> String {
    rec(t, "anna@kk.dk", "projektejer", args).await
}

/// Records a saving or a cost for `year`, dated 15 December, on a plan line or on service.
async fn money(
    t: &TestStore,
    what: &str,
    proposal: &str,
    year: &str,
    amount: &str,
    line: Option<&str>,
) -> String {
    let date = format!("{year}-12-15");
    let mut args = vec![
        what, proposal, "--year", year, "--amount", amount, "--date", &date,
    ];
    match line {
        Some(l) => args.extend(["--plan-line", l]),
        None => args.extend(["--control-area", "service"]),
    }
    owner(t, &args).await
}

/// The sequence a `record` receipt names ("… hændelse 17 …").
fn sequence(receipt: &str) -> String {
    receipt
        .split("hændelse ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap_or_else(|| panic!("no sequence in {receipt}"))
        .to_string()
}

/// proposal → (category, rule, not_assessed, reasons).
async fn committee(t: &TestStore, as_of: &str, extra: &[&str]) -> BTreeMap<String, Value> {
    let mut args = vec!["report", "committee-status", "--as-of", as_of];
    args.extend_from_slice(extra);
    t.json(&args)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["proposal"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

fn decided(s: &BTreeMap<String, Value>) -> Vec<(String, String, String)> {
    s.iter()
        .map(|(p, v)| {
            (
                p.clone(),
                v["category"].as_str().unwrap().to_string(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has_reason(s: &Value, reason: &str) -> bool {
    s["reasons"].as_array().unwrap().iter().any(|r| r == reason)
}

fn expected(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(p, c, r)| (p.to_string(), c.to_string(), r.to_string()))
        .collect()
}

both_backends!(
    budget_2025_with_nothing_reported_is_not_assessed_not_red,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        // Imported, nothing is decided: the appendix is a list of applications to the budget
        // negotiations and does not say which were adopted. Every proposal awaits its budget
        // decision, with the document's recommendation, and nothing is judged or late.
        let pending = committee(&t, "2025-12-31", &[]).await;
        assert_eq!(
            decided(&pending),
            expected(&TestStore::BUDGET_2025.map(|id| (id, "not_assessed", "awaiting_decision")))
        );
        let bc01 = t
            .json(&["report", "realisation", "BC01", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(bc01["decision"]["status"], "awaiting_decision");
        assert_eq!(bc01["decision"]["recommendation"], "for_approval");
        let bc08 = t
            .json(&["report", "realisation", "BC08", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(bc08["decision"]["recommendation"], "political_priority");
        let bc09 = t
            .json(&["report", "realisation", "BC09", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(bc09["decision"]["recommendation"], "for_information");
        // BC12's "1. kvartal 2024" goals fall before the proposal was approved (27 June 2024):
        // a suspect date, not judged, and never "ikke rapporteret".
        let bc12 = t
            .json(&[
                "report",
                "goals",
                "--proposal",
                "BC12",
                "--as-of",
                "2025-12-31",
            ])
            .await;
        let g1 = &bc12[0];
        assert_eq!(
            (&g1["id"], &g1["status"]),
            (&Value::from("g1"), &Value::from("unscheduled"))
        );
        assert_eq!(
            g1["schedule"],
            "ikke fastlagt: mistænkelig dato: «Der er indkøbt ekstern rådgivning»: 1 af 1 kontrolpunkter (2024Q1) slutter før forslaget blev godkendt af Center for Økonomi den 2024-06-27"
        );
        let (_, text) = t
            .gevinst(&["report", "realisation", "BC01", "--as-of", "2025-12-31"])
            .await;
        assert!(
            text.contains(
                "Budgetbeslutning: afventer budgetbeslutning (indstillet til godkendelse)"
            ),
            "{text}"
        );
        let late = t.json(&["report", "late", "--as-of", "2026-06-30"]).await;
        assert_eq!(late, serde_json::json!([]), "nothing adopted, nothing owed");
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2025-12-31"])
            .await;
        let total = &portfolio["total"];
        assert_eq!(
            (
                &total["proposals"],
                &total["awaiting_decision"],
                &total["adopted"]
            ),
            (&Value::from(12), &Value::from(12), &Value::from(0))
        );
        assert_eq!(total["investment_adopted"], "0");
        let (_, text) = t
            .gevinst(&["report", "portfolio", "--as-of", "2025-12-31"])
            .await;
        assert!(
            text.contains("Tabellen tæller alle 12 indstillede forslag fra Budget 2025, som bilaget; vedtaget 0, afventer budgetbeslutning 12, ikke vedtaget 0."),
            "{text}"
        );

        // A controller records the budget agreement's decision (README's command for BC01;
        // the rest as test data). From its date on, the proposals are judged.
        let receipt = rec(
            &t,
            "carl@kk.dk",
            "controller",
            &[
                "budget-decision",
                "BC01",
                "--outcome",
                "vedtaget",
                "--date",
                "2024-10-03",
                "--reference",
                "Budgetaftale 2025",
            ],
        )
        .await;
        assert!(
            receipt.contains("Budgetbeslutning (BudgetDecided)"),
            "{receipt}"
        );
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "anna@kk.dk",
                "budget-decision",
                "BC02",
                "--outcome",
                "vedtaget",
                "--date",
                "2024-10-03",
                "--reference",
                "Budgetaftale 2025",
            ])
            .await;
        assert_eq!(
            code, 1,
            "a project owner does not record the decision: {out}"
        );
        let rest: Vec<&str> = TestStore::BUDGET_2025[1..].to_vec();
        t.adopt(&rest, chrono::NaiveDate::from_ymd_opt(2024, 10, 3).unwrap())
            .await;
        // Checkpoints that ended before the decision were never owed: BC12's goals dated
        // "1. kvartal 2024" cannot be judged. BC11 g1 ("Løbende … 2024-2026") states no
        // cadence: one checkpoint over 2024–2026, owed at its end, none invented inside it.
        let goals = t.json(&["report", "goals", "--as-of", "2025-12-31"]).await;
        let goal = |p: &str, g: &str| -> Value {
            goals
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["proposal"] == p && r["id"] == g)
                .unwrap()
                .clone()
        };
        let bc12_g1 = goal("BC12", "g1");
        assert_eq!(bc12_g1["before_decision"], serde_json::json!(["2024Q1"]));
        assert_eq!(
            bc12_g1["schedule"],
            "ikke fastlagt: alle kontrolpunkter (2024Q1) ligger før budgetbeslutningen"
        );
        assert_eq!(bc12_g1["status"], "unscheduled");
        // And it is shown as a suspect date: due before the proposal was even approved.
        assert_eq!(
            bc12_g1["suspect_date"],
            "«Der er indkøbt ekstern rådgivning»: 1 af 1 kontrolpunkter (2024Q1) slutter før forslaget blev godkendt af Center for Økonomi den 2024-06-27"
        );
        let (_, text) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC12",
                "--as-of",
                "2025-12-31",
            ])
            .await;
        assert!(
            text.contains("Mistænkelig dato: «Der er indkøbt ekstern rådgivning»: 1 af 1"),
            "{text}"
        );
        assert_eq!(goal("BC12", "g3")["suspect_date"], Value::Null);
        let bc11_g1 = goal("BC11", "g1");
        assert_eq!(bc11_g1["before_decision"], Value::Null, "{bc11_g1}");
        assert_eq!(
            (&bc11_g1["schedule"], &bc11_g1["status"]),
            (&Value::from("2024Q1–2026Q4"), &Value::from("due")),
            "{bc11_g1}"
        );
        let before = committee(&t, "2024-10-02", &[]).await;
        assert_eq!(
            before["BC01"]["rule"], "awaiting_decision",
            "as of before the decision"
        );
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(portfolio["total"]["adopted"], 12);
        assert_eq!(
            portfolio["total"]["investment_adopted"],
            portfolio["total"]["investment"]
        );

        let status = committee(&t, "2025-12-31", &[]).await;
        // Nothing is red: with no reports the system does not know. Green only where nothing
        // was owed yet: BC04 and BC05 have no phase table, so their phase-relative goals are
        // dated from the funding years (BC04: 2025; BC05: 2025–2026) and fall due at the
        // earliest on 31 December 2025, the date judged; a month later they are missing.
        assert_eq!(
            decided(&status),
            expected(&[
                ("BC01", "not_assessed", "missing_reports"),
                ("BC02", "not_assessed", "missing_reports"),
                ("BC03", "not_assessed", "missing_reports"),
                ("BC04", "on_track", "on_plan"),
                ("BC05", "on_track", "on_plan"),
                ("BC07", "not_assessed", "missing_reports"),
                ("BC08", "not_assessed", "confidential"),
                ("BC09", "not_assessed", "missing_reports"),
                ("BC11", "not_assessed", "missing_reports"),
                ("BC12", "not_assessed", "missing_reports"),
                ("BC13", "not_assessed", "missing_reports"),
                ("BC14", "not_assessed", "missing_reports"),
            ])
        );
        let bc02 = &status["BC02"];
        assert_eq!(bc02["not_assessed"], "missing_reports");
        for reason in [
            "mål g1 er ikke rapporteret (Ultimo 2024)",
            "mål g2 er ikke rapporteret (Ultimo 2024)",
            "2024: mangler indberetning af implementeringsomkostninger",
        ] {
            assert!(has_reason(bc02, reason), "{reason}: {bc02}");
        }
        // BC13 g1 ("Ved frigivelse af investeringsmidler") is not assessed, never on plan.
        assert!(has_reason(
            &status["BC13"],
            "mål g1 er ikke vurderet: uden dato (Ved frigivelse af investeringsmidler)"
        ));
        assert_eq!(status["BC08"]["not_assessed"], "confidential");
        let later = committee(&t, "2026-01-31", &[]).await;
        assert_eq!(
            later["BC04"]["rule"], "missing_reports",
            "{}",
            later["BC04"]
        );
        assert!(has_reason(
            &later["BC04"],
            "mål g1 er ikke rapporteret (I afslutningsfasen af projektet)"
        ));
        let bc05 = t
            .json(&[
                "report",
                "goals",
                "--proposal",
                "BC05",
                "--as-of",
                "2025-12-31",
            ])
            .await;
        let g2 = bc05
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "g2")
            .unwrap();
        assert_eq!(
            (&g2["schedule"], &g2["dated_from"]),
            (
                &Value::from("2026Q4"),
                &Value::from("finansieringsårene 2025–2026 (forslaget har ingen fasetabel)")
            ),
            "Ved projektafslutning: the last funding year's last quarter, said so"
        );
        let (_, text) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC05",
                "--as-of",
                "2025-12-31",
            ])
            .await;
        assert!(
            text.contains(
                "Dateret efter finansieringsårene 2025–2026 (forslaget har ingen fasetabel)"
            ),
            "{text}"
        );

        // Goals: none overdue (nothing is known to be missed), many not reported.
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(portfolio["goal_counts"].get("overdue"), None, "{portfolio}");
        assert!(portfolio["goal_counts"]["not_reported"].as_u64().unwrap() > 20);
        // The late list has no savings shortfall: nothing reported is not a shortfall.
        let late = t.json(&["report", "late", "--as-of", "2026-06-30"]).await;
        let kinds: Vec<&str> = late
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap())
            .collect();
        assert!(!kinds.contains(&"saving"), "{kinds:?}");
        assert!(kinds.contains(&"missing_report"), "{kinds:?}");

        // Forecast payback: where a past year's cost is unreported it is withheld, not shorter.
        // (Read as zero, BC02 went 5 → 1, BC07 5 → 1, BC13 6 → 3 and BC04 to 1 år.)
        for (id, year) in [
            ("BC02", "2024, 2025"),
            ("BC07", "2025"),
            ("BC13", "2025"),
            ("BC04", "2025"),
        ] {
            let r = t
                .json(&["report", "realisation", id, "--as-of", "2026-06-30"])
                .await;
            for p in r["payback"].as_array().unwrap() {
                assert_eq!(p["forecast"], Value::Null, "{id}: {p}");
                assert_eq!(
                    p["forecast_withheld"],
                    format!(
                        "kan ikke beregnes: implementeringsomkostningerne for {year} er ikke indberettet"
                    ),
                    "{id}"
                );
            }
            // A past year with nothing reported says so; its forecast is the plan, never zero.
            let y2025 = r["years"]
                .as_array()
                .unwrap()
                .iter()
                .find(|y| y["year"] == 2025)
                .unwrap();
            assert_eq!(y2025["cost_report"], "missing_report", "{id}");
            assert_eq!(y2025["forecast"], y2025["plan"], "{id}");
            assert_eq!(y2025["forecast_source"], "plan", "{id}");
        }
        let bc02 = t
            .json(&["report", "realisation", "BC02", "--as-of", "2026-06-30"])
            .await;
        let y2025 = &bc02["years"][1];
        assert_eq!(
            (y2025["year"].clone(), y2025["savings_report"].clone()),
            (2025.into(), "missing_report".into())
        );
        // BC04's internal-loan repayment is an obligation, outside payback (planned: none).
        let bc04 = t
            .json(&["report", "realisation", "BC04", "--as-of", "2026-06-30"])
            .await;
        let obligations: Vec<(i64, String)> = bc04["obligations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["year"].as_i64().unwrap(),
                    o["amount"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            obligations,
            [2027, 2028, 2029, 2030].map(|y| (y, "-258".to_string()))
        );
        for p in bc04["payback"].as_array().unwrap() {
            assert_eq!(p["planned"], Value::Null, "{p}");
        }
    }
);

/// A realistic first year: BC01, BC02, BC03, BC09 and BC12 report; the rest stay silent.
async fn a_year_of_reports(t: &TestStore) {
    // BC01: g1 achieved with evidence; g2 flagged at risk in its quarter; 2025 as planned.
    owner(
        t,
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
    owner(
        t,
        &[
            "progress",
            "BC01",
            "--goal",
            "g2",
            "--date",
            "2025-11-10",
            "--note",
            "Høring i MED trækker ud",
            "--at-risk",
        ],
    )
    .await;
    for (line, amount) in [("l1", "-149"), ("l2", "-148")] {
        money(t, "saving", "BC01", "2025", amount, Some(line)).await;
    }
    for (line, amount) in [("l4", "750"), ("l5", "1250")] {
        money(t, "cost", "BC01", "2025", amount, Some(line)).await;
    }

    // BC02: everything done with evidence, costs reported, 2025's saving 1 t.kr. short.
    for (goal, date) in [
        ("g1", "2024-12-10"),
        ("g2", "2024-12-12"),
        ("g3", "2025-12-01"),
    ] {
        owner(
            t,
            &[
                "achieved",
                "BC02",
                "--goal",
                goal,
                "--date",
                date,
                "--evidence",
                "KEJD driftsrapport",
            ],
        )
        .await;
    }
    for date in ["2025-02-15", "2025-05-15", "2025-08-15", "2025-11-15"] {
        owner(
            t,
            &[
                "progress",
                "BC02",
                "--goal",
                "g4",
                "--date",
                date,
                "--note",
                "Indtægter fra ladeoperatører bogført",
                "--evidence",
                "Kvantum-udtræk",
            ],
        )
        .await;
    }
    for (year, amount) in [("2024", "422"), ("2025", "1400")] {
        money(t, "cost", "BC02", year, amount, None).await;
    }
    money(t, "saving", "BC02", "2025", "-561", None).await;

    // BC03 (innovation): milestones 1–2 on time, the running goal evidenced every quarter.
    for (m, date) in [("m1", "2025-06-20"), ("m2", "2025-09-25")] {
        owner(
            t,
            &[
                "milestone-completed",
                "BC03",
                "--milestone",
                m,
                "--date",
                date,
                "--evidence",
                "Styregruppereferat",
            ],
        )
        .await;
    }
    for date in ["2025-03-20", "2025-06-20", "2025-09-20", "2025-12-10"] {
        owner(
            t,
            &[
                "progress",
                "BC03",
                "--goal",
                "g5",
                "--date",
                date,
                "--note",
                "Læringslog opdateret",
                "--evidence",
                "Læringslog",
            ],
        )
        .await;
    }
    money(t, "cost", "BC03", "2025", "1545", None).await;

    // BC09: g1–g2 achieved; g3 has a bare note only; 2025 saving 590 short.
    for goal in ["g1", "g2"] {
        owner(
            t,
            &[
                "achieved",
                "BC09",
                "--goal",
                goal,
                "--date",
                "2025-03-15",
                "--evidence",
                "Ansættelsesbrev",
            ],
        )
        .await;
    }
    owner(
        t,
        &[
            "progress",
            "BC09",
            "--goal",
            "g3",
            "--date",
            "2025-08-01",
            "--note",
            "Frikøb aftalt med to af fem botilbud",
        ],
    )
    .await;
    owner(
        t,
        &[
            "progress",
            "BC09",
            "--goal",
            "g4",
            "--date",
            "2024-12-01",
            "--note",
            "Baseline opgjort",
            "--evidence",
            "Økonomiudtræk Q4 2024",
        ],
    )
    .await;
    money(t, "saving", "BC09", "2025", "-2300", Some("l1")).await;
    money(t, "cost", "BC09", "2025", "3300", None).await;

    // BC12: g1–g5 achieved with evidence; g6 (a realisation goal) by the verified saving.
    for (goal, date) in [
        ("g1", "2024-03-01"),
        ("g2", "2024-03-15"),
        ("g3", "2025-03-10"),
        ("g4", "2025-06-30"),
        ("g5", "2025-08-30"),
    ] {
        owner(
            t,
            &[
                "achieved",
                "BC12",
                "--goal",
                goal,
                "--date",
                date,
                "--evidence",
                "Projektrapport",
            ],
        )
        .await;
    }
    let saving = money(t, "saving", "BC12", "2025", "-4500", None).await;
    rec(
        t,
        "carl@kk.dk",
        "controller",
        &[
            "verify-saving",
            "BC12",
            "--sequence",
            &sequence(&saving),
            "--date",
            "2025-12-20",
        ],
    )
    .await;
    for (year, amount) in [("2024", "50"), ("2025", "4800")] {
        money(t, "cost", "BC12", year, amount, None).await;
    }
}

both_backends!(
    budget_2025_with_a_year_of_reports,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        a_year_of_reports(&t).await;

        // 31 December 2025: the year is still open, so savings are not yet judged.
        let status = committee(&t, "2025-12-31", &[]).await;
        assert_eq!(
            decided(&status),
            expected(&[
                ("BC01", "on_track", "on_plan"),
                ("BC02", "on_track", "on_plan"),
                ("BC03", "on_track", "on_plan"),
                // Dated from their funding years; nothing owed before the year's last day.
                ("BC04", "on_track", "on_plan"),
                ("BC05", "on_track", "on_plan"),
                ("BC07", "not_assessed", "missing_reports"),
                ("BC08", "not_assessed", "confidential"),
                ("BC09", "red", "material_problem"),
                ("BC11", "not_assessed", "missing_reports"),
                ("BC12", "on_track", "on_plan"),
                ("BC13", "not_assessed", "missing_reports"),
                ("BC14", "not_assessed", "missing_reports"),
            ])
        );
        // BC01: g2 at risk is shown, and decides nothing yet.
        assert!(has_reason(&status["BC01"], "mål g2 er i risiko"));
        // BC09: g3 had a note, no evidence, and its quarter has passed: a known miss.
        assert!(has_reason(
            &status["BC09"],
            "mål g3 er overskredet (I 3. kvartal 2025.) [væsentlig]"
        ));
        // BC12 g6 is achieved by the verified 2025 saving, not by a note.
        let goals = t
            .json(&[
                "report",
                "goals",
                "--proposal",
                "BC12",
                "--as-of",
                "2025-12-31",
            ])
            .await;
        let g6 = goals
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "g6")
            .unwrap();
        assert_eq!(g6["status"], "achieved_on_time", "{g6}");
        // BC02's forecast payback rests on the 2024 cost report and the plan for the rest.
        let bc02 = t
            .json(&["report", "realisation", "BC02", "--as-of", "2025-12-31"])
            .await;
        let service = &bc02["payback"][0];
        assert_eq!(service["forecast"]["years"], 5, "{service}");
        assert_eq!(
            service["forecast_sources"][0],
            serde_json::json!({"year": 2024, "cost": "reported", "saving": "plan"})
        );

        // The owners answer what they can: BC01 for g2, BC09 for 2025's shortfall (not g3).
        owner(
            &t,
            &[
                "compensating-action",
                "BC01",
                "--goal",
                "g2",
                "--date",
                "2026-01-10",
                "--action",
                "Praksis forelægges direktionen i februar",
            ],
        )
        .await;
        let action = owner(
            &t,
            &[
                "compensating-action",
                "BC09",
                "--year",
                "2025",
                "--date",
                "2026-01-20",
                "--action",
                "Genudbud af madservice på to botilbud",
            ],
        )
        .await;
        let action = sequence(&action);

        // 31 January 2026: 2025 has closed.
        let status = committee(&t, "2026-01-31", &[]).await;
        let decided_then = decided(&status);
        let of = |id: &str| {
            decided_then
                .iter()
                .find(|(p, _, _)| p == id)
                .map(|(_, c, r)| (c.as_str(), r.as_str()))
                .unwrap()
        };
        // BC01: g2 missed in its quarter, answered by an action naming it: yellow.
        assert_eq!(
            of("BC01"),
            (
                "delayed_with_compensating_actions",
                "problem_answered_or_immaterial"
            )
        );
        // BC02: 1 t.kr. short is below the threshold: yellow, not red.
        assert_eq!(
            of("BC02"),
            (
                "delayed_with_compensating_actions",
                "problem_answered_or_immaterial"
            )
        );
        assert!(has_reason(
            &status["BC02"],
            "2025: realiseret (indberettet, ikke verificeret) -561 mod plan -562 (1.000 kr.) [under væsentlighedsgrænsen]"
        ));
        // BC09: the action names 2025, so 2025 moves; g3 is still unanswered: red.
        assert_eq!(of("BC09"), ("red", "material_problem"));
        assert!(has_reason(
            &status["BC09"],
            &format!(
                "2025: realiseret (indberettet, ikke verificeret) -2300 mod plan -2890 (1.000 kr.) [væsentlig; kompenserende handling (hændelse {action})]"
            )
        ));
        assert!(has_reason(
            &status["BC09"],
            "mål g3 er overskredet (I 3. kvartal 2025.) [væsentlig]"
        ));
        assert_eq!(of("BC03"), ("on_track", "on_plan"));
        assert_eq!(of("BC12"), ("on_track", "on_plan"));
        // The silent ones now also miss their 2025 reports.
        assert_eq!(of("BC11"), ("not_assessed", "missing_reports"));
        assert!(has_reason(
            &status["BC11"],
            "2025: mangler indberetning af realiserede effektiviseringer"
        ));

        // The threshold is configurable: with none, BC02's 1 t.kr. is red.
        let strict = committee(
            &t,
            "2026-01-31",
            &["--materiality-amount", "0", "--materiality-share", "0"],
        )
        .await;
        assert_eq!(strict["BC02"]["category"], "red");
    }
);

both_backends!(
    a_shortfall_is_judged_on_verified_figures_where_they_exist,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        // BC01 reports its whole 2025 plan, but a controller has verified only l1.
        let l1 = money(&t, "saving", "BC01", "2025", "-149", Some("l1")).await;
        money(&t, "saving", "BC01", "2025", "-148", Some("l2")).await;
        let status = committee(&t, "2026-01-31", &[]).await;
        assert!(
            !status["BC01"]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().contains("mod plan")),
            "reported as planned: no shortfall {}",
            status["BC01"]
        );
        rec(
            &t,
            "carl@kk.dk",
            "controller",
            &[
                "verify-saving",
                "BC01",
                "--sequence",
                &sequence(&l1),
                "--date",
                "2026-01-15",
            ],
        )
        .await;
        let status = committee(&t, "2026-01-31", &[]).await;
        assert_eq!(status["BC01"]["category"], "red", "{}", status["BC01"]);
        assert!(has_reason(
            &status["BC01"],
            "2025: verificeret -149 mod plan -297 (1.000 kr.) [væsentlig]"
        ));
        // A compensating action that names neither goal nor year moves nothing.
        let vague = owner(
            &t,
            &[
                "compensating-action",
                "BC01",
                "--date",
                "2026-01-20",
                "--action",
                "Vi gør en ekstra indsats",
            ],
        )
        .await;
        let status = committee(&t, "2026-01-31", &[]).await;
        assert_eq!(status["BC01"]["category"], "red");
        assert!(has_reason(
            &status["BC01"],
            &format!(
                "kompenserende handling (hændelse {}) nævner hverken mål eller år og flytter intet",
                sequence(&vague)
            )
        ));
    }
);
