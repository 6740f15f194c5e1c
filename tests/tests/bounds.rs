//! Bounded, plausible input on both backends: amounts beyond the documented limit are refused
//! and nothing is stored, and many amounts at the limit never take a report down.

use chrono::NaiveDate;
use gevinst_domain::proposal::{examples, ProposalCommand, RealisedSaving};
use gevinst_domain::{Amount, Committee, ControlArea, Role};
use gevinst_projections::PROPOSAL;
use gevinst_tests::{both_backends, meta, proposal, TestStore};

const OWNER: [&str; 2] = ["--as", "anna@kk.dk"];

/// `gevinst record <OWNER> saving BC01 … --amount AMOUNT`.
async fn record_saving(t: &TestStore, amount: &str) -> (u8, String) {
    let args: Vec<&str> = ["record"]
        .into_iter()
        .chain(OWNER)
        .chain([
            "saving",
            "BC01",
            "--year",
            "2025",
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
    t.gevinst(&args).await
}

both_backends!(
    amounts_beyond_the_limit_are_refused_and_sums_at_the_limit_never_crash_a_report,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let events = || async {
            t.service
                .store()
                .stream(PROPOSAL, "BC01")
                .await
                .unwrap()
                .len()
        };
        let before = events().await;
        let (code, out) = record_saving(&t, "-79228162514264337593543950335").await;
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("beløbet -79228162514264337593543950335 er uden for grænsen ±1.000.000.000.000 (1.000 kr.)"),
            "{out}"
        );
        assert_eq!(events().await, before, "nothing stored");

        // Many savings at the limit in one committee, on two proposals: every sum stays exact
        // and every main page answers.
        for (id, committee) in [
            ("BC01", Committee::parse("ØU").unwrap()),
            ("BC02", Committee::parse("ØU").unwrap()),
        ] {
            for year in [2025, 2026, 2027] {
                for _ in 0..8 {
                    t.service
                        .execute(
                            &proposal(id),
                            ProposalCommand::RecordSaving(RealisedSaving {
                                year,
                                amount: Amount::new(-Amount::MAX_ABS).unwrap(),
                                price_level: examples::price_level(),
                                plan_line: None,
                                committee: Some(committee),
                                control_area: ControlArea::Service,
                                effective_on: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
                                evidence: None,
                            }),
                            meta("anna@kk.dk", Role::ProjectOwner),
                        )
                        .await
                        .unwrap();
                }
            }
        }
        let app = t.spawn_app().await;
        for route in [
            "/",
            "/api/portfolio?as_of=2027-12-31",
            "/api/late?as_of=2027-12-31",
            "/api/committee-status?as_of=2027-12-31",
            "/api/proposals/BC01/realisation?as_of=2027-12-31",
            "/api/proposals/BC01",
            "/proposals/BC01?as_of=2027-12-31",
        ] {
            let r = gevinst_tests::get(app.url(route)).await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            assert_eq!(status, 200, "{route}: {body:.300}");
        }
        let portfolio: serde_json::Value =
            gevinst_tests::get(app.url("/api/portfolio?as_of=2027-12-31"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        let total = portfolio["total"]["realised_to_date"].as_str().unwrap();
        assert_eq!(total, "-48000000000000");
    }
);

/// Runs `gevinst --database-url URL ARGS…` in-process, as `TestStore::gevinst` does for the
/// test's own store.
async fn gevinst_at(url: &str, args: &[&str]) -> (u8, String) {
    use clap::Parser;
    let argv = ["gevinst", "--database-url", url]
        .into_iter()
        .chain(args.iter().copied());
    let cli = gevinst_api::cli::Cli::try_parse_from(argv).unwrap();
    let mut out = Vec::new();
    let code = match Box::pin(gevinst_api::cli::run(cli, &mut out)).await {
        Ok(exit) => exit.code(),
        Err(e) => {
            out.extend_from_slice(format!("gevinst: {e:#}").as_bytes());
            1
        }
    };
    (code, String::from_utf8(out).unwrap())
}

both_backends!(
    read_commands_never_create_a_store,
    |t: TestStore| async move {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("elsewhere").join("gevinst.sqlite");
        let (url, names) = match t.backend {
            gevinst_tests::Backend::Sqlite => (
                format!("sqlite:{}", path.display()),
                path.display().to_string(),
            ),
            gevinst_tests::Backend::Postgres => {
                let url = t.database_url();
                let (base, _) = url.rsplit_once('/').unwrap();
                let name = format!("gevinst_missing_{}", uuid::Uuid::new_v4().simple());
                (format!("{base}/{name}"), name)
            }
        };
        for args in [
            &["verify"][..],
            &["report", "portfolio"],
            &["report", "late"],
            &["report", "committee-status"],
            &["report", "goals"],
            &["report", "realisation", "BC01"],
            &["report", "proposal", "BC01"],
            &["projections", "rebuild"],
        ] {
            let (code, out) = gevinst_at(&url, args).await;
            assert_eq!(code, 1, "{args:?}: {out}");
            assert!(
                out.contains(&names),
                "{args:?} names the missing store: {out}"
            );
            if t.backend == gevinst_tests::Backend::Sqlite {
                assert!(out.contains("der er ingen database i"), "{out}");
            }
            assert!(
                !path.exists() && !path.parent().unwrap().exists(),
                "{args:?}"
            );
        }
        // The test's own store is there: the same commands read it.
        t.import_budget_2025().await;
        let (code, out) = t.gevinst(&["report", "portfolio"]).await;
        assert_eq!(code, 0, "{out}");
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "{out}");
    }
);

both_backends!(
    implausible_entries_need_a_confirmation_which_is_stored,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let events = || async { t.service.store().stream(PROPOSAL, "BC01").await.unwrap() };
        let before = events().await.len();
        // Kroner typed as 1.000 kr., in a year the plan does not cover, dated in the future, at
        // a price level the index does not know: four warnings, and nothing stored.
        let implausible = |confirm: bool| {
            let mut args: Vec<&str> = ["record"].into_iter().chain(OWNER).collect();
            if confirm {
                args.push("--confirm");
            }
            args.extend([
                "saving",
                "BC01",
                "--year",
                "2031",
                "--amount",
                "-1.234.567",
                "--price-level",
                "2001",
                "--control-area",
                "service",
                "--plan-line",
                "l1",
                "--date",
                "2099-12-31",
            ]);
            args
        };
        let (code, out) = t.gevinst(&implausible(false)).await;
        assert_eq!(code, 1, "{out}");
        for expected in [
            "intet er gemt, for indtastningen ser usandsynlig ud:",
            "  - en realiseret besparelse dateret 2099-12-31 ligger efter i dag",
            "  - år 2031 ligger uden for planens år 2024–2029",
            "  - beløbet -1234567 (1.000 kr.) er mere end 10 gange planlinje l1s største årsbeløb (297); er det skrevet i kr. i stedet for 1.000 kr.?",
            "  - prisniveau 2001 p/l kan ikke omregnes til forslagets 2025 p/l",
            "Gentag kommandoen med --confirm, hvis den er rigtig.",
        ] {
            assert!(out.contains(expected), "missing {expected:?} in {out}");
        }
        assert_eq!(events().await.len(), before, "nothing stored");

        // Confirmed, it is stored with the warnings the sender saw.
        let (code, out) = t.gevinst(&implausible(true)).await;
        assert_eq!(code, 0, "{out}");
        let stored = events().await;
        assert_eq!(stored.len(), before + 1);
        let confirmed: Vec<String> = serde_json::from_str(
            stored.last().unwrap().metadata["confirmed_warnings"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let codes: Vec<&str> = confirmed
            .iter()
            .map(|w| w.split(':').next().unwrap())
            .collect();
        assert_eq!(
            codes,
            [
                "future-date",
                "year-outside-plan",
                "far-above-plan",
                "unconvertible-price-level"
            ]
        );

        // A plausible entry needs no confirmation and stores none.
        let (code, out) = record_saving(&t, "-120").await;
        assert_eq!(code, 0, "{out}");
        let stored = events().await;
        assert!(stored
            .last()
            .unwrap()
            .metadata
            .get("confirmed_warnings")
            .is_none());
    }
);
