//! The controllers' acceptance scenario on both backends: realised savings and costs for BC01,
//! BC09 and BC13 over 2025–2027, recorded through `gevinst record` (including a correction, an
//! amount reported at another price level, a four-eyes verification, a compensating action, a
//! forecast and a budget adjustment), then variance, realisation rate, cumulative figures and
//! forecast payback read back through `gevinst report`.

use gevinst_tests::{both_backends, TestStore};
use serde_json::Value;

async fn rec(t: &TestStore, who: &str, _role: &str, args: &[&str]) -> String {
    // The story runs to 2027 with today's clock: its later savings are dated in the future,
    // and 2024 p/l cannot be converted before a price index is in use, so they are confirmed
    // (see tests/tests/bounds.rs).
    let mut argv = vec!["record", "--as", who, "--confirm"];
    argv.extend_from_slice(args);
    let (code, out) = t.gevinst(&argv).await;
    assert_eq!(code, 0, "{argv:?}: {out}");
    out
}

async fn owner(t: &TestStore, args: &[&str]) -> String {
    rec(t, "anna@kk.dk", "projektejer", args).await
}

fn year(r: &Value, y: i64) -> &Value {
    r["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["year"] == y)
        .unwrap()
}

both_backends!(
    bc01_bc09_bc13_over_2025_to_2027,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;

        // --- BC01: one amount reported at 2024 p/l, one typed wrong and corrected.
        for (y, line, amount, pl) in [
            ("2025", "l1", "-149", "2025"),
            ("2025", "l2", "-148", "2024"),
            ("2026", "l1", "-297", "2025"),
            ("2026", "l2", "-297", "2025"),
            ("2026", "l3", "-400", "2025"),
            ("2027", "l1", "-297", "2025"),
            ("2027", "l2", "-297", "2025"),
        ] {
            owner(
                &t,
                &[
                    "saving",
                    "BC01",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--price-level",
                    pl,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }
        let out = owner(
            &t,
            &[
                "saving",
                "BC01",
                "--year",
                "2027",
                "--amount",
                "-800",
                "--plan-line",
                "l3",
                "--date",
                "2027-12-31",
            ],
        )
        .await;
        let typo: String = out
            .split("hændelse ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        owner(
            &t,
            &[
                "correction",
                "BC01",
                "--sequence",
                &typo,
                "--reason",
                "tastefejl: 880, ikke 800",
                "--replace-amount",
                "-880",
            ],
        )
        .await;
        for (y, line, amount) in [
            ("2025", "l4", "750"),
            ("2025", "l5", "1250"),
            ("2026", "l4", "750"),
            ("2026", "l5", "1500"),
        ] {
            owner(
                &t,
                &[
                    "cost",
                    "BC01",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }

        // --- BC09: l2 is money handed back to the units (a running cost, positive).
        let first = owner(
            &t,
            &[
                "saving",
                "BC09",
                "--year",
                "2025",
                "--amount",
                "-4300",
                "--plan-line",
                "l1",
                "--date",
                "2025-12-31",
            ],
        )
        .await;
        let first_seq: String = first
            .split("hændelse ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string();
        for (y, line, amount) in [
            ("2025", "l2", "1410"),
            ("2026", "l1", "-7000"),
            ("2026", "l2", "2820"),
            ("2027", "l1", "-8600"),
            ("2027", "l2", "2820"),
        ] {
            owner(
                &t,
                &[
                    "saving",
                    "BC09",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }
        for (y, line, amount) in [
            ("2025", "l3", "700"),
            ("2025", "l4", "2100"),
            ("2025", "l5", "500"),
            ("2026", "l3", "400"),
            ("2026", "l4", "1050"),
        ] {
            owner(
                &t,
                &[
                    "cost",
                    "BC09",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }
        // Four eyes: the owner may not verify her own saving; a controller may.
        let mut argv = vec![
            "record",
            "--as",
            "anna@kk.dk",
            "verify-saving",
            "BC09",
            "--sequence",
            &first_seq,
            "--date",
            "2026-02-01",
        ];
        let (code, out) = t.gevinst(&argv).await;
        assert_eq!(code, 1, "{out}");
        argv[2] = "carl@kk.dk";
        let (code, out) = t.gevinst(&argv).await;
        assert_eq!(code, 0, "{out}");
        owner(
            &t,
            &[
                "compensating-action",
                "BC09",
                "--year",
                "2026",
                "--date",
                "2027-02-01",
                "--action",
                "Genudbud af madservice på to botilbud",
            ],
        )
        .await;

        // --- BC13: cost overrun in 2026, a lower forecast for 2028, and TMU's frame reduced in 2027.
        for (y, line, amount) in [
            ("2025", "l8", "6854"),
            ("2025", "l6", "14746"),
            ("2026", "l8", "5659"),
            ("2026", "l6", "19878"),
        ] {
            owner(
                &t,
                &[
                    "cost",
                    "BC13",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }
        for (y, line, amount) in [
            ("2026", "l1", "-3684"),
            ("2026", "l2", "-1847"),
            ("2026", "l3", "-1402"),
            ("2026", "l4", "201"),
            ("2027", "l1", "-5894"),
            ("2027", "l2", "-2955"),
            ("2027", "l3", "-2243"),
            ("2027", "l4", "320"),
        ] {
            owner(
                &t,
                &[
                    "saving",
                    "BC13",
                    "--year",
                    y,
                    "--amount",
                    amount,
                    "--plan-line",
                    line,
                    "--date",
                    &format!("{y}-12-31"),
                ],
            )
            .await;
        }
        owner(
            &t,
            &[
                "forecast",
                "BC13",
                "--year",
                "2028",
                "--amount",
                "-9000",
                "--date",
                "2027-10-01",
                "--control-area",
                "service",
                "--section",
                "varig",
            ],
        )
        .await;
        rec(
            &t,
            "carl@kk.dk",
            "controller",
            &[
                "budget-adjustment",
                "BC13",
                "--committee",
                "TMU",
                "--year",
                "2027",
                "--amount",
                "-10772",
                "--control-area",
                "service",
                "--date",
                "2027-01-01",
                "--reference",
                "Budget 2027, TMU",
            ],
        )
        .await;

        // Before any price index is in use, the 2024 p/l amount is not guessed: it is listed.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let before_index = chrono::Utc::now().to_rfc3339();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        // A controller states a test estimate (service 2024 → 2025 rises 3,2 %) and takes it
        // into use, through the command line.
        for args in [
            vec![
                "price-index",
                "vintage",
                "scenario-test",
                "--name",
                "Testskøn for scenariet (ikke et udgivet tal)",
                "--published",
                "2025-06-01",
                "--publisher",
                "Gevinsts tests",
                "--as",
                "carl@kk.dk",
            ],
            vec![
                "price-index",
                "rate",
                "scenario-test",
                "--series",
                "service",
                "--year",
                "2025",
                "--rate",
                "3,2",
                "--source",
                "tests/tests/scenario.rs",
                "--as",
                "carl@kk.dk",
            ],
            vec!["price-index", "use", "scenario-test", "--as", "carl@kk.dk"],
        ] {
            let (code, out) = t.gevinst(&args).await;
            assert_eq!(code, 0, "{args:?}: {out}");
        }
        // A project owner may not maintain the index.
        let (code, out) = t
            .gevinst(&["price-index", "use", "scenario-test", "--as", "anna@kk.dk"])
            .await;
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("vedligeholde prisindekset"), "{out}");

        let report = |id: &'static str| {
            let t = &t;
            async move {
                let (code, out) = t
                    .gevinst(&[
                        "report",
                        "realisation",
                        id,
                        "--as-of",
                        "2028-01-15",
                        "--format",
                        "json",
                    ])
                    .await;
                assert_eq!(code, 0, "{out}");
                serde_json::from_str::<Value>(&out).unwrap()
            }
        };

        // BC01: -149 + (-148 × 103,2/100 = -152,736) in 2025; 2026 short by 150; 2027 as planned
        // after the correction.
        let bc01 = report("BC01").await;
        assert_eq!(year(&bc01, 2025)["realised"], "-301.736");
        assert_eq!(year(&bc01, 2025)["variance"], "-4.736");
        assert_eq!(year(&bc01, 2025)["rate"], "1.0159");
        assert_eq!(year(&bc01, 2026)["realised"], "-994");
        assert_eq!(year(&bc01, 2026)["variance"], "150");
        assert_eq!(year(&bc01, 2026)["rate"], "0.8689");
        assert_eq!(year(&bc01, 2027)["realised"], "-1474");
        assert_eq!(year(&bc01, 2027)["rate"], "1");
        assert_eq!(year(&bc01, 2027)["cumulative_plan"], "-2915");
        assert_eq!(year(&bc01, 2027)["cumulative_realised"], "-2769.736");
        assert_eq!(year(&bc01, 2027)["cumulative_variance"], "145.264");
        assert_eq!(year(&bc01, 2027)["cumulative_rate"], "0.9502");
        assert_eq!(year(&bc01, 2026)["cost_incurred"], "2250");
        // Planned payback 4 years (2028); with 2026 short it turns a year later.
        for p in bc01["payback"].as_array().unwrap() {
            assert_eq!(
                (
                    p["planned"]["years"].clone(),
                    p["planned"]["turns_in"].clone()
                ),
                (4.into(), 2028.into())
            );
            assert_eq!(
                (
                    p["forecast"]["years"].clone(),
                    p["forecast"]["turns_in"].clone()
                ),
                (5.into(), 2029.into())
            );
        }
        assert_eq!(bc01["unconverted"], serde_json::json!([]));

        // BC09: net of the money handed back; 2026 short by 1.600; the 2025 saving verified.
        let bc09 = report("BC09").await;
        assert_eq!(year(&bc09, 2025)["realised"], "-2890");
        assert_eq!(year(&bc09, 2025)["rate"], "1");
        assert_eq!(year(&bc09, 2025)["realised_verified"], "-4300");
        assert_eq!(year(&bc09, 2026)["realised"], "-4180");
        assert_eq!(year(&bc09, 2026)["variance"], "1600");
        assert_eq!(year(&bc09, 2026)["rate"], "0.7232");
        assert_eq!(year(&bc09, 2027)["cumulative_variance"], "1600");
        let forecast_payback = |r: &Value| {
            r["payback"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["forecast"]["years"].clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            forecast_payback(&bc09),
            vec![Value::from(2), Value::from(2)]
        );

        // BC13: savings as planned, a 2.000 cost overrun, and the 2028 forecast below plan.
        let bc13 = report("BC13").await;
        assert_eq!(year(&bc13, 2026)["rate"], "1");
        assert_eq!(year(&bc13, 2027)["realised"], "-10772");
        assert_eq!(year(&bc13, 2026)["cost_budget"], "23537");
        assert_eq!(year(&bc13, 2026)["cost_incurred"], "25537");
        assert_eq!(year(&bc13, 2028)["forecast"], "-9000");
        assert_eq!(year(&bc13, 2027)["budget_removed"], "-10772");
        assert_eq!(
            forecast_payback(&bc13),
            vec![Value::from(6), Value::from(6)]
        );
        let costs = bc13["costs"].as_array().unwrap();
        let capital_2026 = costs
            .iter()
            .find(|c| c["control_area"] == "capital" && c["year"] == 2026)
            .unwrap();
        assert_eq!(
            (
                capital_2026["budget"].clone(),
                capital_2026["incurred"].clone()
            ),
            ("17878".into(), "19878".into())
        );

        // The conversion names the estimate it used.
        assert_eq!(
            bc01["conversions"],
            serde_json::json!([{
                "sequence": bc01["conversions"][0]["sequence"],
                "amount": "-148",
                "price_level": 2024,
                "converted": "-152.736",
                "vintage": "scenario-test",
            }]),
            "{bc01}"
        );
        assert_eq!(bc01["price_index"]["vintage"], "scenario-test");

        // As known before the estimate was in use: the amount is listed, not guessed.
        let (code, out) = t
            .gevinst(&[
                "report",
                "realisation",
                "BC01",
                "--as-of",
                "2028-01-15",
                "--known-on",
                &before_index,
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let plain: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(year(&plain, 2025)["realised"], "-149");
        assert!(
            plain["unconverted"][0]["reason"]
                .as_str()
                .unwrap()
                .contains("intet prisindeks er taget i brug"),
            "{plain}"
        );
        assert_eq!(plain["price_index"], Value::Null);

        // A later estimate (the shipped one: 2,8 % for 2025) converts from then on; the report
        // as known before the switch still converts with the test estimate.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let before_switch = chrono::Utc::now().to_rfc3339();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (code, out) = t.gevinst(&["price-index", "import"]).await;
        assert_eq!(code, 0, "{out}");
        let (code, out) = t
            .gevinst(&[
                "price-index",
                "use",
                "oes-2024-06",
                "--reason",
                "det udgivne skøn",
                "--as",
                "dora@kk.dk",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let switched = report("BC01").await;
        assert_eq!(year(&switched, 2025)["realised"], "-301.144");
        assert_eq!(switched["conversions"][0]["vintage"], "oes-2024-06");
        let (code, out) = t
            .gevinst(&[
                "report",
                "realisation",
                "BC01",
                "--as-of",
                "2028-01-15",
                "--known-on",
                &before_switch,
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let then: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(year(&then, 2025)["realised"], "-301.736");
        assert_eq!(then["conversions"][0]["vintage"], "scenario-test");
        let (code, out) = t
            .gevinst(&["price-index", "use", "scenario-test", "--as", "carl@kk.dk"])
            .await;
        assert_eq!(code, 0, "{out}");

        // Committees: BC09 is late with a compensating action; cashable TMU savings show.
        let (code, out) = t
            .gevinst(&[
                "report",
                "committee-status",
                "--as-of",
                "2028-01-15",
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let status: Vec<Value> = serde_json::from_str(&out).unwrap();
        let bc09 = status.iter().find(|s| s["proposal"] == "BC09").unwrap();
        assert_eq!(
            bc09["category"], "delayed_with_compensating_actions",
            "{bc09}"
        );
        assert_eq!(bc09["rule"], "problem_answered_or_immaterial", "{bc09}");
        assert!(
            bc09["reasons"].as_array().unwrap().iter().any(|r| r
                .as_str()
                .unwrap()
                .starts_with(
                    "2026: realiseret (indberettet, ikke verificeret) -4180 mod plan -5780 (1.000 kr.) [væsentlig; kompenserende handling (hændelse "
                )),
            "the action names 2026, so 2026 moves: {bc09}"
        );
        // BC01 is short by 150 in 2026 (material: over 100 t.kr. and 5 %) with no action: red.
        let bc01 = status.iter().find(|s| s["proposal"] == "BC01").unwrap();
        assert_eq!(bc01["category"], "red", "{bc01}");
        // BC11 reported nothing: not a shortfall of its whole plan but missing reports.
        let bc11 = status.iter().find(|s| s["proposal"] == "BC11").unwrap();
        assert_eq!(
            (bc11["category"].clone(), bc11["not_assessed"].clone()),
            ("not_assessed".into(), "missing_reports".into()),
            "{bc11}"
        );
        let (code, out) = t
            .gevinst(&[
                "report",
                "portfolio",
                "--as-of",
                "2028-01-15",
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let portfolio: Value = serde_json::from_str(&out).unwrap();
        let tmu = portfolio["committees"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["committee"] == "TMU")
            .unwrap();
        assert_eq!(tmu["budget_removed"], "-10772");
        assert_eq!(tmu["realised_to_date"], "-17504");
        let (code, out) = t
            .gevinst(&["report", "late", "--as-of", "2028-01-15"])
            .await;
        assert_eq!(code, 0, "{out}");
        let at = |needle: &str| {
            out.lines()
                .position(|l| l.starts_with(needle))
                .unwrap_or_else(|| panic!("{needle} missing: {out}"))
        };
        assert!(
            at("BC09 2026") < at("BC11 2027"),
            "shortfalls first; BC11 reported nothing, which is not a shortfall: {out}"
        );
        assert!(
            out.contains("BC11 2027 mangler indberetning"),
            "a year without a report is listed as such: {out}"
        );
        assert!(
            at("BC09 2026") < at("BC01 2026"),
            "largest shortfall first: {out}"
        );
        assert!(
            out.contains("BC09 2026 effektivisering         mangler 1.600"),
            "{out}"
        );
        assert!(
            !out.contains("BC13 2027 effektivisering"),
            "BC13 realised its 2027 plan: {out}"
        );

        // The whole history still verifies.
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "{out}");
    }
);
