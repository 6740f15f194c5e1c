//! The real server on a random port, on both backends.

use std::sync::Arc;

use gevinst_api::startup::Application;
use gevinst_tests::{both_backends, TestStore};

both_backends!(
    healthz_reports_the_backend_and_position,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let base = t.spawn_app().await.base;
        let response = gevinst_tests::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        let backend = match t.backend {
            gevinst_tests::Backend::Sqlite => "sqlite",
            gevinst_tests::Backend::Postgres => "postgres",
        };
        // Two proposal events, then the five access events `spawn_app` records (the first
        // administrator and its grant, the test's reader and its two grants).
        assert_eq!(
            body,
            serde_json::json!({"status": "ok", "backend": backend, "last_position": 2 + 5})
        );
        let missing = gevinst_tests::get(format!("{base}/no-such-page"))
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
);

both_backends!(
    serve_imports_the_bundled_baseline_into_an_empty_store,
    |t: TestStore| async move {
        let app = Application::build_with_clock(
            &t.config,
            "127.0.0.1:0".parse().unwrap(),
            Arc::new(gevinst_store::SystemClock),
        )
        .await
        .unwrap();
        let report = app
            .import_bundled_baseline_if_empty()
            .await
            .unwrap()
            .unwrap();
        assert_eq!((report.registered.len(), report.events_appended), (12, 24));
        assert!(
            app.import_bundled_baseline_if_empty()
                .await
                .unwrap()
                .is_none(),
            "only into an empty store"
        );
        let addr = app.local_addr().unwrap();
        tokio::spawn(app.run_until(std::future::pending()));
        let body: serde_json::Value = gevinst_tests::get(format!("http://{addr}/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["last_position"], 24);
    }
);

both_backends!(
    the_json_api_serves_reports_and_the_audit_trail,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        // Every answer is JSON: a success as `application/json`, an error as RFC 9457
        // `application/problem+json`; anything else (axum's plain-text rejections) fails here.
        let get = |path: &str| {
            let url = app.url(path);
            async move {
                let r = gevinst_tests::get(&url).await.unwrap();
                let status = r.status().as_u16();
                let content_type = r.headers()[reqwest::header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .to_string();
                let text = r.text().await.unwrap();
                let expected = if status < 400 {
                    "application/json"
                } else {
                    "application/problem+json"
                };
                assert_eq!(content_type, expected, "{url}: {text}");
                let body: serde_json::Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{url} answered no JSON ({e}): {text}"));
                if status >= 400 {
                    assert_eq!(body["status"], status, "{url}: {body}");
                    assert!(body["type"]
                        .as_str()
                        .unwrap()
                        .starts_with("urn:gevinst:problem:"));
                    assert!(!body["title"].as_str().unwrap().is_empty(), "{body}");
                }
                (status, body)
            }
        };
        let (status, portfolio) = get("/api/portfolio?as_of=2025-01-31").await;
        assert_eq!(status, 200);
        assert_eq!(portfolio["total"]["proposals"], 12);
        assert_eq!(portfolio["total"]["savings_full_phase_in_mio"], "-93.7");

        let (status, events) = get("/api/proposals/BC01/events").await;
        assert_eq!(status, 200);
        let events = events.as_array().unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["event_type"], "ProposalRegistered");
        assert_eq!(events[0]["actor"], "system:baseline");
        assert_eq!(events[1]["prev_hash"], events[0]["hash"]);

        let (status, report) = get("/api/proposals/bc09").await;
        assert_eq!(status, 200);
        assert_eq!(report["identity"]["id"], "BC09");
        let (status, goals) = get("/api/goals?proposal=BC13&as_of=2025-06-30").await;
        assert_eq!(status, 200);
        assert_eq!(goals.as_array().unwrap().len(), 11);
        let (status, verified) = get("/api/verify").await;
        assert_eq!(
            (status, verified["ok"].clone(), verified["events"].clone()),
            (200, true.into(), (24 + 5).into()),
            "the baseline's 24 events and spawn_app's 5 access events"
        );
        // The accounts and grants are a stream of their own, not a thirteenth proposal.
        assert_eq!(
            (verified["proposals"].clone(), verified["streams"].clone()),
            (12.into(), 13.into())
        );
        let (code, out) = t.gevinst(&["verify"]).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.starts_with("i orden: 29 hændelser i 12 forslag og 1 adgangsstrøm,"),
            "{out}"
        );

        let (status, body) = get("/api/proposals/BC_1").await;
        assert_eq!(status, 400);
        assert_eq!(body["type"], "urn:gevinst:problem:bad-request");
        assert_eq!(
            body["detail"],
            "«BC_1» er ikke et forslagsnummer: skriv 2–20 tegn A–Z, 0–9 eller '-', begyndende med et bogstav og sluttende med et bogstav eller et ciffer, fx BC01"
        );
        let (status, body) = get("/api/proposals/BC99/realisation").await;
        assert_eq!(status, 404);
        assert_eq!(body["type"], "urn:gevinst:problem:not-found");
        assert_eq!(body["detail"], "forslag BC99 findes ikke");
        let (status, body) = get("/api/late?as_of=2025-13-01").await;
        assert_eq!(
            status, 400,
            "an impossible date is the client's error, not a 500"
        );
        assert_eq!(body["type"], "urn:gevinst:problem:bad-request");
        assert!(
            body["detail"].as_str().unwrap().contains("as_of"),
            "the detail names the field: {body}"
        );
    }
);
