//! The controllers' portfolio on both backends: with only the baseline imported, it must
//! reproduce the appendix's own Tabel 1 (per committee: count, investment, savings at full
//! phase-in) to the document's rounding, and each proposal's plan totals.

use chrono::NaiveDate;
use gevinst_domain::baseline;
use gevinst_domain::proposal::{examples, ProposalCommand, TotalKind};
use gevinst_projections::readmodel::ReadModels;
use gevinst_tests::{both_backends, budget_2025, TestStore};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

both_backends!(
    the_portfolio_reproduces_the_appendix_tabel_1,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        let (code, out) = t
            .gevinst(&[
                "report",
                "portfolio",
                "--as-of",
                "2025-01-31",
                "--format",
                "json",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let file = baseline::parse(&String::from_utf8(budget_2025()).unwrap()).unwrap();
        let dec_of = |v: &serde_json::Value| -> Decimal { v.as_str().unwrap().parse().unwrap() };
        let mut lines: Vec<serde_json::Value> = json["committees"].as_array().unwrap().clone();
        lines.push(json["total"].clone());
        assert_eq!(
            lines.len(),
            file.committee_table.len(),
            "one line per committee and the total"
        );
        for stated in &file.committee_table {
            let label = stated
                .committee
                .map_or("I alt".to_string(), |c| c.code().to_string());
            let ours = lines
                .iter()
                .find(|l| l["committee"] == label.as_str())
                .unwrap();
            assert_eq!(ours["proposals"], stated.proposals, "{label} count");
            if let Some(innovation) = stated.innovation_proposals {
                assert_eq!(
                    ours["innovation_proposals"], innovation,
                    "{label} innovation count"
                );
            }
            // To the document's rounding: one decimal in mio. kr., widened by 0,05 for each figure
            // that only exists as a rounded published summary (the confidential BC08).
            let published = ours["published_only"].as_u64().unwrap();
            let tolerance = dec!(0.05) * Decimal::from(1 + published);
            let investment = dec_of(&ours["investment_mio"]);
            assert!(
                (investment - stated.investment_total).abs() <= tolerance,
                "{label}: investment {investment} vs stated {}",
                stated.investment_total
            );
            let savings = dec_of(&ours["savings_full_phase_in_mio"]);
            assert!(
                (savings - stated.savings_full_phase_in_service).abs() <= tolerance,
                "{label}: savings {savings} vs stated {}",
                stated.savings_full_phase_in_service
            );
            if published == 0 {
                assert_eq!(
                    investment, stated.investment_total,
                    "{label}: exact where nothing is pre-rounded"
                );
            }
        }
        // Nothing realised yet.
        assert_eq!(json["total"]["realised_to_date"], "0");
        // One unit, one form: SUD holds the confidential BC08 (published in mio. kr.), and its
        // 1.000 kr. figures read like every other committee's, without a trailing ".0".
        for l in &lines {
            for field in [
                "investment",
                "savings_full_phase_in",
                "forecast_full_phase_in",
            ] {
                let v = l[field].as_str().unwrap();
                assert!(!v.contains('.'), "{} {field} = {v}", l["committee"]);
            }
        }
        let sud = lines.iter().find(|l| l["committee"] == "SUD").unwrap();
        assert_eq!(sud["investment"], "56650", "{sud}");

        // Each proposal's plan totals per year are the plan's own (computed from its lines).
        let read = ReadModels::new(t.db.clone());
        for p in json["proposals"].as_array().unwrap() {
            let id = p["proposal"].as_str().unwrap();
            let plan = read
                .proposal(id)
                .await
                .unwrap()
                .unwrap()
                .current()
                .unwrap()
                .unwrap();
            for y in p["years"].as_array().unwrap() {
                let year = y["year"].as_i64().unwrap() as i32;
                assert_eq!(
                    dec_of(&y["plan"]),
                    plan.computed_total(TotalKind::PermanentChange, None, year),
                    "{id} {year}"
                );
                assert_eq!(
                    dec_of(&y["cost_budget"]),
                    plan.computed_total(TotalKind::ImplementationCost, None, year),
                    "{id} {year}"
                );
            }
        }
        let bc13 = json["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["proposal"] == "BC13")
            .unwrap();
        let y2027 = bc13["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["year"] == 2027)
            .unwrap();
        assert_eq!(y2027["plan"], "-10772");

        let (code, table) = t
            .gevinst(&["report", "portfolio", "--as-of", "2025-01-31"])
            .await;
        assert_eq!(code, 0);
        let biu: Vec<&str> = table
            .lines()
            .find(|l| l.starts_with("BIU"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(biu[..5], ["BIU", "3", "(2)", "11,2", "-6,1"], "{table}");
        // Every column has its header, the budget reductions' too.
        let header = table.lines().nth(2).unwrap();
        let row = table.lines().find(|l| l.starts_with("BIU")).unwrap();
        assert!(header.ends_with("Fjernet fra b."), "{table}");
        assert_eq!(header.len(), row.len(), "header and rows line up: {table}");
        // The late list names its kinds in Danish, as the dashboard does.
        let (code, late) = t
            .gevinst(&["report", "late", "--as-of", "2025-12-31"])
            .await;
        assert_eq!(code, 0, "{late}");
        assert!(late.contains(" mål "), "{late}");
        assert!(!late.contains(" goal "), "{late}");
        let (code, csv) = t
            .gevinst(&[
                "report",
                "portfolio",
                "--as-of",
                "2025-01-31",
                "--format",
                "csv",
            ])
            .await;
        assert_eq!(code, 0);
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .starts_with("\u{feff}Udvalg;Antal forslag;Heraf innovationsforslag"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 7, "{csv}");
        let _ = NaiveDate::from_ymd_opt(2025, 1, 31);
    }
);

both_backends!(
    the_portfolio_shows_the_documents_own_tabel_1_first_and_the_rebuilt_figures_where_they_differ,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        let file = baseline::parse(&String::from_utf8(budget_2025()).unwrap()).unwrap();
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2025-01-31"])
            .await;
        let lines = |json: &serde_json::Value| {
            let mut lines = json["committees"].as_array().unwrap().clone();
            lines.push(json["total"].clone());
            lines
        };
        let dec_of = |v: &serde_json::Value| -> Decimal { v.as_str().unwrap().parse().unwrap() };
        let mut differing = Vec::new();
        for stated in &file.committee_table {
            let line = lines(&portfolio)
                .into_iter()
                .find(|l| l["committee"] == stated.label.as_str())
                .unwrap_or_else(|| panic!("{}: {portfolio}", stated.label));
            let s = &line["stated"];
            // The document's row exactly as written, with its one decimal.
            assert_eq!(
                s["documents"],
                serde_json::json!(["budget-2025-bilag-7.toml"])
            );
            assert_eq!(s["proposals"], stated.proposals, "{line}");
            assert_eq!(
                s["innovation_proposals"],
                serde_json::json!(stated.innovation_proposals),
                "{line}"
            );
            assert_eq!(s["investment_mio"], stated.investment_total.to_string());
            assert_eq!(
                s["savings_full_phase_in_mio"],
                stated.savings_full_phase_in_service.to_string()
            );
            // `differs` names exactly the fields whose rebuilt value is another.
            let mut differs = Vec::new();
            if dec_of(&line["investment_mio"]) != stated.investment_total {
                differs.push("investment_mio");
            }
            if dec_of(&line["savings_full_phase_in_mio"]) != stated.savings_full_phase_in_service {
                differs.push("savings_full_phase_in_mio");
            }
            if line["proposals"] != stated.proposals {
                differs.push("proposals");
            }
            assert_eq!(s["differs"], serde_json::json!(differs), "{line}");
            for d in &differs {
                differing.push(format!("{} {d}", stated.label));
            }
            // Both mio. kr. forms carry their one decimal.
            for key in ["investment_mio", "savings_full_phase_in_mio"] {
                for v in [&line[key], &s[key]] {
                    let text = v.as_str().unwrap();
                    assert_eq!(
                        text.split('.').nth(1).map(str::len),
                        Some(1),
                        "{key} {text}"
                    );
                }
            }
        }
        // Bilag 7 rounds each committee's investment by itself: SUD 56,6 and I alt 122,4 as
        // written, 56,7 and 122,5 rebuilt from the plans; nothing else differs.
        assert_eq!(differing, ["SUD investment_mio", "I alt investment_mio"]);

        let (code, table) = t
            .gevinst(&["report", "portfolio", "--as-of", "2025-01-31"])
            .await;
        assert_eq!(code, 0, "{table}");
        let row = |name: &str| {
            table
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap()
                .to_string()
        };
        assert!(row("SUD").contains(" 56,6 (genberegnet 56,7) "), "{table}");
        assert!(
            row("I alt").contains(" 122,4 (genberegnet 122,5) "),
            "{table}"
        );
        assert!(!row("BIU").contains("genberegnet"), "{table}");
        assert!(table.contains("bilagets egne tal"), "{table}");

        // A proposal the document does not state (registered by hand, on SUD): the document's
        // figures no longer describe SUD or the total, so those lines show their rebuilt
        // figures, said to be rebuilt; the other committees keep the document's.
        let id = gevinst_domain::ProposalId::parse("BC99").unwrap();
        for command in [
            ProposalCommand::RegisterProposal {
                identity: examples::identity("BC99"),
            },
            ProposalCommand::AdoptBaseline {
                plan: examples::plan(),
                source: None,
            },
        ] {
            t.service
                .execute(&id, command, gevinst_tests::system())
                .await
                .unwrap();
        }
        let committee = examples::identity("BC99").committee;
        let committee = committee.code();
        let after = t
            .json(&["report", "portfolio", "--as-of", "2025-01-31"])
            .await;
        for line in lines(&after) {
            let own = line["committee"] == committee || line["committee"] == "I alt";
            assert_eq!(line["stated"].is_null(), own, "{line}");
        }
        let (_, table) = t
            .gevinst(&["report", "portfolio", "--as-of", "2025-01-31"])
            .await;
        let now = |name: &str| table.lines().find(|l| l.starts_with(name)).unwrap();
        assert!(now(committee).contains(" (genberegnet) "), "{table}");
        assert!(!now("BIU").contains("genberegnet"), "{table}");
    }
);

both_backends!(
    each_proposal_shows_its_front_matter_row_as_written_and_rebuilt_from_its_plan,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;
        let file = baseline::parse(&String::from_utf8(budget_2025()).unwrap()).unwrap();
        let read = ReadModels::new(t.db.clone());
        // Rounded as the appendix rounds: half away from zero (BC01: 4.250 → 4,3).
        let mio = |thousands: Decimal| {
            (thousands / Decimal::ONE_THOUSAND)
                .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        };
        let dec_of =
            |v: &serde_json::Value| -> Option<Decimal> { v.as_str().map(|s| s.parse().unwrap()) };
        let mut differing = Vec::new();
        for p in file.proposals() {
            let id = p.identity.id.as_str();
            let report = t.json(&["report", "proposal", id]).await;
            let front = &report["front_matter"];
            let figure = |code: &str| {
                front["figures"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|f| f["code"] == code)
                    .unwrap_or_else(|| panic!("{id} {code}: {front}"))
                    .clone()
            };
            let plan = read
                .proposal(id)
                .await
                .unwrap()
                .unwrap()
                .current()
                .unwrap()
                .unwrap();
            let h = plan.headline();
            let mut expect = |code: &str, stated: Option<Decimal>, rebuilt: Option<Decimal>| {
                let f = figure(code);
                assert_eq!(dec_of(&f["stated"]), stated, "{id} {code}");
                assert_eq!(dec_of(&f["rebuilt"]), rebuilt, "{id} {code}");
                let differs = matches!((stated, rebuilt), (Some(s), Some(r)) if s != r);
                assert_eq!(f["differs"], differs, "{id} {code}");
                if differs {
                    differing.push(format!("{id} {code}"));
                }
            };
            if let Some(row) = file
                .investment_pool
                .iter()
                .find(|r| r.proposal.as_ref() == Some(&p.identity.id))
            {
                assert_eq!(front["table"], "investment_pool", "{id}");
                expect(
                    "investment",
                    Some(row.investment_service + row.investment_capital),
                    Some(mio(h.investment_total())),
                );
                expect(
                    "savings_service",
                    Some(row.savings_service),
                    Some(mio(h.savings_service)),
                );
                let payback = gevinst_domain::payback::plan_payback(
                    &plan,
                    gevinst_domain::payback::Basis::Service,
                );
                expect(
                    "payback_years",
                    row.payback_years,
                    payback.map(|p| Decimal::from(p.years)),
                );
            } else {
                let row = file
                    .innovation_pool
                    .iter()
                    .find(|r| r.proposal.as_ref() == Some(&p.identity.id))
                    .unwrap();
                assert_eq!(front["table"], "innovation_pool", "{id}");
                expect(
                    "innovation_pool_service",
                    Some(row.innovation_pool_service),
                    Some(mio(h.investment_service)),
                );
            }
        }
        // The money agrees everywhere; two paybacks are counted differently by the document
        // (the integrity check's finding): BC09 and BC11 say 1 year, their plans give 2.
        assert_eq!(differing, ["BC09 payback_years", "BC11 payback_years"]);
        let (code, text) = t.gevinst(&["report", "proposal", "BC09"]).await;
        assert_eq!(code, 0, "{text}");
        assert!(
            text.contains("Tilbagebetalingstid: 1 år (genberegnet fra planen: 2 år)"),
            "{text}"
        );
    }
);

both_backends!(
    a_kept_overview_is_the_one_a_fresh_read_computes,
    |t: TestStore| async move {
        use gevinst_projections::reports::overview;
        use std::sync::Arc;
        t.import_adopted_budget_2025().await;
        // The server's reads keep the overview they computed; a fresh ReadModels keeps nothing.
        let warm = t.service.projector().read_models();
        let index = warm.price_index().await.unwrap();
        let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let fresh = |index: gevinst_domain::price::PriceIndex, as_of: NaiveDate| {
            let db = t.db.clone();
            async move { overview(&ReadModels::new(db), &index, as_of).await.unwrap() }
        };
        let save = |amount: i64| {
            let service = t.service.clone();
            async move {
                service
                    .execute(
                        &gevinst_tests::proposal("BC01"),
                        ProposalCommand::RecordSaving(examples::saving(2025, amount)),
                        gevinst_tests::meta("anna@kk.dk", gevinst_domain::Role::ProjectOwner),
                    )
                    .await
                    .unwrap();
            }
        };
        let first = overview(&warm, &index, as_of).await.unwrap();
        let again = overview(&warm, &index, as_of).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again), "the same read is the kept one");
        assert_eq!(*first, *fresh(index.clone(), as_of).await);

        // A write moves the checkpoint: the next read computes afresh and sees it.
        save(-400).await;
        let after = overview(&warm, &index, as_of).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &after));
        assert_ne!(after.portfolio, first.portfolio, "the saving shows");
        assert_eq!(*after, *fresh(index.clone(), as_of).await);

        // Reads that ask at once, right after a write, share one computation.
        save(-10).await;
        let at_once =
            futures::future::join_all((0..8).map(|_| overview(&warm, &index, as_of))).await;
        let at_once: Vec<_> = at_once.into_iter().map(Result::unwrap).collect();
        assert!(
            at_once.iter().all(|o| Arc::ptr_eq(o, &at_once[0])),
            "one overview for all eight"
        );
        assert_eq!(*at_once[0], *fresh(index.clone(), as_of).await);
        let after = at_once[0].clone();

        // Another date, price index, recorded time or round is not the kept overview.
        let earlier = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        assert_eq!(
            *overview(&warm, &index, earlier).await.unwrap(),
            *fresh(index.clone(), earlier).await
        );
        let none = gevinst_domain::price::PriceIndex::default();
        assert_eq!(
            *overview(&warm, &none, as_of).await.unwrap(),
            *fresh(none.clone(), as_of).await
        );
        let then = chrono::Utc::now() - chrono::Duration::days(3650);
        let known = overview(&warm.clone().known_on(Some(then)), &index, as_of)
            .await
            .unwrap();
        assert!(
            known.portfolio.proposals.is_empty(),
            "nothing was known then"
        );
        let other_round = overview(
            &warm.clone().in_round(Some("Budget 2031".into())),
            &index,
            as_of,
        )
        .await
        .unwrap();
        assert!(other_round.portfolio.proposals.is_empty());
        // And the kept one is still the current one.
        assert!(Arc::ptr_eq(
            &after,
            &overview(&warm, &index, as_of).await.unwrap()
        ));
    }
);

both_backends!(
    a_started_server_computes_todays_portfolio_before_anyone_asks,
    |t: TestStore| async move {
        use gevinst_projections::reports::{kept_overview, overview};
        t.import_adopted_budget_2025().await;
        let (app, _base) = t.bind_app().await;
        let read = app.state().service.projector().read_models();
        let index = read.price_index().await.unwrap();
        let today = gevinst_projections::reports::View::today();
        assert!(
            kept_overview(&read, &index, today).await.unwrap().is_none(),
            "nothing is computed before the server serves"
        );
        // Served with no request at all (no reader signed in either: that would move the
        // checkpoint the kept overview is keyed by).
        tokio::spawn(app.run_until(std::future::pending()));
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        let kept = loop {
            if let Some(kept) = kept_overview(&read, &index, today).await.unwrap() {
                break kept;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "today's portfolio was not computed within a minute of the start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        assert_eq!(kept.portfolio.as_of, today);
        assert_eq!(kept.portfolio.proposals.len(), 12);
        // The first read finds it: the same overview, not one computed again.
        let read_now = overview(&read, &index, today).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&kept, &read_now));
    }
);
