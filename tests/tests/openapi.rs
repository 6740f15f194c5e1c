//! The OpenAPI document and the router cannot drift apart: every operation the document
//! describes is served (a sign-in is asked for exactly where the document says so), every
//! command route of `commands::ROUTES` is described with its summary, and no `/api/` route is
//! registered by hand beside the described ones (`api_routes`, which registers each read route
//! together with its description).

use gevinst_api::http::commands::ROUTES;
use gevinst_tests::{both_backends, TestStore};
use serde_json::Value;

/// The router's source files, where a route registered by hand (`.route("…"`) would show.
const SOURCES: [&str; 3] = [
    include_str!("../../api/src/http/mod.rs"),
    include_str!("../../api/src/http/openapi.rs"),
    include_str!("../../api/src/http/commands.rs"),
];

both_backends!(
    every_described_operation_is_served_and_every_api_route_described,
    |t: TestStore| async move {
        t.import_budget_2025().await;
        let app = t.spawn_app().await;
        let client = reqwest::Client::new();
        let response = client
            .get(app.url("/api/openapi.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let document: Value = response.json().await.unwrap();
        assert!(
            document["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1.")),
            "{}",
            document["openapi"]
        );
        assert_eq!(document["info"]["title"], "Gevinst");
        assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
        let paths = document["paths"].as_object().unwrap();

        // Served, and open or closed as described.
        let mut operations = 0;
        for (path, item) in paths {
            let url = app.url(&path.replace("{id}", "BC01"));
            for (method, operation) in item.as_object().unwrap() {
                let request = match method.as_str() {
                    "get" => client.get(&url),
                    "post" => client.post(&url).body("{}"),
                    other => panic!("{path}: unexpected method {other}"),
                };
                let status = request.send().await.unwrap().status().as_u16();
                let secured = operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty());
                let expected = if secured { 401 } else { 200 };
                assert_eq!(status, expected, "{method} {path} without a sign-in");
                operations += 1;
            }
        }
        assert!(operations >= 29, "only {operations} operations described");

        // Every command route, with its summary.
        for route in ROUTES {
            let path = format!("/api/proposals/{{id}}/{}", route.segment);
            assert_eq!(
                paths[&path]["post"]["summary"], route.summary,
                "{path} is not described"
            );
        }

        // No `/api/` route registered by hand, around the description.
        for source in SOURCES {
            for (at, _) in source.match_indices(".route(\"/api/") {
                let rest = &source[at + ".route(\"".len()..];
                let path = &rest[..rest.find('"').unwrap()];
                assert!(
                    paths.contains_key(path),
                    "{path} is routed but not described"
                );
            }
        }
    }
);
