//! Committee attribution on both backends (issue 10, item 3): a proposal's savings count on
//! every committee its per-committee tables name, with that committee's share. BC01's Tabel A
//! spreads it over seven committees, BC02's over four (with Tabel B's appropriation effect
//! netting to zero); a saving naming no committee is split by the year's planned shares to
//! whole kroner, one naming its committee counts there in full; each committee's status, late
//! list and realisation show its own share.

use std::collections::BTreeMap;
use std::str::FromStr;

use gevinst_tests::{both_backends, TestStore};
use rust_decimal::{Decimal, RoundingStrategy};
use scraper::{Html, Selector};
use serde_json::Value;

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("a decimal string: {v}")),
    )
    .unwrap()
}

async fn saving(t: &TestStore, extra: &[&str]) {
    let mut argv = vec![
        "record",
        "--as",
        "anna@kk.dk",
        "--confirm",
        "saving",
        "BC01",
        "--year",
        "2026",
        "--control-area",
        "service",
        "--date",
        "2026-06-30",
    ];
    argv.extend_from_slice(extra);
    let (code, out) = t.gevinst(&argv).await;
    assert_eq!(code, 0, "{argv:?}: {out}");
}

/// committee → its share object of a realisation's `by_committee`.
fn shares(realisation: &Value) -> BTreeMap<String, Value> {
    realisation["by_committee"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["committee"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

/// The page at `path`, as the test's reader gets it.
async fn fetch_page(base: &str, path: &str) -> Html {
    let body = gevinst_tests::get(format!("{base}{path}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Html::parse_document(&body)
}

fn texts(html: &Html, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

both_backends!(
    savings_count_on_every_committee_with_its_share,
    |t: TestStore| async move {
        t.import_adopted_budget_2025().await;

        // Before anything is reported: the plan's shares as the document's tables state them.
        let bc01 = t
            .json(&["report", "realisation", "BC01", "--as-of", "2027-01-31"])
            .await;
        assert_eq!(
            bc01["attribution_source"],
            serde_json::json!({"kind": "tables", "tables": ["Tabel A"]})
        );
        let committees: Vec<&str> = bc01["by_committee"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["committee"].as_str().unwrap())
            .collect();
        assert_eq!(
            committees,
            ["ØU", "BIU", "BUU", "KFU", "SOU", "SUD", "TMU"],
            "the lead committee first, then every committee of Tabel A in code order"
        );
        let planned = shares(&bc01);
        assert_eq!(planned["KFU"]["plan"]["2026"], "-58");
        assert_eq!(planned["ØU"]["lead"], true);
        assert_eq!(planned["KFU"]["lead"], false);
        assert_eq!(bc01["administrative_effect"]["2027"], "-1474");
        let bc02 = t
            .json(&["report", "realisation", "BC02", "--as-of", "2027-01-31"])
            .await;
        assert_eq!(
            bc02["appropriation_source"],
            serde_json::json!({"kind": "tables", "tables": ["Tabel B"]})
        );
        let bc02 = shares(&bc02);
        assert_eq!(
            (
                &bc02["KFU"]["plan"]["2026"],
                &bc02["KFU"]["appropriation_effect"]["2026"]
            ),
            (&Value::from("-306"), &Value::from("306")),
            "KFU's target contribution, and its appropriation given back (Tabel B)"
        );
        let bc05 = t
            .json(&["report", "realisation", "BC05", "--as-of", "2027-01-31"])
            .await;
        assert_eq!(
            bc05["attribution_source"],
            serde_json::json!({"kind": "plan_lines"})
        );
        assert_eq!(bc05["by_committee"].as_array().unwrap().len(), 1);

        // A project owner reports 2026: 1.000 t.kr. naming no committee, 50 naming KFU.
        saving(&t, &["--amount", "-1000"]).await;
        saving(&t, &["--amount", "-50", "--committee", "KFU"]).await;
        // And 2025: -100 against -297, all of it Koncernservice's (ØU) that year.
        let (code, out) = t
            .gevinst(&[
                "record",
                "--as",
                "anna@kk.dk",
                "--confirm",
                "saving",
                "BC01",
                "--year",
                "2025",
                "--amount",
                "-100",
                "--control-area",
                "service",
                "--date",
                "2025-06-30",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let bc01 = t
            .json(&["report", "realisation", "BC01", "--as-of", "2027-01-31"])
            .await;
        let real = shares(&bc01);
        let plan_2026: BTreeMap<&str, Decimal> = real
            .iter()
            .map(|(c, s)| (c.as_str(), dec(&s["plan"]["2026"])))
            .collect();
        let total_plan: Decimal = plan_2026.values().copied().sum();
        assert_eq!(total_plan, Decimal::from(-1144), "Tabel A, 2026");
        let mut sum = Decimal::ZERO;
        for (c, s) in &real {
            let got = dec(&s["realised"]["2026"]);
            sum += got;
            let share = (Decimal::from(-1000) * plan_2026[c.as_str()] / total_plan)
                .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
            let named = if c == "KFU" {
                Decimal::from(-50)
            } else {
                Decimal::ZERO
            };
            assert!(
                (got - share - named).abs() <= Decimal::new(1, 3),
                "{c}: {got} against {share} + {named}"
            );
        }
        assert_eq!(sum, Decimal::from(-1050), "the parts add up exactly");
        assert_eq!(real["KFU"]["realised"]["2026"], "-100.699");

        // The late list: BC01's 2026 shortfall (94) is on all seven committees, each with its
        // own part; KFU's reported more than its plan.
        let late = t.json(&["report", "late", "--as-of", "2027-01-31"]).await;
        let item = late
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["proposal"] == "BC01" && i["kind"] == "saving" && i["what"] == "2026")
            .expect("BC01's 2026 shortfall is late");
        assert_eq!(item["shortfall"], "94");
        assert_eq!(item["committees"].as_array().unwrap().len(), 7);
        let parts: Decimal = item["shortfall_by_committee"]
            .as_object()
            .unwrap()
            .values()
            .map(dec)
            .sum();
        assert_eq!(parts, Decimal::from(94));
        assert!(dec(&item["shortfall_by_committee"]["KFU"]) < Decimal::ZERO);

        // The portfolio: Tabel 1 still books BC01 on ØU, as the appendix; the committee
        // shares count it on KFU (and SOU, which leads nothing) with KFU's part.
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2027-01-31"])
            .await;
        let tabel_1: Vec<&str> = portfolio["committees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["committee"].as_str().unwrap())
            .collect();
        assert!(!tabel_1.contains(&"KFU"));
        let by: BTreeMap<&str, &Value> = portfolio["committee_shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["committee"].as_str().unwrap(), l))
            .collect();
        assert_eq!(
            by["KFU"]["proposals"],
            serde_json::json!(["BC01", "BC02"]),
            "{:?}",
            by["KFU"]
        );
        assert_eq!(by["KFU"]["shared"], serde_json::json!(["BC01", "BC02"]));
        assert_eq!(
            dec(&by["KFU"]["target_effect_full_phase_in"]),
            Decimal::from(-93 - 306)
        );
        assert_eq!(
            dec(&by["KFU"]["appropriation_effect_full_phase_in"]),
            Decimal::from(-93 + 306)
        );
        assert_eq!(
            dec(&by["KFU"]["realised_to_date"]),
            dec(&real["KFU"]["realised"]["2026"])
        );
        assert_eq!(by["SOU"]["proposals"], serde_json::json!(["BC01"]));
        let (_, text) = t
            .gevinst(&["report", "portfolio", "--as-of", "2027-01-31"])
            .await;
        assert!(text.contains("Fordeling på udvalg"), "{text}");
        let kfu = text
            .lines()
            .find(|l| l.starts_with("KFU "))
            .unwrap_or_else(|| panic!("a KFU line in {text}"));
        assert!(
            kfu.contains("-399") && kfu.contains("(heraf BC01, BC02)"),
            "{kfu}"
        );

        // The committee status: each proposal lists the committees with a share.
        let statuses = t
            .json(&["report", "committee-status", "--as-of", "2027-01-31"])
            .await;
        let bc01_status = statuses
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["proposal"] == "BC01")
            .unwrap();
        assert_eq!(bc01_status["committee"], "ØU");
        assert_eq!(bc01_status["committees"].as_array().unwrap().len(), 7);
        assert_eq!(bc01_status["shares"]["KFU"], "-93");

        // The spreadsheet says it too.
        let (code, csv) = t
            .gevinst(&[
                "report",
                "committee-status",
                "--as-of",
                "2027-01-31",
                "--format",
                "csv",
            ])
            .await;
        assert_eq!(code, 0, "{csv}");
        assert!(csv.contains("Udvalg med andel"), "{csv}");
        let bc01_line = csv.lines().find(|l| l.starts_with("BC01;")).unwrap();
        assert!(
            bc01_line.ends_with(";ØU, BIU, BUU, KFU, SOU, SUD, TMU"),
            "{bc01_line}"
        );

        // The pages, as KFU's controller reads them: BC01 and BC02 under KFU with KFU's share.
        let base = t.spawn_app().await.base;
        let page = fetch_page(&base, "/?as_of=2027-01-31&committee=KFU").await;
        let rows = Selector::parse("#udvalgsstatus-tabel tbody tr").unwrap();
        let listed: Vec<&str> = page
            .select(&rows)
            .filter_map(|r| r.value().attr("id"))
            .collect();
        assert_eq!(listed, ["status-BC01", "status-BC02"]);
        assert!(
            texts(&page, "#status-BC01 .andel")
                .concat()
                .contains("KFU's andel: -93 (1.000 kr. ved fuld indfasning); hovedudvalg ØU"),
            "{:?}",
            texts(&page, "#status-BC01 td")
        );
        let late_rows = texts(&page, "#forsinket-tabel tbody tr");
        // KFU had no share of BC01 in 2025: its part of that year's shortfall is nothing, not
        // the whole proposal's 197.
        assert!(
            late_rows
                .iter()
                .any(|r| r.contains("BC01") && r.contains("KFU's andel: mangler 0 af 197")),
            "{late_rows:?}"
        );
        assert!(
            late_rows
                .iter()
                .any(|r| r.contains("BC01") && r.contains("KFU's andel: mangler")),
            "{late_rows:?}"
        );
        let kfu_row = texts(&page, "tr#fordeling-KFU td");
        assert_eq!(kfu_row[0], "BC01, BC02 (heraf BC01, BC02)");
        assert_eq!(kfu_row[1], "-399");
        // BC02's page: its four committees, KFU's target effect and appropriation given back.
        let page = fetch_page(&base, "/proposals/BC02?as_of=2027-01-31").await;
        assert_eq!(
            texts(&page, "table#fordeling tbody th"),
            ["ØU (hovedudvalg)", "BUU", "KFU", "SUD"]
        );
        let kfu = texts(&page, "tr#fordeling-KFU td");
        assert_eq!(kfu[1..3], ["-306", "-306"], "{kfu:?}");
        assert_eq!(kfu[kfu.len() - 2], "306", "{kfu:?}");
        let page = fetch_page(&base, "/committee-status?as_of=2027-01-31&committee=KFU").await;
        assert_eq!(
            texts(&page, "section.udvalg h2"),
            ["Kultur- og Fritidsudvalget (KFU)"]
        );
        assert_eq!(texts(&page, "section#udvalg-KFU tbody tr").len(), 2);
        assert!(texts(&page, "#status-KFU-BC02 .andel")
            .concat()
            .contains("KFU's andel: -306"));
    }
);
