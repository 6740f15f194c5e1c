//! Budget rounds and municipalities as data (issue 10, item 8), on both backends: a second,
//! made-up municipality's appendix (`tests/fixtures/fjordby-budget-2026.toml`, Fjordby Kommune,
//! Budget 2026) loads beside Københavns Kommune's Bilag 7 without a code change. Its own
//! committees (`ÆU`, `KEU`), administrations and proposal ids (`FK-01`) come from its file, are
//! named on the pages from what the log recorded, and a committee one document declares is
//! refused on the other's proposals.

use gevinst_projections::PROPOSAL;
use gevinst_tests::{both_backends, TestStore};
use scraper::{Html, Selector};

async fn stream_len(t: &TestStore, id: &str) -> usize {
    t.service.store().stream(PROPOSAL, id).await.unwrap().len()
}

fn fjordby() -> String {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/fjordby-budget-2026.toml")
        .to_string_lossy()
        .into_owned()
}

fn texts(body: &str, selector: &str) -> Vec<String> {
    let sel = Selector::parse(selector).unwrap();
    Html::parse_document(body)
        .select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn adjustment<'a>(id: &'a str, committee: &'a str) -> Vec<&'a str> {
    vec![
        "record",
        "--as",
        "carl@kk.dk",
        "--confirm",
        "budget-adjustment",
        id,
        "--committee",
        committee,
        "--year",
        "2026",
        "--amount",
        "-10",
        "--control-area",
        "service",
        "--date",
        "2026-03-01",
    ]
}

both_backends!(
    a_second_municipality_loads_beside_bilag_7_with_its_own_committees_and_ids,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let file = fjordby();
        let (code, out) = t.gevinst(&["baseline", "import", &file]).await;
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("2 forslag registreret"), "{out}");

        // Both documents' proposals, each under its own committees.
        let portfolio = t
            .json(&["report", "portfolio", "--as-of", "2026-12-31"])
            .await;
        let lines: Vec<(String, u64)> = portfolio["committees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["committee"].as_str().unwrap().to_string(),
                    l["proposals"].as_u64().unwrap(),
                )
            })
            .collect();
        for (committee, proposals) in [("ÆU", 1), ("KEU", 1), ("SUD", 4), ("ØU", 2)] {
            assert!(
                lines.contains(&(committee.to_string(), proposals)),
                "{committee}: {lines:?}"
            );
        }
        assert_eq!(
            portfolio["budget_rounds"],
            serde_json::json!(["Budget 2025", "Budget 2026"])
        );

        // One round at a time: Tabel 1 of Fjordby's Budget 2026 alone, and a round the log
        // does not hold is refused naming the ones it does.
        let round = t
            .json(&[
                "report",
                "portfolio",
                "--as-of",
                "2026-12-31",
                "--budget-round",
                "Budget 2026",
            ])
            .await;
        assert_eq!(round["budget_rounds"], serde_json::json!(["Budget 2026"]));
        let counted: Vec<&str> = round["committees"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["committee"].as_str().unwrap())
            .collect();
        assert_eq!(counted, ["KEU", "ÆU"]);
        assert_eq!(round["total"]["proposals"], 2);
        let (code, out) = t
            .gevinst(&["report", "late", "--budget-round", "Budget 2030"])
            .await;
        assert_eq!(code, 1, "{out}");
        assert_eq!(
            out,
            "gevinst: --budget-round: «Budget 2030» er ikke en budgetrunde i loggen; brug Budget 2025 eller Budget 2026"
        );

        let fk01 = t.json(&["report", "proposal", "FK-01"]).await;
        assert_eq!(fk01["identity"]["committee"], "ÆU");
        assert_eq!(fk01["identity"]["budget_round"], "Budget 2026");

        // A committee is the document's: Bilag 7's SUD is not one of Fjordby's, and the
        // refusal names Fjordby's; Fjordby's ÆU is not one of Bilag 7's. Nothing is appended.
        let before = stream_len(&t, "FK-01").await;
        let (code, out) = t.gevinst(&adjustment("FK-01", "SUD")).await;
        assert_eq!(code, 1, "{out}");
        assert_eq!(
            out.trim(),
            "gevinst: FK-01: «SUD» er ikke et udvalg i forslagets budgetdokument; brug et af: KEU, ÆU"
        );
        assert_eq!(stream_len(&t, "FK-01").await, before);
        let (code, out) = t.gevinst(&adjustment("BC09", "ÆU")).await;
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("«ÆU» er ikke et udvalg i forslagets budgetdokument; brug et af: BIU, BUU, KFU, SOU, SUD, TMU, ØU"),
            "{out}"
        );
        let (code, out) = t.gevinst(&adjustment("FK-01", "æu")).await;
        assert_eq!(code, 0, "{out}");

        // The pages name Fjordby's committees from the log, filter by them, and a committee's
        // controller (a grant on ÆU, a code no code knows) sees that committee's proposal only.
        let app = t.spawn_app().await;
        let reader = app.client();
        let page = app.page_as(&reader, "/?as_of=2026-12-31").await;
        let choices = texts(&page, "#committee option");
        for choice in [
            "ÆU – Ældreudvalget",
            "KEU – Klima- og Erhvervsudvalget",
            "SUD – Socialudvalget",
        ] {
            assert!(choices.contains(&choice.to_string()), "{choices:?}");
        }
        let page = app
            .page_as(
                &reader,
                "/committee-status?as_of=2026-12-31&committee=%C3%86U",
            )
            .await;
        assert!(page.contains("Ældreudvalget (ÆU)"), "{page}");
        assert!(page.contains("FK-01") && !page.contains("FK-02") && !page.contains("BC01"));
        assert_eq!(
            texts(&page, "header .org"),
            ["Fjordby Kommune — Budget 2026 · Københavns Kommune — Budget 2025"]
        );
        assert!(texts(&page, "p.lead")[0]
            .starts_with("Investerings- og innovationsforslag i Budget 2025 og Budget 2026"));
        let page = app
            .page_as(&reader, "/?as_of=2026-12-31&budget_round=Budget+2026")
            .await;
        assert_eq!(
            texts(&page, "header .org"),
            ["Fjordby Kommune — Budget 2026"]
        );
        assert!(page.contains("FK-01") && !page.contains("BC01"));
        // Its downloads count what it counts: the links carry the round, and the files hold
        // Fjordby's proposals only; a round the log does not hold is refused.
        let sel = Selector::parse("a[href^='/exports/']").unwrap();
        let links: Vec<String> = Html::parse_document(&page)
            .select(&sel)
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect();
        let status = "/exports/committee-status.csv?as_of=2026-12-31&budget_round=Budget+2026";
        assert!(links.iter().any(|l| l == status), "{links:?}");
        assert!(
            links
                .iter()
                .all(|l| l.ends_with("&budget_round=Budget+2026")),
            "{links:?}"
        );
        for path in [
            status,
            "/exports/goals.csv?as_of=2026-12-31&budget_round=Budget+2026",
        ] {
            let file = reader
                .get(app.url(path))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                file.contains("FK-01") && !file.contains("BC01"),
                "{path}: {file}"
            );
        }
        let everything = reader
            .get(app.url("/exports/committee-status.csv?as_of=2026-12-31"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(everything.contains("FK-01") && everything.contains("BC01"));
        let refused = reader
            .get(app.url("/exports/late.xlsx?budget_round=Budget%202030"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400);
        let api: serde_json::Value = reader
            .get(app.url("/api/portfolio?as_of=2026-12-31&budget_round=Budget%202025"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["total"]["proposals"], 12);
        let refused = reader
            .get(app.url("/api/late?budget_round=Budget%202030"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 400);
        let problem: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(
            problem["detail"],
            "«Budget 2030» er ikke en budgetrunde i loggen; brug Budget 2025 eller Budget 2026"
        );
        let page = app.page_as(&reader, "/proposals/FK-02").await;
        assert!(page.contains("LED-belysning på kommunens veje"), "{page}");
        assert_eq!(
            texts(&page, "header .org"),
            ["Fjordby Kommune — Budget 2026"]
        );
        // Control areas in each document's own words: Fjordby's "Drift" for service, and its
        // anlæg line (a word it does not declare) in Gevinst's; Bilag 7's "Service".
        assert!(
            page.contains("Klima- og Erhvervsudvalget (KEU)")
                && page.contains("Klima- og Erhvervsforvaltningen (KEF)"),
            "the proposal's committee and administration by their names: {page}"
        );
        let areas = "#planlinjer tbody tr td:nth-of-type(2)";
        assert_eq!(texts(&page, areas), ["Drift", "Anlæg"], "{page}");
        // Its history, the auditor's page, under the same header.
        let page = app.page_as(&reader, "/proposals/FK-02/history").await;
        assert_eq!(
            texts(&page, "header .org"),
            ["Fjordby Kommune — Budget 2026"]
        );
        let page = app.page_as(&reader, "/proposals/BC05").await;
        assert_eq!(
            texts(&page, "header .org"),
            ["Københavns Kommune — Budget 2025"]
        );
        assert!(texts(&page, areas).contains(&"Service".to_string()));
        let (_, text) = t.gevinst(&["report", "proposal", "FK-01"]).await;
        assert!(text.contains("Udvalg: Ældreudvalget (ÆU)  Type:"), "{text}");
        let (_, text) = t.gevinst(&["report", "proposal", "FK-02"]).await;
        assert!(text.contains("l1 Lavere elforbrug (Drift)"), "{text}");

        // A committee's controller (a grant on ÆU: a code only the data knows) may decide on
        // ÆU's proposal and not on KEU's.
        let (code, out) = t
            .gevinst(&[
                "grant",
                "eva@fjordby.dk",
                "controller",
                "--committee",
                "ØX",
                "--reason",
                "tastefejl",
                "--as",
                "admin",
            ])
            .await;
        assert_eq!(code, 1, "{out}");
        assert_eq!(
            out,
            "gevinst: --committee: «ØX» er ikke et udvalg i de indlæste budgetdokumenter; brug BIU, BUU, KEU, KFU, SOU, SUD, TMU, ÆU eller ØU"
        );
        t.user("eva@fjordby.dk", &[("controller", Some("ÆU"))])
            .await;
        let as_eva = |id: &'static str, committee: &'static str| {
            let mut argv = adjustment(id, committee);
            argv[2] = "eva@fjordby.dk";
            argv
        };
        let (code, out) = t.gevinst(&as_eva("FK-01", "ÆU")).await;
        assert_eq!(code, 0, "{out}");
        let (code, out) = t.gevinst(&as_eva("FK-02", "KEU")).await;
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("eva@fjordby.dk"), "{out}");

        // The pages of one person's proposals carry the documents of those proposals: the
        // verification queue of ÆU's controller and the start page of FK-02's project owner
        // are Fjordby's alone; the reader's (every proposal) both documents.
        t.user("ole@fjordby.dk", &[("projektejer", Some("FK-02"))])
            .await;
        for (login, path) in [
            ("eva@fjordby.dk", "/verification-queue"),
            ("ole@fjordby.dk", "/mine"),
        ] {
            let page = app.page_as(&app.session(login).await, path).await;
            assert_eq!(
                texts(&page, "header .org"),
                ["Fjordby Kommune — Budget 2026"],
                "{login} {path}: {page}"
            );
        }
        let page = app.page_as(&reader, "/verification-queue").await;
        assert_eq!(
            texts(&page, "header .org"),
            ["Fjordby Kommune — Budget 2026 · Københavns Kommune — Budget 2025"]
        );
    }
);

both_backends!(
    a_later_round_that_numbers_its_proposals_as_the_earlier_loads_beside_it_with_a_prefix,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        // A Budget 2026 appendix numbered BC01 … like Budget 2025's (here: Bilag 7 again, as
        // another round). Without a prefix its BC01 is Budget 2025's BC01: refused, nothing
        // merged.
        let text = String::from_utf8(gevinst_tests::budget_2025())
            .unwrap()
            .replace(
                "budget_round = \"Budget 2025\"",
                "budget_round = \"Budget 2026\"",
            );
        let dir = tempfile::tempdir().unwrap();
        let unprefixed = dir.path().join("budget-2026.toml");
        std::fs::write(&unprefixed, &text).unwrap();
        let (code, out) = t
            .gevinst(&["baseline", "import", unprefixed.to_str().unwrap()])
            .await;
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains("er allerede registreret fra en anden baseline (budget-2025-bilag-7.toml"),
            "{out}"
        );
        // With `proposal_id_prefix = "B26-"` its BC01 is B26-BC01, beside Budget 2025's BC01.
        let prefixed = dir.path().join("budget-2026-prefixed.toml");
        std::fs::write(
            &prefixed,
            text.replacen(
                "[document]\n",
                "[document]\nproposal_id_prefix = \"B26-\"\n",
                1,
            ),
        )
        .unwrap();
        let (code, out) = t
            .gevinst(&["baseline", "import", prefixed.to_str().unwrap()])
            .await;
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("12 forslag registreret"), "{out}");
        let round = t
            .json(&[
                "report",
                "portfolio",
                "--as-of",
                "2026-12-31",
                "--budget-round",
                "Budget 2026",
            ])
            .await;
        let ids: Vec<&str> = round["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["proposal"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 12);
        assert!(ids.iter().all(|id| id.starts_with("B26-BC")), "{ids:?}");
        // The front matter's rows follow the prefix: Tabel 1 as the document states it.
        assert_eq!(
            round["total"]["stated"]["proposals"], 12,
            "{}",
            round["total"]
        );
        let bc01 = t.json(&["report", "proposal", "BC01"]).await;
        assert_eq!(bc01["identity"]["budget_round"], "Budget 2025");
        let b26 = t.json(&["report", "proposal", "b26-bc01"]).await;
        assert_eq!(b26["identity"]["budget_round"], "Budget 2026");
        assert_eq!(b26["identity"]["id"], "B26-BC01");
    }
);

both_backends!(
    a_log_adopted_before_documents_declared_names_keeps_its_filters_and_grants,
    |t: TestStore| async move {
        // Adopted without recorded names (as every adoption before the declarations): led by
        // ØU, with a plan line on SUD.
        let mut identity = gevinst_domain::proposal::examples::identity("BC01");
        identity.committee = "ØU".parse().unwrap();
        t.register_with(identity).await;
        let app = t.spawn_app().await;
        let reader = app.client();
        // The committees it has are still choices and filters, named by their codes.
        let page = app.page_as(&reader, "/?as_of=2025-12-31").await;
        let choices = texts(&page, "#committee option");
        assert_eq!(choices, ["Alle", "SUD – SUD", "ØU – ØU"], "{page}");
        let filtered = reader
            .get(app.url("/committee-status?as_of=2025-12-31&committee=SUD"))
            .send()
            .await
            .unwrap();
        assert_eq!(filtered.status(), 200);
        // No document declared committees, so a grant is not refused for naming another.
        t.user("admin-helper", &[]).await;
        let (code, out) = t
            .gevinst(&[
                "grant",
                "admin-helper",
                "controller",
                "--committee",
                "KFU",
                "--reason",
                "ældre log",
                "--as",
                "admin",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
    }
);
