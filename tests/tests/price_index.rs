//! The price index as the three kinds of user meet it, on both backends: controllers maintain
//! it over HTTP and in the browser, everyone else reads it; a plan is shown at another year's
//! price level with the estimate named; its events are verified, exported and rebuilt like
//! every other.

use gevinst_domain::price::Rate;
use gevinst_projections::readmodel::ReadModels;
use gevinst_tests::{both_backends, TestApp, TestStore};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

async fn post(app: &TestApp, token: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/price-index"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn vintage(code: &str) -> Value {
    json!({
        "command": "vintage",
        "vintage": code,
        "name": format!("Testskøn {code}"),
        "published": "2025-06-16",
        "publisher": "Gevinsts tests",
    })
}

fn rate(code: &str, series: &str, year: i32, rate: &str) -> Value {
    json!({
        "command": "rate",
        "vintage": code,
        "series": series,
        "year": year,
        "rate": rate,
        "source": "tests/tests/price_index.rs",
    })
}

both_backends!(
    controllers_maintain_the_index_over_http_and_everyone_else_reads_it,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let carl = t.user("carl@kk.dk", &[("controller", None)]).await;
        let cato = t.user("cato@kk.dk", &[("controller", Some("SUD"))]).await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let rita = t.user("rita@kk.dk", &[("revisor", None)]).await;

        // A store imported without the seed has no estimate in use.
        let (status, index) = get(&app, &rita, "/api/price-index").await;
        assert_eq!(status, 200, "{index}");
        assert_eq!(index["in_use"], Value::Null);

        // Only a controller for the whole municipality may change it: 403 before the body.
        for (who, token) in [
            ("owner", &anna),
            ("auditor", &rita),
            ("SUD's controller", &cato),
        ] {
            let (status, problem) = post(&app, token, &vintage("t")).await;
            assert_eq!(status, 403, "{who}: {problem}");
            assert_eq!(problem["type"], "urn:gevinst:problem:forbidden", "{who}");
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap()
                    .contains("vedligeholde prisindekset"),
                "{who}: {problem}"
            );
        }

        let (status, created) = post(&app, &carl, &vintage("t")).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["stream"], "price-index");
        assert_eq!(created["sequence"], 1);
        // Read-your-writes: the position the change returned.
        let response = reqwest::Client::new()
            .get(app.url("/api/price-index"))
            .bearer_auth(&rita)
            .header("gevinst-position", created["position"].to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let index: Value = response.json().await.unwrap();
        assert_eq!(index["vintages"]["t"]["name"], "Testskøn t", "{index}");

        // Malformed input is 400 naming the field; a broken rule is 422; nothing is stored.
        for (body, field) in [
            (rate("t", "service", 2025, "to"), "rate:"),
            (rate("t", "drift", 2025, "2,8"), "series:"),
            (rate("t", "service", 1999, "2,8"), "year:"),
            (rate("T T", "service", 2025, "2,8"), "vintage:"),
            (
                json!({"command": "rate", "vintage": "t"}),
                "kroppen passer ikke",
            ),
            (json!({"command": "guess"}), "kroppen passer ikke"),
        ] {
            let (status, problem) = post(&app, &carl, &body).await;
            assert_eq!(status, 400, "{body}: {problem}");
            assert!(
                problem["detail"].as_str().unwrap().contains(field),
                "{body}: {problem}"
            );
        }
        let (status, problem) = post(&app, &carl, &rate("unknown", "service", 2025, "2,8")).await;
        assert_eq!(
            (status, problem["type"].as_str()),
            (422, Some("urn:gevinst:problem:rule-broken"))
        );
        let (status, created) = post(&app, &carl, &rate("t", "service", 2025, "3,2")).await;
        assert_eq!(status, 201, "{created}");
        let (status, problem) = post(&app, &carl, &rate("t", "service", 2025, "3,3")).await;
        assert_eq!(status, 422, "{problem}");
        assert!(problem["detail"]
            .as_str()
            .unwrap()
            .contains("ret det med en begrundelse"));
        let mut correction = rate("t", "capital", 2025, "1,5");
        for (status, body) in [
            (201, rate("t", "capital", 2025, "1,4")),
            (400, correction.clone()),
        ] {
            let mut body = body;
            if status == 400 {
                body["command"] = json!("correct");
            }
            let (got, answer) = post(&app, &carl, &body).await;
            assert_eq!(got, status, "{body}: {answer}");
        }
        correction["command"] = json!("correct");
        correction["reason"] = json!("tastefejl: tabellen siger 1,5");
        let (status, answer) = post(&app, &carl, &correction).await;
        assert_eq!(status, 201, "{answer}");

        // Before it is taken into use, a plan at another level converts nothing.
        let before_use = chrono::Utc::now();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (status, answer) = post(
            &app,
            &carl,
            &json!({"command": "use", "vintage": "t", "reason": "test"}),
        )
        .await;
        assert_eq!(status, 201, "{answer}");
        let position = answer["position"].to_string();

        let response = reqwest::Client::new()
            .get(app.url("/api/price-index"))
            .bearer_auth(&anna)
            .header("gevinst-position", &position)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let index: Value = response.json().await.unwrap();
        assert_eq!(index["in_use"], "t");
        let capital = &index["vintages"]["t"]["rates"]["capital"]["2025"];
        assert_eq!(
            (capital["rate"].as_str(), capital["corrects"].as_str()),
            (Some("1.5"), Some("1.4"))
        );

        // BC01's plan (2025 p/l) at 2024 p/l: each cell is the stated amount ÷ 1,032 for
        // service lines, ÷ 1,015 for anlæg, rounded to whole kroner.
        let response = reqwest::Client::new()
            .get(app.url("/api/proposals/BC01/plan?price_level=2024"))
            .bearer_auth(&anna)
            .header("gevinst-position", &position)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let plan: Value = response.json().await.unwrap();
        assert_eq!(
            (plan["from_level"].as_i64(), plan["to_level"].as_i64()),
            (Some(2025), Some(2024))
        );
        assert_eq!(plan["index"]["vintage"], "t");
        let factor = |series: &str| match series {
            "capital" => Rate::parse("1,5").unwrap().factor(),
            _ => Rate::parse("3,2").unwrap().factor(),
        };
        let mut cells = 0;
        for line in plan["lines"].as_array().unwrap() {
            for cell in line["years"].as_object().unwrap().values() {
                let stated: Decimal = cell["stated"].as_str().unwrap().parse().unwrap();
                let expected = (stated / factor(line["series"].as_str().unwrap()))
                    .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
                    .normalize();
                assert_eq!(cell["converted"], json!(expected.to_string()), "{line}");
                cells += 1;
            }
        }
        assert!(cells > 10, "{plan}");
        assert_eq!(plan["unconverted"], json!([]));

        // At 2026 p/l the estimate has no 2026 rate: nothing is guessed.
        let (status, plan) = get(&app, &anna, "/api/proposals/BC01/plan?price_level=2026").await;
        assert_eq!(status, 200);
        assert!(
            plan["totals"]
                .as_object()
                .unwrap()
                .values()
                .all(Value::is_null),
            "{plan}"
        );
        assert!(
            plan["unconverted"][0]
                .as_str()
                .unwrap()
                .contains("har intet pris- og lønindeks (samlet) for 2026"),
            "{plan}"
        );
        // As known before the estimate was in use: no estimate, no conversion.
        let known = before_use.to_rfc3339().replace('+', "%2B");
        let (status, plan) = get(
            &app,
            &anna,
            &format!("/api/proposals/BC01/plan?price_level=2024&known_on={known}"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(plan["index"], Value::Null);
        let (_, index) = get(&app, &anna, &format!("/api/price-index?known_on={known}")).await;
        assert_eq!(index["in_use"], Value::Null);
        assert_eq!(
            index["vintages"]["t"]["rates"]["capital"]["2025"]["rate"],
            "1.5"
        );
        let (status, problem) = get(&app, &anna, "/api/proposals/BC01/plan?price_level=1999").await;
        assert_eq!(status, 400, "{problem}");

        // Every change is an event with who, role and why.
        let events = t.service.store().after_position(0, 1000).await.unwrap();
        let changes: Vec<_> = events
            .iter()
            .filter(|e| e.aggregate_type == "price_index")
            .map(|e| (e.event_type.as_str(), e.actor.as_str(), e.role.as_str()))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("PriceVintageRegistered", "carl@kk.dk", "controller"),
                ("PriceRateStated", "carl@kk.dk", "controller"),
                ("PriceRateStated", "carl@kk.dk", "controller"),
                ("PriceRateCorrected", "carl@kk.dk", "controller"),
                ("PriceVintageTakenIntoUse", "carl@kk.dk", "controller"),
            ]
        );
        let corrected = events
            .iter()
            .find(|e| e.event_type == "PriceRateCorrected")
            .unwrap();
        assert_eq!(
            corrected.metadata["reason"],
            "tastefejl: tabellen siger 1,5"
        );
        // The same trail over HTTP, for an auditor, with known_on.
        let (status, trail) = get(&app, &rita, "/api/price-index/events").await;
        assert_eq!(status, 200, "{trail}");
        let kinds: Vec<(&str, &str)> = trail
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["event_type"].as_str().unwrap(),
                    e["actor"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            changes.iter().map(|(t, a, _)| (*t, *a)).collect::<Vec<_>>()
        );
        assert_eq!(
            trail[3]["metadata"]["reason"],
            "tastefejl: tabellen siger 1,5"
        );
        let (_, before) = get(
            &app,
            &rita,
            &format!("/api/price-index/events?known_on={known}"),
        )
        .await;
        assert_eq!(before.as_array().unwrap().len(), 4, "{before}");
    }
);

/// A session cookie for `login`, signed in over `POST /login`.
async fn cookie_of(app: &TestApp, login: &str) -> String {
    let response = gevinst_tests::without_redirects()
        .post(app.url("/login"))
        .form(&[
            ("login", login),
            ("password", &gevinst_tests::password_of(login)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{login} signs in");
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

both_backends!(
    the_page_shows_sources_to_everyone_and_forms_to_controllers,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let (code, out) = t.gevinst(&["price-index", "import"]).await;
        assert_eq!(code, 0, "{out}");
        // A saving reported at 2024 p/l, converted to the plan's 2025 p/l with the seed's 2,8 %.
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
                "-148",
                "--price-level",
                "2024",
                "--plan-line",
                "l2",
                "--date",
                "2025-12-31",
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let app = t.spawn_app().await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        let rita_token = t.user("rita@kk.dk", &[("revisor", None)]).await;

        let rita = app.session("rita@kk.dk").await;
        let page = app.page_as(&rita, "/price-index").await;
        assert!(page.contains("I brug: <strong>Økonomistyrelsen, pris- og lønforudsætninger juni 2024 (oes-2024-06)"), "{page}");
        // Publishers' rates, one decimal at least, with each one's source.
        for cell in [
            "<td class=\"num\">4,3</td>",
            "<td class=\"num\">4,0</td>",
            "<td class=\"num\">7,7</td>",
        ] {
            assert!(page.contains(cell), "{cell}");
        }
        assert!(page.contains("fastprisberegninger"), "{page}");
        // An auditor reads the index's history: who, when, why.
        assert!(page.contains("Prisindeksets historik"), "{page}");
        assert!(
            page.contains("<td>system:price-index (system)</td><td>Prisskøn taget i brug</td>"),
            "{page}"
        );
        assert!(
            page.contains("pris- og lønindeks (samlet) 2022 = 4,3 %"),
            "{page}"
        );
        assert!(
            !page.contains("id=\"form-sats\""),
            "an auditor gets no forms"
        );
        // The proposal's page says what was converted, with which estimate.
        t.service.projector().catch_up().await.unwrap();
        let page = app.page_as(&rita, "/proposals/BC01?as_of=2025-12-31").await;
        let converted = (Decimal::from(-148) * Rate::parse("2,8").unwrap().factor())
            .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
        let expected = format!(
            "-148 i 2024-niveau er {} i 2025-niveau med skønnet oes-2024-06",
            gevinst_api::format::danish(converted)
        );
        assert!(page.contains(&expected), "{expected}: {page}");
        assert!(page.contains(
            "Prisindeks i brug: Økonomistyrelsen, pris- og lønforudsætninger juni 2024 (oes-2024-06)."
        ));

        // A plan at another price level, on the page: the same cells as the API's, in Danish.
        let page = app
            .page_as(&rita, "/price-index?proposal=BC01&price_level=2024")
            .await;
        let (_, plan) = get(
            &app,
            &rita_token,
            "/api/proposals/BC01/plan?price_level=2024",
        )
        .await;
        assert!(
            page.contains("BC01: planen i 2024-prisniveau (vedtaget i 2025-niveau)"),
            "{page}"
        );
        let mut cells = 0;
        for line in plan["lines"].as_array().unwrap() {
            let row = page
                .split(&format!(
                    "<th scope=\"row\">{}: ",
                    line["line"].as_str().unwrap()
                ))
                .nth(1)
                .and_then(|rest| rest.split("</tr>").next())
                .unwrap_or_else(|| panic!("{line}: {page}"));
            for cell in line["years"].as_object().unwrap().values() {
                let value: Decimal = cell["converted"].as_str().unwrap().parse().unwrap();
                let text = format!(
                    "<td class=\"num\">{}</td>",
                    gevinst_api::format::danish(value)
                );
                assert!(row.contains(&text), "{text} in {row}");
                cells += 1;
            }
        }
        assert!(cells > 10, "{plan}");
        let reader = cookie_of(&app, "rita@kk.dk").await;
        // The realisation export (CSV, XLSX) names the estimate in its title.
        let read = ReadModels::new(t.db.clone());
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        let index = read.price_index().await.unwrap();
        let r = gevinst_projections::reports::proposal_realisation(&read, "BC01", &index, as_of)
            .await
            .unwrap()
            .unwrap();
        let view = gevinst_projections::reports::View::as_of(as_of);
        let sheet = gevinst_api::export::realisation(&r, &view).unwrap();
        assert!(
            sheet.title.contains("2025 p/l; 1 beløb omregnet med prisindekset Økonomistyrelsen, pris- og lønforudsætninger juni 2024 (oes-2024-06))"),
            "{}",
            sheet.title
        );
        for (query, status) in [
            ("proposal=BC01&price_level=1999", 400),
            ("proposal=BC99&price_level=2024", 404),
        ] {
            let response = reqwest::Client::new()
                .get(app.url(&format!("/price-index?{query}")))
                .header("cookie", &reader)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), status, "{query}");
        }

        let carl = app.session("carl@kk.dk").await;
        let cookie = cookie_of(&app, "carl@kk.dk").await;
        let page = reqwest::Client::new()
            .get(app.url("/price-index"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("id=\"form-sats\""), "{page}");
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();

        let send = |fields: Vec<(&'static str, String)>| {
            let url = app.url("/price-index");
            let csrf = csrf.clone();
            let cookie = cookie.clone();
            async move {
                let mut form: Vec<(&str, String)> = vec![("csrf", csrf)];
                form.extend(fields);
                let response = gevinst_tests::without_redirects()
                    .post(url)
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let location = response
                    .headers()
                    .get("location")
                    .map(|l| l.to_str().unwrap().to_string());
                (status, location, response.text().await.unwrap())
            }
        };
        // A refused rate shows the page again with the message and what was typed.
        let (status, _, page) = send(vec![
            ("command", "rate".into()),
            ("vintage", "oes-2024-06".into()),
            ("series", "capital".into()),
            ("year", "2024".into()),
            ("rate", "to komma fem".into()),
            ("source", "min kilde".into()),
        ])
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(
            page.contains("«to komma fem» er ikke en årlig stigning"),
            "{page}"
        );
        assert!(
            page.contains("value=\"min kilde\""),
            "what was typed is kept: {page}"
        );
        // A stated rate is saved and shown.
        let (status, location, _) = send(vec![
            ("command", "rate".into()),
            ("vintage", "oes-2024-06".into()),
            ("series", "capital".into()),
            ("year", "2024".into()),
            ("rate", "3,9".into()),
            ("source", "testens kilde".into()),
        ])
        .await;
        assert_eq!(status, 303);
        let location = location.unwrap();
        assert!(location.starts_with("/price-index?gemt="), "{location}");
        let page = app.page_as(&carl, &location).await;
        assert!(page.contains("anlægsindeks 2024: testens kilde"), "{page}");
        assert!(
            !page.contains("* rettet med en begrundelse"),
            "nothing corrected yet"
        );
        let (status, _, _) = send(vec![
            ("command", "correct".into()),
            ("vintage", "oes-2024-06".into()),
            ("series", "capital".into()),
            ("year", "2024".into()),
            ("rate", "4,0".into()),
            ("source", "testens kilde".into()),
            ("reason", "tastefejl".into()),
        ])
        .await;
        assert_eq!(status, 303);
        let page = app.page_as(&carl, "/price-index").await;
        assert!(page.contains("<td class=\"num\">4,0 *</td>"), "{page}");
        assert!(page.contains("* rettet med en begrundelse"), "{page}");
        assert!(
            page.contains("anlægsindeks 2024: testens kilde <em>(rettet fra 3,9)</em>"),
            "{page}"
        );
        // Without the CSRF token nothing is stored.
        let response = gevinst_tests::without_redirects()
            .post(app.url("/price-index"))
            .header("cookie", &cookie)
            .form(&[("command", "use"), ("vintage", "oes-2024-06")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 403);
    }
);

both_backends!(
    the_price_index_is_verified_exported_and_rebuilt_like_every_stream,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let (code, out) = t.gevinst(&["price-index", "import"]).await;
        assert_eq!(code, 0, "{out}");
        let (code, out) = t.gevinst(&["price-index", "import"]).await;
        assert_eq!(
            (code, out.trim()),
            (0, "prisindeks: 0 hændelser registreret fra filen")
        );
        let (code, out) = t.gevinst(&["price-index", "show"]).await;
        assert_eq!(code, 0, "{out}");
        assert!(out.starts_with("Prisindeks i brug: Økonomistyrelsen, pris- og lønforudsætninger juni 2024 (oes-2024-06)"), "{out}");
        assert!(out.contains("anlægsindeks"), "{out}");

        // Rebuilt equals incrementally maintained, price index rows included.
        let read = ReadModels::new(t.db.clone());
        t.service.projector().catch_up().await.unwrap();
        let before = read.dump().await.unwrap();
        assert!(!before.price_index.is_empty());
        let (code, out) = t.gevinst(&["projections", "rebuild"]).await;
        assert_eq!(code, 0, "{out}");
        assert_eq!(read.dump().await.unwrap(), before);

        // Exported and verified offline.
        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("export");
        let (code, out) = t
            .gevinst(&[
                "audit",
                "export",
                &export.display().to_string(),
                "--signing-key",
                &dir.path().join("key").display().to_string(),
            ])
            .await;
        assert_eq!(code, 0, "{out}");
        let report = gevinst_verify::export::verify_dir(&export, None).unwrap();
        assert!(report.is_ok(), "{report}");
        let lines = std::fs::read_to_string(export.join("events.jsonl")).unwrap();
        assert!(lines.contains("PriceRateStated"));

        // A changed rate in the log is found.
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "{out}");
        t.unguard_history().await;
        let sql = match t.db {
            gevinst_store::Db::Postgres(_) => {
                "UPDATE event SET payload = jsonb_set(payload, '{RateStated,rate}', '\"3.4\"') \
                 WHERE aggregate_type = 'price_index' AND sequence = 2"
            }
            gevinst_store::Db::Sqlite(_) => {
                "UPDATE event SET payload = json_set(payload, '$.RateStated.rate', '3.4') \
                 WHERE aggregate_type = 'price_index' AND sequence = 2"
            }
        };
        assert_eq!(t.db.execute_raw(sql).await.unwrap(), 1);
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 2, "{out}");
        assert!(out.contains("price-index"), "{out}");
    }
);

both_backends!(
    a_controller_states_a_rate_in_the_browser_and_sees_it_with_its_source,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let (code, out) = t.gevinst(&["price-index", "import"]).await;
        assert_eq!(code, 0, "{out}");
        let app = t.spawn_app().await;
        t.user("carl@kk.dk", &[("controller", None)]).await;
        let browser = crate::browser::Browser::start().await;
        browser
            .sign_in(
                &app.base,
                "carl@kk.dk",
                &gevinst_tests::password_of("carl@kk.dk"),
                "/price-index",
            )
            .await;
        browser.wait_for_text(&app.base, "I brug:").await;
        browser.type_in("#sats-skoen", "oes-2024-06").await;
        browser.set("sats-serie", "capital").await;
        browser.type_in("#sats-aar", "2024").await;
        browser.type_in("#sats-procent", "3,9").await;
        browser.type_in("#sats-kilde", "browsertestens kilde").await;
        browser.click("#gem-sats").await;
        browser
            .wait_for_text(&app.base, "Gemt som hændelse nr.")
            .await;
        // The source is listed under the table (in a closed <details>: read the source).
        let source = browser.client().source().await.unwrap();
        assert!(
            source.contains("anlægsindeks 2024: browsertestens kilde"),
            "{source}"
        );
        let url = browser.client().current_url().await.unwrap();
        assert!(url.as_str().contains("/price-index?gemt="), "{url}");
        // The rate is in the log, as carl, controller.
        let events = t.service.store().after_position(0, 1000).await.unwrap();
        let last = events
            .iter()
            .rfind(|e| e.aggregate_type == "price_index")
            .unwrap();
        assert_eq!(
            (
                last.event_type.as_str(),
                last.actor.as_str(),
                last.role.as_str()
            ),
            ("PriceRateStated", "carl@kk.dk", "controller")
        );
        assert_eq!(last.payload["RateStated"]["rate"], "3.9");
        // Asking for a plan at another price level shows the table.
        browser.type_in("#plan-forslag", "BC01").await;
        browser.type_in("#plan-niveau", "2024").await;
        browser.click("#vis-plan").await;
        browser
            .wait_for_text(&app.base, "BC01: planen i 2024-prisniveau")
            .await;
        browser.close().await;
    }
);
