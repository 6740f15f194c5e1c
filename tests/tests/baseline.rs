//! The Budget 2025 baseline through the real command path, on both backends: import, a second
//! import, a changed file, the integrity check on the command line, and the first reports.

use gevinst_projections::import::{import_baseline, ImportError};
use gevinst_projections::readmodel::ReadModels;
use gevinst_projections::reports::{goals, proposal_report, GoalStatus};
use gevinst_store::verify;
use gevinst_tests::{both_backends, budget_2025, budget_2025_path, TestStore};
use rust_decimal_macros::dec;

both_backends!(
    importing_the_baseline_twice_appends_nothing_the_second_time,
    |t: TestStore| async move {
        let path = budget_2025_path();
        let path = path.to_str().unwrap();
        let (code, out) = t.gevinst(&["baseline", "import", path]).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("12 forslag registreret, 24 hændelser tilføjet"),
            "{out}"
        );
        // The shipped price index comes with the first import: one event per vintage, rate and
        // vintage taken into use, as the seed file lists them.
        let seed =
            gevinst_domain::price::Seed::parse(gevinst_api::startup::BUNDLED_PRICE_INDEX).unwrap();
        let seeded = seed
            .commands(&gevinst_domain::price::PriceIndex::default())
            .unwrap()
            .len();
        let rates: usize = seed.vintages.iter().map(|v| v.rates.len()).sum();
        assert_eq!(seeded, seed.vintages.len() + rates + 1);
        assert!(
            out.contains(&format!(
                "prisindeks: det medfølgende skøn er registreret ({seeded} hændelser)"
            )),
            "{out}"
        );
        let all = 24 + seeded;
        let report = verify(t.service.store()).await.unwrap();
        assert!(report.is_ok(), "{report}");
        assert_eq!((report.events, report.streams), (all, 13));

        let (code, out) = t.gevinst(&["baseline", "import", path]).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("er allerede importeret: intet tilføjet (12 forslag uændrede)"),
            "{out}"
        );
        assert!(!out.contains("prisindeks"), "{out}");
        assert_eq!(
            t.service.store().last_position().await.unwrap(),
            i64::try_from(all).unwrap()
        );

        // Every imported event is the system's: the proposals' carry the file's hash, the
        // price index's are the seed's.
        let events = t.service.store().after_position(0, 100).await.unwrap();
        let sha = gevinst_domain::chain::sha256_hex(&budget_2025());
        let (proposals, prices): (Vec<_>, Vec<_>) =
            events.iter().partition(|e| e.aggregate_type == "proposal");
        assert!(proposals
            .iter()
            .all(|e| e.actor == "system:baseline" && e.role == "system"));
        assert!(proposals
            .iter()
            .all(|e| e.metadata["source_sha256"] == sha.as_str()));
        assert_eq!(prices.len(), seeded);
        assert!(prices
            .iter()
            .all(|e| e.actor == "system:price-index" && e.role == "system"));
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(
            (code, out.trim()),
            (
                0,
                format!(
                    "i orden: {all} hændelser i 12 forslag og 1 strøm af typen 'price_index', \
                     position 1..{all}, alle hashkæder er intakte"
                )
                .as_str()
            )
        );
    }
);

both_backends!(
    a_changed_baseline_for_registered_proposals_is_refused,
    |t: TestStore| async move {
        let original = budget_2025();
        import_baseline(&t.service, "budget-2025-bilag-7.toml", &original, &|_| {})
            .await
            .unwrap();
        let text = String::from_utf8(original).unwrap();
        // Lower one of BC01's savings: a different promise.
        let changed = text.replacen("\"-149\"", "\"-100\"", 1);
        assert_ne!(changed, text);
        let err = import_baseline(
            &t.service,
            "budget-2025-bilag-7.toml",
            changed.as_bytes(),
            &|_| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, ImportError::Changed { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.starts_with("BC01 er allerede registreret fra en anden baseline"),
            "{message}"
        );
        assert!(message.contains("planrevision"), "{message}");
        assert_eq!(
            t.service.store().last_position().await.unwrap(),
            24,
            "nothing written"
        );
    }
);

both_backends!(
    the_import_records_the_documents_own_disagreements,
    |t: TestStore| async move {
        import_baseline(
            &t.service,
            "budget-2025-bilag-7.toml",
            &budget_2025(),
            &|_| {},
        )
        .await
        .unwrap();
        let read = ReadModels::new(t.db.clone());
        let bc04 = proposal_report(&read, "BC04").await.unwrap().unwrap();
        assert!(
            bc04.findings
                .iter()
                .any(|f| f.row == "Samlede implementeringsomkostninger"
                    && f.year == Some(2025)
                    && f.stated == dec!(0)
                    && f.computed == dec!(1000)),
            "{:?}",
            bc04.findings
        );
        let bc09 = proposal_report(&read, "BC09").await.unwrap().unwrap();
        let paybacks: Vec<_> = bc09
            .payback
            .iter()
            .map(|p| (p.computed.map(|c| c.years), p.stated))
            .collect();
        assert_eq!(
            paybacks,
            vec![(Some(2), Some(dec!(1))), (Some(2), Some(dec!(1)))]
        );
    }
);

both_backends!(
    the_proposal_report_shows_computed_and_stated_totals,
    |t: TestStore| async move {
        import_baseline(
            &t.service,
            "budget-2025-bilag-7.toml",
            &budget_2025(),
            &|_| {},
        )
        .await
        .unwrap();
        let (code, out) = t
            .gevinst(&["report", "proposal", "BC01", "--format", "json"])
            .await;
        assert_eq!(code, 0, "{out}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["identity"]["id"], "BC01");
        let total = json["totals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "total_impact")
            .unwrap();
        assert_eq!(total["computed"]["2025"], "1703");
        assert_eq!(total["computed"]["2027"], "-1474");
        assert_eq!(total["differs_in"], serde_json::json!([]));
        assert_eq!(json["payback"][0]["computed"]["years"], 4);
        assert_eq!(json["payback"][0]["stated"], "4");
        // With status and realisation as of a date.
        let (code, out) = t
            .gevinst(&[
                "report",
                "proposal",
                "BC01",
                "--as-of",
                "2025-10-01",
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(json["goals"].as_array().unwrap().len(), 6);
        assert_eq!(
            json["goals"][0]["status"], "not_reported",
            "g1 (Q3 2025) has passed with nothing reported"
        );
        assert_eq!(json["realisation"]["years"][1]["plan"], "-297");

        let (code, out) = t.gevinst(&["report", "proposal", "BC01"]).await;
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("= Samlet økonomisk påvirkning"), "{out}");
        assert!(out.contains("1.703"), "Danish thousands separator: {out}");
        assert!(out.contains("Tilbagebetalingstid, serviceeffektivisering: beregnet 4 år (vender i 2028); dokumentet: 4 år"), "{out}");

        let (code, out) = t.gevinst(&["report", "proposal", "BC99"]).await;
        assert_eq!(code, 1);
        assert!(out.contains("ukendt forslag BC99"), "{out}");
        let (code, out) = t.gevinst(&["report", "proposal", "X_1"]).await;
        assert_eq!(code, 1);
        assert!(out.contains("«X_1» er ikke et forslagsnummer"), "{out}");
    }
);

both_backends!(
    the_goals_report_lists_every_goal_with_its_schedule,
    |t: TestStore| async move {
        import_baseline(
            &t.service,
            "budget-2025-bilag-7.toml",
            &budget_2025(),
            &|_| {},
        )
        .await
        .unwrap();
        let read = ReadModels::new(t.db.clone());
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let rows = goals(&read, None, as_of).await.unwrap();
        let count = |kind: &str| rows.iter().filter(|r| r.kind == kind).count();
        assert_eq!((count("goal"), count("milestone")), (66, 6));
        // Who owns the benefit after the project is kept from BC05's text (three goals say
        // so), and nowhere else invented.
        let handovers: Vec<(&str, &str)> = rows
            .iter()
            .filter_map(|r| Some((r.proposal.as_str(), r.handover.as_deref()?)))
            .collect();
        assert_eq!(
            handovers,
            vec![
                (
                    "BC05",
                    "Efterfølgende har centerledelserne ansvaret for opfølgning på brugen"
                );
                3
            ]
        );
        let (code, out) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC05",
                "--as-of",
                "2025-10-01",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        assert_eq!(
            out.matches(
                "Herefter: Efterfølgende har centerledelserne ansvaret for opfølgning på brugen"
            )
            .count(),
            3,
            "{out}"
        );
        let bc01_g1 = rows
            .iter()
            .find(|r| r.proposal == "BC01" && r.id == "g1")
            .unwrap();
        assert_eq!(
            (bc01_g1.when.as_str(), bc01_g1.schedule.as_str()),
            ("Tredje kvartal 2025", "2025Q3")
        );
        assert_eq!(
            bc01_g1.status,
            GoalStatus::NotReported,
            "past its quarter with nothing reported"
        );
        let bc13_release = rows
            .iter()
            .find(|r| r.proposal == "BC13" && r.when == "Ved frigivelse af investeringsmidler")
            .unwrap();
        assert_eq!(bc13_release.status, GoalStatus::Unscheduled);
        let milestone = rows
            .iter()
            .find(|r| r.proposal == "BC03" && r.id == "m1")
            .unwrap();
        assert_eq!(milestone.schedule, "2025Q2");

        let (code, out) = t
            .gevinst(&[
                "report",
                "goals",
                "--proposal",
                "BC01",
                "--as-of",
                "2025-10-01",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("BC01 g1   ikke rapporteret"), "{out}");
        assert!(out.contains("Hvornår: Tredje kvartal 2025"), "{out}");
    }
);

both_backends!(
    baseline_check_lists_the_findings,
    |t: TestStore| async move {
        let path = budget_2025_path();
        let (code, out) = t
            .gevinst(&[
                "baseline",
                "check",
                path.to_str().unwrap(),
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let findings: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        // Grouped by root cause, each finding with its cause's number and heading.
        let causes: Vec<u64> = findings
            .iter()
            .map(|f| f["cause"].as_u64().unwrap())
            .collect();
        assert!(causes.windows(2).all(|w| w[0] <= w[1]), "{causes:?}");
        assert_eq!(causes.last(), Some(&18));
        let bc13 = findings.iter().find(|f| f["proposal"] == "BC13").unwrap();
        assert_eq!(bc13["kind"], "prose");
        assert!(
            bc13["cause_heading"]
                .as_str()
                .unwrap()
                .starts_with("BC13 · tekst mod tabel:"),
            "{bc13}"
        );
        let expected = gevinst_domain::baseline::check(
            &gevinst_domain::baseline::parse(&String::from_utf8(budget_2025()).unwrap()).unwrap(),
        );
        assert_eq!(findings.len(), expected.len());
        // 30 in the tables, 5 where the prose states another figure than the tables, 3 where
        // Tabel 1 plans effect before the realisation goal that produces it.
        // And 2 deadlines before the proposal was approved (BC12 g1 and g2).
        assert_eq!(findings.len(), 40);
        assert_eq!(
            findings
                .iter()
                .filter(|f| f["kind"] == "effect_before_goal")
                .count(),
            3,
            "BC01 2025 and 2026, BC14 2026"
        );
        assert_eq!(
            findings.iter().filter(|f| f["kind"] == "prose").count(),
            5,
            "BC01, BC05, BC07, BC09 and BC13"
        );
        let (code, out) = t
            .gevinst(&["baseline", "check", path.to_str().unwrap()])
            .await;
        assert_eq!(code, 0);
        assert!(
            out.starts_with("40 uoverensstemmelser i dokumentet, fra 18 årsager:"),
            "{out}"
        );
        // Grouped by root cause, each under a Danish heading that says where to look.
        assert!(
            out.contains("\nBC04 · tilbagebetaling af lån: tilbagebetalingsplanen for det interne lån tilbagebetaler ikke det lånte (1 sted; se Tabel 1)\n  BC04 · Tabel 1 · Tilbagebetalingsplan på internt lån"),
            "{out}"
        );
        assert!(
            out.contains("\nBC13 · tekst mod tabel: teksten nævner et andet tal end tabellerne (tabellen er autoriteten; teksten er måske ikke rettet med) (1 sted; se Teksten, 1. Beskrivelse af forslag (fremgangsmåde og effekt))\n  BC13 · Teksten, 1. Beskrivelse af forslag (fremgangsmåde og effekt) · Med denne case realiseres 10,5 mio. kr. · 2027: angivet -10.5, beregnet -10.772 (mio. kr.) [tekst mod tabel] teksten siger -10,5 mio. kr.; Tabel 1's varige ændring i 2027, året for fuld indfasning, giver -10.772 (1.000 kr.), afrundet -10,8 mio. kr."),
            "{out}"
        );
        assert!(
            !out.contains("[between tables]") && !out.contains("row is blank"),
            "{out}"
        );
        assert!(
            out.contains("BC04 · Tabel 1 · Samlede implementeringsomkostninger · 2025"),
            "{out}"
        );
    }
);
