//! The real server on a random port, on both backends.

use std::sync::Arc;

use gevinst_api::startup::Application;
use gevinst_tests::{both_backends, TestStore};

/// Starts the application on 127.0.0.1:0 against the test store; returns its base URL.
async fn spawn(t: &TestStore) -> String {
    let app = Application::build_with_clock(
        &t.config,
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(gevinst_projections::store::SystemClock),
    )
    .await
    .unwrap();
    let addr = app.local_addr().unwrap();
    tokio::spawn(app.run_until_stopped());
    format!("http://{addr}")
}

both_backends!(
    healthz_reports_the_backend_and_position,
    |t: TestStore| async move {
        t.register_example("BC01").await;
        let base = spawn(&t).await;
        let response = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        let backend = match t.backend {
            gevinst_tests::Backend::Sqlite => "sqlite",
            gevinst_tests::Backend::Postgres => "postgres",
        };
        assert_eq!(
            body,
            serde_json::json!({"status": "ok", "backend": backend, "last_position": 2})
        );
        let missing = reqwest::get(format!("{base}/no-such-page")).await.unwrap();
        assert_eq!(missing.status(), 404);
    }
);

both_backends!(
    serve_imports_the_bundled_baseline_into_an_empty_store,
    |t: TestStore| async move {
        let app = Application::build_with_clock(
            &t.config,
            "127.0.0.1:0".parse().unwrap(),
            Arc::new(gevinst_projections::store::SystemClock),
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
        tokio::spawn(app.run_until_stopped());
        let body: serde_json::Value = reqwest::get(format!("http://{addr}/healthz"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["last_position"], 24);
    }
);
