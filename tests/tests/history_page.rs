//! The auditor's pages on both backends: a proposal's history (who, role, recorded time,
//! business date, reason, hash; corrections linked both ways; as known at a recorded time)
//! and the verification of the whole log, each behind the policy. The figures the pages show
//! are compared with the JSON API's, element by element (`scraper`).

use gevinst_tests::{both_backends, TestApp, TestStore};
use scraper::{Html, Selector};
use serde_json::{json, Value};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{path}");
    response.json().await.unwrap()
}

async fn page(app: &TestApp, token: &str, path: &str) -> (u16, Html) {
    let response = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        Html::parse_document(&response.text().await.unwrap()),
    )
}

fn text(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

fn attr(html: &Html, css: &str, name: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector)
        .filter_map(|e| e.value().attr(name).map(str::to_string))
        .collect()
}

both_backends!(
    an_auditor_reads_a_proposals_history_with_its_corrections_linked_both_ways,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let saving =
            json!({"year": 2025, "amount": "-149", "plan_line": "l1", "date": "2025-06-30"});
        let first = post(&app, &anna, "/api/proposals/BC01/savings", saving).await;
        let saving_seq = first["last_sequence"].as_u64().unwrap();
        let api_before: Vec<Value> = app.history("BC01").await;
        let known_before = api_before.last().unwrap()["recorded_at"]
            .as_str()
            .unwrap()
            .to_string();
        let reversal = post(
            &app,
            &anna,
            "/api/proposals/BC01/corrections",
            json!({"sequence": saving_seq, "reason": "tastefejl i beløbet"}),
        )
        .await;
        let reversal_seq = reversal["last_sequence"].as_u64().unwrap();

        let api: Vec<Value> = app.history("BC01").await;
        let (status, html) = page(&app, &app.token, "/proposals/BC01/history").await;
        assert_eq!(status, 200);
        // One row per event, in the API's order, each with its hash.
        let rows = attr(&html, "table.historik tbody tr", "id");
        let expected: Vec<String> = api.iter().map(|e| format!("e-{}", e["sequence"])).collect();
        assert_eq!(rows, expected);
        assert_eq!(
            attr(&html, "table.historik code.hash", "title"),
            api.iter()
                .map(|e| e["hash"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        );
        // The saving: who, in which role, its business date, marked as corrected, linking on.
        let saving_row = format!("tr#e-{saving_seq}");
        let cells = text(&html, &format!("{saving_row} > td"));
        assert!(
            cells[1].starts_with("Realiseret effektivisering"),
            "{cells:?}"
        );
        assert_eq!(cells[2], "anna@kk.dk");
        assert_eq!(cells[3], "projektejer");
        assert_eq!(cells[5], "30.06.2025");
        assert_eq!(
            attr(&html, &format!("{saving_row}.rettet a.rettet-af"), "href"),
            [format!("#e-{reversal_seq}")]
        );
        // The correction: its reason, and the link back.
        let reversal_row = format!("tr#e-{reversal_seq}");
        let cells = text(&html, &format!("{reversal_row} > td"));
        assert!(
            cells[1].starts_with("Registrering tilbageført"),
            "{cells:?}"
        );
        assert_eq!(cells[6], "tastefejl i beløbet");
        assert_eq!(
            attr(&html, &format!("{reversal_row} a.retter"), "href"),
            [format!("#e-{saving_seq}")]
        );
        // The baseline's events were recorded by the import, as system.
        assert_eq!(text(&html, "tr#e-1 > td")[3], "system");

        // As known before the correction: the correction is not there, nor its mark.
        let (status, before) = page(
            &app,
            &app.token,
            &format!("/proposals/BC01/history?known_on={known_before}"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            attr(&before, "table.historik tbody tr", "id").len(),
            api_before.len()
        );
        assert!(attr(&before, "tr.rettet", "id").is_empty());

        // The proposal's page marks the year whose figure rests on the corrected entry, and
        // links the mark to the correction; the years without a correction carry none.
        let (_, proposal) = page(&app, &app.token, "/proposals/BC01?as_of=2025-12-31").await;
        let marks = attr(&proposal, "#realisering-tabel a.rettet-maerke", "href");
        assert_eq!(marks, [format!("/proposals/BC01/history#e-{reversal_seq}")]);
        let marked_year = text(
            &proposal,
            "#realisering-tabel tbody tr:has(a.rettet-maerke) th",
        );
        assert!(marked_year[0].starts_with("2025"), "{marked_year:?}");

        // The policy decides, as for the API: BC02's history is not anna's.
        assert_eq!(page(&app, &anna, "/proposals/BC02/history").await.0, 403);
        assert_eq!(page(&app, &anna, "/proposals/BC01/history").await.0, 200);
    }
);

both_backends!(
    the_verify_page_shows_the_log_in_order_and_then_the_tampering,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let anna = t.user("anna@kk.dk", &[("projektejer", Some("BC01"))]).await;
        let api: Value = app.json("/api/verify").await;
        let (status, html) = page(&app, &app.token, "/verify").await;
        assert_eq!(status, 200);
        assert_eq!(text(&html, "#resultat"), ["I orden"]);
        let facts = text(&html, "dl.facts dd");
        assert_eq!(facts[0], api["events"].to_string());
        assert!(facts[1].starts_with(&api["proposals"].to_string()));
        // This server has no signing key: nothing to hold the log up against but a checkpoint
        // the auditor kept.
        assert!(text(&html, "#kontrolpunkt")[0].contains("ingen signeringsnøgle"));
        assert_eq!(api["checkpoint"], Value::Null);
        // Only auditors and administrators walk the whole log.
        assert_eq!(page(&app, &anna, "/verify").await.0, 403);

        // Someone with the database's keys rewrites who recorded BC01's first event.
        t.unguard_history().await;
        t.db.execute_raw(
            "UPDATE event SET actor = 'mallory' WHERE stream_id = 'BC01' AND sequence = 1",
        )
        .await
        .unwrap();
        let (status, html) = page(&app, &app.token, "/verify").await;
        assert_eq!(status, 200);
        assert_eq!(text(&html, "#resultat"), ["Fejl fundet: 1"]);
        let problem = text(&html, "table tbody tr td");
        assert_eq!(problem[..3], ["BC01", "1", "column_mismatch"]);
    }
);

both_backends!(
    the_verify_page_holds_the_log_up_against_the_newest_signed_checkpoint,
    |t: TestStore| async move {
        use gevinst_domain::proposal::{examples, ProposalCommand};
        use gevinst_domain::{IdempotencyKey, Role};
        t.import_budget_2025().await;
        let signer = std::sync::Arc::new(
            gevinst_verify::NoteSigner::from_seed("gevinst.kk.dk/log", [7; 32]).unwrap(),
        );
        let (app, base) = t.bind_app().await;
        let app = t.serve(app.with_signer(signer.clone()), base).await;
        let check = || async {
            let api: Value = app.json("/api/verify").await;
            let (status, html) = page(&app, &app.token, "/verify").await;
            assert_eq!(status, 200);
            (api, html)
        };
        let (api, html) = check().await;
        assert_eq!(
            text(&html, "#kontrolpunkt"),
            ["Serveren har endnu ikke signeret et kontrolpunkt."]
        );
        assert_eq!(api["checkpoint"], Value::Null);

        // A saving recorded and signed for: the log begins with what the checkpoint covered.
        let record = |key: &'static str| {
            let t = &t;
            async move {
                let mut m = gevinst_tests::meta("anna@kk.dk", Role::ProjectOwner);
                m.idempotency_key = Some(IdempotencyKey::parse(key).unwrap());
                t.service
                    .execute(
                        &gevinst_tests::proposal("BC01"),
                        ProposalCommand::RecordSaving(examples::saving(2025, -400)),
                        m,
                    )
                    .await
                    .unwrap()
                    .last_position
            }
        };
        let size = record("signed").await;
        let stored = gevinst_store::sign_checkpoint(t.service.store(), &signer)
            .await
            .unwrap();
        assert_eq!(stored.tree_size, size);
        let (api, html) = check().await;
        assert_eq!(text(&html, "#resultat"), ["I orden"]);
        assert_eq!(text(&html, "#kontrolpunkt"), ["I orden"]);
        assert_eq!(api["ok"], true);
        assert_eq!(api["checkpoint"]["ok"], true);
        assert_eq!(api["checkpoint"]["tree_size"], size);
        // One more, not yet anchored: said, not judged.
        let after = record("after").await;
        let (api, html) = check().await;
        assert_eq!(api["checkpoint"]["unanchored"], json!([after, after]));
        assert!(html
            .root_element()
            .text()
            .collect::<String>()
            .contains(&format!(
                "Position {after} er tilføjet efter kontrolpunktet"
            )));

        // Both savings removed with their command rows: a consistent log the walk passes, but
        // shorter than what was signed.
        t.unguard_history().await;
        for statement in [
            format!("DELETE FROM event WHERE position >= {size}"),
            format!("DELETE FROM command WHERE last_position >= {size}"),
        ] {
            assert_eq!(
                t.db.execute_raw(&statement).await.unwrap(),
                2,
                "{statement}"
            );
        }
        let (api, html) = check().await;
        assert_eq!(api["problems"], json!([]), "the walk finds nothing");
        assert_eq!(api["ok"], false);
        assert_eq!(api["checkpoint"]["ok"], false);
        assert_eq!(api["checkpoint"]["problems"][0]["kind"], "truncated");
        assert_eq!(text(&html, "#resultat"), ["Fejl fundet: 1"]);
        assert_eq!(text(&html, "#kontrolpunkt"), ["Brudt"]);
        let row = text(&html, "#kontrolpunkt-fejl tbody td");
        assert_eq!(row[0], "afkortet");
        assert_eq!(row[1], size.to_string());
    }
);
