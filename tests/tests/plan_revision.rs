//! A controller revises a plan in the browser, on both backends: from the register page to the
//! plan's table, one yearly amount changed, a reason and another person as approver; the
//! revision is stored as the API's would be, with the rest of the plan carried over. A cell that
//! cannot be read, an approver who is the sender, and a table that revises nothing are refused
//! with what was typed kept and nothing stored; a project owner is refused the page, and the
//! refusal still shows who is signed in. Both forms' headers name the proposal's document.

use gevinst_tests::{both_backends, password_of, TestStore};
use scraper::{Html, Selector};
use serde_json::Value;

use crate::browser::Browser;

fn revisions(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["event_type"] == "PlanRevised")
        .collect()
}

/// Every field of the revision form as the page shows it (hidden fields, cells, reason and
/// approver).
fn fields(html: &str) -> Vec<(String, String)> {
    let html = Html::parse_document(html);
    let inputs = Selector::parse("form input[name]").unwrap();
    let mut form: Vec<(String, String)> = html
        .select(&inputs)
        .map(|e| {
            let name = e.value().attr("name").unwrap_or_default().to_string();
            let value = e.value().attr("value").unwrap_or_default().to_string();
            (name, value)
        })
        .collect();
    let reason = Selector::parse("textarea#reason").unwrap();
    let typed: String = html
        .select(&reason)
        .next()
        .map(|e| e.text().collect())
        .unwrap_or_default();
    form.push(("reason".into(), typed));
    form
}

fn set(form: &mut [(String, String)], name: &str, value: &str) {
    let field = form
        .iter_mut()
        .find(|(k, _)| k == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_string();
}

fn selected(html: &str, css: &str) -> Option<String> {
    let html = Html::parse_document(html);
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .next()
        .map(|e| e.text().collect::<String>())
}

both_backends!(
    a_controller_revises_a_plan_in_the_browser,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        t.user("oekonomichef@kk.dk", &[("controller", None)]).await;
        let before = app.history("BC01").await;
        let baseline = before
            .iter()
            .find(|e| e["event_type"] == "BaselineAdopted")
            .expect("the baseline")["payload"]["BaselineAdopted"]["plan"]
            .clone();

        let browser = Browser::start().await;
        browser
            .sign_in(
                &app.base,
                "carl@kk.dk",
                &password_of("carl@kk.dk"),
                "/proposals/BC01/register",
            )
            .await;
        browser.wait_for_text(&app.base, "Revidér planen").await;
        browser.click("a#revider").await;
        browser
            .wait_for_text(&app.base, "Den gældende plan er planen fra bilaget")
            .await;
        // The table starts from the plan, in Danish notation.
        let l1_2026 = baseline["lines"][0]["amounts"]["2026"]
            .as_str()
            .expect("BC01 l1 has a 2026 amount")
            .to_string();
        let shown = browser.value("input[name='l1:2026']").await;
        let as_decimal = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
        assert_eq!(
            as_decimal(&shown.replace('.', "").replace(',', ".")),
            as_decimal(&l1_2026),
            "prefilled from the plan, in Danish notation: {shown}"
        );
        browser.type_in("input[name='l1:2026']", "-1.234,5").await;
        browser
            .type_in("#reason", "Udbuddet forsinket et halvt år")
            .await;
        browser.type_in("#approved_by", "oekonomichef@kk.dk").await;
        browser.click("#gem-revision").await;
        browser
            .wait_for_text(&app.base, "Gemt: planrevision nr. 1")
            .await;
        browser.close().await;

        let history = app.history("BC01").await;
        let revised = revisions(&history);
        assert_eq!(revised.len(), 1);
        let e = revised[0];
        assert_eq!(e["actor"], "carl@kk.dk");
        assert_eq!(e["role"], "controller");
        let payload = &e["payload"]["PlanRevised"];
        assert_eq!(payload["revision"], 1);
        assert_eq!(payload["reason"], "Udbuddet forsinket et halvt år");
        assert_eq!(payload["approved_by"], "oekonomichef@kk.dk");
        assert_eq!(payload["plan"]["lines"][0]["amounts"]["2026"], "-1234.5");
        // Only that cell changed: the rest of the plan is the baseline's.
        let mut expected = baseline.clone();
        expected["lines"][0]["amounts"]["2026"] = "-1234.5".into();
        assert_eq!(payload["plan"], expected);

        // The reports read the plan in force, not the baseline: the portfolio's BC01 drifts
        // from its baseline by that cell's change.
        let portfolio: Value = app.json("/api/portfolio").await;
        let bc01 = portfolio["proposals"]
            .as_array()
            .expect("the portfolio's proposals")
            .iter()
            .find(|p| p["proposal"] == "BC01")
            .expect("BC01 in the portfolio");
        let change = as_decimal("-1234.5") - as_decimal(&l1_2026);
        assert_eq!(
            as_decimal(bc01["drift"]["amount"].as_str().expect("a decimal")),
            change,
            "{}",
            bc01["drift"]
        );
    }
);

both_backends!(
    a_revision_is_refused_with_what_was_typed_kept_and_owners_get_no_page,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        t.user("oekonomichef@kk.dk", &[("controller", None)]).await;
        t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let carl = app.session("carl@kk.dk").await;
        let page = carl
            .get(app.url("/proposals/BC01/plan-revision"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        // The header names the proposal's budget document, as the proposal's own page does.
        assert_eq!(
            selected(&html, "header .org").as_deref(),
            Some("Københavns Kommune — Budget 2025"),
            "{html}"
        );
        let blank = fields(&html);
        let send = |form: Vec<(String, String)>| {
            let carl = carl.clone();
            let url = app.url("/proposals/BC01/plan-revision");
            async move { carl.post(url).form(&form).send().await.unwrap() }
        };

        // A cell that is not an amount: refused beside it, every value as typed.
        let mut form = blank.clone();
        set(&mut form, "l1:2027", "en del");
        set(&mut form, "reason", "Ny indfasning");
        set(&mut form, "approved_by", "oekonomichef@kk.dk");
        let refused = send(form.clone()).await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        let beside =
            selected(&html, "table.revision .feltfejl").expect("the refusal beside the cell");
        assert!(beside.starts_with("l1 2027: «en del»"), "{beside}");
        assert!(
            selected(&html, "input[name='l1:2027'][aria-invalid='true']").is_some(),
            "the cell is marked"
        );
        let kept = fields(&html);
        assert_eq!(
            kept.iter().find(|(k, _)| k == "l1:2027").unwrap().1,
            "en del"
        );
        assert_eq!(
            kept.iter().find(|(k, _)| k == "reason").unwrap().1,
            "Ny indfasning"
        );

        // The sender as his own approver: refused in Danish.
        let mut form = blank.clone();
        set(&mut form, "l1:2027", "-1");
        set(&mut form, "reason", "Ny indfasning");
        set(&mut form, "approved_by", "carl@kk.dk");
        let refused = send(form).await;
        assert_eq!(refused.status(), 422);
        let message = selected(&refused.text().await.unwrap(), "#fejl").unwrap();
        assert!(message.contains("godkenderen"), "{message}");
        assert!(message.contains("anden aktiv bruger"), "{message}");

        // The table as it was: a revision that revises nothing.
        let mut form = blank.clone();
        set(&mut form, "reason", "Ingen ændring");
        set(&mut form, "approved_by", "oekonomichef@kk.dk");
        let refused = send(form).await;
        assert_eq!(refused.status(), 422);
        let message = selected(&refused.text().await.unwrap(), "#fejl").unwrap();
        assert!(
            message.contains("den reviderede plan er den samme som den gældende"),
            "{message}"
        );
        assert!(
            revisions(&app.history("BC01").await).is_empty(),
            "nothing stored"
        );

        // A project owner may not revise: the page says so, under her own name.
        let anna = app.session("anna@kk.dk").await;
        let page = anna
            .get(app.url("/proposals/BC01/plan-revision"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 403);
        let html = page.text().await.unwrap();
        assert!(html.contains("Ingen adgang"), "{html}");
        assert!(
            html.contains("Logget ind som <strong>anna@kk.dk</strong>"),
            "{html}"
        );
        let register = app.page_as(&anna, "/proposals/BC01/register").await;
        assert!(!register.contains("id=\"revider\""), "no link for her");
        assert_eq!(
            selected(&register, "header .org").as_deref(),
            Some("Københavns Kommune — Budget 2025"),
            "{register}"
        );
        let posted = anna
            .post(app.url("/proposals/BC01/plan-revision"))
            .form(&blank)
            .send()
            .await
            .unwrap();
        assert_eq!(
            posted.status(),
            403,
            "the CSRF token is carl's, and so is the right"
        );
        assert!(revisions(&app.history("BC01").await).is_empty());
    }
);
