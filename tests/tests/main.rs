//! Gevinst's integration tests, as one binary: each module was once a binary of its own, and
//! every binary linked sqlx, axum and reqwest again. The harness (`gevinst_tests`, in `src/`)
//! owns the stores, the server on a random port and the Budget 2025 baseline.
//!
//! Every test that touches a store runs on both backends (`both_backends!`): `MODULE::TEST::sqlite`
//! and `MODULE::TEST::postgres`, so `scripts/test.sh store::` runs the store's tests only.

mod attribution;
mod audit;
mod baseline;
mod bench;
mod bounds;
mod browser;
mod controller;
mod dashboard;
mod exports;
mod forms;
mod golden;
mod history_page;
mod http;
mod identity;
mod inline;
mod known_on;
mod municipalities;
mod oidc;
mod openapi;
mod plan_revision;
mod portfolio;
mod price_index;
mod privilege;
mod projections;
mod readme;
mod reads;
mod rebuild;
mod record;
mod scenario;
mod schema;
mod service;
mod status;
mod store;
mod tamper;
