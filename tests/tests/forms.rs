//! Recording in the browser, on both backends: a project owner signs in with her password,
//! opens the forms from her proposal's page and records a realised saving; an implausible
//! amount is not saved until she confirms it, a malformed one is refused beside its field with
//! what she typed kept, a post without the session's CSRF token is refused; a controller
//! verifies her saving from the queue of savings waiting for verification (four eyes: his own
//! saving has no button for him); a reader gets no forms and verifies nothing. And the three
//! people in one browser story: the owner records a saving and a goal achievement and sees
//! both on the page, the controller verifies from the queue, the auditor follows a correction
//! both ways in the history. A controller records the budget decision from the same page; the
//! owner has no such form.

use fantoccini::Locator;
use gevinst_tests::{both_backends, password_of, TestApp, TestStore};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::browser::Browser;

fn savings(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["event_type"] == "SavingRealised")
        .collect()
}

/// Fills the savings form and sends it.
async fn send_saving(browser: &Browser, amount: &str) {
    browser.type_in("#savings-year", "2025").await;
    browser.type_in("#savings-amount", amount).await;
    browser.set("savings-date", "2025-06-30").await;
    browser
        .client()
        .find(Locator::Css("#savings-plan_line"))
        .await
        .unwrap()
        .select_by_value("l1")
        .await
        .unwrap();
    browser.click("#savings button[type='submit']").await;
}

both_backends!(
    a_project_owner_records_a_saving_in_the_browser,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let browser = Browser::start().await;
        browser
            .sign_in(
                &app.base,
                "anna@kk.dk",
                &password_of("anna@kk.dk"),
                "/proposals/BC01",
            )
            .await;
        browser
            .wait_for_text(&app.base, "Logget ind som anna@kk.dk")
            .await;
        browser.click("a#registrer").await;
        let page = browser
            .wait_for_text(&app.base, "Realiseret effektivisering")
            .await;
        assert!(
            !page.contains("Verificér en realiseret effektivisering"),
            "a project owner gets no controller's forms"
        );

        // Far above the plan: nothing is saved; the warning and a box to tick.
        send_saving(&browser, "-999999").await;
        let page = browser.wait_for_text(&app.base, "Intet er gemt").await;
        assert!(page.contains("Ja, det er rigtigt"), "{page}");
        assert_eq!(browser.value("#savings-amount").await, "-999999");
        assert_eq!(browser.value("#savings-date").await, "2025-06-30");
        assert_eq!(browser.value("#savings-plan_line").await, "l1");
        assert!(savings(&app.history("BC01").await).is_empty());

        // Malformed: refused beside the field, what was typed kept.
        browser.type_in("#savings-amount", "ti tusind").await;
        browser.click("#savings button[type='submit']").await;
        browser.wait_for_text(&app.base, "ti tusind").await;
        let beside = browser
            .client()
            .find(Locator::Css("#savings .feltfejl"))
            .await
            .expect("the refusal beside the amount")
            .text()
            .await
            .unwrap();
        assert!(
            beside.contains("«ti tusind» er ikke et beløb"),
            "in Danish: {beside}"
        );
        assert_eq!(browser.value("#savings-amount").await, "ti tusind");
        assert!(savings(&app.history("BC01").await).is_empty());

        // No line in the plan, and none to pick itself: refused in the page's words (the
        // fields by their labels, not the JSON body's or the command line's names).
        browser.type_in("#savings-amount", "-10").await;
        browser
            .client()
            .find(Locator::Css("#savings-plan_line"))
            .await
            .unwrap()
            .select_by_value("")
            .await
            .unwrap();
        browser.click("#savings button[type='submit']").await;
        let page = browser
            .wait_for_text(&app.base, "peger på en linje i den gældende plan")
            .await;
        assert!(
            page.contains(
                "«Styringsområde» skal angives, medmindre «Linje i planen» peger på en linje i \
                 den gældende plan"
            ),
            "{page}"
        );
        assert!(savings(&app.history("BC01").await).is_empty());

        // A plausible amount in Danish notation is saved at once.
        send_saving(&browser, "-1.234,5").await;
        let page = browser
            .wait_for_text(&app.base, "Gemt: Realiseret effektivisering")
            .await;
        let all = app.history("BC01").await;
        let saved = savings(&all);
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0]["actor"], "anna@kk.dk");
        assert_eq!(saved[0]["payload"]["SavingRealised"]["amount"], "-1234.5");
        assert_eq!(
            saved[0]["payload"]["SavingRealised"]["committee"],
            Value::Null,
            "no committee chosen: split by the plan's shares"
        );
        assert!(
            page.contains(&format!("nr. {}", saved[0]["sequence"])),
            "{page}"
        );

        // The implausible one, confirmed: saved, with the warning it was confirmed against.
        send_saving(&browser, "-999999").await;
        browser.wait_for_text(&app.base, "Ja, det er rigtigt").await;
        // This one lands in one committee's budget: KFU.
        browser
            .client()
            .find(Locator::Css("#savings-committee"))
            .await
            .unwrap()
            .select_by_value("KFU")
            .await
            .unwrap();
        browser.click("#savings-confirm").await;
        browser.click("#savings button[type='submit']").await;
        browser
            .wait_for_text(&app.base, "Gemt: Realiseret effektivisering")
            .await;
        let all = app.history("BC01").await;
        let saved = savings(&all);
        assert_eq!(saved.len(), 2);
        assert_eq!(saved[1]["payload"]["SavingRealised"]["committee"], "KFU");
        let confirmed = saved[1]["metadata"]["confirmed_warnings"].to_string();
        assert!(confirmed.contains("far-above-plan"), "{confirmed}");

        // Without the session's CSRF token, the same post is refused and nothing is stored.
        let session = browser
            .client()
            .get_named_cookie("gevinst_session")
            .await
            .unwrap();
        let response = reqwest::Client::new()
            .post(app.url("/proposals/BC01/register/savings"))
            .header("cookie", format!("gevinst_session={}", session.value()))
            .form(&[("year", "2025"), ("amount", "-10"), ("date", "2025-06-30")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(savings(&app.history("BC01").await).len(), 2);
        browser.close().await;
    }
);

fn hidden(html: &Html, within: &str, name: &str) -> String {
    let selector = Selector::parse(&format!("#{within} input[name='{name}']")).unwrap();
    html.select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap_or_else(|| panic!("{within} {name}"))
        .to_string()
}

both_backends!(
    a_controller_verifies_through_his_form_and_a_reader_gets_none,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        t.user("rita@kk.dk", &[("revisor", None)]).await;
        let outcome: Value = reqwest::Client::new()
            .post(app.url("/api/proposals/BC01/savings"))
            .bearer_auth(&anna)
            .json(&serde_json::json!({"year": 2025, "amount": "-149", "plan_line": "l1", "date": "2025-06-30"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let saving = outcome["last_sequence"].to_string();

        let carl = app.session("carl@kk.dk").await;
        // The register page offers him the verification form; the queue lists the saving.
        let register = carl
            .get(app.url("/proposals/BC01/register"))
            .send()
            .await
            .unwrap();
        assert_eq!(register.status(), 200);
        assert!(register
            .text()
            .await
            .unwrap()
            .contains("id=\"saving-verifications\""));
        let queue = carl
            .get(app.url("/verification-queue"))
            .send()
            .await
            .unwrap();
        let html = Html::parse_document(&queue.text().await.unwrap());
        let row = format!("v-BC01-{saving}");
        let form: Vec<(String, String)> =
            ["csrf", "idempotency_key", "sequence", "date", "return_to"]
                .iter()
                .map(|name| (name.to_string(), hidden(&html, &row, name)))
                .collect();
        assert_eq!(form[2].1, saving);
        let sent = carl
            .post(app.url("/proposals/BC01/register/saving-verifications"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200, "followed back to the queue");
        assert_eq!(sent.url().path(), "/verification-queue");
        let html = Html::parse_document(&sent.text().await.unwrap());
        let notice = Selector::parse("#gemt").unwrap();
        assert!(html.select(&notice).next().is_some(), "the receipt");
        let listed = Selector::parse(&format!("#{row}")).unwrap();
        assert!(html.select(&listed).next().is_none(), "no longer waiting");
        // Sent twice (a double click): recorded once.
        let again = carl
            .post(app.url("/proposals/BC01/register/saving-verifications"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
        let all = app.history("BC01").await;
        let verified: Vec<_> = all
            .iter()
            .filter(|e| e["event_type"] == "SavingVerified")
            .collect();
        assert_eq!(verified.len(), 1);
        assert_eq!(verified[0]["actor"], "carl@kk.dk");
        assert_eq!(
            verified[0]["payload"]["SavingVerified"]["saving"].to_string(),
            saving
        );

        // A saving carl recorded himself waits for someone else: no button for him.
        let carls = reqwest::Client::new()
            .post(app.url("/api/proposals/BC01/savings"))
            .bearer_auth(t.user("carl@kk.dk", &[]).await)
            .json(&serde_json::json!({"year": 2025, "amount": "-10", "plan_line": "l1", "date": "2025-07-31"}))
            .send()
            .await
            .unwrap();
        assert_eq!(carls.status(), 201);
        let own: Value = carls.json().await.unwrap();
        let queue = carl
            .get(app.url("/verification-queue"))
            .send()
            .await
            .unwrap();
        let html = Html::parse_document(&queue.text().await.unwrap());
        let own_row = Selector::parse(&format!("#v-BC01-{} form", own["last_sequence"])).unwrap();
        assert!(html.select(&own_row).next().is_none(), "four eyes");
        let rita_queue = app
            .session("rita@kk.dk")
            .await
            .get(app.url("/verification-queue"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            rita_queue.contains("Intet venter på din verificering"),
            "an auditor verifies nothing"
        );

        // A reader may read, not record: no forms, and the page says why.
        let rita = app.session("rita@kk.dk").await;
        let page = rita
            .get(app.url("/proposals/BC01/register"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403);
        let proposal = rita.get(app.url("/proposals/BC01")).send().await.unwrap();
        assert!(!proposal.text().await.unwrap().contains("id=\"registrer\""));
    }
);

both_backends!(
    a_project_owners_start_page_lists_what_she_owes_on_her_proposals_only,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("rita@kk.dk", &[("revisor", None)]).await;
        let anna = app.session("anna@kk.dk").await;
        let page = anna.get(app.url("/mine")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = Html::parse_document(&page.text().await.unwrap());
        let sections = Selector::parse("section.mit-forslag").unwrap();
        let ids: Vec<_> = html
            .select(&sections)
            .filter_map(|s| s.value().attr("id"))
            .collect();
        assert_eq!(ids, ["p-BC01"], "her proposal, and no other");
        // The goals that need her: exactly those the goals report has due, at risk, overdue
        // or unreported for BC01 today.
        let goals: Vec<Value> = app.json("/api/goals?proposal=BC01").await;
        let mut expected: Vec<String> = goals
            .iter()
            .filter(|g| {
                ["due", "at_risk", "overdue", "not_reported"]
                    .contains(&g["status"].as_str().unwrap_or(""))
            })
            .map(|g| format!("todo-BC01-{}", g["id"].as_str().unwrap()))
            .collect();
        assert!(
            !expected.is_empty(),
            "with nothing reported, something is owed"
        );
        let rows = Selector::parse("table.todo tbody tr").unwrap();
        let mut listed: Vec<String> = html
            .select(&rows)
            .filter_map(|r| r.value().attr("id").map(str::to_string))
            .collect();
        expected.sort();
        listed.sort();
        assert_eq!(listed, expected);
        // A reader records nothing, so has no proposals of her own.
        let rita = app.session("rita@kk.dk").await;
        let text = rita
            .get(app.url("/mine"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains("Du har ingen forslag at registrere på"),
            "{text}"
        );
    }
);

/// The last event of `kind` on BC01, as the API shows it.
async fn last_of(app: &TestApp, kind: &str) -> Value {
    app.history("BC01")
        .await
        .into_iter()
        .rfind(|e| e["event_type"] == kind)
        .unwrap_or_else(|| panic!("a {kind}"))
}

both_backends!(
    owner_controller_and_auditor_each_do_their_part_in_the_browser,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        t.user("rita@kk.dk", &[("revisor", None)]).await;

        // The owner: a saving, a second one typed by mistake, a goal achieved, the mistake
        // reversed; then both facts on the proposal's page.
        let anna = Browser::start().await;
        anna.sign_in(
            &app.base,
            "anna@kk.dk",
            &password_of("anna@kk.dk"),
            "/proposals/BC01/register",
        )
        .await;
        anna.wait_for_text(&app.base, "Realiseret effektivisering")
            .await;
        send_saving(&anna, "-149").await;
        anna.wait_for_text(&app.base, "Gemt: Realiseret effektivisering")
            .await;
        let saving = last_of(&app, "SavingRealised").await["sequence"].clone();
        send_saving(&anna, "-20").await;
        anna.wait_for_text(&app.base, "Gemt: Realiseret effektivisering")
            .await;
        let mistake = last_of(&app, "SavingRealised").await["sequence"].clone();
        anna.client()
            .find(Locator::Css("#goal-achievements-goal"))
            .await
            .unwrap()
            .select_by_value("g1")
            .await
            .unwrap();
        anna.set("goal-achievements-date", "2025-06-30").await;
        anna.type_in("#goal-achievements-evidence", "styregruppereferat 12")
            .await;
        anna.click("#goal-achievements button[type='submit']").await;
        anna.wait_for_text(&app.base, "Gemt: Opfølgningsmål opnået")
            .await;
        anna.type_in("#corrections-sequence", &mistake.to_string())
            .await;
        anna.type_in("#corrections-reason", "registreret to gange")
            .await;
        anna.click("#corrections button[type='submit']").await;
        anna.wait_for_text(&app.base, "Gemt: Ret en registrering")
            .await;
        let correction = last_of(&app, "EntryReversed").await["sequence"].clone();
        anna.client()
            .goto(&app.url("/proposals/BC01?as_of=2025-12-31"))
            .await
            .unwrap();
        let page = anna.wait_for_text(&app.base, "Realisering").await;
        let row_2025 = anna
            .client()
            .find(Locator::XPath(
                "//table[@id='realisering-tabel']/tbody/tr[th[starts-with(normalize-space(.), '2025')]]",
            ))
            .await
            .expect("the 2025 row of the realisation")
            .text()
            .await
            .unwrap();
        assert!(
            row_2025.contains("-149"),
            "the saving counts, the mistake does not: {row_2025}"
        );
        let g1 = anna
            .client()
            .find(Locator::Css("tr#maal-g1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(g1.contains("opnået"), "{g1}");
        assert!(page.contains("styregruppereferat 12") || g1.contains("styregruppereferat 12"));
        anna.close().await;

        // The controller verifies the saving from the queue.
        let carl = Browser::start().await;
        carl.sign_in(
            &app.base,
            "carl@kk.dk",
            &password_of("carl@kk.dk"),
            "/verification-queue",
        )
        .await;
        carl.wait_for_text(&app.base, "Til verificering").await;
        carl.click(&format!("tr#v-BC01-{saving} button[type='submit']"))
            .await;
        carl.wait_for_text(&app.base, "Verificeret: BC01").await;
        let verified = last_of(&app, "SavingVerified").await;
        assert_eq!(verified["actor"], "carl@kk.dk");
        assert_eq!(verified["payload"]["SavingVerified"]["saving"], saving);
        carl.close().await;

        // The auditor reads the history and follows the correction both ways.
        let rita = Browser::start().await;
        rita.sign_in(
            &app.base,
            "rita@kk.dk",
            &password_of("rita@kk.dk"),
            "/proposals/BC01",
        )
        .await;
        rita.wait_for_text(&app.base, "Historik").await;
        rita.click("a#historik").await;
        rita.wait_for_text(&app.base, "registreret to gange").await;
        let target = |b: &Browser| {
            let c = b.client().clone();
            async move {
                c.execute(
                    "return document.querySelector(':target')?.id ?? '';",
                    vec![],
                )
                .await
                .unwrap()
            }
        };
        rita.click(&format!("tr#e-{mistake} a.rettet-af")).await;
        assert_eq!(target(&rita).await, format!("e-{correction}"));
        rita.click(&format!("tr#e-{correction} a.retter")).await;
        assert_eq!(target(&rita).await, format!("e-{mistake}"));
        rita.close().await;
    }
);

both_backends!(
    a_controller_records_the_budget_decision_in_the_browser,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("carl@kk.dk", &[("controller", None)]).await;

        // The owner's forms have no budget decision: that is a controller's.
        let anna = app.session("anna@kk.dk").await;
        let page = app.page_as(&anna, "/proposals/BC01/register").await;
        assert!(page.contains("Realiseret effektivisering"), "{page}");
        assert!(!page.contains("Budgetbeslutning"), "{page}");

        let browser = Browser::start().await;
        browser
            .sign_in(
                &app.base,
                "carl@kk.dk",
                &password_of("carl@kk.dk"),
                "/proposals/BC01",
            )
            .await;
        let page = browser
            .wait_for_text(&app.base, "Logget ind som carl@kk.dk")
            .await;
        assert!(
            page.contains("afventer budgetbeslutning (indstillet til godkendelse)"),
            "{page}"
        );
        browser.click("a#registrer").await;
        browser.wait_for_text(&app.base, "Budgetbeslutning").await;
        browser
            .client()
            .find(Locator::Css("#budget-decisions-outcome"))
            .await
            .unwrap()
            .select_by_value("adopted")
            .await
            .unwrap();
        browser.set("budget-decisions-date", "2024-10-03").await;
        browser
            .type_in("#budget-decisions-reference", "Budgetaftale 2025")
            .await;
        browser
            .click("#budget-decisions button[type='submit']")
            .await;
        browser
            .wait_for_text(&app.base, "Gemt: Budgetbeslutning")
            .await;
        let history = app.history("BC01").await;
        let decided: Vec<&Value> = history
            .iter()
            .filter(|e| e["event_type"] == "BudgetDecided")
            .collect();
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0]["actor"], "carl@kk.dk");
        assert_eq!(decided[0]["role"], "controller");
        assert_eq!(decided[0]["payload"]["BudgetDecided"]["outcome"], "adopted");

        browser
            .client()
            .goto(&app.url("/proposals/BC01?as_of=2025-12-31"))
            .await
            .unwrap();
        browser
            .wait_for_text(&app.base, "vedtaget 2024-10-03 (Budgetaftale 2025)")
            .await;
        browser
            .client()
            .goto(&app.url("/?as_of=2025-12-31"))
            .await
            .unwrap();
        browser
            .wait_for_text(
                &app.base,
                "vedtaget 1, afventer budgetbeslutning 11, ikke vedtaget 0.",
            )
            .await;
        browser.close().await;
    }
);

both_backends!(
    the_menu_offers_each_person_the_pages_their_roles_use,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        t.user("rita@kk.dk", &[("revisor", None)]).await;
        t.user("nora@kk.dk", &[]).await;
        t.user("adam@kk.dk", &[("administrator", None)]).await;
        let menu = Selector::parse("nav[aria-label=Hovedmenu] a").unwrap();
        let mut offered = Vec::new();
        for login in [
            "anna@kk.dk",
            "carl@kk.dk",
            "rita@kk.dk",
            "nora@kk.dk",
            "adam@kk.dk",
        ] {
            let session = app.session(login).await;
            let html = Html::parse_document(&app.page_as(&session, "/").await);
            let links: Vec<String> = html
                .select(&menu)
                .filter_map(|a| a.value().attr("href"))
                .map(str::to_string)
                .collect();
            offered.push((login, links));
        }
        let all = ["/", "/committee-status", "/price-index"];
        let with = |extra: &[&str]| {
            let mut links: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
            links.extend(all.iter().map(|s| s.to_string()));
            links
        };
        // A project owner gets her own proposals; a controller those and the savings waiting
        // for a second pair of eyes; an auditor and an administrator the log's check; an
        // account with no role none of them.
        let mut carl = with(&["/mine"]);
        carl.insert(3, "/verification-queue".to_string());
        let mut verifies = with(&[]);
        verifies.insert(2, "/verify".to_string());
        assert_eq!(
            offered,
            [
                ("anna@kk.dk", with(&["/mine"])),
                ("carl@kk.dk", carl),
                ("rita@kk.dk", verifies.clone()),
                ("nora@kk.dk", with(&[])),
                ("adam@kk.dk", verifies),
            ]
        );
    }
);

both_backends!(
    a_store_without_proposals_says_so_instead_of_an_empty_round,
    |t: TestStore| async move {
        let app = t.spawn_app().await;
        let client = app.client();
        for path in ["/", "/committee-status"] {
            let html = Html::parse_document(&app.page_as(&client, path).await);
            let lead: Vec<String> = html
                .select(&Selector::parse("p.lead").unwrap())
                .map(|p| p.text().collect())
                .collect();
            assert!(
                lead[0].starts_with("Loggen rummer ingen investeringsforslag endnu."),
                "{path}: {lead:?}"
            );
            assert!(
                !lead.iter().any(|l| l.contains(" i , ")),
                "{path}: {lead:?}"
            );
        }
        let problem: Value = client
            .get(app.url("/exports/late.csv?budget_round=Budget%202030"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            problem["detail"],
            "«Budget 2030» er ikke en budgetrunde i loggen; loggen rummer ingen budgetrunde endnu"
        );
    }
);

both_backends!(
    an_api_client_is_told_the_fields_by_their_json_names_not_the_command_lines_flags,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let post = |body: Value| {
            let request = app
                .client()
                .post(app.url("/api/proposals/BC01/savings"))
                .json(&body);
            async move {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                let problem: Value = response.json().await.unwrap();
                (
                    status,
                    problem["detail"].as_str().unwrap_or_default().to_string(),
                )
            }
        };
        let (status, detail) = post(serde_json::json!(
            {"year": 2025, "amount": "-1.234", "plan_line": "l1", "date": "2025-07-31"}
        ))
        .await;
        assert_eq!(status, 400, "{detail}");
        assert!(
            detail.starts_with("amount: «-1.234» er tvetydigt"),
            "{detail}"
        );
        let (status, detail) =
            post(serde_json::json!({"year": 2025, "amount": "-10", "date": "2025-07-31"})).await;
        assert_eq!(status, 400, "{detail}");
        assert_eq!(
            detail,
            "control_area skal angives, medmindre plan_line peger på en linje i den gældende plan"
        );
        assert_eq!(savings(&app.history("BC01").await).len(), 0);
    }
);

both_backends!(
    every_date_field_above_a_report_shows_its_whole_hint,
    |t: TestStore| async move {
        // The fields that choose the business date and the recorded time of a report carry a
        // hint of what to type ("ÅÅÅÅ-MM-DD eller tidspunkt"); cut off, it hints at nothing.
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        let browser = Browser::start().await;
        browser
            .sign_in(&app.base, "carl@kk.dk", &password_of("carl@kk.dk"), "/")
            .await;
        browser
            .wait_for_text(&app.base, "Logget ind som carl@kk.dk")
            .await;
        // Each field's hint against the room inside it, measured in the field's own font.
        let cut_off = "const c = document.createElement('canvas').getContext('2d'); \
            return [...document.querySelectorAll('form.asof input[placeholder]')].flatMap(i => { \
              const s = getComputedStyle(i); c.font = s.font; \
              const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); \
              const need = c.measureText(i.placeholder).width; \
              return need > room ? [`${i.name}: ${Math.ceil(need)} > ${Math.floor(room)}`] : []; \
            });";
        let mut seen = 0;
        for page in [
            "/",
            "/late",
            "/committee-status",
            "/proposals/BC01",
            "/proposals/BC01/history",
        ] {
            browser.client().goto(&app.url(page)).await.unwrap();
            browser
                .wait_for_text(&app.base, "Logget ind som carl@kk.dk")
                .await;
            let fields: Value = browser
                .client()
                .execute(
                    "return document.querySelectorAll('form.asof input[placeholder]').length;",
                    vec![],
                )
                .await
                .unwrap();
            seen += fields.as_u64().unwrap();
            let cut: Value = browser.client().execute(cut_off, vec![]).await.unwrap();
            assert_eq!(cut, serde_json::json!([]), "{page}: hints cut off");
        }
        assert!(seen >= 5, "the pages have their date fields ({seen})");
        browser.close().await;
    }
);
